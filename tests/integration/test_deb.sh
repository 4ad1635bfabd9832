#!/bin/sh
# The Debian package (make deb; also `make check-deb` alone): it builds with debhelper from a copy
# of the tree and lintian reports no errors; extracted with dpkg-deb -x into a temporary root it
# has the programs, unit, man pages, area data and a config whose paths are /var/lib and /run,
# which the extracted kentongand -n accepts; the config is a conffile; postinst creates the user
# in dialout, makes the config root:kentongan 0640 (dpkg-statoverride) and enables or starts
# nothing (it only keeps an admin's earlier enabling); postrm removes /var/lib/kentongan on purge
# only.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
B=${BUILD:-build}
tmp=$(mktemp -d /tmp/kt-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

start=$(date +%s)
out=$(BUILD=$B tools/make-deb.sh 2>&1) || fail "make deb: $out"
echo "$out"
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
deb=$(ls "$B"/kentongan_"$version"_*.deb 2>/dev/null) || fail "no $B/kentongan_${version}_ARCH.deb"
echo "built $deb in $(($(date +%s) - start)) s"

dpkg-deb -x "$deb" "$tmp/root" || fail "dpkg-deb -x"
dpkg-deb -e "$deb" "$tmp/control" || fail "dpkg-deb -e"
root=$tmp/root
for f in usr/bin/kentongand usr/bin/kentongan usr/bin/modemsim lib/systemd/system/kentongand.service \
    usr/share/man/man8/kentongand.8.gz usr/share/man/man1/kentongan.1.gz usr/share/man/man5/kentongan.conf.5.gz \
    usr/share/man/man1/modemsim.1.gz usr/share/kentongan/wilayah/villages.csv \
    usr/share/kentongan/modem-configs/operators.conf usr/share/doc/kentongan/copyright \
    etc/kentongan/kentongan.conf; do
	[ -f "$root/$f" ] || fail "the package lacks /$f"
done
conf=$root/etc/kentongan/kentongan.conf
grep -q '^database = /var/lib/kentongan/kentongan.db$' "$conf" || fail "packaged config database path"
grep -q '^control  = /run/kentongan/kentongan.sock$' "$conf" || fail "packaged config control path"
out=$("$root/usr/bin/kentongand" -n -c "$conf" 2>&1) || fail "extracted kentongand -n -c: $out"
echo "$out" | grep -q "is valid" || fail "kentongand -n: $out"
"$root/usr/bin/kentongan" --help | grep -q "/etc/kentongan/kentongan.conf" || fail "console default config"
grep -q '^ExecStart=/usr/bin/kentongand -c /etc/kentongan/kentongan.conf$' \
    "$root/lib/systemd/system/kentongand.service" || fail "unit ExecStart"
echo "layout ok"

grep -qx '/etc/kentongan/kentongan.conf' "$tmp/control/conffiles" || fail "the config is not a conffile"
grep -q 'adduser --system --group' "$tmp/control/postinst" || fail "postinst does not create the user"
grep -q 'adduser --quiet kentongan dialout' "$tmp/control/postinst" || fail "postinst: group dialout"
grep -q 'dpkg-statoverride --update --add root kentongan 0640 /etc/kentongan/kentongan.conf' \
    "$tmp/control/postinst" || fail "postinst: config mode"
if grep -E 'deb-systemd-invoke (start|restart)|systemctl (enable|start)' "$tmp/control/postinst"; then
	fail "postinst starts the service"
fi
# dh_installsystemd --no-enable: an enable only where the admin had enabled it before
[ "$(grep -c 'deb-systemd-helper enable' "$tmp/control/postinst")" -le \
  "$(grep -c 'deb-systemd-helper --quiet was-enabled' "$tmp/control/postinst")" ] ||
	fail "postinst enables the service: $(grep -n 'enable' "$tmp/control/postinst")"
sed -n '/"\$1" = purge/,/^fi/p' "$tmp/control/postrm" | grep -q 'rm -rf /var/lib/kentongan' ||
	fail "postrm does not remove /var/lib/kentongan on purge"
[ "$(grep -v '^#' "$tmp/control/postrm" | grep -c '/var/lib/kentongan')" = 1 ] || fail "postrm touches /var/lib/kentongan outside purge"
dpkg-deb -f "$deb" Depends | grep -q adduser || fail "Depends lacks adduser"
echo "ok"
