using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Lax
{
    /// <summary>The value a fill-mode gather returns out of bounds, as JAX chooses it per dtype.</summary>
    private static double DefaultFillValue(DType dtype) =>
        dtype.IsFloat() ? double.NaN
        : dtype == DType.Bool ? 1
        : dtype.IsSignedInteger() ? -Math.Pow(2, dtype.BitWidth() - 1)
        : Math.Pow(2, dtype.BitWidth()) - 1;

    /// <summary>XLA's gather (the form NumPy indexing lowers to).</summary>
    internal static Tensor Gather(Tensor operand, Tensor indices, int[] offsetDims, int[] collapsedSliceDims,
        int[] startIndexMap, int indexVectorDim, int[] sliceSizes, GatherMode mode) =>
        Dispatch.Bind1(Prims.Gather, [operand, indices], Attributes.Of(
            ("offset_dims", offsetDims), ("collapsed_slice_dims", collapsedSliceDims),
            ("start_index_map", startIndexMap), ("index_vector_dim", indexVectorDim),
            ("slice_sizes", sliceSizes), ("mode", mode == GatherMode.Clip ? "clip" : "fill"),
            ("fill_value", DefaultFillValue(operand.DType))));

    /// <summary>XLA's scatter (<paramref name="primitive"/>: scatter, scatter_add, ...): updates written into operand at indices.</summary>
    internal static Tensor Scatter(Primitive primitive, Tensor operand, Tensor indices, Tensor updates, int[] updateWindowDims, int[] insertedWindowDims,
        int[] scatterDimsToOperandDims, int indexVectorDim) =>
        Dispatch.Bind1(primitive, [operand, indices, updates], Attributes.Of(
            ("update_window_dims", updateWindowDims), ("inserted_window_dims", insertedWindowDims),
            ("scatter_dims_to_operand_dims", scatterDimsToOperandDims), ("index_vector_dim", indexVectorDim)));
}
