using System.Diagnostics;
using JaxToolchain.Backends.Spirv;
using JaxToolchain.Backends.Tests.Codegen;
using JaxToolchain.Ir;
using JaxToolchain.Vulkan;
using Xunit.Abstractions;

namespace JaxToolchain.Backends.Tests.Spirv;

/// <summary>
/// Random-program differential tests on Vulkan (lavapipe on CI): the CPU suite's generated functions (every dtype,
/// elementwise arithmetic, comparisons, selects, conversions, scalar broadcasts, a symbolic dimension), restricted to
/// the float operations every Vulkan device rounds exactly, compiled by <see cref="SpirvProgramCompiler"/> and run by the
/// runtime's <c>VulkanExecutable</c> (buffers, batches, host steps) against the interpreter, bit for bit. Fewer programs
/// than on the CPU (lavapipe is slow): capped by <c>JAX_RANDOM_PROGRAM_VULKAN_SECONDS</c> (default 20); a failure prints
/// its seed (<c>JAX_RANDOM_PROGRAM_SEED</c> replays it).
/// </summary>
public sealed class SpirvRandomProgramTests(ITestOutputHelper output)
{
    private const int ProgramsPerFunction = 8;

    [VulkanFact]
    public void Random_programs_run_on_vulkan_to_the_interpreters_numbers()
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("JAX_RANDOM_PROGRAM_VULKAN_SECONDS"), out var s) ? s : 20;
        int? replay = int.TryParse(Environment.GetEnvironmentVariable("JAX_RANDOM_PROGRAM_SEED"), out var r) ? r : null;
        int firstSeed = replay ?? Environment.TickCount & 0xFFFF;
        var backend = VulkanPlatform.Backends[0];
        var clock = Stopwatch.StartNew();
        int functions = 0, hostSteps = 0, steps = 0;
        for (int seed = firstSeed; replay is null ? clock.Elapsed.TotalSeconds < seconds : seed == replay; seed++)
        {
            var f = RandomProgramTests.Generate(seed, ProgramsPerFunction, exactFloats: true);
            var (program, _) = SpirvProgramCompiler.Compile(f);
            var executable = new VulkanExecutable(backend, program, f.Name);
            steps += program.Steps.Count;
            hostSteps += executable.HostSteps.Count();
            foreach (int n in new[] { 0, 1, 1000 })
            {
                var args = f.ParameterTypes.Select((t, i) => CompiledKernels.Values(t.DType, new Shape(t.Shape.Select(d => d.IsStatic ? d : Dim.Of(n))), seed * 7 + i)).ToArray();
                var expected = Interpreter.Run(new MathExpansionPass().Run(f), args);
                var results = executable.Execute([.. args.Select(a => (DeviceArray)VulkanArray.FromHost(backend, a.Share()))]);
                var actual = results.Select(a => a.ReadHost()).ToArray();
                // -0 and +0 compare equal here: lavapipe (Mesa 22.3) folds x + 0.0 to x when the 0.0 comes from its own
                // constant folding (xor(b, b) or sub(b, b) converted to float, seed 52330), despite the kernels'
                // SignedZeroInfNanPreserve mode and NoContraction; a zero's sign is all it changes.
                CompiledKernels.AssertSameResults(expected, actual, $"seed {seed} (JAX_RANDOM_PROGRAM_SEED={seed} replays it), n = {n}, function\n{f}\n",
                    signedZerosEqual: true);
                foreach (var result in results) result.Dispose();
            }
            functions++;
        }
        output.WriteLine($"{functions * ProgramsPerFunction} random programs on {backend.Context.Info.Name} in {functions} functions " +
            $"(seeds {firstSeed}..{firstSeed + functions - 1}), {steps} steps of which {hostSteps} on the host, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(functions > 0);
        Assert.True(hostSteps == 0, $"{hostSteps} of {steps} steps ran on the host");
    }
}
