namespace JaxToolchain;

/// <summary>
/// Marks a static method to be compiled at <c>dotnet build</c> (JAX's <c>@jax.jit</c>, ahead of time): the build traces
/// it for each signature given by a <c>[Jit]</c> attribute, applies the transformations it calls (<c>Jax.Grad</c>,
/// <c>Jax.Vmap</c>, <c>Lax</c> control flow, other <c>[Jit]</c> methods as calls), compiles the kernels for every
/// target and ships them beside the assembly. A call of the method then runs the precompiled kernel for matching
/// inputs, with no tracing and no compiler at run time; other inputs are traced and compiled at run time with a
/// one-time warning, or throw under <see cref="Jax.Config.PrecompiledOnly"/>.
/// <para>
/// The signature has one entry per parameter, in order: for an array parameter (<see cref="Tensor"/>) its type as IR
/// text, with symbolic dims for sizes that vary (<c>"f32[n]"</c>, <c>"f64[n,3]"</c>, <c>"i32[]"</c>); one kernel serves
/// every size of a symbolic dim. A parameter that is a tree of arrays has the tree's types in brackets: a
/// <see cref="Tensor"/>[] or <c>List&lt;Tensor&gt;</c> <c>"[f32[n], f32[n]]"</c> (one kernel per length), a tuple of 2 to 4
/// tensors <c>"(f32[n,3], f32[])"</c>. A dynamic scalar is a <see cref="Tensor"/> parameter too: called with a C# number it
/// is a weakly typed scalar, as JAX treats Python scalars (entry <c>"f32[]{weak}"</c>, or <c>"f64[]{weak}"</c> with x64).
/// A parameter listed in <see cref="StaticArgnums"/> is compiled in: its entry is its value (<c>"1.5"</c>, <c>"3"</c>,
/// <c>"true"</c>, a string, an enum member's name), one kernel per value; a C# number parameter must be static.
/// </para>
/// <para>
/// The method returns a <see cref="Tensor"/>, a <see cref="Tensor"/>[] or a tuple of tensors. Mistakes are build errors
/// with a code at the method (see the table in <c>tasks/README.md</c>).
/// </para>
/// </summary>
/// <param name="signature">One entry per parameter (see above).</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class JitAttribute(params string[] signature) : Attribute
{
    /// <summary>The entries of the signature, one per parameter.</summary>
    public IReadOnlyList<string> Signature { get; } = signature;

    /// <summary>Parameters whose values are compiled in (<c>static_argnums</c>); the same on every attribute of a method.</summary>
    public int[] StaticArgnums { get; set; } = [];

    /// <summary>Parameters whose buffers the kernel may reuse for its results (<c>donate_argnums</c>); the same on every attribute of a method.</summary>
    public int[] DonateArgnums { get; set; } = [];

    /// <summary>
    /// The kernel name (default: the method's full name, <c>Namespace.Type.Method</c>); the same on every attribute of a
    /// method. Overloads need distinct names.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// Traces this signature with 64-bit types enabled (<c>jax_enable_x64</c>); also implied by a 64-bit type in it. A
    /// call is served by the kernel only when the process's x64 setting is the same.
    /// </summary>
    public bool X64 { get; set; }
}
