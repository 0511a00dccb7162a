using System.Globalization;

namespace JaxToolchain.Ir;

/// <summary>
/// Groups a function's operations into kernels, <c>fusion</c> operations (<see cref="FusionPrimitive"/>), the input
/// of the LLVM and SPIR-V backends (IREE's dispatch-region formation, XLA's instruction fusion). Works on the function
/// body and, recursively, inside the regions of control flow; an existing <c>fusion</c> is kept as it is.
/// <list type="bullet">
/// <item><b>loop</b>: chains of elementwise operations, <c>broadcast_in_dim</c>, <c>reshape</c>/<c>squeeze</c>/<c>expand_dims</c>,
/// conversions, <c>select</c>/<c>clamp</c> whose results all have one element count (scalars may join any loop); loops
/// that read the same value are merged into one multi-output loop (sibling fusion).</item>
/// <item><b>reduction</b>: one reduction (<c>reduce_*</c>, <c>argmax</c>, <c>argmin</c>) with the elementwise producers of its
/// input (of the input's element count) and the elementwise operations on its result (of the result's count).</item>
/// <item><b>dot</b>: one <c>dot_general</c> with the elementwise operations on its result (bias add, activation); its
/// operands are never computed inside.</item>
/// </list>
/// Cheap producers (scalar constants, <c>iota</c>, broadcasts, reshapes and conversions of scalars or of cheap values,
/// scalar arithmetic on cheap values) are copied into every kernel that reads them instead of being materialized; they
/// are also emitted where an operation outside any kernel or the return reads them. Everything else stays an operation
/// of its own, which a backend runs as its own kernel or a library call: layout operations that move data
/// (<c>transpose</c>, <c>slice</c>, <c>pad</c>, <c>concatenate</c>, <c>rev</c>, dynamic slices), opaque ones (<c>gather</c>,
/// <c>scatter</c>, <c>sort</c>, cumulative ops), control flow, constants of more than one element. A group made only of
/// constants and reshapes is left unfused (a reshape is a view).
/// <para>
/// A value computed in a kernel and used after it is one of the kernel's results (multi-output). Grouping never
/// creates a cycle between kernels (a value leaving a group and coming back through an operation outside it): such
/// merges are refused. Kernels are named <c>fusion_0</c>, <c>fusion_1</c>, ... in the order they are emitted (after the
/// largest such name the input already has). When a kernel's body uses a symbolic dimension that none of its inputs'
/// types has (a broadcast of a scalar to <c>f32[n]</c>), an argument of the enclosing block whose type has it is passed
/// as an extra input, unused, so the interpreter can bind the symbol. Symbolic dimensions are compared symbolically
/// (<see cref="SymbolicSize"/>). The output verifies and computes the same numbers as the input.
/// </para>
/// </summary>
public sealed class FusionPass : IPass
{
    /// <inheritdoc/>
    public string Name => "fusion";

    /// <inheritdoc/>
    public string Summary => "groups elementwise, reduction and dot_general operations into fusion kernels";

    /// <inheritdoc/>
    public Function Run(Function function)
    {
        var builder = new Builder(FirstFreeNumber(function.Body));
        var body = builder.FuseBlock(function.Body);
        return builder.Fused ? new Function(function.Name, body) : function;
    }

    private const string NamePrefix = "fusion_";

    private static int FirstFreeNumber(Block block)
    {
        int next = 0;
        foreach (var op in block.Operations)
        {
            if (op.Primitive == Prims.Fusion && op.Attributes.TryGetValue("name", out var name) && name is string s && s.StartsWith(NamePrefix, StringComparison.Ordinal)
                && int.TryParse(s.AsSpan(NamePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int k))
                next = Math.Max(next, k + 1);
            foreach (var region in op.Regions) next = Math.Max(next, FirstFreeNumber(region));
        }
        return next;
    }

    /// <summary>Builds the fused copy of the input, block by block (the input is left as it is).</summary>
    private sealed class Builder(int firstNumber)
    {
        private readonly Dictionary<Value, Value> _map = new(ReferenceEqualityComparer.Instance);
        private int _next = firstNumber;

        /// <summary>True once a fusion was created.</summary>
        public bool Fused { get; private set; }

        private Value Lookup(Value value) => _map.TryGetValue(value, out var v) ? v : value;

        public Block FuseBlock(Block source)
        {
            var arguments = source.Arguments.Select(a => new Value(a.Type) { NameHint = a.NameHint }).ToArray();
            for (int i = 0; i < arguments.Length; i++) _map[source.Arguments[i]] = arguments[i];
            var target = new Block(arguments);
            var partition = new FusionPartition(source);
            foreach (var group in partition.Order())
            {
                if (group.Kind is { } kind && IsKernel(partition, group)) EmitFusion(partition, group, kind, target);
                else
                    foreach (int m in group.Members) EmitCopy(source.Operations[m], target);
            }
            target.SetResults(source.Results.Select(Lookup));
            return target;
        }

        /// <summary>
        /// A group is a kernel unless it is only constants and reshapes of values emitted elsewhere (which stay plain
        /// operations: a reshape is a view).
        /// </summary>
        private static bool IsKernel(FusionPartition partition, FusionPartition.Group group)
        {
            var members = group.Members.ToHashSet();
            return group.Members.Any(m =>
            {
                var op = partition.Block.Operations[m];
                bool plain = op.Primitive == Prims.Constant || op.Primitive.Category == PrimitiveCategory.Reshape;
                return !plain || op.Operands.Any(o => partition.ProducerOf(o) is int p && p >= 0 && partition.IsCheap(p) && !members.Contains(p));
            });
        }

        private void EmitCopy(Operation op, Block target)
        {
            var copy = new Operation(op.Primitive, op.Operands.Select(Lookup).ToArray(), op.Results.Select(r => r.Type).ToArray(),
                op.Attributes, op.Regions.Select(r => op.Primitive == Prims.Fusion ? new FunctionCloner().CloneBlock(r) : FuseBlock(r)).ToArray());
            target.Append(copy);
            for (int i = 0; i < op.Results.Count; i++) _map[op.Results[i]] = copy.Results[i];
        }

        /// <summary>
        /// Emits a group as a <c>fusion</c>: its body copies the members in order, with a copy of each cheap producer they
        /// read placed before its first use; every other value read becomes an input; the members' values used after
        /// the group are its results.
        /// </summary>
        private void EmitFusion(FusionPartition partition, FusionPartition.Group group, FusionKind kind, Block target)
        {
            var source = partition.Block;
            var body = new Block(Array.Empty<ShapedType>());
            var inputs = new List<Value>();
            var local = new Dictionary<Value, Value>(ReferenceEqualityComparer.Instance);

            Value Local(Value value)
            {
                if (local.TryGetValue(value, out var v)) return v;
                int p = partition.ProducerOf(value);
                if (p >= 0 && partition.IsCheap(p))
                {
                    Append(source.Operations[p]);
                    return local[value];
                }
                inputs.Add(value);
                return local[value] = body.AddArgument(value.Type);
            }

            void Append(Operation op)
            {
                var copy = new Operation(op.Primitive, op.Operands.Select(Local).ToArray(), op.Results.Select(r => r.Type).ToArray(), op.Attributes);
                body.Append(copy);
                for (int i = 0; i < op.Results.Count; i++) local[op.Results[i]] = copy.Results[i];
            }

            foreach (int m in group.Members) Append(source.Operations[m]);
            var members = group.Members.ToHashSet();
            var outputs = group.Members.Where(m => partition.LeavesGroup(members, m)).Select(m => source.Operations[m].Result).ToArray();
            body.SetResults(outputs.Select(o => local[o]));
            foreach (var symbol in UnboundSymbols(body))
                if (source.Arguments.FirstOrDefault(a => a.Type.Shape.Symbols.Contains(symbol)) is { } binder && !inputs.Contains(binder))
                {
                    inputs.Add(binder);
                    body.AddArgument(binder.Type);
                }
            var name = NamePrefix + (_next++).ToString(CultureInfo.InvariantCulture);
            var fusion = new Operation(Prims.Fusion, inputs.Select(Lookup).ToArray(), outputs.Select(o => o.Type).ToArray(),
                FusionPrimitive.AttributesOf(kind, name), [body]);
            target.Append(fusion);
            for (int i = 0; i < outputs.Length; i++) _map[outputs[i]] = fusion.Results[i];
            Fused = true;
        }

        /// <summary>Symbols that shape attributes in <paramref name="body"/> use but no argument type has.</summary>
        private static IEnumerable<string> UnboundSymbols(Block body)
        {
            var bound = body.Arguments.SelectMany(a => a.Type.Shape.Symbols).ToHashSet(StringComparer.Ordinal);
            return body.Operations.SelectMany(op => op.Attributes.Values.OfType<Shape>()).SelectMany(s => s.Symbols)
                .Where(s => !bound.Contains(s)).Distinct(StringComparer.Ordinal).ToArray();
        }
    }
}
