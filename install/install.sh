#!/bin/sh
# Trackless one-command set-up for Linux and macOS.
#
#   sh install/install.sh [--venv DIR] [--extension-id ID] [--no-xpi]
#
# 1. creates an isolated Python environment (default ~/.local/share/trackless/venv,
#    or $TRACKLESS_VENV, or --venv DIR) with Python >= 3.11 ($PYTHON to choose one),
# 2. installs Trackless from this checkout into it,
# 3. registers the native-messaging host with Thunderbird (`trackless install`),
# 4. builds the add-on (.xpi) with install/build_xpi.py when it is present,
# 5. checks the result (`trackless install --check`) and prints the steps left.
#
# Running it again updates the installation in place (idempotent).
# Exit status: 0 ready, 1 a step failed (the message says which), 2 usage.
set -eu

REPO=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
VENV=${TRACKLESS_VENV:-"$HOME/.local/share/trackless/venv"}
EXT_ID=""
BUILD_XPI=1

die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --venv) [ $# -ge 2 ] || { echo "install.sh: --venv needs a directory" >&2; exit 2; }; VENV=$2; shift 2 ;;
        --extension-id) [ $# -ge 2 ] || { echo "install.sh: --extension-id needs an id" >&2; exit 2; }; EXT_ID=$2; shift 2 ;;
        --no-xpi) BUILD_XPI=0; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

[ -f "$REPO/pyproject.toml" ] || die "run me from a Trackless checkout ($REPO has no pyproject.toml)"

# -- 1. a Python >= 3.11 -------------------------------------------------------
good_python() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; }
PY=""
for cand in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && good_python "$cand"; then PY=$(command -v "$cand"); break; fi
done
[ -n "$PY" ] || die "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"

# -- 2. the isolated environment --------------------------------------------------
if [ -x "$VENV/bin/python" ] && good_python "$VENV/bin/python"; then
    echo "== using the environment $VENV"
else
    echo "== creating the environment $VENV (with $PY)"
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    "$PY" -m venv "$VENV" || die "could not create a virtual environment; on Debian/Ubuntu: sudo apt install python3-venv"
fi

echo "== installing Trackless from $REPO"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "$REPO" \
    || die "pip could not install Trackless (see above)"
# a local directory of the same version is not reinstalled by --upgrade: force the package itself
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$REPO" \
    || die "pip could not install Trackless (see above)"

# -- 3. register the host -------------------------------------------------------------
echo "== registering the helper with Thunderbird"
if [ -n "$EXT_ID" ]; then
    "$VENV/bin/trackless" install --extension-id "$EXT_ID" || die "'trackless install' failed"
else
    "$VENV/bin/trackless" install || die "'trackless install' failed"
fi

# -- 4. the add-on -------------------------------------------------------------------------
XPI=""
if [ "$BUILD_XPI" = 1 ] && [ -f "$REPO/install/build_xpi.py" ]; then
    echo "== building the add-on"
    BUILT=$("$VENV/bin/python" "$REPO/install/build_xpi.py") || die "building the add-on failed"
    XPI=$(printf '%s\n' "$BUILT" | head -n 1)
    [ -f "$XPI" ] || die "build_xpi.py did not produce a file ($XPI)"
    echo "built $XPI"
fi

# -- 5. check --------------------------------------------------------------------------------
echo "== checking"
if [ -n "$EXT_ID" ]; then
    "$VENV/bin/trackless" install --check --extension-id "$EXT_ID" || die "the check failed (see above)"
else
    "$VENV/bin/trackless" install --check || die "the check failed (see above)"
fi

cat <<DONE

Trackless's helper is installed and registered. Two steps are left, in Thunderbird:

  1. Install the add-on: menu Tools > Add-ons and Themes, the gear button,
     "Install Add-on From File...", and choose
       ${XPI:-the .xpi built by install/build_xpi.py}
  2. Keep Thunderbird's remote content blocked (the default), then open a
     newsletter: the Trackless button shows how many trackers were removed.

The 'trackless' command is $VENV/bin/trackless
(e.g. '$VENV/bin/trackless allow add brand.example' to show a sender's images).
To remove the helper: '$VENV/bin/trackless uninstall', then delete $VENV.
DONE
