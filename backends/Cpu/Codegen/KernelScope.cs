using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// The function being emitted and what lowerings read in it: the kernel frame, the sizes of the symbolic dims (i64),
/// and where every IR value of the current block lives (a pointer to its dense row-major storage). Loops are emitted
/// through <see cref="For"/>; parallel loops through <see cref="ParallelFor"/>, which moves the body into a function
/// of its own that the runtime's <c>parallel_for</c> calls, and gives it a scope of its own over the same values.
/// </summary>
internal sealed class KernelScope
{
    /// <summary>The frame offsets of <c>parallel_for</c> and <c>parallel_context</c> (see <see cref="KernelAbi.FrameFields"/>).</summary>
    private const int ParallelForOffset = 40;
    private const int ParallelContextOffset = 48;

    private readonly Dictionary<string, LLVMValueRef> _symbols;
    private readonly Dictionary<Value, LLVMValueRef> _pointers;

    public KernelScope(KernelModule module, LLVMValueRef function, LLVMValueRef frame,
        Dictionary<string, LLVMValueRef> symbols, Dictionary<Value, LLVMValueRef> pointers)
    {
        M = module;
        Function = function;
        Frame = frame;
        _symbols = symbols;
        _pointers = pointers;
    }

    /// <summary>The module.</summary>
    public KernelModule M { get; }

    /// <summary>The builder (positioned where the next instruction goes).</summary>
    public LlvmBuilder B => M.Builder;

    /// <summary>The function being emitted.</summary>
    public LLVMValueRef Function { get; }

    /// <summary>The kernel frame (a <c>ptr</c>).</summary>
    public LLVMValueRef Frame { get; }

    /// <summary>The symbols and their sizes.</summary>
    public IReadOnlyDictionary<string, LLVMValueRef> Symbols => _symbols;

    /// <summary>Where <paramref name="value"/> is stored.</summary>
    public LLVMValueRef Pointer(Value value) =>
        _pointers.TryGetValue(value, out var p) ? p : throw new InvalidOperationException($"no storage for a value of type {value.Type}");

    /// <summary>Records where <paramref name="value"/> is stored.</summary>
    public void Bind(Value value, LLVMValueRef pointer) => _pointers[value] = pointer;

    /// <summary>The size of a dimension, as an i64 (a constant, or a symbol's size).</summary>
    public LLVMValueRef Size(Dim dim) =>
        dim.IsStatic ? M.Int64(dim.Size)
        : _symbols.TryGetValue(dim.Symbol!, out var size) ? size
        : throw new InvalidOperationException($"symbol '{dim.Symbol}' is not bound in this kernel");

    /// <summary>The number of elements of a shape, as an i64.</summary>
    public LLVMValueRef ElementCount(Shape shape)
    {
        var count = M.Int64(shape.Where(d => d.IsStatic).Aggregate(1L, (n, d) => n * d.Size));
        foreach (var d in shape.Where(d => !d.IsStatic)) count = Mul(count, Size(d));
        return count;
    }

    /// <summary>The sizes of a shape's dims, as i64 values.</summary>
    public LLVMValueRef[] Sizes(Shape shape) => shape.Select(Size).ToArray();

    /// <summary>Row-major strides (in elements) of a shape, as i64 values.</summary>
    public LLVMValueRef[] Strides(Shape shape)
    {
        var strides = new LLVMValueRef[shape.Rank];
        var stride = M.Int64(1);
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride = Mul(stride, Size(shape[d]));
        }
        return strides;
    }

    /// <summary>a + b on i64.</summary>
    public LLVMValueRef Add(LLVMValueRef a, LLVMValueRef b) => B.BinaryOperation(LLVMOpcode.Add, a, b);

    /// <summary>a - b on i64.</summary>
    public LLVMValueRef Sub(LLVMValueRef a, LLVMValueRef b) => B.BinaryOperation(LLVMOpcode.Sub, a, b);

    /// <summary>a * b on i64.</summary>
    public LLVMValueRef Mul(LLVMValueRef a, LLVMValueRef b) => B.BinaryOperation(LLVMOpcode.Mul, a, b);

    /// <summary>a / b on unsigned i64.</summary>
    public LLVMValueRef UDiv(LLVMValueRef a, LLVMValueRef b) => B.BinaryOperation(LLVMOpcode.UDiv, a, b);

    /// <summary>a % b on unsigned i64.</summary>
    public LLVMValueRef URem(LLVMValueRef a, LLVMValueRef b) => B.BinaryOperation(LLVMOpcode.URem, a, b);

    /// <summary>min(a, b) on signed i64.</summary>
    public LLVMValueRef Min(LLVMValueRef a, LLVMValueRef b) =>
        LlvmCore.BuildSelect(B, LlvmCore.BuildICmp(B, LLVMIntPredicate.SLT, a, b, ""), a, b, "");

    /// <summary>A new basic block of the current function.</summary>
    public LLVMBasicBlockRef NewBlock(string name) => LlvmCore.AppendBasicBlockInContext(M.Context, Function, name);

    /// <summary>
    /// <c>for (i = start; i &lt; end; i++) body(i)</c>, with the builder left after the loop. The body may emit blocks of
    /// its own (it is called once, with the builder in the loop body).
    /// </summary>
    public void For(LLVMValueRef start, LLVMValueRef end, Action<LLVMValueRef> body, string name = "i")
    {
        var entry = B.InsertBlock;
        var loop = NewBlock($"{name}.loop");
        var exit = NewBlock($"{name}.exit");
        LlvmCore.BuildCondBr(B, LlvmCore.BuildICmp(B, LLVMIntPredicate.SLT, start, end, ""), loop, exit);
        B.PositionAtEnd(loop);
        var i = B.Phi(M.I64, [(start, entry)], name);
        body(i);
        var next = B.BinaryOperation(LLVMOpcode.Add, i, M.Int64(1));
        LlvmCore.SetNSW(next, true);
        LlvmBuilder.AddIncoming(i, next, B.InsertBlock);
        LlvmCore.BuildCondBr(B, LlvmCore.BuildICmp(B, LLVMIntPredicate.SLT, next, end, ""), loop, exit);
        B.PositionAtEnd(exit);
    }

    /// <summary>The multi-index of flat position <paramref name="flat"/> in a row-major shape (innermost last).</summary>
    public LLVMValueRef[] Unravel(LLVMValueRef flat, Shape shape)
    {
        var index = new LLVMValueRef[shape.Rank];
        var rest = flat;
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            if (d == 0)
            {
                index[d] = rest;
                break;
            }
            var size = Size(shape[d]);
            index[d] = URem(rest, size);
            rest = UDiv(rest, size);
        }
        return index;
    }

    /// <summary>
    /// Runs <paramref name="body"/> over [0, <paramref name="count"/>) split into chunks of <paramref name="grain"/>
    /// iterations handed to the runtime's <c>parallel_for</c> (one chunk runs in place, without the call). The body is
    /// emitted once, in a function of its own, and gets a scope in which <paramref name="values"/> (the IR values it
    /// reads or writes) and the symbols are available, and the bounds of its chunk.
    /// </summary>
    public void ParallelFor(LLVMValueRef count, long grain, IReadOnlyCollection<Value> values, Action<KernelScope, LLVMValueRef, LLVMValueRef> body)
    {
        var symbolNames = _symbols.Keys.ToArray();
        var captured = values.Distinct(ReferenceEqualityComparer.Instance).Cast<Value>().ToArray();
        // The body's context: [frame, count, symbols..., pointers...] as 8-byte slots.
        int slots = 2 + symbolNames.Length + captured.Length;
        var contextType = LlvmCore.ArrayType2(M.I64, (ulong)slots);
        var context = BuildEntryAlloca(contextType);
        void Put(int slot, LLVMValueRef value, bool isPointer)
        {
            var stored = isPointer ? LlvmCore.BuildCast(B, LLVMOpcode.PtrToInt, value, M.I64, "") : value;
            B.Store(stored, B.InBoundsGep(M.I64, context, [M.Int64(slot)]), 8);
        }
        Put(0, Frame, isPointer: true);
        Put(1, count, isPointer: false);
        for (int s = 0; s < symbolNames.Length; s++) Put(2 + s, _symbols[symbolNames[s]], isPointer: false);
        for (int v = 0; v < captured.Length; v++) Put(2 + symbolNames.Length + v, Pointer(captured[v]), isPointer: true);

        var bodyFunction = EmitBody(grain, symbolNames, captured, body);

        // chunks = ceil(count / grain); one chunk runs here, more go to parallel_for.
        var chunks = UDiv(Add(count, M.Int64(grain - 1)), M.Int64(grain));
        var one = NewBlock("serial");
        var many = NewBlock("parallel");
        var done = NewBlock("parallel.done");
        LlvmCore.BuildCondBr(B, LlvmCore.BuildICmp(B, LLVMIntPredicate.SLE, chunks, M.Int64(1), ""), one, many);
        B.PositionAtEnd(one);
        B.Call(bodyFunction, [context, M.Int64(0), M.Int32(0)]);
        LlvmCore.BuildBr(B, done);
        B.PositionAtEnd(many);
        var parallelFor = B.Load(M.Ptr, B.InBoundsGep(M.I8, Frame, [M.Int64(ParallelForOffset)]), 8, "parallel_for");
        var parallelContext = B.Load(M.Ptr, B.InBoundsGep(M.I8, Frame, [M.Int64(ParallelContextOffset)]), 8, "parallel_context");
        var forType = LlvmContext.FunctionType(M.I32, M.Ptr, M.I64, M.Ptr, M.Ptr);
        LlvmCore.BuildCall2(B, forType, parallelFor, [parallelContext, chunks, bodyFunction, context], 4, "");
        LlvmCore.BuildBr(B, done);
        B.PositionAtEnd(done);
    }

    /// <summary>An alloca in the function's entry block (so loops do not grow the stack).</summary>
    public LLVMValueRef BuildEntryAlloca(LLVMTypeRef type) => EntryAllocas.Build(B, Function, type);

    private LLVMValueRef EmitBody(long grain, string[] symbolNames, Value[] captured, Action<KernelScope, LLVMValueRef, LLVMValueRef> body)
    {
        var current = B.InsertBlock;
        var function = M.AddInternalFunction("body", LlvmContext.FunctionType(M.I32, M.Ptr, M.I64, M.I32));
        var context = LlvmCore.GetParam(function, 0);
        var index = LlvmCore.GetParam(function, 1);
        B.PositionAtEnd(LlvmCore.AppendBasicBlockInContext(M.Context, function, "entry"));
        LLVMValueRef Get(int slot, bool isPointer)
        {
            var loaded = B.Load(M.I64, B.InBoundsGep(M.I64, context, [M.Int64(slot)]), 8);
            return isPointer ? LlvmCore.BuildCast(B, LLVMOpcode.IntToPtr, loaded, M.Ptr, "") : loaded;
        }
        var frame = Get(0, isPointer: true);
        var count = Get(1, isPointer: false);
        var symbols = new Dictionary<string, LLVMValueRef>(StringComparer.Ordinal);
        for (int s = 0; s < symbolNames.Length; s++) symbols[symbolNames[s]] = Get(2 + s, isPointer: false);
        var pointers = new Dictionary<Value, LLVMValueRef>(ReferenceEqualityComparer.Instance);
        for (int v = 0; v < captured.Length; v++) pointers[captured[v]] = Get(2 + symbolNames.Length + v, isPointer: true);
        var scope = new KernelScope(M, function, frame, symbols, pointers);
        var start = scope.Mul(index, M.Int64(grain));
        var end = scope.Min(scope.Add(start, M.Int64(grain)), count);
        body(scope, start, end);
        LlvmCore.BuildRet(B, M.Int32(0));
        B.PositionAtEnd(current);
        return function;
    }
}
