#!/usr/bin/env bash
# Debian packages the test suite needs, installed only when missing (root needed only then):
#   chromium          the Playwright browser tests drive Debian's chromium (Playwright cannot
#                     download its own browsers here);
#   fonts-noto-cjk    Chinese text in screenshots and in PDFs;
#   libreoffice-calc, libreoffice-writer
#                     the exports are converted to PDF in a test (soffice --headless);
#   poppler-utils     pdftotext / pdftoppm, to read those PDFs back.
set -euo pipefail

packages=()
[[ -x /usr/bin/chromium ]] || packages+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || ! fc-list | grep -qi "Noto Sans CJK"; then packages+=(fonts-noto-cjk); fi
command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-calc libreoffice-writer)
command -v pdftotext >/dev/null 2>&1 || packages+=(poppler-utils)

if [[ ${#packages[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-system-deps: missing ${packages[*]} and not running as root." >&2
  echo "  Install them with:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 1
fi

echo "install-system-deps: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
