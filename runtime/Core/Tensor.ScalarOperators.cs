namespace JaxToolchain;

// Operators between a Tensor and a .NET scalar (double, float, int, long, bool) on either side, shifts by a scalar
// count, and Pow for F#'s **. C# reaches the Tensor-Tensor operators through the implicit conversions anyway; these
// overloads exist for F#, which applies no implicit conversion when it resolves an operator (x * 2.0). Each converts
// the scalar with that implicit conversion, so JAX's weak typing is kept (a float32 array times 2.0 stays float32, an
// int32 array plus 2.5 is float32, a bool is a strongly typed bool), and calls the Tensor-Tensor operator.
public sealed partial class Tensor
{
    /// <inheritdoc cref="operator +(Tensor, Tensor)"/>
    public static Tensor operator +(Tensor x, double y) => x + (Tensor)y;

    /// <inheritdoc cref="operator +(Tensor, Tensor)"/>
    public static Tensor operator +(double x, Tensor y) => (Tensor)x + y;

    /// <inheritdoc cref="operator +(Tensor, Tensor)"/>
    public static Tensor operator +(Tensor x, float y) => x + (Tensor)y;

    /// <inheritdoc cref="operator +(Tensor, Tensor)"/>
    public static Tensor operator +(float x, Tensor y) => (Tensor)x + y;

    /// <inheritdoc cref="operator +(Tensor, Tensor)"/>
    public static Tensor operator +(Tensor x, int y) => x + (Tensor)y;

    /// <inheritdoc cref="operator +(Tensor, Tensor)"/>
    public static Tensor operator +(int x, Tensor y) => (Tensor)x + y;

    /// <inheritdoc cref="operator +(Tensor, Tensor)"/>
    public static Tensor operator +(Tensor x, long y) => x + (Tensor)y;

    /// <inheritdoc cref="operator +(Tensor, Tensor)"/>
    public static Tensor operator +(long x, Tensor y) => (Tensor)x + y;

    /// <inheritdoc cref="operator +(Tensor, Tensor)"/>
    public static Tensor operator +(Tensor x, bool y) => x + (Tensor)y;

    /// <inheritdoc cref="operator +(Tensor, Tensor)"/>
    public static Tensor operator +(bool x, Tensor y) => (Tensor)x + y;

    /// <inheritdoc cref="operator -(Tensor, Tensor)"/>
    public static Tensor operator -(Tensor x, double y) => x - (Tensor)y;

    /// <inheritdoc cref="operator -(Tensor, Tensor)"/>
    public static Tensor operator -(double x, Tensor y) => (Tensor)x - y;

    /// <inheritdoc cref="operator -(Tensor, Tensor)"/>
    public static Tensor operator -(Tensor x, float y) => x - (Tensor)y;

    /// <inheritdoc cref="operator -(Tensor, Tensor)"/>
    public static Tensor operator -(float x, Tensor y) => (Tensor)x - y;

    /// <inheritdoc cref="operator -(Tensor, Tensor)"/>
    public static Tensor operator -(Tensor x, int y) => x - (Tensor)y;

    /// <inheritdoc cref="operator -(Tensor, Tensor)"/>
    public static Tensor operator -(int x, Tensor y) => (Tensor)x - y;

    /// <inheritdoc cref="operator -(Tensor, Tensor)"/>
    public static Tensor operator -(Tensor x, long y) => x - (Tensor)y;

    /// <inheritdoc cref="operator -(Tensor, Tensor)"/>
    public static Tensor operator -(long x, Tensor y) => (Tensor)x - y;

    /// <inheritdoc cref="operator -(Tensor, Tensor)"/>
    public static Tensor operator -(Tensor x, bool y) => x - (Tensor)y;

    /// <inheritdoc cref="operator -(Tensor, Tensor)"/>
    public static Tensor operator -(bool x, Tensor y) => (Tensor)x - y;

    /// <inheritdoc cref="operator *(Tensor, Tensor)"/>
    public static Tensor operator *(Tensor x, double y) => x * (Tensor)y;

    /// <inheritdoc cref="operator *(Tensor, Tensor)"/>
    public static Tensor operator *(double x, Tensor y) => (Tensor)x * y;

    /// <inheritdoc cref="operator *(Tensor, Tensor)"/>
    public static Tensor operator *(Tensor x, float y) => x * (Tensor)y;

    /// <inheritdoc cref="operator *(Tensor, Tensor)"/>
    public static Tensor operator *(float x, Tensor y) => (Tensor)x * y;

    /// <inheritdoc cref="operator *(Tensor, Tensor)"/>
    public static Tensor operator *(Tensor x, int y) => x * (Tensor)y;

    /// <inheritdoc cref="operator *(Tensor, Tensor)"/>
    public static Tensor operator *(int x, Tensor y) => (Tensor)x * y;

    /// <inheritdoc cref="operator *(Tensor, Tensor)"/>
    public static Tensor operator *(Tensor x, long y) => x * (Tensor)y;

    /// <inheritdoc cref="operator *(Tensor, Tensor)"/>
    public static Tensor operator *(long x, Tensor y) => (Tensor)x * y;

    /// <inheritdoc cref="operator *(Tensor, Tensor)"/>
    public static Tensor operator *(Tensor x, bool y) => x * (Tensor)y;

    /// <inheritdoc cref="operator *(Tensor, Tensor)"/>
    public static Tensor operator *(bool x, Tensor y) => (Tensor)x * y;

    /// <inheritdoc cref="operator /(Tensor, Tensor)"/>
    public static Tensor operator /(Tensor x, double y) => x / (Tensor)y;

    /// <inheritdoc cref="operator /(Tensor, Tensor)"/>
    public static Tensor operator /(double x, Tensor y) => (Tensor)x / y;

    /// <inheritdoc cref="operator /(Tensor, Tensor)"/>
    public static Tensor operator /(Tensor x, float y) => x / (Tensor)y;

    /// <inheritdoc cref="operator /(Tensor, Tensor)"/>
    public static Tensor operator /(float x, Tensor y) => (Tensor)x / y;

    /// <inheritdoc cref="operator /(Tensor, Tensor)"/>
    public static Tensor operator /(Tensor x, int y) => x / (Tensor)y;

    /// <inheritdoc cref="operator /(Tensor, Tensor)"/>
    public static Tensor operator /(int x, Tensor y) => (Tensor)x / y;

    /// <inheritdoc cref="operator /(Tensor, Tensor)"/>
    public static Tensor operator /(Tensor x, long y) => x / (Tensor)y;

    /// <inheritdoc cref="operator /(Tensor, Tensor)"/>
    public static Tensor operator /(long x, Tensor y) => (Tensor)x / y;

    /// <inheritdoc cref="operator /(Tensor, Tensor)"/>
    public static Tensor operator /(Tensor x, bool y) => x / (Tensor)y;

    /// <inheritdoc cref="operator /(Tensor, Tensor)"/>
    public static Tensor operator /(bool x, Tensor y) => (Tensor)x / y;

    /// <inheritdoc cref="operator %(Tensor, Tensor)"/>
    public static Tensor operator %(Tensor x, double y) => x % (Tensor)y;

    /// <inheritdoc cref="operator %(Tensor, Tensor)"/>
    public static Tensor operator %(double x, Tensor y) => (Tensor)x % y;

    /// <inheritdoc cref="operator %(Tensor, Tensor)"/>
    public static Tensor operator %(Tensor x, float y) => x % (Tensor)y;

    /// <inheritdoc cref="operator %(Tensor, Tensor)"/>
    public static Tensor operator %(float x, Tensor y) => (Tensor)x % y;

    /// <inheritdoc cref="operator %(Tensor, Tensor)"/>
    public static Tensor operator %(Tensor x, int y) => x % (Tensor)y;

    /// <inheritdoc cref="operator %(Tensor, Tensor)"/>
    public static Tensor operator %(int x, Tensor y) => (Tensor)x % y;

    /// <inheritdoc cref="operator %(Tensor, Tensor)"/>
    public static Tensor operator %(Tensor x, long y) => x % (Tensor)y;

    /// <inheritdoc cref="operator %(Tensor, Tensor)"/>
    public static Tensor operator %(long x, Tensor y) => (Tensor)x % y;

    /// <inheritdoc cref="operator %(Tensor, Tensor)"/>
    public static Tensor operator %(Tensor x, bool y) => x % (Tensor)y;

    /// <inheritdoc cref="operator %(Tensor, Tensor)"/>
    public static Tensor operator %(bool x, Tensor y) => (Tensor)x % y;

    /// <inheritdoc cref="operator &amp;(Tensor, Tensor)"/>
    public static Tensor operator &(Tensor x, double y) => x & (Tensor)y;

    /// <inheritdoc cref="operator &amp;(Tensor, Tensor)"/>
    public static Tensor operator &(double x, Tensor y) => (Tensor)x & y;

    /// <inheritdoc cref="operator &amp;(Tensor, Tensor)"/>
    public static Tensor operator &(Tensor x, float y) => x & (Tensor)y;

    /// <inheritdoc cref="operator &amp;(Tensor, Tensor)"/>
    public static Tensor operator &(float x, Tensor y) => (Tensor)x & y;

    /// <inheritdoc cref="operator &amp;(Tensor, Tensor)"/>
    public static Tensor operator &(Tensor x, int y) => x & (Tensor)y;

    /// <inheritdoc cref="operator &amp;(Tensor, Tensor)"/>
    public static Tensor operator &(int x, Tensor y) => (Tensor)x & y;

    /// <inheritdoc cref="operator &amp;(Tensor, Tensor)"/>
    public static Tensor operator &(Tensor x, long y) => x & (Tensor)y;

    /// <inheritdoc cref="operator &amp;(Tensor, Tensor)"/>
    public static Tensor operator &(long x, Tensor y) => (Tensor)x & y;

    /// <inheritdoc cref="operator &amp;(Tensor, Tensor)"/>
    public static Tensor operator &(Tensor x, bool y) => x & (Tensor)y;

    /// <inheritdoc cref="operator &amp;(Tensor, Tensor)"/>
    public static Tensor operator &(bool x, Tensor y) => (Tensor)x & y;

    /// <inheritdoc cref="operator |(Tensor, Tensor)"/>
    public static Tensor operator |(Tensor x, double y) => x | (Tensor)y;

    /// <inheritdoc cref="operator |(Tensor, Tensor)"/>
    public static Tensor operator |(double x, Tensor y) => (Tensor)x | y;

    /// <inheritdoc cref="operator |(Tensor, Tensor)"/>
    public static Tensor operator |(Tensor x, float y) => x | (Tensor)y;

    /// <inheritdoc cref="operator |(Tensor, Tensor)"/>
    public static Tensor operator |(float x, Tensor y) => (Tensor)x | y;

    /// <inheritdoc cref="operator |(Tensor, Tensor)"/>
    public static Tensor operator |(Tensor x, int y) => x | (Tensor)y;

    /// <inheritdoc cref="operator |(Tensor, Tensor)"/>
    public static Tensor operator |(int x, Tensor y) => (Tensor)x | y;

    /// <inheritdoc cref="operator |(Tensor, Tensor)"/>
    public static Tensor operator |(Tensor x, long y) => x | (Tensor)y;

    /// <inheritdoc cref="operator |(Tensor, Tensor)"/>
    public static Tensor operator |(long x, Tensor y) => (Tensor)x | y;

    /// <inheritdoc cref="operator |(Tensor, Tensor)"/>
    public static Tensor operator |(Tensor x, bool y) => x | (Tensor)y;

    /// <inheritdoc cref="operator |(Tensor, Tensor)"/>
    public static Tensor operator |(bool x, Tensor y) => (Tensor)x | y;

    /// <inheritdoc cref="operator ^(Tensor, Tensor)"/>
    public static Tensor operator ^(Tensor x, double y) => x ^ (Tensor)y;

    /// <inheritdoc cref="operator ^(Tensor, Tensor)"/>
    public static Tensor operator ^(double x, Tensor y) => (Tensor)x ^ y;

    /// <inheritdoc cref="operator ^(Tensor, Tensor)"/>
    public static Tensor operator ^(Tensor x, float y) => x ^ (Tensor)y;

    /// <inheritdoc cref="operator ^(Tensor, Tensor)"/>
    public static Tensor operator ^(float x, Tensor y) => (Tensor)x ^ y;

    /// <inheritdoc cref="operator ^(Tensor, Tensor)"/>
    public static Tensor operator ^(Tensor x, int y) => x ^ (Tensor)y;

    /// <inheritdoc cref="operator ^(Tensor, Tensor)"/>
    public static Tensor operator ^(int x, Tensor y) => (Tensor)x ^ y;

    /// <inheritdoc cref="operator ^(Tensor, Tensor)"/>
    public static Tensor operator ^(Tensor x, long y) => x ^ (Tensor)y;

    /// <inheritdoc cref="operator ^(Tensor, Tensor)"/>
    public static Tensor operator ^(long x, Tensor y) => (Tensor)x ^ y;

    /// <inheritdoc cref="operator ^(Tensor, Tensor)"/>
    public static Tensor operator ^(Tensor x, bool y) => x ^ (Tensor)y;

    /// <inheritdoc cref="operator ^(Tensor, Tensor)"/>
    public static Tensor operator ^(bool x, Tensor y) => (Tensor)x ^ y;

    /// <inheritdoc cref="operator &lt;(Tensor, Tensor)"/>
    public static Tensor operator <(Tensor x, double y) => x < (Tensor)y;

    /// <inheritdoc cref="operator &lt;(Tensor, Tensor)"/>
    public static Tensor operator <(double x, Tensor y) => (Tensor)x < y;

    /// <inheritdoc cref="operator &lt;(Tensor, Tensor)"/>
    public static Tensor operator <(Tensor x, float y) => x < (Tensor)y;

    /// <inheritdoc cref="operator &lt;(Tensor, Tensor)"/>
    public static Tensor operator <(float x, Tensor y) => (Tensor)x < y;

    /// <inheritdoc cref="operator &lt;(Tensor, Tensor)"/>
    public static Tensor operator <(Tensor x, int y) => x < (Tensor)y;

    /// <inheritdoc cref="operator &lt;(Tensor, Tensor)"/>
    public static Tensor operator <(int x, Tensor y) => (Tensor)x < y;

    /// <inheritdoc cref="operator &lt;(Tensor, Tensor)"/>
    public static Tensor operator <(Tensor x, long y) => x < (Tensor)y;

    /// <inheritdoc cref="operator &lt;(Tensor, Tensor)"/>
    public static Tensor operator <(long x, Tensor y) => (Tensor)x < y;

    /// <inheritdoc cref="operator &lt;(Tensor, Tensor)"/>
    public static Tensor operator <(Tensor x, bool y) => x < (Tensor)y;

    /// <inheritdoc cref="operator &lt;(Tensor, Tensor)"/>
    public static Tensor operator <(bool x, Tensor y) => (Tensor)x < y;

    /// <inheritdoc cref="operator &gt;(Tensor, Tensor)"/>
    public static Tensor operator >(Tensor x, double y) => x > (Tensor)y;

    /// <inheritdoc cref="operator &gt;(Tensor, Tensor)"/>
    public static Tensor operator >(double x, Tensor y) => (Tensor)x > y;

    /// <inheritdoc cref="operator &gt;(Tensor, Tensor)"/>
    public static Tensor operator >(Tensor x, float y) => x > (Tensor)y;

    /// <inheritdoc cref="operator &gt;(Tensor, Tensor)"/>
    public static Tensor operator >(float x, Tensor y) => (Tensor)x > y;

    /// <inheritdoc cref="operator &gt;(Tensor, Tensor)"/>
    public static Tensor operator >(Tensor x, int y) => x > (Tensor)y;

    /// <inheritdoc cref="operator &gt;(Tensor, Tensor)"/>
    public static Tensor operator >(int x, Tensor y) => (Tensor)x > y;

    /// <inheritdoc cref="operator &gt;(Tensor, Tensor)"/>
    public static Tensor operator >(Tensor x, long y) => x > (Tensor)y;

    /// <inheritdoc cref="operator &gt;(Tensor, Tensor)"/>
    public static Tensor operator >(long x, Tensor y) => (Tensor)x > y;

    /// <inheritdoc cref="operator &gt;(Tensor, Tensor)"/>
    public static Tensor operator >(Tensor x, bool y) => x > (Tensor)y;

    /// <inheritdoc cref="operator &gt;(Tensor, Tensor)"/>
    public static Tensor operator >(bool x, Tensor y) => (Tensor)x > y;

    /// <inheritdoc cref="operator &lt;=(Tensor, Tensor)"/>
    public static Tensor operator <=(Tensor x, double y) => x <= (Tensor)y;

    /// <inheritdoc cref="operator &lt;=(Tensor, Tensor)"/>
    public static Tensor operator <=(double x, Tensor y) => (Tensor)x <= y;

    /// <inheritdoc cref="operator &lt;=(Tensor, Tensor)"/>
    public static Tensor operator <=(Tensor x, float y) => x <= (Tensor)y;

    /// <inheritdoc cref="operator &lt;=(Tensor, Tensor)"/>
    public static Tensor operator <=(float x, Tensor y) => (Tensor)x <= y;

    /// <inheritdoc cref="operator &lt;=(Tensor, Tensor)"/>
    public static Tensor operator <=(Tensor x, int y) => x <= (Tensor)y;

    /// <inheritdoc cref="operator &lt;=(Tensor, Tensor)"/>
    public static Tensor operator <=(int x, Tensor y) => (Tensor)x <= y;

    /// <inheritdoc cref="operator &lt;=(Tensor, Tensor)"/>
    public static Tensor operator <=(Tensor x, long y) => x <= (Tensor)y;

    /// <inheritdoc cref="operator &lt;=(Tensor, Tensor)"/>
    public static Tensor operator <=(long x, Tensor y) => (Tensor)x <= y;

    /// <inheritdoc cref="operator &lt;=(Tensor, Tensor)"/>
    public static Tensor operator <=(Tensor x, bool y) => x <= (Tensor)y;

    /// <inheritdoc cref="operator &lt;=(Tensor, Tensor)"/>
    public static Tensor operator <=(bool x, Tensor y) => (Tensor)x <= y;

    /// <inheritdoc cref="operator &gt;=(Tensor, Tensor)"/>
    public static Tensor operator >=(Tensor x, double y) => x >= (Tensor)y;

    /// <inheritdoc cref="operator &gt;=(Tensor, Tensor)"/>
    public static Tensor operator >=(double x, Tensor y) => (Tensor)x >= y;

    /// <inheritdoc cref="operator &gt;=(Tensor, Tensor)"/>
    public static Tensor operator >=(Tensor x, float y) => x >= (Tensor)y;

    /// <inheritdoc cref="operator &gt;=(Tensor, Tensor)"/>
    public static Tensor operator >=(float x, Tensor y) => (Tensor)x >= y;

    /// <inheritdoc cref="operator &gt;=(Tensor, Tensor)"/>
    public static Tensor operator >=(Tensor x, int y) => x >= (Tensor)y;

    /// <inheritdoc cref="operator &gt;=(Tensor, Tensor)"/>
    public static Tensor operator >=(int x, Tensor y) => (Tensor)x >= y;

    /// <inheritdoc cref="operator &gt;=(Tensor, Tensor)"/>
    public static Tensor operator >=(Tensor x, long y) => x >= (Tensor)y;

    /// <inheritdoc cref="operator &gt;=(Tensor, Tensor)"/>
    public static Tensor operator >=(long x, Tensor y) => (Tensor)x >= y;

    /// <inheritdoc cref="operator &gt;=(Tensor, Tensor)"/>
    public static Tensor operator >=(Tensor x, bool y) => x >= (Tensor)y;

    /// <inheritdoc cref="operator &gt;=(Tensor, Tensor)"/>
    public static Tensor operator >=(bool x, Tensor y) => (Tensor)x >= y;

    /// <inheritdoc cref="operator ==(Tensor, Tensor)"/>
    public static Tensor operator ==(Tensor x, double y) => x == (Tensor)y;

    /// <inheritdoc cref="operator ==(Tensor, Tensor)"/>
    public static Tensor operator ==(double x, Tensor y) => (Tensor)x == y;

    /// <inheritdoc cref="operator ==(Tensor, Tensor)"/>
    public static Tensor operator ==(Tensor x, float y) => x == (Tensor)y;

    /// <inheritdoc cref="operator ==(Tensor, Tensor)"/>
    public static Tensor operator ==(float x, Tensor y) => (Tensor)x == y;

    /// <inheritdoc cref="operator ==(Tensor, Tensor)"/>
    public static Tensor operator ==(Tensor x, int y) => x == (Tensor)y;

    /// <inheritdoc cref="operator ==(Tensor, Tensor)"/>
    public static Tensor operator ==(int x, Tensor y) => (Tensor)x == y;

    /// <inheritdoc cref="operator ==(Tensor, Tensor)"/>
    public static Tensor operator ==(Tensor x, long y) => x == (Tensor)y;

    /// <inheritdoc cref="operator ==(Tensor, Tensor)"/>
    public static Tensor operator ==(long x, Tensor y) => (Tensor)x == y;

    /// <inheritdoc cref="operator ==(Tensor, Tensor)"/>
    public static Tensor operator ==(Tensor x, bool y) => x == (Tensor)y;

    /// <inheritdoc cref="operator ==(Tensor, Tensor)"/>
    public static Tensor operator ==(bool x, Tensor y) => (Tensor)x == y;

    /// <inheritdoc cref="operator !=(Tensor, Tensor)"/>
    public static Tensor operator !=(Tensor x, double y) => x != (Tensor)y;

    /// <inheritdoc cref="operator !=(Tensor, Tensor)"/>
    public static Tensor operator !=(double x, Tensor y) => (Tensor)x != y;

    /// <inheritdoc cref="operator !=(Tensor, Tensor)"/>
    public static Tensor operator !=(Tensor x, float y) => x != (Tensor)y;

    /// <inheritdoc cref="operator !=(Tensor, Tensor)"/>
    public static Tensor operator !=(float x, Tensor y) => (Tensor)x != y;

    /// <inheritdoc cref="operator !=(Tensor, Tensor)"/>
    public static Tensor operator !=(Tensor x, int y) => x != (Tensor)y;

    /// <inheritdoc cref="operator !=(Tensor, Tensor)"/>
    public static Tensor operator !=(int x, Tensor y) => (Tensor)x != y;

    /// <inheritdoc cref="operator !=(Tensor, Tensor)"/>
    public static Tensor operator !=(Tensor x, long y) => x != (Tensor)y;

    /// <inheritdoc cref="operator !=(Tensor, Tensor)"/>
    public static Tensor operator !=(long x, Tensor y) => (Tensor)x != y;

    /// <inheritdoc cref="operator !=(Tensor, Tensor)"/>
    public static Tensor operator !=(Tensor x, bool y) => x != (Tensor)y;

    /// <inheritdoc cref="operator !=(Tensor, Tensor)"/>
    public static Tensor operator !=(bool x, Tensor y) => (Tensor)x != y;

    /// <summary>Left shift by a scalar count (F#'s <c>&lt;&lt;&lt;</c>).</summary>
    public static Tensor operator <<(Tensor x, int y) => x << (Tensor)y;

    /// <summary>Left shift by a scalar count (F#'s <c>&lt;&lt;&lt;</c>).</summary>
    public static Tensor operator <<(Tensor x, long y) => x << (Tensor)y;

    /// <summary>Right shift by a scalar count (F#'s <c>&gt;&gt;&gt;</c>; arithmetic for signed, logical for unsigned).</summary>
    public static Tensor operator >>(Tensor x, int y) => x >> (Tensor)y;

    /// <summary>Right shift by a scalar count (F#'s <c>&gt;&gt;&gt;</c>; arithmetic for signed, logical for unsigned).</summary>
    public static Tensor operator >>(Tensor x, long y) => x >> (Tensor)y;

    /// <summary>
    /// <paramref name="x"/> raised to <paramref name="y"/> elementwise (<see cref="Jnp.Power"/>); F#'s <c>x ** y</c> resolves to
    /// this. A scalar on the left of <c>**</c> cannot resolve in F# (it looks for <c>Pow</c> on the scalar's type): write
    /// <c>Jnp.Power(2.0, x)</c> instead.
    /// </summary>
    public static Tensor Pow(Tensor x, Tensor y) => Jnp.Power(x, y);

    /// <inheritdoc cref="Pow(Tensor, Tensor)"/>
    public static Tensor Pow(Tensor x, double y) => Jnp.Power(x, y);

    /// <inheritdoc cref="Pow(Tensor, Tensor)"/>
    public static Tensor Pow(Tensor x, float y) => Jnp.Power(x, y);

    /// <inheritdoc cref="Pow(Tensor, Tensor)"/>
    public static Tensor Pow(Tensor x, int y) => Jnp.Power(x, y);

    /// <inheritdoc cref="Pow(Tensor, Tensor)"/>
    public static Tensor Pow(Tensor x, long y) => Jnp.Power(x, y);
}
