using System.Linq.Expressions;
using System.Reflection;
using JaxToolchain.Ir;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Hardening;

/// <summary>
/// Every public static function of the runtime's API (Jnp, Lax, Nn, Jax and their nested classes, the operators on
/// <see cref="Tensor"/>) rejects <c>null</c> for each parameter that is not declared nullable with an
/// <see cref="ArgumentNullException"/> naming that parameter, before doing anything else. The list is found by
/// reflection, so functions added later are covered without editing this test. Generic method definitions are left
/// out (their tree parameters are instantiated by the caller's types; <see cref="PyTree"/> checks them).
/// </summary>
public class NullArgumentTests(ITestOutputHelper output)
{
    private static readonly NullabilityInfoContext Nullability = new();

    [Fact]
    public void Every_non_nullable_parameter_rejects_null_by_name()
    {
        var failures = new List<string>();
        int checkedCount = 0, skipped = 0;
        foreach (var method in ApiMethods())
        {
            var parameters = method.GetParameters();
            for (int i = 0; i < parameters.Length; i++)
            {
                var p = parameters[i];
                if (p.ParameterType.IsValueType || Nullability.Create(p).WriteState != NullabilityState.NotNull) continue;
                var args = new object?[parameters.Length];
                bool constructible = true;
                for (int j = 0; j < parameters.Length && constructible; j++)
                    if (j != i) constructible = TrySample(parameters[j], out args[j]);
                if (!constructible)
                {
                    skipped++;
                    continue;
                }
                checkedCount++;
                string name = $"{method.DeclaringType!.FullName!.Replace('+', '.')}.{method.Name}({string.Join(", ", parameters.Select(q => q.ParameterType.Name))}) parameter '{p.Name}'";
                try
                {
                    method.Invoke(null, args);
                    failures.Add($"{name}: accepted null");
                }
                catch (TargetInvocationException e) when (e.InnerException is ArgumentNullException a)
                {
                    if (a.ParamName != p.Name) failures.Add($"{name}: ArgumentNullException names '{a.ParamName}'");
                }
                catch (TargetInvocationException e)
                {
                    failures.Add($"{name}: {e.InnerException!.GetType().Name}: {e.InnerException.Message.Split('\n')[0]}");
                }
            }
        }
        output.WriteLine($"{checkedCount} parameters checked, {skipped} skipped (another parameter's type has no sample)");
        foreach (var f in failures) output.WriteLine(f);
        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCount} parameters do not reject null by name:\n{string.Join("\n", failures)}");
        Assert.True(checkedCount > 300, $"only {checkedCount} parameters were checked");
    }

    /// <summary>The public static methods of the public static API classes (and their nested ones) and Tensor's operators.</summary>
    private static IEnumerable<MethodInfo> ApiMethods()
    {
        var roots = new[] { typeof(Jnp), typeof(Lax), typeof(Nn), typeof(Jax), typeof(PyTree) };
        var types = new List<Type>();
        void Add(Type t)
        {
            types.Add(t);
            foreach (var nested in t.GetNestedTypes(BindingFlags.Public))
                if (nested.IsAbstract && nested.IsSealed) Add(nested);
        }
        foreach (var root in roots) Add(root);
        var methods = types.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Concat(typeof(Tensor).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).Where(m => m.IsSpecialName && m.Name.StartsWith("op_", StringComparison.Ordinal)));
        return methods.Where(m => !m.IsGenericMethodDefinition && !m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal))
            .Where(m => !m.IsGenericMethodDefinition && m.GetParameters().All(p => !p.ParameterType.IsByRef && !p.ParameterType.IsPointer && !p.ParameterType.IsByRefLike));
    }

    private static Tensor Sample() => Jnp.Ones([2, 2]);

    /// <summary>A valid-looking value of the parameter's type (never null unless the parameter is nullable).</summary>
    private static bool TrySample(ParameterInfo p, out object? value)
    {
        var t = p.ParameterType;
        value = null;
        if (Nullable.GetUnderlyingType(t) is not null) return true;
        if (t.IsValueType)
        {
            value = p.HasDefaultValue && p.DefaultValue is not null && p.DefaultValue.GetType() == t ? p.DefaultValue : Activator.CreateInstance(t);
            return true;
        }
        if (Nullability.Create(p).WriteState != NullabilityState.NotNull) return true;
        if (t == typeof(Tensor) || t == typeof(object)) value = Sample();
        else if (t == typeof(string)) value = "ij";
        else if (t == typeof(Shape)) value = Shape.Of(2, 2);
        else if (t == typeof(Tensor[])) value = new[] { Sample(), Sample() };
        else if (t == typeof(int[])) value = new[] { 0 };
        else if (t == typeof(long[])) value = new[] { 2L, 2L };
        else if (t.IsArray && t.GetElementType()!.IsValueType) value = Array.CreateInstance(t.GetElementType()!, 1);
        else if (t.IsAssignableFrom(typeof(List<Tensor>))) value = new List<Tensor> { Sample(), Sample() };
        else if (t.IsSubclassOf(typeof(MulticastDelegate)) && t.GetMethod("Invoke") is not null) value = DefaultDelegate(t);
        return value is not null;
    }

    /// <summary>A delegate of type <paramref name="t"/> that returns the default of its return type.</summary>
    private static Delegate DefaultDelegate(Type t)
    {
        var invoke = t.GetMethod("Invoke")!;
        var parameters = invoke.GetParameters().Select(p => Expression.Parameter(p.ParameterType, p.Name)).ToArray();
        Expression body = invoke.ReturnType == typeof(void) ? Expression.Empty() : Expression.Default(invoke.ReturnType);
        return Expression.Lambda(t, body, parameters).Compile();
    }
}
