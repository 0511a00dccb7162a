using JaxToolchain.Ir;
using JaxToolchain.Runtime.Tests.Api;

namespace JaxToolchain.Runtime.Tests.Transforms;

/// <summary>
/// A jitted function called while another function is traced is a <c>call</c> of its traced body (JAX's <c>pjit</c>
/// inside a jaxpr), not inlined: what the trace shows, how often the body is traced, and that every transformation of
/// a function with nested jits computes what it computes for the same function without them.
/// </summary>
public class NestedJitTests
{
    private static Tensor SinSin(Tensor x) => Jnp.Sin(Jnp.Sin(x));

    private static Tensor SumLogistic(Tensor x) => Jnp.Sum(1.0 / (1.0 + Jnp.Exp(-x)));

    private static IEnumerable<Operation> AllOperations(Block block) =>
        block.Operations.SelectMany(op => op.Regions.SelectMany(AllOperations).Prepend(op));

    private static Operation[] Calls(string jaxpr) =>
        AllOperations(IrParser.ParseFunction(jaxpr).Body).Where(op => op.Primitive == Prims.Call).ToArray();

    private static string[] Callees(string jaxpr) => Calls(jaxpr).Select(op => op.Attributes.String("callee")).ToArray();

    private static void AssertClose(Tensor expected, Tensor actual, double tol)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var (e, a) = (expected.ToArray<double>(), actual.ToArray<double>());
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= tol * (1 + Math.Abs(e[i])), $"element {i}: {a[i]}, expected {e[i]}");
    }

    [Fact]
    public void MakeJaxpr_of_a_function_calling_a_jitted_one_shows_a_call_of_its_body()
    {
        var inner = Jax.Jit(SinSin);
        var text = Jax.MakeJaxpr(x => inner(x) * 3, Jnp.Zeros(2));
        var function = IrParser.ParseFunction(text);
        var call = Assert.Single(function.Body.Operations, op => op.Primitive == Prims.Call);
        Assert.Equal("NestedJitTests.SinSin", call.Attributes.String("callee"));
        Assert.Equal(["sin", "sin"], call.Regions[0].Operations.Select(op => op.Primitive.Name));
        Assert.DoesNotContain(function.Body.Operations, op => op.Primitive == Prims.Sin);
    }

    [Fact]
    public void A_jitted_function_called_twice_in_one_trace_is_two_calls_of_one_traced_body()
    {
        int traces = 0;
        var inner = Jax.Jit((Tensor x) =>
        {
            traces++;
            return Jnp.Exp(x) * 2;
        });
        var text = Jax.MakeJaxpr(x => inner(x) + inner(x * x), Jnp.Zeros(3));
        Assert.Equal(2, Calls(text).Length);
        Assert.Equal(1, traces);
        // Another trace with the same signature reuses the traced body; a new signature traces again.
        Jax.MakeJaxpr(x => inner(x), Jnp.Ones(3));
        Assert.Equal(1, traces);
        Jax.MakeJaxpr(x => inner(x), Jnp.Ones(4));
        Assert.Equal(2, traces);
        var outer = Jax.Jit((Tensor x) => inner(x) - inner(x + 1));
        var x = Jnp.Array(new[] { 0.5f, -1f, 2f });
        Expect.Values(outer(x), x.ToArray<float>().Select(v => 2 * Math.Exp(v) - 2 * Math.Exp(v + 1)).ToArray(), 1e-6);
        Assert.Equal(2, traces);
    }

    [Fact]
    public void Nested_jit_of_grad_is_a_call_in_every_derivative_and_gives_jaxs_third_derivative()
    {
        using var x64 = Jax.Config.X64Scope();
        var third = Jax.Grad(Jax.Jit(Jax.Grad(Jax.Jit(Jax.Grad(SumLogistic)))));
        Assert.Equal(-0.03532558, third(1.0).Item(), 8);
        var callees = Callees(Jax.MakeJaxpr(third, Jnp.Array(1.0)));
        Assert.Contains(callees, c => c.StartsWith("primal_", StringComparison.Ordinal));
        Assert.Contains(callees, c => c.StartsWith("transpose_linear_", StringComparison.Ordinal));
    }

    [Fact]
    public void Hessian_jacfwd_and_jacrev_through_a_nested_jit_equal_those_of_the_plain_function()
    {
        using var x64 = Jax.Config.X64Scope();
        var tanhSquared = Jax.Jit((Tensor v) => Jnp.Tanh(v) * Jnp.Tanh(v));
        Tensor Jitted(Tensor x) => Jnp.Sum(tanhSquared(x) * Jnp.Flip(x));
        Tensor Plain(Tensor x) => Jnp.Sum(Jnp.Tanh(x) * Jnp.Tanh(x) * Jnp.Flip(x));
        var x = Jnp.Array(new[] { 0.5, -1.0, 2.0 });
        AssertClose(Jax.Hessian(Plain)(x), Jax.Hessian(Jitted)(x), 1e-14);
        AssertClose(Jax.Hessian(Plain)(x), Jax.Jit(Jax.Hessian(Jitted))(x), 1e-14);
        Tensor VectorJitted(Tensor v) => tanhSquared(v) * Jnp.Flip(v);
        Tensor VectorPlain(Tensor v) => Jnp.Tanh(v) * Jnp.Tanh(v) * Jnp.Flip(v);
        AssertClose(Jax.JacFwd(VectorPlain)(x), Jax.JacFwd(VectorJitted)(x), 1e-14);
        AssertClose(Jax.JacRev(VectorPlain)(x), Jax.JacRev(VectorJitted)(x), 1e-14);
        Assert.Contains(Callees(Jax.MakeJaxpr(Jax.Hessian(Jitted), x)), c => c.Contains("jvp_", StringComparison.Ordinal));
    }

    [Fact]
    public void Vmap_of_a_function_with_a_nested_jit_is_a_call_of_the_batched_body_and_equals_the_loop()
    {
        var w = Jnp.Array(new float[] { 1, -2, 3 });
        var project = Jax.Jit((Tensor v) => Jnp.Dot(w, Jnp.Sin(v)));
        var f = Jax.Vmap((Func<Tensor, Tensor>)(v => project(v) * 2), inAxis: 1);
        var xs = Jnp.Reshape(Jnp.Arange(12f) / 5, 3, 4);
        var loop = Jnp.Stack(Enumerable.Range(0, 4).Select(i => project(xs[.., i]) * 2));
        Assert.Equal(loop.ToArray<float>(), f(xs).ToArray<float>());
        Assert.Contains(Callees(Jax.MakeJaxpr(f, xs)), c => c.StartsWith("vmap_", StringComparison.Ordinal));
    }

    [Fact]
    public void Jvp_through_a_nested_jit_is_a_call_of_the_jvp_of_its_body()
    {
        using var x64 = Jax.Config.X64Scope();
        var inner = Jax.Jit(SinSin);
        var x = Jnp.Array(new[] { 0.3, 1.2 });
        var (y, t) = Jax.Jvp(v => inner(v) * v, x, Jnp.OnesLike(x));
        var xs = x.ToArray<double>();
        Expect.Values(y, xs.Select(v => Math.Sin(Math.Sin(v)) * v).ToArray(), 1e-15);
        Expect.Values(t, xs.Select(v => Math.Cos(Math.Sin(v)) * Math.Cos(v) * v + Math.Sin(Math.Sin(v))).ToArray(), 1e-15);
        Assert.Contains("jvp_NestedJitTests.SinSin", Callees(Jax.MakeJaxpr(v => Jax.Jvp(u => inner(u) * u, v, Jnp.OnesLike(v)).Tangent, x)));
    }

    [Fact]
    public void Control_flow_bodies_calling_a_jitted_function_differentiate()
    {
        using var x64 = Jax.Config.X64Scope();
        var inner = Jax.Jit(SinSin);
        Tensor WithCond(Tensor x) => Jnp.Sum(Lax.Cond(Jnp.Sum(x) > 0, v => inner(v) * v, v => Jnp.Exp(v), x));
        Tensor WithScan(Tensor x) => Lax.Scan((c, v) => (inner(c * v) + v, c), Jnp.Array(0.5), x).Carry;
        Tensor WithFori(Tensor x) => Jnp.Sum(Lax.ForiLoop(0, 3, (i, c) => inner(c) + x, x));
        Tensor PlainCond(Tensor x) => Jnp.Sum(Lax.Cond(Jnp.Sum(x) > 0, v => SinSin(v) * v, v => Jnp.Exp(v), x));
        Tensor PlainScan(Tensor x) => Lax.Scan((c, v) => (SinSin(c * v) + v, c), Jnp.Array(0.5), x).Carry;
        Tensor PlainFori(Tensor x) => Jnp.Sum(Lax.ForiLoop(0, 3, (i, c) => SinSin(c) + x, x));
        var x = Jnp.Array(new[] { 0.3, -0.2, 1.1 });
        foreach (var (called, plain) in new (Func<Tensor, Tensor>, Func<Tensor, Tensor>)[] { (WithCond, PlainCond), (WithScan, PlainScan), (WithFori, PlainFori) })
        {
            AssertClose(plain(x), called(x), 1e-15);
            AssertClose(Jax.Grad(plain)(x), Jax.Grad(called)(x), 1e-14);
            AssertClose(Jax.Hessian(plain)(x), Jax.Hessian(called)(x), 1e-13);
        }
        Assert.NotEmpty(Calls(Jax.MakeJaxpr(WithScan, x)));
    }

    [Fact]
    public void A_jitted_closure_over_an_outer_tracer_takes_it_as_an_operand_and_differentiates_through_it()
    {
        using var x64 = Jax.Config.X64Scope();
        Tensor F(Tensor x)
        {
            var scaleByX = Jax.Jit((Tensor y) => y * x);
            return Jnp.Sum(scaleByX(Jnp.Sin(x)));
        }
        var call = Assert.Single(Calls(Jax.MakeJaxpr(F, Jnp.Zeros(2))));
        Assert.Equal(2, call.Operands.Count);
        var xs = new[] { 0.4, -1.5 };
        Expect.Values(Jax.Grad(F)(Jnp.Array(xs)), xs.Select(v => Math.Cos(v) * v + Math.Sin(v)).ToArray(), 1e-15);
        Expect.Values(Jax.Jit(Jax.Grad(F))(Jnp.Array(xs)), xs.Select(v => Math.Cos(v) * v + Math.Sin(v)).ToArray(), 1e-15);
    }
}
