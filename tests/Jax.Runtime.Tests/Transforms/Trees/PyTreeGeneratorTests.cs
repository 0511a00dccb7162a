using System.Collections.Immutable;
using JaxToolchain.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace JaxToolchain.Runtime.Tests.Transforms.Trees;

/// <summary>The Jax.Generators source generator run on snippets: what it registers and the errors it reports.</summary>
public class PyTreeGeneratorTests
{
    private static (string Generated, ImmutableArray<Diagnostic> Diagnostics) Run(string source)
    {
        // The framework's facades the snippets need, and Jax.Runtime and Jax.Ir: few references keep the test fast.
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is "System.Runtime.dll" or "System.Private.CoreLib.dll" or "System.Collections.dll" or "netstandard.dll");
        var references = framework.Concat([typeof(Tensor).Assembly.Location, typeof(Ir.DType).Assembly.Location])
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("Snippet", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create(new PyTreeGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        var generated = string.Join("\n", driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()));
        return (generated, diagnostics);
    }

    [Fact]
    public void A_record_and_the_tuple_and_list_types_a_program_uses_are_registered()
    {
        var (generated, diagnostics) = Run("""
            using System.Collections.Generic;
            using JaxToolchain;
            namespace N;
            [PyTree] public sealed partial record Layer(Tensor W, Tensor B, [property: Static] int Size);
            [PyTree] public sealed class Holder { public List<Layer> Layers { get; init; } = []; public string Name { get; set; } = ""; }
            public static class Use
            {
                public static int Count(List<(Tensor W, Tensor[] Bs)> p) => Jax.Tree.Leaves(p).Count;
            }
            """);
        Assert.Empty(diagnostics);
        Assert.Contains("global::JaxToolchain.PyTree.Register<global::N.Layer>(", generated);
        Assert.Contains("new global::N.Layer((global::JaxToolchain.Tensor)c[0]!, (global::JaxToolchain.Tensor)c[1]!, (int)a[0]!)", generated);
        // The children's names, for key paths (Jax.Tree.ToFlatDictionary): the properties that are children, in order.
        Assert.Contains("new string[] { \"W\", \"B\" }", generated);
        Assert.Contains("new global::N.Holder { Layers = (global::System.Collections.Generic.List<global::N.Layer>)c[0]!, Name = (string)a[0]! }", generated);
        Assert.Contains("RegisterList<global::N.Layer>()", generated);
        Assert.Contains("RegisterTuple<global::JaxToolchain.Tensor, global::JaxToolchain.Tensor[]>()", generated);
        Assert.Contains("RegisterList<(global::JaxToolchain.Tensor W, global::JaxToolchain.Tensor[] Bs)>()", generated);
        Assert.Contains("global using DType = global::JaxToolchain.Ir.DType;", generated);
    }

    [Fact]
    public void A_private_or_unbuildable_PyTree_type_is_an_error()
    {
        var (_, diagnostics) = Run("""
            using JaxToolchain;
            namespace N;
            public class Outer { [PyTree] private sealed record Hidden(Tensor X); }
            [PyTree] public sealed class NoWay { public Tensor W { get; } public NoWay(int size) { W = Jnp.Zeros(size); } }
            """);
        Assert.Contains(diagnostics, d => d.Id == "JAXG001" && d.GetMessage().Contains("N.Outer.Hidden"));
        Assert.Contains(diagnostics, d => d.Id == "JAXG002" && d.GetMessage().Contains("N.NoWay") && d.GetMessage().Contains("(W)"));
    }
}
