#!/usr/bin/env bash
# Fails if any tracked C source or header differs from what .clang-format asks for.
#   build/check-format.sh          check
#   build/check-format.sh --fix    rewrite the files in place
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
[ ${#files[@]} -eq 0 ] && exit 0
if [ "${1:-}" = "--fix" ]; then
	clang-format -i "${files[@]}"
	exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/tessera-format.$$; then
	grep -E '^[^ ].*(warning|error):' /tmp/tessera-format.$$ | cut -d: -f1 | sort -u | sed 's/^/needs formatting: /'
	rm -f /tmp/tessera-format.$$
	echo "tessera: run build/check-format.sh --fix" >&2
	exit 1
fi
rm -f /tmp/tessera-format.$$
echo "format: ${#files[@]} files clean"
