#!/bin/sh
# Set up boardpack on this machine, then build the papers or run the tests.
#
#   ./run.sh build [ARGS...]   system packages, .venv, dependencies; then python generate.py ARGS
#   ./run.sh serve [ARGS...]   set up as for build; then python generate.py serve ARGS (the workspace)
#   ./run.sh test  [ARGS...]   the same plus LibreOffice, poppler, Chromium and axe-core; then pytest ARGS
#
# System packages are installed with apt-get when it can be done without asking
# (as root, or with password-less sudo); otherwise the missing ones are listed.
set -eu
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
# WeasyPrint draws text with Pango and subsets fonts with HarfBuzz; the papers use Liberation Sans
# (Latin, with Welsh and Polish letters). Papers also quote names and text in other scripts, which
# would otherwise print as empty boxes and fail PDF/UA-1 (.notdef glyphs): Amiri for Arabic and Urdu
# (Naskh, 2.5 MB; PakType and Scheherazade leave glyphs without Unicode in WeasyPrint's PDF),
# WenQuanYi Micro Hei for Chinese (5 MB; Noto CJK is 90 MB), and Noto Color Emoji for emoji (11 MB),
# which fontconfig picks for emoji by itself: templates/paper.css names the others, since naming an
# emoji font there makes fontconfig prefer colour fonts even for digits.
BUILD_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-dejavu-core
    fonts-hosny-amiri fonts-wqy-microhei fonts-noto-color-emoji"
# The tests open the Word files and workbooks in LibreOffice (the real clients) and read PDFs with poppler;
# the workspace's browser tests drive Debian's Chromium through its chromedriver.
TEST_PACKAGES="libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils chromium chromium-driver"
# axe-core checks each workspace page for accessibility inside Chromium; pinned, from the npm registry.
AXE_VERSION=4.14.1

need_packages() {
    missing=""
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
    done
    [ -z "$missing" ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "run.sh: please install the equivalents of:$missing" >&2
        return 0
    fi
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
        echo "run.sh: please install with apt-get:$missing" >&2
        return 0
    fi
    echo "run.sh: installing$missing"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

setup_python() {
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV" 2>/dev/null || { need_packages python3-venv; "$PYTHON" -m venv "$VENV"; }
    fi
    # Reinstall only when the dependencies changed, so a rebuild starts at once.
    stamp="$VENV/.boardpack-installed"
    want=$(cksum pyproject.toml | cut -d' ' -f1)
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check -e ".[test]"
    echo "$want" > "$stamp"
}

setup_axe() {
    [ -f node_modules/axe-core/axe.min.js ] && return 0
    if ! command -v npm >/dev/null 2>&1; then
        need_packages npm
    fi
    command -v npm >/dev/null 2>&1 || { echo "run.sh: npm is missing; the browser tests will be skipped" >&2; return 0; }
    npm install --no-save --no-audit --no-fund --silent "axe-core@$AXE_VERSION" >/dev/null
}

command=${1:-build}
[ $# -gt 0 ] && shift
case "$command" in
    build)
        need_packages $BUILD_PACKAGES
        setup_python
        exec "$VENV/bin/python" generate.py "$@"
        ;;
    serve)
        need_packages $BUILD_PACKAGES
        setup_python
        exec "$VENV/bin/python" generate.py serve "$@"
        ;;
    test)
        need_packages $BUILD_PACKAGES $TEST_PACKAGES
        setup_python
        setup_axe
        # One test process per core: most tests run on one core each (-n 0 to run in this process, for a debugger).
        # Each process is handed two tests at a time, not a quarter of them at once, so the slow tests that
        # run first (tests/conftest.py) are shared out between the cores rather than queued behind each other.
        exec "$VENV/bin/python" -m pytest -n auto --maxschedchunk 2 "$@"
        ;;
    *)
        echo "usage: ./run.sh build [generate.py arguments] | ./run.sh serve [serve arguments] | ./run.sh test [pytest arguments]" >&2
        exit 2
        ;;
esac
