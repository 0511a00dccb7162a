using JaxToolchain.Backends.Spirv;

namespace JaxToolchain.Backends.Tests.Spirv;

public sealed class SpirvModuleBuilderTests
{
    [Fact]
    public void StringsAreUtf8NulTerminatedAndPaddedToWords()
    {
        Assert.Equal([0x0063_6261u], SpirvModuleBuilder.EncodeString("abc"));
        Assert.Equal([0x6E69_616Du, 0u], SpirvModuleBuilder.EncodeString("main"));
        Assert.Equal([0u], SpirvModuleBuilder.EncodeString(""));
        Assert.Equal([0x0000_A4C3u], SpirvModuleBuilder.EncodeString("ä"));
    }

    [Fact]
    public void TheHeaderHasMagicVersionAndTheFinalBound()
    {
        var (m, _) = MinimalCompute();
        var words = m.ToWords();
        Assert.Equal([0x07230203u, 0x00010300u, SpirvModuleBuilder.Generator, m.Bound, 0u], words[..5]);
        Assert.Equal(new byte[] { 0x03, 0x02, 0x23, 0x07 }, m.ToBytes()[..4]);
        Assert.Equal(words.Length * 4, m.ToBytes().Length);
    }

    [Fact]
    public void TypesAndConstantsAreSharedStructsAreNot()
    {
        var m = new SpirvModuleBuilder();
        Assert.Equal(m.TypeInt(32, false), m.TypeInt(32, false));
        Assert.NotEqual(m.TypeInt(32, false), m.TypeInt(32, true));
        Assert.Equal(m.TypeFloat(32), m.TypeFloat(32));
        Assert.Equal(m.ConstantUInt32(7), m.ConstantUInt32(7));
        Assert.NotEqual(m.ConstantUInt32(7), m.ConstantInt32(7));
        Assert.Equal(m.ConstantBool(true), m.ConstantBool(true));
        Assert.NotEqual(m.ConstantBool(true), m.ConstantBool(false));
        Assert.Equal(m.ConstantNull(m.TypeFloat(32)), m.ConstantNull(m.TypeFloat(32)));
        Assert.NotEqual(m.ConstantFloat32(0f), m.ConstantFloat32(-0f));
        Assert.NotEqual(m.TypeStruct(m.TypeFloat(32)), m.TypeStruct(m.TypeFloat(32)));
        Assert.Equal(m.TypePointer(SpirvStorageClass.StorageBuffer, m.TypeFloat(32)), m.TypePointer(SpirvStorageClass.StorageBuffer, m.TypeFloat(32)));
        Assert.Equal(m.GlslStd450, m.ImportExtendedInstructions("GLSL.std.450"));
    }

    [Fact]
    public void MisuseIsRefused()
    {
        var m = new SpirvModuleBuilder();
        var v = m.TypeVoid();
        Assert.Throws<InvalidOperationException>(() => m.Label());
        m.BeginFunction(v, m.TypeFunction(v));
        Assert.Throws<InvalidOperationException>(() => m.BeginFunction(v, m.TypeFunction(v)));
        Assert.Throws<InvalidOperationException>(() => m.Emit(SpirvOp.Return, null, Array.Empty<uint>()));
        m.Label();
        Assert.Throws<ArgumentException>(() => m.Emit(SpirvOp.IAdd, null, m.ConstantUInt32(1), m.ConstantUInt32(2)));
        Assert.Throws<ArgumentException>(() => m.Emit(SpirvOp.Store, m.TypeInt(32, false), m.ConstantUInt32(1), m.ConstantUInt32(2)));
        Assert.Throws<InvalidOperationException>(() => m.EndFunction());
        Assert.Throws<InvalidOperationException>(() => m.ToWords());
        Assert.Throws<ArgumentOutOfRangeException>(() => m.TypeInt(24, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.TypeVector(m.TypeFloat(32), 5));
    }

    [SpirvToolsFact]
    public void AMinimalComputeModuleValidatesAndDisassembles()
    {
        var (m, _) = MinimalCompute();
        var words = m.ToWords();
        SpirvTools.AssertValid(words);
        var text = SpirvTools.Disassemble(words);
        foreach (var expected in new[]
        {
            "OpCapability Shader", "OpCapability Float64", "OpExtInstImport \"GLSL.std.450\"", "OpMemoryModel Logical GLSL450",
            "OpEntryPoint GLCompute", "\"main\"", "OpExecutionMode", "LocalSize 64 1 1", "OpName", "\"data\"", "OpDecorate",
            "Block", "ArrayStride 4", "OpMemberDecorate", "Offset 0", "DescriptorSet 0", "Binding 0", "BuiltIn GlobalInvocationId",
            "OpTypeRuntimeArray", "OpTypePointer StorageBuffer", "OpVariable", "OpAccessChain", "OpExtInst", "Sqrt", "OpFConvert",
            "OpReturn", "OpFunctionEnd",
        })
            Assert.Contains(expected, text);
        // The sections are in the specification's order, though Float64 was declared last.
        string[] order = ["OpCapability", "OpExtInstImport", "OpMemoryModel", "OpEntryPoint", "OpExecutionMode", "OpName", "OpDecorate", "OpTypeVoid", "OpFunction "];
        var positions = order.Select(o => text.IndexOf(o, StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
    }

    /// <summary>
    /// data[gid.x] = float(sqrt(double(data[gid.x]))) over one storage buffer: every section used (the Float64
    /// capability comes from a type declared after the function's first instructions).
    /// </summary>
    internal static (SpirvModuleBuilder Module, SpirvId Main) MinimalCompute()
    {
        var m = new SpirvModuleBuilder();
        m.Capability(SpirvCapability.Shader);
        m.MemoryModel(SpirvAddressingModel.Logical, SpirvMemoryModel.GLSL450);
        var f32 = m.TypeFloat(32);
        var u32 = m.TypeInt(32, false);
        var array = m.TypeRuntimeArray(f32);
        m.Decorate(array, SpirvDecoration.ArrayStride, 4);
        var block = m.TypeStruct(array);
        m.Decorate(block, SpirvDecoration.Block);
        m.MemberDecorate(block, 0, SpirvDecoration.Offset, 0);
        m.MemberName(block, 0, "values");
        var data = m.GlobalVariable(m.TypePointer(SpirvStorageClass.StorageBuffer, block), SpirvStorageClass.StorageBuffer);
        m.Decorate(data, SpirvDecoration.DescriptorSet, 0);
        m.Decorate(data, SpirvDecoration.Binding, 0);
        m.Name(data, "data");
        var uvec3 = m.TypeVector(u32, 3);
        var gid = m.GlobalVariable(m.TypePointer(SpirvStorageClass.Input, uvec3), SpirvStorageClass.Input);
        m.Decorate(gid, SpirvDecoration.BuiltIn, (uint)SpirvBuiltIn.GlobalInvocationId);
        var v = m.TypeVoid();
        var main = m.BeginFunction(v, m.TypeFunction(v));
        m.EntryPoint(SpirvExecutionModel.GLCompute, main, "main", gid);
        m.ExecutionMode(main, SpirvExecutionMode.LocalSize, 64, 1, 1);
        m.Label();
        var x = m.Emit(SpirvOp.CompositeExtract, u32, m.Emit(SpirvOp.Load, uvec3, gid).Value, 0u);
        var pointer = m.Emit(SpirvOp.AccessChain, m.TypePointer(SpirvStorageClass.StorageBuffer, f32), data, m.ConstantUInt32(0), x);
        var f64 = m.TypeFloat(64);
        var wide = m.Emit(SpirvOp.FConvert, f64, m.Emit(SpirvOp.Load, f32, pointer));
        m.Emit(SpirvOp.Store, null, pointer, m.Emit(SpirvOp.FConvert, f32, m.Glsl(GlslStd450.Sqrt, f64, wide)));
        m.Emit(SpirvOp.Return, null, Array.Empty<uint>());
        m.EndFunction();
        return (m, main);
    }
}
