using static JaxToolchain.Ir.Tests.Primitives.StructuralHarness;

namespace JaxToolchain.Ir.Tests.Primitives;

/// <summary>
/// Unsigned indices of gather, scatter and dynamic slices are the large positive values they hold: a uint64 at or
/// beyond 2^63, or a uint32 4294967295, is past the end (clamped, filled or dropped), never a negative index. Each
/// case is checked against int64 indices of the same value where it fits, in the interpreter and under vmap.
/// </summary>
public class UnsignedIndexTests
{
    /// <summary>Gathers element i of a 1-D operand for each index i (clip or fill mode).</summary>
    private static Attributes Elements(string mode) =>
        Attributes.Of(("offset_dims", Array.Empty<long>()), ("collapsed_slice_dims", new long[] { 0 }), ("start_index_map", new long[] { 0 }),
            ("index_vector_dim", 1L), ("slice_sizes", new long[] { 1 }), ("mode", mode), ("fill_value", -1.0));

    /// <summary>Scatters one element per index into a 1-D operand.</summary>
    private static readonly Attributes ElementScatter =
        Attributes.Of(("update_window_dims", Array.Empty<long>()), ("inserted_window_dims", new long[] { 0 }),
            ("scatter_dims_to_operand_dims", new long[] { 0 }), ("index_vector_dim", 1L));

    /// <summary>A 1-D index buffer of <paramref name="dtype"/> holding <paramref name="values"/> (wrapped into it).</summary>
    private static Buffer Indices(DType dtype, params ulong[] values)
    {
        var b = Buffer.Zeros(dtype, Shape.Of(values.Length));
        for (int i = 0; i < values.Length; i++) b.SetInt64(i, unchecked((long)values[i]));
        return b;
    }

    public static TheoryData<DType, ulong> LargeIndices() => new()
    {
        { DType.UInt8, 255 }, { DType.UInt8, 128 }, { DType.UInt16, 65535 }, { DType.UInt16, 32768 },
        { DType.UInt32, uint.MaxValue }, { DType.UInt32, 1u << 31 }, { DType.UInt64, ulong.MaxValue }, { DType.UInt64, 1ul << 63 },
        { DType.UInt64, (1ul << 63) + 2 }, { DType.UInt64, uint.MaxValue },
    };

    private static readonly Buffer Operand = Of(DType.Float32, [5], 10, 11, 12, 13, 14);

    [Theory]
    [MemberData(nameof(LargeIndices))]
    public void Gather_clamps_or_fills_an_unsigned_index_past_the_end(DType dtype, ulong index)
    {
        var indices = Indices(dtype, index, 1);
        AssertBuffer(DType.Float32, [2], [14, 11], Run(Prims.Gather, Elements("clip"), Operand, indices));
        AssertBuffer(DType.Float32, [2], [-1, 11], Run(Prims.Gather, Elements("fill"), Operand, indices));
        if (index <= long.MaxValue)
        {
            var int64 = Indices(DType.Int64, index, 1);
            Assert.Equal(Doubles(Run(Prims.Gather, Elements("clip"), Operand, int64)), Doubles(Run(Prims.Gather, Elements("clip"), Operand, indices)));
        }
    }

    [Theory]
    [MemberData(nameof(LargeIndices))]
    public void Scatter_drops_an_update_at_an_unsigned_index_past_the_end(DType dtype, ulong index)
    {
        var indices = Indices(dtype, index, 1);
        var updates = Of(DType.Float32, [2], 100, 200);
        AssertBuffer(DType.Float32, [5], [10, 211, 12, 13, 14], Run(Prims.ScatterAdd, ElementScatter, Operand, indices, updates));
        AssertBuffer(DType.Float32, [5], [10, 200, 12, 13, 14], Run(Prims.Scatter, ElementScatter, Operand, indices, updates));
    }

    [Theory]
    [MemberData(nameof(LargeIndices))]
    public void Dynamic_slices_clamp_an_unsigned_start_past_the_end(DType dtype, ulong start)
    {
        var s = Indices(dtype, start).Reshape(Shape.Scalar);
        AssertBuffer(DType.Float32, [2], [13, 14], Run(Prims.DynamicSlice, Attributes.Of(("slice_sizes", new long[] { 2 })), Operand, s));
        AssertBuffer(DType.Float32, [5], [10, 11, 12, 0, 0],
            Run(Prims.DynamicUpdateSlice, Attributes.Empty, Operand, Buffer.Zeros(DType.Float32, Shape.Of(2)), s));
    }

    /// <summary>Runs <paramref name="f"/> batched over the leading axis of both arguments.</summary>
    private static Buffer RunBatched(Function f, Buffer operands, Buffer indices) =>
        Interpreter.Run(VmapPass.Apply(f, [0, 0], [0], Dim.Of(2)), operands, indices).Single();

    [Theory]
    [MemberData(nameof(LargeIndices))]
    public void Batched_gathers_and_scatters_treat_unsigned_indices_past_the_end_as_past_the_end(DType dtype, ulong index)
    {
        var operands = Of(DType.Float32, [2, 5], 10, 11, 12, 13, 14, 20, 21, 22, 23, 24);
        var indices = Indices(dtype, index, 1, 3, index).Reshape(Shape.Of(2, 2));
        var gather = Build(Prims.Gather, Elements("fill"), Ty("f32[5]"), new ShapedType(dtype, Shape.Of(2)));
        AssertBuffer(DType.Float32, [2, 2], [-1, 11, 23, -1], RunBatched(gather, operands, indices));

        var block = new Block([Ty("f32[5]"), new ShapedType(dtype, Shape.Of(2))]);
        var e = new Emitter(block);
        block.SetResults([e.Emit1(Prims.ScatterAdd, [block.Arguments[0], block.Arguments[1], e.Full(Ty("f32[2]"), 100)], ElementScatter)]);
        AssertBuffer(DType.Float32, [2, 5], [10, 111, 12, 13, 14, 20, 21, 22, 123, 24], RunBatched(new Function("f", block), operands, indices));
    }

    [Theory]
    [MemberData(nameof(LargeIndices))]
    public void Batched_dynamic_slices_clamp_unsigned_starts_past_the_end(DType dtype, ulong start)
    {
        var block = new Block([Ty("f32[5]"), ShapedType.Scalar(dtype)]);
        block.SetResults([new Emitter(block).Emit1(Prims.DynamicSlice, block.Arguments, Attributes.Of(("slice_sizes", new long[] { 2 })))]);
        var operands = Of(DType.Float32, [2, 5], 10, 11, 12, 13, 14, 20, 21, 22, 23, 24);
        AssertBuffer(DType.Float32, [2, 2], [13, 14, 21, 22], RunBatched(new Function("f", block), operands, Indices(dtype, start, 1)));
    }
}
