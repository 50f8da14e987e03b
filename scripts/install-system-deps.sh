#!/usr/bin/env bash
# Installs the system packages the WebGPU and browser tests need, then checks WebGPU works.
#
#   - libvulkan1 + Mesa's lavapipe Vulkan driver (mesa-vulkan-drivers). On Debian 12 it comes
#     from bookworm-backports: bookworm's own Mesa 22.3 is too old for Dawn (no adapter).
#   - chromium (Debian's package), driven by playwright-core in the browser tests.
#
# Idempotent: when everything is installed already it runs no apt command at all.
# Never fails the build because of the machine: when it cannot install (not root and no
# passwordless sudo, not Debian/Ubuntu, no network) it says what is missing and exits 0, and
# the WebGPU/browser tests then report skipped.
#
# Environment:
#   TSGRAD_SKIP_SYSTEM_DEPS=1   do nothing (e.g. on a developer machine you manage yourself)
#   TSGRAD_SKIP_CHROMIUM=1      do not install chromium
#   TSGRAD_SKIP_WEBGPU_PROBE=1  do not run scripts/webgpu-probe.mjs at the end
#   TSGRAD_REQUIRE_WEBGPU=1     exit 1 when the WebGPU probe fails (default: warn, exit 0)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PNPM="npx -y pnpm@10.34.9"
START_S=$SECONDS

log() { printf 'install-system-deps: %s\n' "$*"; }
warn() { printf 'install-system-deps: WARNING: %s\n' "$*" >&2; }

if [[ "${TSGRAD_SKIP_SYSTEM_DEPS:-}" == 1 ]]; then
  log "TSGRAD_SKIP_SYSTEM_DEPS=1: skipping"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# What is installed already?

CODENAME=""
OS_ID=""
if [[ -r /etc/os-release ]]; then
  CODENAME="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
  OS_ID="$(. /etc/os-release && printf '%s' "${ID:-}")"
fi
# Ubuntu's `chromium` package is only a wrapper that installs a snap: do not try it there.
if [[ "$OS_ID" == ubuntu && -z "${TSGRAD_SKIP_CHROMIUM:-}" ]]; then
  TSGRAD_SKIP_CHROMIUM=1
  printf 'install-system-deps: %s\n' "Ubuntu: not installing chromium (apt's chromium is a snap); browser tests will skip"
fi
BACKPORTS_SUITE=""
[[ "$CODENAME" == bookworm ]] && BACKPORTS_SUITE="bookworm-backports"

# Prints the installed version of a package, or nothing.
installed_version() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null | awk '$1 == "ii" { print $2; exit }'
}

have_lavapipe() {
  local v
  v="$(installed_version mesa-vulkan-drivers)"
  [[ -n "$v" ]] || return 1
  [[ -n "$(installed_version libvulkan1)" ]] || return 1
  compgen -G '/usr/share/vulkan/icd.d/lvp_icd*.json' >/dev/null || return 1
  # Dawn needs a newer Mesa than Debian 12's 22.3 (25.0 from bookworm-backports works).
  if [[ -n "$BACKPORTS_SUITE" ]] && ! dpkg --compare-versions "$v" ge 23; then return 1; fi
  return 0
}

have_chromium() {
  [[ "${TSGRAD_SKIP_CHROMIUM:-}" == 1 ]] && return 0
  [[ -n "$(installed_version chromium)" && -x /usr/bin/chromium ]]
}

# ---------------------------------------------------------------------------------------------
# apt helpers

SUDO=()
APT_LOG="$(mktemp -t tsgrad-apt.XXXXXX)"
trap 'rm -f "$APT_LOG"' EXIT

apt_run() {
  # Quiet and non-interactive; the full output goes to a log that is shown only on failure.
  if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a \
    apt-get -qq -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >>"$APT_LOG" 2>&1; then
    warn "apt-get $* failed; its output:"
    tail -n 40 "$APT_LOG" >&2
    return 1
  fi
}

# True when apt already knows a <codename>-backports suite (deb822 or one-line format).
backports_configured() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    awk -v suite="$BACKPORTS_SUITE" '
      BEGIN { RS = "" }
      {
        enabled = 1; found = 0
        n = split($0, lines, "\n")
        for (i = 1; i <= n; i++) {
          if (lines[i] ~ /^Enabled:[ \t]*no/) enabled = 0
          if (lines[i] ~ /^Suites:/) {
            m = split(substr(lines[i], 8), s, /[ \t]+/)
            for (j = 1; j <= m; j++) if (s[j] == suite) found = 1
          }
        }
        if (enabled && found) { hit = 1 }
      }
      END { exit hit ? 0 : 1 }' "$f" && return 0
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    grep -qE "^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+[[:space:]]+${BACKPORTS_SUITE}([[:space:]]|$)" "$f" && return 0
  done
  return 1
}

# Prints a deb822 stanza for <codename>-backports built from the stanza/line that apt already
# uses for <codename> itself: same URI, same Signed-By. Prints nothing when none is found.
backports_stanza() {
  local f out
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    out="$(awk -v codename="$CODENAME" -v suite="$BACKPORTS_SUITE" '
      BEGIN { RS = "" }
      {
        n = split($0, lines, "\n")
        types = ""; suites = ""; uris = ""; signed = ""; valid = ""; enabled = "yes"; field = ""
        for (i = 1; i <= n; i++) {
          line = lines[i]
          if (line ~ /^#/) continue
          if (line ~ /^[ \t]/) {               # continuation line of a multi-line field
            if (field == "signed-by") signed = signed "\n" line
            continue
          }
          field = tolower(line); sub(/:.*/, "", field)
          value = line; sub(/^[^:]*:[ \t]*/, "", value)
          if (field == "types") types = value
          else if (field == "suites") suites = value
          else if (field == "uris") uris = value
          else if (field == "signed-by") signed = value
          else if (field == "check-valid-until") valid = value
          else if (field == "enabled") enabled = tolower(value)
        }
        if (enabled == "no") next
        isdeb = 0; m = split(types, t, /[ \t]+/); for (j = 1; j <= m; j++) if (t[j] == "deb") isdeb = 1
        has = 0; m = split(suites, s, /[ \t]+/); for (j = 1; j <= m; j++) if (s[j] == codename) has = 1
        if (!isdeb || !has || uris == "") next
        split(uris, u, /[ \t]+/)
        print "Types: deb"
        print "URIs: " u[1]
        print "Suites: " suite
        print "Components: main"
        if (signed != "") print "Signed-By: " signed
        if (valid != "") print "Check-Valid-Until: " valid
        exit
      }' "$f")"
    if [[ -n "$out" ]]; then
      printf '%s\n' "$out"
      return 0
    fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    out="$(awk -v codename="$CODENAME" -v suite="$BACKPORTS_SUITE" '
      /^[ \t]*deb[ \t]/ {
        line = $0; sub(/^[ \t]*deb[ \t]+/, "", line); opts = ""
        if (line ~ /^\[/) { opts = line; sub(/\].*/, "", opts); sub(/^\[/, "", opts); sub(/^[^]]*\][ \t]*/, "", line) }
        split(line, w, /[ \t]+/)
        if (w[2] != codename) next
        signed = ""; valid = ""
        m = split(opts, o, /[ \t]+/)
        for (j = 1; j <= m; j++) {
          if (o[j] ~ /^signed-by=/) { signed = o[j]; sub(/^signed-by=/, "", signed) }
          if (o[j] ~ /^check-valid-until=/) { valid = o[j]; sub(/^check-valid-until=/, "", valid) }
        }
        print "Types: deb"
        print "URIs: " w[1]
        print "Suites: " suite
        print "Components: main"
        if (signed != "") print "Signed-By: " signed
        if (valid != "") print "Check-Valid-Until: " valid
        exit
      }' "$f")"
    if [[ -n "$out" ]]; then
      printf '%s\n' "$out"
      return 0
    fi
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# Install

install_packages() {
  local missing=()
  have_lavapipe || missing+=("libvulkan1" "mesa-vulkan-drivers${BACKPORTS_SUITE:+ (from $BACKPORTS_SUITE)}")
  have_chromium || missing+=("chromium")
  if ((${#missing[@]} == 0)); then
    log "system packages already installed (mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers)," \
      "libvulkan1 $(installed_version libvulkan1)$([[ -n "$(installed_version chromium)" ]] && printf ', chromium %s' "$(installed_version chromium)"))"
    return 0
  fi

  if [[ "$(uname -s)" != Linux ]] || ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    warn "not a Debian/Ubuntu system (no apt-get); install a Vulkan driver and Chromium yourself."
    warn "WebGPU/browser tests will report skipped where no adapter/browser is found."
    return 0
  fi

  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      SUDO=(sudo -n)
    else
      warn "missing system packages: ${missing[*]}"
      warn "not root and no passwordless sudo, so not installing them. As root run:"
      [[ -n "$BACKPORTS_SUITE" ]] && warn "  (add the $BACKPORTS_SUITE suite to apt's sources, then)"
      warn "  apt-get update && apt-get install -y libvulkan1 chromium"
      warn "  apt-get install -y ${BACKPORTS_SUITE:+-t $BACKPORTS_SUITE }mesa-vulkan-drivers"
      warn "or run: sudo bash scripts/install-system-deps.sh"
      warn "until then the WebGPU/browser tests report skipped."
      return 0
    fi
  fi

  log "installing: ${missing[*]}"
  if [[ -n "$BACKPORTS_SUITE" ]] && ! have_lavapipe && ! backports_configured; then
    local stanza target="/etc/apt/sources.list.d/${BACKPORTS_SUITE}.sources"
    if ! stanza="$(backports_stanza)"; then
      warn "could not find the '$CODENAME' suite in apt's sources to derive $BACKPORTS_SUITE from;"
      warn "add $BACKPORTS_SUITE to apt's sources yourself. WebGPU tests will report skipped."
      return 0
    fi
    log "adding $BACKPORTS_SUITE to apt's sources ($target)"
    printf '%s\n' "$stanza" | "${SUDO[@]}" tee "$target" >/dev/null || {
      warn "cannot write $target"
      return 0
    }
  fi

  log "apt-get update"
  apt_run update || return 0
  if ! have_lavapipe; then
    log "apt-get install libvulkan1 mesa-vulkan-drivers${BACKPORTS_SUITE:+ (-t $BACKPORTS_SUITE)}"
    apt_run install --no-install-recommends ${BACKPORTS_SUITE:+-t "$BACKPORTS_SUITE"} \
      libvulkan1 mesa-vulkan-drivers || return 0
  fi
  if ! have_chromium; then
    log "apt-get install chromium"
    apt_run install --no-install-recommends chromium || return 0
  fi
  log "installed in $((SECONDS - START_S)) s: mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers)," \
    "libvulkan1 $(installed_version libvulkan1), chromium $(installed_version chromium)"
}

install_packages

have_lavapipe || warn "Mesa lavapipe is not installed: WebGPU tests will find no adapter unless this machine has a GPU."
if [[ "${TSGRAD_SKIP_CHROMIUM:-}" != 1 ]] && ! have_chromium; then
  warn "chromium is not installed: browser tests will report skipped."
fi

# ---------------------------------------------------------------------------------------------
# Verify: WebGPU from Node finds an adapter and runs a compute shader.

if [[ "${TSGRAD_SKIP_WEBGPU_PROBE:-}" == 1 ]]; then
  log "TSGRAD_SKIP_WEBGPU_PROBE=1: not probing WebGPU"
  exit 0
fi
if ! command -v node >/dev/null 2>&1; then
  warn "node not found; cannot probe WebGPU"
  exit 0
fi
if [[ ! -e "$ROOT/packages/gpu/node_modules/webgpu/package.json" ]]; then
  log "node_modules missing: running pnpm install"
  (cd "$ROOT" && $PNPM install --frozen-lockfile) || warn "pnpm install failed"
fi

TIMEOUT=()
command -v timeout >/dev/null 2>&1 && TIMEOUT=(timeout 120)
probe_out="$("${TIMEOUT[@]}" node "$ROOT/scripts/webgpu-probe.mjs" 2>&1)"
probe_rc=$?
# Dawn prints two harmless "artificially reduced" limit warnings on lavapipe; drop them.
printf '%s\n' "$probe_out" | grep -v 'artificially reduced' || true
if ((probe_rc != 0)); then
  warn "WebGPU probe failed (exit $probe_rc): WebGPU tests will report skipped."
  [[ "${TSGRAD_REQUIRE_WEBGPU:-}" == 1 ]] && exit 1
fi
log "done in $((SECONDS - START_S)) s"
exit 0
