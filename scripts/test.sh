#!/usr/bin/env bash
# Set everything up for the tests (the virtualenv, the test tools, and the Chromium browser where
# this system can install it) and run the README's test command. Arguments go to pytest.
#   bash scripts/test.sh [-m "not browser"]
source "$(dirname "$0")/venv.sh" requirements-dev.txt
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "No Chromium here: the browser tests will be skipped (install chromium to run them)." >&2
  fi
fi
[ -n "${MNIST_NPZ:-}" ] || echo "MNIST_NPZ is not set: the tests that need MNIST will be skipped." >&2
exec python -m pytest -q "$@"
