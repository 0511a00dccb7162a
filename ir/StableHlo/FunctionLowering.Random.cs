namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// <c>rng_bit_generator</c> (what JAX's <c>lax.rng_bit_generator</c> and its <c>rbg</c>/<c>unsafe_rbg</c> PRNG
/// implementations lower to): XLA's bit generators, composed from integer ops as XLA's <c>RngBitGeneratorExpander</c>
/// builds them (xla/hlo/builder/lib/prng.cc), so a module gives the bits XLA gives. The state is <c>ui64[n]</c>: its
/// first element is the key. <c>THREE_FRY</c> (Threefry-2x32, 20 rounds): the second element is a 64-bit counter, each
/// output pair one counter value; <c>PHILOX</c> (Philox-4x32, 10 rounds) and <c>DEFAULT</c> (XLA's CPU and GPU
/// default is Philox): a 128-bit counter from elements 1 and 2 (for a two-element state: element 1, then the key as its
/// high half), each output quadruple one counter value. 64-bit outputs join two words (low first), 8- and 16-bit
/// outputs keep the low bits of 32-bit ones, floats are the bits reinterpreted. The new state is the key and the
/// counter advanced past the values used.
/// </summary>
internal sealed partial class FunctionLowering
{
    private IReadOnlyList<object> LowerRngBitGenerator()
    {
        var state = Operand(0);
        if (state.Type.DType != DType.UInt64 || state.Type.Rank != 1 || !state.Type.Shape.IsStatic || state.Type.Shape[0].Size < 2)
            throw Invalid($"the state is {state.Type}; rng_bit_generator needs a ui64 vector of at least 2 elements");
        var algorithm = WordOf(Attr("rng_algorithm", "algorithm")) ?? (_op.Words.Count > 0 ? _op.Words[0] : "DEFAULT");
        var output = ResultType(1);
        if (!output.Shape.IsStatic) throw Unsupported($"op not in our primitive set: rng_bit_generator of the dynamic shape {output}");
        int width = output.DType == DType.Bool ? 0 : output.DType.ItemSize() * 8;
        if (width is not (8 or 16 or 32 or 64))
            throw Invalid($"the output is {output}; rng_bit_generator makes integers or floats of 8 to 64 bits");
        var key = Element(state, 0);
        var (bits, counter) = algorithm switch
        {
            "THREE_FRY" => width == 64 ? ThreeFry64(key, Element(state, 1), output.Shape) : ThreeFry32(key, Element(state, 1), output.Shape),
            "PHILOX" or "DEFAULT" => Philox(key, state, output.Shape, width == 64),
            _ => throw Invalid($"unknown rng_algorithm {algorithm} (DEFAULT, THREE_FRY or PHILOX)"),
        };
        if (width < 32) bits = _e.ConvertElementType(bits, width == 8 ? DType.UInt8 : DType.UInt16);
        if (bits.Type.DType != output.DType) bits = _e.Emit1(Prims.BitcastConvertType, [bits], Attributes.Of(("new_dtype", output.DType)));
        var newState = _e.Concatenate([_e.Reshape(key, Shape.Of(1)), counter], 0);
        return [newState, bits];
    }

    // ---- Threefry ----

    /// <summary>32-bit words: the output shape split in two halves (each counter value gives one word of each), XLA's SplitShapeIntoHalves.</summary>
    private (Value Bits, Value Counter) ThreeFry32(Value key, Value counter, Shape shape)
    {
        var sizes = shape.Sizes;
        int rank = sizes.Length;
        int split = rank == 0 ? 0 : Array.FindIndex(sizes, s => s % 2 == 0);
        if (split < 0) split = Array.IndexOf(sizes, sizes.Max());
        long[] half = rank == 0 ? [1] : [.. sizes.Take(split), (sizes[split] + 1) / 2, 1, .. sizes.Skip(split + 1)];
        var (y0, y1) = ThreeFry2x32(key, CounterGrid(counter, Shape.Of(half)));
        var next = _e.Reshape(_e.Add(counter, U64(half.Aggregate(1L, (p, s) => p * s))), Shape.Of(1));
        if (rank == 0) return (_e.Reshape(y0, Shape.Scalar), next);
        var joined = _e.Concatenate([y0, y1], split + 1);
        var even = (long[])sizes.Clone();
        even[split] = (sizes[split] + 1) / 2 * 2;
        var result = _e.Reshape(joined, Shape.Of(even));
        if (even[split] != sizes[split]) result = _e.Slice(result, new long[rank], sizes, [.. Enumerable.Repeat(1L, rank)]);
        return (result, next);
    }

    /// <summary>64-bit words: one counter value per element, its two words joined (low first).</summary>
    private (Value Bits, Value Counter) ThreeFry64(Value key, Value counter, Shape shape)
    {
        var (y0, y1) = ThreeFry2x32(key, CounterGrid(counter, shape));
        var next = _e.Reshape(_e.Add(counter, U64(shape.ElementCount)), Shape.Of(1));
        return (JoinWords(y0, y1), next);
    }

    /// <summary>The counter plus each element's row-major index (dims of size 1 skipped, as XLA does), as u64.</summary>
    private Value CounterGrid(Value counter, Shape shape)
    {
        var grid = _e.BroadcastInDim(counter, shape, []);
        long stride = 1;
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            if (shape[d].Size < 2) continue;
            grid = _e.Add(grid, _e.Mul(_e.Iota(DType.UInt64, shape, d), _e.BroadcastInDim(U64(stride), shape, [])));
            stride *= shape[d].Size;
        }
        return grid;
    }

    /// <summary>Threefry-2x32 with 20 rounds of (the low and high words of) u64 counters under the u64 key.</summary>
    private (Value, Value) ThreeFry2x32(Value key, Value counters)
    {
        var shape = counters.Type.Shape;
        var (k0, k1) = (Low(key), High(key));
        var k2 = _e.Xor(_e.Xor(U32(0x1BD11BDA), k0), k1);
        Value Spread(Value scalar) => _e.BroadcastInDim(scalar, shape, []);
        Value[] ks = [Spread(k0), Spread(k1), Spread(k2)];
        var x0 = _e.Add(Low(counters), ks[0]);
        var x1 = _e.Add(High(counters), ks[1]);
        int[] rotations = [13, 15, 26, 6, 17, 29, 16, 24];
        for (int block = 0; block < 5; block++)
        {
            for (int r = 0; r < 4; r++)
            {
                x0 = _e.Add(x0, x1);
                x1 = _e.Xor(x0, RotateLeft(x1, rotations[(block % 2) * 4 + r]));
            }
            x0 = _e.Add(x0, ks[(block + 1) % 3]);
            x1 = _e.Add(_e.Add(x1, ks[(block + 2) % 3]), Spread(U32((uint)(block + 1))));
        }
        return (x0, x1);
    }

    private Value RotateLeft(Value v, int distance)
    {
        var shape = v.Type.Shape;
        Value By(int n) => _e.BroadcastInDim(U32((uint)n), shape, []);
        return _e.Or(_e.Emit1(Prims.ShiftLeft, [v, By(distance)]), _e.Emit1(Prims.ShiftRightLogical, [v, By(32 - distance)]));
    }

    // ---- Philox ----

    /// <summary>
    /// Philox-4x32: ceil(n / 4) counter values (ceil(n / 2) for 64-bit words) from the 128-bit counter, each giving
    /// four words, interleaved so that consecutive elements take consecutive words of one value.
    /// </summary>
    private (Value Bits, Value Counter) Philox(Value key, Value state, Shape shape, bool wide)
    {
        bool three = state.Type.Shape[0].Size >= 3;
        var (low, high) = three ? (Element(state, 1), Element(state, 2)) : (Element(state, 1), Element(state, 0));
        long count = shape.ElementCount;
        long vectors = wide ? (count + 1) / 2 : (count + 3) / 4;
        var iota = _e.Iota(DType.UInt64, Shape.Of(vectors), 0);
        var (inputLow, inputHigh) = Add128(low, high, iota);
        var words = PhiloxRounds([Low(inputLow), High(inputLow), Low(inputHigh), High(inputHigh)], Low(key), High(key));
        Value[] columns = wide ? [JoinWords(words[0], words[1]), JoinWords(words[2], words[3])] : words;
        var interleaved = _e.Concatenate([.. columns.Select(c => _e.Reshape(c, Shape.Of(vectors, 1)))], 1);
        var flat = _e.Reshape(interleaved, Shape.Of(vectors * columns.Length));
        if (vectors * columns.Length != count) flat = _e.Slice(flat, [0], [count], [1]);
        var (nextLow, nextHigh) = Add128(low, high, U64(vectors));
        var next = three ? _e.Concatenate([_e.Reshape(nextLow, Shape.Of(1)), _e.Reshape(nextHigh, Shape.Of(1))], 0) : _e.Reshape(nextLow, Shape.Of(1));
        return (_e.Reshape(flat, shape), next);
    }

    /// <summary>The 128-bit (low, high) plus u64 values (a scalar or a vector): the low words added, a carry into the high word.</summary>
    private (Value Low, Value High) Add128(Value low, Value high, Value add)
    {
        var shape = add.Type.Shape;
        var lowSpread = _e.BroadcastInDim(low, shape, []);
        var highSpread = _e.BroadcastInDim(high, shape, []);
        var sum = _e.Add(lowSpread, add);
        var carried = _e.Select(_e.Lt(sum, lowSpread), _e.Add(highSpread, _e.BroadcastInDim(U64(1), shape, [])), highSpread);
        return (sum, carried);
    }

    /// <summary>Ten Philox-4x32 rounds of the four words under the key (k0, k1), the key raised by the Weyl constants after each.</summary>
    private Value[] PhiloxRounds(Value[] x, Value k0, Value k1)
    {
        var shape = x[0].Type.Shape;
        Value Spread(Value scalar) => _e.BroadcastInDim(scalar, shape, []);
        for (int round = 0; round < 10; round++)
        {
            var (hi0, lo0) = MultiplyWide(x[0], 0xD2511F53);
            var (hi1, lo1) = MultiplyWide(x[2], 0xCD9E8D57);
            x = [_e.Xor(_e.Xor(hi1, x[1]), Spread(k0)), lo1, _e.Xor(_e.Xor(hi0, x[3]), Spread(k1)), lo0];
            k0 = _e.Add(k0, U32(0x9E3779B9));
            k1 = _e.Add(k1, U32(0xBB67AE85));
        }
        return x;
    }

    /// <summary>The high and low words of u32 x times a constant, through u64.</summary>
    private (Value High, Value Low) MultiplyWide(Value x, uint factor)
    {
        var product = _e.Mul(_e.ConvertElementType(x, DType.UInt64), _e.BroadcastInDim(U64(factor), x.Type.Shape, []));
        return (High(product), _e.ConvertElementType(product, DType.UInt32));
    }

    // ---- words ----

    private Value Element(Value vector, long index) => _e.Reshape(_e.Slice(vector, [index], [index + 1], [1]), Shape.Scalar);

    private Value Low(Value u64) => _e.ConvertElementType(u64, DType.UInt32);

    private Value High(Value u64) =>
        _e.ConvertElementType(_e.Emit1(Prims.ShiftRightLogical, [u64, _e.BroadcastInDim(U64(32), u64.Type.Shape, [])]), DType.UInt32);

    private Value JoinWords(Value low, Value high)
    {
        var shifted = _e.Emit1(Prims.ShiftLeft, [_e.ConvertElementType(high, DType.UInt64), _e.BroadcastInDim(U64(32), high.Type.Shape, [])]);
        return _e.Or(_e.ConvertElementType(low, DType.UInt64), shifted);
    }

    private Value U32(uint value) => _e.Constant(Buffer.Scalar(value));

    private Value U64(long value) => _e.Constant(Buffer.Scalar((ulong)value));
}
