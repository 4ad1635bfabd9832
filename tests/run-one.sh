# run-one.sh — sourced by tests/run.sh (and by its parallel jobs): run_one NAME CMD…
# run_one NAME CMD: runs one test, prints its line, leaves NAME.ok or NAME.fail in $logs.
# Each test runs in its own process group (setsid); whatever of that group still runs when the
# test ends (a test that failed before its clean-up; zombies aside) is listed in its log and
# killed, and an interrupted run (Ctrl-C, SIGTERM) takes the test's group down with it.
run_one() {
	name=$1; shift
	base="$logs/$(echo "$name" | tr '/' '_')"
	start=$(date +%s.%N)
	# in the background of a non-interactive shell setsid(1) does not fork: $! is the group id
	setsid "$@" >"$base.log" 2>&1 &
	pgid=$!
	trap 'kill -TERM -$pgid 2>/dev/null; sleep 2; kill -KILL -$pgid 2>/dev/null; exit 130' INT TERM HUP
	wait $pgid
	rc=$?
	trap - INT TERM HUP
	left=$(ps -e -o pid=,pgid=,stat=,args= | awk -v g="$pgid" '$2 == g && $3 !~ /^Z/')
	if [ -n "$left" ]; then
		kill -KILL -"$pgid" 2>/dev/null
		printf 'run-one: killed what the test left running:\n%s\n' "$left" >>"$base.log"
	fi
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
	if [ $rc = 0 ]; then
		: >"$base.ok"
		printf '  PASS  %-48s %7ss%s\n' "$name" "$secs" "${left:+ (left processes running: killed)}"
	else
		: >"$base.fail"
		{
			printf '  FAIL  %-48s %7ss (exit %s)\n' "$name" "$secs" "$rc"
			tail -n 40 "$base.log" | sed 's/^/        | /'
		} | cat	# one write, so parallel jobs do not interleave
	fi
}
