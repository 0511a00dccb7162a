using System.ComponentModel;
using JaxToolchain.Ir;

namespace JaxToolchain.Aot;

/// <summary>
/// A function traced ahead of time (by the build's compiler, <c>jaxc</c>) with the parts of the executable key that a
/// call with matching arguments builds at run time, so a manifest kernel written from it serves that call.
/// </summary>
/// <param name="Name">The kernel name.</param>
/// <param name="Function">The traced, simplified IR (parameter types may have symbolic dims).</param>
/// <param name="Key">The key a matching call builds (for symbolic dims, one size per symbol).</param>
/// <param name="Statics">The static argument texts (<see cref="StaticArgumentText"/>), in argument order.</param>
/// <param name="DonatedParameters">The parameters whose buffers the kernel may reuse.</param>
/// <param name="ClosedOverArrays">How many concrete arrays the function closed over (they would be extra parameters: a build refuses them).</param>
public sealed record TracedKernel(string Name, Function Function, ExecutableKey Key, IReadOnlyList<string> Statics,
    IReadOnlyList<int> DonatedParameters, int ClosedOverArrays);

/// <summary>
/// A tree of arrays given abstractly, for <see cref="AheadOfTime.Trace"/>: <paramref name="Template"/> has the tree's
/// structure (a <see cref="Tensor"/>[], a <c>List&lt;Tensor&gt;</c>, a tuple of tensors ...; its tensors are placeholders
/// whose values and shapes do not matter) and <paramref name="Leaves"/> the types of its leaves in flattening order.
/// </summary>
/// <param name="Template">The structure, with placeholder tensors.</param>
/// <param name="Leaves">The leaves' types (dims may be symbolic).</param>
public sealed record AbstractTree(object Template, IReadOnlyList<ShapedType> Leaves);

/// <summary>Tracing for the build's compiler: what <c>Jax.Jit</c> would trace at run time, for abstract arguments.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class AheadOfTime
{
    /// <summary>
    /// Traces <paramref name="body"/> as the <c>[Jit]</c> method named <paramref name="name"/> would be traced at run time
    /// for arguments like <paramref name="arguments"/>: at each dynamic position a <see cref="ShapedType"/> (an array of
    /// that type; dims may be symbolic) or an <see cref="AbstractTree"/> (a tree of such arrays); at static positions the value. Errors of the user's function (shape and dtype
    /// mismatches, ...) propagate as they are.
    /// </summary>
    public static TracedKernel Trace(string name, Func<object?[], object> body, object?[] arguments,
        IReadOnlyList<int> staticArgnums, IReadOnlyList<int> donateArgnums, bool x64)
    {
        var jit = new JitFunction(body, name, new JitOptions { Name = name, StaticArgnums = staticArgnums, DonateArgnums = donateArgnums, Device = Jax.DefaultDevice }, flatResults: true);
        var (function, key, constants, donated) = jit.TraceAbstract(arguments, x64);
        return new TracedKernel(name, function, key, StaticArgumentText.Of(key), donated, constants.Length);
    }

    /// <summary>
    /// Traces a StableHLO module (a project's <c>JaxModule</c> item) as its <see cref="StableHloModule.Call"/> traces it
    /// at run time, for its own input types (dims may be symbolic), with x64 on or off (a call's key holds the setting;
    /// a module that uses 64-bit types runs with it on, see <see cref="StableHloModule.NeedsX64"/>).
    /// </summary>
    public static TracedKernel TraceModule(StableHloModule module, bool x64)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Trace(module.Name, module.Body, module.InputTypes.Cast<object?>().ToArray(), [], [], x64);
    }
}
