namespace JaxToolchain.Ir;

/// <summary>
/// A device as the execution contracts name it: a platform (<c>cpu</c>, later <c>vulkan</c>), an ordinal on that
/// platform, and a kind for people (<c>cpu</c>, <c>discrete GPU</c>, ...).
/// </summary>
/// <param name="Platform">The platform name, lower case (JAX's <c>device.platform</c>).</param>
/// <param name="Id">The ordinal on the platform.</param>
/// <param name="Kind">What the device is, for people (JAX's <c>device.device_kind</c>).</param>
public sealed record DeviceDescriptor(string Platform, int Id, string Kind)
{
    /// <summary>The host CPU.</summary>
    public static DeviceDescriptor Cpu { get; } = new("cpu", 0, "cpu");

    /// <inheritdoc/>
    public override string ToString() => $"{Platform}:{Id}";
}

/// <summary>
/// An executable: one compiled function for one device (contract version <see cref="ExecutionContracts.ExecutableVersion"/>).
/// The interpreter's is the first; the LLVM, precompiled and Vulkan ones implement the same contract.
/// </summary>
public interface IExecutable
{
    /// <summary>The kernel's stable name (what a precompiled kernel is registered under).</summary>
    string Name { get; }

    /// <summary>The device it runs on.</summary>
    DeviceDescriptor Device { get; }

    /// <summary>The parameter types (symbolic dims take any size, bound consistently across parameters).</summary>
    IReadOnlyList<ShapedType> InputTypes { get; }

    /// <summary>The result types (symbolic dims as the parameters bind them).</summary>
    IReadOnlyList<ShapedType> OutputTypes { get; }

    /// <summary>
    /// Runs on arrays of this executable's device. An argument marked in <paramref name="donated"/> is handed over:
    /// the executable may reuse its memory for a result, and the caller must not read it afterwards. Results may
    /// still be computing when this returns (futures): reading them waits, and an error of the computation is
    /// raised there.
    /// </summary>
    DeviceArray[] Execute(IReadOnlyList<DeviceArray> arguments, IReadOnlyList<bool>? donated = null);
}

/// <summary>Options of a compilation.</summary>
/// <param name="Device">The device to compile for.</param>
/// <param name="Name">The kernel's stable name (default: the function's name).</param>
public sealed record CompileOptions(DeviceDescriptor Device, string? Name = null);

/// <summary>
/// A compiler: an IR function (its parameter types are the input abstract values, possibly with symbolic dims) to an
/// <see cref="IExecutable"/> for a device (contract version <see cref="ExecutionContracts.ExecutableVersion"/>).
/// </summary>
public interface ICompiler
{
    /// <summary>The compiler's name (<c>interpreter</c>, <c>llvm</c>, ...), as diagnostics and cache keys print it.</summary>
    string Name { get; }

    /// <summary>True when this compiler produces executables for <paramref name="device"/>.</summary>
    bool Supports(DeviceDescriptor device);

    /// <summary>Compiles <paramref name="function"/>; throws <see cref="NotSupportedException"/> naming what it cannot compile.</summary>
    IExecutable Compile(Function function, CompileOptions options);
}

/// <summary>
/// The reference interpreter as a compiler: its executables interpret the function fused into kernels
/// (<see cref="FusionPass"/>; a <c>loop</c> kernel runs chunk by chunk, with the same numbers as unfused),
/// synchronously, on host arrays.
/// </summary>
public sealed class InterpreterCompiler : ICompiler
{
    /// <summary>The one instance.</summary>
    public static InterpreterCompiler Instance { get; } = new();

    private InterpreterCompiler() { }

    /// <inheritdoc/>
    public string Name => "interpreter";

    /// <inheritdoc/>
    public bool Supports(DeviceDescriptor device) => device.Platform == "cpu";

    /// <inheritdoc/>
    public IExecutable Compile(Function function, CompileOptions options)
    {
        if (!Supports(options.Device)) throw new NotSupportedException($"the interpreter runs on the CPU, not on {options.Device}");
        Verifier.Verify(function);
        return new InterpreterExecutable(new FusionPass().Run(function), options.Name ?? function.Name, options.Device);
    }
}

/// <summary>An executable that runs its IR function with the reference interpreter.</summary>
public sealed class InterpreterExecutable : IExecutable
{
    internal InterpreterExecutable(Function function, string name, DeviceDescriptor device)
    {
        Function = function;
        Name = name;
        Device = device;
        InputTypes = function.ParameterTypes;
        OutputTypes = function.ResultTypes;
    }

    /// <summary>The function it runs (fused into kernels).</summary>
    public Function Function { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public DeviceDescriptor Device { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ShapedType> InputTypes { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ShapedType> OutputTypes { get; }

    /// <inheritdoc/>
    public DeviceArray[] Execute(IReadOnlyList<DeviceArray> arguments, IReadOnlyList<bool>? donated = null)
    {
        var buffers = arguments.Select(a => a.ReadHost()).ToArray();
        var results = donated is null ? Interpreter.Run(Function, buffers) : Interpreter.Run(Function, buffers, donated);
        var owned = Interpreter.DistinctResults(buffers, results);
        var arrays = new DeviceArray[owned.Length];
        for (int i = 0; i < owned.Length; i++) arrays[i] = new HostArray(owned[i], Device);
        // Donated arguments belong to the call now; one a result still views keeps its memory through that view.
        if (donated is not null)
            for (int i = 0; i < buffers.Length; i++)
                if (donated[i]) buffers[i].Dispose();
        return arrays;
    }
}
