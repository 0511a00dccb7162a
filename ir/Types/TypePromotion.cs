namespace JaxToolchain.Ir;

/// <summary>
/// JAX's type-promotion lattice (<c>jax._src.dtypes</c>): the least upper bound of the operands' types, with
/// weakly typed values (C# literals) standing for their kind (<c>i*</c>, <c>f*</c>) so that <c>2 * int8</c> stays
/// int8 and <c>1.5f * bf16</c> stays bf16.
/// </summary>
public static class TypePromotion
{
    // Lattice nodes: the dtypes plus the weak kinds.
    private const int IntStar = 100, FloatStar = 101;

    private static readonly Dictionary<int, int[]> Edges = new()
    {
        [(int)DType.Bool] = [IntStar],
        [IntStar] = [(int)DType.UInt8, (int)DType.Int8],
        [(int)DType.UInt8] = [(int)DType.Int16, (int)DType.UInt16],
        [(int)DType.UInt16] = [(int)DType.Int32, (int)DType.UInt32],
        [(int)DType.UInt32] = [(int)DType.Int64, (int)DType.UInt64],
        [(int)DType.UInt64] = [FloatStar],
        [(int)DType.Int8] = [(int)DType.Int16],
        [(int)DType.Int16] = [(int)DType.Int32],
        [(int)DType.Int32] = [(int)DType.Int64],
        [(int)DType.Int64] = [FloatStar],
        [FloatStar] = [(int)DType.BFloat16, (int)DType.Float16],
        [(int)DType.BFloat16] = [(int)DType.Float32],
        [(int)DType.Float16] = [(int)DType.Float32],
        [(int)DType.Float32] = [(int)DType.Float64],
        [(int)DType.Float64] = [],
    };

    private static readonly Dictionary<int, HashSet<int>> UpperBounds = ComputeUpperBounds();

    private static Dictionary<int, HashSet<int>> ComputeUpperBounds()
    {
        var result = new Dictionary<int, HashSet<int>>();
        foreach (var node in Edges.Keys)
        {
            var seen = new HashSet<int> { node };
            var stack = new Stack<int>();
            stack.Push(node);
            while (stack.Count > 0)
                foreach (var next in Edges[stack.Pop()])
                    if (seen.Add(next)) stack.Push(next);
            result[node] = seen;
        }
        return result;
    }

    private static int Node(DType dtype, bool weak) =>
        !weak || dtype == DType.Bool ? (int)dtype : dtype.IsFloat() ? FloatStar : IntStar;

    /// <summary>
    /// The promoted dtype and weakness of operands, as <c>jnp.result_type</c> computes them.
    /// <paramref name="defaultInt"/> and <paramref name="defaultFloat"/> are the canonical defaults (int32/float32,
    /// or int64/float64 with x64 enabled) that a weak result takes.
    /// </summary>
    public static (DType DType, bool Weak) Promote(
        IReadOnlyList<(DType DType, bool Weak)> operands, DType defaultInt = DType.Int32, DType defaultFloat = DType.Float32)
    {
        if (operands.Count == 0) throw new ArgumentException("no operands to promote");
        if (operands.Count == 1) return operands[0];
        bool allWeak = operands.All(o => o.Weak);
        if (!allWeak && operands.All(o => o.DType == operands[0].DType)) return (operands[0].DType, false);

        var nodes = operands.Select(o => allWeak ? (int)o.DType : Node(o.DType, o.Weak)).Distinct().ToList();
        var candidates = new HashSet<int>(UpperBounds[nodes[0]]);
        foreach (var n in nodes.Skip(1)) candidates.IntersectWith(UpperBounds[n]);
        // The least upper bound is the candidate every other candidate is above.
        int lub = candidates.Single(c => candidates.All(o => UpperBounds[c].Contains(o)));

        if (lub == IntStar) return (defaultInt, true);
        if (lub == FloatStar) return (defaultFloat, true);
        var dtype = (DType)lub;
        if (allWeak) return (dtype.IsFloat() ? defaultFloat : dtype.IsInteger() ? defaultInt : dtype, dtype != DType.Bool);
        return (dtype, false);
    }
}
