using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// Where every value of a kernel lives, decided before any code is emitted (the frame's buffer count must be known
/// first): a buffer plan (<see cref="BufferPlanner"/>) of the function's body and of every region that control flow
/// runs (branches, loop bodies, called functions; not fusion bodies, whose values stay in registers), and the extra
/// buffers loops need for their carries. Slots of the body holding a result of exactly their size live in that result's
/// buffer, donated parameters' slots in the parameter's; every other slot, and every carry, is a scratch buffer of the
/// frame (after the results), in <see cref="Scratch"/> order.
/// </summary>
internal sealed class KernelStorage
{
    private readonly Dictionary<Block, BufferPlan> _plans = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(Block, int), int> _scratchOfSlot = [];
    private readonly Dictionary<Operation, int[]> _carries = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Operation, int> _workspaces = new(ReferenceEqualityComparer.Instance);
    private readonly List<SymbolicSize> _scratch = [];

    public KernelStorage(Function function, IEnumerable<int>? donatedParameters)
    {
        Top = BufferPlanner.Plan(function, donatedParameters);
        _plans[function.Body] = Top;
        var results = function.Body.Results;
        var outputs = new Dictionary<int, int>();
        for (int r = 0; r < results.Count; r++)
            if (Top[results[r]] is { } assignment && !outputs.ContainsKey(assignment.Slot)
                && Top.Slots[assignment.Slot].Bytes == SymbolicSize.ByteSize(results[r].Type))
                outputs[assignment.Slot] = r;
        SlotOutputs = outputs;
        foreach (var slot in Top.Slots)
            if (slot.DonatedParameter is null && !outputs.ContainsKey(slot.Index)) AddSlot(function.Body, slot);
        AddWorkspaces(function.Body);
        PlanRegions(function.Body);
    }

    /// <summary>The plan of the function's body.</summary>
    public BufferPlan Top { get; }

    /// <summary>Body slots that live in a result's buffer: slot → result index.</summary>
    public IReadOnlyDictionary<int, int> SlotOutputs { get; }

    /// <summary>The scratch buffers' byte sizes, in frame order.</summary>
    public IReadOnlyList<SymbolicSize> Scratch => _scratch;

    /// <summary>The plan of a planned block.</summary>
    public BufferPlan PlanOf(Block block) =>
        _plans.TryGetValue(block, out var plan) ? plan : throw new InvalidOperationException("a block without a buffer plan");

    /// <summary>The scratch buffer holding slot <paramref name="slot"/> of <paramref name="block"/>'s plan.</summary>
    public int ScratchIndex(Block block, int slot) =>
        _scratchOfSlot.TryGetValue((block, slot), out int index) ? index : throw new InvalidOperationException($"slot {slot} has no scratch buffer");

    /// <summary>
    /// The scratch buffers of a loop's carries, in carry order: the carry itself, then a second buffer per carry for a
    /// body that permutes its carries (see <see cref="ControlFlowLowering.CarryTypes"/>).
    /// </summary>
    public int[] CarriesOf(Operation loop) =>
        _carries.TryGetValue(loop, out var carries) ? carries : throw new InvalidOperationException($"'{loop.Primitive.Name}' has no carry buffers");

    /// <summary>The scratch buffer an operation's lowering works in (packed GEMM panels), if it asked for one.</summary>
    public int? WorkspaceOf(Operation op) => _workspaces.TryGetValue(op, out int index) ? index : null;

    private void AddWorkspaces(Block block)
    {
        foreach (var op in block.Operations)
            if (DotLowering.WorkspaceBytes(op) is { } bytes)
            {
                _workspaces[op] = _scratch.Count;
                _scratch.Add(bytes);
            }
    }

    private void AddSlot(Block block, BufferSlot slot)
    {
        _scratchOfSlot[(block, slot.Index)] = _scratch.Count;
        _scratch.Add(slot.Bytes);
    }

    private void PlanRegions(Block block)
    {
        foreach (var op in block.Operations)
        {
            if (!ControlFlowLowering.Handles(op)) continue;
            foreach (var region in ControlFlowLowering.RegionsRun(op))
            {
                var plan = BufferPlanner.Plan(new Function("region", region));
                _plans[region] = plan;
                foreach (var slot in plan.Slots) AddSlot(region, slot);
                AddWorkspaces(region);
                PlanRegions(region);
            }
            // Every loop gets its (possibly empty) carry list: lax.map is a scan with no carry.
            var carried = ControlFlowLowering.CarryTypes(op);
            var indices = new int[carried.Count];
            for (int c = 0; c < carried.Count; c++)
            {
                indices[c] = _scratch.Count;
                _scratch.Add(SymbolicSize.ByteSize(carried[c]));
            }
            _carries[op] = indices;
        }
    }
}
