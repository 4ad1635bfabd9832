#!/bin/sh
# install-user.sh CONFDIR — creates the system user and group kentongan (member of dialout, for USB
# modems) if missing, and lets it read CONFDIR and its kentongan.conf (root:kentongan, 0750/0640).
# Run by `make install` as root; the Debian package's postinst does the same with adduser.
set -e
confdir=${1:-/etc/kentongan}
if ! getent passwd kentongan >/dev/null; then
	useradd --system --user-group --home-dir /var/lib/kentongan --no-create-home \
	    --shell /usr/sbin/nologin --comment "Kentongan SMS gateway" kentongan
	echo "install-user: created the system user kentongan"
fi
getent group dialout >/dev/null && usermod -a -G dialout kentongan
chgrp kentongan "$confdir" "$confdir/kentongan.conf"
chmod 0750 "$confdir"
chmod 0640 "$confdir/kentongan.conf"
