/*
 * import — bulk loads for the console (see import.h). Files are mapped whole and parsed in place;
 * rows go in through prepared statements in large transactions (one per file for areas, every
 * 50,000 rows for subscribers), so a million subscribers load in seconds.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/csv.h"
#include "common/msisdn.h"
#include "common/str.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "console/import.h"
#include "parsers/norm.h"
#include "store/store.h"

#define SUB_BATCH 50000

struct mapped {
	const char	*data;
	size_t		 len;
	int		 owned;		/* read into memory (a pipe), not mapped */
};

/* Largest input read from a pipe or terminal (a regular file is mapped, whatever its size). */
#define IMPORT_PIPE_MAX	((size_t)1 << 30)

/* A pipe, FIFO or terminal (`subscribers import /dev/stdin`) cannot be mapped: read it whole. */
static int
read_stream(int fd, const char *path, struct mapped *m)
{
	size_t	 cap = 1 << 16, len = 0;
	char	*buf = xmalloc(cap);
	ssize_t	 r;

	for (;;) {
		if (len == cap) {
			if (cap >= IMPORT_PIPE_MAX) {
				fprintf(stderr, "kentongan: %s: more than %zu MB from a pipe; save it to a file "
				    "first\n", path, IMPORT_PIPE_MAX >> 20);
				free(buf);
				return -1;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len);
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "kentongan: cannot read %s: %s\n", path, strerror(errno));
			free(buf);
			return -1;
		}
		len += (size_t)r;
	}
	m->data = buf;
	m->len = len;
	m->owned = 1;
	return 0;
}

static int
map_file(const char *path, struct mapped *m)
{
	struct stat	 sb;
	int		 fd;

	m->owned = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "kentongan: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		fprintf(stderr, "kentongan: %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "kentongan: %s is a directory, not a CSV file\n", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		int rc = read_stream(fd, path, m);

		close(fd);
		return rc;
	}
	m->len = (size_t)sb.st_size;
	m->data = "";
	if (m->len > 0) {
		void *p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED) {
			fprintf(stderr, "kentongan: cannot map %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		m->data = p;
	}
	close(fd);
	return 0;
}

static void
unmap_file(struct mapped *m)
{
	if (m->owned)
		free((void *)m->data);
	else if (m->len > 0)
		munmap((void *)m->data, m->len);
}

/* Why csv_record refused a line, for the per-line message. */
static const char *
csv_why(int rc, size_t buflen)
{
	static char	 why[96];

	if (rc == CSV_BAD_QUOTE)
		return "a quote is never closed (the rest of the file is skipped)";
	snprintf(why, sizeof(why), "line longer than %zu bytes or more than 8 fields", buflen - 1);
	return why;
}

static void
report(enum table_format fmt, const char *k1, long v1, const char *k2, long v2, double secs)
{
	if (fmt == TABLE_JSON)
		printf("{\"%s\":%ld,\"%s\":%ld,\"seconds\":%.2f}\n", k1, v1, k2, v2, secs);
	else if (fmt == TABLE_CSV)
		printf("%s,%s,seconds\r\n%ld,%ld,%.2f\r\n", k1, k2, v1, v2, secs);
	else
		printf("%s %ld, %s %ld (%.1f s)\n", k1, v1, k2, v2, secs);
}

/* The next record of a CSV file being imported: its field count (f[0..7], in buf), or CSV_END.
 * Blank lines are skipped; a line csv_record() refuses is reported as path:line, counted in *bad
 * and skipped. *line counts the lines read. */
static int
next_record(const char **p, const char *end, char *buf, size_t len, char *f[8], const char *path, long *line,
    long *bad)
{
	int	 nf;

	while ((nf = csv_record(p, end, buf, len, f, 8)) != CSV_END) {
		(*line)++;
		if (nf < 0) {
			fprintf(stderr, "%s:%ld: rejected: %s\n", path, *line, csv_why(nf, len));
			(*bad)++;
			continue;
		}
		if (nf == 1 && f[0][0] == '\0')
			continue;	/* blank line */
		return nf;
	}
	return CSV_END;
}

int
import_areas(struct store *st, const char *dir, int progress, enum table_format fmt)
{
	static const struct {
		const char	*file;
		int		 ncols;	/* code[,parent],name */
		size_t		 codelen;
	} files[] = {
		{ "provinces.csv", 2, 2 },
		{ "cities.csv", 3, 4 },
		{ "districts.csv", 3, 6 },
		{ "villages.csv", 3, 10 },
	};
	long		 total = 0, bad = 0;
	double		 t0 = clock_mono();
	size_t		 i;

	if (store_begin(st) != STORE_OK) {
		fprintf(stderr, "kentongan: %s\n", store_errmsg(st));
		return 1;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct mapped	 m;
		const char	*p, *end;
		char		 path[4096], buf[1024], *f[8], norm[NORM_NAME_MAX];
		long		 line = 0, n = 0;
		int		 nf;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i].file);
		if (map_file(path, &m) == -1)
			goto fail;
		p = m.data;
		end = m.data + m.len;
		while ((nf = next_record(&p, end, buf, sizeof(buf), f, path, &line, &bad)) != CSV_END) {
			const char *code, *parent, *name;

			if (nf != files[i].ncols) {
				fprintf(stderr, "%s:%ld: expected %d fields, found %d\n", path, line, files[i].ncols, nf);
				bad++;
				continue;
			}
			code = f[0];
			parent = files[i].ncols == 3 ? f[1] : NULL;
			name = f[files[i].ncols - 1];
			if (strlen(code) != files[i].codelen || !str_is_digits(code) ||
			    (parent && strncmp(code, parent, strlen(parent)) != 0) || *name == '\0') {
				fprintf(stderr, "%s:%ld: bad row (code '%s', parent '%s', name '%s')\n", path, line,
				    code, parent ? parent : "", name);
				bad++;
				continue;
			}
			norm_area_key(name, norm, sizeof(norm));
			if (store_area_put(st, code, name, norm, parent) != STORE_OK) {
				fprintf(stderr, "%s:%ld: %s\n", path, line, store_errmsg(st));
				unmap_file(&m);
				goto fail;
			}
			n++;
		}
		unmap_file(&m);
		total += n;
		if (progress)
			fprintf(stderr, "areas: %-14s %6ld rows\n", files[i].file, n);
	}
	if (store_commit(st) != STORE_OK) {
		fprintf(stderr, "kentongan: committing the areas: %s\n", store_errmsg(st));
		return 1;
	}
	store_audit(st, "console", "areas import", NULL);
	report(fmt, "imported", total, "rejected", bad, clock_mono() - t0);
	return 0;
fail:
	store_rollback(st);
	return 1;
}

int
import_subscribers(struct store *st, const char *file, const char *country, int progress,
    enum table_format fmt)
{
	struct mapped		 m;
	const char		*p, *end;
	char			 buf[2048], *f[8], number[MSISDN_MAX], last_area[16] = "";
	long			 line = 0, ok = 0, bad = 0, inbatch = 0;
	int			 nf, created, area_known = 0;
	double			 t0 = clock_mono();
	struct store_area	 a;

	if (map_file(file, &m) == -1)
		return 1;
	p = m.data;
	end = m.data + m.len;
	if (store_begin(st) != STORE_OK)
		goto fail_store;
	while ((nf = next_record(&p, end, buf, sizeof(buf), f, file, &line, &bad)) != CSV_END) {
		const char	*why, *area, *name;

		for (int i = 0; i < nf; i++)	/* spaces around fields are not data */
			f[i] = str_trim(f[i]);
		if (line == 1 && (strcasecmp(f[0], "number") == 0 || strcasecmp(f[0], "nomor") == 0 ||
		    strcasecmp(f[0], "msisdn") == 0))
			continue;	/* a header line */
		if (nf < 2 || nf > 3) {
			fprintf(stderr, "%s:%ld: rejected: expected number,area[,name], found %d field%s\n", file,
			    line, nf, nf == 1 ? "" : "s");
			bad++;
			continue;
		}
		area = f[1];
		name = nf == 3 ? f[2] : NULL;
		if (msisdn_normalise(f[0], country, number, &why) == -1) {
			fprintf(stderr, "%s:%ld: rejected: '%s' is not a phone number: %s\n", file, line, f[0], why);
			bad++;
			continue;
		}
		/* files are usually grouped by area: remember the last lookup */
		if (strcmp(area, last_area) != 0) {
			snprintf(last_area, sizeof(last_area), "%s", area);
			area_known = store_area_get(st, area, &a) == STORE_OK;
		}
		if (!area_known) {
			fprintf(stderr, "%s:%ld: rejected: unknown area code '%s'\n", file, line, area);
			bad++;
			continue;
		}
		if (store_subscribe(st, number, area, name, &created) != STORE_OK) {
			fprintf(stderr, "%s:%ld: %s\n", file, line, store_errmsg(st));
			store_rollback(st);
			goto fail_store;
		}
		ok++;
		if (++inbatch == SUB_BATCH) {
			if (store_commit(st) != STORE_OK || store_begin(st) != STORE_OK)
				goto fail_store;
			inbatch = 0;
			if (progress)
				fprintf(stderr, "\rsubscribers: %ld imported, %ld rejected (%.0f%%)", ok, bad,
				    100.0 * (double)(p - m.data) / (double)(m.len ? m.len : 1));
		}
	}
	if (store_commit(st) != STORE_OK)
		goto fail_store;
	if (progress && ok >= SUB_BATCH)
		fputc('\n', stderr);
	{
		char detail[128];

		snprintf(detail, sizeof(detail), "{\"imported\":%ld,\"rejected\":%ld}", ok, bad);
		store_audit(st, "console", "subscribers import", detail);
	}
	unmap_file(&m);
	report(fmt, "imported", ok, "rejected", bad, clock_mono() - t0);
	return 0;
fail_store:
	fprintf(stderr, "kentongan: %s (rows committed before this point are kept; the import can be "
	    "run again)\n", store_errmsg(st));
	unmap_file(&m);
	return 1;
}
