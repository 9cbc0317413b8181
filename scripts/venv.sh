# Sourced by scripts/start.sh and scripts/test.sh: a virtualenv in .venv with the requirements in "$1".
# PYTHON may name the interpreter to use; otherwise python3.11, then python3 if it is 3.10-3.12.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.10 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  if ! python="$(find_python)"; then
    cat >&2 <<'MESSAGE'
Python 3.11 was not found (TensorFlow needs Python 3.10, 3.11 or 3.12).
Install it, then run this again:
  Debian/Ubuntu:  sudo apt install python3.11 python3.11-venv
  macOS:          brew install python@3.11
  Windows:        https://www.python.org/downloads/ (then use the manual steps in README.md)
Or point PYTHON at one you have:  PYTHON=/path/to/python3.11 bash scripts/start.sh
MESSAGE
    exit 1
  fi
  echo "Making a virtualenv in .venv with $("$python" --version) (the install is about 2.7 GB)..."
  "$python" -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate
python -m pip install -q --disable-pip-version-check -r "$1"
