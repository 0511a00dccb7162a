using System.Globalization;
using System.Text;

namespace JaxToolchain.Ir;

/// <summary>
/// A traced function as the backends will compile it: simplified, fused into kernels (<see cref="FusionPass"/>) and
/// given a buffer plan (<see cref="BufferPlanner"/>), with two renderings for people: <see cref="Text"/>, the fused IR
/// with each value's slot in a comment, and <see cref="Dot"/>, a Graphviz graph of the kernels. What the runtime's
/// <c>Jax.Jit(f).Lower(args)</c> shows.
/// </summary>
public sealed class LoweredFunction
{
    private LoweredFunction(Function traced, Function fused, BufferPlan plan)
    {
        Traced = traced;
        Fused = fused;
        Plan = plan;
        Text = RenderText();
        Dot = KernelGraph.Render(plan);
    }

    /// <summary>
    /// Lowers <paramref name="traced"/> (left as it is): simplify (canonicalize, CSE, DCE), fusion, then a buffer plan
    /// in which the parameters at <paramref name="donatedParameters"/> may be reused.
    /// </summary>
    public static LoweredFunction Create(Function traced, IEnumerable<int>? donatedParameters = null)
    {
        var fused = new PassManager(new FusionPass()).Run(Pipelines.Simplify(traced));
        return new LoweredFunction(traced, fused, BufferPlanner.Plan(fused, donatedParameters));
    }

    /// <summary>The function as traced.</summary>
    public Function Traced { get; }

    /// <summary>The simplified and fused function.</summary>
    public Function Fused { get; }

    /// <summary>The buffer plan of <see cref="Fused"/>.</summary>
    public BufferPlan Plan { get; }

    /// <summary>
    /// The fused IR, headed by the slots (<c>// slot 0: 400*n B</c>) and, for a static function, the peak bytes; each
    /// top-level operation ends with a comment giving its results' slots
    /// (<c>%4 = fusion ... : f32[n]  // slot 2: 400*n B (in place of %3)</c>). Comments aside, it parses back to
    /// <see cref="Fused"/>.
    /// </summary>
    public string Text { get; }

    /// <summary>The kernels as a Graphviz DOT graph (see <see cref="KernelGraph"/>).</summary>
    public string Dot { get; }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private string RenderText()
    {
        var top = Fused.Body.Operations.ToHashSet();
        var names = IrPrinter.ValueNames(Fused);
        string NameOf(Value v) => names.TryGetValue(v, out var n) ? n : "%?";
        var sb = new StringBuilder();
        sb.Append("// buffer plan: ").Append(Plan.Slots.Count.ToString(CultureInfo.InvariantCulture))
            .Append(Plan.Slots.Count == 1 ? " slot, " : " slots, ").Append(Plan.TotalBytes).Append(" B allocated");
        if (Plan.TotalBytes.IsStatic) sb.Append(", peak ").Append(Plan.PeakBytes().ToString(CultureInfo.InvariantCulture)).Append(" B");
        sb.Append('\n');
        foreach (var slot in Plan.Slots) sb.Append("// ").Append(Plan.Describe(slot, NameOf)).Append('\n');
        sb.Append(IrPrinter.Print(Fused, (op, nameOf) => top.Contains(op) && op.Results.Count > 0
            ? string.Join("; ", op.Results.Select(r => Annotation(r, op.Results.Count > 1, nameOf)))
            : null));
        return sb.ToString();
    }

    private string Annotation(Value result, bool named, Func<Value, string> nameOf)
    {
        var a = Plan[result]!;
        var text = (named ? nameOf(result) + ": " : "") + $"slot {a.Slot.ToString(CultureInfo.InvariantCulture)}: {SymbolicSize.ByteSize(result.Type)} B";
        return a.InPlaceOf is { } v ? text + $" (in place of {nameOf(v)})" : text;
    }
}
