using System.Globalization;
using System.Text;

namespace JaxToolchain.Ir;

/// <summary>
/// One buffer of a <see cref="BufferPlan"/>: the memory several values of a function occupy one after another.
/// </summary>
/// <param name="Index">The slot's number.</param>
/// <param name="Bytes">Its size in bytes (symbolic when the function's dims are; <see cref="SymbolicSize.Evaluate"/> gives the number).</param>
/// <param name="DonatedParameter">The index of the donated parameter whose buffer this is, or null for memory the plan allocates.</param>
/// <param name="HoldsResult">True when a function result ends in it (it is handed to the caller, never reused).</param>
/// <param name="FirstUse">The index of the operation that first writes it (-1 for a donated parameter's buffer).</param>
/// <param name="LastUse">The index of the last operation that reads it (the function's end for a result).</param>
public sealed record BufferSlot(int Index, SymbolicSize Bytes, int? DonatedParameter, bool HoldsResult, int FirstUse, int LastUse);

/// <summary>Where one value lives.</summary>
/// <param name="Value">The value: an operation result of the function body, or a donated parameter.</param>
/// <param name="Slot">The index of its slot.</param>
/// <param name="InPlaceOf">The operand whose slot the value takes over at the operation defining it (the operand dies there), or null.</param>
public sealed record BufferAssignment(Value Value, int Slot, Value? InPlaceOf);

/// <summary>
/// The memory plan of a function (<see cref="BufferPlanner"/>): a slot for every intermediate and result of the body's
/// operations and for donated parameters; values whose lives do not overlap share slots, some in place of an operand.
/// Parameters that are not donated live in the caller's buffers and have no slot. The plan is data: the runtime
/// allocates the slots and the backends write each value into its slot.
/// </summary>
public sealed class BufferPlan
{
    private readonly Dictionary<Value, BufferAssignment> _byValue = new(ReferenceEqualityComparer.Instance);

    internal BufferPlan(Function function, Liveness liveness, IReadOnlyList<BufferSlot> slots, IReadOnlyList<BufferAssignment> assignments)
    {
        Function = function;
        Liveness = liveness;
        Slots = slots;
        Assignments = assignments;
        foreach (var a in assignments) _byValue[a.Value] = a;
    }

    /// <summary>The function planned.</summary>
    public Function Function { get; }

    /// <summary>The live ranges the plan was made from.</summary>
    public Liveness Liveness { get; }

    /// <summary>The slots, by index.</summary>
    public IReadOnlyList<BufferSlot> Slots { get; }

    /// <summary>Every value with a slot: donated parameters, then operation results in order.</summary>
    public IReadOnlyList<BufferAssignment> Assignments { get; }

    /// <summary>Where <paramref name="value"/> lives, or null for a parameter that is not donated.</summary>
    public BufferAssignment? this[Value value] => _byValue.GetValueOrDefault(value);

    /// <summary>The bytes of the slots the plan allocates (all but the donated parameters' buffers).</summary>
    public SymbolicSize TotalBytes => Slots.Where(s => s.DonatedParameter is null).Aggregate(SymbolicSize.Zero, (sum, s) => sum + s.Bytes);

    /// <summary>
    /// The most bytes of allocated slots alive at once, for symbol values <paramref name="bindings"/> (none needed for
    /// a static function), when each slot lives from its first write to its last read.
    /// </summary>
    public long PeakBytes(IReadOnlyDictionary<string, long>? bindings = null)
    {
        bindings ??= new Dictionary<string, long>();
        var allocated = Slots.Where(s => s.DonatedParameter is null).Select(s => (s.FirstUse, s.LastUse, Bytes: s.Bytes.Evaluate(bindings))).ToArray();
        long peak = 0;
        for (int i = 0; i < Liveness.EndIndex; i++)
            peak = Math.Max(peak, allocated.Where(s => s.FirstUse <= i && i <= s.LastUse).Sum(s => s.Bytes));
        return peak;
    }

    /// <summary>How a slot reads in text: <c>slot 2: 400*n B</c>, with <c>(donated %0)</c> or <c>(result)</c>.</summary>
    public string Describe(BufferSlot slot, Func<Value, string> nameOf) =>
        $"slot {slot.Index.ToString(CultureInfo.InvariantCulture)}: {slot.Bytes} B"
        + (slot.DonatedParameter is int p ? $" (donated {nameOf(Function.Parameters[p])})" : "")
        + (slot.HoldsResult ? " (result)" : "");

    /// <summary>
    /// The plan as text, values named as the printer names them:
    /// <code>
    /// buffer plan @f: 2 slots, 800*n B
    ///   slot 0: 400*n B
    ///   slot 1: 400*n B (result)
    ///   %1 -> slot 0
    ///   %2 -> slot 1
    ///   %3 -> slot 1 (in place of %2)
    /// </code>
    /// </summary>
    public override string ToString()
    {
        var names = IrPrinter.ValueNames(Function);
        string NameOf(Value v) => names.TryGetValue(v, out var n) ? n : "%?";
        var sb = new StringBuilder();
        sb.Append("buffer plan @").Append(IrPrinter.FunctionName(Function.Name)).Append(": ")
            .Append(Slots.Count.ToString(CultureInfo.InvariantCulture)).Append(Slots.Count == 1 ? " slot, " : " slots, ")
            .Append(TotalBytes).Append(" B\n");
        foreach (var slot in Slots) sb.Append("  ").Append(Describe(slot, NameOf)).Append('\n');
        foreach (var a in Assignments)
        {
            sb.Append("  ").Append(NameOf(a.Value)).Append(" -> slot ").Append(a.Slot.ToString(CultureInfo.InvariantCulture));
            if (a.InPlaceOf is { } v) sb.Append(" (in place of ").Append(NameOf(v)).Append(')');
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
