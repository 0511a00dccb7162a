using System.Runtime.InteropServices;
using Silk.NET.Core.Contexts;

namespace JaxToolchain.Vulkan;

/// <summary>
/// The Vulkan loader (<c>libvulkan.so.1</c> on Linux, <c>vulkan-1.dll</c> on Windows, <c>libvulkan.1.dylib</c> on macOS)
/// as Silk.NET's <see cref="INativeContext"/>: our own, over <see cref="NativeLibrary"/>, instead of Silk.NET's default
/// library resolver, which NativeAOT flags (IL3000/IL3002). The loader exports every core command; instance and
/// device extension commands would come through <c>vkGetInstanceProcAddr</c>.
/// </summary>
internal sealed class VulkanLoader : INativeContext
{
    private nint _library;

    private VulkanLoader(nint library, string name)
    {
        _library = library;
        LibraryName = name;
    }

    /// <summary>The file the loader was loaded from.</summary>
    public string LibraryName { get; }

    /// <summary>The loader's file name on this OS.</summary>
    public static string DefaultLibraryName =>
        OperatingSystem.IsWindows() ? "vulkan-1.dll" : OperatingSystem.IsMacOS() ? "libvulkan.1.dylib" : "libvulkan.so.1";

    /// <summary>Loads the loader (default: <see cref="DefaultLibraryName"/>); false with the reason and the fix when it is missing.</summary>
    public static bool TryLoad(string? library, out VulkanLoader? loader, out string? failure)
    {
        string name = library ?? DefaultLibraryName;
        if (NativeLibrary.TryLoad(name, out nint handle))
        {
            loader = new VulkanLoader(handle, name);
            failure = null;
            return true;
        }
        loader = null;
        failure = $"the Vulkan loader ({name}) is not installed" +
            (OperatingSystem.IsLinux() ? "; on Debian or Ubuntu: sudo apt-get install libvulkan1 mesa-vulkan-drivers (Mesa's drivers include lavapipe, a Vulkan CPU device)" : "");
        return false;
    }

    /// <inheritdoc/>
    public nint GetProcAddress(string proc, int? slot = default) => TryGetProcAddress(proc, out nint address, slot) ? address : 0;

    /// <inheritdoc/>
    public bool TryGetProcAddress(string proc, out nint address, int? slot = default)
    {
        address = 0;
        return _library != 0 && NativeLibrary.TryGetExport(_library, proc, out address);
    }

    /// <summary>Unloads the loader (after every Vulkan object is destroyed).</summary>
    public void Dispose()
    {
        if (_library == 0) return;
        NativeLibrary.Free(_library);
        _library = 0;
    }
}
