namespace JaxToolchain.Backends.Llvm;

/// <summary>
/// An owned instruction builder. The operations that take more than one LLVM call or an array are methods here
/// (aligned loads and stores, GEPs, calls, phis, shuffles, fast-math arithmetic); everything else is one call of
/// <see cref="LlvmCore"/> with the builder as its first argument (it converts to <see cref="LLVMBuilderRef"/>).
/// </summary>
public sealed class LlvmBuilder : LlvmOwner<LLVMBuilderRef>
{
    internal LlvmBuilder(LlvmContext context, LLVMBuilderRef handle)
        : base(handle) => Context = context;

    /// <summary>The context the builder makes instructions in.</summary>
    public LlvmContext Context { get; }


    /// <summary>Appends further instructions at the end of <paramref name="block"/>.</summary>
    public void PositionAtEnd(LLVMBasicBlockRef block) => LlvmCore.PositionBuilderAtEnd(Handle, block);

    /// <summary>The block instructions are appended to.</summary>
    public LLVMBasicBlockRef InsertBlock => LlvmCore.GetInsertBlock(Handle);

    /// <summary>A binary operation with fast-math flags (for floating-point opcodes; <see cref="LLVMFastMathFlags.None"/> is IEEE).</summary>
    public LLVMValueRef BinaryOperation(LLVMOpcode opcode, LLVMValueRef left, LLVMValueRef right, LLVMFastMathFlags flags = LLVMFastMathFlags.None, string name = "")
    {
        var result = LlvmCore.BuildBinOp(Handle, opcode, left, right, name);
        if (flags != LLVMFastMathFlags.None) LlvmCore.SetFastMathFlags(result, flags);
        return result;
    }

    /// <summary>A load of <paramref name="type"/> with an alignment in bytes.</summary>
    public LLVMValueRef Load(LLVMTypeRef type, LLVMValueRef pointer, uint alignment, string name = "")
    {
        var load = LlvmCore.BuildLoad2(Handle, type, pointer, name);
        LlvmCore.SetAlignment(load, alignment);
        return load;
    }

    /// <summary>A store with an alignment in bytes.</summary>
    public LLVMValueRef Store(LLVMValueRef value, LLVMValueRef pointer, uint alignment)
    {
        var store = LlvmCore.BuildStore(Handle, value, pointer);
        LlvmCore.SetAlignment(store, alignment);
        return store;
    }

    /// <summary>An in-bounds address: <paramref name="pointer"/> indexed as an array of <paramref name="elementType"/>.</summary>
    public LLVMValueRef InBoundsGep(LLVMTypeRef elementType, LLVMValueRef pointer, ReadOnlySpan<LLVMValueRef> indices, string name = "") =>
        LlvmCore.BuildInBoundsGEP2(Handle, elementType, pointer, indices, (uint)indices.Length, name);

    /// <summary>A call of a function of this module (an intrinsic from <see cref="LlvmModule.DeclareIntrinsic"/> included).</summary>
    public LLVMValueRef Call(LLVMValueRef function, ReadOnlySpan<LLVMValueRef> arguments, string name = "") =>
        LlvmCore.BuildCall2(Handle, LlvmCore.GlobalGetValueType(function), function, arguments, (uint)arguments.Length, name);

    /// <summary>A phi of <paramref name="type"/> with its incoming (value, block) pairs; more can be added with <see cref="AddIncoming"/>.</summary>
    public LLVMValueRef Phi(LLVMTypeRef type, ReadOnlySpan<(LLVMValueRef Value, LLVMBasicBlockRef Block)> incoming, string name = "")
    {
        var phi = LlvmCore.BuildPhi(Handle, type, name);
        foreach (var (value, block) in incoming) AddIncoming(phi, value, block);
        return phi;
    }

    /// <summary>Adds one incoming (value, block) pair to a phi.</summary>
    public static void AddIncoming(LLVMValueRef phi, LLVMValueRef value, LLVMBasicBlockRef block) =>
        LlvmCore.AddIncoming(phi, [value], [block], 1);

    /// <summary>A shuffle of two vectors by constant lane indices (-1 for a poison lane).</summary>
    public LLVMValueRef ShuffleVector(LLVMValueRef first, LLVMValueRef second, ReadOnlySpan<int> mask, string name = "")
    {
        var int32 = Context.Int32;
        var lanes = new LLVMValueRef[mask.Length];
        for (int i = 0; i < mask.Length; i++)
            lanes[i] = mask[i] < 0 ? LlvmCore.GetPoison(int32) : LlvmCore.ConstInt(int32, (ulong)mask[i], signExtend: false);
        return LlvmCore.BuildShuffleVector(Handle, first, second, LlvmCore.ConstVector(lanes, (uint)lanes.Length), name);
    }

    /// <inheritdoc/>
    private protected override void Free(LLVMBuilderRef handle) => LlvmCore.DisposeBuilder(handle);
}
