namespace JaxToolchain.Runtime.Tests.Transforms.Trees;

/// <summary>dtype narrowing warnings, shapes as int[] or long[], and the message of a bool conversion of a tracer.</summary>
public class ApiConsistencyTests
{
    [Fact]
    public void An_explicit_64_bit_dtype_without_x64_narrows_with_one_warning()
    {
        using var x32 = Jax.Config.X64Scope(false);
        var messages = new List<string>();
        var previous = Jnp.Warn;
        Jnp.Warn = m => { lock (messages) messages.Add(m); };
        try
        {
            Jnp.ResetNarrowingWarnings();
            var z = Jnp.Zeros([2], Jnp.Float64);
            Jnp.Zeros([3], Jnp.Float64);
            Jnp.Arange(3, dtype: Jnp.Int64);
            Assert.Equal(Jnp.Float32, z.DType);
            var mine = messages.Where(m => m.Contains("requested in zeros") || m.Contains("requested in arange")).ToList();
            Assert.Equal(2, mine.Count);
            Assert.Contains("Explicitly requested dtype float64 requested in zeros is not available, and will be truncated to dtype float32", mine[0]);
            Assert.Contains("int64 requested in arange", mine[1]);
            Assert.Contains("EnableX64", mine[0]);
            messages.Clear();
            Jnp.Zeros([2]);
            Assert.DoesNotContain(messages, m => m.Contains("requested in zeros"));
        }
        finally
        {
            Jnp.Warn = previous;
        }
    }

    [Fact]
    public void DType_is_reachable_without_the_ir_namespace()
    {
        // No `using JaxToolchain.Ir;` in this file: Jax.Generators declares the DType alias.
        DType requested = Jnp.Int8;
        Assert.Equal(typeof(Ir.DType), requested.GetType());
        Assert.Equal(requested, Jnp.Zeros([1], requested).DType);
    }

    [Fact]
    public void Shapes_are_accepted_as_int_and_long_arrays()
    {
        var x = Jnp.Ones([2L, 3L]);
        int[] shape = [3, 2];
        Assert.Equal(new long[] { 3, 2 }, Jnp.Reshape(x, shape).Shape.Sizes);
        Assert.Equal(new long[] { 2, 3 }, Jnp.Zeros(x.Shape.Sizes).Shape.Sizes);
        Assert.Equal(new long[] { 4, 2, 3 }, Jnp.BroadcastTo(x, [4L, 2, 3]).Shape.Sizes);
        Assert.Equal(7f, Jnp.Full(new long[] { 2 }, 7f).ToArray<float>()[1]);
    }

    [Fact]
    public void Bool_conversion_of_a_tracer_names_cond_where_and_static_arguments()
    {
        var f = Jax.Jit((Tensor x) => x > 0 ? x : -x);
        var e = Assert.Throws<TracerBoolConversionException>(() => f(Jnp.Array(1f)));
        Assert.Contains("Attempted boolean conversion of traced array with shape bool[]", e.Message);
        Assert.Contains("Lax.Cond", e.Message);
        Assert.Contains("Jnp.Where", e.Message);
        Assert.Contains("StaticArgnums", e.Message);
    }

    [Fact]
    public void Bool_conversion_of_a_concrete_array_is_its_truth()
    {
        var x = Jnp.Array(2f);
        Assert.Equal(2f, (x > 0 ? x : -x).Item<float>());
        Assert.True((bool)(x == 2f));
        Assert.Throws<ArgumentException>(() => (bool)Jnp.Ones([2]));
    }
}
