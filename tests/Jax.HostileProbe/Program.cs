using JaxToolchain;

// One hostile case per process: prints "caught <exception type>: <message>" and exits 0 when the case ends in an
// exception, "returned: <result>" and exits 0 when it returns; a crash or a hang is the failure the caller detects.
var cases = new Dictionary<string, Func<object?>>(StringComparer.Ordinal)
{
    // Reading or computing with a disposed array: its memory is gone, so this must be an exception, not a read of
    // freed memory.
    ["use-after-dispose"] = () =>
    {
        var t = Jnp.Arange(1000);
        t.Dispose();
        return Jnp.Add(t, 1).ToArray<int>();
    },
    // A dense 2^40-element result (4 TiB of int32): refused with a clear out-of-memory error.
    ["dense-4tib"] = () => Jnp.Multiply(Jnp.Reshape(Jnp.Arange(1 << 20), -1, 1), Jnp.Arange(1 << 20)).Shape,
    // The same under jit.
    ["dense-4tib-jit"] = () => Jax.Jit((Tensor a) => Jnp.Multiply(Jnp.Reshape(a, -1, 1), a))(Jnp.Arange(1 << 20)).Shape,
    // A random draw of 2^40 elements.
    ["normal-4tib"] = () => Jax.Random.Normal(Jax.Random.PRNGKey(0), [1 << 20, 1 << 20]).Shape,
    // A tree nested a million levels deep: a clear nesting error instead of a stack overflow.
    ["deep-tree"] = () =>
    {
        object tree = Jnp.Zeros(1);
        for (int i = 0; i < 1_000_000; i++) tree = new List<object> { tree };
        return PyTree.Leaves(tree).Count;
    },
};

if (args.Length != 1 || !cases.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Jax.HostileProbe <case>; cases: {string.Join(", ", cases.Keys)}");
    return 2;
}
try
{
    Console.WriteLine($"returned: {run()}");
}
catch (Exception e)
{
    Console.WriteLine($"caught {e.GetType().Name}: {e.Message}");
}
return 0;
