namespace JaxToolchain;

/// <summary>
/// JAX's <c>ConvDimensionNumbers</c>: which dimension of each convolution operand is the batch, the feature and each
/// spatial dimension. <see cref="LhsSpec"/> is (batch, feature, spatial...) of the input, <see cref="RhsSpec"/> (output
/// feature, input feature, spatial...) of the kernel, <see cref="OutSpec"/> (batch, feature, spatial...) of the result;
/// the spatial dimensions correspond in order.
/// </summary>
public sealed class ConvDimensionNumbers
{
    private readonly int[] _lhs, _rhs, _out;

    /// <summary>The three specs as dimension indices (JAX's <c>ConvDimensionNumbers(lhs_spec, rhs_spec, out_spec)</c>).</summary>
    public ConvDimensionNumbers(int[] lhsSpec, int[] rhsSpec, int[] outSpec)
    {
        ArgumentNullException.ThrowIfNull(lhsSpec);
        ArgumentNullException.ThrowIfNull(rhsSpec);
        ArgumentNullException.ThrowIfNull(outSpec);
        if (lhsSpec.Length < 2 || rhsSpec.Length != lhsSpec.Length || outSpec.Length != lhsSpec.Length)
            throw new ArgumentException($"conv dimension numbers need three specs of the same length (at least 2), got ({Show(lhsSpec)}, {Show(rhsSpec)}, {Show(outSpec)})");
        foreach (var (spec, name) in new[] { (lhsSpec, "lhs"), (rhsSpec, "rhs"), (outSpec, "out") })
            if (spec.Order().Select((d, i) => d == i).Any(ok => !ok))
                throw new ArgumentException($"conv dimension numbers: the {name} spec {Show(spec)} is not a permutation of 0..{spec.Length - 1}");
        (_lhs, _rhs, _out) = ([.. lhsSpec], [.. rhsSpec], [.. outSpec]);
    }

    /// <summary>Input dimensions: batch, feature, then the spatial dimensions.</summary>
    public IReadOnlyList<int> LhsSpec => _lhs;

    /// <summary>Kernel dimensions: output feature, input feature, then the spatial dimensions.</summary>
    public IReadOnlyList<int> RhsSpec => _rhs;

    /// <summary>Result dimensions: batch, feature, then the spatial dimensions.</summary>
    public IReadOnlyList<int> OutSpec => _out;

    /// <summary>The number of spatial dimensions.</summary>
    public int SpatialRank => _lhs.Length - 2;

    /// <summary>JAX's default for <paramref name="rank"/>-dimensional operands: NCHW input, OIHW kernel, NCHW result.</summary>
    public static ConvDimensionNumbers Default(int rank)
    {
        var identity = Enumerable.Range(0, rank).ToArray();
        return new ConvDimensionNumbers(identity, identity, identity);
    }

    /// <summary>
    /// JAX's <c>conv_dimension_numbers</c> from layout strings such as <c>("NHWC", "HWIO", "NHWC")</c>: <c>N</c> and
    /// <c>C</c> name the batch and feature dimensions of the input and result, <c>O</c> and <c>I</c> those of the kernel,
    /// and any other letters the spatial dimensions, matched by letter in the kernel's order.
    /// </summary>
    public static ConvDimensionNumbers FromLayouts(string lhs, string rhs, string output)
    {
        ArgumentNullException.ThrowIfNull(lhs);
        ArgumentNullException.ThrowIfNull(rhs);
        ArgumentNullException.ThrowIfNull(output);
        if (lhs.Length != rhs.Length || output.Length != lhs.Length || lhs.Length < 2)
            throw new ArgumentException($"conv layouts need three strings of the same length, got ('{lhs}', '{rhs}', '{output}')");
        var spatial = rhs.Where(c => c is not ('O' or 'I')).ToArray();
        if (rhs.Count(c => c == 'O') != 1 || rhs.Count(c => c == 'I') != 1 || spatial.Distinct().Count() != spatial.Length)
            throw new ArgumentException($"the kernel layout '{rhs}' needs one O, one I and distinct spatial letters");
        int[] Spec(string layout, char batch, char feature, string role)
        {
            if (layout.Count(c => c == batch) != 1 || layout.Count(c => c == feature) != 1
                || !layout.Where(c => c != batch && c != feature).Order().SequenceEqual(spatial.Order()))
                throw new ArgumentException($"the {role} layout '{layout}' needs one {batch}, one {feature} and the kernel's spatial letters ({new string(spatial)}) of '{rhs}'");
            return [layout.IndexOf(batch), layout.IndexOf(feature), .. spatial.Select(c => layout.IndexOf(c))];
        }
        return new ConvDimensionNumbers(Spec(lhs, 'N', 'C', "input"), Spec(rhs, 'O', 'I', "kernel"), Spec(output, 'N', 'C', "output"));
    }

    /// <inheritdoc />
    public override string ToString() => $"ConvDimensionNumbers(lhs_spec={Show(_lhs)}, rhs_spec={Show(_rhs)}, out_spec={Show(_out)})";

    private static string Show(int[] spec) => $"({string.Join(", ", spec)})";
}
