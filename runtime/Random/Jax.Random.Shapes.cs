using System.Numerics;
using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    public static partial class Random
    {
        // Shapes of any integer type (x.Shape.Sizes is a long[]): one generic overload per sampler, as Jnp's creation
        // functions have (a long[] overload beside int[] would make a collection expression [] ambiguous).

        /// <summary><see cref="Bits(Tensor, int[], DType)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Bits<TDim>(Tensor key, TDim[] shape, DType dtype = DType.UInt32) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Bits(key, Jnp.IntShape(shape, "random.bits"), dtype);
        }

        /// <summary><see cref="Uniform(Tensor, int[], DType?, double, double)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Uniform<TDim>(Tensor key, TDim[] shape, DType? dtype = null, double minval = 0, double maxval = 1) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Uniform(key, Jnp.IntShape(shape, "random.uniform"), dtype, minval, maxval);
        }

        /// <summary><see cref="UniformBetween(Tensor, int[], DType, Tensor, Tensor)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor UniformBetween<TDim>(Tensor key, TDim[] shape, DType dtype, Tensor minval, Tensor maxval) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return UniformBetween(key, Jnp.IntShape(shape, "random.uniform_between"), dtype, minval, maxval);
        }

        /// <summary><see cref="Normal(Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Normal<TDim>(Tensor key, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Normal(key, Jnp.IntShape(shape, "random.normal"), dtype);
        }

        /// <summary><see cref="Bernoulli(Tensor, double, int[])"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Bernoulli<TDim>(Tensor key, double p, TDim[] shape) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Bernoulli(key, p, Jnp.IntShape(shape, "random.bernoulli"));
        }

        /// <summary><see cref="Exponential(Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Exponential<TDim>(Tensor key, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Exponential(key, Jnp.IntShape(shape, "random.exponential"), dtype);
        }

        /// <summary><see cref="Gumbel(Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Gumbel<TDim>(Tensor key, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Gumbel(key, Jnp.IntShape(shape, "random.gumbel"), dtype);
        }

        /// <summary><see cref="Laplace(Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Laplace<TDim>(Tensor key, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Laplace(key, Jnp.IntShape(shape, "random.laplace"), dtype);
        }

        /// <summary><see cref="Logistic(Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Logistic<TDim>(Tensor key, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Logistic(key, Jnp.IntShape(shape, "random.logistic"), dtype);
        }

        /// <summary><see cref="TruncatedNormal(Tensor, double, double, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor TruncatedNormal<TDim>(Tensor key, double lower, double upper, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return TruncatedNormal(key, lower, upper, Jnp.IntShape(shape, "random.truncated_normal"), dtype);
        }

        /// <summary><see cref="RandInt(Tensor, int[], long, long, DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor RandInt<TDim>(Tensor key, TDim[] shape, long minval, long maxval, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return RandInt(key, Jnp.IntShape(shape, "random.rand_int"), minval, maxval, dtype);
        }

        /// <summary><see cref="Choice(Tensor, int, int[], bool, Tensor)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Choice<TDim>(Tensor key, int a, TDim[] shape, bool replace = true, Tensor? p = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Choice(key, a, Jnp.IntShape(shape, "random.choice"), replace, p);
        }

        /// <summary><see cref="Choice(Tensor, Tensor, int[], bool, Tensor, int)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Choice<TDim>(Tensor key, Tensor a, TDim[] shape, bool replace = true, Tensor? p = null, int axis = 0) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Choice(key, a, Jnp.IntShape(shape, "random.choice"), replace, p, axis);
        }

        /// <summary><see cref="Categorical(Tensor, Tensor, int[], int)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Categorical<TDim>(Tensor key, Tensor logits, TDim[] shape, int axis = -1) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Categorical(key, logits, Jnp.IntShape(shape, "random.categorical"), axis);
        }

        /// <summary><see cref="LogGamma(Tensor, double, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor LogGamma<TDim>(Tensor key, double alpha, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return LogGamma(key, alpha, Jnp.IntShape(shape, "random.log_gamma"), dtype);
        }

        /// <summary><see cref="Beta(Tensor, double, double, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Beta<TDim>(Tensor key, double a, double b, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Beta(key, a, b, Jnp.IntShape(shape, "random.beta"), dtype);
        }

        /// <summary><see cref="Dirichlet(Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Dirichlet<TDim>(Tensor key, Tensor alpha, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Dirichlet(key, alpha, Jnp.IntShape(shape, "random.dirichlet"), dtype);
        }

        /// <summary><see cref="Gamma(Tensor, double, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Gamma<TDim>(Tensor key, double alpha, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Gamma(key, alpha, Jnp.IntShape(shape, "random.gamma"), dtype);
        }

        /// <summary><see cref="Poisson(Tensor, double, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Poisson<TDim>(Tensor key, double lam, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Poisson(key, lam, Jnp.IntShape(shape, "random.poisson"), dtype);
        }

        /// <summary><see cref="MultivariateNormal(Tensor, Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor MultivariateNormal<TDim>(Tensor key, Tensor mean, Tensor cov, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return MultivariateNormal(key, mean, cov, Jnp.IntShape(shape, "random.multivariate_normal"), dtype);
        }

        /// <summary><see cref="Cauchy(Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Cauchy<TDim>(Tensor key, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Cauchy(key, Jnp.IntShape(shape, "random.cauchy"), dtype);
        }

        /// <summary><see cref="Pareto(Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Pareto<TDim>(Tensor key, Tensor b, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Pareto(key, b, Jnp.IntShape(shape, "random.pareto"), dtype);
        }

        /// <summary><see cref="Lognormal(Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Lognormal<TDim>(Tensor key, Tensor? sigma, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Lognormal(key, sigma, Jnp.IntShape(shape, "random.lognormal"), dtype);
        }

        /// <summary><see cref="Rayleigh(Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Rayleigh<TDim>(Tensor key, Tensor scale, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Rayleigh(key, scale, Jnp.IntShape(shape, "random.rayleigh"), dtype);
        }

        /// <summary><see cref="Wald(Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Wald<TDim>(Tensor key, Tensor mean, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Wald(key, mean, Jnp.IntShape(shape, "random.wald"), dtype);
        }

        /// <summary><see cref="Triangular(Tensor, Tensor, Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Triangular<TDim>(Tensor key, Tensor left, Tensor mode, Tensor right, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Triangular(key, left, mode, right, Jnp.IntShape(shape, "random.triangular"), dtype);
        }

        /// <summary><see cref="WeibullMin(Tensor, Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor WeibullMin<TDim>(Tensor key, Tensor scale, Tensor concentration, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return WeibullMin(key, scale, concentration, Jnp.IntShape(shape, "random.weibull_min"), dtype);
        }

        /// <summary><see cref="Maxwell(Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Maxwell<TDim>(Tensor key, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Maxwell(key, Jnp.IntShape(shape, "random.maxwell"), dtype);
        }

        /// <summary><see cref="DoubleSidedMaxwell(Tensor, Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor DoubleSidedMaxwell<TDim>(Tensor key, Tensor loc, Tensor scale, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return DoubleSidedMaxwell(key, loc, scale, Jnp.IntShape(shape, "random.double_sided_maxwell"), dtype);
        }

        /// <summary><see cref="Rademacher(Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Rademacher<TDim>(Tensor key, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Rademacher(key, Jnp.IntShape(shape, "random.rademacher"), dtype);
        }

        /// <summary><see cref="Geometric(Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Geometric<TDim>(Tensor key, Tensor p, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Geometric(key, p, Jnp.IntShape(shape, "random.geometric"), dtype);
        }

        /// <summary><see cref="T(Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor T<TDim>(Tensor key, Tensor df, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return T(key, df, Jnp.IntShape(shape, "random.t"), dtype);
        }

        /// <summary><see cref="Chisquare(Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Chisquare<TDim>(Tensor key, Tensor df, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Chisquare(key, df, Jnp.IntShape(shape, "random.chisquare"), dtype);
        }

        /// <summary><see cref="F(Tensor, Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor F<TDim>(Tensor key, Tensor dfnum, Tensor dfden, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return F(key, dfnum, dfden, Jnp.IntShape(shape, "random.f"), dtype);
        }

        /// <summary><see cref="GeneralizedNormal(Tensor, double, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor GeneralizedNormal<TDim>(Tensor key, double p, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return GeneralizedNormal(key, p, Jnp.IntShape(shape, "random.generalized_normal"), dtype);
        }

        /// <summary><see cref="Ball(Tensor, int, double, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Ball<TDim>(Tensor key, int d, double p, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Ball(key, d, p, Jnp.IntShape(shape, "random.ball"), dtype);
        }

        /// <summary><see cref="Orthogonal(Tensor, int, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Orthogonal<TDim>(Tensor key, int n, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Orthogonal(key, n, Jnp.IntShape(shape, "random.orthogonal"), dtype);
        }

        /// <summary><see cref="Binomial(Tensor, Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Binomial<TDim>(Tensor key, Tensor n, Tensor p, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Binomial(key, n, p, Jnp.IntShape(shape, "random.binomial"), dtype);
        }

        /// <summary><see cref="Multinomial(Tensor, Tensor, Tensor, int[], DType?)"/> for a shape of any integer type (<c>long[]</c> as <c>x.Shape.Sizes</c>).</summary>
        public static Tensor Multinomial<TDim>(Tensor key, Tensor n, Tensor p, TDim[] shape, DType? dtype = null) where TDim : struct, IBinaryInteger<TDim>
        {
            ArgumentNullException.ThrowIfNull(shape);
            return Multinomial(key, n, p, Jnp.IntShape(shape, "random.multinomial"), dtype);
        }
    }
}
