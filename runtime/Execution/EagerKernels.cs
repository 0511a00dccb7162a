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
/// <para>
/// On a Vulkan device (<see cref="TryRunOnDevice"/>): an eager op with an operand on a Vulkan device runs there as a
/// compiled one-operation program (the same symbolic-dim kernels, cached per device), its results Vulkan arrays,
/// nothing read back, once the SPIR-V code generator is installed (<c>JaxJit.Enable()</c>); without it the op reads its
/// operands back and runs on the host, as before.
/// </para>
/// </summary>
internal static class EagerKernels
{
    /// <summary>Arrays below this many result elements stay on the interpreter (a kernel call costs more than the loop).</summary>
    public const long MinElements = 1 << 12;

    private readonly record struct Key(Primitive Primitive, Attributes Attributes, string Signature, DeviceDescriptor Device);

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

        var (parameters, shapes, signature) = Signature(operands.Select(b => (b.DType, b.Shape, b.IsSplat)).ToArray());
        var key = new Key(primitive, attributes, signature, DeviceDescriptor.Cpu);
        var executable = Cache.GetOrAdd(key, k => new Lazy<IExecutable?>(() => Compile(compiler, k, primitive, attributes, parameters, shapes, operands.Select(b => b.IsSplat).ToArray()))).Value;
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

    /// <summary>
    /// Runs <paramref name="primitive"/> on the Vulkan device holding one of its operands, as a compiled one-operation
    /// program, when the SPIR-V code generator is installed; false leaves it to the host path (which reads the operands
    /// back). Results are arrays on that device (futures: nothing waits).
    /// </summary>
    public static bool TryRunOnDevice(Primitive primitive, IReadOnlyList<Tensor> operands, Attributes attributes, IReadOnlyList<Block> regions,
        IReadOnlyList<ShapedType> resultTypes, out Tensor[] results)
    {
        results = [];
        if (regions.Count != 0 || resultTypes.Count == 0 || Vulkan.VulkanCompiler.ProgramCompiler is null) return false;
        // The Vulkan device holding an operand; arrays on two Vulkan devices leave the op to the host path.
        DeviceDescriptor? found = null;
        foreach (var t in operands)
            if (t.DeviceArray.Device is { Platform: "vulkan" } d)
            {
                if (found is not null && d != found) return false;
                found = d;
            }
        if (found is not { } device) return false;
        var arrays = operands.Select(t => t.DeviceArray).ToArray();
        // A host splat (a broadcast scalar) is passed as its one element and broadcast inside the program.
        bool[] splat = [.. arrays.Select(a => a is HostArray && a.IsReady && a.ReadHost().IsSplat && a.Type.Shape.ElementCount > 1)];
        // Elementwise, reduction and contraction kernels serve every size (symbolic dims); the others (layout ops whose
        // attributes name sizes, random bits, ...) are compiled for the operands' static shapes.
        bool symbolic = primitive.Category is PrimitiveCategory.Elementwise or PrimitiveCategory.Reduction or PrimitiveCategory.Contraction;
        var (parameters, shapes, signature) = Signature([.. arrays.Select((a, i) => (a.Type.DType, a.Type.Shape, splat[i]))], symbolic);
        var key = new Key(primitive, attributes, signature, device);
        var compiler = KernelRegistry.CompilerFor(device);
        var executable = Cache.GetOrAdd(key, k => new Lazy<IExecutable?>(() => Compile(compiler, k, primitive, attributes, parameters, shapes, splat))).Value;
        if (executable is null) return false;
        // Host arrays go to the device (a splat as its one element).
        var arguments = arrays.Select((a, i) =>
            a.Device == device ? a : Placement.Wrap(splat[i] ? Buffer.Splat(a.ReadHost(), Shape.Scalar) : a.ReadHost().Share(), device)).ToArray();
        var outputs = executable.Execute(arguments);
        // The uploads made here are dropped at once (the batch reading them holds its own reference).
        for (int i = 0; i < arguments.Length; i++)
            if (!ReferenceEquals(arguments[i], arrays[i]) && arguments[i] is Vulkan.VulkanArray upload) upload.Forget();
        results = [.. outputs.Select((a, i) => new Tensor(a, resultTypes[i].Weak))];
        return true;
    }

    /// <summary>
    /// The parameter types of a one-operation kernel (a splat as a scalar), the operands' shapes with every size other
    /// than 1 a symbol (equal sizes share one) or, unless <paramref name="symbolic"/>, as they are, and the cache
    /// signature of that pattern.
    /// </summary>
    private static (ShapedType[] Parameters, Shape[] Shapes, string Signature) Signature(IReadOnlyList<(DType DType, Shape Shape, bool Splat)> operands, bool symbolic = true)
    {
        var symbols = new Dictionary<long, string>();
        var signature = new System.Text.StringBuilder();
        var parameters = new ShapedType[operands.Count];
        var shapes = new Shape[operands.Count];
        for (int i = 0; i < operands.Count; i++)
        {
            var (dtype, operandShape, isSplat) = operands[i];
            var shape = !symbolic ? operandShape
                : new Shape(operandShape.Select(d => d.Size == 1 ? Dim.Of(1) : Dim.Sym(symbols.TryGetValue(d.Size, out var s) ? s : symbols[d.Size] = $"d{symbols.Count}")));
            shapes[i] = shape;
            parameters[i] = new ShapedType(dtype, isSplat ? Shape.Scalar : shape);
            signature.Append(dtype.ShortName()).Append(isSplat ? "splat" : "").Append(shape).Append(';');
        }
        return (parameters, shapes, signature.ToString());
    }

    private static IExecutable? Compile(ICompiler compiler, Key key, Primitive primitive, Attributes attributes, ShapedType[] parameters, Shape[] shapes, bool[] splat)
    {
        var block = new Block(parameters);
        var emitter = new Emitter(block);
        var values = new Value[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
            values[i] = splat[i]
                ? emitter.Emit1(Prims.BroadcastInDim, [block.Arguments[i]], Attributes.Of(("shape", shapes[i]), ("broadcast_dimensions", Array.Empty<long>())))
                : block.Arguments[i];
        try
        {
            block.SetResults(emitter.Emit(primitive, values, attributes));
            var function = new Function($"eager_{primitive.Name}", block);
            return compiler.Compile(function, new CompileOptions(key.Device, $"eager.{primitive.Name}.{key.Signature}"));
        }
        catch (Exception e) when (e is NotSupportedException or JaxTypeException)
        {
            // No lowering, or a primitive whose attributes do not fit symbolic sizes: the op stays on the other path.
            return null;
        }
    }
}
