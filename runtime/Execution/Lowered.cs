using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// A jitted function lowered for one signature (JAX's <c>Lowered</c>): the traced, simplified IR that the
/// executable is compiled from.
/// </summary>
public sealed class Lowered
{
    internal Lowered(string name, Function function)
    {
        Name = name;
        Function = function;
    }

    /// <summary>The kernel name.</summary>
    public string Name { get; }

    /// <summary>The traced and simplified IR function.</summary>
    public Function Function { get; }

    /// <summary>The IR as text.</summary>
    public string AsText() => IrPrinter.Print(Function);

    /// <inheritdoc/>
    public override string ToString() => AsText();
}
