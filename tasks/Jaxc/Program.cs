using System.Diagnostics;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;
using JaxToolchain.Jaxc;
using Mono.Cecil;

// jaxc: the build-time compiler of [Jit] methods (tasks/README.md has the command line and the exit codes).
// 1. read the intermediate assembly with Mono.Cecil and find its [Jit] methods (JitMethodScanner);
// 2. weave their dispatch (Weaver) into a copy, unless the assembly is woven already;
// 3. load the woven copy and trace every signature through its thunk (KernelTracer);
// 4. compile the kernels for every RID and ISA level, link the libraries, write the manifest (KernelBuild);
// 5. put the woven assembly (and its PDB) in place of the original; list the files written in jaxc.files.
try
{
    var options = JaxcOptions.Parse(args);
    return Jaxc.Run(options);
}
catch (ArgumentException e) when (e.Message.StartsWith("jaxc:", StringComparison.Ordinal))
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

namespace JaxToolchain.Jaxc
{
    /// <summary>The steps of one <c>jaxc</c> run.</summary>
    internal static class Jaxc
    {
        public static int Run(JaxcOptions options)
        {
            var clock = Stopwatch.StartNew();
            var diagnostics = new List<Diagnostic>();
            try
            {
                return Compile(options, diagnostics, clock);
            }
            catch (LlvmNotAvailableException e)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCode.MissingTools, e.Message));
                Report(diagnostics);
                return 1;
            }
            catch (LinkerException e) when (e.Message.StartsWith("cannot run the linker", StringComparison.Ordinal))
            {
                // lld-19 is not installed (the message names the apt line).
                diagnostics.Add(new Diagnostic(DiagnosticCode.MissingTools, e.Message));
                Report(diagnostics);
                return 1;
            }
            catch (Exception e)
            {
                Report(diagnostics);
                Console.Error.WriteLine($"jaxc: internal error: {e}");
                return 2;
            }
        }

        private static int Compile(JaxcOptions options, List<Diagnostic> diagnostics, Stopwatch clock)
        {
            // LLVM first: a machine without it gets one error naming the apt line, before anything is written.
            // JAX_LLVM_LIBRARY names another libLLVM 19 (a self-built one, another distribution's layout).
            if (Environment.GetEnvironmentVariable("JAX_LLVM_LIBRARY") is { Length: > 0 } llvm) LlvmLibrary.OverridePath = llvm;
            if (options.Targets.Contains("cpu")) LlvmLibrary.EnsureAvailable();
            string assemblyPath = Path.GetFullPath(options.Assembly);
            string output = Path.GetFullPath(options.Output);
            Directory.CreateDirectory(output);
            string filesList = Path.Combine(output, "jaxc.files");
            File.Delete(filesList);

            string pdbPath = Path.ChangeExtension(assemblyPath, ".pdb");
            bool hasSymbols = File.Exists(pdbPath);
            var resolver = new DefaultAssemblyResolver();
            foreach (string directory in options.References.Select(Path.GetDirectoryName).Distinct().OfType<string>()) resolver.AddSearchDirectory(directory);
            resolver.AddSearchDirectory(Path.GetDirectoryName(assemblyPath)!);
            using var module = ModuleDefinition.ReadModule(assemblyPath, new ReaderParameters { ReadSymbols = hasSymbols, InMemory = true, AssemblyResolver = resolver });
            string assemblyName = module.Assembly.Name.Name;

            // Methods with mistakes are left out; the others are still traced, so one build reports every mistake.
            var specs = JitMethodScanner.Scan(module, diagnostics);
            var moduleKernels = ModuleKernels.Trace(options.Modules, diagnostics);
            if (specs.Count == 0 && options.Modules.Count == 0)
            {
                if (diagnostics.Any(d => d.IsError)) return Report(diagnostics);
                File.WriteAllText(filesList, "");
                Console.WriteLine($"jaxc: {assemblyName}: no [Jit] methods");
                return 0;
            }

            // The woven assembly is written beside the output first, and only put in place of the original when everything succeeded.
            string wovenDirectory = Path.Combine(output, "..", "woven");
            string wovenPath = Path.Combine(wovenDirectory, Path.GetFileName(assemblyPath));
            bool alreadyWoven = Weaver.IsWoven(module) || specs.Count == 0;
            var kernels = new List<LibraryKernel>();
            if (specs.Count > 0)
            {
                Directory.CreateDirectory(wovenDirectory);
                if (!alreadyWoven) Weaver.Weave(module, specs);
                module.Write(wovenPath, new WriterParameters { WriteSymbols = hasSymbols, DeterministicMvid = true });

                var context = new UserAssemblyContext(options.References);
                var assembly = context.LoadFromAssemblyPath(wovenPath);
                // The woven module initializer registers the trees of F# signatures: run it before any template is flattened.
                System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
                kernels.AddRange(KernelTracer.Trace(assembly, specs, diagnostics));
                int signatures = specs.Sum(s => s.Signatures.Count);
                Console.WriteLine($"jaxc: {assemblyName}: {specs.Count} [Jit] method(s), {signatures} signature(s) traced in {clock.Elapsed.TotalSeconds:F1} s");
            }
            kernels.AddRange(moduleKernels);
            if (options.Modules.Count > 0)
                Console.WriteLine($"jaxc: {assemblyName}: {options.Modules.Count} StableHLO module(s), {moduleKernels.Count} kernel(s) imported");
            if (diagnostics.Any(d => d.IsError)) return Report(diagnostics);

            if (options.DumpIr is { } dump) IrDump.Write(dump, kernels);
            if (options.Emit.Contains("stablehlo")) StableHloEmit.Write(output, kernels);
            var written = KernelBuild.Run(assemblyName, kernels, options, output, diagnostics, clock);

            if (!alreadyWoven)
            {
                File.Copy(wovenPath, assemblyPath, overwrite: true);
                if (hasSymbols) File.Copy(Path.ChangeExtension(wovenPath, ".pdb"), pdbPath, overwrite: true);
            }
            File.WriteAllLines(filesList, written);
            Report(diagnostics);
            Console.WriteLine($"jaxc: {assemblyName}: done in {clock.Elapsed.TotalSeconds:F1} s");
            return 0;
        }

        private static int Report(List<Diagnostic> diagnostics)
        {
            foreach (var d in diagnostics) Console.WriteLine(d);
            return diagnostics.Any(d => d.IsError) ? 1 : 0;
        }
    }
}
