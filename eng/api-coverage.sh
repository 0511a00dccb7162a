#!/usr/bin/env bash
# Prints the API coverage record: per JAX module (jax.numpy, jax.numpy.linalg, jax.nn, jax.nn.initializers,
# jax.scipy.special, jax.random) "N of M covered, K left out (T JAX names)" and the names still missing.
# The lists live in tests/Jax.Runtime.Tests/Api/Coverage/*.txt; the check is ApiCoverageTests.Coverage_report.
#
#   eng/api-coverage.sh            builds the runtime test project (Release), then reports
#   eng/api-coverage.sh --no-build reports from the last build
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

project=tests/Jax.Runtime.Tests
if [[ "${1:-}" != "--no-build" ]]; then
  dotnet build "$project" -c Release -warnaserror --nologo -v q
fi
dotnet test "$project" -c Release --no-build --nologo \
  --filter "FullyQualifiedName~ApiCoverageTests.Coverage_report" \
  --logger "console;verbosity=detailed" |
  sed -n 's/^ \{1,2\}\(jax\.[a-z.]*: .*\|  missing: .*\)$/\1/p'
