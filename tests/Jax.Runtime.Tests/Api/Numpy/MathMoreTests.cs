using JaxToolchain.Ir;
using TorchSharp;
using OracleTorch = JaxToolchain.Runtime.Tests.Oracle.Torch;
using TorchTensor = TorchSharp.torch.Tensor;

namespace JaxToolchain.Runtime.Tests.Api.Numpy;

/// <summary>
/// The elementwise math of <c>jax.numpy</c> added for breadth (inverse hyperbolics, float structure, integer gcd/lcm,
/// special functions) against TorchSharp, .NET's IEEE functions (ScaleB, ILogB, BitIncrement) or closed forms, with
/// derivatives against closed forms and finite differences.
/// </summary>
public class MathMoreTests
{
    private static readonly double[] Signed = [-1e300, -1e10, -3, -0.5, -1e-8, -0.0, 0, 1e-8, 0.5, 3, 1e10, 1e300, double.PositiveInfinity, double.NegativeInfinity, double.NaN];

    /// <summary>f and torch's g on float64 data (x64 on): equal within a relative tolerance.</summary>
    private static void AgreesWithTorch(double[] x, Func<Tensor, Tensor> f, Func<TorchTensor, TorchTensor> g, double tolerance)
    {
        using var x64 = Jax.Config.X64Scope(true);
        var ours = f(Jnp.Array(x));
        Assert.Equal(DType.Float64, ours.DType);
        using var input = OracleTorch.From(x);
        using var expected = g(input);
        Expect.Values(ours, OracleTorch.ToDoubles(expected), tolerance);
    }

    private static void AgreesWithTorch(double[] x, double[] y, Func<Tensor, Tensor, Tensor> f, Func<TorchTensor, TorchTensor, TorchTensor> g, double tolerance)
    {
        using var x64 = Jax.Config.X64Scope(true);
        var ours = f(Jnp.Array(x), Jnp.Array(y));
        using var a = OracleTorch.From(x);
        using var b = OracleTorch.From(y);
        using var expected = g(a, b);
        Expect.Values(ours, OracleTorch.ToDoubles(expected), tolerance);
    }

    [Fact]
    public void Inverse_hyperbolic_functions_match_torch_in_float64()
    {
        AgreesWithTorch(Signed, Jnp.Arcsinh, torch.asinh, 1e-15);
        AgreesWithTorch([1, 1 + 1e-10, 1.5, 10, 1e10, 1e300, double.PositiveInfinity, 0.5, double.NaN], Jnp.Arccosh, torch.acosh, 1e-15);
        AgreesWithTorch([-1, -0.999, -0.5, -1e-9, 0, 0.3, 0.999, 1, 2, double.NaN], Jnp.Arctanh, torch.atanh, 1e-15);
    }

    [Fact]
    public void Arcsinh_does_not_overflow_in_float32_and_keeps_the_sign_of_zero()
    {
        float[] x = [-1e30f, -2f, -0f, 0f, 1e-20f, 2f, 1e30f, 3e38f];
        var ours = Jnp.Arcsinh(Jnp.Array(x)).ToArray<float>();
        for (int i = 0; i < x.Length; i++) Expect.Close(Math.Asinh(x[i]), ours[i], 1e-6, i);
        Assert.True(float.IsNegative(ours[2]));
        Expect.Close(Math.Acosh(1e30), Jnp.Arccosh(Jnp.Array(1e30f)).Item<float>(), 1e-6);
    }

    [Fact]
    public void Inverse_hyperbolic_derivatives_are_the_closed_forms_including_at_zero()
    {
        foreach (var v in new[] { -2.0, -0.3, 0.0, 0.7, 5.0 })
            Expect.Close(1 / Math.Sqrt(v * v + 1), Jax.Grad(Jnp.Arcsinh)(Jnp.Array((float)v)).Item<float>(), 1e-6);
        foreach (var v in new[] { 1.2, 3.0, 100.0 })
            Expect.Close(1 / Math.Sqrt(v * v - 1), Jax.Grad(Jnp.Arccosh)(Jnp.Array((float)v)).Item<float>(), 1e-5);
        foreach (var v in new[] { -0.9, 0.0, 0.5 })
            Expect.Close(1 / (1 - v * v), Jax.Grad(Jnp.Arctanh)(Jnp.Array((float)v)).Item<float>(), 1e-5);
        GradientCheck.CheckGrads(a => [Jnp.Arcsinh(a[0]), Jnp.Arctanh(a[1])], [Jnp.Array(new[] { -1.5f, 0.2f, 4f }), Jnp.Array(new[] { -0.4f, 0.1f })], order: 2);
    }

    [Fact]
    public void Angle_conversions_are_exact_multiples_in_an_inexact_dtype()
    {
        Expect.Array(Jnp.Deg2rad(Jnp.Array(new[] { 0, 90, 180, -360 })), DType.Float32, [4], [0, (float)(Math.PI / 2), (float)Math.PI, (float)(-2 * Math.PI)], 1e-7);
        Expect.Array(Jnp.Radians(Jnp.Array(new[] { 45f })), DType.Float32, [1], [(float)(Math.PI / 4)], 1e-7);
        Expect.Array(Jnp.Rad2deg(Jnp.Array(new[] { (float)Math.PI, 1f })), DType.Float32, [2], [180, 57.29578], 1e-6);
        Expect.Values(Jnp.Degrees(Jnp.Array(new[] { -Math.PI / 2 })), [-90], 1e-6);
    }

    [Fact]
    public void Signbit_and_copysign_read_the_sign_bit()
    {
        double[] x = [-2, -0.0, 0, 3, double.NegativeInfinity, double.PositiveInfinity];
        Expect.Bools(Jnp.Signbit(Jnp.Array(x)), true, true, false, false, true, false);
        Expect.Bools(Jnp.Signbit(Jnp.Array(new[] { -3, 0, 4 })), true, false, false);
        Expect.Bools(Jnp.Signbit(Jnp.Array(new[] { true })), false);
        AgreesWithTorch([1, -2, 3, 0, -0.0, double.PositiveInfinity], [-1, 5, -0.0, -4, 2, -1], Jnp.Copysign, torch.copysign, 0);
        Assert.True(double.IsNegative(Jnp.Copysign(Jnp.Array(new[] { 0f }), Jnp.Array(new[] { -0f })).ToArray<float>()[0]));
        Expect.Array(Jnp.Copysign(Jnp.Array(new[] { 2, 3 }), -1), DType.Float32, [2], [-2, -3]);
    }

    [Fact]
    public void Frexp_matches_ilogb_and_scaleb_including_subnormals()
    {
        double[] x = [1, -3, 0.1, 1e300, 1e-310, -5e-324, 0, -0.0, double.PositiveInfinity, double.NaN, 1024];
        using (Jax.Config.X64Scope(true))
        {
            var (m, e) = Jnp.Frexp(Jnp.Array(x));
            Assert.Equal(DType.Int32, e.DType);
            var mv = m.ToArray<double>();
            var ev = e.ToArray<int>();
            for (int i = 0; i < x.Length; i++)
            {
                if (x[i] == 0 || !double.IsFinite(x[i]))
                {
                    Expect.Close(x[i], mv[i], 0, i);
                    Assert.Equal(0, ev[i]);
                    continue;
                }
                int exponent = Math.ILogB(x[i]) + 1;
                Assert.Equal(exponent, ev[i]);
                Assert.Equal(Math.ScaleB(x[i], -exponent), mv[i]);
            }
        }
        float[] f = [1e-40f, 3f, -0.75f, float.MaxValue];
        var (mf, ef) = Jnp.Frexp(Jnp.Array(f));
        for (int i = 0; i < f.Length; i++)
        {
            Assert.Equal(MathF.ILogB(f[i]) + 1, ef.ToArray<int>()[i]);
            Assert.Equal(MathF.ScaleB(f[i], -(MathF.ILogB(f[i]) + 1)), mf.ToArray<float>()[i]);
        }
        var (mh, eh) = Jnp.Frexp(Jnp.Array(new[] { (Half)6, (Half)1e-6f }));
        Assert.Equal(DType.Float16, mh.DType);
        Assert.Equal([3, -19], eh.ToArray<int>());
        Expect.Values(mh, [0.75, (double)(Half)1e-6f * Math.Pow(2, 19)], 1e-3);
    }

    [Fact]
    public void Ldexp_is_scaleb_with_one_rounding_and_no_intermediate_overflow()
    {
        (double X, int N)[] cases = [(1.5, -1074), (3, 1000), (1e-300, 700), (1e300, -1100), (0.75, 1025), (1, -1075), (5e-324, 1074), (2, -1), (-7, 3), (0, 5000), (double.NaN, 1)];
        using (Jax.Config.X64Scope(true))
        {
            var ours = Jnp.Ldexp(Jnp.Array(cases.Select(c => c.X).ToArray()), Jnp.Array(cases.Select(c => c.N).ToArray())).ToArray<double>();
            for (int i = 0; i < cases.Length; i++) Expect.Close(Math.ScaleB(cases[i].X, cases[i].N), ours[i], 0, i);
        }
        (float X, int N)[] single = [(1.5f, -149), (1e-40f, 200), (3e38f, -260), (1, 128), (1, 127)];
        var f = Jnp.Ldexp(Jnp.Array(single.Select(c => c.X).ToArray()), Jnp.Array(single.Select(c => c.N).ToArray())).ToArray<float>();
        for (int i = 0; i < single.Length; i++) Assert.Equal(MathF.ScaleB(single[i].X, single[i].N), f[i]);
        Expect.Array(Jnp.Ldexp(Jnp.Array(new[] { 3, 5 }), Jnp.Array(new byte[] { 2, 200 })), DType.Float32, [2], [12, double.PositiveInfinity]);
        Expect.Values(Jax.Grad((Tensor x) => Jnp.Sum(Jnp.Ldexp(x, Jnp.Array(new[] { 3, -1 }))))(Jnp.Array(new[] { 1f, 2f })), [8, 0.5]);
        Expect.Error(() => Jnp.Ldexp(Jnp.Array(new[] { 1f }), Jnp.Array(new[] { 2f })), "ldexp", "integer exponent", "MathMoreTests.cs(");
    }

    [Fact]
    public void Spacing_is_the_gap_to_the_next_float_away_from_zero()
    {
        using (Jax.Config.X64Scope(true))
        {
            double[] x = [1, -1, 0, 1e300, -1e-310, double.MaxValue, double.PositiveInfinity, double.NaN];
            var expected = x.Select(v => double.IsNaN(v) || double.IsInfinity(v) ? double.NaN
                : v == double.MaxValue ? double.PositiveInfinity
                : v >= 0 ? Math.BitIncrement(v) - v : Math.BitDecrement(v) - v).ToArray();
            Expect.Values(Jnp.Spacing(Jnp.Array(x)), expected);
        }
        Assert.Equal(MathF.BitIncrement(1f) - 1f, Jnp.Spacing(Jnp.Array(new[] { 1f })).ToArray<float>()[0]);
        Assert.Equal(-float.Epsilon, Jnp.Spacing(Jnp.Array(new[] { -0f })).ToArray<float>()[0]);
    }

    [Fact]
    public void Gcd_and_lcm_match_torch_on_signed_integers_under_jit_and_vmap()
    {
        long[] a = [12, -18, 0, 0, 7, 100, -48, 1];
        long[] b = [18, 12, 5, 0, 13, -75, -36, 1];
        using var ta = torch.tensor(a);
        using var tb = torch.tensor(b);
        using var tg = torch.gcd(ta, tb);
        using var tl = torch.lcm(ta, tb);
        var x = Jnp.Array(a.Select(v => (int)v).ToArray());
        var y = Jnp.Array(b.Select(v => (int)v).ToArray());
        Expect.Array(Jnp.Gcd(x, y), DType.Int32, [8], OracleTorch.ToDoubles(tg));
        Expect.Array(Jnp.Lcm(x, y), DType.Int32, [8], OracleTorch.ToDoubles(tl));
        Expect.Values(Jax.Jit((Tensor p, Tensor q) => Jnp.Gcd(p, q))(x, y), OracleTorch.ToDoubles(tg));
        Expect.Values(Jax.Vmap((Tensor p) => Jnp.Lcm(p, 6))(Jnp.Array(new[] { 4, 9, 0 })), [12, 18, 0]);
        Expect.Array(Jnp.Gcd(Jnp.Array(new byte[] { 200, 36 }), Jnp.Array(new byte[] { 150, 24 })), DType.UInt8, [2], [50, 12]);
        Expect.Error(() => Jnp.Gcd(Jnp.Array(new[] { 1f }), 2), "gcd", "must be integers", "MathMoreTests.cs(");
    }

    [Fact]
    public void Heaviside_fmax_fmin_logaddexp2_float_power_match_torch()
    {
        AgreesWithTorch([-2, 0, 3, 0, -0.0], [0.5, 0.5, 0.5, 1, 0.25], Jnp.Heaviside, torch.heaviside, 0);
        // JAX (unlike NumPy's NaN) takes x2 where x1 is NaN: neither below nor above 0.
        Expect.Array(Jnp.Heaviside(Jnp.Array(new[] { float.NaN, -1 }), 0.5), DType.Float32, [2], [0.5, 0]);
        AgreesWithTorch([1, double.NaN, 3, double.NaN, -0.5], [2, 4, double.NaN, double.NaN, -1], Jnp.Fmax, torch.fmax, 0);
        AgreesWithTorch([1, double.NaN, 3, double.NaN, -0.5], [2, 4, double.NaN, double.NaN, -1], Jnp.Fmin, torch.fmin, 0);
        AgreesWithTorch([0, 1, -50, 1000, double.NegativeInfinity, double.PositiveInfinity], [0, 3, -52, 999, 2, double.PositiveInfinity], Jnp.Logaddexp2, torch.logaddexp2, 1e-15);
        AgreesWithTorch([2, 9, 0.5, 4], [3, 0.5, -2, 0], Jnp.FloatPower, torch.float_power, 1e-15);
        Expect.Array(Jnp.FloatPower(Jnp.Array(new[] { 2, 3 }), 2), DType.Float32, [2], [4, 9]);
    }

    [Fact]
    public void Nan_to_num_uses_the_dtypes_extremes_by_default()
    {
        var x = Jnp.Array(new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1.5f });
        Expect.Array(Jnp.NanToNum(x), DType.Float32, [4], [0, float.MaxValue, float.MinValue, 1.5]);
        Expect.Values(Jnp.NanToNum(x, nan: -1, posinf: 10, neginf: -10), [-1, 10, -10, 1.5]);
        var h = Jnp.NanToNum(Jnp.Array(new[] { Half.PositiveInfinity, Half.NaN }));
        Expect.Array(h, DType.Float16, [2], [65504, 0]);
        Expect.Array(Jnp.NanToNum(Jnp.Array(new[] { 3 })), DType.Int32, [1], [3]);
        Expect.Bools(Jnp.Isposinf(x), false, true, false, false);
        Expect.Bools(Jnp.Isneginf(x), false, false, true, false);
        Expect.Bools(Jnp.Isneginf(Jnp.Array(new[] { -1 })), false);
    }

    [Fact]
    public void Sinc_matches_torch_with_derivatives_at_zero_from_the_maclaurin_series()
    {
        AgreesWithTorch([-2.5, -1, -1e-9, 0, 1e-9, 0.5, 1, 3.25, 100], Jnp.Sinc, torch.sinc, 1e-14);
        var grad = Jax.Grad(Jnp.Sinc);
        Assert.Equal(0f, grad(Jnp.Array(0f)).Item<float>());
        Expect.Close(-4 / Math.PI, grad(Jnp.Array(0.5f)).Item<float>(), 1e-6);
        Expect.Close(-Math.PI * Math.PI / 3, Jax.Grad(grad)(Jnp.Array(0f)).Item<float>(), 1e-6);
        GradientCheck.CheckGrads(a => [Jnp.Sinc(a[0])], [Jnp.Array(new[] { -1.3f, 0.25f, 2.5f })], order: 2);
        Expect.Values(Jax.Jit(Jnp.Sinc)(Jnp.Array(new[] { 0f, 0.5f })), [1, 2 / Math.PI], 1e-7);
    }

    [Fact]
    public void I0_matches_torch_and_its_derivative_is_i1()
    {
        double[] x = [-20, -8.5, -8, -1, 0, 0.5, 1, 5, 8, 8.0001, 10, 30, 100];
        AgreesWithTorch(x, Jnp.I0, torch.i0, 1e-14);
        using (Jax.Config.X64Scope(true))
        {
            double[] points = [-8.5, -1, 0.5, 5, 10];
            var grads = Jax.Vmap(Jax.Grad(Jnp.I0))(Jnp.Array(points));
            using var input = OracleTorch.From(points);
            using var i1 = torch.special.i1(input);
            Expect.Values(grads, OracleTorch.ToDoubles(i1), 1e-13);
        }
        Assert.Equal(0f, Jax.Grad(Jnp.I0)(Jnp.Array(0f)).Item<float>());
        float[] f = [0.5f, 7f, 9f, 40f];
        using var tf = OracleTorch.From(f.Select(v => (double)v).ToArray());
        using var reference = torch.i0(tf);
        Expect.Values(Jnp.I0(Jnp.Array(f)), OracleTorch.ToDoubles(reference), 2e-6);
    }

    [Fact]
    public void Modf_divmod_fix_around_fabs_and_the_real_array_functions()
    {
        var (frac, whole) = Jnp.Modf(Jnp.Array(new[] { 2.5f, -3.75f, 0f }));
        Expect.Values(frac, [0.5, -0.75, 0]);
        Expect.Values(whole, [2, -3, 0]);
        var (q, r) = Jnp.Divmod(Jnp.Array(new[] { 7, -7, 7 }), Jnp.Array(new[] { 2, 2, -2 }));
        Expect.Array(q, DType.Int32, [3], [3, -4, -4]);
        Expect.Array(r, DType.Int32, [3], [1, 1, -1]);
        Expect.Values(Jnp.Fix(Jnp.Array(new[] { 2.7f, -2.7f })), [2, -2]);
        Expect.Values(Jnp.Around(Jnp.Array(new[] { 1.25, 2.5, -0.5 }), 1), [1.2, 2.5, -0.5], 1e-7);
        Expect.Array(Jnp.Fabs(Jnp.Array(new[] { -3, 2 })), DType.Float32, [2], [3, 2]);
        var x = Jnp.Array(new[] { 1f, -2f });
        Assert.Same(x, Jnp.Real(x));
        Assert.Same(x, Jnp.Conj(x));
        Assert.Same(x, Jnp.Conjugate(x));
        Expect.Array(Jnp.Imag(x), DType.Float32, [2], [0, 0]);
        Expect.Bools(Jnp.Isreal(x), true, true);
        Expect.Bools(Jnp.Iscomplex(x), false, false);
    }

    [Fact]
    public void Results_agree_under_jit_and_null_arguments_are_named()
    {
        var x = Jnp.Array(new[] { -3.5f, 1e-39f, 0.25f, 40f });
        foreach (var f in new Func<Tensor, Tensor>[] { Jnp.Arcsinh, Jnp.Spacing, t => Jnp.Frexp(t).Mantissa, t => Jnp.Ldexp(t, 3), Jnp.Signbit })
            Assert.Equal(f(x).ToArray<double>(), Jax.Jit(f)(x).ToArray<double>());
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => Jnp.Arcsinh(null!)).ParamName);
        Assert.Equal("x2", Assert.Throws<ArgumentNullException>(() => Jnp.Gcd(1, null!)).ParamName);
        Assert.Equal("x1", Assert.Throws<ArgumentNullException>(() => Jnp.Fmax(null!, 1)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => Jnp.Atleast2d((Tensor)null!)).ParamName);
    }
}
