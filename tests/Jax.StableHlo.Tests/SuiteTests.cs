using JaxToolchain.Ir.StableHlo;
using Xunit.Abstractions;

namespace Jax.StableHlo.Tests;

/// <summary>
/// StableHLO's interpreter tests, one test case per test function: imported, run by our interpreter, their
/// <c>check.*</c> assertions evaluated. Skipped cases carry one of a few fixed reasons (the detail names the op or type).
/// </summary>
public sealed class SuiteTests(ITestOutputHelper output)
{
    /// <summary>A runnable case passes every check.</summary>
    [Theory]
    [CaseData(CaseKind.Runnable)]
    public void Passes(string file, int chunk, string function, string detail)
    {
        _ = detail;
        if (chunk < 0)
        {
            // No case: the suite's folder is absent (or holds nothing runnable). Say so, and check it is so.
            output.WriteLine($"StableHLO interpreter tests not run: {file}");
            Assert.True(StableHloSuite.Folder is null || StableHloSuite.Cases.All(c => c.Kind != CaseKind.Runnable));
            return;
        }
        var failure = StableHloSuite.Run(new SuiteCase(file, chunk, function));
        Assert.True(failure is null, failure);
    }

    /// <summary>
    /// A runnable case compiled by the LLVM CPU backend passes every check too; a case with an op the backend does not
    /// compile runs where the runtime sends it, the interpreter (with a notice), and must pass there.
    /// </summary>
    [Theory]
    [CaseData(CaseKind.Runnable)]
    public void PassesCompiled(string file, int chunk, string function, string detail)
    {
        _ = detail;
        if (chunk < 0)
        {
            output.WriteLine($"StableHLO interpreter tests not compiled: {file}");
            Assert.True(StableHloSuite.Folder is null || StableHloSuite.Cases.All(c => c.Kind != CaseKind.Runnable));
            return;
        }
        var c = new SuiteCase(file, chunk, function);
        var (outcome, why) = CompiledRuns.Run(c);
        if (outcome == CompiledOutcome.NotCompiled)
        {
            output.WriteLine($"not compiled by the LLVM backend ({why}): checked through the interpreter");
            Assert.Null(StableHloSuite.Run(c));
            return;
        }
        Assert.True(outcome == CompiledOutcome.Passed, why);
    }

    /// <summary>Cases using an element type we have no dtype for.</summary>
    [Theory]
    [CaseData(CaseKind.UnsupportedElementType, Skip = "unsupported element type")]
    public void UnsupportedElementType(string file, int chunk, string function, string detail) =>
        AssertStillUnsupported(file, chunk, function, detail, CaseKind.UnsupportedElementType);

    /// <summary>Cases using collectives.</summary>
    [Theory]
    [CaseData(CaseKind.Collectives, Skip = "collectives")]
    public void Collectives(string file, int chunk, string function, string detail) =>
        AssertStillUnsupported(file, chunk, function, detail, CaseKind.Collectives);

    /// <summary>Cases using host I/O ops.</summary>
    [Theory]
    [CaseData(CaseKind.HostIo, Skip = "host I/O ops")]
    public void HostIo(string file, int chunk, string function, string detail) =>
        AssertStillUnsupported(file, chunk, function, detail, CaseKind.HostIo);

    /// <summary>Cases using an op our primitives cannot express (the detail names it).</summary>
    [Theory]
    [CaseData(CaseKind.NotInPrimitiveSet, Skip = "op not in our primitive set")]
    public void NotInPrimitiveSet(string file, int chunk, string function, string detail) =>
        AssertStillUnsupported(file, chunk, function, detail, CaseKind.NotInPrimitiveSet);

    /// <summary>The body of the skipped theories (run when a skip is lifted): the case is still classified so.</summary>
    private static void AssertStillUnsupported(string file, int chunk, string function, string detail, CaseKind kind)
    {
        var c = StableHloSuite.Cases.Single(x => x.Case == new SuiteCase(file, chunk, function));
        Assert.Equal(kind, c.Kind);
        Assert.Equal(detail, c.Detail);
    }

    /// <summary>The checks' semantics: a tolerance is absolute, NaN equals NaN.</summary>
    [Fact]
    public void ChecksFollowStableHloSemantics()
    {
        var check = new StableHloCheck(StableHloCheckKind.AlmostEqual, 0, -1, null, 0.1, 0, 1, 1);
        Assert.Null(CheckEvaluation.Mismatch(check, Buffer.Of([5.0], 1), Buffer.Of([5.05], 1)));
        Assert.NotNull(CheckEvaluation.Mismatch(check, Buffer.Of([5.0], 1), Buffer.Of([5.2], 1)));
        var eq = check with { Kind = StableHloCheckKind.Equal };
        Assert.Null(CheckEvaluation.Mismatch(eq, Buffer.Of([double.NaN], 1), Buffer.Of([double.NaN], 1)));
        var close = check with { Kind = StableHloCheckKind.Close, MaxUlpDifference = 1 };
        Assert.Null(CheckEvaluation.Mismatch(close, Buffer.Of([1.0f], 1), Buffer.Of([MathF.BitIncrement(1.0f)], 1)));
        Assert.NotNull(CheckEvaluation.Mismatch(close, Buffer.Of([1.0f], 1), Buffer.Of([MathF.BitIncrement(MathF.BitIncrement(1.0f))], 1)));
    }
}
