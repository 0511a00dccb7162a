namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>
    /// Functions over trees of arrays (<c>jax.tree</c>): see <see cref="PyTree"/> for what a tree is. Trees given together
    /// must have the same structure; a mismatch is an error naming both structures.
    /// </summary>
    public static partial class Tree
    {
        /// <summary>The leaves of a tree, left to right (<c>jax.tree.leaves</c>).</summary>
        public static IReadOnlyList<Tensor> Leaves(object? tree) => PyTree.Leaves(tree);

        /// <summary>The structure of a tree (<c>jax.tree.structure</c>).</summary>
        public static TreeDef Structure(object? tree) => PyTree.Flatten(tree).Structure;

        /// <summary>The leaves and the structure of a tree (<c>jax.tree.flatten</c>).</summary>
        public static (IReadOnlyList<Tensor> Leaves, TreeDef Structure) Flatten(object? tree) => PyTree.Flatten(tree);

        /// <summary>The tree of structure <paramref name="structure"/> with these leaves (<c>jax.tree.unflatten</c>).</summary>
        public static T Unflatten<T>(TreeDef structure, IEnumerable<Tensor> leaves)
        {
            ArgumentNullException.ThrowIfNull(structure);
            ArgumentNullException.ThrowIfNull(leaves);
            return (T)structure.Unflatten(leaves.ToArray())!;
        }

        /// <summary>The tree of <paramref name="f"/> applied to each leaf (<c>jax.tree.map(f, tree)</c>).</summary>
        public static T Map<T>(Func<Tensor, Tensor> f, T tree)
        {
            ArgumentNullException.ThrowIfNull(f);
            var (leaves, def) = PyTree.Flatten(tree);
            return (T)def.Unflatten(leaves.Select(f).ToArray())!;
        }

        /// <summary>
        /// The tree of <paramref name="f"/> applied to corresponding leaves of two trees of the same structure
        /// (<c>jax.tree.map(f, tree, other)</c>), e.g. an SGD step <c>Map((p, g) =&gt; p - lr * g, params, grads)</c>.
        /// </summary>
        public static T Map<T>(Func<Tensor, Tensor, Tensor> f, T tree, T other)
        {
            ArgumentNullException.ThrowIfNull(f);
            return MapMany("tree.map", l => f(l[0], l[1]), tree, [other]);
        }

        /// <summary>The tree of <paramref name="f"/> applied to corresponding leaves of three trees of the same structure.</summary>
        public static T Map<T>(Func<Tensor, Tensor, Tensor, Tensor> f, T tree, T second, T third)
        {
            ArgumentNullException.ThrowIfNull(f);
            return MapMany("tree.map", l => f(l[0], l[1], l[2]), tree, [second, third]);
        }

        /// <summary>
        /// The tree of <paramref name="f"/> applied to the corresponding leaves of <paramref name="tree"/> and every tree
        /// in <paramref name="rest"/> (all of the same structure), as <c>jax.tree.map(f, tree, *rest)</c>.
        /// </summary>
        public static T Map<T>(Func<IReadOnlyList<Tensor>, Tensor> f, T tree, params T[] rest)
        {
            ArgumentNullException.ThrowIfNull(f);
            ArgumentNullException.ThrowIfNull(rest);
            return MapMany("tree.map", f, tree, rest);
        }

        private static T MapMany<T>(string name, Func<Tensor[], Tensor> f, T tree, T[] rest)
        {
            var (leaves, def) = PyTree.Flatten(tree);
            var others = rest.Select((r, i) => SameStructure(name, def, r, $"tree {i + 1}")).ToArray();
            var mapped = new Tensor[leaves.Count];
            for (int j = 0; j < mapped.Length; j++)
                mapped[j] = f([leaves[j], .. others.Select(o => o[j])]);
            return (T)def.Unflatten(mapped)!;
        }

        /// <summary>The leaves of <paramref name="tree"/>, which must have the structure <paramref name="expected"/>.</summary>
        internal static IReadOnlyList<Tensor> SameStructure(string name, TreeDef expected, object? tree, string what)
        {
            var (leaves, def) = PyTree.Flatten(tree);
            if (!def.Equals(expected))
                throw new ArgumentException($"{name}: {what} has structure {def}, which is not the structure {expected} of the first tree");
            return leaves;
        }

        /// <summary>
        /// Folds <paramref name="f"/> over the leaves left to right, starting from <paramref name="initializer"/>
        /// (<c>jax.tree.reduce(f, tree, initializer)</c>).
        /// </summary>
        public static TAcc Reduce<TAcc>(Func<TAcc, Tensor, TAcc> f, object? tree, TAcc initializer)
        {
            ArgumentNullException.ThrowIfNull(f);
            return PyTree.Leaves(tree).Aggregate(initializer, f);
        }

        /// <summary>Folds <paramref name="f"/> over the leaves of a tree that has at least one (<c>jax.tree.reduce(f, tree)</c>).</summary>
        public static Tensor Reduce(Func<Tensor, Tensor, Tensor> f, object? tree)
        {
            ArgumentNullException.ThrowIfNull(f);
            var leaves = PyTree.Leaves(tree);
            if (leaves.Count == 0)
                throw new ArgumentException($"tree.reduce: the tree {PyTree.Flatten(tree).Structure} has no leaves and no initializer was given");
            return leaves.Skip(1).Aggregate(leaves[0], f);
        }

        /// <summary>
        /// True when every leaf is true (<c>jax.tree.all</c>, Python's <c>all</c> of the leaves): each leaf must be a
        /// concrete array of one element, as <c>bool(x)</c> requires; an empty tree is true.
        /// </summary>
        public static bool All(object? tree) => PyTree.Leaves(tree).All(leaf => (bool)leaf);

        /// <summary>
        /// Turns a tree of structure <paramref name="outer"/> whose leaves are trees of structure <paramref name="inner"/>
        /// into a tree of structure <paramref name="inner"/> whose leaves are trees of structure <paramref name="outer"/>
        /// (<c>jax.tree.transpose</c>): a list of pairs into a pair of lists. <paramref name="outer"/> is compared by its
        /// shape (node kinds, child counts, keys), not by its element types; <paramref name="inner"/> must be one node of
        /// leaves (a tuple, list, dictionary or registered type of arrays), and <typeparamref name="TResult"/>, the type of
        /// that node holding the outer trees, must be registered (see <see cref="PyTree"/>).
        /// </summary>
        public static TResult Transpose<TResult>(TreeDef outer, TreeDef inner, object? tree)
        {
            ArgumentNullException.ThrowIfNull(outer);
            ArgumentNullException.ThrowIfNull(inner);
            if (inner.IsLeaf || inner.Children.Any(c => !c.IsLeaf))
                throw new ArgumentException($"tree.transpose: the inner structure {inner} must be one node of leaves (a tuple, list, dictionary or record of arrays)");
            var (leaves, def) = PyTree.Flatten(tree);
            if (!HasOuterShape(def, outer, inner))
                throw new ArgumentException($"tree.transpose: the tree {def} is not a tree of the shape {outer} with leaves {inner}");
            int n = inner.LeafCount;
            // Each outer leaf holds one inner tree: column j gathers the j-th leaf of every inner tree.
            var columns = Enumerable.Range(0, n)
                .Select(j => outer.Unflatten(Enumerable.Range(0, outer.LeafCount).Select(i => leaves[i * n + j]).ToArray()))
                .ToArray();
            return (TResult)PyTree.Rebuild(typeof(TResult), inner.Aux, columns);
        }

        /// <summary>True when <paramref name="tree"/> is <paramref name="outer"/>'s shape with <paramref name="inner"/> at each leaf.</summary>
        private static bool HasOuterShape(TreeDef tree, TreeDef outer, TreeDef inner)
        {
            if (outer.IsLeaf) return tree.Equals(inner);
            if (outer.IsNone) return tree.IsNone;
            return !tree.IsLeaf && tree.ShapeKind == outer.ShapeKind && tree.Children.Count == outer.Children.Count &&
                System.Collections.StructuralComparisons.StructuralEqualityComparer.Equals(tree.Aux, outer.Aux) &&
                tree.Children.Zip(outer.Children).All(p => HasOuterShape(p.First, p.Second, inner));
        }
    }
}
