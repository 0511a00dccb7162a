using Mono.Cecil;
using Mono.Cecil.Cil;

namespace JaxToolchain.Jaxc;

/// <summary>
/// An F# record whose fields are all tensors, as a <c>[&lt;Jit&gt;]</c> signature may take or return one: F# marks a
/// record type, and each field's property with its position, with FSharp.Core's <c>CompilationMappingAttribute</c>, and
/// gives the record a constructor taking the fields in that order.
/// </summary>
internal sealed record FSharpRecord(TypeDefinition Type, IReadOnlyList<PropertyDefinition> Fields, MethodDefinition Constructor)
{
    private const string TensorName = "JaxToolchain.Tensor";
    private const int RecordTypeFlag = 2, FieldFlag = 4; // SourceConstructFlags.RecordType, SourceConstructFlags.Field

    /// <summary>The record <paramref name="type"/> is, or null for any other type (or a record with a field that is no tensor).</summary>
    public static FSharpRecord? Read(TypeReference type)
    {
        if (type is GenericInstanceType or ArrayType || type.IsValueType) return null;
        TypeDefinition? definition;
        try { definition = type.Resolve(); }
        catch (AssemblyResolutionException) { return null; }
        if (definition is null || Mapping(definition.CustomAttributes) is not (RecordTypeFlag, _)) return null;
        var fields = definition.Properties
            .Select(p => (Property: p, Mapping: Mapping(p.CustomAttributes)))
            .Where(p => p.Mapping is (FieldFlag, _))
            .OrderBy(p => p.Mapping!.Value.Sequence)
            .Select(p => p.Property)
            .ToArray();
        if (fields.Length == 0 || fields.Any(f => f.PropertyType.FullName != TensorName || f.GetMethod is null)) return null;
        var constructor = definition.Methods.FirstOrDefault(m => m.IsConstructor && !m.IsStatic && m.Parameters.Count == fields.Length
            && m.Parameters.All(p => p.ParameterType.FullName == TensorName));
        return constructor is null ? null : new FSharpRecord(definition, fields, constructor);
    }

    /// <summary>The construct kind (low bits of <c>SourceConstructFlags</c>) and sequence number of a <c>CompilationMapping</c>.</summary>
    private static (int Kind, int Sequence)? Mapping(IEnumerable<CustomAttribute> attributes)
    {
        var mapping = attributes.FirstOrDefault(a => a.AttributeType.FullName == "Microsoft.FSharp.Core.CompilationMappingAttribute");
        if (mapping is null || mapping.ConstructorArguments.Count == 0) return null;
        int Int(int i) => Convert.ToInt32(mapping.ConstructorArguments[i].Value, System.Globalization.CultureInfo.InvariantCulture);
        return (Int(0) & 31, mapping.ConstructorArguments.Count > 1 ? Int(1) : 0);
    }

    /// <summary>
    /// Registers every record of <paramref name="records"/> as a pytree node in <paramref name="module"/>'s initializer,
    /// with IL written here instead of reflection (what the C# source generator does for <c>[PyTree]</c> records): a
    /// static class <c>&lt;JaxTrees&gt;</c> gets a flatten and an unflatten method per record, and the module
    /// initializer calls <c>PyTree.Register(typeof(R), "R", flatten, unflatten, fieldNames)</c>. So the records of
    /// <c>[&lt;Jit&gt;]</c> signatures are trees in every app, NativeAOT included, with or without Jax.FSharp. F#'s
    /// <c>Tensor list</c> parameters (<paramref name="lists"/>) are registered the same way: flattened by
    /// <c>PyTree.SequenceChildren</c>, rebuilt by FSharp.Core's <c>List.ofArray</c>.
    /// </summary>
    public static void Register(ModuleDefinition module, AssemblyNameReference runtime, IReadOnlyList<FSharpRecord> records, IReadOnlyList<TypeReference> lists)
    {
        if (records.Count == 0 && lists.Count == 0) return;
        var ts = module.TypeSystem;
        var corlib = ts.CoreLibrary;
        var tensor = new TypeReference("JaxToolchain", "Tensor", module, runtime);

        var readOnlyList = new TypeReference("System.Collections.Generic", "IReadOnlyList`1", module, corlib);
        readOnlyList.GenericParameters.Add(new GenericParameter(readOnlyList));
        GenericInstanceType ListOf(TypeReference element)
        {
            var instance = new GenericInstanceType(readOnlyList);
            instance.GenericArguments.Add(element);
            return instance;
        }
        var objects = ListOf(ts.Object);
        var getItem = new MethodReference("get_Item", readOnlyList.GenericParameters[0], objects) { HasThis = true };
        getItem.Parameters.Add(new ParameterDefinition(ts.Int32));

        var valueTuple = new TypeReference("System", "ValueTuple`2", module, corlib) { IsValueType = true };
        valueTuple.GenericParameters.Add(new GenericParameter(valueTuple));
        valueTuple.GenericParameters.Add(new GenericParameter(valueTuple));
        var flattened = new GenericInstanceType(valueTuple);
        flattened.GenericArguments.Add(objects);
        flattened.GenericArguments.Add(ts.Object);
        var flattenedConstructor = new MethodReference(".ctor", ts.Void, flattened) { HasThis = true };
        flattenedConstructor.Parameters.Add(new ParameterDefinition(valueTuple.GenericParameters[0]));
        flattenedConstructor.Parameters.Add(new ParameterDefinition(valueTuple.GenericParameters[1]));

        var flattenFunc = IlReferences.Func(module, ts.Object, flattened);
        var unflattenFunc = IlReferences.Func(module, ts.Object, objects, ts.Object);
        var getTypeFromHandle = IlReferences.GetTypeFromHandle(module);
        var pyTree = new TypeReference("JaxToolchain", "PyTree", module, runtime);
        var register = new MethodReference("Register", ts.Void, pyTree);
        foreach (var p in new TypeReference[] { getTypeFromHandle.ReturnType, ts.String, flattenFunc.Type, unflattenFunc.Type, ListOf(ts.String) })
            register.Parameters.Add(new ParameterDefinition(p));

        var holder = new TypeDefinition("", "<JaxTrees>", TypeAttributes.NotPublic | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class, ts.Object);
        module.Types.Add(holder);
        var initializer = IlReferences.ModuleInitializer(module);
        var il = initializer.Body.GetILProcessor();
        var first = initializer.Body.Instructions[0];
        void Emit(Instruction instruction) => il.InsertBefore(first, instruction);

        // A static method of <JaxTrees>: (object aux, IReadOnlyList<object> children) -> object, the node rebuilt.
        MethodDefinition Unflatten(string name)
        {
            var method = new MethodDefinition(name, MethodAttributes.Assembly | MethodAttributes.Static | MethodAttributes.HideBySig, ts.Object);
            method.Parameters.Add(new ParameterDefinition("aux", ParameterAttributes.None, ts.Object));
            method.Parameters.Add(new ParameterDefinition("children", ParameterAttributes.None, objects));
            holder.Methods.Add(method);
            return method;
        }

        // PyTree.Register(typeof(T), kind, flatten, unflatten, childNames) in the module initializer.
        void EmitRegister(TypeReference node, string kind, MethodReference flatten, MethodReference unflatten, IReadOnlyList<string>? childNames)
        {
            Emit(il.Create(OpCodes.Ldtoken, node));
            Emit(il.Create(OpCodes.Call, getTypeFromHandle));
            Emit(il.Create(OpCodes.Ldstr, kind));
            Emit(il.Create(OpCodes.Ldnull));
            Emit(il.Create(OpCodes.Ldftn, flatten));
            Emit(il.Create(OpCodes.Newobj, flattenFunc.Constructor));
            Emit(il.Create(OpCodes.Ldnull));
            Emit(il.Create(OpCodes.Ldftn, unflatten));
            Emit(il.Create(OpCodes.Newobj, unflattenFunc.Constructor));
            if (childNames is null) Emit(il.Create(OpCodes.Ldnull));
            else
            {
                Emit(il.Create(OpCodes.Ldc_I4, childNames.Count));
                Emit(il.Create(OpCodes.Newarr, ts.String));
                for (int i = 0; i < childNames.Count; i++)
                {
                    Emit(il.Create(OpCodes.Dup));
                    Emit(il.Create(OpCodes.Ldc_I4, i));
                    Emit(il.Create(OpCodes.Ldstr, childNames[i]));
                    Emit(il.Create(OpCodes.Stelem_Ref));
                }
            }
            Emit(il.Create(OpCodes.Call, register));
        }

        foreach (var list in lists.Cast<GenericInstanceType>())
        {
            // static object UnflattenList_k(object aux, IReadOnlyList<object> children) => List.ofArray(PyTree.ChildrenAs<Tensor>(children))
            var childrenAs = new MethodReference("ChildrenAs", ts.Void, pyTree);
            var t = new GenericParameter("T", childrenAs);
            childrenAs.GenericParameters.Add(t);
            childrenAs.ReturnType = new ArrayType(t);
            childrenAs.Parameters.Add(new ParameterDefinition(objects));
            var childrenAsTensors = new GenericInstanceMethod(childrenAs);
            childrenAsTensors.GenericArguments.Add(tensor);

            var fsharpList = list.ElementType;
            var ofArray = new MethodReference("OfArray", ts.Void, new TypeReference("Microsoft.FSharp.Collections", "ListModule", module, fsharpList.Scope));
            var u = new GenericParameter("T", ofArray);
            ofArray.GenericParameters.Add(u);
            var listOfU = new GenericInstanceType(fsharpList);
            listOfU.GenericArguments.Add(u);
            ofArray.ReturnType = listOfU;
            ofArray.Parameters.Add(new ParameterDefinition(new ArrayType(u)));
            var ofTensors = new GenericInstanceMethod(ofArray);
            ofTensors.GenericArguments.Add(tensor);

            var unflattenList = Unflatten($"UnflattenList_{holder.Methods.Count}");
            var l = unflattenList.Body.GetILProcessor();
            l.Emit(OpCodes.Ldarg_1);
            l.Emit(OpCodes.Call, childrenAsTensors);
            l.Emit(OpCodes.Call, ofTensors);
            l.Emit(OpCodes.Ret);

            var sequenceChildren = new MethodReference("SequenceChildren", flattened, pyTree);
            sequenceChildren.Parameters.Add(new ParameterDefinition(ts.Object));
            EmitRegister(module.ImportReference(list), "list", sequenceChildren, unflattenList, null);
        }

        for (int r = 0; r < records.Count; r++)
        {
            var record = records[r];
            var recordType = module.ImportReference(record.Type);

            // static (IReadOnlyList<object>, object) Flatten_r(object node) => (new object[] { ((R)node).F0, ... }, null)
            var flatten = new MethodDefinition($"Flatten_{r}", MethodAttributes.Assembly | MethodAttributes.Static | MethodAttributes.HideBySig, flattened);
            flatten.Parameters.Add(new ParameterDefinition("node", ParameterAttributes.None, ts.Object));
            var f = flatten.Body.GetILProcessor();
            f.Emit(OpCodes.Ldc_I4, record.Fields.Count);
            f.Emit(OpCodes.Newarr, ts.Object);
            for (int i = 0; i < record.Fields.Count; i++)
            {
                f.Emit(OpCodes.Dup);
                f.Emit(OpCodes.Ldc_I4, i);
                f.Emit(OpCodes.Ldarg_0);
                f.Emit(OpCodes.Castclass, recordType);
                f.Emit(OpCodes.Callvirt, module.ImportReference(record.Fields[i].GetMethod));
                f.Emit(OpCodes.Stelem_Ref);
            }
            f.Emit(OpCodes.Ldnull);
            f.Emit(OpCodes.Newobj, flattenedConstructor);
            f.Emit(OpCodes.Ret);
            holder.Methods.Add(flatten);

            // static object Unflatten_r(object aux, IReadOnlyList<object> children) => new R((Tensor)children[0], ...)
            var unflatten = Unflatten($"Unflatten_{r}");
            var u = unflatten.Body.GetILProcessor();
            for (int i = 0; i < record.Fields.Count; i++)
            {
                u.Emit(OpCodes.Ldarg_1);
                u.Emit(OpCodes.Ldc_I4, i);
                u.Emit(OpCodes.Callvirt, getItem);
                u.Emit(OpCodes.Castclass, tensor);
            }
            u.Emit(OpCodes.Newobj, module.ImportReference(record.Constructor));
            u.Emit(OpCodes.Ret);

            EmitRegister(recordType, record.Type.Name, flatten, unflatten, record.Fields.Select(f => f.Name).ToArray());
        }
    }
}
