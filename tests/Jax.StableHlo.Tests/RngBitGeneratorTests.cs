using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace Jax.StableHlo.Tests;

/// <summary>
/// <c>rng_bit_generator</c> as XLA's bit generators compute it: the ciphers against Random123's known-answer vectors
/// (Threefry-2x32-20, Philox-4x32-10), the counter layout against XLA's output for a zero state (as the r-xla project's
/// documentation prints it), the state update, and the output types; on the interpreter, the LLVM CPU backend and Vulkan.
/// </summary>
public sealed class RngBitGeneratorTests
{
    private static string Module(string state, int stateSize, string algorithm, string output) => $$"""
        func.func @main() -> (tensor<{{stateSize}}xui64>, tensor<{{output}}>) {
          %state = stablehlo.constant dense<{{state}}> : tensor<{{stateSize}}xui64>
          %0:2 = "stablehlo.rng_bit_generator"(%state) {rng_algorithm = #stablehlo<rng_algorithm {{algorithm}}>} : (tensor<{{stateSize}}xui64>) -> (tensor<{{stateSize}}xui64>, tensor<{{output}}>)
          return %0#0, %0#1 : tensor<{{stateSize}}xui64>, tensor<{{output}}>
        }
        """;

    /// <summary>The module's (state, bits) from the interpreter, checked equal to the LLVM CPU backend's and (where there is a device) Vulkan's.</summary>
    private static (ulong[] State, Buffer Bits) Run(string text)
    {
        var f = StableHloImporter.ImportFunction(text);
        var interpreted = Interpreter.Run(f);
        foreach (var other in new[] { CompiledRuns.RunFunction(f), VulkanRuns.RunFunction(f) })
        {
            if (other is null) continue;
            Assert.Equal(interpreted[0].ToArray<ulong>(), other[0].ToArray<ulong>());
            Assert.Equal(interpreted[1].ToArray(), other[1].ToArray());
        }
        return (interpreted[0].ToArray<ulong>(), interpreted[1]);
    }

    [Theory]
    [InlineData("[0, 0]", new uint[] { 0x6b200159, 0x99ba4efe })]
    [InlineData("[18446744073709551615, 18446744073709551615]", new uint[] { 0x1cb996fc, 0xbb002be7 })]
    // key 13198a2e 03707344, counter 243f6a88 85a308d3 (low words first)
    [InlineData("[247824715720788526, 9629550131187509896]", new uint[] { 0xc4923a9c, 0x483df7a0 })]
    public void ThreeFryIsThreefry2x32OfTheCounterUnderTheKey(string state, uint[] expected)
    {
        var (next, bits) = Run(Module(state, 2, "THREE_FRY", "2xui32"));
        Assert.Equal(expected, bits.ToArray<uint>());
        Assert.Equal(1UL, unchecked(next[1] - ParseState(state)[1]));
        Assert.Equal(ParseState(state)[0], next[0]);
        // 64-bit outputs join the two words, low first.
        var (_, wide) = Run(Module(state, 2, "THREE_FRY", "1xui64"));
        Assert.Equal([expected[0] | ((ulong)expected[1] << 32)], wide.ToArray<ulong>());
    }

    /// <summary>XLA's output for a zero state and u32[3, 2] (split on the even axis: one counter per row), state [0, 3].</summary>
    [Fact]
    public void ThreeFrySplitsTheShapeAsXlaDoes()
    {
        var (next, bits) = Run(Module("[0, 0]", 2, "THREE_FRY", "3x2xui32"));
        Assert.Equal([0UL, 3UL], next);
        var r = bits.ToArray<uint>();
        Assert.Equal([0x6b200159u, 0x99ba4efe], r[..2]);
        // The printed values have five significant digits.
        double[] printed = [1.3515e9, 3.2358e9, 1.6886e9, 4.2293e9];
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(r[2 + i] - printed[i]) < 1e5, $"[{2 + i}] = {r[2 + i]}, XLA printed {printed[i]}");
        // An odd shape splits its largest axis and drops the extra word; the same counters give the same words.
        var (_, odd) = Run(Module("[0, 0]", 2, "THREE_FRY", "3xui32"));
        var (_, pair) = Run(Module("[0, 0]", 2, "THREE_FRY", "4xui32"));
        Assert.Equal(pair.ToArray<uint>()[..3], odd.ToArray<uint>());
    }

    [Theory]
    [InlineData("[0, 0, 0]", new uint[] { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 })]
    [InlineData("[18446744073709551615, 18446744073709551615, 18446744073709551615]", new uint[] { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd })]
    // key a4093822 299f31d0, counter 243f6a88 85a308d3 13198a2e 03707344 (low words first)
    [InlineData("[2999170649027065890, 9629550131187509896, 247824715720788526]", new uint[] { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 })]
    public void PhiloxIsPhilox4x32OfTheCounterUnderTheKey(string state, uint[] expected)
    {
        var (next, bits) = Run(Module(state, 3, "PHILOX", "4xui32"));
        Assert.Equal(expected, bits.ToArray<uint>());
        var s = ParseState(state);
        // The 128-bit counter advances by one (with a carry into the high word).
        ulong low = unchecked(s[1] + 1);
        Assert.Equal([s[0], low, low == 0 ? unchecked(s[2] + 1) : s[2]], next);
        // DEFAULT is Philox (XLA's CPU and GPU default).
        Assert.Equal(expected, Run(Module(state, 3, "DEFAULT", "4xui32")).Bits.ToArray<uint>());
    }

    /// <summary>Consecutive elements take consecutive words of one counter value; a two-element state's counter is (element 1, the key).</summary>
    [Fact]
    public void PhiloxLaysOutWordsAndReadsTwoElementStates()
    {
        var (next, five) = Run(Module("[7, 100, 9]", 3, "PHILOX", "5xui32"));
        Assert.Equal([7UL, 102UL, 9UL], next);
        var first = Run(Module("[7, 100, 9]", 3, "PHILOX", "4xui32")).Bits.ToArray<uint>();
        var second = Run(Module("[7, 101, 9]", 3, "PHILOX", "4xui32")).Bits.ToArray<uint>();
        Assert.Equal([.. first, second[0]], five.ToArray<uint>());
        // 64-bit words: two per counter value, each joining a pair of 32-bit words.
        var (_, wide) = Run(Module("[7, 100, 9]", 3, "PHILOX", "3xui64"));
        Assert.Equal([first[0] | ((ulong)first[1] << 32), first[2] | ((ulong)first[3] << 32), second[0] | ((ulong)second[1] << 32)], wide.ToArray<ulong>());

        var (twoNext, two) = Run(Module("[7, 100]", 2, "PHILOX", "4xui32"));
        Assert.Equal(Run(Module("[7, 100, 7]", 3, "PHILOX", "4xui32")).Bits.ToArray<uint>(), two.ToArray<uint>());
        Assert.Equal([7UL, 101UL], twoNext);
    }

    /// <summary>
    /// JAX's <c>rbg</c> PRNG as it lowers: the uint32[4] key reshaped to 2x2 and bitcast to a ui64[2] state (the first
    /// word the low half), DEFAULT algorithm: the bits of that state.
    /// </summary>
    [Fact]
    public void JaxRbgKeysBitcastToTheState()
    {
        const string text = """
            func.func @main() -> tensor<3x2xui32> {
              %key = stablehlo.constant dense<[5, 1, 9, 2]> : tensor<4xui32>
              %0 = stablehlo.reshape %key : (tensor<4xui32>) -> tensor<2x2xui32>
              %1 = stablehlo.bitcast_convert %0 : (tensor<2x2xui32>) -> tensor<2xui64>
              %output_state, %output = stablehlo.rng_bit_generator %1, algorithm = DEFAULT : (tensor<2xui64>) -> (tensor<2xui64>, tensor<3x2xui32>)
              return %output : tensor<3x2xui32>
            }
            """;
        var f = StableHloImporter.ImportFunction(text);
        var bits = Interpreter.Run(f)[0].ToArray<uint>();
        ulong low = 5 | (1UL << 32), high = 9 | (2UL << 32);
        Assert.Equal(Run(Module($"[{low}, {high}]", 2, "PHILOX", "3x2xui32")).Bits.ToArray<uint>(), bits);
    }

    /// <summary>Floats are the bits reinterpreted; 8- and 16-bit outputs keep the low bits of 32-bit words; the pretty form reads the same.</summary>
    [Fact]
    public void OutputTypesAndThePrettyForm()
    {
        var words = Run(Module("[3, 4]", 2, "THREE_FRY", "2x2xui32")).Bits.ToArray<uint>();
        Assert.Equal(words.Select(BitConverter.UInt32BitsToSingle), Run(Module("[3, 4]", 2, "THREE_FRY", "2x2xf32")).Bits.ToArray<float>());
        Assert.Equal(words.Select(w => (byte)w), Run(Module("[3, 4]", 2, "THREE_FRY", "2x2xui8")).Bits.ToArray<byte>());
        Assert.Equal(words.Select(w => (short)w), Run(Module("[3, 4]", 2, "THREE_FRY", "2x2xi16")).Bits.ToArray<short>());
        const string pretty = """
            func.func @main() -> (tensor<2xui64>, tensor<2x2xui32>) {
              %state = stablehlo.constant dense<[3, 4]> : tensor<2xui64>
              %output_state, %output = stablehlo.rng_bit_generator %state, algorithm = THREE_FRY : (tensor<2xui64>) -> (tensor<2xui64>, tensor<2x2xui32>)
              return %output_state, %output : tensor<2xui64>, tensor<2x2xui32>
            }
            """;
        Assert.Equal(words, Run(pretty).Bits.ToArray<uint>());
        var e = Assert.Throws<StableHloImportException>(() => StableHloImporter.ImportFunction(Module("[3, 4]", 2, "THREE_FRY", "2xi1")));
        Assert.Equal("stablehlo.rng_bit_generator", e.OperationName);
        Assert.Contains("8 to 64 bits", e.Message);
    }

    private static ulong[] ParseState(string state) =>
        [.. state.Trim('[', ']').Split(',').Select(s => ulong.Parse(s.Trim(), System.Globalization.CultureInfo.InvariantCulture))];
}
