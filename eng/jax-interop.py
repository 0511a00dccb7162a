#!/usr/bin/env python3
"""StableHLO interop between JAX and Jax.Toolchain. Needs a machine with JAX (``pip install jax``); not run in CI.

Two commands:

  python3 eng/jax-interop.py lower [--out tests/Fixtures/jax-export]
      Lowers a corpus of JAX functions with ``jax.jit(f).lower(*args).as_text()`` and writes, per function NAME,
      ``NAME.mlir`` (the StableHLO module JAX prints), ``NAME.inputs.npz`` (arg0, arg1, ... in order) and
      ``NAME.outputs.npz`` (out0, out1, ... as JAX computes them). The corpus: the tour's selu, sum of logistic,
      its gradient and its vmap, a small MLP forward pass and the gradient of its loss, a ``lax.scan`` cumulative sum,
      ``jax.random.normal`` with a key, a small CNN (grouped strided dilated convolution, max and average pooling) and
      the gradient of its loss (``select_and_scatter``), ``x.at[]`` updates (scatter regions), linear algebra
      (``cholesky``, ``solve``, ``det``, ``eigvalsh``, the LU of a 4x3 matrix: LAPACK custom calls on CPU), the
      forward-mode derivative of max pooling (a variadic ``reduce_window``), chlo functions and ``top_k``, and
      ``jax.random.bits`` with the ``rbg`` PRNG (``rng_bit_generator``). These are the fixtures of
      ``JaxFixtureTests`` (tests/Jax.Runtime.Tests/StableHlo), which run them when the folder exists.

  python3 eng/jax-interop.py run FOLDER [--rtol 1e-5] [--atol 1e-6]
      For each ``NAME.mlir`` in FOLDER (our exports: ``Jax.Export(f, x)`` or ``jaxc --emit stablehlo``) with
      ``NAME.inputs.npz`` beside it, compiles the module with JAX's XLA client (the backend's ``compile_and_load``
      of the parsed MLIR module; older jaxlibs: ``compile`` of the text), runs it on the inputs and, where
      ``NAME.outputs.npz`` exists (what our runtime computed), compares the results. Prints a table
      (name, status, max abs error, max rel error) and exits 1 when a module fails to compile or differs.

The inputs are positional: ``arg0`` is ``%arg0`` of ``@main``. Arrays keep their dtypes (our modules have no weak
types: a Python float scalar input is float32).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def corpus():
    """(name, function, args) of the functions the ``lower`` command writes."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    def selu(x, alpha=1.67, lmbda=1.05):
        return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)

    def sum_logistic(x):
        return jnp.sum(1.0 / (1.0 + jnp.exp(-x)))

    def mlp(params, x):
        w1, b1, w2, b2 = params
        h = jnp.tanh(x @ w1 + b1)
        return h @ w2 + b2

    def mlp_loss(params, x, y):
        return jnp.mean((mlp(params, x) - y) ** 2)

    def cumulative_sum(xs):
        def step(carry, x):
            carry = carry + x
            return carry, carry

        return lax.scan(step, jnp.float32(0), xs)[1]

    def normal(key):
        return jax.random.normal(key, (3,))

    def cnn(w, x):
        # NHWC convolution (grouped, strided, dilated, SAME), relu, 2x2 max pooling, 3x3 average pooling.
        y = lax.conv_general_dilated(x, w, (2, 1), "SAME", rhs_dilation=(1, 2),
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"), feature_group_count=2)
        y = jnp.maximum(y, 0.0)
        y = lax.reduce_window(y, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        return lax.reduce_window(y, 0.0, lax.add, (1, 3, 3, 1), (1, 1, 1, 1), "SAME") / 9.0

    def cnn_loss(w, x):
        return jnp.sum(cnn(w, x) ** 2)

    def index_updates(x, v):
        idx = jnp.array([1, 3, 1, 9])
        return x.at[idx].add(v), x.at[idx].min(v), x.at[idx].multiply(v), x.at[1:3].set(7.0)

    def linalg(a, b):
        spd = a @ a.T + 4.0 * jnp.eye(a.shape[0], dtype=a.dtype)
        return jnp.linalg.cholesky(spd), jnp.linalg.solve(spd, b), jnp.linalg.det(a), jnp.linalg.eigvalsh(spd)

    def maxpool_jvp(x, t):
        # The forward-mode derivative of max pooling: select_and_gather_add (a variadic reduce_window on CPU).
        pool = lambda v: lax.reduce_window(v, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        return jax.jvp(pool, (x,), (t,))[1]

    def special_functions(x):
        # chlo ops with no primitive of ours: asin, sinh, atanh, bessel_i1e; and top_k.
        return jnp.arcsin(x / 3), jnp.sinh(x), jnp.arctanh(x / 3), jax.scipy.special.i1e(x), lax.top_k(x, 2)

    rng = np.random.default_rng(0)
    x3 = np.array([-1.5, 0.25, 2.0], np.float32)
    x_batch = rng.standard_normal((4, 3)).astype(np.float32)
    w1 = rng.standard_normal((3, 8)).astype(np.float32) * 0.5
    b1 = np.zeros(8, np.float32)
    w2 = rng.standard_normal((8, 2)).astype(np.float32) * 0.5
    b2 = np.zeros(2, np.float32)
    y = rng.standard_normal((4, 2)).astype(np.float32)
    key = np.asarray(jax.random.key_data(jax.random.PRNGKey(0)))
    image = rng.standard_normal((2, 9, 8, 4)).astype(np.float32)
    kernel = rng.standard_normal((3, 2, 2, 6)).astype(np.float32) * 0.3
    square = rng.standard_normal((4, 4)).astype(np.float32)
    rhs = rng.standard_normal((4, 2)).astype(np.float32)
    tall = rng.standard_normal((4, 3)).astype(np.float32)
    tangent = rng.standard_normal((2, 9, 8, 4)).astype(np.float32)
    rbg_key = np.asarray(jax.random.key_data(jax.random.key(0, impl="rbg")))

    return [
        ("selu", selu, (x3,)),
        ("sum_logistic", sum_logistic, (x3,)),
        ("grad_sum_logistic", jax.grad(sum_logistic), (x3,)),
        ("vmap_selu_sum", jax.vmap(lambda row: jnp.sum(selu(row))), (x_batch,)),
        ("mlp_forward", lambda w1, b1, w2, b2, x: mlp((w1, b1, w2, b2), x), (w1, b1, w2, b2, x_batch)),
        ("mlp_loss_grad", lambda w1, b1, w2, b2, x, y: jax.grad(mlp_loss)((w1, b1, w2, b2), x, y),
         (w1, b1, w2, b2, x_batch, y)),
        ("scan_cumsum", cumulative_sum, (np.arange(1, 6, dtype=np.float32),)),
        ("random_normal", lambda k: normal(jax.random.wrap_key_data(k)), (key,)),
        ("cnn_forward", cnn, (kernel, image)),
        ("cnn_loss_grad", jax.grad(cnn_loss), (kernel, image)),
        ("index_updates", index_updates, (np.arange(1, 7, dtype=np.float32), np.array([10, 20, 30, 40], np.float32))),
        ("linalg", linalg, (square, rhs)),
        ("maxpool_jvp", maxpool_jvp, (image, tangent)),
        ("special_functions", special_functions, (x3,)),
        ("lu_rectangular", jax.scipy.linalg.lu, (tall,)),
        ("rbg_bits", lambda k: jax.random.bits(jax.random.wrap_key_data(k, impl="rbg"), (3, 2)), (rbg_key,)),
    ]


def flat_outputs(out):
    import jax

    return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(out)]


def lower(out_dir: Path) -> int:
    import jax

    out_dir.mkdir(parents=True, exist_ok=True)
    for name, f, args in corpus():
        jitted = jax.jit(f)
        text = jitted.lower(*args).as_text()
        (out_dir / f"{name}.mlir").write_text(text)
        np.savez(out_dir / f"{name}.inputs.npz", **{f"arg{i}": np.asarray(a) for i, a in enumerate(args)})
        outs = flat_outputs(jitted(*args))
        np.savez(out_dir / f"{name}.outputs.npz", **{f"out{i}": o for i, o in enumerate(outs)})
        print(f"wrote {name}.mlir ({len(text)} chars), {len(args)} inputs, {len(outs)} outputs")
    return 0


def compile_text(text: str):
    """Compiles StableHLO text with the default backend's XLA client; returns (executable, device)."""
    import jax

    try:
        from jax.extend.backend import get_backend
    except ImportError:  # older JAX
        from jax.lib.xla_bridge import get_backend
    backend = get_backend()
    device = backend.local_devices()[0]
    if hasattr(backend, "compile_and_load"):
        from jax._src.interpreters import mlir as jax_mlir
        from jax._src.lib import xla_client as xc
        from jax._src.lib.mlir import ir

        with jax_mlir.make_ir_context(), ir.Location.unknown():
            module = ir.Module.parse(text)
            executable = backend.compile_and_load(module, xc.DeviceList((device,)), xc.CompileOptions())
    else:
        executable = backend.compile(text)
    del jax
    return executable, device


def execute(executable, device, inputs):
    import jax

    args = [jax.device_put(a, device) for a in inputs]
    if hasattr(executable, "execute_sharded"):
        results = executable.execute_sharded(args)
        outs = results.disassemble_into_single_device_arrays()
        return [np.asarray(o[0]) for o in outs]
    return [np.asarray(o) for o in executable.execute(args)]


def run(folder: Path, rtol: float, atol: float) -> int:
    rows = []
    failed = False
    for path in sorted(folder.glob("*.mlir")):
        name = path.name[: -len(".mlir")]
        if name.endswith(".stablehlo"):
            name = name[: -len(".stablehlo")]
        inputs_path = folder / f"{name}.inputs.npz"
        if not inputs_path.exists():
            rows.append((name, "no inputs", "", ""))
            continue
        with np.load(inputs_path) as z:
            inputs = [z[f"arg{i}"] for i in range(len(z.files))]
        try:
            executable, device = compile_text(path.read_text())
            outs = execute(executable, device, inputs)
        except Exception as e:  # report every module, then fail
            rows.append((name, f"FAILED: {type(e).__name__}: {str(e).splitlines()[0][:80]}", "", ""))
            failed = True
            continue
        expected_path = folder / f"{name}.outputs.npz"
        if not expected_path.exists():
            rows.append((name, f"ran ({len(outs)} outputs, nothing to compare)", "", ""))
            continue
        with np.load(expected_path) as z:
            expected = [z[f"out{i}"] for i in range(len(z.files))]
        if len(expected) != len(outs):
            rows.append((name, f"DIFFERS: {len(outs)} outputs, expected {len(expected)}", "", ""))
            failed = True
            continue
        abs_err = rel_err = 0.0
        ok = True
        for got, want in zip(outs, expected):
            if got.shape != want.shape or got.dtype != want.dtype:
                ok = False
                continue
            g = got.astype(np.float64)
            w = want.astype(np.float64)
            same_nan = np.isnan(g) == np.isnan(w)
            diff = np.where(np.isnan(g) & np.isnan(w), 0.0, np.abs(g - w))
            abs_err = max(abs_err, float(np.max(diff, initial=0.0)))
            rel_err = max(rel_err, float(np.max(diff / np.maximum(np.abs(w), 1e-30), initial=0.0)))
            ok = ok and bool(np.all(same_nan)) and bool(np.all(diff <= atol + rtol * np.abs(w)))
        rows.append((name, "ok" if ok else "DIFFERS", f"{abs_err:.3g}", f"{rel_err:.3g}"))
        failed = failed or not ok

    header = ("module", "status", "max abs err", "max rel err")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    for r in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_lower = sub.add_parser("lower", help="write JAX's StableHLO of the corpus, with inputs and outputs")
    p_lower.add_argument("--out", type=Path, default=Path("tests/Fixtures/jax-export"))
    p_run = sub.add_parser("run", help="compile our exported modules with XLA and compare")
    p_run.add_argument("folder", type=Path)
    p_run.add_argument("--rtol", type=float, default=1e-5)
    p_run.add_argument("--atol", type=float, default=1e-6)
    args = parser.parse_args(argv)
    if args.command == "lower":
        return lower(args.out)
    return run(args.folder, args.rtol, args.atol)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
