namespace JaxToolchain.Ir;

/// <summary>
/// How <see cref="FusionPass"/> splits one block into kernels: which operations are duplicated into their consumers
/// (cheap producers), which are grouped into each fusion, which stay alone, and the order to emit them in. The
/// operations of the block are visited in order; each fusible operation starts a group and merges with the groups of
/// its producers when the merged group is a valid kernel (<see cref="IsValid"/>) and the merge creates no cycle
/// between kernels. See <see cref="FusionPass"/> for the rules.
/// </summary>
internal sealed class FusionPartition
{
    /// <summary>What becomes of one operation.</summary>
    private enum Role
    {
        /// <summary>Stays an operation of its own (layout, opaque, control flow, large constants, existing fusions).</summary>
        Alone,

        /// <summary>A member of a loop group, or the epilogue/prologue of a reduction or dot group.</summary>
        Member,

        /// <summary>The reduction a reduction group is built around.</summary>
        ReductionRoot,

        /// <summary>The <c>dot_general</c> a dot group is built around.</summary>
        DotRoot,

        /// <summary>A cheap producer, copied into every group that uses it and otherwise not emitted.</summary>
        Duplicated,
    }

    /// <summary>One group of operations (for <see cref="Role.Alone"/> operations, just the operation).</summary>
    public sealed class Group(int first, FusionKind? kind, int root)
    {
        /// <summary>Indices of the member operations, increasing.</summary>
        public List<int> Members { get; } = [first];

        /// <summary>The kernel's kind; null for an operation that stays alone.</summary>
        public FusionKind? Kind { get; set; } = kind;

        /// <summary>The reduction or <c>dot_general</c> of a reduction or dot group; -1 for a loop group.</summary>
        public int Root { get; set; } = root;
    }

    private readonly Block _block;
    private readonly IReadOnlyList<Operation> _ops;
    private readonly Dictionary<Value, int> _producer = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Value> _returned = new(ReferenceEqualityComparer.Instance);
    private readonly Role[] _roles;
    private readonly bool[] _cheap;
    private readonly SymbolicSize?[] _counts;
    private readonly Dictionary<Value, Value[]> _sources = new(ReferenceEqualityComparer.Instance);
    private readonly Value[][] _inputs;
    private readonly List<int>[] _users;
    private readonly int[] _groupOf;
    private readonly Dictionary<int, Group> _groups = [];

    /// <summary>Partitions <paramref name="block"/>.</summary>
    public FusionPartition(Block block)
    {
        _block = block;
        _ops = block.Operations;
        int n = _ops.Count;
        for (int i = 0; i < n; i++)
            foreach (var r in _ops[i].Results) _producer[r] = i;
        _returned.UnionWith(block.Results);
        _counts = _ops.Select(op => op.Results.Count == 1 ? Count(op.Result) : null).ToArray();
        _roles = new Role[n];
        _cheap = new bool[n];
        for (int i = 0; i < n; i++)
        {
            _roles[i] = Classify(i);
            _cheap[i] = _roles[i] == Role.Duplicated;
        }
        var readByAlone = new HashSet<Value>(Enumerable.Range(0, n).Where(i => _roles[i] == Role.Alone).SelectMany(i => _ops[i].Operands),
            ReferenceEqualityComparer.Instance);
        for (int i = 0; i < n; i++)
            if (_roles[i] == Role.Duplicated && (_returned.Contains(_ops[i].Result) || readByAlone.Contains(_ops[i].Result)))
                _roles[i] = Role.Member;
        _inputs = new Value[n][];
        _users = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < n; i++)
        {
            if (_roles[i] == Role.Duplicated) continue;
            _inputs[i] = Inputs(i);
            foreach (int p in Producers(_inputs[i])) _users[p].Add(i);
        }
        _groupOf = new int[n];
        for (int i = 0; i < n; i++)
        {
            _groupOf[i] = i;
            if (_roles[i] == Role.Duplicated) continue;
            _groups[i] = new Group(i, _roles[i] switch
            {
                Role.Alone => null,
                Role.ReductionRoot => FusionKind.Reduction,
                Role.DotRoot => FusionKind.Dot,
                _ => FusionKind.Loop,
            }, _roles[i] is Role.ReductionRoot or Role.DotRoot ? i : -1);
        }
        for (int i = 0; i < n; i++)
        {
            if (_roles[i] is Role.Alone or Role.Duplicated) continue;
            // The groups of its producers, then of the cheap producers it copies that are also emitted (so the copy and
            // the original can share a kernel).
            var emittedCheap = _ops[i].Operands.Where(o => IsCheap(o) && _roles[_producer[o]] == Role.Member).Select(o => _producer[o]);
            foreach (int p in Producers(_inputs[i]).Concat(emittedCheap))
                if (_groups[Find(p)].Kind is not null) TryMerge(Find(i), Find(p), horizon: i);
        }
        MergeSiblings();
    }

    /// <summary>Loops that read the same value become one multi-output loop (XLA's sibling fusion), when valid.</summary>
    private void MergeSiblings()
    {
        var readers = new Dictionary<Value, List<int>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _ops.Count; i++)
            if (_roles[i] is not (Role.Alone or Role.Duplicated))
                foreach (var v in _inputs[i])
                {
                    if (!readers.TryGetValue(v, out var list)) readers[v] = list = [];
                    list.Add(i);
                }
        foreach (var value in _block.Arguments.Concat(_ops.SelectMany(op => op.Results)))
        {
            if (!readers.TryGetValue(value, out var users)) continue;
            foreach (int u in users.Skip(1))
            {
                int first = Find(users[0]), other = Find(u);
                if (_groups[first].Kind == FusionKind.Loop && _groups[other].Kind == FusionKind.Loop) TryMerge(first, other, horizon: int.MaxValue);
            }
        }
    }

    /// <summary>The index of the operation defining <paramref name="value"/> in the block, or -1 for a block argument.</summary>
    public int ProducerOf(Value value) => _producer.TryGetValue(value, out var i) ? i : -1;

    /// <summary>True when operation <paramref name="index"/> is a cheap producer, which group members recompute.</summary>
    public bool IsCheap(int index) => _cheap[index];

    /// <summary>True when the value of <paramref name="member"/> is returned or read outside the group of <paramref name="members"/> (a result of the kernel).</summary>
    public bool LeavesGroup(IReadOnlySet<int> members, int member) =>
        _returned.Contains(_ops[member].Result) || _users[member].Any(u => !members.Contains(u));

    /// <summary>
    /// The groups in the order to emit them: each after the groups it reads from, and otherwise by the position of its
    /// first operation.
    /// </summary>
    public IReadOnlyList<Group> Order()
    {
        var groups = _groups.Where(g => g.Key == Find(g.Key)).Select(g => g.Value).ToList();
        var pending = groups.ToDictionary(g => g, g => Predecessors(g).Count);
        var successors = groups.ToDictionary(g => g, _ => new List<Group>());
        foreach (var g in groups)
            foreach (var p in Predecessors(g)) successors[p].Add(g);
        var ready = new PriorityQueue<Group, int>();
        foreach (var g in groups)
            if (pending[g] == 0) ready.Enqueue(g, g.Members[0]);
        var order = new List<Group>();
        while (ready.TryDequeue(out var g, out _))
        {
            order.Add(g);
            foreach (var s in successors[g])
                if (--pending[s] == 0) ready.Enqueue(s, s.Members[0]);
        }
        return order.Count == groups.Count ? order : throw new InvalidOperationException("fusion: the kernels of a block depend on each other in a cycle");
    }

    private HashSet<Group> Predecessors(Group g) =>
        g.Members.SelectMany(m => Producers(_inputs[m])).Select(p => _groups[Find(p)])
            .Where(p => p != g).ToHashSet();

    // ---- roles ----

    private static SymbolicSize Count(Value v) => SymbolicSize.ElementCount(v.Type.Shape);

    private static bool IsScalarSized(Value v) => Count(v) == SymbolicSize.Of(1);

    /// <summary>True for a value made by a cheap producer (whether or not it is also emitted), which group members recompute.</summary>
    private bool IsCheap(Value v) => _producer.TryGetValue(v, out var p) && _cheap[p];

    private Role Classify(int index)
    {
        var op = _ops[index];
        if (op.Results.Count != 1 || op.Regions.Count > 0) return Role.Alone;
        var result = op.Result;
        var category = op.Primitive.Category;
        bool cheapOperands = op.Operands.Count > 0 && op.Operands.All(IsCheap);
        switch (category)
        {
            case PrimitiveCategory.Generator:
                return op.Primitive == Prims.Iota || IsScalarSized(result) ? Role.Duplicated : Role.Alone;
            case PrimitiveCategory.Broadcast or PrimitiveCategory.Reshape:
                return IsScalarSized(op.Operands[0]) || cheapOperands ? Role.Duplicated : Role.Member;
            case PrimitiveCategory.Elementwise:
                if (!op.Operands.All(o => o.Type.Shape == result.Type.Shape || (o.Type.Rank == 0 && IsScalarSized(o)))) return Role.Alone;
                return cheapOperands && (IsScalarSized(result) || op.Primitive == Prims.ConvertElementType) ? Role.Duplicated : Role.Member;
            case PrimitiveCategory.Reduction:
                return Role.ReductionRoot;
            case PrimitiveCategory.Contraction:
                return Role.DotRoot;
            default:
                return Role.Alone;
        }
    }

    private Value[] Inputs(int index)
    {
        var op = _ops[index];
        if (_roles[index] == Role.Alone) return op.Operands.Distinct(ReferenceEqualityComparer.Instance).Cast<Value>().ToArray();
        return op.Operands.SelectMany(Sources).Distinct(ReferenceEqualityComparer.Instance).Cast<Value>().ToArray();
    }

    /// <summary>The values a group member reads for <paramref name="value"/>: itself, or for a duplicated producer's result what that producer reads.</summary>
    private Value[] Sources(Value value)
    {
        if (!IsCheap(value)) return [value];
        if (_sources.TryGetValue(value, out var known)) return known;
        var sources = _ops[_producer[value]].Operands.SelectMany(Sources).Distinct(ReferenceEqualityComparer.Instance).Cast<Value>().ToArray();
        _sources[value] = sources;
        return sources;
    }

    private IEnumerable<int> Producers(IEnumerable<Value> values) =>
        values.Where(_producer.ContainsKey).Select(v => _producer[v]).Distinct();

    // ---- groups ----

    private int Find(int index)
    {
        while (_groupOf[index] != index) index = _groupOf[index] = _groupOf[_groupOf[index]];
        return index;
    }

    /// <summary>
    /// Merges groups <paramref name="a"/> and <paramref name="b"/> when the result is a valid kernel and no path leads
    /// from one to the other through a third group. Groups whose first operation comes after
    /// <paramref name="horizon"/> are not searched for such paths: while operation i is being merged with its
    /// producers, every group holding an operation after i is that operation alone, and cannot lead back to i.
    /// </summary>
    private void TryMerge(int a, int b, int horizon)
    {
        if (a == b) return;
        var (ga, gb) = (_groups[a], _groups[b]);
        if (ga.Root >= 0 && gb.Root >= 0) return;
        var members = ga.Members.Concat(gb.Members).Order().ToList();
        int root = Math.Max(ga.Root, gb.Root);
        var kind = ga.Kind == FusionKind.Loop ? gb.Kind!.Value : ga.Kind!.Value;
        if (!IsValid(members, kind, root) || Reaches(ga, gb, horizon) || Reaches(gb, ga, horizon)) return;
        ga.Members.Clear();
        ga.Members.AddRange(members);
        ga.Kind = kind;
        ga.Root = root;
        _groupOf[b] = a;
        _groups.Remove(b);
    }

    /// <summary>True when a path leads from group <paramref name="from"/> to group <paramref name="to"/> through some other group.</summary>
    private bool Reaches(Group from, Group to, int horizon)
    {
        var seen = new HashSet<Group> { from, to };
        var stack = new Stack<Group>(Successors(from).Where(g => g.Members[0] <= horizon && seen.Add(g)));
        while (stack.TryPop(out var g))
            foreach (var next in Successors(g))
            {
                if (next == to) return true;
                if (next.Members[0] <= horizon && seen.Add(next)) stack.Push(next);
            }
        return false;
    }

    private IEnumerable<Group> Successors(Group g) =>
        g.Members.SelectMany(m => _users[m]).Select(u => _groups[Find(u)]).Where(s => s != g);

    /// <summary>
    /// Whether <paramref name="members"/> make one kernel of <paramref name="kind"/>. Loop: every member has the
    /// group's element count or is a scalar. Reduction: members before the root (that it does not feed) have the
    /// root's input count, members after it its output count (or are scalars). Dot: no member feeds the
    /// <c>dot_general</c>, every other member has its output count (or is a scalar). Values used outside the group
    /// are results, so they must have a count the kernel writes: a loop's count, a reduction's input or output
    /// count, a dot's output count.
    /// </summary>
    private bool IsValid(List<int> members, FusionKind kind, int root)
    {
        var set = members.ToHashSet();
        var one = SymbolicSize.Of(1);
        var counts = members.ToDictionary(m => m, m => _counts[m]!);
        SymbolicSize[] writable;
        Func<int, bool> allowed;
        switch (kind)
        {
            case FusionKind.Loop:
                var sizes = counts.Values.Where(c => c != one).Distinct().ToArray();
                if (sizes.Length > 1) return false;
                var loop = sizes.Length == 1 ? sizes[0] : one;
                writable = [loop];
                allowed = m => counts[m] == loop || counts[m] == one;
                break;
            case FusionKind.Reduction:
                var input = Count(_ops[root].Operands[0]);
                var output = counts[root];
                var after = Downstream(root, set);
                writable = [input, output];
                allowed = m => m == root || counts[m] == one || counts[m] == (after.Contains(m) ? output : input);
                break;
            default:
                if (_inputs[root].Any(v => _producer.TryGetValue(v, out var p) && set.Contains(p))) return false;
                writable = [counts[root]];
                allowed = m => counts[m] == counts[root] || counts[m] == one;
                break;
        }
        foreach (int m in members)
        {
            if (!allowed(m)) return false;
            bool usedOutside = _returned.Contains(_ops[m].Result) || _users[m].Any(u => !set.Contains(u));
            if (usedOutside && !writable.Contains(counts[m])) return false;
        }
        return true;
    }

    /// <summary>The members of <paramref name="set"/> that depend on <paramref name="root"/> within the set.</summary>
    private HashSet<int> Downstream(int root, HashSet<int> set)
    {
        var after = new HashSet<int>();
        var stack = new Stack<int>([root]);
        while (stack.TryPop(out int m))
            foreach (int u in _users[m])
                if (set.Contains(u) && after.Add(u)) stack.Push(u);
        return after;
    }

    /// <summary>The block partitioned.</summary>
    public Block Block => _block;
}
