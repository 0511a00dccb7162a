using System.Runtime.CompilerServices;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// A traced function together with the tensors it closed over: values of enclosing traces that it captured
/// become trailing parameters, which <see cref="Captured"/> supplies when the function is called.
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
        var trace = Ir.Trace.Begin(name);
        try
        {
            var args = parameterTypes.Select(t => new Tensor(trace, trace.AddParameter(t))).ToArray();
            var outs = f(args);
            var values = outs.Select(o => Dispatch.Lift(trace, o)).ToArray();
            var captured = trace.Captures.Select(c => new Tensor(trace.Parent!, c.Outer)).ToArray();
            return new TracedFunction(trace.Finish(values), captured, parameterTypes.Count);
        }
        catch
        {
            trace.Abandon();
            throw;
        }
    }

    /// <summary>
    /// Calls an IR function: eagerly with the interpreter when no trace is active and all arguments are
    /// concrete, otherwise by inlining its operations into the current trace.
    /// </summary>
    public static Tensor[] Call(Function function, IReadOnlyList<Tensor> arguments)
    {
        if (arguments.Count != function.Parameters.Count)
            throw new InvalidOperationException($"@{function.Name} takes {function.Parameters.Count} arguments, got {arguments.Count}");
        var trace = Ir.Trace.Current;
        if (trace is null && arguments.All(a => !a.IsTracer))
        {
            var results = Interpreter.Run(function, arguments.Select(a => a.Buffer).ToArray());
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
    public static Tensor[] Call(TracedFunction traced, IReadOnlyList<Tensor> arguments) =>
        Call(traced.Function, [.. arguments, .. traced.Captured]);

    /// <summary>
    /// Traces of jitted functions called inside other traces, per jitted function and signature (<see cref="SignatureKey"/>).
    /// Only traces that captured nothing are kept: captured values belong to the trace they were captured from.
    /// </summary>
    private static readonly ConditionalWeakTable<Func<Tensor[], Tensor[]>, Dictionary<string, Function>> CallTraces = new();

    /// <summary>The cache key of a traced signature: the arguments' abstract values (weak types included) and x64, as JAX's.</summary>
    public static string SignatureKey(IReadOnlyList<ShapedType> types) =>
        $"x64={Jax.Config.EnableX64}:{string.Join(",", types)}";

    /// <summary>
    /// Calls the jitted function <paramref name="f"/> inside the current trace (a nested <c>Jax.Jit</c>): traces it on the
    /// arguments' abstract values, once per signature unless it captures values of enclosing traces, and emits a
    /// <c>call</c> named <paramref name="name"/> whose region is a copy of the traced body and whose operands are the
    /// arguments followed by the captured values. Two calls in one trace are two <c>call</c>s of one traced body.
    /// </summary>
    public static Tensor[] EmitCall(string name, Func<Tensor[], Tensor[]> f, IReadOnlyList<Tensor> arguments)
    {
        var types = arguments.Select(a => a.Aval).ToArray();
        var key = SignatureKey(types);
        var traces = CallTraces.GetOrCreateValue(f);
        Function? function;
        lock (traces) traces.TryGetValue(key, out function);
        IReadOnlyList<Tensor> captured = [];
        if (function is null)
        {
            var traced = Trace(name, f, types);
            (function, captured) = (traced.Function, traced.Captured);
            if (captured.Count == 0)
                lock (traces) traces.TryAdd(key, function);
        }
        var region = new FunctionCloner().CloneBlock(function.Body);
        return Dispatch.Bind(Prims.Call, [.. arguments, .. captured], Attributes.Of(("callee", name)), [region]);
    }
}
