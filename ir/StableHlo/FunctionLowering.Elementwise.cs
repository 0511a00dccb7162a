using System.Numerics;

namespace JaxToolchain.Ir.StableHlo;

/// <summary>Elementwise operations: unary and binary math, compare, clamp, conversions, constants, checks.</summary>
internal sealed partial class FunctionLowering
{
    /// <summary>
    /// The unary ops with a primitive of the same semantics. StableHLO's <c>round_nearest_afz</c>/<c>_even</c> are our
    /// <c>round</c>'s two methods; <c>chlo</c>'s special functions are our primitives of the same name.
    /// </summary>
    private Func<Value>? ElementwiseUnary(string name)
    {
        Primitive? p = name switch
        {
            "stablehlo.abs" => Prims.Abs,
            "stablehlo.ceil" => Prims.Ceil,
            "stablehlo.floor" => Prims.Floor,
            "stablehlo.cosine" => Prims.Cos,
            "stablehlo.sine" => Prims.Sin,
            "stablehlo.tan" or "chlo.tan" => Prims.Tan,
            "stablehlo.tanh" => Prims.Tanh,
            "stablehlo.exponential" => Prims.Exp,
            "stablehlo.exponential_minus_one" => Prims.Expm1,
            "stablehlo.log" => Prims.Log,
            "stablehlo.log_plus_one" => Prims.Log1p,
            "stablehlo.logistic" => Prims.Logistic,
            "stablehlo.negate" => Prims.Neg,
            "stablehlo.not" => Prims.Not,
            "stablehlo.popcnt" => Prims.PopulationCount,
            "stablehlo.rsqrt" => Prims.Rsqrt,
            "stablehlo.sqrt" => Prims.Sqrt,
            "stablehlo.cbrt" => Prims.Cbrt,
            "stablehlo.sign" => Prims.Sign,
            "stablehlo.is_finite" => Prims.IsFinite,
            "chlo.erf" => Prims.Erf,
            "chlo.erfc" => Prims.Erfc,
            "chlo.erf_inv" => Prims.Erfinv,
            "chlo.lgamma" => Prims.Lgamma,
            "chlo.digamma" => Prims.Digamma,
            _ => null,
        };
        if (p is not null) return () => _e.Emit1(p, [Operand(0)]);
        return name switch
        {
            "stablehlo.round_nearest_afz" => () => _e.Emit1(Prims.Round, [Operand(0)], Attributes.Of(("rounding_method", RoundPrimitive.AwayFromZero))),
            "stablehlo.round_nearest_even" => () => _e.Emit1(Prims.Round, [Operand(0)], Attributes.Of(("rounding_method", RoundPrimitive.ToNearestEven))),
            _ => null,
        };
    }

    /// <summary>
    /// The binary ops. Integer division and remainder by zero, <c>MIN / -1</c>, and shifts by the bit width or more follow
    /// XLA in both our primitives and StableHLO's reference interpreter (the spec leaves them implementation-defined), and
    /// <c>maximum</c>/<c>minimum</c> propagate NaN in both, so these map one to one.
    /// </summary>
    private Func<Value>? ElementwiseBinary(string name)
    {
        Primitive? p = name switch
        {
            "stablehlo.add" => Prims.Add,
            "stablehlo.subtract" => Prims.Sub,
            "stablehlo.multiply" => Prims.Mul,
            "stablehlo.divide" => Prims.Div,
            "stablehlo.remainder" => Prims.Rem,
            "stablehlo.power" => Prims.Pow,
            "stablehlo.maximum" => Prims.Max,
            "stablehlo.minimum" => Prims.Min,
            "stablehlo.atan2" => Prims.Atan2,
            "stablehlo.and" => Prims.And,
            "stablehlo.or" => Prims.Or,
            "stablehlo.xor" => Prims.Xor,
            "stablehlo.shift_left" => Prims.ShiftLeft,
            "stablehlo.shift_right_arithmetic" => Prims.ShiftRightArithmetic,
            "stablehlo.shift_right_logical" => Prims.ShiftRightLogical,
            "chlo.next_after" => Prims.Nextafter,
            _ => null,
        };
        if (p is null) return null;
        return () =>
        {
            Value x = Operand(0), y = Operand(1);
            UnifyShapes(x, y);
            // On i1 StableHLO's add is or and multiply is and (arithmetic modulo 2 saturating at 1); ours reject bool.
            if (x.Type.DType == DType.Bool && p == Prims.Add) return _e.Or(x, y);
            if (x.Type.DType == DType.Bool && p == Prims.Mul) return _e.And(x, y);
            return _e.Emit1(p, [x, y]);
        };
    }

    private Value LowerConstant()
    {
        var attr = Attr("value", "$0") as MlirDenseAttribute ?? throw Invalid("expected a dense<...> value");
        var type = attr.Type ?? (_op.ResultTypes.Count > 0 ? _op.ResultTypes[0] : throw Invalid("the constant has no type"));
        return _e.Constant(ToBuffer(attr.Literal, type));
    }

    private Buffer ToBuffer(DenseLiteral literal, MlirType type)
    {
        var shaped = TypeConversion.ToShapedType(_module, type, _op.Location, _op.Name);
        if (!shaped.Shape.IsStatic) throw Invalid($"a constant of dynamic type {type}");
        return DenseValues.ToBuffer(literal, shaped.DType, shaped.Shape, m => Invalid(m));
    }

    /// <summary>
    /// <c>compare</c>: FLOAT, SIGNED and UNSIGNED compare as our compares do (by the operands' dtype); TOTALORDER on
    /// floats compares the IEEE total order (-NaN &lt; -inf &lt; ... &lt; -0 &lt; +0 &lt; ... &lt; inf &lt; NaN), done here on
    /// the bits: negative floats' magnitude bits are flipped so the signed integers order as the floats do.
    /// </summary>
    private Value LowerCompare()
    {
        var direction = CompareDirection(_op) ?? throw Invalid("no comparison direction");
        var compareType = WordOf(Attr("compare_type")) ?? (_op.Words.Count > 1 ? _op.Words[1] : null);
        Value x = Operand(0), y = Operand(1);
        UnifyShapes(x, y);
        if (compareType == "TOTALORDER" && x.Type.DType.IsFloat())
        {
            x = TotalOrderKey(x);
            y = TotalOrderKey(y);
        }
        Primitive p = direction switch
        {
            "EQ" => Prims.Eq,
            "NE" => Prims.Ne,
            "LT" => Prims.Lt,
            "LE" => Prims.Le,
            "GT" => Prims.Gt,
            "GE" => Prims.Ge,
            _ => throw Invalid($"unknown comparison direction {direction}"),
        };
        return _e.Emit1(p, [x, y]);
    }

    private static DType SignedOfWidth(int bytes) => bytes switch
    {
        1 => DType.Int8,
        2 => DType.Int16,
        4 => DType.Int32,
        _ => DType.Int64,
    };

    private Value TotalOrderKey(Value x)
    {
        var it = SignedOfWidth(x.Type.DType.ItemSize());
        int bits = it.ItemSize() * 8;
        var i = _e.Emit1(Prims.BitcastConvertType, [x], Attributes.Of(("new_dtype", it)));
        var sign = _e.Emit1(Prims.ShiftRightArithmetic, [i, FullInt(i, bits - 1)]);
        var magnitude = FullInt(i, (BigInteger.One << (bits - 1)) - 1);
        return _e.Xor(i, _e.And(sign, magnitude));
    }

    /// <summary><c>select</c>: a non-scalar predicate and both values have one shape.</summary>
    private Value LowerSelect()
    {
        Value p = Operand(0), t = Operand(1), f = Operand(2);
        UnifyShapes(t, f);
        UnifyNonScalar(p, t);
        return _e.Select(p, t, f);
    }

    private Value LowerClamp()
    {
        Value min = Operand(0), x = Operand(1), max = Operand(2);
        UnifyNonScalar(min, x, max);
        return _e.Clamp(min, x, max);
    }

    /// <summary>
    /// <c>convert</c>: to bool is <c>x != 0</c> (StableHLO); float to integer truncates toward zero and saturates, NaN
    /// giving 0, in both our primitive and StableHLO's reference interpreter.
    /// </summary>
    private Value LowerConvert(Value x, DType to)
    {
        if (to == DType.Bool && x.Type.DType != DType.Bool)
            return _e.Ne(x, Full(x, 0));
        return _e.ConvertElementType(x, to);
    }

    private Value LowerBitcast()
    {
        var x = Operand(0);
        var to = ResultType().DType;
        return x.Type.DType == to ? x : _e.Emit1(Prims.BitcastConvertType, [x], Attributes.Of(("new_dtype", to)));
    }

    /// <summary>
    /// <c>count_leading_zeros</c>, which has no primitive: a binary search on the bits (shift by half the remaining
    /// width while the top bits are zero), then one more for zero itself.
    /// </summary>
    private Value CountLeadingZeros(Value x)
    {
        if (!x.Type.DType.IsInteger()) throw Invalid($"count_leading_zeros takes integers, got {x.Type}");
        int width = x.Type.DType.ItemSize() * 8;
        var count = Full(x, 0);
        var zero = Full(x, 0);
        for (int s = width / 2; s >= 1; s /= 2)
        {
            var top = _e.Emit1(Prims.ShiftRightLogical, [x, FullInt(x, width - s)]);
            var isZero = _e.Eq(top, zero);
            count = _e.Select(isZero, _e.Add(count, FullInt(x, s)), count);
            x = _e.Select(isZero, _e.Emit1(Prims.ShiftLeft, [x, FullInt(x, s)]), x);
        }
        return _e.Select(_e.Eq(x, zero), _e.Add(count, FullInt(x, 1)), count);
    }

    /// <summary>
    /// <c>check.expect_*</c>: the checked value (and the expected one when it is a value) become results of the
    /// function, the assertion a <see cref="StableHloCheck"/>.
    /// </summary>
    private IReadOnlyList<object> LowerCheck()
    {
        if (_checks is null)
            throw Unsupported("check operations are only imported by StableHloImporter.ImportModuleWithChecks, at a function's top level");
        var kind = _op.Name switch
        {
            "check.expect_eq" or "check.expect_eq_const" => StableHloCheckKind.Equal,
            "check.expect_almost_eq" or "check.expect_almost_eq_const" => StableHloCheckKind.AlmostEqual,
            "check.expect_close" => StableHloCheckKind.Close,
            _ => throw Unsupported($"op not in our primitive set: {_op.Name}"),
        };
        var actual = Operand(0);
        int actualIndex = AddCheckValue(actual);
        int expectedIndex = -1;
        Buffer? expected = null;
        if (_op.Name.EndsWith("_const", StringComparison.Ordinal))
        {
            var dense = Attr("value", "$0", "$1") as MlirDenseAttribute ?? throw Invalid("expected a dense<...> expected value");
            expected = ToBuffer(dense.Literal, dense.Type ?? (_op.ResultTypes.Count > 0 ? _op.ResultTypes[0] : throw Invalid("the expected value has no type")));
        }
        else expectedIndex = AddCheckValue(Operand(1));
        double tolerance = Attr("tolerance") switch
        {
            MlirFloatAttribute f => f.Value,
            MlirIntAttribute i => (double)i.Value,
            null => StableHloCheck.DefaultTolerance,
            var other => throw Invalid($"tolerance must be a float, got {other}"),
        };
        long ulps = Attr("max_ulp_difference") is { } u ? Int(u) : 0;
        _checkCount++;
        _checks.Add(new StableHloCheck(kind, actualIndex, expectedIndex, expected, tolerance, ulps, _op.Location.Line, _op.Location.Column));
        return [];
    }

    private int AddCheckValue(Value v)
    {
        _checkValues.Add(v);
        return _checkValues.Count - 1;
    }

    /// <summary>
    /// <c>chlo.mulhi</c>: the high half of the double-width product. Up to 32 bits: multiply in the double width and
    /// shift. 64 bits: the unsigned product from 32-bit limbs, and for signed operands the two's-complement correction
    /// <c>hi(a*b) = hi_u(a, b) - (a &lt; 0 ? b : 0) - (b &lt; 0 ? a : 0)</c>.
    /// </summary>
    private Value MultiplyHigh(Value a, Value b)
    {
        var dtype = a.Type.DType;
        if (!dtype.IsInteger()) throw Invalid($"mulhi takes integers, got {a.Type}");
        int width = dtype.ItemSize() * 8;
        bool signed = dtype.IsSignedInteger();
        if (width <= 32)
        {
            var wide = (signed, width) switch
            {
                (true, 8) => DType.Int16,
                (true, 16) => DType.Int32,
                (true, _) => DType.Int64,
                (false, 8) => DType.UInt16,
                (false, 16) => DType.UInt32,
                _ => DType.UInt64,
            };
            var product = _e.Mul(_e.ConvertElementType(a, wide), _e.ConvertElementType(b, wide));
            var high = _e.Emit1(signed ? Prims.ShiftRightArithmetic : Prims.ShiftRightLogical, [product, FullInt(product, width)]);
            return _e.ConvertElementType(high, dtype);
        }
        Value ua = signed ? _e.Emit1(Prims.BitcastConvertType, [a], Attributes.Of(("new_dtype", DType.UInt64))) : a;
        Value ub = signed ? _e.Emit1(Prims.BitcastConvertType, [b], Attributes.Of(("new_dtype", DType.UInt64))) : b;
        var mask = FullInt(ua, uint.MaxValue);
        var shift = FullInt(ua, 32);
        Value Lo(Value x) => _e.And(x, mask);
        Value Hi(Value x) => _e.Emit1(Prims.ShiftRightLogical, [x, shift]);
        var ll = _e.Mul(Lo(ua), Lo(ub));
        var lh = _e.Mul(Lo(ua), Hi(ub));
        var hl = _e.Mul(Hi(ua), Lo(ub));
        var hh = _e.Mul(Hi(ua), Hi(ub));
        var mid = _e.Add(_e.Add(Hi(ll), Lo(lh)), Lo(hl));
        var result = _e.Add(_e.Add(_e.Add(hh, Hi(lh)), Hi(hl)), Hi(mid));
        if (!signed) return result;
        var zero = FullInt(ua, 0);
        var aNegative = _e.Lt(a, FullInt(a, 0));
        var bNegative = _e.Lt(b, FullInt(b, 0));
        result = _e.Sub(result, _e.Select(aNegative, ub, zero));
        result = _e.Sub(result, _e.Select(bNegative, ua, zero));
        return _e.Emit1(Prims.BitcastConvertType, [result], Attributes.Of(("new_dtype", dtype)));
    }

    /// <summary>
    /// <c>reduce_precision</c> (no primitive): XLA's bit algorithm, which StableHLO's reference follows. The mantissa is
    /// rounded to nearest even at the kept width (add the bias, clear the dropped bits); exponents beyond the reduced
    /// range become a signed infinity, below it a signed zero; a NaN stays NaN when mantissa bits remain, else becomes
    /// the infinity of its sign.
    /// </summary>
    private Value LowerReducePrecision()
    {
        var x = Operand(0);
        int exponentBits, mantissaBits;
        if (WordOf(Attr("format")) is { } format && format.StartsWith('e') && format.IndexOf('m', StringComparison.Ordinal) is int m and > 1)
        {
            exponentBits = int.Parse(format.AsSpan(1, m - 1), System.Globalization.CultureInfo.InvariantCulture);
            mantissaBits = int.Parse(format.AsSpan(m + 1), System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            exponentBits = (int)Int(RequiredAttr("exponent_bits"));
            mantissaBits = (int)Int(RequiredAttr("mantissa_bits"));
        }
        var dtype = x.Type.DType;
        var (srcExponent, srcMantissa, bits) = dtype switch
        {
            DType.Float16 => (5, 10, DType.UInt16),
            DType.BFloat16 => (8, 7, DType.UInt16),
            DType.Float32 => (8, 23, DType.UInt32),
            DType.Float64 => (11, 52, DType.UInt64),
            _ => throw Invalid($"reduce_precision takes floats, got {x.Type}"),
        };
        int width = bits.ItemSize() * 8;
        var i = _e.Emit1(Prims.BitcastConvertType, [x], Attributes.Of(("new_dtype", bits)));
        if (mantissaBits < srcMantissa)
        {
            int dropped = srcMantissa - mantissaBits;
            BigInteger lastBit = BigInteger.One << dropped;
            var lastKept = _e.Emit1(Prims.ShiftRightLogical, [_e.And(i, FullInt(i, lastBit)), FullInt(i, dropped)]);
            var bias = _e.Add(lastKept, FullInt(i, (lastBit >> 1) - 1));
            var truncation = ((BigInteger.One << width) - 1) ^ (lastBit - 1);
            i = _e.And(_e.Add(i, bias), FullInt(i, truncation));
        }
        if (exponentBits < srcExponent)
        {
            BigInteger signMask = BigInteger.One << (width - 1);
            BigInteger exponentMask = ((BigInteger.One << srcExponent) - 1) << srcMantissa;
            int bias = (1 << (srcExponent - 1)) - 1;
            int reducedBias = (1 << (exponentBits - 1)) - 1;
            var exponent = _e.And(i, FullInt(i, exponentMask));
            var overflows = _e.Gt(exponent, FullInt(i, new BigInteger(bias + reducedBias) << srcMantissa));
            var underflows = _e.Le(exponent, FullInt(i, new BigInteger(bias - reducedBias) << srcMantissa));
            var signedZero = _e.And(i, FullInt(i, signMask));
            var signedInfinity = _e.Or(signedZero, FullInt(i, exponentMask));
            i = _e.Select(overflows, signedInfinity, _e.Select(underflows, signedZero, i));
        }
        var result = _e.Emit1(Prims.BitcastConvertType, [i], Attributes.Of(("new_dtype", dtype)));
        // A NaN has no representation without mantissa bits: it becomes the infinity of its sign (StableHLO's reference).
        Value nan = x;
        if (mantissaBits == 0)
        {
            var signed = _e.Emit1(Prims.BitcastConvertType, [x], Attributes.Of(("new_dtype", SignedOfWidth(dtype.ItemSize()))));
            nan = _e.Select(_e.Lt(signed, FullInt(signed, 0)), Full(x, double.NegativeInfinity), Full(x, double.PositiveInfinity));
        }
        return _e.Select(_e.Ne(x, x), nan, result);
    }
}
