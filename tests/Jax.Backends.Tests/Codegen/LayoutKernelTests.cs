using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Cpu.Codegen;
using JaxToolchain.Backends.Llvm;
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

    /// <summary>
    /// A kernel per dtype of <paramref name="dtypes"/> running <paramref name="body"/> on its parameters, checked against
    /// the interpreter for each of <paramref name="runs"/> (a size, or any case number the arguments read). (One kernel
    /// per dtype: LLVM's optimization time grows faster than the size of one function holding every dtype.)
    /// </summary>
    private static void AcrossDTypes(string name, IReadOnlyList<DType> dtypes, Func<DType, ShapedType[]> parameters,
        Func<Emitter, DType, IReadOnlyList<Value>, IReadOnlyList<Value>> body, Func<DType, int, Buffer[]> arguments, IEnumerable<int> runs)
    {
        foreach (var dtype in dtypes)
        {
            var f = Build($"{name}_{dtype.ShortName()}", parameters(dtype), (e, p) => body(e, dtype, p));
            foreach (int run in runs)
                CompiledKernels.AssertMatchesInterpreter(f, arguments(dtype, run));
        }
    }

    /// <summary>One kernel applying <paramref name="body"/> to an operand of <paramref name="shape"/> (symbol n) of every dtype, for every size.</summary>
    private static void ForEveryDTypeAndSize(string name, Shape shape, Func<Emitter, Value, Value> body, IEnumerable<int>? sizes = null) =>
        AcrossDTypes(name, AllDTypes, d => [new ShapedType(d, shape)], (e, _, p) => [body(e, p[0])],
            (d, n) => [CompiledKernels.Values(d, Bind(shape, n), seed: n + (int)d)], sizes ?? Sizes);

    [Fact]
    public void Transpose_matches_the_interpreter_for_every_dtype()
    {
        ForEveryDTypeAndSize("transpose", S("n", 3, 2), (e, x) => e.Emit1(Prims.Transpose, [x], Attributes.Of(("permutation", new long[] { 2, 0, 1 }))));
        ForEveryDTypeAndSize("transpose_inner", S(4, "n"), (e, x) => e.Emit1(Prims.Transpose, [x], Attributes.Of(("permutation", new long[] { 1, 0 }))), [0, 1, 7, 1000]);
        // Tiled walks (32×32 tiles): a matrix, and a batch of matrices whose tiles do not divide the sizes.
        ForEveryDTypeAndSize("transpose_tiled", S("n", 40), (e, x) => e.Emit1(Prims.Transpose, [x], Attributes.Of(("permutation", new long[] { 1, 0 }))), [0, 1, 7, 1000]);
        ForEveryDTypeAndSize("transpose_batched", S(3, "n", 33), (e, x) => e.Emit1(Prims.Transpose, [x], Attributes.Of(("permutation", new long[] { 0, 2, 1 }))), [0, 1, 7, 100]);
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
            ForEveryDTypeAndSize("slice", shape, (e, x) =>
                e.Emit1(Prims.Slice, [x], Attributes.Of(("start_indices", start), ("limit_indices", limit), ("strides", strides))), [3]);
        // A slice of static axes of an operand with a symbolic one.
        ForEveryDTypeAndSize("slice_sym", S(6, "n"), (e, x) =>
            e.Emit1(Prims.Slice, [x], Attributes.Of(("start_indices", new long[] { 1, 0 }), ("limit_indices", new long[] { 6, 0 }), ("strides", new long[] { 2, 1 }))));
    }

    private static void PadCase(Shape shape, long[] low, long[] high, long[] interior, IEnumerable<int> sizes) =>
        AcrossDTypes("pad", AllDTypes, d => [new ShapedType(d, shape), new ShapedType(d, Shape.Scalar)],
            (e, _, a) => [e.Emit1(Prims.Pad, [a[0], a[1]], Attributes.Of(("low", low), ("high", high), ("interior", interior)))],
            (d, n) => [CompiledKernels.Values(d, Bind(shape, n), seed: n), CompiledKernels.Values(d, Shape.Scalar, seed: 100 + n)], sizes);

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
            PadCase(S("n", 5), low, high, interior, Sizes);
        PadCase(S(4, 6), [-1, 2], [3, -4], [2, 1], [9]);
    }

    [Fact]
    public void Concatenate_matches_the_interpreter_for_every_dtype()
    {
        AcrossDTypes("concatenate", AllDTypes, d => [new ShapedType(d, S("n", 3)), new ShapedType(d, S("n", 1)), new ShapedType(d, S("n", 2))],
            (e, _, a) => [e.Emit1(Prims.Concatenate, a, Attributes.Of(("dimension", 1L))), e.Emit1(Prims.Concatenate, [a[0], a[0]], Attributes.Of(("dimension", 1L)))],
            (d, n) => [CompiledKernels.Values(d, S(n, 3), seed: n), CompiledKernels.Values(d, S(n, 1), seed: n + 1), CompiledKernels.Values(d, S(n, 2), seed: n + 2)], Sizes);
        AcrossDTypes("concatenate0", AllDTypes, d => [new ShapedType(d, S(2, "n")), new ShapedType(d, S(3, "n"))],
            (e, _, a) => [e.Emit1(Prims.Concatenate, a, Attributes.Of(("dimension", 0L)))],
            (d, n) => [CompiledKernels.Values(d, S(2, n), seed: n), CompiledKernels.Values(d, S(3, n), seed: n + 1)], Sizes);
    }

    /// <summary>Start indices of every index dtype, in range and out of it (negative, past the end, beyond int64 for uint64).</summary>
    private static Buffer[] StartValues(DType dtype) =>
        new long[] { 0, 1, 2, 3, 5, 100, -1, -7, long.MinValue, long.MaxValue }.Select(v =>
        {
            var b = Buffer.Zeros(dtype, Shape.Scalar);
            b.SetInt64(0, v);
            return b;
        }).ToArray();

    [Fact]
    public void Dynamic_slices_clamp_their_starts_as_the_interpreter_for_every_dtype_and_index_dtype()
    {
        // Every data dtype with int32 and uint64 indices, and float32 data with every other index dtype.
        var cases = new[] { (AllDTypes, DType.Int32), (AllDTypes, DType.UInt64) }
            .Concat(new[] { DType.Int8, DType.UInt8, DType.UInt32, DType.Int64 }.Select(i => (new[] { DType.Float32 }, i)));
        foreach (var (dtypes, index) in cases)
        {
            var starts = StartValues(index);
            Buffer[] Starts(int i) => [starts[i], starts[(i * 3 + 1) % starts.Length]];
            var runs = Enumerable.Range(0, starts.Length).ToArray();
            AcrossDTypes("dynamic_slice", dtypes, d => [new ShapedType(d, S(6, 9)), new ShapedType(index, Shape.Scalar), new ShapedType(index, Shape.Scalar)],
                (e, _, a) => [e.Emit1(Prims.DynamicSlice, a, Attributes.Of(("slice_sizes", new long[] { 2, 4 })))],
                (d, i) => [CompiledKernels.Values(d, S(6, 9), seed: 1), .. Starts(i)], runs);
            AcrossDTypes("dynamic_update_slice", dtypes,
                d => [new ShapedType(d, S(6, 9)), new ShapedType(d, S(2, 4)), new ShapedType(index, Shape.Scalar), new ShapedType(index, Shape.Scalar)],
                (e, _, a) => [e.Emit1(Prims.DynamicUpdateSlice, a)],
                (d, i) => [CompiledKernels.Values(d, S(6, 9), seed: 1), CompiledKernels.Values(d, S(2, 4), seed: 2), .. Starts(i)], runs);
        }
    }

    [Fact]
    public void Dynamic_slices_of_symbolic_operands_match_the_interpreter_for_every_dtype()
    {
        var starts = new[] { (7, 0), (-2, 5), (2, 1) };
        var runs = Sizes.SelectMany(n => Enumerable.Range(0, starts.Length).Select(k => n * 8 + k)).ToArray();
        Buffer[] Starts(int run) => [Buffer.ScalarOf(DType.Int32, starts[run % 8].Item1), Buffer.ScalarOf(DType.Int32, starts[run % 8].Item2)];
        AcrossDTypes("dynamic_slice_sym", AllDTypes, d => [new ShapedType(d, S(9, "n")), new ShapedType(DType.Int32, Shape.Scalar), new ShapedType(DType.Int32, Shape.Scalar)],
            (e, _, a) => [e.Emit1(Prims.DynamicSlice, a, Attributes.Of(("slice_sizes", new long[] { 4, 0 })))],
            (d, run) => [CompiledKernels.Values(d, S(9, run / 8), seed: run), .. Starts(run)], runs);
        AcrossDTypes("dynamic_update_slice_sym", AllDTypes,
            d => [new ShapedType(d, S(9, "n")), new ShapedType(d, S(3, "n")), new ShapedType(DType.Int32, Shape.Scalar), new ShapedType(DType.Int32, Shape.Scalar)],
            (e, _, a) => [e.Emit1(Prims.DynamicUpdateSlice, a)],
            (d, run) => [CompiledKernels.Values(d, S(9, run / 8), seed: run), CompiledKernels.Values(d, S(3, run / 8), seed: run + 5), .. Starts(run)], runs);
        // A static window wider than the symbolic axis: both refuse (the kernel with a status, before any access).
        var narrow = Build("dynamic_slice_narrow", [new ShapedType(DType.Int16, S("n")), new ShapedType(DType.Int32, Shape.Scalar)],
            (e, a) => [e.Emit1(Prims.DynamicSlice, a, Attributes.Of(("slice_sizes", new long[] { 3 })))]);
        CompiledKernels.AssertMatchesInterpreter(narrow, CompiledKernels.Values(DType.Int16, S(7), seed: 1), Buffer.ScalarOf(DType.Int32, 6));
        var small = new[] { CompiledKernels.Values(DType.Int16, S(2), seed: 1), Buffer.ScalarOf(DType.Int32, 0) };
        Assert.ThrowsAny<Exception>(() => Interpreter.Run(narrow, small));
        Assert.Contains("symbol value", Assert.ThrowsAny<Exception>(() => CompiledKernels.Run(narrow, small)).Message);
    }

    [Fact]
    public void Bitcasts_between_every_pair_of_dtypes_match_the_interpreter()
    {
        int compiled = 0;
        foreach (var from in AllDTypes)
        {
            var targets = AllDTypes.Where(to => (from != DType.Bool && to != DType.Bool) || from == to).ToArray();
            Shape ShapeTo(DType to) => from.ItemSize() >= to.ItemSize() ? S("n") : S("n", to.ItemSize() / from.ItemSize());
            AcrossDTypes($"bitcast_{from.ShortName()}", targets, to => [new ShapedType(from, ShapeTo(to))], (e, to, p) =>
            {
                var cast = e.Emit1(Prims.BitcastConvertType, p, Attributes.Of(("new_dtype", to)));
                // The same width also runs inside a loop fusion (an elementwise member).
                return from.ItemSize() == to.ItemSize() && to != DType.Bool && !to.IsFloat() ? [cast, e.Add(cast, cast)] : [cast];
            }, (to, n) => [CompiledKernels.Values(from, Bind(ShapeTo(to), n), seed: n + 3)], Sizes);
            compiled += targets.Length;
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
        foreach (var (mode, fill) in new (string, double?)[] { ("clip", null), ("fill", null), ("fill", 2.0) })
        {
            // Rows of a matrix (an embedding lookup), the index vector implicit (index_vector_dim = rank).
            AcrossDTypes("gather_rows", AllDTypes, d => [new ShapedType(d, S(7, 5)), new ShapedType(DType.Int32, S("n"))],
                (e, _, a) => [e.Emit1(Prims.Gather, a, GatherAttributes([1], [0], [0], 1, [1, 5], mode, fill))],
                (d, n) => [CompiledKernels.Values(d, S(7, 5), seed: n), Indices(S(n), 7, n)], Sizes);
            // Two start components sent to axes 2 and 0, windows of 1×3×2 with axis 0 collapsed.
            AcrossDTypes("gather_general", AllDTypes, d => [new ShapedType(d, S(4, 6, 5)), new ShapedType(DType.Int64, S("n", 2))],
                (e, _, a) => [e.Emit1(Prims.Gather, a, GatherAttributes([1, 2], [0], [2, 0], 1, [1, 3, 2], mode, fill))],
                (d, n) => [CompiledKernels.Values(d, S(4, 6, 5), seed: n), Indices(S(n, 2), 6, n, DType.Int64)], Sizes);
            // The index vector first (index_vector_dim = 0), uint8 indices.
            AcrossDTypes("gather_leading", AllDTypes, d => [new ShapedType(d, S(4, 6, 5)), new ShapedType(DType.UInt8, S(2, "n"))],
                (e, _, a) => [e.Emit1(Prims.Gather, a, GatherAttributes([0, 2], [1], [1, 2], 0, [2, 1, 4], mode, fill))],
                (d, n) => [CompiledKernels.Values(d, S(4, 6, 5), seed: n), Indices(S(2, n), 6, n, DType.UInt8)], Sizes);
        }
    }

    [Fact]
    public void Gathers_from_a_symbolic_operand_match_the_interpreter()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Int8, DType.BFloat16 })
        {
            var f = Build($"gather_sym_{dtype.ShortName()}", [new ShapedType(dtype, S("n", 3)), new ShapedType(DType.Int32, S(6, 1))], (e, a) =>
                [e.Emit1(Prims.Gather, a, GatherAttributes([1], [0], [0], 1, [1, 3], "clip"))]);
            foreach (int n in Sizes.Where(n => n > 0))
                CompiledKernels.AssertMatchesInterpreter(f, CompiledKernels.Values(dtype, S(n, 3), seed: n), Indices(S(6, 1), n, n));
            // A window of one row needs at least one row in the clip mode: both refuse an empty operand.
            var empty = new[] { CompiledKernels.Values(dtype, S(0, 3), seed: 0), Indices(S(6, 1), 1, 0) };
            Assert.ThrowsAny<Exception>(() => Interpreter.Run(f, empty));
            var error = Assert.ThrowsAny<Exception>(() => CompiledKernels.Run(f, empty));
            Assert.Contains("symbol value", error.Message);
        }
    }

    private static Attributes ScatterAttributes(long[] windowDims, long[] inserted, long[] map, long ivd) =>
        Attributes.Of(("update_window_dims", windowDims), ("inserted_window_dims", inserted), ("scatter_dims_to_operand_dims", map), ("index_vector_dim", ivd));

    [Fact]
    public void Scatters_with_duplicate_and_out_of_bounds_indices_match_the_interpreter_for_every_dtype()
    {
        foreach (var primitive in new Primitive[] { Prims.Scatter, Prims.ScatterAdd })
        {
            // Rows (few distinct, so duplicates accumulate or overwrite in order).
            AcrossDTypes($"{primitive.Name}_rows", AllDTypes, d => [new ShapedType(d, S(7, 5)), new ShapedType(DType.Int32, S("n", 1)), new ShapedType(d, S("n", 5))],
                (e, _, a) => [e.Emit1(primitive, a, ScatterAttributes([1], [0], [0], 1))],
                (d, n) => [CompiledKernels.Values(d, S(7, 5), seed: n), Indices(S(n, 1), 7, n), CompiledKernels.Values(d, S(n, 5), seed: n + 1)], Sizes);
            // Overlapping 2×3 windows at two start components, some partly outside (dropped).
            AcrossDTypes($"{primitive.Name}_windows", AllDTypes, d => [new ShapedType(d, S(6, 8)), new ShapedType(DType.UInt32, S("n", 2)), new ShapedType(d, S("n", 2, 3))],
                (e, _, a) => [e.Emit1(primitive, a, ScatterAttributes([1, 2], [], [1, 0], 1))],
                (d, n) => [CompiledKernels.Values(d, S(6, 8), seed: n), Indices(S(n, 2), 7, n, DType.UInt32), CompiledKernels.Values(d, S(n, 2, 3), seed: n + 1)], Sizes);
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
        // Keys with a payload (their input positions show stability), along the last axis and along the first.
        AcrossDTypes("sort_last", AllDTypes, d => [new ShapedType(d, S(3, "n")), new ShapedType(DType.Int32, S(3, "n"))],
            (e, _, a) => e.Emit(Prims.Sort, a, sortAttributes(1, 1)),
            (d, n) => [Keys(d, S(3, n), n), CompiledKernels.Values(DType.Int32, S(3, n), seed: n + 1)], Sizes);
        AcrossDTypes("sort_first", AllDTypes, d => [new ShapedType(d, S("n", 3)), new ShapedType(DType.UInt16, S("n", 3))],
            (e, _, a) => e.Emit(Prims.Sort, a, sortAttributes(0, 1)),
            (d, n) => [Keys(d, S(n, 3), n), CompiledKernels.Values(DType.UInt16, S(n, 3), seed: n + 1)], Sizes);
        // Two keys (the second breaking ties of the first) and a payload.
        AcrossDTypes("sort_keys", AllDTypes, d => [new ShapedType(DType.Int8, S("n")), new ShapedType(d, S("n")), new ShapedType(DType.Float32, S("n"))],
            (e, _, a) => e.Emit(Prims.Sort, a, sortAttributes(0, 2)),
            (d, n) => [Keys(DType.Int8, S(n), n + 2), Keys(d, S(n), n), CompiledKernels.Values(DType.Float32, S(n), seed: n + 3)], Sizes);
    }

    [Fact]
    public void Custom_lin_is_refused_with_the_reason()
    {
        var f = IrParser.ParseModule(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "IrSamples", "custom.ir"))).Functions.Single(g => g.Name == "sin_custom_lin");
        var error = Assert.Throws<NotSupportedException>(() => CompiledKernels.Run(f, CompiledKernels.Values(DType.Float32, S(2), 1), CompiledKernels.Values(DType.Float32, S(2), 2)));
        Assert.Contains("'custom_lin'", error.Message);
        Assert.Contains("reverse mode", error.Message);
    }

    [Fact]
    public void Clamp_with_scalar_and_full_bounds_matches_the_interpreter_for_every_dtype()
    {
        AcrossDTypes("clamp", AllDTypes, d => [new ShapedType(d, Shape.Scalar), new ShapedType(d, S("n")), new ShapedType(d, S("n"))],
            (e, _, a) => [e.Clamp(a[0], a[1], a[2]), e.Clamp(a[1], a[2], a[0])],
            (d, n) => [CompiledKernels.Values(d, Shape.Scalar, seed: n), CompiledKernels.Values(d, S(n), seed: n + 1), CompiledKernels.Values(d, S(n), seed: n + 2)], Sizes);
    }

    /// <summary>The optimized IR of <paramref name="f"/>'s kernel for x86-64-v4 (optimizing refuses a module that calls anything it does not define).</summary>
    private static string OptimizedIr(Function f)
    {
        using var context = LlvmContext.Create();
        var (module, _) = KernelCompiler.Build(context, f, "kernel");
        using (module)
        {
            using var emitter = new ObjectEmitter(CpuTarget.For("linux-x64", "x86-64-v4"));
            emitter.Optimize(module);
            return module.PrintToString();
        }
    }

    [Fact]
    public void Row_copies_vectorize_and_float_remainder_calls_no_library()
    {
        var f32 = DType.Float32;
        var rows = new ShapedType(f32, S("n", 64));
        var copies = new[]
        {
            Build("concatenate", [rows, rows], (e, a) => [e.Emit1(Prims.Concatenate, a, Attributes.Of(("dimension", 1L)))]),
            Build("slice", [new ShapedType(f32, S(128, 64))], (e, a) => [e.Emit1(Prims.Slice, a, Attributes.Of(("start_indices", new long[] { 1, 1 }), ("limit_indices", new long[] { 127, 63 })))]),
            Build("pad", [rows, new ShapedType(f32, Shape.Scalar)], (e, a) => [e.Emit1(Prims.Pad, a, Attributes.Of(("low", new long[] { 0, 3 }), ("high", new long[] { 0, 5 }), ("interior", new long[] { 0, 0 })))]),
            Build("transpose", [new ShapedType(f32, S("n", 40))], (e, a) => [e.Emit1(Prims.Transpose, a, Attributes.Of(("permutation", new long[] { 1, 0 })))]),
        };
        foreach (var f in copies)
            Assert.Matches(@"<(8|16) x i32>", OptimizedIr(f));
        foreach (var dtype in new[] { DType.Float16, DType.BFloat16, DType.Float32, DType.Float64 })
        {
            var ir = OptimizedIr(Build("rem", [new ShapedType(dtype, S("n")), new ShapedType(dtype, S("n"))], (e, a) => [e.Emit1(Prims.Rem, a)]));
            Assert.DoesNotContain("frem ", ir);
            Assert.DoesNotContain("@fmod", ir);
        }
    }
}
