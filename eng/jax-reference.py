#!/usr/bin/env python3
"""Writes reference outputs of real JAX (CPU backend) as JSON, for tests that pin our results to JAX's.

Run where JAX is installed (the lent GPU machine has it; nothing here needs a GPU):
    JAX_PLATFORMS=cpu python3 eng/jax-reference.py OUT.json
Each entry records what was computed, the dtype, the shape, the values (floats as hex bit patterns, so
they compare bit for bit) and, for arrays, JAX's repr. Entries that fail record the error instead.
"""
import json, sys, traceback
import numpy as np
import jax
import jax.numpy as jnp
from jax import random

out = {"jax_version": jax.__version__, "numpy_version": np.__version__, "entries": []}


def bits(a):
    a = np.asarray(a)
    if a.dtype == np.bool_:
        return [bool(v) for v in a.ravel()]
    if a.dtype.kind in "iu":
        return [int(v) for v in a.ravel()]
    width = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
    return [format(int(v), "x") for v in a.view(width).ravel()]


def record(name, fn, x64=False):
    jax.config.update("jax_enable_x64", x64)
    try:
        v = fn()
        vals = v if isinstance(v, (list, tuple)) else [v]
        out["entries"].append({
            "name": name, "x64": x64,
            "results": [{
                "dtype": str(np.asarray(r).dtype) if not hasattr(r, "dtype") else str(r.dtype),
                "shape": list(np.shape(r)),
                "weak_type": bool(getattr(getattr(r, "aval", None), "weak_type", False)),
                "values": bits(r),
                "repr": repr(r),
                "str": str(r),
            } for r in vals]})
    except Exception as e:  # keep going: one failure must not lose the rest
        out["entries"].append({"name": name, "x64": x64, "error": "".join(traceback.format_exception_only(type(e), e)).strip()})


f32 = jnp.float32
# --- printing (repr) ---
record("repr/zeros10", lambda: jnp.zeros(10))
record("repr/arange5_div3", lambda: jnp.arange(5, dtype=f32) / 3)
record("repr/weak_scalar", lambda: jnp.asarray(2.0) * 1.0)
record("repr/int_range", lambda: jnp.arange(12).reshape(3, 4))
record("repr/bool", lambda: jnp.array([True, False, True]))
record("repr/bf16", lambda: (jnp.arange(4, dtype=jnp.bfloat16) + 1) / 3)
record("repr/f16", lambda: (jnp.arange(4, dtype=jnp.float16) + 1) / 3)
record("repr/summarised", lambda: jnp.arange(2000.0, dtype=f32))
record("repr/specials", lambda: jnp.array([0.0, -0.0, jnp.inf, -jnp.inf, jnp.nan, 1.5], dtype=f32))
record("repr/scientific", lambda: jnp.array([1e-5, 1.0, 12345678.0], dtype=f32))
record("repr/3d", lambda: jnp.arange(24, dtype=f32).reshape(2, 3, 4) / 7)
record("repr/uint32", lambda: jnp.array([0, 1, 4294967295], dtype=jnp.uint32))
record("repr/int8", lambda: jnp.array([-128, 0, 127], dtype=jnp.int8))
record("repr/f64_arange", lambda: jnp.arange(100.0)[:7] / 3, x64=True)
record("repr/empty", lambda: jnp.zeros((0,), f32))
record("repr/long_row", lambda: jnp.linspace(-1, 1, 23))
# --- creation ---
record("linspace/0_1_7", lambda: jnp.linspace(0, 1, 7))
record("linspace/neg", lambda: jnp.linspace(-3.5, 2.25, 11))
record("linspace/noendpoint", lambda: jnp.linspace(0, 1, 5, endpoint=False))
record("linspace/f64", lambda: jnp.linspace(0, 1, 7), x64=True)
record("arange/float_step", lambda: jnp.arange(0.0, 1.0, 0.1))
record("arange/float_step_f64", lambda: jnp.arange(0.0, 1.0, 0.1), x64=True)
record("eye/3x4k1", lambda: jnp.eye(3, 4, k=1))
# --- promotion ---
record("promote/int8_times_2", lambda: jnp.array([1, 2], jnp.int8) * 2)
record("promote/u8_plus_i8", lambda: jnp.array([1], jnp.uint8) + jnp.array([1], jnp.int8))
record("promote/i32_plus_float", lambda: jnp.array([1, 2]) + 1.5)
record("promote/bf16_times_float", lambda: jnp.array([1, 2], jnp.bfloat16) * 1.5)
record("promote/u32_plus_i32", lambda: jnp.array([1], jnp.uint32) + jnp.array([1], jnp.int32))
record("promote/u32_plus_i32_x64", lambda: jnp.array([1], jnp.uint32) + jnp.array([1], jnp.int32), x64=True)
record("promote/sum_int8", lambda: jnp.sum(jnp.array([100, 100], jnp.int8)))
record("promote/cumsum_int8", lambda: jnp.cumsum(jnp.array([100, 100], jnp.int8)))
# --- math functions (float32 bits) ---
xs = jnp.linspace(-3, 3, 13, dtype=f32)
for fname in ["exp", "log1p", "expm1", "tanh", "sin", "cos", "sqrt", "cbrt"]:
    fn = getattr(jnp, fname)
    record(f"math/{fname}", lambda fn=fn: fn(jnp.abs(xs) if fn in (jnp.sqrt, jnp.log1p) else xs))
record("math/logistic", lambda: jax.nn.sigmoid(xs))
record("math/erf", lambda: jax.scipy.special.erf(xs))
record("math/erfinv", lambda: jax.scipy.special.erfinv(jnp.linspace(-0.99, 0.99, 13, dtype=f32)))
record("math/lgamma", lambda: jax.scipy.special.gammaln(jnp.linspace(0.1, 6, 13, dtype=f32)))
record("math/selu", lambda: jax.nn.selu(xs))
record("math/gelu", lambda: jax.nn.gelu(xs))
record("math/softmax", lambda: jax.nn.softmax(xs))
record("math/logsumexp", lambda: jax.nn.logsumexp(xs))
# --- transformations ---
def sum_logistic(x):
    return jnp.sum(1.0 / (1.0 + jnp.exp(-x)))
record("grad/sum_logistic_arange100", lambda: jax.grad(sum_logistic)(jnp.arange(100.0)), x64=True)
record("grad/nested_third", lambda: jax.grad(jax.jit(jax.grad(jax.jit(jax.grad(sum_logistic)))))(1.0), x64=True)
record("hessian/tour", lambda: jax.jit(jax.jacfwd(jax.jacrev(lambda x: jnp.sum(jnp.tanh(x) ** 2 * x[::-1]))))(jnp.array([0.5, -1.0, 2.0])), x64=True)
record("jacrev/matrix", lambda: jax.jacrev(lambda x: jnp.tanh(jnp.arange(6.0).reshape(2, 3) @ x))(jnp.array([0.1, 0.2, 0.3])), x64=True)
# --- PRNG (classic threefry; jax_threefry_partitionable off) ---
jax.config.update("jax_threefry_partitionable", False)
for seed in [0, 1, 42, 2**40 + 7, -1]:
    record(f"prng/key/{seed}", lambda seed=seed: random.PRNGKey(seed), x64=(abs(seed) > 2**31))
key = random.PRNGKey(0)
record("prng/split2", lambda: random.split(key))
record("prng/split3", lambda: random.split(key, 3))
record("prng/fold_in7", lambda: random.fold_in(key, 7))
record("prng/bits_u32_5", lambda: random.bits(key, (5,), jnp.uint32))
record("prng/bits_u32_odd7", lambda: random.bits(random.PRNGKey(42), (7,), jnp.uint32))
record("prng/bits_u64_3", lambda: random.bits(key, (3,), jnp.uint64), x64=True)
record("prng/uniform_f32_10", lambda: random.uniform(key, (10,)))
record("prng/uniform_f64_5", lambda: random.uniform(key, (5,)), x64=True)
record("prng/normal_f32_10", lambda: random.normal(key, (10,)))
record("prng/normal_f32_3x3", lambda: random.normal(random.PRNGKey(1), (3, 3)))
record("prng/normal_f64_5", lambda: random.normal(key, (5,)), x64=True)
record("prng/normal_f32_1000", lambda: random.normal(random.PRNGKey(7), (1000,)))
record("prng/truncated_normal", lambda: random.truncated_normal(key, -1.0, 2.0, (6,)))
record("prng/bernoulli", lambda: random.bernoulli(key, 0.3, (8,)))
record("prng/randint", lambda: random.randint(key, (8,), 0, 10))
record("prng/randint_neg", lambda: random.randint(key, (8,), -5, 1000))
record("prng/choice", lambda: random.choice(key, 10, (4,)))
record("prng/choice_noreplace", lambda: random.choice(key, 10, (4,), replace=False))
record("prng/permutation", lambda: random.permutation(key, 10))
record("prng/categorical", lambda: random.categorical(key, jnp.log(jnp.array([0.1, 0.2, 0.7])), shape=(8,)))
record("prng/gumbel", lambda: random.gumbel(key, (5,)))
record("prng/exponential", lambda: random.exponential(key, (5,)))
record("prng/laplace", lambda: random.laplace(key, (5,)))
record("prng/logistic", lambda: random.logistic(key, (5,)))
record("prng/gamma", lambda: random.gamma(key, 2.5, (5,)))
record("prng/beta", lambda: random.beta(key, 2.0, 3.0, (5,)))
record("prng/dirichlet", lambda: random.dirichlet(key, jnp.array([1.0, 2.0, 3.0]), (2,)))
record("prng/poisson", lambda: random.poisson(key, 3.5, (6,)))
record("prng/mvn", lambda: random.multivariate_normal(key, jnp.zeros(2), jnp.array([[2.0, 0.5], [0.5, 1.0]]), (3,)))
record("prng/vmap_normal", lambda: jax.vmap(lambda k: random.normal(k, (3,)))(random.split(key, 4)))
record("prng/choice_p", lambda: random.choice(key, 4, (12,), p=jnp.array([0.1, 0.0, 0.6, 0.3])))
record("prng/poisson_15", lambda: random.poisson(key, 15.0, (6,)))
record("prng/bits_u8_9", lambda: random.bits(key, (9,), jnp.uint8))
record("prng/bits_u16_5", lambda: random.bits(key, (5,), jnp.uint16))
record("prng/uniform_bf16_6", lambda: random.uniform(key, (6,), jnp.bfloat16))
record("prng/uniform_f16_6", lambda: random.uniform(key, (6,), jnp.float16))
record("prng/shuffle_perm_array", lambda: random.permutation(key, jnp.arange(8.0)))
record("linalg/cholesky", lambda: jnp.linalg.cholesky(jnp.array([[4.0, 2.0, 0.6], [2.0, 5.0, 1.5], [0.6, 1.5, 3.0]])))
record("tour/normal_key0_10", lambda: random.normal(random.PRNGKey(0), (10,)))

with open(sys.argv[1], "w") as f:
    json.dump(out, f, indent=1)
print("entries:", len(out["entries"]), "errors:", sum(1 for e in out["entries"] if "error" in e))
