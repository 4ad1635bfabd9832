#!/bin/sh
# test_fuzz_smoke — short runs of the libFuzzer targets (tests/fuzz/fuzz.mk): the config reader,
# the control protocol, inbound SMS decoding, the web form parser, the CSV reader and the table
# writer, FUZZ_SMOKE_SECONDS each (default 4), each with the seeds, dictionary and options of its
# `make fuzz-NAME` (FUZZ_SMOKE_TARGETS picks others: test_fuzz_parser runs the parser's). Fails on a
# crash, a leak, a timeout or a broken invariant, and keeps the input in $BUILD/fuzz/ (add it to
# tests/fuzz/NAME-seeds once fixed: findings become corpus cases). Skips (exit 0) when clang is not
# installed.
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
# the sanitizer flags of the enclosing make must not leak into these builds
fmake() { env -u SANITIZE make --no-print-directory BUILD="$BUILD" SANITIZE= "$@"; }
fail=0
for t in $targets; do
	if ! fmake "$BUILD/fuzz/fuzz_$t" >"$work/build-$t" 2>&1; then
		cat "$work/build-$t"
		echo "FAIL: cannot build $BUILD/fuzz/fuzz_$t"
		fail=1
		continue
	fi
	# new inputs and findings go to $work (FUZZ_DIR), not to the kept corpus
	fmake -s FUZZ_SECONDS="$secs" FUZZ_DIR="$work" FUZZ_OPTS=-rss_limit_mb=2048 "fuzz-$t" >"$work/log-$t" 2>&1
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
