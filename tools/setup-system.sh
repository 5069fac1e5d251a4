#!/usr/bin/env bash
# System packages the tests need on Debian: Chromium (the report's browser test) and the DejaVu fonts (chart text).
# Idempotent: does nothing when both are there. Needs root (CI and these machines run as root).
set -euo pipefail
if [ "$(id -u)" -ne 0 ] && ! command -v chromium >/dev/null 2>&1; then
  echo "setup-system: the browser test needs Debian's chromium: run  sudo apt-get install -y chromium fonts-dejavu-core" >&2
  exit 1
fi
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: chromium and fonts present"
  exit 0
fi
echo "setup-system: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
