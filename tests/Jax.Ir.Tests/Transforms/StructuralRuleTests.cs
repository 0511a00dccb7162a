using static JaxToolchain.Ir.Tests.Transforms.RuleHarness;

namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>
/// The JVP, transpose and batching rules of the structural primitives, checked numerically: JVP against central
/// differences, transposes by ⟨L t, c⟩ = ⟨t, Lᵀ c⟩, batching against per-example runs, with static and symbolic
/// batch sizes, batch axes first, second and last, and unbatched operands.
/// </summary>
public class StructuralRuleTests
{
    private const int BatchSize = 3;

    /// <summary>An operand of a case: its (unbatched) type, how to fill it, and whether the primitive is linear in it.</summary>
    private sealed record Operand(ShapedType Type, Func<ShapedType, Random, Buffer> Fill, bool Linear)
    {
        public Buffer Make(Random rng, int? axis)
        {
            var type = axis is int a ? VmapPass.WithBatchDim(Type, a, Dim.Of(BatchSize)) : Type;
            return Fill(type, rng);
        }
    }

    private static Operand F(params int[] dims) => new(new ShapedType(DType.Float64, Shape.Of(dims)), (t, r) => Uniform(t, r), true);

    /// <summary>int32 indices uniform in [lo, hi] (out-of-range values exercise clamping and dropping).</summary>
    private static Operand I(int lo, int hi, params int[] dims) => new(new ShapedType(DType.Int32, Shape.Of(dims)), (t, r) => Ints(t, r, lo, hi), false);

    private static Buffer Ints(ShapedType type, Random rng, int lo, int hi)
    {
        var b = Buffer.Zeros(type.DType, type.Shape);
        for (int i = 0; i < b.Length; i++) b.SetInt64(i, rng.Next(lo, hi + 1));
        return b;
    }

    private static Buffer Idx(int[] dims, params int[] values) => new(DType.Int32, Shape.Of(dims), values);

    private static Buffer Vec(params double[] values) => new(DType.Float64, Shape.Of(values.Length), values);

    /// <summary>
    /// The batch axis of each operand in the layouts every case is batched in: all at 0, all at 1 (0 for scalars),
    /// all last (written -1), and each operand alone at 0 with the others unbatched.
    /// </summary>
    private static IEnumerable<int?[]> Layouts(Operand[] operands)
    {
        yield return operands.Select(_ => (int?)0).ToArray();
        yield return operands.Select(o => (int?)Math.Min(1, o.Type.Rank)).ToArray();
        yield return operands.Select(_ => (int?)-1).ToArray();
        if (operands.Length > 1)
            for (int i = 0; i < operands.Length; i++)
                yield return operands.Select((_, j) => j == i ? (int?)0 : null).ToArray();
    }

    /// <summary>Negative axes counted from the end of the batched rank (the harness slices examples by a non-negative axis).</summary>
    private static int?[] Normalize(int?[] axes, Operand[] operands) =>
        axes.Select((a, i) => a is int x && x < 0 ? x + operands[i].Type.Rank + 1 : a).ToArray();

    /// <summary>Checks the JVP, the transpose for each linear operand and batching in every layout, static and symbolic.</summary>
    private static void CheckRules(Primitive p, Attributes attributes, params Operand[] operands)
    {
        var rng = new Random(7);
        var inputs = operands.Select(o => o.Make(rng, null)).ToArray();
        CheckJvp(p, attributes, inputs);
        // Linear in the linear operands jointly: each is transposed with the others at zero.
        for (int i = 0; i < operands.Length; i++)
            if (operands[i].Linear)
                CheckTranspose(p, attributes, [.. inputs.Select((b, j) => j != i && operands[j].Linear ? Buffer.Zeros(b.DType, b.Shape) : b)], i);
        CheckBatching(p, attributes, operands);
    }

    private static void CheckBatching(Primitive p, Attributes attributes, params Operand[] operands)
    {
        var rng = new Random(11);
        foreach (var layout in Layouts(operands))
        {
            var axes = Normalize(layout, operands);
            var batched = operands.Select((o, i) => o.Make(rng, axes[i])).ToArray();
            CheckBatch(p, attributes, batched, axes);
            CheckSymbolicBatch(p, attributes, batched, layout);
        }
    }

    /// <summary>
    /// vmap with a symbolic batch size <c>b</c> (and the layout's axes, negative ones as given): the batched
    /// function's results are typed with <c>b</c> and agree with per-example runs once <c>b</c> is bound.
    /// </summary>
    private static void CheckSymbolicBatch(Primitive p, Attributes attributes, Buffer[] inputs, int?[] layout)
    {
        var axes = layout.Select((a, i) => a is int x && x < 0 ? x + inputs[i].Shape.Rank : a).ToArray();
        var exampleTypes = inputs.Select((b, i) => axes[i] is int a ? Example(b, a, 0).Type : b.Type).ToArray();
        var f = Single(p, exampleTypes, attributes);
        var batched = VmapPass.Apply(f, layout, f.ResultTypes.Select(_ => (int?)0).ToArray(), Dim.Sym("b"));
        Verifier.Verify(batched);
        foreach (var t in batched.ResultTypes) Assert.Equal(Dim.Sym("b"), t.Shape[0]);
        var outs = Interpreter.Run(batched, inputs);
        for (int b = 0; b < BatchSize; b++)
        {
            var expected = Interpreter.Run(f, inputs.Select((x, i) => axes[i] is int a ? Example(x, a, b) : x).ToArray());
            for (int r = 0; r < expected.Length; r++)
                Assert.True(expected[r].BitwiseEquals(Example(outs[r], 0, b)), $"{p.Name}: symbolic vmap result {r} differs at example {b}");
        }
    }

    /// <summary>
    /// The transpose rule applied to operand types with symbolic dimensions gives, once the symbols are bound, the
    /// same cotangent as on the static types (whose transpose <see cref="RuleHarness.CheckTranspose"/> checks).
    /// </summary>
    private static void CheckSymbolicTranspose(Primitive p, Attributes attributes, Buffer[] inputs, ShapedType[] symbolicTypes, int linear)
    {
        var rng = new Random(5);
        var f = Single(p, inputs.Select(b => b.Type).ToArray(), attributes);
        var cts = f.ResultTypes.Select(t => Uniform(t, rng)).ToArray();
        var known = inputs.Where((_, i) => i != linear).ToArray();
        // The linear operand's buffer is passed too (unused), so that its symbols are bound.
        var staticResult = Interpreter.Run(BuildTranspose(p, attributes, inputs.Select(b => b.Type).ToArray(), f.ResultTypes, linear), [.. known, .. cts, inputs[linear]])[0];
        var resultTypes = p.InferTypes(symbolicTypes, attributes, []);
        var symbolic = BuildTranspose(p, attributes, symbolicTypes, resultTypes, linear);
        Assert.Equal(symbolicTypes[linear] with { Weak = false }, symbolic.ResultTypes[0]);
        var symbolicResult = Interpreter.Run(symbolic, [.. known, .. cts, inputs[linear]])[0];
        Assert.True(staticResult.BitwiseEquals(symbolicResult), $"{p.Name}: the transpose over symbolic shapes differs from the static one");
    }

    private static Function BuildTranspose(Primitive p, Attributes attributes, ShapedType[] types, IReadOnlyList<ShapedType> resultTypes, int linear)
    {
        var block = new Block(types.Where((_, i) => i != linear).Concat(resultTypes).Append(types[linear]));
        var operands = new LinearOperand[types.Length];
        for (int i = 0, j = 0; i < types.Length; i++)
            operands[i] = new LinearOperand(i == linear ? null : block.Arguments[j++], types[i]);
        var context = new TransposeContext(new Emitter(block));
        var result = p.Transpose(context, block.Arguments.Skip(types.Length - 1).Take(resultTypes.Count).ToArray(), operands, attributes, []);
        block.SetResults([result[linear] ?? context.Emitter.Zeros(types[linear] with { Weak = false })]);
        var function = new Function("transpose", block);
        Verifier.Verify(function);
        return function;
    }

    private static ShapedType Sym(DType dtype, params object[] dims) =>
        new(dtype, new Shape(dims.Select(d => d is string s ? Dim.Sym(s) : Dim.Of((int)d))));

    // ---- shape changes ----

    [Fact]
    public void Broadcast_in_dim_rules_hold_for_stretched_and_added_axes()
    {
        CheckRules(Prims.BroadcastInDim, Attributes.Of(("shape", Shape.Of(2, 3, 4)), ("broadcast_dimensions", new[] { 1, 2 })), F(3, 1));
        CheckRules(Prims.BroadcastInDim, Attributes.Of(("shape", Shape.Of(2, 3)), ("broadcast_dimensions", Array.Empty<int>())), F());
        CheckRules(Prims.BroadcastInDim, Attributes.Of(("shape", Shape.Of(4, 2, 5)), ("broadcast_dimensions", new[] { 0, 2 })), F(4, 5));
    }

    [Fact]
    public void Broadcast_in_dim_batches_without_a_transpose()
    {
        // x[3] batched at 0 broadcast to [2,3]: the batch axis goes first, x's axis keeps following it.
        var f = Single(Prims.BroadcastInDim, [Sym(DType.Float32, 3)], Attributes.Of(("shape", Shape.Of(2, 3)), ("broadcast_dimensions", new[] { 1 })));
        var batched = VmapPass.Apply(f, [1], [2], Dim.Of(5));
        Assert.Equal([Prims.BroadcastInDim], batched.Body.Operations.Select(o => o.Primitive));
        Assert.Equal(new long[] { 1, 2 }, batched.Body.Operations[0].Attributes.Ints("broadcast_dimensions"));
        Assert.Equal(Shape.Of(2, 3, 5), batched.ResultTypes[0].Shape);
    }

    [Fact]
    public void Reshape_rules_hold()
    {
        CheckRules(Prims.Reshape, Attributes.Of(("shape", Shape.Of(3, 4))), F(2, 6));
        CheckRules(Prims.Reshape, Attributes.Of(("shape", Shape.Of(6))), F(2, 1, 3));
    }

    [Fact]
    public void Transpose_rules_hold()
    {
        CheckRules(Prims.Transpose, Attributes.Of(("permutation", new[] { 2, 0, 1 })), F(2, 3, 4));
        CheckRules(Prims.Transpose, Attributes.Of(("permutation", new[] { 1, 0 })), F(3, 2));
    }

    [Fact]
    public void Squeeze_and_expand_dims_rules_hold()
    {
        CheckRules(Prims.Squeeze, Attributes.Of(("dimensions", new[] { 1, 3 })), F(3, 1, 4, 1));
        CheckRules(Prims.Squeeze, Attributes.Of(("dimensions", new[] { 0 })), F(1));
        CheckRules(Prims.ExpandDims, Attributes.Of(("dimensions", new[] { 0, 2 })), F(3, 4));
        CheckRules(Prims.ExpandDims, Attributes.Of(("dimensions", new[] { 2 })), F(3, 4));
        CheckRules(Prims.ExpandDims, Attributes.Of(("dimensions", new[] { 0 })), F());
    }

    [Fact]
    public void Rev_rules_hold()
    {
        CheckRules(Prims.Rev, Attributes.Of(("dimensions", new[] { 1 })), F(3, 4));
        CheckRules(Prims.Rev, Attributes.Of(("dimensions", new[] { 0, 2 })), F(2, 3, 2));
    }

    // ---- pad, concatenate, slice ----

    private static Attributes PadAttrs(long[] low, long[] high, long[] interior) => Attributes.Of(("low", low), ("high", high), ("interior", interior));

    [Fact]
    public void Pad_rules_hold_in_the_operand_and_the_padding_value()
    {
        CheckRules(Prims.Pad, PadAttrs([1, -1], [2, 0], [1, 2]), F(3, 4), F());
        CheckRules(Prims.Pad, PadAttrs([-2], [-1], [1]), F(5), F());
        CheckRules(Prims.Pad, PadAttrs([0, 0], [0, 0], [0, 0]), F(2, 0), F());
    }

    [Fact]
    public void Pad_padding_value_cotangent_is_the_sum_outside_the_operand()
    {
        // pad x[2] by low 1, high 1, interior 1: [v, x0, v, x1, v]; the value's cotangent sums positions 0, 2, 4.
        var context = new TransposeContext(new Emitter(new Block([new ShapedType(DType.Float64, Shape.Of(5))])));
        var ct = context.Emitter.Builder.Block.Arguments[0];
        var result = Prims.Pad.Transpose(context, [ct],
            [new LinearOperand(null, new ShapedType(DType.Float64, Shape.Of(2))), new LinearOperand(null, ShapedType.Scalar(DType.Float64))],
            PadAttrs([1], [1], [1]), []);
        context.Emitter.Builder.Block.SetResults([result[0]!, result[1]!]);
        var outs = Interpreter.Run(new Function("t", context.Emitter.Builder.Block), Vec(1, 10, 100, 1000, 10000));
        Assert.Equal([10.0, 1000.0], outs[0].ToArray<double>());
        Assert.Equal(10101.0, outs[1].GetDouble(0));
    }

    [Fact]
    public void Concatenate_rules_hold_for_each_operand()
    {
        var along0 = Attributes.Of(("dimension", 0));
        CheckRules(Prims.Concatenate, along0, F(2, 3), F(4, 3), F(1, 3));
        CheckRules(Prims.Concatenate, Attributes.Of(("dimension", 1)), F(2, 1), F(2, 3));
        CheckRules(Prims.Concatenate, along0, F(2));
    }

    [Fact]
    public void Concatenate_jvp_instantiates_zeros_for_an_operand_without_tangent()
    {
        var types = new[] { new ShapedType(DType.Float64, Shape.Of(2)), new ShapedType(DType.Float64, Shape.Of(1)) };
        var f = Single(Prims.Concatenate, types, Attributes.Of(("dimension", 0)));
        var jvp = JvpPass.Apply(f, [false, true]);
        var outs = Interpreter.Run(jvp, Vec(1, 2), Vec(3), Vec(7));
        Assert.Equal([1.0, 2, 3], outs[0].ToArray<double>());
        Assert.Equal([0.0, 0, 7], outs[1].ToArray<double>());
    }

    private static Attributes SliceAttrs(long[] start, long[] limit, long[] strides) =>
        Attributes.Of(("start_indices", start), ("limit_indices", limit), ("strides", strides));

    [Fact]
    public void Slice_rules_hold_with_and_without_strides()
    {
        CheckRules(Prims.Slice, SliceAttrs([1, 0], [5, 5], [2, 3]), F(6, 5));
        CheckRules(Prims.Slice, SliceAttrs([1, 2], [3, 4], [1, 1]), F(4, 4));
        CheckRules(Prims.Slice, SliceAttrs([2], [2], [2]), F(4));
        CheckRules(Prims.Slice, Attributes.Of(("start_indices", new long[] { 1 }), ("limit_indices", new long[] { 4 })), F(5));
    }

    [Fact]
    public void Slice_transpose_is_a_zero_pad()
    {
        var block = new Block([new ShapedType(DType.Float64, Shape.Of(2))]);
        var context = new TransposeContext(new Emitter(block));
        var result = Prims.Slice.Transpose(context, [block.Arguments[0]], [new LinearOperand(null, new ShapedType(DType.Float64, Shape.Of(6)))],
            SliceAttrs([1], [5], [3]), []);
        block.SetResults([result[0]!]);
        Assert.Equal([Prims.Constant, Prims.Pad], block.Operations.Select(o => o.Primitive));
        Assert.Equal([0.0, 4, 0, 0, 5, 0], Interpreter.Run(new Function("t", block), Vec(4, 5))[0].ToArray<double>());
    }

    // ---- dynamic slices ----

    private static Attributes Sizes(params long[] sizes) => Attributes.Of(("slice_sizes", sizes));

    [Fact]
    public void Dynamic_slice_rules_hold_with_clamped_and_batched_starts()
    {
        CheckRules(Prims.DynamicSlice, Sizes(2, 3), F(5, 4), I(-2, 6), I(-1, 3));
        CheckRules(Prims.DynamicSlice, Sizes(3), F(4), I(-1, 4));
        CheckRules(Prims.DynamicSlice, Sizes(), F());
    }

    [Fact]
    public void Dynamic_slice_with_batched_starts_becomes_a_gather()
    {
        var f = Single(Prims.DynamicSlice, [Sym(DType.Float32, 5), Sym(DType.Int32)], Sizes(2));
        var batched = VmapPass.Apply(f, [null, 0], [0], Dim.Of(3));
        Assert.Contains(batched.Body.Operations, o => o.Primitive == Prims.Gather);
        Assert.DoesNotContain(batched.Body.Operations, o => o.Primitive == Prims.DynamicSlice);
        var x = new Buffer(DType.Float32, Shape.Of(5), new float[] { 1, 2, 3, 4, 5 });
        var r = Interpreter.Run(batched, x, Idx([3], 0, 3, 9))[0];
        Assert.Equal(Shape.Of(3, 2), r.Shape);
        Assert.Equal([1f, 2, 4, 5, 4, 5], r.ToArray<float>());
    }

    [Fact]
    public void Dynamic_update_slice_rules_hold_in_the_operand_and_the_update()
    {
        CheckRules(Prims.DynamicUpdateSlice, Attributes.Empty, F(5, 4), F(2, 3), I(-2, 6), I(-1, 3));
        CheckRules(Prims.DynamicUpdateSlice, Attributes.Empty, F(4), F(4), I(-1, 2));
    }

    [Fact]
    public void Dynamic_update_slice_with_batched_starts_clamps_before_scattering()
    {
        var f = Single(Prims.DynamicUpdateSlice, [Sym(DType.Float64, 4), Sym(DType.Float64, 2), Sym(DType.Int32)], Attributes.Empty);
        var batched = VmapPass.Apply(f, [null, null, 0], [0], Dim.Of(2));
        Assert.Contains(batched.Body.Operations, o => o.Primitive == Prims.Scatter);
        var r = Interpreter.Run(batched, Vec(1, 2, 3, 4), Vec(8, 9), Idx([2], -5, 7))[0];
        Assert.Equal([8.0, 9, 3, 4, 1, 2, 8, 9], r.ToArray<double>());
    }

    // ---- gather: the forms NumPy indexing produces ----

    private static Attributes GatherAttrs(long[] offsetDims, long[] collapsed, long[] map, long indexVectorDim, long[] sliceSizes, string mode = "clip", double? fill = null)
    {
        var a = Attributes.Of(("offset_dims", offsetDims), ("collapsed_slice_dims", collapsed), ("start_index_map", map),
            ("index_vector_dim", indexVectorDim), ("slice_sizes", sliceSizes), ("mode", mode));
        return fill is double v ? a.With("fill_value", v) : a;
    }

    [Fact]
    public void Gather_rules_hold_for_a_scalar_index_x_i() =>
        CheckRules(Prims.Gather, GatherAttrs([0], [0], [0], 0, [1, 3]), F(4, 3), I(-1, 4));

    [Fact]
    public void Gather_rules_hold_for_an_index_array_on_axis_one_x_colon_idx() =>
        CheckRules(Prims.Gather, GatherAttrs([0], [1], [1], 1, [3, 1]), F(3, 4), I(0, 3, 2));

    [Fact]
    public void Gather_rules_hold_for_a_two_dimensional_index_array_x_idx() =>
        CheckRules(Prims.Gather, GatherAttrs([2], [0], [0], 2, [1, 3]), F(4, 3), I(-1, 4, 2, 2));

    [Fact]
    public void Gather_rules_hold_for_point_gathers_x_i_j() =>
        CheckRules(Prims.Gather, GatherAttrs([], [0, 1], [0, 1], 1, [1, 1]), F(3, 4), I(-1, 4, 3, 2));

    [Fact]
    public void Gather_rules_hold_for_windows_with_a_leading_index_vector() =>
        CheckRules(Prims.Gather, GatherAttrs([1, 3], [0], [2, 0], 0, [1, 2, 3]), F(3, 4, 5), I(-1, 4, 2, 3, 2));

    [Fact]
    public void Gather_rules_hold_in_fill_mode_with_out_of_bounds_windows()
    {
        // JVP with a finite fill value (its tangent is zero), transpose with fill 0 (the linear gather JVP emits).
        var rng = new Random(3);
        var x = F(5).Make(rng, null);
        var idx = Idx([4, 1], 4, 0, -1, 3);
        CheckJvp(Prims.Gather, GatherAttrs([1], [], [0], 1, [2], "fill", 5), [x, idx]);
        CheckTranspose(Prims.Gather, GatherAttrs([1], [], [0], 1, [2], "fill", 0), [x, idx], 0);
        CheckBatching(Prims.Gather, GatherAttrs([1], [], [0], 1, [2], "fill", -3), F(5), I(-1, 5, 4, 1));
    }

    [Fact]
    public void Gather_transpose_in_clip_mode_adds_into_the_clamped_windows()
    {
        // x[idx] for idx = [-3, 1, 9] reads rows 0, 1, 3 (clamped); the cotangent rows add there.
        var block = new Block([new ShapedType(DType.Int32, Shape.Of(3)), new ShapedType(DType.Float64, Shape.Of(3, 1))]);
        var context = new TransposeContext(new Emitter(block));
        var result = Prims.Gather.Transpose(context, [block.Arguments[1]],
            [new LinearOperand(null, new ShapedType(DType.Float64, Shape.Of(4, 1))), new LinearOperand(block.Arguments[0], block.Arguments[0].Type)],
            GatherAttrs([1], [0], [0], 1, [1, 1]), []);
        block.SetResults([result[0]!]);
        var r = Interpreter.Run(new Function("t", block), Idx([3], -3, 1, 9), new Buffer(DType.Float64, Shape.Of(3, 1), new[] { 1.0, 10, 100 }))[0];
        Assert.Equal([1.0, 10, 0, 100], r.ToArray<double>());
    }

    [Fact]
    public void Gather_with_narrow_unsigned_indices_batches_and_transposes()
    {
        var u8 = new Operand(new ShapedType(DType.UInt8, Shape.Of(2)), (t, r) => Ints(t, r, 0, 6), false);
        CheckRules(Prims.Gather, GatherAttrs([1], [0], [0], 1, [1, 3]), F(5, 3), u8);
    }

    // ---- scatter and scatter_add ----

    private static Attributes ScatterAttrs(long[] updateWindowDims, long[] inserted, long[] map, long indexVectorDim) =>
        Attributes.Of(("update_window_dims", updateWindowDims), ("inserted_window_dims", inserted),
            ("scatter_dims_to_operand_dims", map), ("index_vector_dim", indexVectorDim));

    public static TheoryData<string> ScatterForms() => ["element", "row", "point", "window"];

    /// <summary>x.at[i].add/set(u) for an element, a row, a point and a window of two (whose out-of-bounds starts are dropped).</summary>
    private static (Attributes Attributes, Operand[] Operands) ScatterForm(string form) => form switch
    {
        "element" => (ScatterAttrs([], [0], [0], 1), [F(5), I(-1, 5, 4, 1), F(4)]),
        "row" => (ScatterAttrs([1], [0], [0], 1), [F(4, 3), I(0, 3, 3), F(3, 3)]),
        "point" => (ScatterAttrs([], [0, 1], [0, 1], 1), [F(3, 4), I(0, 2, 4, 2), F(4)]),
        _ => (ScatterAttrs([1], [], [0], 1), [F(5), I(-1, 5, 3, 1), F(3, 2)]),
    };

    [Theory]
    [MemberData(nameof(ScatterForms))]
    public void Scatter_add_rules_hold(string form)
    {
        var (attributes, operands) = ScatterForm(form);
        CheckRules(Prims.ScatterAdd, attributes, operands);
    }

    [Theory]
    [MemberData(nameof(ScatterForms))]
    public void Scatter_rules_hold_with_duplicate_indices(string form)
    {
        var (attributes, operands) = ScatterForm(form);
        var rng = new Random(2);
        var inputs = operands.Select(o => o.Make(rng, null)).ToArray();
        CheckJvp(Prims.Scatter, attributes, inputs);
        // Linear in the operand and the updates jointly: transposed with the other one at zero.
        CheckTranspose(Prims.Scatter, attributes, [inputs[0], inputs[1], Buffer.Zeros(inputs[2].DType, inputs[2].Shape)], 0);
        CheckTranspose(Prims.Scatter, attributes, [Buffer.Zeros(inputs[0].DType, inputs[0].Shape), inputs[1], inputs[2]], 2);
        CheckBatching(Prims.Scatter, attributes, operands);
    }

    [Fact]
    public void Scatter_jvp_takes_the_tangent_of_the_update_that_lands()
    {
        // x.at[[1, 3, 1]].set(u): u[2] overwrites u[0] at position 1; positions 1 and 3 lose x's tangent.
        var types = new[] { new ShapedType(DType.Float64, Shape.Of(5)), new ShapedType(DType.Int32, Shape.Of(3, 1)), new ShapedType(DType.Float64, Shape.Of(3)) };
        var jvp = JvpPass.Apply(Single(Prims.Scatter, types, ScatterAttrs([], [0], [0], 1)), [true, false, true]);
        var outs = Interpreter.Run(jvp, Vec(1, 2, 3, 4, 5), Idx([3, 1], 1, 3, 1), Vec(10, 20, 30), Vec(1, 1, 1, 1, 1), Vec(100, 200, 300));
        Assert.Equal([1.0, 30, 3, 20, 5], outs[0].ToArray<double>());
        Assert.Equal([1.0, 300, 1, 200, 1], outs[1].ToArray<double>());
    }

    [Fact]
    public void Scatter_add_jvp_with_only_an_operand_tangent_passes_it_through()
    {
        var types = new[] { new ShapedType(DType.Float64, Shape.Of(3)), new ShapedType(DType.Int32, Shape.Of(1, 1)), new ShapedType(DType.Float64, Shape.Of(1)) };
        var jvp = JvpPass.Apply(Single(Prims.ScatterAdd, types, ScatterAttrs([], [0], [0], 1)), [true, false, false]);
        Assert.Single(jvp.Body.Operations, o => o.Primitive == Prims.ScatterAdd);
        Assert.Same(jvp.Body.Arguments[3], jvp.Body.Results[1]);
    }

    public static TheoryData<string> MultiLinear() => ["pad", "concatenate", "dynamic_update_slice", "scatter_add", "scatter"];

    [Theory]
    [MemberData(nameof(MultiLinear))]
    public void Jvp_with_one_tangent_equals_the_jvp_with_the_others_zero(string name)
    {
        var (p, attributes, operands) = name switch
        {
            "pad" => (Prims.Pad, PadAttrs([1, 0], [0, 2], [1, 0]), new[] { F(3, 2), F() }),
            "concatenate" => (Prims.Concatenate, Attributes.Of(("dimension", 0)), [F(2, 2), F(1, 2), F(3, 2)]),
            "dynamic_update_slice" => (Prims.DynamicUpdateSlice, Attributes.Empty, [F(4, 3), F(2, 2), I(-1, 3), I(0, 2)]),
            "scatter_add" => ((Primitive)Prims.ScatterAdd, ScatterForm("window").Attributes, ScatterForm("window").Operands),
            _ => (Prims.Scatter, ScatterForm("element").Attributes, ScatterForm("element").Operands),
        };
        var rng = new Random(1);
        var inputs = operands.Select(o => o.Make(rng, null)).ToArray();
        var tangents = operands.Where(o => o.Linear).Select(o => o.Make(rng, null)).ToArray();
        var f = Single(p, inputs.Select(b => b.Type).ToArray(), attributes);
        var all = Interpreter.Run(JvpPass.Apply(f, [.. operands.Select(o => o.Linear)]), [.. inputs, .. tangents])[1];
        var sum = new double[all.Length];
        for (int k = 0; k < tangents.Length; k++)
        {
            int operand = operands.Select((o, i) => (o, i)).Where(x => x.o.Linear).ElementAt(k).i;
            var jvp = JvpPass.Apply(f, [.. operands.Select((_, i) => i == operand)]);
            var one = Interpreter.Run(jvp, [.. inputs, tangents[k]])[1];
            for (int i = 0; i < sum.Length; i++) sum[i] += one.GetDouble(i);
        }
        // Linear in the tangents: the tangents of one operand at a time add up to the tangent of all.
        for (int i = 0; i < sum.Length; i++) Assert.Equal(all.GetDouble(i), sum[i], 12);
    }

    // ---- symbolic shapes in transposes ----

    [Fact]
    public void Slice_and_concatenate_transposes_handle_symbolic_axes()
    {
        var rng = new Random(9);
        var x = F(6, 3).Make(rng, null);
        CheckSymbolicTranspose(Prims.Slice, SliceAttrs([1, 0], [5, 3], [2, 1]), [x], [Sym(DType.Float64, "n", 3)], 0);
        CheckSymbolicTranspose(Prims.Slice, SliceAttrs([0, 1], [2, 3], [1, 1]), [x], [Sym(DType.Float64, 6, "m")], 0);
        var y = F(2, 3).Make(rng, null);
        var z = F(2, 1).Make(rng, null);
        var symbolic = new[] { Sym(DType.Float64, "n", 3), Sym(DType.Float64, "n", 1) };
        CheckSymbolicTranspose(Prims.Concatenate, Attributes.Of(("dimension", 1)), [y, z], symbolic, 0);
        CheckSymbolicTranspose(Prims.Concatenate, Attributes.Of(("dimension", 1)), [y, z], symbolic, 1);
    }

    [Fact]
    public void Pad_transpose_keeps_unpadded_symbolic_axes_whole()
    {
        var rng = new Random(4);
        var x = F(3, 2).Make(rng, null);
        var attributes = PadAttrs([0, 1], [0, -1], [0, 1]);
        CheckSymbolicTranspose(Prims.Pad, attributes, [x, F().Make(rng, null)], [Sym(DType.Float64, "n", 2), ShapedType.Scalar(DType.Float64)], 0);
        CheckSymbolicTranspose(Prims.Pad, attributes, [x, F().Make(rng, null)], [Sym(DType.Float64, "n", 2), ShapedType.Scalar(DType.Float64)], 1);
    }

    [Fact]
    public void Dynamic_update_slice_transpose_reads_a_symbolic_whole_window()
    {
        var rng = new Random(6);
        var inputs = new[] { F(4, 5).Make(rng, null), F(4, 2).Make(rng, null), Buffer.Scalar(0), Buffer.Scalar(2) };
        var i32 = ShapedType.Scalar(DType.Int32);
        ShapedType[] symbolic = [Sym(DType.Float64, "n", 5), Sym(DType.Float64, "n", 2), i32, i32];
        CheckSymbolicTranspose(Prims.DynamicUpdateSlice, Attributes.Empty, inputs, symbolic, 0);
        CheckSymbolicTranspose(Prims.DynamicUpdateSlice, Attributes.Empty, inputs, symbolic, 1);
    }

    [Fact]
    public void Gather_transpose_clamps_against_a_symbolic_operand_size()
    {
        var x = F(4, 3).Make(new Random(8), null);
        var idx = Idx([3], -2, 2, 7);
        CheckSymbolicTranspose(Prims.Gather, GatherAttrs([1], [0], [0], 1, [1, 3]), [x, idx], [Sym(DType.Float64, "n", 3), idx.Type], 0);
        var pairs = Idx([2, 2], 5, -1, 1, 9);
        CheckSymbolicTranspose(Prims.Gather, GatherAttrs([], [0, 1], [0, 1], 1, [1, 1]), [x, pairs], [Sym(DType.Float64, "n", 3), pairs.Type], 0);
    }

    // ---- errors ----

    [Fact]
    public void Scatter_jvp_with_a_symbolic_inner_scatter_dimension_names_the_primitive()
    {
        var types = new[] { Sym(DType.Float64, 5), Sym(DType.Int32, 2, "k", 1), Sym(DType.Float64, 2, "k") };
        var f = Single(Prims.Scatter, types, ScatterAttrs([], [0], [0], 2));
        var e = Assert.Throws<JaxTypeException>(() => JvpPass.Apply(f, [true, false, true]));
        Assert.Equal("scatter", e.Operation);
        Assert.Contains("f64[2,k]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constant_and_iota_need_no_rules_beside_a_transformed_operation()
    {
        // f(x) = concatenate(x, iota, constant): the passes copy iota and the constant, which have no tangent and no batch axis.
        var block = new Block([new ShapedType(DType.Float64, Shape.Of(3))]);
        var e = new Emitter(block);
        var iota = e.ConvertElementType(e.Iota(DType.Int32, Shape.Of(2), 0), DType.Float64);
        block.SetResults([e.Concatenate([block.Arguments[0], iota, e.Constant(Vec(9))], 0)]);
        var f = new Function("f", block);
        var jvp = JvpPass.Apply(f, [true]);
        var outs = Interpreter.Run(jvp, Vec(1, 2, 3), Vec(4, 5, 6));
        Assert.Equal([1.0, 2, 3, 0, 1, 9], outs[0].ToArray<double>());
        Assert.Equal([4.0, 5, 6, 0, 0, 0], outs[1].ToArray<double>());
        var batched = VmapPass.Apply(f, [0], [0], Dim.Sym("b"));
        var rows = Interpreter.Run(batched, new Buffer(DType.Float64, Shape.Of(2, 3), new[] { 1.0, 2, 3, 4, 5, 6 }))[0];
        Assert.Equal([1.0, 2, 3, 0, 1, 9, 4, 5, 6, 0, 1, 9], rows.ToArray<double>());
    }
}
