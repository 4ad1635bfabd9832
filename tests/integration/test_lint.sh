#!/bin/sh
# The module dependency rules of STYLE.md hold (see tools/lint.sh), and the hub rules fail when broken:
# each violation below is planted in a copy of the sources and must make tools/lint.sh fail with its
# message (a rule that cannot fail checks nothing).
top=$(cd "$(dirname "$0")/../.." && pwd)
"$top/tools/lint.sh" || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/test_lint.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
cd "$top" || exit 2
mkdir -p "$work/tree/tests"
cp -R common parsers store gateway console uplink tools "$work/tree/" || exit 2
cp -R tests/unit tests/fuzz "$work/tree/tests/" || exit 2
if ! out=$("$work/tree/tools/lint.sh" 2>&1); then
	echo "$out"
	echo "FAIL: lint fails on an unchanged copy of the tree"
	exit 1
fi

fail=0
# plant FILE LINE EXPECTED: FILE (new, in the copy) holding LINE must fail lint with EXPECTED
plant() {
	printf '%s\n' "$2" >"$work/tree/$1"
	out=$("$work/tree/tools/lint.sh" 2>&1) && rc=0 || rc=$?
	rm -f "$work/tree/$1"
	if [ "$rc" -ne 1 ] || ! printf '%s\n' "$out" | grep -qF "$3"; then
		printf '%s\n' "$out"
		echo "FAIL: $1 with '$2': lint exit $rc, expected 1 and '$3'"
		fail=1
	else
		echo "ok: $1: $3"
	fi
}
plant store/planted.c 'void gateway_modem_sent(int id) { }' \
    'store/planted.c defines a gateway_* hook'
plant gateway/planted.c '#include "parsers/fold.h"' \
    'gateway/planted.c includes parsers/fold.h (internal to parsers/)'
plant tests/unit/test_planted.c '#include "parsers/fold.h"' \
    'tests/unit/test_planted.c includes parsers/fold.h (internal to parsers/)'
plant console/planted.c '#include "store/store-internal.h"' \
    'console/planted.c includes store/store-internal.h (internal to store/)'
plant gateway/web/planted.c '#include "gateway/http/ussd-internal.h"' \
    'gateway/web/planted.c includes gateway/http/ussd-internal.h (internal to gateway/http/)'
plant tests/unit/test_planted.c '#include "gateway/modem/modem_worker-internal.h"' \
    'tests/unit/test_planted.c includes gateway/modem/modem_worker-internal.h (internal to gateway/modem/)'
plant tests/unit/test_planted.c '#include "uplink/uplink-internal.h"' \
    'tests/unit/test_planted.c includes uplink/uplink-internal.h (internal to uplink/)'
plant gateway/planted.c '#include "gateway/web/web-internal.h"' \
    'gateway/planted.c includes gateway/web/web-internal.h (internal to gateway/web/)'
exit $fail
