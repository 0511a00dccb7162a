using JaxToolchain.Ir;
using Xunit.Abstractions;

namespace JaxToolchain.Runtime.Tests.Torch;

using TorchTensor = TorchSharp.torch.Tensor;

/// <summary>Runs an op of ours and torch's on the same random inputs over <see cref="Samples.ElementwiseShapes"/>.</summary>
internal static class Differential
{
    /// <summary>Compares a unary op on inputs from <paramref name="inputs"/> (made per shape with a seeded generator).</summary>
    public static Discrepancy Unary(string name, DType dtype, Func<Random, long[], Tensor> inputs,
        Func<Tensor, Tensor> ours, Func<TorchTensor, TorchTensor> theirs, Tolerance tolerance, ITestOutputHelper log,
        bool checkDType = true)
    {
        var rng = new Random(Samples.SeedOf(name + dtype.Name()));
        using var scope = TorchSharp.torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var shape in Samples.ElementwiseShapes)
        {
            var x = inputs(rng, shape);
            var xs = OracleTensors.Doubles(x);
            total = total.Merge(Agreement.AssertClose($"{name} {dtype.Name()}{x.Shape.ToTupleString()}", ours(x),
                theirs(OracleTensors.ToTorch(x)), tolerance, i => $"x = {xs[i]:R}", checkDType: checkDType));
        }
        log.WriteLine($"{name} {dtype.Name()}: {total}");
        return total;
    }

    /// <summary>
    /// Asserts that a unary op of ours is correctly rounded: bit for bit the float64 <paramref name="reference"/>
    /// rounded to the dtype (for sqrt and the like, whose float64 result rounds correctly to every narrower format).
    /// </summary>
    public static void CorrectlyRounded(string name, DType dtype, Domain domain, Func<Tensor, Tensor> ours, Func<double, double> reference)
    {
        var rng = new Random(Samples.SeedOf(name + dtype.Name() + " reference"));
        foreach (var shape in Samples.ElementwiseShapes)
        {
            var x = Samples.Floats(rng, dtype, shape, domain);
            var xs = OracleTensors.Doubles(x);
            var expected = Samples.Floats(xs.Select(reference).ToArray(), dtype, shape);
            Agreement.CompareFloats($"{name} {dtype.Name()}{x.Shape.ToTupleString()} vs float64 reference", dtype,
                OracleTensors.Doubles(ours(x)), OracleTensors.Doubles(expected), Tolerance.Exact, i => $"x = {xs[i]:R}");
        }
    }

    /// <summary>Compares a unary float op on inputs drawn from a domain.</summary>
    public static Discrepancy Unary(string name, DType dtype, Domain domain,
        Func<Tensor, Tensor> ours, Func<TorchTensor, TorchTensor> theirs, Tolerance tolerance, ITestOutputHelper log) =>
        Unary(name, dtype, (rng, shape) => Samples.Any(rng, dtype, shape, domain), ours, theirs, tolerance, log);

    /// <summary>Compares a binary op on input pairs from <paramref name="inputs"/> (same shape).</summary>
    public static Discrepancy Binary(string name, DType dtype, Func<Random, long[], (Tensor X, Tensor Y)> inputs,
        Func<Tensor, Tensor, Tensor> ours, Func<TorchTensor, TorchTensor, TorchTensor> theirs, Tolerance tolerance,
        ITestOutputHelper log)
    {
        var rng = new Random(Samples.SeedOf(name + dtype.Name()));
        using var scope = TorchSharp.torch.NewDisposeScope();
        var total = Discrepancy.None;
        foreach (var shape in Samples.ElementwiseShapes)
        {
            var (x, y) = inputs(rng, shape);
            var xs = OracleTensors.Doubles(x);
            var ys = OracleTensors.Doubles(y);
            total = total.Merge(Agreement.AssertClose($"{name} {dtype.Name()}{x.Shape.ToTupleString()}", ours(x, y),
                theirs(OracleTensors.ToTorch(x), OracleTensors.ToTorch(y)), tolerance,
                i => $"x = {xs[i]:R}, y = {ys[i]:R}"));
        }
        log.WriteLine($"{name} {dtype.Name()}: {total}");
        return total;
    }

    /// <summary>Compares a binary op on two arrays drawn from (possibly different) domains.</summary>
    public static Discrepancy Binary(string name, DType dtype, Domain xDomain, Domain yDomain,
        Func<Tensor, Tensor, Tensor> ours, Func<TorchTensor, TorchTensor, TorchTensor> theirs, Tolerance tolerance,
        ITestOutputHelper log) =>
        Binary(name, dtype, (rng, shape) => (Samples.Any(rng, dtype, shape, xDomain), Samples.Any(rng, dtype, shape, yDomain)),
            ours, theirs, tolerance, log);
}
