#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs
# (Debian packages when run as root, a .venv with the package and its test
# extra), then runs the add-on's node tests and pytest (unit, protocol,
# loopback network, report, and end-to-end tests in headless Thunderbird).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v thunderbird >/dev/null 2>&1 || missing+=(thunderbird)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
command -v zsh >/dev/null 2>&1 || missing+=(zsh)    # shell completion tests
command -v fish >/dev/null 2>&1 || missing+=(fish)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "tests/run.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "tests/run.sh: missing ${missing[*]} (install them with apt-get, or run as root)" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

echo "== lint (pyflakes rules: unused names, undefined names)"
.venv/bin/ruff check --quiet --select F host tests bench install

# Mozilla's addons-linter (npm), kept in a cache folder outside the repo; the test
# tests/install/test_packaging.py runs it on the built .xpi (0 errors required)
LINTER_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/trackless-ci/addons-linter"
if [ ! -x "$LINTER_DIR/node_modules/.bin/addons-linter" ] && command -v npm >/dev/null 2>&1; then
  echo "== installing addons-linter into $LINTER_DIR"
  mkdir -p "$LINTER_DIR"
  npm install --prefix "$LINTER_DIR" --silent --no-audit --no-fund addons-linter@10 >/dev/null
fi
if [ -x "$LINTER_DIR/node_modules/.bin/addons-linter" ]; then
  export ADDONS_LINTER="$LINTER_DIR/node_modules/.bin/addons-linter"
fi

echo "== add-on unit tests (node --test)"
node --test tests/extension/

echo "== pytest"
.venv/bin/python -m pytest -q "$@"
