/* helper — kentongand --probe and --find-area (see helper.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/xmalloc.h"
#include "gateway/areas.h"
#include "gateway/helper.h"
#include "gateway/modem/modem_worker.h"
#include "store/store.h"

/* kentongand --probe DEVICE: the worker's probe mode on one port (kentongan modems detect). */
int
helper_probe(const char *device, const char *connection)
{
	struct conf_kv		 kv[3] = {
		{ (char *)"connection", (char *)connection },
		{ (char *)"model", (char *)"at" },
		{ (char *)"device", (char *)device },
	};
	struct conf_modem	 cm;

	memset(&cm, 0, sizeof(cm));
	cm.name = (char *)"probe";
	cm.gammu = kv;
	cm.ngammu = 3;
	cm.profile = cm.imei = cm.imsi = cm.operator_name = cm.balance_ussd = (char *)"";
	cm.enabled = 1;
	return modem_worker_probe(STDOUT_FILENO, &cm);
}

/* kentongand --find-area DATABASE TEXT: the SMS area resolver for `kentongan setup`, which must
 * resolve names exactly as villagers' messages are (the console does not link the router). */
int
helper_find_area(const char *database, const char *text)
{
	struct store		*st;
	struct areas_match	*m = xcalloc(1, sizeof(*m));
	char			 err[512], label[200];
	const char		*what = "none";
	int			 rc = 0;

	if ((st = store_open(database, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kentongand: %s\n", err);
		free(m);
		return 1;
	}
	switch (areas_resolve(st, "", text, NULL, AREAS_SUGGEST_MAX, m)) {
	case AREAS_FOUND:
		areas_label(st, &m->area, label, sizeof(label));
		printf("found\t%s\t%d\t%s\n", m->area.code, m->area.level, label);
		break;
	case AREAS_CHOICE:
		what = "choice";
		/* FALLTHROUGH */
	case AREAS_NOTFOUND:
		if (*what == 'n' && m->nopts)
			what = "suggestion";
		for (int i = 0; i < m->nopts; i++) {
			areas_label(st, &m->opts[i], label, sizeof(label));
			printf("%s\t%s\t%d\t%s\n", what, m->opts[i].code, m->opts[i].level, label);
		}
		if (m->nopts == 0)
			printf("none\t\t0\t\n");
		break;
	case AREAS_NONE:
		printf("none\t\t0\t\n");
		break;
	case AREAS_ERROR:
		fprintf(stderr, "kentongand: reading the areas: %s\n", store_errmsg(st));
		rc = 1;
		break;
	}
	store_close(st);
	free(m);
	return rc;
}
