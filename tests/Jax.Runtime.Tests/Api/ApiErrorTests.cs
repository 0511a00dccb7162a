using System.Runtime.CompilerServices;
using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// Bad input raises <see cref="JaxTypeException"/> naming the operation, the offending shapes/dtypes, and the
/// caller's line: each check sits on one line, so the lambda's call site is the line the helper records.
/// </summary>
public class ApiErrorTests
{
    private static void Fails(Action action, string operation, string[] fragments, [CallerLineNumber] int line = 0)
    {
        var e = Expect.Error(action, operation, fragments);
        Assert.Contains($"(at ApiErrorTests.cs({line},", e.Message, StringComparison.Ordinal);
    }

    private static readonly Tensor F3 = Jnp.Zeros(3);
    private static readonly Tensor F4 = Jnp.Zeros(4);
    private static readonly Tensor F23 = Jnp.Zeros([2, 3]);
    private static readonly Tensor I3 = Jnp.Arange(3);

    [Fact]
    public void Incompatible_shapes() => Fails(() => Jnp.Add(F3, F4), "add", ["float32[3]", "float32[4]"]);

    [Fact]
    public void Incompatible_shapes_through_an_operator() => Fails(() => _ = F3 * F4, "multiply", ["float32[3]", "float32[4]"]);

    [Fact]
    public void Incompatible_where() => Fails(() => Jnp.Where(F3 > 0, F4, 0.0), "where", ["bool[3]", "float32[4]"]);

    [Fact]
    public void Wrong_dtype_for_bitwise() => Fails(() => Jnp.BitwiseOr(F3, F3), "bitwise_or", ["float32[3]", "integer or boolean"]);

    [Fact]
    public void Wrong_dtype_for_shift() => Fails(() => Jnp.LeftShift(I3, F3), "left_shift", ["float32[3]", "integer"]);

    [Fact]
    public void Lax_rejects_mixed_dtypes() => Fails(() => Lax.Add(F3, I3), "add", ["f32[3]", "i32[3]"]);

    [Fact]
    public void Lax_rejects_mixed_shapes() => Fails(() => Lax.Mul(F3, F4), "mul", ["f32[3]", "f32[4]"]);

    [Fact]
    public void Out_of_range_axis_for_sum() => Fails(() => Jnp.Sum(F23, 2), "sum", ["axis 2", "dimension 2", "float32[2,3]"]);

    [Fact]
    public void Out_of_range_negative_axis_for_softmax() => Fails(() => Nn.Softmax(F23, -3), "softmax", ["axis -3", "dimension 2", "float32[2,3]"]);

    [Fact]
    public void Out_of_range_axis_for_take() => Fails(() => Jnp.Take(F23, I3, 2), "take", ["axis 2", "float32[2,3]"]);

    [Fact]
    public void Out_of_range_axis_for_concatenate() => Fails(() => Jnp.Concatenate([F23, F23], -3), "concatenate", ["axis -3"]);

    [Fact]
    public void Bad_reshape() => Fails(() => F23.Reshape(4, 2), "reshape", ["f32[2,3]", "4,2"]);

    [Fact]
    public void Bad_reshape_with_inferred_dimension() => Fails(() => F23.Reshape(4, -1), "reshape", ["float32[2,3]", "(4, -1)"]);

    [Fact]
    public void Concatenate_mismatch() => Fails(() => Jnp.Concatenate([F23, Jnp.Zeros([2, 2]), Jnp.Zeros([3, 3])]), "concatenate", ["f32[2,3]", "f32[2,2]"]);

    [Fact]
    public void Concatenate_rank_mismatch() => Fails(() => Jnp.Concatenate([F23, F3]), "concatenate", ["f32[2,3]", "f32[3]"]);

    [Fact]
    public void Matmul_mismatch() => Fails(() => Jnp.Matmul(F23, F23), "matmul", ["float32[2,3]"]);

    [Fact]
    public void Matmul_batch_mismatch() => Fails(() => Jnp.Matmul(Jnp.Zeros([2, 2, 3]), Jnp.Zeros([3, 3, 1])), "matmul", ["float32[2,2,3]", "float32[3,3,1]"]);

    [Fact]
    public void Dot_mismatch() => Fails(() => Jnp.Dot(F3, F4), "dot", ["float32[3]", "float32[4]"]);

    [Fact]
    public void Stack_mismatch() => Fails(() => Jnp.Stack([F3, F4]), "stack", ["float32[3]", "float32[4]"]);

    [Fact]
    public void Transpose_mismatch() => Fails(() => Jnp.Transpose(F23, [1]), "transpose", ["float32[2,3]"]);

    [Fact]
    public void Squeeze_mismatch() => Fails(() => Jnp.Squeeze(F23, 0), "squeeze", ["float32[2,3]"]);

    [Fact]
    public void BroadcastTo_mismatch() => Fails(() => Jnp.BroadcastTo(F23, 3, 3), "broadcast_to", ["float32[2,3]", "(3, 3)"]);

    [Fact]
    public void Index_out_of_range() => Fails(() => _ = F23[5], "index", ["index 5", "size 2", "float32[2,3]"]);

    [Fact]
    public void Einsum_mismatch() => Fails(() => Jnp.Einsum("ij,jk->ik", F23, F23), "einsum", ["'j'"]);

    [Fact]
    public void Split_mismatch() => Fails(() => Jnp.Split(F23, 4, 1), "split", ["3", "4"]);

    [Fact]
    public void Lax_dot_general_mismatch() => Fails(() => Lax.DotGeneral(F23, F23, ([1], [1]), ([0], [1])), "dot_general", ["f32[2,3]"]);

    [Fact]
    public void Lax_slice_out_of_bounds() => Fails(() => Lax.Slice(F3, [0], [5]), "slice", ["f32[3]"]);

    private static int Line([CallerLineNumber] int line = 0) => line;

    [Fact]
    public void Errors_inside_a_jitted_function_point_at_the_user_code()
    {
        int line = Line(); var f = Jax.Jit((Tensor x) => Jnp.Add(x, F4));
        var e = Expect.Error(() => f(F3), "add", "float32[3]", "float32[4]");
        Assert.Contains($"(at ApiErrorTests.cs({line},", e.Message, StringComparison.Ordinal);
    }
}
