#!/usr/bin/env bash
# Every test: the format check, the unit tests (criterion, host), the integration tests (criterion, each
# boots QEMU). Ends with one line "total: N passed, N failed" summing all of them; exits 1 on any failure.
#   build/run-tests.sh OUT_DIR [unit|integration|format]...
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$1
shift
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(format unit integration)
jobs=${TESSERA_TEST_JOBS:-$(nproc)}
passed=0
failed=0
status=0

# criterion ends with "[====] Synthesis: Tested: N | Passing: N | Failing: N | Crashing: N" on stderr.
run_criterion() {
	local name=$1 bin=$2
	shift 2
	echo "== $name tests"
	local log
	log=$(mktemp)
	"$bin" -j"$jobs" "$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -a 'Synthesis:' "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "tessera: $name tests did not finish (exit $rc)"
		failed=$((failed + 1))
		status=1
		return
	fi
	local t p
	t=$(sed -E 's/.*Tested: ([0-9]+).*/\1/' <<<"$line")
	p=$(sed -E 's/.*Passing: ([0-9]+).*/\1/' <<<"$line")
	passed=$((passed + p))
	failed=$((failed + t - p))
	[ "$rc" -eq 0 ] || status=1
}

for s in "${suites[@]}"; do
	case "$s" in
	format)
		echo "== format check"
		if "$root/build/check-format.sh"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			status=1
		fi
		;;
	unit) run_criterion unit "$out/unit_tests" ;;
	integration) run_criterion integration "$out/integration_tests" ;;
	*)
		echo "tessera: unknown test suite '$s' (format, unit, integration)" >&2
		exit 2
		;;
	esac
done
echo "total: $passed passed, $failed failed"
exit $status
