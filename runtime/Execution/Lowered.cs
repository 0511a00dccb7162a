using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// A jitted function lowered for one signature (JAX's <c>Lowered</c>, from <c>Jax.Jit(f).Lower(args)</c>): the traced
/// and simplified IR, the same IR fused into kernels with its buffer plan (what the CPU and Vulkan backends compile),
/// as annotated text and as a Graphviz DOT graph of the kernels, their primitives and buffers.
/// </summary>
public sealed class Lowered
{
    internal Lowered(string name, Function traced, IEnumerable<int> donatedParameters)
    {
        Name = name;
        Function = traced;
        Kernels = LoweredFunction.Create(traced, donatedParameters);
    }

    /// <summary>The kernel name.</summary>
    public string Name { get; }

    /// <summary>The traced and simplified IR function, as the executable is compiled from it.</summary>
    public Function Function { get; }

    /// <summary>The function fused into kernels, with its buffer plan.</summary>
    public LoweredFunction Kernels { get; }

    /// <summary>The fused IR with every value's buffer slot and size (<c>// slot 2: 40000000 B (in place of %3)</c>) and the peak bytes.</summary>
    public string AsText() => Kernels.Text;

    /// <summary>The kernels as a Graphviz DOT graph: one node per kernel listing its primitives, edges with buffer slots and sizes.</summary>
    public string AsDot() => Kernels.Dot;

    /// <summary>The traced and simplified IR before fusion.</summary>
    public string AsUnfusedText() => IrPrinter.Print(Function);

    /// <inheritdoc/>
    public override string ToString() => AsText();
}
