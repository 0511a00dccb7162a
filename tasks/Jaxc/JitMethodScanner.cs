using JaxToolchain.Ir;
using Mono.Cecil;

namespace JaxToolchain.Jaxc;

/// <summary>How a parameter of a <c>[Jit]</c> method is passed.</summary>
internal enum ParameterKind
{
    /// <summary>A <c>Tensor</c>: a traced array (its signature entry is a type).</summary>
    Array,
    /// <summary>A static argument: its signature entry is the value compiled in.</summary>
    Static,
}

/// <summary>A parameter of a <c>[Jit]</c> method.</summary>
internal sealed record JitParameter(string Name, TypeReference Type, ParameterKind Kind);

/// <summary>One compiled signature: an entry per parameter, and whether it is traced with 64-bit types.</summary>
internal sealed record JitSignature(IReadOnlyList<string> Entries, bool X64)
{
    public override string ToString() => string.Join(", ", Entries);
}

/// <summary>A <c>[Jit]</c> method found in the assembly, checked, with its signatures.</summary>
internal sealed record JitMethodSpec(
    MethodDefinition Method,
    string KernelName,
    IReadOnlyList<JitParameter> Parameters,
    IReadOnlyList<JitSignature> Signatures,
    int[] StaticArgnums,
    int[] DonateArgnums,
    SourcePosition? Where)
{
    /// <summary>The method's name in the source (the weaver renames the original method).</summary>
    public string MethodName { get; } = Method.Name;

    /// <summary>The reflection name of the declaring type (<c>Ns.Outer+Inner</c>).</summary>
    public string TypeName => Method.DeclaringType.FullName.Replace('/', '+');

    /// <summary>The name the weaver gives the original body.</summary>
    public string BodyName => $"<{MethodName}>jax$body";

    /// <summary>The name of the woven thunk over <c>object[]</c>.</summary>
    public string ThunkName => $"<{MethodName}>jax$thunk";

    /// <summary>The name of the woven static field holding the method's dispatcher.</summary>
    public string FieldName => $"<{MethodName}>jax$method";
}

/// <summary>
/// Finds the <c>[Jit]</c> methods of a module (<c>JaxToolchain.JitAttribute</c>) and checks what can be checked without
/// running them: static and not generic, parameter and return types, signature lengths, static values, attributes that
/// agree, kernel names that are unique. Each mistake is a <see cref="Diagnostic"/> at the method's first line.
/// </summary>
internal static class JitMethodScanner
{
    public const string AttributeName = "JaxToolchain.JitAttribute";

    public static IReadOnlyList<JitMethodSpec> Scan(ModuleDefinition module, List<Diagnostic> diagnostics)
    {
        var specs = new List<JitMethodSpec>();
        foreach (var type in module.GetTypes())
            foreach (var method in type.Methods)
            {
                var attributes = method.CustomAttributes.Where(a => a.AttributeType.FullName == AttributeName).ToArray();
                if (attributes.Length == 0) continue;
                if (Check(method, attributes, diagnostics) is { } spec) specs.Add(spec);
            }
        foreach (var clash in specs.GroupBy(s => s.KernelName).Where(g => g.Count() > 1))
            foreach (var spec in clash.Skip(1))
                diagnostics.Add(At(spec.Where, DiagnosticCode.Conflict,
                    $"[Jit] kernel name '{clash.Key}' is used by {clash.Count()} methods (overloads?): give each a distinct Name in its [Jit] attributes"));
        return specs;
    }

    /// <summary>The first sequence point of a method's body (where its diagnostics point), from the PDB.</summary>
    public static SourcePosition? PositionOf(MethodDefinition method)
    {
        if (!method.HasBody || !method.DebugInformation.HasSequencePoints) return null;
        var point = method.DebugInformation.SequencePoints.FirstOrDefault(p => !p.IsHidden);
        return point is null ? null : new SourcePosition(point.Document.Url, point.StartLine, point.StartColumn);
    }

    private static Diagnostic At(SourcePosition? where, DiagnosticCode code, string message) =>
        new(code, message, where?.File, where?.Line ?? 0, where?.Column ?? 0);

    private static JitMethodSpec? Check(MethodDefinition method, CustomAttribute[] attributes, List<Diagnostic> diagnostics)
    {
        var where = PositionOf(method);
        string display = $"{method.DeclaringType.FullName.Replace('/', '.')}.{method.Name}";
        int before = diagnostics.Count;
        void Error(DiagnosticCode code, string message) => diagnostics.Add(At(where, code, $"[Jit] {display}: {message}"));

        if (!method.IsStatic) Error(DiagnosticCode.MethodShape, "a [Jit] method must be static (its inputs are its parameters)");
        if (method.HasGenericParameters || method.DeclaringType.HasGenericParameters)
            Error(DiagnosticCode.MethodShape, "a [Jit] method cannot be generic or in a generic type: a kernel has one signature per attribute");

        var parsed = attributes.Select(Read).ToArray();
        var first = parsed[0];
        if (parsed.Any(p => !p.StaticArgnums.SequenceEqual(first.StaticArgnums) || !p.DonateArgnums.SequenceEqual(first.DonateArgnums) || p.Name != first.Name))
            Error(DiagnosticCode.Conflict, "its [Jit] attributes disagree on StaticArgnums, DonateArgnums or Name: those must be the same on each");

        var parameters = new List<JitParameter>();
        var unusable = new HashSet<int>();
        for (int i = 0; i < method.Parameters.Count; i++)
        {
            var p = method.Parameters[i];
            bool isStatic = first.StaticArgnums.Contains(i);
            int errors = diagnostics.Count;
            if (p.ParameterType.IsByReference || p.IsOut)
                Error(DiagnosticCode.ParameterType, $"parameter '{p.Name}' is passed by reference; a [Jit] method takes its inputs by value");
            else if (isStatic)
            {
                if (StaticValues.Parser(p.ParameterType) is null)
                    Error(DiagnosticCode.ParameterType, $"static parameter '{p.Name}' has type {p.ParameterType.FullName}; a static value is a number, bool, string or enum");
                if (first.DonateArgnums.Contains(i)) Error(DiagnosticCode.Conflict, $"parameter '{p.Name}' cannot be both static and donated");
            }
            else if (SignatureEntry.IsArrayParameter(p.ParameterType)) { }
            else if (StaticValues.IsNumber(p.ParameterType))
                Error(DiagnosticCode.DynamicNumber,
                    $"parameter '{p.Name}' is a {p.ParameterType.Name}, which cannot hold a traced value: make it a Tensor (a C# number passed to it is a " +
                    $"dynamic weakly typed scalar, as in JAX) or list it in StaticArgnums ({i}) to compile its value in");
            else
                Error(DiagnosticCode.ParameterType, $"parameter '{p.Name}' has type {p.ParameterType.FullName}; [Jit] methods take Tensor parameters, Tensor[], List<Tensor> (or F#'s Tensor list), tuples of 2 to 4 Tensors (C# or F#), F# records of Tensors, and static values");
            if (diagnostics.Count > errors) unusable.Add(i);
            parameters.Add(new JitParameter(p.Name, p.ParameterType, isStatic ? ParameterKind.Static : ParameterKind.Array));
        }
        foreach (int i in first.StaticArgnums.Concat(first.DonateArgnums).Where(i => i < 0 || i >= method.Parameters.Count).Distinct())
            Error(DiagnosticCode.Signature, $"StaticArgnums/DonateArgnums name parameter {i}, but the method has {method.Parameters.Count}");

        if (!SignatureEntry.IsResultType(method.ReturnType))
            Error(DiagnosticCode.ReturnType, $"returns {method.ReturnType.FullName}; a [Jit] method returns a Tensor, a Tensor[], a tuple of 2 to 4 Tensors (C# or F#) or an F# record of Tensors");

        foreach (var attribute in parsed)
        {
            if (attribute.Signature.Count != parameters.Count)
            {
                Error(DiagnosticCode.Signature,
                    $"[Jit({string.Join(", ", attribute.Signature.Select(s => $"\"{s}\""))})] has {attribute.Signature.Count} entries for {parameters.Count} parameters: " +
                    "give one per parameter, a type for each Tensor (\"f32[n]\") and the value of each static one");
                continue;
            }
            for (int i = 0; i < parameters.Count; i++)
            {
                if (unusable.Contains(i)) continue;
                string entry = attribute.Signature[i];
                if (parameters[i].Kind == ParameterKind.Static)
                {
                    if (StaticValues.Parser(parameters[i].Type) is { } parse && parse(entry) is null)
                        Error(DiagnosticCode.StaticValue, $"static value \"{entry}\" of parameter '{parameters[i].Name}' is not a {parameters[i].Type.Name}");
                    continue;
                }
                try
                {
                    if (SignatureEntry.Mismatch(SignatureEntry.Parse(entry), parameters[i].Type) is { } mismatch)
                        Error(DiagnosticCode.Signature, $"signature entry \"{entry}\" of parameter '{parameters[i].Name}' does not fit its type: {mismatch}");
                }
                catch (FormatException e)
                {
                    Error(DiagnosticCode.Signature, $"signature entry \"{entry}\" of parameter '{parameters[i].Name}': {e.Message}");
                }
            }
        }
        if (diagnostics.Count > before) return null;

        // x64 per signature: asked for, or implied by a 64-bit type in it.
        var signatures = parsed.Select(p => new JitSignature(p.Signature, p.X64 || p.Signature
            .Where((_, i) => parameters[i].Kind == ParameterKind.Array)
            .Any(entry => SignatureEntry.Parse(entry).Leaves.Any(t => t.DType.BitWidth() == 64)))).ToArray();
        return new JitMethodSpec(method, first.Name ?? display, parameters, signatures, first.StaticArgnums, first.DonateArgnums, where);
    }

    private sealed record AttributeValues(IReadOnlyList<string> Signature, int[] StaticArgnums, int[] DonateArgnums, string? Name, bool X64);

    private static AttributeValues Read(CustomAttribute attribute)
    {
        var signature = attribute.ConstructorArguments.Count == 0 ? [] :
            attribute.ConstructorArguments[0].Value is CustomAttributeArgument[] entries ? entries.Select(e => (string)e.Value).ToArray() : [];
        int[] Ints(string name) => attribute.Properties.FirstOrDefault(p => p.Name == name).Argument.Value is CustomAttributeArgument[] values
            ? values.Select(v => Convert.ToInt32(v.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : [];
        string? name = attribute.Properties.FirstOrDefault(p => p.Name == "Name").Argument.Value as string;
        bool x64 = attribute.Properties.FirstOrDefault(p => p.Name == "X64").Argument.Value is true;
        return new AttributeValues(signature, Ints("StaticArgnums"), Ints("DonateArgnums"), name, x64);
    }
}
