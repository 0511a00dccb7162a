using JaxToolchain.Ir;
using TorchSharp;
using TorchOracle = JaxToolchain.Runtime.Tests.Oracle.Torch;

namespace JaxToolchain.Runtime.Tests.Api.Gaps;

/// <summary>
/// The jax.numpy names added to complete the module: constants, array-API aliases, window functions (NumPy's
/// documented values), dtype helpers (NumPy's and JAX's tables), selection and placement, bit packing, vectorize,
/// with gradients against finite differences and runs under jit and vmap.
/// </summary>
public class NumpyGapsTests
{
    private static Tensor F64(params double[] x) => Jnp.Array(x);

    [Fact]
    public void Constants_and_array_api_aliases_match_their_numpy_names()
    {
        Assert.Equal(Math.PI, Jnp.Pi);
        Assert.Equal(Math.E, Jnp.E);
        Assert.Equal(0.5772156649015329, Jnp.EulerGamma);
        Assert.True(double.IsPositiveInfinity(Jnp.Inf) && double.IsNaN(Jnp.Nan));
        using var _ = Jax.Config.X64Scope(true);
        var x = F64(-0.9, -0.2, 0.3, 0.8);
        var big = F64(1.5, 2, 7);
        Assert.Equal(Jnp.Arccos(x).ToArray<double>(), Jnp.Acos(x).ToArray<double>());
        Assert.Equal(Jnp.Arcsin(x).ToArray<double>(), Jnp.Asin(x).ToArray<double>());
        Assert.Equal(Jnp.Arctan(x).ToArray<double>(), Jnp.Atan(x).ToArray<double>());
        Assert.Equal(Jnp.Arctanh(x).ToArray<double>(), Jnp.Atanh(x).ToArray<double>());
        Assert.Equal(Jnp.Arcsinh(x).ToArray<double>(), Jnp.Asinh(x).ToArray<double>());
        Assert.Equal(Jnp.Arccosh(big).ToArray<double>(), Jnp.Acosh(big).ToArray<double>());
        Expect.Values(Jnp.Atan2(F64(1, -1), F64(-1, -1)), [Math.Atan2(1, -1), Math.Atan2(-1, -1)], 1e-15);
        Expect.Values(Jnp.Pow(F64(2, 3), 2.0), [4, 9]);
        var i = Jnp.Array(new[] { 1, 6, -8 });
        Expect.Values(Jnp.BitwiseInvert(i), [-2, -7, 7]);
        Expect.Values(Jnp.BitwiseLeftShift(i, Jnp.Array(new[] { 1, 2, 0 })), [2, 24, -8]);
        Expect.Values(Jnp.BitwiseRightShift(i, Jnp.Array(new[] { 1, 1, 2 })), [0, 3, -2]);
        var m = Jnp.Array(new double[,] { { 1, 2 }, { 3, 4 } });
        Expect.Shape(Jnp.Concat([m, m], 1), 2, 4);
        Expect.Values(Jnp.Concat([m, F64(5)], null), [1, 2, 3, 4, 5]);
    }

    [Fact]
    public void Windows_match_numpy()
    {
        using var _ = Jax.Config.X64Scope(true);
        // numpy.hamming(12), numpy.blackman(12), numpy.kaiser(12, 14) to the digits NumPy prints.
        Expect.Array(Jnp.Hamming(12), DType.Float64, [12], [0.08, 0.15302337, 0.34890909, 0.60546483, 0.84123594, 0.98136677, 0.98136677, 0.84123594, 0.60546483, 0.34890909, 0.15302337, 0.08], 1e-8);
        Expect.Values(Jnp.Blackman(12), [0, 3.26064346e-02, 1.59903635e-01, 4.14397981e-01, 7.36045180e-01, 9.67046769e-01, 9.67046769e-01, 7.36045180e-01, 4.14397981e-01, 1.59903635e-01, 3.26064346e-02, 0], 1e-8);
        Expect.Values(Jnp.Kaiser(12, 14), [7.72686684e-06, 3.46009194e-03, 4.65200189e-02, 2.29737120e-01, 5.99885316e-01, 9.45674898e-01, 9.45674898e-01, 5.99885316e-01, 2.29737120e-01, 4.65200189e-02, 3.46009194e-03, 7.72686684e-06], 1e-8);
        Expect.Values(Jnp.Hanning(5), [0, 0.5, 1, 0.5, 0], 1e-15);
        Expect.Values(Jnp.Bartlett(5), [0, 0.5, 1, 0.5, 0], 1e-15);
        Expect.Values(Jnp.Bartlett(4), [0, 2.0 / 3, 2.0 / 3, 0], 1e-15);
        foreach (var w in new Func<int, Tensor>[] { Jnp.Hamming, Jnp.Hanning, Jnp.Blackman, Jnp.Bartlett, m => Jnp.Kaiser(m, 5) })
        {
            Expect.Shape(w(0), 0);
            Expect.Values(w(1), [1]);
        }
        using var off = Jax.Config.X64Scope(false);
        Assert.Equal(DType.Float32, Jnp.Hanning(4).DType);
        Expect.Error(() => Jnp.Hamming(-1), "hamming", "-1");
    }

    [Fact]
    public void Windows_match_torch_symmetric_windows()
    {
        using var _ = Jax.Config.X64Scope(true);
        using var scope = torch.NewDisposeScope();
        // torch takes hamming's coefficients as float32 (0.54f), hence the looser tolerance.
        Expect.Values(Jnp.Hamming(9), TorchOracle.ToDoubles(torch.hamming_window(9, false, dtype: torch.float64)), 1e-7);
        Expect.Values(Jnp.Hanning(9), TorchOracle.ToDoubles(torch.hann_window(9, false, dtype: torch.float64)), 1e-12);
        Expect.Values(Jnp.Blackman(9), TorchOracle.ToDoubles(torch.blackman_window(9, false, dtype: torch.float64)), 1e-12);
        Expect.Values(Jnp.Bartlett(9), TorchOracle.ToDoubles(torch.bartlett_window(9, false, dtype: torch.float64)), 1e-12);
        Expect.Values(Jnp.Kaiser(9, 6.5), TorchOracle.ToDoubles(torch.kaiser_window(9, false, 6.5f, dtype: torch.float64)), 1e-12);
    }

    [Fact]
    public void Finfo_and_iinfo_give_numpy_and_jax_limits()
    {
        var f32 = Jnp.Finfo(DType.Float32);
        Assert.Equal((32, 23, 8, -126, 128, 6), (f32.Bits, f32.Nmant, f32.Nexp, f32.Minexp, f32.Maxexp, f32.Precision));
        Assert.Equal(float.MaxValue, f32.Max);
        Assert.Equal(-float.MaxValue, f32.Min);
        Assert.Equal(Math.ScaleB(1, -23), f32.Eps);
        Assert.Equal(Math.ScaleB(1, -24), f32.Epsneg);
        Assert.Equal(Math.ScaleB(1, -126), f32.Tiny);
        Assert.Equal(float.Epsilon, f32.SmallestSubnormal);
        Assert.Equal(1e-6, f32.Resolution, 1e-20);
        var f64 = Jnp.Finfo(DType.Float64);
        Assert.Equal((double.MaxValue, double.Epsilon, 15, -52), (f64.Max, f64.SmallestSubnormal, f64.Precision, f64.Machep));
        var f16 = Jnp.Finfo(DType.Float16);
        Assert.Equal((65504.0, Math.ScaleB(1, -10), Math.ScaleB(1, -14), Math.ScaleB(1, -24), 3), (f16.Max, f16.Eps, f16.SmallestNormal, f16.SmallestSubnormal, f16.Precision));
        var bf16 = Jnp.Finfo(Jnp.Zeros([2], DType.BFloat16));
        Assert.Equal((3.3895313892515355e38, 0.0078125, Math.ScaleB(1, -126), 2, 0.01), (bf16.Max, bf16.Eps, bf16.SmallestNormal, bf16.Precision, bf16.Resolution));
        Assert.Equal((long.MinValue, (ulong)long.MaxValue, 64), (Jnp.Iinfo(DType.Int64).Min, Jnp.Iinfo(DType.Int64).Max, Jnp.Iinfo(DType.Int64).Bits));
        Assert.Equal((-128L, 127UL), (Jnp.Iinfo(DType.Int8).Min, Jnp.Iinfo(DType.Int8).Max));
        Assert.Equal((0L, ulong.MaxValue, 'u'), (Jnp.Iinfo(DType.UInt64).Min, Jnp.Iinfo(DType.UInt64).Max, Jnp.Iinfo(DType.UInt64).Kind));
        Assert.Equal((0L, 65535UL), (Jnp.Iinfo(Jnp.Array(new ushort[] { 1 })).Min, Jnp.Iinfo(DType.UInt16).Max));
        Expect.Error(() => Jnp.Finfo(DType.Int32), "finfo", "int32");
        Expect.Error(() => Jnp.Iinfo(DType.Float32), "iinfo", "float32");
    }

    [Fact]
    public void Promotion_casting_and_dtype_predicates_follow_jax_and_numpy()
    {
        Assert.Equal(DType.Int64, Jnp.PromoteTypes(DType.Int32, DType.UInt32));
        Assert.Equal(DType.Float64, Jnp.PromoteTypes(DType.Int64, DType.UInt64));
        Assert.Equal(DType.BFloat16, Jnp.PromoteTypes(DType.Int8, DType.BFloat16));
        Assert.Equal(DType.Float32, Jnp.PromoteTypes(DType.Float16, DType.BFloat16));
        Assert.Equal(DType.Int16, Jnp.PromoteTypes(DType.UInt8, DType.Int8));
        Assert.Equal(DType.UInt8, Jnp.PromoteTypes(DType.Bool, DType.UInt8));
        // numpy.can_cast's table.
        Assert.True(Jnp.CanCast(DType.Int32, DType.Float64));
        Assert.False(Jnp.CanCast(DType.Int32, DType.Float32));
        Assert.False(Jnp.CanCast(DType.Int64, DType.Float64));
        Assert.True(Jnp.CanCast(DType.Int8, DType.Float16));
        Assert.False(Jnp.CanCast(DType.Int16, DType.Float16));
        Assert.True(Jnp.CanCast(DType.UInt8, DType.Int16));
        Assert.False(Jnp.CanCast(DType.Int8, DType.UInt64));
        Assert.False(Jnp.CanCast(DType.Float16, DType.BFloat16));
        Assert.True(Jnp.CanCast(DType.BFloat16, DType.Float32));
        Assert.True(Jnp.CanCast(DType.Bool, DType.Int8));
        Assert.False(Jnp.CanCast(DType.Float64, DType.Float32));
        Assert.True(Jnp.CanCast(DType.Float64, DType.Float32, "same_kind"));
        Assert.True(Jnp.CanCast(DType.UInt8, DType.Int8, "same_kind"));
        Assert.False(Jnp.CanCast(DType.Int8, DType.UInt8, "same_kind"));
        Assert.False(Jnp.CanCast(DType.Float32, DType.Int64, "same_kind"));
        Assert.True(Jnp.CanCast(Jnp.Zeros([1]), DType.Int8, "unsafe"));
        Assert.False(Jnp.CanCast(DType.Int8, DType.Int16, "no"));
        Expect.Error(() => Jnp.CanCast(DType.Int8, DType.Int16, "sometimes"), "can_cast", "sometimes");
        Assert.True(Jnp.Issubdtype(DType.Float16, "floating"));
        Assert.True(Jnp.Issubdtype(DType.UInt8, "integer"));
        Assert.False(Jnp.Issubdtype(DType.UInt8, "signedinteger"));
        Assert.False(Jnp.Issubdtype(DType.Bool, "number"));
        Assert.True(Jnp.Issubdtype(DType.Int32, DType.Int32));
        Assert.False(Jnp.Issubdtype(DType.Int32, DType.Int64));
        Assert.True(Jnp.Isdtype(DType.BFloat16, "real floating"));
        Assert.True(Jnp.Isdtype(DType.Int8, "bool", "integral"));
        Assert.False(Jnp.Isdtype(DType.Bool, "numeric"));
        Assert.False(Jnp.Isdtype(DType.Float32, "complex floating"));
        Assert.True(Jnp.Isdtype(DType.Int32, DType.Int32, DType.Int64));
        Expect.Error(() => Jnp.Isdtype(DType.Int32, "ints"), "isdtype", "ints");
    }

    [Fact]
    public void Matvec_vecmat_vecdot_unstack_rollaxis_and_array_equiv()
    {
        using var _ = Jax.Config.X64Scope(true);
        var a = Jnp.Reshape(Jnp.Arange(12.0), 2, 2, 3);
        var v = F64(1, -1, 2);
        Expect.Array(Jnp.Matvec(a, v), DType.Float64, [2, 2], [3, 9, 15, 21]);
        Expect.Array(Jnp.Vecmat(F64(1, 2), a), DType.Float64, [2, 3], [6, 9, 12, 24, 27, 30]);
        Expect.Values(Jnp.Vecdot(a, v), [3, 9, 15, 21]);
        Expect.Error(() => Jnp.Matvec(a, F64(1, 2)), "matvec", "float64[2,2,3]");
        var parts = Jnp.Unstack(a, 1);
        Assert.Equal(2, parts.Length);
        Expect.Array(parts[1], DType.Float64, [2, 3], [3, 4, 5, 9, 10, 11]);
        Expect.Error(() => Jnp.Unstack(F64(1)[0]), "unstack", "rank > 0");
        var x = Jnp.Zeros([3, 4, 5, 6]);
        Expect.Shape(Jnp.Rollaxis(x, 3, 1), 3, 6, 4, 5);
        Expect.Shape(Jnp.Rollaxis(x, 2), 5, 3, 4, 6);
        Expect.Shape(Jnp.Rollaxis(x, 1, 4), 3, 5, 6, 4);
        Expect.Error(() => Jnp.Rollaxis(x, 1, 5), "rollaxis", "start=5");
        Assert.True(Jnp.ArrayEquiv(F64(1, 2), Jnp.Array(new double[,] { { 1, 2 }, { 1, 2 } })).Item<bool>());
        Assert.False(Jnp.ArrayEquiv(F64(1, 2), Jnp.Array(new double[,] { { 1, 2 }, { 1, 3 } })).Item<bool>());
        Assert.False(Jnp.ArrayEquiv(F64(1, 2), F64(1, 2, 3)).Item<bool>());
        var copy = Jnp.Copy(v);
        v.Dispose();
        Expect.Values(copy, [1, -1, 2]);
    }

    [Fact]
    public void Extract_place_and_put_as_numpy_and_under_jit()
    {
        using var _ = Jax.Config.X64Scope(true);
        var arr = Jnp.Reshape(Jnp.Arange(12.0), 3, 4);
        var cond = Jnp.Equal(Jnp.Remainder(arr, 3), 0);
        Expect.Values(Jnp.Extract(cond, arr), [0, 3, 6, 9]);
        Expect.Values(Jnp.Extract(cond, arr, size: 6, fillValue: -1), [0, 3, 6, 9, -1, -1]);
        Expect.Values(Jnp.Extract(cond, arr, size: 2), [0, 3]);
        var jitted = Jax.Jit((Tensor c, Tensor a) => Jnp.Extract(c, a, size: 5));
        Expect.Values(jitted(cond, arr), [0, 3, 6, 9, 0]);
        // numpy.place(arr, arr > 2, [44, 55]) on arange(6).reshape(2, 3).
        var six = Jnp.Reshape(Jnp.Arange(6.0), 2, 3);
        Expect.Array(Jnp.Place(six, Jnp.Greater(six, 2), F64(44, 55)), DType.Float64, [2, 3], [0, 1, 2, 44, 55, 44]);
        Expect.Values(Jax.Jit((Tensor a, Tensor m) => Jnp.Place(a, m, F64(7)))(six, Jnp.Less(six, 2)), [7, 7, 2, 3, 4, 5]);
        // numpy.put(a, [0, 2], [-44, -55]) and the modes.
        var five = Jnp.Arange(5.0);
        Expect.Values(Jnp.Put(five, Jnp.Array(new[] { 0, 2 }), F64(-44, -55)), [-44, 1, -55, 3, 4]);
        Expect.Values(Jnp.Put(five, Jnp.Array(new[] { 22 }), F64(-5), "clip"), [0, 1, 2, 3, -5]);
        Expect.Values(Jnp.Put(five, Jnp.Array(new[] { 7, -1 }), F64(-5, -6), "wrap"), [0, 1, -5, 3, -6]);
        Expect.Values(Jnp.Put(five, Jnp.Array(new[] { 9, -1, 1 }), F64(8)), [0, 8, 2, 3, 8]);
        Expect.Error(() => Jnp.Put(five, Jnp.Array(new[] { 1 }), F64(1), "raise"), "put", "raise");
        Expect.Error(() => Jnp.Extract(cond, F64(1, 2)), "extract", "same number of elements");
    }

    [Fact]
    public void Place_and_put_differentiate_in_the_values()
    {
        using var _ = Jax.Config.X64Scope(true);
        var mask = Jnp.Array(new[] { true, false, true, true });
        GradientCheck.CheckGrads(args => [Jnp.Place(args[0], mask, args[1])], [F64(1, 2, 3, 4), F64(0.5, -2)]);
        GradientCheck.CheckGrads(args => [Jnp.Put(args[0], Jnp.Array(new[] { 3, 0 }), args[1])], [F64(1, 2, 3, 4), F64(0.5, -2)]);
    }

    [Fact]
    public void Ix_mask_indices_and_trim_zeros()
    {
        var grid = Jnp.Reshape(Jnp.Arange(20), 4, 5);
        var ix = Jnp.Ix(Jnp.Array(new[] { 0, 3 }), Jnp.Array(new[] { 1, 4 }));
        Expect.Shape(ix[0], 2, 1);
        Expect.Shape(ix[1], 1, 2);
        Expect.Values(grid[ix[0], ix[1]], [1, 4, 16, 19]);
        Expect.Error(() => Jnp.Ix(Jnp.Array(new[] { true })), "ix_", "boolean");
        // numpy.mask_indices(3, numpy.triu): rows [0 0 0 1 1 2], cols [0 1 2 1 2 2]; with k=1 the strict upper triangle.
        var (rows, cols) = Jnp.MaskIndices(3, (m, k) => Jnp.Triu(m, k));
        Expect.Values(rows, [0, 0, 0, 1, 1, 2]);
        Expect.Values(cols, [0, 1, 2, 1, 2, 2]);
        var (r1, c1) = Jnp.MaskIndices(3, (m, k) => Jnp.Triu(m, k), 1, size: 4);
        Expect.Values(r1, [0, 0, 1, 0]);
        Expect.Values(c1, [1, 2, 2, 0]);
        var filt = Jnp.Array(new[] { 0, 0, 0, 1, 2, 3, 0, 2, 1, 0 });
        Expect.Values(Jnp.TrimZeros(filt), [1, 2, 3, 0, 2, 1]);
        Expect.Values(Jnp.TrimZeros(filt, "b"), [0, 0, 0, 1, 2, 3, 0, 2, 1]);
        Expect.Values(Jnp.TrimZeros(filt, "f"), [1, 2, 3, 0, 2, 1, 0]);
        Expect.Shape(Jnp.TrimZeros(Jnp.Zeros([3])), 0);
        Expect.Error(() => Jax.Jit((Func<Tensor, Tensor>)(f => Jnp.TrimZeros(f)))(filt), "trim_zeros", "traced");
    }

    [Fact]
    public void Unwrap_matches_numpy_and_differentiates()
    {
        using var _ = Jax.Config.X64Scope(true);
        // numpy.unwrap([0, 1, 2, 3, 4, 5, 6, 7, 8, 9] with phase[3:] += pi): [0, 1, 2, -0.14159265, 0.85840735, ...].
        double[] phase = [.. Enumerable.Range(0, 10).Select(i => i + (i >= 3 ? Math.PI : 0))];
        double[] unwrapped = [.. Enumerable.Range(0, 10).Select(i => i < 3 ? i : i + Math.PI - 2 * Math.PI)];
        Expect.Values(Jnp.Unwrap(F64(phase)), unwrapped, 1e-12);
        // numpy.unwrap([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], period=4) = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]; with [2, 3, 4, 5, 2, 3, 4, 5]: [2, 3, 4, 5, 6, 7, 8, 9].
        Expect.Values(Jnp.Unwrap(Jnp.Array(new[] { 2, 3, 4, 5, 2, 3, 4, 5 }), period: 4), [2, 3, 4, 5, 6, 7, 8, 9], 1e-12);
        // numpy.unwrap([1, 2, 3, 4, 5, 6, 1, 2, 3], period=6) = [1, 2, 3, 4, 5, 6, 7, 8, 9].
        Expect.Values(Jnp.Unwrap(Jnp.Array(new[] { 1, 2, 3, 4, 5, 6, 1, 2, 3 }), period: 6), [1, 2, 3, 4, 5, 6, 7, 8, 9], 1e-12);
        var two = Jnp.Reshape(F64([.. phase, .. phase]), 2, 10);
        Expect.Values(Jnp.Unwrap(Jnp.Transpose(two), axis: 0), [.. unwrapped.SelectMany(u => new[] { u, u })], 1e-12);
        GradientCheck.CheckGrads(p => Jnp.Unwrap(p), F64(0.1, 2.9, 6.0, 1.0, -0.4));
    }

    [Fact]
    public void Histogramdd_matches_histogram2d_and_counts_in_three_dimensions()
    {
        using var _ = Jax.Config.X64Scope(true);
        var x = F64(0.1, 0.4, 0.45, 0.9, 1.0, 0.3);
        var y = F64(0.2, 0.8, 0.5, 0.5, 0.0, 0.9);
        var (h2, _, _) = Jnp.Histogram2d(x, y, 3);
        var (hd, edges) = Jnp.Histogramdd(Jnp.Stack([x, y], 1), 3);
        Expect.Values(hd, h2.ToArray<double>());
        Assert.Equal(2, edges.Length);
        var (dens2, _, _) = Jnp.Histogram2d(x, y, 3, density: true);
        Expect.Values(Jnp.Histogramdd(Jnp.Stack([x, y], 1), [3, 3], density: true).Hist, dens2.ToArray<double>(), 1e-12);
        // Eight corner points of the unit cube, one per bin of a 2x2x2 histogram; a weight doubles one.
        var corners = Jnp.Array(new double[,] { { 0, 0, 0 }, { 0, 0, 1 }, { 0, 1, 0 }, { 0, 1, 1 }, { 1, 0, 0 }, { 1, 0, 1 }, { 1, 1, 0 }, { 1, 1, 1 } });
        var (h3, e3) = Jnp.Histogramdd(corners, [2, 2, 2], weights: F64(1, 1, 1, 1, 1, 1, 1, 2));
        Expect.Array(h3, DType.Float64, [2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 2]);
        Expect.Values(e3[2], [0, 0.5, 1]);
        var (h4, _) = Jnp.Histogramdd(corners, [1, 2, 4], range: [(0, 1), (0, 1), (-1, 1)]);
        Expect.Array(h4, DType.Float64, [1, 2, 4], [0, 0, 2, 2, 0, 0, 2, 2]);
        Expect.Error(() => Jnp.Histogramdd(corners, [2, 2]), "histogramdd", "one entry per dimension");
    }

    [Fact]
    public void Packbits_and_unpackbits_match_numpy()
    {
        // numpy.packbits([[1,0,1],[0,1,0]], axis=-1) = [[160],[64]]; little: [[5],[2]].
        var a = Jnp.Array(new[,] { { 1, 0, 1 }, { 0, 1, 0 } });
        Expect.Array(Jnp.Packbits(a, -1), DType.UInt8, [2, 1], [160, 64]);
        Expect.Array(Jnp.Packbits(a, -1, "little"), DType.UInt8, [2, 1], [5, 2]);
        Expect.Array(Jnp.Packbits(a), DType.UInt8, [1], [168]);
        Expect.Array(Jnp.Packbits(a, 0), DType.UInt8, [1, 3], [128, 64, 128]);
        var bits = Jnp.Array(new[] { true, true, false, false, true, false, true, true, false, true });
        Expect.Values(Jnp.Packbits(bits), [0b11001011, 0b01000000]);
        // numpy.unpackbits(np.array([[2], [7], [23]], dtype=np.uint8), axis=1).
        var bytes = Jnp.Array(new byte[] { 2, 7, 23 }, DType.UInt8).Reshape(3, 1);
        Expect.Array(Jnp.Unpackbits(bytes, 1), DType.UInt8, [3, 8], [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1]);
        Expect.Values(Jnp.Unpackbits(bytes, 1, count: 3, bitorder: "little"), [0, 1, 0, 1, 1, 1, 1, 1, 1]);
        Expect.Array(Jnp.Unpackbits(bytes, 1, count: 10, bitorder: "little"), DType.UInt8, [3, 10], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0]);
        var roundTrip = Jnp.Unpackbits(Jnp.Packbits(bits), count: 10);
        Expect.Values(roundTrip, [1, 1, 0, 0, 1, 0, 1, 1, 0, 1]);
        Expect.Error(() => Jnp.Unpackbits(a), "unpackbits", "unsigned byte");
        Expect.Error(() => Jnp.Packbits(Jnp.Zeros([2])), "packbits", "integer or boolean");
        Expect.Error(() => Jnp.Packbits(a, bitorder: "middle"), "packbits", "middle");
        Expect.Values(Jax.Jit((Func<Tensor, Tensor>)(t => Jnp.Packbits(t, -1)))(a), [160, 64]);
    }

    [Fact]
    public void Apply_along_and_over_axes_follow_numpy()
    {
        using var _ = Jax.Config.X64Scope(true);
        var b = Jnp.Array(new double[,] { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } });
        // numpy.apply_along_axis(lambda a: (a[0] + a[-1]) * 0.5, 0, b) = [4, 5, 6]; axis 1: [2, 5, 8].
        Func<Tensor, Tensor> ends = a => Jnp.Multiply(Jnp.Add(a[0], a[-1]), 0.5);
        Expect.Values(Jnp.ApplyAlongAxis(ends, 0, b), [4, 5, 6]);
        Expect.Values(Jnp.ApplyAlongAxis(ends, 1, b), [2, 5, 8]);
        // numpy.apply_along_axis(np.diag, -1, b): shape (3, 3, 3).
        var diag = Jnp.ApplyAlongAxis(a => Jnp.Diag(a), -1, b);
        Expect.Shape(diag, 3, 3, 3);
        Expect.Values(diag[1], [4, 0, 0, 0, 5, 0, 0, 0, 6]);
        var c = Jnp.Reshape(Jnp.Arange(24.0), 2, 3, 4);
        var sorted = Jnp.ApplyAlongAxis(a => Jnp.Flip(a), 1, c);
        Expect.Values(sorted, Jnp.Flip(c, 1).ToArray<double>());
        Expect.Shape(Jnp.ApplyAlongAxis(a => Jnp.Outer(a, a), 1, c), 2, 3, 3, 4);
        // numpy.apply_over_axes(np.sum, arange(24).reshape(2,3,4), [0,2]) = [[[60], [92], [124]]].
        var summed = Jnp.ApplyOverAxes((a, ax) => Jnp.Sum(a, ax), c, 0, 2);
        Expect.Array(summed, DType.Float64, [1, 3, 1], [60, 92, 124]);
        Expect.Array(Jnp.ApplyOverAxes((a, ax) => Jnp.Sum(a, ax, keepdims: true), c, 0, 2), DType.Float64, [1, 3, 1], [60, 92, 124]);
        Expect.Error(() => Jnp.ApplyOverAxes((a, ax) => Jnp.Sum(a), c, 1), "apply_over_axes", "correct shape");
    }

    [Fact]
    public void Vectorize_broadcasts_loop_dimensions_and_checks_signatures()
    {
        using var _ = Jax.Config.X64Scope(true);
        var scalarCalls = 0;
        var clipped = Jnp.Vectorize((Tensor a, Tensor b) => { scalarCalls++; Assert.Equal(0, a.Ndim); return Jnp.Where(Jnp.Greater(a, b), Jnp.Subtract(a, b), Jnp.Add(a, b)); });
        var r = clipped(F64(1, 2, 3, 4), Jnp.Array(new double[,] { { 2.5 }, { 0.5 } }));
        Expect.Array(r, DType.Float64, [2, 4], [3.5, 4.5, 0.5, 1.5, 0.5, 1.5, 2.5, 3.5]);
        Assert.Equal(1, scalarCalls);
        var dot = Jnp.Vectorize((Tensor a, Tensor b) => { Assert.Equal(1, a.Ndim); return Jnp.Sum(Jnp.Multiply(a, b)); }, "(n),(n)->()");
        var m = Jnp.Reshape(Jnp.Arange(6.0), 2, 3);
        Expect.Array(dot(m, F64(1, 1, 2)), DType.Float64, [2], [5, 17]);
        var matvec = Jnp.Vectorize((Tensor[] xs) => new[] { Jnp.Matmul(xs[0], xs[1]), Jnp.Sum(xs[1]) }, "(m,n),(n)->(m),()");
        var outs = matvec([Jnp.Stack([m, Jnp.Multiply(m, 2.0)]), F64(1, 0, -1)]);
        Expect.Array(outs[0], DType.Float64, [2, 2], [-2, -2, -4, -4]);
        Expect.Array(outs[1], DType.Float64, [2], [0, 0]);
        Expect.Error(() => dot(m, F64(1, 2)), "vectorize", "inconsistent size", "'n'");
        Expect.Error(() => Jnp.Vectorize((Tensor a) => a, "(n)->()")(m), "vectorize", "output 0");
        Expect.Error(() => Jnp.Vectorize((Tensor a) => a, "(n->()"), "vectorize", "signature");
        Expect.Error(() => dot(F64(1, 2, 3)[0], F64(1)), "vectorize", "enough dimensions");
        GradientCheck.CheckGrads(x => dot(x, x), Jnp.Reshape(F64(0.5, -1, 2, 0.3, 1.1, -0.7), 2, 3));
    }
}
