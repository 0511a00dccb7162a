using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// What the runtime needs to call a compiled kernel (the kernel ABI's frame): the exported symbol, the input and result
/// types (symbolic dims allowed), the symbols in the order the frame passes their sizes, and the byte sizes of the
/// scratch buffers that follow the results in the frame (functions of the symbols).
/// </summary>
/// <param name="Symbol">The exported entry point.</param>
/// <param name="Inputs">The parameter types.</param>
/// <param name="Outputs">The result types.</param>
/// <param name="Symbols">The symbolic dims, in frame order.</param>
/// <param name="Scratch">The scratch buffers' byte sizes.</param>
public sealed record KernelSignature(string Symbol, IReadOnlyList<ShapedType> Inputs, IReadOnlyList<ShapedType> Outputs,
    IReadOnlyList<string> Symbols, IReadOnlyList<SymbolicSize> Scratch);
