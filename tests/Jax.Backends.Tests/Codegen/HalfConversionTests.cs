using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

/// <summary>
/// float16 in precompiled libraries: every x86-64 level links float16 kernels with no library call (x86-64-v2 has no
/// F16C and no level converts float64 to float16 in one instruction: <c>HalfConversions</c> does it in
/// arithmetic), and each level this machine runs gives the interpreter's bits: every float16 widened, float32 and
/// float64 values rounded to float16 (ties, subnormals, overflow, infinities, signed zeros, NaNs), float16 arithmetic
/// and a float16 reduction.
/// </summary>
public class HalfConversionTests
{
    private const string Source = """
        func @halves(%0: f16[n], %1: f32[m], %2: f64[m]) -> (f32[n], f16[m], f16[m], f16[n], f16[]) {
          %3 = convert_element_type %0 {new_dtype = f32, weak_type = false} : f32[n]
          %4 = convert_element_type %1 {new_dtype = f16, weak_type = false} : f16[m]
          %5 = convert_element_type %2 {new_dtype = f16, weak_type = false} : f16[m]
          %6 = mul %0, %0 : f16[n]
          %7 = add %6, %0 : f16[n]
          %8 = reduce_sum %0 {axes = [0]} : f16[]
          return %3, %4, %5, %7, %8
        }
        """;

    [Fact]
    public void Float16_kernels_link_on_every_level_and_give_the_interpreters_bits()
    {
        var f = IrParser.ParseFunction(Source);
        // Every float16 bit pattern (the products and the sum overflow to infinity or NaN: compared as they are).
        var halves = Buffer.Zeros(DType.Float16, Shape.Of(65536));
        var bits = halves.Span<Half>();
        for (int i = 0; i < 65536; i++) bits[i] = BitConverter.UInt16BitsToHalf((ushort)i);
        var floats = NarrowingCases();
        var singles = Buffer.Zeros(DType.Float32, Shape.Of(floats.Length));
        var doubles = Buffer.Zeros(DType.Float64, Shape.Of(floats.Length));
        for (int i = 0; i < floats.Length; i++)
        {
            singles.SetDouble(i, (float)floats[i]);
            doubles.SetDouble(i, floats[i]);
        }
        Buffer[] args = [halves, singles, doubles];
        var expected = Interpreter.Run(f, args);

        // Linking checks that nothing is left undefined: a compiler-rt call would fail here.
        using var library = new IsaLevelLibrary(f, "halves");
        foreach (var level in library.RunnableLevels)
            CompiledKernels.AssertSameResults(expected, library.Run(level, args), $"float16 at {level.Isa}");
    }

    /// <summary>Values around every float16 rounding boundary: ties, subnormals, the overflow threshold, specials.</summary>
    private static double[] NarrowingCases()
    {
        var cases = new List<double> { 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, -double.NaN,
            65504, 65519.99, 65520, 65535.9, 65536, 1e10, -65520, 5.960464477539063e-8, 2.9802322387695312e-8, 2.98023224e-8,
            8.940696716308594e-8, 6.103515625e-5, 6.097555160522461e-5, 1e-30, double.Epsilon, 1.0 + 1.0 / 2048, 1.0 + 3.0 / 2048,
            1.0 + 1.0 / 2048 + 1e-12, 2049, 2051, 4097, float.MaxValue, double.MaxValue };
        var rng = new Random(7);
        for (int i = 0; i < 4000; i++)
        {
            // Mid-points between neighbouring float16 values, and random values over the whole range.
            double h = (double)BitConverter.UInt16BitsToHalf((ushort)rng.Next(0, 0x7C00));
            double next = (double)BitConverter.UInt16BitsToHalf((ushort)(BitConverter.HalfToUInt16Bits((Half)h) + 1));
            cases.Add((h + next) / 2 * (rng.Next(2) == 0 ? 1 : -1));
            cases.Add(Math.ScaleB(rng.NextDouble(), rng.Next(-30, 18)) * (rng.Next(2) == 0 ? 1 : -1));
        }
        return [.. cases];
    }
}
