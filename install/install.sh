#!/bin/sh
# Trackless one-command set-up for Linux and macOS.
#
#   sh install/install.sh [--venv DIR] [--bin-dir DIR] [--extension-id ID] [--no-xpi]
#   sh install/install.sh --uninstall [--venv DIR]
#
# 1. creates an isolated Python environment (default ~/.local/share/trackless/venv,
#    or $TRACKLESS_VENV, or --venv DIR) with Python >= 3.11 ($PYTHON to choose one),
# 2. installs Trackless from this checkout into it,
# 3. registers the native-messaging host with Thunderbird (`trackless install`)
#    and links the `trackless` command into ~/.local/bin (or --bin-dir DIR;
#    --bin-dir '' for no link), saying so when that folder is not on PATH,
# 4. builds the add-on (.xpi) with install/build_xpi.py when it is present,
# 5. checks the helper (`trackless install --check --no-addon`), prints the steps left.
#
# Running it again upgrades the installation in place (idempotent).
# --uninstall runs `trackless uninstall` (manifest, link, directories it made)
# and deletes the environment; settings (the allowlist) are kept.
# Exit status: 0 ready, 1 a step failed (the message says which), 2 usage.

REPO=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
set -eu

VENV=${TRACKLESS_VENV:-"$HOME/.local/share/trackless/venv"}
BIN_DIR="$HOME/.local/bin"
EXT_ID=""
BUILD_XPI=1
UNINSTALL=0

die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --venv) [ $# -ge 2 ] || { echo "install.sh: --venv needs a directory" >&2; exit 2; }; VENV=$2; shift 2 ;;
        --extension-id) [ $# -ge 2 ] || { echo "install.sh: --extension-id needs an id" >&2; exit 2; }; EXT_ID=$2; shift 2 ;;
        --bin-dir) [ $# -ge 2 ] || { echo "install.sh: --bin-dir needs a directory ('' for none)" >&2; exit 2; }; BIN_DIR=$2; shift 2 ;;
        --no-xpi) BUILD_XPI=0; shift ;;
        --uninstall) UNINSTALL=1; shift ;;
        -h|--help) sed -n '2,/^$/p' "$0" | sed -e '/^$/d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [ "$UNINSTALL" = 1 ]; then
    if [ -x "$VENV/bin/trackless" ]; then
        "$VENV/bin/trackless" uninstall || die "'trackless uninstall' failed"
    else
        echo "install.sh: no Trackless environment at $VENV (nothing registered by it to remove)"
    fi
    if [ -d "$VENV" ]; then
        [ -f "$VENV/pyvenv.cfg" ] || die "$VENV does not look like a Python environment; not deleting it"
        rm -rf "$VENV"
        echo "removed $VENV"
    fi
    rmdir "$(dirname "$VENV")" 2>/dev/null || true
    echo "Trackless's helper is removed. Remove the add-on in Thunderbird (Tools > Add-ons and Themes)."
    exit 0
fi

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
set --
[ -z "$EXT_ID" ] || set -- --extension-id "$EXT_ID"
if [ -n "$BIN_DIR" ]; then
    "$VENV/bin/trackless" install --bin-dir "$BIN_DIR" "$@" || die "'trackless install' failed"
else
    "$VENV/bin/trackless" install "$@" || die "'trackless install' failed"
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
"$VENV/bin/trackless" install --check --no-addon "$@" || die "the check failed (see above)"

CMD="$VENV/bin/trackless"
PATH_NOTE=""
if [ -n "$BIN_DIR" ]; then
    CMD=trackless
    case ":$PATH:" in
        *":$BIN_DIR:"*) ;;
        *) PATH_NOTE="
Note: $BIN_DIR is not on your PATH, so 'trackless' is not found yet. Add it
(e.g. the line  export PATH=\"$BIN_DIR:\$PATH\"  in ~/.profile), then log in again." ;;
    esac
fi

cat <<DONE

Trackless's helper is installed and registered. Two steps are left, in Thunderbird:

  1. Install the add-on: menu Tools > Add-ons and Themes, the gear button,
     "Install Add-on From File...", and choose
       ${XPI:-the .xpi built by install/build_xpi.py}
  2. Keep Thunderbird's remote content blocked (the default), then open a
     newsletter: the Trackless button shows how many trackers were removed.

Then '$CMD install --check' checks the add-on too.
The 'trackless' command is ${BIN_DIR:+$BIN_DIR/trackless -> }$VENV/bin/trackless
(e.g. '$CMD allow add brand.example' to show a sender's images).
To remove everything install.sh made: sh install/install.sh --uninstall
(or '$CMD uninstall', then delete $VENV).$PATH_NOTE
DONE
