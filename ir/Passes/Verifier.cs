using System.Globalization;

namespace JaxToolchain.Ir;

/// <summary>
/// Checks the invariants of IR: every value is defined once and before its uses in the same block; regions are
/// closed (they use only their own arguments and values defined inside them); each operation's result count
/// and types are those its primitive's <see cref="Primitive.InferTypes"/> gives for its operand types; returned
/// values are defined. Violations throw <see cref="IrVerificationException"/>; values are named as the printer
/// numbers them (<c>%5</c>).
/// </summary>
public static class Verifier
{
    /// <summary>Verifies every function of a module and that function names are unique.</summary>
    public static void Verify(Module module)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var function in module.Functions)
        {
            if (!seen.Add(function.Name))
                throw new IrVerificationException(function.Name, "", null, null, "the module defines this function twice");
            Verify(function);
        }
    }

    /// <summary>Verifies one function.</summary>
    public static void Verify(Function function) => new Checker(function).Run();

    private readonly record struct Definition(int Number, Block Block, int OpIndex);

    private sealed class Checker(Function function)
    {
        private readonly Dictionary<Value, Definition> _definitions = new(ReferenceEqualityComparer.Instance);
        private readonly List<Block> _enclosing = [];
        private readonly List<string> _path = [];

        public void Run()
        {
            CollectDefinitions(function.Body);
            Check(function.Body);
        }

        private IrVerificationException Fail(string problem, int? opIndex = null, string? primitive = null) =>
            new(function.Name, string.Join(", ", _path), opIndex, primitive, problem);

        private static string OpLabel(int index, Operation op) => $"op {index.ToString(CultureInfo.InvariantCulture)} ({op.Primitive.Name})";

        /// <summary>Numbers definitions in the printer's order, rejecting a value defined twice.</summary>
        private void CollectDefinitions(Block block)
        {
            NestingDepthException.EnsureStack("the verifier");
            foreach (var argument in block.Arguments)
                Define(argument, block, -1, null);
            for (int i = 0; i < block.Operations.Count; i++)
            {
                var op = block.Operations[i];
                foreach (var result in op.Results)
                    Define(result, block, i, op);
                for (int r = 0; r < op.Regions.Count; r++)
                {
                    _path.Add(OpLabel(i, op));
                    _path.Add($"region {r}");
                    CollectDefinitions(op.Regions[r]);
                    _path.RemoveRange(_path.Count - 2, 2);
                }
            }
        }

        private void Define(Value value, Block block, int opIndex, Operation? op)
        {
            if (_definitions.TryGetValue(value, out var first))
            {
                if (op is not null) _path.Add(OpLabel(opIndex, op));
                var where = first.OpIndex < 0 ? "as an argument" : $"by op {first.OpIndex} ({first.Block.Operations[first.OpIndex].Primitive.Name})";
                throw Fail($"value %{first.Number} ({value.Type}) is defined twice (first {where})", op is null ? null : opIndex, op?.Primitive.Name);
            }
            _definitions[value] = new Definition(_definitions.Count, block, opIndex);
        }

        private string Describe(Value value) =>
            _definitions.TryGetValue(value, out var d) ? $"%{d.Number}: {value.Type}" : $"a value of type {value.Type}";

        /// <summary>Why <paramref name="value"/> is not visible at this point of <paramref name="block"/>.</summary>
        private string WhyNotVisible(Value value, Block block, int opIndex)
        {
            if (!_definitions.TryGetValue(value, out var d))
                return $"{Describe(value)} that is not defined anywhere in the function";
            if (d.Block == block)
                return $"{Describe(value)} before its definition by op {d.OpIndex} ({block.Operations[d.OpIndex].Primitive.Name})";
            if (_enclosing.Contains(d.Block))
                return $"{Describe(value)}, defined outside this region (regions are closed: pass it in as an operand)";
            return $"{Describe(value)}, which is not in scope here (it is defined inside another region)";
        }

        private void Check(Block block)
        {
            NestingDepthException.EnsureStack("the verifier");
            var visible = new HashSet<Value>(block.Arguments, ReferenceEqualityComparer.Instance);
            for (int i = 0; i < block.Operations.Count; i++)
            {
                var op = block.Operations[i];
                _path.Add(OpLabel(i, op));
                for (int j = 0; j < op.Operands.Count; j++)
                    if (!visible.Contains(op.Operands[j]))
                        throw Fail($"operand {j} uses {WhyNotVisible(op.Operands[j], block, i)}", i, op.Primitive.Name);
                _enclosing.Add(block);
                for (int r = 0; r < op.Regions.Count; r++)
                {
                    _path.Add($"region {r}");
                    Check(op.Regions[r]);
                    _path.RemoveAt(_path.Count - 1);
                }
                _enclosing.RemoveAt(_enclosing.Count - 1);
                CheckTypes(op, i);
                _path.RemoveAt(_path.Count - 1);
                visible.UnionWith(op.Results);
            }
            _path.Add("return");
            for (int j = 0; j < block.Results.Count; j++)
                if (!visible.Contains(block.Results[j]))
                    throw Fail($"result {j} is {WhyNotVisible(block.Results[j], block, block.Operations.Count)}");
            _path.RemoveAt(_path.Count - 1);
        }

        private void CheckTypes(Operation op, int index)
        {
            var operandTypes = op.Operands.Select(o => o.Type).ToArray();
            IReadOnlyList<ShapedType> inferred;
            try
            {
                inferred = op.Primitive.InferTypes(operandTypes, op.Attributes, op.Regions);
            }
            catch (Exception e) when (e is ArgumentException or (InvalidOperationException and not NestingDepthException) or KeyNotFoundException
                                          or FormatException or OverflowException or IndexOutOfRangeException)
            {
                throw Fail($"the type rule rejects operands ({string.Join(", ", operandTypes.Select(t => t.ToString()))}): {e.Message}", index, op.Primitive.Name);
            }
            if (inferred.Count != op.Results.Count)
                throw Fail($"has {op.Results.Count} results, but the type rule gives {inferred.Count} ({string.Join(", ", inferred)})", index, op.Primitive.Name);
            for (int k = 0; k < inferred.Count; k++)
                if (op.Results[k].Type != inferred[k])
                    throw Fail($"result {k} has type {op.Results[k].Type}, but the type rule gives {inferred[k]}", index, op.Primitive.Name);
        }
    }
}
