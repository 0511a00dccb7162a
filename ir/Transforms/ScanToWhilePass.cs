namespace JaxToolchain.Ir;

/// <summary>
/// Rewrites <c>scan</c> as a <c>while</c> loop over a counter, for backends that run loops as loops of kernels (the
/// Vulkan backend runs <c>while</c> as a control step whose regions are device programs, so a scan's data stays on the
/// device): the carry becomes <c>(i, carry…, ys…)</c> with the ys zero-filled, the body reads slice t of each x with
/// <c>dynamic_slice</c> (t = i, or <c>length - 1 - i</c> with <c>reverse</c>), runs the scan's body, and writes its y
/// slices at t with <c>dynamic_update_slice</c>; the condition is <c>i &lt; length</c>, and the loop carries its trip
/// count as the attribute <see cref="TripCount"/>. The scan's constants and xs are the loop's body constants. The results are those of the scan, in order. A scan whose xs or ys have symbolic dims
/// (slice sizes must be static) is left as it is.
/// </summary>
public sealed class ScanToWhilePass : IPass
{
    /// <summary>
    /// The attribute the rewritten <c>while</c> carries: its trip count, the scan's length (the condition is still there
    /// and says the same; a backend may run the body that many times without evaluating it).
    /// </summary>
    public const string TripCount = "trip_count";

    /// <inheritdoc/>
    public string Name => "scan-to-while";

    /// <inheritdoc/>
    public string Summary => "rewrites scan as a while loop over a counter with dynamic slices of the xs and dynamic updates of the ys";

    /// <inheritdoc/>
    public Function Run(Function function) => new Rewriter().Rewrite(function);

    private sealed class Rewriter : BlockRewriter
    {
        protected override IReadOnlyList<Value?>? Visit(Operation op, IReadOnlyList<Value> operands, IReadOnlyList<Block> regions, IrBuilder builder)
        {
            if (op.Primitive is not ScanPrimitive) return null;
            int numConsts = (int)op.Attributes.Int("num_consts"), numCarry = (int)op.Attributes.Int("num_carry");
            int length = (int)op.Attributes.Int("length");
            bool reverse = op.Attributes.Required<bool>(op.Primitive, "reverse");
            var consts = operands.Take(numConsts).ToArray();
            var init = operands.Skip(numConsts).Take(numCarry).ToArray();
            var xs = operands.Skip(numConsts + numCarry).ToArray();
            var ysTypes = op.Results.Skip(numCarry).Select(r => r.Type).ToArray();
            var body = regions[0];
            // Slice sizes are attributes: every dim but the leading one (the length) must be static.
            if (xs.Select(x => x.Type).Concat(ysTypes).Any(t => t.Shape.Skip(1).Any(d => !d.IsStatic))) return null;
            // The slices must be exactly the body's argument types (weak flags included) to stand for them.
            var sliceTypes = xs.Select(x => x.Type with { Shape = new Shape(x.Type.Shape.Skip(1)) }).ToArray();
            if (!sliceTypes.SequenceEqual(body.Arguments.Skip(numConsts + numCarry).Select(a => a.Type))) return null;

            var counterType = new ShapedType(DType.Int32, Shape.Scalar);
            var e = new Emitter(builder);
            var carryTypes = (ShapedType[])[counterType, .. init.Select(v => v.Type), .. ysTypes];

            var cond = new Block(carryTypes);
            var ce = new Emitter(cond);
            cond.SetResults([ce.Lt(cond.Arguments[0], ce.Full(counterType, length))]);

            var loop = new Block([.. consts.Select(v => v.Type), .. xs.Select(v => v.Type), .. carryTypes]);
            var be = new Emitter(loop);
            var args = loop.Arguments;
            var i = args[numConsts + xs.Length];
            var carry = args.Skip(numConsts + xs.Length + 1).Take(numCarry).ToArray();
            var ys = args.Skip(numConsts + xs.Length + 1 + numCarry).ToArray();
            var t = reverse ? be.Sub(be.Full(counterType, length - 1), i) : i;
            Value[] Starts(int rank) => [t, .. Enumerable.Range(1, rank - 1).Select(_ => be.Full(counterType, 0))];
            var slices = new Value[xs.Length];
            for (int k = 0; k < xs.Length; k++)
            {
                var x = args[numConsts + k];
                var sizes = (long[])[1, .. x.Type.Shape.Skip(1).Select(d => d.Size)];
                var slice = be.Emit(Prims.DynamicSlice, [x, .. Starts(x.Type.Rank)], Attributes.Of(("slice_sizes", sizes)))[0];
                slices[k] = be.Reshape(slice, sliceTypes[k].Shape);
            }
            var outputs = ClosedRegions.Inline(be, body, [.. args.Take(numConsts), .. carry, .. slices]);
            var updated = new Value[ys.Length];
            for (int k = 0; k < ys.Length; k++)
            {
                var y = outputs[numCarry + k];
                var stacked = be.Reshape(y, new Shape([Dim.Of(1), .. y.Type.Shape]));
                updated[k] = be.Emit(Prims.DynamicUpdateSlice, [ys[k], stacked, .. Starts(ys[k].Type.Rank)])[0];
            }
            loop.SetResults([be.Add(i, be.Full(counterType, 1)), .. outputs.Take(numCarry), .. updated]);

            var zeros = ysTypes.Select(y => e.Full(y, 0)).ToArray();
            var results = e.Emit(Prims.While, [.. consts, .. xs, e.Full(counterType, 0), .. init, .. zeros],
                Attributes.Of(("cond_nconsts", 0), ("body_nconsts", numConsts + xs.Length), (TripCount, length)), [cond, loop]);
            return [.. results.Skip(1)];
        }
    }
}
