using System.Runtime.InteropServices;
using JaxToolchain.Ir;
using TorchSharp;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Torch;

/// <summary>
/// <c>select</c> (torch.where), <c>clamp</c> (torch.clamp), <c>convert_element_type</c> (torch's <c>to</c>) for
/// every pair of torch's dtypes, and <c>bitcast_convert_type</c>; all exact.
/// </summary>
public sealed class SelectClampConvertTests(ITestOutputHelper log)
{
    static readonly DType[] AllDTypes = [.. Samples.FloatDTypes, .. Samples.IntegerDTypes, DType.Bool];

    public static TheoryData<DType> All => Samples.Rows(AllDTypes);

    public static TheoryData<DType> Numbers => Samples.Rows([.. Samples.FloatDTypes, .. Samples.IntegerDTypes]);

    static readonly Domain Values = Domain.SignedLogUniform(1e-3, 1e3).WithSpecials();

    [Theory, MemberData(nameof(All))]
    public void Select_picks_as_torch_where(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("select" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var shape in Samples.ElementwiseShapes)
        {
            var pred = Samples.Bools(rng, shape);
            var a = Samples.Any(rng, dtype, shape, Values);
            var b = Samples.Any(rng, dtype, shape, Values);
            total = total.Merge(Agreement.AssertClose($"select {dtype.Name()}{a.Shape.ToTupleString()}", Lax.Select(pred, a, b),
                torch.where(OracleTensors.ToTorch(pred), OracleTensors.ToTorch(a), OracleTensors.ToTorch(b)), Tolerance.Exact));

            // A scalar predicate picks a whole operand (torch.where broadcasts the 0-d condition).
            var scalar = Samples.Bools(rng, []);
            total = total.Merge(Agreement.AssertClose($"select(scalar) {dtype.Name()}{a.Shape.ToTupleString()}", Lax.Select(scalar, a, b),
                torch.where(OracleTensors.ToTorch(scalar), OracleTensors.ToTorch(a), OracleTensors.ToTorch(b)), Tolerance.Exact));
        }
        log.WriteLine($"select {dtype.Name()}: {total}");
    }

    // Bounds are arrays like x (sometimes crossing: min > max gives max in both) or scalars; NaN in x propagates.
    [Theory, MemberData(nameof(Numbers))]
    public void Clamp_equals_torch_clamp(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("clamp" + dtype.Name()));
        var bounds = Domain.Uniform(-50, 50);
        var x = Domain.Uniform(-100, 100).WithSpecials();
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var shape in Samples.ElementwiseShapes)
        {
            var xs = Samples.Any(rng, dtype, shape, x);
            var lo = Samples.Any(rng, dtype, shape, bounds);
            var hi = Samples.Any(rng, dtype, shape, bounds);
            total = total.Merge(Agreement.AssertClose($"clamp {dtype.Name()}{xs.Shape.ToTupleString()}", Lax.Clamp(lo, xs, hi),
                torch.clamp(OracleTensors.ToTorch(xs), OracleTensors.ToTorch(lo), OracleTensors.ToTorch(hi)), Tolerance.Exact));

            // An integer tensor clamped by float scalars would become float in torch: the scalars match x's kind.
            var (loScalar, hiScalar) = dtype == DType.UInt8 ? (20.0, 200.0) : (-20.0, 30.0);
            var loTensor = Samples.Floats([loScalar], DType.Float64, []);
            var hiTensor = Samples.Floats([hiScalar], DType.Float64, []);
            total = total.Merge(Agreement.AssertClose($"clamp(scalars) {dtype.Name()}{xs.Shape.ToTupleString()}",
                Lax.Clamp(Lax.ConvertElementType(loTensor, dtype), xs, Lax.ConvertElementType(hiTensor, dtype)),
                dtype.IsFloat() ? torch.clamp(OracleTensors.ToTorch(xs), loScalar, hiScalar)
                    : torch.clamp(OracleTensors.ToTorch(xs), (long)loScalar, (long)hiScalar), Tolerance.Exact));
        }
        log.WriteLine($"clamp {dtype.Name()}: {total}");
    }

    public static TheoryData<DType, DType> Conversions()
    {
        var data = new TheoryData<DType, DType>();
        foreach (var from in AllDTypes)
            foreach (var to in AllDTypes)
                if (from != to) data.Add(from, to);
        return data;
    }

    // Float to integer only where the truncated value is in range (torch's out-of-range casts are undefined;
    // ours saturate, as XLA's). Integers wrap; bool is x != 0 (NaN is true); floats round to nearest even.
    [Theory, MemberData(nameof(Conversions))]
    public void Convert_element_type_equals_torch_to(DType from, DType to)
    {
        var domain = from.IsFloat() && to != DType.Bool && !to.IsFloat()
            ? InRangeOf(from, to)
            : Domain.SignedLogUniform(1e-6, 1e6).WithSpecials() with { Float64 = Domain.SignedLogUniform(1e-50, 1e50).WithSpecials() };
        Differential.Unary($"convert->{to.Name()}", from, (rng, shape) => Samples.Any(rng, from, shape, domain),
            x => Lax.ConvertElementType(x, to), x => x.to_type(OracleTensors.ScalarTypeOf(to)), Tolerance.Exact, log);
    }

    // Values strictly inside the target's range (the float's own range for float16), fractions included.
    static Domain InRangeOf(DType from, DType to)
    {
        var (lo, hi) = Samples.RangeOf(to);
        double limit = from == DType.Float16 ? 65504 : double.MaxValue;
        double a = Math.Max(lo, -limit) * 0.999, b = Math.Min(hi, limit) * 0.999;
        return new Domain($"inside {to.Name()}", r => r.Next(3) == 0 ? a + (b - a) * r.NextDouble() : Math.Clamp((r.NextDouble() - 0.5) * 40, a, b));
    }

    // TorchSharp 0.107 has no Tensor.view(dtype), so bitcasts are checked against BitConverter's reinterpretation.
    [Fact]
    public void Bitcast_float32_to_int32_and_back_reinterprets_bits()
    {
        var rng = new Random(1);
        var x = Samples.Floats(rng, DType.Float32, [5, 7], Values);
        var bits = Lax.BitcastConvertType(x, DType.Int32);
        var floats = x.Buffer.Span<float>().ToArray();
        Assert.Equal(floats.Select(BitConverter.SingleToInt32Bits).ToArray(), bits.Buffer.Span<int>().ToArray());
        Assert.True(Lax.BitcastConvertType(bits, DType.Float32).Buffer.BitwiseEquals(x.Buffer));
    }

    [Fact]
    public void Bitcast_float64_to_int64_and_float16_to_int16_reinterpret_bits()
    {
        var rng = new Random(2);
        var x64 = Samples.Floats(rng, DType.Float64, [13], Values);
        Assert.Equal(x64.Buffer.Span<double>().ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray(),
            Lax.BitcastConvertType(x64, DType.Int64).Buffer.Span<long>().ToArray());
        var x16 = Samples.Floats(rng, DType.Float16, [13], Values);
        Assert.Equal(x16.Buffer.Span<Half>().ToArray().Select(BitConverter.HalfToInt16Bits).ToArray(),
            Lax.BitcastConvertType(x16, DType.Int16).Buffer.Span<short>().ToArray());
    }

    // Narrowing adds a trailing dimension holding the bytes in memory (little-endian) order; widening drops it.
    [Fact]
    public void Bitcast_float32_to_uint8_splits_each_element_into_its_little_endian_bytes()
    {
        var rng = new Random(3);
        var x = Samples.Floats(rng, DType.Float32, [3, 4], Values);
        var bytes = Lax.BitcastConvertType(x, DType.UInt8);
        Assert.Equal(Shape.Of(3, 4, 4), bytes.Shape);
        var expected = x.Buffer.Span<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray();
        Assert.Equal(expected, bytes.Buffer.Span<byte>().ToArray());
        var back = Lax.BitcastConvertType(bytes, DType.Float32);
        Assert.True(back.Buffer.BitwiseEquals(x.Buffer));
    }

    [Fact]
    public void Bitcast_int8_to_uint8_keeps_the_twos_complement_bits()
    {
        var rng = new Random(4);
        var x = Samples.Integers(rng, DType.Int8, [50]);
        var u = Lax.BitcastConvertType(x, DType.UInt8);
        Assert.Equal(MemoryMarshal.Cast<sbyte, byte>(x.Buffer.Span<sbyte>()).ToArray(), u.Buffer.Span<byte>().ToArray());
        Assert.Equal(x.Buffer.Span<sbyte>().ToArray().Select(v => unchecked((byte)v)).ToArray(), u.Buffer.Span<byte>().ToArray());
    }
}
