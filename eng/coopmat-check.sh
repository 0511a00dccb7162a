#!/usr/bin/env bash
# Runs the cooperative-matrix kernels (issue 10) on a real Vulkan implementation that has VK_KHR_cooperative_matrix:
# Mesa's lavapipe from Debian unstable (Mesa 26 lists 8x8x8 float16 matrices with subgroups of 8; Debian 12's Mesa 22,
# which the other Vulkan tests use, has none).
#
#   1. fetches mesa-vulkan-drivers and libvulkan1 from Debian unstable with their whole dependency closure (glibc
#      included) through apt with a private sources list, state and empty dpkg status, verified by the machine's Debian
#      archive keyring, into artifacts/lavapipe-next/root (nothing is installed system-wide; cached);
#   2. makes a copy of the dotnet host whose ELF interpreter is unstable's loader (patchelf), so a .NET process runs on
#      unstable's C library and can load that lavapipe;
#   3. builds eng/coopmat-check (the Backends tests' cooperative-matrix test as a program) and runs it with
#      VK_ICD_FILENAMES naming unstable's lavapipe.
#
# Needs the Release build of tests/Jax.Backends.Tests (eng/test.sh runs this after building). Exits 1 only when the
# kernels run and give wrong numbers; a fetch that fails (offline, unstable mid-transition) or a driver without our
# shapes is reported and exits 0.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/artifacts/lavapipe-next"
sysroot="$cache/root"
lib="$sysroot/usr/lib/x86_64-linux-gnu"

not_run() {
  echo "coopmat-check: not run: $*"
  exit 0
}

if [ ! -f "$cache/.complete" ]; then
  command -v patchelf >/dev/null || not_run "patchelf is missing (eng/prereqs.sh installs it)"
  rm -rf "$cache"
  work="$cache/apt"
  mkdir -p "$work/lists/partial" "$work/cache" "$work/archives/partial" "$sysroot"
  : > "$work/status"
  echo "deb http://deb.debian.org/debian sid main" > "$work/sources.list"
  apt_options=(-q -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache" -o "Dir::Cache::archives=$work/archives" -o "Dir::State::status=$work/status"
    -o Debug::NoLocking=1 -o Acquire::Retries=3 -o APT::Sandbox::User=root -o APT::Architecture=amd64 -o APT::Architectures::=amd64)
  apt-get "${apt_options[@]}" update >"$work/update.log" 2>&1 || not_run "could not read Debian unstable's package lists (offline?)"
  apt-get "${apt_options[@]}" install -d -y --no-install-recommends mesa-vulkan-drivers libvulkan1 >"$work/download.log" 2>&1 \
    || not_run "could not download Debian unstable's lavapipe: $(tail -2 "$work/download.log" | tr '\n' ' ')"
  for deb in "$work"/archives/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
  rm -rf "$work"
  [ -f "$lib/libvulkan_lvp.so" ] && [ -x "$lib/ld-linux-x86-64.so.2" ] || not_run "the fetched packages hold no lavapipe or loader"
  icd="$sysroot/usr/share/vulkan/icd.d/lvp_icd.json"
  sed -i "s#\"library_path\": \"[^\"]*\"#\"library_path\": \"$lib/libvulkan_lvp.so\"#" "$icd"
  # A dotnet root of links to this machine's, with a copy of the host whose interpreter is unstable's loader.
  dotnet_home="$(dirname "$(readlink -f "$(command -v dotnet)")")"
  mkdir -p "$cache/dotnet"
  for entry in "$dotnet_home"/*; do ln -s "$entry" "$cache/dotnet/"; done
  rm "$cache/dotnet/dotnet"
  cp "$dotnet_home/dotnet" "$cache/dotnet/dotnet"
  patchelf --set-interpreter "$lib/ld-linux-x86-64.so.2" "$cache/dotnet/dotnet" || not_run "patchelf failed"
  touch "$cache/.complete"
fi

test_bin="$root/tests/Jax.Backends.Tests/bin/Release/net10.0"
[ -f "$test_bin/Jax.Backends.Tests.dll" ] || not_run "build tests/Jax.Backends.Tests in Release first (eng/test.sh does)"
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
if ! dotnet build "$root/eng/coopmat-check/CoopmatCheck.csproj" -c Release -o "$root/artifacts/coopmat-check" -nologo --verbosity quiet >"$cache/build.log" 2>&1; then
  cat "$cache/build.log"
  echo "coopmat-check: FAILED: the runner does not build"
  exit 1
fi
# The runner runs with the test project's dependencies; only it and the driver come from elsewhere.
env VK_ICD_FILENAMES="$sysroot/usr/share/vulkan/icd.d/lvp_icd.json" LD_LIBRARY_PATH="$lib" DOTNET_ROOT="$cache/dotnet" \
  "$cache/dotnet/dotnet" exec --depsfile "$test_bin/Jax.Backends.Tests.deps.json" --runtimeconfig "$test_bin/Jax.Backends.Tests.runtimeconfig.json" \
  --additionalprobingpath "$test_bin" "$root/artifacts/coopmat-check/CoopmatCheck.dll"
