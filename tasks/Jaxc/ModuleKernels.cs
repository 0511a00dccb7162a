using JaxToolchain.Aot;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain.Jaxc;

/// <summary>
/// The kernels of a project's StableHLO modules (<c>&lt;JaxModule Include="model.mlir" /&gt;</c> items, <c>--module</c>):
/// each module is imported and traced as <c>Jax.Load(...).Call</c> traces it at run time
/// (<see cref="AheadOfTime.TraceModule"/>), so its kernel serves those calls. A module that uses no 64-bit type gets a
/// kernel for x64 off and one for x64 on (a call's key holds the setting); one that does, only the x64 one. A module
/// that does not import is an error at its file, line and column (<see cref="DiagnosticCode.ModuleImport"/>).
/// </summary>
internal static class ModuleKernels
{
    public static List<LibraryKernel> Trace(IReadOnlyList<ModuleItem> modules, List<Diagnostic> diagnostics)
    {
        var kernels = new List<LibraryKernel>();
        foreach (var item in modules)
        {
            string path = Path.GetFullPath(item.Path);
            StableHloModule module;
            try
            {
                module = StableHloModule.Parse(File.ReadAllText(path), item.Name, path);
            }
            catch (IOException e)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCode.ModuleImport, $"JaxModule {item.Path} cannot be read: {e.Message}", path));
                continue;
            }
            catch (StableHloImportException e)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCode.ModuleImport, $"JaxModule {item.Name}: {e.Problem}", path, e.Line, e.Column));
                continue;
            }
            foreach (bool x64 in module.NeedsX64 ? [true] : new[] { false, true })
            {
                try
                {
                    var traced = AheadOfTime.TraceModule(module, x64);
                    kernels.Add(new LibraryKernel(item.Name, traced.Function)
                    {
                        X64 = x64,
                        Statics = traced.Statics,
                        InputStructure = traced.Key.InputStructure,
                        Donated = traced.DonatedParameters,
                    });
                }
                catch (JaxTypeException e)
                {
                    diagnostics.Add(new Diagnostic(DiagnosticCode.ModuleImport, $"JaxModule {item.Name}: {e.Message}", path));
                }
            }
        }
        return kernels;
    }
}
