using JaxToolchain.Ir;

namespace JaxToolchain.Vulkan;

/// <summary>
/// The compiler for Vulkan devices: a function becomes a <see cref="VulkanProgram"/> run by a
/// <see cref="VulkanExecutable"/>. The SPIR-V code generator lives in the backends (it needs no native library, but the
/// runtime references no backend): <c>JaxJit.Enable()</c> (Jax.Runtime.Jit) installs it as <see cref="ProgramCompiler"/>.
/// Without it, and for NativeAOT apps (whose kernels come precompiled from the manifest), a jitted function traced at
/// run time for a Vulkan device is one host step: interpreted on the host, its results kept as Vulkan arrays. Every step
/// that runs on the host is announced once through <see cref="KernelRegistry.Notices"/>, with the reason.
/// </summary>
internal sealed class VulkanCompiler : ICompiler
{
    /// <summary>The one instance (the registry's compiler for the <c>vulkan</c> platform unless another is registered).</summary>
    public static VulkanCompiler Instance { get; } = new();

    private VulkanCompiler() { }

    /// <summary>Makes a program from a (traced, simplified) function; null until the SPIR-V backend is installed.</summary>
    public static Func<Function, VulkanProgram>? ProgramCompiler { get; set; }

    /// <inheritdoc/>
    public string Name => "vulkan";

    /// <inheritdoc/>
    public bool Supports(DeviceDescriptor device) => device.Platform == "vulkan";

    /// <inheritdoc/>
    public IExecutable Compile(Function function, CompileOptions options)
    {
        string name = options.Name ?? function.Name;
        var program = ProgramCompiler is { } compile ? compile(function) : HostOnly(function);
        var executable = new VulkanExecutable(VulkanPlatform.Of(options.Device), program, name);
        executable.AnnounceHostSteps();
        return executable;
    }

    /// <summary>A program of one host step: the whole function, interpreted (no SPIR-V code generator installed).</summary>
    public static VulkanProgram HostOnly(Function function)
    {
        var types = function.ParameterTypes.Concat(function.ResultTypes).Select(t => (t with { Weak = false }).ToString()).ToArray();
        int inputs = function.ParameterTypes.Count, outputs = function.ResultTypes.Count;
        return new VulkanProgram
        {
            Values = types,
            InputCount = inputs,
            Outputs = [.. Enumerable.Range(inputs, outputs)],
            Steps =
            [
                new VulkanStep
                {
                    Name = function.Name,
                    Inputs = [.. Enumerable.Range(0, inputs)],
                    Outputs = [.. Enumerable.Range(inputs, outputs)],
                    Ir = IrPrinter.Print(function),
                    HostReason = "no SPIR-V code generator installed (JaxJit.Enable() installs it)",
                },
            ],
        };
    }
}
