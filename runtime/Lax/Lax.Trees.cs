using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Lax
{
    /// <summary>The leaves of a carry the body returned, which must have the structure of the initial carry.</summary>
    private static IReadOnlyList<Tensor> CarryLeaves(string name, TreeDef expected, object? carry, string what)
    {
        var (leaves, def) = PyTree.Flatten(carry);
        if (!def.Equals(expected))
            throw new JaxTypeException(name, $"{what} must have the structure of the initial carry {expected}, but has {def}{Dispatch.At(SourceLocation.FindCaller())}");
        return leaves;
    }

    /// <summary>
    /// <c>lax.scan</c> over trees: threads a carry (any tree) through <paramref name="f"/> over the leading axis of every
    /// leaf of <paramref name="xs"/> (any tree with at least one leaf), stacking the per-step outputs (any tree) along a
    /// new leading axis. The carry the body returns must have the initial carry's structure.
    /// </summary>
    public static (TCarry Carry, TY Ys) Scan<TCarry, TX, TY>(Func<TCarry, TX, (TCarry Carry, TY Y)> f, TCarry init, TX xs, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        return ScanTrees(f, init, xs, null, reverse);
    }

    /// <summary>
    /// <c>lax.scan</c> over trees for <paramref name="length"/> steps: as
    /// <see cref="Scan{TCarry, TX, TY}(Func{TCarry, TX, ValueTuple{TCarry, TY}}, TCarry, TX, bool)"/>, where
    /// <paramref name="xs"/> may be null (JAX's <c>xs=None</c>: the body gets null) or a tree of that leading size.
    /// </summary>
    public static (TCarry Carry, TY Ys) Scan<TCarry, TX, TY>(Func<TCarry, TX, (TCarry Carry, TY Y)> f, TCarry init, TX xs, int length, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        return ScanTrees(f, init, xs, length, reverse);
    }

    private static (TCarry Carry, TY Ys) ScanTrees<TCarry, TX, TY>(Func<TCarry, TX, (TCarry Carry, TY Y)> f, TCarry init, TX xs, int? length, bool reverse)
    {
        ArgumentNullException.ThrowIfNull(f);
        var (initLeaves, carryDef) = PyTree.Flatten(init);
        var (xLeaves, xDef) = PyTree.Flatten(xs);
        int nc = initLeaves.Count;
        TreeDef? yDef = null;
        var (carry, ys) = Scan(a =>
        {
            var (next, y) = f((TCarry)carryDef.Unflatten(a[..nc])!, (TX)xDef.Unflatten(a[nc..])!);
            var nextLeaves = CarryLeaves("scan", carryDef, next, "the carry the body returns");
            var (yLeaves, d) = PyTree.Flatten(y);
            yDef = d;
            return [.. nextLeaves, .. yLeaves];
        }, initLeaves.ToArray(), xLeaves.ToArray(), length, reverse);
        return ((TCarry)carryDef.Unflatten(carry)!, (TY)yDef!.Unflatten(ys)!);
    }

    /// <summary>
    /// <c>lax.while_loop</c> over a tree carry: repeats <paramref name="body"/> while <paramref name="cond"/> holds; the
    /// body must return a carry of the initial carry's structure.
    /// </summary>
    public static T WhileLoop<T>(Func<T, Tensor> cond, Func<T, T> body, T init)
    {
        ArgumentNullException.ThrowIfNull(cond);
        ArgumentNullException.ThrowIfNull(body);
        var (leaves, def) = PyTree.Flatten(init);
        var result = WhileLoop(c => cond((T)def.Unflatten(c)!),
            c => CarryLeaves("while_loop", def, body((T)def.Unflatten(c)!), "the carry the body returns").ToArray(),
            leaves.ToArray());
        return (T)def.Unflatten(result)!;
    }

    /// <summary>
    /// <c>lax.fori_loop</c> over a tree carry: <c>body(i, carry)</c> for i from <paramref name="lower"/> to
    /// <paramref name="upper"/> - 1 (a scan: reverse-mode differentiable).
    /// </summary>
    public static T ForiLoop<T>(int lower, int upper, Func<Tensor, T, T> body, T init)
    {
        ArgumentNullException.ThrowIfNull(body);
        var (leaves, def) = PyTree.Flatten(init);
        var result = ForiLoop(lower, upper,
            (i, c) => CarryLeaves("fori_loop", def, body(i, (T)def.Unflatten(c)!), "the carry the body returns").ToArray(),
            leaves.ToArray());
        return (T)def.Unflatten(result)!;
    }

    /// <summary>
    /// <c>lax.cond</c> over trees: <paramref name="onTrue"/> or <paramref name="onFalse"/> of the operand (any tree);
    /// both branches must return trees of the same structure and types.
    /// </summary>
    public static TOut Cond<TOperand, TOut>(Tensor pred, Func<TOperand, TOut> onTrue, Func<TOperand, TOut> onFalse, TOperand operand)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(onTrue);
        ArgumentNullException.ThrowIfNull(onFalse);
        var (leaves, def) = PyTree.Flatten(operand);
        TreeDef? outDef = null;
        Func<Tensor[], Tensor[]> Branch(Func<TOperand, TOut> branch, string name) => a =>
        {
            var (outs, d) = PyTree.Flatten(branch((TOperand)def.Unflatten(a)!));
            if (outDef is not null && !d.Equals(outDef))
                throw new JaxTypeException("cond", $"branches must return the same structure: the false branch returns {outDef}, the {name} branch returns {d}{Dispatch.At(SourceLocation.FindCaller())}");
            outDef = d;
            return outs.ToArray();
        };
        var result = Cond(pred, Branch(onTrue, "true"), Branch(onFalse, "false"), leaves.ToArray());
        return (TOut)outDef!.Unflatten(result)!;
    }
}
