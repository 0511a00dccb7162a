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
        var inputs = arguments.Select(a => a.ReadHost()).ToArray();
        var bound = SymbolBindings.Bind(InputTypes, inputs.Select(b => b.Type).ToArray(), Name);
        var symbolValues = Symbols.Select(s => bound.TryGetValue(s, out var n)
            ? n
            : throw new InvalidOperationException($"@{Name}: symbol '{s}' is not bound by any argument")).ToArray();
        var outputs = new Buffer[OutputTypes.Count];
        var scratch = new Buffer[Scratch.Count];
        bool done = false;
        try
        {
            for (int i = 0; i < outputs.Length; i++)
                outputs[i] = Buffer.Uninitialized(OutputTypes[i].DType, SymbolBindings.Resolve(OutputTypes[i].Shape, bound, Name));
            for (int i = 0; i < scratch.Length; i++)
                scratch[i] = Buffer.Uninitialized(DType.UInt8, Shape.Of(Math.Max(1, Scratch[i].Evaluate(bound))));
            Call([.. inputs, .. outputs, .. scratch], symbolValues);
            done = true;
            return outputs.Select(b => (DeviceArray)new HostArray(b, Device)).ToArray();
        }
        finally
        {
            foreach (var b in scratch) b?.Dispose();
            if (!done)
                foreach (var b in outputs) b?.Dispose();
            GC.KeepAlive(Owner);
        }
    }

    private void Call(Buffer[] buffers, long[] symbolValues)
    {
        var pointers = new nint[buffers.Length];
        var lengths = new long[buffers.Length];
        for (int i = 0; i < buffers.Length; i++)
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
                BufferCount = (uint)buffers.Length,
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
