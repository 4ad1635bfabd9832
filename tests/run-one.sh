# run-one.sh — sourced by tests/run.sh (and by its parallel jobs): run_one NAME CMD…
# run_one NAME CMD: runs one test, prints its line, leaves NAME.ok or NAME.fail in $logs.
run_one() {
	name=$1; shift
	base="$logs/$(echo "$name" | tr '/' '_')"
	start=$(date +%s.%N)
	"$@" >"$base.log" 2>&1
	rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
	if [ $rc = 0 ]; then
		: >"$base.ok"
		printf '  PASS  %-48s %7ss\n' "$name" "$secs"
	else
		: >"$base.fail"
		{
			printf '  FAIL  %-48s %7ss (exit %s)\n' "$name" "$secs" "$rc"
			tail -n 40 "$base.log" | sed 's/^/        | /'
		} | cat	# one write, so parallel jobs do not interleave
	fi
}

