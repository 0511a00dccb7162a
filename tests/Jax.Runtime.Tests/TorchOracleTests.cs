using JaxToolchain.Ir;
using JaxToolchain.Runtime.Tests.Oracle;
using TorchSharp;
using Buffer = JaxToolchain.Ir.Buffer;

namespace JaxToolchain.Runtime.Tests;

using Tensor = TorchSharp.torch.Tensor;

/// <summary>Pins that libtorch loads on this machine and that the oracle helper round-trips numbers.</summary>
public sealed class TorchOracleTests
{
    [Fact]
    public void Torch_exp_of_float64_matches_Math_Exp_elementwise()
    {
        double[] x = [-3.5, -1.0, -0.25, 0.0, 0.5, 1.0, 2.0, 10.0];
        using var scope = torch.NewDisposeScope();

        double[] actual = Oracle.Torch.ToDoubles(torch.exp(Oracle.Torch.From(x)));

        Assert.Equal(x.Length, actual.Length);
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(Math.Exp(x[i]), actual[i], 1e-15 * Math.Exp(x[i]));
    }

    [Fact]
    public void Torch_matmul_of_2x3_and_3x2_matches_hand_computed_product()
    {
        using var scope = torch.NewDisposeScope();
        var a = Oracle.Torch.From([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3);
        var b = Oracle.Torch.From([7.0, 8.0, 9.0, 10.0, 11.0, 12.0], 3, 2);

        var product = torch.matmul(a, b);

        // [1 2 3; 4 5 6] @ [7 8; 9 10; 11 12] = [58 64; 139 154]
        Assert.Equal([2L, 2L], Oracle.Torch.ShapeOf(product));
        Assert.Equal([58.0, 64.0, 139.0, 154.0], Oracle.Torch.ToDoubles(product));
    }

    [Fact]
    public void Float32_tensor_round_trips_through_a_buffer_with_shape_and_dtype()
    {
        float[] data = [0.5f, -1.25f, 3.0f, 1e-7f, -2e30f, 7.0f];
        using var scope = torch.NewDisposeScope();

        var tensor = Oracle.Torch.From(Buffer.Of(data, 3, 2));
        var back = Oracle.Torch.ToBuffer(tensor);

        Assert.Equal(torch.ScalarType.Float32, tensor.dtype);
        Assert.Equal([3L, 2L], Oracle.Torch.ShapeOf(tensor));
        Assert.Equal(DType.Float32, back.DType);
        Assert.Equal(Shape.Of(3, 2), back.Shape);
        Assert.Equal(data, back.ToArray<float>());
    }
}
