using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>
    /// JAX's counter-based PRNG (<c>jax.random</c>), the classic threefry2x32 implementation (as with
    /// <c>jax_threefry_partitionable</c> off): keys are <c>uint32[2]</c> arrays, and every draw is computed with
    /// primitives, so it gives JAX's bits eagerly, under <see cref="Jit(Func{Tensor[], Tensor[]}, JitOptions?)"/> and
    /// under <see cref="Vmap(Func{Tensor[], Tensor[]}, int?[], int?[])"/>.
    /// </summary>
    public static partial class Random
    {
        private static readonly uint[][] Rotations = [[13, 15, 26, 6], [17, 29, 16, 24]];

        private static Tensor U32(uint value) => Jnp.Array(value, DType.UInt32);

        /// <summary>A key from an integer seed: <c>[seed &gt;&gt; 32, seed &amp; 0xFFFFFFFF]</c> (as <c>jax.random.PRNGKey</c>).</summary>
        public static Tensor PRNGKey(long seed)
        {
            if (!Jax.Config.EnableX64 && seed is < int.MinValue or > int.MaxValue)
                throw new OverflowException($"PRNGKey seed {seed} does not fit int32; enable x64 for 64-bit seeds (as JAX requires)");
            // Without x64 the seed is an int32, whose logical shift by 32 is 0 (XLA's shift semantics).
            uint high = Jax.Config.EnableX64 ? (uint)((ulong)seed >> 32) : 0u;
            return Jnp.Array(new uint[] { high, unchecked((uint)seed) });
        }

        /// <summary>A key from an integer seed (JAX's new-style <c>jax.random.key</c>; the same data as <see cref="PRNGKey"/>).</summary>
        public static Tensor Key(long seed) => PRNGKey(seed);

        private static void CheckKey(Tensor key, string op)
        {
            ArgumentNullException.ThrowIfNull(key);
            if (key.DType != DType.UInt32 || key.Ndim != 1 || key.Shape[0] != Dim.Of(2))
                throw new JaxTypeException(op, $"a PRNG key is a uint32[2] array, got {key.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        }

        /// <summary>Checks a draw's key and shape (no negative or overflowing sizes) for <paramref name="op"/>.</summary>
        private static void CheckShape(string op, Tensor key, int[] shape)
        {
            ArgumentNullException.ThrowIfNull(shape);
            CheckKey(key, op);
            ShapeArguments.Of(op, shape);
        }

        private static Tensor RotateLeft(Tensor x, uint d) =>
            Lax.BitwiseOr(Lax.ShiftLeft(x, Jnp.FullLike(x, U32(d))), Lax.ShiftRightLogical(x, Jnp.FullLike(x, U32(32 - d))));

        /// <summary>The threefry2x32 block cipher (20 rounds) of the counter pair (x0, x1) under a key.</summary>
        internal static (Tensor, Tensor) Threefry2x32(Tensor key, Tensor x0, Tensor x1)
        {
            var k0 = Jnp.FullLike(x0, key[0]);
            var k1 = Jnp.FullLike(x0, key[1]);
            var k2 = Lax.BitwiseXor(Lax.BitwiseXor(k0, k1), Jnp.FullLike(x0, U32(0x1BD11BDA)));
            Tensor[] ks = [k0, k1, k2];
            var x = new[] { Lax.Add(x0, ks[0]), Lax.Add(x1, ks[1]) };
            for (int block = 0; block < 5; block++)
            {
                foreach (var r in Rotations[block % 2])
                {
                    x[0] = Lax.Add(x[0], x[1]);
                    x[1] = Lax.BitwiseXor(x[0], RotateLeft(x[1], r));
                }
                x[0] = Lax.Add(x[0], ks[(block + 1) % 3]);
                x[1] = Lax.Add(Lax.Add(x[1], ks[(block + 2) % 3]), Jnp.FullLike(x[1], U32((uint)block + 1)));
            }
            return (x[0], x[1]);
        }

        /// <summary>threefry2x32 applied to a uint32 counter array of any shape (odd sizes padded with a zero, as JAX does).</summary>
        internal static Tensor Threefry(Tensor key, Tensor counts)
        {
            CheckKey(key, "threefry2x32");
            var flat = Jnp.Ravel(counts);
            long n = flat.Size;
            bool odd = n % 2 == 1;
            if (odd) flat = Jnp.Concatenate([flat, Jnp.Zeros(1, DType.UInt32)]);
            int half = (int)((n + (odd ? 1 : 0)) / 2);
            var halves = Jnp.Split(flat, 2);
            var (y0, y1) = Threefry2x32(key, halves[0], halves[1]);
            var output = Jnp.Concatenate([y0, y1]);
            if (odd) output = output[..(int)n];
            return Jnp.Reshape(output, counts.Shape.Sizes);
        }

        private static Tensor Iota(long n) => Lax.Iota(DType.UInt32, Shape.Of(n), 0);

        /// <summary>Splits a key into <paramref name="num"/> new keys (<c>uint32[num, 2]</c>).</summary>
        public static Tensor Split(Tensor key, int num = 2)
        {
            ArgumentNullException.ThrowIfNull(key);
            CheckKey(key, "split");
            ShapeArguments.Count("split", "the number of keys", num);
            return Jnp.Reshape(Threefry(key, Iota(2L * num)), num, 2);
        }

        /// <summary>A new key from a key and an integer (<c>jax.random.fold_in</c>).</summary>
        public static Tensor FoldIn(Tensor key, uint data)
        {
            ArgumentNullException.ThrowIfNull(key);
            CheckKey(key, "fold_in");
            return Threefry(key, Jnp.Array(new uint[] { 0, data }));
        }

        /// <summary>Random bits of 8, 16, 32 or 64 bits per element (<c>jax.random.bits</c>).</summary>
        public static Tensor Bits(Tensor key, int[] shape, DType dtype = DType.UInt32)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("bits", key, shape);
            CheckKey(key, "bits");
            dtype = Jax.Config.Canonicalize(dtype);
            if (!dtype.IsUnsignedInteger())
                throw new JaxTypeException("bits", $"bits requires an unsigned integer dtype, got {dtype.Name()}{Dispatch.At(SourceLocation.FindCaller())}");
            int width = dtype.ItemSize() * 8;
            long size = shape.Aggregate(1L, (a, b) => a * b);
            long words = (width * size + 31) / 32;
            var bits = Threefry(key, Iota(words));
            Tensor result;
            if (width == 64)
            {
                var parts = Jnp.Split(bits, 2);
                var hi = Lax.ConvertElementType(parts[0], DType.UInt64);
                var lo = Lax.ConvertElementType(parts[1], DType.UInt64);
                result = Lax.BitwiseOr(Lax.ShiftLeft(hi, Jnp.FullLike(hi, Jnp.Array(32UL, DType.UInt64))), lo);
            }
            else if (width < 32)
            {
                // Each 32-bit word gives 32/width values, lowest bits first (a little-endian view).
                int per = 32 / width;
                var shifts = Lax.Mul(Lax.Iota(DType.UInt32, Shape.Of(per, 1), 0), Jnp.Full([per, 1], U32((uint)width), DType.UInt32));
                var spread = Lax.ShiftRightLogical(Lax.BroadcastInDim(bits, Shape.Of(per, words), [1]), Lax.BroadcastInDim(shifts, Shape.Of(per, words), [0, 1]));
                var masked = Lax.BitwiseAnd(spread, Jnp.Full([per, (int)words], U32((1u << width) - 1), DType.UInt32));
                var ordered = Jnp.Reshape(Jnp.Transpose(masked), -1);
                result = Lax.ConvertElementType(ordered, dtype)[..(int)size];
            }
            else result = bits;
            return Jnp.Reshape(result, shape.Select(d => (long)d).ToArray());
        }

        /// <summary>
        /// Uniform floats in [minval, maxval) (<c>jax.random.uniform</c>): random mantissa bits with exponent 0
        /// give [1, 2), minus 1, scaled and shifted, then clamped below by minval.
        /// </summary>
        public static Tensor Uniform(Tensor key, int[] shape, DType? dtype = null, double minval = 0, double maxval = 1)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("uniform", key, shape);
            var t = Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultFloat);
            return UniformBetween(key, shape, t, Jnp.Array(minval, t), Jnp.Array(maxval, t));
        }

        /// <summary>Uniform floats between array bounds (broadcast against <paramref name="shape"/>).</summary>
        public static Tensor UniformBetween(Tensor key, int[] shape, DType dtype, Tensor minval, Tensor maxval)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            ArgumentNullException.ThrowIfNull(minval);
            ArgumentNullException.ThrowIfNull(maxval);
            CheckShape("uniform", key, shape);
            var t = Jax.Config.Canonicalize(dtype);
            if (!t.IsFloat())
                throw new JaxTypeException("uniform", $"uniform requires a floating dtype, got {t.Name()}{Dispatch.At(SourceLocation.FindCaller())}");
            int nbits = t.ItemSize() * 8;
            int nmant = t switch { DType.Float16 => 10, DType.BFloat16 => 7, DType.Float32 => 23, _ => 52 };
            int rngBits = nmant < 8 ? 8 : nbits;
            var uintType = DTypes.IntegerOfWidth(nbits, signed: false);
            var bits = Bits(key, shape, DTypes.IntegerOfWidth(rngBits, signed: false));
            if (rngBits != nbits) bits = Lax.ConvertElementType(bits, uintType);
            var one = Jnp.Array(1.0, t);
            var oneBits = Lax.BitcastConvertType(one, uintType);
            var shift = Jnp.Array((long)(rngBits - nmant), uintType);
            var floatBits = Lax.BitwiseOr(Lax.ShiftRightLogical(bits, Jnp.FullLike(bits, shift)), Jnp.FullLike(bits, oneBits));
            var floats = Lax.Sub(Lax.BitcastConvertType(floatBits, t), Jnp.FullLike(bits, one, t));
            var lo = Jnp.BroadcastToShape(Jnp.Cast(minval, t), floats.Shape);
            var hi = Jnp.BroadcastToShape(Jnp.Cast(maxval, t), floats.Shape);
            var scaled = Lax.Add(Lax.Mul(floats, Lax.Sub(hi, lo)), lo);
            return Lax.Max(lo, scaled);
        }

        /// <summary>
        /// Standard normal samples (<c>jax.random.normal</c>): <c>sqrt(2) * erfinv(u)</c> with u uniform in
        /// (nextafter(-1, 0), 1), as JAX computes them.
        /// </summary>
        public static Tensor Normal(Tensor key, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("normal", key, shape);
            var t = Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultFloat);
            double lo = t switch
            {
                DType.Float32 => MathF.BitIncrement(-1f),
                DType.Float64 => Math.BitIncrement(-1.0),
                DType.Float16 => (double)BitConverterHalfNextAfterMinusOne(),
                _ => -1 + Math.Pow(2, -8),
            };
            var u = Uniform(key, shape, t, lo, 1);
            return Lax.Mul(Jnp.FullLike(u, Jnp.Array(Math.Sqrt(2), t)), Lax.ErfInv(u));
        }

        private static Half BitConverterHalfNextAfterMinusOne() => BitConverter.UInt16BitsToHalf((ushort)(BitConverter.HalfToUInt16Bits((Half)(-1.0)) - 1));

        /// <summary>True with probability <paramref name="p"/> (<c>jax.random.bernoulli</c>: uniform &lt; p).</summary>
        public static Tensor Bernoulli(Tensor key, double p, int[] shape)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("bernoulli", key, shape);
            return Jnp.Less(Uniform(key, shape, Jax.Config.DefaultFloat), p);
        }

        private static double Tiny(DType t) => t switch
        {
            DType.Float64 => double.Epsilon * Math.Pow(2, 52),
            DType.Float32 => 1.17549435e-38,
            DType.Float16 => 6.103515625e-05,
            _ => 1.17549435e-38,
        };

        private static double EpsNeg(DType t) => t switch
        {
            DType.Float64 => Math.Pow(2, -53),
            DType.Float32 => Math.Pow(2, -24),
            DType.Float16 => Math.Pow(2, -11),
            _ => Math.Pow(2, -8),
        };

        private static DType FloatType(DType? dtype) => Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultFloat);

        /// <summary>Exponential samples, <c>-log1p(-u)</c> (<c>jax.random.exponential</c>).</summary>
        public static Tensor Exponential(Tensor key, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("exponential", key, shape);
            return Lax.Neg(Lax.Log1p(Lax.Neg(Uniform(key, shape, FloatType(dtype)))));
        }

        /// <summary>Gumbel samples, <c>-log(-log(u))</c> with u in [tiny, 1) (<c>jax.random.gumbel</c>).</summary>
        public static Tensor Gumbel(Tensor key, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("gumbel", key, shape);
            var t = FloatType(dtype);
            return Lax.Neg(Lax.Log(Lax.Neg(Lax.Log(Uniform(key, shape, t, Tiny(t), 1)))));
        }

        /// <summary>Laplace samples, <c>sign(u) log1p(-|u|)</c> with u in (-1, 1) (<c>jax.random.laplace</c>).</summary>
        public static Tensor Laplace(Tensor key, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("laplace", key, shape);
            var t = FloatType(dtype);
            var u = Uniform(key, shape, t, -1 + EpsNeg(t), 1);
            return Lax.Mul(Lax.Sign(u), Lax.Log1p(Lax.Neg(Lax.Abs(u))));
        }

        /// <summary>Logistic samples, <c>log(u / (1 - u))</c> with u in [tiny, 1) (<c>jax.random.logistic</c>).</summary>
        public static Tensor Logistic(Tensor key, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("logistic", key, shape);
            var t = FloatType(dtype);
            var u = Uniform(key, shape, t, Tiny(t), 1);
            return Lax.Log(Lax.Div(u, Lax.Sub(Jnp.OnesLike(u), u)));
        }

        /// <summary>Normal samples truncated to (lower, upper), by inverting the CDF as JAX does (<c>jax.random.truncated_normal</c>).</summary>
        public static Tensor TruncatedNormal(Tensor key, double lower, double upper, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("truncated_normal", key, shape);
            var t = FloatType(dtype);
            var sqrt2 = Jnp.Array(Math.Sqrt(2), t);
            var lo = Jnp.Array(lower, t);
            var hi = Jnp.Array(upper, t);
            var a = Lax.Erf(Lax.Div(lo, sqrt2));
            var b = Lax.Erf(Lax.Div(hi, sqrt2));
            var u = UniformBetween(key, shape, t, a, b);
            var result = Lax.Mul(Jnp.FullLike(u, sqrt2), Lax.ErfInv(u));
            var min = Jnp.FullLike(u, Lax.Nextafter(lo, Jnp.Array(double.PositiveInfinity, t)));
            var max = Jnp.FullLike(u, Lax.Nextafter(hi, Jnp.Array(double.NegativeInfinity, t)));
            return Lax.Clamp(min, result, max);
        }

        /// <summary>Integers uniform in [minval, maxval) (<c>jax.random.randint</c>), from two 32-bit draws as JAX combines them.</summary>
        public static Tensor RandInt(Tensor key, int[] shape, long minval, long maxval, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("randint", key, shape);
            var t = Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultInt);
            if (!t.IsInteger())
                throw new JaxTypeException("randint", $"randint requires an integer dtype, got {t.Name()}{Dispatch.At(SourceLocation.FindCaller())}");
            int nbits = t.ItemSize() * 8;
            var unsigned = DTypes.IntegerOfWidth(nbits, signed: false);
            long tmin = t.IsSignedInteger() ? -(1L << (nbits - 1)) : 0;
            long tmax = t.IsSignedInteger() ? (nbits == 64 ? long.MaxValue : (1L << (nbits - 1)) - 1) : (nbits == 64 ? long.MaxValue : (1L << nbits) - 1);
            bool maxOutOfRange = maxval > tmax;
            long lo = Math.Clamp(minval, tmin, tmax), hi = Math.Clamp(maxval, tmin, tmax);
            var keys = Split(key);
            var higher = Bits(keys[0], shape, unsigned);
            var lower = Bits(keys[1], shape, unsigned);
            var minT = Jnp.Array(lo, t);
            var maxT = Jnp.Array(hi, t);
            var span = Lax.ConvertElementType(Lax.Sub(maxT, minT), unsigned);
            if (hi <= lo) span = Jnp.OnesLike(span);
            else if (maxOutOfRange) span = Lax.Add(span, Jnp.OnesLike(span));
            var spanB = Jnp.FullLike(higher, span);
            var half = Jnp.FullLike(higher, Jnp.Array(1L << (nbits / 2), unsigned));
            var multiplier = Lax.Rem(half, spanB);
            multiplier = Lax.Rem(Lax.Mul(multiplier, multiplier), spanB);
            var offset = Lax.Add(Lax.Mul(Lax.Rem(higher, spanB), multiplier), Lax.Rem(lower, spanB));
            offset = Lax.Rem(offset, spanB);
            return Lax.Add(Jnp.FullLike(higher, minT, t), Lax.ConvertElementType(offset, t));
        }

        /// <summary>A random permutation of the elements of x along <paramref name="axis"/> (JAX's sort-based shuffle).</summary>
        public static Tensor Permutation(Tensor key, Tensor x, int axis = 0)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(x);
            int a = Axes.Normalize(axis, x.Ndim, "permutation");
            int rounds = (int)Math.Ceiling(3 * Math.Log(Math.Max(1, x.Size)) / Math.Log(uint.MaxValue));
            for (int r = 0; r < rounds; r++)
            {
                var keys = Split(key);
                key = keys[0];
                var sortKeys = Bits(keys[1], x.Shape.IntSizes);
                x = Lax.Sort([sortKeys, x], a, isStable: true, numKeys: 1)[1];
            }
            return x;
        }

        /// <summary>The elements of x in random order along an axis (<c>jax.random.shuffle</c>; the same draws as <see cref="Permutation(Tensor, Tensor, int)"/>).</summary>
        public static Tensor Shuffle(Tensor key, Tensor x, int axis = 0)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(x);
            return Permutation(key, x, axis);
        }

        /// <summary>A random permutation of 0..n-1 (<c>jax.random.permutation(key, n)</c>).</summary>
        public static Tensor Permutation(Tensor key, int n)
        {
            ArgumentNullException.ThrowIfNull(key);
            return Permutation(key, Jnp.Arange(n));
        }

        /// <summary>
        /// Draws from 0..a-1 (<c>jax.random.choice(key, a, shape, replace, p)</c>): uniformly, or with probabilities
        /// <paramref name="p"/>; with replacement or without (a shuffle, or the Gumbel top-k trick with p), as JAX
        /// draws them.
        /// </summary>
        public static Tensor Choice(Tensor key, int a, int[]? shape = null, bool replace = true, Tensor? p = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            return ChoiceOf(key, null, a, shape ?? [], replace, p, 0);
        }

        /// <summary>
        /// Draws elements of <paramref name="a"/> along <paramref name="axis"/> (<c>jax.random.choice(key, a, shape,
        /// replace, p, axis)</c>); a scalar <paramref name="a"/> is a population size, as in JAX. The result has
        /// <c>a.shape[:axis] + shape + a.shape[axis+1:]</c>.
        /// </summary>
        public static Tensor Choice(Tensor key, Tensor a, int[]? shape = null, bool replace = true, Tensor? p = null, int axis = 0)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(a);
            if (a.Ndim > 0) return ChoiceOf(key, a, a.ShapeAt(Axes.Normalize(axis, a.Ndim, "choice", a.Aval)), shape ?? [], replace, p, Axes.Normalize(axis, a.Ndim, "choice"));
            if (a.IsTracer || !a.DType.IsInteger())
                throw new JaxTypeException("choice", $"a scalar population must be a concrete integer, got {a.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
            return ChoiceOf(key, null, a.Item<long>(), shape ?? [], replace, p, 0);
        }

        private static Tensor ChoiceOf(Tensor key, Tensor? population, long n, int[] shape, bool replace, Tensor? p, int axis)
        {
            CheckShape("choice", key, shape);
            long draws = shape.Aggregate(1L, (product, d) => product * d);
            var outShape = population is null ? shape
                : [.. population.Shape.IntSizes.Take(axis), .. shape, .. population.Shape.IntSizes.Skip(axis + 1)];
            if (draws == 0) return Jnp.Zeros(outShape, population?.DType ?? Jax.Config.DefaultInt);
            if (n <= 0)
                throw new JaxTypeException("choice", $"a must be greater than 0 unless no samples are taken, got a population of {n}{Dispatch.At(SourceLocation.FindCaller())}");
            if (!replace && draws > n)
                throw new JaxTypeException("choice", $"cannot take a larger sample ({draws}) than the population ({n}) when replace=false{Dispatch.At(SourceLocation.FindCaller())}");
            if (n > int.MaxValue)
                throw new JaxTypeException("choice", $"a population of {n} is larger than an int32 index can address{Dispatch.At(SourceLocation.FindCaller())}");
            Tensor result;
            if (p is null)
            {
                if (replace)
                {
                    var index = RandInt(key, shape, 0, n);
                    result = population is null ? index : Jnp.Take(population, index, axis);
                }
                else
                {
                    var shuffled = population is null ? Permutation(key, (int)n) : Permutation(key, population, axis);
                    var limit = shuffled.Shape.IntSizes;
                    limit[axis] = (int)draws;
                    result = Lax.Slice(shuffled, new int[limit.Length], limit);
                }
            }
            else
            {
                if (p.Ndim != 1 || p.ShapeAt(0) != n)
                    throw new JaxTypeException("choice", $"p must be None or match the shape of a: p is {p.Aval.ToLongString()}, the population has {n} elements{Dispatch.At(SourceLocation.FindCaller())}");
                var probabilities = Jnp.PromoteArgsInexact("choice", p)[0];
                Tensor index;
                if (replace)
                {
                    var cumulative = Jnp.Cumsum(probabilities);
                    var r = Jnp.Multiply(cumulative[-1], Jnp.Subtract(1, Uniform(key, shape, cumulative.DType)));
                    // searchsorted(cumulative, r, side="left"): how many cumulative sums lie below r.
                    var below = Jnp.Less(Jnp.ExpandDims(cumulative, Enumerable.Range(0, shape.Length).ToArray()), Jnp.ExpandDims(r, shape.Length));
                    index = Jnp.Sum(below, shape.Length, dtype: Jax.Config.DefaultInt);
                }
                else
                {
                    // The Gumbel top-k trick: the k largest of gumbel + log p, largest first.
                    var g = Jnp.Add(Gumbel(key, [(int)n], probabilities.DType), Jnp.Log(probabilities));
                    index = Jnp.Astype(Jnp.Argsort(Jnp.Negative(g))[..(int)draws], Jax.Config.DefaultInt);
                }
                result = population is null ? index : Jnp.Take(population, index, axis);
            }
            return Jnp.Reshape(result, outShape.Select(d => (long)d).ToArray());
        }

        /// <summary>Samples from categorical distributions given by logits along <paramref name="axis"/> (the Gumbel-max trick, as JAX).</summary>
        public static Tensor Categorical(Tensor key, Tensor logits, int[]? shape = null, int axis = -1)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(logits);
            int a = Axes.Normalize(axis, logits.Ndim, "categorical");
            var batch = logits.Shape.IntSizes.Where((_, i) => i != a).ToArray();
            shape ??= batch;
            var prefix = shape.Take(shape.Length - batch.Length).ToArray();
            var logitsShape = shape.Skip(prefix.Length).ToList();
            logitsShape.Insert(a, (int)logits.Shape[a].Size);
            var noise = Gumbel(key, [.. prefix, .. logitsShape], logits.DType);
            var expanded = prefix.Length == 0 ? logits : Jnp.ExpandDims(logits, Enumerable.Range(0, prefix.Length).ToArray());
            return Jnp.Argmax(Jnp.Add(noise, expanded), prefix.Length + a);
        }

        /// <summary>One Gamma(alpha) sample by Marsaglia and Tsang's method, as JAX's <c>_gamma_one</c> draws it.</summary>
        private static Tensor GammaOne(Tensor key, Tensor alpha, bool logSpace)
        {
            var t = alpha.DType;
            Tensor C(double v) => Jnp.Array(v, t);
            var boost = Lax.Ge(alpha, C(1));
            var alphaOrig = alpha;
            alpha = Lax.Select(boost, alpha, Lax.Add(alpha, C(1)));
            var d = Lax.Sub(alpha, C(1.0 / 3.0));
            var c = Lax.Div(C(1.0 / 3.0), Lax.Sqrt(d));
            Tensor Cond(Tensor[] s)
            {
                var (x, v, u) = (s[1], s[2], s[3]);
                var first = Lax.Ge(u, Lax.Sub(C(1), Lax.Mul(C(0.0331), Lax.Mul(x, x))));
                var second = Lax.Ge(Lax.Log(u), Lax.Add(Lax.Mul(x, C(0.5)), Lax.Mul(d, Lax.Add(Lax.Sub(C(1), v), Lax.Log(v)))));
                return Lax.BitwiseAnd(first, second);
            }
            Tensor[] Body(Tensor[] s)
            {
                var keys = Split(s[0], 3);
                var inner = Lax.WhileLoop(kxv => Lax.Le(kxv[2], C(0)), kxv =>
                {
                    var split = Split(kxv[0]);
                    var x = Normal(split[1], [], t);
                    return [split[0], x, Lax.Add(C(1), Lax.Mul(x, c))];
                }, keys[1], C(0), C(-1));
                var (xs, vs) = (inner[1], inner[2]);
                return [keys[0], Lax.Mul(xs, xs), Lax.Mul(Lax.Mul(vs, vs), vs), Uniform(keys[2], [], t)];
            }
            var first = Split(key);
            var result = Lax.WhileLoop(Cond, Body, first[0], C(0), C(1), C(2));
            if (logSpace)
            {
                // log Gamma(alpha) = log Gamma(alpha + 1) + log(U) / alpha, with log(U) drawn as -Exponential.
                var logSamples = Lax.Neg(Exponential(first[1], [], t));
                var noBoost = Lax.BitwiseOr(boost, Lax.Eq(logSamples, C(0)));
                var logBoost = Lax.Select(noBoost, C(0), Lax.Mul(logSamples, Lax.Div(C(1), alphaOrig)));
                return Lax.Add(Lax.Add(Lax.Log(d), Lax.Log(result[2])), logBoost);
            }
            var samples = Lax.Sub(C(1), Uniform(first[1], [], t));
            var boostFactor = Lax.Select(boost, C(1), Lax.Pow(samples, Lax.Div(C(1), alphaOrig)));
            return Lax.Mul(Lax.Mul(d, result[2]), boostFactor);
        }

        private static Tensor GammaDraws(Tensor key, Tensor alpha, int[] shape, bool logSpace)
        {
            int n = shape.Aggregate(1, (a, b) => a * b);
            var keys = Split(key, n);
            var alphas = Jnp.Ravel(Jnp.BroadcastTo(alpha, shape));
            var samples = Vmap((Func<Tensor, Tensor, Tensor>)((k, a) => GammaOne(k, a, logSpace)), (0, 0))(keys, alphas);
            return Jnp.Reshape(samples, shape.Select(d => (long)d).ToArray());
        }

        /// <summary>The logarithms of Gamma(alpha) samples, accurate for small alpha (<c>jax.random.loggamma</c>).</summary>
        public static Tensor LogGamma(Tensor key, double alpha, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("loggamma", key, shape);
            var t = FloatType(dtype);
            return GammaDraws(key, Jnp.Array(alpha, t), shape, logSpace: true);
        }

        /// <summary>Beta(a, b) samples from two log-gamma draws, normalised without overflow (<c>jax.random.beta</c>).</summary>
        public static Tensor Beta(Tensor key, double a, double b, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("beta", key, shape);
            var t = FloatType(dtype);
            var keys = Split(key);
            var logA = GammaDraws(keys[0], Jnp.Array(a, t), shape, logSpace: true);
            var logB = GammaDraws(keys[1], Jnp.Array(b, t), shape, logSpace: true);
            var logMax = Lax.Max(logA, logB);
            var scaledA = Lax.Exp(Lax.Sub(logA, logMax));
            var scaledB = Lax.Exp(Lax.Sub(logB, logMax));
            return Lax.Div(scaledA, Lax.Add(scaledA, scaledB));
        }

        /// <summary>Dirichlet(alpha) samples: softmax of log-gamma draws over the last axis (<c>jax.random.dirichlet</c>).</summary>
        public static Tensor Dirichlet(Tensor key, Tensor alpha, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(alpha);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("dirichlet", key, shape);
            var t = FloatType(dtype);
            int k = (int)alpha.Shape[alpha.Ndim - 1].Size;
            var logGamma = GammaDraws(key, Jnp.Cast(alpha, t), [.. shape, k], logSpace: true);
            return Nn.Softmax(logGamma, -1);
        }

        /// <summary>Gamma(alpha) samples (<c>jax.random.gamma</c>): one key per element, each drawn by Marsaglia and Tsang's method.</summary>
        public static Tensor Gamma(Tensor key, double alpha, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("gamma", key, shape);
            var t = FloatType(dtype);
            return GammaDraws(key, Jnp.Array(alpha, t), shape, logSpace: false);
        }

        /// <summary>
        /// Poisson(lam) samples (<c>jax.random.poisson</c>): Knuth's multiplication method for lam &lt; 10 and Hörmann's
        /// transformed rejection otherwise, each a loop over the whole array as JAX runs it (JAX evaluates both and
        /// selects per element; with one scalar rate the selected one alone gives the same draws).
        /// </summary>
        public static Tensor Poisson(Tensor key, double lam, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("poisson", key, shape);
            CheckKey(key, "poisson");
            var t = Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultInt);
            if (!t.IsInteger())
                throw new JaxTypeException("poisson", $"poisson requires an integer dtype, got {t.Name()}{Dispatch.At(SourceLocation.FindCaller())}");
            if (lam < 0 || double.IsNaN(lam))
                throw new JaxTypeException("poisson", $"the rate must be >= 0, got {lam}{Dispatch.At(SourceLocation.FindCaller())}");
            if (lam == 0) return Jnp.Zeros(shape, t);
            var rate = Jnp.Full(shape, Jnp.Array((float)lam, DType.Float32), DType.Float32);
            var maxIters = Jnp.Array(int.MaxValue, DType.Int32);
            var zero = Jnp.Array(0, DType.Int32);
            if (lam < 10)
            {
                var knuth = Lax.WhileLoop(
                    c => Lax.BitwiseAnd(Jnp.Any(Lax.Gt(c[3], Lax.Neg(rate))), Lax.Lt(c[0], maxIters)),
                    c =>
                    {
                        var keys = Split(c[2]);
                        var k = Lax.Select(Lax.Gt(c[3], Lax.Neg(rate)), Lax.Add(c[1], Jnp.OnesLike(c[1])), c[1]);
                        var u = Uniform(keys[1], shape, DType.Float32);
                        return [Lax.Add(c[0], Jnp.OnesLike(c[0])), k, keys[0], Lax.Add(c[3], Lax.Log(u))];
                    },
                    zero, Jnp.Zeros(shape, t), key, Jnp.Zeros(shape, DType.Float32));
                return Lax.Sub(knuth[1], Jnp.OnesLike(knuth[1]));
            }
            Tensor C(double v) => Jnp.Full(shape, Jnp.Array((float)v, DType.Float32), DType.Float32);
            var logLam = Lax.Log(rate);
            var b = Lax.Add(C(0.931), Lax.Mul(C(2.53), Lax.Sqrt(rate)));
            var a = Lax.Add(C(-0.059), Lax.Mul(C(0.02483), b));
            var invAlpha = Lax.Add(C(1.1239), Lax.Div(C(1.1328), Lax.Sub(b, C(3.4))));
            var vr = Lax.Sub(C(0.9277), Lax.Div(C(3.6224), Lax.Sub(b, C(2))));
            var rejection = Lax.WhileLoop(
                c => Lax.BitwiseAnd(Jnp.Any(Lax.Not(c[2])), Lax.Lt(c[0], maxIters)),
                c =>
                {
                    var keys = Split(c[3], 3);
                    var u = Lax.Sub(Uniform(keys[1], shape, DType.Float32), C(0.5));
                    var v = Uniform(keys[2], shape, DType.Float32);
                    var us = Lax.Sub(C(0.5), Lax.Abs(u));
                    var k = Lax.Floor(Lax.Add(Lax.Add(Lax.Mul(Lax.Add(Lax.Div(Lax.Mul(C(2), a), us), b), u), rate), C(0.43)));
                    var s = Lax.Log(Lax.Div(Lax.Mul(v, invAlpha), Lax.Add(Lax.Div(a, Lax.Mul(us, us)), b)));
                    var tt = Lax.Sub(Lax.Add(Lax.Neg(rate), Lax.Mul(k, logLam)), Lax.Lgamma(Lax.Add(k, C(1))));
                    var accept1 = Lax.BitwiseAnd(Lax.Ge(us, C(0.07)), Lax.Le(v, vr));
                    var reject = Lax.BitwiseOr(Lax.Lt(k, C(0)), Lax.BitwiseAnd(Lax.Lt(us, C(0.013)), Lax.Gt(v, us)));
                    var accept = Lax.BitwiseOr(accept1, Lax.BitwiseAnd(Lax.Not(reject), Lax.Le(s, tt)));
                    return [Lax.Add(c[0], Jnp.OnesLike(c[0])), Lax.Select(accept, k, c[1]), Lax.BitwiseOr(c[2], accept), keys[0]];
                },
                zero, C(-1), Jnp.Zeros(shape, DType.Bool), key);
            return Lax.ConvertElementType(rejection[1], t);
        }

        /// <summary>
        /// Multivariate normal samples <c>mean + L z</c> with L the Cholesky factor of <paramref name="cov"/>
        /// (<c>jax.random.multivariate_normal</c> with its default method).
        /// </summary>
        public static Tensor MultivariateNormal(Tensor key, Tensor mean, Tensor cov, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(mean);
            ArgumentNullException.ThrowIfNull(cov);
            ArgumentNullException.ThrowIfNull(shape);
            CheckShape("multivariate_normal", key, shape);
            var t = FloatType(dtype);
            int n = (int)mean.Shape[mean.Ndim - 1].Size;
            var factor = Jnp.Linalg.Cholesky(Jnp.Cast(cov, t));
            var z = Normal(key, [.. shape, n], t);
            return Jnp.Add(Jnp.Cast(mean, t), Jnp.Einsum("ij,...j->...i", factor, z));
        }
    }
}
