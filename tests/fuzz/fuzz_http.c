/*
 * fuzz_http — libFuzzer target for what the HTTP endpoint does with a USSD callback's fields:
 * ussd_answer() on a store with a few areas (in memory), with any session id, number and text,
 * over a run of requests that share sessions (retries, expiry sweeps, the session cap). Checks the
 * contract, not just crashes: every answer starts with "CON " or "END ", is valid UTF-8 and holds
 * at most USSD_SCREEN_CHARS characters. An input starting with "[" is instead loaded as a menu file
 * (ussd_menu_load_text), and when it loads, one request is answered with it.
 * Input: "SESSION\nNUMBER\nTEXT" (the text is the rest, '*'-joined inputs as aggregators send).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "gateway/gateway.h"
#include "gateway/http/ussd.h"
#include "parsers/norm.h"
#include "store/store.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

void gateway_store_failed(struct gateway *g, const char *what) { g->store_ok = 0; }
void gateway_store_recovered(struct gateway *g) { g->store_ok = 1; }
void gateway_queue_changed(struct gateway *g) { (void)g; }
void gateway_render(struct gateway *g, const char *key, char *out, size_t outlen, const char *const *vars)
{
	(void)g;
	(void)vars;
	if (outlen > 0)
		snprintf(out, outlen, "%s", key);
}

static struct conf	 conf;
static struct gateway	 gw;
static struct ussd	*u;

static void
init(void)
{
	static const char *areas[][4] = {
		{ "32", "JAWA BARAT", "JAWABARAT", NULL },
		{ "3201", "KABUPATEN BOGOR", "BOGOR", "32" },
		{ "320101", "Cibinong", "CIBINONG", "3201" },
		{ "320102", "Gunung Putri", "GUNUNGPUTRI", "3201" },
		{ "3201011001", "Sukamaju", "SUKAMAJU", "320101" },
		{ "3201021001", "Sukamaju", "SUKAMAJU", "320102" },
		{ "3201021002", "Sukamaja", "SUKAMAJA", "320102" },
		{ "3201021003", "Cibinong", "CIBINONG", "320102" },
	};
	char	 err[256];
	size_t	 i;

	log_init("fuzz_http", 1, LOG_LVL_WARN);
	conf.country = "62";
	conf.areas = "32";
	conf.language = "id";
	gw.conf = &conf;
	gw.store_ok = 1;
	if ((gw.store = store_open(":memory:", 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	store_begin(gw.store);
	for (i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		store_area_put(gw.store, areas[i][0], areas[i][1], areas[i][2], areas[i][3]);
	store_commit(gw.store);
	if ((u = ussd_new(&gw, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
}

static void
check_screen(const char *s)
{
	size_t len = strlen(s), pos = 0, n;

	if (strncmp(s, "CON ", 4) != 0 && strncmp(s, "END ", 4) != 0)
		abort();
	if (ussd_chars(s) > USSD_SCREEN_CHARS)
		abort();
	while (pos < len) {
		if (norm_utf8_next((const unsigned char *)s + pos, len - pos, &n) == NORM_CP_INVALID)
			abort();
		pos += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long	 runs;
	char			*in, *sid, *num, *text, out[USSD_SCREEN_MAX], err[256];

	if (u == NULL)
		init();
	if (size > 16384)
		return 0;
	in = malloc(size + 1);
	memcpy(in, data, size);
	in[size] = '\0';
	if (in[0] == '[') {
		struct ussd_menu *m = ussd_menu_load_text(in, "fuzz", err, sizeof(err));

		ussd_menu_free(m);
		free(in);
		return 0;
	}
	sid = in;
	num = strchr(sid, '\n');
	if (num == NULL) {
		num = "081234567890";
		text = "";
	} else {
		*num++ = '\0';
		text = strchr(num, '\n');
		if (text == NULL)
			text = "";
		else
			*text++ = '\0';
	}
	if (*sid == '\0' || strlen(sid) > USSD_ID_MAX || strlen(text) > USSD_TEXT_MAX) {
		free(in);
		return 0;	/* http.c refuses these with 400 */
	}
	ussd_answer(u, sid, num, text, out);
	check_screen(out);
	/* a retry gives the same screen */
	{
		char again[USSD_SCREEN_MAX];

		ussd_answer(u, sid, num, text, again);
		check_screen(again);
		if (strncmp(out, "END Maaf", 8) != 0 && strcmp(out, again) != 0)
			abort();
	}
	if (++runs % 1000 == 0)
		ussd_sweep(u, clock_now() + USSD_IDLE_S + 1);
	free(in);
	return 0;
}
