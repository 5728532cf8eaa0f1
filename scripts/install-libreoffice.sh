#!/bin/sh
# Installs LibreOffice Calc (headless) and its Python UNO bridge, which the tests use as
# the real spreadsheet client. Does nothing when LibreOffice is already there.
set -eu
if command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "LibreOffice is needed for the tests: install libreoffice-calc-nogui and python3-uno" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y libreoffice-calc-nogui python3-uno
