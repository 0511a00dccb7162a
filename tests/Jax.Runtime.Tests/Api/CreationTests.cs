using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

public class CreationTests
{
    private static Tensor FromClrArray(string type) => type switch
    {
        "float" => Jnp.Array(new float[] { 1.5f, -2f }),
        "double" => Jnp.Array(new double[] { 1.5, -2 }),
        "Half" => Jnp.Array(new Half[] { (Half)1.5f, (Half)(-2f) }),
        "BFloat16" => Jnp.Array(new BFloat16[] { (BFloat16)1.5f, (BFloat16)(-2f) }),
        "sbyte" => Jnp.Array(new sbyte[] { 1, -2 }),
        "short" => Jnp.Array(new short[] { 1, -2 }),
        "int" => Jnp.Array(new int[] { 1, -2 }),
        "long" => Jnp.Array(new long[] { 1, -2 }),
        "byte" => Jnp.Array(new byte[] { 1, 254 }),
        "ushort" => Jnp.Array(new ushort[] { 1, 65534 }),
        "uint" => Jnp.Array(new uint[] { 1, 4294967294 }),
        "ulong" => Jnp.Array(new ulong[] { 1, 4294967294 }),
        "bool" => Jnp.Array(new bool[] { true, false }),
        _ => throw new ArgumentException(type),
    };

    [Theory]
    [InlineData("float", DType.Float32, DType.Float32, new[] { 1.5, -2 })]
    [InlineData("double", DType.Float32, DType.Float64, new[] { 1.5, -2 })]
    [InlineData("Half", DType.Float16, DType.Float16, new[] { 1.5, -2 })]
    [InlineData("BFloat16", DType.BFloat16, DType.BFloat16, new[] { 1.5, -2 })]
    [InlineData("sbyte", DType.Int8, DType.Int8, new[] { 1.0, -2 })]
    [InlineData("short", DType.Int16, DType.Int16, new[] { 1.0, -2 })]
    [InlineData("int", DType.Int32, DType.Int32, new[] { 1.0, -2 })]
    [InlineData("long", DType.Int32, DType.Int64, new[] { 1.0, -2 })]
    [InlineData("byte", DType.UInt8, DType.UInt8, new[] { 1.0, 254 })]
    [InlineData("ushort", DType.UInt16, DType.UInt16, new[] { 1.0, 65534 })]
    [InlineData("uint", DType.UInt32, DType.UInt32, new[] { 1.0, 4294967294 })]
    [InlineData("ulong", DType.UInt32, DType.UInt64, new[] { 1.0, 4294967294 })]
    [InlineData("bool", DType.Bool, DType.Bool, new[] { 1.0, 0 })]
    public void Array_from_each_clr_element_type_has_numpys_dtype_canonicalised_for_x64(string type, DType without, DType with, double[] values)
    {
        using (Jax.Config.X64Scope(false))
        {
            var t = FromClrArray(type);
            Expect.Array(t, without, [2], values);
            Assert.False(t.WeakType);
        }
        using (Jax.Config.X64Scope(true))
            Expect.Array(FromClrArray(type), with, [2], values);
    }

    [Fact]
    public void Two_dimensional_array_is_row_major()
    {
        var t = Jnp.Array(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Expect.Array(t, DType.Float32, [2, 3], [1, 2, 3, 4, 5, 6]);
    }

    [Fact]
    public void Three_dimensional_int_array_keeps_shape_and_order()
    {
        var t = Jnp.Array(new int[,,] { { { 1, 2 }, { 3, 4 }, { 5, 6 } }, { { 7, 8 }, { 9, 10 }, { 11, 12 } } });
        Expect.Array(t, DType.Int32, [2, 3, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }

    [Fact]
    public void Two_dimensional_doubles_follow_x64()
    {
        using (Jax.Config.X64Scope(true))
            Assert.Equal(DType.Float64, Jnp.Array(new double[,] { { 1 }, { 2 } }).DType);
        using (Jax.Config.X64Scope(false))
            Assert.Equal(DType.Float32, Jnp.Array(new double[,] { { 1 }, { 2 } }).DType);
    }

    [Fact]
    public void Two_dimensional_longs_and_bools()
    {
        using (Jax.Config.X64Scope(false))
            Expect.Array(Jnp.Array(new long[,] { { 1, 2 }, { 3, 4 } }), DType.Int32, [2, 2], [1, 2, 3, 4]);
        Expect.Bools(Jnp.Array(new bool[,] { { true }, { false } }), true, false);
    }

    [Fact]
    public void Explicit_dtype_converts_floats_to_ints_by_truncation()
    {
        var t = Jnp.Array(new double[] { 1.7, -1.7, 2.5 }, Jnp.Int32);
        Expect.Array(t, DType.Int32, [3], [1, -1, 2]);
    }

    [Fact]
    public void Explicit_float64_dtype_narrows_without_x64()
    {
        using (Jax.Config.X64Scope(false))
            Assert.Equal(DType.Float32, Jnp.Array(new float[] { 1 }, Jnp.Float64).DType);
        using (Jax.Config.X64Scope(true))
            Assert.Equal(DType.Float64, Jnp.Array(new float[] { 1 }, Jnp.Float64).DType);
    }

    [Fact]
    public void Scalar_array_is_strongly_typed_and_zero_dimensional()
    {
        using var _ = Jax.Config.X64Scope(false);
        var t = Jnp.Array(2.5);
        Expect.Array(t, DType.Float32, [], [2.5]);
        Assert.False(t.WeakType);
        Expect.Array(Jnp.Array(7), DType.Int32, [], [7]);
        Expect.Array(Jnp.Array(7L), DType.Int32, [], [7]);
        Expect.Array(Jnp.Array(true), DType.Bool, [], [1]);
    }

    [Fact]
    public void Array_of_a_weak_tensor_is_strong()
    {
        Tensor weak = 3;
        Assert.True(weak.WeakType);
        var strong = Jnp.Array(weak);
        Assert.False(strong.WeakType);
        Assert.Equal(DType.Int32, strong.DType);
    }

    [Fact]
    public void Array_rejects_a_shape_that_does_not_hold_the_data()
    {
        Expect.Error(() => Jnp.Array<float>(new float[] { 1, 2, 3 }, [2, 2]), "array", "(2, 2)", "3 elements", "CreationTests.cs(");
    }

    [Fact]
    public void Zeros_and_ones_default_to_float32()
    {
        using var _ = Jax.Config.X64Scope(false);
        Expect.Array(Jnp.Zeros(3), DType.Float32, [3], [0, 0, 0]);
        Expect.Array(Jnp.Ones([2, 2]), DType.Float32, [2, 2], [1, 1, 1, 1]);
        Assert.False(Jnp.Zeros(3).WeakType);
    }

    [Fact]
    public void Zeros_default_to_float64_with_x64()
    {
        using var _ = Jax.Config.X64Scope(true);
        Assert.Equal(DType.Float64, Jnp.Zeros([2]).DType);
        Assert.Equal(DType.Float64, Jnp.Ones(2).DType);
    }

    [Theory]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int8)]
    [InlineData(DType.UInt16)]
    [InlineData(DType.Bool)]
    [InlineData(DType.Float16)]
    [InlineData(DType.BFloat16)]
    public void Zeros_and_ones_take_a_dtype(DType dtype)
    {
        Expect.Array(Jnp.Zeros([2, 1], dtype), dtype, [2, 1], [0, 0]);
        Expect.Array(Jnp.Ones([3], dtype), dtype, [3], [1, 1, 1]);
    }

    [Fact]
    public void Zero_size_shapes_are_allowed()
    {
        Expect.Shape(Jnp.Zeros([0, 3]), 0, 3);
        Expect.Shape(Jnp.Ones(0), 0);
    }

    [Fact]
    public void Full_with_a_literal_is_weakly_typed_like_jax()
    {
        using var _ = Jax.Config.X64Scope(false);
        var ints = Jnp.Full([2, 2], 7);
        Expect.Array(ints, DType.Int32, [2, 2], [7, 7, 7, 7]);
        Assert.True(ints.WeakType);
        var floats = Jnp.Full([3], 0.5);
        Expect.Array(floats, DType.Float32, [3], [0.5, 0.5, 0.5]);
        Assert.True(floats.WeakType);
    }

    [Fact]
    public void Full_with_an_explicit_dtype_is_strong_and_converts()
    {
        var t = Jnp.Full([2], 2.9, Jnp.Int32);
        Expect.Array(t, DType.Int32, [2], [2, 2]);
        Assert.False(t.WeakType);
    }

    [Fact]
    public void Full_broadcasts_an_array_fill_value_over_leading_dimensions()
    {
        var t = Jnp.Full([2, 3], Jnp.Array(new float[] { 1, 2, 3 }));
        Expect.Array(t, DType.Float32, [2, 3], [1, 2, 3, 1, 2, 3]);
    }

    [Fact]
    public void Full_rejects_negative_dimensions()
    {
        Expect.Error(() => Jnp.Full([2, -1], 1.0), "shape", "negative dimensions", "CreationTests.cs(");
    }

    [Fact]
    public void FullLike_keeps_the_shape_and_dtype_and_converts_the_fill()
    {
        var x = Jnp.Array(new int[,] { { 1, 2 }, { 3, 4 } });
        var t = Jnp.FullLike(x, 2.5);
        Expect.Array(t, DType.Int32, [2, 2], [2, 2, 2, 2]);
        Assert.False(t.WeakType);
        Expect.Array(Jnp.FullLike(x, 2.5, Jnp.Float32), DType.Float32, [2, 2], [2.5, 2.5, 2.5, 2.5]);
    }

    [Fact]
    public void ZerosLike_and_OnesLike_keep_dtype_and_shape()
    {
        var b = Jnp.Array(new bool[] { true, false, true });
        Expect.Bools(Jnp.ZerosLike(b), false, false, false);
        Expect.Bools(Jnp.OnesLike(b), true, true, true);
        var i8 = Jnp.Array(new sbyte[] { 5, 6 });
        Expect.Array(Jnp.OnesLike(i8), DType.Int8, [2], [1, 1]);
        Expect.Array(Jnp.ZerosLike(i8, Jnp.Float16), DType.Float16, [2], [0, 0]);
    }

    [Fact]
    public void ZerosLike_of_a_weak_scalar_stays_weak()
    {
        Tensor w = 2.5;
        Assert.True(Jnp.ZerosLike(w).WeakType);
        Assert.False(Jnp.ZerosLike(w, Jnp.Float32).WeakType);
    }

    [Theory]
    [InlineData(0, 5, 1, new[] { 0.0, 1, 2, 3, 4 })]
    [InlineData(2, 10, 3, new[] { 2.0, 5, 8 })]
    [InlineData(10, 0, -3, new[] { 10.0, 7, 4, 1 })]
    [InlineData(-3, 3, 2, new[] { -3.0, -1, 1 })]
    [InlineData(5, 5, 1, new double[0])]
    [InlineData(5, 0, 1, new double[0])]
    [InlineData(0, 5, -1, new double[0])]
    [InlineData(0, -5, -2, new[] { 0.0, -2, -4 })]
    public void Arange_of_ints_counts_like_python_range(int start, int stop, int step, double[] expected)
    {
        using var _ = Jax.Config.X64Scope(false);
        var t = Jnp.Arange(start, stop, step);
        Expect.Array(t, DType.Int32, [expected.Length], expected);
        Assert.False(t.WeakType);
    }

    [Fact]
    public void Arange_of_a_stop_alone_starts_at_zero()
    {
        Expect.Array(Jnp.Arange(4), Jax.Config.DefaultInt, [4], [0, 1, 2, 3]);
        Expect.Array(Jnp.Arange(0), Jax.Config.DefaultInt, [0], []);
        Expect.Array(Jnp.Arange(3, Jnp.Float32), DType.Float32, [3], [0, 1, 2]);
    }

    [Fact]
    public void Arange_of_ints_is_int64_with_x64()
    {
        using var _ = Jax.Config.X64Scope(true);
        Assert.Equal(DType.Int64, Jnp.Arange(3).DType);
        Assert.Equal(DType.Float64, Jnp.Arange(3.0).DType);
    }

    [Fact]
    public void Arange_rejects_a_zero_step()
    {
        Expect.Error(() => Jnp.Arange(0, 5, 0), "arange", "step", "CreationTests.cs(");
        Expect.Error(() => Jnp.Arange(0.0, 1.0, 0.0), "arange", "step", "CreationTests.cs(");
    }

    [Theory]
    [InlineData(0.0, 1.0, 0.25, new[] { 0.0, 0.25, 0.5, 0.75 })]
    [InlineData(0.0, 1.0, 0.1, new[] { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 })]
    [InlineData(1.0, 0.0, -0.3, new[] { 1.0, 0.7, 0.4, 0.1 })]
    [InlineData(-1.0, 1.0, 0.5, new[] { -1.0, -0.5, 0, 0.5 })]
    [InlineData(1.0, 1.0, 0.5, new double[0])]
    [InlineData(1.0, 2.0, -0.5, new double[0])]
    [InlineData(0.5, 3.0, 1.0, new[] { 0.5, 1.5, 2.5 })]
    public void Arange_of_floats_gives_numpys_lengths_and_values(double start, double stop, double step, double[] expected)
    {
        using (Jax.Config.X64Scope(false))
            Expect.Array(Jnp.Arange(start, stop, step), DType.Float32, [expected.Length], expected, 1e-6);
        using (Jax.Config.X64Scope(true))
            Expect.Array(Jnp.Arange(start, stop, step), DType.Float64, [expected.Length], expected, 1e-15);
    }

    [Fact]
    public void Arange_of_a_float_stop_counts_up_by_one()
    {
        using var _ = Jax.Config.X64Scope(false);
        Expect.Array(Jnp.Arange(3.5), DType.Float32, [4], [0, 1, 2, 3]);
    }

    [Theory]
    [InlineData(0.0, 1.0, 5, true)]
    [InlineData(0.0, 1.0, 5, false)]
    [InlineData(2.0, 3.0, 7, true)]
    [InlineData(-1.0, 1.0, 6, false)]
    [InlineData(10.0, -10.0, 11, true)]
    [InlineData(0.0, 1.0, 50, true)]
    [InlineData(1.0, 1e6, 13, true)]
    public void Linspace_values_match_numpy_within_rounding(double start, double stop, int num, bool endpoint)
    {
        int div = endpoint ? num - 1 : num;
        var expected = Enumerable.Range(0, num).Select(i => start + (stop - start) * i / div).ToArray();
        using (Jax.Config.X64Scope(false))
        {
            var t = Jnp.Linspace(start, stop, num, endpoint);
            Expect.Array(t, DType.Float32, [num], expected, 5e-7);
            Assert.Equal((float)start, t.ToArray<float>()[0]);
            if (endpoint) Assert.Equal((float)stop, t.ToArray<float>()[^1]);
        }
        using (Jax.Config.X64Scope(true))
        {
            var t = Jnp.Linspace(start, stop, num, endpoint);
            Expect.Array(t, DType.Float64, [num], expected, 1e-15);
            if (endpoint) Assert.Equal(stop, t.ToArray<double>()[^1]);
        }
    }

    [Fact]
    public void Linspace_hits_tenths_exactly_in_float32_like_numpy()
    {
        // np.linspace(0, 1, 11, dtype=np.float32) == np.float32([0, .1, ..., 1]) elementwise.
        var t = Jnp.Linspace(0, 1, 11, dtype: Jnp.Float32);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => (float)(i / 10.0)).ToArray(), t.ToArray<float>());
    }

    [Fact]
    public void Linspace_with_one_sample_is_the_start()
    {
        Expect.Array(Jnp.Linspace(3, 7, 1), DType.Float32, [1], [3]);
        Expect.Array(Jnp.Linspace(3, 7, 1, endpoint: false), DType.Float32, [1], [3]);
    }

    [Fact]
    public void Linspace_with_zero_samples_is_empty()
    {
        Expect.Array(Jnp.Linspace(3, 7, 0), DType.Float32, [0], []);
    }

    [Fact]
    public void Linspace_with_an_int_dtype_floors()
    {
        Expect.Array(Jnp.Linspace(0, 10, 4, dtype: Jnp.Int32), DType.Int32, [4], [0, 3, 6, 10]);
        Expect.Array(Jnp.Linspace(0, -10, 4, dtype: Jnp.Int32), DType.Int32, [4], [0, -4, -7, -10]);
    }

    [Fact]
    public void Linspace_rejects_negative_counts()
    {
        Expect.Error(() => Jnp.Linspace(0, 1, -1), "linspace", "-1", "CreationTests.cs(");
    }

    private static double[] EyeValues(int n, int m, int k) =>
        [.. Enumerable.Range(0, n * m).Select(f => f / m + k == f % m ? 1.0 : 0.0)];

    [Theory]
    [InlineData(3, null, 0)]
    [InlineData(3, null, 1)]
    [InlineData(3, null, -1)]
    [InlineData(2, 4, 1)]
    [InlineData(4, 2, -2)]
    [InlineData(3, 2, 0)]
    [InlineData(3, null, 5)]
    [InlineData(3, null, -3)]
    [InlineData(0, null, 0)]
    [InlineData(1, 3, 2)]
    public void Eye_puts_ones_on_diagonal_k(int n, int? m, int k)
    {
        int cols = m ?? n;
        Expect.Array(Jnp.Eye(n, m, k), DType.Float32, [n, cols], EyeValues(n, cols, k));
    }

    [Fact]
    public void Eye_and_Identity_take_a_dtype()
    {
        Expect.Array(Jnp.Eye(2, dtype: Jnp.Int32), DType.Int32, [2, 2], [1, 0, 0, 1]);
        Expect.Array(Jnp.Identity(3, Jnp.Bool), DType.Bool, [3, 3], EyeValues(3, 3, 0));
        Expect.Array(Jnp.Identity(2), DType.Float32, [2, 2], [1, 0, 0, 1]);
    }

    [Theory]
    [InlineData(DType.Int32, new[] { 1.0, -1, 2, -2, 0 })]
    [InlineData(DType.Int8, new[] { 1.0, -1, 2, -2, 0 })]
    [InlineData(DType.Bool, new[] { 1.0, 1, 1, 1, 0 })]
    [InlineData(DType.Float16, new[] { 1.7001953125, -1.7001953125, 2.5, -2.5, 0 })]
    [InlineData(DType.BFloat16, new[] { 1.703125, -1.703125, 2.5, -2.5, 0 })]
    public void Astype_converts_as_numpy(DType dtype, double[] expected)
    {
        var x = Jnp.Array(new float[] { 1.7f, -1.7f, 2.5f, -2.5f, 0 });
        Expect.Array(x.Astype(dtype), dtype, [5], expected);
    }

    [Fact]
    public void Astype_between_ints_wraps()
    {
        var x = Jnp.Array(new int[] { 300, -1, 255 });
        Expect.Array(x.Astype(Jnp.UInt8), DType.UInt8, [3], [44, 255, 255]);
        Expect.Array(x.Astype(Jnp.Int8), DType.Int8, [3], [44, -1, -1]);
    }

    [Fact]
    public void Astype_bool_to_float_gives_zero_and_one()
    {
        Expect.Array(Jnp.Array(new bool[] { true, false }).Astype(Jnp.Float32), DType.Float32, [2], [1, 0]);
    }

    [Fact]
    public void Astype_float64_narrows_without_x64()
    {
        using var _ = Jax.Config.X64Scope(false);
        Assert.Equal(DType.Float32, Jnp.Arange(3).Astype(Jnp.Float64).DType);
        Assert.Equal(DType.Int32, Jnp.Zeros(2).Astype(Jnp.Int64).DType);
    }

    [Fact]
    public void Asarray_without_dtype_returns_the_same_array()
    {
        var x = Jnp.Arange(3);
        Assert.Same(x, Jnp.Asarray(x));
        Assert.Equal(DType.Float32, Jnp.Asarray(x, Jnp.Float32).DType);
    }

    [Fact]
    public void Multidimensional_arrays_of_every_element_type()
    {
        Expect.Array(Jnp.Array(new sbyte[,] { { 1, -2 }, { 3, -4 } }), DType.Int8, [2, 2], [1, -2, 3, -4]);
        Expect.Array(Jnp.Array(new ushort[,] { { 1, 65535 } }), DType.UInt16, [1, 2], [1, 65535]);
        Expect.Array(Jnp.Array(new Half[,] { { (Half)0.5 }, { (Half)2 } }), DType.Float16, [2, 1], [0.5, 2]);
        Expect.Array(Jnp.Array(new BFloat16[,] { { (BFloat16)1.5f, (BFloat16)(-3f) } }), DType.BFloat16, [1, 2], [1.5, -3]);
        Expect.Array(Jnp.Array(new bool[,,] { { { true }, { false } } }), DType.Bool, [1, 2, 1], [1, 0]);
        Expect.Array(Jnp.Array(new double[,,] { { { 1, 2 } }, { { 3, 4 } } }, Jnp.Int32), DType.Int32, [2, 1, 2], [1, 2, 3, 4]);
        Expect.Array(Jnp.Array(new int[,,,] { { { { 1, 2 } } }, { { { 3, 4 } } } }), DType.Int32, [2, 1, 1, 2], [1, 2, 3, 4]);
        using (Jax.Config.X64Scope(false))
            Expect.Array(Jnp.Array(new ulong[,] { { 7 } }), DType.UInt32, [1, 1], [7]);
        using (Jax.Config.X64Scope(true))
            Expect.Array(Jnp.Array(new long[,,] { { { 1L << 40 } } }), DType.Int64, [1, 1, 1], [1L << 40]);
    }

    [Fact]
    public void Empty_multidimensional_arrays_keep_their_shape()
    {
        Expect.Shape(Jnp.Array(new float[0, 3]), 0, 3);
        Expect.Shape(Jnp.Array(new int[2, 0, 1]), 2, 0, 1);
    }
}
