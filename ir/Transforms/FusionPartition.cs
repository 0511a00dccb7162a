namespace JaxToolchain.Ir;

/// <summary>
/// How <see cref="FusionPass"/> splits one block into kernels: which operations are duplicated into their consumers
/// (cheap producers), which are grouped into each fusion, which stay alone, and the order to emit them in. The
/// operations of the block are visited in order; each fusible operation starts a group and merges with the groups of
/// its producers when the merged group is a valid kernel (<see cref="IsValid"/>) and the merge creates no cycle
/// between kernels. See <see cref="FusionPass"/> for the rules.
/// <para>
/// Partitioning takes time about linear in the size of the block: each group keeps what a merge needs to know
/// (its element counts, its members read outside it, the members downstream of its reduction), so checking and
/// making a merge costs about the size of those summaries and of the smaller group, not of the larger one (a chain
/// of thousands of elementwise operations would otherwise cost time quadratic in its length).
/// </para>
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
        /// <summary>Indices of the member operations; increasing once <see cref="Order"/> has returned.</summary>
        public List<int> Members { get; } = [first];

        /// <summary>The smallest member index.</summary>
        public int First { get; set; } = first;

        /// <summary>The distinct element counts of the members' results.</summary>
        internal HashSet<SymbolicSize> Counts { get; set; } = [];

        /// <summary>The members whose result is returned or read by an operation outside the group (the kernel's results).</summary>
        internal HashSet<int> Exposed { get; set; } = [];

        /// <summary>For a reduction group, the members that depend on its reduction within the group; otherwise null.</summary>
        internal HashSet<int>? Downstream { get; set; }

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
            }, _roles[i] is Role.ReductionRoot or Role.DotRoot ? i : -1)
            {
                Counts = _counts[i] is { } count ? [count] : [],
                Exposed = _returned.Contains(_ops[i].Results.FirstOrDefault()!) || _users[i].Count > 0 ? [i] : [],
                Downstream = _roles[i] == Role.ReductionRoot ? [] : null,
            };
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
        foreach (var g in groups) g.Members.Sort();
        var pending = groups.ToDictionary(g => g, g => Predecessors(g).Count);
        var successors = groups.ToDictionary(g => g, _ => new List<Group>());
        foreach (var g in groups)
            foreach (var p in Predecessors(g)) successors[p].Add(g);
        var ready = new PriorityQueue<Group, int>();
        foreach (var g in groups)
            if (pending[g] == 0) ready.Enqueue(g, g.First);
        var order = new List<Group>();
        while (ready.TryDequeue(out var g, out _))
        {
            order.Add(g);
            foreach (var s in successors[g])
                if (--pending[s] == 0) ready.Enqueue(s, s.First);
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
    /// The merged group keeps the larger group's member list (the smaller one is appended to it).
    /// </summary>
    private void TryMerge(int a, int b, int horizon)
    {
        if (a == b) return;
        var (ga, gb) = (_groups[a], _groups[b]);
        if (ga.Root >= 0 && gb.Root >= 0) return;
        int root = Math.Max(ga.Root, gb.Root);
        var kind = ga.Kind == FusionKind.Loop ? gb.Kind!.Value : ga.Kind!.Value;
        bool Inside(int op)
        {
            int g = Find(op);
            return g == a || g == b;
        }
        var exposed = new HashSet<int>(ga.Exposed.Concat(gb.Exposed).Where(m => _returned.Contains(_ops[m].Result) || ReadOutside(m, Inside)));
        if (!IsValid(ga, gb, kind, root, exposed, Inside, out var newlyDownstream) || Reaches(ga, gb, horizon) || Reaches(gb, ga, horizon)) return;
        var (keep, drop, keepKey, dropKey) = ga.Members.Count >= gb.Members.Count ? (ga, gb, a, b) : (gb, ga, b, a);
        keep.Members.AddRange(drop.Members);
        keep.First = Math.Min(keep.First, drop.First);
        keep.Counts.UnionWith(drop.Counts);
        keep.Exposed = exposed;
        keep.Downstream = ga.Downstream ?? gb.Downstream;
        keep.Downstream?.UnionWith(newlyDownstream);
        keep.Kind = kind;
        keep.Root = root;
        _groupOf[dropKey] = keepKey;
        _groups.Remove(dropKey);
    }

    /// <summary>
    /// True when an operation outside the merged group (<paramref name="inside"/> false) reads <paramref name="member"/>.
    /// Readers are searched from the last: operations are merged in order, so the later readers are the ones still outside.
    /// </summary>
    private bool ReadOutside(int member, Func<int, bool> inside)
    {
        var users = _users[member];
        for (int k = users.Count - 1; k >= 0; k--)
            if (!inside(users[k])) return true;
        return false;
    }

    /// <summary>True when a path leads from group <paramref name="from"/> to group <paramref name="to"/> through some other group.</summary>
    private bool Reaches(Group from, Group to, int horizon)
    {
        var seen = new HashSet<Group> { from, to };
        var stack = new Stack<Group>(Successors(from).Where(g => g.First <= horizon && seen.Add(g)));
        while (stack.TryPop(out var g))
            foreach (var next in Successors(g))
            {
                if (next == to) return true;
                if (next.First <= horizon && seen.Add(next)) stack.Push(next);
            }
        return false;
    }

    /// <summary>The groups that read a value of <paramref name="g"/> (only its exposed members are read outside it).</summary>
    private IEnumerable<Group> Successors(Group g) =>
        g.Exposed.SelectMany(m => _users[m]).Select(u => _groups[Find(u)]).Where(s => s != g);

    /// <summary>
    /// Whether groups <paramref name="ga"/> and <paramref name="gb"/> (each valid) make one kernel of
    /// <paramref name="kind"/>. Loop: every member has the group's element count or is a scalar. Reduction: members
    /// before the root (that it does not feed) have the root's input count, members after it its output count (or
    /// are scalars). Dot: no member feeds the <c>dot_general</c>, every other member has its output count (or is a
    /// scalar). Values used outside the group (<paramref name="exposed"/>) are results, so they must have a count the
    /// kernel writes: a loop's count, a reduction's input or output count, a dot's output count. For a reduction,
    /// <paramref name="newlyDownstream"/> receives the members the merge puts after the root.
    /// </summary>
    private bool IsValid(Group ga, Group gb, FusionKind kind, int root, HashSet<int> exposed, Func<int, bool> inside, out HashSet<int> newlyDownstream)
    {
        newlyDownstream = [];
        var one = SymbolicSize.Of(1);
        var counts = ga.Counts.Union(gb.Counts).ToArray();
        SymbolicSize[] writable;
        switch (kind)
        {
            case FusionKind.Loop:
                var sizes = counts.Where(c => c != one).ToArray();
                if (sizes.Length > 1) return false;
                writable = [sizes.Length == 1 ? sizes[0] : one];
                break;
            case FusionKind.Reduction:
                var input = Count(_ops[root].Operands[0]);
                var output = _counts[root]!;
                var (rooted, other) = ga.Root >= 0 ? (ga, gb) : (gb, ga);
                newlyDownstream = NewlyDownstream(rooted, root, inside);
                // Members keep their side of the root unless the merge puts them after it: only those and the other
                // group's members are checked (all of them when some of the other group's members come after the root).
                var after = newlyDownstream;
                bool Allowed(int m) => _counts[m] == one || _counts[m] == (after.Contains(m) ? output : input);
                if (!after.All(Allowed)) return false;
                if (other.Members.Any(after.Contains) ? !other.Members.All(Allowed) : !other.Counts.All(c => c == one || c == input)) return false;
                writable = [input, output];
                break;
            default:
                if (_inputs[root].Any(v => _producer.TryGetValue(v, out var p) && inside(p))) return false;
                var dotCount = _counts[root]!;
                if (!counts.All(c => c == dotCount || c == one)) return false;
                writable = [dotCount];
                break;
        }
        foreach (int m in exposed)
            if (!writable.Contains(_counts[m]!)) return false;
        return true;
    }

    /// <summary>
    /// The members of the merged group that come to depend on the reduction <paramref name="root"/> of
    /// <paramref name="rooted"/> through the merge: reached from the root or its downstream members by a path that
    /// enters the other group. Such a path leaves <paramref name="rooted"/> through one of its exposed members.
    /// </summary>
    private HashSet<int> NewlyDownstream(Group rooted, int root, Func<int, bool> inside)
    {
        var known = rooted.Downstream!;
        var newly = new HashSet<int>();
        var stack = new Stack<int>();
        void Visit(int m)
        {
            foreach (int u in _users[m])
                if (u != root && !known.Contains(u) && inside(u) && newly.Add(u)) stack.Push(u);
        }
        foreach (int m in rooted.Exposed)
            if (m == root || known.Contains(m)) Visit(m);
        while (stack.TryPop(out int m)) Visit(m);
        return newly;
    }

    /// <summary>The block partitioned.</summary>
    public Block Block => _block;
}
