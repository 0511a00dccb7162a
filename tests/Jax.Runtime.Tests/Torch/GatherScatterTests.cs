using JaxToolchain.Ir;
using TorchSharp;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// <c>gather</c> and <c>scatter_add</c> against torch.gather, index_select, advanced indexing, index_add and
/// scatter_add, exactly. Indices are in range (torch rejects others); repeated indices accumulate in scatter_add,
/// with integer-valued floats so the sum does not depend on the order of additions.
/// </summary>
public sealed class GatherScatterTests
{
    public static TheoryData<DType> DTypes => Samples.Rows(DType.Float16, DType.Float32, DType.Float64, DType.Int8, DType.Int32, DType.Int64);

    static readonly Domain Values = Domain.Uniform(-100, 100);

    static Tensor Input(Random rng, DType dtype, params long[] shape) => Samples.Any(rng, dtype, shape, Values);

    static Tensor Indices(Random rng, long[] shape, long bound) => Samples.Integers(rng, DType.Int32, shape, 0, bound - 1);

    static TorchTensor Long(Tensor indices) => OracleTensors.ToTorch(indices).to_type(torch.ScalarType.Int64);

    /// <summary>
    /// The start indices for an elementwise gather/scatter along <paramref name="axis"/>: every element's full
    /// coordinate, with <paramref name="index"/> in place of the axis coordinate (shape index.shape + [rank]).
    /// </summary>
    static Tensor FullCoordinates(Tensor index, int axis)
    {
        var dims = index.Shape.IntSizes;
        int rank = dims.Length;
        var coordinates = new int[index.Size * rank];
        var position = new int[rank];
        for (int flat = 0; flat < index.Size; flat++)
        {
            Strides.Unravel(flat, dims, position);
            for (int d = 0; d < rank; d++)
                coordinates[flat * rank + d] = d == axis ? index.Buffer.Span<int>()[flat] : position[d];
        }
        return OracleTensors.FromBuffer(Ir.Buffer.Of(coordinates, [.. dims, rank]));
    }

    // torch.gather(x, axis, index)[p] = x[p with p[axis] = index[p]]: an XLA gather of 1-element windows at full
    // coordinates, all slice dims collapsed.
    [Theory, MemberData(nameof(DTypes))]
    public void Gather_of_full_coordinates_equals_torch_gather(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("gather" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, indexShape, axis) in new (long[], long[], int)[]
        {
            ([7], [12], 0), ([4, 6], [4, 9], 1), ([5, 3], [8, 2], 0), ([3, 4, 5], [2, 4, 3], 2), ([3, 4], [0, 4], 0),
        })
        {
            var x = Input(rng, dtype, shape);
            var index = Indices(rng, indexShape, shape[axis]);
            int rank = shape.Length;
            var all = Enumerable.Range(0, rank).ToArray();
            var ours = Lax.Gather(x, FullCoordinates(index, axis), offsetDims: [], collapsedSliceDims: all, startIndexMap: all,
                indexVectorDim: rank, sliceSizes: Enumerable.Repeat(1, rank).ToArray(), GatherMode.Clip);
            Agreement.AssertClose($"gather {dtype.Name()}{x.Shape.ToTupleString()} axis {axis}", ours,
                OracleTensors.ToTorch(x).gather(axis, Long(index)), Tolerance.Exact);
        }
    }

    [Theory, MemberData(nameof(DTypes))]
    public void Take_along_an_axis_equals_torch_index_select(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("take" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, count, axis) in new (long[], long, int)[] { ([9], 14, 0), ([5, 6], 4, 0), ([5, 6], 10, 1), ([2, 3, 4], 5, 2), ([4, 3], 0, 0) })
        {
            var x = Input(rng, dtype, shape);
            var index = Indices(rng, [count], shape[axis]);
            Agreement.AssertClose($"take {dtype.Name()}{x.Shape.ToTupleString()} axis {axis}", Jnp.Take(x, index, axis),
                OracleTensors.ToTorch(x).index_select(axis, Long(index)), Tolerance.Exact);
        }
    }

    // x[i] and x[i, j] with index arrays (NumPy advanced indexing) equal torch's tensor indexing.
    [Theory, MemberData(nameof(DTypes))]
    public void Advanced_indexing_equals_torch_tensor_indexing(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("index" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var x = Input(rng, dtype, 6, 5, 4);
        var i = Indices(rng, [3, 2], 6);
        var j = Indices(rng, [3, 2], 5);
        var tx = OracleTensors.ToTorch(x);
        Agreement.AssertClose($"x[i] {dtype.Name()}", x[i], tx.index([Long(i)]), Tolerance.Exact);
        Agreement.AssertClose($"x[i, j] {dtype.Name()}", x[i, j], tx.index([Long(i), Long(j)]), Tolerance.Exact);
    }

    static Tensor ScatterAdd(Tensor operand, Tensor indices, Tensor updates, int[] updateWindowDims, int[] insertedWindowDims,
        int[] scatterDimsToOperandDims, int indexVectorDim) =>
        Dispatch.Bind1(Prims.ScatterAdd, [operand, indices, updates], Attributes.Of(
            ("update_window_dims", updateWindowDims), ("inserted_window_dims", insertedWindowDims),
            ("scatter_dims_to_operand_dims", scatterDimsToOperandDims), ("index_vector_dim", indexVectorDim)));

    static Tensor IntegerValued(Random rng, DType dtype, params long[] shape) =>
        dtype.IsFloat() ? Samples.Floats(rng, dtype, shape, Domain.Uniform(-50, 50).Integral()) : Samples.Integers(rng, dtype, shape, -50, 50);

    // index_add along axis 0 adds rows source[k] into x[index[k]]; along axis 1, columns. As XLA scatters: one
    // scattered dimension (the indexed axis, inserted), the rest of each update a window.
    [Theory, MemberData(nameof(DTypes))]
    public void Scatter_add_of_rows_and_columns_equals_torch_index_add(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("index_add" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var x = IntegerValued(rng, dtype, 5, 4);
        var index = Indices(rng, [9], 5);
        var rows = IntegerValued(rng, dtype, 9, 4);
        var indices = Lax.Reshape(index, Shape.Of(9, 1));
        Agreement.AssertClose($"scatter_add rows {dtype.Name()}", ScatterAdd(x, indices, rows, [1], [0], [0], 1),
            OracleTensors.ToTorch(x).index_add(0, Long(index), OracleTensors.ToTorch(rows), 1), Tolerance.Exact);

        var columnIndex = Indices(rng, [7], 4);
        var columns = IntegerValued(rng, dtype, 5, 7);
        Agreement.AssertClose($"scatter_add columns {dtype.Name()}", ScatterAdd(x, Lax.Reshape(columnIndex, Shape.Of(7, 1)), columns, [0], [1], [1], 1),
            OracleTensors.ToTorch(x).index_add(1, Long(columnIndex), OracleTensors.ToTorch(columns), 1), Tolerance.Exact);
    }

    // torch's scatter_add(axis, index, src) adds src[p] into x[p with p[axis] = index[p]]: full coordinates, no window.
    [Theory, MemberData(nameof(DTypes))]
    public void Scatter_add_of_full_coordinates_equals_torch_scatter_add(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("scatter_add" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, indexShape, axis) in new (long[], long[], int)[] { ([6], [15], 0), ([4, 5], [7, 5], 0), ([3, 4, 5], [3, 4, 9], 2), ([3, 4], [3, 0], 1) })
        {
            var x = IntegerValued(rng, dtype, shape);
            var index = Indices(rng, indexShape, shape[axis]);
            var src = IntegerValued(rng, dtype, indexShape);
            int rank = shape.Length;
            var all = Enumerable.Range(0, rank).ToArray();
            Agreement.AssertClose($"scatter_add {dtype.Name()}{x.Shape.ToTupleString()} axis {axis}",
                ScatterAdd(x, FullCoordinates(index, axis), src, [], all, all, rank),
                OracleTensors.ToTorch(x).scatter_add(axis, Long(index), OracleTensors.ToTorch(src)), Tolerance.Exact);
        }
    }
}
