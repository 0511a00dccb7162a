using System.Runtime.InteropServices;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// A precompiled CPU kernel library of a manifest, loaded with <see cref="NativeLibrary"/> (no LLVM): checked against the
/// manifest's SHA-256 before it is loaded, so that a missing, truncated, corrupted or foreign file is a
/// <see cref="KernelManifestException"/> naming the file and the problem, never a crash or a wrong kernel. Libraries stay
/// loaded for the life of the process (kernels may be running on other threads; unloading gains nothing).
/// </summary>
/// <param name="Path">The library file.</param>
/// <param name="Handle">The handle <see cref="NativeLibrary.Load(string)"/> returned.</param>
internal sealed record NativeKernelLibrary(string Path, nint Handle)
{
    /// <summary>
    /// Verifies the entry's file (it exists, its SHA-256 is the manifest's) and loads it; throws
    /// <see cref="KernelManifestException"/> naming <paramref name="manifest"/>, the kernel, the file and what is wrong.
    /// </summary>
    public static NativeKernelLibrary Load(string manifest, string directory, CpuKernelEntry entry, ManifestKernel kernel)
    {
        string path;
        try
        {
            path = FlattenedEntry(directory, entry).VerifyFile(directory, kernel);
        }
        catch (KernelManifestException e)
        {
            throw new KernelManifestException($"manifest {manifest}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KernelManifestException($"manifest {manifest}: {entry.Description} of kernel {kernel.Signature}: cannot read {entry.Library}: {e.Message}", e);
        }
        try
        {
            return new NativeKernelLibrary(path, NativeLibrary.Load(path));
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new KernelManifestException(
                $"manifest {manifest}: {entry.Description} of kernel {kernel.Signature}: {path} is not a shared library this process can load " +
                $"({e.Message})", e);
        }
    }

    /// <summary>
    /// The entry whose file is checked and loaded: <paramref name="entry"/> itself, or, when its relative path
    /// (<c>runtimes/linux-x64/native/libApp.jax.so</c>) does not exist under <paramref name="directory"/> but a file of that
    /// name lies in <paramref name="directory"/> itself, the entry for that file. The .NET SDK flattens a package's
    /// <c>runtimes/&lt;rid&gt;/native/</c> files into the app folder when the app is built or published for a RID; the
    /// SHA-256 check applies to the flattened file as to any other, and when neither file exists the error names the
    /// manifest's path.
    /// </summary>
    internal static CpuKernelEntry FlattenedEntry(string directory, CpuKernelEntry entry)
    {
        string name = System.IO.Path.GetFileName(entry.Library);
        if (name == entry.Library) return entry;
        if (File.Exists(System.IO.Path.Combine(directory, entry.Library.Replace('/', System.IO.Path.DirectorySeparatorChar)))) return entry;
        return File.Exists(System.IO.Path.Combine(directory, name)) ? entry with { Library = name } : entry;
    }

    /// <summary>The address of an exported kernel; a <see cref="KernelManifestException"/> when the library does not export it.</summary>
    public nint Export(string manifest, CpuKernelEntry entry, ManifestKernel kernel) =>
        NativeLibrary.TryGetExport(Handle, entry.Symbol, out nint address)
            ? address
            : throw new KernelManifestException(
                $"manifest {manifest}: {entry.Description} of kernel {kernel.Signature}: {Path} does not export '{entry.Symbol}' " +
                "(the library and the manifest do not belong together)");
}

/// <summary>
/// A manifest's native kernel as the registry runs it: the <see cref="NativeKernelExecutable"/> over the library's symbol,
/// with the manifest's promises kept. An input the kernel may overwrite (<see cref="CpuKernelEntry.Donated"/>) is passed
/// as a copy unless the call donates it and no other array shares its memory; a status saying that the frame does not
/// fit the kernel (ABI version, buffer or symbol count) means the manifest does not describe the library's kernel, and
/// is a <see cref="KernelManifestException"/> naming both.
/// </summary>
internal sealed class ManifestNativeExecutable(NativeKernelExecutable kernel, CpuKernelEntry entry, string description) : IExecutable
{
    /// <summary>The manifest entry whose symbol runs.</summary>
    public CpuKernelEntry Entry { get; } = entry;

    /// <summary>The executable called.</summary>
    public NativeKernelExecutable Kernel { get; } = kernel;

    /// <inheritdoc/>
    public string Name => Kernel.Name;

    /// <inheritdoc/>
    public DeviceDescriptor Device => Kernel.Device;

    /// <inheritdoc/>
    public IReadOnlyList<ShapedType> InputTypes => Kernel.InputTypes;

    /// <inheritdoc/>
    public IReadOnlyList<ShapedType> OutputTypes => Kernel.OutputTypes;

    /// <inheritdoc/>
    public DeviceArray[] Execute(IReadOnlyList<DeviceArray> arguments, IReadOnlyList<bool>? donatedArguments = null)
    {
        var copies = new List<Buffer>();
        var passed = arguments;
        if (Entry.Donated.Count > 0)
        {
            var replaced = arguments.ToArray();
            foreach (int i in Entry.Donated)
            {
                if (i >= replaced.Length) continue; // the kernel reports the wrong count
                var buffer = replaced[i].ReadHost();
                bool handedOver = donatedArguments is not null && i < donatedArguments.Count && donatedArguments[i] && buffer.IsSoleDenseView;
                if (handedOver) continue;
                var copy = buffer.Clone();
                copies.Add(copy);
                replaced[i] = new HostArray(copy, Device);
            }
            passed = replaced;
        }
        try
        {
            return Kernel.Execute(passed, donatedArguments);
        }
        catch (KernelStatusException e) when (e.Status is KernelStatus.AbiVersionMismatch or KernelStatus.BufferCountMismatch or KernelStatus.SymbolCountMismatch)
        {
            throw new KernelManifestException(
                $"{description}: the kernel refused its call frame ({KernelAbi.Describe(e.Status)}): the manifest does not describe this library's kernel " +
                "(the library and the manifest come from different builds)", e);
        }
        finally
        {
            foreach (var copy in copies) copy.Dispose();
        }
    }
}
