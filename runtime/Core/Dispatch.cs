using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// Binds primitives to tensors (JAX's <c>Primitive.bind</c>): eagerly, by the primitive's interpreter kernel (or a
/// compiled kernel, see <see cref="EagerKernels"/>), when no trace is active; otherwise by recording an operation into the current trace (concrete operands
/// become constants, tracers of enclosing traces are captured). Shape and dtype errors are re-raised with the
/// user's source location.
/// </summary>
internal static class Dispatch
{
    /// <summary>" (at File.cs(3,5))" or "".</summary>
    public static string At(string? location) => location is null ? "" : $" (at {location})";

    /// <summary>Binds a primitive and returns its results.</summary>
    public static Tensor[] Bind(Primitive primitive, IReadOnlyList<Tensor> operands, Attributes? attributes = null, IReadOnlyList<Block>? regions = null)
    {
        attributes ??= Attributes.Empty;
        regions ??= [];
        try
        {
            var trace = Trace.Current;
            return trace is null
                ? BindEager(primitive, operands, attributes, regions)
                : BindTraced(trace, primitive, operands, attributes, regions);
        }
        catch (JaxTypeException e) when (!e.Message.Contains(" (at ", StringComparison.Ordinal))
        {
            throw new JaxTypeException(e.Operation, e.Message + OperandTypes(e.Message, operands) + At(SourceLocation.FindCaller()), e);
        }
    }

    /// <summary>"; operands f32[2,3], f32[3]" when a primitive's error does not already name every operand's type.</summary>
    private static string OperandTypes(string message, IReadOnlyList<Tensor> operands)
    {
        var types = operands.Select(t => (t.Aval with { Weak = false }).ToString()).ToArray();
        return types.Length == 0 || types.All(t => message.Contains(t, StringComparison.Ordinal))
            ? ""
            : $"; operand{(types.Length == 1 ? "" : "s")} {string.Join(", ", types)}";
    }

    /// <summary>Binds a primitive with exactly one result.</summary>
    public static Tensor Bind1(Primitive primitive, IReadOnlyList<Tensor> operands, Attributes? attributes = null, IReadOnlyList<Block>? regions = null) =>
        Bind(primitive, operands, attributes, regions)[0];

    /// <summary>Binds a primitive to one operand.</summary>
    public static Tensor Bind1(Primitive primitive, Tensor operand, Attributes? attributes = null) =>
        Bind(primitive, [operand], attributes)[0];

    private static Tensor[] BindEager(Primitive primitive, IReadOnlyList<Tensor> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var avals = new ShapedType[operands.Count];
        for (int i = 0; i < avals.Length; i++)
        {
            if (operands[i].IsTracer)
                throw new InvalidOperationException(
                    $"{primitive.Name}: a traced value was used after its trace ended (an escaped tracer){At(SourceLocation.FindCaller())}");
            avals[i] = operands[i].Aval;
        }
        var types = primitive.InferTypes(avals, attributes, regions);
        // On a Vulkan device holding an operand: a compiled program there, nothing read back.
        if (EagerKernels.TryRunOnDevice(primitive, operands, attributes, regions, types, out var onDevice)) return onDevice;
        var buffers = new Buffer[operands.Count];
        for (int i = 0; i < buffers.Length; i++) buffers[i] = operands[i].Buffer;
        // A compiled kernel where the runtime JIT is registered and the arrays are large; the interpreter's kernel otherwise.
        if (!EagerKernels.TryRun(primitive, buffers, attributes, regions, types, out var results))
            results = primitive.Evaluate(buffers, attributes, regions, Interpreter.Default);
        var tensors = new Tensor[results.Length];
        for (int i = 0; i < results.Length; i++) tensors[i] = new Tensor(Owned(results[i], buffers, results, i), types[i].Weak);
        return tensors;
    }

    /// <summary>
    /// A kernel's result as a buffer object no other tensor holds: a kernel may return one of its operands (or the
    /// same buffer twice), and each tensor must be able to dispose its own buffer.
    /// </summary>
    private static Buffer Owned(Buffer result, Buffer[] operands, Buffer[] results, int index)
    {
        foreach (var operand in operands)
            if (ReferenceEquals(operand, result)) return result.Share();
        for (int j = 0; j < index; j++)
            if (ReferenceEquals(results[j], result)) return result.Share();
        return result;
    }

    private static Tensor[] BindTraced(Trace trace, Primitive primitive, IReadOnlyList<Tensor> operands, Attributes attributes, IReadOnlyList<Block> regions)
    {
        var values = new Value[operands.Count];
        for (int i = 0; i < values.Length; i++) values[i] = Lift(trace, operands[i]);
        return trace.Emit(primitive, values, attributes, regions).Select(v => new Tensor(trace, v)).ToArray();
    }

    /// <summary>
    /// The IR value of a tensor in a trace: tracers are resolved (captured if outer); a concrete array becomes a
    /// parameter of the traced function (JAX's constvars: its values stay out of the IR), except scalars and splats,
    /// which stay inline as a scalar constant (broadcast for a splat).
    /// </summary>
    public static Value Lift(Trace trace, Tensor t)
    {
        if (t.Trace is { } owner) return trace.Resolve(t.IrValue!, owner);
        var buffer = t.Buffer;
        // Arrays with several distinct elements, and empty ones (a splat needs an element), become parameters.
        if (buffer.LongLength == 0 || buffer.LongLength > 1 && !buffer.IsSplat) return trace.CaptureConstant(t, t.Aval);
        var element = buffer.Shape.Rank == 0 ? buffer : Buffer.Splat(buffer, Shape.Scalar);
        var value = trace.Emit(Prims.Constant, [], Attributes.Of(("value", element)))[0];
        if (t.WeakType)
            value = trace.Emit(Prims.ConvertElementType, [value], Attributes.Of(("new_dtype", t.DType), ("weak_type", true)))[0];
        if (buffer.Shape.Rank == 0) return value;
        return trace.Emit(Prims.BroadcastInDim, [value], Attributes.Of(("shape", buffer.Shape), ("broadcast_dimensions", Array.Empty<long>())))[0];
    }
}

/// <summary>Weakly typed scalars from C# literals.</summary>
internal static class Scalars
{
    /// <summary>A weak float scalar of the default float dtype.</summary>
    public static Tensor Weak(double value) =>
        Jax.Config.EnableX64 ? new Tensor(Buffer.Scalar(value), weak: true) : new Tensor(Buffer.Scalar((float)value), weak: true);

    /// <summary>A weak int scalar of the default int dtype; throws when it does not fit.</summary>
    public static Tensor WeakInt(long value)
    {
        if (Jax.Config.EnableX64) return new Tensor(Buffer.Scalar(value), weak: true);
        if (value is < int.MinValue or > int.MaxValue)
            throw new OverflowException($"integer literal {value} is too large for int32 (enable x64 for int64)");
        return new Tensor(Buffer.Scalar((int)value), weak: true);
    }
}

/// <summary>Buffer dtype conversion through the <c>convert_element_type</c> kernel.</summary>
internal static class Conversions
{
    /// <summary>The buffer converted to <paramref name="dtype"/>.</summary>
    public static Buffer Convert(Buffer buffer, DType dtype) =>
        Prims.ConvertElementType.Evaluate([buffer], Attributes.Of(("new_dtype", dtype), ("weak_type", false)), [], Interpreter.Default)[0];
}

/// <summary>Axis normalisation with NumPy's error for out-of-range axes.</summary>
internal static class Axes
{
    /// <summary>
    /// A non-negative axis for a possibly negative one; throws naming the operation (and the array, when given)
    /// when out of range.
    /// </summary>
    public static int Normalize(int axis, int rank, string operation, ShapedType? of = null)
    {
        if (axis < -rank || axis >= rank)
            throw new JaxTypeException(operation,
                $"axis {axis} is out of bounds for array of dimension {rank}{Of(of)}{Dispatch.At(SourceLocation.FindCaller())}");
        return axis < 0 ? axis + rank : axis;
    }

    /// <summary>Normalised, sorted, distinct axes (all axes when null).</summary>
    public static int[] NormalizeMany(int[]? axes, int rank, string operation, ShapedType? of = null)
    {
        if (axes is null) return Enumerable.Range(0, rank).ToArray();
        var result = axes.Select(a => Normalize(a, rank, operation, of)).ToArray();
        if (result.Distinct().Count() != result.Length)
            throw new JaxTypeException(operation, $"repeated axis in [{string.Join(", ", axes)}]{Of(of)}{Dispatch.At(SourceLocation.FindCaller())}");
        Array.Sort(result);
        return result;
    }

    private static string Of(ShapedType? aval) => aval is null ? "" : $" ({aval.ToLongString()})";
}
