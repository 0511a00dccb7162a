using System.Reflection;
using JaxToolchain.Aot;
using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;
using Module = JaxToolchain.Ir.Module;

namespace JaxToolchain;

/// <summary>
/// A StableHLO module (what <c>jax.jit(f).lower(x).as_text()</c> or <c>jax.export</c> writes) loaded with
/// <see cref="Jax.Load(string, string?)"/>: a function over arrays, called like a <c>Jax.Jit</c> function. Its <c>main</c> function
/// (JAX's <c>func.func public @main</c>; a module with one function: that one) is imported into the IR once; a call
/// runs the kernel precompiled from it at build time (a <c>&lt;JaxModule Include="model.mlir" /&gt;</c> item of the
/// project) when one serves the arguments, and otherwise compiles it like a traced function (the runtime JIT or the
/// interpreter). Inside a transformation (<c>Jax.Grad</c>, <c>Jax.Vmap</c>, another <c>Jax.Jit</c>) a call is a
/// <c>call</c> of the imported function, which the transformation differentiates or batches like any other.
/// Dynamic dimensions (<c>tensor&lt;?x4xf32&gt;</c>, a shape-polymorphic export) take the sizes of each call's arguments.
/// </summary>
public sealed class StableHloModule
{
    private readonly JitFunction _jit;

    private StableHloModule(string name, Module module, Function main)
    {
        Name = name;
        Module = module;
        Function = main;
        _jit = new JitFunction(Body, name, new JitOptions { Name = name }, flatResults: true) { NotPrecompiled = OnNotPrecompiled };
    }

    /// <summary>
    /// Imports StableHLO text. <paramref name="name"/> is the kernel name (what a precompiled kernel of the module is
    /// found by: the file name without its extension for a project's <c>JaxModule</c> item); <paramref name="sourceName"/>
    /// names the text in error messages (a file path).
    /// </summary>
    /// <exception cref="StableHloImportException">The text does not parse, or uses an op or type that has no counterpart; the message names the op and its line:column.</exception>
    public static StableHloModule Parse(string text, string name, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        StableHloCompositions.EnsureRegistered();
        var module = StableHloImporter.ImportModule(text, sourceName);
        var main = module.Functions.FirstOrDefault(f => f.Name == "main")
            ?? (module.Functions.Count == 1 ? module.Functions[0]
                : throw new StableHloImportException(sourceName, 1, 1, "func.func", StableHloImportFailure.Invalid,
                    $"the module has no function @main, and {module.Functions.Count} functions to choose from"));
        return new StableHloModule(name, module, main);
    }

    /// <summary>The kernel name.</summary>
    public string Name { get; }

    /// <summary>The imported module: its functions in our IR.</summary>
    public Module Module { get; }

    /// <summary>The function a call runs (<c>@main</c>), in our IR.</summary>
    public Function Function { get; }

    /// <summary>The types of the arrays a call takes, in order (dims may be symbolic: any size, the same for a symbol throughout).</summary>
    public IReadOnlyList<ShapedType> InputTypes => Function.ParameterTypes;

    /// <summary>The types of the arrays a call returns, in order.</summary>
    public IReadOnlyList<ShapedType> OutputTypes => Function.ResultTypes;

    /// <summary>
    /// True when the module uses 64-bit types: it runs with <see cref="Jax.Config.EnableX64"/> on (its precompiled
    /// kernel is built for that setting).
    /// </summary>
    public bool NeedsX64 => Uses64Bit(Function.Body);

    /// <summary>
    /// Calls the module. The arguments are pytrees (arrays, tuples, lists, dictionaries, registered records) whose
    /// leaves, in flattening order, are the module's inputs (as <c>jax.export</c> flattens a call's arguments); a C#
    /// number or weakly typed scalar takes the dtype of its input. Returns the module's results.
    /// </summary>
    /// <exception cref="JaxTypeException">The number of leaves, or a leaf's dtype or shape, does not match the module's inputs (both are named).</exception>
    public Tensor[] Call(params object[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var leaves = new List<Tensor>();
        foreach (var argument in arguments)
        {
            ArgumentNullException.ThrowIfNull(argument, nameof(arguments));
            leaves.AddRange(PyTree.Flatten(JitFunction.ScalarAsTree(argument)).Leaves);
        }
        if (leaves.Count != InputTypes.Count)
            throw new JaxTypeException(What, $"takes {InputTypes.Count} arrays ({string.Join(", ", InputTypes.Select(t => t.ToLongString()))}), " +
                $"but the arguments have {leaves.Count} ({string.Join(", ", leaves.Select(t => t.Aval.ToLongString()))})");
        var inputs = new object?[leaves.Count];
        for (int i = 0; i < leaves.Count; i++) inputs[i] = StrongInput(leaves[i], InputTypes[i]);
        return _jit.Call(inputs) switch
        {
            Tensor one => [one],
            Tensor[] several => several,
            var other => throw new InvalidOperationException($"{What}: a call returned {other.GetType().Name}"),
        };
    }

    /// <summary>Calls a module that returns one array (see <see cref="Call"/>) and returns it.</summary>
    /// <exception cref="InvalidOperationException">The module returns several arrays (use <see cref="Call"/>).</exception>
    public Tensor Invoke(params object[] arguments)
    {
        if (OutputTypes.Count != 1)
            throw new InvalidOperationException($"{What} returns {OutputTypes.Count} arrays ({string.Join(", ", OutputTypes.Select(t => t.ToLongString()))}): call it with Call");
        return Call(arguments)[0];
    }

    /// <summary>The module as a function of one array to one array, for <c>Jax.Grad</c>, <c>Jax.Vmap</c> and the like.</summary>
    public Func<Tensor, Tensor> AsFunction()
    {
        if (InputTypes.Count != 1 || OutputTypes.Count != 1)
            throw new InvalidOperationException($"{What} takes {InputTypes.Count} and returns {OutputTypes.Count} arrays: use AsArrayFunction");
        return x => Invoke(x);
    }

    /// <summary>The module as a function of an array of arrays to an array of arrays.</summary>
    public Func<Tensor[], Tensor[]> AsArrayFunction() => xs => Call(xs.Cast<object>().ToArray());

    /// <summary>A call no precompiled kernel serves is compiled at run time, unless <see cref="Jax.Config.PrecompiledOnly"/> forbids it.</summary>
    private void OnNotPrecompiled(ExecutableKey key)
    {
        if (Jax.Config.PrecompiledOnly)
            throw new PrecompiledKernelMissingException(
                $"{What} has no precompiled kernel for {key}. Jax.Config.PrecompiledOnly (JAX_PRECOMPILED_ONLY) forbids compiling it at run " +
                "time: add <JaxModule Include=\"FILE.mlir\" /> to the project that loads it, and call it with inputs of the module's signature");
    }

    /// <summary>The module as its text names it, for messages.</summary>
    private string What => $"stablehlo module '{Name}'";

    /// <summary>
    /// A leaf as the input takes it: a weakly typed leaf (a C# number) converted to the input's dtype, so the call's
    /// types are the module's own.
    /// </summary>
    private static Tensor StrongInput(Tensor leaf, ShapedType input) =>
        leaf.WeakType ? Lax.ConvertElementType(leaf, input.DType) : leaf;

    /// <summary>
    /// The traced body (what <c>Jax.Jit</c> traces, and what the build traces ahead of time): a <c>call</c> of the imported
    /// function, its symbolic dims specialized to the arguments' sizes.
    /// </summary>
    internal object Body(object?[] arguments)
    {
        var operands = arguments.Select(a => (Tensor)a!).ToArray();
        var sizes = SymbolSpecialization.Bind(What, InputTypes, operands.Select(t => t.Aval with { Weak = false }).ToArray());
        var function = sizes.Count == 0 ? Function : SymbolSpecialization.Specialize(Function, sizes);
        var region = new FunctionCloner().CloneBlock(function.Body);
        var results = Dispatch.Bind(Prims.Call, operands, Attributes.Of(("callee", Name)), [region]);
        return results.Length == 1 ? results[0] : results;
    }

    /// <summary>Loads a module for <see cref="Jax.Load(string, string?)"/>, registering the precompiled kernels of <paramref name="owner"/>.</summary>
    internal static StableHloModule Load(string pathOrText, string? name, Assembly? owner)
    {
        ArgumentNullException.ThrowIfNull(pathOrText);
        if (owner is not null) PrecompiledManifests.Register(owner);
        if (LooksLikeText(pathOrText)) return Parse(pathOrText, name ?? "main");
        if (!File.Exists(pathOrText))
        {
            // A relative path is looked for beside the application too: a JaxModule item is copied there.
            string beside = Path.Combine(AppContext.BaseDirectory, pathOrText);
            if (Path.IsPathRooted(pathOrText) || !File.Exists(beside))
                throw new FileNotFoundException($"Jax.Load: no StableHLO file '{pathOrText}' (looked in {Environment.CurrentDirectory} and {AppContext.BaseDirectory})", pathOrText);
            pathOrText = beside;
        }
        return Parse(File.ReadAllText(pathOrText), name ?? Path.GetFileNameWithoutExtension(pathOrText), pathOrText);
    }

    /// <summary>True for StableHLO text rather than a path: it holds a function (<c>func.func</c>) or a <c>module</c> with a body.</summary>
    private static bool LooksLikeText(string s) =>
        s.Contains("func.func", StringComparison.Ordinal) || s.Contains('{', StringComparison.Ordinal) && s.Contains("module", StringComparison.Ordinal);

    private static bool Uses64Bit(Block block) =>
        block.Arguments.Any(a => Is64(a.Type)) || block.Operations.Any(op => op.Results.Any(r => Is64(r.Type)) || op.Regions.Any(Uses64Bit));

    private static bool Is64(ShapedType type) => type.DType is DType.Float64 or DType.Int64 or DType.UInt64;
}
