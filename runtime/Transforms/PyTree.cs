using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// A user type that transformations can look inside (JAX's registered pytree nodes): it lists its children
/// (tensors or other trees) and rebuilds itself from new children of the same structure.
/// </summary>
public interface IPyTree
{
    /// <summary>The children, in a fixed order.</summary>
    IReadOnlyList<object> Children { get; }

    /// <summary>A node of the same type and static data with these children.</summary>
    IPyTree Rebuild(IReadOnlyList<object> children);
}

/// <summary>
/// Flattening of trees of tensors (JAX's pytrees): a <see cref="Tensor"/> is a leaf; arrays, lists and
/// string-keyed dictionaries (in sorted key order, as JAX does), tuples of tensors, and <see cref="IPyTree"/>
/// nodes are interior nodes.
/// </summary>
public static class PyTree
{
    /// <summary>The leaves of a tree, left to right, and the structure to rebuild it from new leaves.</summary>
    public static (IReadOnlyList<Tensor> Leaves, TreeDef Structure) Flatten(object tree)
    {
        var leaves = new List<Tensor>();
        var def = Build(tree, leaves);
        return (leaves, def);
    }

    /// <summary>The leaves of a tree.</summary>
    public static IReadOnlyList<Tensor> Leaves(object tree) => Flatten(tree).Leaves;

    private static TreeDef Build(object tree, List<Tensor> leaves)
    {
        NestingDepthException.EnsureStack("flattening", "trees within trees", "tree");
        switch (tree)
        {
            case Tensor t:
                leaves.Add(t);
                return TreeDef.Leaf;
            case IPyTree node:
                return Node(node.Children, leaves, c => node.Rebuild(c), node.GetType().Name);
            case Tensor[] array:
                return Node(array, leaves, c => c.Cast<Tensor>().ToArray(), "Tensor[]");
            case List<Tensor> list:
                return Node(list, leaves, c => c.Cast<Tensor>().ToList(), "List<Tensor>");
            case object[] array:
                return Node(array, leaves, c => c.ToArray(), "object[]");
            case List<object> list:
                return Node(list, leaves, c => c.ToList(), "List<object>");
            case Dictionary<string, Tensor> dict:
                {
                    var keys = dict.Keys.Order(StringComparer.Ordinal).ToArray();
                    return Node(keys.Select(k => (object)dict[k]).ToArray(), leaves,
                        c => keys.Select((k, i) => (k, (Tensor)c[i])).ToDictionary(p => p.k, p => p.Item2), "dict");
                }
            case Dictionary<string, object> dict:
                {
                    var keys = dict.Keys.Order(StringComparer.Ordinal).ToArray();
                    return Node(keys.Select(k => dict[k]).ToArray(), leaves,
                        c => keys.Select((k, i) => (k, c[i])).ToDictionary(p => p.k, p => p.Item2), "dict");
                }
            case ValueTuple<Tensor, Tensor> p:
                return Node([p.Item1, p.Item2], leaves, c => ((Tensor)c[0], (Tensor)c[1]), "tuple");
            case ValueTuple<Tensor, Tensor, Tensor> p:
                return Node([p.Item1, p.Item2, p.Item3], leaves, c => ((Tensor)c[0], (Tensor)c[1], (Tensor)c[2]), "tuple");
            case ValueTuple<Tensor, Tensor, Tensor, Tensor> p:
                return Node([p.Item1, p.Item2, p.Item3, p.Item4], leaves, c => ((Tensor)c[0], (Tensor)c[1], (Tensor)c[2], (Tensor)c[3]), "tuple");
            default:
                throw new ArgumentException(
                    $"{tree?.GetType().Name ?? "null"} is not a tree of tensors: use Tensor, arrays, lists, Dictionary<string, ...>, tuples of Tensors, or implement IPyTree");
        }
    }

    private static TreeDef Node(IReadOnlyList<object> children, List<Tensor> leaves, Func<IReadOnlyList<object>, object> rebuild, string kind) =>
        new(children.Select(c => Build(c, leaves)).ToArray(), rebuild, kind);
}

/// <summary>The structure of a flattened tree: rebuilds a tree of the same shape from leaves.</summary>
public sealed class TreeDef
{
    private readonly IReadOnlyList<TreeDef> _children;
    private readonly Func<IReadOnlyList<object>, object>? _rebuild;
    private readonly string _kind;

    internal static TreeDef Leaf { get; } = new([], null, "*");

    internal TreeDef(IReadOnlyList<TreeDef> children, Func<IReadOnlyList<object>, object>? rebuild, string kind)
    {
        _children = children;
        _rebuild = rebuild;
        _kind = kind;
        LeafCount = rebuild is null ? 1 : children.Sum(c => c.LeafCount);
    }

    /// <summary>The number of leaves.</summary>
    public int LeafCount { get; }

    /// <summary>A tree of this structure with the given leaves (in flattening order).</summary>
    public object Unflatten(IReadOnlyList<Tensor> leaves)
    {
        if (leaves.Count != LeafCount)
            throw new ArgumentException($"the tree {this} has {LeafCount} leaves, got {leaves.Count}");
        int next = 0;
        return Build(leaves, ref next);
    }

    private object Build(IReadOnlyList<Tensor> leaves, ref int next)
    {
        if (_rebuild is null) return leaves[next++];
        NestingDepthException.EnsureStack("unflattening", "trees within trees", "tree");
        var children = new object[_children.Count];
        for (int i = 0; i < children.Length; i++) children[i] = _children[i].Build(leaves, ref next);
        return _rebuild(children);
    }

    /// <summary>Prints like JAX's PyTreeDef: <c>tuple(*, list(*, *))</c>.</summary>
    public override string ToString() => _rebuild is null ? "*" : $"{_kind}({string.Join(", ", _children)})";
}
