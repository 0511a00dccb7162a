#!/usr/bin/env python3
"""The GPU check's table (eng/gpu-check.sh run): ours (Vulkan) beside JAX and PyTorch, and the issue's targets.

    python3 eng/gpu-check/report.py DIR

Reads DIR/ours.tsv, DIR/checks.tsv and DIR/device.txt (tests/Jax.GpuCheck), DIR/jax.tsv and DIR/torch.tsv
(eng/gpu-check/peers.py, or DIR/<peer>.note when a peer was skipped); prints one table and writes it to DIR/table.txt.
Ratios are peer / ours (times): above 1 means we are faster.
"""
import os
import sys

WORKLOADS = ["selu", "copy", "matmul_f32", "matmul_f16", "dispatch_async", "dispatch_sync"]


def read_tsv(path):
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            next(f, None)
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 4:
                    rows[parts[0]] = (float(parts[1]), float(parts[2]), parts[3])
    return rows


def read_text(path):
    return open(path).read().strip() if os.path.exists(path) else ""


def number(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.3g}"


def cell(row):
    if row is None:
        return "-"
    ms, metric, unit = row
    if unit == "us/call":
        return f"{metric:.2f} us"
    return f"{number(ms)} ms ({number(metric)} {unit})"


def ratio(peer, ours):
    return number(peer[0] / ours[0]) if peer and ours else "-"


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "artifacts/gpu-check/out"
    ours, jax, torch = (read_tsv(os.path.join(folder, f"{n}.tsv")) for n in ("ours", "jax", "torch"))
    out = []
    out.append(f"device: {read_text(os.path.join(folder, 'device.txt')) or '?'}")
    checks_path = os.path.join(folder, "checks.tsv")
    if os.path.exists(checks_path):
        rows = [line.split("\t") for line in open(checks_path).read().splitlines()[1:] if line]
        failed = [r[0] for r in rows if r[1] != "PASS"]
        out.append(f"checks: {len(rows) - len(failed)}/{len(rows)} passed" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    for peer in ("jax", "torch"):
        note = read_text(os.path.join(folder, f"{peer}.note"))
        if note:
            out.append(f"note: {note}")
    header = ["workload", "ours (Vulkan)", "JAX", "PyTorch", "JAX/ours", "PyTorch/ours"]
    table = [header]
    for name in WORKLOADS:
        if name in ours or name in jax or name in torch:
            o = ours.get(name)
            table.append([name, cell(o), cell(jax.get(name)), cell(torch.get(name)), ratio(jax.get(name), o), ratio(torch.get(name), o)])
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    out.append("")
    for k, row in enumerate(table):
        out.append(" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if k == 0:
            out.append("-+-".join("-" * w for w in widths))
    out.append("")
    out.append("targets (issue):")

    def target(text, value, met):
        out.append(f"  {'met    ' if met is True else 'NOT met' if met is False else 'n/a    '}  {text}: {value}")

    selu, copy = ours.get("selu"), ours.get("copy")
    share = copy[0] / selu[0] if selu and copy else None
    target("selu >= 70% of our copy bandwidth", f"{share:.0%}" if share is not None else "no measurement", share >= 0.7 if share is not None else None)
    j = jax.get("selu")
    target("selu <= 1.2x JAX's time", f"{selu[0] / j[0]:.2f}x" if selu and j else "no JAX measurement", selu[0] <= 1.2 * j[0] if selu and j else None)
    m, t = ours.get("matmul_f32"), torch.get("matmul_f32")
    target("4096^2 fp32 matmul >= 50% of PyTorch fp32 (TF32 off)", f"{t[0] / m[0]:.0%}" if m and t else "no PyTorch measurement",
           t[0] / m[0] >= 0.5 if m and t else None)
    h, th = ours.get("matmul_f16"), torch.get("matmul_f16")
    target("4096^2 fp16 matmul (cooperative matrix) >= 50% of PyTorch fp16", f"{th[0] / h[0]:.0%}" if h and th else "no measurement",
           th[0] / h[0] >= 0.5 if h and th else None)
    d = ours.get("dispatch_async")
    target("per-dispatch <= 20 us (chained calls)", f"{d[1]:.2f} us" if d else "no measurement", d[1] <= 20 if d else None)
    s = ours.get("dispatch_sync")
    if s:
        out.append(f"  (info)   per-dispatch with a wait after each call: {s[1]:.2f} us")
    text = "\n".join(out)
    print(text)
    with open(os.path.join(folder, "table.txt"), "w") as f:
        f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
