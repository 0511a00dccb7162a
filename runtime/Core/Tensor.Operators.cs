namespace JaxToolchain;

public sealed partial class Tensor
{
    /// <summary>Reference equality (<c>==</c> and <c>!=</c> are elementwise, as in JAX).</summary>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <summary>A reference-identity hash.</summary>
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    /// <summary>Elementwise sum with broadcasting and promotion.</summary>
    public static Tensor operator +(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.Add(x, y);
    }

    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.Subtract(x, y);
    }

    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.Multiply(x, y);
    }

    /// <summary>True division.</summary>
    public static Tensor operator /(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.Divide(x, y);
    }

    /// <summary>Python-style remainder (sign of the divisor).</summary>
    public static Tensor operator %(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.Remainder(x, y);
    }

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Jnp.Negative(x);
    }

    /// <summary>Identity.</summary>
    public static Tensor operator +(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x;
    }

    /// <summary>Bitwise/logical not.</summary>
    public static Tensor operator ~(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Jnp.BitwiseNot(x);
    }

    /// <summary>Logical not.</summary>
    public static Tensor operator !(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Jnp.LogicalNot(x);
    }

    /// <summary>Bitwise/logical and.</summary>
    public static Tensor operator &(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.BitwiseAnd(x, y);
    }

    /// <summary>Bitwise/logical or.</summary>
    public static Tensor operator |(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.BitwiseOr(x, y);
    }

    /// <summary>Bitwise/logical xor.</summary>
    public static Tensor operator ^(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.BitwiseXor(x, y);
    }

    /// <summary>Left shift.</summary>
    public static Tensor operator <<(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.LeftShift(x, y);
    }

    /// <summary>Right shift (arithmetic for signed, logical for unsigned).</summary>
    public static Tensor operator >>(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.RightShift(x, y);
    }

    /// <summary>Elementwise x &lt; y.</summary>
    public static Tensor operator <(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.Less(x, y);
    }

    /// <summary>Elementwise x &gt; y.</summary>
    public static Tensor operator >(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.Greater(x, y);
    }

    /// <summary>Elementwise x &lt;= y.</summary>
    public static Tensor operator <=(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.LessEqual(x, y);
    }

    /// <summary>Elementwise x &gt;= y.</summary>
    public static Tensor operator >=(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.GreaterEqual(x, y);
    }

    /// <summary>Elementwise equality (an array of bool, as in JAX; use <c>is</c> for reference tests).</summary>
    public static Tensor operator ==(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.Equal(x ?? throw new ArgumentNullException(nameof(x)), y ?? throw new ArgumentNullException(nameof(y)));
    }

    /// <summary>Elementwise inequality.</summary>
    public static Tensor operator !=(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Jnp.NotEqual(x ?? throw new ArgumentNullException(nameof(x)), y ?? throw new ArgumentNullException(nameof(y)));
    }
}
