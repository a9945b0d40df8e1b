#!/usr/bin/env bash
# CI: every C++/CUDA file under native/ must be formatted as .clang-format says.
# Usage: bash scripts/check-format-cpp.sh   (CLANG_FORMAT=/path/to/clang-format to choose the binary)
# To reformat instead: clang-format -i $(git ls-files 'native/*.h' 'native/*.cpp' 'native/*.cu' 'native/*.cuh')
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT="${CLANG_FORMAT:-clang-format}"
if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
  echo "check-format-cpp: $CLANG_FORMAT not found (Debian: apt-get install -y clang-format)" >&2
  exit 1
fi
mapfile -t files < <(find native -type f \( -name '*.h' -o -name '*.cpp' -o -name '*.cu' -o -name '*.cuh' \) | sort)
if [ ${#files[@]} -eq 0 ]; then
  echo "check-format-cpp: no native sources"
  exit 0
fi
"$CLANG_FORMAT" --version
if "$CLANG_FORMAT" --dry-run --Werror "${files[@]}"; then
  echo "check-format-cpp: ${#files[@]} files OK"
else
  echo "check-format-cpp: run clang-format -i on the files above" >&2
  exit 1
fi
