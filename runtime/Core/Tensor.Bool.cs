using JaxToolchain.Ir;

namespace JaxToolchain;

public sealed partial class Tensor
{
    /// <summary>
    /// Python's <c>bool(x)</c>: the truth of a concrete array of one element. A traced array has no value to branch on
    /// (<see cref="TracerBoolConversionException"/>, as JAX's <c>TracerBoolConversionError</c>); an array of several
    /// elements is ambiguous, as in NumPy.
    /// </summary>
    public static explicit operator bool(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.IsTracer) throw new TracerBoolConversionException(x.Aval);
        if (x.Size != 1)
            throw new ArgumentException(
                $"The truth value of an array with more than one element is ambiguous (shape {x.Shape.ToTupleString()}): use Jnp.Any or Jnp.All" +
                Dispatch.At(SourceLocation.FindCaller()));
        return x.Item<bool>();
    }

    /// <summary>
    /// <c>if (x)</c>, <c>x ? a : b</c> and <c>&amp;&amp;</c>: true when <c>(bool)x</c> is (see the explicit conversion to <see cref="bool"/>).
    /// </summary>
    public static bool operator true(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return (bool)x;
    }

    /// <summary>The negation of <c>operator true</c>: false when <c>(bool)x</c> is.</summary>
    public static bool operator false(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return !(bool)x;
    }
}

/// <summary>
/// A traced array was converted to <see cref="bool"/> (JAX's <c>TracerBoolConversionError</c>): a C# <c>if</c>,
/// <c>?:</c>, <c>&amp;&amp;</c> or <c>(bool)</c> on a value that depends on a traced argument, whose value is not known
/// while the function is traced.
/// </summary>
public sealed class TracerBoolConversionException : InvalidOperationException
{
    /// <summary>Creates the exception for a traced array of abstract value <paramref name="aval"/>.</summary>
    public TracerBoolConversionException(ShapedType aval)
        : base($"Attempted boolean conversion of traced array with shape {aval.ToLongString()}: a C# if, ?:, && or (bool) on a value " +
               "that depends on an argument being traced (by Jax.Jit, Grad, Vmap, Lax.Scan, ...) has no value yet. Branch with " +
               "Lax.Cond (or Lax.Switch), select elementwise with Jnp.Where, or, under Jax.Jit, make the argument static " +
               "(JitOptions.StaticArgnums) so that its value is known while tracing" + Dispatch.At(SourceLocation.FindCaller())) =>
        Aval = aval;

    /// <summary>The abstract value of the traced array.</summary>
    public ShapedType Aval { get; }
}
