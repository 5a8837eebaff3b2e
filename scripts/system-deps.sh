#!/usr/bin/env bash
# Installs the Debian packages Đôn đốc needs, non-interactively, and only when one is missing.
#   scripts/system-deps.sh          run:   gettext (compiled vi locale), Pango + fonts (WeasyPrint)
#   scripts/system-deps.sh test     + Chromium (browser tests)
#   scripts/system-deps.sh ci       + PostgreSQL server (the second test run)
set -euo pipefail

packages=(gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
case "${1:-run}" in
  test) packages+=(chromium) ;;
  ci) packages+=(chromium postgresql) ;;
  run) ;;
  *) echo "usage: $0 [run|test|ci]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo -n)
else
  echo "Missing Debian packages: ${missing[*]}. Install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
