namespace JaxToolchain.Ir.Tests.Fusion;

/// <summary>
/// Runs a function the way a backend runs its buffer plan: every value lives only in its slot's bytes (donated
/// parameters are copied into theirs first), each operation reads its operands from the slots and writes its results
/// into theirs. A plan that reuses a slot while its value is still needed gives different numbers.
/// </summary>
internal static class SlotSimulator
{
    public static Buffer[] Run(BufferPlan plan, Buffer[] arguments, IReadOnlyDictionary<string, long> symbols)
    {
        var function = plan.Function;
        var slots = plan.Slots.Select(s => new byte[s.Bytes.Evaluate(symbols)]).ToArray();
        var parameters = function.Parameters.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);

        Shape Concrete(Shape shape) => new(shape.Select(d => !d.IsStatic && symbols.TryGetValue(d.Symbol!, out var size) ? Dim.Of(size) : d));

        Buffer Read(Value value)
        {
            if (plan[value] is not { } assignment) return arguments[parameters[value]];
            var buffer = Buffer.Zeros(value.Type.DType, Concrete(value.Type.Shape));
            slots[assignment.Slot].AsSpan(0, buffer.Bytes.Length).CopyTo(buffer.Bytes);
            return buffer;
        }

        void Write(Value value, Buffer buffer) => buffer.Bytes.CopyTo(slots[plan[value]!.Slot]);

        foreach (var a in plan.Assignments.Where(a => parameters.ContainsKey(a.Value))) Write(a.Value, arguments[parameters[a.Value]]);
        foreach (var op in function.Body.Operations)
        {
            var attributes = op.Attributes;
            foreach (var (name, value) in op.Attributes)
                if (value is Shape shape) attributes = attributes.With(name, Concrete(shape));
            var outputs = op.Primitive.Evaluate(op.Operands.Select(Read).ToArray(), attributes, op.Regions, Interpreter.Default);
            for (int r = 0; r < outputs.Length; r++) Write(op.Results[r], outputs[r]);
        }
        return function.Body.Results.Select(Read).ToArray();
    }
}
