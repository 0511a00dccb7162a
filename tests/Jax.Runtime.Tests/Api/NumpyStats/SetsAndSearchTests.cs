using JaxToolchain.Ir;

namespace JaxToolchain.Runtime.Tests.Api.NumpyStats;

/// <summary>Searching, set operations and sorting helpers against NumPy's documented results, eagerly and under jit/vmap.</summary>
public class SetsAndSearchTests
{
    private static long[] Ints(Tensor t) => t.ToArray<long>();

    [Fact]
    public void Searchsorted_matches_numpy_on_both_sides()
    {
        var a = Jnp.Array(new[] { 1.0, 2, 2, 3, 5 });
        var v = Jnp.Array(new[] { 0.0, 1, 2, 2.5, 3, 5, 6 });
        Assert.Equal([0, 0, 1, 3, 3, 4, 5], Ints(Jnp.Searchsorted(a, v)));
        Assert.Equal([0, 1, 3, 3, 4, 5, 5], Ints(Jnp.Searchsorted(a, v, SearchSide.Right)));
        Assert.Equal(DType.Int32, Jnp.Searchsorted(a, v).DType);
        var unsorted = Jnp.Array(new[] { 5.0, 1, 3, 2, 2 });
        Assert.Equal([0, 0, 1, 3, 3, 4, 5], Ints(Jnp.Searchsorted(unsorted, v, sorter: Jnp.Argsort(unsorted))));
        var withNan = Jnp.Array(new[] { 1.0, 2, double.NaN });
        Assert.Equal([2, 1], Ints(Jnp.Searchsorted(withNan, Jnp.Array(new[] { double.NaN, 1.5 }))));
        Assert.Equal([3], Ints(Jnp.Searchsorted(withNan, Jnp.Array(new[] { double.NaN }), SearchSide.Right)));
        Assert.Equal([0, 0], Ints(Jnp.Searchsorted(Jnp.Zeros([0]), Jnp.Array(new[] { 1.0, 2 }))));
        var matrix = Jnp.Searchsorted(a, Jnp.Array(new[,] { { 2.0, 4 }, { 9, -1 } }));
        Expect.Shape(matrix, 2, 2);
        Assert.Equal([1, 4, 5, 0], Ints(matrix));
    }

    [Fact]
    public void Searchsorted_and_digitize_run_under_jit_and_vmap()
    {
        var a = Jnp.Array(new[] { 1.0, 2, 2, 3, 5 });
        var v = Jnp.Array(new[] { 0.0, 2, 4 });
        Assert.Equal([0, 1, 4], Ints(Jax.Jit((Tensor q) => Jnp.Searchsorted(a, q))(v)));
        var rows = Jnp.Array(new[,] { { 0.0, 1, 2 }, { 3, 4, 5 } });
        var batched = Jax.Vmap((Tensor sorted, Tensor q) => Jnp.Searchsorted(sorted, q, SearchSide.Right), (0, null))(rows, Jnp.Array(new[] { 1.0, 3.5 }));
        Assert.Equal([2, 3, 0, 1], Ints(batched));
        Assert.Equal([1, 4, 3, 2], Ints(Jax.Jit((Tensor x) => Jnp.Digitize(x, Jnp.Array(new[] { 0.0, 1, 2.5, 4, 10 })))(Jnp.Array(new[] { 0.2, 6.4, 3.0, 1.6 }))));
    }

    [Fact]
    public void Digitize_matches_numpy()
    {
        var x = Jnp.Array(new[] { 0.2, 6.4, 3.0, 1.6 });
        Assert.Equal([1, 4, 3, 2], Ints(Jnp.Digitize(x, Jnp.Array(new[] { 0.0, 1, 2.5, 4, 10 }))));
        Assert.Equal([4, 1, 2, 3], Ints(Jnp.Digitize(x, Jnp.Array(new[] { 10.0, 4, 2.5, 1, 0 }))));
        var edges = Jnp.Array(new[] { 0.0, 1, 2.5, 4, 10 });
        Assert.Equal([2, 3], Ints(Jnp.Digitize(Jnp.Array(new[] { 1.0, 2.5 }), edges)));
        Assert.Equal([1, 2], Ints(Jnp.Digitize(Jnp.Array(new[] { 1.0, 2.5 }), edges, right: true)));
        Assert.Equal([0, 0], Ints(Jnp.Digitize(Jnp.Array(new[] { 1.0, 2.5 }), Jnp.Zeros([0]))));
    }

    [Fact]
    public void Isin_matches_numpy()
    {
        var element = Jnp.Array(new[,] { { 0, 2 }, { 4, 6 } });
        var test = Jnp.Array(new[] { 1, 2, 4, 8 });
        Expect.Bools(Jnp.Isin(element, test), false, true, true, false);
        Expect.Bools(Jnp.Isin(element, test, invert: true), true, false, false, true);
        Expect.Shape(Jnp.Isin(element, test), 2, 2);
        Expect.Bools(Jnp.Isin(Jnp.Array(new[] { 1.0, 2.0 }), Jnp.Zeros([0])), false, false);
        // Large inputs take the sort-and-search path: multiples of 3 among 0..2999 tested against 0, 3, ..., 2997 and 3000..3999.
        var many = Jnp.Arange(3000).Reshape(60, 50);
        var multiples = Jnp.Concatenate([Jnp.Arange(0, 3000, 3), Jnp.Arange(3000, 4000)]);
        var isMultiple = Jnp.Isin(many, multiples);
        Expect.Shape(isMultiple, 60, 50);
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => i % 3 == 0), isMultiple.ToArray<bool>());
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => i % 3 != 0), Jnp.Isin(many, multiples, invert: true).ToArray<bool>());
    }

    [Fact]
    public void Unique_returns_values_indices_inverse_and_counts_as_numpy()
    {
        var x = Jnp.Array(new[] { 1, 2, 6, 4, 2, 3, 2 });
        var (values, indices, inverse, counts) = Jnp.Unique(x, returnIndex: true, returnInverse: true, returnCounts: true);
        Assert.Equal([1, 2, 3, 4, 6], Ints(values));
        Assert.Equal([0, 1, 5, 3, 2], Ints(indices!));
        Assert.Equal([0, 1, 4, 3, 1, 2, 1], Ints(inverse!));
        Assert.Equal([1, 3, 1, 1, 1], Ints(counts!));
        Assert.Equal([0, 1, 2, 3, 4], Ints(Jnp.Unique(Jnp.Array(new[,] { { 4, 3 }, { 2, 1 }, { 0, 4 } }))));
        var (_, matrixInverse) = Jnp.UniqueInverse(Jnp.Array(new[,] { { 4, 3 }, { 2, 4 } }));
        Expect.Shape(matrixInverse, 2, 2);
        Assert.Equal([2, 1, 0, 2], Ints(matrixInverse));
        Expect.Values(Jnp.Unique(Jnp.Array(new[] { 1.0, double.NaN, double.NaN })), [1, double.NaN]);
        Expect.Values(Jnp.UniqueValues(Jnp.Array(new[] { 1.0, double.NaN, double.NaN })), [1, double.NaN, double.NaN]);
        var (cv, cc) = Jnp.UniqueCounts(Jnp.Array(new[] { 5, 5, 1 }));
        Assert.Equal([1, 5], Ints(cv));
        Assert.Equal([1, 2], Ints(cc));
        var all = Jnp.UniqueAll(Jnp.Array(new[] { 3, 1, 3 }));
        Assert.Equal([1, 3], Ints(all.Values));
        Assert.Equal([1, 0], Ints(all.Indices));
        Assert.Equal([1, 0, 1], Ints(all.InverseIndices));
        Assert.Equal([1, 2], Ints(all.Counts));
    }

    [Fact]
    public void Unique_with_a_size_runs_under_jit()
    {
        var x = Jnp.Array(new[] { 1, 2, 6, 4, 2, 3, 2 });
        var padded = Jax.Jit((Tensor v) => Jnp.Unique(v, size: 7))(x);
        Assert.Equal([1, 2, 3, 4, 6, 1, 1], Ints(padded));
        var filled = Jax.Jit((Tensor v) => Jnp.Unique(v, size: 7, fillValue: -1))(x);
        Assert.Equal([1, 2, 3, 4, 6, -1, -1], Ints(filled));
        var counts = Jax.Jit((Tensor v) => Jnp.UniqueCounts(v, size: 6).Counts)(x);
        Assert.Equal([1, 3, 1, 1, 1, 0], Ints(counts));
        Assert.Equal([1, 2, 3], Ints(Jnp.Unique(x, size: 3)));
    }

    [Fact]
    public void Set_operations_match_numpy()
    {
        Assert.Equal([1, 3], Ints(Jnp.Intersect1d(Jnp.Array(new[] { 1, 3, 4, 3 }), Jnp.Array(new[] { 3, 1, 2, 1 }))));
        var (values, i1, i2) = Jnp.Intersect1d(Jnp.Array(new[] { 1, 1, 2, 3, 4 }), Jnp.Array(new[] { 2, 1, 4, 6 }), false, returnIndices: true);
        Assert.Equal([1, 2, 4], Ints(values));
        Assert.Equal([0, 2, 4], Ints(i1));
        Assert.Equal([1, 0, 2], Ints(i2));
        Assert.Equal([-2, -1, 0, 1, 2], Ints(Jnp.Union1d(Jnp.Array(new[] { -1, 0, 1 }), Jnp.Array(new[] { -2, 0, 2 }))));
        Assert.Equal([1, 2], Ints(Jnp.Setdiff1d(Jnp.Array(new[] { 1, 2, 3, 2, 4, 1 }), Jnp.Array(new[] { 3, 4, 5, 6 }))));
        Assert.Equal([5, 1], Ints(Jnp.Setdiff1d(Jnp.Array(new[] { 5, 3, 1 }), Jnp.Array(new[] { 3 }), assumeUnique: true)));
        Assert.Equal([1, 4, 5, 7], Ints(Jnp.Setxor1d(Jnp.Array(new[] { 1, 2, 3, 2, 4 }), Jnp.Array(new[] { 2, 3, 5, 7, 5 }))));
        Expect.Values(Jnp.Union1d(Jnp.Array(new[] { 1.5 }), Jnp.Array(new[] { 2 })), [1.5, 2]);
    }

    [Fact]
    public void Set_operations_with_a_size_run_under_jit()
    {
        var a = Jnp.Array(new[] { 1, 2, 3, 2, 4 });
        var b = Jnp.Array(new[] { 2, 3, 5, 7, 5 });
        Assert.Equal([2, 3, 0, 0], Ints(Jax.Jit((Tensor x, Tensor y) => Jnp.Intersect1d(x, y, size: 4, fillValue: 0))(a, b)));
        Assert.Equal([1, 4, 5, 7, -9], Ints(Jax.Jit((Tensor x, Tensor y) => Jnp.Setxor1d(x, y, size: 5, fillValue: -9))(a, b)));
        Assert.Equal([1, 4, 1], Ints(Jax.Jit((Tensor x, Tensor y) => Jnp.Setdiff1d(x, y, size: 3))(a, b)));
        Assert.Equal([1, 2, 3, 4, 5, 7], Ints(Jax.Jit((Tensor x, Tensor y) => Jnp.Union1d(x, y, size: 6))(a, b)));
        var padded = Jax.Jit((Tensor[] v) =>
        {
            var r = Jnp.Intersect1d(v[0], v[1], false, returnIndices: true, size: 3);
            return [r.Values, r.Indices1, r.Indices2];
        })([a, b]);
        Assert.Equal([2, 3, 2], Ints(padded[0]));
        Assert.Equal([1, 2, 5], Ints(padded[1]));
        Assert.Equal([0, 1, 5], Ints(padded[2]));
    }

    [Fact]
    public void Lexsort_partition_and_argpartition()
    {
        var first = Jnp.Array(new[] { 1, 5, 1, 4, 3, 4, 4 });
        var second = Jnp.Array(new[] { 9, 4, 0, 4, 0, 2, 1 });
        Assert.Equal([2, 0, 4, 6, 5, 3, 1], Ints(Jnp.Lexsort([second, first])));
        Assert.Equal([2, 0, 4, 6, 5, 3, 1], Ints(Jnp.Lexsort(Jnp.Stack([second, first]))));
        var a = Jnp.Array(new[] { 3.0, 4, 2, 1, 5 });
        var p = Jnp.Partition(a, 2).ToArray<double>();
        Assert.Equal(3.0, p[2]);
        Assert.All(p[..2], v => Assert.True(v <= 3));
        Assert.All(p[3..], v => Assert.True(v >= 3));
        var ap = Ints(Jnp.Argpartition(a, -2));
        Assert.Equal(4.0, a.ToArray<double>()[ap[3]]);
        Assert.Equal([0, 1, 2, 3, 4], ap.Order().ToArray());
    }

    [Fact]
    public void Nonzero_with_a_size_pads_and_runs_under_jit()
    {
        var x = Jnp.Array(new[,] { { 0, 1 }, { 2, 0 } });
        var rc = Jnp.Nonzero(x, 3);
        Assert.Equal([0, 1, 0], Ints(rc[0]));
        Assert.Equal([1, 0, 0], Ints(rc[1]));
        var filled = Jax.Jit((Tensor[] v) => Jnp.Nonzero(v[0], 3, -1))([x]);
        Assert.Equal([0, 1, -1], Ints(filled[0]));
        Assert.Equal([1, 0, -1], Ints(filled[1]));
        Assert.Equal([1], Ints(Jnp.Nonzero(Jnp.Array(new[] { 0, 5, 7 }), 1)[0]));
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        Expect.Error(() => Jnp.Searchsorted(Jnp.Ones([2, 2]), Jnp.Ones(2)), "searchsorted", "1-dimensional");
        Expect.Error(() => Jnp.Digitize(Jnp.Ones(2), Jnp.Ones([2, 2])), "digitize", "1-dimensional");
        Expect.Error(() => Jax.Jit((Tensor v) => Jnp.Unique(v))(Jnp.Ones(3)), "unique", "size=");
        Expect.Error(() => Jax.Jit((Tensor v) => Jnp.Setdiff1d(v, v))(Jnp.Ones(3)), "setdiff1d", "size=");
        Expect.Error(() => Jnp.Lexsort([Jnp.Ones(2), Jnp.Ones(3)]), "lexsort", "same shape");
        Expect.Error(() => Jnp.Partition(Jnp.Ones(3), 3), "partition", "kth 3");
        Expect.Error(() => Jnp.Nonzero(Jnp.Ones([]), 2), "nonzero", "0-d");
        Assert.Throws<ArgumentNullException>("ar2", () => Jnp.Union1d(Jnp.Ones(1), null!));
    }
}
