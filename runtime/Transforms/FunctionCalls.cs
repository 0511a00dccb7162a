using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// A traced function together with the tensors it closed over: values of enclosing traces and concrete arrays that
/// it captured become trailing parameters, which <see cref="Captured"/> supplies when the function is called.
/// </summary>
internal sealed record TracedFunction(Function Function, IReadOnlyList<Tensor> Captured, int ExplicitParameters);

/// <summary>Tracing Tensor functions to IR and calling IR functions on Tensors, eagerly or inside a trace.</summary>
internal static class FunctionCalls
{
    /// <summary>
    /// Traces <paramref name="f"/> on parameters of the given types. Inside another trace, values of the
    /// enclosing traces that <paramref name="f"/> uses are captured (see <see cref="TracedFunction"/>).
    /// </summary>
    public static TracedFunction Trace(string name, Func<Tensor[], Tensor[]> f, IReadOnlyList<ShapedType> parameterTypes)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(parameterTypes);
        var trace = Ir.Trace.Begin(name);
        // A finally block, not catch-and-rethrow: an exception from deep nesting passes every level without being thrown again.
        try
        {
            var args = parameterTypes.Select(t => new Tensor(trace, trace.AddParameter(t))).ToArray();
            var outs = f(args);
            var values = outs.Select(o => Dispatch.Lift(trace, o)).ToArray();
            var captured = trace.Captures.Select(c => c.Outer is { } outer ? new Tensor(trace.Parent!, outer) : (Tensor)c.Constant!).ToArray();
            return new TracedFunction(trace.Finish(values), captured, parameterTypes.Count);
        }
        finally
        {
            if (!trace.IsFinished) trace.Abandon();
        }
    }

    /// <summary>
    /// Calls an IR function: eagerly with the interpreter when no trace is active and all arguments are
    /// concrete, otherwise by inlining its operations into the current trace.
    /// </summary>
    public static Tensor[] Call(Function function, IReadOnlyList<Tensor> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count != function.Parameters.Count)
            throw new InvalidOperationException($"@{function.Name} takes {function.Parameters.Count} arguments, got {arguments.Count}");
        var trace = Ir.Trace.Current;
        if (trace is null && arguments.All(a => !a.IsTracer))
        {
            var buffers = arguments.Select(a => a.Buffer).ToArray();
            var results = Interpreter.DistinctResults(buffers, Interpreter.Run(function, buffers));
            return results.Select((b, i) => new Tensor(b, function.ResultTypes[i].Weak)).ToArray();
        }
        if (trace is null)
            throw new InvalidOperationException($"@{function.Name} was called with a traced value after its trace ended (an escaped tracer)");
        var cloner = new FunctionCloner();
        for (int i = 0; i < arguments.Count; i++) cloner.Map(function.Parameters[i], Dispatch.Lift(trace, arguments[i]));
        var outs = new List<Tensor>();
        foreach (var op in function.Body.Operations)
        {
            var copied = trace.Emit(op.Primitive, op.Operands.Select(cloner.Lookup).ToArray(), op.Attributes, op.Regions);
            for (int i = 0; i < copied.Count; i++) cloner.Map(op.Results[i], copied[i]);
        }
        return function.Body.Results.Select(r => new Tensor(trace, cloner.Lookup(r))).ToArray();
    }

    /// <summary>Calls a traced function with its explicit arguments followed by what it captured.</summary>
    public static Tensor[] Call(TracedFunction traced, IReadOnlyList<Tensor> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return Call(traced.Function, [.. arguments, .. traced.Captured]);
    }
}
