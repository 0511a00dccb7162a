// A model exported from JAX, run from .NET with no Python: mlp.mlir is the StableHLO that
//
//     def predict(params, x):
//         (w1, b1), (w2, b2) = params
//         h = jnp.tanh(x @ w1 + b1)
//         return jax.nn.log_softmax(h @ w2 + b2)
//     jax.jit(predict).lower(params, x).as_text()
//
// prints (written for this sample), and mlp.safetensors holds its parameters. The build compiles mlp.mlir into the
// same precompiled kernels as [Jit] methods (<JaxModule Include="mlp.mlir" /> in FromJax.csproj), so the NativeAOT
// publish runs it with no LLVM and no tracing (JAX_PRECOMPILED_ONLY=1 would make any tracing an error).
using JaxToolchain;

var model = Jax.Load("mlp.mlir");
Console.WriteLine($"mlp.mlir: ({string.Join(", ", model.InputTypes)}) -> ({string.Join(", ", model.OutputTypes)})");

// The parameters, by key path, into a tree shaped like the Python one (checked: a missing key, a wrong shape or dtype is an error).
var template = new Mlp(new Dense(Jnp.Zeros([4, 8]), Jnp.Zeros([8])), new Dense(Jnp.Zeros([8, 3]), Jnp.Zeros([3])));
var parameters = Parameters.LoadInto(Path.Combine(AppContext.BaseDirectory, "mlp.safetensors"), template);

// Arguments are flattened as jax.export flattens them: the tree of parameters, then x.
var x = Jnp.Reshape(Jnp.Linspace(-1f, 1f, 20), 5, 4);
var logProbabilities = model.Invoke(parameters, x);
Console.WriteLine($"log_softmax(predict(params, x)) = {logProbabilities}");
Console.WriteLine($"predicted classes = {Jnp.Argmax(logProbabilities, axis: 1)}");

// The same model written with Jnp, for comparison.
var hidden = Jnp.Tanh(Jnp.Dot(x, parameters.Hidden.Kernel) + parameters.Hidden.Bias);
var expected = Nn.LogSoftmax(Jnp.Dot(hidden, parameters.Output.Kernel) + parameters.Output.Bias);
Console.WriteLine($"max |module - Jnp| = {Jnp.Max(Jnp.Abs(logProbabilities - expected)).Item<float>():E1}");

/// <summary>One dense layer's parameters (a pytree: its key paths are <c>Hidden/Kernel</c>, ...).</summary>
[PyTree]
internal sealed record Dense(Tensor Kernel, Tensor Bias);

/// <summary>The model's parameters, in the order of the Python tuple <c>((w1, b1), (w2, b2))</c>.</summary>
[PyTree]
internal sealed record Mlp(Dense Hidden, Dense Output);
