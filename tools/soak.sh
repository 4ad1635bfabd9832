#!/bin/sh
# soak — make soak: SOAK_MINUTES (default 30) of mixed load with ~1% random modem faults; the
# daemon's RSS and open fds sampled every minute must stay flat. Ends with a one-line verdict.
# Not in CI. See tests/fault/soak.py for the knobs (SOAK_SAMPLE_S, SOAK_FAULT_RATE, SOAK_SEED).
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
export BUILD
exec python3 tests/fault/soak.py
