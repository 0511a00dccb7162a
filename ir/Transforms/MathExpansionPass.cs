namespace JaxToolchain.Ir;

/// <summary>
/// Math expansion: rewrites the transcendental primitives (<c>exp</c>, <c>log</c>, <c>sin</c>, <c>pow</c>, <c>erf</c>,
/// ...) into primitives that every backend lowers one to one: <c>add</c>/<c>sub</c>/<c>mul</c>/<c>div</c>,
/// comparisons, <c>select</c>, <c>max</c>/<c>min</c>, <c>floor</c>, <c>round</c>, <c>sqrt</c>, <c>abs</c>,
/// <c>convert_element_type</c>, <c>bitcast_convert_type</c>, shifts and bitwise <c>and</c>/<c>or</c>. Kernels of the
/// LLVM CPU backend call nothing outside themselves (no libm), and GLSL.std.450 has no float64 transcendentals; the
/// expansions are also straight-line code (no data-dependent branches), so they vectorize.
/// </summary>
/// <remarks>
/// <para>float32 and float64 each have their own range reduction and approximation (fdlibm's algorithms and
/// coefficients, Cephes' and XLA's where noted); float16 and bfloat16 are computed in float32 and rounded, as the
/// interpreter does. Infinities, NaN, signed zeros, subnormal inputs and results and each function's domain are
/// handled explicitly. The accuracy of every function and dtype (measured by the tests) and the primitives that stay
/// are listed in <c>ir/Transforms/MATH.md</c>.</para>
/// <para>Multiplications and additions round separately: a backend should not contract them into fused multiply-adds
/// (or reassociate, or flush subnormals) if its results are to equal the interpreter's bit for bit.</para>
/// <para>The options say which primitives to expand for which dtype, so a backend with a native operation (GLSL's
/// float32 <c>exp</c>) keeps it; the expansions of other functions then call the kept primitive too. The pass works
/// inside regions (control flow, fusion bodies) and with symbolic dimensions; it leaves every other operation as it
/// is. Run it after the transformations (grad, vmap); it emits one scalar constant per coefficient of each expansion,
/// so run CSE afterwards to share them between expansions.</para>
/// </remarks>
public sealed class MathExpansionPass : IPass
{
    private readonly Func<Primitive, DType, bool> _shouldExpand;

    /// <summary>Expands every primitive that has an expansion (<see cref="ExpandablePrimitives"/>), for every float dtype.</summary>
    public MathExpansionPass() : this(static (_, _) => true)
    {
    }

    /// <summary>Expands the given primitives (each must be in <see cref="ExpandablePrimitives"/>), for every float dtype.</summary>
    public MathExpansionPass(IEnumerable<Primitive> primitives)
    {
        var set = primitives.ToHashSet();
        foreach (var primitive in set)
            if (!CanExpand(primitive))
                throw new ArgumentException($"'{primitive.Name}' has no math expansion; expandable: {string.Join(", ", ExpandablePrimitives.Select(p => p.Name))}");
        _shouldExpand = (primitive, _) => set.Contains(primitive);
    }

    /// <summary>
    /// Expands a primitive on a dtype (the operation's float dtype: <c>float16</c>, <c>bfloat16</c>, <c>float32</c> or
    /// <c>float64</c>) where <paramref name="shouldExpand"/> says so. Functions used inside expansions are asked for with
    /// the dtype they compute in (float32 for float16 and bfloat16).
    /// </summary>
    public MathExpansionPass(Func<Primitive, DType, bool> shouldExpand) => _shouldExpand = shouldExpand;

    /// <summary>The primitives this pass can expand, in a stable order.</summary>
    public static IReadOnlyList<Primitive> ExpandablePrimitives { get; } = MathExpansions.Primitives.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Whether <paramref name="primitive"/> has an expansion.</summary>
    public static bool CanExpand(Primitive primitive) => MathExpansions.TryGet(primitive, out _);

    /// <inheritdoc/>
    public string Name => "math-expansion";

    /// <inheritdoc/>
    public string Summary => "rewrites transcendental primitives (exp, log, sin, pow, erf, ...) into arithmetic, selects and bit operations";

    /// <inheritdoc/>
    public Function Run(Function function) => new Rewriter(_shouldExpand).Rewrite(function);

    private sealed class Rewriter(Func<Primitive, DType, bool> shouldExpand) : BlockRewriter
    {
        protected override IReadOnlyList<Value>? Visit(Operation op, IReadOnlyList<Value> operands, IReadOnlyList<Block> regions, IrBuilder builder)
        {
            if (!MathExpansions.TryGet(op.Primitive, out var expansion) || op.Results.Count != 1) return null;
            var type = op.Results[0].Type;
            // Integer pow (repeated squaring) is not transcendental and stays.
            if (!type.DType.IsFloat() || operands.Any(o => o.Type.DType != type.DType) || !shouldExpand(op.Primitive, type.DType)) return null;
            var emitter = new Emitter(builder);
            var math = new MathEmitter(emitter, type.Shape, shouldExpand);
            var compute = MathExpansions.ComputeDType(op.Primitive, type.DType);
            var result = expansion(math, operands.Select(o => math.Convert(math.Wrap(o), compute)).ToArray());
            return [emitter.ConvertElementType(result.Value, type.DType, type.Weak)];
        }
    }
}
