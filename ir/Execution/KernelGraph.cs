using System.Globalization;
using System.Text;

namespace JaxToolchain.Ir;

/// <summary>
/// Renders a planned function as a Graphviz DOT graph: a node per parameter (ellipse), per top-level operation (a box;
/// a <c>fusion</c> lists its kind and the primitives inside it, control flow the kernels in its regions) and for the
/// return; an edge per value read, labelled with the value, its type and, for values with a slot, the slot and its
/// size (<c>%3 f32[n,100]\nslot 1: 400*n B</c>).
/// </summary>
public static class KernelGraph
{
    /// <summary>How many primitive names a kernel node lists per line.</summary>
    private const int NamesPerLine = 4;

    /// <summary>The DOT text of <paramref name="plan"/>'s function.</summary>
    public static string Render(BufferPlan plan)
    {
        var function = plan.Function;
        var names = IrPrinter.ValueNames(function);
        var node = new Dictionary<Value, string>(ReferenceEqualityComparer.Instance);
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(Quote(function.Name)).Append(" {\n");
        sb.Append("  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n  edge [fontname=\"monospace\", fontsize=10];\n");
        for (int i = 0; i < function.Parameters.Count; i++)
        {
            var p = function.Parameters[i];
            string id = "p" + i.ToString(CultureInfo.InvariantCulture);
            node[p] = id;
            var donated = plan[p] is { } a ? "\ndonated, slot " + a.Slot.ToString(CultureInfo.InvariantCulture) : "";
            sb.Append("  ").Append(id).Append(" [shape=ellipse, label=").Append(Quote($"{names[p]}: {p.Type}{donated}")).Append("];\n");
        }
        var ops = function.Body.Operations;
        for (int i = 0; i < ops.Count; i++)
        {
            string id = "k" + i.ToString(CultureInfo.InvariantCulture);
            foreach (var r in ops[i].Results) node[r] = id;
            sb.Append("  ").Append(id).Append(" [label=").Append(Quote(Label(ops[i]))).Append("];\n");
        }
        sb.Append("  ret [shape=ellipse, label=\"return\"];\n");
        string EdgeLabel(Value v)
        {
            var label = $"{names[v]} {v.Type}";
            return plan[v] is { } a ? label + "\n" + $"slot {a.Slot.ToString(CultureInfo.InvariantCulture)}: {plan.Slots[a.Slot].Bytes} B" : label;
        }
        void Edge(Value from, string to) =>
            sb.Append("  ").Append(node[from]).Append(" -> ").Append(to).Append(" [label=").Append(Quote(EdgeLabel(from))).Append("];\n");
        for (int i = 0; i < ops.Count; i++)
            foreach (var v in ops[i].Operands.Distinct(ReferenceEqualityComparer.Instance).Cast<Value>())
                Edge(v, "k" + i.ToString(CultureInfo.InvariantCulture));
        foreach (var v in function.Body.Results.Distinct(ReferenceEqualityComparer.Instance).Cast<Value>())
            Edge(v, "ret");
        return sb.Append("}\n").ToString();
    }

    /// <summary>A node's label: the primitive; for a fusion its name, kind and the primitives inside; for control flow the kernels inside.</summary>
    private static string Label(Operation op)
    {
        if (op.Primitive == Prims.Fusion)
        {
            var inside = op.Regions[0].Operations.Select(o => o.Primitive.Name).ToArray();
            var lines = inside.Chunk(NamesPerLine).Select(chunk => string.Join(", ", chunk));
            return $"{op.Attributes.String("name")} ({op.Attributes.String("kind")})\n" + string.Join("\n", lines);
        }
        var kernels = op.Regions.SelectMany(Kernels).ToArray();
        return kernels.Length == 0 ? op.Primitive.Name : op.Primitive.Name + "\n" + string.Join(", ", kernels);
    }

    private static IEnumerable<string> Kernels(Block block) =>
        block.Operations.SelectMany(o => o.Primitive == Prims.Fusion ? [o.Attributes.String("name")] : o.Regions.SelectMany(Kernels));

    /// <summary>A DOT string literal; newlines become DOT's <c>\n</c>.</summary>
    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
