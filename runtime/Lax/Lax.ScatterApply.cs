using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// XLA's scatter with any update computation (StableHLO's scatter regions other than replace and add, which are our
/// <c>scatter</c> and <c>scatter_add</c> primitives), composed: the target of every update element found by a gather
/// of the operand's flat positions with the scatter's dimension numbers (out-of-bounds windows give a negative
/// position: skipped, as XLA skips them), then the computation applied to the update elements one after another in
/// a <c>fori_loop</c> of dynamic slices. Sequential: as fast as the loop, correct for repeated indices and any
/// computation.
/// </summary>
public static partial class Lax
{
    /// <summary>
    /// <c>operand</c> with <c>combine(operand[target], update)</c> written at each update element's target, in the order
    /// of the update elements; <paramref name="combine"/> maps two 0-d arrays of the operand's dtype to one.
    /// </summary>
    internal static Tensor ScatterApply(Tensor operand, Tensor indices, Tensor updates, Func<Tensor, Tensor, Tensor> combine,
        int[] updateWindowDims, int[] insertedWindowDims, int[] scatterDimsToOperandDims, int indexVectorDim)
    {
        ArgumentNullException.ThrowIfNull(operand);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(combine);
        JaxTypeException Error(string problem) =>
            new("scatter", $"scatter into {operand.Aval.ToLongString()} of {updates.Aval.ToLongString()} at {indices.Aval.ToLongString()}: {problem}");
        if (!operand.Shape.IsStatic || !updates.Shape.IsStatic || !indices.Shape.IsStatic)
            throw Error("a scatter with this update computation needs static shapes");
        if (updates.DType != operand.DType) throw Error("the updates need the operand's dtype");
        long size = operand.Size;
        if (size >= int.MaxValue) throw Error("the operand is too large for int32 positions");
        int rank = operand.Ndim, window = 0;
        var sliceSizes = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            if (insertedWindowDims.Contains(d)) sliceSizes[d] = 1;
            else if (window < updateWindowDims.Length) sliceSizes[d] = (int)updates.Shape[updateWindowDims[window++]].Size;
            else throw Error($"update_window_dims ({string.Join(", ", updateWindowDims)}) and inserted_window_dims ({string.Join(", ", insertedWindowDims)}) do not cover the operand's {rank} dimensions");
        }
        // The flat position in the operand of every update element (negative where its window is out of bounds).
        var flatPositions = Reshape(Iota(DType.Int32, Shape.Of(size), 0), operand.Shape);
        var positions = Gather(flatPositions, indices, updateWindowDims, insertedWindowDims, scatterDimsToOperandDims, indexVectorDim, sliceSizes, GatherMode.Fill);
        if (positions.Shape != updates.Shape)
            throw Error($"the dimension numbers give update windows of shape {positions.Shape}, the updates are {updates.Shape}");
        return Reshape(ApplyAt(Reshape(operand, Shape.Of(size)), positions, updates, combine), operand.Shape);
    }

    /// <summary>
    /// The 1-d <paramref name="flat"/> with <c>combine(flat[t], u)</c> written at each target t of
    /// <paramref name="targets"/> (int32, any shape; negative targets are skipped) for the update u at the same place of
    /// <paramref name="updates"/>, one after another in a <c>fori_loop</c>.
    /// </summary>
    internal static Tensor ApplyAt(Tensor flat, Tensor targets, Tensor updates, Func<Tensor, Tensor, Tensor> combine)
    {
        long count = updates.Size;
        if (count == 0 || flat.Size == 0) return flat;
        var targetList = Reshape(targets, Shape.Of(count));
        var values = Reshape(updates, Shape.Of(count));
        var zero = Jnp.Array(0);
        return ForiLoop(0, (int)count, (i, acc) =>
        {
            var target = Reshape(DynamicSlice(targetList, [i], [1]), Shape.Scalar);
            var at = Jnp.Maximum(target, zero);
            var current = DynamicSlice(acc, [at], [1]);
            var combined = Reshape(combine(Reshape(current, Shape.Scalar), Reshape(DynamicSlice(values, [i], [1]), Shape.Scalar)), Shape.Of(1));
            return DynamicUpdateSlice(acc, Jnp.Where(Jnp.GreaterEqual(target, zero), combined, current), [at]);
        }, flat);
    }
}
