using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Nn
{
    /// <summary>
    /// An initializer (<c>jax.nn.initializers</c>): a function of a <see cref="Jax.Random"/> key, a shape and a dtype
    /// (the initializer's own default when null) returning a new array.
    /// </summary>
    public delegate Tensor Initializer(Tensor key, int[] shape, DType? dtype = null);

    /// <summary>
    /// Parameter initializers, as <c>jax.nn.initializers</c>: <see cref="Zeros"/> and <see cref="Ones"/> are
    /// initializers themselves; the others build one (<c>Normal(0.02)(key, [3, 4])</c>).
    /// </summary>
    public static partial class Initializers
    {
        private static DType FloatDType(string op, DType? dtype, DType? fallback)
        {
            var t = Jax.Config.Canonicalize(dtype ?? fallback ?? Jax.Config.DefaultFloat);
            if (!t.IsFloat())
                throw new JaxTypeException(op, $"{op}: initializers make floating arrays, got dtype {t.Name()}{Dispatch.At(SourceLocation.FindCaller())}");
            return t;
        }

        private static void CheckArguments(Tensor key, int[] shape)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
        }

        /// <summary>An array of zeros (<c>initializers.zeros</c>); the key is not used.</summary>
        public static Tensor Zeros(Tensor key, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckArguments(key, shape);
            return Jnp.Zeros(shape, Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultFloat));
        }

        /// <summary>An array of ones (<c>initializers.ones</c>); the key is not used.</summary>
        public static Tensor Ones(Tensor key, int[] shape, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(shape);
            CheckArguments(key, shape);
            return Jnp.Ones(shape, Jax.Config.Canonicalize(dtype ?? Jax.Config.DefaultFloat));
        }

        /// <summary>An initializer filling the array with <paramref name="value"/> (<c>initializers.constant</c>).</summary>
        public static Initializer Constant(Tensor value, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(value);
            return (key, shape, d) =>
            {
                CheckArguments(key, shape);
                return Jnp.Full(shape, value, Jax.Config.Canonicalize(d ?? dtype ?? Jax.Config.DefaultFloat));
            };
        }

        /// <summary>Normal samples of mean 0 and standard deviation <paramref name="stddev"/> (<c>initializers.normal</c>).</summary>
        public static Initializer Normal(double stddev = 1e-2, DType? dtype = null) => (key, shape, d) =>
        {
            CheckArguments(key, shape);
            return Jnp.Multiply(Jax.Random.Normal(key, shape, FloatDType("normal", d, dtype)), stddev);
        };

        /// <summary>Uniform samples in [0, <paramref name="scale"/>) (<c>initializers.uniform</c>).</summary>
        public static Initializer Uniform(double scale = 1e-2, DType? dtype = null) => (key, shape, d) =>
        {
            CheckArguments(key, shape);
            return Jnp.Multiply(Jax.Random.Uniform(key, shape, FloatDType("uniform", d, dtype)), scale);
        };

        /// <summary>
        /// Normal samples truncated to [lower, upper] standard deviations, times <paramref name="stddev"/>
        /// (<c>initializers.truncated_normal</c>; the result's standard deviation is below stddev).
        /// </summary>
        public static Initializer TruncatedNormal(double stddev = 1e-2, DType? dtype = null, double lower = -2.0, double upper = 2.0) => (key, shape, d) =>
        {
            CheckArguments(key, shape);
            return Jnp.Multiply(Jax.Random.TruncatedNormal(key, lower, upper, shape, FloatDType("truncated_normal", d, dtype)), stddev);
        };

        /// <summary>
        /// The fans of a weight shape, as <c>jax.nn.initializers</c> computes them: the sizes of the input and output
        /// axes times the receptive field (the product of the other dimensions, batch axes excluded).
        /// </summary>
        public static (double FanIn, double FanOut) ComputeFans(int[] shape, int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null)
        {
            ArgumentNullException.ThrowIfNull(shape);
            if (shape.Length <= 1)
                throw new JaxTypeException("variance_scaling",
                    $"variance_scaling: can't compute input and output sizes of a {shape.Length}-dimensional weights tensor [{string.Join(", ", shape)}]; it must be at least 2D{Dispatch.At(SourceLocation.FindCaller())}");
            double Product(int[] axes) => axes.Select(a => (double)shape[Axes.Normalize(a, shape.Length, "variance_scaling")]).Aggregate(1.0, (p, s) => p * s);
            double inSize = Product(inAxis ?? [-2]), outSize = Product(outAxis ?? [-1]), batchSize = Product(batchAxis ?? []);
            double total = shape.Aggregate(1.0, (p, s) => p * s);
            double receptive = total / inSize / outSize / batchSize;
            return (inSize * receptive, outSize * receptive);
        }

        /// <summary>
        /// Samples scaled to the weight's shape (<c>initializers.variance_scaling</c>): variance
        /// <paramref name="scale"/> / n with n the fan in, the fan out, their mean (<c>fan_avg</c>) or their geometric
        /// mean (<c>fan_geo_avg</c>) per <paramref name="mode"/>; <paramref name="distribution"/>
        /// <c>truncated_normal</c> (within two standard deviations, the standard deviation corrected by
        /// 0.87962566103423978 so the variance is as asked), <c>normal</c> or <c>uniform</c> (in +-sqrt(3 variance)).
        /// </summary>
        public static Initializer VarianceScaling(double scale, string mode, string distribution, int[]? inAxis = null, int[]? outAxis = null,
            int[]? batchAxis = null, DType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(mode);
            ArgumentNullException.ThrowIfNull(distribution);
            if (mode is not ("fan_in" or "fan_out" or "fan_avg" or "fan_geo_avg"))
                throw new ArgumentException($"invalid mode for variance scaling initializer: '{mode}' (expected fan_in, fan_out, fan_avg or fan_geo_avg)", nameof(mode));
            if (distribution is not ("truncated_normal" or "normal" or "uniform"))
                throw new ArgumentException($"invalid distribution for variance scaling initializer: '{distribution}' (expected truncated_normal, normal or uniform)", nameof(distribution));
            return (key, shape, d) =>
            {
                CheckArguments(key, shape);
                var (fanIn, fanOut) = ComputeFans(shape, inAxis, outAxis, batchAxis);
                double denominator = mode switch
                {
                    "fan_in" => fanIn,
                    "fan_out" => fanOut,
                    "fan_avg" => (fanIn + fanOut) / 2,
                    _ => Math.Sqrt(fanIn * fanOut),
                };
                double variance = scale / denominator;
                var t = FloatDType("variance_scaling", d, dtype);
                return distribution switch
                {
                    "truncated_normal" => Jnp.Multiply(Jax.Random.TruncatedNormal(key, -2, 2, shape, t), Math.Sqrt(variance) / 0.87962566103423978),
                    "normal" => Jnp.Multiply(Jax.Random.Normal(key, shape, t), Math.Sqrt(variance)),
                    _ => Jnp.Multiply(Jax.Random.Uniform(key, shape, t, -1), Math.Sqrt(3 * variance)),
                };
            };
        }

        /// <summary><c>variance_scaling(1, "fan_avg", "uniform")</c>: Glorot (Xavier) uniform (<c>glorot_uniform</c>).</summary>
        public static Initializer GlorotUniform(int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null, DType? dtype = null) =>
            VarianceScaling(1.0, "fan_avg", "uniform", inAxis, outAxis, batchAxis, dtype);

        /// <summary><c>variance_scaling(1, "fan_avg", "truncated_normal")</c>: Glorot (Xavier) normal (<c>glorot_normal</c>).</summary>
        public static Initializer GlorotNormal(int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null, DType? dtype = null) =>
            VarianceScaling(1.0, "fan_avg", "truncated_normal", inAxis, outAxis, batchAxis, dtype);

        /// <summary><c>variance_scaling(1, "fan_in", "uniform")</c> (<c>lecun_uniform</c>).</summary>
        public static Initializer LecunUniform(int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null, DType? dtype = null) =>
            VarianceScaling(1.0, "fan_in", "uniform", inAxis, outAxis, batchAxis, dtype);

        /// <summary><c>variance_scaling(1, "fan_in", "truncated_normal")</c> (<c>lecun_normal</c>).</summary>
        public static Initializer LecunNormal(int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null, DType? dtype = null) =>
            VarianceScaling(1.0, "fan_in", "truncated_normal", inAxis, outAxis, batchAxis, dtype);

        /// <summary><c>variance_scaling(2, "fan_in", "uniform")</c>: He (Kaiming) uniform (<c>he_uniform</c>).</summary>
        public static Initializer HeUniform(int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null, DType? dtype = null) =>
            VarianceScaling(2.0, "fan_in", "uniform", inAxis, outAxis, batchAxis, dtype);

        /// <summary><c>variance_scaling(2, "fan_in", "truncated_normal")</c>: He (Kaiming) normal (<c>he_normal</c>).</summary>
        public static Initializer HeNormal(int[]? inAxis = null, int[]? outAxis = null, int[]? batchAxis = null, DType? dtype = null) =>
            VarianceScaling(2.0, "fan_in", "truncated_normal", inAxis, outAxis, batchAxis, dtype);
    }
}
