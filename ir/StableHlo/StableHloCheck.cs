namespace JaxToolchain.Ir.StableHlo;

/// <summary>What a <c>check.*</c> operation of StableHLO's interpreter tests asserts.</summary>
public enum StableHloCheckKind
{
    /// <summary><c>check.expect_eq</c> / <c>check.expect_eq_const</c>: equal elements (floats: equal values, or both NaN).</summary>
    Equal,
    /// <summary><c>check.expect_almost_eq</c> / <c>check.expect_almost_eq_const</c>: floats within a tolerance.</summary>
    AlmostEqual,
    /// <summary><c>check.expect_close</c>: floats within a number of ULPs.</summary>
    Close,
}

/// <summary>
/// One <c>check.*</c> operation of an imported function: the checked value is result <see cref="ActualResult"/> of the
/// function; the expected value is a constant (<see cref="Expected"/>) or another result (<see cref="ExpectedResult"/>).
/// </summary>
/// <param name="Kind">What is asserted.</param>
/// <param name="ActualResult">The index of the function result holding the checked value.</param>
/// <param name="ExpectedResult">The index of the result holding the expected value, or -1 when it is <paramref name="Expected"/>.</param>
/// <param name="Expected">The expected constant, or null when it is a result.</param>
/// <param name="Tolerance">The tolerance of an almost-equal check (StableHLO's default 0.0001).</param>
/// <param name="MaxUlpDifference">The largest ULP distance a close check accepts.</param>
/// <param name="Line">The check's 1-based line.</param>
/// <param name="Column">The check's 1-based column.</param>
public sealed record StableHloCheck(StableHloCheckKind Kind, int ActualResult, int ExpectedResult, Buffer? Expected,
    double Tolerance, long MaxUlpDifference, int Line, int Column)
{
    /// <summary>StableHLO's default tolerance of <c>expect_almost_eq</c>.</summary>
    public const double DefaultTolerance = 0.0001;
}

/// <summary>A module imported with its <c>check.*</c> operations turned into function results.</summary>
/// <param name="Module">The imported module; each function's results are its own, then the checked values.</param>
/// <param name="Checks">Per function name, its checks (empty for a function without any).</param>
public sealed record StableHloCheckedModule(Module Module, IReadOnlyDictionary<string, IReadOnlyList<StableHloCheck>> Checks);
