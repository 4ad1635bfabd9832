#!/bin/sh
# make install into a temporary DESTDIR (PREFIX=/usr SYSCONFDIR=/etc, its own build folder so
# build/ is untouched): the layout (programs, area data, modem profiles, man pages, unit, config),
# the installed daemon accepts the installed config, the console's defaults point at /etc and
# /usr/share, `systemd-analyze verify` is silent on the unit, the pages pass mandoc -Tlint, an
# edited config survives a second install, and make uninstall removes what install put.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
tmp=$(mktemp -d /tmp/kt-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root
fail() { echo "FAIL: $*"; exit 1; }
unset MAKEFLAGS MAKELEVEL MFLAGS
B=${BUILD:-build}/install-test
mk() { make -s -j2 BUILD="$B" PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$root" "$@" >"$tmp/make.log" 2>&1 ||
	{ cat "$tmp/make.log"; fail "make $*"; }; }

mk install
for f in usr/bin/kentongand usr/bin/kentongan usr/bin/modemsim \
    usr/share/kentongan/kentongan.conf.sample usr/share/kentongan/modem-configs/operators.conf \
    usr/share/kentongan/wilayah/provinces.csv usr/share/kentongan/wilayah/villages.csv \
    usr/share/kentongan/wilayah/LICENSE usr/share/kentongan/wilayah/README.md \
    usr/share/man/man1/kentongan.1 usr/share/man/man1/modemsim.1 usr/share/man/man5/kentongan.conf.5 \
    usr/share/man/man8/kentongand.8 lib/systemd/system/kentongand.service etc/kentongan/kentongan.conf; do
	[ -f "$root/$f" ] || fail "make install did not install /$f"
done
[ "$(stat -c %a "$root/etc/kentongan")" = 750 ] || fail "/etc/kentongan is not 0750"
[ "$(stat -c %a "$root/etc/kentongan/kentongan.conf")" = 640 ] || fail "the config is not 0640"
echo "layout ok"

conf=$root/etc/kentongan/kentongan.conf
grep -q '^database = /var/lib/kentongan/kentongan.db$' "$conf" || fail "config database path: $(cat "$conf")"
grep -q '^control  = /run/kentongan/kentongan.sock$' "$conf" || fail "config control path"
out=$("$root/usr/bin/kentongand" -n -c "$conf" 2>&1) || fail "installed kentongand -n rejects the config: $out"
echo "$out" | grep -q "is valid" || fail "kentongand -n: $out"

# the console's defaults: the config in /etc, the areas in /usr/share (not in this DESTDIR, so the
# errors name them)
out=$("$root/usr/bin/kentongan" status 2>&1) && fail "status without a config succeeded"
echo "$out" | grep -q "/etc/kentongan/kentongan.conf" || fail "default config is not /etc/...: $out"
printf '[gateway]\ndatabase = %s/t.db\ncontrol = %s/t.sock\n' "$tmp" "$tmp" >"$tmp/t.conf"
out=$("$root/usr/bin/kentongan" -c "$tmp/t.conf" areas import 2>&1) && fail "areas import found data it should not"
echo "$out" | grep -q "/usr/share/kentongan/wilayah/provinces.csv" || fail "default area data: $out"
out=$(KENTONGAN_CONF=$tmp/t.conf "$root/usr/bin/kentongan" areas import "$root/usr/share/kentongan/wilayah" 2>&1) ||
	fail "areas import of the installed copy: $out"
echo "defaults ok"

# systemd-analyze verify, with the unit's programs and man pages where this install put them
sed "s#/usr/bin/#$root/usr/bin/#g" "$root/lib/systemd/system/kentongand.service" >"$tmp/kentongand.service"
grep -q "^ExecStart=$root/usr/bin/kentongand -c /etc/kentongan/kentongan.conf$" "$tmp/kentongand.service" ||
	fail "ExecStart: $(grep ExecStart "$tmp/kentongand.service")"
out=$(MANPATH=$root/usr/share/man systemd-analyze verify "$tmp/kentongand.service" 2>&1) ||
	fail "systemd-analyze verify failed: $out"
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
# … and it does warn on a broken unit here (so silence above means something)
mkdir "$tmp/broken"
sed 's/^Restart=on-failure/Restart=sometimes/' "$tmp/kentongand.service" >"$tmp/broken/kentongand.service"
out=$(MANPATH=$root/usr/share/man systemd-analyze verify "$tmp/broken/kentongand.service" 2>&1)
[ -n "$out" ] || fail "systemd-analyze verify is silent on a broken unit"
for k in Type=notify User=kentongan SupplementaryGroups=dialout StateDirectory=kentongan \
    RuntimeDirectory=kentongan ConfigurationDirectory=kentongan 'ExecReload=/bin/kill -HUP $MAINPID' \
    Restart=on-failure NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'DeviceAllow=char-ttyUSB rw' \
    'DeviceAllow=char-ttyACM rw' SystemCallArchitectures=native; do
	grep -qxF "$k" "$tmp/kentongand.service" || fail "the unit lacks $k"
done
echo "unit ok"

for p in "$root"/usr/share/man/man*/*; do
	out=$(mandoc -Tlint -W warning "$p" 2>&1) || fail "mandoc -Tlint $p: $out"
	[ -z "$out" ] || fail "mandoc -Tlint $p: $out"
done
echo "man pages ok"

# an admin's config is theirs: a second install keeps it
echo "; edited" >>"$conf"
mk install
tail -1 "$conf" | grep -q "; edited" || fail "a second make install replaced the config"
mk uninstall
left=$(cd "$root" && find . -type f | sort | tr '\n' ' ')
[ "$left" = "./etc/kentongan/kentongan.conf " ] || fail "make uninstall left: $left"
echo "ok"
