using System.Diagnostics;
using JaxToolchain.Vulkan;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Vulkan;

/// <summary>
/// The first slice of the Vulkan runtime on the machine's best device (lavapipe, Mesa's Vulkan CPU device, in CI: eng/prereqs.sh
/// installs mesa-vulkan-drivers and libvulkan1): buffers, a pipeline from SPIR-V (assembled here with spirv-as from
/// spirv-tools), a dispatch with push constants, and clear failures.
/// </summary>
public sealed class VulkanComputeTests(ITestOutputHelper output)
{
    /// <summary>c[i] = a[i] + b[i] * k for i below the push constant n; 64 invocations per workgroup.</summary>
    internal const string AddScaled = """
                       OpCapability Shader
                       OpMemoryModel Logical GLSL450
                       OpEntryPoint GLCompute %main "main" %gid
                       OpExecutionMode %main LocalSize 64 1 1
                       OpDecorate %gid BuiltIn GlobalInvocationId
                       OpDecorate %rta ArrayStride 4
                       OpMemberDecorate %buf 0 Offset 0
                       OpDecorate %buf Block
                       OpDecorate %a DescriptorSet 0
                       OpDecorate %a Binding 0
                       OpDecorate %b DescriptorSet 0
                       OpDecorate %b Binding 1
                       OpDecorate %c DescriptorSet 0
                       OpDecorate %c Binding 2
                       OpMemberDecorate %pc 0 Offset 0
                       OpMemberDecorate %pc 1 Offset 4
                       OpDecorate %pc Block
               %void = OpTypeVoid
                 %fn = OpTypeFunction %void
               %uint = OpTypeInt 32 0
                %int = OpTypeInt 32 1
              %float = OpTypeFloat 32
               %bool = OpTypeBool
             %v3uint = OpTypeVector %uint 3
             %ptr_in = OpTypePointer Input %v3uint
                %gid = OpVariable %ptr_in Input
                %rta = OpTypeRuntimeArray %float
                %buf = OpTypeStruct %rta
            %ptr_buf = OpTypePointer StorageBuffer %buf
                  %a = OpVariable %ptr_buf StorageBuffer
                  %b = OpVariable %ptr_buf StorageBuffer
                  %c = OpVariable %ptr_buf StorageBuffer
                 %pc = OpTypeStruct %uint %float
             %ptr_pc = OpTypePointer PushConstant %pc
             %pushed = OpVariable %ptr_pc PushConstant
            %ptr_pcu = OpTypePointer PushConstant %uint
            %ptr_pcf = OpTypePointer PushConstant %float
              %ptr_f = OpTypePointer StorageBuffer %float
                 %i0 = OpConstant %int 0
                 %i1 = OpConstant %int 1
               %main = OpFunction %void None %fn
              %entry = OpLabel
                  %g = OpLoad %v3uint %gid
                  %x = OpCompositeExtract %uint %g 0
                 %np = OpAccessChain %ptr_pcu %pushed %i0
                  %n = OpLoad %uint %np
                 %kp = OpAccessChain %ptr_pcf %pushed %i1
                  %k = OpLoad %float %kp
             %inside = OpULessThan %bool %x %n
                       OpSelectionMerge %end None
                       OpBranchConditional %inside %body %end
               %body = OpLabel
                 %pa = OpAccessChain %ptr_f %a %i0 %x
                 %pb = OpAccessChain %ptr_f %b %i0 %x
                 %va = OpLoad %float %pa
                 %vb = OpLoad %float %pb
                 %bk = OpFMul %float %vb %k
                  %s = OpFAdd %float %va %bk
                 %pw = OpAccessChain %ptr_f %c %i0 %x
                       OpStore %pw %s
                       OpBranch %end
                %end = OpLabel
                       OpReturn
                       OpFunctionEnd
        """;

    [Fact]
    public void A_spirv_kernel_runs_on_the_best_device_with_its_push_constants()
    {
        Assert.True(VulkanComputeContext.TryCreate(out var context, out var failure), failure);
        using (context)
        {
            output.WriteLine($"device: {context!.Info}");
            Assert.NotEmpty(context.Info.Name);
            const int n = 1000;
            var a = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
            var b = Enumerable.Range(0, n).Select(i => 0.5f * i - 7).ToArray();
            using var bufferA = context.CreateBuffer(n * 4);
            using var bufferB = context.CreateBuffer(n * 4);
            using var bufferC = context.CreateBuffer((n + 64) * 4);
            bufferA.Write<float>(a);
            bufferB.Write<float>(b);
            bufferC.Write<float>(Enumerable.Repeat(-1f, n + 64).ToArray());
            using var pipeline = context.CreatePipeline(Assemble(AddScaled), "main", bufferCount: 3, pushConstantBytes: 8);
            var push = new byte[8];
            BitConverter.TryWriteBytes(push.AsSpan(0, 4), (uint)n);
            BitConverter.TryWriteBytes(push.AsSpan(4, 4), 3f);
            context.Dispatch(pipeline, [bufferA, bufferB, bufferC], push, workgroups: (n + 63) / 64 + 1);
            var c = bufferC.Read<float>(n + 64);
            for (int i = 0; i < n; i++) Assert.Equal(a[i] + b[i] * 3f, c[i]);
            // Invocations at or past n wrote nothing.
            Assert.All(c[n..], v => Assert.Equal(-1f, v));

            // Mistakes in a dispatch are errors before anything runs.
            Assert.Throws<ArgumentException>(() => context.Dispatch(pipeline, [bufferA, bufferB], push, 1));
            Assert.Throws<ArgumentException>(() => context.Dispatch(pipeline, [bufferA, bufferB, bufferC], new byte[4], 1));
            Assert.Throws<ArgumentException>(() => context.CreatePipeline([1, 2, 3, 4, 5], "main", 3, 8));
        }
    }

    [Fact]
    public void A_missing_loader_is_a_clear_failure_naming_the_packages()
    {
        Assert.False(VulkanComputeContext.TryCreate(out var context, out var failure, library: "libvulkan-missing.so.1"));
        Assert.Null(context);
        Assert.Contains("libvulkan-missing.so.1", failure);
        if (OperatingSystem.IsLinux()) Assert.Contains("sudo apt-get install libvulkan1 mesa-vulkan-drivers", failure);
    }

    /// <summary>SPIR-V assembly text to words with spirv-as (SPIR-V 1.3, Vulkan 1.1), validated by spirv-val.</summary>
    internal static uint[] Assemble(string text)
    {
        string folder = Directory.CreateTempSubdirectory("jax-spirv-").FullName;
        try
        {
            string source = Path.Combine(folder, "kernel.spvasm"), binary = Path.Combine(folder, "kernel.spv");
            File.WriteAllText(source, text);
            Run("spirv-as", "--target-env", "vulkan1.1", "-o", binary, source);
            Run("spirv-val", "--target-env", "vulkan1.1", binary);
            var bytes = File.ReadAllBytes(binary);
            var words = new uint[bytes.Length / 4];
            System.Buffer.BlockCopy(bytes, 0, words, 0, bytes.Length);
            return words;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {errors}");
    }
}
