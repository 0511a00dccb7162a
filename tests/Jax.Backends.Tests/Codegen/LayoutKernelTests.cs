using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Tests.Codegen;

/// <summary>
/// The structural primitives compiled by the CPU backend (transpose, slice, pad, concatenate, rev, dynamic_slice,
/// dynamic_update_slice, bitcast_convert_type, gather, scatter, scatter_add, sort) and the exact elementwise rules
/// added with them (float rem, integer pow), each against the interpreter bit for bit, for every dtype, with a
/// symbolic size bound to 0, 1, 7, 1000 and 4099 through one kernel where the primitive allows a symbolic axis.
/// </summary>
public class LayoutKernelTests
{
    private static readonly DType[] AllDTypes = DTypes.All.ToArray();
    private static readonly int[] Sizes = [0, 1, 7, 1000, 4099];

    private static Shape S(params object[] dims) => new(dims.Select(d => d is string name ? Dim.Sym(name) : Dim.Of(Convert.ToInt64(d))));

    /// <summary>A function of parameters of the given types whose results <paramref name="body"/> emits.</summary>
    private static Function Build(string name, ShapedType[] parameters, Func<Emitter, IReadOnlyList<Value>, IReadOnlyList<Value>> body)
    {
        var block = new Block(parameters);
        block.SetResults(body(new Emitter(block), block.Arguments));
        return new Function(name, block);
    }

    private static Shape Bind(Shape shape, int n) => new(shape.Select(d => d.IsStatic ? d : Dim.Of(n)));

    /// <summary>Compiles one kernel of operand <paramref name="shape"/> (symbol n) per dtype and checks it for every size.</summary>
    private static void ForEveryDTypeAndSize(string name, Shape shape, Func<Emitter, Value, Value> body, IEnumerable<int>? sizes = null)
    {
        foreach (var dtype in AllDTypes)
        {
            var f = Build($"{name}_{dtype.ShortName()}", [new ShapedType(dtype, shape)], (e, a) => [body(e, a[0])]);
            foreach (int n in sizes ?? Sizes)
                CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(dtype, Bind(shape, n), seed: n + (int)dtype));
        }
    }

    [Fact]
    public void Transpose_matches_the_interpreter_for_every_dtype()
    {
        ForEveryDTypeAndSize("transpose", S("n", 3, 2), (e, x) => e.Emit1(Prims.Transpose, [x], Attributes.Of(("permutation", new long[] { 2, 0, 1 }))));
        ForEveryDTypeAndSize("transpose_inner", S(4, "n"), (e, x) => e.Emit1(Prims.Transpose, [x], Attributes.Of(("permutation", new long[] { 1, 0 }))), [0, 1, 7, 1000]);
    }

    [Fact]
    public void Rev_matches_the_interpreter_for_every_dtype()
    {
        ForEveryDTypeAndSize("rev", S("n", 3), (e, x) => e.Rev(x, [0, 1]));
        ForEveryDTypeAndSize("rev_inner", S(2, "n"), (e, x) => e.Rev(x, [1]));
    }

    [Fact]
    public void Strided_slices_match_the_interpreter_for_every_dtype()
    {
        foreach (var (shape, start, limit, strides) in new (Shape, long[], long[], long[])[]
                 {
                     (S(7, 9), [1, 2], [6, 9], [2, 3]),
                     (S(1000, 3), [3, 0], [998, 3], [7, 1]),
                     (S(5, 4099), [0, 1], [5, 4099], [1, 1]),
                     (S(6, 4), [3, 2], [3, 4], [1, 1]), // empty
                 })
            foreach (var dtype in AllDTypes)
            {
                var f = Build($"slice_{dtype.ShortName()}", [new ShapedType(dtype, shape)], (e, a) =>
                    [e.Emit1(Prims.Slice, [a[0]], Attributes.Of(("start_indices", start), ("limit_indices", limit), ("strides", strides)))]);
                CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(dtype, shape, seed: 3));
            }
        // A slice of static axes of an operand with a symbolic one.
        ForEveryDTypeAndSize("slice_sym", S(6, "n"), (e, x) =>
            e.Emit1(Prims.Slice, [x], Attributes.Of(("start_indices", new long[] { 1, 0 }), ("limit_indices", new long[] { 6, 0 }), ("strides", new long[] { 2, 1 }))));
    }

    [Fact]
    public void Pads_with_low_high_interior_and_negative_padding_match_the_interpreter_for_every_dtype()
    {
        foreach (var (low, high, interior) in new (long[], long[], long[])[]
                 {
                     ([0, 2], [0, 3], [0, 1]),
                     ([0, -2], [0, -1], [0, 2]),
                     ([0, -3], [0, 4], [0, 0]),
                     ([0, -9], [0, 0], [0, 1]), // crops everything
                 })
            foreach (var dtype in AllDTypes)
            {
                var f = Build($"pad_{dtype.ShortName()}", [new ShapedType(dtype, S("n", 5)), new ShapedType(dtype, Shape.Scalar)], (e, a) =>
                    [e.Emit1(Prims.Pad, [a[0], a[1]], Attributes.Of(("low", low), ("high", high), ("interior", interior)))]);
                foreach (int n in Sizes)
                    CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(dtype, S(n, 5), seed: n), CompiledKernels.Values(dtype, Shape.Scalar, seed: 100 + n));
            }
        foreach (var dtype in AllDTypes)
        {
            var f = Build($"pad2_{dtype.ShortName()}", [new ShapedType(dtype, S(4, 6)), new ShapedType(dtype, Shape.Scalar)], (e, a) =>
                [e.Emit1(Prims.Pad, [a[0], a[1]], Attributes.Of(("low", new long[] { -1, 2 }), ("high", new long[] { 3, -4 }), ("interior", new long[] { 2, 1 })))]);
            CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(dtype, S(4, 6), seed: 9), CompiledKernels.Values(dtype, Shape.Scalar, seed: 10));
        }
    }

    [Fact]
    public void Concatenate_matches_the_interpreter_for_every_dtype()
    {
        foreach (var dtype in AllDTypes)
        {
            var f = Build($"concatenate_{dtype.ShortName()}", [new ShapedType(dtype, S("n", 3)), new ShapedType(dtype, S("n", 1)), new ShapedType(dtype, S("n", 2))],
                (e, a) => [e.Emit1(Prims.Concatenate, a, Attributes.Of(("dimension", 1L))), e.Emit1(Prims.Concatenate, [a[0], a[0]], Attributes.Of(("dimension", 1L)))]);
            foreach (int n in Sizes)
                CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(dtype, S(n, 3), seed: n), CompiledKernels.Values(dtype, S(n, 1), seed: n + 1),
                    CompiledKernels.Values(dtype, S(n, 2), seed: n + 2));
            var g = Build($"concatenate0_{dtype.ShortName()}", [new ShapedType(dtype, S(2, "n")), new ShapedType(dtype, S(3, "n"))],
                (e, a) => [e.Emit1(Prims.Concatenate, a, Attributes.Of(("dimension", 0L)))]);
            foreach (int n in Sizes)
                CompiledKernels.AssertMatchesInterpreter(g, CompiledKernels.Values(dtype, S(2, n), seed: n), CompiledKernels.Values(dtype, S(3, n), seed: n + 1));
        }
    }

    /// <summary>Start indices of every index dtype, in range and out of it (negative, past the end, beyond int64 for uint64).</summary>
    private static IEnumerable<Buffer> StartValues(DType dtype)
    {
        foreach (long v in new long[] { 0, 1, 2, 3, 5, 100, -1, -7, long.MinValue, long.MaxValue })
        {
            var b = Buffer.Zeros(dtype, Shape.Scalar);
            b.SetInt64(0, v);
            yield return b;
        }
    }

    [Fact]
    public void Dynamic_slices_clamp_their_starts_as_the_interpreter_for_every_dtype_and_index_dtype()
    {
        var indexTypes = new[] { DType.Int8, DType.UInt8, DType.Int32, DType.UInt32, DType.Int64, DType.UInt64 };
        // Every index dtype on float32 data, every data dtype with int32 and uint64 indices.
        var cases = indexTypes.Select(i => (DType.Float32, i)).Concat(AllDTypes.SelectMany(d => new[] { (d, DType.Int32), (d, DType.UInt64) })).Distinct();
        foreach (var (dtype, index) in cases)
        {
            var slice = Build($"dynamic_slice_{dtype.ShortName()}_{index.ShortName()}",
                [new ShapedType(dtype, S(6, 9)), new ShapedType(index, Shape.Scalar), new ShapedType(index, Shape.Scalar)],
                (e, a) => [e.Emit1(Prims.DynamicSlice, a, Attributes.Of(("slice_sizes", new long[] { 2, 4 })))]);
            var update = Build($"dynamic_update_slice_{dtype.ShortName()}_{index.ShortName()}",
                [new ShapedType(dtype, S(6, 9)), new ShapedType(dtype, S(2, 4)), new ShapedType(index, Shape.Scalar), new ShapedType(index, Shape.Scalar)],
                (e, a) => [e.Emit1(Prims.DynamicUpdateSlice, a)]);
            var x = CompiledKernels.Values(dtype, S(6, 9), seed: 1);
            var u = CompiledKernels.Values(dtype, S(2, 4), seed: 2);
            var starts = StartValues(index).ToArray();
            for (int i = 0; i < starts.Length; i++)
            {
                var (s0, s1) = (starts[i], starts[(i * 3 + 1) % starts.Length]);
                CompiledKernels.AssertMatchesInterpreter(slice, x, s0, s1);
                CompiledKernels.AssertMatchesInterpreter(update, x, u, s0, s1);
            }
        }
    }

    [Fact]
    public void Dynamic_slices_of_symbolic_operands_match_the_interpreter_for_every_dtype()
    {
        foreach (var dtype in AllDTypes)
        {
            var slice = Build($"dynamic_slice_sym_{dtype.ShortName()}", [new ShapedType(dtype, S(9, "n")), new ShapedType(DType.Int32, Shape.Scalar), new ShapedType(DType.Int32, Shape.Scalar)],
                (e, a) => [e.Emit1(Prims.DynamicSlice, a, Attributes.Of(("slice_sizes", new long[] { 4, 0 })))]);
            var update = Build($"dynamic_update_slice_sym_{dtype.ShortName()}",
                [new ShapedType(dtype, S(9, "n")), new ShapedType(dtype, S(3, "n")), new ShapedType(DType.Int32, Shape.Scalar), new ShapedType(DType.Int32, Shape.Scalar)],
                (e, a) => [e.Emit1(Prims.DynamicUpdateSlice, a)]);
            foreach (int n in Sizes)
                foreach (var (s0, s1) in new[] { (7, 0), (-2, 5), (2, 1) })
                {
                    var (b0, b1) = (Buffer.ScalarOf(DType.Int32, s0), Buffer.ScalarOf(DType.Int32, s1));
                    CompiledKernels.AssertMatchesInterpreter(slice, CompiledKernels.Values(dtype, S(9, n), seed: n), b0, b1);
                    CompiledKernels.AssertMatchesInterpreter(update, CompiledKernels.Values(dtype, S(9, n), seed: n), CompiledKernels.Values(dtype, S(3, n), seed: n + 5), b0, b1);
                }
        }
    }

    [Fact]
    public void Bitcasts_between_every_pair_of_dtypes_match_the_interpreter()
    {
        int compiled = 0;
        foreach (var from in AllDTypes)
            foreach (var to in AllDTypes)
            {
                if ((from == DType.Bool || to == DType.Bool) && from != to) continue;
                var (a, b) = (from.ItemSize(), to.ItemSize());
                var shape = a >= b ? S("n") : S("n", b / a);
                var attributes = Attributes.Of(("new_dtype", to));
                var f = Build($"bitcast_{from.ShortName()}_{to.ShortName()}", [new ShapedType(from, shape)], (e, p) =>
                {
                    var cast = e.Emit1(Prims.BitcastConvertType, p, attributes);
                    // The same width also runs inside a loop fusion (an elementwise member).
                    return a == b && to != DType.Bool && !to.IsFloat() ? [cast, e.Add(cast, cast)] : [cast];
                });
                foreach (int n in Sizes)
                    CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(from, Bind(shape, n), seed: n + 3));
                compiled++;
            }
        int numbers = AllDTypes.Count(d => d != DType.Bool);
        Assert.Equal(numbers * numbers + 1, compiled);
    }

    [Fact]
    public void Float_remainder_is_an_exact_fmod_for_every_float_dtype()
    {
        foreach (var dtype in new[] { DType.Float16, DType.BFloat16, DType.Float32, DType.Float64 })
        {
            var f = Build($"rem_{dtype.ShortName()}", [new ShapedType(dtype, S("n")), new ShapedType(dtype, S("n"))], (e, a) => [e.Emit1(Prims.Rem, a)]);
            foreach (int n in Sizes)
            {
                var x = CompiledKernels.Values(dtype, S(n), seed: n);
                var y = CompiledKernels.Values(dtype, S(n), seed: n + 1);
                // Pairs with the special values on both sides, tiny divisors (long reductions) and equal magnitudes.
                var rng = new Random(n);
                double[] special = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 1e-40, -1e-310, 1e-45, 5e-324, 1.5, -2.5, 3e38, -1e300, 1e308, 65504];
                for (int i = 0; i < n; i++)
                {
                    if (i % 3 == 0) y.SetDouble(i, special[rng.Next(special.Length)]);
                    if (i % 5 == 0) x.SetDouble(i, special[rng.Next(special.Length)]);
                    if (i % 7 == 0) y.SetDouble(i, -x.GetDouble(i));
                }
                CompiledKernels.AssertMatchesInterpreter(f, x, y);
                CompiledKernels.AssertMatchesInterpreter(f, y, x);
            }
        }
    }

    [Fact]
    public void Integer_pow_matches_the_interpreter_for_every_integer_dtype()
    {
        foreach (var dtype in AllDTypes.Where(d => d.IsInteger()))
        {
            var f = Build($"pow_{dtype.ShortName()}", [new ShapedType(dtype, S("n")), new ShapedType(dtype, S("n"))], (e, a) => [e.Emit1(Prims.Pow, a)]);
            foreach (int n in Sizes)
            {
                var x = CompiledKernels.Values(dtype, S(n), seed: n);
                var y = CompiledKernels.Values(dtype, S(n), seed: n + 1);
                var rng = new Random(n);
                for (int i = 0; i < n; i++)
                {
                    if (i % 2 == 0) y.SetInt64(i, rng.Next(-3, 70));
                    if (i % 3 == 0) x.SetInt64(i, rng.Next(-3, 4));
                }
                CompiledKernels.AssertMatchesInterpreter(f, x, y);
            }
        }
    }

    /// <summary>int32 start indices of <paramref name="shape"/>: mostly in [-3, limit + 3), some at the int32 extremes.</summary>
    private static Buffer Indices(Shape shape, int limit, int seed, DType dtype = DType.Int32)
    {
        var rng = new Random(seed);
        var b = Buffer.Zeros(dtype, shape);
        for (long i = 0; i < b.LongLength; i++)
            b.SetInt64(i, i % 17 == 5 ? int.MinValue : i % 19 == 7 ? int.MaxValue : rng.Next(-3, limit + 3));
        return b;
    }

    private static Attributes GatherAttributes(long[] offsetDims, long[] collapsed, long[] map, long ivd, long[] sizes, string mode, double? fill = null)
    {
        var a = Attributes.Of(("offset_dims", offsetDims), ("collapsed_slice_dims", collapsed), ("start_index_map", map), ("index_vector_dim", ivd),
            ("slice_sizes", sizes), ("mode", mode));
        return fill is double f ? a.With("fill_value", f) : a;
    }

    [Fact]
    public void Gathers_in_clip_and_fill_modes_match_the_interpreter_for_every_dtype()
    {
        foreach (var dtype in AllDTypes)
            foreach (var (mode, fill) in new (string, double?)[] { ("clip", null), ("fill", null), ("fill", 2.0) })
            {
                // Rows of a matrix (an embedding lookup), the index vector implicit (index_vector_dim = rank).
                var rows = Build($"gather_rows_{dtype.ShortName()}", [new ShapedType(dtype, S(7, 5)), new ShapedType(DType.Int32, S("n"))], (e, a) =>
                    [e.Emit1(Prims.Gather, a, GatherAttributes([1], [0], [0], 1, [1, 5], mode, fill))]);
                // Two start components sent to axes 2 and 0, windows of 1×3×2 with axis 0 collapsed.
                var general = Build($"gather_general_{dtype.ShortName()}", [new ShapedType(dtype, S(4, 6, 5)), new ShapedType(DType.Int64, S("n", 2))], (e, a) =>
                    [e.Emit1(Prims.Gather, a, GatherAttributes([1, 2], [0], [2, 0], 1, [1, 3, 2], mode, fill))]);
                // The index vector first (index_vector_dim = 0), uint8 indices.
                var leading = Build($"gather_leading_{dtype.ShortName()}", [new ShapedType(dtype, S(4, 6, 5)), new ShapedType(DType.UInt8, S(2, "n"))], (e, a) =>
                    [e.Emit1(Prims.Gather, a, GatherAttributes([0, 2], [1], [1, 2], 0, [2, 1, 4], mode, fill))]);
                foreach (int n in Sizes)
                {
                    CompiledKernels.AssertMatchesInterpreter(rows, CompiledKernels.Values(dtype, S(7, 5), seed: n), Indices(S(n), 7, n));
                    CompiledKernels.AssertMatchesInterpreter(general, CompiledKernels.Values(dtype, S(4, 6, 5), seed: n), Indices(S(n, 2), 6, n, DType.Int64));
                    CompiledKernels.AssertMatchesInterpreter(leading, CompiledKernels.Values(dtype, S(4, 6, 5), seed: n), Indices(S(2, n), 6, n, DType.UInt8));
                }
            }
    }

    [Fact]
    public void Gathers_from_a_symbolic_operand_match_the_interpreter()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Int8, DType.BFloat16 })
        {
            var f = Build($"gather_sym_{dtype.ShortName()}", [new ShapedType(dtype, S("n", 3)), new ShapedType(DType.Int32, S(6, 1))], (e, a) =>
                [e.Emit1(Prims.Gather, a, GatherAttributes([1], [0], [0], 1, [1, 3], "clip"))]);
            // A window of one row needs at least one row in the clip mode (the interpreter cannot clamp into an empty range).
            foreach (int n in Sizes.Where(n => n > 0))
                CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(dtype, S(n, 3), seed: n), Indices(S(6, 1), n, n));
        }
    }

    private static Attributes ScatterAttributes(long[] windowDims, long[] inserted, long[] map, long ivd) =>
        Attributes.Of(("update_window_dims", windowDims), ("inserted_window_dims", inserted), ("scatter_dims_to_operand_dims", map), ("index_vector_dim", ivd));

    [Fact]
    public void Scatters_with_duplicate_and_out_of_bounds_indices_match_the_interpreter_for_every_dtype()
    {
        foreach (var dtype in AllDTypes)
            foreach (var primitive in new Primitive[] { Prims.Scatter, Prims.ScatterAdd })
            {
                // Rows (few distinct, so duplicates accumulate or overwrite in order).
                var rows = Build($"{primitive.Name}_rows_{dtype.ShortName()}",
                    [new ShapedType(dtype, S(7, 5)), new ShapedType(DType.Int32, S("n", 1)), new ShapedType(dtype, S("n", 5))], (e, a) =>
                        [e.Emit1(primitive, a, ScatterAttributes([1], [0], [0], 1))]);
                // Overlapping 2×3 windows at two start components, some partly outside (dropped).
                var windows = Build($"{primitive.Name}_windows_{dtype.ShortName()}",
                    [new ShapedType(dtype, S(6, 8)), new ShapedType(DType.UInt32, S("n", 2)), new ShapedType(dtype, S("n", 2, 3))], (e, a) =>
                        [e.Emit1(primitive, a, ScatterAttributes([1, 2], [], [1, 0], 1))]);
                foreach (int n in Sizes)
                {
                    CompiledKernels.AssertMatchesInterpreter(rows, CompiledKernels.Values(dtype, S(7, 5), seed: n), Indices(S(n, 1), 7, n),
                        CompiledKernels.Values(dtype, S(n, 5), seed: n + 1));
                    CompiledKernels.AssertMatchesInterpreter(windows, CompiledKernels.Values(dtype, S(6, 8), seed: n), Indices(S(n, 2), 7, n, DType.UInt32),
                        CompiledKernels.Values(dtype, S(n, 2, 3), seed: n + 1));
                }
            }
    }

    [Fact]
    public void Scatters_into_a_symbolic_operand_match_the_interpreter()
    {
        foreach (var primitive in new Primitive[] { Prims.Scatter, Prims.ScatterAdd })
        {
            var f = Build($"{primitive.Name}_sym", [new ShapedType(DType.Float32, S("n", 3)), new ShapedType(DType.Int64, S(9)), new ShapedType(DType.Float32, S(9, 3))], (e, a) =>
                [e.Emit1(primitive, a, ScatterAttributes([1], [0], [0], 1))]);
            foreach (int n in Sizes)
                CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(DType.Float32, S(n, 3), seed: n), Indices(S(9), Math.Max(n, 1), n, DType.Int64),
                    CompiledKernels.Values(DType.Float32, S(9, 3), seed: n + 2));
        }
    }

    /// <summary>Sort keys with many ties, both zeros and NaNs of both signs among them.</summary>
    private static Buffer Keys(DType dtype, Shape shape, int seed)
    {
        var b = CompiledKernels.Values(dtype, shape, seed);
        var rng = new Random(seed);
        for (long i = 0; i < b.LongLength; i++)
        {
            if (dtype == DType.Bool || i % 4 == 3) continue;
            if (!dtype.IsFloat()) b.SetInt64(i, rng.Next(-2, 3));
            else b.SetDouble(i, (i % 9) switch { 0 => double.NaN, 1 => -double.NaN, 2 => -0.0, 3 => 0.0, 4 => double.NegativeInfinity, _ => rng.Next(-2, 3) * 0.5 });
        }
        return b;
    }

    [Fact]
    public void Sorts_are_stable_and_order_nan_and_signed_zeros_as_the_interpreter_for_every_dtype()
    {
        var sortAttributes = (long dimension, long keys) => Attributes.Of(("dimension", dimension), ("is_stable", true), ("num_keys", keys));
        foreach (var dtype in AllDTypes)
        {
            // Keys with a payload (their input positions show stability), along the last axis and along the first.
            var last = Build($"sort_last_{dtype.ShortName()}", [new ShapedType(dtype, S(3, "n")), new ShapedType(DType.Int32, S(3, "n"))], (e, a) =>
                e.Emit(Prims.Sort, a, sortAttributes(1, 1)));
            var first = Build($"sort_first_{dtype.ShortName()}", [new ShapedType(dtype, S("n", 3)), new ShapedType(DType.UInt16, S("n", 3))], (e, a) =>
                e.Emit(Prims.Sort, a, sortAttributes(0, 1)));
            // Two keys (the second breaking ties of the first) and a payload.
            var twoKeys = Build($"sort_keys_{dtype.ShortName()}",
                [new ShapedType(DType.Int8, S("n")), new ShapedType(dtype, S("n")), new ShapedType(DType.Float32, S("n"))], (e, a) =>
                    e.Emit(Prims.Sort, a, sortAttributes(0, 2)));
            foreach (int n in Sizes)
            {
                CompiledKernels.AssertMatchesInterpreter(last, Keys(dtype, S(3, n), n), CompiledKernels.Values(DType.Int32, S(3, n), seed: n + 1));
                CompiledKernels.AssertMatchesInterpreter(first, Keys(dtype, S(n, 3), n), CompiledKernels.Values(DType.UInt16, S(n, 3), seed: n + 1));
                CompiledKernels.AssertMatchesInterpreter(twoKeys, Keys(DType.Int8, S(n), n + 2), Keys(dtype, S(n), n), CompiledKernels.Values(DType.Float32, S(n), seed: n + 3));
            }
        }
    }

    [Fact]
    public void Custom_lin_is_refused_with_the_reason()
    {
        var f = IrParser.ParseModule(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "IrSamples", "custom.ir"))).Functions.Single(g => g.Name == "sin_custom_lin");
        var error = Assert.Throws<NotSupportedException>(() => CompiledKernels.Run(f, CompiledKernels.Values(DType.Float32, S(2), 1), CompiledKernels.Values(DType.Float32, S(2), 2)));
        Assert.Contains("'custom_lin'", error.Message);
        Assert.Contains("reverse mode", error.Message);
    }
}
