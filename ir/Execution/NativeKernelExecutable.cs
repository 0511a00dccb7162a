namespace JaxToolchain.Ir;

/// <summary>An error a compiled kernel reported through its status code (a frame it cannot run), naming the kernel and the code.</summary>
public sealed class KernelStatusException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KernelStatusException(string kernel, KernelStatus status)
        : base($"@{kernel}: the compiled kernel returned {(int)status} ({KernelAbi.Describe(status)})")
    {
        Kernel = kernel;
        Status = status;
    }

    /// <summary>The kernel.</summary>
    public string Kernel { get; }

    /// <summary>The status it returned.</summary>
    public KernelStatus Status { get; }
}

/// <summary>
/// An executable whose code is a compiled kernel following the kernel ABI (<see cref="KernelCallFrame"/>, version
/// <see cref="ExecutionContracts.KernelAbiVersion"/>), called through a function pointer: no LLVM, no tracing, works
/// under NativeAOT. Per call it binds the symbolic dims from the arguments, allocates the results and the scratch
/// buffers the kernel asks for (their sizes may depend on the symbols), fills a frame (inputs, outputs, scratch; the
/// symbol values in <see cref="Symbols"/> order; the runtime's thread pool) and calls the entry point. A nonzero
/// status is a <see cref="KernelStatusException"/>. <see cref="Owner"/> keeps the code alive (a loaded library, a
/// JIT session) as long as the executable.
/// </summary>
public sealed unsafe class NativeKernelExecutable : IExecutable
{
    private readonly delegate* unmanaged<KernelCallFrame*, int> _entry;

    /// <summary>Creates the executable over an entry point.</summary>
    /// <param name="name">The kernel name.</param>
    /// <param name="entry">The address of <c>int32_t kernel(const jax_kernel_call_frame*)</c>.</param>
    /// <param name="inputs">The input types (symbolic dims allowed).</param>
    /// <param name="outputs">The result types (their symbols bound by the inputs).</param>
    /// <param name="symbols">The symbolic dims in the order the frame passes their sizes.</param>
    /// <param name="scratch">The scratch buffers' byte sizes, as functions of the symbols.</param>
    /// <param name="owner">What keeps the code alive.</param>
    public NativeKernelExecutable(string name, nint entry, IReadOnlyList<ShapedType> inputs, IReadOnlyList<ShapedType> outputs,
        IReadOnlyList<string> symbols, IReadOnlyList<SymbolicSize> scratch, object? owner)
    {
        if (entry == 0) throw new ArgumentException($"@{name}: the kernel's entry point is null", nameof(entry));
        Name = name;
        _entry = (delegate* unmanaged<KernelCallFrame*, int>)entry;
        InputTypes = inputs.ToArray();
        OutputTypes = outputs.ToArray();
        Symbols = symbols.ToArray();
        Scratch = scratch.ToArray();
        Owner = owner;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public DeviceDescriptor Device => DeviceDescriptor.Cpu;

    /// <inheritdoc/>
    public IReadOnlyList<ShapedType> InputTypes { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ShapedType> OutputTypes { get; }

    /// <summary>The symbolic dims in frame order.</summary>
    public IReadOnlyList<string> Symbols { get; }

    /// <summary>The scratch buffers' byte sizes.</summary>
    public IReadOnlyList<SymbolicSize> Scratch { get; }

    /// <summary>What keeps the code alive (a loaded library, a JIT session).</summary>
    public object? Owner { get; }

    /// <summary>Runs the kernel; donation is accepted and ignored (the kernel's plan decides what it overwrites).</summary>
    public DeviceArray[] Execute(IReadOnlyList<DeviceArray> arguments, IReadOnlyList<bool>? donated = null)
    {
        int inputCount = arguments.Count, outputCount = OutputTypes.Count, scratchCount = Scratch.Count;
        var buffers = new Buffer[inputCount + outputCount + scratchCount];
        for (int i = 0; i < inputCount; i++) buffers[i] = arguments[i].ReadHost();
        // Static signatures (the common case) skip the symbol dictionary: the argument types are compared as they are.
        Dictionary<string, long>? bound = null;
        long[] symbolValues = [];
        if (Symbols.Count != 0 || inputCount != InputTypes.Count || !StaticArgumentsMatch(buffers))
        {
            var argumentTypes = new ShapedType[inputCount];
            for (int i = 0; i < inputCount; i++) argumentTypes[i] = buffers[i].Type;
            bound = SymbolBindings.Bind(InputTypes, argumentTypes, Name);
            symbolValues = new long[Symbols.Count];
            for (int s = 0; s < symbolValues.Length; s++)
                symbolValues[s] = bound.TryGetValue(Symbols[s], out var n) ? n : throw new InvalidOperationException($"@{Name}: symbol '{Symbols[s]}' is not bound by any argument");
        }
        bool done = false;
        try
        {
            for (int i = 0; i < outputCount; i++)
            {
                var type = OutputTypes[i];
                buffers[inputCount + i] = Buffer.Uninitialized(type.DType, bound is null ? type.Shape : SymbolBindings.Resolve(type.Shape, bound, Name));
            }
            for (int i = 0; i < scratchCount; i++)
                buffers[inputCount + outputCount + i] = Buffer.Uninitialized(DType.UInt8, Shape.Of(Math.Max(1, Scratch[i].Evaluate(bound ?? NoSymbols))));
            Call(buffers, symbolValues);
            done = true;
            var results = new DeviceArray[outputCount];
            for (int i = 0; i < outputCount; i++) results[i] = new HostArray(buffers[inputCount + i], Device);
            return results;
        }
        finally
        {
            for (int i = inputCount + outputCount; i < buffers.Length; i++) buffers[i]?.Dispose();
            if (!done)
                for (int i = inputCount; i < inputCount + outputCount; i++) buffers[i]?.Dispose();
            GC.KeepAlive(Owner);
        }
    }

    private static readonly Dictionary<string, long> NoSymbols = new(StringComparer.Ordinal);

    /// <summary>True when every argument has its parameter's dtype and (static) shape.</summary>
    private bool StaticArgumentsMatch(Buffer[] buffers)
    {
        for (int i = 0; i < InputTypes.Count; i++)
            if (buffers[i].DType != InputTypes[i].DType || !buffers[i].Shape.Equals(InputTypes[i].Shape)) return false;
        return true;
    }

    private void Call(Buffer[] buffers, long[] symbolValues)
    {
        int count = buffers.Length;
        Span<nint> pointers = count <= 32 ? stackalloc nint[count] : new nint[count];
        Span<long> lengths = count <= 32 ? stackalloc long[count] : new long[count];
        for (int i = 0; i < count; i++)
        {
            // Splat inputs are written out: a kernel reads every element from memory.
            pointers[i] = buffers[i].Pointer;
            lengths[i] = buffers[i].ByteLength;
        }
        int status;
        fixed (nint* p = pointers)
        fixed (long* l = lengths)
        fixed (long* s = symbolValues)
        {
            var frame = new KernelCallFrame
            {
                AbiVersion = ExecutionContracts.KernelAbiVersion,
                BufferCount = (uint)count,
                Buffers = (void**)p,
                BufferLengths = l,
                SymbolCount = (uint)symbolValues.Length,
                SymbolValues = s,
            };
            KernelThreadPool.Attach(ref frame);
            status = _entry(&frame);
        }
        GC.KeepAlive(buffers);
        if (status != (int)KernelStatus.Ok) throw new KernelStatusException(Name, (KernelStatus)status);
    }
}
