/*
 * helper — kentongand's two one-shot modes for the console, which links neither libGammu nor the
 * router: `--probe DEVICE` (the modem worker's probe mode, for `kentongan modems detect`) and
 * `--find-area DATABASE TEXT` (the SMS area resolver, for `kentongan setup`). Each runs instead of
 * the daemon, prints its answer to standard output and returns the exit status.
 */
#ifndef GATEWAY_HELPER_H
#define GATEWAY_HELPER_H
/* One PROTO_W_PROBE frame (gateway/modem/modem_worker.h) for the modem on device, libGammu connection
 * connection (at115200, at, …). */
int	helper_probe(const char *device, const char *connection);
/* Lines of RESULT<tab>CODE<tab>LEVEL<tab>LABEL: found (one line), choice or suggestion (one line
 * each), or none; the areas of every level, served or not. 1 when the database fails. */
int	helper_find_area(const char *database, const char *text);
#endif
