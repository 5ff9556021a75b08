#!/usr/bin/env bash
# System packages SciRay needs: libseccomp (render sandbox), TeX and poppler (TikZ renderer),
# Tesseract (the OCR proxy validator for images without a scene).
# Does nothing when they are all installed; uses sudo when not root.
set -euo pipefail
PACKAGES=(libseccomp2 texlive-latex-base texlive-pictures texlive-latex-extra poppler-utils tesseract-ocr)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
    echo "install these packages with your system's package manager: ${missing[*]}" >&2
    exit 2
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
