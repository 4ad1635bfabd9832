#!/bin/sh
# test_web_phrases — every phrase key the web console's code uses ("nav.compose", …) is in
# gateway/web/strings.tsv, and every line there has a key, an Indonesian and an English text.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
tsv=gateway/web/strings.tsv
fail=0
bad=$(grep -v '^#' "$tsv" | grep . | awk -F'\t' 'NF != 3 || $2 == "" || $3 == "" { print NR": "$0 }')
if [ -n "$bad" ]; then
	echo "FAIL: lines of $tsv without key, Indonesian and English:"
	echo "$bad"
	fail=1
fi
keys=$(grep -ohE '"[a-z]+\.[a-z_0-9]+"' gateway/web/*.c | tr -d '"' | grep -v '\.h$' | sort -u)
n=0
for k in $keys; do
	n=$((n + 1))
	if ! cut -f1 "$tsv" | grep -qx "$k"; then
		echo "FAIL: phrase '$k' is used in gateway/web but missing from $tsv"
		fail=1
	fi
done
dups=$(grep -v '^#' "$tsv" | grep . | cut -f1 | sort | uniq -d)
if [ -n "$dups" ]; then
	echo "FAIL: keys twice in $tsv: $dups"
	fail=1
fi
[ $fail = 0 ] && echo "ok: $n phrase keys, all translated"
exit $fail
