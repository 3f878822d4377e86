#!/usr/bin/env bash
# Every test: the format check, the unit tests (criterion, host), the integration tests (criterion, each
# boots QEMU). Ends with one line "total: N passed, N failed" summing all of them; exits 1 on any failure.
#   build/run-tests.sh OUT_DIR [unit|integration|format]... [-- CRITERION_OPTIONS...]
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	cat <<'EOF_USAGE'
usage: ./tessera test [format|unit|integration]... [-- CRITERION_OPTIONS...]

Builds what changed, then runs the format check, the unit tests and the integration tests (each boots
QEMU), or only the suites named. Ends with "total: N passed, N failed".
Options after -- go to the criterion runners, e.g. ./tessera test integration -- --filter 'run/*'.
TESSERA_TEST_JOBS=N runs N tests at a time (default: the number of CPUs).
A process a suite leaves running after it ends is a failure (it is named, then stopped).

Exit status: 0 all passed, 1 a test failed, 2 bad arguments, 130 interrupted (Ctrl-C or SIGTERM).
EOF_USAGE
}

out=${1:-}
shift || true
suites=()
criterion_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help)
		usage
		exit 0
		;;
	--)
		shift
		criterion_args=("$@")
		break
		;;
	*) suites+=("$1") ;;
	esac
	shift
done
if [ -z "$out" ]; then
	usage >&2
	exit 2
fi
for s in "${suites[@]}"; do
	case "$s" in
	format | unit | integration) ;;
	*)
		echo "tessera: unknown test suite '$s' (format, unit, integration)" >&2
		exit 2
		;;
	esac
done
[ ${#suites[@]} -eq 0 ] && suites=(format unit integration)
jobs=${TESSERA_TEST_JOBS:-$(nproc)}
passed=0
failed=0
status=0

# Every process a suite starts carries this variable in its environment (criterion's workers, the tessera
# runs of the tests, their QEMUs, lttng daemons), whatever session or process group it moved to: that is
# how this script finds them all, to stop them on Ctrl-C and to catch any a suite leaves behind. A nested
# run (a test that runs this script) adds its own variable and keeps ours.
run_mark="TESSERA_TEST_RUN_$$_${RANDOM}${RANDOM}"

# The pids whose environment carries run_mark (not zombies: their environ reads empty).
marked_pids() {
	grep -lzx "$run_mark=1" /proc/[0-9]*/environ 2>/dev/null | sed -E 's|/proc/([0-9]+)/environ|\1|'
}

# Stop every marked process: SIGTERM (tessera then stops its QEMU itself), SIGKILL what is left after
# 2 s; return once none is left, so nothing outlives this script.
stop_marked() {
	local pids
	pids=$(marked_pids)
	[ -n "$pids" ] || return 0
	kill -TERM $pids 2>/dev/null
	for _ in $(seq 20); do
		pids=$(marked_pids)
		[ -n "$pids" ] || return 0
		sleep 0.1
	done
	kill -KILL $pids 2>/dev/null
	for _ in $(seq 50); do
		[ -n "$(marked_pids)" ] || return 0
		sleep 0.1
	done
}

# Ctrl-C or SIGTERM: stop the running suite and end at once. A criterion runner makes itself a process
# group leader and its workers are session leaders, so a terminal's SIGINT reaches none of them: stop the
# runner's group, then everything marked.
suite_pid=
suite_name=
interrupted() {
	trap '' INT TERM
	if [ -n "$suite_pid" ]; then
		kill -TERM -- "-$suite_pid" 2>/dev/null || kill -TERM "$suite_pid" 2>/dev/null
	fi
	stop_marked
	if [ -n "$suite_pid" ]; then
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
	env "$run_mark=1" "$bin" -j"$jobs" "$@" >"$fifo" 2>&1 &
	suite_pid=$!
	suite_name=$name
	wait "$suite_pid"
	rc=$?
	suite_pid=
	suite_name=
	wait "$tee_pid"
	rm -f "$fifo"
	# A test that ends before what it started (a daemon on its way out gets a moment) fails the run.
	local left
	for _ in $(seq 30); do
		left=$(marked_pids)
		[ -n "$left" ] || break
		sleep 0.1
	done
	if [ -n "$left" ]; then
		echo "tessera: the $name tests left processes running; stopping them:"
		for p in $left; do
			echo "  $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		done
		stop_marked
		failed=$((failed + 1))
		status=1
	fi
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
	unit) run_criterion unit "$out/unit_tests" "${criterion_args[@]}" ;;
	integration) run_criterion integration "$out/integration_tests" "${criterion_args[@]}" ;;
	esac
done
echo "total: $passed passed, $failed failed"
exit $status
