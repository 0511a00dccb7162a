using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;
using JaxToolchain.Ir;

namespace JaxToolchain.Aot;

/// <summary>Marks an assembly whose <c>[Jit]</c> methods the build has woven (so it is not woven twice).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class WovenAttribute : Attribute;

/// <summary>
/// The run-time side of a <c>[Jit]</c> method, as the build weaves it: the method's body becomes a call of
/// <see cref="Invoke"/> on one <see cref="JitMethod"/> per method (created on the first call), which runs the
/// precompiled kernel of the assembly's manifest when one serves the arguments (no tracing: the key is built from the
/// arguments alone) and otherwise traces the original body (kept by the weaver as a private method) as
/// <c>Jax.Jit</c> does, after a one-time warning, or throws under <see cref="Jax.Config.PrecompiledOnly"/>. Inside
/// another trace (a <c>[Jit]</c> method calling another, or <c>Jax.Grad</c> of one) the call is a <c>call</c> of the
/// traced body, as a nested <c>Jax.Jit</c> is. Not for direct use: woven code calls it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class JitMethod
{
    private readonly JitFunction _jit;
    private readonly Type _returnType;
    private readonly Assembly _assembly;
    private int _warned;

    private JitMethod(Assembly assembly, string name, Func<object?[], object> body, JitOptions options, Type returnType)
    {
        _assembly = assembly;
        _returnType = returnType;
        Name = name;
        _jit = new JitFunction(body, name, options, flatResults: true) { NotPrecompiled = OnNotPrecompiled };
    }

    /// <summary>The kernel name.</summary>
    public string Name { get; }

    /// <summary>
    /// The dispatcher of a woven method: registers the manifest of <paramref name="declaringType"/>'s assembly with the
    /// <see cref="KernelRegistry"/> (once per assembly; see <see cref="PrecompiledManifests"/>) and wraps
    /// <paramref name="body"/>, the original method over its positional arguments.
    /// </summary>
    /// <param name="declaringType">The type declaring the method (its assembly owns the manifest).</param>
    /// <param name="name">The kernel name the build gave the method's kernels.</param>
    /// <param name="body">The original body, over the arguments as objects.</param>
    /// <param name="staticArgnums">Static parameter positions, comma-separated (empty for none).</param>
    /// <param name="donateArgnums">Donated parameter positions, comma-separated (empty for none).</param>
    /// <param name="returnType">The method's return type: <see cref="Tensor"/>, <see cref="Tensor"/>[], a tuple (C# or F#) or an F# record of tensors.</param>
    public static JitMethod Create(Type declaringType, string name, Func<object?[], object> body, string staticArgnums, string donateArgnums, Type returnType)
    {
        ArgumentNullException.ThrowIfNull(declaringType);
        PrecompiledManifests.Register(declaringType.Assembly);
        var options = new JitOptions { Name = name, StaticArgnums = Positions(staticArgnums), DonateArgnums = Positions(donateArgnums) };
        return new JitMethod(declaringType.Assembly, name, body, options, returnType);
    }

    /// <summary>Calls the method: the precompiled kernel, or the traced body; the result as the method's return type.</summary>
    public object Invoke(object?[] arguments) => AsReturnType(_jit.Call(arguments));

    private static int[] Positions(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>A kernel's results (one <see cref="Tensor"/> or a <see cref="Tensor"/>[] when precompiled; the traced tree otherwise) as the method returns them.</summary>
    private object AsReturnType(object result)
    {
        if (_returnType == typeof(Tensor)) return result is Tensor[] { Length: 1 } one ? one[0] : result;
        if (_returnType == typeof(Tensor[])) return result is Tensor t ? new[] { t } : result;
        if (result is not Tensor[] flat) return result; // traced: already the method's own tree
        if (_returnType == typeof(ValueTuple<Tensor, Tensor>) && flat.Length == 2) return (flat[0], flat[1]);
        if (_returnType == typeof(ValueTuple<Tensor, Tensor, Tensor>) && flat.Length == 3) return (flat[0], flat[1], flat[2]);
        if (_returnType == typeof(ValueTuple<Tensor, Tensor, Tensor, Tensor>) && flat.Length == 4) return (flat[0], flat[1], flat[2], flat[3]);
        // An F# tuple or record of tensors: a registered node type whose children are the kernel's results in order.
        if (PyTree.IsRegistered(_returnType)) return PyTree.Rebuild(_returnType, null, flat);
        throw new InvalidOperationException($"[Jit] {Name}: a precompiled kernel returned {flat.Length} arrays, which do not make a {_returnType}");
    }

    private void OnNotPrecompiled(ExecutableKey key)
    {
        string compiled = PrecompiledManifests.SignaturesOf(_assembly, Name);
        if (Jax.Config.PrecompiledOnly)
            throw new PrecompiledKernelMissingException(
                $"[Jit] {Name} has no precompiled kernel for {key}; {compiled}. Jax.Config.PrecompiledOnly (JAX_PRECOMPILED_ONLY) " +
                "forbids tracing it at run time: add the signature to the method's [Jit] attributes, or call it with inputs of a compiled signature");
        if (Interlocked.Exchange(ref _warned, 1) == 0)
            Console.Error.WriteLine(
                $"Jax warning: [Jit] {Name} has no precompiled kernel for {key}; {compiled}. Tracing it at run time " +
                "(set JAX_PRECOMPILED_ONLY=1 to make this an error).");
    }
}

/// <summary>A call of a <c>[Jit]</c> method whose inputs no precompiled kernel serves, under <see cref="Jax.Config.PrecompiledOnly"/>.</summary>
public sealed class PrecompiledKernelMissingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PrecompiledKernelMissingException(string message) : base(message) { }
}

/// <summary>
/// The manifests of assemblies with woven <c>[Jit]</c> methods, registered with the <see cref="KernelRegistry"/> once per
/// assembly: <c>&lt;Assembly&gt;.jax.json</c> in the application's folder
/// (<see cref="ManifestKernelProvider.DefaultManifestPath"/>). A missing manifest is the documented fallback (every call
/// traces, with the warning saying so); a manifest that cannot be used (corrupted, of another version, for another
/// assembly) is a <see cref="KernelManifestException"/> at the method's first call, and again at each later one.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PrecompiledManifests
{
    private static readonly ConcurrentDictionary<Assembly, ManifestKernelProvider?> Registered = new();
    private static readonly Lock Gate = new();

    /// <summary>Registers the manifest of <paramref name="assembly"/>, once; true when it has one.</summary>
    public static bool Register(Assembly assembly)
    {
        if (Registered.TryGetValue(assembly, out var known)) return known is not null;
        lock (Gate)
        {
            if (Registered.TryGetValue(assembly, out known)) return known is not null;
            ManifestKernelProvider? provider = null;
            if (File.Exists(ManifestKernelProvider.DefaultManifestPath(assembly)))
            {
                provider = ManifestKernelProvider.ForAssembly(assembly);
                KernelRegistry.Register(provider);
            }
            Registered[assembly] = provider;
            return provider is not null;
        }
    }

    /// <summary>The signatures compiled for <paramref name="name"/>, as a phrase for messages.</summary>
    internal static string SignaturesOf(Assembly assembly, string name)
    {
        if (!Registered.TryGetValue(assembly, out var provider) || provider is null)
            return $"no kernel manifest was found at {ManifestKernelProvider.DefaultManifestPath(assembly)}";
        var signatures = provider.Manifest.Kernels.Where(k => k.Name == name).Select(k => k.Signature).ToArray();
        return signatures.Length == 0 ? $"{KernelManifestFileName(assembly)} has no kernel of that name" : $"compiled: {string.Join("; ", signatures)}";
    }

    private static string KernelManifestFileName(Assembly assembly) => KernelManifest.FileNameFor(assembly.GetName().Name ?? "");
}
