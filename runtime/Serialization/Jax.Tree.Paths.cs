using System.Text;
using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    public static partial class Tree
    {
        /// <summary>
        /// The leaves of a tree keyed by their paths (flax's <c>traverse_util.flatten_dict(tree, sep='/')</c>), in
        /// flattening order: a dictionary's key, a list's, array's or tuple's position (<c>0</c>, <c>1</c>, ...), a
        /// <see cref="PyTreeAttribute"/> record's property name (as registered; an <see cref="IPyTree"/> node's children
        /// are numbered), joined by <paramref name="separator"/> (<c>layers/0/W</c>). <c>null</c> subtrees have no
        /// leaves. What <see cref="Jnp.Savez(string, IReadOnlyDictionary{string, Tensor})"/> and
        /// <see cref="Safetensors.Save(string, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?)"/>
        /// take. A tree that is a single array (no path), or two leaves with the same path (a dictionary key containing
        /// the separator) is an <see cref="ArgumentException"/>.
        /// </summary>
        public static IReadOnlyDictionary<string, Tensor> ToFlatDictionary(object? tree, char separator = '/')
        {
            var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (path, leaf) in LeafPaths(tree, separator))
            {
                if (!result.TryAdd(path, leaf))
                    throw new ArgumentException($"tree.to_flat_dictionary: two leaves have the key path '{path}' (a dictionary key contains the separator '{separator}'?)", nameof(tree));
            }
            return result;
        }

        /// <summary>
        /// A tree of <paramref name="template"/>'s structure whose leaves are <paramref name="arrays"/>' values at the
        /// leaves' key paths (see <see cref="ToFlatDictionary(object?, char)"/>): loading parameters into a model. Each
        /// array must have its template leaf's shape and dtype (the template's values are not used). Every problem is
        /// listed in one <see cref="ArgumentException"/>: a missing key, a key the template does not have, a shape or a
        /// dtype mismatch, each naming the key, the expected and the found shape and dtype. The tree's node types must
        /// be registered (see <see cref="PyTree"/>).
        /// </summary>
        public static T FromFlatDictionary<T>(IReadOnlyDictionary<string, Tensor> arrays, T template, char separator = '/')
        {
            ArgumentNullException.ThrowIfNull(arrays);
            var problems = Fill(arrays, template, separator, out var leaves, out var def);
            if (problems is not null) throw new ArgumentException($"tree.from_flat_dictionary: the arrays do not fit the template: {problems}", nameof(arrays));
            return (T)def.Unflatten(leaves)!;
        }

        /// <summary>The leaves for a template's paths, or a description of every mismatch.</summary>
        internal static string? Fill<T>(IReadOnlyDictionary<string, Tensor> arrays, T template, char separator, out Tensor[] leaves, out TreeDef def)
        {
            var paths = LeafPaths(template, separator);
            def = PyTree.Flatten(template).Structure;
            leaves = new Tensor[paths.Count];
            var problems = new List<string>();
            var used = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < paths.Count; i++)
            {
                var (path, expected) = paths[i];
                if (!used.Add(path))
                {
                    problems.Add($"two template leaves have the key path '{path}'");
                    continue;
                }
                if (!arrays.TryGetValue(path, out var found) || found is null)
                {
                    problems.Add($"'{path}' is missing (expected {expected.Aval.ToLongString()})");
                    continue;
                }
                if (found.DType != expected.DType || !found.Shape.Equals(expected.Shape))
                {
                    problems.Add($"'{path}' is {found.Aval.ToLongString()}, expected {expected.Aval.ToLongString()}");
                    continue;
                }
                leaves[i] = found;
            }
            foreach (var key in arrays.Keys)
            {
                if (!used.Contains(key))
                    problems.Add($"'{key}' is not in the template ({arrays[key]?.Aval.ToLongString()})");
            }
            return problems.Count == 0 ? null : string.Join("; ", problems);
        }

        /// <summary>Each leaf of a tree with its key path, in flattening order.</summary>
        internal static List<(string Path, Tensor Leaf)> LeafPaths(object? tree, char separator)
        {
            var result = new List<(string, Tensor)>();
            if (tree is Tensor)
                throw new ArgumentException("a tree of parameters must be a node (a dictionary, list, tuple or record), not a single array: its leaf has no key path", nameof(tree));
            Walk(tree, new StringBuilder(), separator, result);
            return result;
        }

        private static void Walk(object? tree, StringBuilder path, char separator, List<(string, Tensor)> result)
        {
            NestingDepthException.EnsureStack("flattening", "trees within trees", "tree");
            if (tree is null) return;
            if (tree is Tensor t)
            {
                result.Add((path.ToString(), t));
                return;
            }
            var node = PyTree.Node(tree) ?? throw new ArgumentException(
                $"{PyTree.TypeName(tree.GetType())} is not a tree of tensors: use Tensor, null, value tuples, arrays, List<T>, " +
                "Dictionary<string, T>, records or classes marked [PyTree], IPyTree, or register the type with PyTree.Register");
            var (children, kind, aux, _) = node;
            var keys = PyTree.ChildKeys(tree, kind, aux, children.Count);
            int length = path.Length;
            for (int i = 0; i < children.Count; i++)
            {
                if (length > 0) path.Append(separator);
                path.Append(keys[i]);
                Walk(children[i], path, separator, result);
                path.Length = length;
            }
        }
    }
}
