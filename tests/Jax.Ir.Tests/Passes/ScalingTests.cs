using JaxToolchain.Tests;

namespace JaxToolchain.Ir.Tests.Passes;

/// <summary>
/// The passes, the verifier, printer, parser and cloner take time linear in the size of the program: four times
/// the operations take well under 16 times (quadratic) as long. Ratios, never absolute times. (Grad runs linearize,
/// transpose, CSE, canonicalization and DCE; simplify runs the last three.)
/// </summary>
[Collection(Scaling.Collection)]
public class ScalingTests
{
    private static readonly ShapedType Vector = new(DType.Float32, Shape.Of(4));

    /// <summary>
    /// <c>f(x) = sum(… sin(sin(x) · c₁) · c₂ …)</c> with <paramref name="n"/> elementwise operations on f32[4], every
    /// other one a multiplication by a constant of its own (so the program holds n/2 distinct constants of one type).
    /// </summary>
    internal static Function Chain(int n)
    {
        var body = new Block([Vector]);
        var e = new Emitter(body);
        var x = body.Arguments[0];
        for (int i = 0; i < n; i++)
            x = i % 2 == 0 ? e.Sin(x) : e.Mul(x, e.Full(Vector, 1 + i * 1e-6));
        body.SetResults([e.ReduceSum(x, [0])]);
        return new Function("chain", body);
    }

    public static TheoryData<string, int> Stages() => new()
    {
        { "simplify", 2000 }, { "verify", 8000 }, { "print", 4000 }, { "parse", 4000 }, { "clone", 8000 },
        { "jvp", 2000 }, { "vmap", 2000 }, { "grad", 500 },
    };

    private static Action Stage(string stage, Function f) => stage switch
    {
        "simplify" => () => Pipelines.Simplify(f),
        "verify" => () => Verifier.Verify(f),
        "print" => () => IrPrinter.Print(f),
        "parse" => Parse(IrPrinter.Print(f)),
        "clone" => () => FunctionCloner.Clone(f),
        "jvp" => () => JvpPass.Apply(f, [true]),
        "vmap" => () => VmapPass.Apply(f, [0], [0], Dim.Of(3)),
        "grad" => () => Autodiff.Grad(f, [true]),
        _ => throw new ArgumentException(stage),
    };

    private static Action Parse(string text) => () => IrParser.ParseFunction(text);

    [Theory]
    [MemberData(nameof(Stages))]
    public void Time_is_linear_in_the_length_of_an_elementwise_chain(string stage, int n) =>
        Scaling.AssertLinear(stage, n, size => Stage(stage, Chain(size)));

    /// <summary>A sum of <paramref name="n"/> distinct dense constants of one type (f32[4]) and an argument.</summary>
    private static Function Constants(int n)
    {
        var body = new Block([Vector]);
        var e = new Emitter(body);
        var sum = body.Arguments[0];
        for (int i = 0; i < n; i++) sum = e.Add(sum, e.Constant(Buffer.Of(new[] { i, 1f, 2f, 3f })));
        body.SetResults([sum]);
        return new Function("constants", body);
    }

    /// <summary>A sum of the <paramref name="n"/> + 1 one-element slices of an argument (integer-list attributes of one length).</summary>
    private static Function Slices(int n)
    {
        var body = new Block([new ShapedType(DType.Float32, Shape.Of(n + 1))]);
        var e = new Emitter(body);
        var x = body.Arguments[0];
        var sum = e.Slice(x, [0], [1], [1]);
        for (int i = 1; i <= n; i++) sum = e.Add(sum, e.Slice(x, [i], [i + 1], [1]));
        body.SetResults([sum]);
        return new Function("slices", body);
    }

    [Theory]
    [InlineData("dense constants")]
    [InlineData("integer lists")]
    public void Cse_time_is_linear_in_the_number_of_distinct_attributes_of_one_type(string attributes) =>
        Scaling.AssertLinear("cse", 8000, n =>
        {
            var f = attributes == "dense constants" ? Constants(n) : Slices(n);
            return () => new CsePass().Run(f);
        });

    [Fact]
    public void Cse_merges_equal_constants_and_slices_and_keeps_distinct_ones()
    {
        var body = new Block([new ShapedType(DType.Float32, Shape.Of(3))]);
        var e = new Emitter(body);
        var x = body.Arguments[0];
        Value Constant(float a) => e.Constant(Buffer.Of(new[] { a, 1f, 2f }));
        Value Slice(int start) => e.Slice(x, [start], [start + 1], [1]);
        var constants = e.Add(e.Add(Constant(0), Constant(0)), Constant(5));
        var slices = e.Add(e.Add(Slice(1), Slice(1)), Slice(2));
        body.SetResults([constants, slices]);

        var cse = new CsePass().Run(new Function("f", body));
        var remaining = cse.Body.Operations.GroupBy(op => op.Primitive.Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, remaining["constant"]);
        Assert.Equal(2, remaining["slice"]);
    }

    [Fact]
    public void Attributes_hash_their_contents()
    {
        Attributes Dense(float a) => Attributes.Of(("value", Buffer.Of(new[] { a, 2f })));
        Attributes Ints(long a) => Attributes.Of(("dims", new long[] { a, 7 }));
        Assert.Equal(Dense(1).GetHashCode(), Dense(1).GetHashCode());
        Assert.Equal(Ints(3).GetHashCode(), Ints(3).GetHashCode());
        var denseHashes = Enumerable.Range(0, 100).Select(i => Dense(i).GetHashCode()).Distinct().Count();
        var intsHashes = Enumerable.Range(0, 100).Select(i => Ints(i).GetHashCode()).Distinct().Count();
        Assert.True(denseHashes > 90, $"100 distinct constants of one type have only {denseHashes} distinct hashes");
        Assert.True(intsHashes > 90, $"100 distinct integer lists of one length have only {intsHashes} distinct hashes");
    }
}
