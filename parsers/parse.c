/*
 * parse.c — the keyword table and parse_message(): normalise, try admin patterns, then the first word
 * as an alias (exact, glued to digits, one typo), then cut the arguments of the action out of the
 * normalised text (areas, PIN) or the original text (reports keep their case and lines).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/str.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "parsers/fold.h"
#include "parsers/norm.h"
#include "parsers/parse.h"

/*
 * PCRE2 limits: with these, a catastrophic pattern such as (A|AA)+$ on 1,000 characters gives up after
 * about 0.1 ms (tests/bench/bench_parser.c), so even PARSE_MAX_PATTERNS of them stay within the 5 ms
 * per message budget, while sane patterns still match 1,000-character messages. JIT ignores the depth
 * limit; its stack is allocated with the table.
 */
#define PARSE_MATCH_LIMIT	5000
#define PARSE_DEPTH_LIMIT	500
#define PARSE_HEAP_LIMIT_KIB	256
#define PARSE_JIT_STACK		(256 * 1024)

/*
 * Built-in aliases: SPEC §4, then forms seen in villages and English. Regional forms:
 *   DAPTAR, INPO     Sundanese/Javanese speakers write f as p
 *   MELU, NDAFTAR    Javanese "ikut" and "mendaftar"
 *   MELOK, BERITO    Palembang Malay "ikut" and "berita"
 *   BERENTI, BRENTI  colloquial (Betawi, Palembang, Javanese) "berhenti"
 *   MANDEG, METU     Javanese "stop" and "keluar"
 *   EUREUN           Sundanese "stop"
 * MELU/METU/MENU are one letter apart on purpose: a typo between them ("MEMU") is ambiguous and left
 * alone, never guessed.
 */
static const struct {
	const char		*word;
	enum parse_action	 action;
} builtin_aliases[] = {
	{ "DAFTAR", PARSE_SUBSCRIBE }, { "REG", PARSE_SUBSCRIBE }, { "IKUT", PARSE_SUBSCRIBE },
	{ "JOIN", PARSE_SUBSCRIBE }, { "DAPTAR", PARSE_SUBSCRIBE }, { "NDAFTAR", PARSE_SUBSCRIBE },
	{ "MELU", PARSE_SUBSCRIBE }, { "MELOK", PARSE_SUBSCRIBE }, { "REGISTER", PARSE_SUBSCRIBE },
	{ "SUBSCRIBE", PARSE_SUBSCRIBE },
	{ "BERHENTI", PARSE_UNSUBSCRIBE }, { "STOP", PARSE_UNSUBSCRIBE }, { "UNREG", PARSE_UNSUBSCRIBE },
	{ "KELUAR", PARSE_UNSUBSCRIBE }, { "OFF", PARSE_UNSUBSCRIBE }, { "BERENTI", PARSE_UNSUBSCRIBE },
	{ "BRENTI", PARSE_UNSUBSCRIBE }, { "MANDEG", PARSE_UNSUBSCRIBE }, { "METU", PARSE_UNSUBSCRIBE },
	{ "EUREUN", PARSE_UNSUBSCRIBE }, { "UNSUBSCRIBE", PARSE_UNSUBSCRIBE },
	{ "INFO", PARSE_PULL }, { "BERITA", PARSE_PULL }, { "INPO", PARSE_PULL },
	{ "BERITO", PARSE_PULL }, { "KABAR", PARSE_PULL }, { "NEWS", PARSE_PULL },
	{ "LAPOR", PARSE_REPORT }, { "REPORT", PARSE_REPORT }, { "LAPORAN", PARSE_REPORT },
	{ "ADUAN", PARSE_REPORT },
	{ "KIM", PARSE_GROUP },
	{ "SIAR", PARSE_BROADCAST }, { "DARURAT", PARSE_BROADCAST }, { "ALERT", PARSE_BROADCAST },
	{ "BANTUAN", PARSE_HELP }, { "HELP", PARSE_HELP }, { "?", PARSE_HELP }, { "BANTU", PARSE_HELP },
	{ "MENU", PARSE_HELP },
	{ "CEK", PARSE_VERIFY }, { "CHECK", PARSE_VERIFY }, { "VERIFY", PARSE_VERIFY },
	{ "VERIFIKASI", PARSE_VERIFY }, { "KODE", PARSE_VERIFY },
	{ "SETUJU", PARSE_APPROVE }, { "APPROVE", PARSE_APPROVE },
};

/*
 * Everyday words one typo away from a keyword: never a keyword. Each was read as a keyword in real
 * traffic ("Biar rapih aj" as SIAR, "Lapar" as LAPOR, "Cerita" as BERITA, "Malu" as MELU, …).
 */
static const char *const builtin_ignore[] = {
	"SIAP", "BIAR", "SIAL", "LAPAR", "CERITA", "KAMAR", "KABUR", "MALU", "IKAT", "IMUT", "KOIN",
	"BATU", "MANTU", "HELM", "MELON", NULL,
};

/*
 * Actions that act for others (an official's broadcast or approval, a leader's group message): their
 * keywords
 * match exactly (case and separators aside), never stretched or with a typo, so an everyday word
 * can never reach the PIN check or the leader check.
 */
static int
privileged(enum parse_action a)
{
	return a == PARSE_BROADCAST || a == PARSE_GROUP || a == PARSE_APPROVE;
}

/* Politeness around an area ("REG SUKAMAJU YA TERIMA KASIH"); none is a word at the start or end of
 * any name in the Kemendagri data ("KASIH" alone is: Cinta Kasih). */
static const char *const builtin_fillers[] = {
	"TERIMA KASIH", "TRIMA KASIH", "TERIMAKASIH", "TRIMAKASIH", "MAKASIH", "MAKASI", "TRIMS",
	"THANKS", "THX", "TKS", "YA", "AJA", "SAJA", "PLEASE", "PLS", "MOHON", "SEMUA", "ALL",
	"NGGIH", "NUWUN", "HATUR NUHUN", NULL,
};

struct alias {
	char			 word[PARSE_WORD_MAX];
	size_t			 len;
	enum parse_action	 action;
};

struct pattern {
	pcre2_code		*re;
	pcre2_match_data	*md;
	enum parse_action	 action;
	int			 g_area, g_text, g_pin, g_choice;	/* group numbers or -1 */
};

struct phrase {
	char			 words[PARSE_AREA_MAX];	/* normalised */
	size_t			 len;
};

struct parse_table {
	struct alias		*alias;
	size_t			 nalias;
	struct phrase		*ignore;
	size_t			 nignore;
	struct phrase		*filler;
	size_t			 nfiller;
	struct pattern		*pat;
	size_t			 npat;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jit;
};

static const char *const action_names[PARSE_NACTIONS] = {
	"unknown", "subscribe", "unsubscribe", "pull", "report", "group", "broadcast", "help", "choice",
	"verify", "approve",
};

const char *
parse_action_name(enum parse_action a)
{
	if ((unsigned)a >= PARSE_NACTIONS)
		return "unknown";
	return action_names[a];
}

int
parse_action_from_name(const char *name)
{
	static const struct {
		const char	*name;
		int		 action;
	} syn[] = { { "info", PARSE_PULL }, { "kim", PARSE_GROUP }, { "siar", PARSE_BROADCAST },
	    { "cek", PARSE_VERIFY }, { "setuju", PARSE_APPROVE } };
	size_t	 i;

	for (i = 1; i < PARSE_NACTIONS; i++)
		if (strcasecmp(name, action_names[i]) == 0)
			return (int)i;
	for (i = 0; i < sizeof(syn) / sizeof(syn[0]); i++)
		if (strcasecmp(name, syn[i].name) == 0)
			return syn[i].action;
	return -1;
}

const char *
parse_how_name(enum parse_how h)
{
	static const char *const names[] = {
		"none", "empty", "exact", "glued", "typo", "ambiguous", "pattern", "choice",
		"stretched",
	};

	if ((unsigned)h >= sizeof(names) / sizeof(names[0]))
		return "none";
	return names[h];
}

/* --- table building (allocation allowed) --- */

static struct alias *
find_alias(struct parse_table *t, const char *w, size_t wlen)
{
	size_t	 i;

	for (i = 0; i < t->nalias; i++)
		if (t->alias[i].len == wlen && memcmp(t->alias[i].word, w, wlen) == 0)
			return &t->alias[i];
	return NULL;
}

/* Normalises a one-word alias; returns its length or 0 if it is not exactly one usable word. */
static size_t
norm_word(const char *in, char out[PARSE_WORD_MAX])
{
	int	 trunc;
	size_t	 n;

	n = norm_text(in, strlen(in), out, PARSE_WORD_MAX, NULL, NULL, &trunc);
	if (trunc || n == 0 || memchr(out, ' ', n) != NULL)
		return 0;
	return n;
}

static int
add_alias(struct parse_table *t, const char *word, enum parse_action a)
{
	char		 w[PARSE_WORD_MAX];
	size_t		 n;
	struct alias	*al;

	if ((n = norm_word(word, w)) == 0)
		return -1;
	if ((al = find_alias(t, w, n)) != NULL) {
		al->action = a;
		return 0;
	}
	if (t->nalias >= PARSE_MAX_ALIASES)
		return -2;
	al = &t->alias[t->nalias++];
	memcpy(al->word, w, n + 1);
	al->len = n;
	al->action = a;
	return 0;
}

static int
add_phrase(struct phrase *list, size_t *n, const char *text)
{
	int	 trunc;
	size_t	 len;

	if (*n >= PARSE_MAX_WORDLIST)
		return -2;
	len = norm_text(text, strlen(text), list[*n].words, sizeof(list[*n].words), NULL, NULL, &trunc);
	if (len == 0 || trunc)
		return -1;
	list[*n].len = len;
	(*n)++;
	return 0;
}

struct parse_table *
parse_table_new(void)
{
	struct parse_table	*t;
	size_t			 i;

	t = xcalloc(1, sizeof(*t));
	t->alias = xcalloc(PARSE_MAX_ALIASES, sizeof(*t->alias));
	t->ignore = xcalloc(PARSE_MAX_WORDLIST, sizeof(*t->ignore));
	t->filler = xcalloc(PARSE_MAX_WORDLIST, sizeof(*t->filler));
	t->pat = xcalloc(PARSE_MAX_PATTERNS, sizeof(*t->pat));
	for (i = 0; i < sizeof(builtin_aliases) / sizeof(builtin_aliases[0]); i++)
		(void)add_alias(t, builtin_aliases[i].word, builtin_aliases[i].action);
	for (i = 0; builtin_ignore[i] != NULL; i++)
		(void)add_phrase(t->ignore, &t->nignore, builtin_ignore[i]);
	for (i = 0; builtin_fillers[i] != NULL; i++)
		(void)add_phrase(t->filler, &t->nfiller, builtin_fillers[i]);
	return t;
}

static void
free_pattern(struct pattern *p)
{
	pcre2_match_data_free(p->md);
	pcre2_code_free(p->re);
	memset(p, 0, sizeof(*p));
}

void
parse_table_free(struct parse_table *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->npat; i++)
		free_pattern(&t->pat[i]);
	pcre2_match_context_free(t->mctx);
	pcre2_jit_stack_free(t->jit);
	free(t->pat);
	free(t->filler);
	free(t->ignore);
	free(t->alias);
	free(t);
}

static int
group_number(pcre2_code *re, const char *name)
{
	int	 n = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);

	return n > 0 ? n : -1;
}

static int
compile_pattern(struct parse_table *t, const char *re, size_t relen, enum parse_action a,
    char *why, size_t whylen)
{
	struct pattern		*p;
	int			 ec;
	PCRE2_SIZE		 eo;
	PCRE2_UCHAR		 msg[160];

	if (t->npat >= PARSE_MAX_PATTERNS) {
		snprintf(why, whylen, "too many patterns (at most %d)", PARSE_MAX_PATTERNS);
		return -1;
	}
	p = &t->pat[t->npat];
	p->re = pcre2_compile((PCRE2_SPTR)re, relen, PCRE2_CASELESS, &ec, &eo, NULL);
	if (p->re == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		snprintf(why, whylen, "bad pattern at offset %zu: %s", (size_t)eo, (char *)msg);
		return -1;
	}
	if (t->mctx == NULL) {
		if ((t->mctx = pcre2_match_context_create(NULL)) == NULL)
			goto oom;
		pcre2_set_match_limit(t->mctx, PARSE_MATCH_LIMIT);
		pcre2_set_depth_limit(t->mctx, PARSE_DEPTH_LIMIT);
		pcre2_set_heap_limit(t->mctx, PARSE_HEAP_LIMIT_KIB);
		t->jit = pcre2_jit_stack_create(32 * 1024, PARSE_JIT_STACK, NULL);
		if (t->jit != NULL)
			pcre2_jit_stack_assign(t->mctx, NULL, t->jit);
	}
	/* JIT is an optimisation: without it the interpreter runs under the same limits. */
	(void)pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE);
	if ((p->md = pcre2_match_data_create_from_pattern(p->re, NULL)) == NULL)
		goto oom;
	p->action = a;
	p->g_area = group_number(p->re, "area");
	p->g_text = group_number(p->re, "text");
	p->g_pin = group_number(p->re, "pin");
	p->g_choice = group_number(p->re, "choice");
	t->npat++;
	return 0;
oom:
	free_pattern(p);
	snprintf(why, whylen, "out of memory");
	return -1;
}

/* One line of a keywords file; 0 or -1 with why set. */
static int
load_line(struct parse_table *t, char *line, char *why, size_t whylen)
{
	char	*s = line, *dir, *w, *act, *end;
	int	 a, r;

	if ((dir = str_word(&s)) == NULL || dir[0] == '#')
		return 0;
	if (strcmp(dir, "alias") == 0) {
		w = str_word(&s);
		act = str_word(&s);
		if (w == NULL || act == NULL || str_word(&s) != NULL) {
			snprintf(why, whylen, "expected: alias WORD ACTION");
			return -1;
		}
		if ((a = parse_action_from_name(act)) < 0 || a == PARSE_CHOICE) {
			snprintf(why, whylen, "unknown action '%s' (subscribe, unsubscribe, pull, report, "
			    "group, broadcast, help)", act);
			return -1;
		}
		if (str_is_digits(w)) {
			snprintf(why, whylen, "alias '%s' is a number: numbers answer questions", w);
			return -1;
		}
		if ((r = add_alias(t, w, a)) != 0) {
			if (r == -2)
				snprintf(why, whylen, "too many aliases (at most %d)", PARSE_MAX_ALIASES);
			else
				snprintf(why, whylen, "alias '%s' is not one word of at most %d letters",
				    w, PARSE_WORD_MAX - 1);
			return -1;
		}
		return 0;
	}
	if (strcmp(dir, "ignore") == 0 || strcmp(dir, "filler") == 0) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0') {
			snprintf(why, whylen, "expected: %s WORD", dir);
			return -1;
		}
		if (dir[0] == 'i' && strpbrk(s, " \t") != NULL) {
			snprintf(why, whylen, "expected: ignore WORD (one word)");
			return -1;
		}
		r = dir[0] == 'i' ? add_phrase(t->ignore, &t->nignore, s) :
		    add_phrase(t->filler, &t->nfiller, s);
		if (r != 0) {
			if (r == -2)
				snprintf(why, whylen, "too many ignore/filler entries (at most %d)",
				    PARSE_MAX_WORDLIST);
			else
				snprintf(why, whylen, "'%s' has no letters or is too long", s);
			return -1;
		}
		return 0;
	}
	if (strcmp(dir, "pattern") == 0) {
		while (*s == ' ' || *s == '\t')
			s++;
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		act = end;
		while (act > s && act[-1] != ' ' && act[-1] != '\t')
			act--;
		if (act == s || act == end) {
			snprintf(why, whylen, "expected: pattern REGEX ACTION");
			return -1;
		}
		*end = '\0';
		if ((a = parse_action_from_name(act)) < 0) {
			snprintf(why, whylen, "unknown action '%s' (subscribe, unsubscribe, pull, report, "
			    "group, broadcast, help, choice)", act);
			return -1;
		}
		end = act;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		return compile_pattern(t, s, (size_t)(end - s), a, why, whylen);
	}
	snprintf(why, whylen, "unknown directive '%s' (alias, ignore, filler, pattern)", dir);
	return -1;
}

int
parse_table_load_text(struct parse_table *t, const char *text, char *err, size_t errlen)
{
	struct alias	*saved;
	size_t		 nalias = t->nalias, nignore = t->nignore, nfiller = t->nfiller;
	size_t		 npat = t->npat, len, lineno = 0;
	const char	*p = text, *nl;
	char		*line, why[256];
	int		 rc = 0;

	saved = xcalloc(PARSE_MAX_ALIASES, sizeof(*saved));
	memcpy(saved, t->alias, nalias * sizeof(*saved));
	while (*p != '\0') {
		lineno++;
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		line = xstrndup(p, len);
		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		why[0] = '\0';
		rc = load_line(t, line, why, sizeof(why));
		free(line);
		if (rc != 0) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "line %zu: %s", lineno, why);
			break;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (rc != 0) {
		/* all or nothing */
		memcpy(t->alias, saved, nalias * sizeof(*saved));
		t->nalias = nalias;
		t->nignore = nignore;
		t->nfiller = nfiller;
		while (t->npat > npat)
			free_pattern(&t->pat[--t->npat]);
	}
	free(saved);
	return rc == 0 ? 0 : -1;
}

/* --- parsing (no allocation from here on) --- */

/* Is the Damerau-Levenshtein (optimal string alignment) distance between a and b at most 1? */
static int
within_one(const char *a, size_t la, const char *b, size_t lb)
{
	size_t	 i = 0;

	if (la > lb + 1 || lb > la + 1)
		return 0;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb) {
		if (i == la)
			return 1;
		if (memcmp(a + i + 1, b + i + 1, la - i - 1) == 0)
			return 1;	/* substitution */
		return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    memcmp(a + i + 2, b + i + 2, la - i - 2) == 0;	/* transposition */
	}
	if (la == lb + 1)
		return memcmp(a + i + 1, b + i, lb - i) == 0;	/* a has one extra letter */
	return memcmp(a + i, b + i + 1, la - i) == 0;
}

static int
has_run3(const char *w, size_t n)
{
	size_t	 i;

	for (i = 2; i < n; i++)
		if (w[i] == w[i - 1] && w[i] == w[i - 2])
			return 1;
	return 0;
}

/* Equal once every run of a repeated letter is one letter (STOOOP = STOP, OFFFF = OFF)? */
static int
same_squeezed(const char *a, size_t la, const char *b, size_t lb)
{
	size_t	 i = 0, j = 0;

	while (i < la && j < lb) {
		if (a[i] != b[j])
			return 0;
		while (i + 1 < la && a[i + 1] == a[i])
			i++;
		while (j + 1 < lb && b[j + 1] == b[j])
			j++;
		i++;
		j++;
	}
	return i == la && j == lb;
}

static int
only_letters(const char *w, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (w[i] < 'A' || w[i] > 'Z')
			return 0;
	return 1;
}

/* Copies at most outsz-1 bytes of s[0..n) to out, not cutting a UTF-8 sequence; returns bytes. */
static size_t
copy_cut(char *out, size_t outsz, const char *s, size_t n)
{
	n = utf8_cut(s, n, outsz - 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

static int
in_list(const struct phrase *list, size_t n, const char *w, size_t wlen)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (list[i].len == wlen && memcmp(list[i].words, w, wlen) == 0)
			return 1;
	return 0;
}

/* Sets res->area from normalised words a[0..n), dropping filler phrases at either end. */
static void
set_area(const struct parse_table *t, struct parse_result *res, const char *a, size_t n, int strip)
{
	size_t	 i, fl;
	int	 changed = strip;

	while (n > 0 && a[0] == ' ')
		a++, n--;
	while (n > 0 && a[n - 1] == ' ')
		n--;
	while (changed) {
		changed = 0;
		for (i = 0; i < t->nfiller && n > 0; i++) {
			fl = t->filler[i].len;
			if (fl > n)
				continue;
			if (memcmp(a, t->filler[i].words, fl) == 0 && (fl == n || a[fl] == ' ')) {
				a += fl == n ? fl : fl + 1;
				n -= fl == n ? fl : fl + 1;
				changed = 1;
			}
			if (fl <= n && memcmp(a + n - fl, t->filler[i].words, fl) == 0 &&
			    (fl == n || a[n - fl - 1] == ' ')) {
				n -= fl == n ? fl : fl + 1;
				changed = 1;
			}
		}
	}
	if (res->action == PARSE_UNSUBSCRIBE) {
		/* "STOP PAK": nothing but forms of address means no area, i.e. stop everything */
		for (i = 0; i < n; i = fl + 1) {
			fl = i;
			while (fl < n && a[fl] != ' ')
				fl++;
			if (!norm_is_honorific(a + i, fl - i))
				break;
		}
		if (i >= n)
			n = 0;
	}
	if (n > PARSE_AREA_MAX - 1) {
		/* keep whole words, unless the first word alone is too long */
		i = PARSE_AREA_MAX - 1;
		while (i > 0 && a[i] != ' ')
			i--;
		n = i > 0 ? i : n;
	}
	copy_cut(res->area, sizeof(res->area), a, n);
}

/*
 * What may stand between a keyword and its text: blanks, separators, dashes, and closing quotes or
 * brackets stuck to the keyword (“LAPOR” …); after a blank a quote opens the text (LAPOR "air" …).
 */
static int
lead_junk(uint32_t cp, int *blank)
{
	if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '\v' || cp == '\f' ||
	    cp == 0x00A0 || cp == 0x3000 || cp == 0x202F || (cp >= 0x2000 && cp <= 0x200A)) {
		*blank = 1;
		return 1;
	}
	if (cp == 0x00BB || cp == 0x203A || (cp >= 0x2018 && cp <= 0x201F) ||
	    (cp < 0x80 && cp != 0 && strchr("\"'>)]}", (int)cp) != NULL))
		return !*blank;
	if (cp < 0x80)
		return cp != 0 && strchr("#.,*/:;=-", (int)cp) != NULL;
	return cp == NORM_CP_INVALID || (cp >= 0x2010 && cp <= 0x2015) || cp == 0xFF1A ||
	    norm_is_ignorable(cp);
}

/*
 * Sets res->text from the original in[off .. stop): leading blanks and separators and trailing blanks
 * trimmed, invalid UTF-8 and NULs replaced by U+FFFD so the result is always valid UTF-8.
 */
static void
set_text(struct parse_result *res, const char *in, size_t off, size_t stop)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 o = 0, n, k;
	uint32_t		 cp;
	char			 buf[4];
	int			 blank = 0;

	while (off < stop) {
		cp = norm_utf8_next(s + off, stop - off, &n);
		if (!lead_junk(cp, &blank))
			break;
		off += n;
	}
	while (stop > off && strchr(" \t\r\n\v\f", s[stop - 1]) != NULL && s[stop - 1] != '\0')
		stop--;
	res->text_off = off;
	res->text_len = stop - off;
	while (off < stop) {
		cp = norm_utf8_next(s + off, stop - off, &n);
		if (cp == NORM_CP_INVALID || cp == 0)
			k = utf8_encode(0xFFFD, buf);
		else {
			k = n;
			memcpy(buf, s + off, n);
		}
		if (o + k > sizeof(res->text) - 1) {
			res->text_truncated = 1;
			break;
		}
		memcpy(res->text + o, buf, k);
		o += k;
		off += n;
	}
	res->text[o] = '\0';
}

/* Original offset just past normalised byte i-1 (the end of a word ending at i). */
#define ORIG_END(i)	(end[(i) - 1])

static void
args_for(const struct parse_table *t, struct parse_result *res, const char *in, size_t len,
    size_t apos, const uint32_t *start, const uint32_t *end, size_t kw_orig_end)
{
	const char	*nm = res->norm;
	size_t		 nlen = strlen(nm), ps, pe, as, ae, ls, nx, ne;

	switch (res->action) {
	case PARSE_SUBSCRIBE:
	case PARSE_UNSUBSCRIBE:
	case PARSE_PULL:
		if (apos < nlen)
			set_area(t, res, nm + apos, nlen - apos, 1);
		break;
	case PARSE_REPORT:
	case PARSE_GROUP:
	case PARSE_VERIFY:
		set_text(res, in, kw_orig_end, len);
		break;
	case PARSE_APPROVE:
		/* SETUJU ID PIN */
		ps = apos;
		pe = ps;
		while (pe < nlen && nm[pe] != ' ')
			pe++;
		if (pe > ps && pe - ps <= 12 && str_digits_n(nm + ps, pe - ps))
			for (; ps < pe; ps++)
				res->ref = res->ref * 10 + (nm[ps] - '0');
		if (pe < nlen) {
			as = pe + 1;
			ae = as;
			while (ae < nlen && nm[ae] != ' ')
				ae++;
			copy_cut(res->pin, sizeof(res->pin), nm + as, ae - as);
			if (ae > as) {
				res->pin_off = start[as];
				res->pin_len = ORIG_END(ae) - start[as];
			}
		}
		break;
	case PARSE_BROADCAST:
		/* SIAR PIN AREA TEXT */
		if (apos >= nlen) {
			res->text_off = kw_orig_end;
			break;
		}
		ps = apos;
		pe = ps;
		while (pe < nlen && nm[pe] != ' ')
			pe++;
		/* "SIAR PIN 246801 …": the word PIN names the next token */
		if (pe - ps == 3 && memcmp(nm + ps, "PIN", 3) == 0 && pe < nlen) {
			ps = pe + 1;
			pe = ps;
			while (pe < nlen && nm[pe] != ' ')
				pe++;
		}
		copy_cut(res->pin, sizeof(res->pin), nm + ps, pe - ps);
		res->pin_off = start[ps];
		res->pin_len = ORIG_END(pe) - start[ps];
		if (pe >= nlen) {
			res->text_off = ORIG_END(pe);
			break;
		}
		as = pe + 1;
		ae = as;
		while (ae < nlen && nm[ae] != ' ')
			ae++;
		/* a dotted code "16.71.01" is one area token */
		ls = as;
		while (str_digits_n(nm + ls, ae - ls) && ae < nlen) {
			nx = ae + 1;
			ne = nx;
			while (ne < nlen && nm[ne] != ' ')
				ne++;
			if (!str_digits_n(nm + nx, ne - nx) || ORIG_END(ae) + 1 != start[nx] ||
			    in[ORIG_END(ae)] != '.')
				break;
			ls = nx;
			ae = ne;
		}
		set_area(t, res, nm + as, ae - as, 0);
		set_text(res, in, ORIG_END(ae), len);
		break;
	default:
		break;
	}
}

static int
try_patterns(struct parse_table *t, struct parse_result *res, const char *in, size_t len,
    const uint32_t *start, const uint32_t *end)
{
	size_t		 i, nlen = strlen(res->norm), gs, ge;
	PCRE2_SIZE	*ov;
	struct pattern	*p;
	int		 rc;

	for (i = 0; i < t->npat; i++) {
		p = &t->pat[i];
		rc = pcre2_match(p->re, (PCRE2_SPTR)res->norm, nlen, 0, 0, p->md, t->mctx);
		if (rc <= 0)
			continue;	/* no match, or a limit was hit: treat as no match */
		ov = pcre2_get_ovector_pointer(p->md);
		res->action = p->action;
		res->how = PARSE_HOW_PATTERN;
		res->pattern = (int)i;
#define GROUP(g)	((g) > 0 && (g) < rc && ov[2 * (g)] != PCRE2_UNSET)
		if (GROUP(p->g_area))
			set_area(t, res, res->norm + ov[2 * p->g_area],
			    ov[2 * p->g_area + 1] - ov[2 * p->g_area], p->action != PARSE_BROADCAST);
		if (GROUP(p->g_pin) && ov[2 * p->g_pin + 1] > ov[2 * p->g_pin]) {
			gs = ov[2 * p->g_pin];
			ge = ov[2 * p->g_pin + 1];
			copy_cut(res->pin, sizeof(res->pin), res->norm + gs, ge - gs);
			res->pin_off = start[gs];
			res->pin_len = end[ge - 1] - start[gs];
		}
		if (GROUP(p->g_text)) {
			gs = ov[2 * p->g_text];
			ge = ov[2 * p->g_text + 1];
			if (gs < ge)
				/* a group running to the end takes the original's trailing punctuation too */
				set_text(res, in, start[gs], ge >= nlen ? len : end[ge - 1]);
		}
		if (GROUP(p->g_choice)) {
			gs = ov[2 * p->g_choice];
			ge = ov[2 * p->g_choice + 1];
			while (gs < ge && res->choice < 1000 && res->norm[gs] >= '0' &&
			    res->norm[gs] <= '9')
				res->choice = res->choice * 10 + (unsigned)(res->norm[gs++] - '0');
		}
#undef GROUP
		if (p->action == PARSE_CHOICE && (res->choice == 0 || res->choice > 99)) {
			res->choice = 0;
			res->action = PARSE_UNKNOWN;
			res->how = PARSE_HOW_NONE;
			res->pattern = -1;
			continue;
		}
		return 1;
	}
	return 0;
}

enum near { NEAR_SQUEEZED, NEAR_TYPO };

/* The unprivileged aliases near the keyword nm (kl bytes): equal once runs of a letter are
 * squeezed, or (of 4 letters or more) one typo away. Returns how many actions they mean; *hit is
 * the first of them (NULL when none). */
static int
near_actions(const struct parse_table *t, const char *nm, size_t kl, enum near how, const struct alias **hit)
{
	const struct alias	*al;
	unsigned		 seen = 0;
	int			 nseen = 0;
	size_t			 i;

	*hit = NULL;
	for (i = 0; i < t->nalias; i++) {
		al = &t->alias[i];
		if (privileged(al->action))
			continue;
		if (how == NEAR_SQUEEZED ? !same_squeezed(nm, kl, al->word, al->len) :
		    al->len < 4 || !within_one(nm, kl, al->word, al->len))
			continue;
		if (!(seen & (1u << al->action))) {
			seen |= 1u << al->action;
			nseen++;
		}
		if (*hit == NULL)
			*hit = al;
	}
	return nseen;
}

enum parse_action
parse_message(struct parse_table *t, const char *in, size_t len, struct parse_result *res)
{
	uint32_t		 start[PARSE_NORM_MAX], end[PARSE_NORM_MAX];
	size_t			 nlen, kl, apos, pl;
	const struct alias	*al;
	int			 nseen;
	const char		*nm;

	res->action = PARSE_UNKNOWN;
	res->how = PARSE_HOW_NONE;
	res->keyword[0] = res->alias[0] = res->area[0] = res->pin[0] = res->text[0] = '\0';
	res->pattern = -1;
	res->choice = 0;
	res->ref = 0;
	res->text_off = res->text_len = 0;
	res->pin_off = res->pin_len = 0;
	res->text_truncated = 0;

	nlen = norm_text(in, len, res->norm, sizeof(res->norm), start, end, &res->norm_truncated);
	nm = res->norm;
	if (nlen == 0) {
		res->how = PARSE_HOW_EMPTY;
		return res->action;
	}
	kl = 0;
	while (kl < nlen && nm[kl] != ' ')
		kl++;
	copy_cut(res->keyword, sizeof(res->keyword), nm, kl);
	apos = kl < nlen ? kl + 1 : nlen;

	if (t->npat > 0 && try_patterns(t, res, in, len, start, end))
		return res->action;

	/* a bare number answers a numbered question */
	if (kl == nlen && kl <= 2 && str_digits_n(nm, kl)) {
		res->choice = kl == 1 ? (unsigned)(nm[0] - '0') :
		    (unsigned)((nm[0] - '0') * 10 + (nm[1] - '0'));
		if (res->choice > 0) {
			res->action = PARSE_CHOICE;
			res->how = PARSE_HOW_CHOICE;
		}
		return res->action;
	}
	if (kl >= PARSE_WORD_MAX || in_list(t->ignore, t->nignore, nm, kl))
		return res->action;

	if ((al = find_alias(t, nm, kl)) != NULL) {
		res->how = PARSE_HOW_EXACT;
		goto found;
	}

	/* an alias glued to a code: REG1671011001 */
	pl = 0;
	while (pl < kl && nm[pl] >= 'A' && nm[pl] <= 'Z')
		pl++;
	if (pl > 0 && pl < kl && str_digits_n(nm + pl, kl - pl) &&
	    (al = find_alias(t, nm, pl)) != NULL) {
		res->how = PARSE_HOW_GLUED;
		apos = pl;
		kl = pl;
		goto found;
	}

	/* a letter held down (STOOOP): compare with runs squeezed, when that gives one action */
	if (only_letters(nm, kl) && has_run3(nm, kl) && near_actions(t, nm, kl, NEAR_SQUEEZED, &al) == 1) {
		res->how = PARSE_HOW_STRETCHED;
		goto found;
	}

	/* one typo, only when every alias within reach means the same action */
	if (kl >= 4 && only_letters(nm, kl)) {
		nseen = near_actions(t, nm, kl, NEAR_TYPO, &al);
		if (nseen == 1) {
			res->how = PARSE_HOW_TYPO;
			goto found;
		}
		if (nseen > 1)
			res->how = PARSE_HOW_AMBIGUOUS;
	}
	return res->action;

found:
	res->action = al->action;
	memcpy(res->alias, al->word, al->len + 1);
	args_for(t, res, in, len, apos, start, end, end[kl - 1]);
	return res->action;
}
