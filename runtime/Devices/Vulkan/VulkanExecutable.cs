using System.Runtime.InteropServices;
using JaxToolchain.Ir;

namespace JaxToolchain.Vulkan;

/// <summary>
/// A <see cref="VulkanProgram"/> on one device: device steps record their kernels into one batch (one command buffer
/// per call, barriers between kernels) that is submitted when the call ends, so the results are futures; a host step
/// (no kernels, or kernels needing a feature the device lacks) submits what was recorded, waits, runs the step's IR on
/// the host (the CPU compiler registered for the host, else the interpreter) and leaves its results in host memory
/// for the next device step to upload. Symbolic dims are bound from the arguments' shapes and evaluated into push
/// constants and workgroup counts (capped at the device's limits: kernels grid-stride).
/// </summary>
internal sealed class VulkanExecutable : IExecutable
{
    private readonly VulkanBackend _backend;
    private readonly VulkanProgram _program;
    private readonly ShapedType[] _values;
    private readonly Step[] _steps;

    private sealed class Step(VulkanStep source, bool onDevice, string? hostReason)
    {
        public VulkanStep Source { get; } = source;
        public VulkanExecutable[]? Regions { get; init; }
        public bool OnDevice { get; } = onDevice;
        public string? HostReason { get; } = hostReason;
        public SymbolicSize[][] Push { get; } = [.. source.Kernels.Select(k => k.PushConstants.Select(SymbolicSize.Parse).ToArray())];
        public SymbolicSize[][] Threads { get; } = [.. source.Kernels.Select(k => k.Threads.Select(SymbolicSize.Parse).ToArray())];
        public SymbolicSize[] Scratch { get; } = [.. source.Scratch.Select(SymbolicSize.Parse)];
        public Lazy<IExecutable> Host { get; } = new(() => CompileOnHost(source));

        /// <summary>Each kernel's pipeline, looked up in the device's cache on the first call (not hashed again per call).</summary>
        public VulkanPipeline?[] Pipelines { get; } = new VulkanPipeline?[source.Kernels.Count];
    }

    public VulkanExecutable(VulkanBackend backend, VulkanProgram program, string name)
    {
        program.Validate();
        _backend = backend;
        _program = program;
        Name = name;
        _values = program.ParseValues();
        _steps = [.. program.Steps.Select(s =>
        {
            if (s.Control is { } control)
                return new Step(s, false, null) { Regions = [.. control.Regions.Select((r, k) => new VulkanExecutable(backend, r, $"{name}/{s.Name}/{control.Kind}{k}"))] };
            if (s.Kernels.Count == 0) return new Step(s, false, s.HostReason ?? "no kernels");
            // The first variant the device has every feature of replaces the portable kernels.
            if (s.Variants.FirstOrDefault(v => v.Kernels.All(backend.Supports)) is { } variant)
                return new Step(s with { Kernels = variant.Kernels, Scratch = variant.Scratch, Variants = [] }, true, null);
            var missing = s.Kernels.SelectMany(backend.Missing).Distinct().ToArray();
            return missing.Length == 0 ? new Step(s, true, null) : new Step(s, false, $"{backend.Context.Info.Name} lacks {string.Join(", ", missing)}");
        })];
        InputTypes = _values[..program.InputCount];
        OutputTypes = [.. program.Outputs.Select(v => _values[v])];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public DeviceDescriptor Device => _backend.Descriptor;

    /// <inheritdoc/>
    public IReadOnlyList<ShapedType> InputTypes { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ShapedType> OutputTypes { get; }

    /// <summary>The program run.</summary>
    public VulkanProgram Program => _program;

    /// <summary>Announces each step that runs on the host once, with its reason (<see cref="KernelRegistry.Notices"/>).</summary>
    public void AnnounceHostSteps()
    {
        foreach (var (step, reason) in HostSteps)
            KernelRegistry.Notify($"vulkan: step {step} of @{Name} runs on the host ({reason})");
    }

    /// <summary>The steps that run on the host, with the reason (for diagnostics and notices), those of control-flow regions included.</summary>
    public IEnumerable<(string Step, string Reason)> HostSteps =>
        _steps.SelectMany(s => s.Regions is { } regions ? regions.SelectMany(r => r.HostSteps) : s.OnDevice ? [] : [(s.Source.Name, s.HostReason!)]);

    private static IExecutable CompileOnHost(VulkanStep step)
    {
        var function = IrParser.ParseFunction(step.Ir);
        var compiler = KernelRegistry.CompilerFor(DeviceDescriptor.Cpu);
        try
        {
            return compiler.Compile(function, new CompileOptions(DeviceDescriptor.Cpu, step.Name));
        }
        catch (NotSupportedException) when (!ReferenceEquals(compiler, InterpreterCompiler.Instance))
        {
            return InterpreterCompiler.Instance.Compile(function, new CompileOptions(DeviceDescriptor.Cpu, step.Name));
        }
    }

    /// <summary>A value during a call: an argument array, device memory computed in this call, or a host buffer.</summary>
    private sealed class Slot
    {
        public VulkanArray? Array;
        public VulkanAllocation? Memory;
        public Ir.Buffer? Host;
        public ShapedType Type = null!;
    }

    /// <inheritdoc/>
    public DeviceArray[] Execute(IReadOnlyList<DeviceArray> arguments, IReadOnlyList<bool>? donated = null)
    {
        if (arguments.Count != InputTypes.Count)
            throw new ArgumentException($"@{Name} takes {InputTypes.Count} arguments, got {arguments.Count}");
        var symbols = SymbolBindings.Bind(InputTypes, arguments.Select(a => a.Type).ToArray(), Name);
        var slots = new Slot?[_values.Length];
        for (int i = 0; i < arguments.Count; i++)
            slots[i] = new Slot { Array = arguments[i] as VulkanArray ?? throw new ArgumentException($"@{Name} runs on {Device}; argument {i} is on {arguments[i].Device}"), Type = arguments[i].Type };
        VulkanStream.Batch? batch = null;
        var owned = new List<VulkanAllocation>();
        var arrays = new List<VulkanArray>();
        var stream = _backend.Stream;
        long ticket = 0, submitted = 0;
        try
        {
            foreach (var step in _steps)
            {
                var outputTypes = step.Source.Outputs.Select(v => _values[v] with { Shape = SymbolBindings.Resolve(_values[v].Shape, symbols, Name) }).ToArray();
                if (step.Regions is { } regions)
                {
                    // The regions' programs submit batches of their own, after what this call recorded so far.
                    if (batch is not null)
                    {
                        submitted = stream.Submit(batch);
                        batch = null;
                    }
                    RunControl(step, regions, slots, submitted, arrays);
                }
                else if (step.OnDevice)
                {
                    batch ??= stream.Begin();
                    RecordStep(batch, step, slots, outputTypes, symbols, owned);
                }
                else
                {
                    if (batch is not null)
                    {
                        stream.Wait(stream.Submit(batch));
                        batch = null;
                    }
                    RunOnHost(step, slots, outputTypes);
                }
            }
            if (batch is not null)
            {
                ticket = stream.Submit(batch);
                batch = null;
            }
            var results = new DeviceArray[_program.Outputs.Count];
            for (int r = 0; r < results.Length; r++)
            {
                var slot = slots[_program.Outputs[r]]!;
                results[r] = slot.Array is { } array ? array.Alias()
                    : slot.Memory is { } memory ? VulkanArray.OnDevice(_backend, slot.Type, memory.Retain(), ticket)
                    : VulkanArray.FromHost(_backend, slot.Host!.Share());
            }
            return results;
        }
        catch
        {
            if (batch is not null) stream.Abandon(batch);
            throw;
        }
        finally
        {
            foreach (var memory in owned) memory.Release();
            foreach (var array in arrays) array.Forget();
            foreach (var slot in slots)
                if (slot?.Array is null) slot?.Host?.Dispose();
        }
    }

    /// <summary>
    /// A control-flow step: its inputs as device arrays (values of this call pending on batch <paramref name="ticket"/>),
    /// the regions run as executables of their own, the host reading only the predicate or branch index; its outputs
    /// become arrays of this call (<paramref name="arrays"/> lists the arrays made here, forgotten when the call ends).
    /// </summary>
    private void RunControl(Step step, VulkanExecutable[] regions, Slot?[] slots, long ticket, List<VulkanArray> arrays)
    {
        var source = step.Source;
        var control = source.Control!;
        VulkanArray Made(VulkanArray array)
        {
            arrays.Add(array);
            return array;
        }
        var inputs = source.Inputs.Select(v =>
        {
            var slot = slots[v]!;
            return slot.Array ?? Made(slot.Memory is { } memory
                ? VulkanArray.OnDevice(_backend, slot.Type, memory.Retain(), ticket)
                : VulkanArray.FromHost(_backend, slot.Host!.Share()));
        }).ToArray();
        DeviceArray[] results;
        switch (control.Kind)
        {
            case VulkanControl.While:
                int condConsts = control.Counts[0], bodyConsts = control.Counts[1];
                DeviceArray[] carry = inputs[(condConsts + bodyConsts)..];
                bool More()
                {
                    var predicate = (VulkanArray)regions[0].Execute([.. inputs[..condConsts], .. carry])[0];
                    bool more = predicate.ReadHost().GetInt64(0) != 0;
                    predicate.Forget();
                    return more;
                }
                // A known trip count (a scan's) runs the body that many times, queued without a read back in between.
                int? trips = control.Counts.Count > 2 ? control.Counts[2] : null;
                for (int trip = 0; trips is { } count ? trip < count : More(); trip++)
                {
                    var next = regions[1].Execute([.. inputs[condConsts..(condConsts + bodyConsts)], .. carry]);
                    foreach (var array in next) Made((VulkanArray)array);
                    // The previous carry is dropped now (the batches reading it hold their own references): memory stays flat over iterations.
                    foreach (var old in carry)
                        if (old is VulkanArray made && arrays.Remove(made)) made.Forget();
                    carry = next;
                }
                results = carry;
                break;
            case VulkanControl.Cond:
                long index = Math.Clamp(inputs[0].ReadHost().GetInt64(0), 0, regions.Length - 1);
                results = regions[index].Execute(inputs[1..]);
                foreach (var array in results) Made((VulkanArray)array);
                break;
            default:
                results = regions[0].Execute(inputs);
                foreach (var array in results) Made((VulkanArray)array);
                break;
        }
        for (int k = 0; k < results.Length; k++)
            slots[source.Outputs[k]] = new Slot { Array = (VulkanArray)results[k], Type = results[k].Type };
    }

    private void RecordStep(VulkanStream.Batch batch, Step step, Slot?[] slots, ShapedType[] outputTypes, Dictionary<string, long> symbols, List<VulkanAllocation> owned)
    {
        var source = step.Source;
        var inputs = new VulkanAllocation[source.Inputs.Count];
        var inputBytes = new long[inputs.Length];
        for (int k = 0; k < inputs.Length; k++)
        {
            var slot = slots[source.Inputs[k]]!;
            inputBytes[k] = slot.Type.Shape.ElementCount * slot.Type.DType.ItemSize();
            inputs[k] = DeviceMemory(batch, slot, owned);
        }
        var outputs = new VulkanAllocation[outputTypes.Length];
        var outputBytes = new long[outputs.Length];
        for (int k = 0; k < outputs.Length; k++)
        {
            outputBytes[k] = outputTypes[k].Shape.ElementCount * outputTypes[k].DType.ItemSize();
            outputs[k] = _backend.Memory.Rent(outputBytes[k]);
            owned.Add(outputs[k]);
            _backend.Stream.Hold(batch, outputs[k]);
            slots[source.Outputs[k]] = new Slot { Memory = outputs[k], Type = outputTypes[k] };
        }
        var scratch = new VulkanAllocation[step.Scratch.Length];
        var scratchBytes = new long[scratch.Length];
        for (int k = 0; k < scratch.Length; k++)
        {
            scratchBytes[k] = step.Scratch[k].Evaluate(symbols);
            scratch[k] = _backend.Memory.Rent(scratchBytes[k]);
            owned.Add(scratch[k]);
            _backend.Stream.Hold(batch, scratch[k]);
        }
        uint maxRange = _backend.Context.Info.MaxStorageBufferRange;
        for (int kk = 0; kk < source.Kernels.Count; kk++)
        {
            var kernel = source.Kernels[kk];
            var buffers = new VulkanAllocation[kernel.Bindings.Count];
            var ranges = new long[buffers.Length];
            for (int b = 0; b < buffers.Length; b++)
            {
                var binding = kernel.Bindings[b];
                (buffers[b], ranges[b]) = binding.Role switch
                {
                    VulkanBinding.Input => (inputs[binding.Index], inputBytes[binding.Index]),
                    VulkanBinding.Output => (outputs[binding.Index], outputBytes[binding.Index]),
                    _ => (scratch[binding.Index], scratchBytes[binding.Index]),
                };
                if (ranges[b] > maxRange)
                    throw new JaxRuntimeException($"@{Name}, kernel {kernel.EntryPoint}: a buffer of {ranges[b]} bytes exceeds {_backend.Context.Info.Name}'s storage buffer range ({maxRange} bytes)");
            }
            var push = new uint[step.Push[kk].Length];
            for (int p = 0; p < push.Length; p++)
            {
                long value = step.Push[kk][p].Evaluate(symbols);
                push[p] = value is >= 0 and <= uint.MaxValue ? (uint)value
                    : throw new JaxRuntimeException($"@{Name}, kernel {kernel.EntryPoint}: {step.Push[kk][p]} = {value} does not fit the kernel's 32-bit indices");
            }
            var groups = new uint[3];
            for (int axis = 0; axis < 3; axis++)
            {
                long threads = step.Threads[kk][axis].Evaluate(symbols);
                long local = kernel.LocalSize[axis];
                groups[axis] = (uint)Math.Clamp((threads + local - 1) / local, 1, _backend.Context.Info.MaxWorkgroupCount[axis]);
            }
            var pipeline = step.Pipelines[kk] ??= _backend.Pipeline(kernel);
            _backend.Stream.Dispatch(batch, pipeline, buffers, ranges, MemoryMarshal.AsBytes(push.AsSpan()), groups[0], groups[1], groups[2]);
        }
    }

    /// <summary>The device memory of a value (uploading a host value, or an argument's host copy, into <paramref name="batch"/>).</summary>
    private VulkanAllocation DeviceMemory(VulkanStream.Batch batch, Slot slot, List<VulkanAllocation> owned)
    {
        if (slot.Memory is { } memory) return memory;
        if (slot.Array is { } array) return array.DeviceMemory(batch);
        var host = slot.Host!;
        memory = _backend.Upload(batch, host.ByteLength == 0 ? 0 : host.Pointer, host.ByteLength);
        owned.Add(memory);
        _backend.Stream.Hold(batch, memory);
        slot.Memory = memory;
        return memory;
    }

    private void RunOnHost(Step step, Slot?[] slots, ShapedType[] outputTypes)
    {
        var source = step.Source;
        var arguments = new DeviceArray[source.Inputs.Count];
        var views = new List<Ir.Buffer>();
        try
        {
            for (int k = 0; k < arguments.Length; k++)
            {
                var slot = slots[source.Inputs[k]]!;
                Ir.Buffer host;
                if (slot.Array is { } array) host = array.ReadHost().Share();
                else if (slot.Host is { } h) host = h.Share();
                else
                {
                    host = Ir.Buffer.Uninitialized(slot.Type.DType, slot.Type.Shape);
                    _backend.Download(slot.Memory!, host.ByteLength == 0 ? 0 : host.Pointer, host.ByteLength);
                    slot.Host = host.Share();
                }
                views.Add(host);
                arguments[k] = new HostArray(host, DeviceDescriptor.Cpu);
            }
            DeviceArray[] results;
            try
            {
                results = step.Host.Value.Execute(arguments);
            }
            catch (Exception e) when (e is not JaxRuntimeException)
            {
                throw JaxRuntimeException.For($"{Name}/{source.Name}", e);
            }
            for (int k = 0; k < results.Length; k++)
            {
                var buffer = results[k].ReadHost();
                slots[source.Outputs[k]] = new Slot { Host = views.Any(v => ReferenceEquals(v, buffer)) ? buffer.Share() : buffer, Type = outputTypes[k] };
            }
        }
        finally
        {
            foreach (var view in views) view.Dispose();
        }
    }
}
