using Mono.Cecil;
using Mono.Cecil.Cil;

namespace JaxToolchain.Jaxc;

/// <summary>
/// References woven IL uses, made through the module's own core library reference (so the woven assembly binds as the
/// original did), and the module initializer both the weaver and the tree registrations add to.
/// </summary>
internal static class IlReferences
{
    /// <summary><c>System.Type.GetTypeFromHandle(RuntimeTypeHandle)</c> (what <c>typeof</c> compiles to after <c>ldtoken</c>).</summary>
    public static MethodReference GetTypeFromHandle(ModuleDefinition module)
    {
        var corlib = module.TypeSystem.CoreLibrary;
        var type = new TypeReference("System", "Type", module, corlib);
        var handle = new TypeReference("System", "RuntimeTypeHandle", module, corlib) { IsValueType = true };
        var method = new MethodReference("GetTypeFromHandle", type, type);
        method.Parameters.Add(new ParameterDefinition(handle));
        return method;
    }

    /// <summary><c>Func&lt;...&gt;</c> over <paramref name="arguments"/> (the last is the result) and its (object, native int) constructor.</summary>
    public static (GenericInstanceType Type, MethodReference Constructor) Func(ModuleDefinition module, params TypeReference[] arguments)
    {
        var func = new TypeReference("System", $"Func`{arguments.Length}", module, module.TypeSystem.CoreLibrary);
        foreach (var _ in arguments) func.GenericParameters.Add(new GenericParameter(func));
        var instance = new GenericInstanceType(func);
        foreach (var a in arguments) instance.GenericArguments.Add(a);
        var constructor = new MethodReference(".ctor", module.TypeSystem.Void, instance) { HasThis = true };
        constructor.Parameters.Add(new ParameterDefinition(module.TypeSystem.Object));
        constructor.Parameters.Add(new ParameterDefinition(module.TypeSystem.IntPtr));
        return (instance, constructor);
    }

    /// <summary>The module's initializer (<c>&lt;Module&gt;..cctor</c>), created (as a lone <c>ret</c>) when it has none.</summary>
    public static MethodDefinition ModuleInitializer(ModuleDefinition module)
    {
        var moduleType = module.Types.First(t => t.Name == "<Module>");
        var initializer = moduleType.Methods.FirstOrDefault(m => m.IsConstructor && m.IsStatic);
        if (initializer is not null) return initializer;
        initializer = new MethodDefinition(".cctor", MethodAttributes.Private | MethodAttributes.Static | MethodAttributes.HideBySig |
            MethodAttributes.SpecialName | MethodAttributes.RTSpecialName, module.TypeSystem.Void);
        initializer.Body.GetILProcessor().Emit(OpCodes.Ret);
        moduleType.Methods.Add(initializer);
        return initializer;
    }
}
