# Shared by scripts/run and scripts/test: make .venv and install the project into it, quickly when nothing
# changed (a stamp holds the hash of pyproject.toml and the extras installed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

pick_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "groundstation needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

# Install Debian/Ubuntu packages that are missing; as root directly, otherwise through sudo.
ensure_system_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing system packages (${missing[*]}) and no apt-get to install them" >&2
    return 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing system packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  local extras="$1"
  local py
  py="$(pick_python)"
  if [ ! -x "$VENV/bin/python" ]; then
    "$py" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
  fi
  local stamp="$VENV/.groundstation-installed"
  local want
  want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1) $extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    local target="$ROOT"
    [ -n "$extras" ] && target="$ROOT[$extras]"
    "$VENV/bin/python" -m pip install -q -e "$target"
    echo "$want" > "$stamp"
  fi
}

# Test peers that must not share the project's site-packages (MAVProxy's wheel requires opencv-python, the
# full build with its own Qt): a venv of their own, on PATH only while the tests run.
ensure_peer_venv() {
  local peers="$ROOT/.venv-peers"
  local want="MAVProxy==1.8.75"
  if [ ! -x "$peers/bin/mavproxy.py" ] || [ "$(cat "$peers/.installed" 2>/dev/null)" != "$want" ]; then
    "$(pick_python)" -m venv "$peers"
    "$peers/bin/python" -m pip install -q --upgrade pip
    # The router needs pymavlink and pyserial; --no-deps keeps out the GUI stack (opencv-python, vtk, ...).
    "$peers/bin/python" -m pip install -q pymavlink pyserial numpy lxml
    "$peers/bin/python" -m pip install -q --no-deps "$want"
    echo "$want" > "$peers/.installed"
  fi
}
