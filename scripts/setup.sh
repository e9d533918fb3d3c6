#!/usr/bin/env bash
# Idempotent set-up of a development machine (Debian 12, run as root or with sudo).
#
#   bash scripts/setup.sh            # Chromium, HAProxy (apt) + .venv with requirements-dev.txt
#   bash scripts/setup.sh --runtime  # only .venv with requirements.txt (what scripts/app.sh needs)
#
# Environment:
#   PYTHON=/path/to/python3   interpreter for a new .venv (default: Debian's /usr/bin/python3)
#
# Never runs `playwright install`: the browser tests use Debian's /usr/bin/chromium.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

MODE=dev
case "${1:-}" in
  "") ;;
  --runtime) MODE=runtime ;;
  *) echo "usage: $0 [--runtime]" >&2; exit 2 ;;
esac

VENV=.venv
log() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else log "need root for: $*"; exit 1
  fi
}

# --- 1. System packages (dev mode only): Chromium for the Playwright tests, HAProxy --------------------
if [ "$MODE" = dev ] && [ ! -x /usr/bin/chromium ]; then
  log "installing chromium with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
# HAProxy for tests/test_deploy_balancer.py and deploy/replicas.py (replicas behind a balancer)
if [ "$MODE" = dev ] && ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  log "installing haproxy with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy
fi

# --- 2. The virtual environment -----------------------------------------------------------------
# Prefer Debian's interpreter: a venv made from a pyenv Python under /root (mode 0700) cannot be
# executed by other users, and tests/test_container.py runs the app as uid 10001 with this venv.
if [ -z "${PYTHON:-}" ]; then
  if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi

if [ -d "$VENV" ] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  log "$VENV is broken (its interpreter does not run); recreating it"
  rm -rf "$VENV"
fi
if [ ! -d "$VENV" ]; then
  if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    log "installing python3-venv with apt-get"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
  fi
  log "creating $VENV with $PYTHON ($("$PYTHON" --version 2>&1))"
  "$PYTHON" -m venv "$VENV"
fi

# --- 3. Python packages, skipped when the requirement files have not changed --------------------
# A stamp per mode holds a hash of the interpreter version and the requirement files it installed.
stamp_hash() {
  { "$VENV/bin/python" -c 'import sys; print(sys.version)'; cat "$@"; } | sha256sum | cut -d' ' -f1
}
RUNTIME_STAMP="$VENV/.setup-stamp-runtime"
DEV_STAMP="$VENV/.setup-stamp-dev"
runtime_hash="$(stamp_hash requirements.txt)"

if [ "$MODE" = dev ]; then
  REQ=requirements-dev.txt STAMP="$DEV_STAMP"
  want="$(stamp_hash requirements.txt requirements-dev.txt)"
else
  REQ=requirements.txt STAMP="$RUNTIME_STAMP" want="$runtime_hash"
fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  log "$VENV is up to date with $REQ"
else
  log "pip install -r $REQ"
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQ"
  # Readable by everyone (the container test runs the app as an unprivileged uid).
  chmod -R a+rX "$VENV"
  echo "$want" > "$STAMP"
  # requirements-dev.txt includes requirements.txt, so a dev install is also a runtime install.
  if [ "$MODE" = dev ]; then echo "$runtime_hash" > "$RUNTIME_STAMP"; fi
  log "done"
fi
