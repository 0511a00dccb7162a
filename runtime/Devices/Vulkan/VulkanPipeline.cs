using System.Runtime.InteropServices;
using Silk.NET.Vulkan;

namespace JaxToolchain.Vulkan;

/// <summary>
/// A compute pipeline over a SPIR-V module: its shader module, a descriptor set layout of storage buffers (set 0,
/// bindings 0..n-1), a push-constant range, the pipeline layout and pipeline, and one descriptor set (dispatches run
/// one at a time in this slice). A module the driver refuses is a <see cref="VulkanException"/> naming the call.
/// </summary>
internal sealed unsafe class VulkanPipeline : IDisposable
{
    private readonly VulkanComputeContext _context;
    private readonly ShaderModule _module;
    private readonly DescriptorSetLayout _setLayout;
    private readonly DescriptorPool _pool;
    private bool _disposed;

    public VulkanPipeline(VulkanComputeContext context, ReadOnlySpan<uint> spirv, string entryPoint, int bufferCount, int pushConstantBytes)
    {
        if (spirv.Length < 5 || spirv[0] != 0x07230203) throw new ArgumentException("not a SPIR-V module (magic number 0x07230203 missing)", nameof(spirv));
        if (pushConstantBytes % 4 != 0) throw new ArgumentException("push constants are a multiple of 4 bytes", nameof(pushConstantBytes));
        _context = context;
        BufferCount = bufferCount;
        PushConstantBytes = pushConstantBytes;
        var vk = context.Api;
        var device = context.Device;
        var created = new List<Action>();
        try
        {
            fixed (uint* code = spirv)
            {
                var moduleInfo = new ShaderModuleCreateInfo { SType = StructureType.ShaderModuleCreateInfo, CodeSize = (nuint)(spirv.Length * 4), PCode = code };
                ShaderModule module;
                VulkanException.Check(vk.CreateShaderModule(device, &moduleInfo, null, &module), "vkCreateShaderModule");
                _module = module;
            }
            created.Add(() => vk.DestroyShaderModule(device, _module, null));

            var bindings = stackalloc DescriptorSetLayoutBinding[Math.Max(bufferCount, 1)];
            for (int i = 0; i < bufferCount; i++)
                bindings[i] = new DescriptorSetLayoutBinding { Binding = (uint)i, DescriptorType = DescriptorType.StorageBuffer, DescriptorCount = 1, StageFlags = ShaderStageFlags.ComputeBit };
            var layoutInfo = new DescriptorSetLayoutCreateInfo { SType = StructureType.DescriptorSetLayoutCreateInfo, BindingCount = (uint)bufferCount, PBindings = bindings };
            DescriptorSetLayout setLayout;
            VulkanException.Check(vk.CreateDescriptorSetLayout(device, &layoutInfo, null, &setLayout), "vkCreateDescriptorSetLayout");
            _setLayout = setLayout;
            created.Add(() => vk.DestroyDescriptorSetLayout(device, _setLayout, null));

            var range = new PushConstantRange { StageFlags = ShaderStageFlags.ComputeBit, Offset = 0, Size = (uint)pushConstantBytes };
            var pipelineLayoutInfo = new PipelineLayoutCreateInfo
            {
                SType = StructureType.PipelineLayoutCreateInfo,
                SetLayoutCount = 1,
                PSetLayouts = &setLayout,
                PushConstantRangeCount = pushConstantBytes > 0 ? 1u : 0u,
                PPushConstantRanges = &range,
            };
            PipelineLayout pipelineLayout;
            VulkanException.Check(vk.CreatePipelineLayout(device, &pipelineLayoutInfo, null, &pipelineLayout), "vkCreatePipelineLayout");
            Layout = pipelineLayout;
            created.Add(() => vk.DestroyPipelineLayout(device, Layout, null));

            var name = Marshal.StringToHGlobalAnsi(entryPoint);
            try
            {
                var stage = new PipelineShaderStageCreateInfo { SType = StructureType.PipelineShaderStageCreateInfo, Stage = ShaderStageFlags.ComputeBit, Module = _module, PName = (byte*)name };
                var pipelineInfo = new ComputePipelineCreateInfo { SType = StructureType.ComputePipelineCreateInfo, Stage = stage, Layout = pipelineLayout };
                Pipeline pipeline;
                VulkanException.Check(vk.CreateComputePipelines(device, default, 1, &pipelineInfo, null, &pipeline), "vkCreateComputePipelines");
                Pipeline = pipeline;
            }
            finally
            {
                Marshal.FreeHGlobal(name);
            }
            created.Add(() => vk.DestroyPipeline(device, Pipeline, null));

            var poolSize = new DescriptorPoolSize { Type = DescriptorType.StorageBuffer, DescriptorCount = (uint)Math.Max(bufferCount, 1) };
            var poolInfo = new DescriptorPoolCreateInfo { SType = StructureType.DescriptorPoolCreateInfo, MaxSets = 1, PoolSizeCount = 1, PPoolSizes = &poolSize };
            DescriptorPool pool;
            VulkanException.Check(vk.CreateDescriptorPool(device, &poolInfo, null, &pool), "vkCreateDescriptorPool");
            _pool = pool;
            created.Add(() => vk.DestroyDescriptorPool(device, _pool, null));
            var setInfo = new DescriptorSetAllocateInfo { SType = StructureType.DescriptorSetAllocateInfo, DescriptorPool = pool, DescriptorSetCount = 1, PSetLayouts = &setLayout };
            DescriptorSet set;
            VulkanException.Check(vk.AllocateDescriptorSets(device, &setInfo, &set), "vkAllocateDescriptorSets");
            DescriptorSet = set;
        }
        catch
        {
            for (int i = created.Count - 1; i >= 0; i--) created[i]();
            throw;
        }
    }

    public int BufferCount { get; }

    /// <summary>The layout of descriptor set 0 (storage buffers 0..<see cref="BufferCount"/>-1).</summary>
    public DescriptorSetLayout SetLayout => _setLayout;

    public int PushConstantBytes { get; }

    public PipelineLayout Layout { get; }

    public Pipeline Pipeline { get; }

    public DescriptorSet DescriptorSet { get; }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var vk = _context.Api;
        var device = _context.Device;
        vk.DestroyDescriptorPool(device, _pool, null);
        vk.DestroyPipeline(device, Pipeline, null);
        vk.DestroyPipelineLayout(device, Layout, null);
        vk.DestroyDescriptorSetLayout(device, _setLayout, null);
        vk.DestroyShaderModule(device, _module, null);
    }
}
