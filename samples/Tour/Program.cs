// The tour: JAX's quickstart notebook, step by step, in C# (see ../../README.md and shared/tour.md).
// The notebook's jitted functions are [Jit] methods (TourKernels, at the end): compiled at dotnet build into native
// kernels beside this program, and run here without tracing. Each is timed eager, under runtime Jax.Jit and precompiled.
using System.Diagnostics;
using JaxToolchain;

// Jitted functions and large eager ops compile to native code through LLVM 19 in process (the opt-in
// Jax.Runtime.Jit); without libLLVM 19 the interpreter runs everything, and this line says why.
bool compiled = JaxJit.Enable(out var noLlvm);
string engine = compiled ? "compiled by LLVM; primitives without a CPU lowering run on the interpreter" : $"on the managed interpreter: {noLlvm}";
Console.WriteLine($"kernels: {engine}");
// JAX_TOUR_QUICK=1: the same steps on smaller arrays, timed once (the tests compare the CPU's and Vulkan's output).
bool quick = Environment.GetEnvironmentVariable("JAX_TOUR_QUICK") == "1";

static void Step(string title) => Console.WriteLine($"\n=== {title} ===");

static string Time(Func<Tensor> f, int repeats = 5)
{
    if (Environment.GetEnvironmentVariable("JAX_TOUR_QUICK") == "1") repeats = 1;
    f().BlockUntilReady();
    var times = new List<double>();
    for (int i = 0; i < repeats; i++)
    {
        var sw = Stopwatch.StartNew();
        f().BlockUntilReady();
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    double median = times[times.Count / 2];
    return median >= 1 ? $"{median:F2} ms (median of {repeats})" : $"{median * 1000:F1} us (median of {repeats})";
}


Step("1. zeros");
var x0 = Jnp.Zeros(10);
Console.WriteLine(x0);
Console.WriteLine($"double[10]: [{string.Join(", ", new double[10])}]");

Step("2. random.PRNGKey(0); random.normal(key, (10,))");
var key = Jax.Random.PRNGKey(0);
Console.WriteLine(Jax.Random.Normal(key, [10]));

Step("3. dot of a 3000x3000 float32 matrix with its transpose");
int size = quick ? 300 : 3000;
var x = Jax.Random.Normal(key, [size, size], Jnp.Float32);
Console.WriteLine($"jnp.dot(x, x.T): {Time(() => Jnp.Dot(x, x.T), 3)}");
var host = x.ToArray<float>();
{
    // The same product with a plain managed loop (i-k-j order, System.Numerics vectors), for contrast.
    var sw = Stopwatch.StartNew();
    var xt = new float[size * size];
    for (int i = 0; i < size; i++)
        for (int j = 0; j < size; j++) xt[j * size + i] = host[i * size + j];
    var c = new float[size * size];
    System.Threading.Tasks.Parallel.For(0, size, i =>
    {
        var row = c.AsSpan(i * size, size);
        for (int k = 0; k < size; k++)
        {
            float a = host[i * size + k];
            var b = xt.AsSpan(k * size, size);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b, a, row, row);
        }
    });
    Console.WriteLine($"managed loop with TensorPrimitives: {sw.Elapsed.TotalMilliseconds:F0} ms (one run)");
}

Step("4. host array (converted every call) vs an array already made");
Console.WriteLine($"from float[] every call: {Time(() => { var a = Jnp.Array<float>(host, [size, size]); return Jnp.Dot(a, a.T); }, 3)}");
var onDevice = Jax.DevicePut(x);
Console.WriteLine($"after device_put to {onDevice.Device}: {Time(() => Jnp.Dot(onDevice, onDevice.T), 3)}");
Console.WriteLine($"devices: [{string.Join(", ", Jax.Devices())}] (default {Jax.DefaultDevice}; JAX_PLATFORMS=vulkan makes the best Vulkan device the default)");
foreach (var d in Jax.Devices("vulkan")) Console.WriteLine($"  {d}: {d.DeviceKind}");

Step("5. selu on 10,000,000 floats");
static Tensor Selu(Tensor v, double alpha = 1.67, double lmbda = 1.05) =>
    lmbda * Jnp.Where(v > 0, v, alpha * Jnp.Exp(v) - alpha);
var big = Jax.Random.Normal(key, [quick ? 100_000 : 1_000_000 * 10]);
Console.WriteLine($"eager, op by op: {Time(() => Selu(big))}");
var seluJit = Jax.Jit((Func<Tensor, Tensor>)(v => Selu(v)));
Console.WriteLine($"Jax.Jit (traced once at run time, fused, one native loop): {Time(() => seluJit(big))}");
Console.WriteLine($"[Jit] precompiled at dotnet build: {Time(() => TourKernels.Selu(big))}");
Console.WriteLine(seluJit.Lower(big).AsText());

Step("6. x64, sum_logistic and grad");
Jax.Config.Update("jax_enable_x64", true);
static Tensor SumLogistic(Tensor v) => Jnp.Sum(1.0 / (1.0 + Jnp.Exp(-v)));
var xSmall = Jnp.Arange(100.0);
Console.WriteLine($"x_small[:5] = {xSmall[..5]}");
Console.WriteLine($"sum_logistic(x_small) = {SumLogistic(xSmall)}");
var derivativeFn = Jax.Grad(SumLogistic);
Console.WriteLine(derivativeFn(xSmall));
Console.WriteLine($"grad(sum_logistic)(x_small), eager: {Time(() => derivativeFn(xSmall))}");
var derivativeJit = Jax.Jit(derivativeFn);
Console.WriteLine($"jit(grad(sum_logistic)), runtime Jax.Jit: {Time(() => derivativeJit(xSmall))}");
Console.WriteLine($"[Jit] precompiled: {Time(() => TourKernels.SumLogisticGradient(xSmall))}");

Step("7. finite differences of sum_logistic");
{
    Tensor FirstFiniteDifferences(Func<Tensor, Tensor> f, Tensor v, double eps = 1e-6)
    {
        var eye = Jnp.Eye((int)v.Size);
        var rows = Enumerable.Range(0, (int)v.Size).Select(i => (f(v + eps * eye[i]) - f(v - eps * eye[i])) / (2 * eps));
        return Jnp.Stack(rows);
    }
    var fd = FirstFiniteDifferences(SumLogistic, xSmall);
    Console.WriteLine(fd);
    Console.WriteLine($"max |fd - grad| = {Jnp.Max(Jnp.Abs(fd - derivativeFn(xSmall)))}");
    Console.WriteLine($"time: {Time(() => FirstFiniteDifferences(SumLogistic, xSmall), 3)}");
}

Step("8. grad(jit(grad(jit(grad(sum_logistic)))))(1.0)");
Console.WriteLine(Jax.Grad(Jax.Jit(Jax.Grad(Jax.Jit(Jax.Grad(SumLogistic)))))(1.0));

Step("9. hessian = jit(jacfwd(jacrev(fun)))");
{
    var hessian = Jax.Jit(Jax.JacFwd(Jax.JacRev((Func<Tensor, Tensor>)TourKernels.Fun)));
    var point = Jnp.Array(new[] { 0.5, -1.0, 2.0 });
    Console.WriteLine(hessian(point));
    Console.WriteLine($"[Jit] precompiled, the same: {Jnp.Allclose(hessian(point), TourKernels.Hessian(point)).Item<bool>()}");
}

Step("10. broadcasting, dot and stack (x64 stays on, as in the notebook)");
var A = Jax.Random.Normal(key, [4, 4]);
var xa = Jnp.Arange(4);
var ya = Jnp.Arange(4);
var z = Jnp.Stack([xa, ya], 1);
Console.WriteLine($"x = {xa}");
Console.WriteLine($"A = {A}");
Console.WriteLine($"dot(A, x) = {Jnp.Dot(A, xa)}");
Console.WriteLine($"A * x = {A * xa}");
Console.WriteLine($"z = {z}");
Console.WriteLine($"dot(A, z) = {Jnp.Dot(A, z)}");
Console.WriteLine($"A @ z = {Jnp.Matmul(A, z)}");

Step("11. batching: naive, manual, vmap");
var mat = Jax.Random.Normal(key, [150, 100]);
var batched = Jax.Random.Normal(key, [10, 100]);
Tensor ApplyMatrix(Tensor v) => Jnp.Dot(mat, v);
Tensor NaiveBatched(Tensor vs) => Jnp.Stack(Enumerable.Range(0, (int)vs.ShapeAt(0)).Select(i => ApplyMatrix(vs[i])));
var manual = Jax.Jit((Func<Tensor, Tensor>)(vs => Jnp.Dot(vs, mat.T)));
Console.WriteLine($"naive:  {Time(() => NaiveBatched(batched))}");
Console.WriteLine($"manual (runtime Jax.Jit): {Time(() => manual(batched))}");
Console.WriteLine($"manual ([Jit] precompiled): {Time(() => TourKernels.ManualBatch(mat, batched))}");
var vmapped = Jax.Jit(Jax.Vmap((Func<Tensor, Tensor>)ApplyMatrix));
Console.WriteLine($"vmap (runtime Jax.Jit): {Time(() => vmapped(batched))}");
Console.WriteLine($"vmap ([Jit] precompiled): {Time(() => TourKernels.VmapBatch(mat, batched))}");
Console.WriteLine($"naive == manual: {Jnp.Allclose(NaiveBatched(batched), manual(batched), rtol: 1e-4, atol: 1e-4).Item<bool>()}");
Console.WriteLine($"naive == vmap:   {Jnp.Allclose(NaiveBatched(batched), vmapped(batched), rtol: 1e-4, atol: 1e-4).Item<bool>()}");
Console.WriteLine($"naive == [Jit] manual, vmap: {Jnp.Allclose(NaiveBatched(batched), TourKernels.ManualBatch(mat, batched), rtol: 1e-4, atol: 1e-4).Item<bool>()}, " +
    $"{Jnp.Allclose(NaiveBatched(batched), TourKernels.VmapBatch(mat, batched), rtol: 1e-4, atol: 1e-4).Item<bool>()}");

/// <summary>The notebook's jitted functions, compiled at dotnet build (one kernel per signature; n is any length).</summary>
internal static class TourKernels
{
    /// <summary>Step 5: selu with the notebook's alpha and lmbda.</summary>
    [Jit("f32[n]")]
    public static Tensor Selu(Tensor x) => 1.05 * Jnp.Where(x > 0, x, 1.67 * Jnp.Exp(x) - 1.67);

    /// <summary>Step 6: sum(1 / (1 + exp(-x))) and its gradient (x64: float64).</summary>
    public static Tensor SumLogistic(Tensor x) => Jnp.Sum(1.0 / (1.0 + Jnp.Exp(-x)));

    /// <summary>Step 6: grad(sum_logistic), precompiled.</summary>
    [Jit("f64[n]")]
    public static Tensor SumLogisticGradient(Tensor x) => Jax.Grad(SumLogistic)(x);

    /// <summary>Step 9: the function whose Hessian is taken.</summary>
    public static Tensor Fun(Tensor v) => Jnp.Sum(Jnp.Tanh(v) * Jnp.Tanh(v) * Jnp.Flip(v));

    /// <summary>Step 9: jacfwd(jacrev(fun)), precompiled (Jacobians need a static size: they differentiate along each of its directions).</summary>
    [Jit("f64[3]")]
    public static Tensor Hessian(Tensor v) => Jax.JacFwd(Jax.JacRev((Func<Tensor, Tensor>)Fun))(v);

    /// <summary>Step 11: batching by hand, dot(v_batched, mat.T).</summary>
    [Jit("f64[m,k]", "f64[b,k]")]
    public static Tensor ManualBatch(Tensor mat, Tensor batch) => Jnp.Dot(batch, mat.T);

    /// <summary>Step 11: vmap(apply_matrix) (vmap needs a static batch size).</summary>
    [Jit("f64[m,k]", "f64[10,k]")]
    public static Tensor VmapBatch(Tensor mat, Tensor batch) => Jax.Vmap((Tensor v) => Jnp.Dot(mat, v))(batch);
}
