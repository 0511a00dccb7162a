using JaxToolchain.Vulkan;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// The SPIR-V tests' runner over the runtime's Vulkan slice (<see cref="VulkanComputeContext"/>, the machine's best device:
/// lavapipe on CI machines): one shared context; each run creates the buffers and the pipeline, dispatches, waits,
/// copies the buffers back and destroys what it created.
/// </summary>
internal sealed class VulkanCompute
{
    private static readonly Lock Gate = new();

    static VulkanCompute()
    {
        if (VulkanComputeContext.TryCreate(out var context, out var failure))
        {
            if (context!.Info.FloatControls) Shared = new VulkanCompute(context);
            else
            {
                Unavailable = $"{context.Info.Name} lacks float controls (VK_KHR_shader_float_controls), which the kernels declare";
                context.Dispose();
            }
        }
        else Unavailable = failure;
    }

    private VulkanCompute(VulkanComputeContext context) => Context = context;

    /// <summary>Why Vulkan is unusable here, or null.</summary>
    public static string? Unavailable { get; }

    /// <summary>The shared runner, when available.</summary>
    public static VulkanCompute? Shared { get; }

    public VulkanComputeContext Context { get; }

    /// <summary>Runs a module's entry point on <paramref name="buffers"/> (binding i = buffer i, updated in place) with the push constants.</summary>
    public void Run(uint[] words, string entryPoint, byte[][] buffers, uint[] pushConstants, uint groups)
    {
        lock (Gate)
        {
            var bound = buffers.Select(b => Context.CreateBuffer(b.Length)).ToArray();
            try
            {
                for (int b = 0; b < buffers.Length; b++) bound[b].Write<byte>(buffers[b]);
                using var pipeline = Context.CreatePipeline(words, entryPoint, buffers.Length, pushConstants.Length * 4);
                Context.Dispatch(pipeline, bound, System.Runtime.InteropServices.MemoryMarshal.AsBytes<uint>(pushConstants), groups);
                for (int b = 0; b < buffers.Length; b++) bound[b].Read<byte>(buffers[b].Length).CopyTo(buffers[b], 0);
            }
            finally
            {
                foreach (var buffer in bound) buffer.Dispose();
            }
        }
    }
}
