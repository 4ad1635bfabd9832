#!/bin/sh
# make lint: the module dependency rules of STYLE.md, checked on #include lines.
#   gateway -> {parsers, store, common}; parsers -> common; store -> common; console -> {common, store,
#   parsers} (the offline imports open the store); tools -> common.
# Only gateway/modem/modem_worker.c includes <gammu.h> in gateway/; only store/ includes <sqlite3.h>;
# libevent stays in gateway/ and uplink/; libmosquitto only in uplink/mqlink.c, OpenSSL only in uplink/ and
# gateway/http/http.c (the HTTPS listener);
# nothing under parsers/ does I/O (no stdio file calls).
cd "$(dirname "$0")/.." || exit 2
bad=0
say() { echo "lint: $*"; bad=1; }

check_dir() {	# dir allowed-internal-prefixes…
	dir=$1; shift
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -f "$f" ] || continue
		grep -n '#include "' "$f" | while IFS= read -r line; do
			inc=$(echo "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
			case "$inc" in */*) ;; *) continue ;; esac
			mod=${inc%%/*}
			ok=0
			for a in "$dir" "$@"; do [ "$mod" = "$a" ] && ok=1; done
			[ $ok = 1 ] || echo "lint: $f: includes $inc ($dir may not depend on $mod)"
		done
	done
}
out=$( {
	check_dir common
	check_dir parsers common
	check_dir store common
	check_dir gateway parsers store common
	for g in control http modem web; do check_dir gateway/$g gateway parsers store common; done
	check_dir console common store parsers
	check_dir uplink gateway store common
} )
# gateway reaches the uplink only from main.c (it starts and stops the roles)
for f in $(grep -l '#include "uplink/' gateway/*.c gateway/*.h gateway/*/*.c gateway/*/*.h 2>/dev/null); do
	[ "$f" = gateway/main.c ] || out="$out
lint: $f includes uplink/ (only gateway/main.c may)"
done
out=$(echo "$out" | sed '/^lint: gateway\/main.c: includes uplink\//d; /^$/d')
[ -n "$out" ] && { echo "$out"; bad=1; }

for f in $(grep -l '#include <gammu' gateway/*.c gateway/*.h gateway/*/* store/* parsers/* common/* console/* 2>/dev/null); do
	[ "$f" = gateway/modem/modem_worker.c ] || say "$f includes libGammu (only gateway/modem/modem_worker.c may)"
done
# The hub rule: the gateway_* hooks are defined in gateway/gateway.c only (tests use
# tests/unit/gateway_spy.h)
hooks='gateway_(inbox_stored|queue_changed|modem_changed|modem_sent|modem_report|store_failed|store_recovered|render)\('
for f in $(grep -lE "^(void[[:space:]]+)?$hooks" common/*.c parsers/*.c store/*.c gateway/*.c gateway/*/*.c \
    uplink/*.c console/*.c 2>/dev/null); do
	[ "$f" = gateway/gateway.c ] || say "$f defines a gateway_* hook (only gateway/gateway.c may)"
done
# Internal headers belong to their module (libevent's public vs -internal.h headers): every
# */*-internal.h, and parsers/fold.h (the folding tables behind norm.c and gsm7.c), is included only by
# files in its own folder, and by the tests below that reach inside on purpose:
#   tests/fuzz/fuzz_pdu.c       gateway/modem/modem_worker-internal.h (fuzzes the worker's PDU decoding)
#   tests/unit/test_web_html.c  gateway/web/web-internal.h (the console's phrases, cookies and forms)
internal_ok() {	# includer header
	case "$1 $2" in
	"tests/fuzz/fuzz_pdu.c gateway/modem/modem_worker-internal.h" | \
	"tests/unit/test_web_html.c gateway/web/web-internal.h") return 0 ;;
	esac
	[ "$(dirname "$1")" = "$(dirname "$2")" ]
}
srcdirs="common parsers store gateway console uplink tools tests"
for h in $(find $srcdirs -name '*-internal.h' 2>/dev/null | sort) parsers/fold.h; do
	for f in $(grep -rlF "#include \"$h\"" --include='*.[ch]' $srcdirs 2>/dev/null); do
		internal_ok "$f" "$h" || say "$f includes $h (internal to $(dirname "$h")/)"
	done
done
for f in $(grep -l '#include <sqlite3.h>' gateway/* gateway/*/* parsers/* common/* console/* uplink/* tools/*.c 2>/dev/null); do
	say "$f includes sqlite3 (only store/ may)"
done
for f in $(grep -l '#include "paths.h"' common/* parsers/* store/* 2>/dev/null); do
	say "$f includes the generated paths.h (common, parsers and store build without make's gen/)"
done
for f in $(grep -l '#include <systemd/' */*.c */*.h 2>/dev/null); do
	[ "$f" = gateway/main.c ] || say "$f includes libsystemd (only gateway/main.c may)"
done
for f in $(grep -l '#include <event2/' store/* parsers/* common/* console/* 2>/dev/null); do
	say "$f includes libevent (only gateway/, uplink/ and tools/ may)"
done
for f in $(grep -lE '#include <(mosquitto|openssl/)' common/* store/* parsers/* gateway/* gateway/*/* console/* tools/*.c 2>/dev/null); do
	[ "$f" = gateway/http/http.c ] && ! grep -q '#include <mosquitto' "$f" && continue
	say "$f includes libmosquitto or OpenSSL (only uplink/ may, and gateway/http/http.c OpenSSL for HTTPS)"
done
for f in $(grep -l '#include <mosquitto' uplink/* 2>/dev/null); do
	[ "$f" = uplink/mqlink.c ] || say "$f includes libmosquitto (only uplink/mqlink.c may)"
done
for f in $(grep -lE '\b(fopen|open|read|write|printf|fprintf|syslog)\(' parsers/*.c 2>/dev/null); do
	say "$f does I/O (parsers are pure)"
done
# The project is self-contained: nothing in it reads files from outside the tree (the pattern is
# split so this line does not match itself).
outside='\.\./'"shared"
for f in $(grep -rlIE --exclude-dir=.git --exclude-dir=build --exclude-dir=var --exclude-dir='build-*' \
    "$outside" . 2>/dev/null); do
	say "$f refers to ../""shared (outside the project); use the copy in the tree (data/, tests/)"
done
[ $bad = 0 ] && echo "lint: ok"
exit $bad
