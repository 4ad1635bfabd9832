#!/bin/sh
# test_fuzz_parser — smoke run of the parser fuzz target (tests/fuzz/fuzz_parser.c): builds it with clang
# and libFuzzer, runs it ~5 s on the seed corpus (tests/corpus) and fails on a crash or a broken
# invariant (test_fuzz_smoke.sh does the run). Skips (exit 0) when clang is not installed or has no
# libFuzzer runtime. Run from anywhere; BUILD defaults to build.
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
FUZZ_SMOKE_TARGETS=parser FUZZ_SMOKE_SECONDS=$secs exec tests/integration/test_fuzz_smoke.sh
