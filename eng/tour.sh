#!/usr/bin/env bash
# Runs the tour (samples/Tour): Jax.Toolchain's API from eager Jnp to jit/grad/vmap, in C#.
# Installs the Debian prerequisites first (eng/prereqs.sh). Runs from any directory.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash eng/prereqs.sh
exec dotnet run --project samples/Tour -c Release "$@"
