#!/bin/sh
# torture — make torture: the long versions of the reliability tests (issue 5). Not in CI.
#   * the random kill -9 loop for TORTURE_ROUNDS rounds (default 500), checked every 10 rounds;
#   * the crash-point loop TORTURE_REPEAT times (default 3);
#   * storage faults on writes, fsyncs and SQLite allocations (failing VFS), and a full disk;
#   * every modem fault (deregister included).
# Prints each test's figures and a last line "torture: PASS|FAIL … in N s". BUILD as for make.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
export BUILD
rounds=${TORTURE_ROUNDS:-500}
repeat=${TORTURE_REPEAT:-3}
start=$(date +%s)
fails=0
run() {
	name=$1; shift
	echo "== $name"
	if "$@"; then :; else
		echo "FAIL: $name (exit $?)"
		fails=$((fails + 1))
	fi
}
run "random kill -9 x$rounds" env KT_CRASH_ROUNDS="$rounds" tests/integration/test_crash_random.py
i=1
while [ "$i" -le "$repeat" ]; do
	run "crash points, pass $i/$repeat" tests/integration/test_crash_points.py
	i=$((i + 1))
done
run "storage faults (write, sync, malloc)" env KT_FAULT_OPS="write sync malloc" tests/integration/test_faults_store.py
run "full disk" tests/integration/test_faults_disk.py
run "modem faults (all)" env KT_MODEM_FAULTS=all tests/integration/test_faults_modem.py
secs=$(( $(date +%s) - start ))
if [ "$fails" -eq 0 ]; then
	echo "torture: PASS ($rounds random kills, $repeat crash-point passes, storage and modem faults) in ${secs}s"
else
	echo "torture: FAIL ($fails failed) in ${secs}s"
	exit 1
fi
