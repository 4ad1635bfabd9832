#!/bin/sh
# Runs every benchmark: the compiled programs given as arguments, then tests/bench/bench_*.sh and
# bench_*.py scripts. Each prints its own figures; this only frames them.
BUILD=${BUILD:-build}
export BUILD
for p in "$@"; do
	echo "== $(basename "$p")"
	"$p" || echo "   (exit $?)"
done
for s in tests/bench/bench_*.sh tests/bench/bench_*.py; do
	[ -x "$s" ] || continue
	echo "== $(basename "$s")"
	"$s" || echo "   (exit $?)"
done
