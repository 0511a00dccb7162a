namespace JaxToolchain.Ir;

/// <summary>
/// Versions of the contracts the runtime and the backends share (see ARCHITECTURE.md). A backend or a precompiled
/// artifact states the versions it was built against; the runtime refuses a mismatch with a clear error.
/// </summary>
public static class ExecutionContracts
{
    /// <summary><see cref="Buffer"/>: dense row-major host memory, 64-byte aligned, 64-bit sizes.</summary>
    public const int HostBufferVersion = 1;

    /// <summary><see cref="IHostAllocator"/>.</summary>
    public const int HostAllocatorVersion = 1;

    /// <summary><see cref="ICompiler"/> and <see cref="IExecutable"/>.</summary>
    public const int ExecutableVersion = 1;

    /// <summary>The C calling convention of compiled kernels (<see cref="KernelCallFrame"/>, <see cref="KernelAbi"/>).</summary>
    public const int KernelAbiVersion = 1;

    /// <summary>The kernel manifest schema (<see cref="KernelManifest"/>).</summary>
    public const int ManifestVersion = 1;

    /// <summary>The Vulkan program (<see cref="VulkanProgram"/>: steps, SPIR-V kernels and their dispatch metadata); 2: steps may carry <c>variants</c>.</summary>
    public const int VulkanProgramVersion = 2;
}
