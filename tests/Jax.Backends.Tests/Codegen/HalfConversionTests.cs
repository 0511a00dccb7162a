using System.Runtime.InteropServices;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Cpu.Codegen;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

/// <summary>
/// float16 in precompiled libraries: every x86-64 level links float16 kernels with no library call (x86-64-v2 has no
/// F16C and no level converts float64 to float16 in one instruction: <see cref="HalfConversions"/> does it in
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

        var folder = Directory.CreateTempSubdirectory("jax-half-").FullName;
        try
        {
            CpuTarget[] levels = [CpuTarget.LinuxX64V2, CpuTarget.LinuxX64V3, CpuTarget.LinuxX64V4];
            string Symbol(CpuTarget t) => $"halves_{t.Isa.Replace('-', '_')}";
            KernelSignature? signature = null;
            byte[] Emit(CpuTarget t)
            {
                using var context = LlvmContext.Create();
                var (module, s) = KernelCompiler.Build(context, f, Symbol(t), target: t);
                signature = s;
                using (module)
                using (var emitter = new ObjectEmitter(t))
                    return emitter.EmitObject(module);
            }
            string path = Path.Combine(folder, SharedLibraryLinker.LibraryFileName(CpuTarget.LinuxX64V2, "halves"));
            // The linker's check (CpuLibraryBuilder.Verify) refuses undefined symbols: a compiler-rt call would fail here.
            new SharedLibraryLinker().Link(CpuTarget.LinuxX64V2, levels.Select(Emit).ToArray(), levels.Select(Symbol).ToArray(), path);
            CpuLibraryBuilder.Verify(CpuTarget.LinuxX64V2, path, levels.Select(Symbol).ToArray());
            new SharedLibraryLinker().Link(CpuTarget.LinuxArm64, [Emit(CpuTarget.LinuxArm64)], [Symbol(CpuTarget.LinuxArm64)],
                Path.Combine(folder, SharedLibraryLinker.LibraryFileName(CpuTarget.LinuxArm64, "halves_arm64")));
            if (!(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)) return;
            nint library = NativeLibrary.Load(path);
            try
            {
                foreach (var level in levels.Where(SharedLibraryTests.Runs))
                {
                    var executable = new NativeKernelExecutable(level.Isa, NativeLibrary.GetExport(library, Symbol(level)),
                        signature!.Inputs, signature.Outputs, signature.Symbols, signature.Scratch, owner: null);
                    var actual = executable.Execute(args.Select(a => (DeviceArray)new HostArray(a.Share(), DeviceDescriptor.Cpu)).ToArray())
                        .Select(r => r.ReadHost()).ToArray();
                    CompiledKernels.AssertSameResults(expected, actual, $"float16 at {level.Isa}");
                }
            }
            finally
            {
                NativeLibrary.Free(library);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
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
