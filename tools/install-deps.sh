#!/bin/sh
# Installs the Debian 12 packages that building and testing Kentongan need, if missing.
# One package a line: each feature adds its own lines.
set -e
PACKAGES="
build-essential
pkg-config
libgammu-dev
libsqlite3-dev
libcrypt-dev
libseccomp-dev
libevent-dev
libpcre2-dev
libcmocka-dev
gammu
gammu-smsd
python3
socat
curl
clang
libclang-rt-14-dev
libsystemd-dev
systemd
mandoc
man-db
debhelper
dpkg-dev
fakeroot
lintian
udev
libcrypt-dev
chromium
chromium-driver
python3-selenium
libssl-dev
libmosquitto-dev
mosquitto
mosquitto-clients
openssl
zlib1g-dev
nats-server
python3-paho-mqtt
iproute2
"
need=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing packages:$need — run as root or: apt-get install$need" >&2
		exit 1
	fi
	echo "install-deps: installing$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq $need >/dev/null
fi
