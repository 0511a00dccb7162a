namespace JaxToolchain.Ir;

/// <summary>
/// The reference interpreter: runs any IR function on the CPU in managed code, one primitive at a time, with
/// each primitive's own kernel. It defines the semantics every backend is tested against.
/// </summary>
public sealed class Interpreter
{
    /// <summary>A shared instance (the interpreter holds no state between runs).</summary>
    public static Interpreter Default { get; } = new();

    /// <summary>Runs a function on arguments whose types match its parameters (symbolic dims bind to sizes).</summary>
    public static Buffer[] Run(Function function, params Buffer[] arguments) =>
        Default.RunBlock(function.Body, arguments, new Dictionary<string, long>(), function.Name);

    /// <summary>Runs a region block (used by control-flow kernels), binding symbols of its argument types.</summary>
    public Buffer[] RunRegion(Block block, IReadOnlyList<Buffer> arguments) =>
        RunBlock(block, arguments, new Dictionary<string, long>(), "region");

    private Buffer[] RunBlock(Block block, IReadOnlyList<Buffer> arguments, Dictionary<string, long> symbols, string what)
    {
        NestingDepthException.EnsureStack("the interpreter");
        if (arguments.Count != block.Arguments.Count)
            throw new ArgumentException($"@{what} takes {block.Arguments.Count} arguments, got {arguments.Count}");
        var env = new Dictionary<Value, Buffer>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < arguments.Count; i++)
        {
            var param = block.Arguments[i].Type;
            var arg = arguments[i];
            BindSymbols(param, arg, symbols, what, i);
            env[block.Arguments[i]] = arg;
        }
        foreach (var op in block.Operations)
        {
            var inputs = new Buffer[op.Operands.Count];
            for (int i = 0; i < inputs.Length; i++)
                inputs[i] = env.TryGetValue(op.Operands[i], out var b)
                    ? b
                    : throw new InvalidOperationException($"'{op.Primitive.Name}' uses a value that is not defined before it");
            var attributes = symbols.Count == 0 ? op.Attributes : ResolveSymbols(op.Attributes, symbols);
            var outputs = op.Primitive.Evaluate(inputs, attributes, op.Regions, this);
            if (outputs.Length != op.Results.Count)
                throw new InvalidOperationException($"'{op.Primitive.Name}' kernel returned {outputs.Length} results, expected {op.Results.Count}");
            for (int i = 0; i < outputs.Length; i++) env[op.Results[i]] = outputs[i];
        }
        return block.Results.Select(r => env.TryGetValue(r, out var b)
            ? b
            : throw new InvalidOperationException($"@{what} returns a value that is not defined")).ToArray();
    }

    private static void BindSymbols(ShapedType param, Buffer arg, Dictionary<string, long> symbols, string what, int index)
    {
        if (param.DType != arg.DType || param.Rank != arg.Shape.Rank)
            throw new JaxTypeException(what, $"argument {index} should be {param.ToLongString()}, got {arg.Type.ToLongString()}");
        for (int d = 0; d < param.Rank; d++)
        {
            var dim = param.Shape[d];
            long size = arg.Shape[d].Size;
            if (dim.IsStatic)
            {
                if (dim.Size != size)
                    throw new JaxTypeException(what, $"argument {index} should be {param.ToLongString()}, got {arg.Type.ToLongString()}");
            }
            else if (symbols.TryGetValue(dim.Symbol!, out var bound))
            {
                if (bound != size)
                    throw new JaxTypeException(what, $"argument {index} binds {dim.Symbol}={size}, but {dim.Symbol}={bound} already");
            }
            else
            {
                symbols[dim.Symbol!] = size;
            }
        }
    }

    private static Attributes ResolveSymbols(Attributes attributes, Dictionary<string, long> symbols)
    {
        var result = attributes;
        foreach (var (name, value) in attributes)
            if (value is Shape s && !s.IsStatic)
                result = result.With(name, new Shape(s.Select(d => d.IsStatic ? d : Dim.Of(symbols.TryGetValue(d.Symbol!, out var n)
                    ? n
                    : throw new InvalidOperationException($"symbol '{d.Symbol}' is not bound by any argument")))));
        return result;
    }
}
