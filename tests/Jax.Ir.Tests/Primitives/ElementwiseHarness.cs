using System.Numerics;

namespace JaxToolchain.Ir.Tests.Primitives;

/// <summary>Builds one-operation IR functions, runs them with the interpreter, and compares float results in ulps.</summary>
internal static class ElementwiseHarness
{
    /// <summary>Builds <c>func @name(args) { %r = prim args; return %r }</c>.</summary>
    public static Function Build(Primitive primitive, IReadOnlyList<ShapedType> argumentTypes, Attributes? attributes = null)
    {
        var block = new Block(argumentTypes);
        var result = new IrBuilder(block).Emit1(primitive, block.Arguments, attributes);
        block.SetResults([result]);
        return new Function(primitive.Name, block);
    }

    /// <summary>Runs a primitive on concrete buffers through IR and the interpreter.</summary>
    public static Buffer Run(Primitive primitive, Attributes? attributes, params Buffer[] operands)
    {
        var function = Build(primitive, operands.Select(o => o.Type).ToArray(), attributes);
        return Assert.Single(Interpreter.Run(function, operands));
    }

    /// <summary>Runs a primitive without attributes.</summary>
    public static Buffer Run(Primitive primitive, params Buffer[] operands) => Run(primitive, null, operands);

    /// <summary>The result type the primitive's rule infers.</summary>
    public static ShapedType Infer(Primitive primitive, params ShapedType[] operands) => Infer(primitive, null, operands);

    /// <summary>The result type the primitive's rule infers, with attributes.</summary>
    public static ShapedType Infer(Primitive primitive, Attributes? attributes, params ShapedType[] operands) =>
        Assert.Single(primitive.InferTypes(operands, attributes ?? Attributes.Empty, []));

    /// <summary>The message of the <see cref="JaxTypeException"/> the rule throws.</summary>
    public static string ErrorOf(Primitive primitive, Attributes? attributes, params ShapedType[] operands) =>
        Assert.Throws<JaxTypeException>(() => Build(primitive, operands, attributes)).Message;

    /// <summary>A 1-D float buffer holding the values rounded to the dtype (bfloat16 through float32).</summary>
    public static Buffer Vector(DType dtype, params double[] values)
    {
        Assert.True(dtype.IsFloat(), $"Vector makes float buffers, not {dtype.Name()}");
        var b = Buffer.Zeros(dtype, Shape.Of(values.Length));
        for (int i = 0; i < values.Length; i++) b.SetDouble(i, values[i]);
        return b;
    }

    /// <summary>A 1-D integer or bool buffer holding the values wrapped to the dtype (bool: != 0).</summary>
    public static Buffer Integers(DType dtype, params long[] values)
    {
        var b = Buffer.Zeros(dtype, Shape.Of(values.Length));
        for (int i = 0; i < values.Length; i++)
        {
            long v = values[i];
            switch (dtype)
            {
                case DType.Bool: b.Span<bool>()[i] = v != 0; break;
                case DType.Int8: b.Span<sbyte>()[i] = (sbyte)v; break;
                case DType.Int16: b.Span<short>()[i] = (short)v; break;
                case DType.Int32: b.Span<int>()[i] = (int)v; break;
                case DType.Int64: b.Span<long>()[i] = v; break;
                case DType.UInt8: b.Span<byte>()[i] = (byte)v; break;
                case DType.UInt16: b.Span<ushort>()[i] = (ushort)v; break;
                case DType.UInt32: b.Span<uint>()[i] = (uint)v; break;
                case DType.UInt64: b.Span<ulong>()[i] = (ulong)v; break;
                default: throw new ArgumentException($"Integers makes integer buffers, not {dtype.Name()}");
            }
        }
        return b;
    }

    /// <summary>A 1-D bool buffer.</summary>
    public static Buffer Bools(params bool[] values) => Buffer.Of(values);

    /// <summary>An integer or bool element as an exact integer.</summary>
    public static BigInteger IntegerAt(Buffer b, int i) => b.DType switch
    {
        DType.Bool => b.Span<bool>()[i] ? 1 : 0,
        DType.Int8 => b.Span<sbyte>()[i],
        DType.Int16 => b.Span<short>()[i],
        DType.Int32 => b.Span<int>()[i],
        DType.Int64 => b.Span<long>()[i],
        DType.UInt8 => b.Span<byte>()[i],
        DType.UInt16 => b.Span<ushort>()[i],
        DType.UInt32 => b.Span<uint>()[i],
        DType.UInt64 => b.Span<ulong>()[i],
        _ => throw new ArgumentException($"{b.DType.Name()} is not an integer dtype"),
    };

    /// <summary>Any element widened to double (exact for floats and bool, rounded for 64-bit integers).</summary>
    public static double ValueAt(Buffer b, int i) => b.DType switch
    {
        DType.Float16 => (double)b.Span<Half>()[i],
        DType.BFloat16 => (double)b.Span<BFloat16>()[i],
        DType.Float32 => b.Span<float>()[i],
        DType.Float64 => b.Span<double>()[i],
        _ => (double)IntegerAt(b, i),
    };

    /// <summary>The elements of an integer or bool buffer as their two's-complement bits in a long.</summary>
    public static long[] Longs(Buffer b) => Enumerable.Range(0, b.Length).Select(i => (long)(ulong)(IntegerAt(b, i) & ulong.MaxValue)).ToArray();

    /// <summary>The elements widened to double.</summary>
    public static double[] Doubles(Buffer b) => Enumerable.Range(0, b.Length).Select(i => ValueAt(b, i)).ToArray();

    /// <summary>The value rounded to a float dtype, as a double (bfloat16 through float32, as conversions do).</summary>
    public static double RoundTo(DType dtype, double value) => dtype switch
    {
        DType.Float16 => (double)(Half)value,
        DType.BFloat16 => (double)(BFloat16)(float)value,
        DType.Float32 => (float)value,
        _ => value,
    };

    /// <summary>Distance in units in the last place of a float dtype; 0 when both are NaN, large when one is.</summary>
    public static long UlpDistance(DType dtype, double actual, double expected)
    {
        if (double.IsNaN(actual) || double.IsNaN(expected)) return double.IsNaN(actual) && double.IsNaN(expected) ? 0 : long.MaxValue;
        if (actual == expected) return 0;
        return Math.Abs(Ordinal(dtype, actual) - Ordinal(dtype, expected));
    }

    // Maps a float to an integer that counts representable values (monotonic, adjacent floats differ by 1).
    private static long Ordinal(DType dtype, double v)
    {
        long bits = dtype switch
        {
            DType.Float16 => BitConverter.HalfToInt16Bits((Half)v),
            DType.BFloat16 => (short)((BFloat16)(float)v).Bits,
            DType.Float32 => BitConverter.SingleToInt32Bits((float)v),
            _ => BitConverter.DoubleToInt64Bits(v),
        };
        long sign = dtype switch { DType.Float16 or DType.BFloat16 => short.MinValue, DType.Float32 => int.MinValue, _ => long.MinValue };
        return bits < 0 ? sign - bits : bits;
    }

    /// <summary>Asserts that every element is within <paramref name="ulps"/> of the expected value rounded to the dtype.</summary>
    public static void AssertClose(Buffer actual, double[] expected, int ulps, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double want = RoundTo(actual.DType, expected[i]), got = ValueAt(actual, i);
            Assert.True(UlpDistance(actual.DType, got, want) <= ulps,
                $"{what}[{i}]: got {got:R}, expected {want:R} (within {ulps} ulp) for {actual.DType.Name()}");
        }
    }

    /// <summary>Asserts bitwise-exact equality of float elements (so -0.0 differs from 0.0), NaNs matching NaNs.</summary>
    public static void AssertExact(Buffer actual, params double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double want = RoundTo(actual.DType, expected[i]), got = ValueAt(actual, i);
            Assert.True(double.IsNaN(want) ? double.IsNaN(got) : BitConverter.DoubleToInt64Bits(want) == BitConverter.DoubleToInt64Bits(got),
                $"[{i}]: got {got:R}, expected {want:R} for {actual.DType.Name()}");
        }
    }

    /// <summary>Every (name, dtype) pair, as theory data.</summary>
    public static TheoryData<string, DType> Cross(IEnumerable<string> names, IEnumerable<DType> dtypes)
    {
        var data = new TheoryData<string, DType>();
        foreach (var name in names)
            foreach (var dtype in dtypes) data.Add(name, dtype);
        return data;
    }

    /// <summary>The float dtypes.</summary>
    public static readonly DType[] FloatDTypes = [DType.Float16, DType.BFloat16, DType.Float32, DType.Float64];

    /// <summary>The integer dtypes.</summary>
    public static readonly DType[] IntegerDTypes =
        [DType.Int8, DType.Int16, DType.Int32, DType.Int64, DType.UInt8, DType.UInt16, DType.UInt32, DType.UInt64];

    /// <summary>The smallest value of an integer dtype.</summary>
    public static BigInteger MinOf(DType dtype) => dtype.IsSignedInteger() ? -(BigInteger.One << (dtype.BitWidth() - 1)) : 0;

    /// <summary>The largest value of an integer dtype.</summary>
    public static BigInteger MaxOf(DType dtype) => (BigInteger.One << (dtype.BitWidth() - (dtype.IsSignedInteger() ? 1 : 0))) - 1;

    /// <summary>Wraps an integer into a dtype's range (two's complement).</summary>
    public static BigInteger Wrap(DType dtype, BigInteger v)
    {
        var modulus = BigInteger.One << dtype.BitWidth();
        var r = ((v % modulus) + modulus) % modulus;
        return r > MaxOf(dtype) ? r - modulus : r;
    }
}
