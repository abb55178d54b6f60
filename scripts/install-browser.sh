#!/bin/sh
# Debian's Chromium and chromedriver for the end-to-end tests (tests/browser/), when missing.
# Browser downloads (Playwright, Selenium Manager) do not work offline; apt packages do.
# Never fails `make test`: without apt the browser tests themselves say what is missing
# (and fail when CI=true rather than skip).
set -u
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: apt-get not found; install Chromium and its chromedriver by hand" \
         "(tests/browser needs /usr/bin/chromium and /usr/bin/chromedriver)" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo -n"
fi
echo "install-browser: installing chromium chromium-driver fonts-liberation (about a minute)" >&2
if ! { $SUDO apt-get update -qq &&
       $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
           chromium chromium-driver fonts-liberation; }; then
    echo "install-browser: apt-get failed; the browser tests will report it" >&2
fi
exit 0
