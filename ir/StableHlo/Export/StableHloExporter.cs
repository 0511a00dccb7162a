using System.Text;

namespace JaxToolchain.Ir.StableHlo;

/// <summary>Options of <see cref="StableHloExporter.Export(Function, StableHloExportOptions?)"/>.</summary>
public sealed class StableHloExportOptions
{
    /// <summary>
    /// The module's name without the <c>jit_</c> prefix (<c>module @jit_NAME</c>); null takes the function's name.
    /// Characters MLIR does not allow in a bare symbol are written as <c>_</c>.
    /// </summary>
    public string? ModuleName { get; init; }

    /// <summary>
    /// Values baked in as <c>stablehlo.constant</c>s, one entry per parameter of the function (null: the parameter
    /// stays a parameter of <c>@main</c>). JAX bakes the arrays a function closes over into the module this way.
    /// Null (the default) keeps every parameter.
    /// </summary>
    public IReadOnlyList<Buffer?>? ParameterValues { get; init; }
}

/// <summary>
/// Writes our IR as StableHLO MLIR text, structured as JAX's lowering prints it (<c>jax.jit(f).lower(x).as_text()</c>):
/// <c>module @jit_NAME attributes {...} { func.func public @main(...) -> (...) { ... return ... } }</c>, so that XLA,
/// IREE and <c>stablehlo-opt</c> can compile our programs.
/// </summary>
/// <remarks>
/// <para>Simple operations are printed in StableHLO's pretty form (<c>%3 = stablehlo.add %1, %2 : tensor&lt;3xf32&gt;</c>);
/// operations with regions or structured attributes (<c>while</c>, <c>case</c>, <c>sort</c>, <c>reduce</c> with a body,
/// <c>reduce_window</c>, <c>gather</c>, <c>scatter</c>, <c>slice</c>) and the <c>chlo</c> functions are printed in MLIR's
/// generic form, which every MLIR parser accepts. Reductions with a single binary operation use the
/// <c>applies</c> pretty form as JAX does.</para>
/// <para>Where StableHLO leaves a result implementation-defined and our semantics (those of XLA's CPU backend, listed
/// in <c>ir/Primitives/PRIMITIVES.md</c>) define it, the exporter writes the compare/select sequence that gives our
/// result: integer division and remainder by zero and of <c>MIN / -1</c>, shifts by out-of-range counts, float to
/// integer conversion (truncating, saturating, NaN to 0), the clamped index of <c>cond</c>, the sort order of NaN and
/// -0.0, and gather's fill mode.</para>
/// <para>Calls, custom-derivative wrappers, <c>checkpoint</c> and <c>fusion</c> are inlined (their primal body);
/// <c>scan</c> becomes a <c>stablehlo.while</c> over a counter with <c>dynamic_slice</c>/<c>dynamic_update_slice</c>
/// (<see cref="ScanToWhilePass"/>, shared with the Vulkan backend);
/// cumulative reductions become <c>reduce_window</c>s as in JAX. Symbolic dimensions print as <c>?</c>; operations
/// whose result shape is an attribute use the <c>dynamic_*</c> forms with a shape computed by
/// <c>get_dimension_size</c> of a parameter. Weak types are dropped (StableHLO has none). The output is deterministic:
/// the same function gives the same text.</para>
/// </remarks>
public static class StableHloExporter
{
    /// <summary>
    /// The primitives the exporter cannot write, with the reason. No program that runs forward contains them.
    /// </summary>
    public static IReadOnlyDictionary<string, string> UnsupportedPrimitives { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["custom_lin"] = "custom_lin is a linear map that exists only between linearization and transposition "
            + "(evaluating it forward is an error, as in JAX); a transposed program no longer contains it",
    };

    /// <summary>True when <paramref name="primitive"/> has a StableHLO mapping (every registered primitive but those of <see cref="UnsupportedPrimitives"/>).</summary>
    public static bool Supports(Primitive primitive)
    {
        ArgumentNullException.ThrowIfNull(primitive);
        return FunctionWriter.Mapped.Contains(primitive.Name);
    }

    /// <summary>The StableHLO module of one function: the function is <c>@main</c> of <c>module @jit_NAME</c>.</summary>
    public static string Export(Function function) => Export(function, null);

    /// <summary>The StableHLO module of one function, with options (module name, parameters baked in as constants).</summary>
    public static string Export(Function function, StableHloExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(function);
        var sb = new StringBuilder();
        string name = SanitizeSymbol(options?.ModuleName ?? function.Name);
        sb.Append("module @jit_").Append(name).Append(" attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {\n");
        new FunctionWriter(sb, 1).WriteFunction(function, "main", options?.ParameterValues);
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>
    /// The StableHLO module of several functions: each is a public <c>func.func</c> of its own (sanitized) name; the
    /// module is named after the first. Calls between them are inlined, so each function stands alone.
    /// </summary>
    public static string Export(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var sb = new StringBuilder();
        string name = module.Functions.Count > 0 ? SanitizeSymbol(module.Functions[0].Name) : "module";
        sb.Append("module @jit_").Append(name).Append(" attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {\n");
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in module.Functions)
        {
            string fname = SanitizeSymbol(f.Name);
            while (!used.Add(fname)) fname += "_";
            new FunctionWriter(sb, 1).WriteFunction(f, fname, null);
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>A name as an MLIR bare symbol: letters, digits, <c>_ . $</c>; anything else becomes <c>_</c>.</summary>
    internal static string SanitizeSymbol(string name)
    {
        if (name.Length == 0) return "f";
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '$' ? c : '_').ToArray();
        var s = new string(chars);
        return char.IsAsciiDigit(s[0]) || s[0] is '.' or '$' ? "_" + s : s;
    }
}
