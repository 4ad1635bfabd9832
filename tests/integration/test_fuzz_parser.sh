#!/bin/sh
# test_fuzz_parser — smoke run of the parser fuzz target (tests/fuzz/fuzz_parser.c): builds it with clang
# and libFuzzer, runs it ~5 s on the seed corpus (tests/corpus) and fails on a crash or a broken
# invariant. Skips (exit 0) when clang is not installed. Run from anywhere; BUILD defaults to build.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
secs=${FUZZ_SMOKE_SECONDS:-5}

if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	echo "skipped: no clang"
	exit 0
fi
probe=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_probe.XXXXXX") || exit 2
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
    >"$probe/p.c"
if ! "${FUZZ_CC:-clang}" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
	rm -rf "$probe"
	echo "skipped: ${FUZZ_CC:-clang} has no libFuzzer runtime"
	exit 0
fi
rm -rf "$probe"
# the sanitizer flags of the enclosing make must not leak into this build
if ! env -u SANITIZE make --no-print-directory BUILD="$BUILD" SANITIZE= "$BUILD/fuzz/fuzz_parser"; then
	echo "FAIL: cannot build $BUILD/fuzz/fuzz_parser"
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_parser.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
# new inputs go to $work/corpus; crashes are written to $work/
mkdir -p "$work/corpus"
"$BUILD/fuzz/fuzz_parser" -max_total_time="$secs" -dict=tests/fuzz/parser.dict -max_len=4096 \
    -timeout=10 -artifact_prefix="$work/" "$work/corpus" tests/corpus >"$work/log" 2>&1
rc=$?
if [ $rc -ne 0 ] || ls "$work"/crash-* "$work"/timeout-* "$work"/leak-* >/dev/null 2>&1; then
	tail -n 60 "$work/log"
	for f in "$work"/crash-* "$work"/timeout-* "$work"/leak-*; do
		[ -f "$f" ] || continue
		mkdir -p "$BUILD/fuzz"
		cp "$f" "$BUILD/fuzz/" && echo "kept $BUILD/fuzz/$(basename "$f")"
	done
	echo "FAIL: fuzz_parser exit $rc"
	exit 1
fi
grep -E '^Done|^#[0-9]+.*DONE' "$work/log" | tail -n 1
echo "ok: fuzz_parser ran ${secs}s without a crash"
exit 0
