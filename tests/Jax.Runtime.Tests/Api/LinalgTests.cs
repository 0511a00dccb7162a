using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api;

/// <summary>Products and contractions against a naive einsum: a loop over every assignment of every label.</summary>
public class LinalgTests
{
    /// <summary>Small integers (exact in float32) of a shape, varied by <paramref name="seed"/>.</summary>
    private static (Tensor X, double[] Data, long[] Shape) Operand(int seed, params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var data = Enumerable.Range(0, (int)n).Select(i => (double)((i * 5 + seed * 3) % 7 - 3)).ToArray();
        return (Jnp.Array(data, Jnp.Float32).Reshape(shape), data, shape);
    }

    /// <summary>The naive einsum of explicit subscripts (no ellipsis): sums the product over every label assignment.</summary>
    private static (double[] Values, long[] Shape) NaiveEinsum(string spec, params (Tensor X, double[] Data, long[] Shape)[] ops)
    {
        var parts = spec.Split("->");
        var inputs = parts[0].Split(',');
        var output = parts[1];
        var size = new Dictionary<char, long>();
        for (int o = 0; o < ops.Length; o++)
            for (int d = 0; d < inputs[o].Length; d++) size[inputs[o][d]] = ops[o].Shape[d];
        var labels = size.Keys.ToArray();
        var outShape = output.Select(c => size[c]).ToArray();
        var result = new double[outShape.Aggregate(1L, (a, b) => a * b)];
        foreach (var assignment in Expect.Indices([.. labels.Select(c => size[c])]))
        {
            long Offset(string of, long[] shape) => Expect.Offset([.. of.Select(c => assignment[System.Array.IndexOf(labels, c)])], shape);
            double product = 1;
            for (int o = 0; o < ops.Length; o++) product *= ops[o].Data[Offset(inputs[o], ops[o].Shape)];
            result[Offset(output, outShape)] += product;
        }
        return (result, outShape);
    }

    private static void Matches(Tensor actual, string spec, params (Tensor X, double[] Data, long[] Shape)[] ops)
    {
        var (values, shape) = NaiveEinsum(spec, ops);
        Expect.Array(actual, DType.Float32, shape, values);
    }

    [Fact]
    public void Dot_of_scalars_and_vectors()
    {
        var s = Operand(1);
        var v = Operand(2, 4);
        var w = Operand(3, 4);
        Matches(Jnp.Dot(s.X, v.X), ",i->i", s, v);
        Matches(Jnp.Dot(v.X, s.X), "i,->i", v, s);
        Matches(Jnp.Dot(v.X, w.X), "i,i->", v, w);
        Matches(Jnp.Dot(s.X, s.X), ",->", s, s);
    }

    [Fact]
    public void Dot_of_matrices_and_vectors()
    {
        var a = Operand(1, 3, 4);
        var b = Operand(2, 4, 5);
        var v = Operand(3, 4);
        var u = Operand(4, 3);
        Matches(Jnp.Dot(a.X, b.X), "ij,jk->ik", a, b);
        Matches(Jnp.Dot(a.X, v.X), "ij,j->i", a, v);
        Matches(Jnp.Dot(u.X, a.X), "i,ij->j", u, a);
    }

    [Fact]
    public void Dot_of_higher_rank_arrays_contracts_last_with_second_to_last()
    {
        var a = Operand(1, 2, 3, 4);
        var b = Operand(2, 5, 4, 2);
        var v = Operand(3, 4);
        var m = Operand(4, 4, 3);
        Matches(Jnp.Dot(a.X, b.X), "ijk,lkm->ijlm", a, b);
        Matches(Jnp.Dot(a.X, v.X), "ijk,k->ij", a, v);
        Matches(Jnp.Dot(a.X, m.X), "ijk,kl->ijl", a, m);
        Matches(Jnp.Dot(v.X, b.X), "k,lkm->lm", v, b);
    }

    [Fact]
    public void Matmul_of_matrices_and_vectors()
    {
        var a = Operand(1, 2, 3);
        var b = Operand(2, 3, 4);
        var v = Operand(3, 3);
        var w = Operand(4, 3);
        Matches(Jnp.Matmul(a.X, b.X), "ij,jk->ik", a, b);
        Matches(Jnp.Matmul(v.X, b.X), "j,jk->k", v, b);
        Matches(Jnp.Matmul(a.X, v.X), "ij,j->i", a, v);
        Matches(Jnp.Matmul(v.X, w.X), "j,j->", v, w);
    }

    [Fact]
    public void Matmul_broadcasts_batch_dimensions()
    {
        var a = Operand(1, 2, 2, 3);
        var b = Operand(2, 3, 4);
        Matches(Jnp.Matmul(a.X, b.X), "bij,jk->bik", a, b);
        var c = Operand(3, 2, 3, 4);
        Matches(Jnp.Matmul(a.X, c.X), "bij,bjk->bik", a, c);
        var d = Operand(4, 2, 1, 2, 3);
        var e = Operand(5, 5, 3, 4);
        Matches(Jnp.Matmul(d.X, e.X).Reshape(2, 5, 2, 4), "aij,cjk->acik", (d.X.Reshape(2, 2, 3), d.Data, [2, 2, 3]), e);
        var f = Operand(6, 1, 2, 3);
        var g = Operand(7, 4, 3, 2);
        Matches(Jnp.Matmul(f.X, g.X), "ij,bjk->bik", (f.X.Reshape(2, 3), f.Data, [2, 3]), g);
        var v = Operand(8, 3);
        Matches(Jnp.Matmul(v.X, g.X), "j,bjk->bk", v, g);
        var h = Operand(9, 5, 2, 3);
        Matches(Jnp.Matmul(h.X, v.X), "bij,j->bi", h, v);
    }

    [Fact]
    public void Matmul_rejects_mismatched_inner_dimensions_and_scalars()
    {
        Expect.Error(() => Jnp.Matmul(Jnp.Zeros([2, 3]), Jnp.Zeros([4, 2])), "matmul", "float32[2,3]", "float32[4,2]", "LinalgTests.cs(");
        Expect.Error(() => Jnp.Matmul(Jnp.Zeros(3), Jnp.Zeros(4)), "matmul", "LinalgTests.cs(");
        Expect.Error(() => Jnp.Matmul(Jnp.Zeros([2, 2, 3]), Jnp.Zeros([3, 3, 4])), "matmul", "LinalgTests.cs(");
        Expect.Error(() => Jnp.Matmul(Jnp.Array(2f), Jnp.Zeros(3)), "matmul", "scalars", "LinalgTests.cs(");
        Expect.Error(() => Jnp.Dot(Jnp.Zeros([2, 3]), Jnp.Zeros([2, 3])), "dot", "float32[2,3]", "LinalgTests.cs(");
    }

    [Fact]
    public void Products_promote_operand_dtypes()
    {
        var i = Jnp.Array(new int[,] { { 1, 2 }, { 3, 4 } });
        var f = Jnp.Array(new float[] { 0.5f, 1 });
        Expect.Array(Jnp.Matmul(i, f), DType.Float32, [2], [2.5, 5.5]);
        Expect.Array(Jnp.Dot(i, i), DType.Int32, [2, 2], [7, 10, 15, 22]);
        Expect.Array(Jnp.Dot(i, 2), DType.Int32, [2, 2], [2, 4, 6, 8]);
    }

    [Fact]
    public void Outer_flattens_its_operands()
    {
        var a = Operand(1, 3);
        var b = Operand(2, 2);
        Matches(Jnp.Outer(a.X, b.X), "i,j->ij", a, b);
        var m = Operand(3, 2, 2);
        Matches(Jnp.Outer(m.X, b.X), "i,j->ij", (m.X.Reshape(4), m.Data, [4]), b);
    }

    [Fact]
    public void Inner_contracts_the_last_axes()
    {
        var v = Operand(1, 3);
        var w = Operand(2, 3);
        var a = Operand(3, 2, 3);
        var b = Operand(4, 4, 3);
        var c = Operand(5, 2, 2, 3);
        Matches(Jnp.Inner(v.X, w.X), "i,i->", v, w);
        Matches(Jnp.Inner(a.X, b.X), "ij,kj->ik", a, b);
        Matches(Jnp.Inner(c.X, a.X), "abj,kj->abk", c, a);
        Matches(Jnp.Inner(a.X, v.X), "ij,j->i", a, v);
        Expect.Error(() => Jnp.Inner(a.X, Jnp.Zeros(2)), "inner", "LinalgTests.cs(");
    }

    [Fact]
    public void Vdot_flattens_both()
    {
        var a = Operand(1, 2, 3);
        var b = Operand(2, 3, 2);
        Matches(Jnp.Vdot(a.X, b.X), "i,i->", (a.X.Reshape(6), a.Data, [6]), (b.X.Reshape(6), b.Data, [6]));
    }

    [Fact]
    public void Tensordot_contracts_trailing_and_leading_axes()
    {
        var a = Operand(1, 2, 3, 4);
        var b = Operand(2, 3, 4, 5);
        var m = Operand(3, 4, 5);
        Matches(Jnp.Tensordot(a.X, b.X), "ijk,jkl->il", a, b);
        Matches(Jnp.Tensordot(a.X, m.X, 1), "ijk,kl->ijl", a, m);
        var v = Operand(4, 2);
        Matches(Jnp.Tensordot(a.X, v.X, 0), "ijk,l->ijkl", a, v);
        Expect.Error(() => Jnp.Tensordot(a.X, m.X, 2), "tensordot", "LinalgTests.cs(");
        Expect.Error(() => Jnp.Tensordot(v.X, m.X, 3), "tensordot", "LinalgTests.cs(");
    }

    [Fact]
    public void Trace_sums_the_diagonal()
    {
        Expect.Array(Jnp.Trace(Jnp.Arange(9).Reshape(3, 3)), DType.Int32, [], [12]);
        Expect.Array(Jnp.Trace(Expect.Iota(DType.Float32, 2, 3)), DType.Float32, [], [4]);
    }

    [Theory]
    [InlineData("ij,jk->ik", new long[] { 2, 3 }, new long[] { 3, 4 })]
    [InlineData("bij,bjk->bik", new long[] { 2, 2, 3 }, new long[] { 2, 3, 4 })]
    [InlineData("ij->ji", new long[] { 2, 3 })]
    [InlineData("ii->i", new long[] { 3, 3 })]
    [InlineData("ii->", new long[] { 3, 3 })]
    [InlineData("i,i->", new long[] { 4 }, new long[] { 4 })]
    [InlineData("i,j->ij", new long[] { 2 }, new long[] { 3 })]
    [InlineData("ij->", new long[] { 2, 3 })]
    [InlineData("ij->j", new long[] { 2, 3 })]
    [InlineData("ijk->kji", new long[] { 2, 3, 4 })]
    [InlineData("ij,jk,kl->il", new long[] { 2, 3 }, new long[] { 3, 4 }, new long[] { 4, 2 })]
    [InlineData("i,i,i->i", new long[] { 3 }, new long[] { 3 }, new long[] { 3 })]
    [InlineData("ij,ij->ij", new long[] { 2, 3 }, new long[] { 2, 3 })]
    [InlineData("ij,kj->ikj", new long[] { 2, 3 }, new long[] { 4, 3 })]
    [InlineData("bii->bi", new long[] { 2, 3, 3 })]
    [InlineData("iij->j", new long[] { 2, 2, 3 })]
    [InlineData("ab,bc,ca->", new long[] { 2, 3 }, new long[] { 3, 4 }, new long[] { 4, 2 })]
    [InlineData("ij,jk->ki", new long[] { 2, 3 }, new long[] { 3, 4 })]
    [InlineData("i,jk->ijk", new long[] { 2 }, new long[] { 3, 2 })]
    [InlineData("Ab,bc->Ac", new long[] { 2, 3 }, new long[] { 3, 2 })]
    public void Einsum_matches_naive_loops(string spec, params long[][] shapes)
    {
        var ops = shapes.Select((s, i) => Operand(i + 1, s)).ToArray();
        Matches(Jnp.Einsum(spec, [.. ops.Select(o => o.X)]), spec, ops);
    }

    [Theory]
    [InlineData("ij,jk", "ij,jk->ik", new long[] { 2, 3 }, new long[] { 3, 4 })]
    [InlineData("ij", "ij->ij", new long[] { 2, 3 })]
    [InlineData("ji", "ji->ij", new long[] { 2, 3 })]
    [InlineData("ii", "ii->", new long[] { 3, 3 })]
    [InlineData("i,i", "i,i->", new long[] { 3 }, new long[] { 3 })]
    [InlineData("ba,cb", "ba,cb->ac", new long[] { 2, 3 }, new long[] { 4, 2 })]
    [InlineData("Ba,a", "Ba,a->B", new long[] { 2, 3 }, new long[] { 3 })]
    public void Einsum_implicit_output_is_the_sorted_unrepeated_labels(string spec, string explicitSpec, params long[][] shapes)
    {
        var ops = shapes.Select((s, i) => Operand(i + 1, s)).ToArray();
        Matches(Jnp.Einsum(spec, [.. ops.Select(o => o.X)]), explicitSpec, ops);
    }

    [Fact]
    public void Einsum_with_ellipsis_broadcasts_leading_axes()
    {
        var x = Operand(1, 2, 3, 4);
        Matches(Jnp.Einsum("...ij->...ji", x.X), "aij->aji", x);
        var m = Operand(2, 3, 4);
        Matches(Jnp.Einsum("...ij->...ji", m.X), "ij->ji", m);
        var y = Operand(3, 2, 4, 5);
        Matches(Jnp.Einsum("...ij,...jk->...ik", x.X, y.X), "aij,ajk->aik", x, y);
        Matches(Jnp.Einsum("...ij,jk", x.X, Operand(4, 4, 2).X), "aij,jk->aik", x, Operand(4, 4, 2));
        Matches(Jnp.Einsum("i...->...", m.X), "ij->j", m);
    }

    [Fact]
    public void Einsum_diagonal_ignores_infinite_off_diagonal_entries()
    {
        var m = Jnp.Array(new float[,] { { 1, float.PositiveInfinity }, { float.NegativeInfinity, 2 } });
        Expect.Values(Jnp.Einsum("ii->i", m), [1, 2]);
        Expect.Values(Jnp.Einsum("ii", m), [3]);
    }

    [Fact]
    public void Einsum_promotes_operands()
    {
        var r = Jnp.Einsum("i,i->", Jnp.Array(new int[] { 1, 2 }), Jnp.Array(new float[] { 0.5f, 0.25f }));
        Expect.Array(r, DType.Float32, [], [1]);
    }

    [Fact]
    public void Einsum_rejects_bad_subscripts()
    {
        var m = Jnp.Zeros([2, 3]);
        Expect.Error(() => Jnp.Einsum("ij,jk->ik", m), "einsum", "LinalgTests.cs(");
        Expect.Error(() => Jnp.Einsum("ijk->i", m), "einsum", "rank 2", "LinalgTests.cs(");
        Expect.Error(() => Jnp.Einsum("ij,jk->ik", m, Jnp.Zeros([4, 2])), "einsum", "'j'", "LinalgTests.cs(");
        Expect.Error(() => Jnp.Einsum("ij->iz", m), "einsum", "'z'", "LinalgTests.cs(");
        Expect.Error(() => Jnp.Einsum("ii->i", m), "einsum", "'i'", "LinalgTests.cs(");
    }

    [Fact]
    public void Einsum_broadcasts_unit_dimensions_under_the_ellipsis()
    {
        var a = Operand(1, 2, 3);
        var b = Operand(2, 1, 3);
        var expected = Enumerable.Range(0, 2).Select(r => Enumerable.Range(0, 3).Sum(k => a.Data[r * 3 + k] * b.Data[k])).ToArray();
        Expect.Array(Jnp.Einsum("...i,...i->...", a.X, b.X), DType.Float32, [2], expected);
        Expect.Error(() => Jnp.Einsum("...i,...i->...", a.X, Operand(3, 4, 3).X), "einsum", "'...'", "float32[2,3]", "float32[4,3]", "LinalgTests.cs(");
    }

    [Fact]
    public void Trace_with_offsets_and_axes_like_numpy()
    {
        var m = Expect.Iota(DType.Int32, 3, 4);
        Expect.Array(Jnp.Trace(m, 1), DType.Int32, [], [1 + 6 + 11]);
        Expect.Array(Jnp.Trace(m, -1), DType.Int32, [], [4 + 9]);
        Expect.Array(Jnp.Trace(m, 5), DType.Int32, [], [0]);
        var x = Expect.Iota(DType.Float32, 2, 3, 3);
        Expect.Array(Jnp.Trace(x, 0, 1, 2), DType.Float32, [2], [0 + 4 + 8, 9 + 13 + 17]);
        Expect.Array(Jnp.Trace(x), DType.Float32, [3], [0 + 12, 1 + 13, 2 + 14]);
        Expect.Array(Jnp.Trace(Jnp.Array(new sbyte[,] { { 100, 0 }, { 0, 100 } })), DType.Int32, [], [200]);
    }

    [Fact]
    public void Trace_ignores_off_diagonal_infinities_and_needs_two_dimensions()
    {
        Expect.Values(Jnp.Trace(Jnp.Array(new float[,] { { 1, float.PositiveInfinity }, { float.NaN, 2 } })), [3]);
        Expect.Error(() => Jnp.Trace(Jnp.Arange(3)), "trace", "int32[3]", "LinalgTests.cs(");
        Expect.Error(() => Jnp.Trace(Jnp.Zeros([2, 2]), 0, 1, 1), "trace", "LinalgTests.cs(");
    }
}
