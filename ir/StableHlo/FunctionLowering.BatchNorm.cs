namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// <c>batch_norm_inference</c>, <c>batch_norm_training</c> and <c>batch_norm_grad</c>: no primitive of ours, composed as
/// the StableHLO spec defines them (per-feature statistics over every dimension but <c>feature_index</c>, broadcast back
/// along it; the gradient by the formula of Ioffe and Szegedy that the spec writes out), in the operand's dtype.
/// </summary>
internal sealed partial class FunctionLowering
{
    /// <summary><c>batch_norm_inference(operand, scale, offset, mean, variance)</c>: the operand normalised by the given statistics.</summary>
    private Value LowerBatchNormInference()
    {
        var (x, feature, epsilon) = BatchNormOperand(5);
        var (scale, offset, mean, variance) = (PerFeature(1, x, feature), PerFeature(2, x, feature), PerFeature(3, x, feature), PerFeature(4, x, feature));
        return Normalize(x, feature, epsilon, scale, offset, mean, variance);
    }

    /// <summary><c>batch_norm_training(operand, scale, offset)</c>: the operand normalised by its own per-feature mean and (biased) variance, and those statistics.</summary>
    private IReadOnlyList<object> LowerBatchNormTraining()
    {
        var (x, feature, epsilon) = BatchNormOperand(3);
        var (scale, offset) = (PerFeature(1, x, feature), PerFeature(2, x, feature));
        var mean = FeatureMean(x, feature);
        var centered = _e.Sub(x, Broadcast(mean, x, feature));
        var variance = FeatureMean(_e.Mul(centered, centered), feature);
        return [Normalize(x, feature, epsilon, scale, offset, mean, variance), mean, variance];
    }

    /// <summary>
    /// <c>batch_norm_grad(operand, scale, mean, variance, grad_output)</c>: the gradients of batch_norm_training's output
    /// with respect to the operand, the scale and the offset, as the spec computes them.
    /// </summary>
    private IReadOnlyList<object> LowerBatchNormGrad()
    {
        var (x, feature, epsilon) = BatchNormOperand(5);
        var (scale, mean, variance) = (PerFeature(1, x, feature), PerFeature(2, x, feature), PerFeature(3, x, feature));
        var dy = Operand(4);
        if (dy.Type != x.Type) throw Invalid($"grad_output is {dy.Type}; it must have the operand's type {x.Type}");
        var (centered, varianceEps, stddev, normalized) = Standardize(x, feature, epsilon, mean, variance);
        var count = Full(x, FeatureCount(x, feature));
        var i1 = _e.Mul(dy, count);
        var i2 = Broadcast(FeatureSum(dy, feature), x, feature);
        var i3 = Broadcast(FeatureSum(_e.Mul(dy, centered), feature), x, feature);
        var i5 = _e.Div(_e.Mul(i3, centered), varianceEps);
        var i6 = _e.Sub(_e.Sub(i1, i2), i5);
        var gradOperand = _e.Mul(_e.Div(_e.Div(Broadcast(scale, x, feature), stddev), count), i6);
        return [gradOperand, FeatureSum(_e.Mul(dy, normalized), feature), FeatureSum(dy, feature)];
    }

    /// <summary>The operand (a float tensor of static shape, as many operands as the op takes), its feature axis and epsilon.</summary>
    private (Value X, int Feature, double Epsilon) BatchNormOperand(int operands)
    {
        if (_op.Operands.Count != operands) throw Invalid($"{_op.Name} takes {operands} operands, got {_op.Operands.Count}");
        var x = Operand(0);
        if (!x.Type.DType.IsFloat()) throw Invalid($"the operand is {x.Type}; batch normalisation needs floats");
        if (!x.Type.Shape.IsStatic) throw Unsupported($"op not in our primitive set: {_op.Name} over the dynamic shape {x.Type}");
        long feature = Int(RequiredAttr("feature_index"));
        if (feature < 0 || feature >= x.Type.Rank) throw Invalid($"feature_index {feature} is out of range for {x.Type}");
        double epsilon = RequiredAttr("epsilon") switch
        {
            MlirFloatAttribute f => f.Value,
            MlirIntAttribute i => (double)i.Value,
            var a => throw Invalid($"epsilon must be a float, got {a}"),
        };
        return (x, (int)feature, epsilon);
    }

    /// <summary>Operand <paramref name="index"/>: a 1-D tensor of the operand's dtype, one element per feature.</summary>
    private Value PerFeature(int index, Value x, int feature)
    {
        var v = Operand(index);
        if (v.Type.Rank != 1 || v.Type.DType != x.Type.DType || v.Type.Shape[0] != x.Type.Shape[feature])
            throw Invalid($"operand {index} is {v.Type}; it must be {x.Type.DType.Name()}[{x.Type.Shape[feature]}] (one value per feature of {x.Type})");
        return v;
    }

    private Value Normalize(Value x, int feature, double epsilon, Value scale, Value offset, Value mean, Value variance) =>
        _e.Add(_e.Mul(Broadcast(scale, x, feature), Standardize(x, feature, epsilon, mean, variance).Normalized), Broadcast(offset, x, feature));

    /// <summary>x - mean, variance + epsilon, its square root, and their quotient (x standardized), broadcast along the features.</summary>
    private (Value Centered, Value VarianceEps, Value Stddev, Value Normalized) Standardize(Value x, int feature, double epsilon, Value mean, Value variance)
    {
        var centered = _e.Sub(x, Broadcast(mean, x, feature));
        var varianceEps = _e.Add(Broadcast(variance, x, feature), Full(x, epsilon));
        var stddev = _e.Sqrt(varianceEps);
        return (centered, varianceEps, stddev, _e.Div(centered, stddev));
    }

    /// <summary>The number of elements of each feature: every dimension but the feature's.</summary>
    private static long FeatureCount(Value x, int feature) => x.Type.Shape.ElementCount / x.Type.Shape[feature].Size;

    private Value Broadcast(Value perFeature, Value x, int feature) => _e.BroadcastInDim(perFeature, x.Type.Shape, [feature]);

    private Value FeatureSum(Value x, int feature) => _e.ReduceSum(x, [.. Enumerable.Range(0, x.Type.Rank).Where(d => d != feature)]);

    private Value FeatureMean(Value x, int feature)
    {
        var sum = FeatureSum(x, feature);
        return _e.Div(sum, Full(sum, FeatureCount(x, feature)));
    }
}
