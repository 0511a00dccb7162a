using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    private static ShapedType[] Avals(IReadOnlyList<Tensor> xs) => xs.Select(x => x.Aval).ToArray();

    private static void RequireFloat(string transform, IReadOnlyList<Tensor> args, IReadOnlyList<int> argnums)
    {
        foreach (var i in argnums)
        {
            if (i < 0 || i >= args.Count)
                throw new ArgumentOutOfRangeException(nameof(argnums), $"{transform}: argnums {i} is out of range for {args.Count} arguments");
            if (!args[i].DType.IsFloat())
                throw new JaxTypeException(transform,
                    $"{transform} requires real-valued (floating-point) inputs, but argument {i} is {args[i].Aval.ToLongString()}; " +
                    $"integer and bool inputs have no derivative{Dispatch.At(SourceLocation.FindCaller())}");
        }
    }

    /// <summary>
    /// Reverse mode on flat arguments: traces <paramref name="f"/>, splits it into forward and backward IR
    /// functions (linearize + transpose) and runs the forward part. Returns the outputs and the pullback,
    /// which maps output cotangents to cotangents of the arguments in <paramref name="argnums"/>.
    /// </summary>
    internal static (Tensor[] Outputs, Func<Tensor[], Tensor[]> Pullback) VjpFlat(string name, Func<Tensor[], Tensor[]> f, Tensor[] args, int[] argnums)
    {
        RequireFloat(name, args, argnums);
        var traced = FunctionCalls.Trace(name, f, Avals(args));
        var flags = new bool[traced.Function.Parameters.Count];
        foreach (int i in argnums) flags[i] = true;
        var vjp = Autodiff.Vjp(traced.Function, flags);
        var forward = FunctionCalls.Call(vjp.Forward, [.. args, .. traced.Captured]);
        int outs = traced.Function.ResultTypes.Count;
        var outputs = forward.Take(outs).ToArray();
        var residuals = forward.Skip(outs).ToArray();
        Tensor[] Pullback(Tensor[] cotangents)
        {
            if (cotangents.Length != outs)
                throw new ArgumentException($"{name}: the pullback takes {outs} cotangents, got {cotangents.Length}");
            for (int i = 0; i < outs; i++)
                if (cotangents[i].Shape != outputs[i].Shape)
                    throw new JaxTypeException(name, $"cotangent {i} is {cotangents[i].Aval.ToLongString()} but the output is {outputs[i].Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
            var cts = cotangents.Select((c, i) => Jnp.Cast(c, outputs[i].DType)).ToArray();
            // The backward function gives one cotangent per marked parameter, in parameter order; the caller gets them
            // in the order of argnums, as JAX gives them.
            var grads = FunctionCalls.Call(vjp.Backward, [.. residuals, .. cts]);
            var marked = Enumerable.Range(0, flags.Length).Where(i => flags[i]).ToList();
            // As in JAX, a cotangent has its primal's abstract value, weak type included.
            return argnums.Select(i => Jnp.Cast(grads[marked.IndexOf(i)], args[i].DType, args[i].WeakType)).ToArray();
        }
        return (outputs, Pullback);
    }

    private static Tensor ScalarOutput(string name, Tensor y)
    {
        if (y.Ndim != 0)
            throw new JaxTypeException(name, $"gradient only defined for scalar-output functions; output had shape {y.Shape.ToTupleString()}{Dispatch.At(SourceLocation.FindCaller())}");
        if (!y.DType.IsFloat())
            throw new JaxTypeException(name, $"gradient only defined for real-valued outputs; output was {y.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        return y;
    }

    /// <summary>Value and gradient of a scalar function of flat arguments with respect to <paramref name="argnums"/>.</summary>
    public static Func<Tensor[], (Tensor Value, Tensor[] Gradients)> ValueAndGrad(Func<Tensor[], Tensor> f, params int[] argnums)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(argnums);
        if (argnums.Length == 0) argnums = [0];
        return args =>
        {
            var (outs, pullback) = VjpFlat("grad", a => [f(a)], args, argnums);
            var y = ScalarOutput("grad", outs[0]);
            return (y, pullback([Jnp.OnesLike(y, y.DType)]));
        };
    }

    /// <summary>The gradient of a scalar function of flat arguments with respect to <paramref name="argnums"/> (default: the first).</summary>
    public static Func<Tensor[], Tensor[]> Grad(Func<Tensor[], Tensor> f, params int[] argnums)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(argnums);
        var vg = ValueAndGrad(f, argnums);
        return args => vg(args).Gradients;
    }

    /// <summary>The gradient of a scalar function of one array (<c>jax.grad(f)</c>).</summary>
    public static Func<Tensor, Tensor> Grad(Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var g = Grad(args => f(args[0]), 0);
        return x => g([x])[0];
    }

    /// <summary>The gradient of a scalar function of two arrays with respect to argument <paramref name="argnum"/>.</summary>
    public static Func<Tensor, Tensor, Tensor> Grad(Func<Tensor, Tensor, Tensor> f, int argnum = 0)
    {
        ArgumentNullException.ThrowIfNull(f);
        var g = Grad(args => f(args[0], args[1]), argnum);
        return (x, y) => g([x, y])[0];
    }

    /// <summary>The gradients of a scalar function of two arrays with respect to both.</summary>
    public static Func<Tensor, Tensor, (Tensor, Tensor)> Grad(Func<Tensor, Tensor, Tensor> f, (int, int) argnums)
    {
        ArgumentNullException.ThrowIfNull(f);
        var g = Grad(args => f(args[0], args[1]), argnums.Item1, argnums.Item2);
        return (x, y) =>
        {
            var r = g([x, y]);
            return (r[0], r[1]);
        };
    }

    /// <summary>The value and gradient of a scalar function of one array (<c>jax.value_and_grad(f)</c>).</summary>
    public static Func<Tensor, (Tensor Value, Tensor Gradient)> ValueAndGrad(Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var vg = ValueAndGrad(args => f(args[0]), 0);
        return x =>
        {
            var (v, g) = vg([x]);
            return (v, g[0]);
        };
    }

    /// <summary>
    /// The gradient of a function returning a scalar and auxiliary data (<c>has_aux=True</c>): returns the
    /// gradient and the auxiliary value (which is not differentiated).
    /// </summary>
    public static Func<Tensor, (Tensor Gradient, Tensor Aux)> GradWithAux(Func<Tensor, (Tensor Value, Tensor Aux)> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return GradWithAux<Tensor, Tensor>(f);
    }

    /// <summary>
    /// Reverse mode (<c>jax.vjp</c>): the outputs of <paramref name="f"/> at <paramref name="primals"/> and the pullback
    /// mapping output cotangents to input cotangents.
    /// </summary>
    public static (Tensor[] Outputs, Func<Tensor[], Tensor[]> Pullback) Vjp(Func<Tensor[], Tensor[]> f, params Tensor[] primals)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(primals);
        return VjpFlat("vjp", f, primals, Enumerable.Range(0, primals.Length).ToArray());
    }

    /// <summary>Reverse mode for a function of one array.</summary>
    public static (Tensor Output, Func<Tensor, Tensor> Pullback) Vjp(Func<Tensor, Tensor> f, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        var (outs, pullback) = Vjp(a => [f(a[0])], x);
        return (outs[0], ct => pullback([ct])[0]);
    }

    /// <summary>
    /// Forward mode (<c>jax.jvp</c>): the outputs of <paramref name="f"/> at <paramref name="primals"/> and their
    /// directional derivatives along <paramref name="tangents"/>.
    /// </summary>
    public static (Tensor[] Outputs, Tensor[] Tangents) Jvp(Func<Tensor[], Tensor[]> f, Tensor[] primals, Tensor[] tangents)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(primals);
        ArgumentNullException.ThrowIfNull(tangents);
        if (primals.Length != tangents.Length)
            throw new ArgumentException($"jvp: {primals.Length} primals but {tangents.Length} tangents");
        RequireFloat("jvp", primals, Enumerable.Range(0, primals.Length).ToArray());
        for (int i = 0; i < primals.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(primals[i], $"{nameof(primals)}[{i}]");
            ArgumentNullException.ThrowIfNull(tangents[i], $"{nameof(tangents)}[{i}]");
            if (tangents[i].Shape != primals[i].Shape)
                throw new JaxTypeException("jvp", $"tangent {i} is {tangents[i].Aval.ToLongString()} but the primal is {primals[i].Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
            if (tangents[i].DType != primals[i].DType)
                throw new JaxTypeException("jvp", $"primal and tangent arguments do not match: dtypes must be equal, but primal {i} is {primals[i].Aval.ToLongString()} and its tangent {tangents[i].Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        }
        var traced = FunctionCalls.Trace("jvp", f, Avals(primals));
        var flags = Enumerable.Range(0, traced.Function.Parameters.Count).Select(i => i < primals.Length).ToArray();
        var jvp = JvpPass.Apply(traced.Function, flags);
        var ts = tangents.Select((t, i) => Jnp.Cast(t, primals[i].DType)).ToArray();
        var results = FunctionCalls.Call(jvp, [.. primals, .. traced.Captured, .. ts]);
        int n = traced.Function.ResultTypes.Count;
        return (results.Take(n).ToArray(), results.Skip(n).ToArray());
    }

    /// <summary>Forward mode for a function of one array.</summary>
    public static (Tensor Output, Tensor Tangent) Jvp(Func<Tensor, Tensor> f, Tensor x, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(t);
        var (o, d) = Jvp(a => [f(a[0])], [x], [t]);
        return (o[0], d[0]);
    }

    /// <summary>
    /// <c>jax.linearize</c>: the outputs at <paramref name="primals"/> and the linear map of tangents to output
    /// tangents, whose forward values were computed once.
    /// </summary>
    public static (Tensor[] Outputs, Func<Tensor[], Tensor[]> Linear) Linearize(Func<Tensor[], Tensor[]> f, params Tensor[] primals)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(primals);
        RequireFloat("linearize", primals, Enumerable.Range(0, primals.Length).ToArray());
        var traced = FunctionCalls.Trace("linearize", f, Avals(primals));
        var flags = Enumerable.Range(0, traced.Function.Parameters.Count).Select(i => i < primals.Length).ToArray();
        var lin = Autodiff.Linearize(traced.Function, flags);
        var forward = FunctionCalls.Call(lin.Primal, [.. primals, .. traced.Captured]);
        int n = traced.Function.ResultTypes.Count;
        var residuals = forward.Skip(n).ToArray();
        return (forward.Take(n).ToArray(), ts => FunctionCalls.Call(lin.Linear, [.. residuals, .. ts.Select((t, i) => Jnp.Cast(t, primals[i].DType))]));
    }

    /// <summary>
    /// The Jacobian by forward mode (<c>jax.jacfwd</c>): for x of shape S and f(x) of shape T, an array of shape
    /// T + S, computed by pushing forward the standard basis of x's space with <see cref="Vmap(Func{Tensor, Tensor}, int, int)"/>.
    /// </summary>
    public static Func<Tensor, Tensor> JacFwd(Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return x =>
    {
        RequireFloat("jacfwd", [x], [0]);
        int n = checked((int)x.Size);
        var basis = Jnp.Reshape(Jnp.Eye(n, dtype: x.DType), [n, .. x.Shape.Sizes]);
        var pushed = Vmap((Func<Tensor, Tensor>)(t => Jvp(f, x, t).Tangent))(basis);
        var outRank = pushed.Ndim - 1;
        var moved = Jnp.Moveaxis(pushed, 0, -1);
        return Jnp.Reshape(moved, [.. moved.Shape.Sizes.Take(outRank), .. x.Shape.Sizes]);
    };
    }

    /// <summary>
    /// The Jacobian by reverse mode (<c>jax.jacrev</c>): pulls back the standard basis of the output space,
    /// vectorised with <see cref="Vmap(Func{Tensor, Tensor}, int, int)"/>; shape T + S.
    /// </summary>
    public static Func<Tensor, Tensor> JacRev(Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return x =>
    {
        var (y, pullback) = Vjp(f, x);
        if (!y.DType.IsFloat())
            throw new JaxTypeException("jacrev", $"jacrev requires real-valued outputs, got {y.Aval.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        int m = checked((int)y.Size);
        var basis = Jnp.Reshape(Jnp.Eye(m, dtype: y.DType), [m, .. y.Shape.Sizes]);
        var pulled = Vmap(pullback)(basis);
        return Jnp.Reshape(pulled, [.. y.Shape.Sizes, .. x.Shape.Sizes]);
    };
    }

    /// <summary>The Hessian, <c>jacfwd(jacrev(f))</c>, as JAX defines it.</summary>
    public static Func<Tensor, Tensor> Hessian(Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return JacFwd(JacRev(f));
    }

    /// <summary>The identity whose derivative is zero (<c>jax.lax.stop_gradient</c>).</summary>
    public static Tensor StopGradient(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Dispatch.Bind1(Prims.StopGradient, x);
    }
}
