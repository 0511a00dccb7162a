using JaxToolchain.Ir;
using TorchSharp;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>
/// Structural primitives (transpose, reshape, broadcast_in_dim, pad, concatenate, slice, rev, dynamic_slice,
/// dynamic_update_slice) against torch's views and copies, exactly, for element sizes of 1, 2, 4 and 8 bytes.
/// </summary>
public sealed class StructuralTests
{
    public static TheoryData<DType> DTypes => Samples.Rows(DType.Bool, DType.Int8, DType.Float16, DType.BFloat16, DType.Int32, DType.Float32, DType.Int64, DType.Float64);

    static readonly Domain Values = Domain.Uniform(-100, 100).WithSpecials();

    static Tensor Input(Random rng, DType dtype, params long[] shape) => Samples.Any(rng, dtype, shape, Values);

    static void Same(string what, Tensor ours, TorchTensor theirs) => Agreement.AssertClose(what, ours, theirs, Tolerance.Exact);

    [Theory, MemberData(nameof(DTypes))]
    public void Transpose_equals_torch_permute(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("transpose" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, perm) in new (long[], int[])[] { ([], []), ([5, 7], [1, 0]), ([2, 3, 4, 5], [2, 0, 3, 1]), ([3, 0, 2], [2, 1, 0]) })
        {
            var x = Input(rng, dtype, shape);
            Same($"transpose {dtype.Name()}{x.Shape.ToTupleString()} [{string.Join(", ", perm)}]", Lax.Transpose(x, perm),
                OracleTensors.ToTorch(x).permute(perm.Select(p => (long)p).ToArray()));
        }
    }

    [Theory, MemberData(nameof(DTypes))]
    public void Reshape_equals_torch_reshape(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("reshape" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (from, to) in new (long[], long[])[] { ([], [1, 1]), ([24], [2, 3, 4]), ([2, 3, 4], [4, 6]), ([6, 5], [30]), ([0, 3], [3, 0, 5]) })
        {
            var x = Input(rng, dtype, from);
            Same($"reshape {dtype.Name()}{x.Shape.ToTupleString()} to ({string.Join(", ", to)})", Lax.Reshape(x, Shape.Of(to)),
                OracleTensors.ToTorch(x).reshape(to));
        }
    }

    // broadcast_in_dim maps operand dim i to result dim dims[i]; torch: reshape with 1s in the new dims, then expand.
    [Theory, MemberData(nameof(DTypes))]
    public void Broadcast_in_dim_equals_torch_expand(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("broadcast" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (from, to, dims) in new (long[], long[], int[])[]
        {
            ([], [2, 3], []), ([3], [2, 3], [1]), ([3, 1], [2, 3, 4], [1, 2]), ([1, 4], [4, 5, 4], [0, 2]), ([2], [2, 0], [0]),
        })
        {
            var x = Input(rng, dtype, from);
            var withOnes = Enumerable.Repeat(1L, to.Length).ToArray();
            for (int i = 0; i < dims.Length; i++) withOnes[dims[i]] = from[i];
            Same($"broadcast_in_dim {dtype.Name()}{x.Shape.ToTupleString()} to ({string.Join(", ", to)})",
                Lax.BroadcastInDim(x, Shape.Of(to), dims), OracleTensors.ToTorch(x).reshape(withOnes).expand(to));
        }
    }

    // Low/high padding, negative (cropping) included, equals torch's constant pad.
    [Theory, MemberData(nameof(DTypes))]
    public void Pad_at_the_edges_equals_torch_constant_pad(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("pad" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, low, high) in new (long[], int[], int[])[]
        {
            ([5], [2], [3]), ([4, 6], [1, 0], [0, 2]), ([4, 6], [-1, 2], [1, -3]), ([3, 2, 5], [0, 1, 2], [2, 1, 0]), ([0, 3], [1, 1], [2, 0]),
        })
        {
            var x = Input(rng, dtype, shape);
            var value = Input(rng, dtype);
            var pad = low.Zip(high).Reverse().SelectMany(p => new long[] { p.First, p.Second }).ToArray();
            Same($"pad {dtype.Name()}{x.Shape.ToTupleString()} low [{string.Join(", ", low)}] high [{string.Join(", ", high)}]",
                Lax.Pad(x, value, low, high, new int[shape.Length]), Padded(OracleTensors.ToTorch(x), OracleTensors.ToTorch(value), low, high, new int[shape.Length]));
            // torch's F.pad takes the value as a double (so float types only) and pads with +0 for a -0 value.
            if (dtype.IsFloat() && dtype.ItemSize() > 2)
                Agreement.AssertClose($"pad vs F.pad {dtype.Name()}{x.Shape.ToTupleString()}", Lax.Pad(x, value, low, high, new int[shape.Length]),
                    torch.nn.functional.pad(OracleTensors.ToTorch(x), pad, PaddingModes.Constant, value.Item()), Tolerance.SameValue);
        }
    }

    // Interior padding puts `interior` copies of the value between neighbours; torch builds it as a strided view.
    [Theory, MemberData(nameof(DTypes))]
    public void Pad_with_interior_padding_equals_a_strided_torch_copy(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("pad-interior" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, low, high, interior) in new (long[], int[], int[], int[])[]
        {
            ([5], [0], [0], [2]), ([3, 4], [1, -1], [2, 0], [1, 2]), ([2, 3, 2], [0, 0, 1], [0, 1, 0], [3, 0, 1]), ([0, 2], [1, 0], [0, 1], [2, 1]),
        })
        {
            var x = Input(rng, dtype, shape);
            var value = Input(rng, dtype);
            Same($"pad {dtype.Name()}{x.Shape.ToTupleString()} interior [{string.Join(", ", interior)}]", Lax.Pad(x, value, low, high, interior),
                Padded(OracleTensors.ToTorch(x), OracleTensors.ToTorch(value), low, high, interior));
        }
    }

    // The padded array in torch: a full tensor of the value, x copied into the strided view at the (non-negative)
    // low edge, then negative edges cut off with narrow.
    static TorchTensor Padded(TorchTensor x, TorchTensor value, int[] low, int[] high, int[] interior)
    {
        int rank = low.Length;
        var size = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            long n = x.shape[d];
            size[d] = Math.Max(0, low[d]) + Math.Max(0, high[d]) + (n == 0 ? 0 : n + (n - 1) * interior[d]);
        }
        var result = value.expand(size).clone();
        if (x.numel() > 0)
        {
            var view = result;
            for (int d = 0; d < rank; d++)
            {
                long start = Math.Max(0, low[d]);
                view = view.slice(d, start, start + (x.shape[d] - 1) * (interior[d] + 1) + 1, interior[d] + 1);
            }
            view.copy_(x);
        }
        for (int d = 0; d < rank; d++)
        {
            long cropLow = Math.Max(0, -low[d]), cropHigh = Math.Max(0, -high[d]);
            result = result.narrow(d, cropLow, result.shape[d] - cropLow - cropHigh);
        }
        return result;
    }

    [Theory, MemberData(nameof(DTypes))]
    public void Concatenate_equals_torch_cat(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("concatenate" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shapes, axis) in new (long[][], int)[]
        {
            ([[3], [4]], 0), ([[2, 3], [2, 5], [2, 1]], 1), ([[1, 3, 2], [4, 3, 2]], 0), ([[2, 0], [2, 3], [2, 0]], 1), ([[2, 3, 2], [2, 3, 4]], 2),
        })
        {
            var xs = shapes.Select(s => Input(rng, dtype, s)).ToArray();
            Same($"concatenate {dtype.Name()} axis {axis}", Lax.Concatenate(xs, axis), torch.cat(xs.Select(OracleTensors.ToTorch).ToArray(), axis));
        }
    }

    [Theory, MemberData(nameof(DTypes))]
    public void Slice_with_strides_equals_torch_slicing(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("slice" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, start, limit, strides) in new (long[], int[], int[], int[])[]
        {
            ([10], [2], [9], [3]), ([6, 7], [1, 0], [5, 7], [1, 2]), ([4, 5, 6], [0, 1, 2], [4, 5, 6], [2, 3, 1]), ([5, 4], [2, 1], [2, 4], [1, 1]),
        })
        {
            var x = Input(rng, dtype, shape);
            var expected = OracleTensors.ToTorch(x);
            for (int d = 0; d < shape.Length; d++) expected = expected.slice(d, start[d], limit[d], strides[d]);
            Same($"slice {dtype.Name()}{x.Shape.ToTupleString()}", Lax.Slice(x, start, limit, strides), expected);
        }
    }

    [Theory, MemberData(nameof(DTypes))]
    public void Rev_equals_torch_flip(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("rev" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, dims) in new (long[], int[])[] { ([9], [0]), ([4, 5], [1]), ([3, 4, 5], [0, 2]), ([2, 3, 4], [0, 1, 2]), ([0, 3], [0, 1]) })
        {
            var x = Input(rng, dtype, shape);
            Same($"rev {dtype.Name()}{x.Shape.ToTupleString()}", Lax.Rev(x, dims), OracleTensors.ToTorch(x).flip(dims.Select(d => (long)d).ToArray()));
        }
    }

    // Start indices are clamped so the window fits (JAX's semantics); torch takes the clamped window with narrow.
    [Theory, MemberData(nameof(DTypes))]
    public void Dynamic_slice_and_update_slice_equal_torch_narrow_with_clamped_starts(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("dynamic_slice" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, starts, sizes) in new (long[], int[], int[])[]
        {
            ([10], [3], [4]), ([10], [8], [4]), ([6, 7], [-2, 5], [3, 4]), ([4, 5, 6], [1, 9, 2], [2, 2, 3]), ([5], [2], [0]),
        })
        {
            var x = Input(rng, dtype, shape);
            var startTensors = starts.Select(s => OracleTensors.FromBuffer(Ir.Buffer.Scalar(s))).ToArray();
            var clamped = starts.Select((s, d) => Math.Clamp(s, 0, (int)shape[d] - sizes[d])).ToArray();
            var window = OracleTensors.ToTorch(x);
            for (int d = 0; d < shape.Length; d++) window = window.narrow(d, clamped[d], sizes[d]);
            Same($"dynamic_slice {dtype.Name()}{x.Shape.ToTupleString()} at [{string.Join(", ", starts)}]", Lax.DynamicSlice(x, startTensors, sizes), window);

            var update = Input(rng, dtype, sizes.Select(s => (long)s).ToArray());
            var updated = OracleTensors.ToTorch(x).clone();
            var view = updated;
            for (int d = 0; d < shape.Length; d++) view = view.narrow(d, clamped[d], sizes[d]);
            view.copy_(OracleTensors.ToTorch(update));
            Same($"dynamic_update_slice {dtype.Name()}{x.Shape.ToTupleString()} at [{string.Join(", ", starts)}]",
                Lax.DynamicUpdateSlice(x, update, startTensors), updated);
        }
    }

    // iota counts along one dimension of a new array: torch.arange, reshaped and expanded across the others.
    [Theory]
    [InlineData(DType.Int8)]
    [InlineData(DType.UInt8)]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int64)]
    [InlineData(DType.Float16)]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Iota_equals_torch_arange_along_the_dimension(DType dtype)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (shape, dimension) in new (long[], int)[] { ([100], 0), ([3, 4, 5], 0), ([3, 4, 5], 1), ([3, 4, 5], 2), ([2, 0], 1) })
        {
            var along = Enumerable.Repeat(1L, shape.Length).ToArray();
            along[dimension] = shape[dimension];
            var expected = torch.arange(0, shape[dimension], 1, OracleTensors.ScalarTypeOf(dtype)).reshape(along).expand(shape);
            Same($"iota {dtype.Name()}({string.Join(", ", shape)}) dimension {dimension}", Lax.Iota(dtype, Shape.Of(shape), dimension), expected);
        }
    }

    [Theory, MemberData(nameof(DTypes))]
    public void Squeeze_and_expand_dims_equal_torch_squeeze_and_unsqueeze(DType dtype)
    {
        var rng = new Random(Samples.SeedOf("squeeze" + dtype.Name()));
        using var scope = torch.NewDisposeScope();
        var x = Input(rng, dtype, 3, 1, 4, 1);
        var tx = OracleTensors.ToTorch(x);
        Same($"squeeze {dtype.Name()} [1]", Lax.Squeeze(x, [1]), tx.squeeze(1));
        Same($"squeeze {dtype.Name()} [1, 3]", Lax.Squeeze(x, [1, 3]), tx.squeeze(3).squeeze(1));
        Same($"expand_dims {dtype.Name()} [0]", Lax.ExpandDims(x, [0]), tx.unsqueeze(0));
        Same($"expand_dims {dtype.Name()} [2, 5]", Lax.ExpandDims(x, [2, 5]), tx.unsqueeze(2).unsqueeze(5));
    }
}
