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
}
