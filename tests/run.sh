#!/bin/sh
# Runs the test suite: unit tests (cmocka binaries), then integration scripts (KT_JOBS at a time,
# default 3: they mostly wait on simulated modems), then ends with "N passed, N failed".
# Usage: tests/run.sh [PATTERN…] (substring match on test names). Each test's output goes to
# build/test-logs/NAME.log and its tail is shown when it fails.
BUILD=${BUILD:-build}
export BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
logs="$BUILD/test-logs"
rm -rf "$logs"
mkdir -p "$logs"
PATTERNS="$*"
JOBS=${KT_JOBS:-3}

wanted() {
	[ -z "$PATTERNS" ] && return 0
	for p in $PATTERNS; do
		case "$1" in *"$p"*) return 0 ;; esac
	done
	return 1
}

. "$top/tests/run-one.sh"

echo "unit tests"
for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	n="unit/$(basename "$t")"
	wanted "$n" && run_one "$n" "$t"
done

echo "integration tests ($JOBS at a time)"
list=""
for t in tests/integration/test_*; do
	[ -x "$t" ] || continue
	n="integration/$(basename "$t")"
	wanted "$n" && list="$list $t"
done
if [ -n "$list" ]; then
	export logs
	for t in $list; do echo "$t"; done | xargs -P "$JOBS" -I{} sh -c '
		. "$0"
		run_one "integration/$(basename "{}")" "{}"' "$top/tests/run-one.sh"
fi

pass=$(ls "$logs" | grep -c '\.ok$')
fail=$(ls "$logs" | grep -c '\.fail$')
echo
if [ "$fail" -gt 0 ]; then
	printf 'failed:'
	ls "$logs" | sed -n 's/\.fail$//p' | tr '\n' ' '
	echo
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
