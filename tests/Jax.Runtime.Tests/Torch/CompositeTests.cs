using JaxToolchain.Ir;
using TorchSharp;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// Jnp/Nn functions composed from primitives (activations, softmax, logsumexp, mean/var/std, matmul, einsum,
/// linspace, arange) against torch's fused kernels. A composite rounds after every primitive where torch's kernel
/// rounds once, so bounds are looser than for single primitives; each test states its bound, and the measured
/// differences are logged.
/// </summary>
public sealed class CompositeTests(ITestOutputHelper log)
{
    public static TheoryData<DType> Floats => Samples.Rows(Samples.FloatDTypes);

    public static TheoryData<DType> Wide => Samples.Rows(DType.Float32, DType.Float64);

    static readonly Domain Activations = Domain.Uniform(-8, 8);

    /// <summary>Runs one composite with float64 allowed (JAX's x64 mode), as a user with x64 enabled would.</summary>
    static Discrepancy WithX64(Func<Discrepancy> check)
    {
        using var x64 = Jax.Config.X64Scope();
        return check();
    }

    [Theory, MemberData(nameof(Floats))]
    public void Relu_equals_torch_relu(DType dtype) => WithX64(() =>
        Differential.Unary("relu", dtype, Activations.WithSpecials(), Nn.Relu, x => torch.nn.functional.relu(x), Tolerance.SameValue, log));

    // jax.nn.elu is where(x > 0, x, alpha * expm1(x)): one rounding more than torch's fused kernel.
    [Theory, MemberData(nameof(Floats))]
    public void Elu_equals_torch_elu(DType dtype) => WithX64(() =>
        Differential.Unary("elu", dtype, Activations, x => Nn.Elu(x, 1.5), x => torch.nn.functional.elu(x, 1.5),
            Tolerance.InUlps(dtype, f32: 4, f64: 4), log));

    [Theory, MemberData(nameof(Floats))]
    public void Selu_equals_torch_selu(DType dtype) => WithX64(() =>
        Differential.Unary("selu", dtype, Activations, Nn.Selu, x => torch.nn.functional.selu(x), Tolerance.InUlps(dtype, f32: 4, f64: 4, half: 2), log));

    // JAX rounds every intermediate to the dtype where torch's kernel rounds once (computing float16/bfloat16 in
    // float32): in the negative tail, 1 + tanh(...) and 1 + erf(...) cancel, so the error there is absolute, a few
    // epsilons of the dtype (bfloat16 gelu(-3.27) is -0 in JAX's formula and -0.0015 in torch; float32
    // gelu(-5.3614) is -6.4e-7 in ours, -1.6e-7 in torch and -2.2e-7 exactly: both cancel).
    static Tolerance GeluBound(DType dtype) => Tolerance.InEpsilons(dtype, rtol: 4, atol: 8);

    [Theory, MemberData(nameof(Floats))]
    public void Gelu_with_the_tanh_approximation_equals_torch_gelu_tanh(DType dtype) => WithX64(() =>
        Differential.Unary("gelu(tanh)", dtype, Activations, x => Nn.Gelu(x, approximate: true),
            x => torch.nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh), GeluBound(dtype), log));

    [Theory, MemberData(nameof(Floats))]
    public void Gelu_exact_equals_torch_gelu(DType dtype) => WithX64(() =>
        Differential.Unary("gelu(erf)", dtype, Activations, x => Nn.Gelu(x, approximate: false),
            x => torch.nn.functional.gelu(x), GeluBound(dtype), log));

    // jax.nn.gelu(approximate=False) is x/2 * erfc(-x/sqrt 2), accurate relative to the result in the negative
    // tail; ours computes x/2 * (1 + erf(x/sqrt 2)), whose cancellation leaves only an absolute accuracy there
    // (float32 gelu(-5.2122) is -6.21e-7 in ours, -4.85e-7 exactly). Torch's float32 gelu cancels too, so the
    // reference is torch's float64 gelu rounded to float32.
    [Fact(Skip = "runtime bug: Nn.Gelu(approximate: false) computes 1 + erf(x/sqrt2) where JAX computes erfc(-x/sqrt2) (needs an erfc primitive): float32 relative error up to 3x in the tail x < -4")]
    public void Gelu_exact_is_relatively_accurate_in_the_negative_tail() => WithX64(() =>
        Differential.Unary("gelu(erf) tail", DType.Float32, Domain.Uniform(-9, -3), x => Nn.Gelu(x, approximate: false),
            x => torch.nn.functional.gelu(x.to_type(torch.ScalarType.Float64)).to_type(torch.ScalarType.Float32),
            Tolerance.InEpsilons(DType.Float32, rtol: 64, atol: 0), log));

    /// <summary>Shapes and axes for the row-wise functions (softmax, log_softmax, logsumexp).</summary>
    static readonly (long[] Shape, int Axis)[] Rows = [([7], -1), ([5, 31], -1), ([5, 31], 0), ([2, 3, 17], 1)];

    void RowWise(string name, DType dtype, Func<Tensor, int, Tensor> ours, Func<TorchTensor, long, TorchTensor> theirs, Tolerance tolerance,
        (long[] Shape, int Axis)[]? rows = null)
    {
        using var x64 = Jax.Config.X64Scope();
        var rng = new Random(Samples.SeedOf(name + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var (shape, axis) in rows ?? Rows)
        {
            var x = Samples.Floats(rng, dtype, shape, Domain.Uniform(-20, 20));
            total = total.Merge(Agreement.AssertClose($"{name} {dtype.Name()}{x.Shape.ToTupleString()} axis {axis}", ours(x, axis),
                theirs(OracleTensors.ToTorch(x), axis), tolerance));
        }
        log.WriteLine($"{name} {dtype.Name()}: {total}");
    }

    // Rounding each step in the dtype: log(sum) of a sum near 1 is off by an epsilon absolutely (float64
    // log_softmax -0.0014526482099602 against torch's -0.0014526482099605; in bfloat16 the sum rounds to 1 and the
    // log to 0).
    static Tolerance RowBound(DType dtype) => Tolerance.InEpsilons(dtype, rtol: 8, atol: 4, ulps: 8);

    [Theory, MemberData(nameof(Floats))]
    public void Softmax_equals_torch_softmax(DType dtype) =>
        RowWise("softmax", dtype, (x, a) => Nn.Softmax(x, a), (x, a) => torch.nn.functional.softmax(x, a), RowBound(dtype));

    [Theory, MemberData(nameof(Floats))]
    public void Log_softmax_equals_torch_log_softmax(DType dtype) =>
        RowWise("log_softmax", dtype, (x, a) => Nn.LogSoftmax(x, a), (x, a) => torch.nn.functional.log_softmax(x, a), RowBound(dtype));

    [Theory, MemberData(nameof(Floats))]
    public void Logsumexp_equals_torch_logsumexp(DType dtype) =>
        RowWise("logsumexp", dtype, (x, a) => Nn.Logsumexp(x, [a]), (x, a) => torch.logsumexp(x, a), RowBound(dtype));

    // JAX takes the max with initial=-inf, so rows of length zero give an empty softmax and a logsumexp of -inf.
    [Fact]
    public void Softmax_log_softmax_and_logsumexp_of_zero_length_rows_equal_torch()
    {
        var empty = new (long[], int)[] { ([4, 0], -1) };
        RowWise("softmax", DType.Float32, (x, a) => Nn.Softmax(x, a), (x, a) => torch.nn.functional.softmax(x, a), Tolerance.Exact, empty);
        RowWise("log_softmax", DType.Float32, (x, a) => Nn.LogSoftmax(x, a), (x, a) => torch.nn.functional.log_softmax(x, a), Tolerance.Exact, empty);
        RowWise("logsumexp", DType.Float32, (x, a) => Nn.Logsumexp(x, [a]), (x, a) => torch.logsumexp(x, a), Tolerance.Exact, empty);
    }

    static readonly (long[] Shape, int[] Axes)[] OverEveryAxis = [([37], [0]), ([4, 5, 6], [0, 1, 2])];

    static readonly (long[] Shape, int[] Axes)[] OverSomeAxes = [([4, 5, 6], [1]), ([4, 5, 6], [0, 2])];

    void Statistic(string name, DType dtype, (long[] Shape, int[] Axes)[] cases, Func<Tensor, int[], Tensor> ours,
        Func<TorchTensor, long[], TorchTensor> theirs)
    {
        using var x64 = Jax.Config.X64Scope();
        var rng = new Random(Samples.SeedOf(name + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var (shape, axes) in cases)
        {
            // An offset makes the mean large against the spread, where a one-pass variance would lose digits.
            var x = Samples.Floats(rng, dtype, shape, Domain.Uniform(90, 110));
            total = total.Merge(Agreement.AssertClose($"{name} {dtype.Name()}{x.Shape.ToTupleString()} axes [{string.Join(", ", axes)}]",
                ours(x, axes), theirs(OracleTensors.ToTorch(x), axes.Select(a => (long)a).ToArray()), Tolerance.InEpsilons(dtype, rtol: 16, atol: 0)));
        }
        log.WriteLine($"{name} {dtype.Name()}: {total}");
    }

    // Half precision accumulates in float32 in both (JAX's mean upcasts), so all dtypes share one bound.
    [Theory, MemberData(nameof(Floats))]
    public void Mean_over_every_axis_equals_torch_mean(DType dtype) =>
        Statistic("mean", dtype, OverEveryAxis, (x, a) => Jnp.Mean(x, a), (x, a) => x.mean(a));

    [Theory]
    [MemberData(nameof(Floats))]
    public void Mean_over_some_axes_equals_torch_mean(DType dtype) =>
        Statistic("mean", dtype, OverSomeAxes, (x, a) => Jnp.Mean(x, a), (x, a) => x.mean(a));

    [Theory]
    [MemberData(nameof(Floats))]
    public void Var_and_std_with_ddof_0_and_1_equal_torch(DType dtype)
    {
        var cases = OverEveryAxis.Concat(OverSomeAxes).ToArray();
        Statistic("var", dtype, cases, (x, a) => Jnp.Var(x, a), (x, a) => x.var(a, unbiased: false));
        Statistic("var(ddof=1)", dtype, cases, (x, a) => Jnp.Var(x, a, ddof: 1), (x, a) => x.var(a, unbiased: true));
        Statistic("std", dtype, cases, (x, a) => Jnp.Std(x, a), (x, a) => x.std(a, unbiased: false));
        Statistic("std(ddof=1)", dtype, cases, (x, a) => Jnp.Std(x, a, ddof: 1), (x, a) => x.std(a, unbiased: true));
    }

    /// <summary>Contractions compared relative to the same contraction of |a| and |b|.</summary>
    static Discrepancy Contraction(string what, DType dtype, Tensor ours, TorchTensor theirs, string einsum, params TorchTensor[] operands)
    {
        var scale = OracleTensors.Doubles(torch.einsum(einsum, operands.Select(t => t.abs().to_type(torch.ScalarType.Float64)).ToArray()));
        return Agreement.AssertClose(what, ours, theirs, Tolerance.Summation(dtype), scale: scale);
    }

    // Broadcast batch dimensions and the 1-D promotions (vector @ matrix, matrix @ vector, vector @ vector).
    [Theory, MemberData(nameof(Wide))]
    public void Matmul_equals_torch_matmul(DType dtype)
    {
        using var x64 = Jax.Config.X64Scope();
        var rng = new Random(Samples.SeedOf("jnp.matmul" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var (a, b, einsum) in new (long[], long[], string)[]
        {
            ([6, 9], [9, 4], "mk,kn->mn"), ([2, 1, 4, 5], [3, 5, 6], "abmk,bkn->abmn"), ([9], [9, 4], "k,kn->n"),
            ([3, 6, 9], [9], "bmk,k->bm"), ([9], [9], "k,k->"), ([2, 3, 4], [2, 4, 5], "bmk,bkn->bmn"),
        })
        {
            var x = Samples.Floats(rng, dtype, a, Domain.Uniform(-2, 2));
            var y = Samples.Floats(rng, dtype, b, Domain.Uniform(-2, 2));
            var (tx, ty) = (OracleTensors.ToTorch(x), OracleTensors.ToTorch(y));
            // torch.einsum would not broadcast the batch dims of size 1: expand them first for the bound.
            var (ex, ey) = a.Length == 4 ? (tx.expand([2, 3, 4, 5]), ty) : (tx, ty);
            total = total.Merge(Contraction($"matmul {dtype.Name()} {x.Shape.ToTupleString()} @ {y.Shape.ToTupleString()}",
                dtype, Jnp.Matmul(x, y), torch.matmul(tx, ty), einsum, ex, ey));
        }
        log.WriteLine($"jnp.matmul {dtype.Name()}: {total}");
    }

    [Theory, MemberData(nameof(Wide))]
    public void Einsum_equals_torch_einsum(DType dtype)
    {
        using var x64 = Jax.Config.X64Scope();
        var rng = new Random(Samples.SeedOf("jnp.einsum" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var (spec, shapes) in new (string, long[][])[]
        {
            ("ij,jk->ik", [[4, 5], [5, 3]]), ("bij,bjk->bik", [[2, 4, 5], [2, 5, 3]]), ("ij->ji", [[3, 5]]), ("ii->i", [[4, 4]]),
            ("i,j->ij", [[3], [4]]), ("ijk,kj->i", [[3, 4, 5], [5, 4]]), ("ij,ij->ij", [[3, 4], [3, 4]]), ("ij->", [[3, 4]]),
            ("abc,cd,de->abe", [[2, 3, 4], [4, 5], [5, 2]]),
        })
        {
            var xs = shapes.Select(s => Samples.Floats(rng, dtype, s, Domain.Uniform(-2, 2))).ToArray();
            var ts = xs.Select(OracleTensors.ToTorch).ToArray();
            total = total.Merge(Contraction($"einsum {spec} {dtype.Name()}", dtype, Jnp.Einsum(spec, xs), torch.einsum(spec, ts), spec, ts));
        }
        log.WriteLine($"jnp.einsum {dtype.Name()}: {total}");
    }

    // JAX computes start * (1 - t) + stop * t with t = i / (num - 1); torch steps from both ends. They agree within
    // a few ulps of the larger endpoint.
    [Theory, MemberData(nameof(Wide))]
    public void Linspace_equals_torch_linspace(DType dtype)
    {
        using var x64 = Jax.Config.X64Scope();
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var (start, stop, num) in new (double, double, int)[] { (0, 1, 11), (-3.5, 7.25, 50), (10, -10, 7), (1e3, 1e3 + 1, 33), (2, 5, 1), (0, 1, 0) })
        {
            double scale = Math.Max(Math.Abs(start), Math.Abs(stop));
            total = total.Merge(Agreement.AssertClose($"linspace({start}, {stop}, {num}) {dtype.Name()}", Jnp.Linspace(start, stop, num, dtype: dtype),
                torch.linspace(start, stop, num, OracleTensors.ScalarTypeOf(dtype)), Tolerance.InEpsilons(dtype, rtol: 2, atol: 0),
                scale: Enumerable.Repeat(scale, num).ToArray()));
        }
        log.WriteLine($"linspace {dtype.Name()}: {total}");
    }

    [Theory]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int64)]
    public void Integer_arange_equals_torch_arange(DType dtype)
    {
        using var x64 = Jax.Config.X64Scope();
        using var scope = torch.NewDisposeScope();
        foreach (var (start, stop, step) in new[] { (0, 10, 1), (3, 40, 7), (10, -5, -3), (5, 5, 1), (-7, 8, 2) })
            Agreement.AssertClose($"arange({start}, {stop}, {step}) {dtype.Name()}", Jnp.Arange(start, stop, step, dtype),
                torch.arange(start, stop, step, OracleTensors.ScalarTypeOf(dtype)), Tolerance.Exact);
    }

    // NumPy (and so JAX, which calls np.arange for concrete arguments) fills start + i * delta with
    // delta = (start + step) - start rounded in the dtype, so the error grows with i; torch computes start + i * step
    // in float64 and rounds (float32 arange(-1, 1, 0.1)[10] is 2.4e-7 in NumPy and ours, -3.0e-9 in torch).
    // Bounded relative to the larger endpoint.
    [Theory, MemberData(nameof(Wide))]
    public void Float_arange_equals_torch_arange(DType dtype)
    {
        using var x64 = Jax.Config.X64Scope();
        using var scope = torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var (start, stop, step) in new[] { (0.0, 5.0, 0.5), (0.5, 10.3, 0.7), (-1.0, 1.0, 0.1), (3.0, -2.0, -0.25) })
        {
            var expected = torch.arange(start, stop, step, OracleTensors.ScalarTypeOf(dtype));
            total = total.Merge(Agreement.AssertClose($"arange({start}, {stop}, {step}) {dtype.Name()}", Jnp.Arange(start, stop, step, dtype),
                expected, Tolerance.InEpsilons(dtype, rtol: 4, atol: 0),
                scale: Enumerable.Repeat(Math.Max(Math.Abs(start), Math.Abs(stop)), (int)expected.numel()).ToArray()));
        }
        log.WriteLine($"arange {dtype.Name()}: {total}");
    }
}
