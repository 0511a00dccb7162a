using JaxToolchain.Aot;
using JaxToolchain.Ir;
using JaxToolchain.Ir.StableHlo;

namespace JaxToolchain.Runtime.Tests.StableHlo;

/// <summary>
/// <see cref="Jax.Load(string, string?)"/>: a StableHLO module as a function over arrays, checked against the same
/// function written with <c>Jnp</c>; transformations apply to it; dynamic dims take each call's sizes; what we export
/// loads back with the same numbers; bad calls and bad text are clear errors.
/// </summary>
public class LoadTests
{
    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Jax.Toolchain.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Jax.Toolchain.sln not found above " + AppContext.BaseDirectory);
    }

    private static string SampleModule => Path.Combine(RepoRoot(), "samples", "FromJax", "mlp.mlir");

    private static (Tensor W1, Tensor B1, Tensor W2, Tensor B2, Tensor X) MlpInputs()
    {
        var keys = Jax.Random.Split(Jax.Random.PRNGKey(7), 5);
        return (Jax.Random.Normal(keys[0], [4, 8]), Jax.Random.Normal(keys[1], [8]), Jax.Random.Normal(keys[2], [8, 3]),
            Jax.Random.Normal(keys[3], [3]), Jax.Random.Normal(keys[4], [5, 4]));
    }

    private static Tensor MlpInJnp(Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor x) =>
        Nn.LogSoftmax(Jnp.Dot(Jnp.Tanh(Jnp.Dot(x, w1) + b1), w2) + b2);

    /// <summary>Same shape and dtype, every element within <paramref name="tolerance"/> relative (absolute below 1).</summary>
    internal static void AssertClose(Tensor expected, Tensor actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.DType, actual.DType);
        var (e, a) = (expected.ToArray<float>(), actual.ToArray<float>());
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * Math.Max(1, Math.Abs(e[i])), $"[{i}]: {a[i]}, expected {e[i]}");
    }

    [Fact]
    public void The_sample_module_computes_what_the_same_model_in_Jnp_computes()
    {
        var model = Jax.Load(SampleModule);
        Assert.Equal("mlp", model.Name);
        Assert.Equal(["f32[4,8]", "f32[8]", "f32[8,3]", "f32[3]", "f32[5,4]"], model.InputTypes.Select(t => t.ToString()));
        var (w1, b1, w2, b2, x) = MlpInputs();
        AssertClose(MlpInJnp(w1, b1, w2, b2, x), model.Invoke(w1, b1, w2, b2, x));
        // Pytree arguments are flattened as jax.export flattens them.
        AssertClose(MlpInJnp(w1, b1, w2, b2, x), model.Invoke(((w1, b1), (w2, b2)), x));
    }

    [Fact]
    public void Grad_and_vmap_apply_to_a_loaded_module()
    {
        var model = Jax.Load(SampleModule);
        var (w1, b1, w2, b2, x) = MlpInputs();
        var viaModule = Jax.Grad((Tensor w) => Jnp.Sum(model.Invoke(w, b1, w2, b2, x) * Jnp.Arange(3f)))(w1);
        var viaJnp = Jax.Grad((Tensor w) => Jnp.Sum(MlpInJnp(w, b1, w2, b2, x) * Jnp.Arange(3f)))(w1);
        AssertClose(viaJnp, viaModule, 1e-4);

        var single = Jax.Load("""
            func.func public @main(%arg0: tensor<4xf32>) -> tensor<f32> {
              %0 = stablehlo.tanh %arg0 : tensor<4xf32>
              %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
              %1 = stablehlo.reduce(%0 init: %cst) applies stablehlo.add across dimensions = [0] : (tensor<4xf32>, tensor<f32>) -> tensor<f32>
              return %1 : tensor<f32>
            }
            """);
        var batch = Jnp.Reshape(Jnp.Linspace(-2f, 2f, 12), 3, 4);
        AssertClose(Jnp.Sum(Jnp.Tanh(batch), axis: 1), Jax.Vmap(single.AsFunction())(batch));
        AssertClose(Jnp.Sum(Jnp.Tanh(batch), axis: 1), Jax.Jit(Jax.Vmap(single.AsFunction()))(batch));
    }

    [Fact]
    public void Dynamic_dims_take_the_sizes_of_each_call()
    {
        var model = Jax.Load("""
            module @jit_f attributes {jax.uses_shape_polymorphism = true} {
              func.func public @main(%arg0: tensor<?x4xf32> {jax.arg_info = "x"}) -> (tensor<?x4xf32> {jax.result_info = ""}) {
                %0 = stablehlo.tanh %arg0 : tensor<?x4xf32>
                %1 = stablehlo.multiply %0, %arg0 : tensor<?x4xf32>
                return %1 : tensor<?x4xf32>
              }
            }
            """);
        foreach (int n in new[] { 3, 7 })
        {
            var x = Jnp.Reshape(Jnp.Linspace(-1f, 1f, 4 * n), n, 4);
            AssertClose(Jnp.Tanh(x) * x, model.Invoke(x));
        }
        var e = Assert.Throws<JaxTypeException>(() => model.Invoke(Jnp.Ones([3, 5])));
        Assert.Contains("float32[3,5]", e.Message, StringComparison.Ordinal);
        Assert.Contains("float32[", e.Message, StringComparison.Ordinal);
    }

    /// <summary>jnp.mean over a polymorphic batch as jax.export writes it: the batch's size used as a value, each call's.</summary>
    [Fact]
    public void A_dynamic_dims_size_used_as_a_value_is_each_calls()
    {
        var model = Jax.Load("""
            func.func public @main(%arg0: tensor<?x4xf32>) -> tensor<4xf32> {
              %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
              %0 = stablehlo.reduce(%arg0 init: %cst) applies stablehlo.add across dimensions = [0] : (tensor<?x4xf32>, tensor<f32>) -> tensor<4xf32>
              %1 = stablehlo.get_dimension_size %arg0, dim = 0 : (tensor<?x4xf32>) -> tensor<i32>
              %2 = stablehlo.convert %1 : (tensor<i32>) -> tensor<f32>
              %3 = stablehlo.broadcast_in_dim %2, dims = [] : (tensor<f32>) -> tensor<4xf32>
              %4 = stablehlo.divide %0, %3 : tensor<4xf32>
              return %4 : tensor<4xf32>
            }
            """);
        foreach (int n in new[] { 2, 5 })
        {
            var x = Jnp.Reshape(Jnp.Linspace(-1f, 3f, 4 * n), n, 4);
            AssertClose(Jnp.Mean(x, 0), model.Invoke(x));
            AssertClose(Jnp.Mean(x, 0), Jax.Jit(model.AsFunction())(x));
        }
    }

    public static TheoryData<string> TourFunctions() => ["selu", "sum_logistic", "grad_sum_logistic", "vmap_dot", "random_normal", "fori_loop"];

    private static Func<Tensor, Tensor> Tour(string name) => name switch
    {
        "selu" => x => 1.0507 * Jnp.Where(x > 0, x, 1.6733 * Jnp.Exp(x) - 1.6733),
        "sum_logistic" => x => Jnp.Sum(1.0 / (1.0 + Jnp.Exp(-x))),
        "grad_sum_logistic" => Jax.Grad((Tensor x) => Jnp.Sum(1.0 / (1.0 + Jnp.Exp(-x)))),
        "vmap_dot" => x => Jax.Vmap((Tensor v) => Jnp.Dot(Jnp.Reshape(Jnp.Arange(12f), 3, 4), v))(Jnp.Reshape(x, 2, 4)),
        "random_normal" => x => x + Jax.Random.Normal(Jax.Random.PRNGKey(0), [8]),
        "fori_loop" => x => Lax.ForiLoop(0, 5, (i, acc) => acc * 0.5 + Jnp.Sin(acc), x),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(TourFunctions))]
    public void What_we_export_loads_back_with_the_same_numbers(string name)
    {
        var f = Tour(name);
        var x = Jnp.Linspace(-2f, 2f, 8);
        string text = Jax.Export(f, x);
        var loaded = Jax.Load(text, name);
        AssertClose(f(x), loaded.Invoke(x), 1e-6);
    }

    [Fact]
    public void Bad_calls_and_bad_text_are_clear_errors()
    {
        var model = Jax.Load(SampleModule);
        var e = Assert.Throws<JaxTypeException>(() => model.Invoke(Jnp.Ones([4, 8])));
        Assert.Contains("takes 5 arrays", e.Message, StringComparison.Ordinal);
        var (w1, b1, w2, b2, _) = MlpInputs();
        e = Assert.Throws<JaxTypeException>(() => model.Invoke(w1, b1, w2, b2, Jnp.Ones([5, 4], DType.Int32)));
        Assert.Contains("int32[5,4]", e.Message, StringComparison.Ordinal);

        var bad = Assert.Throws<StableHloImportException>(() => Jax.Load("""
            func.func public @main(%arg0: tensor<4xf32>) -> tensor<4xf32> {
              %0 = stablehlo.fft %arg0, type = FFT, length = [4] : (tensor<4xf32>) -> tensor<4xf32>
              return %0 : tensor<4xf32>
            }
            """));
        Assert.Contains("2:", bad.Message, StringComparison.Ordinal);
        Assert.Contains("fft", bad.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => Jax.Load("no-such-model.mlir"));
    }

    [Fact]
    public void Parameters_from_a_file_run_the_module_and_a_file_that_does_not_fit_it_is_a_clear_error()
    {
        var model = Jax.Load(SampleModule);
        var (w1, b1, w2, b2, x) = MlpInputs();
        string path = Path.Combine(Path.GetTempPath(), $"load-tests-{Environment.ProcessId}.safetensors");
        try
        {
            Parameters.Save(path, new Dictionary<string, Tensor> { ["w1"] = w1, ["b1"] = b1, ["w2"] = w2, ["b2"] = b2 });
            var p = Parameters.Load(path);
            AssertClose(MlpInJnp(w1, b1, w2, b2, x), model.Invoke(p["w1"], p["b1"], p["w2"], p["b2"], x));

            // Another model's parameters (the output layer 8x4, not 8x3): the call names the argument and both types.
            Parameters.Save(path, new Dictionary<string, Tensor> { ["w1"] = w1, ["b1"] = b1, ["w2"] = Jnp.Ones([8, 4]), ["b2"] = Jnp.Ones([4]) });
            p = Parameters.Load(path);
            var e = Assert.Throws<JaxTypeException>(() => model.Invoke(p["w1"], p["b1"], p["w2"], p["b2"], x));
            Assert.Contains("argument 2 is float32[8,4], but the parameter is float32[8,3]", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Under_precompiled_only_a_module_without_a_precompiled_kernel_is_an_error()
    {
        var model = Jax.Load(SampleModule, "mlp_not_precompiled");
        var (w1, b1, w2, b2, x) = MlpInputs();
        bool before = Jax.Config.PrecompiledOnly;
        try
        {
            Jax.Config.PrecompiledOnly = true;
            var e = Assert.Throws<PrecompiledKernelMissingException>(() => model.Invoke(w1, b1, w2, b2, x));
            Assert.Contains("JaxModule", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Jax.Config.PrecompiledOnly = before;
        }
    }
}
