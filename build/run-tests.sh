#!/usr/bin/env bash
# Every test: the format check, the unit tests (criterion, host), the integration tests (criterion, each
# boots QEMU). Ends with one line "total: N passed, N failed" summing all of them; exits 1 on any failure.
#   build/run-tests.sh OUT_DIR [unit|integration|format]...
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	cat <<'EOF_USAGE'
usage: ./tessera test [format|unit|integration]...

Builds what changed, then runs the format check, the unit tests and the integration tests (each boots
QEMU), or only the suites named. Ends with "total: N passed, N failed".
TESSERA_TEST_JOBS=N runs N tests at a time (default: the number of CPUs).

Exit status: 0 all passed, 1 a test failed, 2 bad arguments, 130 interrupted (Ctrl-C or SIGTERM).
EOF_USAGE
}

out=${1:-}
shift || true
for a in "$@"; do
	case "$a" in
	-h | --help)
		usage
		exit 0
		;;
	esac
done
if [ -z "$out" ]; then
	usage >&2
	exit 2
fi
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(format unit integration)
jobs=${TESSERA_TEST_JOBS:-$(nproc)}
passed=0
failed=0
status=0

# Ctrl-C or SIGTERM: stop the running suite and end at once. A criterion runner makes itself a process
# group leader (its workers follow it when it dies), so a terminal's SIGINT never reaches it: kill its
# group; tessera's QEMUs die with their tessera through PR_SET_PDEATHSIG.
suite_pid=
suite_name=
interrupted() {
	trap '' INT TERM
	if [ -n "$suite_pid" ]; then
		kill -TERM -- "-$suite_pid" 2>/dev/null || kill -TERM "$suite_pid" 2>/dev/null
		for _ in $(seq 30); do
			kill -0 "$suite_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$suite_pid" 2>/dev/null || kill -KILL "$suite_pid" 2>/dev/null
		wait 2>/dev/null
	fi
	rm -f "${fifo:-}" "${log:-}"
	echo "tessera: interrupted${suite_name:+ during the $suite_name tests}; stopped them" \
		"($passed passed, $failed failed before)" >&2
	exit 130
}
trap interrupted INT TERM

# criterion ends with "[====] Synthesis: Tested: N | Passing: N | Failing: N | Crashing: N" on stderr.
run_criterion() {
	local name=$1 bin=$2
	shift 2
	echo "== $name tests"
	local log fifo tee_pid rc
	log=$(mktemp)
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	# tee ignores INT so that Ctrl-C does not cut the output short before the suite is stopped
	(
		trap '' INT TERM
		exec tee "$log"
	) <"$fifo" &
	tee_pid=$!
	"$bin" -j"$jobs" "$@" >"$fifo" 2>&1 &
	suite_pid=$!
	suite_name=$name
	wait "$suite_pid"
	rc=$?
	suite_pid=
	suite_name=
	wait "$tee_pid"
	rm -f "$fifo"
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
