using System.Collections.Concurrent;
using JaxToolchain.Backends.Cpu;
using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace Jax.StableHlo.Tests;

/// <summary>What running a case through the LLVM CPU backend gave.</summary>
public enum CompiledOutcome
{
    /// <summary>Compiled, ran, and every check held.</summary>
    Passed,
    /// <summary>Compiled (or failed to) with a wrong result or an error.</summary>
    Failed,
    /// <summary>The backend does not compile an op of the case (NotSupportedException): the runtime falls back to the interpreter.</summary>
    NotCompiled,
}

/// <summary>
/// Runs the suite's cases through the LLVM CPU backend (<see cref="CpuCompiler"/>, one JIT for the test run), with
/// the same checks as the interpreter run. Outcomes are cached for the theory and the report.
/// </summary>
public static class CompiledRuns
{
    private static readonly Lazy<CpuCompiler> Compiler = new(() => new CpuCompiler());
    private static readonly ConcurrentDictionary<SuiteCase, (CompiledOutcome, string)> Outcomes = new();
    private static readonly object Gate = new();

    /// <summary>Compiles a function without parameters and runs it.</summary>
    public static Buffer[] RunFunction(Function function)
    {
        IExecutable executable;
        lock (Gate) executable = Compiler.Value.Compile(function, new CompileOptions(DeviceDescriptor.Cpu, function.Name));
        return executable.Execute([]).Select(r => r.ReadHost()).ToArray();
    }

    /// <summary>Runs a case compiled (once; cached).</summary>
    public static (CompiledOutcome Outcome, string Detail) Run(SuiteCase c) => Outcomes.GetOrAdd(c, RunUncached);

    private static (CompiledOutcome, string) RunUncached(SuiteCase c)
    {
        try
        {
            var imported = StableHloImporter.ImportModuleWithChecks(StableHloSuite.ChunkText(c), c.File);
            var function = imported.Module[c.Function];
            IExecutable executable;
            try
            {
                // One JIT for the run: compilations are serialised (the theory's cases may run in parallel classes).
                lock (Gate) executable = Compiler.Value.Compile(function, new CompileOptions(DeviceDescriptor.Cpu, c.Function));
            }
            catch (NotSupportedException e)
            {
                return (CompiledOutcome.NotCompiled, e.Message);
            }
            var results = executable.Execute([]).Select(r => r.ReadHost()).ToArray();
            return CheckEvaluation.Failures(imported.Checks[c.Function], results) is { } failures
                ? (CompiledOutcome.Failed, failures)
                : (CompiledOutcome.Passed, "");
        }
        catch (Exception e)
        {
            return (CompiledOutcome.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
