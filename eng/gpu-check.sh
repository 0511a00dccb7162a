#!/usr/bin/env bash
# The GPU check: our Vulkan backend on a real GPU, checked against the CPU and timed beside JAX and PyTorch (CUDA).
#
#   eng/gpu-check.sh build          on the development machine (has the .NET SDK): publishes tests/Jax.GpuCheck
#                                   self-contained and trimmed for linux-x64, adds Debian's Vulkan loader (libvulkan1)
#                                   and libGLdispatch (libglvnd0, which NVIDIA's Vulkan driver links against), and puts
#                                   them in artifacts/gpu-check/ (git-ignored, about 27 MB; its size is printed)
#   eng/gpu-check.sh run [--quick]  on the GPU machine (no SDK needed), from the repository root, with that folder carried:
#                                   lists the Vulkan devices and ICDs, runs the harness (JAX_PLATFORMS=vulkan; correctness
#                                   vs the CPU, then the benchmarks), runs eng/gpu-check/peers.py for JAX and PyTorch,
#                                   and prints one table with the issue's targets as met / not met (a few minutes; the
#                                   harness is limited to 240 s, each peer to 100 s: under 8 in all). --quick (or
#                                   GPU_CHECK_QUICK=1): small sizes, for lavapipe.
#
# The device tool's call, after `eng/gpu-check.sh build` here (the folder is ignored, so it must be carried):
#   run  command: bash eng/gpu-check.sh run
#        carry:   ["artifacts/gpu-check"]
#        timeout_s: 540
# Results land in artifacts/gpu-check/out/ and, when $OUT is set (the device tool), in $OUT too (table.txt, the TSVs, the
# harness's log), so they come back.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
pack="$repo_root/artifacts/gpu-check"
step() { printf '\n== %s  [%ds]\n' "$*" "$SECONDS"; }

build() {
  set -e
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
  rm -rf "$pack"
  mkdir -p "$pack/lib/vulkan" "$pack/lib/glvnd"
  step "publish tests/Jax.GpuCheck (self-contained, trimmed, linux-x64)"
  dotnet publish tests/Jax.GpuCheck/Jax.GpuCheck.csproj -c Release -r linux-x64 --self-contained \
    -p:PublishTrimmed=true -warnaserror -nologo --verbosity quiet -o "$pack/app"
  rm -f "$pack"/app/*.xml "$pack/app/createdump"
  step "Vulkan loader and libGLdispatch (Debian packages, unpacked, not installed)"
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && apt-get download libvulkan1 libglvnd0 >/dev/null 2>&1 || apt-get download libvulkan1 libglvnd0)
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$tmp/root"; done
  cp -L "$tmp"/root/usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$pack/lib/vulkan/"
  cp -L "$tmp"/root/usr/lib/x86_64-linux-gnu/libGLdispatch.so.0 "$pack/lib/glvnd/"
  ls "$tmp"/*.deb | xargs -n1 basename > "$pack/lib/packages.txt"
  rm -rf "$tmp"
  git rev-parse HEAD > "$pack/commit.txt" 2>/dev/null || true
  if git check-ignore -q "$pack"; then echo "artifacts/gpu-check is git-ignored"; else echo "eng/gpu-check.sh: $pack is NOT git-ignored" >&2; exit 1; fi
  step "done"
  du -sh "$pack" | sed 's|\t.*| artifacts/gpu-check (the device tool carries at most 64 MiB with the working tree)|'
  echo "device tool: run command 'bash eng/gpu-check.sh run', carry [\"artifacts/gpu-check\"], timeout_s 540"
}

# True when the dynamic linker finds the library without our help.
system_has() { ldconfig -p 2>/dev/null | grep -q "$1"; }

run() {
  local quick=()
  [[ "${1:-}" == "--quick" || "${GPU_CHECK_QUICK:-}" == "1" ]] && quick=(--quick)
  local results="$pack/out"
  local harness="$pack/app/Jax.GpuCheck"
  if [[ ! -x "$harness" ]]; then
    echo "eng/gpu-check.sh: $harness is missing: run 'eng/gpu-check.sh build' on the development machine and carry artifacts/gpu-check" >&2
    exit 1
  fi
  rm -rf "$results"
  mkdir -p "$results"

  step "machine"
  uname -srm
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 | sed 's/^/  /'

  step "Vulkan loader and driver (ICD)"
  local extra="" original_path="${LD_LIBRARY_PATH-}"
  if system_has 'libvulkan.so.1'; then echo "  loader: the system's ($(ldconfig -p | grep -m1 'libvulkan.so.1' | sed 's/.*=> //'))"
  else extra="$pack/lib/vulkan"; echo "  loader: none on the system; using the carried one ($(cat "$pack/lib/packages.txt" 2>/dev/null | tr '\n' ' '))"; fi
  if ! system_has 'libGLdispatch.so.0'; then extra="${extra:+$extra:}$pack/lib/glvnd"; echo "  libGLdispatch.so.0: none on the system; using the carried one"; fi
  # NVIDIA's libraries (libcuda, libGLX_nvidia) where containers mount them, when the linker's cache lacks them.
  if [[ -d /usr/local/nvidia/lib64 ]] && ! system_has 'libGLX_nvidia.so.0' && [[ ":${LD_LIBRARY_PATH-}:" != *":/usr/local/nvidia/lib64:"* ]]; then
    extra="${extra:+$extra:}/usr/local/nvidia/lib64"
    echo "  /usr/local/nvidia/lib64 added to the library path (NVIDIA's driver libraries are not in the linker's cache)"
  fi
  [[ -n "$extra" ]] && export LD_LIBRARY_PATH="$extra${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  local icds=() dir f
  for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d; do
    for f in "$dir"/*.json; do [[ -f "$f" ]] && icds+=("$f"); done
  done
  if ((${#icds[@]} == 0)); then
    echo "  NO Vulkan ICD json found (looked in /usr/share/vulkan/icd.d, /etc/vulkan/icd.d, /usr/local/share/vulkan/icd.d, /usr/local/nvidia/share/vulkan/icd.d): the loader will find no driver"
  fi
  local nvidia=""
  for f in "${icds[@]}"; do
    local library
    library="$(sed -n 's/.*"library_path"[^"]*"\([^"]*\)".*/\1/p' "$f" | head -1)"
    echo "  ICD: $f -> ${library:-?}"
    [[ "$f" == *nvidia* ]] && nvidia="$f"
    # Missing dependencies of the driver library (NVIDIA's links libGLdispatch.so.0), as ldd sees them with our path.
    local resolved="$library"
    if [[ "$library" != /* ]]; then
      resolved="$(ldconfig -p | grep -m1 " $library " | sed 's/.*=> //')"
      local d
      for d in ${LD_LIBRARY_PATH//:/ }; do [[ -z "$resolved" && -f "$d/$library" ]] && resolved="$d/$library"; done
    fi
    if [[ -n "$resolved" && -f "$resolved" ]]; then
      ldd "$resolved" 2>/dev/null | grep 'not found' | sed 's/^\s*/    missing: /'
    elif [[ -n "$library" ]]; then
      echo "    its library ($library) is not on this machine"
    fi
  done
  if [[ -n "$nvidia" && "$nvidia" == /usr/local/nvidia/* && -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]]; then
    export VK_DRIVER_FILES="$nvidia" VK_ICD_FILENAMES="$nvidia"
    echo "  NVIDIA's ICD is outside the loader's search path: VK_DRIVER_FILES=$nvidia"
  elif [[ -z "$nvidia" ]]; then
    echo "  no NVIDIA ICD json found (fine on lavapipe; on the GPU machine Vulkan will not see the GPU)"
  fi

  step "ours: tests/Jax.GpuCheck on Vulkan (JAX_PLATFORMS=vulkan)"
  JAX_PLATFORMS=vulkan DOTNET_gcServer=0 timeout -k 10 240 "$harness" "${quick[@]}" --out "$results" 2>&1 | tee "$results/harness.log"
  local status=${PIPESTATUS[0]}
  case "$status" in
    0) ;;
    1) echo "eng/gpu-check.sh: some correctness checks FAILED (see above)" ;;
    124 | 137) echo "eng/gpu-check.sh: the harness ran past its 240 s limit (the table has what it measured before)" ;;
    *) echo "eng/gpu-check.sh: the harness exited with $status" ;;
  esac

  for peer in jax torch; do
    step "peer: $peer (eng/gpu-check/peers.py)"
    if command -v python3 >/dev/null; then
      # The peers see the machine's own library path and no JAX_PLATFORMS=vulkan (ours, not JAX's).
      env -u JAX_PLATFORMS LD_LIBRARY_PATH="$original_path" PYTHONUNBUFFERED=1 timeout -k 10 100 python3 eng/gpu-check/peers.py --peer "$peer" --out "$results" "${quick[@]}" \
        || echo "note: $peer stopped (exit $?)" | tee "$results/$peer.note"
    else
      echo "note: no python3; $peer skipped" | tee "$results/$peer.note"
    fi
  done

  step "table"
  if command -v python3 >/dev/null; then python3 eng/gpu-check/report.py "$results"; else cat "$results/ours.tsv"; fi
  if [[ -n "${OUT:-}" && -d "${OUT:-}" ]]; then
    cp "$results"/*.tsv "$results"/table.txt "$results"/harness.log "$OUT"/ 2>/dev/null
    cp "$results"/*.note "$OUT"/ 2>/dev/null
    echo "(copied to \$OUT)"
  fi
  return "$status"
}

case "${1:-}" in
  build) build ;;
  run) shift; run "$@" ;;
  *) echo "usage: eng/gpu-check.sh build | run [--quick]" >&2; exit 2 ;;
esac
