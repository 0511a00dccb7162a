using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// The lowering of each top-level operation of a fused, planned function (a table keyed by primitive, with fusions by
/// kind): the operation's operands and results are bound to pointers in the scope; a lowering emits the code that
/// writes the results. Reshapes are views when the plan put the result in the operand's buffer, copies otherwise.
/// </summary>
internal static class OperationLowerings
{
    private delegate void Lowering(KernelScope scope, Operation op);

    private static readonly Dictionary<Primitive, Lowering> Table = new()
    {
        [Prims.Fusion] = EmitFusion,
        [Prims.Constant] = EmitConstant,
        [Prims.Reshape] = EmitView,
        [Prims.Squeeze] = EmitView,
        [Prims.ExpandDims] = EmitView,
        [Prims.DotGeneral] = DotLowering.Emit,
    };

    /// <summary>Emits <paramref name="op"/>; throws <see cref="NotSupportedException"/> naming a primitive without a CPU lowering.</summary>
    public static void Emit(KernelScope scope, Operation op)
    {
        if (Table.TryGetValue(op.Primitive, out var lowering)) lowering(scope, op);
        else if (ReductionLowering.Handles(op.Primitive)) ReductionLowering.Emit(scope, op);
        else if (LayoutLowering.TryEmit(scope, op)) return;
        else if (op.Primitive is ElementwisePrimitive || op.Primitive.Category is PrimitiveCategory.Elementwise or PrimitiveCategory.Broadcast or PrimitiveCategory.Generator)
            LoopLowering.EmitSingle(scope, op);
        else throw new NotSupportedException($"no CPU lowering for '{op.Primitive.Name}' yet");
    }

    private static void EmitFusion(KernelScope scope, Operation op)
    {
        switch (Prims.Fusion.KindOf(op.Attributes))
        {
            case FusionKind.Loop:
                LoopLowering.EmitFusion(scope, op);
                break;
            case FusionKind.Reduction:
                ReductionLowering.EmitFusion(scope, op);
                break;
            case FusionKind.Dot:
                DotLowering.Emit(scope, op);
                break;
            default:
                throw new NotSupportedException($"no CPU lowering for '{FusionPrimitive.KindName(Prims.Fusion.KindOf(op.Attributes))}' fusions yet");
        }
    }

    /// <summary>A dense constant: its bytes in a private global, copied into the result's buffer.</summary>
    private static void EmitConstant(KernelScope scope, Operation op)
    {
        var value = op.Attributes.Buffer("value");
        var m = scope.M;
        var bytes = value.Bytes;
        var elements = new LLVMValueRef[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) elements[i] = LlvmCore.ConstInt(m.I8, bytes[i], false);
        var arrayType = LlvmCore.ArrayType2(m.I8, (ulong)bytes.Length);
        var global = LlvmCore.AddGlobal(m.Module, arrayType, "constant");
        LlvmCore.SetInitializer(global, LlvmCore.ConstArray2(m.I8, elements, (ulong)elements.Length));
        LlvmCore.SetLinkage(global, LLVMLinkage.Private);
        LlvmCore.SetGlobalConstant(global, true);
        KernelCompiler.Copy(scope, op.Results[0].Type, global, scope.Pointer(op.Results[0]));
    }

    /// <summary>reshape, squeeze, expand_dims: the same row-major elements; nothing to do when the plan put the result in the operand's buffer.</summary>
    private static void EmitView(KernelScope scope, Operation op)
    {
        var from = scope.Pointer(op.Operands[0]);
        var to = scope.Pointer(op.Results[0]);
        if (from.Handle == to.Handle) return;
        KernelCompiler.Copy(scope, op.Results[0].Type, from, to);
    }
}
