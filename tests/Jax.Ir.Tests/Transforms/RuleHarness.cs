namespace JaxToolchain.Ir.Tests.Transforms;

/// <summary>
/// Checks a primitive's transformation rules numerically, one primitive at a time (JAX's <c>check_grads</c> in
/// miniature): JVP against central differences in float64, transpose by the identity ⟨L t, c⟩ = ⟨t, Lᵀ c⟩, and
/// batching against running the primitive on each example.
/// </summary>
internal static class RuleHarness
{
    /// <summary>A buffer of a type filled with uniform values in [lo, hi] (rounded to the dtype).</summary>
    public static Buffer Uniform(ShapedType type, Random rng, double lo = -2, double hi = 2)
    {
        var b = Buffer.Zeros(type.DType, type.Shape);
        for (int i = 0; i < b.Length; i++) b.SetDouble(i, lo + (hi - lo) * rng.NextDouble());
        return b;
    }

    /// <summary>The function applying one primitive to parameters of the given types.</summary>
    public static Function Single(Primitive primitive, IReadOnlyList<ShapedType> types, Attributes? attributes = null, IReadOnlyList<Block>? regions = null)
    {
        var block = new Block(types);
        block.SetResults(new IrBuilder(block).Emit(primitive, block.Arguments, attributes, regions));
        return new Function(primitive.Name, block);
    }

    /// <summary>The inner product of two buffers of the same shape, in double.</summary>
    public static double Dot(Buffer a, Buffer b)
    {
        Assert.Equal(a.Shape, b.Shape);
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a.GetDouble(i) * b.GetDouble(i);
        return s;
    }

    /// <summary>x + h t, elementwise.</summary>
    public static Buffer Axpy(Buffer x, Buffer t, double h)
    {
        var r = x.Clone();
        for (int i = 0; i < r.Length; i++) r.SetDouble(i, x.GetDouble(i) + h * t.GetDouble(i));
        return r;
    }

    /// <summary>
    /// Checks the JVP of <paramref name="primitive"/> at float64 <paramref name="inputs"/> in a random direction
    /// against central differences: |jvp - fd| &lt;= tol (1 + |fd|) per element.
    /// </summary>
    public static void CheckJvp(Primitive primitive, Attributes? attributes, Buffer[] inputs, double tol = 1e-6, int seed = 0, IReadOnlyList<Block>? regions = null)
    {
        var rng = new Random(seed);
        var f = Single(primitive, inputs.Select(b => b.Type).ToArray(), attributes, regions);
        var differentiable = inputs.Select(b => b.DType.IsFloat()).ToArray();
        var jvp = JvpPass.Apply(f, differentiable);
        Verifier.Verify(jvp);
        var tangents = inputs.Where(b => b.DType.IsFloat()).Select(b => Uniform(b.Type, rng, -1, 1)).ToArray();
        var outs = Interpreter.Run(jvp, [.. inputs, .. tangents]);
        int n = f.ResultTypes.Count;
        const double h = 1e-6;
        int k = 0;
        var plus = inputs.Select(b => b.DType.IsFloat() ? Axpy(b, tangents[k++], h) : b).ToArray();
        k = 0;
        var minus = inputs.Select(b => b.DType.IsFloat() ? Axpy(b, tangents[k++], -h) : b).ToArray();
        var fp = Interpreter.Run(f, plus);
        var fm = Interpreter.Run(f, minus);
        for (int r = 0; r < n; r++)
        {
            var primalOut = Interpreter.Run(f, inputs)[r];
            Assert.True(primalOut.BitwiseEquals(outs[r]), $"{primitive.Name}: jvp primal output {r} differs from the primitive's");
            if (!f.ResultTypes[r].DType.IsFloat()) continue;
            for (int i = 0; i < outs[n + r].Length; i++)
            {
                double fd = (fp[r].GetDouble(i) - fm[r].GetDouble(i)) / (2 * h);
                double jv = outs[n + r].GetDouble(i);
                Assert.True(Math.Abs(jv - fd) <= tol * (1 + Math.Abs(fd)),
                    $"{primitive.Name}: tangent of result {r}[{i}] is {jv}, central difference {fd}");
            }
        }
    }

    /// <summary>
    /// Checks the transpose rule of <paramref name="primitive"/> with respect to operand <paramref name="linear"/>
    /// (the others fixed at <paramref name="inputs"/>): ⟨L t, c⟩ = ⟨t, Lᵀ c⟩ for random t and c, to 1e-10 relative.
    /// </summary>
    public static void CheckTranspose(Primitive primitive, Attributes? attributes, Buffer[] inputs, int linear, int seed = 0, IReadOnlyList<Block>? regions = null)
    {
        attributes ??= Attributes.Empty;
        regions ??= [];
        var rng = new Random(seed);
        var f = Single(primitive, inputs.Select(b => b.Type).ToArray(), attributes, regions);
        var t = Uniform(inputs[linear].Type, rng);
        var lt = Interpreter.Run(f, inputs.Select((b, i) => i == linear ? t : b).ToArray());
        var cts = f.ResultTypes.Select(type => Uniform(type, rng)).ToArray();

        // Build Lᵀ: (known operands..., cotangents...) -> cotangent of the linear operand.
        var knownTypes = inputs.Where((_, i) => i != linear).Select(b => b.Type);
        var block = new Block(knownTypes.Concat(f.ResultTypes));
        int known = inputs.Length - 1;
        var operands = new LinearOperand[inputs.Length];
        for (int i = 0, j = 0; i < inputs.Length; i++)
            operands[i] = i == linear ? new LinearOperand(null, inputs[i].Type) : new LinearOperand(block.Arguments[j++], inputs[i].Type);
        var context = new TransposeContext(new Emitter(block)) { TransposeRegion = TransposePass.TransposeRegion };
        var result = primitive.Transpose(context, block.Arguments.Skip(known).ToArray(), operands, attributes, regions);
        var emitter = context.Emitter;
        block.SetResults([result[linear] ?? emitter.Zeros(inputs[linear].Type)]);
        var transpose = new Function($"transpose_{primitive.Name}", block);
        Verifier.Verify(transpose);
        var ltc = Interpreter.Run(transpose, [.. inputs.Where((_, i) => i != linear), .. cts])[0];
        double lhs = lt.Zip(cts).Sum(p => Dot(p.First, p.Second));
        double rhs = Dot(t, ltc);
        Assert.True(Math.Abs(lhs - rhs) <= 1e-10 * (1 + Math.Abs(lhs)), $"{primitive.Name}: <L t, c> = {lhs} but <t, L^T c> = {rhs}");
    }

    /// <summary>Example <paramref name="b"/> of a buffer batched along <paramref name="axis"/>.</summary>
    public static Buffer Example(Buffer batched, int axis, int b)
    {
        var dims = batched.Dims;
        var start = new long[dims.Length];
        var limit = dims.Select(d => (long)d).ToArray();
        start[axis] = b;
        limit[axis] = b + 1;
        var sliced = Prims.Slice.Evaluate([batched], Attributes.Of(("start_indices", start), ("limit_indices", limit),
            ("strides", Enumerable.Repeat(1L, dims.Length).ToArray())), [], Interpreter.Default)[0];
        return Prims.Squeeze.Evaluate([sliced], Attributes.Of(("dimensions", new[] { axis })), [], Interpreter.Default)[0];
    }

    /// <summary>
    /// Checks the batching rule: <paramref name="inputs"/> are batched along <paramref name="inAxes"/> (null: unbatched,
    /// shared by all examples); the vmapped primitive must equal the primitive run on each example, bit for bit.
    /// </summary>
    public static void CheckBatch(Primitive primitive, Attributes? attributes, Buffer[] inputs, int?[] inAxes, IReadOnlyList<Block>? regions = null)
    {
        inAxes = inAxes.Select((a, i) => a is int d && d < 0 ? d + inputs[i].Shape.Rank : a).ToArray();
        int size = (int)inputs.Select((b, i) => inAxes[i] is int a ? b.Shape[a].Size : -1).Max();
        var exampleTypes = inputs.Select((b, i) => inAxes[i] is int a ? Example(b, a, 0).Type : b.Type).ToArray();
        var f = Single(primitive, exampleTypes, attributes, regions);
        var batched = VmapPass.Apply(f, inAxes, f.ResultTypes.Select(_ => (int?)0).ToArray(), Dim.Of(size));
        Verifier.Verify(batched);
        var outs = Interpreter.Run(batched, inputs);
        for (int b = 0; b < size; b++)
        {
            var expected = Interpreter.Run(f, inputs.Select((x, i) => inAxes[i] is int a ? Example(x, a, b) : x).ToArray());
            for (int r = 0; r < expected.Length; r++)
                Assert.True(expected[r].BitwiseEquals(Example(outs[r], 0, b)), $"{primitive.Name}: vmapped result {r} differs at example {b}");
        }
    }
}
