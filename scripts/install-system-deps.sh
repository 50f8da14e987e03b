#!/usr/bin/env bash
# Installs the system packages the WebGPU and browser tests need:
#   - libvulkan1 and Mesa's lavapipe Vulkan driver (mesa-vulkan-drivers). On Debian 12 they come
#     from bookworm-backports: bookworm's own Mesa 22.3 is too old for Dawn (no adapter).
#   - chromium, driven by playwright-core in the browser tests (not on Ubuntu, where it is a snap).
#
# Runs no apt command when they are installed. Never fails the build because of the machine:
# when it cannot install (no apt, not root and no passwordless sudo, no network) it says what is
# missing and exits 0, and those tests report skipped. `pnpm check` then asks @tsgrad/gpu whether
# WebGPU finds an adapter (scripts/webgpu-available.mjs).
#
#   TSGRAD_SKIP_SYSTEM_DEPS=1   do nothing
#   TSGRAD_SKIP_CHROMIUM=1      do not install chromium
set -uo pipefail

say() { echo "install-system-deps: $*"; }
[[ "${TSGRAD_SKIP_SYSTEM_DEPS:-}" == 1 ]] && { say "TSGRAD_SKIP_SYSTEM_DEPS=1: skipping"; exit 0; }

ID="" VERSION_CODENAME=""
[[ -r /etc/os-release ]] && . /etc/os-release
[[ "$ID" == ubuntu ]] && TSGRAD_SKIP_CHROMIUM=1
backports=""
[[ "$VERSION_CODENAME" == bookworm ]] && backports=bookworm-backports

installed() { dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$1" 2>/dev/null | awk '$1 == "ii" { print $2 }'; }
have_lavapipe() {
  local mesa
  mesa="$(installed mesa-vulkan-drivers)"
  [[ -n "$mesa" && -n "$(installed libvulkan1)" ]] && compgen -G '/usr/share/vulkan/icd.d/lvp_icd*.json' >/dev/null &&
    { [[ -z "$backports" ]] || dpkg --compare-versions "$mesa" ge 23; }
}
have_chromium() { [[ "${TSGRAD_SKIP_CHROMIUM:-}" == 1 ]] || [[ -n "$(installed chromium)" && -x /usr/bin/chromium ]]; }
summary() { echo "mesa-vulkan-drivers $(installed mesa-vulkan-drivers), chromium $(installed chromium)"; }

if have_lavapipe && have_chromium; then
  say "already installed: $(summary)"
  exit 0
fi
missing="libvulkan1 mesa-vulkan-drivers${backports:+ (from $backports)} chromium"
if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
  say "no apt here: install a Vulkan driver and Chromium yourself; until then WebGPU/browser tests skip"
  exit 0
fi
sudo=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    say "not root and no passwordless sudo, so not installing $missing;"
    say "run \`sudo bash scripts/install-system-deps.sh\`. Until then WebGPU/browser tests skip."
    exit 0
  fi
fi

log="$(mktemp -t tsgrad-apt.XXXXXX)"
trap 'rm -f "$log"' EXIT
# Quiet and non-interactive; on failure, show apt's output and leave the tests to skip.
apt_get() {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a apt-get -qq -y -o Dpkg::Use-Pty=0 \
    -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "$@" >>"$log" 2>&1 && return
  say "apt-get $* failed; WebGPU/browser tests will skip. Its output:"
  tail -n 30 "$log"
  exit 0
}

say "installing what is missing of: $missing"
apt_get update
if [[ -n "$backports" ]] && ! have_lavapipe && [[ -z "$(apt-get indextargets "Release: $backports")" ]]; then
  # The backports suite comes from the mirror apt already uses for bookworm itself.
  mirror="$(apt-get indextargets --format '$(REPO_URI)' "Release: $VERSION_CODENAME" 'Target-Of: deb' | head -n 1)"
  [[ -n "$mirror" ]] || { say "apt has no $VERSION_CODENAME entry to take the mirror from; add $backports yourself"; exit 0; }
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  say "adding $backports from $mirror to apt's sources"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$mirror" "$backports"
    [[ -r "$keyring" ]] && echo "Signed-By: $keyring"
  } | "${sudo[@]}" tee "/etc/apt/sources.list.d/$backports.sources" >/dev/null
  apt_get update
fi
have_lavapipe || apt_get install --no-install-recommends ${backports:+-t "$backports"} libvulkan1 mesa-vulkan-drivers
have_chromium || apt_get install --no-install-recommends chromium
say "installed: $(summary)"
