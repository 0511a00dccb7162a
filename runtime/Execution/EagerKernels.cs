using System.Collections.Concurrent;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// Compiled kernels for eager, op-by-op execution: when a compiler other than the interpreter is registered for the CPU
/// (the opt-in runtime JIT), an elementwise, reduction or contraction (<c>dot_general</c>) primitive on large arrays runs as a compiled one-operation
/// kernel instead of the interpreter's loop. Kernels have symbolic dimensions (each distinct size other than 1 is a
/// symbol, equal sizes share one), so one kernel serves every size of the same rank pattern; they are cached by
/// primitive, attributes, dtypes and that pattern. A splat operand (a broadcast scalar) is passed as its one element and
/// broadcast inside the kernel, where it fuses. A primitive the compiler does not lower stays on the interpreter (cached
/// too, so it is asked once). Without a registered compiler (NativeAOT apps, or no <c>Jax.Runtime.Jit</c>) nothing
/// changes: the interpreter runs every eager op.
/// </summary>
internal static class EagerKernels
{
    /// <summary>Arrays below this many result elements stay on the interpreter (a kernel call costs more than the loop).</summary>
    public const long MinElements = 1 << 12;

    private readonly record struct Key(Primitive Primitive, Attributes Attributes, string Signature);

    private static readonly ConcurrentDictionary<Key, Lazy<IExecutable?>> Cache = new();

    /// <summary>Compiled kernels made so far (for tests).</summary>
    public static int CompiledCount => Cache.Values.Count(l => l.IsValueCreated && l.Value is not null);

    /// <summary>Runs <paramref name="primitive"/> as a compiled kernel when one applies; false leaves it to the interpreter.</summary>
    public static bool TryRun(Primitive primitive, Buffer[] operands, Attributes attributes, IReadOnlyList<Block> regions,
        IReadOnlyList<ShapedType> resultTypes, out Buffer[] results)
    {
        results = [];
        if (regions.Count != 0 || primitive.Category is not (PrimitiveCategory.Elementwise or PrimitiveCategory.Reduction or PrimitiveCategory.Contraction)) return false;
        if (!operands.Any(b => !b.IsSplat && b.LongLength >= MinElements) && !resultTypes.Any(t => t.Shape.IsStatic && t.Shape.ElementCount >= MinElements)) return false;
        if (!operands.Any(b => !b.IsSplat && b.LongLength > 1)) return false;
        var compiler = KernelRegistry.CompilerFor(DeviceDescriptor.Cpu);
        if (ReferenceEquals(compiler, InterpreterCompiler.Instance)) return false;

        var symbols = new Dictionary<long, string>();
        var signature = new System.Text.StringBuilder();
        var parameters = new ShapedType[operands.Length];
        var shapes = new Shape[operands.Length];
        for (int i = 0; i < operands.Length; i++)
        {
            var b = operands[i];
            var shape = new Shape(b.Shape.Select(d => d.Size == 1 ? Dim.Of(1) : Dim.Sym(symbols.TryGetValue(d.Size, out var s) ? s : symbols[d.Size] = $"d{symbols.Count}")));
            shapes[i] = shape;
            parameters[i] = new ShapedType(b.DType, b.IsSplat ? Shape.Scalar : shape);
            signature.Append(b.DType.ShortName()).Append(b.IsSplat ? "splat" : "").Append(shape).Append(';');
        }
        var key = new Key(primitive, attributes, signature.ToString());
        var executable = Cache.GetOrAdd(key, k => new Lazy<IExecutable?>(() => Compile(compiler, k, primitive, attributes, parameters, shapes, operands))).Value;
        if (executable is null) return false;

        // The kernel reads views of the operands (or a splat's one element); they are released as soon as it returns, so
        // an operand the caller drops is freed at once, as with the interpreter's kernels.
        var views = new Buffer[operands.Length];
        var arguments = new DeviceArray[operands.Length];
        try
        {
            for (int i = 0; i < operands.Length; i++)
            {
                views[i] = operands[i].IsSplat ? Buffer.Splat(operands[i], Shape.Scalar) : operands[i].Share();
                arguments[i] = new HostArray(views[i], DeviceDescriptor.Cpu);
            }
            var outputs = executable.Execute(arguments);
            results = new Buffer[outputs.Length];
            for (int i = 0; i < outputs.Length; i++) results[i] = outputs[i].ReadHost();
            return true;
        }
        finally
        {
            foreach (var view in views) view?.Dispose();
        }
    }

    private static IExecutable? Compile(ICompiler compiler, Key key, Primitive primitive, Attributes attributes, ShapedType[] parameters, Shape[] shapes, Buffer[] operands)
    {
        var block = new Block(parameters);
        var emitter = new Emitter(block);
        var values = new Value[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
            values[i] = operands[i].IsSplat
                ? emitter.Emit1(Prims.BroadcastInDim, [block.Arguments[i]], Attributes.Of(("shape", shapes[i]), ("broadcast_dimensions", Array.Empty<long>())))
                : block.Arguments[i];
        try
        {
            block.SetResults(emitter.Emit(primitive, values, attributes));
            var function = new Function($"eager_{primitive.Name}", block);
            return compiler.Compile(function, new CompileOptions(DeviceDescriptor.Cpu, $"eager.{primitive.Name}.{key.Signature}"));
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
