using System.Diagnostics;
using System.Reflection;
using JaxToolchain.Aot;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Ir;

namespace JaxToolchain.Jaxc;

/// <summary>
/// Traces each signature of each <c>[Jit]</c> method of the loaded (woven) assembly through its thunk, as the runtime
/// would trace it (<see cref="AheadOfTime.Trace"/>), into a <see cref="LibraryKernel"/>. An exception of the user's code
/// becomes a diagnostic at the user's line that raised it (the first stack frame in the user's assembly with a file),
/// else at the method.
/// </summary>
internal static class KernelTracer
{
    public static List<LibraryKernel> Trace(Assembly assembly, IReadOnlyList<JitMethodSpec> specs, List<Diagnostic> diagnostics)
    {
        var kernels = new List<LibraryKernel>();
        foreach (var spec in specs)
        {
            var type = assembly.GetType(spec.TypeName, throwOnError: true)!;
            const BindingFlags any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
            var thunk = type.GetMethod(spec.ThunkName, any) ?? throw new InvalidOperationException($"woven thunk {spec.ThunkName} missing in {type}");
            var body = type.GetMethod(spec.BodyName, any) ?? throw new InvalidOperationException($"woven body {spec.BodyName} missing in {type}");
            var run = thunk.CreateDelegate<Func<object?[], object>>();
            var parameters = body.GetParameters();
            foreach (var signature in spec.Signatures)
            {
                string display = $"{spec.KernelName}({signature})";
                try
                {
                    var arguments = new object?[parameters.Length];
                    for (int i = 0; i < parameters.Length; i++)
                        arguments[i] = spec.Parameters[i].Kind == ParameterKind.Static
                            ? StaticValues.Parse(parameters[i].ParameterType, signature.Entries[i])
                            : SignatureEntry.Parse(signature.Entries[i]).Argument(parameters[i].ParameterType);
                    var traced = AheadOfTime.Trace(spec.KernelName, run, arguments, spec.StaticArgnums, spec.DonateArgnums, signature.X64);
                    if (traced.ClosedOverArrays > 0)
                    {
                        diagnostics.Add(At(spec.Where, DiagnosticCode.ClosedOverArray,
                            $"[Jit] {display} reads {traced.ClosedOverArrays} concrete array(s) from outside its parameters (a static field or a captured " +
                            "array): a precompiled kernel takes only its arguments; pass the array as a parameter"));
                        continue;
                    }
                    kernels.Add(new LibraryKernel(spec.KernelName, traced.Function)
                    {
                        X64 = signature.X64,
                        Statics = traced.Statics,
                        InputStructure = traced.Key.InputStructure,
                        Donated = traced.DonatedParameters,
                    });
                }
                catch (Exception thrown)
                {
                    var e = thrown is TargetInvocationException { InnerException: { } inner } ? inner : thrown;
                    var code = e switch
                    {
                        JaxTypeException => DiagnosticCode.ShapeOrDtype,
                        MissingRuleException => DiagnosticCode.MissingRule,
                        FormatException => DiagnosticCode.StaticValue,
                        _ => DiagnosticCode.TraceFailed,
                    };
                    string what = code == DiagnosticCode.TraceFailed ? $"tracing threw {e.GetType().Name}: " : "";
                    diagnostics.Add(At(UserFrame(e, assembly) ?? spec.Where, code, $"[Jit] {display}: {what}{e.Message}"));
                }
            }
        }
        return kernels;
    }

    private static Diagnostic At(SourcePosition? where, DiagnosticCode code, string message) =>
        new(code, message, where?.File, where?.Line ?? 0, where?.Column ?? 0);

    /// <summary>The innermost frame of the exception in the user's assembly that has a source file.</summary>
    private static SourcePosition? UserFrame(Exception e, Assembly user)
    {
        foreach (var frame in new StackTrace(e, fNeedFileInfo: true).GetFrames())
        {
            if (frame.GetMethod()?.Module.Assembly != user) continue;
            if (frame.GetFileName() is { } file) return new SourcePosition(file, frame.GetFileLineNumber(), frame.GetFileColumnNumber());
        }
        return null;
    }
}
