namespace JaxToolchain.Ir;

/// <summary>
/// When each value of a block is live, over the block's operation list: the index of the operation defining it
/// (-1 for the block's arguments) and of the last operation reading it (<see cref="EndIndex"/> for returned values;
/// its definition for a value nothing reads). Regions are closed, so only the block's own operations read its values.
/// The buffer planner reuses the memory of values whose life is over; an interpreter can free each intermediate after
/// <see cref="ReleasedAfter"/> says its last use ran.
/// </summary>
public sealed class Liveness
{
    private readonly Dictionary<Value, int> _definition = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Value, int> _lastUse = new(ReferenceEqualityComparer.Instance);
    private readonly List<Value>[] _dying;
    private readonly List<Value>[] _released;

    private Liveness(Block block)
    {
        Block = block;
        var ops = block.Operations;
        foreach (var a in block.Arguments) Define(a, -1);
        for (int i = 0; i < ops.Count; i++)
        {
            foreach (var o in ops[i].Operands) _lastUse[o] = i;
            foreach (var r in ops[i].Results) Define(r, i);
        }
        foreach (var r in block.Results) _lastUse[r] = EndIndex;
        _dying = Enumerable.Range(0, ops.Count).Select(_ => new List<Value>()).ToArray();
        _released = Enumerable.Range(0, ops.Count).Select(_ => new List<Value>()).ToArray();
        // The definitions map lists values in order of definition (nothing is ever removed from it).
        foreach (var (value, definition) in _definition)
        {
            int last = _lastUse[value];
            if (last == EndIndex || last < 0) continue;
            if (last != definition) _dying[last].Add(value);
            if (definition >= 0) _released[last].Add(value);
        }
    }

    private void Define(Value value, int index)
    {
        _definition[value] = index;
        _lastUse[value] = index;
    }

    /// <summary>The live ranges of <paramref name="block"/>'s values.</summary>
    public static Liveness Of(Block block) => new(block);

    /// <summary>The block analysed.</summary>
    public Block Block { get; }

    /// <summary>The position of the block's return: one past its last operation.</summary>
    public int EndIndex => Block.Operations.Count;

    /// <summary>The values of the block: its arguments, then the operations' results, in order.</summary>
    public IEnumerable<Value> Values => _definition.Keys;

    /// <summary>The index of the operation defining <paramref name="value"/>, or -1 for a block argument.</summary>
    public int DefinitionIndex(Value value) =>
        _definition.TryGetValue(value, out var i) ? i : throw new ArgumentException($"{value} is not a value of this block");

    /// <summary>
    /// The index of the last operation reading <paramref name="value"/>: <see cref="EndIndex"/> when the block returns
    /// it, its definition index when nothing reads it.
    /// </summary>
    public int LastUseIndex(Value value) =>
        _lastUse.TryGetValue(value, out var i) ? i : throw new ArgumentException($"{value} is not a value of this block");

    /// <summary>True when the block returns <paramref name="value"/>.</summary>
    public bool IsReturned(Value value) => LastUseIndex(value) == EndIndex;

    /// <summary>True when <paramref name="value"/> is still needed after operation <paramref name="index"/> ran.</summary>
    public bool IsLiveAfter(Value value, int index) => LastUseIndex(value) > index;

    /// <summary>
    /// The values operation <paramref name="index"/> reads for the last time (arguments included; returned values
    /// never), in order of definition.
    /// </summary>
    public IReadOnlyList<Value> DyingAt(int index) => _dying[index];

    /// <summary>
    /// The intermediates whose memory can be freed once operation <paramref name="index"/> ran: operation results (not
    /// arguments, not returned values) whose last use it is, including its own results that nothing reads.
    /// </summary>
    public IReadOnlyList<Value> ReleasedAfter(int index) => _released[index];
}
