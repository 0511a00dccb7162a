#!/usr/bin/env bash
# Benchmarks Jax.Toolchain against TorchSharp (libtorch CPU, 2 threads), both measured in one process by
# BenchmarkDotNet's in-process toolchain (tests/Jax.Benchmarks).
#
#   eng/bench.sh            BenchmarkDotNet's default accuracy (several minutes)
#   eng/bench.sh --quick    two warm-up and 15 measured calls per benchmark (under 3 minutes on the 2-core VM)
#
#   1. eng/prereqs.sh (Debian packages)
#   2. dotnet build tests/Jax.Benchmarks -c Release (warnings are errors)
#   3. checks once that ours and TorchSharp compute the same selu and the same MLP loss and gradients
#      (fails loudly, timing nothing, if they differ), then runs the benchmarks
#   4. ends with the table "name ours peer ratio": medians, ratio = peer / ours (above 1: we are faster),
#      "-" where there is no peer; also written to artifacts/bench/results.txt (BenchmarkDotNet's logs
#      and reports go to artifacts/bench/ too)
#
# Runs from any directory; safe to run again.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

project=tests/Jax.Benchmarks/Jax.Benchmarks.csproj
artifacts_dir="$repo_root/artifacts/bench"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No MSBuild worker nodes or build server outlive this script (see shared design, principle 9).
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

for argument in "$@"; do
  case "$argument" in
    --quick) ;;
    *) echo "usage: eng/bench.sh [--quick]" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s  [%ds]\n' "$*" "$SECONDS"; }

step "prerequisites"
bash eng/prereqs.sh

step "build (Release)"
if ! dotnet build "$project" -c Release -warnaserror -nologo --verbosity quiet; then
  echo "eng/bench.sh: build failed" >&2
  exit 1
fi

step "benchmarks${1:+ ($1)}"
exec dotnet run --project "$project" -c Release --no-build -- "$@" --artifacts "$artifacts_dir"
