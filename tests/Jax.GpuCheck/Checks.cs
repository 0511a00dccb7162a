using JaxToolchain.Ir;

namespace JaxToolchain.GpuCheck;

/// <summary>
/// Jitted programs on the Vulkan device against the same programs on the CPU (the interpreter): elementwise chains,
/// reductions, matrix products, a program with a host step, and the dtypes float32, float64, int32, float16 and bool.
/// Each prints PASS or FAIL with its largest error; a failure to compile or run is a FAIL with the exception's message.
/// </summary>
internal sealed class Checks(Device gpu, Device cpu, bool quick, Report report)
{
    private bool _allPassed = true;

    private static Tensor Selu(Tensor x)
    {
        const float alpha = 1.67326324f, scale = 1.05070098f;
        return scale * Jnp.Where(x > 0, x, alpha * Jnp.Exp(x) - alpha);
    }

    private static Tensor Softmax(Tensor x)
    {
        var e = Jnp.Exp(x - Jnp.Max(x, -1, keepdims: true));
        return e / Jnp.Sum(e, -1, keepdims: true);
    }

    /// <summary>Deterministic values in [-1, 1) (a linear congruential generator), as float32 of <paramref name="shape"/>.</summary>
    public static Tensor Values(int[] shape, uint seed)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        var data = new float[n];
        uint state = seed * 2654435761u + 1;
        for (long i = 0; i < n; i++)
        {
            state = state * 1664525u + 1013904223u;
            data[i] = (state >> 8) / (float)(1 << 24) * 2 - 1;
        }
        return Jnp.Array<float>(data, shape);
    }

    /// <summary>Runs every check; true when all passed.</summary>
    public bool RunAll()
    {
        int n = quick ? 100_003 : 1_000_003;
        var x = Values([n], 1) * 5;
        Check("selu_f32", 1e-5, a => [Selu(a[0])], x);
        Check("softmax_f32", 1e-5, a => [Softmax(a[0])], Values([256, 1000], 2) * 10);
        Check("chain_f32", 1e-5, a => [Jnp.Tanh(a[0] * a[1] + 1) * 0.5f - Jnp.Exp(-a[1] * a[1])], x, Values([n], 3));
        Check("sum_f32", 1e-3, a => [Jnp.Sum(a[0])], x);
        Check("sum_rows_f32", 1e-5, a => [Jnp.Sum(a[0], 1)], Values([512, 300], 4));
        Check("max_f32", 0, a => [Jnp.Max(a[0]), Jnp.Max(a[1], 0)], x, Values([300, 257], 5));
        Check("argmax_f32", 0, a => [Jnp.Argmax(a[0]), Jnp.Argmax(a[1], 1)], x, Values([300, 257], 6));
        foreach (var (m, k, nn) in new[] { (64, 64, 64), (257, 300, 129), (512, 512, 512) })
            Check($"matmul_{m}x{k}x{nn}_f32", 1e-4, a => [Jnp.Matmul(a[0], a[1])], Values([m, k], 7), Values([k, nn], 8));
        // float16 products: the cooperative-matrix variant where the device has 16x16x16 float16 matrices (else the
        // portable kernel); both accumulate in float32 and round once, so only the order differs from the CPU.
        foreach (var (m, k, nn) in new[] { (64, 64, 64), (257, 300, 129), (512, 512, 512) })
            Check($"matmul_{m}x{k}x{nn}_f16", 4e-3, a => [Jnp.Matmul(a[0], a[1])], Values([m, k], 16).Astype(DType.Float16), Values([k, nn], 17).Astype(DType.Float16));
        Check("matmul_batched_bias_f16", 4e-3, a => [Jnp.Matmul(a[0], Jnp.Transpose(a[1], [0, 2, 1])) + a[2]],
            Values([3, 70, 33], 18).Astype(DType.Float16), Values([3, 65, 33], 19).Astype(DType.Float16), Values([65], 20).Astype(DType.Float16));
        Check("matmul_bias_relu_f32", 1e-4, a => [Jnp.Maximum(Jnp.Matmul(a[0], a[1]) + a[2], 0)], Values([128, 256], 9), Values([256, 64], 10), Values([64], 11));
        // transpose and cumsum may have no SPIR-V lowering (then they are host steps between device steps: the notices say).
        Check("host_step_mixed_f32", 1e-5, a => [Jnp.Cumsum(Jnp.Tanh(Jnp.Transpose(Jnp.Exp(a[0]) * 2)) + 1, 1) * 0.5f], Values([64, 48], 12));
        Check("int32", 0, a => [a[0] * 3 + 7 - (a[0] % 5), Jnp.Sum(a[0]), Jnp.Max(a[0])], Jnp.Arange(-5000, 5000, 7, DType.Int32));
        Check("bool", 0, a => [Jnp.LogicalAnd(a[0] > 0, a[1] < 0.5f), Jnp.Where(a[0] > a[1], a[0], a[1])], Values([10_000], 13), Values([10_000], 14));
        Check("float16", 2e-3, a => [a[0] * a[0] + a[0] * 0.5f - 1, Jnp.Exp(a[0])], Values([10_000], 15).Astype(DType.Float16));
        using (Jax.Config.X64Scope())
        {
            var d = Jnp.Linspace(-3.0, 3.0, 100_001, dtype: DType.Float64);
            Check("float64", 1e-12, a => [Jnp.Exp(a[0]) * a[0] - 1.0, Jnp.Sum(a[0] * a[0])], d);
        }
        return _allPassed;
    }

    private void Check(string name, double tolerance, Func<Tensor[], Tensor[]> f, params Tensor[] inputs)
    {
        try
        {
            var expected = Jax.Jit(f, new JitOptions { Name = "cpu_" + name, Device = cpu })([.. inputs.Select(x => Jax.DevicePut(x, cpu))]);
            var actual = Jax.Jit(f, new JitOptions { Name = "gpu_" + name, Device = gpu })([.. inputs.Select(x => Jax.DevicePut(x, gpu))]);
            double worst = 0;
            string note = "";
            for (int r = 0; r < expected.Length; r++)
            {
                actual[r].BlockUntilReady();
                if (!actual[r].Device.Equals(gpu)) note = $"result {r} on {actual[r].Device}";
                if (!actual[r].Shape.SequenceEqual(expected[r].Shape) || actual[r].DType != expected[r].DType)
                    throw new InvalidOperationException($"result {r}: {actual[r].DType}{ShapeText(actual[r])}, expected {expected[r].DType}{ShapeText(expected[r])}");
                var e = expected[r].ToArray<double>();
                var a = actual[r].ToArray<double>();
                for (int i = 0; i < e.Length; i++)
                {
                    if (double.IsNaN(e[i]) && double.IsNaN(a[i])) continue;
                    double error = e[i] == a[i] ? 0 : Math.Abs(a[i] - e[i]) / Math.Max(1, Math.Abs(e[i]));
                    if (double.IsNaN(error)) error = double.PositiveInfinity;
                    worst = Math.Max(worst, error);
                }
            }
            bool pass = worst <= tolerance;
            Record(name, pass, worst, tolerance, note);
        }
        catch (Exception e)
        {
            string message = e.Message.ReplaceLineEndings(" ");
            Record(name, false, double.NaN, tolerance, $"{e.GetType().Name}: {(message.Length > 300 ? message[..300] + "..." : message)}");
        }
    }

    private void Record(string name, bool pass, double error, double tolerance, string note)
    {
        _allPassed &= pass;
        Console.WriteLine($"  {(pass ? "PASS" : "FAIL")} {name,-26} max error {error,-10:G3} tolerance {tolerance:G3}{(note.Length > 0 ? "  " + note : "")}");
        report.Check(name, pass, error, tolerance, note);
    }

    private static string ShapeText(Tensor t) => "[" + string.Join(",", t.Shape) + "]";
}
