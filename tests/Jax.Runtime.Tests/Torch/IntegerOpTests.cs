using JaxToolchain.Ir;
using TorchSharp;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// Integer and bool primitives against torch on int8, int16, int32, int64 and uint8 (and bool where the op takes
/// it), all exact. Arithmetic wraps in both. Inputs stay where torch is defined: no division by zero (torch throws)
/// and no MIN / -1 (a hardware trap for int32/int64 in torch's kernels), no negative integer powers (torch throws).
/// </summary>
public sealed class IntegerOpTests(ITestOutputHelper log)
{
    public static TheoryData<DType> Integers => Samples.Rows(Samples.IntegerDTypes);

    public static TheoryData<DType> SignedIntegers => Samples.Rows(DType.Int8, DType.Int16, DType.Int32, DType.Int64);

    public static TheoryData<DType> IntegersAndBool => Samples.Rows([.. Samples.IntegerDTypes, DType.Bool]);

    static readonly Domain Unused = Domain.Uniform(0, 1);

    static Discrepancy Unary(string name, DType dtype, Func<Tensor, Tensor> ours, Func<TorchTensor, TorchTensor> theirs, ITestOutputHelper log) =>
        Differential.Unary(name, dtype, Unused, ours, theirs, Tolerance.Exact, log);

    static Discrepancy Binary(string name, DType dtype, Func<Random, long[], (Tensor, Tensor)> inputs,
        Func<Tensor, Tensor, Tensor> ours, Func<TorchTensor, TorchTensor, TorchTensor> theirs, ITestOutputHelper log) =>
        Differential.Binary(name, dtype, inputs, ours, theirs, Tolerance.Exact, log);

    static Func<Random, long[], (Tensor, Tensor)> FullRange(DType dtype) =>
        (rng, shape) => (Samples.Integers(rng, dtype, shape), Samples.Integers(rng, dtype, shape));

    // Dividends above MIN (MIN / -1 traps in torch) and divisors that are not zero, small ones often.
    static Func<Random, long[], (Tensor, Tensor)> Division(DType dtype) => (rng, shape) =>
    {
        var (lo, hi) = Samples.RangeOf(dtype);
        var x = Samples.Integers(rng, dtype, shape, lo + 1, hi);
        var y = Samples.Integers(rng, dtype, shape, rng.Next(2) == 0 ? lo : -20, rng.Next(2) == 0 ? hi : 20).Buffer.Clone();
        for (int i = 0; i < y.Length; i++)
            if (y.GetInt64(i) == 0) y.SetInt64(i, 7);
        return (x, OracleTensors.FromBuffer(y));
    };

    [Theory, MemberData(nameof(SignedIntegers))]
    public void Neg_wraps_as_torch_neg(DType dtype) => Unary("neg", dtype, Lax.Neg, torch.neg, log);

    // Without MIN: torch's abs(MIN) is std::abs's undefined behaviour (ours wraps to MIN, as XLA's).
    [Theory, MemberData(nameof(SignedIntegers))]
    public void Abs_equals_torch_abs(DType dtype) =>
        Differential.Unary("abs", dtype, (rng, shape) => Samples.Integers(rng, dtype, shape, Samples.RangeOf(dtype).Lo + 1, Samples.RangeOf(dtype).Hi),
            Lax.Abs, torch.abs, Tolerance.Exact, log);

    [Theory, MemberData(nameof(Integers))]
    public void Sign_equals_torch_sign(DType dtype) =>
        Differential.Unary("sign", dtype, (rng, shape) => SmallOrFull(rng, dtype, shape), Lax.Sign, torch.sign, Tolerance.Exact, log);

    [Theory, MemberData(nameof(Integers))]
    public void Not_is_torch_bitwise_not(DType dtype) => Unary("not", dtype, Lax.Not, torch.bitwise_not, log);

    [Fact]
    public void Not_of_bool_is_torch_logical_not() => Unary("not", DType.Bool, Lax.Not, torch.logical_not, log);

    [Theory, MemberData(nameof(Integers))]
    public void Add_wraps_as_torch_add(DType dtype) => Binary("add", dtype, FullRange(dtype), Lax.Add, torch.add, log);

    [Theory, MemberData(nameof(Integers))]
    public void Sub_wraps_as_torch_sub(DType dtype) => Binary("sub", dtype, FullRange(dtype), Lax.Sub, torch.sub, log);

    [Theory, MemberData(nameof(Integers))]
    public void Mul_wraps_as_torch_mul(DType dtype) => Binary("mul", dtype, FullRange(dtype), Lax.Mul, torch.mul, log);

    [Theory, MemberData(nameof(Integers))]
    public void Div_truncates_as_torch_div_with_trunc_rounding(DType dtype) =>
        Binary("div", dtype, Division(dtype), Lax.Div, (x, y) => x.div(y, torch.RoundingMode.trunc), log);

    [Theory, MemberData(nameof(Integers))]
    public void Rem_takes_the_dividends_sign_as_torch_fmod(DType dtype) =>
        Binary("rem", dtype, Division(dtype), Lax.Rem, torch.fmod, log);

    // Bases and exponents small enough not to overflow (torch's integer pow is defined only then).
    [Theory, MemberData(nameof(Integers))]
    public void Pow_by_non_negative_exponents_equals_torch_pow(DType dtype) =>
        Binary("pow", dtype, (rng, shape) =>
        {
            long maxExponent = dtype switch { DType.Int8 => 4, DType.UInt8 => 5, DType.Int16 => 9, DType.Int32 => 19, _ => 39 };
            return (Samples.Integers(rng, dtype, shape, dtype == DType.UInt8 ? 0 : -3, 3), Samples.Integers(rng, dtype, shape, 0, maxExponent));
        }, Lax.Pow, torch.pow, log);

    [Theory, MemberData(nameof(Integers))]
    public void Max_equals_torch_maximum(DType dtype) => Binary("max", dtype, FullRange(dtype), Lax.Max, torch.maximum, log);

    [Theory, MemberData(nameof(Integers))]
    public void Min_equals_torch_minimum(DType dtype) => Binary("min", dtype, FullRange(dtype), Lax.Min, torch.minimum, log);

    [Theory, MemberData(nameof(IntegersAndBool))]
    public void And_equals_torch_bitwise_and(DType dtype) => Binary("and", dtype, FullRangeOrBool(dtype), Lax.BitwiseAnd, torch.bitwise_and, log);

    [Theory, MemberData(nameof(IntegersAndBool))]
    public void Or_equals_torch_bitwise_or(DType dtype) => Binary("or", dtype, FullRangeOrBool(dtype), Lax.BitwiseOr, torch.bitwise_or, log);

    [Theory, MemberData(nameof(IntegersAndBool))]
    public void Xor_equals_torch_bitwise_xor(DType dtype) => Binary("xor", dtype, FullRangeOrBool(dtype), Lax.BitwiseXor, torch.bitwise_xor, log);

    [Theory, MemberData(nameof(Integers))]
    public void Shift_left_by_in_range_counts_equals_torch_bitwise_left_shift(DType dtype) =>
        Binary("shift_left", dtype, ShiftCounts(dtype, 0, dtype.BitWidth() - 1), Lax.ShiftLeft, torch.bitwise_left_shift, log);

    // torch's right shift is arithmetic on signed types and logical on uint8.
    [Theory, MemberData(nameof(SignedIntegers))]
    public void Shift_right_arithmetic_by_in_range_counts_equals_torch_bitwise_right_shift(DType dtype) =>
        Binary("shift_right_arithmetic", dtype, ShiftCounts(dtype, 0, dtype.BitWidth() - 1), Lax.ShiftRightArithmetic, torch.bitwise_right_shift, log);

    [Fact]
    public void Shift_right_logical_of_uint8_by_in_range_counts_equals_torch_bitwise_right_shift() =>
        Binary("shift_right_logical", DType.UInt8, ShiftCounts(DType.UInt8, 0, 7), Lax.ShiftRightLogical, torch.bitwise_right_shift, log);

    // Counts of at least the bit width: XLA and torch agree (0 for a left shift, the sign fill for a right shift).
    [Theory, MemberData(nameof(Integers))]
    public void Shifts_by_counts_past_the_bit_width_agree_with_torch(DType dtype)
    {
        var counts = ShiftCounts(dtype, dtype.BitWidth(), dtype == DType.Int8 || dtype == DType.UInt8 ? 127 : dtype.BitWidth() + 40);
        Binary("shift_left(>= width)", dtype, counts, Lax.ShiftLeft, torch.bitwise_left_shift, log);
        Binary("shift_right(>= width)", dtype, counts,
            dtype == DType.UInt8 ? Lax.ShiftRightLogical : Lax.ShiftRightArithmetic, torch.bitwise_right_shift, log);
    }

    public static TheoryData<string, DType> Comparisons()
    {
        var data = new TheoryData<string, DType>();
        foreach (var op in new[] { "eq", "ne", "lt", "le", "gt", "ge" })
            foreach (var dtype in Samples.IntegerDTypes.Append(DType.Bool)) data.Add(op, dtype);
        return data;
    }

    [Theory, MemberData(nameof(Comparisons))]
    public void Comparison_equals_torch_comparison(string op, DType dtype)
    {
        var (ours, theirs) = ComparisonPair.Of(op);
        Binary(op, dtype, (rng, shape) => ComparisonPair.Operands(rng, dtype, shape, Unused), ours, theirs, log);
    }

    static Func<Random, long[], (Tensor, Tensor)> FullRangeOrBool(DType dtype) => dtype == DType.Bool
        ? (rng, shape) => (Samples.Bools(rng, shape), Samples.Bools(rng, shape))
        : FullRange(dtype);

    static Func<Random, long[], (Tensor, Tensor)> ShiftCounts(DType dtype, long lo, long hi) =>
        (rng, shape) => (Samples.Integers(rng, dtype, shape), Samples.Integers(rng, dtype, shape, lo, hi));

    static Tensor SmallOrFull(Random rng, DType dtype, long[] shape) =>
        rng.Next(2) == 0 ? Samples.Integers(rng, dtype, shape, dtype == DType.UInt8 ? 0 : -2, 2) : Samples.Integers(rng, dtype, shape);
}
