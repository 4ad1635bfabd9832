#!/bin/sh
# valgrind — make valgrind: runs integration tests with every kentongand under valgrind
# (tests/integration/kt.py honours KT_VALGRIND=1: memcheck, --leak-check=full, definite leaks are
# errors, --error-exitcode=99). Each process writes its own report (VALGRIND_OPTS --log-file=…%p):
# the modem workers are fork()ed children, which valgrind follows without --trace-children (that
# option is about exec), so they are checked too; the socat helpers libGammu exec()s for
# proxyat are not ours and are not traced. The verdict is the reports': any error or definite
# leak fails, and every daemon exit status 99 too. Tests that time out only because valgrind is
# ~20x slower are listed but do not decide the verdict.
# VALGRIND_TESTS: test name patterns (tests/run.sh), default the integration suite without the
# crash/torture tests (SIGKILL and abort() end processes before valgrind can report).
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
export BUILD
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: not installed (apt-get install valgrind)"
	exit 1
fi
logs=$(mktemp -d "${TMPDIR:-/tmp}/kt-valgrind.XXXXXX") || exit 2
tests=${VALGRIND_TESTS:-"integration/test_foundation integration/test_modems_dummy integration/test_faults_store integration/test_faults_modem"}
export KT_VALGRIND=1
export VALGRIND_OPTS="--log-file=$logs/vg.%p.log --num-callers=30"
echo "valgrind: reports in $logs"
tests/run.sh $tests | tee "$logs/run.txt"
bad=0
nrep=0
for f in "$logs"/vg.*.log; do
	[ -f "$f" ] || continue
	nrep=$((nrep + 1))
	# -q: a clean process writes nothing
	if [ -s "$f" ] && grep -qE '==[0-9]+== ([A-Z]|.*(definitely lost|Invalid|uninitialised|Mismatched))' "$f"; then
		echo "--- $f"
		head -n 60 "$f"
		bad=$((bad + 1))
	fi
done
echo "valgrind: $nrep processes checked, $bad with errors or definite leaks"
[ "$bad" -eq 0 ]
