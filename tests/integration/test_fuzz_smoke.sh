#!/bin/sh
# test_fuzz_smoke — short runs of the reliability suite's libFuzzer targets (tests/fuzz/fuzz.mk):
# the config reader, the control protocol, inbound SMS decoding, the CSV reader and the table
# writer, FUZZ_SMOKE_SECONDS each
# (default 4) on their seed corpora with their dictionaries. Fails on a crash, a leak, a timeout
# or a broken invariant, and keeps the input in $BUILD/fuzz/ (add it to tests/fuzz/NAME-seeds
# once fixed: findings become corpus cases). Skips (exit 0) when clang is not installed.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
secs=${FUZZ_SMOKE_SECONDS:-4}
targets=${FUZZ_SMOKE_TARGETS:-"conf ctl pdu webform csv table"}

if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	echo "skipped: no clang"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_smoke.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
fail=0
for t in $targets; do
	# the sanitizer flags of the enclosing make must not leak into this build
	if ! env -u SANITIZE make --no-print-directory BUILD="$BUILD" SANITIZE= "$BUILD/fuzz/fuzz_$t" >"$work/build-$t" 2>&1; then
		cat "$work/build-$t"
		echo "FAIL: cannot build $BUILD/fuzz/fuzz_$t"
		fail=1
		continue
	fi
	mkdir -p "$work/$t"
	"$BUILD/fuzz/fuzz_$t" -max_total_time="$secs" -dict="tests/fuzz/$t.dict" -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$work/$t-" "$work/$t" "tests/fuzz/$t-seeds" >"$work/log-$t" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || ls "$work/$t"-crash-* "$work/$t"-timeout-* "$work/$t"-leak-* >/dev/null 2>&1; then
		tail -n 40 "$work/log-$t"
		for f in "$work/$t"-crash-* "$work/$t"-timeout-* "$work/$t"-leak-*; do
			[ -f "$f" ] || continue
			mkdir -p "$BUILD/fuzz"
			cp "$f" "$BUILD/fuzz/" && echo "kept $BUILD/fuzz/$(basename "$f")"
		done
		echo "FAIL: fuzz_$t exit $rc"
		fail=1
		continue
	fi
	echo "ok: fuzz_$t ran ${secs}s: $(grep -E '^Done' "$work/log-$t" | tail -n 1)"
done
exit $fail
