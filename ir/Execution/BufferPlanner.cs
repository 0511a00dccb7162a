namespace JaxToolchain.Ir;

/// <summary>
/// Assigns every intermediate and result of a function's body to a buffer slot (XLA's buffer assignment, tinygrad's
/// memory planner), walking the operations in order with their live ranges (<see cref="Liveness"/>):
/// <list type="number">
/// <item>A result may take the slot of an operand that dies at its operation (in place) when their byte sizes are
/// equal and the operation reads that operand element for element: an elementwise operation on an operand of the
/// result's shape, a reshape, or a <c>loop</c> fusion whose body reads the operand only through elementwise operations
/// and reshapes of the loop's element count (never through a broadcast or a layout change).</item>
/// <item>Otherwise it takes a free slot (a slot whose value died before this operation) of the same byte size, or,
/// for static sizes, the smallest free static slot at least as large (best fit); otherwise a new slot.</item>
/// <item>After the operation, the slots of values it read for the last time, and of its own results that nothing
/// reads, are free again.</item>
/// </list>
/// Parameters live in the caller's buffers and are never written, unless donated: a donated parameter's buffer is a
/// slot that may be taken in place or reused once the parameter is dead. Slots holding the function's results are
/// never reused. Symbolic sizes (<c>400*n</c>) only match equal symbolic sizes.
/// </summary>
public static class BufferPlanner
{
    /// <summary>Plans <paramref name="function"/>; <paramref name="donatedParameters"/> lists the indices of parameters whose buffers it may reuse.</summary>
    public static BufferPlan Plan(Function function, IEnumerable<int>? donatedParameters = null)
    {
        var body = function.Body;
        var liveness = Liveness.Of(body);
        var state = new PlanState(liveness);
        foreach (int p in (donatedParameters ?? []).Distinct().Order())
        {
            if (p < 0 || p >= function.Parameters.Count)
                throw new ArgumentOutOfRangeException(nameof(donatedParameters), $"@{function.Name} has {function.Parameters.Count} parameters; cannot donate parameter {p}");
            var parameter = function.Parameters[p];
            state.Place(parameter, state.NewSlot(SymbolicSize.ByteSize(parameter.Type), p, -1), null);
            if (liveness.LastUseIndex(parameter) < 0) state.Release(parameter);
        }
        for (int i = 0; i < body.Operations.Count; i++)
        {
            var op = body.Operations[i];
            var taken = new HashSet<int>();
            foreach (var result in op.Results)
            {
                var bytes = SymbolicSize.ByteSize(result.Type);
                var donor = op.Operands.Select((o, k) => (o, k)).FirstOrDefault(c =>
                    liveness.LastUseIndex(c.o) == i && state.SlotOf(c.o) is int s && !taken.Contains(s)
                    && state.Slots[s].Bytes == bytes && ReadsElementForElement(op, c.k, result)).o;
                int slot = donor is not null ? state.SlotOf(donor)!.Value : state.FreeSlot(bytes) ?? state.NewSlot(bytes, null, i);
                taken.Add(slot);
                state.Place(result, slot, donor);
            }
            foreach (var value in liveness.DyingAt(i).Concat(liveness.ReleasedAfter(i)).Distinct(ReferenceEqualityComparer.Instance).Cast<Value>())
                if (state.SlotOf(value) is int s && !taken.Contains(s)) state.Release(value);
            foreach (var result in op.Results)
                if (liveness.LastUseIndex(result) == i) state.Release(result);
        }
        return state.Finish(function);
    }

    /// <summary>
    /// True when <paramref name="op"/> computes each element of <paramref name="result"/> from operand
    /// <paramref name="operand"/>'s element at the same position only (so writing the result over the operand is safe).
    /// </summary>
    private static bool ReadsElementForElement(Operation op, int operand, Value result)
    {
        var x = op.Operands[operand];
        switch (op.Primitive.Category)
        {
            case PrimitiveCategory.Elementwise:
                return x.Type.Shape == result.Type.Shape;
            case PrimitiveCategory.Reshape:
                return true;
            case PrimitiveCategory.Fusion when op.Primitive == Prims.Fusion && Prims.Fusion.KindOf(op.Attributes) == FusionKind.Loop:
                var body = op.Regions[0];
                var count = SymbolicSize.ElementCount(x.Type.Shape);
                var reached = new HashSet<Value>(ReferenceEqualityComparer.Instance) { body.Arguments[operand] };
                foreach (var inner in body.Operations)
                {
                    if (!inner.Operands.Any(reached.Contains)) continue;
                    bool pointwise = inner.Primitive.Category is PrimitiveCategory.Elementwise or PrimitiveCategory.Reshape
                                     && inner.Results.All(r => SymbolicSize.ElementCount(r.Type.Shape) == count)
                                     && inner.Operands.Where(reached.Contains).All(o => inner.Primitive.Category == PrimitiveCategory.Reshape || o.Type.Shape == inner.Results[0].Type.Shape);
                    if (!pointwise) return false;
                    reached.UnionWith(inner.Results);
                }
                return SymbolicSize.ElementCount(result.Type.Shape) == count;
            default:
                return false;
        }
    }

    /// <summary>The slots and assignments while the plan is being made.</summary>
    private sealed class PlanState(Liveness liveness)
    {
        public sealed class Slot(SymbolicSize bytes, int? donated, int firstUse)
        {
            public SymbolicSize Bytes { get; } = bytes;
            public int? Donated { get; } = donated;
            public int FirstUse { get; } = firstUse;
            public int LastUse { get; set; } = firstUse;
            public bool HoldsResult { get; set; }
            public bool Free { get; set; }
        }

        private readonly Dictionary<Value, int> _slotOf = new(ReferenceEqualityComparer.Instance);
        private readonly List<BufferAssignment> _assignments = [];

        public List<Slot> Slots { get; } = [];

        public int? SlotOf(Value value) => _slotOf.TryGetValue(value, out var s) ? s : null;

        public int NewSlot(SymbolicSize bytes, int? donated, int firstUse)
        {
            Slots.Add(new Slot(bytes, donated, firstUse));
            return Slots.Count - 1;
        }

        /// <summary>A free slot of exactly <paramref name="bytes"/>, else (static sizes) the smallest free one that is larger.</summary>
        public int? FreeSlot(SymbolicSize bytes)
        {
            int? best = null;
            for (int s = 0; s < Slots.Count; s++)
            {
                var slot = Slots[s];
                if (!slot.Free) continue;
                if (slot.Bytes == bytes) return Claim(s);
                if (bytes.IsStatic && slot.Bytes.IsStatic && slot.Bytes.Value > bytes.Value && (best is null || slot.Bytes.Value < Slots[best.Value].Bytes.Value))
                    best = s;
            }
            return best is int b ? Claim(b) : null;
        }

        private int Claim(int slot)
        {
            Slots[slot].Free = false;
            return slot;
        }

        public void Place(Value value, int slot, Value? inPlaceOf)
        {
            _slotOf[value] = slot;
            _assignments.Add(new BufferAssignment(value, slot, inPlaceOf));
            var s = Slots[slot];
            s.LastUse = Math.Max(s.LastUse, liveness.LastUseIndex(value));
            s.HoldsResult |= liveness.IsReturned(value);
        }

        public void Release(Value value)
        {
            var slot = Slots[_slotOf[value]];
            if (!slot.HoldsResult) slot.Free = true;
        }

        public BufferPlan Finish(Function function) =>
            new(function, liveness,
                Slots.Select((s, i) => new BufferSlot(i, s.Bytes, s.Donated, s.HoldsResult, s.FirstUse, s.LastUse)).ToArray(),
                _assignments);
    }
}
