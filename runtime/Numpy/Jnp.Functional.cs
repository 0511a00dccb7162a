using JaxToolchain.Ir;

namespace JaxToolchain;

// jax.numpy's function application helpers (apply_along_axis, apply_over_axes, vectorize, built on Jax.Vmap) and
// bit packing (packbits, unpackbits).
public static partial class Jnp
{
    /// <summary>
    /// <paramref name="func1d"/> applied to every 1-D slice of <paramref name="arr"/> along <paramref name="axis"/>
    /// (<c>jnp.apply_along_axis</c>, through <see cref="Jax.Vmap(Func{Tensor, Tensor}, int, int)"/>): the function's
    /// result axes take the place of <paramref name="axis"/> in the result.
    /// </summary>
    public static Tensor ApplyAlongAxis(Func<Tensor, Tensor> func1d, int axis, Tensor arr)
    {
        ArgumentNullException.ThrowIfNull(func1d);
        ArgumentNullException.ThrowIfNull(arr);
        int n = arr.Ndim;
        if (n == 0) throw OpError("apply_along_axis", $"apply_along_axis needs an array of at least 1 dimension, got {arr.Aval.ToLongString()}");
        int a = Axes.Normalize(axis, n, "apply_along_axis", arr.Aval);
        var f = func1d;
        for (int i = 0; i < n - 1; i++) f = Jax.Vmap(f);
        var result = f(Moveaxis(arr, a, -1));
        // result: [the other axes of arr..., the function's axes...]; the function's axes go to position a.
        int k = result.Ndim - (n - 1);
        var perm = Enumerable.Range(0, a).Concat(Enumerable.Range(n - 1, k)).Concat(Enumerable.Range(a, n - 1 - a)).ToArray();
        return Transpose(result, perm);
    }

    /// <summary>
    /// <paramref name="func"/>(a, axis) applied for each axis of <paramref name="axes"/> in turn (<c>jnp.apply_over_axes</c>):
    /// a result with one dimension fewer gets that axis back as size 1, so the rank is kept.
    /// </summary>
    public static Tensor ApplyOverAxes(Func<Tensor, int, Tensor> func, Tensor a, params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(func);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(axes);
        foreach (int axis in axes)
        {
            var b = func(a, axis);
            if (b.Ndim == a.Ndim) a = b;
            else if (b.Ndim == a.Ndim - 1) a = ExpandDims(b, axis);
            else
                throw OpError("apply_over_axes", $"function is not returning an array of the correct shape: {b.Aval.ToLongString()} for input {a.Aval.ToLongString()} and axis {axis}");
        }
        return a;
    }

    /// <summary>A parsed gufunc signature: the core dimension names of each input and each output.</summary>
    private sealed record GufuncSignature(string[][] Inputs, string[][] Outputs);

    private static GufuncSignature ParseSignature(string signature)
    {
        static string[][] Parts(string side, string signature)
        {
            var groups = new List<string[]>();
            int i = 0;
            side = side.Replace(" ", "", StringComparison.Ordinal);
            while (i < side.Length)
            {
                if (side[i] != '(') throw OpError("vectorize", $"not a valid gufunc signature: '{signature}'");
                int close = side.IndexOf(')', i);
                if (close < 0) throw OpError("vectorize", $"not a valid gufunc signature: '{signature}'");
                var inner = side[(i + 1)..close];
                var dims = inner.Length == 0 ? [] : inner.Split(',');
                if (dims.Any(d => d.Length == 0 || !d.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')))
                    throw OpError("vectorize", $"not a valid gufunc signature: '{signature}'");
                groups.Add(dims);
                i = close + 1;
                if (i < side.Length)
                {
                    if (side[i] != ',') throw OpError("vectorize", $"not a valid gufunc signature: '{signature}'");
                    i++;
                }
            }
            return [.. groups];
        }
        int arrow = signature.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0) throw OpError("vectorize", $"not a valid gufunc signature: '{signature}' (no '->')");
        return new GufuncSignature(Parts(signature[..arrow], signature), Parts(signature[(arrow + 2)..], signature));
    }

    /// <summary>
    /// <paramref name="pyfunc"/> vectorized over the leading (loop) axes of its arguments (<c>jnp.vectorize</c>,
    /// through <see cref="Jax.Vmap(Func{Tensor[], Tensor[]}, int?[], int?[])"/>): without a
    /// <paramref name="signature"/> the function sees scalars; with a gufunc signature such as <c>(n),(n)->()</c> or
    /// <c>(m,n),(n)->(m),()</c> it sees each argument's core dimensions (named sizes must agree), and the loop
    /// dimensions of all arguments broadcast.
    /// </summary>
    public static Func<Tensor[], Tensor[]> Vectorize(Func<Tensor[], Tensor[]> pyfunc, string? signature = null)
    {
        ArgumentNullException.ThrowIfNull(pyfunc);
        var parsed = signature is null ? null : ParseSignature(signature);
        return args =>
        {
            ArgumentNullException.ThrowIfNull(args);
            foreach (var x in args) ArgumentNullException.ThrowIfNull(x, nameof(args));
            var cores = parsed?.Inputs ?? args.Select(_ => System.Array.Empty<string>()).ToArray();
            if (cores.Length != args.Length)
                throw OpError("vectorize", $"wrong number of positional arguments: expected {cores.Length} by the signature '{signature}', got {args.Length}");
            var sizes = new Dictionary<string, Dim>();
            var loopShapes = new Shape[args.Length];
            for (int i = 0; i < args.Length; i++)
            {
                var names = cores[i];
                if (args[i].Ndim < names.Length)
                    throw OpError("vectorize", $"input {i} with shape {args[i].Shape.ToTupleString()} does not have enough dimensions for its core dimensions ({string.Join(",", names)}) in signature '{signature}'");
                int loop = args[i].Ndim - names.Length;
                for (int j = 0; j < names.Length; j++)
                {
                    var dim = args[i].Shape[loop + j];
                    if (sizes.TryGetValue(names[j], out var known) && known != dim)
                        throw OpError("vectorize", $"inconsistent size for core dimension '{names[j]}': {known} vs {dim} (input {i}, {args[i].Aval.ToLongString()})");
                    sizes[names[j]] = dim;
                }
                loopShapes[i] = new Shape(args[i].Shape.Take(loop));
            }
            var broadcast = TryBroadcastShapes(loopShapes)
                ?? throw OpError("vectorize", $"the loop dimensions of the arguments do not broadcast: {string.Join(" and ", loopShapes.Select(s => s.ToTupleString()))}");
            var inputs = args.Select((x, i) => BroadcastToShape(x, new Shape([.. broadcast, .. x.Shape.Skip(loopShapes[i].Rank)]))).ToArray();
            Func<Tensor[], Tensor[]> core = xs =>
            {
                var outs = pyfunc(xs);
                if (parsed is not null)
                {
                    if (outs.Length != parsed.Outputs.Length)
                        throw OpError("vectorize", $"wrong number of outputs from the function: expected {parsed.Outputs.Length} by the signature '{signature}', got {outs.Length}");
                    for (int j = 0; j < outs.Length; j++)
                    {
                        var names = parsed.Outputs[j];
                        if (outs[j].Ndim != names.Length)
                            throw OpError("vectorize", $"output {j} has shape {outs[j].Shape.ToTupleString()}, but the signature '{signature}' gives it {names.Length} core dimensions");
                        for (int d = 0; d < names.Length; d++)
                            if (sizes.TryGetValue(names[d], out var known) && known != outs[j].Shape[d])
                                throw OpError("vectorize", $"output {j} has size {outs[j].Shape[d]} for core dimension '{names[d]}', which is {known} in the inputs");
                    }
                }
                else if (outs.Any(o => o.Ndim != 0))
                    throw OpError("vectorize", "without a signature the function must return scalars; pass signature= for array results");
                return outs;
            };
            var f = core;
            for (int i = 0; i < broadcast.Rank; i++) f = Jax.Vmap(f, [.. inputs.Select(_ => (int?)0)]);
            return f(inputs);
        };
    }

    /// <summary>
    /// A function of one array vectorized as <see cref="Vectorize(Func{Tensor[], Tensor[]}, string)"/>
    /// (e.g. <c>Vectorize(v =&gt; Jnp.Sum(v), "(n)->()")</c>).
    /// </summary>
    public static Func<Tensor, Tensor> Vectorize(Func<Tensor, Tensor> pyfunc, string? signature = null)
    {
        ArgumentNullException.ThrowIfNull(pyfunc);
        var v = Vectorize(xs => [pyfunc(xs[0])], signature);
        return x => v([x])[0];
    }

    /// <summary>A function of two arrays vectorized as <see cref="Vectorize(Func{Tensor[], Tensor[]}, string)"/>.</summary>
    public static Func<Tensor, Tensor, Tensor> Vectorize(Func<Tensor, Tensor, Tensor> pyfunc, string? signature = null)
    {
        ArgumentNullException.ThrowIfNull(pyfunc);
        var v = Vectorize(xs => [pyfunc(xs[0], xs[1])], signature);
        return (x, y) => v([x, y])[0];
    }

    private static void CheckBitorder(string op, string bitorder)
    {
        ArgumentNullException.ThrowIfNull(bitorder);
        if (bitorder is not ("big" or "little"))
            throw OpError(op, $"{op}: 'order' must be either 'little' or 'big', got '{bitorder}'");
    }

    /// <summary>The weights 2^0 .. 2^7 of the bits of a byte in <paramref name="bitorder"/> (big: most significant first).</summary>
    private static Tensor BitWeights(string bitorder)
    {
        byte[] weights = [1, 2, 4, 8, 16, 32, 64, 128];
        if (bitorder == "big") System.Array.Reverse(weights);
        return Array(weights, DType.UInt8);
    }

    /// <summary>
    /// The elements of <paramref name="a"/> as bits (nonzero: 1) packed eight to a uint8 along <paramref name="axis"/>
    /// (<c>jnp.packbits</c>; the flattened array when null), the axis padded with zeros to a multiple of 8;
    /// <paramref name="bitorder"/> <c>big</c> puts the first element in the most significant bit, <c>little</c> in the least.
    /// </summary>
    public static Tensor Packbits(Tensor a, int? axis = null, string bitorder = "big")
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckBitorder("packbits", bitorder);
        if (!a.DType.IsInteger() && a.DType != DType.Bool)
            throw OpError("packbits", $"packbits: expected an input array of integer or boolean data type, got {a.Aval.ToLongString()}");
        var bits = Cast(NotEqual(a, 0), DType.UInt8);
        if (axis is null) bits = Ravel(bits);
        int ax = axis is null ? 0 : Axes.Normalize(axis.Value, bits.Ndim, "packbits", a.Aval);
        bits = Swapaxes(bits, ax, -1);
        var sizes = StaticSizes("packbits", bits);
        int remainder = sizes[^1] % 8;
        if (remainder != 0)
        {
            var high = new int[bits.Ndim];
            high[^1] = 8 - remainder;
            bits = Lax.Pad(bits, Array(0, DType.UInt8), new int[bits.Ndim], high, new int[bits.Ndim]);
        }
        sizes = bits.Shape.IntSizes;
        var grouped = Lax.Reshape(bits, Shape.Of([.. sizes[..^1], sizes[^1] / 8, 8]));
        var packed = Sum(Multiply(grouped, BitWeights(bitorder)), -1, dtype: DType.UInt8);
        return Swapaxes(packed, ax, -1);
    }

    /// <summary>
    /// The bits of the uint8 elements of <paramref name="a"/> as uint8 0/1 values, eight per element along
    /// <paramref name="axis"/> (<c>jnp.unpackbits</c>; the flattened array when null), in <paramref name="bitorder"/>;
    /// <paramref name="count"/> keeps that many bits of the axis (padding with zeros when larger).
    /// </summary>
    public static Tensor Unpackbits(Tensor a, int? axis = null, int? count = null, string bitorder = "big")
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckBitorder("unpackbits", bitorder);
        if (a.DType != DType.UInt8)
            throw OpError("unpackbits", $"unpackbits: expected an input array of unsigned byte data type, got {a.Aval.ToLongString()}");
        if (axis is null) a = Ravel(a);
        int ax = axis is null ? 0 : Axes.Normalize(axis.Value, a.Ndim, "unpackbits", a.Aval);
        a = Swapaxes(a, ax, -1);
        var unpacked = Cast(NotEqual(BitwiseAnd(ExpandDims(a, -1), BitWeights(bitorder)), Array(0, DType.UInt8)), DType.UInt8);
        var sizes = StaticSizes("unpackbits", unpacked);
        unpacked = Lax.Reshape(unpacked, Shape.Of([.. sizes[..^2], sizes[^2] * 8]));
        if (count is int c)
        {
            if (c < 0) throw OpError("unpackbits", $"count must be non-negative, got {c}");
            int have = sizes[^2] * 8;
            var high = new int[unpacked.Ndim];
            var limit = unpacked.Shape.IntSizes;
            if (c > have)
            {
                high[^1] = c - have;
                unpacked = Lax.Pad(unpacked, Array(0, DType.UInt8), new int[unpacked.Ndim], high, new int[unpacked.Ndim]);
            }
            else
            {
                limit[^1] = c;
                unpacked = Lax.Slice(unpacked, new int[unpacked.Ndim], limit);
            }
        }
        return Swapaxes(unpacked, ax, -1);
    }
}
