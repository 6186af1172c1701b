#!/usr/bin/env bash
# Newsroom's two commands.
#   ./dev.sh run            install, migrate, load the demo, start the task worker and the site
#   ./dev.sh test [ARGS]    install, then run the whole test suite (ARGS go to pytest)
#   ./dev.sh setup          install what the tests need, without running them
# Needs only Python >= 3.11 and git. Set DATABASE_URL to test against PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"

install() {
    local lock="$1"
    if [ ! -x "$PY" ]; then
        "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
            || { echo "Newsroom needs Python 3.11 or newer ($PYTHON is older)." >&2; exit 1; }
        "$PYTHON" -m venv "$VENV"
    fi
    local stamp="$VENV/.installed-$lock"
    if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
        echo "Installing dependencies from $lock…"
        # --no-compile: Python compiles what is imported when it is first imported; compiling
        # every installed file up front cost CI a minute.
        "$PY" -m pip install --quiet --disable-pip-version-check --no-compile -r "$lock"
        touch "$stamp"
    fi
}

ensure_chromium() {
    # Browser tests drive Debian's Chromium; never a browser downloaded by a test tool.
    local chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
    [ -x "$chromium" ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing Debian's chromium for the browser tests…"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "Chromium is not installed at $chromium: browser tests will be skipped" \
             "(sudo apt-get install chromium)." >&2
    fi
}

ensure_gettext() {
    # makemessages and compilemessages need GNU gettext; the catalog tests run makemessages.
    # The compiled .mo files are committed, so running the site needs none of it.
    command -v msgfmt >/dev/null && command -v xgettext >/dev/null && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing GNU gettext for the translation tests…"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext \
            >/dev/null; } || echo "Could not install gettext: the catalog tests will be skipped." >&2
    else
        echo "GNU gettext is not installed: the catalog tests will be skipped" \
             "(sudo apt-get install gettext)." >&2
    fi
}

ensure_varnish() {
    # tests/deploy runs deploy/varnish.vcl in Debian's Varnish; it is skipped without one.
    command -v varnishd >/dev/null || [ -x /usr/sbin/varnishd ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing Debian's varnish for the cache tests…"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish \
            >/dev/null; } || echo "Could not install varnish: its tests will be skipped." >&2
    else
        echo "Varnish is not installed: its tests will be skipped (sudo apt-get install varnish)." >&2
    fi
}

case "${1:-}" in
    run)
        install requirements.lock
        export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
        export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}"
        ADDRESS="${ADDRESS:-127.0.0.1:8000}"
        export SITE_URL="${SITE_URL:-http://$ADDRESS}"
        "$PY" manage.py migrate --noinput
        # The demo comes in the site's language (`LANGUAGE_CODE=es ./dev.sh run`).
        "$PY" manage.py load_demo --reset-passwords
        "$PY" manage.py db_worker --queue-name '*' --no-reload &
        WORKER=$!
        trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
        echo
        echo "  Newsroom is running at $SITE_URL/  (admin: $SITE_URL/admin/)"
        echo "  Emails (confirmations, notifications) are written to ./sent-mail/"
        echo "  Stop with Ctrl+C."
        echo
        "$PY" manage.py runserver --noreload "$ADDRESS"
        ;;
    setup)
        # What `test` installs, and nothing run: CI installs once, then runs two passes at once.
        install requirements-dev.lock
        ensure_chromium
        ensure_varnish
        ensure_gettext
        ;;
    test)
        install requirements-dev.lock
        ensure_chromium
        ensure_varnish
        ensure_gettext
        shift
        DJANGO_DEBUG=1 "$PY" manage.py makemigrations --check --dry-run >/dev/null \
            || { echo "Models and migrations disagree: run makemigrations." >&2; exit 1; }
        # Which module may import which: the contracts in pyproject.toml ([tool.importlinter]).
        "$VENV/bin/lint-imports" --no-cache --no-logo \
            || { echo "An import breaks a contract (above): see [tool.importlinter]." >&2; exit 1; }
        "$PY" -m pytest "$@"
        ;;
    *)
        echo "usage: ./dev.sh run | ./dev.sh test [pytest args] | ./dev.sh setup" >&2
        exit 2
        ;;
esac
