using System.Reflection;
using Xunit.Sdk;

namespace Jax.StableHlo.Tests;

/// <summary>
/// The cases of one <see cref="CaseKind"/> as theory rows (file, chunk, function, detail). xunit 2 skips a data
/// attribute's rows with one fixed reason, so each skip reason is its own theory. A kind without cases gives one row
/// naming that (xunit fails a theory without data).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class CaseDataAttribute(CaseKind kind) : DataAttribute
{
    /// <summary>The kind of the cases given.</summary>
    public CaseKind Kind { get; } = kind;

    /// <inheritdoc/>
    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        var rows = StableHloSuite.Cases.Where(c => c.Kind == Kind)
            .Select(c => new object[] { c.Case.File, c.Case.Chunk, c.Case.Function, c.Detail }).ToList();
        if (rows.Count == 0)
            rows.Add([StableHloSuite.Folder is null ? $"(absent: {StableHloSuite.ConfiguredFolder})" : "(none)", -1, "", ""]);
        return rows;
    }
}
