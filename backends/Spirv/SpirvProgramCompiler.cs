using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// A function to a <see cref="VulkanProgram"/>: the function goes through the code-generation pipeline
/// (<see cref="SpirvKernelCompiler.Prepare"/>), then each top-level operation of the fused body becomes a step, with
/// its kernels where <see cref="SpirvKernelCompiler.CompileStep"/> lowers it and as a host step (its IR, interpreted)
/// where it does not, with the reason. Every step carries its IR, so a device without a feature a kernel needs runs
/// that step on the host.
/// </summary>
public static class SpirvProgramCompiler
{
    /// <summary>The program of <paramref name="function"/> and the prepared (fused) function it was made from.</summary>
    public static (VulkanProgram Program, Function Prepared) Compile(Function function)
    {
        // Scans become while loops over a counter (their data stays on the device; the loop knows its trip count).
        var prepared = SpirvKernelCompiler.Prepare(new ScanToWhilePass().Run(function));
        var ids = new Dictionary<Value, int>(ReferenceEqualityComparer.Instance);
        var values = new List<string>();
        int Define(Value v)
        {
            ids[v] = values.Count;
            values.Add((v.Type with { Weak = false }).ToString());
            return values.Count - 1;
        }
        foreach (var argument in prepared.Body.Arguments) Define(argument);
        var steps = new List<VulkanStep>();
        foreach (var op in prepared.Body.Operations)
        {
            var inputs = op.Operands.Select(v => ids[v]).ToArray();
            var outputs = op.Results.Select(Define).ToArray();
            var name = op.Attributes.TryGetValue("name", out var n) && n is string s ? s : op.Primitive.Name;
            var ir = IrPrinter.Print(StepFunction(name, op));
            if (Control(op) is { } control)
            {
                steps.Add(new VulkanStep { Name = name, Inputs = inputs, Outputs = outputs, Ir = ir, Control = control });
                continue;
            }
            try
            {
                var step = SpirvKernelCompiler.CompileStep(op);
                steps.Add(new VulkanStep
                {
                    Name = name,
                    Inputs = inputs,
                    Outputs = outputs,
                    Ir = ir,
                    Kernels = step.Kernels,
                    Scratch = [.. step.Scratch.Select(x => x.ToString())],
                    Variants = [.. step.Variants.Select(v => new VulkanVariant { Kernels = v.Kernels, Scratch = [.. v.Scratch.Select(x => x.ToString())] })],
                });
            }
            catch (NotSupportedException e)
            {
                steps.Add(new VulkanStep { Name = name, Inputs = inputs, Outputs = outputs, Ir = ir, HostReason = e.Message });
            }
        }
        var program = new VulkanProgram
        {
            Values = values,
            InputCount = prepared.Body.Arguments.Count,
            Outputs = [.. prepared.Body.Results.Select(v => ids[v])],
            Steps = steps,
        };
        program.Validate();
        return (program, prepared);
    }

    /// <summary>
    /// <c>while</c>, <c>cond</c> and <c>call</c> as control steps whose regions are programs of their own (compiled the
    /// same way, recursively), so their data stays on the device (a <c>scan</c> arrives as a <c>while</c> with a known
    /// trip count, see <see cref="ScanToWhilePass"/>; custom-derivative calls and checkpoints run their function as a
    /// <c>call</c>); null for other operations.
    /// </summary>
    private static VulkanControl? Control(Operation op)
    {
        VulkanProgram Region(int k) => Compile(new Function($"{op.Primitive.Name}_region{k}", new FunctionCloner().CloneBlock(op.Regions[k]))).Program;
        if (ReferenceEquals(op.Primitive, Prims.While))
            return new VulkanControl
            {
                Kind = VulkanControl.While,
                Regions = [Region(0), Region(1)],
                Counts = [(int)op.Attributes.Int("cond_nconsts"), (int)op.Attributes.Int("body_nconsts"),
                    .. op.Attributes.ContainsKey(ScanToWhilePass.TripCount) ? [(int)op.Attributes.Int(ScanToWhilePass.TripCount)] : Array.Empty<int>()],
            };
        if (ReferenceEquals(op.Primitive, Prims.Cond))
            return new VulkanControl { Kind = VulkanControl.Cond, Regions = [.. Enumerable.Range(0, op.Regions.Count).Select(Region)] };
        // A call, and the custom-derivative wrappers and checkpoints, whose region 0 is the function on all the operands
        // (their other regions are derivative rules, which a program that runs forward does not use).
        if (ReferenceEquals(op.Primitive, Prims.Call) || op.Primitive is CustomJvpCallPrimitive or CustomVjpCallPrimitive or CheckpointPrimitive)
            return new VulkanControl { Kind = VulkanControl.Call, Regions = [Region(0)] };
        return null;
    }

    /// <summary>One operation as a function of its operands (its regions cloned with it).</summary>
    private static Function StepFunction(string name, Operation op)
    {
        var block = new Block(op.Operands.Select(v => v.Type).ToArray());
        var emitter = new Emitter(block);
        var cloner = new FunctionCloner();
        var regions = op.Regions.Select(cloner.CloneBlock).ToArray();
        block.SetResults(emitter.Emit(op.Primitive, block.Arguments.ToArray(), op.Attributes, regions));
        return new Function(SpirvKernelWriter.Sanitize(name), block);
    }
}
