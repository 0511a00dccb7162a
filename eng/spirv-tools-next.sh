#!/usr/bin/env bash
# Fetches a newer SPIR-V validator than Debian 12's (spirv-tools 2023.1, which predates SPV_KHR_cooperative_matrix)
# into artifacts/spirv-tools-next, for the tests of the cooperative-matrix kernels (issue 10):
#
#   artifacts/spirv-tools-next/spirv-val      runs Debian 13's spirv-val (SPIRV-Tools 2025.1) with Debian 13's C and
#                                             C++ runtimes through their own loader (nothing is installed system-wide)
#   artifacts/spirv-tools-next/unified1/      Debian 13's spirv-headers grammar (checks the newer opcodes and enums)
#
# The packages come from deb.debian.org (trixie main) through apt with a private sources list and state folder, so
# apt verifies them with the machine's Debian archive keyring and the versions are always the current ones. Best
# effort and idempotent: offline, it says so and exits 0; the tests that need the newer validator then skip, naming
# this script.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/artifacts/spirv-tools-next"
if [ -x "$target/spirv-val" ] && "$target/spirv-val" --version >/dev/null 2>&1 && [ -f "$target/unified1/spirv.core.grammar.json" ]; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/root"
echo "deb http://deb.debian.org/debian trixie main" > "$work/sources.list"
apt_options=(-q -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1 -o Acquire::Retries=3 -o APT::Sandbox::User=root)
if ! apt-get "${apt_options[@]}" update >"$work/update.log" 2>&1; then
  echo "eng/spirv-tools-next.sh: could not read Debian 13's package lists (offline?); cooperative-matrix modules will not be validated" >&2
  exit 0
fi
if ! (cd "$work/debs" && apt-get "${apt_options[@]}" download spirv-tools spirv-headers libc6 libstdc++6 libgcc-s1 >"$work/download.log" 2>&1); then
  echo "eng/spirv-tools-next.sh: could not download Debian 13's spirv-tools; cooperative-matrix modules will not be validated" >&2
  cat "$work/download.log" >&2
  exit 0
fi
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done

rm -rf "$target"
mkdir -p "$target/lib"
cp -a "$work/root/usr/bin/spirv-val" "$target/"
mv "$target/spirv-val" "$target/spirv-val.bin"
cp -a "$work/root/usr/lib/x86_64-linux-gnu/." "$target/lib/"
cp -a "$work/root/usr/include/spirv/unified1" "$target/unified1"
cat > "$target/spirv-val" <<'EOF'
#!/bin/sh
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/lib/ld-linux-x86-64.so.2" --library-path "$here/lib" "$here/spirv-val.bin" "$@"
EOF
chmod +x "$target/spirv-val"
if "$target/spirv-val" --version >/dev/null 2>&1; then
  echo "eng/spirv-tools-next.sh: $("$target/spirv-val" --version | head -1) in artifacts/spirv-tools-next"
else
  echo "eng/spirv-tools-next.sh: the fetched spirv-val does not run here; cooperative-matrix modules will not be validated" >&2
  rm -rf "$target"
fi
exit 0
