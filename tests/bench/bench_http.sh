#!/bin/sh
# bench_http: USSD callbacks per second and latency percentiles against a real kentongand on
# loopback, with wrk (preferred) or ab. Scenarios: the main menu (a new session per request), a
# village search with an ambiguous name (store look-ups and a paged list), and an aggregator
# retrying the same text. Figures are printed, never asserted (target: >= 5,000 requests/s with
# p99 < 10 ms). Skips when neither wrk nor ab is installed (apt-get install wrk apache2-utils).
# BENCH_SECONDS (default 5) per scenario; BENCH_CONNECTIONS (default 16).
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
secs=${BENCH_SECONDS:-5}
conns=${BENCH_CONNECTIONS:-16}
if command -v wrk >/dev/null 2>&1; then
	tool=wrk
elif command -v ab >/dev/null 2>&1; then
	tool=ab
else
	echo "bench_http: skipped (neither wrk nor ab is installed: apt-get install wrk apache2-utils)"
	exit 0
fi
[ -x "$BUILD/kentongand" ] || { echo "bench_http: $BUILD/kentongand is missing (make)"; exit 1; }

dir=$(mktemp -d /tmp/kt-bench-http.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/kentongan.conf" <<EOF
[gateway]
database = var/kentongan.db
control = var/kentongan.sock
areas = 32

[http]
listen = 127.0.0.1:$port
token = bench
EOF
wilayah="$top/data/wilayah"
if [ -d "$wilayah" ]; then
	"$BUILD/kentongan" -c "$dir/kentongan.conf" areas import "$wilayah" >/dev/null || exit 1
fi
"$BUILD/kentongand" -d -c "$dir/kentongan.conf" 2>"$dir/daemon.log" &
pid=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "bench_http: the daemon did not start:"; cat "$dir/daemon.log"; exit 1; }
	sleep 0.1
done
echo "tool: $tool, $conns connections, ${secs}s per scenario, daemon pid $pid (one thread)"

# scenario NAME TEXT FIXED_SESSION
scenario() {
	name=$1 text=$2 fixed=$3
	if [ $tool = wrk ]; then
		cat > "$dir/s.lua" <<EOF
local n = 0
local fixed = "$fixed"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Bearer bench"
request = function()
	n = n + 1
	local sid = fixed ~= "" and fixed or ("b" .. n .. "-" .. math.random(1e9))
	return wrk.format(nil, "/ussd", nil, "sessionId=" .. sid .. "&serviceCode=*123*45%23&phoneNumber=081234567890&text=$text")
end
EOF
		out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$dir/s.lua" "http://127.0.0.1:$port" 2>&1)
		rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
		p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
		p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
		errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
	else
		printf 'sessionId=%s&serviceCode=*123*45%%23&phoneNumber=081234567890&text=%s' "${fixed:-ab}" "$text" \
		    > "$dir/body"
		out=$(ab -q -k -t "$secs" -n 10000000 -c "$conns" -p "$dir/body" -T application/x-www-form-urlencoded \
		    -H "Authorization: Bearer bench" "http://127.0.0.1:$port/ussd" 2>&1)
		rps=$(echo "$out" | awk '/Requests per second/ {print $4}')
		p50=$(echo "$out" | awk '$1 == "50%" {print $2 "ms"}')
		p99=$(echo "$out" | awk '$1 == "99%" {print $2 "ms"}')
		errs=$(echo "$out" | awk '/Non-2xx|Failed requests/ {print}' | tr '\n' ' ')
	fi
	printf '  %-44s %10s req/s   p50 %-9s p99 %-9s %s\n' "$name" "$rps" "$p50" "$p99" "$errs"
}

scenario "main menu, a new session per request" "" ""
scenario "village search (ambiguous name: Sukamaju)" "1*Sukamaju" ""
scenario "aggregator retry of the same text" "1*Sukamaju*0" "retry-1"
scenario "deep page of the search, new sessions" "1*Sukamaju*0*0*0" ""
rss=$(awk '/VmRSS/ {print $2 " " $3}' /proc/$pid/status 2>/dev/null)
echo "  daemon RSS after the runs: $rss (sessions are capped at 10,000)"
