using JaxToolchain.Ir;

namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>
/// A float elementwise test primitive (operands of one type; weak iff all are) computed in double, with JVP and
/// transpose rules given as delegates: enough to test the autodiff passes independently of the real rules.
/// </summary>
public sealed class AdTestPrimitive(string name, int arity, Func<double[], double> compute) : Primitive(name)
{
    /// <summary>The JVP rule: (emitter, primals, tangents) → (primal results, tangents).</summary>
    public Func<Emitter, IReadOnlyList<Value>, IReadOnlyList<Value?>, (Value Out, Value? Tangent)>? JvpRule { get; init; }

    /// <summary>The transpose rule: (emitter, cotangent, operands) → one cotangent per operand.</summary>
    public Func<Emitter, Value, IReadOnlyList<LinearOperand>, Value?[]>? TransposeRule { get; init; }

    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (operands.Count != arity) throw Error($"takes {arity} operands, got {operands.Count}");
        if (!operands[0].DType.IsFloat()) throw Error($"takes floats, got {operands[0]}");
        if (operands.Any(o => o.DType != operands[0].DType || o.Shape != operands[0].Shape))
            throw Error($"incompatible types {string.Join(" and ", operands)}");
        return [operands[0] with { Weak = operands.All(o => o.Weak) }];
    }

    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter)
    {
        var r = Buffer.Zeros(operands[0].DType, operands[0].Shape);
        for (int i = 0; i < r.Length; i++) r.SetDouble(i, compute(operands.Select(o => o.GetDouble(i)).ToArray()));
        return [r];
    }

    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (JvpRule is null) return base.Jvp(context, primals, tangents, attributes, regions);
        var (y, t) = JvpRule(context.Emitter, primals, tangents);
        return ([y], [t]);
    }

    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (TransposeRule is null) return base.Transpose(context, cotangents, operands, attributes, regions);
        return cotangents[0] is { } ct ? TransposeRule(context.Emitter, ct, operands) : new Value?[operands.Count];
    }
}

/// <summary>
/// The autodiff test primitives (<c>test.ad_*</c>): sin and cos (non-linear), add, neg (linear), mul (bilinear), and a
/// control-flow-like <c>test.ad_call</c> whose region carries primals and tangents together.
/// </summary>
public static class AdTestPrims
{
    private static Value Emit(Emitter e, Primitive p, params Value[] xs) => e.Emit1(p, xs);

    /// <summary>x + y with null as zero (JAX's add_tangents).</summary>
    public static Value? AddTangents(Emitter e, Value? a, Value? b) => a is null ? b : b is null ? a : Emit(e, Add, a, b);

    public static readonly AdTestPrimitive Add = new("test.ad_add", 2, x => x[0] + x[1])
    {
        JvpRule = (e, x, t) => (Emit(e, Add!, x[0], x[1]), AddTangents(e, t[0], t[1])),
        TransposeRule = (e, ct, ops) => [ops[0].IsLinear ? ct : null, ops[1].IsLinear ? ct : null],
    };

    public static readonly AdTestPrimitive Neg = new("test.ad_neg", 1, x => -x[0])
    {
        JvpRule = (e, x, t) => (Emit(e, Neg!, x[0]), Emit(e, Neg!, t[0]!)),
        TransposeRule = (e, ct, ops) => [Emit(e, Neg!, ct)],
    };

    public static readonly AdTestPrimitive Mul = new("test.ad_mul", 2, x => x[0] * x[1])
    {
        JvpRule = (e, x, t) => (Emit(e, Mul!, x[0], x[1]),
            AddTangents(e, t[0] is null ? null : Emit(e, Mul!, t[0]!, x[1]), t[1] is null ? null : Emit(e, Mul!, x[0], t[1]!))),
        TransposeRule = (e, ct, ops) => ops[0].IsLinear
            ? [Emit(e, Mul!, ct, ops[1].Value), null]
            : [null, Emit(e, Mul!, ops[0].Value, ct)],
    };

    public static readonly AdTestPrimitive Sin = new("test.ad_sin", 1, x => Math.Sin(x[0]))
    {
        JvpRule = (e, x, t) => (Emit(e, Sin!, x[0]), Emit(e, Mul!, t[0]!, Emit(e, Cos!, x[0]))),
    };

    public static readonly AdTestPrimitive Cos = new("test.ad_cos", 1, x => Math.Cos(x[0]))
    {
        JvpRule = (e, x, t) => (Emit(e, Cos!, x[0]), Emit(e, Mul!, t[0]!, Emit(e, Neg!, Emit(e, Sin!, x[0])))),
    };

    public static readonly AdTestCallPrimitive Call = new();

    static AdTestPrims()
    {
    }

    /// <summary>Touch this before parsing text that names the test primitives.</summary>
    public static void EnsureRegistered()
    {
    }
}

/// <summary>
/// <c>test.ad_call</c>: runs its one region on its operands (a stand-in for control flow). Its JVP is the region's
/// JVP (primal and tangent results from one operation, as <c>cond</c>'s is); its transpose transposes the region.
/// </summary>
public sealed class AdTestCallPrimitive() : Primitive("test.ad_call")
{
    public override IReadOnlyList<ShapedType> InferTypes(IReadOnlyList<ShapedType> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        if (regions.Count != 1) throw Error($"takes one region, got {regions.Count}");
        if (!regions[0].ArgumentTypes.SequenceEqual(operands))
            throw Error($"region takes ({string.Join(", ", regions[0].ArgumentTypes)}) but the operands are ({string.Join(", ", operands)})");
        return regions[0].ResultTypes.ToArray();
    }

    public override Buffer[] Evaluate(IReadOnlyList<Buffer> operands, Attributes attributes, IReadOnlyList<Block> regions, Interpreter interpreter) =>
        interpreter.RunRegion(regions[0], operands);

    public override (IReadOnlyList<Value> Outputs, IReadOnlyList<Value?> Tangents) Jvp(
        JvpContext context, IReadOnlyList<Value> primals, IReadOnlyList<Value?> tangents, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var (region, tangentResults) = context.JvpRegion!(regions[0], tangents.Select(t => t is not null).ToArray());
        var outs = context.Emitter.Emit(this, [.. primals, .. tangents.Where(t => t is not null).Select(t => t!)], attributes, [region]);
        int n = regions[0].Results.Count, k = n;
        return (outs.Take(n).ToArray(), tangentResults.Select(has => has ? outs[k++] : null).ToArray());
    }

    public override IReadOnlyList<Value?> Transpose(
        TransposeContext context, IReadOnlyList<Value?> cotangents, IReadOnlyList<LinearOperand> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var linear = operands.Select(o => o.IsLinear).ToArray();
        var region = context.TransposeRegion!(regions[0], linear);
        var e = context.Emitter;
        var cts = cotangents.Select((c, i) => c ?? e.Zeros(JvpPass.TangentType(regions[0].Results[i].Type)));
        var outs = e.Emit(this, [.. operands.Where(o => !o.IsLinear).Select(o => o.Value), .. cts], attributes, [region]);
        int k = 0;
        return linear.Select(l => l ? outs[k++] : null).ToArray();
    }
}
