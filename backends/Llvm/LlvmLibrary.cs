using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

[assembly: DisableRuntimeMarshalling]

namespace JaxToolchain.Backends.Llvm;

/// <summary>
/// Where the LLVM-C API comes from: Debian's <c>libllvm19</c> (<c>libLLVM.so.19.1</c>). Every binding in this folder
/// imports <see cref="Name"/>; a resolver installed when this assembly loads maps it to the first of
/// <see cref="FileNames"/> that loads (or to <see cref="OverridePath"/>). <see cref="EnsureAvailable"/> says clearly
/// what to install when it is missing, instead of a <see cref="DllNotFoundException"/> at the first call.
/// </summary>
public static class LlvmLibrary
{
    /// <summary>The library name every <c>LibraryImport</c> of the bindings uses; the resolver maps it to a file.</summary>
    public const string Name = "LLVM";

    /// <summary>The LLVM major version the bindings are written against.</summary>
    public const int MajorVersion = 19;

    /// <summary>The command that installs LLVM and the linkers on Debian and Ubuntu.</summary>
    public const string InstallCommand = "sudo apt-get install libllvm19 lld-19";

    /// <summary>The file names tried in order when <see cref="OverridePath"/> is not set: Debian's soname, then the development link.</summary>
    public static IReadOnlyList<string> FileNames { get; } = ["libLLVM.so.19.1", "libLLVM-19.so"];

    private static readonly Lock Gate = new();
    private static string? _overridePath;
    private static nint _handle;
    private static string? _loadedFrom;

    /// <summary>
    /// A file name or path to load instead of <see cref="FileNames"/> (a self-built LLVM 19, a different distribution's
    /// layout). Set it before the first LLVM call; once the library is loaded it can no longer change.
    /// </summary>
    public static string? OverridePath
    {
        get => _overridePath;
        set
        {
            lock (Gate)
            {
                if (_handle != 0 && value != _overridePath)
                    throw new InvalidOperationException($"LLVM is already loaded from {_loadedFrom}; set LlvmLibrary.OverridePath before the first LLVM call");
                _overridePath = value;
            }
        }
    }

    /// <summary>The file the library was loaded from, or null before it is loaded.</summary>
    public static string? LoadedFrom => Volatile.Read(ref _handle) != 0 ? _loadedFrom : null;

    /// <summary>Loads the library now (once) or throws <see cref="LlvmNotAvailableException"/> naming what was tried and the apt line.</summary>
    public static void EnsureAvailable() => _ = Handle;

    /// <summary>Whether the library loads; <paramref name="failure"/> says why not.</summary>
    public static bool TryEnsureAvailable(out string? failure)
    {
        try
        {
            EnsureAvailable();
            failure = null;
            return true;
        }
        catch (LlvmNotAvailableException e)
        {
            failure = e.Message;
            return false;
        }
    }

    /// <summary>The loaded library's handle (loading it on first use).</summary>
    public static nint Handle
    {
        get
        {
            nint handle = Volatile.Read(ref _handle);
            if (handle != 0) return handle;
            lock (Gate)
            {
                if (_handle == 0)
                {
                    var candidates = _overridePath is { } path ? [path] : FileNames;
                    handle = Load(candidates, out string loadedFrom);
                    _loadedFrom = loadedFrom;
                    Volatile.Write(ref _handle, handle);
                }
                return _handle;
            }
        }
    }

    /// <summary>Loads the first candidate that loads; throws <see cref="LlvmNotAvailableException"/> listing every failure.</summary>
    internal static nint Load(IReadOnlyList<string> candidates, out string loadedFrom)
    {
        var failures = new List<string>();
        foreach (string candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out nint handle))
            {
                loadedFrom = candidate;
                return handle;
            }
            failures.Add(candidate);
        }
        throw new LlvmNotAvailableException(
            $"LLVM {MajorVersion} is not installed: could not load {string.Join(" or ", failures)}. " +
            $"The CPU backend needs Debian's libLLVM {MajorVersion} and lld-{MajorVersion}; install them with: {InstallCommand} " +
            "(or run eng/prereqs.sh), or point LlvmLibrary.OverridePath at a libLLVM 19 shared library.");
    }

#pragma warning disable CA2255 // A module initializer in a library: the resolver must be in place before any binding of this assembly binds.
    [ModuleInitializer]
    internal static void InstallResolver() => NativeLibrary.SetDllImportResolver(typeof(LlvmLibrary).Assembly, Resolve);
#pragma warning restore CA2255

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == Name ? Handle : 0;
}

/// <summary>The LLVM shared library could not be loaded; the message names the files tried and the install command.</summary>
public sealed class LlvmNotAvailableException(string message) : Exception(message);
