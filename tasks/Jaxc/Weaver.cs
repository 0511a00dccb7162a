using Mono.Cecil;
using Mono.Cecil.Cil;

namespace JaxToolchain.Jaxc;

/// <summary>
/// Rewrites a module's <c>[Jit]</c> methods so that calls reach precompiled kernels, language-neutrally (IL, so C# and
/// F# alike). For a method <c>M</c>:
/// <list type="bullet">
/// <item>the original method, its body and its debug information stay as they are, renamed <c>&lt;M&gt;jax$body</c> and
/// made private (breakpoints and stepping in the user's source keep working: the source maps to it);</item>
/// <item>a new <c>M</c> with the original signature, parameters and attributes takes its place: it creates the method's
/// <c>JaxToolchain.Aot.JitMethod</c> on first use (cached in a static field <c>&lt;M&gt;jax$method</c>), boxes its
/// arguments into an <c>object[]</c> and returns <c>JitMethod.Invoke</c>'s result as its return type;</item>
/// <item>a thunk <c>&lt;M&gt;jax$thunk(object[])</c> unboxes the arguments and calls the body: what the runtime traces
/// when no precompiled kernel serves a call;</item>
/// <item>every call and delegate (<c>ldftn</c>) of <c>M</c> elsewhere in the module goes to the new <c>M</c>, so a
/// <c>[Jit]</c> method called from another one's body is a <c>call</c> in the caller's trace.</item>
/// </list>
/// The assembly gets <c>[assembly: JaxToolchain.Aot.Woven]</c>. References to the runtime go through the module's own
/// reference to <c>Jax.Runtime</c> and to its core library, so the woven assembly binds as the original did.
/// </summary>
internal sealed class Weaver
{
    private readonly ModuleDefinition _module;
    private readonly TypeReference _jitMethod;
    private readonly MethodReference _funcConstructor;
    private readonly MethodReference _getTypeFromHandle;
    private readonly MethodReference _create;
    private readonly MethodReference _invoke;

    public const string WovenAttributeName = "JaxToolchain.Aot.WovenAttribute";

    private Weaver(ModuleDefinition module, AssemblyNameReference runtime)
    {
        _module = module;
        var ts = module.TypeSystem;
        _jitMethod = new TypeReference("JaxToolchain.Aot", "JitMethod", module, runtime);
        var objects = new ArrayType(ts.Object);
        (var funcOfArgs, _funcConstructor) = IlReferences.Func(module, objects, ts.Object);
        _getTypeFromHandle = IlReferences.GetTypeFromHandle(module);
        var type = _getTypeFromHandle.ReturnType;
        _create = new MethodReference("Create", _jitMethod, _jitMethod);
        foreach (var p in new[] { type, ts.String, funcOfArgs, ts.String, ts.String, type }) _create.Parameters.Add(new ParameterDefinition(p));
        _invoke = new MethodReference("Invoke", ts.Object, _jitMethod) { HasThis = true };
        _invoke.Parameters.Add(new ParameterDefinition(objects));
    }

    /// <summary>Whether the assembly was woven already.</summary>
    public static bool IsWoven(ModuleDefinition module) =>
        module.Assembly.CustomAttributes.Any(a => a.AttributeType.FullName == WovenAttributeName);

    /// <summary>Weaves <paramref name="specs"/> into their module (which must reference Jax.Runtime: it uses <c>[Jit]</c>).</summary>
    public static void Weave(ModuleDefinition module, IReadOnlyList<JitMethodSpec> specs)
    {
        var runtime = module.AssemblyReferences.FirstOrDefault(r => r.Name == "Jax.Runtime")
            ?? throw new InvalidOperationException($"{module.Name} uses [Jit] but does not reference Jax.Runtime");
        var weaver = new Weaver(module, runtime);
        var replaced = new Dictionary<MethodDefinition, MethodDefinition>();
        foreach (var spec in specs) replaced[spec.Method] = weaver.WeaveMethod(spec);
        weaver.Retarget(replaced);
        InstallFSharpTrees(module);
        // F# records in [<Jit>] signatures: registered as trees by woven IL, not by reflection (NativeAOT).
        var records = specs.SelectMany(s => s.Method.Parameters.Select(p => p.ParameterType).Append(s.Method.ReturnType))
            .Select(FSharpRecord.Read).OfType<FSharpRecord>().DistinctBy(r => r.Type.FullName).ToArray();
        var lists = specs.SelectMany(s => s.Method.Parameters.Select(p => p.ParameterType)).Where(SignatureEntry.IsFSharpList)
            .DistinctBy(t => t.FullName).ToArray();
        FSharpRecord.Register(module, runtime, records, lists);
        var wovenConstructor = new MethodReference(".ctor", module.TypeSystem.Void, new TypeReference("JaxToolchain.Aot", "WovenAttribute", module, runtime)) { HasThis = true };
        module.Assembly.CustomAttributes.Add(new CustomAttribute(wovenConstructor));
    }

    /// <summary>
    /// For an assembly that references Jax.FSharp: a module initializer calling <c>JaxToolchain.FSharp.Trees.Install()</c>,
    /// so that F# records, tuples, lists, maps and options in its <c>[&lt;Jit&gt;]</c> signatures are trees from the first
    /// call on (and when jaxc traces the woven copy), before any other code of the assembly runs.
    /// </summary>
    private static void InstallFSharpTrees(ModuleDefinition module)
    {
        var fsharp = module.AssemblyReferences.FirstOrDefault(r => r.Name == "Jax.FSharp");
        if (fsharp is null) return;
        var install = new MethodReference("Install", module.TypeSystem.Void, new TypeReference("JaxToolchain.FSharp", "Trees", module, fsharp));
        var initializer = IlReferences.ModuleInitializer(module);
        var il = initializer.Body.GetILProcessor();
        il.InsertBefore(initializer.Body.Instructions[0], il.Create(OpCodes.Call, install));
    }

    /// <summary>Renames the original to the body, adds the dispatcher, the thunk and the field; returns the dispatcher.</summary>
    private MethodDefinition WeaveMethod(JitMethodSpec spec)
    {
        var body = spec.Method;
        var type = body.DeclaringType;
        string name = body.Name;

        var dispatcher = new MethodDefinition(name, body.Attributes, body.ReturnType);
        foreach (var p in body.Parameters)
        {
            var copy = new ParameterDefinition(p.Name, p.Attributes, p.ParameterType) { Constant = p.HasConstant ? p.Constant : null };
            foreach (var a in p.CustomAttributes) copy.CustomAttributes.Add(a);
            dispatcher.Parameters.Add(copy);
        }
        foreach (var a in body.CustomAttributes.Where(a => a.AttributeType.FullName == JitMethodScanner.AttributeName).ToArray())
        {
            body.CustomAttributes.Remove(a);
            dispatcher.CustomAttributes.Add(a);
        }
        body.Name = spec.BodyName;
        body.IsPublic = false;
        body.IsPrivate = true;

        var field = new FieldDefinition(spec.FieldName, FieldAttributes.Private | FieldAttributes.Static, _jitMethod);
        type.Fields.Add(field);
        var thunk = Thunk(spec, body);
        type.Methods.Add(thunk);
        type.Methods.Add(dispatcher);
        EmitDispatcher(spec, dispatcher, field, thunk);
        return dispatcher;
    }

    private MethodDefinition Thunk(JitMethodSpec spec, MethodDefinition body)
    {
        var ts = _module.TypeSystem;
        var thunk = new MethodDefinition(spec.ThunkName, MethodAttributes.Private | MethodAttributes.Static | MethodAttributes.HideBySig, ts.Object);
        thunk.Parameters.Add(new ParameterDefinition("arguments", ParameterAttributes.None, new ArrayType(ts.Object)));
        var il = thunk.Body.GetILProcessor();
        for (int i = 0; i < body.Parameters.Count; i++)
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelem_Ref);
            var t = body.Parameters[i].ParameterType;
            il.Emit(t.IsValueType ? OpCodes.Unbox_Any : OpCodes.Castclass, t);
        }
        il.Emit(OpCodes.Call, body);
        if (body.ReturnType.IsValueType) il.Emit(OpCodes.Box, body.ReturnType);
        il.Emit(OpCodes.Ret);
        return thunk;
    }

    private void EmitDispatcher(JitMethodSpec spec, MethodDefinition dispatcher, FieldDefinition field, MethodDefinition thunk)
    {
        var ts = _module.TypeSystem;
        var il = dispatcher.Body.GetILProcessor();
        var call = il.Create(OpCodes.Ldc_I4, dispatcher.Parameters.Count);
        il.Emit(OpCodes.Ldsfld, field);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Brtrue, call);
        il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Ldtoken, dispatcher.DeclaringType);
        il.Emit(OpCodes.Call, _getTypeFromHandle);
        il.Emit(OpCodes.Ldstr, spec.KernelName);
        il.Emit(OpCodes.Ldnull);
        il.Emit(OpCodes.Ldftn, thunk);
        il.Emit(OpCodes.Newobj, _funcConstructor);
        il.Emit(OpCodes.Ldstr, string.Join(",", spec.StaticArgnums));
        il.Emit(OpCodes.Ldstr, string.Join(",", spec.DonateArgnums));
        il.Emit(OpCodes.Ldtoken, dispatcher.ReturnType);
        il.Emit(OpCodes.Call, _getTypeFromHandle);
        il.Emit(OpCodes.Call, _create);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stsfld, field);
        il.Append(call);
        il.Emit(OpCodes.Newarr, ts.Object);
        for (int i = 0; i < dispatcher.Parameters.Count; i++)
        {
            il.Emit(OpCodes.Dup);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldarg, dispatcher.Parameters[i]);
            var t = dispatcher.Parameters[i].ParameterType;
            if (t.IsValueType) il.Emit(OpCodes.Box, t);
            il.Emit(OpCodes.Stelem_Ref);
        }
        il.Emit(OpCodes.Callvirt, _invoke);
        il.Emit(dispatcher.ReturnType.IsValueType ? OpCodes.Unbox_Any : OpCodes.Castclass, dispatcher.ReturnType);
        il.Emit(OpCodes.Ret);
    }

    /// <summary>Points every call, jump and delegate of a woven method in the module (outside the thunks) at its dispatcher.</summary>
    private void Retarget(Dictionary<MethodDefinition, MethodDefinition> replaced)
    {
        foreach (var type in _module.GetTypes())
            foreach (var method in type.Methods.Where(m => m.HasBody))
            {
                if (method.Name.EndsWith(">jax$thunk", StringComparison.Ordinal)) continue;
                foreach (var instruction in method.Body.Instructions)
                    if (instruction.Operand is MethodDefinition target && replaced.TryGetValue(target, out var dispatcher) && !ReferenceEquals(method, dispatcher))
                        instruction.Operand = dispatcher;
            }
    }
}
