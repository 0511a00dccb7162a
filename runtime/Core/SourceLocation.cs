using System.Diagnostics;

namespace JaxToolchain;

/// <summary>Finds the user's call site for error messages: the first stack frame outside Jax.Toolchain.</summary>
internal static class SourceLocation
{
    private static readonly string RuntimeAssembly = typeof(SourceLocation).Assembly.GetName().Name!;
    private static readonly string IrAssembly = typeof(Ir.Primitive).Assembly.GetName().Name!;

    /// <summary>"File.cs(line,col)" or "Type.Method" of the first frame outside our assemblies, or null.</summary>
    public static string? FindCaller()
    {
        var trace = new StackTrace(1, fNeedFileInfo: true);
        foreach (var frame in trace.GetFrames())
        {
            var info = DiagnosticMethodInfo.Create(frame);
            if (info is null) continue;
            var asm = info.DeclaringAssemblyName;
            if (asm is null) continue;
            var name = new System.Reflection.AssemblyName(asm).Name;
            if (name == RuntimeAssembly || name == IrAssembly || name is "System.Private.CoreLib" or "System.Linq") continue;
            var file = frame.GetFileName();
            if (file is not null)
                return $"{Path.GetFileName(file)}({frame.GetFileLineNumber()},{frame.GetFileColumnNumber()})";
            return $"{info.DeclaringTypeName}.{info.Name}";
        }
        return null;
    }
}
