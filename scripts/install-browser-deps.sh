#!/usr/bin/env bash
# Chromium and CJK fonts for the Playwright browser tests (tests/browser).
# Playwright cannot download its own browsers here, so the tests drive Debian's chromium package.
# Idempotent: installs only what is missing; needs root only when something is missing.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
packages=()

if [[ ! -x "$CHROMIUM" ]]; then
  packages+=(chromium fonts-noto-cjk)
elif ! command -v fc-list >/dev/null 2>&1 || ! fc-list | grep -qi "Noto Sans CJK"; then
  packages+=(fonts-noto-cjk)
fi

if [[ ${#packages[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-browser-deps: missing ${packages[*]} and not running as root." >&2
  echo "  Install them with:  sudo apt-get update && sudo apt-get install -y ${packages[*]}" >&2
  # Chromium is required (CI runs the browser tests); missing fonts only make screenshots ugly.
  if [[ ! -x "$CHROMIUM" ]]; then
    exit 1
  fi
  exit 0
fi

echo "install-browser-deps: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${packages[@]}"
