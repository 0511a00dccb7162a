using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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
/// Marks a partial record or class as a pytree node for the <c>Jax.Generators</c> source generator (as
/// <c>flax.struct.dataclass</c>): its public properties that hold tensors or trees are children, the others (and those
/// marked <see cref="StaticAttribute"/>) are static data that is part of the tree's structure. The generator registers
/// the type with <c>PyTree.Register</c> when the assembly loads (a module initializer), so the type must be public or
/// internal and not nested in a private type.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class PyTreeAttribute : Attribute;

/// <summary>
/// Marks a property of a <see cref="PyTreeAttribute"/> type as static data (flax's <c>pytree_node=False</c>): it is not
/// traced or differentiated; it is part of the structure, so a jitted function is traced again when it changes.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class StaticAttribute : Attribute;

/// <summary>
/// Flattening of trees of tensors (JAX's pytrees). A <see cref="Tensor"/> is a leaf and <c>null</c> an empty node (JAX's
/// <c>None</c>). Interior nodes: value tuples of any arity, one-dimensional arrays, <see cref="List{T}"/>,
/// <see cref="Dictionary{TKey, TValue}"/> with string keys (in sorted key order, as JAX orders dict keys),
/// <see cref="IPyTree"/> implementations and types registered with <c>Register</c>
/// (records and classes marked <see cref="PyTreeAttribute"/> are registered by the <c>Jax.Generators</c> source generator,
/// which also registers the tuple, list and dictionary types a program uses). Rebuilding a tuple, list or dictionary
/// needs its closed type registered, which keeps trees free of run-time reflection (trimming and NativeAOT): arrays need
/// nothing; the common types of tensors are registered here.
/// </summary>
public static class PyTree
{
    /// <summary>How a registered node type lists its children and static data and is rebuilt.</summary>
    private sealed record Handler(string Kind, Func<object, (IReadOnlyList<object?> Children, object? Aux)> Flatten, Func<object?, IReadOnlyList<object?>, object> Unflatten)
    {
        /// <summary>The children's names (a record's property names) for key paths; null: children are numbered.</summary>
        public IReadOnlyList<string>? ChildNames { get; init; }
    }

    private static readonly ConcurrentDictionary<Type, Handler> Handlers = new();

    static PyTree()
    {
        RegisterTuple<Tensor, Tensor>();
        RegisterTuple<Tensor, Tensor, Tensor>();
        RegisterTuple<Tensor, Tensor, Tensor, Tensor>();
        RegisterTuple<Tensor, Tensor[]>();
        RegisterTuple<Tensor, Tensor[], Tensor>();
        RegisterTuple<Tensor, Tensor[], Tensor[]>();
        RegisterTuple<Tensor, Tensor[], Tensor[], Tensor[]>();
        // F#'s tuples are System.Tuple: the tensor ones are registered here, so that F# [<Jit>] functions taking or
        // returning them need nothing else (Jax.FSharp registers every other F# tuple as it meets it).
        RegisterTupleType(c => Tuple.Create((Tensor)c[0]!, (Tensor)c[1]!));
        RegisterTupleType(c => Tuple.Create((Tensor)c[0]!, (Tensor)c[1]!, (Tensor)c[2]!));
        RegisterTupleType(c => Tuple.Create((Tensor)c[0]!, (Tensor)c[1]!, (Tensor)c[2]!, (Tensor)c[3]!));
        RegisterList<Tensor>();
        RegisterList<object>();
        RegisterList<Tensor[]>();
        RegisterList<(Tensor, Tensor)>();
        RegisterDictionary<Tensor>();
        RegisterDictionary<object>();
        RegisterDictionary<Dictionary<string, Tensor>>();
    }

    /// <summary>
    /// Registers <typeparamref name="T"/> as a tree node (<c>jax.tree_util.register_pytree_node</c>) whose children are
    /// listed by <paramref name="children"/> and which <paramref name="rebuild"/> makes from new children. For types you
    /// do not own; a type you own can be marked <see cref="PyTreeAttribute"/> or implement <see cref="IPyTree"/>.
    /// </summary>
    public static void Register<T>(Func<T, IReadOnlyList<object?>> children, Func<IReadOnlyList<object?>, T> rebuild) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(children);
        ArgumentNullException.ThrowIfNull(rebuild);
        Register<T>(x => (children(x), null), (_, c) => rebuild(c));
    }

    /// <summary>
    /// Registers <typeparamref name="T"/> as a tree node with static data (JAX's <c>aux_data</c>): <paramref name="flatten"/>
    /// gives the children and the static data (compared with <see cref="object.Equals(object?)"/>, arrays element by
    /// element, as part of the structure), <paramref name="unflatten"/> rebuilds from the static data and new children.
    /// </summary>
    public static void Register<T>(Func<T, (IReadOnlyList<object?> Children, object? Aux)> flatten, Func<object?, IReadOnlyList<object?>, T> unflatten) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(flatten);
        ArgumentNullException.ThrowIfNull(unflatten);
        Handlers[typeof(T)] = new Handler(TypeName(typeof(T)), x => flatten((T)x), (aux, c) => unflatten(aux, c));
    }

    /// <summary>
    /// Registers <typeparamref name="T"/> as a tree node with static data whose children have names
    /// (<paramref name="childNames"/>, one per child in order: JAX's <c>GetAttrKey</c>s), which key paths use
    /// (<see cref="Jax.Tree.ToFlatDictionary(object?, char)"/>): the source generator registers <see cref="PyTreeAttribute"/>
    /// records with their property names.
    /// </summary>
    public static void Register<T>(Func<T, (IReadOnlyList<object?> Children, object? Aux)> flatten, Func<object?, IReadOnlyList<object?>, T> unflatten, IReadOnlyList<string> childNames) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(flatten);
        ArgumentNullException.ThrowIfNull(unflatten);
        ArgumentNullException.ThrowIfNull(childNames);
        Handlers[typeof(T)] = new Handler(TypeName(typeof(T)), x => flatten((T)x), (aux, c) => unflatten(aux, c)) { ChildNames = childNames.ToArray() };
    }

    /// <summary>
    /// Registers <paramref name="type"/> as a tree node without a generic type argument (JAX's
    /// <c>register_pytree_node(type, ...)</c>): for registrations decided at run time, such as the F# surface's
    /// (<c>Jax.FSharp</c>), which registers F# records, tuples, lists, maps and options as it meets them.
    /// <paramref name="kind"/> names the node in printed structures; <paramref name="childNames"/> (optional) names the
    /// children for key paths.
    /// </summary>
    public static void Register(Type type, string kind, Func<object, (IReadOnlyList<object?> Children, object? Aux)> flatten,
        Func<object?, IReadOnlyList<object?>, object> unflatten, IReadOnlyList<string>? childNames = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(flatten);
        ArgumentNullException.ThrowIfNull(unflatten);
        Handlers[type] = new Handler(kind, flatten, unflatten) { ChildNames = childNames?.ToArray() };
    }

    /// <summary>The resolvers, replaced (never changed) when one is added: read without a lock on every miss.</summary>
    private static Func<Type, bool>[] _resolvers = [];

    private static readonly Lock ResolversGate = new();

    /// <summary>
    /// Adds a resolver asked about every type that is met in a tree and has no handler: it may register the type (with
    /// <see cref="Register(Type, string, Func{object, ValueTuple{IReadOnlyList{object}, object}}, Func{object, IReadOnlyList{object}, object}, IReadOnlyList{string})"/>)
    /// and return true. Resolvers are asked in the order they were added; adding the same one twice adds it once.
    /// </summary>
    public static void AddResolver(Func<Type, bool> resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        lock (ResolversGate)
        {
            if (_resolvers.Contains(resolver)) return;
            Volatile.Write(ref _resolvers, [.. _resolvers, resolver]);
            Unresolved.Clear();
        }
    }

    /// <summary>The handler of <paramref name="type"/>, asking the resolvers once when there is none.</summary>
    private static bool TryGetHandler(Type type, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Handler? handler)
    {
        if (Handlers.TryGetValue(type, out handler)) return true;
        var resolvers = Volatile.Read(ref _resolvers);
        if (resolvers.Length == 0 || Unresolved.ContainsKey(type)) return false;
        foreach (var resolve in resolvers)
            if (resolve(type) && Handlers.TryGetValue(type, out handler)) return true;
        Unresolved.TryAdd(type, 0);
        return false;
    }

    /// <summary>Types every resolver declined (asked again after a resolver is added).</summary>
    private static readonly ConcurrentDictionary<Type, byte> Unresolved = new();

    /// <summary>
    /// The names of a node's children in key paths: a dictionary's keys, a registered type's child names, else the
    /// children's positions (<c>0</c>, <c>1</c>, ...).
    /// </summary>
    internal static IReadOnlyList<string> ChildKeys(object node, string kind, object? aux, int count)
    {
        if (Handlers.TryGetValue(node.GetType(), out var handler) && handler.ChildNames is { } names && names.Count == count)
            return names;
        if (kind == "dict" && aux is string[] keys && keys.Length == count)
            return keys;
        var positions = new string[count];
        for (int i = 0; i < count; i++) positions[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return positions;
    }

    /// <summary>True when <paramref name="type"/> has a registered node handler (including the built-in ones).</summary>
    public static bool IsRegistered(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return TryGetHandler(type, out _);
    }

    private static IReadOnlyList<object?> Items(ITuple t)
    {
        var items = new object?[t.Length];
        for (int i = 0; i < items.Length; i++) items[i] = t[i];
        return items;
    }

    private static void RegisterTupleType<T>(Func<IReadOnlyList<object?>, T> rebuild) where T : ITuple =>
        Handlers[typeof(T)] = new Handler("tuple", x => (Items((ITuple)x), null), (_, c) => rebuild(c)!);

    private static T Item<T>(IReadOnlyList<object?> c, int i) => (T)c[i]!;

    /// <summary>Registers the value tuple type <c>ValueTuple&lt;T1&gt;</c> (its items may be any trees).</summary>
    public static void RegisterTuple<T1>() => RegisterTupleType(c => new ValueTuple<T1>(Item<T1>(c, 0)));

    /// <summary>Registers the value tuple type <c>(T1, T2)</c> (its items may be any trees).</summary>
    public static void RegisterTuple<T1, T2>() => RegisterTupleType(c => (Item<T1>(c, 0), Item<T2>(c, 1)));

    /// <summary>Registers the value tuple type <c>(T1, T2, T3)</c>.</summary>
    public static void RegisterTuple<T1, T2, T3>() => RegisterTupleType(c => (Item<T1>(c, 0), Item<T2>(c, 1), Item<T3>(c, 2)));

    /// <summary>Registers the value tuple type <c>(T1, ..., T4)</c>.</summary>
    public static void RegisterTuple<T1, T2, T3, T4>() =>
        RegisterTupleType(c => (Item<T1>(c, 0), Item<T2>(c, 1), Item<T3>(c, 2), Item<T4>(c, 3)));

    /// <summary>Registers the value tuple type <c>(T1, ..., T5)</c>.</summary>
    public static void RegisterTuple<T1, T2, T3, T4, T5>() =>
        RegisterTupleType(c => (Item<T1>(c, 0), Item<T2>(c, 1), Item<T3>(c, 2), Item<T4>(c, 3), Item<T5>(c, 4)));

    /// <summary>Registers the value tuple type <c>(T1, ..., T6)</c>.</summary>
    public static void RegisterTuple<T1, T2, T3, T4, T5, T6>() =>
        RegisterTupleType(c => (Item<T1>(c, 0), Item<T2>(c, 1), Item<T3>(c, 2), Item<T4>(c, 3), Item<T5>(c, 4), Item<T6>(c, 5)));

    /// <summary>Registers the value tuple type <c>(T1, ..., T7)</c>.</summary>
    public static void RegisterTuple<T1, T2, T3, T4, T5, T6, T7>() =>
        RegisterTupleType(c => (Item<T1>(c, 0), Item<T2>(c, 1), Item<T3>(c, 2), Item<T4>(c, 3), Item<T5>(c, 4), Item<T6>(c, 5), Item<T7>(c, 6)));

    /// <summary>
    /// Registers a value tuple of eight or more items, <c>ValueTuple&lt;T1, ..., T7, TRest&gt;</c>: its children are all its
    /// items (those of <typeparamref name="TRest"/> after the first seven); <typeparamref name="TRest"/> must be registered too.
    /// </summary>
    public static void RegisterTuple<T1, T2, T3, T4, T5, T6, T7, TRest>() where TRest : struct, ITuple =>
        RegisterTupleType(c =>
        {
            var rest = Handlers.TryGetValue(typeof(TRest), out var h) ? (TRest)h.Unflatten(null, c.Skip(7).ToArray())
                : throw new InvalidOperationException($"PyTree: the tuple rest type {TypeName(typeof(TRest))} is not registered: call PyTree.RegisterTuple for it");
            return new ValueTuple<T1, T2, T3, T4, T5, T6, T7, TRest>(Item<T1>(c, 0), Item<T2>(c, 1), Item<T3>(c, 2), Item<T4>(c, 3), Item<T5>(c, 4), Item<T6>(c, 5), Item<T7>(c, 6), rest);
        });

    /// <summary>Registers <see cref="List{T}"/> of the tree type <typeparamref name="T"/>.</summary>
    public static void RegisterList<T>() =>
        Handlers[typeof(List<T>)] = new Handler(TypeName(typeof(List<T>)), x => (((List<T>)x).Cast<object?>().ToArray(), null),
            (_, c) => c.Select(child => (T)child!).ToList());

    /// <summary>Registers <see cref="Dictionary{TKey, TValue}"/> with string keys and tree values of type <typeparamref name="TValue"/>.</summary>
    public static void RegisterDictionary<TValue>() =>
        Handlers[typeof(Dictionary<string, TValue>)] = new Handler("dict", x =>
        {
            var d = (Dictionary<string, TValue>)x;
            var keys = d.Keys.Order(StringComparer.Ordinal).ToArray();
            return (keys.Select(k => (object?)d[k]).ToArray(), keys);
        }, (aux, c) => ((string[])aux!).Select((k, i) => (k, (TValue)c[i]!)).ToDictionary(p => p.k, p => p.Item2));

    /// <summary>
    /// The items of a sequence as a tree node's children: for registrations written as IL (jaxc registers F#'s
    /// <c>Tensor list</c> of <c>[&lt;Jit&gt;]</c> signatures with it), not for direct use.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static (IReadOnlyList<object?> Children, object? Aux) SequenceChildren(object sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        return (((IEnumerable)sequence).Cast<object?>().ToArray(), null);
    }

    /// <summary>A node's children as an array of <typeparamref name="T"/>: for registrations written as IL, not for direct use.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static T[] ChildrenAs<T>(IReadOnlyList<object?> children)
    {
        ArgumentNullException.ThrowIfNull(children);
        return children.Select(c => (T)c!).ToArray();
    }

    /// <summary>The leaves of a tree, left to right, and the structure to rebuild it from new leaves.</summary>
    public static (IReadOnlyList<Tensor> Leaves, TreeDef Structure) Flatten(object? tree)
    {
        var leaves = new List<Tensor>();
        var def = Build(tree, leaves);
        return (leaves, def);
    }

    /// <summary>The leaves of a tree.</summary>
    public static IReadOnlyList<Tensor> Leaves(object? tree) => Flatten(tree).Leaves;

    /// <summary>
    /// The children of an interior node, its kind and static data, and how to rebuild it; null for a value that is not
    /// an interior node. A tuple, list or dictionary type with no handler can be read; rebuilding it throws.
    /// </summary>
    internal static (IReadOnlyList<object?> Children, string Kind, object? Aux, Func<object?, IReadOnlyList<object?>, object?> Rebuild)? Node(object value)
    {
        if (value is not Tensor && TryGetHandler(value.GetType(), out var handler))
        {
            var (children, aux) = handler.Flatten(value);
            return (children, handler.Kind, aux, handler.Unflatten);
        }
        switch (value)
        {
            case IPyTree node:
                return (node.Children, TypeName(node.GetType()), null, (_, c) => node.Rebuild(c!));
            case Array array when array.Rank == 1:
                {
                    var items = new object?[array.Length];
                    for (int i = 0; i < items.Length; i++) items[i] = array.GetValue(i);
                    return (items, TypeName(array.GetType()), null, (_, c) =>
                    {
                        if (c.Count != array.Length)
                            throw new ArgumentException($"PyTree: an array of {array.Length} items cannot be rebuilt from {c.Count} children");
                        var copy = (Array)array.Clone();
                        for (int i = 0; i < c.Count; i++) copy.SetValue(c[i], i);
                        return copy;
                    }
                    );
                }
            case ITuple tuple:
                return (Items(tuple), "tuple", null, (_, _) => throw Unregistered(value.GetType(), "RegisterTuple"));
            case IDictionary dict:
                {
                    var keys = new List<string>();
                    foreach (var key in dict.Keys)
                        keys.Add(key as string ?? throw new ArgumentException($"PyTree: {TypeName(value.GetType())} has a key {key} that is not a string: tree dictionaries have string keys"));
                    var sorted = keys.Order(StringComparer.Ordinal).ToArray();
                    return (sorted.Select(k => dict[k]).ToArray(), "dict", sorted, (_, _) => throw Unregistered(value.GetType(), "RegisterDictionary"));
                }
            case IList list:
                return (list.Cast<object?>().ToArray(), TypeName(value.GetType()), null, (_, _) => throw Unregistered(value.GetType(), "RegisterList"));
            default:
                return null;
        }
    }

    /// <summary>A node of the registered type <paramref name="type"/> with static data <paramref name="aux"/> and these children.</summary>
    internal static object Rebuild(Type type, object? aux, IReadOnlyList<object?> children) =>
        TryGetHandler(type, out var handler) ? handler.Unflatten(aux, children) : throw Unregistered(type, "Register");

    private static InvalidOperationException Unregistered(Type type, string method) => new(
        $"PyTree: cannot rebuild a {TypeName(type)}: its type is not registered. Reference the Jax.Generators analyzer (it " +
        $"registers the tuple, list and dictionary types your code uses) or call PyTree.{method}<...>() for it once");

    private static TreeDef Build(object? tree, List<Tensor> leaves)
    {
        NestingDepthException.EnsureStack("flattening", "trees within trees", "tree");
        if (tree is null) return TreeDef.None;
        if (tree is Tensor t)
        {
            leaves.Add(t);
            return TreeDef.Leaf;
        }
        var node = Node(tree) ?? throw new ArgumentException(
            $"{TypeName(tree.GetType())} is not a tree of tensors: use Tensor, null, value tuples, arrays, List<T>, " +
            "Dictionary<string, T>, records or classes marked [PyTree], IPyTree, or register the type with PyTree.Register");
        var (children, kind, aux, rebuild) = node;
        return new TreeDef(tree.GetType(), kind, aux, children.Select(c => Build(c, leaves)).ToArray(), rebuild);
    }

    /// <summary>A readable name of a type: <c>List&lt;(Tensor, Tensor)&gt;</c>.</summary>
    internal static string TypeName(Type type)
    {
        if (type.IsArray) return TypeName(type.GetElementType()!) + "[]";
        if (!type.IsGenericType) return type.Name;
        var args = type.GetGenericArguments().Select(TypeName);
        if (type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true) return $"({string.Join(", ", args)})";
        var name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return $"{(tick < 0 ? name : name[..tick])}<{string.Join(", ", args)}>";
    }
}

/// <summary>
/// The structure of a flattened tree (JAX's <c>PyTreeDef</c>): rebuilds a tree of the same shape from leaves. Two
/// structures are equal when their node types, static data and children are.
/// </summary>
public sealed class TreeDef : IEquatable<TreeDef>
{
    private readonly Func<object?, IReadOnlyList<object?>, object?>? _rebuild;
    private readonly Type? _type;
    private readonly string _kind;

    internal static TreeDef Leaf { get; } = new(null, "*", null, [], null);

    internal static TreeDef None { get; } = new(null, "None", null, [], (_, _) => null);

    internal TreeDef(Type? type, string kind, object? aux, IReadOnlyList<TreeDef> children, Func<object?, IReadOnlyList<object?>, object?>? rebuild)
    {
        _type = type;
        _kind = kind;
        Aux = aux;
        Children = children;
        _rebuild = rebuild;
        LeafCount = rebuild is null ? 1 : children.Sum(c => c.LeafCount);
    }

    /// <summary>The number of leaves (<c>num_leaves</c>).</summary>
    public int LeafCount { get; }

    /// <summary>True for a leaf (<c>*</c>).</summary>
    public bool IsLeaf => _rebuild is null;

    /// <summary>True for the empty node of <c>null</c> (JAX's <c>None</c>).</summary>
    public bool IsNone => ReferenceEquals(this, None);

    /// <summary>The structures of the children (<c>children()</c>); none for a leaf.</summary>
    public IReadOnlyList<TreeDef> Children { get; }

    /// <summary>The node's kind without element types (<c>List</c> for any list, <c>[]</c> for any array): its shape.</summary>
    internal string ShapeKind => _kind.EndsWith("[]", StringComparison.Ordinal) ? "[]" : _kind.Split('<')[0];

    /// <summary>The node's static data (a dictionary's sorted keys, a registered type's aux data), or null.</summary>
    public object? Aux { get; }

    /// <summary>A tree of this structure with the given leaves (in flattening order).</summary>
    public object? Unflatten(IReadOnlyList<Tensor> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        return UnflattenObjects(leaves.Cast<object?>().ToArray());
    }

    /// <summary>A tree of this structure whose leaves are any values (trees themselves, as in <c>tree.transpose</c>).</summary>
    internal object? UnflattenObjects(IReadOnlyList<object?> leaves)
    {
        if (leaves.Count != LeafCount)
            throw new ArgumentException($"the tree {this} has {LeafCount} leaves, got {leaves.Count}");
        int next = 0;
        return Build(leaves, ref next);
    }

    private object? Build(IReadOnlyList<object?> leaves, ref int next)
    {
        if (_rebuild is null) return leaves[next++];
        NestingDepthException.EnsureStack("unflattening", "trees within trees", "tree");
        var children = new object?[Children.Count];
        for (int i = 0; i < children.Length; i++) children[i] = Children[i].Build(leaves, ref next);
        return _rebuild(Aux, children);
    }

    /// <inheritdoc/>
    public bool Equals(TreeDef? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (_type == other._type && _kind == other._kind && IsLeaf == other.IsLeaf &&
             StructuralComparisons.StructuralEqualityComparer.Equals(Aux, other.Aux) && Children.SequenceEqual(other.Children)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TreeDef);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_kind, LeafCount, Children.Count);

    /// <summary>
    /// Prints like JAX's PyTreeDef: <c>*</c> a leaf, <c>None</c>, <c>tuple(*, List&lt;Tensor&gt;(*, *))</c>,
    /// <c>{a: *, b: *}</c> a dictionary, <c>Layer[aux](*, *)</c> a registered type with static data.
    /// </summary>
    public override string ToString()
    {
        if (IsLeaf) return "*";
        if (IsNone) return "None";
        if (_kind == "dict" && Aux is string[] keys)
            return "{" + string.Join(", ", keys.Select((k, i) => $"{k}: {Children[i]}")) + "}";
        var aux = Aux is null ? "" : $"[{AuxText(Aux)}]";
        return $"{_kind}{aux}({string.Join(", ", Children)})";
    }

    private static string AuxText(object aux) =>
        aux is IEnumerable items and not string ? string.Join(", ", items.Cast<object?>().Select(a => a?.ToString() ?? "null")) : aux.ToString() ?? "";
}
