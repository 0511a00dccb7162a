using System.Reflection;
using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>
/// The operators between a <see cref="Tensor"/> and a .NET scalar (and <see cref="Tensor.Pow(Tensor, Tensor)"/>): each
/// gives what the Tensor-Tensor operator gives on the scalar converted by the implicit conversion (values, dtype and
/// weak type), so JAX's weak typing of Python scalars is kept. The data-driven cases find each overload by reflection
/// (so a missing one fails); the facts check that C# resolves the overloads with the expected dtypes.
/// </summary>
public class ScalarOperatorTests
{
    private static readonly string[] BinaryOperators =
    [
        "op_Addition", "op_Subtraction", "op_Multiply", "op_Division", "op_Modulus",
        "op_BitwiseAnd", "op_BitwiseOr", "op_ExclusiveOr",
        "op_LessThan", "op_GreaterThan", "op_LessThanOrEqual", "op_GreaterThanOrEqual", "op_Equality", "op_Inequality",
    ];

    private static readonly object[] Scalars = [2.5, 1.5f, 3, 2L, true];

    private static Tensor F32() => Jnp.Array(new float[] { -2.5f, 0.5f, 1.5f, 3f });

    private static Tensor I32() => Jnp.Array(new int[] { -3, 1, 2, 5 });

    private static Tensor Bools() => Jnp.Array(new bool[] { true, false, true, false });

    /// <summary>Every binary operator with every scalar type.</summary>
    public static TheoryData<string, object> BinaryCases() => Cross(BinaryOperators, Scalars);

    /// <summary>Pow and the shifts with their scalar types (scalar on the right only).</summary>
    public static TheoryData<string, object> RightOnlyCases() =>
        Cross(["Pow"], [2.5, 1.5f, 3, 2L], Cross(["op_LeftShift", "op_RightShift"], [1, 2L]));

    private static TheoryData<string, object> Cross(string[] names, object[] scalars, TheoryData<string, object>? data = null)
    {
        data ??= [];
        foreach (var name in names)
            foreach (var scalar in scalars) data.Add(name, scalar);
        return data;
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Scalar_on_either_side_equals_the_tensor_operator_on_the_converted_scalar(string name, object scalar)
    {
        foreach (var array in new[] { F32(), I32(), Bools() })
        {
            var s = Converted(scalar);
            AssertSame(() => Invoke(name, array, s), () => Invoke(name, array, scalar), name, array);
            AssertSame(() => Invoke(name, s, array), () => Invoke(name, scalar, array), name, array);
        }
    }

    [Theory]
    [MemberData(nameof(RightOnlyCases))]
    public void Pow_and_shifts_with_a_scalar_equal_the_tensor_function(string name, object scalar)
    {
        var array = name == "Pow" ? F32() : I32();
        AssertSame(() => Invoke(name, array, Converted(scalar)), () => Invoke(name, array, scalar), name, array);
    }

    [Fact]
    public void Csharp_resolves_the_scalar_overloads_with_jax_weak_typing()
    {
        Expect.Array(F32() * 2.0, DType.Float32, [4], [-5, 1, 3, 6]);
        Expect.Array(2.0 * F32(), DType.Float32, [4], [-5, 1, 3, 6]);
        Expect.Array(F32() * 2, DType.Float32, [4], [-5, 1, 3, 6]);
        Expect.Array(I32() + 2.5, DType.Float32, [4], [-0.5, 3.5, 4.5, 7.5]);
        Expect.Array(I32() * 2L, DType.Int32, [4], [-6, 2, 4, 10]);
        Expect.Array(10 - I32(), DType.Int32, [4], [13, 9, 8, 5]);
        Expect.Bools(Bools() & true, true, false, true, false);
        Expect.Bools(F32() < 1, true, true, false, false);
        Expect.Bools(2 == I32(), false, false, true, false);
        Expect.Array(I32() << 1, DType.Int32, [4], [-6, 2, 4, 10]);
        Expect.Array(I32() >> 1L, DType.Int32, [4], [-2, 0, 1, 2]);
        Expect.Array(Tensor.Pow(F32(), 2.0), DType.Float32, [4], [6.25, 0.25, 2.25, 9]);
        Assert.False((F32() * 2.0).WeakType);
    }

    /// <summary>The scalar as the implicit conversion makes it (weak double/float/int/long, strong bool).</summary>
    private static Tensor Converted(object scalar) => scalar switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        bool b => b,
        _ => throw new ArgumentException($"no scalar conversion for {scalar.GetType()}", nameof(scalar)),
    };

    /// <summary>Calls the public static method of <see cref="Tensor"/> declared with exactly the arguments' types.</summary>
    private static Tensor Invoke(string name, object x, object y)
    {
        var method = typeof(Tensor).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == name && m.GetParameters().Select(p => p.ParameterType).SequenceEqual([x.GetType(), y.GetType()]));
        return (Tensor)method.Invoke(null, BindingFlags.DoNotWrapExceptions, null, [x, y], null)!;
    }

    /// <summary>Both give the same dtype, weak type, shape and elements, or both throw the same exception type.</summary>
    private static void AssertSame(Func<Tensor> expected, Func<Tensor> actual, string name, Tensor array)
    {
        Tensor e;
        try
        {
            e = expected();
        }
        catch (Exception error) when (error is JaxTypeException or ArgumentException or InvalidOperationException)
        {
            Assert.Throws(error.GetType(), () => actual());
            return;
        }
        var a = actual();
        string context = $"{name} on {array.DType}";
        Assert.True(e.DType == a.DType, $"{context}: dtype {a.DType}, expected {e.DType}");
        Assert.True(e.WeakType == a.WeakType, $"{context}: weak type {a.WeakType}, expected {e.WeakType}");
        Assert.Equal(e.Shape.Sizes, a.Shape.Sizes);
        Assert.Equal(e.ToArray<double>(), a.ToArray<double>());
    }
}
