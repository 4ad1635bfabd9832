#!/bin/sh
# make deb: builds kentongan_VERSION_ARCH.deb with debhelper (debian/) from a copy of the source
# tree in $BUILD/deb-src, so nothing lands beside the project; the .deb goes to $BUILD/, and
# lintian's verdict is printed (exit 1 on lintian errors, with LINTIAN=0 lintian is skipped).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${BUILD:-build}
version=$(sed -n '1s/^kentongan (\([^)]*\)).*/\1/p' debian/changelog)
mkversion=$(sed -n 's/^VERSION *:= *//p' Makefile)
if [ "$version" != "$mkversion" ]; then
	echo "make-deb: debian/changelog says $version, the Makefile $mkversion" >&2
	exit 1
fi
work=$B/deb-src
rm -rf "$work"
mkdir -p "$work/kentongan-$version"
tar -cf - --exclude=./build --exclude=./var --exclude=./.git --exclude='./build-*' . |
	tar -xf - -C "$work/kentongan-$version"
unset MAKEFLAGS MAKELEVEL MFLAGS SANITIZE RELEASE
export BUILD=build/deb  # debian/rules sets it too; never the caller's folder
(cd "$work/kentongan-$version" && dpkg-buildpackage -b -us -uc -j2) >"$work/build.log" 2>&1 || {
	tail -40 "$work/build.log" >&2
	echo "make-deb: dpkg-buildpackage failed; the whole log is $work/build.log" >&2
	exit 1
}
deb=$(ls "$work"/kentongan_"$version"_*.deb)
cp "$deb" "$B/"
echo "make-deb: $B/$(basename "$deb")"
[ "${LINTIAN:-1}" = 0 ] && exit 0
lintian --tag-display-limit 0 "$work"/kentongan_"$version"_*.changes >"$work/lintian.txt" 2>&1 || true
sed 's/^/  lintian: /' "$work/lintian.txt"
if grep -q '^E:' "$work/lintian.txt"; then
	echo "make-deb: lintian reports errors" >&2
	exit 1
fi
