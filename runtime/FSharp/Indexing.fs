namespace JaxToolchain.FSharp

open JaxToolchain

/// <summary>
/// F#'s slicing syntax on tensors: <c>x.[1..3]</c>, <c>x.[..2]</c>, <c>m.[0..1, 2..]</c>, <c>m.[1, 0..2]</c>. F#
/// slices include their end, so <c>x.[0..4]</c> is JAX's <c>x[0:5]</c>. An integer index (<c>x.[i]</c>, <c>m.[i, j]</c>)
/// and JAX's other indices (arrays, masks, <c>TensorIndex.NewAxis</c>, steps with <c>TensorIndex.Slice</c>) go through
/// the runtime's indexer.
/// </summary>
[<AutoOpen>]
module Indexing =
    /// An F# slice's bounds as a JAX slice (the end made exclusive).
    let private slice (start: int option) (finish: int option) : TensorIndex =
        // finish -1 is the last element (included): no stop; any other finish f stops before f + 1.
        let stop = match finish with Some -1 | None -> System.Nullable() | Some f -> System.Nullable(int64 f + 1L)
        TensorIndex.Slice(Option.toNullable (Option.map int64 start), stop)

    type Tensor with
        /// <summary><c>x.[a..b]</c>: elements a to b of the leading axis, both included.</summary>
        member x.GetSlice(start: int option, finish: int option) : Tensor = x.[slice start finish]

        /// <summary><c>m.[a..b, c..d]</c>: a block of the two leading axes, ends included.</summary>
        member x.GetSlice(start0: int option, finish0: int option, start1: int option, finish1: int option) : Tensor =
            x.[slice start0 finish0, slice start1 finish1]

        /// <summary><c>m.[i, c..d]</c>: part of row i.</summary>
        member x.GetSlice(index0: int, start1: int option, finish1: int option) : Tensor =
            x.[TensorIndex.op_Implicit index0, slice start1 finish1]

        /// <summary><c>m.[a..b, j]</c>: part of column j.</summary>
        member x.GetSlice(start0: int option, finish0: int option, index1: int) : Tensor =
            x.[slice start0 finish0, TensorIndex.op_Implicit index1]
