/*
 * modem_fixture.h — the gateway a modem test or bench builds around one modem (header-only, no
 * cmocka: tests/bench/bench_modem.c uses it too). Include after gateway_spy.h.
 *   mf_gateway_open   a zeroed gateway with a store at dbpath and the configuration every modem
 *                     test uses (country 62, a long message waits 600 s for its parts)
 *   mf_gateway_close  frees its ingest, store and event base
 *   mf_modem_conf     a [modem] section: libGammu model/connection/device, nothing else configured
 *   mf_files_in       files in a Gammu dummy phone's SMS folder (DIR/sms/FOLDER)
 *   mf_ussd_cb        a USSD callback that keeps the reply (or why there is none) in mf_ussd_reply
 */
#ifndef TESTS_UNIT_MODEM_FIXTURE_H
#define TESTS_UNIT_MODEM_FIXTURE_H
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "common/conf.h"
#include "gateway/gateway.h"
#include "gateway/ingest.h"
#include "store/store.h"

#define MF_UNUSED	__attribute__((unused))

/* Returns gw->store (NULL, with err set, when the store does not open); base: an event base too. */
static MF_UNUSED struct store *
mf_gateway_open(struct gateway *gw, struct conf *conf, const char *dbpath, int base, char *err,
    size_t errlen)
{
	memset(gw, 0, sizeof(*gw));
	if (base)
		gw->base = event_base_new();
	if ((gw->store = store_open(dbpath, 0, err, errlen)) == NULL)
		return NULL;
	gw->store_ok = 1;
	memset(conf, 0, sizeof(*conf));
	conf->country = "62";
	conf->incomplete_timeout_s = 600;
	gw->conf = conf;
	return gw->store;
}

static MF_UNUSED void
mf_gateway_close(struct gateway *gw)
{
	ingest_free(gw->ingest);
	store_close(gw->store);
	if (gw->base != NULL)
		event_base_free(gw->base);
}

/* poll_ms 1000, command_timeout_s 30, balance every 6 h; the caller changes what its test needs. */
static MF_UNUSED void
mf_modem_conf(struct conf_modem *cm, struct conf_kv kv[3], const char *name, const char *model,
    const char *connection, const char *device)
{
	kv[0].key = "model";		kv[0].value = (char *)model;
	kv[1].key = "connection";	kv[1].value = (char *)connection;
	kv[2].key = "device";		kv[2].value = (char *)device;
	memset(cm, 0, sizeof(*cm));
	cm->name = (char *)name;
	cm->gammu = kv;
	cm->ngammu = 3;
	cm->profile = cm->operator_name = cm->balance_ussd = cm->imei = cm->imsi = "";
	cm->poll_ms = 1000;
	cm->command_timeout_s = 30;
	cm->balance_interval_s = 21600;
	cm->enabled = 1;
}

static MF_UNUSED int
mf_files_in(const char *dir, int folder)
{
	char		 path[512];
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	snprintf(path, sizeof(path), "%s/sms/%d", dir, folder);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static char	 mf_ussd_reply[512] MF_UNUSED;
static int	 mf_ussd_done MF_UNUSED;	/* 0 waiting, 1 replied, -1 failed */

static MF_UNUSED void
mf_ussd_cb(void *arg, const char *reply, const char *why)
{
	(void)arg;
	snprintf(mf_ussd_reply, sizeof(mf_ussd_reply), "%s", reply ? reply : why ? why : "?");
	mf_ussd_done = reply ? 1 : -1;
}
static MF_UNUSED int mf_ussd_finished(void) { return mf_ussd_done != 0; }
#endif
