using System.Globalization;
using System.Text.Json;
using JaxToolchain.Ir;
using Buffer = JaxToolchain.Ir.Buffer;

namespace JaxToolchain.Runtime.Tests.Reference;

/// <summary>One array JAX computed: dtype, shape, weak type, exact values, and how JAX printed it.</summary>
internal sealed record JaxArray(DType DType, int[] Shape, bool WeakType, Buffer Values, string Repr);

/// <summary>
/// Outputs of real JAX (0.11, CPU backend) recorded by <c>eng/jax-reference.py</c> into
/// <c>tests/Fixtures/jax_reference.json</c>: floats are stored as bit patterns, so comparisons are exact.
/// </summary>
internal static class JaxReference
{
    private static readonly Lazy<Dictionary<string, (bool X64, JaxArray[] Results)>> Entries = new(Load);

    private static Dictionary<string, (bool, JaxArray[])> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "jax_reference.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var result = new Dictionary<string, (bool, JaxArray[])>();
        foreach (var e in doc.RootElement.GetProperty("entries").EnumerateArray())
        {
            if (e.TryGetProperty("error", out _)) continue;
            var arrays = e.GetProperty("results").EnumerateArray().Select(Parse).ToArray();
            result[e.GetProperty("name").GetString()!] = (e.GetProperty("x64").GetBoolean(), arrays);
        }
        return result;
    }

    private static JaxArray Parse(JsonElement r)
    {
        var dtype = DTypes.Parse(r.GetProperty("dtype").GetString()!);
        var shape = r.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var buffer = Buffer.Zeros(dtype, Shape.Of(shape));
        var values = r.GetProperty("values").EnumerateArray().ToArray();
        var bytes = buffer.Bytes;
        int size = dtype.ItemSize();
        for (int i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (dtype == DType.Bool) buffer.Span<bool>()[i] = v.GetBoolean();
            else if (dtype.IsFloat())
            {
                ulong raw = ulong.Parse(v.GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                for (int b = 0; b < size; b++) bytes[i * size + b] = (byte)(raw >> (8 * b));
            }
            else if (dtype == DType.UInt64) buffer.Span<ulong>()[i] = v.GetUInt64();
            else buffer.SetInt64(i, v.GetInt64());
        }
        return new JaxArray(dtype, shape, r.GetProperty("weak_type").GetBoolean(), buffer, r.GetProperty("repr").GetString()!);
    }

    /// <summary>The names of the recorded entries starting with a prefix.</summary>
    public static IEnumerable<string> Names(string prefix) => Entries.Value.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    /// <summary>An entry's results and whether it was computed with x64.</summary>
    public static (bool X64, JaxArray[] Results) Get(string name) =>
        Entries.Value.TryGetValue(name, out var e) ? e : throw new KeyNotFoundException($"no JAX reference entry '{name}'");

    /// <summary>The first result of an entry.</summary>
    public static JaxArray Single(string name) => Get(name).Results[0];

    private static double Epsilon(DType t) => t switch
    {
        DType.Float64 => Math.Pow(2, -52),
        DType.Float32 => Math.Pow(2, -23),
        DType.Float16 => Math.Pow(2, -10),
        _ => Math.Pow(2, -7),
    };

    /// <summary>
    /// Asserts that our tensor equals JAX's array with the same dtype, shape and weak type, and floats within
    /// <paramref name="ulps"/> units of the dtype's epsilon scaled by the array's largest magnitude (XLA on CPU
    /// contracts multiply-adds and multiplies by reciprocals in fused code, where we compute each IEEE operation
    /// correctly rounded on its own).
    /// </summary>
    public static void AssertSame(JaxArray expected, Tensor actual, string what, double ulps)
    {
        Assert.True(expected.DType == actual.DType, $"{what}: dtype {actual.DType.Name()}, JAX gives {expected.DType.Name()}");
        Assert.Equal(expected.Shape.Select(d => (long)d).ToArray(), actual.Shape.Sizes);
        Assert.True(expected.WeakType == actual.WeakType, $"{what}: weak_type {actual.WeakType}, JAX gives {expected.WeakType}");
        var ours = actual.Buffer;
        double scale = 0;
        for (int i = 0; i < ours.Length; i++) scale = Math.Max(scale, Math.Abs(expected.Values.GetDouble(i)));
        double tolerance = ulps * Epsilon(expected.DType) * scale;
        for (int i = 0; i < ours.Length; i++)
        {
            double x = ours.GetDouble(i), y = expected.Values.GetDouble(i);
            Assert.True(Math.Abs(x - y) <= tolerance || x.Equals(y),
                $"{what}: element {i} is {x:R}, JAX gives {y:R} (tolerance {tolerance:G3}):\n ours {actual}\n JAX  {expected.Repr}");
        }
    }

    /// <summary>Asserts that our tensor equals JAX's array bit for bit, with the same dtype, shape and weak type.</summary>
    public static void AssertSame(JaxArray expected, Tensor actual, string what)
    {
        Assert.True(expected.DType == actual.DType, $"{what}: dtype {actual.DType.Name()}, JAX gives {expected.DType.Name()}");
        Assert.Equal(expected.Shape.Select(d => (long)d).ToArray(), actual.Shape.Sizes);
        Assert.True(expected.WeakType == actual.WeakType, $"{what}: weak_type {actual.WeakType}, JAX gives {expected.WeakType}");
        var ours = Jnp.Asarray(actual);
        Assert.True(expected.Values.BitwiseEquals(ours.Buffer), $"{what}: values differ:\n ours {ours}\n JAX  {expected.Repr}");
    }
}
