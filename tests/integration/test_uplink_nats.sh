#!/bin/sh
# Uplink test 8: the core of the uplink suite (test 1: records while the broker is down; test 2:
# a broadcast to an offline box, and the signature checks; test 3: kill -9 rounds, fewer of them)
# against nats-server's MQTT listener instead of mosquitto. The
# boxes and hubs are the same binaries with the same configuration; only the broker changes.
cd "$(dirname "$0")" || exit 2
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || {
	echo "SKIP: nats-server is not installed (tools/install-deps.sh installs it)"; exit 0; }
export KT_BROKER=nats
KT_UPLINK_N=${KT_UPLINK_N:-200} ./test_uplink_sync.py || exit 1
./test_uplink_downlink.py || exit 1
KT_UPLINK_ROUNDS=${KT_UPLINK_ROUNDS:-2} ./test_uplink_crash.py || exit 1
