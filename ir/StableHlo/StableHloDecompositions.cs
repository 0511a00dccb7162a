using System.Collections.Concurrent;

namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// Builds the IR of one StableHLO operation that has no primitive of ours but a composition in a layer above
/// <c>ir/</c> (the runtime's linear algebra, convolutions, window reductions): given the operation's operand types, the
/// types its text declares for its results, and a reader of its attributes (<c>bool</c>, <c>long</c>, <c>long[]</c>,
/// <c>bool[]</c>, or the text of an enum or structured attribute such as <c>TRANSPOSE</c>; null when absent), a function
/// of those operands returning the operation's results. The importer calls it with our <c>call</c>.
/// </summary>
public delegate Function StableHloDecomposition(IReadOnlyList<ShapedType> operands, IReadOnlyList<ShapedType> results, Func<string, object?> attribute);

/// <summary>
/// The decompositions the importer may use for operations outside our primitive set, registered by the layers that
/// compose them (the runtime registers <c>stablehlo.triangular_solve</c> through <c>Lax.Linalg.TriangularSolve</c>,
/// <c>stablehlo.convolution</c> through <c>Lax.ConvGeneralDilated</c>, and <c>stablehlo.reduce_window</c> other than a
/// cumulative op through <c>Lax.ReduceWindow</c>, its body's one op given as the attribute <c>$body</c>).
/// Without a registration such an operation is an <c>UnsupportedOperation</c> error, as before.
/// </summary>
public static class StableHloDecompositions
{
    private static readonly ConcurrentDictionary<string, StableHloDecomposition> Registered = new(StringComparer.Ordinal);

    /// <summary>Registers (or replaces) the decomposition of <paramref name="operation"/> (a full name: <c>stablehlo.triangular_solve</c>).</summary>
    public static void Register(string operation, StableHloDecomposition decomposition)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(decomposition);
        Registered[operation] = decomposition;
    }

    /// <summary>The decomposition of <paramref name="operation"/>, or null.</summary>
    internal static StableHloDecomposition? Find(string operation) => Registered.GetValueOrDefault(operation);
}
