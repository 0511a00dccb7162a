namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// Regions recognised by what they compute: the argmax/argmin combiner of a two-input <c>reduce</c> and the
/// lexicographic comparator of a multi-operand <c>sort</c>, in whatever form the exporter or JAX writes them (compare
/// GT/LT, NaN tests with <c>compare NE %a, %a</c>, -0.0 and NaN canonicalised, select/and/or tie-breaks). The region is
/// lowered on scalars and run by the reference interpreter on probe values covering the cases that tell the semantics
/// apart (NaN on either side and both, signed zeros, infinities, ties on each key, every key order); it is taken as
/// our primitive only when it agrees on all of them.
/// </summary>
internal sealed partial class FunctionLowering
{
    /// <summary>The probe values of a dtype: the extremes, zeros of both signs, NaN, ordinary values.</summary>
    private static Buffer[] ProbeValues(DType dtype)
    {
        if (dtype.IsFloat())
            return [.. new[] { double.NaN, double.NegativeInfinity, -2.0, -0.0, 0.0, 3.0, double.PositiveInfinity }.Select(d => Buffer.ScalarOf(dtype, d))];
        if (dtype == DType.Bool) return [Buffer.ScalarOf(dtype, 0), Buffer.ScalarOf(dtype, 1)];
        long[] ints = dtype.IsSignedInteger() ? [long.MinValue, -2, 0, 3, long.MaxValue] : [0, 3, 100];
        return [.. ints.Select(v => IntBuffer(dtype, v))];
    }

    /// <summary>A scalar of an integer dtype, extreme values clamped to the dtype's range.</summary>
    private static Buffer IntBuffer(DType dtype, long v)
    {
        int bits = dtype.ItemSize() * 8;
        if (bits < 64 && dtype.IsSignedInteger()) v = Math.Clamp(v, -(1L << (bits - 1)), (1L << (bits - 1)) - 1);
        var b = Buffer.Zeros(dtype, Shape.Scalar);
        b.SetInt64(0, v);
        return b;
    }

    /// <summary>The order our sort gives a dtype's values: NaN last (all NaNs equal), -0.0 equal to +0.0.</summary>
    private static int ProbeCompare(Buffer a, Buffer b)
    {
        if (a.DType.IsFloat())
        {
            double x = a.GetDouble(0), y = b.GetDouble(0);
            if (double.IsNaN(x) || double.IsNaN(y)) return (double.IsNaN(x) ? 1 : 0) - (double.IsNaN(y) ? 1 : 0);
            return x.CompareTo(y) is var c && x == y ? 0 : c;
        }
        if (a.DType is DType.UInt64) return ((ulong)a.GetInt64(0)).CompareTo((ulong)b.GetInt64(0));
        return a.GetInt64(0).CompareTo(b.GetInt64(0));
    }

    /// <summary>A closed region on scalars as a function the interpreter can run, or null when it captures values.</summary>
    private Function? ScalarRegionFunction(MlirRegion region, IReadOnlyList<ShapedType> argumentTypes)
    {
        if (FreeNames([region]).Count > 0 || region.Arguments.Count != argumentTypes.Count) return null;
        return new Function("probe", LowerClosedRegion(region, [], argumentTypes));
    }

    private static Buffer[]? RunProbe(Function f, Buffer[] arguments)
    {
        try
        {
            return Interpreter.Run(f, arguments);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or ArithmeticException)
        {
            return null;
        }
    }

    /// <summary>
    /// A two-input <c>reduce</c> over one axis of (values, an iota along that axis), from (the identity, 0), whose body
    /// is the argmax or argmin combiner: our <c>argmax</c>/<c>argmin</c> (the first NaN, else the first best value), the
    /// values result the <c>reduce_max</c>/<c>reduce_min</c>. Null when it is not that.
    /// </summary>
    private IReadOnlyList<object>? TryArgReduce()
    {
        if (_op.Operands.Count != 4 || _op.Regions.Count != 1 || _op.Symbol is not null) return null;
        Value x = Operand(0), indices = Operand(1), initValue = Operand(2), initIndex = Operand(3);
        var axes = Ints(RequiredAttr("dimensions"));
        if (axes.Length != 1 || axes[0] < 0 || axes[0] >= x.Type.Rank) return null;
        int axis = (int)axes[0];
        var vt = x.Type.DType;
        var it = indices.Type.DType;
        if (!it.IsInteger() || vt == DType.Bool || indices.Type.Rank != x.Type.Rank) return null;
        if (indices.Definer is not { } iota || iota.Primitive != Prims.Iota || iota.Attributes.Int("dimension") != axis) return null;
        UnifyShapes(x, indices);
        if (TryConstantInts(initIndex) is not [0]) return null;
        if (initValue.Definer is not { } initDef || initDef.Primitive != Prims.Constant) return null;
        var init = initDef.Attributes.Buffer("value");
        var f = ScalarRegionFunction(_op.Regions[0], [ShapedType.Scalar(vt), ShapedType.Scalar(it), ShapedType.Scalar(vt), ShapedType.Scalar(it)]);
        if (f is null || f.Body.Results.Count != 2) return null;
        foreach (bool isMax in new[] { true, false })
        {
            var identity = vt.IsFloat() ? Buffer.ScalarOf(vt, isMax ? double.NegativeInfinity : double.PositiveInfinity)
                : IntBuffer(vt, isMax ? (vt.IsSignedInteger() ? long.MinValue : 0) : (vt.IsSignedInteger() ? long.MaxValue : -1));
            if (init.GetInt64(0) != identity.GetInt64(0) && !(vt.IsFloat() && init.GetDouble(0) == identity.GetDouble(0))) continue;
            if (!IsArgCombiner(f, vt, it, isMax)) continue;
            var reduce = isMax ? (Primitive)Prims.ReduceMax : Prims.ReduceMin;
            var values = _e.Emit1(isMax ? Prims.Max : Prims.Min, [_e.BroadcastInDim(initValue, new Shape(x.Type.Shape.Where((_, d) => d != axis)), []),
                _e.Emit1(reduce, [x], Attributes.Of(("axes", new long[] { axis })))]);
            var index = _e.Emit1(isMax ? Prims.Argmax : Prims.Argmin, [x], Attributes.Of(("axis", (long)axis), ("index_dtype", it)));
            return [values, index];
        }
        return null;
    }

    /// <summary>
    /// Whether a combiner of (acc value, acc index, value, index) agrees with argmax/argmin's on every probe: a NaN
    /// beats a number, the better value wins, equal values (and -0.0 against +0.0) go to the smaller index; two NaNs
    /// may give either index (JAX's combiner keeps its first argument, which is XLA's accumulator).
    /// </summary>
    private static bool IsArgCombiner(Function f, DType vt, DType it, bool isMax)
    {
        var values = ProbeValues(vt);
        foreach (var a in values)
        {
            foreach (var b in values)
            {
                foreach (var (ia, ib) in new[] { (1L, 4L), (4L, 1L) })
                {
                    var r = RunProbe(f, [a, IntBuffer(it, ia), b, IntBuffer(it, ib)]);
                    if (r is null || r.Length != 2) return false;
                    int c = ProbeCompare(a, b);
                    bool aNan = vt.IsFloat() && double.IsNaN(a.GetDouble(0)), bNan = vt.IsFloat() && double.IsNaN(b.GetDouble(0));
                    long index = r[1].GetInt64(0);
                    if (aNan && bNan)
                    {
                        if (!double.IsNaN(r[0].GetDouble(0)) || (index != ia && index != ib)) return false;
                        continue;
                    }
                    // NaN compares greatest in ProbeCompare; for argmin a NaN must still win.
                    bool aWins = aNan || bNan ? aNan : c == 0 ? ia < ib : isMax ? c > 0 : c < 0;
                    var (wv, wi) = aWins ? (a, ia) : (b, ib);
                    if (index != wi || ProbeCompare(r[0], wv) != 0) return false;
                }
            }
        }
        return true;
    }

    /// <summary>
    /// A sort comparator that is the lexicographic ascending order of our <c>sort</c> over the first k operands (NaN
    /// last, -0.0 equal to +0.0): that k, or null when the comparator is no such order.
    /// </summary>
    private int? ProbeSortKeys(MlirRegion region, IReadOnlyList<Value> operands)
    {
        var types = operands.SelectMany(o => new[] { ShapedType.Scalar(o.Type.DType), ShapedType.Scalar(o.Type.DType) }).ToArray();
        var f = ScalarRegionFunction(region, types);
        if (f is null || f.Body.Results is not [{ Type: { DType: DType.Bool, Rank: 0 } }]) return null;
        int n = operands.Count;
        var sets = operands.Select(o => ProbeValues(o.Type.DType)).ToArray();
        var probes = new List<(Buffer[] A, Buffer[] B)>();
        // Tuples that differ in one operand only (each pair of its values), then pseudo-random tuples (ties on some keys).
        for (int j = 0; j < n; j++)
        {
            foreach (var u in sets[j])
            {
                foreach (var w in sets[j])
                {
                    var a = sets.Select(s => s[s.Length / 2]).ToArray();
                    var b = a.ToArray();
                    (a[j], b[j]) = (u, w);
                    probes.Add((a, b));
                }
            }
        }
        var random = new Random(12345);
        for (int k = 0; k < 160; k++)
            probes.Add((sets.Select(s => s[random.Next(s.Length)]).ToArray(), sets.Select(s => s[random.Next(s.Length)]).ToArray()));
        var candidates = Enumerable.Range(1, n).ToList();
        foreach (var (a, b) in probes)
        {
            var args = new Buffer[2 * n];
            for (int j = 0; j < n; j++) (args[2 * j], args[2 * j + 1]) = (a[j], b[j]);
            var r = RunProbe(f, args);
            if (r is null) return null;
            bool less = r[0].GetInt64(0) != 0;
            candidates.RemoveAll(keys =>
            {
                for (int j = 0; j < keys; j++)
                {
                    int c = ProbeCompare(a[j], b[j]);
                    if (c != 0) return less != c < 0;
                }
                return less;
            });
            if (candidates.Count == 0) return null;
        }
        return candidates[0];
    }
}
