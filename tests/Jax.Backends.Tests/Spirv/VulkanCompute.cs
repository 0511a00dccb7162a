using JaxToolchain.Ir;
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

    /// <summary>True when the device has every feature <paramref name="kernel"/> lists (else the runtime would run its step on the host).</summary>
    public bool Supports(VulkanKernel kernel) => kernel.Features.All(Context.Info.Features.Contains);

    /// <summary>
    /// Runs a program step's kernels in order, as the runtime does: buffers in the host's layout (<paramref name="inputs"/>,
    /// outputs of <paramref name="outputBytes"/> bytes, scratch buffers of the step's sizes), push constants and workgroup
    /// counts evaluated from <paramref name="symbols"/>; the workgroup count along each axis is
    /// <c>ceil(threads / local size)</c> capped at <paramref name="maxGroups"/> (small caps exercise grid-strided loops).
    /// Returns the outputs' bytes.
    /// </summary>
    public byte[][] RunStep(VulkanStep step, byte[][] inputs, long[] outputBytes, IReadOnlyDictionary<string, long> symbols, uint maxGroups = uint.MaxValue)
    {
        var outputs = outputBytes.Select(n => new byte[n]).ToArray();
        var scratch = step.Scratch.Select(t => new byte[SymbolicSize.Parse(t).Evaluate(symbols)]).ToArray();
        foreach (var kernel in step.Kernels)
        {
            var buffers = kernel.Bindings.Select(b => b.Role switch
            {
                VulkanBinding.Input => inputs[b.Index],
                VulkanBinding.Output => outputs[b.Index],
                _ => scratch[b.Index],
            }).ToArray();
            uint[] push = [.. kernel.PushConstants.Select(p => checked((uint)SymbolicSize.Parse(p).Evaluate(symbols)))];
            var groups = new uint[3];
            for (int axis = 0; axis < 3; axis++)
            {
                long threads = SymbolicSize.Parse(kernel.Threads[axis]).Evaluate(symbols);
                groups[axis] = (uint)Math.Clamp((threads + kernel.LocalSize[axis] - 1) / kernel.LocalSize[axis], 1, maxGroups);
            }
            Run(kernel.Spirv, kernel.EntryPoint, buffers, push, groups[0], groups[1], groups[2]);
        }
        return outputs;
    }

    /// <summary>Runs a module's entry point on <paramref name="buffers"/> (binding i = buffer i, updated in place) with the push constants.</summary>
    public void Run(uint[] words, string entryPoint, byte[][] buffers, uint[] pushConstants, uint groups, uint groupsY = 1, uint groupsZ = 1)
    {
        lock (Gate)
        {
            var bound = buffers.Select(b => Context.CreateBuffer(b.Length)).ToArray();
            try
            {
                for (int b = 0; b < buffers.Length; b++) bound[b].Write<byte>(buffers[b]);
                using var pipeline = Context.CreatePipeline(words, entryPoint, buffers.Length, pushConstants.Length * 4);
                Context.Dispatch(pipeline, bound, System.Runtime.InteropServices.MemoryMarshal.AsBytes<uint>(pushConstants), groups, groupsY, groupsZ);
                for (int b = 0; b < buffers.Length; b++) bound[b].Read<byte>(buffers[b].Length).CopyTo(buffers[b], 0);
            }
            finally
            {
                foreach (var buffer in bound) buffer.Dispose();
            }
        }
    }
}
