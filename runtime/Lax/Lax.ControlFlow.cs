using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Lax
{
    /// <summary>
    /// A closed region made from a traced function: region argument <c>layout[i]</c> feeds the function's
    /// parameter i (explicit parameters first, then its captures), other region arguments are unused. The traced
    /// function is used only here, so its operations and values move into the region as they are: nothing is
    /// copied, and building nested control flow costs time linear in its size, not in size times depth.
    /// </summary>
    private static Block Region(TracedFunction traced, IReadOnlyList<ShapedType> regionArguments, IReadOnlyList<int> layout)
    {
        var parameters = traced.Function.Parameters;
        var arguments = new Value?[regionArguments.Count];
        for (int i = 0; i < layout.Count; i++)
        {
            if (arguments[layout[i]] is not null || parameters[i].Type != regionArguments[layout[i]])
                throw new InvalidOperationException($"region argument {layout[i]} ({regionArguments[layout[i]]}) cannot feed parameter {i} of @{traced.Function.Name} ({parameters[i].Type})");
            arguments[layout[i]] = parameters[i];
        }
        var block = new Block(arguments.Select((a, j) => a ?? new Value(regionArguments[j])));
        block.SetOperations(traced.Function.Body.Operations);
        block.SetResults(traced.Function.Body.Results);
        return block;
    }

    private static string Types(IEnumerable<ShapedType> types) => "(" + string.Join(", ", types.Select(t => t.ToLongString())) + ")";

    private static bool SameArrayTypes(IReadOnlyList<ShapedType> a, IReadOnlyList<ShapedType> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.DType == p.Second.DType && p.First.Shape == p.Second.Shape);

    /// <summary>
    /// <c>lax.switch</c>: runs <c>branches[index]</c> on <paramref name="operands"/> (the index is clamped into
    /// range). Every branch must return the same types. Under <c>Vmap</c> a batched index runs every branch and
    /// selects, as JAX does.
    /// </summary>
    public static Tensor[] Switch(Tensor index, IReadOnlyList<Func<Tensor[], Tensor[]>> branches, params Tensor[] operands)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(branches);
        ArgumentNullException.ThrowIfNull(operands);
        if (branches.Count == 0) throw new ArgumentException("switch needs at least one branch", nameof(branches));
        if (index.Ndim != 0 || !(index.DType.IsInteger() || index.DType == DType.Bool))
            throw new JaxTypeException("switch", $"the index must be an integer or bool scalar, got {index.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        var argTypes = operands.Select(o => o.Aval).ToArray();
        var traced = branches.Select((b, i) => FunctionCalls.Trace($"branch{i}", b, argTypes)).ToArray();
        var outTypes = traced[0].Function.ResultTypes;
        for (int i = 1; i < traced.Length; i++)
            if (!SameArrayTypes(traced[i].Function.ResultTypes, outTypes))
                throw new JaxTypeException("cond", $"branches must return the same types: branch 0 returns {Types(outTypes)}, branch {i} returns {Types(traced[i].Function.ResultTypes)}{Dispatch.At(SourceLocation.FindCaller())}");
        var captured = traced.SelectMany(t => t.Captured).ToArray();
        var regionArgs = argTypes.Concat(captured.Select(c => c.Aval)).ToArray();
        var regions = new Block[traced.Length];
        int offset = operands.Length;
        for (int b = 0; b < traced.Length; b++)
        {
            var layout = Enumerable.Range(0, operands.Length).Concat(Enumerable.Range(offset, traced[b].Captured.Count)).ToArray();
            regions[b] = Region(traced[b], regionArgs, layout);
            offset += traced[b].Captured.Count;
        }
        var idx = index.DType == DType.Bool ? index : Jnp.Cast(index, DType.Int32);
        return Dispatch.Bind(Prims.Cond, [idx, .. operands, .. captured], Attributes.Empty, regions);
    }

    /// <summary><c>lax.cond</c>: <paramref name="onTrue"/> when <paramref name="pred"/> holds, else <paramref name="onFalse"/>.</summary>
    public static Tensor[] Cond(Tensor pred, Func<Tensor[], Tensor[]> onTrue, Func<Tensor[], Tensor[]> onFalse, params Tensor[] operands)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(onTrue);
        ArgumentNullException.ThrowIfNull(onFalse);
        ArgumentNullException.ThrowIfNull(operands);
        if (pred.Ndim != 0)
            throw new JaxTypeException("cond", $"the predicate must be a scalar, got {pred.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        return Switch(pred.DType == DType.Bool ? pred : Jnp.NotEqual(pred, 0), [onFalse, onTrue], operands);
    }

    /// <summary><c>lax.cond</c> for one operand and one result.</summary>
    public static Tensor Cond(Tensor pred, Func<Tensor, Tensor> onTrue, Func<Tensor, Tensor> onFalse, Tensor operand)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(onTrue);
        ArgumentNullException.ThrowIfNull(onFalse);
        ArgumentNullException.ThrowIfNull(operand);
        return Cond(pred, a => [onTrue(a[0])], a => [onFalse(a[0])], operand)[0];
    }

    /// <summary>Traces a loop body, making the carry strong if the body changes only its weak types (as JAX promotes weak carries).</summary>
    private static (TracedFunction Traced, Tensor[] Init) TraceCarry(string what, Func<Tensor[], Tensor[]> body, Tensor[] init, IReadOnlyList<ShapedType> extra, int carryResults)
    {
        var traced = FunctionCalls.Trace(what, body, [.. init.Select(t => t.Aval), .. extra]);
        var outs = traced.Function.ResultTypes.Take(carryResults).ToArray();
        var carry = init.Select(t => t.Aval).ToArray();
        if (!SameArrayTypes(outs, carry))
            throw new JaxTypeException(what, $"the body must return the carry's types: the carry is {Types(carry)}, the body returns {Types(outs)}{Dispatch.At(SourceLocation.FindCaller())}");
        if (outs.Zip(carry).All(p => p.First.Weak == p.Second.Weak)) return (traced, init);
        var strong = init.Select(t => Jnp.Cast(t, t.DType)).ToArray();
        return (FunctionCalls.Trace(what, body, [.. strong.Select(t => t.Aval), .. extra]), strong);
    }

    /// <summary>
    /// <c>lax.while_loop</c>: repeats <paramref name="body"/> on the carry while <paramref name="cond"/> holds.
    /// Forward-mode differentiable; reverse mode is not defined for loops of unknown trip count (use
    /// <see cref="ForiLoop(int, int, Func{Tensor, Tensor[], Tensor[]}, Tensor[])"/> or <c>Scan</c>).
    /// </summary>
    public static Tensor[] WhileLoop(Func<Tensor[], Tensor> cond, Func<Tensor[], Tensor[]> body, params Tensor[] init)
    {
        ArgumentNullException.ThrowIfNull(cond);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(init);
        var (bodyTraced, carry) = TraceCarry("while_loop", body, init, [], init.Length);
        var carryTypes = carry.Select(t => t.Aval).ToArray();
        var condTraced = FunctionCalls.Trace("while_cond", a => [cond(a)], carryTypes);
        var predicate = condTraced.Function.ResultTypes[0];
        if (predicate.Rank != 0 || predicate.DType != DType.Bool)
            throw new JaxTypeException("while_loop", $"the condition must return a bool scalar, got {predicate.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        int nc = condTraced.Captured.Count, nb = bodyTraced.Captured.Count, n = carry.Length;
        var condRegion = Region(condTraced, [.. condTraced.Captured.Select(c => c.Aval), .. carryTypes],
            [.. Enumerable.Range(nc, n), .. Enumerable.Range(0, nc)]);
        var bodyRegion = Region(bodyTraced, [.. bodyTraced.Captured.Select(c => c.Aval), .. carryTypes],
            [.. Enumerable.Range(nb, n), .. Enumerable.Range(0, nb)]);
        return Dispatch.Bind(Prims.While, [.. condTraced.Captured, .. bodyTraced.Captured, .. carry],
            Attributes.Of(("cond_nconsts", nc), ("body_nconsts", nb)), [condRegion, bodyRegion]);
    }

    /// <summary><c>lax.while_loop</c> with a single carried array.</summary>
    public static Tensor WhileLoop(Func<Tensor, Tensor> cond, Func<Tensor, Tensor> body, Tensor init)
    {
        ArgumentNullException.ThrowIfNull(cond);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(init);
        return WhileLoop(c => cond(c[0]), c => [body(c[0])], init)[0];
    }

    /// <summary>
    /// <c>lax.scan</c>: threads a carry through <paramref name="f"/> over the leading axis of <paramref name="xs"/>
    /// (or <paramref name="length"/> iterations when there are no xs), stacking the per-step outputs.
    /// <paramref name="f"/> receives the carry followed by one slice of each x, and returns the new carry followed
    /// by the step's outputs.
    /// </summary>
    public static (Tensor[] Carry, Tensor[] Ys) Scan(Func<Tensor[], Tensor[]> f, Tensor[] init, Tensor[] xs, int? length = null, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(init);
        ArgumentNullException.ThrowIfNull(xs);
        long n = length ?? (xs.Length > 0 ? xs[0].Shape[0].Size : throw new ArgumentException("scan needs xs or a length"));
        foreach (var x in xs)
            if (x.Ndim == 0 || x.Shape[0].Size != n)
                throw new JaxTypeException("scan", $"every x must have leading dimension {n}, got {x.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        var sliceTypes = xs.Select(x => x.Aval with { Shape = new Shape(x.Shape.Skip(1)) }).ToArray();
        var (traced, carry) = TraceCarry("scan", f, init, sliceTypes, init.Length);
        int nConsts = traced.Captured.Count, nCarry = carry.Length, nX = xs.Length;
        var region = Region(traced,
            [.. traced.Captured.Select(c => c.Aval), .. carry.Select(c => c.Aval), .. sliceTypes],
            [.. Enumerable.Range(nConsts, nCarry + nX), .. Enumerable.Range(0, nConsts)]);
        var results = Dispatch.Bind(Prims.Scan, [.. traced.Captured, .. carry, .. xs],
            Attributes.Of(("num_consts", nConsts), ("num_carry", nCarry), ("length", n), ("reverse", reverse)), [region]);
        return (results.Take(nCarry).ToArray(), results.Skip(nCarry).ToArray());
    }

    /// <summary><c>lax.scan</c> with one carry, one x and one y.</summary>
    public static (Tensor Carry, Tensor Ys) Scan(Func<Tensor, Tensor, (Tensor Carry, Tensor Y)> f, Tensor init, Tensor xs, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(init);
        ArgumentNullException.ThrowIfNull(xs);
        var (c, ys) = Scan(a =>
        {
            var (next, y) = f(a[0], a[1]);
            return [next, y];
        }, [init], [xs], reverse: reverse);
        return (c[0], ys[0]);
    }

    /// <summary><c>lax.map</c>: <paramref name="f"/> applied to each slice of <paramref name="xs"/> along axis 0, sequentially.</summary>
    public static Tensor Map(Func<Tensor, Tensor> f, Tensor xs)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(xs);
        return Scan(a => [f(a[0])], [], [xs]).Ys[0];
    }

    /// <summary>
    /// <c>lax.fori_loop</c> with static bounds: <c>body(i, carry)</c> for i from <paramref name="lower"/> to
    /// <paramref name="upper"/> - 1, so <c>max(0, upper - lower)</c> iterations (computed in 64 bits: no iteration when
    /// upper is below lower, however far). Lowered to <c>Scan</c> (as JAX does for static trip counts), so it is
    /// reverse-mode differentiable; a scan runs at most <see cref="int.MaxValue"/> iterations.
    /// </summary>
    public static Tensor[] ForiLoop(int lower, int upper, Func<Tensor, Tensor[], Tensor[]> body, params Tensor[] init)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(init);
        long tripCount = Math.Max(0L, (long)upper - lower);
        if (tripCount > int.MaxValue)
            throw new JaxTypeException("fori_loop", $"from {lower} to {upper} is {tripCount} iterations, more than a loop runs (at most {int.MaxValue}){Dispatch.At(SourceLocation.FindCaller())}");
        var counter = Jnp.Array(lower, DType.Int32);
        var (carry, _) = Scan(a =>
        {
            var next = body(a[0], a[1..]);
            return [Lax.Add(a[0], Jnp.OnesLike(a[0])), .. next];
        }, [counter, .. init], [], length: (int)tripCount);
        return carry[1..];
    }

    /// <summary><c>lax.fori_loop</c> with one carried array.</summary>
    public static Tensor ForiLoop(int lower, int upper, Func<Tensor, Tensor, Tensor> body, Tensor init)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(init);
        return ForiLoop(lower, upper, (i, c) => [body(i, c[0])], init)[0];
    }
}
