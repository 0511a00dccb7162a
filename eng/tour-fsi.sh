#!/usr/bin/env bash
# Runs the tour as an F# script (samples/tour.fsx) under dotnet fsi: packs Jax.Runtime, Jax.Runtime.Jit and Jax.FSharp
# into artifacts/feed (a local feed, version 0.1.0-local.<time> so that the script's "0.1.0-*" takes this build) and
# runs the script, which references them with #r "nuget: ...", from artifacts/fsi/ beside a nuget.config naming the feed
# (dotnet fsi reads the nuget.config of the script's folder; one in samples/ would break restores where the feed is
# absent). Installs the Debian prerequisites first (eng/prereqs.sh). For an interactive session with the same packages:
# cd artifacts/fsi && dotnet fsi, then #load "tour.fsx" or send its lines.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash eng/prereqs.sh
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
mkdir -p artifacts/feed
for project in nuget/Jax.Runtime/Jax.Runtime.Package.csproj nuget/Jax.Runtime.Jit/Jax.Runtime.Jit.Package.csproj \
               nuget/Jax.FSharp/Jax.FSharp.Package.csproj; do
  dotnet pack "$project" -c Release -o artifacts/feed -p:PackageVersion="$version" -nologo -v q -tl:off
done
mkdir -p artifacts/fsi
cp samples/tour.fsx artifacts/fsi/tour.fsx
cat > artifacts/fsi/nuget.config <<'CONFIG'
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="jax-local" value="../feed" />
  </packageSources>
</configuration>
CONFIG
exec dotnet fsi artifacts/fsi/tour.fsx "$@"
