namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// The operations the importer lowers (the names <see cref="FunctionLowering"/> dispatches on). The parser asks
/// before reading an op's pretty form, since an op we cannot lower may have a syntax of its own.
/// </summary>
internal static class SupportedOperations
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "func.return", "func.call", "call", "return", "stablehlo.return",
        "check.expect_eq", "check.expect_eq_const", "check.expect_almost_eq", "check.expect_almost_eq_const", "check.expect_close",
        "chlo.digamma", "chlo.erf", "chlo.erf_inv", "chlo.erfc", "chlo.lgamma", "chlo.next_after", "chlo.tan",
        "stablehlo.abs", "stablehlo.add", "stablehlo.and", "stablehlo.atan2", "stablehlo.bitcast_convert", "stablehlo.broadcast_in_dim",
        "stablehlo.case", "stablehlo.cbrt", "stablehlo.ceil", "stablehlo.clamp", "stablehlo.compare", "stablehlo.composite",
        "stablehlo.concatenate", "stablehlo.constant", "stablehlo.convert", "stablehlo.cosine", "stablehlo.count_leading_zeros",
        "stablehlo.divide", "stablehlo.dot", "stablehlo.dot_general", "stablehlo.dynamic_slice", "stablehlo.dynamic_update_slice",
        "stablehlo.exponential", "stablehlo.exponential_minus_one", "stablehlo.floor", "stablehlo.gather", "stablehlo.get_dimension_size",
        "stablehlo.get_tuple_element", "stablehlo.if", "stablehlo.iota", "stablehlo.is_finite", "stablehlo.log", "stablehlo.log_plus_one",
        "stablehlo.logistic", "stablehlo.maximum", "stablehlo.minimum", "stablehlo.multiply", "stablehlo.negate", "stablehlo.not",
        "stablehlo.optimization_barrier", "stablehlo.or", "stablehlo.pad", "stablehlo.popcnt", "stablehlo.power", "stablehlo.reduce",
        "stablehlo.remainder", "stablehlo.reshape", "stablehlo.reverse", "stablehlo.round_nearest_afz", "stablehlo.round_nearest_even",
        "stablehlo.rsqrt", "stablehlo.scatter", "stablehlo.select", "stablehlo.shift_left", "stablehlo.shift_right_arithmetic",
        "stablehlo.shift_right_logical", "stablehlo.sign", "stablehlo.sine", "stablehlo.slice", "stablehlo.sort", "stablehlo.sqrt",
        "stablehlo.subtract", "stablehlo.tan", "stablehlo.tanh", "stablehlo.transpose", "stablehlo.tuple", "stablehlo.while", "stablehlo.xor",
        "stablehlo.real", "stablehlo.imag", "stablehlo.dynamic_iota", "stablehlo.dynamic_reshape", "stablehlo.dynamic_broadcast_in_dim",
        "stablehlo.dynamic_pad", "stablehlo.dynamic_gather", "chlo.mulhi", "chlo.scan", "stablehlo.reduce_precision",
        "stablehlo.reduce_window", "stablehlo.custom_call", "stablehlo.map", "chlo.ragged_dot", "stablehlo.dynamic_conv", "stablehlo.select_and_scatter",
        "stablehlo.batch_norm_inference", "stablehlo.batch_norm_training", "stablehlo.batch_norm_grad",
        "stablehlo.rng_bit_generator", "chlo.top_k",
    };

    /// <summary>
    /// Ops that exist to make or read values of element types we lack (complex, quantized). <c>fft</c> is one: every
    /// FFT type has a complex operand or result (RFFT's result, IRFFT's operand).
    /// </summary>
    private static readonly HashSet<string> ElementTypeOperations = new(StringComparer.Ordinal)
    {
        "stablehlo.complex", "stablehlo.uniform_quantize", "stablehlo.uniform_dequantize", "stablehlo.fft",
    };

    public static bool Contains(string name) => Names.Contains(name) || StableHloDecompositions.Find(name) is not null;

    /// <summary>The failure an op we do not lower is: collective, host I/O, or not in our primitive set.</summary>
    public static StableHloImportFailure FailureFor(string name) =>
        OperationCategories.Collective(name) ? StableHloImportFailure.Collective
        : OperationCategories.HostIo(name) ? StableHloImportFailure.HostIo
        : ElementTypeOperations.Contains(name) ? StableHloImportFailure.UnsupportedElementType
        : StableHloImportFailure.UnsupportedOperation;
}
