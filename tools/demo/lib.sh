# Shared by tools/run-demo.sh and tools/run-hub.sh (sourced): simulated modems and their config.
# Needs B (the build folder), D (the demo's folder) and top (the checkout).

# stop_pidfiles: stops the helpers named by the $D/*.pid files and removes the files
stop_pidfiles() {
	for p in "$D"/*.pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
		rm -f "$p"
	done
}

# start_sim NAME OPERATOR: a simulated modem in the background: pty $D/NAME.tty, control socket
# $D/NAME.sock, what it sent in $D/NAME-sent.jsonl
start_sim() {
	rm -f "$D/$1.sock"
	"$B/modemsim" --operator "$2" --link "$D/$1.tty" --ctl "$D/$1.sock" --sent-log "$D/$1-sent.jsonl" \
	    --pidfile "$D/$1.pid" --daemon >/dev/null
}

# modem_section SECTION OPERATOR SIM [BALANCE_USSD]: the [modem SECTION] of kentongan.conf for the
# simulated modem SIM (see start_sim)
modem_section() {
	printf '[modem %s]\nconnection = at\ndevice     = %s\nmodel      = at\noperator   = %s\nrate       = 30/min\n' \
	    "$1" "$top/$D/$3.tty" "$2"
	if [ -n "$4" ]; then
		printf 'balance_ussd = %s\n' "$4"
	fi
}
