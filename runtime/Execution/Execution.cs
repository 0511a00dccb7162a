using System.Collections.Concurrent;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// Runs executables: synchronously in the caller's thread (the default on the CPU: a queue hop costs microseconds),
/// or, with <c>jax_cpu_enable_async_dispatch</c>, on the CPU stream, returning futures at once. An error of an
/// asynchronous run surfaces when a result is waited for (<see cref="Tensor.BlockUntilReady"/>, reading values), as
/// a <see cref="JaxRuntimeException"/> naming the kernel and the primitive that failed.
/// </summary>
internal static class Execution
{
    public static DeviceArray[] Run(IExecutable executable, DeviceArray[] arguments, bool[]? donated)
    {
        if (Jax.Config.CpuAsyncDispatch && executable.Device.Platform == "cpu") return CpuStream.Instance.Enqueue(executable, arguments, donated);
        try
        {
            return executable.Execute(arguments, donated);
        }
        catch (HostOutOfMemoryException e)
        {
            throw JaxRuntimeException.For(executable.Name, e);
        }
    }
}

/// <summary>An error of a computation in an executable: names the kernel and, where known, the primitive that failed.</summary>
public sealed class JaxRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JaxRuntimeException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>The kernel that failed.</summary>
    public string? Kernel { get; private init; }

    /// <summary>The primitive that failed, when the executable reported it.</summary>
    public string? Primitive { get; private init; }

    /// <summary>The exception for <paramref name="error"/> raised while running kernel <paramref name="kernel"/>.</summary>
    internal static JaxRuntimeException For(string kernel, Exception error)
    {
        var primitive = error.Data[Interpreter.FailedPrimitiveKey] as string;
        var at = primitive is null ? "" : $" in '{primitive}'";
        return new JaxRuntimeException($"@{kernel} failed{at}: {error.Message}", error) { Kernel = kernel, Primitive = primitive };
    }
}

/// <summary>
/// The CPU's stream (JAX's asynchronous dispatch): one worker thread runs enqueued executables in order; each call
/// gets pending arrays at once, completed (or failed) when its executable finishes. Arrays an executable reads that
/// are still pending are complete by then, since the stream runs in order.
/// </summary>
internal sealed class CpuStream
{
    private readonly BlockingCollection<Action> _queue = [];

    private CpuStream()
    {
        var worker = new Thread(() =>
        {
            foreach (var work in _queue.GetConsumingEnumerable()) work();
        })
        {
            IsBackground = true,
            Name = "jax cpu stream",
        };
        worker.Start();
    }

    public static CpuStream Instance { get; } = new();

    public DeviceArray[] Enqueue(IExecutable executable, DeviceArray[] arguments, bool[]? donated)
    {
        var types = SymbolBinding.ResultTypes(executable, arguments);
        var pending = types.Select(t => HostArray.Pending(t, executable.Device)).ToArray();
        _queue.Add(() =>
        {
            try
            {
                var results = executable.Execute(arguments, donated);
                for (int i = 0; i < pending.Length; i++) pending[i].Complete(results[i].ReadHost());
            }
            catch (Exception e)
            {
                var error = JaxRuntimeException.For(executable.Name, e);
                foreach (var p in pending)
                    if (!p.IsReady) p.Fail(error);
            }
        });
        return pending;
    }
}

/// <summary>The static result types of an executable for concrete arguments: its symbolic dims bound by the arguments' shapes.</summary>
internal static class SymbolBinding
{
    public static ShapedType[] ResultTypes(IExecutable executable, IReadOnlyList<DeviceArray> arguments)
    {
        var symbols = SymbolBindings.Bind(executable.InputTypes, arguments.Select(a => a.Type).ToArray(), executable.Name);
        return executable.OutputTypes.Select(t => t with { Weak = false, Shape = SymbolBindings.Resolve(t.Shape, symbols, executable.Name) }).ToArray();
    }
}
