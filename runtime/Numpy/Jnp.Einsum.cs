using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jnp
{
    /// <summary>
    /// Rejects malformed subscripts before any shape is looked at: labels are ASCII letters, each term has at most one
    /// <c>...</c>, there is at most one <c>-&gt;</c>, and output labels are distinct and appear in the inputs.
    /// </summary>
    private static void CheckSubscripts(string subscripts, string[] inputs, string? output)
    {
        static string? Malformed(string term, bool isOutput)
        {
            var labels = term.Replace("...", "", StringComparison.Ordinal);
            if (term.Length - labels.Length > 3) return $"'{term}' has more than one ellipsis";
            foreach (var c in labels)
                if (!char.IsAsciiLetter(c))
                    return c is '.' ? $"'{term}' has a '.' that is not part of an ellipsis '...'"
                        : c is '-' or '>' ? (isOutput ? "more than one '->'" : $"'{term}' has a '{c}' that is not part of '->'")
                        : $"'{c}' in '{term}' is not a valid label (labels are the letters a-z and A-Z)";
            return null;
        }
        foreach (var term in inputs)
            if (Malformed(term, false) is { } error) throw EinsumError($"invalid subscripts '{subscripts}': {error}");
        if (output is null) return;
        if (Malformed(output, true) is { } outError) throw EinsumError($"invalid subscripts '{subscripts}': {outError}");
        var outLabels = output.Replace("...", "", StringComparison.Ordinal);
        var repeated = outLabels.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw EinsumError($"invalid subscripts '{subscripts}': output label '{repeated.Key}' appears more than once");
        if (output.Contains("...", StringComparison.Ordinal) && !inputs.Any(t => t.Contains("...", StringComparison.Ordinal)))
            throw EinsumError($"invalid subscripts '{subscripts}': the output has an ellipsis but no input does");
    }

    /// <summary>
    /// Einstein summation (<c>"ij,jk->ik"</c>, <c>"bij,bjk->bik"</c>, <c>"ii->i"</c>, <c>"...ij->...ji"</c>, implicit output
    /// <c>"ij,jk"</c>). Operands are contracted pairwise, left to right, with <c>dot_general</c>; labels used by one
    /// operand only are summed first; repeated labels in one operand take its diagonal.
    /// </summary>
    public static Tensor Einsum(string subscripts, params Tensor[] operands)
    {
        ArgumentNullException.ThrowIfNull(subscripts);
        ArgumentNullException.ThrowIfNull(operands);
        for (int i = 0; i < operands.Length; i++)
            if (operands[i] is null) throw new ArgumentNullException(nameof(operands), $"einsum: operand {i} is null");
        var spec = subscripts.Replace(" ", "", StringComparison.Ordinal);
        var arrow = spec.IndexOf("->", StringComparison.Ordinal);
        var inputs = (arrow < 0 ? spec : spec[..arrow]).Split(',');
        CheckSubscripts(subscripts, inputs, arrow < 0 ? null : spec[(arrow + 2)..]);
        if (inputs.Length != operands.Length)
            throw EinsumError($"'{subscripts}' names {inputs.Length} operands, got {operands.Length}");

        // Expand "..." into fresh labels per operand (right-aligned, as broadcasting aligns them), taken from the
        // private-use area so that they cannot clash with the caller's labels.
        int ellipsisRank = 0;
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i].Contains("...", StringComparison.Ordinal))
                ellipsisRank = Math.Max(ellipsisRank, operands[i].Ndim - (inputs[i].Length - 3));
        var fresh = new string([.. Enumerable.Range(0, ellipsisRank).Select(i => (char)(FreshLabel + i))]);
        string Expand(string s, int rank)
        {
            if (!s.Contains("...", StringComparison.Ordinal)) return s;
            int covered = rank - (s.Length - 3);
            if (covered < 0) throw EinsumError($"subscripts '{s}' name more axes than rank {rank}");
            return s.Replace("...", fresh.Substring(ellipsisRank - covered, covered), StringComparison.Ordinal);
        }
        var labels = inputs.Select((s, i) => Expand(s, operands[i].Ndim)).ToList();
        string output;
        if (arrow >= 0) output = Expand(spec[(arrow + 2)..], ellipsisRank + spec[(arrow + 2)..].Replace("...", "", StringComparison.Ordinal).Length);
        else
        {
            var counts = labels.SelectMany(l => l).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
            output = fresh + new string(counts.Where(kv => kv.Value == 1 && kv.Key < FreshLabel).Select(kv => kv.Key).Order().ToArray());
        }
        for (int i = 0; i < labels.Count; i++)
            if (labels[i].Length != operands[i].Ndim)
                throw EinsumError($"operand {i} has rank {operands[i].Ndim} but subscripts '{inputs[i]}'");

        var (dtype, weak) = Promoted(operands);
        var terms = operands.Select((x, i) => (X: Cast(x, dtype, weak), L: labels[i])).ToList();
        for (int i = 0; i < terms.Count; i++) terms[i] = TakeDiagonals(terms[i].X, terms[i].L);
        BroadcastEllipsisDimensions(terms, fresh);

        // Sum labels that appear in one operand only and not in the output.
        for (int i = 0; i < terms.Count; i++)
        {
            var (x, l) = terms[i];
            var others = string.Concat(terms.Where((_, j) => j != i).Select(t => t.L)) + output;
            var lonely = Enumerable.Range(0, l.Length).Where(d => !others.Contains(l[d])).ToArray();
            if (lonely.Length > 0)
                terms[i] = (Lax.ReduceSum(x, lonely), new string(l.Where((_, d) => !lonely.Contains(d)).ToArray()));
        }

        var (acc, accL) = terms[0];
        for (int i = 1; i < terms.Count; i++)
        {
            var (y, yL) = terms[i];
            var later = string.Concat(terms.Skip(i + 1).Select(t => t.L)) + output;
            var shared = accL.Where(yL.Contains).ToArray();
            var batch = shared.Where(later.Contains).ToArray();
            var contract = shared.Where(c => !later.Contains(c)).ToArray();
            foreach (var c in shared)
                if (acc.Shape[accL.IndexOf(c)] != y.Shape[yL.IndexOf(c)])
                    throw EinsumError($"label '{Show(c)}' has size {acc.Shape[accL.IndexOf(c)]} in one operand and {y.Shape[yL.IndexOf(c)]} in another");
            acc = Lax.DotGeneral(acc, y,
                (contract.Select(c => accL.IndexOf(c)).ToArray(), contract.Select(c => yL.IndexOf(c)).ToArray()),
                (batch.Select(c => accL.IndexOf(c)).ToArray(), batch.Select(c => yL.IndexOf(c)).ToArray()));
            accL = new string(batch) + new string(accL.Where(c => !shared.Contains(c)).ToArray()) + new string(yL.Where(c => !shared.Contains(c)).ToArray());
        }
        foreach (var c in output)
            if (!accL.Contains(c)) throw EinsumError($"output label '{c}' does not appear in the inputs");
        return Transpose(acc, output.Select(c => accL.IndexOf(c)).ToArray());
    }

    /// <summary>The first label that stands for a dimension under "..." (U+E000, the private-use area).</summary>
    private const char FreshLabel = '\uE000';

    private static string Show(char label) => label >= FreshLabel ? "..." : label.ToString();

    /// <summary>Broadcasts size-1 dimensions under "..." against the other operands' (NumPy's broadcasting of ellipsis dimensions).</summary>
    private static void BroadcastEllipsisDimensions(List<(Tensor X, string L)> terms, string fresh)
    {
        foreach (var c in fresh)
        {
            var sizes = terms.Where(t => t.L.Contains(c)).Select(t => t.X.Shape[t.L.IndexOf(c)]).ToList();
            var target = sizes.FirstOrDefault(d => !(d.IsStatic && d.Size == 1), Dim.Of(1));
            for (int i = 0; i < terms.Count; i++)
            {
                var (x, l) = terms[i];
                int d = l.IndexOf(c);
                if (d < 0 || x.Shape[d] == target) continue;
                if (!(x.Shape[d].IsStatic && x.Shape[d].Size == 1))
                    throw EinsumError($"dimensions under '...' do not broadcast: {string.Join(", ", terms.Select(t => t.X.Aval.ToLongString()))}");
                terms[i] = (Lax.BroadcastInDim(x, x.Shape.With(d, target), [.. Enumerable.Range(0, x.Ndim)]), l);
            }
        }
    }

    private static JaxTypeException EinsumError(string message) => new("einsum", message + Dispatch.At(SourceLocation.FindCaller()));

    /// <summary>For a label repeated within one operand, keeps only its diagonal.</summary>
    private static (Tensor X, string L) TakeDiagonals(Tensor x, string labels)
    {
        while (true)
        {
            int p = -1, q = -1;
            for (int i = 0; i < labels.Length && p < 0; i++)
                for (int j = i + 1; j < labels.Length; j++)
                    if (labels[i] == labels[j]) { (p, q) = (i, j); break; }
            if (p < 0) return (x, labels);
            if (x.Shape[p] != x.Shape[q]) throw EinsumError($"repeated label '{labels[p]}' has sizes {x.Shape[p]} and {x.Shape[q]}");
            int n = (int)x.Shape[p].Size;
            // Select (not multiply) so that infinities and NaNs off the diagonal do not leak into it.
            var mask = Lax.BroadcastInDim(Eye(n, dtype: DType.Bool), x.Shape, [p, q]);
            x = Lax.ReduceSum(Lax.Select(mask, x, ZerosLike(x)), [q]);
            labels = labels.Remove(q, 1);
        }
    }
}
