#!/bin/sh
# bench_modem_smsd — the reference for bench_modem's ingest figure: gammu-smsd (Debian package
# gammu-smsd, files backend, no sleeps) taking the same 1,000 SMS (10% two-part, 10% UCS-2) off a
# Gammu dummy phone. Prints the wall time until the phone is empty and every message is in
# smsd's inbox, and the CPU it used meanwhile. Skipped when gammu-smsd is not installed.
BUILD=${BUILD:-build}
command -v gammu-smsd >/dev/null 2>&1 || { echo "smsd    skipped: gammu-smsd not installed (apt-get install gammu-smsd)"; exit 0; }
[ -x "$BUILD/bench/bench_modem" ] || { echo "smsd    skipped: $BUILD/bench/bench_modem not built"; exit 0; }
d=$(mktemp -d /tmp/kt-bench-smsd-XXXXXX)
trap 'kill $pid 2>/dev/null; rm -rf "$d"' EXIT
mkdir -p "$d/in" "$d/out" "$d/sent" "$d/err"
parts=$("$BUILD/bench/bench_modem" gen "$d/phone" 1000)
cat > "$d/smsdrc" <<EOC
[gammu]
model = dummy
connection = none
device = $d/phone
[smsd]
service = files
inboxpath = $d/in/
outboxpath = $d/out/
sentsmspath = $d/sent/
errorsmspath = $d/err/
logfile = $d/smsd.log
debuglevel = 0
commtimeout = 0
sendtimeout = 30
receivefrequency = 0
statusfrequency = 0
loopsleep = 0
checksecurity = 0
checkbattery = 0
checksignal = 0
checknetwork = 0
hangupcalls = 0
EOC
start=$(date +%s.%N)
gammu-smsd -c "$d/smsdrc" -L >"$d/smsd.out" 2>&1 &
pid=$!
while :; do
	left=$(find "$d/phone/sms/1" -type f ! -name '.*' | wc -l)
	got=$(find "$d/in" -type f | wc -l)
	[ "$left" -eq 0 ] && [ "$got" -ge 1000 ] && break
	now=$(date +%s.%N)
	[ "$(echo "$now - $start > 60" | bc)" = 1 ] && { echo "smsd    TIMEOUT: left=$left stored=$got"; break; }
	sleep 0.02
done
end=$(date +%s.%N)
t0=$(awk '{print $14+$15}' /proc/$pid/stat)
sleep 2
t1=$(awk '{print $14+$15}' /proc/$pid/stat)
hz=$(getconf CLK_TCK)
echo "smsd    gammu-smsd: $parts parts -> $(find "$d/in" -type f | wc -l) inbox files in $(echo "$end - $start" | bc) s"
echo "smsd    gammu-smsd idle afterwards: $(echo "scale=1; 100 * ($t1 - $t0) / $hz / 2" | bc)% of a core"
