using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary><c>make_jaxpr</c> and <c>jit</c>: the traced IR, constants, caching per signature, and misuse of tracers.</summary>
public class TracingTests
{
    private static Tensor Data => Jnp.Array(new float[,] { { 0.5f, -1, 2 }, { 3, 0, -2.5f } });

    [Fact]
    public void MakeJaxpr_prints_parseable_ir_with_the_primitives_used()
    {
        var text = Jax.MakeJaxpr(x => Jnp.Sum(Jnp.Exp(x) * 2), Jnp.Zeros(3));
        var f = IrParser.ParseFunction(text);
        var ops = f.Body.Operations.Select(o => o.Primitive.Name).ToList();
        Assert.Contains("exp", ops);
        Assert.Contains("mul", ops);
        Assert.Contains("reduce_sum", ops);
        Assert.Single(f.Body.Arguments);
        Assert.Equal(new ShapedType(DType.Float32, Shape.Of(3)), f.Body.Arguments[0].Type);
        Assert.Single(f.ResultTypes);
        Assert.Equal(DType.Float32, f.ResultTypes[0].DType);
        Assert.Equal(0, f.ResultTypes[0].Rank);
    }

    [Fact]
    public void MakeJaxpr_of_several_arguments()
    {
        var text = Jax.MakeJaxpr(args => [Jnp.Matmul(args[0], args[1]), Jnp.Maximum(args[0], 0)], Jnp.Zeros([2, 3]), Jnp.Zeros([3, 4]));
        var f = IrParser.ParseFunction(text);
        Assert.Equal(2, f.Body.Arguments.Count);
        Assert.Equal(2, f.ResultTypes.Count);
        Assert.Equal(Shape.Of(2, 4), f.ResultTypes[0].Shape);
        Assert.Contains(f.Body.Operations, o => o.Primitive.Name == "dot_general");
        Assert.Contains(f.Body.Operations, o => o.Primitive.Name == "max");
    }

    [Fact]
    public void Closed_over_concrete_arrays_become_parameters_not_constants()
    {
        var c = Jnp.Array(new float[] { 1, 2, 3 });
        var text = Jax.MakeJaxpr(x => x + c, Jnp.Zeros(3));
        var f = IrParser.ParseFunction(text);
        Assert.DoesNotContain(f.Body.Operations, o => o.Primitive.Name == "constant");
        Assert.Equal(2, f.Parameters.Count);
        Assert.Equal(new ShapedType(DType.Float32, Shape.Of(3)), f.Parameters[1].Type);
        Assert.Contains(f.Body.Operations, o => o.Primitive.Name == "add");
    }

    [Fact]
    public void Closed_over_scalars_stay_inline_constants()
    {
        var c = Jnp.Array(new float[] { 5 }).Reshape();
        var f = IrParser.ParseFunction(Jax.MakeJaxpr(x => x * c, Jnp.Zeros(3)));
        Assert.Single(f.Parameters);
        Assert.Single(f.Body.Operations, o => o.Primitive.Name == "constant");
    }

    [Fact]
    public void Literals_in_traced_code_stay_weak()
    {
        var f = IrParser.ParseFunction(Jax.MakeJaxpr(x => x * 2, Jnp.Zeros(3, Jnp.Float16)));
        Assert.Equal(DType.Float16, f.ResultTypes[0].DType);
        Assert.DoesNotContain(f.Body.Operations, o => o.Results.Any(r => r.Type.DType == DType.Float32 && !r.Type.Weak));
    }

    public static TheoryData<string, Func<Tensor, Tensor>> Functions => new()
    {
        { "affine", x => x * 2 + 1 },
        { "softmax", x => Nn.Softmax(x) },
        { "logsumexp", x => Nn.Logsumexp(x, [1]) },
        { "sum_axis", x => Jnp.Sum(x * x, 0) },
        { "var", x => Jnp.Var(x, [1], keepdims: true) },
        { "slices", x => x[.., 1..] - x[0, 1..] },
        { "gather", x => x[new[] { 1, 0, 1 }] },
        { "matmul", x => Jnp.Matmul(x, x.T) },
        { "einsum", x => Jnp.Einsum("ij,kj->ik", x, x) },
        { "where", x => Jnp.Where(x > 0, x, -x) },
        { "remainder", x => Jnp.Remainder(x, 1.5) },
        { "sort", x => Jnp.Sort(x) },
        { "argmax", x => Jnp.Argmax(x, 1) },
        { "cumsum", x => Jnp.Cumsum(x, 1) },
        { "concat", x => Jnp.Concatenate([x, Jnp.Flip(x, 0)], 1) },
        { "gelu", x => Nn.Gelu(x) },
        { "round", x => Jnp.Round(x * 3.3, 1) },
    };

    [Theory]
    [MemberData(nameof(Functions))]
    public void Jit_gives_the_same_results_as_eager(string name, Func<Tensor, Tensor> f)
    {
        var eager = f(Data);
        var jitted = Jax.Jit(f)(Data);
        Assert.Equal(eager.DType, jitted.DType);
        Assert.Equal(eager.Shape, jitted.Shape);
        Assert.Equal(eager.WeakType, jitted.WeakType);
        Assert.True(eager.ToArray<double>().SequenceEqual(jitted.ToArray<double>()), name);
    }

    [Fact]
    public void Jit_traces_once_per_signature()
    {
        int traces = 0;
        var f = Jax.Jit((Tensor x) =>
        {
            traces++;
            return Jnp.Sin(x) * 2;
        });
        var a = f(Jnp.Zeros(3));
        f(Jnp.Ones(3));
        Assert.Equal(1, traces);
        Expect.Values(f(Jnp.Array(new float[] { 0.5f, 1, 2 })), [2 * Math.Sin(0.5), 2 * Math.Sin(1), 2 * Math.Sin(2)], 1e-6);
        Assert.Equal(1, traces);
        f(Jnp.Zeros(4));
        Assert.Equal(2, traces);
        f(Jnp.Zeros(3, Jnp.Float16));
        Assert.Equal(3, traces);
        f(Jnp.Zeros(4));
        Assert.Equal(3, traces);
        Expect.Values(a, [0, 0, 0]);
    }

    [Fact]
    public void Jit_distinguishes_weak_from_strong_arguments()
    {
        int traces = 0;
        var f = Jax.Jit((Tensor x) =>
        {
            traces++;
            return x * 2;
        });
        var weak = f(2.0);
        var strong = f(Jnp.Array(2f));
        Assert.Equal(2, traces);
        Assert.True(weak.WeakType);
        Assert.False(strong.WeakType);
        Assert.Equal(4, weak.Item<float>());
    }

    [Fact]
    public void Jit_of_two_arguments_and_of_several_results()
    {
        var add = Jax.Jit((Tensor x, Tensor y) => x * y + 1);
        Expect.Values(add(Jnp.Arange(3), Jnp.Arange(3)), [1, 2, 5]);
        var both = Jax.Jit(args => [args[0] + args[1], args[0] - args[1]]);
        var r = both([Jnp.Array(new float[] { 5 }), Jnp.Array(new float[] { 3 })]);
        Assert.Equal(2, r.Length);
        Expect.Values(r[0], [8]);
        Expect.Values(r[1], [2]);
    }

    [Fact]
    public void Jit_of_identity_and_of_a_constant_function()
    {
        var id = Jax.Jit((Tensor x) => x);
        Expect.Values(id(Jnp.Arange(3)), [0, 1, 2]);
        var c = Jnp.Array(new float[] { 7, 8 });
        var constant = Jax.Jit((Tensor x) => c);
        Expect.Values(constant(Jnp.Zeros(5)), [7, 8]);
    }

    [Fact]
    public void Jit_inside_jit_is_a_call_of_the_inner_function()
    {
        var inner = Jax.Jit((Tensor x) => Jnp.Exp(x));
        var outer = Jax.Jit((Tensor x) => inner(x) + 1);
        Expect.Values(outer(Jnp.Zeros(2)), [2, 2]);
        var text = Jax.MakeJaxpr(x => inner(x) * 3, Jnp.Zeros(2));
        var call = Assert.Single(IrParser.ParseFunction(text).Body.Operations, o => o.Primitive.Name == "call");
        Assert.Contains(call.Regions[0].Operations, o => o.Primitive.Name == "exp");
    }

    [Fact]
    public void Escaped_tracers_raise_a_clear_error()
    {
        Tensor? leaked = null;
        var f = Jax.Jit((Tensor x) =>
        {
            leaked = x;
            return x + 1;
        });
        f(Jnp.Zeros(2));
        Assert.NotNull(leaked);
        Assert.True(leaked!.IsTracer);
        var eager = Assert.Throws<InvalidOperationException>(() => Jnp.Exp(leaked));
        Assert.Contains("escaped tracer", eager.Message, StringComparison.Ordinal);
        var g = Jax.Jit((Tensor y) => y + leaked);
        var traced = Assert.Throws<InvalidOperationException>(() => g(Jnp.Zeros(2)));
        Assert.Contains("escaped tracer", traced.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => leaked.ToArray<float>());
    }

    [Fact]
    public void Item_inside_a_traced_function_raises_a_clear_error()
    {
        var f = Jax.Jit((Tensor x) => Jnp.Array(x.Item() * 2));
        var e = Assert.Throws<InvalidOperationException>(() => f(Jnp.Array(1f)));
        Assert.Contains("traced", e.Message, StringComparison.Ordinal);
        Assert.Contains("TracingTests.cs(", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_dependent_operations_inside_a_traced_function_raise()
    {
        var mask = Jax.Jit((Tensor x) => x[x > 0]);
        Expect.Error(() => mask(Jnp.Zeros(3)), "index", "Jnp.Where", "TracingTests.cs(");
        var nonzero = Jax.Jit((Tensor x) => Jnp.Nonzero(x)[0]);
        Expect.Error(() => nonzero(Jnp.Zeros(3)), "nonzero", "traced", "TracingTests.cs(");
    }

    [Fact]
    public void Tracers_print_their_abstract_value()
    {
        string? printed = null;
        var f = Jax.Jit((Tensor x) =>
        {
            printed = x.ToString();
            return x;
        });
        f(Jnp.Zeros([2, 3]));
        Assert.NotNull(printed);
        Assert.StartsWith("Traced<", printed, StringComparison.Ordinal);
        Assert.Contains("f32[2,3]", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_trace_leaves_no_trace_behind()
    {
        var f = Jax.Jit((Tensor x) => Jnp.Add(x, Jnp.Zeros(7)));
        Assert.Throws<JaxTypeException>(() => f(Jnp.Zeros(3)));
        Assert.Null(Trace.Current);
        Expect.Values(Jnp.Zeros(2) + 1, [1, 1]);
    }

    [Fact]
    public void Jit_retraces_when_x64_changes()
    {
        int traces = 0;
        var f = Jax.Jit((Tensor x) =>
        {
            traces++;
            return Jnp.Sum(x) + 1.5;
        });
        var i8 = Jnp.Array(new sbyte[] { 1, 2 });
        using (Jax.Config.X64Scope(false))
            Assert.Equal(DType.Float32, f(i8).DType);
        using (Jax.Config.X64Scope(true))
            Assert.Equal(DType.Float64, f(i8).DType);
        Assert.Equal(2, traces);
    }
}
