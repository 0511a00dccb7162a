using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain;

/// <summary>
/// StableHLO operations with no primitive of ours that the runtime composes, registered with the importer
/// (<see cref="StableHloDecompositions"/>) before any module is imported: <c>stablehlo.triangular_solve</c> is
/// <see cref="Lax.Linalg.TriangularSolve"/> (substitution loops, JAX's derivative), traced for the operation's operand
/// types. Real values only (complex is an unsupported element type); <c>ADJOINT</c> of real values is the transpose.
/// </summary>
internal static class StableHloCompositions
{
    private static int _registered;

    /// <summary>Registers the compositions once.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        StableHloDecompositions.Register("stablehlo.triangular_solve", TriangularSolve);
    }

    private static Function TriangularSolve(IReadOnlyList<ShapedType> operands, Func<string, object?> attribute)
    {
        if (operands.Count != 2) throw new ArgumentException($"triangular_solve takes a and b, got {operands.Count} operands");
        bool left = attribute("left_side") is true, lower = attribute("lower") is true, unit = attribute("unit_diagonal") is true;
        string transpose = attribute("transpose_a") as string ?? "NO_TRANSPOSE";
        if (transpose is not ("NO_TRANSPOSE" or "TRANSPOSE" or "ADJOINT"))
            throw new ArgumentException($"triangular_solve: transpose_a {transpose} is none of NO_TRANSPOSE, TRANSPOSE, ADJOINT");
        return Traced("triangular_solve", a => [Lax.Linalg.TriangularSolve(a[0], a[1], left, lower, transpose != "NO_TRANSPOSE", unitDiagonal: unit)], operands);
    }

    /// <summary>
    /// <paramref name="f"/> traced on parameters of <paramref name="types"/> as a closed function: concrete arrays it
    /// closed over become constants of a wrapper that calls it.
    /// </summary>
    private static Function Traced(string name, Func<Tensor[], Tensor[]> f, IReadOnlyList<ShapedType> types)
    {
        var traced = FunctionCalls.Trace(name, f, types);
        if (traced.Captured.Count == 0) return traced.Function;
        var block = new Block(types);
        var emitter = new Emitter(block);
        var constants = traced.Captured.Select(c => c.IsTracer
            ? throw new InvalidOperationException($"{name}: the composition used a value of an enclosing trace")
            : emitter.Constant(c.Buffer));
        var results = emitter.Emit(Prims.Call, [.. block.Arguments, .. constants], Attributes.Of(("callee", name)), [traced.Function.Body]);
        block.SetResults(results);
        return new Function(name, block);
    }
}
