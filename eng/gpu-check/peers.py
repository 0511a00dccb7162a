#!/usr/bin/env python3
"""The GPU check's workloads in JAX and PyTorch (eng/gpu-check.sh run), timed as the harness times ours.

    python3 eng/gpu-check/peers.py --peer jax|torch --out DIR [--quick] [--runs N]

Workloads (the same names and sizes as tests/Jax.GpuCheck; --quick: 1M elements, 512x512, 200 calls):
  selu            selu on float32[10M] (JAX: the same formula, jitted; PyTorch: torch.nn.functional.selu, one kernel)
  copy            -x on the same array (one read and one write: the copy bandwidth)
  matmul_f32      float32 4096x4096 @ 4096x4096 in true float32 (JAX: precision HIGHEST; PyTorch: TF32 off)
  matmul_f16      the same in float16 (tensor cores; ours: the cooperative-matrix kernel where the device has one)
  dispatch_async  1000 chained calls of x + 1 on float32[256], one wait at the end: time per call
  dispatch_sync   1000 calls of x + 1 on float32[256], a wait after each: time per call
Timing: two warm-up calls, then the median of up to N timed runs (fewer when a run is long), each run ending with the
device's work complete (block_until_ready / torch.cuda.synchronize). Writes DIR/<peer>.tsv (name, ms, metric, unit,
detail); when the peer cannot run (import fails, no GPU) writes DIR/<peer>.note instead and exits 0.
"""
import argparse
import os
import statistics
import sys
import time

ALPHA, SCALE = 1.67326324, 1.05070098


def median_ms(action, runs, budget_ms, warmups=2):
    for _ in range(warmups):
        action()
    start = time.perf_counter()
    action()
    one = (time.perf_counter() - start) * 1e3
    n = max(3, min(runs, int(budget_ms / max(one, 1e-3))))
    times = []
    for _ in range(n):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), n


def values(shape, seed):
    """Deterministic values in [-1, 1) (NumPy), like the harness's (not the same numbers: timing only)."""
    import numpy as np
    return np.random.default_rng(seed).uniform(-1, 1, size=shape).astype(np.float32)


def run_jax(sizes, runs, budget, emit):
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    if os.environ.get("JAX_PLATFORMS", "") not in ("", "cuda", "gpu"):
        del os.environ["JAX_PLATFORMS"]  # JAX_PLATFORMS=vulkan is ours, not JAX's
    import jax
    import jax.numpy as jnp
    device = jax.devices()[0]
    if device.platform != "gpu":
        return f"JAX found no GPU (default device {device}); skipped"
    n, size, calls = sizes
    x = jax.device_put(values([n], 1) * 5, device)
    selu = jax.jit(lambda a: SCALE * jnp.where(a > 0, a, ALPHA * jnp.exp(a) - ALPHA))
    copy = jax.jit(lambda a: -a)
    nbytes = 2.0 * 4 * n
    ms, k = median_ms(lambda: selu(x).block_until_ready(), runs, budget)
    emit("selu", ms, nbytes / ms / 1e6, "GB/s", f"float32[{n}], {k} runs")
    ms, k = median_ms(lambda: copy(x).block_until_ready(), runs, budget)
    emit("copy", ms, nbytes / ms / 1e6, "GB/s", f"-x on float32[{n}], {k} runs")
    flops = 2.0 * size ** 3
    a, b = jax.device_put(values([size, size], 2), device), jax.device_put(values([size, size], 3), device)
    matmul = jax.jit(lambda p, q: jnp.matmul(p, q, precision=jax.lax.Precision.HIGHEST))
    ms, k = median_ms(lambda: matmul(a, b).block_until_ready(), runs, budget)
    emit("matmul_f32", ms, flops / ms / 1e6, "GFLOP/s", f"float32 {size}^3, precision HIGHEST, {k} runs")
    a16, b16 = a.astype(jnp.float16), b.astype(jnp.float16)
    matmul16 = jax.jit(lambda p, q: jnp.matmul(p, q))
    ms, k = median_ms(lambda: matmul16(a16, b16).block_until_ready(), runs, budget)
    emit("matmul_f16", ms, flops / ms / 1e6, "GFLOP/s", f"float16 {size}^3, {k} runs")
    small = jax.device_put(values([256], 4), device)
    add = jax.jit(lambda v: v + 1)

    def chained():
        y = small
        for _ in range(calls):
            y = add(y)
        y.block_until_ready()

    def waited():
        for _ in range(calls):
            add(small).block_until_ready()

    ms, k = median_ms(chained, max(3, runs // 4), budget)
    emit("dispatch_async", ms / calls, ms / calls * 1e3, "us/call", f"{calls} chained calls, {k} runs")
    ms, k = median_ms(waited, max(3, runs // 4), budget)
    emit("dispatch_sync", ms / calls, ms / calls * 1e3, "us/call", f"{calls} calls, a wait after each, {k} runs")
    return None


def run_torch(sizes, runs, budget, emit):
    import torch
    if not torch.cuda.is_available():
        return "PyTorch sees no CUDA device; skipped"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    dev = torch.device("cuda")
    sync = torch.cuda.synchronize
    n, size, calls = sizes
    x = torch.from_numpy(values([n], 1) * 5).to(dev)
    nbytes = 2.0 * 4 * n

    def timed(f):
        def action():
            f()
            sync()
        return action

    ms, k = median_ms(timed(lambda: torch.nn.functional.selu(x)), runs, budget)
    emit("selu", ms, nbytes / ms / 1e6, "GB/s", f"float32[{n}], F.selu, {k} runs")
    ms, k = median_ms(timed(lambda: torch.neg(x)), runs, budget)
    emit("copy", ms, nbytes / ms / 1e6, "GB/s", f"-x on float32[{n}], {k} runs")
    flops = 2.0 * size ** 3
    a = torch.from_numpy(values([size, size], 2)).to(dev)
    b = torch.from_numpy(values([size, size], 3)).to(dev)
    ms, k = median_ms(timed(lambda: torch.matmul(a, b)), runs, budget)
    emit("matmul_f32", ms, flops / ms / 1e6, "GFLOP/s", f"float32 {size}^3, TF32 off, {k} runs")
    a16, b16 = a.half(), b.half()
    ms, k = median_ms(timed(lambda: torch.matmul(a16, b16)), runs, budget)
    emit("matmul_f16", ms, flops / ms / 1e6, "GFLOP/s", f"float16 {size}^3, {k} runs")
    small = torch.from_numpy(values([256], 4)).to(dev)

    def chained():
        y = small
        for _ in range(calls):
            y = y + 1
        sync()

    def waited():
        for _ in range(calls):
            _ = small + 1
            sync()

    ms, k = median_ms(chained, max(3, runs // 4), budget)
    emit("dispatch_async", ms / calls, ms / calls * 1e3, "us/call", f"{calls} chained calls (eager), {k} runs")
    ms, k = median_ms(waited, max(3, runs // 4), budget)
    emit("dispatch_sync", ms / calls, ms / calls * 1e3, "us/call", f"{calls} calls, a sync after each, {k} runs")
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", choices=["jax", "torch"], required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    sizes = (1_000_000, 512, 200) if args.quick else (10_000_000, 4096, 1000)
    budget = 3000 if args.quick else 6000
    lines = ["name\tms\tmetric\tunit\tdetail"]

    def emit(name, ms, metric, unit, detail):
        print(f"RESULT {args.peer} {name} {ms:.6g}  ({metric:.4g} {unit}; {detail})", flush=True)
        lines.append(f"{name}\t{ms:.6g}\t{metric:.6g}\t{unit}\t{detail}")

    note_path = os.path.join(args.out, f"{args.peer}.note")
    try:
        note = (run_jax if args.peer == "jax" else run_torch)(sizes, args.runs, budget, emit)
    except ImportError as e:
        note = f"{args.peer} is not installed here ({e}); skipped"
    except Exception as e:  # a peer failing must not hide ours: keep what it measured, say why it stopped
        note = f"{args.peer} failed: {type(e).__name__}: {e}"
    if len(lines) > 1:
        with open(os.path.join(args.out, f"{args.peer}.tsv"), "w") as f:
            f.write("\n".join(lines) + "\n")
    if note:
        print(f"note: {note}", flush=True)
        with open(note_path, "w") as f:
            f.write(note + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
