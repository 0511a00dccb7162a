namespace JaxToolchain.FSharp

open JaxToolchain
open JaxToolchain.Ir

/// <summary>
/// <c>jax.random</c> for F#: counter-based keys (threefry, bit-exact with JAX), <c>random.normal(key, [| 3; 4 |])</c>.
/// Forwards to the runtime's <c>Jax.Random</c>.
/// </summary>
[<Sealed>]
type random private () =
    static do Interactive.install ()

    /// <summary><c>jax.random.PRNGKey(seed)</c>.</summary>
    static member PRNGKey(seed: int64) : Tensor = Jax.Random.PRNGKey seed

    /// <summary><c>jax.random.key(seed)</c>.</summary>
    static member key(seed: int64) : Tensor = Jax.Random.Key seed

    /// <summary><c>jax.random.split(key, num=2)</c>: new keys stacked along the leading axis.</summary>
    static member split(key: Tensor, ?num: int) : Tensor = Jax.Random.Split(key, defaultArg num 2)

    /// <summary><c>jax.random.fold_in(key, data)</c>.</summary>
    static member foldIn(key: Tensor, data: uint32) : Tensor = Jax.Random.FoldIn(key, data)

    /// <summary><c>jax.random.normal(key, shape, dtype)</c>: standard normal samples.</summary>
    static member normal(key: Tensor, shape: int[], ?dtype: DType) : Tensor = Jax.Random.Normal(key, shape, Option.toNullable dtype)

    /// <summary><c>jax.random.uniform(key, shape, dtype, minval=0, maxval=1)</c>.</summary>
    static member uniform(key: Tensor, shape: int[], ?dtype: DType, ?minval: float, ?maxval: float) : Tensor =
        Jax.Random.Uniform(key, shape, Option.toNullable dtype, defaultArg minval 0.0, defaultArg maxval 1.0)

    /// <summary><c>jax.random.bernoulli(key, p, shape)</c>.</summary>
    static member bernoulli(key: Tensor, p: float, shape: int[]) : Tensor = Jax.Random.Bernoulli(key, p, shape)

    /// <summary><c>jax.random.randint(key, shape, minval, maxval)</c>.</summary>
    static member randint(key: Tensor, shape: int[], minval: int64, maxval: int64, ?dtype: DType) : Tensor =
        Jax.Random.RandInt(key, shape, minval, maxval, Option.toNullable dtype)

    /// <summary><c>jax.random.categorical(key, logits, axis=-1)</c>.</summary>
    static member categorical(key: Tensor, logits: Tensor, ?axis: int) : Tensor =
        Jax.Random.Categorical(key, logits, null, defaultArg axis -1)

    /// <summary><c>jax.random.permutation(key, x)</c>: a shuffled copy along the leading axis.</summary>
    static member permutation(key: Tensor, x: Tensor) : Tensor = Jax.Random.Permutation(key, x)

    /// <summary><c>jax.random.permutation(key, n)</c>: a permutation of 0..n-1.</summary>
    static member permutation(key: Tensor, n: int) : Tensor = Jax.Random.Permutation(key, n)

/// <summary><c>jax.nn</c> for F#: activations and their friends. Forwards to the runtime's <c>Nn</c>.</summary>
[<AbstractClass; Sealed>]
type nn =
    /// <summary><c>jax.nn.relu</c>.</summary>
    static member relu(x: Tensor) : Tensor = Nn.Relu x

    /// <summary><c>jax.nn.selu</c>.</summary>
    static member selu(x: Tensor) : Tensor = Nn.Selu x

    /// <summary><c>jax.nn.sigmoid</c>.</summary>
    static member sigmoid(x: Tensor) : Tensor = Nn.Sigmoid x

    /// <summary><c>jax.nn.softplus</c>.</summary>
    static member softplus(x: Tensor) : Tensor = Nn.Softplus x

    /// <summary><c>jax.nn.silu</c>.</summary>
    static member silu(x: Tensor) : Tensor = Nn.Silu x

    /// <summary><c>jax.nn.elu(x, alpha=1.0)</c>.</summary>
    static member elu(x: Tensor, ?alpha: float) : Tensor = Nn.Elu(x, defaultArg alpha 1.0)

    /// <summary><c>jax.nn.gelu(x, approximate=True)</c>.</summary>
    static member gelu(x: Tensor, ?approximate: bool) : Tensor = Nn.Gelu(x, defaultArg approximate true)

    /// <summary><c>jax.nn.leaky_relu(x, negative_slope=0.01)</c>.</summary>
    static member leakyRelu(x: Tensor, ?negativeSlope: float) : Tensor = Nn.LeakyRelu(x, defaultArg negativeSlope 0.01)

    /// <summary><c>jax.nn.softmax(x, axis=-1)</c>.</summary>
    static member softmax(x: Tensor, ?axis: int) : Tensor = Nn.Softmax(x, defaultArg axis -1)

    /// <summary><c>jax.nn.log_softmax(x, axis=-1)</c>.</summary>
    static member logSoftmax(x: Tensor, ?axis: int) : Tensor = Nn.LogSoftmax(x, defaultArg axis -1)

    /// <summary><c>jax.nn.one_hot(x, num_classes)</c>.</summary>
    static member oneHot(x: Tensor, numClasses: int, ?dtype: DType) : Tensor = Nn.OneHot(x, numClasses, Option.toNullable dtype)
