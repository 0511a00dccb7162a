#!/usr/bin/env bash
# Builds and runs StableHLO's interpreter tests through our importer and interpreter (tests/Jax.StableHlo.Tests).
#
#   eng/stablehlo-tests.sh [DIR]
#
# DIR is the folder of StableHLO's interpret/*.mlir tests (default: $STABLEHLO_TESTS, else
# ../shared/stablehlo-interpret beside the repository). Prints the per-file report and the total line
# "stablehlo: P passed, F failed, S skipped" (also in artifacts/test-results/stablehlo.txt).
# Exits non-zero when the build or a test fails.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
if [ $# -ge 1 ]; then
  STABLEHLO_TESTS="$(cd "$1" && pwd)"
  export STABLEHLO_TESTS
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

project=tests/Jax.StableHlo.Tests
results_dir="$repo_root/artifacts/test-results"
mkdir -p "$results_dir"
rm -f "$results_dir/stablehlo.txt" "$results_dir/stablehlo-report.txt"

dotnet build "$project" -c Release --verbosity quiet
status=0
dotnet test "$project" --no-build -c Release --verbosity quiet --logger "console;verbosity=minimal" || status=$?

if [ -f "$results_dir/stablehlo-report.txt" ]; then
  cat "$results_dir/stablehlo-report.txt"
else
  echo "stablehlo: no report (the report test did not run)" >&2
  status=1
fi
exit "$status"
