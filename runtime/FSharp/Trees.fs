namespace JaxToolchain.FSharp

open System
open System.Collections.Generic
open System.Reflection
open Microsoft.FSharp.Reflection
open JaxToolchain

/// <summary>
/// F# values as pytrees (JAX's <c>tree_util</c> over F#'s own shapes): tuples (reference and struct), records,
/// single-case unions, lists, string-keyed maps (children in key order, as JAX orders dict keys) and options (<c>None</c>
/// is JAX's <c>None</c>, <c>Some x</c> a node of one child). Types are registered with the runtime's <c>PyTree</c>
/// the first time a tree holds them, through a resolver this module installs; every function of this assembly installs
/// it, and an assembly woven by jaxc that references Jax.FSharp installs it when it loads.
/// </summary>
module Trees =
    let private flags = BindingFlags.Public ||| BindingFlags.NonPublic

    let private register (t: Type) (kind: string) (flatten: obj -> obj[]) (rebuild: IReadOnlyList<obj> -> obj) (names: string[]) =
        PyTree.Register(t, kind, (fun o -> struct (flatten o :> IReadOnlyList<obj>, null)), (fun _ c -> rebuild c),
                        (if isNull names then null else names :> IReadOnlyList<string>))

    let private isGeneric (definition: Type) (t: Type) = t.IsGenericType && t.GetGenericTypeDefinition() = definition

    /// A readable name for printed structures: the F# name of the type, with its arguments.
    let rec private typeName (t: Type) : string =
        if not t.IsGenericType then t.Name
        else
            let name = t.Name.Substring(0, t.Name.IndexOf '`')
            sprintf "%s<%s>" name (t.GetGenericArguments() |> Array.map typeName |> String.concat ", ")

    let private registerTuple (t: Type) =
        let read = FSharpValue.PreComputeTupleReader t
        let make = FSharpValue.PreComputeTupleConstructor t
        register t "tuple" read (fun c -> make (Seq.toArray c)) null

    let private registerRecord (t: Type) =
        let names = FSharpType.GetRecordFields(t, flags) |> Array.map (fun p -> p.Name)
        let read = FSharpValue.PreComputeRecordReader(t, flags)
        let make = FSharpValue.PreComputeRecordConstructor(t, flags)
        register t (typeName t) read (fun c -> make (Seq.toArray c)) names

    let private registerSingleCaseUnion (t: Type) (case: UnionCaseInfo) =
        let names = case.GetFields() |> Array.map (fun p -> p.Name)
        let read = FSharpValue.PreComputeUnionReader(case, flags)
        let make = FSharpValue.PreComputeUnionConstructor(case, flags)
        register t (typeName t) read (fun c -> make (Seq.toArray c)) names

    let private registerList (t: Type) =
        let cases = FSharpType.GetUnionCases t
        let empty = FSharpValue.PreComputeUnionConstructor cases.[0] [||]
        let cons = FSharpValue.PreComputeUnionConstructor cases.[1]
        let flatten (o: obj) = (o :?> System.Collections.IEnumerable) |> Seq.cast<obj> |> Seq.toArray
        let rebuild (c: IReadOnlyList<obj>) =
            let mutable list = empty
            for i in c.Count - 1 .. -1 .. 0 do
                list <- cons [| c.[i]; list |]
            list
        register t (typeName t) flatten rebuild null

    let private registerOption (t: Type) =
        let some = (FSharpType.GetUnionCases t).[1]
        let read = FSharpValue.PreComputeUnionReader some
        let make = FSharpValue.PreComputeUnionConstructor some
        register t "Some" read (fun c -> make (Seq.toArray c)) [| "Value" |]

    let private registerMap (t: Type) =
        let valueType = t.GetGenericArguments().[1]
        let pairType = FSharpType.MakeTupleType [| typeof<string>; valueType |]
        let makePair = FSharpValue.PreComputeTupleConstructor pairType
        let constructor = t.GetConstructor [| typedefof<IEnumerable<_>>.MakeGenericType pairType |]
        let keysOf (o: obj) =
            (o :?> System.Collections.IEnumerable)
            |> Seq.cast<obj>
            |> Seq.map (fun pair -> pair.GetType().GetProperty("Key").GetValue pair :?> string)
            |> Seq.sortWith (fun a b -> String.CompareOrdinal(a, b))
            |> Seq.toArray
        let flatten (o: obj) =
            let keys = keysOf o
            let item = t.GetProperty "Item"
            struct ((keys |> Array.map (fun k -> item.GetValue(o, [| box k |]))) :> IReadOnlyList<obj>, box keys)
        let rebuild (aux: obj) (c: IReadOnlyList<obj>) =
            let keys = aux :?> string[]
            let pairs = Array.CreateInstance(pairType, keys.Length)
            keys |> Array.iteri (fun i k -> pairs.SetValue(makePair [| box k; c.[i] |], i))
            constructor.Invoke [| box pairs |]
        PyTree.Register(t, "dict", flatten, (fun a c -> rebuild a c), null)

    /// Registers an F# type the runtime does not know as a tree node; false for any other type.
    let private resolve (t: Type) : bool =
        try
            if FSharpType.IsTuple t then registerTuple t; true
            elif FSharpType.IsRecord(t, flags) then registerRecord t; true
            elif isGeneric typedefof<list<obj>> t then registerList t; true
            elif isGeneric typedefof<option<obj>> t then registerOption t; true
            elif isGeneric typedefof<Map<string, obj>> t && t.GetGenericArguments().[0] = typeof<string> then registerMap t; true
            elif FSharpType.IsUnion(t, flags) && not (FSharpType.IsUnion t.BaseType) then
                match FSharpType.GetUnionCases(t, flags) with
                | [| case |] when case.GetFields().Length > 0 -> registerSingleCaseUnion t case; true
                | _ -> false
            else false
        with :? ArgumentException -> false

    let mutable private installed = false

    /// <summary>
    /// Installs the F# tree resolver in the runtime (idempotent): from then on F# tuples, records, single-case unions,
    /// lists, maps with string keys and options are trees wherever the runtime flattens one (<c>Jax.Grad</c>,
    /// <c>Jax.Jit</c>, <c>[&lt;Jit&gt;]</c> methods, <c>Jax.Tree</c>). The resolver reads F# types by reflection, so a
    /// NativeAOT app has none: there, tuples of tensors are trees by the runtime's own registration and the records
    /// of <c>[&lt;Jit&gt;]</c> signatures by the registration jaxc weaves into the assembly.
    /// </summary>
    [<CompiledName("Install")>]
    let install () =
        if System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported && not installed then
            PyTree.AddResolver(Func<Type, bool>(resolve))
            installed <- true

    /// <summary>The leaves of a tree, left to right (<c>jax.tree.leaves</c>).</summary>
    let leaves (tree: obj) : Tensor list =
        install ()
        Jax.Tree.Leaves tree |> List.ofSeq

    /// <summary>A tree of the same structure with <paramref name="f"/> applied to every leaf (<c>jax.tree.map</c>).</summary>
    let map (f: Tensor -> Tensor) (tree: 'T) : 'T =
        install ()
        Jax.Tree.Map<'T>(Func<Tensor, Tensor> f, tree)

    /// <summary>
    /// A tree of the structure of <paramref name="a"/> with <paramref name="f"/> applied to matching leaves
    /// (<c>jax.tree.map(f, a, b)</c>); trees of different structures are an <c>ArgumentException</c>.
    /// </summary>
    let map2 (f: Tensor -> Tensor -> Tensor) (a: 'T) (b: 'T) : 'T =
        install ()
        Jax.Tree.Map<'T>(Func<Tensor, Tensor, Tensor>(fun x y -> f x y), a, b)

    /// <summary>The structure of a tree (<c>jax.tree.structure</c>).</summary>
    let structure (tree: obj) : TreeDef =
        install ()
        Jax.Tree.Structure tree
