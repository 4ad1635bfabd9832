#!/bin/sh
# Runs the test suite: unit tests (cmocka binaries), then integration scripts, then ends with the
# line "N passed, N failed". Usage: tests/run.sh [PATTERN…] (substring match on test names).
# Each test's output goes to build/test-logs/NAME.log and is shown when it fails.
BUILD=${BUILD:-build}
export BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
logs="$BUILD/test-logs"
mkdir -p "$logs"
pass=0 fail=0 failed=""

want() {
	[ $# -eq 0 ] && return 0
	for p in $PATTERNS; do
		case "$1" in *"$p"*) return 0 ;; esac
	done
	return 1
}
PATTERNS="$*"

run_one() {
	name=$1; shift
	if [ -n "$PATTERNS" ]; then
		matched=0
		for p in $PATTERNS; do case "$name" in *"$p"*) matched=1 ;; esac; done
		[ $matched = 1 ] || return 0
	fi
	log="$logs/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s.%N)
	if "$@" >"$log" 2>&1; then
		rc=0
	else
		rc=$?
	fi
	secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")
	if [ $rc = 0 ]; then
		pass=$((pass + 1))
		printf '  PASS  %-48s %6.2fs\n' "$name" "$secs"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		printf '  FAIL  %-48s %6.2fs (exit %s)\n' "$name" "$secs" "$rc"
		tail -n 40 "$log" | sed 's/^/        | /'
	fi
}

echo "unit tests"
for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done
echo "integration tests"
for t in tests/integration/test_*; do
	[ -x "$t" ] || continue
	run_one "integration/$(basename "$t")" "$t"
done
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
