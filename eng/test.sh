#!/usr/bin/env bash
# Builds Jax.Toolchain and runs every test project under tests/, as CI does (.ci/run).
#
#   1. eng/prereqs.sh (Debian packages); eng/spirv-tools-next.sh (a newer spirv-val for cooperative-matrix kernels)
#   2. dotnet restore + dotnet build Jax.Toolchain.sln -c Release (warnings are errors)
#   3. dotnet format --verify-no-changes (whitespace, style, analyzers)
#   4. dotnet test --no-build -c Release for each test project under tests/ (TRX in artifacts/test-results/)
#   5. eng/coopmat-check.sh: the cooperative-matrix kernels on Debian unstable's lavapipe (fetched into artifacts/)
#   6. a closing line "Tests: N passed, M failed, K skipped" summed over the projects
#
# Exits non-zero on a build error, a format difference, or any failed or aborted test run.
# Runs from any directory; safe to run again.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

solution=Jax.Toolchain.sln
results_dir="$repo_root/artifacts/test-results"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No MSBuild worker nodes or build server outlive this script (see shared design, principle 9).
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

step() { printf '\n== %s  [%ds]\n' "$*" "$SECONDS"; }

step "prerequisites"
bash eng/prereqs.sh
bash eng/spirv-tools-next.sh

step "restore"
dotnet restore "$solution" --verbosity quiet

step "build (Release)"
if ! dotnet build "$solution" -c Release --no-restore -warnaserror -nologo --verbosity quiet; then
  echo "eng/test.sh: build failed" >&2
  exit 1
fi

failures=()

step "format check"
# whitespace, code style and analyzers, as .editorconfig sets them (about 12 s here).
if ! dotnet format "$solution" --verify-no-changes --verbosity quiet; then
  echo "eng/test.sh: formatting differs; run: dotnet format $solution" >&2
  failures+=("dotnet format")
fi

# Test projects: every project under tests/ that MSBuild says is one (IsTestProject), so new ones are
# picked up without editing this script. Each must be in the solution, which is what was built.
test_projects=()
while IFS= read -r project; do
  if [ "$(dotnet msbuild "$project" -getProperty:IsTestProject 2>/dev/null | tr -d '[:space:]')" = "true" ]; then
    test_projects+=("$project")
  fi
done < <(find tests \( -name '*.csproj' -o -name '*.fsproj' \) -not -path '*/bin/*' -not -path '*/obj/*' | sort)

rm -rf "$results_dir"
mkdir -p "$results_dir"

passed=0 failed=0 skipped=0
# Reads one attribute of the <Counters .../> element of a TRX file (0 when absent).
counter() { grep -o "<Counters [^>]*" "$2" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]\+' || echo 0; }

for project in "${test_projects[@]}"; do
  name="$(basename "$project")"
  name="${name%.*proj}"
  if ! grep -qF "${project//\//\\}\"" "$solution"; then
    echo "eng/test.sh: $project is not in $solution (dotnet sln $solution add $project)" >&2
    failures+=("$name (not in the solution)")
    continue
  fi
  step "test $name"
  trx="$results_dir/$name.trx"
  status=0
  # A test that hangs is stopped after 10 minutes and named (blame), instead of holding CI until its deadline.
  dotnet test "$project" --no-build -c Release --nologo --verbosity minimal \
    --blame-hang-timeout 10m --blame-hang-dump-type none \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results_dir" || status=$?
  if [ -f "$trx" ]; then
    p=$(counter passed "$trx")
    f=$(($(counter failed "$trx") + $(counter error "$trx") + $(counter timeout "$trx") + $(counter aborted "$trx")))
    # Skipped tests are results with outcome NotExecuted (the Counters element has no skip count).
    s=$({ grep -o '<UnitTestResult [^>]*outcome="NotExecuted"' "$trx" || true; } | wc -l)
  else
    p=0 f=0 s=0
  fi
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    # The run failed without a failed test: the test host crashed or the run was aborted.
    echo "eng/test.sh: $name: dotnet test exited $status without a failed test (run aborted?); counted as 1 failure" >&2
    f=1
  fi
  if [ "$status" -ne 0 ]; then failures+=("$name"); fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

# The cooperative-matrix kernels on the one Vulkan implementation here that has them (Mesa 26's lavapipe from Debian
# unstable, fetched into artifacts/; the test projects' lavapipe is Debian 12's, without them). Not run when the fetch
# fails; a failure is a wrong number.
step "cooperative matrices on lavapipe (Debian unstable's Mesa)"
coopmat_status=0
bash eng/coopmat-check.sh | tee "$results_dir/coopmat.txt" || coopmat_status=$?
if [ "$coopmat_status" -ne 0 ]; then failures+=("coopmat-check"); fi

echo
if [ ${#test_projects[@]} -eq 0 ]; then
  echo "eng/test.sh: no test project found under tests/" >&2
  failures+=("no tests")
fi
if [ ${#failures[@]} -gt 0 ]; then
  echo "eng/test.sh: failed: ${failures[*]}" >&2
fi
echo "eng/test.sh: done in ${SECONDS}s"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
# StableHLO's interpreter suite (tests/Jax.StableHlo.Tests writes its total here).
if [ -f "$results_dir/stablehlo.txt" ]; then cat "$results_dir/stablehlo.txt"; fi
if [ -f "$results_dir/coopmat.txt" ]; then tail -1 "$results_dir/coopmat.txt"; fi
[ ${#failures[@]} -eq 0 ]
