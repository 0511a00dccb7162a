namespace JaxToolchain.Ir.Tests.Execution;

public class SplatKernelTests
{
    private static Buffer Eval(Primitive p, params Buffer[] operands) => p.Evaluate(operands, Attributes.Empty, [], Interpreter.Default)[0];

    private static Buffer Splat<T>(T value, params int[] shape) where T : unmanaged
    {
        using var one = Buffer.Scalar(value);
        return Buffer.Splat(one, Shape.Of(shape));
    }

    private static Buffer Dense<T>(Buffer splat) where T : unmanaged => Buffer.FromSpan<T>(splat.Clone().Span<T>(), splat.Shape);

    [Fact]
    public void Broadcasting_one_element_gives_a_splat()
    {
        using var x = Buffer.Scalar(3f);
        var b = Prims.BroadcastInDim.Evaluate([x], Attributes.Of(("shape", Shape.Of(1000, 1000)), ("broadcast_dimensions", Array.Empty<long>())), [], Interpreter.Default)[0];
        Assert.True(b.IsSplat);
        Assert.Equal(3.0, b.GetDouble(999_999));
    }

    [Fact]
    public void Elementwise_ops_of_splats_give_splats()
    {
        using var a = Splat(2.0, 1000);
        using var b = Splat(3.0, 1000);
        using var sum = Eval(Prims.Mul, a, b);
        Assert.True(sum.IsSplat);
        Assert.Equal(6.0, sum.GetDouble(500));
        using var e = Eval(Prims.Exp, a);
        Assert.True(e.IsSplat);
        Assert.Equal(Math.Exp(2), e.GetDouble(0));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(8192)]
    [InlineData(8193)]
    [InlineData(1_000_003)]
    public void Splats_against_arrays_match_the_dense_computation_bit_for_bit(int n)
    {
        var rng = new Random(n);
        using var x = Buffer.FromSpan<float>(Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray(), Shape.Of(n));
        using var alpha = Splat(1.67f, n);
        using var dense = Dense<float>(alpha);
        foreach (var p in new Primitive[] { Prims.Mul, Prims.Sub, Prims.Pow, Prims.Atan2, Prims.Max })
        {
            using var left = Eval(p, alpha, x);
            using var right = Eval(p, x, alpha);
            using var denseLeft = Eval(p, dense, x);
            using var denseRight = Eval(p, x, dense);
            Assert.True(left.BitwiseEquals(denseLeft), p.Name);
            Assert.True(right.BitwiseEquals(denseRight), p.Name);
        }
    }

    [Fact]
    public void Select_and_clamp_accept_splat_and_scalar_operands()
    {
        using var x = Buffer.Of(new[] { -2f, -1, 0, 1, 2 });
        using var zero = Splat(0f, 5);
        using var positive = Eval(Prims.Gt, x, zero);
        Assert.Equal(new[] { false, false, false, true, true }, positive.ToArray<bool>());
        using var relu = Prims.Select.Evaluate([positive, x, zero], Attributes.Empty, [], Interpreter.Default)[0];
        Assert.Equal([0f, 0, 0, 1, 2], relu.ToArray<float>());
        using var lo = Buffer.Scalar(-1f);
        using var hi = Splat(1f, 5);
        using var clamped = Prims.Clamp.Evaluate([lo, x, hi], Attributes.Empty, [], Interpreter.Default)[0];
        Assert.Equal([-1f, -1, 0, 1, 1], clamped.ToArray<float>());
    }

    [Fact]
    public void Conversions_and_bitcasts_of_splats_are_exact()
    {
        using var x = Splat(1.5, 6);
        using var i = Prims.ConvertElementType.Evaluate([x], Attributes.Of(("new_dtype", DType.Int32), ("weak_type", false)), [], Interpreter.Default)[0];
        Assert.Equal(Enumerable.Repeat(1, 6), i.ToArray<int>());
        using var bits = Prims.BitcastConvertType.Evaluate([x], Attributes.Of(("new_dtype", DType.UInt32)), [], Interpreter.Default)[0];
        Assert.Equal(Shape.Of(6, 2), bits.Shape);
        var expected = BitConverter.DoubleToInt64Bits(1.5);
        Assert.Equal((uint)expected, bits.ToArray<uint>()[0]);
        Assert.Equal((uint)(expected >> 32), bits.ToArray<uint>()[11]);
    }

    [Fact]
    public void Transposes_slices_and_reversals_of_splats_stay_splats()
    {
        using var x = Splat(4, 3, 5);
        using var t = Prims.Transpose.Evaluate([x], Attributes.Of(("permutation", new long[] { 1, 0 })), [], Interpreter.Default)[0];
        Assert.True(t.IsSplat);
        Assert.Equal(Shape.Of(5, 3), t.Shape);
        using var r = Prims.Rev.Evaluate([x], Attributes.Of(("dimensions", new long[] { 0 })), [], Interpreter.Default)[0];
        Assert.True(r.IsSplat);
        using var sum = Prims.ReduceSum.Evaluate([x], Attributes.Of(("axes", new long[] { 0, 1 })), [], Interpreter.Default)[0];
        Assert.Equal(60, sum.GetInt64(0));
    }
}
