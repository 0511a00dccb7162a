#!/usr/bin/env bash
# Installs the Debian packages Jax.Toolchain needs to build, test and run the tour.
#
#   libllvm19            LLVM-C API (libLLVM.so.19.1) used by the CPU backend
#   lld-19               ld.lld-19, links the compiled CPU kernels into shared libraries
#   llvm-19              llvm-readobj-19, llvm-objdump-19, llvm-nm-19: the packaging tests read the
#                        cross-compiled kernel libraries (arm64 ELF, COFF, Mach-O) with them
#   spirv-tools          spirv-val / spirv-dis, used by the GPU backend's tests
#   mesa-vulkan-drivers  lavapipe, a CPU Vulkan driver, so Vulkan tests run on any machine
#   libvulkan1           the Vulkan loader (libvulkan.so.1)
#   patchelf             eng/coopmat-check.sh points a copy of the dotnet host at Debian unstable's C library
#
# Idempotent and quiet when everything is present. As root it installs what is missing
# (apt-get update only then); otherwise it prints the sudo line to run and exits non-zero.
set -euo pipefail

packages=(libllvm19 lld-19 llvm-19 spirv-tools spirv-headers mesa-vulkan-drivers libvulkan1 patchelf)

missing=()
for package in "${packages[@]}"; do
  # dpkg -s succeeds for removed-but-not-purged packages too, so check the status line.
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "eng/prereqs.sh: missing Debian packages: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "eng/prereqs.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Wait for a concurrent apt/dpkg run instead of failing on its lock.
apt_options=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
apt-get "${apt_options[@]}" update -qq || echo "eng/prereqs.sh: apt-get update reported errors; trying the install anyway" >&2
apt-get "${apt_options[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "eng/prereqs.sh: installed ${missing[*]}"
