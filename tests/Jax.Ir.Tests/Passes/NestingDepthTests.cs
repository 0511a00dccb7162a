using System.Text;
using JaxToolchain.Tests;

namespace JaxToolchain.Ir.Tests.Passes;

/// <summary>
/// IR nested deeper than a thread's stack can follow (regions within regions, built directly or parsed from hostile
/// text) makes every recursive walk throw a clear exception instead of overflowing the stack, which would end the
/// test process; moderately deep IR still works in every walk.
/// </summary>
public class NestingDepthTests
{
    private static readonly ShapedType Index = ShapedType.Scalar(DType.Int32);
    private static readonly ShapedType Scalar = ShapedType.Scalar(DType.Float32);

    /// <summary>
    /// <c>f(q, x)</c>: <paramref name="depth"/> nested <c>cond</c>s on q, each running the next one in branch 0 and
    /// returning x in branch 1; the innermost computes <c>-x</c>. So f(0, x) = -x, f(1, x) = x. Built bottom-up, without
    /// recursion.
    /// </summary>
    private static Function NestedConds(int depth)
    {
        var inner = new Block([Index, Scalar]);
        inner.SetResults([new Emitter(inner).Neg(inner.Arguments[1])]);
        for (int level = 0; level < depth; level++)
        {
            var identity = new Block([Index, Scalar]);
            identity.SetResults([identity.Arguments[1]]);
            var block = new Block([Index, Scalar]);
            var (q, x) = (block.Arguments[0], block.Arguments[1]);
            block.SetResults(new Emitter(block).Emit(Prims.Cond, [q, q, x], regions: [inner, identity]));
            inner = block;
        }
        return new Function("nested", inner);
    }

    /// <summary>Twenty thousand nested regions, built once: the walks do not modify their input.</summary>
    private static readonly Lazy<Function> Deep = new(() => NestedConds(20_000));

    public static TheoryData<string> Walks() =>
    [
        "print", "verify", "clone", "canonicalize", "cse", "dce", "simplify", "jvp", "vmap", "linearize", "transpose",
        "vjp", "grad", "interpret",
    ];

    private static Action Walk(string walk, Function f) => walk switch
    {
        "print" => () => IrPrinter.Print(f),
        "verify" => () => Verifier.Verify(f),
        "clone" => () => FunctionCloner.Clone(f),
        "canonicalize" => () => new CanonicalizePass().Run(f),
        "cse" => () => new CsePass().Run(f),
        "dce" => () => new DcePass().Run(f),
        "simplify" => () => Pipelines.Simplify(f),
        "jvp" => () => JvpPass.Apply(f, [false, true]),
        "vmap" => () => VmapPass.Apply(f, [null, 0], [0], Dim.Of(2)),
        "linearize" => () => Autodiff.Linearize(f, [false, true]),
        "transpose" => () => TransposePass.Apply(f, 1),
        "vjp" => () => Autodiff.Vjp(f, [false, true]),
        "grad" => () => Autodiff.Grad(f, [false, true]),
        "interpret" => () => Interpreter.Run(f, Buffer.Scalar(0), Buffer.Scalar(2f)),
        _ => throw new ArgumentException(walk),
    };

    [Theory]
    [MemberData(nameof(Walks))]
    public void A_walk_over_twenty_thousand_nested_regions_throws_a_clear_exception(string walk)
    {
        var e = SmallStack.Throws<NestingDepthException>(Walk(walk, Deep.Value));
        Assert.Contains("nests too deeply", e.Message);
    }

    [Theory]
    [MemberData(nameof(Walks))]
    public void A_walk_over_forty_nested_regions_works(string walk) =>
        Assert.Null(SmallStack.Run(Walk(walk, NestedConds(40))));

    [Fact]
    public void Forty_nested_regions_compute_and_differentiate_correctly()
    {
        var f = NestedConds(40);
        Assert.Equal(-2f, Interpreter.Run(f, Buffer.Scalar(0), Buffer.Scalar(2f))[0].GetDouble(0));
        Assert.Equal(2f, Interpreter.Run(f, Buffer.Scalar(1), Buffer.Scalar(2f))[0].GetDouble(0));
        var grad = Autodiff.Grad(f, [false, true]);
        Assert.Equal(-1f, Interpreter.Run(grad, Buffer.Scalar(0), Buffer.Scalar(2f))[0].GetDouble(0));
        Assert.Equal(IrPrinter.Print(f), IrPrinter.Print(IrParser.ParseFunction(IrPrinter.Print(f))));
    }

    /// <summary>IR text with <paramref name="depth"/> nested <c>cond</c>s (what <see cref="NestedConds"/> prints, unindented).</summary>
    private static string NestedText(int depth)
    {
        var text = new StringBuilder("func @nested(%p: i32[], %a: f32[]) -> (f32[]) {\n");
        string Index(int level) => level < 0 ? "%p" : $"%q{level}";
        string Argument(int level) => level < 0 ? "%a" : $"%x{level}";
        for (int i = 0; i < depth; i++)
            text.Append($"%r{i} = cond {Index(i - 1)}, {Index(i - 1)}, {Argument(i - 1)} (%q{i}: i32[], %x{i}: f32[]) {{\n");
        text.Append($"%n = neg {Argument(depth - 1)} : f32[]\nreturn %n\n");
        for (int i = depth - 1; i >= 0; i--)
            text.Append($"}} (%z{i}: i32[], %y{i}: f32[]) {{\nreturn %y{i}\n}} : f32[]\nreturn %r{i}\n");
        return text.Append("}\n").ToString();
    }

    [Fact]
    public void Parsing_a_hundred_thousand_nested_regions_throws_a_parse_error()
    {
        var text = NestedText(100_000);
        var e = SmallStack.Throws<IrParseException>(() => IrParser.ParseFunction(text));
        Assert.Contains("nest too deeply", e.Message);
    }

    [Fact]
    public void Parsing_forty_nested_regions_gives_the_program_they_print()
    {
        var f = IrParser.ParseFunction(NestedText(40));
        Assert.Equal(IrPrinter.Print(NestedConds(40)), IrPrinter.Print(f));
    }

    [Fact]
    public void Linearize_reemits_a_long_chain_of_cheap_operations_on_a_constant_without_recursion()
    {
        var body = new Block([Scalar]);
        var e = new Emitter(body);
        var c = e.Full(Scalar, 3);
        for (int i = 0; i < 20_000; i++) c = e.Reshape(c, i % 2 == 0 ? Shape.Of(1) : Shape.Scalar);
        body.SetResults([e.Mul(body.Arguments[0], c)]);
        var f = new Function("f", body);
        Function? grad = null;
        Assert.Null(SmallStack.Run(() => grad = Autodiff.Grad(f, [true])));
        Assert.Equal(3f, Interpreter.Run(grad!, Buffer.Scalar(5f))[0].GetDouble(0));
    }
}
