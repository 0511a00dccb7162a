using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>
    /// How many tracings of one custom function's rules may nest. Rules become regions when the function is called
    /// (JAX traces them lazily), so a rule that calls its own function (JAX's <c>log1pexp</c>: the JVP computes its
    /// primal output by calling <c>log1pexp</c>) would be traced forever. A call made while this many of the
    /// function's rules are being traced runs the plain function instead. With 2, the primal output of the rule
    /// still differentiates by the rule (<c>jvp</c> of <c>jvp</c>'s primal output); only derivatives taken through the
    /// rule's primal output more than once see the plain function's derivative.
    /// </summary>
    public const int MaxCustomRuleNesting = 2;

    /// <summary>
    /// A function with a custom JVP (<c>jax.custom_jvp</c> with <c>defjvp</c>): calling it runs <paramref name="f"/>;
    /// differentiating it uses <paramref name="jvp"/>, which maps the primal arguments and their tangents (one per
    /// argument, zeros where an argument is not differentiated) to the primal outputs and their tangents (one per
    /// output; null means zero). The outputs must have <paramref name="f"/>'s dtypes and shapes, tangents their
    /// primal's dtype and shape. The tangents must be linear in the input tangents for reverse mode (<c>Grad</c>),
    /// which transposes them. Values <paramref name="f"/> closes over are not differentiated through the rule:
    /// differentiating with respect to one is an error (pass it as an argument).
    /// </summary>
    public static Func<Tensor[], Tensor[]> CustomJvp(Func<Tensor[], Tensor[]> f, Func<Tensor[], Tensor[], (Tensor[] Outs, Tensor[] Tangents)> jvp)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(jvp);
        var nesting = new RuleNesting();
        return args =>
        {
            if (Trace.Current is null || nesting.Depth >= MaxCustomRuleNesting) return f(args);
            var argTypes = Avals(args);
            var primal = FunctionCalls.Trace("custom_jvp", f, argTypes);
            var outTypes = primal.Function.ResultTypes;
            int n = args.Length;
            var rule = nesting.Trace("custom_jvp_rule", a =>
            {
                var (outs, tangents) = jvp(a[..n], a[n..]);
                CheckCount("custom_jvp", "the jvp rule's primal outputs", outs.Length, outTypes.Count);
                CheckCount("custom_jvp", "the jvp rule's tangent outputs", tangents.Length, outTypes.Count);
                return [.. outs.Select((o, i) => AsPrimal("custom_jvp", $"the jvp rule's primal output {i}", o, outTypes[i])),
                        .. tangents.Select((t, i) => AsTangent("custom_jvp", $"the jvp rule's tangent output {i}", t, outTypes[i]))];
            }, [.. argTypes, .. argTypes.Select(JvpPass.TangentType)]);
            var consts = primal.Captured.Concat(rule.Captured).ToArray();
            var constTypes = Avals(consts);
            var regions = new[]
            {
                ClosedRegion(primal, [.. constTypes, .. argTypes], 0, consts.Length),
                ClosedRegion(rule, [.. constTypes, .. argTypes, .. argTypes.Select(JvpPass.TangentType)], primal.Captured.Count, consts.Length),
            };
            return Dispatch.Bind(Prims.CustomJvpCall, [.. consts, .. args], Attributes.Of(("num_consts", consts.Length)), regions);
        };
    }

    /// <summary>A function of one array with a custom JVP: <paramref name="jvp"/> maps (x, ẋ) to (f(x), ḟ).</summary>
    public static Func<Tensor, Tensor> CustomJvp(Func<Tensor, Tensor> f, Func<Tensor, Tensor, (Tensor Out, Tensor Tangent)> jvp)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(jvp);
        var g = CustomJvp(a => [f(a[0])], (a, t) =>
        {
            var (o, d) = jvp(a[0], t[0]);
            return ([o], [d]);
        });
        return x => g([x])[0];
    }

    /// <summary>
    /// A function with a custom VJP (<c>jax.custom_vjp</c> with <c>defvjp</c>): calling it runs <paramref name="f"/>;
    /// reverse mode runs <paramref name="fwd"/> for the outputs (of <paramref name="f"/>'s dtypes and shapes) and
    /// residuals, and <paramref name="bwd"/>, which maps the residuals and the output cotangents to one cotangent per
    /// argument (of the argument's dtype and shape; null means zero). Forward mode (<c>Jvp</c>, <c>JacFwd</c>) is an
    /// error, as in JAX. Values the functions close over are not differentiated through the rule: differentiating
    /// with respect to one is an error (pass it as an argument).
    /// </summary>
    public static Func<Tensor[], Tensor[]> CustomVjp(Func<Tensor[], Tensor[]> f, Func<Tensor[], (Tensor[] Outs, Tensor[] Residuals)> fwd,
        Func<Tensor[], Tensor[], Tensor[]> bwd)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(fwd);
        ArgumentNullException.ThrowIfNull(bwd);
        var nesting = new RuleNesting();
        return args =>
        {
            if (Trace.Current is null || nesting.Depth >= MaxCustomRuleNesting) return f(args);
            var argTypes = Avals(args);
            var primal = FunctionCalls.Trace("custom_vjp", f, argTypes);
            var outTypes = primal.Function.ResultTypes;
            int n = outTypes.Count;
            var forward = nesting.Trace("custom_vjp_fwd", a =>
            {
                var (outs, residuals) = fwd(a);
                CheckCount("custom_vjp", "fwd's outputs", outs.Length, n);
                return [.. outs.Select((o, i) => AsPrimal("custom_vjp", $"fwd's output {i}", o, outTypes[i])), .. residuals];
            }, argTypes);
            var residualTypes = forward.Function.ResultTypes.Skip(n).ToArray();
            var ctTypes = outTypes.Select(JvpPass.TangentType).ToArray();
            var backward = nesting.Trace("custom_vjp_bwd", a =>
            {
                var cts = bwd(a[..residualTypes.Length], a[residualTypes.Length..]);
                CheckCount("custom_vjp", "bwd's cotangents (one per argument)", cts.Length, args.Length);
                return cts.Select((c, i) => AsTangent("custom_vjp", $"bwd's cotangent {i}", c, argTypes[i])).ToArray();
            }, [.. residualTypes, .. ctTypes]);
            var consts = primal.Captured.Concat(forward.Captured).Concat(backward.Captured).ToArray();
            var constTypes = Avals(consts);
            int fwdConsts = primal.Captured.Count, bwdConsts = fwdConsts + forward.Captured.Count;
            var regions = new[]
            {
                ClosedRegion(primal, [.. constTypes, .. argTypes], 0, consts.Length),
                ClosedRegion(forward, [.. constTypes, .. argTypes], fwdConsts, consts.Length),
                ClosedRegion(backward, [.. constTypes, .. residualTypes, .. ctTypes], bwdConsts, consts.Length),
            };
            return Dispatch.Bind(Prims.CustomVjpCall, [.. consts, .. args], Attributes.Of(("num_consts", consts.Length)), regions);
        };
    }

    /// <summary>
    /// A function of one array with a custom VJP: <paramref name="fwd"/> maps x to (f(x), residuals),
    /// <paramref name="bwd"/> maps (residuals, ȳ) to x̄.
    /// </summary>
    public static Func<Tensor, Tensor> CustomVjp(Func<Tensor, Tensor> f, Func<Tensor, (Tensor Out, Tensor[] Residuals)> fwd, Func<Tensor[], Tensor, Tensor> bwd)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(fwd);
        ArgumentNullException.ThrowIfNull(bwd);
        var g = CustomVjp(a => [f(a[0])], a =>
        {
            var (o, r) = fwd(a[0]);
            return ([o], r);
        }, (r, ct) => [bwd(r, ct[0])]);
        return x => g([x])[0];
    }

    /// <summary>
    /// Rematerialization (<c>jax.checkpoint</c>, also called <c>jax.remat</c>): the same function, whose derivatives do
    /// not store its intermediate values for the backward pass but compute them again there, trading compute for
    /// memory. The values it closes over are differentiated like arguments.
    /// </summary>
    public static Func<Tensor[], Tensor[]> Checkpoint(Func<Tensor[], Tensor[]> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return args =>
    {
        if (Trace.Current is null) return f(args);
        var traced = FunctionCalls.Trace("checkpoint", f, Avals(args));
        return Dispatch.Bind(Prims.Checkpoint, [.. args, .. traced.Captured], Attributes.Empty, [traced.Function.Body]);
    };
    }

    /// <summary><see cref="Checkpoint(Func{Tensor[], Tensor[]})"/> of a function of one array.</summary>
    public static Func<Tensor, Tensor> Checkpoint(Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var g = Checkpoint(a => [f(a[0])]);
        return x => g([x])[0];
    }

    /// <summary><c>jax.remat</c>: the same as <see cref="Checkpoint(Func{Tensor, Tensor})"/>.</summary>
    public static Func<Tensor, Tensor> Remat(Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Checkpoint(f);
    }

    /// <summary>
    /// A closed region made from a traced function: region arguments are the constants (all custom functions' captures,
    /// <paramref name="numConsts"/> of them) followed by the function's explicit parameters; the function's captures
    /// are the constants from <paramref name="constOffset"/> on.
    /// </summary>
    private static Block ClosedRegion(TracedFunction traced, IReadOnlyList<ShapedType> regionArguments, int constOffset, int numConsts)
    {
        var block = new Block(regionArguments);
        var parameters = traced.Function.Parameters;
        var cloner = new FunctionCloner();
        for (int i = 0; i < traced.ExplicitParameters; i++) cloner.Map(parameters[i], block.Arguments[numConsts + i]);
        for (int j = 0; j < traced.Captured.Count; j++) cloner.Map(parameters[traced.ExplicitParameters + j], block.Arguments[constOffset + j]);
        block.SetResults(cloner.CloneInto(traced.Function.Body, block));
        return block;
    }

    private static void CheckCount(string api, string what, int actual, int expected)
    {
        if (actual != expected)
            throw new JaxTypeException(api, $"{what} are {actual} values, but the function has {expected}{Dispatch.At(SourceLocation.FindCaller())}");
    }

    /// <summary>A rule's primal output, checked against the function's output type and given exactly that type (weak type included).</summary>
    private static Tensor AsPrimal(string api, string what, Tensor value, ShapedType expected)
    {
        if (value.DType != expected.DType || value.Shape != expected.Shape)
            throw new JaxTypeException(api, $"{what} is {value.Aval.ToLongString()}, but the function returns {expected.ToLongString()}{Dispatch.At(SourceLocation.FindCaller())}");
        return Jnp.Cast(value, expected.DType, expected.Weak);
    }

    /// <summary>
    /// A rule's tangent or cotangent for a value of type <paramref name="primal"/>: of the primal's dtype and shape
    /// (strong); null means zero. Integer and bool values have no derivative: theirs are zeros whatever the rule gives.
    /// </summary>
    private static Tensor AsTangent(string api, string what, Tensor? value, ShapedType primal)
    {
        if (value is null || !primal.DType.IsFloat()) return Jnp.Zeros(primal.Shape.IntSizes, primal.DType);
        if (value.DType != primal.DType || value.Shape != primal.Shape)
            throw new JaxTypeException(api, $"{what} is {value.Aval.ToLongString()}, but its primal is {primal.ToLongString()}: " +
                                            $"it must have the primal's dtype and shape{Dispatch.At(SourceLocation.FindCaller())}");
        return Jnp.Cast(value, primal.DType);
    }

    /// <summary>How many tracings of a custom function's rules are in progress on this thread (see <see cref="MaxCustomRuleNesting"/>).</summary>
    private sealed class RuleNesting
    {
        private readonly ThreadLocal<int> _depth = new();

        public int Depth => _depth.Value;

        /// <summary>Traces a rule one level deeper.</summary>
        public TracedFunction Trace(string name, Func<Tensor[], Tensor[]> rule, IReadOnlyList<ShapedType> parameterTypes)
        {
            _depth.Value++;
            try
            {
                return FunctionCalls.Trace(name, rule, parameterTypes);
            }
            finally
            {
                _depth.Value--;
            }
        }
    }
}
