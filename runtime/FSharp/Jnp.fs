namespace JaxToolchain.FSharp

open System
open JaxToolchain
open JaxToolchain.Ir

/// <summary>
/// <c>jax.numpy</c> for F#: <c>jnp.exp x</c>, <c>jnp.where(x .&gt; 0.0, x, 0.0)</c>, <c>jnp.sum(x, axis = 0)</c>. Every
/// member forwards to the runtime's <c>Jnp</c> (the same function under its PascalCase name, which F# code can also call
/// directly for what is not listed here). Names are JAX's in camelCase (<c>logical_not</c> is <c>logicalNot</c>);
/// F# numbers passed for arrays become weakly typed scalars, as Python's do in JAX.
/// </summary>
[<AutoOpen>]
module internal JnpArguments =
    /// <summary>JAX's <c>axis=None</c> or one axis, as the runtime's reductions take it (null: every axis).</summary>
    let axes (axis: int option) : int[] = axis |> Option.map (fun a -> [| a |]) |> Option.toObj

[<Sealed>]
type jnp private () =
    static do Interactive.install ()

    /// <summary><c>jnp.abs</c>.</summary>
    static member abs(x: Tensor) : Tensor = Jnp.Abs x

    /// <summary><c>jnp.absolute</c>.</summary>
    static member absolute(x: Tensor) : Tensor = Jnp.Absolute x

    /// <summary><c>jnp.acos</c>.</summary>
    static member acos(x: Tensor) : Tensor = Jnp.Acos x

    /// <summary><c>jnp.acosh</c>.</summary>
    static member acosh(x: Tensor) : Tensor = Jnp.Acosh x

    /// <summary><c>jnp.arccos</c>.</summary>
    static member arccos(x: Tensor) : Tensor = Jnp.Arccos x

    /// <summary><c>jnp.arccosh</c>.</summary>
    static member arccosh(x: Tensor) : Tensor = Jnp.Arccosh x

    /// <summary><c>jnp.arcsin</c>.</summary>
    static member arcsin(x: Tensor) : Tensor = Jnp.Arcsin x

    /// <summary><c>jnp.arcsinh</c>.</summary>
    static member arcsinh(x: Tensor) : Tensor = Jnp.Arcsinh x

    /// <summary><c>jnp.arctan</c>.</summary>
    static member arctan(x: Tensor) : Tensor = Jnp.Arctan x

    /// <summary><c>jnp.arctanh</c>.</summary>
    static member arctanh(x: Tensor) : Tensor = Jnp.Arctanh x

    /// <summary><c>jnp.asin</c>.</summary>
    static member asin(x: Tensor) : Tensor = Jnp.Asin x

    /// <summary><c>jnp.asinh</c>.</summary>
    static member asinh(x: Tensor) : Tensor = Jnp.Asinh x

    /// <summary><c>jnp.atan</c>.</summary>
    static member atan(x: Tensor) : Tensor = Jnp.Atan x

    /// <summary><c>jnp.atanh</c>.</summary>
    static member atanh(x: Tensor) : Tensor = Jnp.Atanh x

    /// <summary><c>jnp.bitwise_count</c>.</summary>
    static member bitwiseCount(x: Tensor) : Tensor = Jnp.BitwiseCount x

    /// <summary><c>jnp.bitwise_invert</c>.</summary>
    static member bitwiseInvert(x: Tensor) : Tensor = Jnp.BitwiseInvert x

    /// <summary><c>jnp.bitwise_not</c>.</summary>
    static member bitwiseNot(x: Tensor) : Tensor = Jnp.BitwiseNot x

    /// <summary><c>jnp.cbrt</c>.</summary>
    static member cbrt(x: Tensor) : Tensor = Jnp.Cbrt x

    /// <summary><c>jnp.ceil</c>.</summary>
    static member ceil(x: Tensor) : Tensor = Jnp.Ceil x

    /// <summary><c>jnp.conj</c>.</summary>
    static member conj(x: Tensor) : Tensor = Jnp.Conj x

    /// <summary><c>jnp.conjugate</c>.</summary>
    static member conjugate(x: Tensor) : Tensor = Jnp.Conjugate x

    /// <summary><c>jnp.copy</c>.</summary>
    static member copy(x: Tensor) : Tensor = Jnp.Copy x

    /// <summary><c>jnp.cos</c>.</summary>
    static member cos(x: Tensor) : Tensor = Jnp.Cos x

    /// <summary><c>jnp.cosh</c>.</summary>
    static member cosh(x: Tensor) : Tensor = Jnp.Cosh x

    /// <summary><c>jnp.deg2rad</c>.</summary>
    static member deg2rad(x: Tensor) : Tensor = Jnp.Deg2rad x

    /// <summary><c>jnp.degrees</c>.</summary>
    static member degrees(x: Tensor) : Tensor = Jnp.Degrees x

    /// <summary><c>jnp.exp</c>.</summary>
    static member exp(x: Tensor) : Tensor = Jnp.Exp x

    /// <summary><c>jnp.exp2</c>.</summary>
    static member exp2(x: Tensor) : Tensor = Jnp.Exp2 x

    /// <summary><c>jnp.expm1</c>.</summary>
    static member expm1(x: Tensor) : Tensor = Jnp.Expm1 x

    /// <summary><c>jnp.fabs</c>.</summary>
    static member fabs(x: Tensor) : Tensor = Jnp.Fabs x

    /// <summary><c>jnp.fix</c>.</summary>
    static member fix(x: Tensor) : Tensor = Jnp.Fix x

    /// <summary><c>jnp.fliplr</c>.</summary>
    static member fliplr(x: Tensor) : Tensor = Jnp.Fliplr x

    /// <summary><c>jnp.flipud</c>.</summary>
    static member flipud(x: Tensor) : Tensor = Jnp.Flipud x

    /// <summary><c>jnp.floor</c>.</summary>
    static member floor(x: Tensor) : Tensor = Jnp.Floor x

    /// <summary><c>jnp.i0</c>.</summary>
    static member i0(x: Tensor) : Tensor = Jnp.I0 x

    /// <summary><c>jnp.imag</c>.</summary>
    static member imag(x: Tensor) : Tensor = Jnp.Imag x

    /// <summary><c>jnp.invert</c>.</summary>
    static member invert(x: Tensor) : Tensor = Jnp.Invert x

    /// <summary><c>jnp.iscomplex</c>.</summary>
    static member iscomplex(x: Tensor) : Tensor = Jnp.Iscomplex x

    /// <summary><c>jnp.isfinite</c>.</summary>
    static member isfinite(x: Tensor) : Tensor = Jnp.Isfinite x

    /// <summary><c>jnp.isinf</c>.</summary>
    static member isinf(x: Tensor) : Tensor = Jnp.Isinf x

    /// <summary><c>jnp.isnan</c>.</summary>
    static member isnan(x: Tensor) : Tensor = Jnp.Isnan x

    /// <summary><c>jnp.isneginf</c>.</summary>
    static member isneginf(x: Tensor) : Tensor = Jnp.Isneginf x

    /// <summary><c>jnp.isposinf</c>.</summary>
    static member isposinf(x: Tensor) : Tensor = Jnp.Isposinf x

    /// <summary><c>jnp.isreal</c>.</summary>
    static member isreal(x: Tensor) : Tensor = Jnp.Isreal x

    /// <summary><c>jnp.log</c>.</summary>
    static member log(x: Tensor) : Tensor = Jnp.Log x

    /// <summary><c>jnp.log10</c>.</summary>
    static member log10(x: Tensor) : Tensor = Jnp.Log10 x

    /// <summary><c>jnp.log1p</c>.</summary>
    static member log1p(x: Tensor) : Tensor = Jnp.Log1p x

    /// <summary><c>jnp.log2</c>.</summary>
    static member log2(x: Tensor) : Tensor = Jnp.Log2 x

    /// <summary><c>jnp.logical_not</c>.</summary>
    static member logicalNot(x: Tensor) : Tensor = Jnp.LogicalNot x

    /// <summary><c>jnp.matrix_transpose</c>.</summary>
    static member matrixTranspose(x: Tensor) : Tensor = Jnp.MatrixTranspose x

    /// <summary><c>jnp.negative</c>.</summary>
    static member negative(x: Tensor) : Tensor = Jnp.Negative x

    /// <summary><c>jnp.positive</c>.</summary>
    static member positive(x: Tensor) : Tensor = Jnp.Positive x

    /// <summary><c>jnp.rad2deg</c>.</summary>
    static member rad2deg(x: Tensor) : Tensor = Jnp.Rad2deg x

    /// <summary><c>jnp.radians</c>.</summary>
    static member radians(x: Tensor) : Tensor = Jnp.Radians x

    /// <summary><c>jnp.ravel</c>.</summary>
    static member ravel(x: Tensor) : Tensor = Jnp.Ravel x

    /// <summary><c>jnp.real</c>.</summary>
    static member real(x: Tensor) : Tensor = Jnp.Real x

    /// <summary><c>jnp.reciprocal</c>.</summary>
    static member reciprocal(x: Tensor) : Tensor = Jnp.Reciprocal x

    /// <summary><c>jnp.rint</c>.</summary>
    static member rint(x: Tensor) : Tensor = Jnp.Rint x

    /// <summary><c>jnp.sign</c>.</summary>
    static member sign(x: Tensor) : Tensor = Jnp.Sign x

    /// <summary><c>jnp.signbit</c>.</summary>
    static member signbit(x: Tensor) : Tensor = Jnp.Signbit x

    /// <summary><c>jnp.sin</c>.</summary>
    static member sin(x: Tensor) : Tensor = Jnp.Sin x

    /// <summary><c>jnp.sinc</c>.</summary>
    static member sinc(x: Tensor) : Tensor = Jnp.Sinc x

    /// <summary><c>jnp.sinh</c>.</summary>
    static member sinh(x: Tensor) : Tensor = Jnp.Sinh x

    /// <summary><c>jnp.spacing</c>.</summary>
    static member spacing(x: Tensor) : Tensor = Jnp.Spacing x

    /// <summary><c>jnp.sqrt</c>.</summary>
    static member sqrt(x: Tensor) : Tensor = Jnp.Sqrt x

    /// <summary><c>jnp.square</c>.</summary>
    static member square(x: Tensor) : Tensor = Jnp.Square x

    /// <summary><c>jnp.tan</c>.</summary>
    static member tan(x: Tensor) : Tensor = Jnp.Tan x

    /// <summary><c>jnp.tanh</c>.</summary>
    static member tanh(x: Tensor) : Tensor = Jnp.Tanh x

    /// <summary><c>jnp.trunc</c>.</summary>
    static member trunc(x: Tensor) : Tensor = Jnp.Trunc x

    /// <summary><c>jnp.add</c>, broadcasting.</summary>
    static member add(x: Tensor, y: Tensor) : Tensor = Jnp.Add(x, y)

    /// <summary><c>jnp.arctan2</c>, broadcasting.</summary>
    static member arctan2(x: Tensor, y: Tensor) : Tensor = Jnp.Arctan2(x, y)

    /// <summary><c>jnp.array_equiv</c>, broadcasting.</summary>
    static member arrayEquiv(x: Tensor, y: Tensor) : Tensor = Jnp.ArrayEquiv(x, y)

    /// <summary><c>jnp.atan2</c>, broadcasting.</summary>
    static member atan2(x: Tensor, y: Tensor) : Tensor = Jnp.Atan2(x, y)

    /// <summary><c>jnp.bitwise_and</c>, broadcasting.</summary>
    static member bitwiseAnd(x: Tensor, y: Tensor) : Tensor = Jnp.BitwiseAnd(x, y)

    /// <summary><c>jnp.bitwise_left_shift</c>, broadcasting.</summary>
    static member bitwiseLeftShift(x: Tensor, y: Tensor) : Tensor = Jnp.BitwiseLeftShift(x, y)

    /// <summary><c>jnp.bitwise_or</c>, broadcasting.</summary>
    static member bitwiseOr(x: Tensor, y: Tensor) : Tensor = Jnp.BitwiseOr(x, y)

    /// <summary><c>jnp.bitwise_right_shift</c>, broadcasting.</summary>
    static member bitwiseRightShift(x: Tensor, y: Tensor) : Tensor = Jnp.BitwiseRightShift(x, y)

    /// <summary><c>jnp.bitwise_xor</c>, broadcasting.</summary>
    static member bitwiseXor(x: Tensor, y: Tensor) : Tensor = Jnp.BitwiseXor(x, y)

    /// <summary><c>jnp.copysign</c>, broadcasting.</summary>
    static member copysign(x: Tensor, y: Tensor) : Tensor = Jnp.Copysign(x, y)

    /// <summary><c>jnp.divide</c>, broadcasting.</summary>
    static member divide(x: Tensor, y: Tensor) : Tensor = Jnp.Divide(x, y)

    /// <summary><c>jnp.dot</c>, broadcasting.</summary>
    static member dot(x: Tensor, y: Tensor) : Tensor = Jnp.Dot(x, y)

    /// <summary><c>jnp.equal</c>, broadcasting.</summary>
    static member equal(x: Tensor, y: Tensor) : Tensor = Jnp.Equal(x, y)

    /// <summary><c>jnp.float_power</c>, broadcasting.</summary>
    static member floatPower(x: Tensor, y: Tensor) : Tensor = Jnp.FloatPower(x, y)

    /// <summary><c>jnp.floor_divide</c>, broadcasting.</summary>
    static member floorDivide(x: Tensor, y: Tensor) : Tensor = Jnp.FloorDivide(x, y)

    /// <summary><c>jnp.fmax</c>, broadcasting.</summary>
    static member fmax(x: Tensor, y: Tensor) : Tensor = Jnp.Fmax(x, y)

    /// <summary><c>jnp.fmin</c>, broadcasting.</summary>
    static member fmin(x: Tensor, y: Tensor) : Tensor = Jnp.Fmin(x, y)

    /// <summary><c>jnp.fmod</c>, broadcasting.</summary>
    static member fmod(x: Tensor, y: Tensor) : Tensor = Jnp.Fmod(x, y)

    /// <summary><c>jnp.gcd</c>, broadcasting.</summary>
    static member gcd(x: Tensor, y: Tensor) : Tensor = Jnp.Gcd(x, y)

    /// <summary><c>jnp.greater</c>, broadcasting.</summary>
    static member greater(x: Tensor, y: Tensor) : Tensor = Jnp.Greater(x, y)

    /// <summary><c>jnp.greater_equal</c>, broadcasting.</summary>
    static member greaterEqual(x: Tensor, y: Tensor) : Tensor = Jnp.GreaterEqual(x, y)

    /// <summary><c>jnp.heaviside</c>, broadcasting.</summary>
    static member heaviside(x: Tensor, y: Tensor) : Tensor = Jnp.Heaviside(x, y)

    /// <summary><c>jnp.hypot</c>, broadcasting.</summary>
    static member hypot(x: Tensor, y: Tensor) : Tensor = Jnp.Hypot(x, y)

    /// <summary><c>jnp.inner</c>, broadcasting.</summary>
    static member inner(x: Tensor, y: Tensor) : Tensor = Jnp.Inner(x, y)

    /// <summary><c>jnp.kron</c>, broadcasting.</summary>
    static member kron(x: Tensor, y: Tensor) : Tensor = Jnp.Kron(x, y)

    /// <summary><c>jnp.lcm</c>, broadcasting.</summary>
    static member lcm(x: Tensor, y: Tensor) : Tensor = Jnp.Lcm(x, y)

    /// <summary><c>jnp.ldexp</c>, broadcasting.</summary>
    static member ldexp(x: Tensor, y: Tensor) : Tensor = Jnp.Ldexp(x, y)

    /// <summary><c>jnp.left_shift</c>, broadcasting.</summary>
    static member leftShift(x: Tensor, y: Tensor) : Tensor = Jnp.LeftShift(x, y)

    /// <summary><c>jnp.less</c>, broadcasting.</summary>
    static member less(x: Tensor, y: Tensor) : Tensor = Jnp.Less(x, y)

    /// <summary><c>jnp.less_equal</c>, broadcasting.</summary>
    static member lessEqual(x: Tensor, y: Tensor) : Tensor = Jnp.LessEqual(x, y)

    /// <summary><c>jnp.logaddexp</c>, broadcasting.</summary>
    static member logaddexp(x: Tensor, y: Tensor) : Tensor = Jnp.Logaddexp(x, y)

    /// <summary><c>jnp.logaddexp2</c>, broadcasting.</summary>
    static member logaddexp2(x: Tensor, y: Tensor) : Tensor = Jnp.Logaddexp2(x, y)

    /// <summary><c>jnp.logical_and</c>, broadcasting.</summary>
    static member logicalAnd(x: Tensor, y: Tensor) : Tensor = Jnp.LogicalAnd(x, y)

    /// <summary><c>jnp.logical_or</c>, broadcasting.</summary>
    static member logicalOr(x: Tensor, y: Tensor) : Tensor = Jnp.LogicalOr(x, y)

    /// <summary><c>jnp.logical_xor</c>, broadcasting.</summary>
    static member logicalXor(x: Tensor, y: Tensor) : Tensor = Jnp.LogicalXor(x, y)

    /// <summary><c>jnp.matmul</c>, broadcasting.</summary>
    static member matmul(x: Tensor, y: Tensor) : Tensor = Jnp.Matmul(x, y)

    /// <summary><c>jnp.matvec</c>, broadcasting.</summary>
    static member matvec(x: Tensor, y: Tensor) : Tensor = Jnp.Matvec(x, y)

    /// <summary><c>jnp.maximum</c>, broadcasting.</summary>
    static member maximum(x: Tensor, y: Tensor) : Tensor = Jnp.Maximum(x, y)

    /// <summary><c>jnp.minimum</c>, broadcasting.</summary>
    static member minimum(x: Tensor, y: Tensor) : Tensor = Jnp.Minimum(x, y)

    /// <summary><c>jnp.mod</c>, broadcasting (<c>mod</c> is an F# keyword: <c>jnp.``mod``</c>; the same as <c>jnp.remainder</c>).</summary>
    static member ``mod``(x: Tensor, y: Tensor) : Tensor = Jnp.Mod(x, y)

    /// <summary><c>jnp.multiply</c>, broadcasting.</summary>
    static member multiply(x: Tensor, y: Tensor) : Tensor = Jnp.Multiply(x, y)

    /// <summary><c>jnp.nextafter</c>, broadcasting.</summary>
    static member nextafter(x: Tensor, y: Tensor) : Tensor = Jnp.Nextafter(x, y)

    /// <summary><c>jnp.not_equal</c>, broadcasting.</summary>
    static member notEqual(x: Tensor, y: Tensor) : Tensor = Jnp.NotEqual(x, y)

    /// <summary><c>jnp.outer</c>, broadcasting.</summary>
    static member outer(x: Tensor, y: Tensor) : Tensor = Jnp.Outer(x, y)

    /// <summary><c>jnp.polyadd</c>, broadcasting.</summary>
    static member polyadd(x: Tensor, y: Tensor) : Tensor = Jnp.Polyadd(x, y)

    /// <summary><c>jnp.polymul</c>, broadcasting.</summary>
    static member polymul(x: Tensor, y: Tensor) : Tensor = Jnp.Polymul(x, y)

    /// <summary><c>jnp.polysub</c>, broadcasting.</summary>
    static member polysub(x: Tensor, y: Tensor) : Tensor = Jnp.Polysub(x, y)

    /// <summary><c>jnp.polyval</c>, broadcasting.</summary>
    static member polyval(x: Tensor, y: Tensor) : Tensor = Jnp.Polyval(x, y)

    /// <summary><c>jnp.power</c>, broadcasting.</summary>
    static member power(x: Tensor, y: Tensor) : Tensor = Jnp.Power(x, y)

    /// <summary><c>jnp.remainder</c>, broadcasting.</summary>
    static member remainder(x: Tensor, y: Tensor) : Tensor = Jnp.Remainder(x, y)

    /// <summary><c>jnp.right_shift</c>, broadcasting.</summary>
    static member rightShift(x: Tensor, y: Tensor) : Tensor = Jnp.RightShift(x, y)

    /// <summary><c>jnp.subtract</c>, broadcasting.</summary>
    static member subtract(x: Tensor, y: Tensor) : Tensor = Jnp.Subtract(x, y)

    /// <summary><c>jnp.true_divide</c>, broadcasting.</summary>
    static member trueDivide(x: Tensor, y: Tensor) : Tensor = Jnp.TrueDivide(x, y)

    /// <summary><c>jnp.vdot</c>, broadcasting.</summary>
    static member vdot(x: Tensor, y: Tensor) : Tensor = Jnp.Vdot(x, y)

    /// <summary><c>jnp.vecmat</c>, broadcasting.</summary>
    static member vecmat(x: Tensor, y: Tensor) : Tensor = Jnp.Vecmat(x, y)

    // Reductions: ?axis (one axis; all axes when left out) and ?keepdims, as in JAX.

    /// <summary><c>jnp.sum(x, axis=None, keepdims=False)</c>.</summary>
    static member sum(x: Tensor, ?axis: int, ?keepdims: bool) : Tensor = Jnp.Sum(x, axes axis, defaultArg keepdims false)

    /// <summary><c>jnp.mean(x, axis=None, keepdims=False)</c>.</summary>
    static member mean(x: Tensor, ?axis: int, ?keepdims: bool) : Tensor = Jnp.Mean(x, axes axis, defaultArg keepdims false)

    /// <summary><c>jnp.prod(x, axis=None, keepdims=False)</c>.</summary>
    static member prod(x: Tensor, ?axis: int, ?keepdims: bool) : Tensor = Jnp.Prod(x, axes axis, defaultArg keepdims false)

    /// <summary><c>jnp.max(x, axis=None, keepdims=False)</c>.</summary>
    static member max(x: Tensor, ?axis: int, ?keepdims: bool) : Tensor = Jnp.Max(x, axes axis, defaultArg keepdims false)

    /// <summary><c>jnp.min(x, axis=None, keepdims=False)</c>.</summary>
    static member min(x: Tensor, ?axis: int, ?keepdims: bool) : Tensor = Jnp.Min(x, axes axis, defaultArg keepdims false)

    /// <summary><c>jnp.all(x, axis=None, keepdims=False)</c>.</summary>
    static member all(x: Tensor, ?axis: int, ?keepdims: bool) : Tensor = Jnp.All(x, axes axis, defaultArg keepdims false)

    /// <summary><c>jnp.any(x, axis=None, keepdims=False)</c>.</summary>
    static member any(x: Tensor, ?axis: int, ?keepdims: bool) : Tensor = Jnp.Any(x, axes axis, defaultArg keepdims false)

    /// <summary><c>jnp.var(x, axis=None, ddof=0, keepdims=False)</c>.</summary>
    static member var(x: Tensor, ?axis: int, ?ddof: int, ?keepdims: bool) : Tensor =
        Jnp.Var(x, axes axis, defaultArg ddof 0, defaultArg keepdims false)

    /// <summary><c>jnp.std(x, axis=None, ddof=0, keepdims=False)</c>.</summary>
    static member std(x: Tensor, ?axis: int, ?ddof: int, ?keepdims: bool) : Tensor =
        Jnp.Std(x, axes axis, defaultArg ddof 0, defaultArg keepdims false)

    /// <summary><c>jnp.argmax(x, axis=None, keepdims=False)</c>.</summary>
    static member argmax(x: Tensor, ?axis: int, ?keepdims: bool) : Tensor =
        Jnp.Argmax(x, Option.toNullable axis, defaultArg keepdims false)

    /// <summary><c>jnp.argmin(x, axis=None, keepdims=False)</c>.</summary>
    static member argmin(x: Tensor, ?axis: int, ?keepdims: bool) : Tensor =
        Jnp.Argmin(x, Option.toNullable axis, defaultArg keepdims false)

    /// <summary><c>jnp.cumsum(x, axis=None)</c> (flattened when no axis is given).</summary>
    static member cumsum(x: Tensor, ?axis: int) : Tensor = Jnp.Cumsum(x, Option.toNullable axis)

    /// <summary><c>jnp.cumprod(x, axis=None)</c>.</summary>
    static member cumprod(x: Tensor, ?axis: int) : Tensor = Jnp.Cumprod(x, Option.toNullable axis)

    /// <summary><c>jax.scipy.special.logsumexp(x, axis=None, keepdims=False)</c>.</summary>
    static member logsumexp(x: Tensor, ?axis: int, ?keepdims: bool) : Tensor = Nn.Logsumexp(x, axes axis, defaultArg keepdims false)

    // Creation.

    /// <summary><c>jnp.array</c> of F# floats (float32 unless x64 is on, as JAX's default float).</summary>
    static member array(values: float[], ?dtype: DType) : Tensor = Jnp.Array(values, Option.toNullable dtype)

    /// <summary><c>jnp.array</c> of float32 values.</summary>
    static member array(values: float32[], ?dtype: DType) : Tensor = Jnp.Array(values, Option.toNullable dtype)

    /// <summary><c>jnp.array</c> of ints (int32).</summary>
    static member array(values: int[], ?dtype: DType) : Tensor = Jnp.Array(values, Option.toNullable dtype)

    /// <summary><c>jnp.array</c> of int64 values (int32 unless x64 is on).</summary>
    static member array(values: int64[], ?dtype: DType) : Tensor = Jnp.Array(values, Option.toNullable dtype)

    /// <summary><c>jnp.array</c> of bools.</summary>
    static member array(values: bool[], ?dtype: DType) : Tensor = Jnp.Array(values, Option.toNullable dtype)

    /// <summary><c>jnp.array</c> of a list of F# floats.</summary>
    static member array(values: float list, ?dtype: DType) : Tensor = Jnp.Array(List.toArray values, Option.toNullable dtype)

    /// <summary><c>jnp.array</c> of a scalar F# float (a 0-d array, not weakly typed).</summary>
    static member array(value: float, ?dtype: DType) : Tensor = Jnp.Array(value, Option.toNullable dtype)

    /// <summary><c>jnp.asarray(x, dtype)</c>.</summary>
    static member asarray(x: Tensor, ?dtype: DType) : Tensor = Jnp.Asarray(x, Option.toNullable dtype)

    /// <summary><c>jnp.arange(stop)</c> of ints.</summary>
    static member arange(stop: int, ?dtype: DType) : Tensor = Jnp.Arange(stop, Option.toNullable dtype)

    /// <summary><c>jnp.arange(start, stop, step)</c> of ints.</summary>
    static member arange(start: int, stop: int, ?step: int, ?dtype: DType) : Tensor =
        Jnp.Arange(start, stop, defaultArg step 1, Option.toNullable dtype)

    /// <summary><c>jnp.arange(stop)</c> of floats.</summary>
    static member arange(stop: float, ?dtype: DType) : Tensor = Jnp.Arange(stop, Option.toNullable dtype)

    /// <summary><c>jnp.arange(start, stop, step)</c> of floats.</summary>
    static member arange(start: float, stop: float, ?step: float, ?dtype: DType) : Tensor =
        Jnp.Arange(start, stop, defaultArg step 1.0, Option.toNullable dtype)

    /// <summary><c>jnp.linspace(start, stop, num=50, endpoint=True)</c>.</summary>
    static member linspace(start: float, stop: float, ?num: int, ?endpoint: bool, ?dtype: DType) : Tensor =
        Jnp.Linspace(start, stop, defaultArg num 50, defaultArg endpoint true, Option.toNullable dtype)

    /// <summary><c>jnp.zeros(shape)</c>.</summary>
    static member zeros(shape: int[], ?dtype: DType) : Tensor = Jnp.Zeros(shape, Option.toNullable dtype)

    /// <summary><c>jnp.zeros(n)</c>.</summary>
    static member zeros(n: int, ?dtype: DType) : Tensor = Jnp.Zeros(n, Option.toNullable dtype)

    /// <summary><c>jnp.ones(shape)</c>.</summary>
    static member ones(shape: int[], ?dtype: DType) : Tensor = Jnp.Ones(shape, Option.toNullable dtype)

    /// <summary><c>jnp.ones(n)</c>.</summary>
    static member ones(n: int, ?dtype: DType) : Tensor = Jnp.Ones(n, Option.toNullable dtype)

    /// <summary><c>jnp.full(shape, fill_value)</c>.</summary>
    static member full(shape: int[], fillValue: Tensor, ?dtype: DType) : Tensor = Jnp.Full(shape, fillValue, Option.toNullable dtype)

    /// <summary><c>jnp.zeros_like(x)</c>.</summary>
    static member zerosLike(x: Tensor, ?dtype: DType) : Tensor = Jnp.ZerosLike(x, Option.toNullable dtype)

    /// <summary><c>jnp.ones_like(x)</c>.</summary>
    static member onesLike(x: Tensor, ?dtype: DType) : Tensor = Jnp.OnesLike(x, Option.toNullable dtype)

    /// <summary><c>jnp.full_like(x, fill_value)</c>.</summary>
    static member fullLike(x: Tensor, fillValue: Tensor, ?dtype: DType) : Tensor = Jnp.FullLike(x, fillValue, Option.toNullable dtype)

    /// <summary><c>jnp.eye(n, m=None, k=0)</c>.</summary>
    static member eye(n: int, ?m: int, ?k: int, ?dtype: DType) : Tensor =
        Jnp.Eye(n, Option.toNullable m, defaultArg k 0, Option.toNullable dtype)

    // Shapes and selection.

    /// <summary><c>jnp.where(condition, x, y)</c>: elements of x where the condition holds, else of y.</summary>
    static member where(condition: Tensor, x: Tensor, y: Tensor) : Tensor = Jnp.Where(condition, x, y)

    /// <summary><c>jnp.clip(x, min, max)</c>.</summary>
    static member clip(x: Tensor, ?min: Tensor, ?max: Tensor) : Tensor =
        Jnp.Clip(x, Option.toObj min, Option.toObj max)

    /// <summary><c>jnp.reshape(x, shape)</c> (one dimension may be -1).</summary>
    static member reshape(x: Tensor, shape: int[]) : Tensor = Jnp.Reshape(x, shape |> Array.map int64)

    /// <summary><c>jnp.transpose(x, axes=None)</c>.</summary>
    static member transpose(x: Tensor, ?axes: int[]) : Tensor = Jnp.Transpose(x, Option.toObj axes)

    /// <summary><c>jnp.expand_dims(x, axis)</c>.</summary>
    static member expandDims(x: Tensor, axis: int) : Tensor = Jnp.ExpandDims(x, axis)

    /// <summary><c>jnp.squeeze(x, axis=None)</c>.</summary>
    static member squeeze(x: Tensor, ?axis: int) : Tensor =
        match axis with Some a -> Jnp.Squeeze(x, a) | None -> Jnp.Squeeze(x, null)

    /// <summary><c>jnp.concatenate(arrays, axis=0)</c>.</summary>
    static member concatenate(arrays: seq<Tensor>, ?axis: int) : Tensor = Jnp.Concatenate(arrays, defaultArg axis 0)

    /// <summary><c>jnp.stack(arrays, axis=0)</c>.</summary>
    static member stack(arrays: seq<Tensor>, ?axis: int) : Tensor = Jnp.Stack(arrays, defaultArg axis 0)

    /// <summary><c>jnp.take(x, indices, axis=None)</c>.</summary>
    static member take(x: Tensor, indices: Tensor, ?axis: int) : Tensor = Jnp.Take(x, indices, Option.toNullable axis)

    /// <summary><c>jnp.sort(x, axis=-1)</c>.</summary>
    static member sort(x: Tensor, ?axis: int) : Tensor = Jnp.Sort(x, Nullable(defaultArg axis -1))

    /// <summary><c>jnp.argsort(x, axis=-1)</c>.</summary>
    static member argsort(x: Tensor, ?axis: int) : Tensor = Jnp.Argsort(x, Nullable(defaultArg axis -1))

    /// <summary><c>jnp.einsum(subscripts, *operands)</c>.</summary>
    static member einsum(subscripts: string, [<ParamArray>] operands: Tensor[]) : Tensor = Jnp.Einsum(subscripts, operands)

    /// <summary><c>jnp.allclose(a, b, rtol=1e-05, atol=1e-08)</c>: a bool scalar array.</summary>
    static member allclose(a: Tensor, b: Tensor, ?rtol: float, ?atol: float) : Tensor =
        Jnp.Allclose(a, b, defaultArg rtol 1e-5, defaultArg atol 1e-8)

    /// <summary><c>x.astype(dtype)</c>.</summary>
    static member astype(x: Tensor, dtype: DType) : Tensor = Jnp.Astype(x, dtype)
