/*
 * parse — the SMS grammar (SPEC §4): keyword table, keyword matching (exact, glued to a code, one
 * typo), admin patterns, and the arguments of each action. Text in, struct out.
 *
 * The table is built once at start-up (built-in aliases + the optional `keywords` file, which the
 * gateway reads and hands over as text); building it allocates and may fail with a message naming the
 * line. parse_message() never does I/O, accepts any bytes (invalid UTF-8, NULs, any length) and its
 * time is bounded: the input is scanned up to PARSE_NORM_MAX normalised bytes and every admin pattern
 * runs under PCRE2 match/depth/heap limits (worst case measured by tests/bench/bench_parser). It does
 * not allocate; the one exception is PCRE2's interpreter on a platform without JIT, which may take up
 * to 256 KiB of heap for a deeply backtracking pattern (with JIT, the stack is allocated with the table).
 *
 * Threads: a table may be used by one thread at a time (parse_message uses per-pattern match data owned
 * by the table). The daemon is single-threaded, so this is free.
 */
#ifndef PARSERS_PARSE_H
#define PARSERS_PARSE_H

#include <stddef.h>

#define PARSE_WORD_MAX		32	/* keyword/alias bytes incl. NUL */
#define PARSE_AREA_MAX		128	/* normalised area argument incl. NUL */
#define PARSE_PIN_MAX		16
#define PARSE_TEXT_MAX		2048	/* free text incl. NUL; longer text is cut at a character boundary */
#define PARSE_NORM_MAX		2048	/* normalised message incl. NUL; the rest is not looked at */
#define PARSE_MAX_ALIASES	512
#define PARSE_MAX_PATTERNS	32
#define PARSE_MAX_WORDLIST	256	/* ignore + filler entries */

enum parse_action {
	PARSE_UNKNOWN = 0,	/* no keyword: store it, maybe send help (SPEC §4 last row) */
	PARSE_SUBSCRIBE,	/* area = what to subscribe to (may be empty: ask for it) */
	PARSE_UNSUBSCRIBE,	/* area = what to leave; empty = everything */
	PARSE_PULL,		/* INFO/BERITA; area set if the sender added one (optional) */
	PARSE_REPORT,		/* text = the report, original case and lines */
	PARSE_GROUP,		/* KIM: text */
	PARSE_BROADCAST,	/* SIAR: pin, area (one token or a dotted code), text */
	PARSE_HELP,
	PARSE_CHOICE,		/* a bare number answering a numbered question: choice */
	PARSE_VERIFY,		/* CEK: text = a verification code or a forwarded message */
	PARSE_APPROVE,		/* SETUJU ID PIN: ref = the announcement, pin */
};
#define PARSE_NACTIONS	(PARSE_APPROVE + 1)

/* How the keyword was recognised: for the inbox's "what was done" and for logs. */
enum parse_how {
	PARSE_HOW_NONE = 0,	/* UNKNOWN: a first word that is no keyword */
	PARSE_HOW_EMPTY,	/* UNKNOWN: no word at all (empty, only punctuation/emoji) */
	PARSE_HOW_EXACT,	/* the first word is an alias */
	PARSE_HOW_GLUED,	/* an alias glued to digits: REG1671011001 */
	PARSE_HOW_TYPO,		/* one typo away from aliases of exactly one action */
	PARSE_HOW_AMBIGUOUS,	/* UNKNOWN: one typo away from aliases of several actions */
	PARSE_HOW_PATTERN,	/* an admin pattern matched (pattern = its index) */
	PARSE_HOW_CHOICE,	/* a bare number */
	PARSE_HOW_STRETCHED,	/* an alias with a letter held down: STOOOP, OFFFF (runs of 3+) */
};

struct parse_result {
	enum parse_action	 action;
	enum parse_how		 how;
	char			 keyword[PARSE_WORD_MAX];	/* first word, normalised ("DAFTRA"); "" if none */
	char			 alias[PARSE_WORD_MAX];		/* alias it matched ("DAFTAR"); "" if none */
	int			 pattern;	/* index of the matching pattern, else -1 */
	unsigned		 choice;	/* PARSE_CHOICE: 1..99 */
	char			 area[PARSE_AREA_MAX];	/* normalised words (feed to norm_area_split),
							 * filler phrases stripped from both ends;
							 * unsubscribe: "" if only forms of address
							 * were left ("STOP PAK") */
	char			 pin[PARSE_PIN_MAX];	/* PARSE_BROADCAST, PARSE_APPROVE */
	long long		 ref;		/* PARSE_APPROVE: the announcement id (0 none) */
	size_t			 pin_off;	/* the PIN token is input[pin_off .. pin_off + pin_len) */
	size_t			 pin_len;	/* (0: none): what must never be stored in clear */
	char			 text[PARSE_TEXT_MAX];	/* valid UTF-8: original text after the keyword
							 * (SIAR: after the area); leading blanks,
							 * separators, closing quotes and dashes and
							 * trailing blanks trimmed */
	size_t			 text_off;	/* text came from input[text_off .. text_off + text_len) */
	size_t			 text_len;
	int			 text_truncated;	/* text[] holds only the start of it */
	char			 norm[PARSE_NORM_MAX];	/* the whole message through norm_text() */
	int			 norm_truncated;
};

struct parse_table;

/* A table holding the built-in aliases (SPEC §4 plus documented regional/English forms). Never NULL. */
struct parse_table	*parse_table_new(void);
void			 parse_table_free(struct parse_table *);	/* accepts NULL */

/*
 * Adds the lines of a keywords file (NUL-terminated text):
 *	# comment                      blank lines too
 *	alias WORD ACTION              WORD is normalised; re-aliasing an existing word replaces its action
 *	ignore WORD                    WORD is never a keyword, not even by typo ("SIAP" vs SIAR)
 *	filler WORDS…                  stripped from the start/end of a subscribe/unsubscribe area
 *	pattern REGEX ACTION           PCRE2, caseless, on the normalised text (uppercase words, single
 *	                               spaces); named groups area, text, pin, choice give the arguments;
 *	                               patterns are tried in order before the aliases
 * ACTION: subscribe unsubscribe pull report group broadcast help choice verify approve (also info, kim,
 * siar, cek, setuju).
 * All or nothing: returns 0, or -1 with the table unchanged and err = "line N: what is wrong".
 */
int			 parse_table_load_text(struct parse_table *, const char *text, char *err,
			    size_t errlen);

/*
 * Parses one SMS (UTF-8 text as received, any bytes, len bytes, NUL not needed) into *res, which is
 * completely overwritten. Returns res->action. Never fails.
 */
enum parse_action	 parse_message(struct parse_table *, const char *text, size_t len,
			    struct parse_result *res);

/* "subscribe", "unsubscribe", "pull", "report", "group", "broadcast", "help", "choice", "verify",
 * "approve", "unknown". */
const char		*parse_action_name(enum parse_action);
/* Inverse, accepting the synonyms above; returns -1 for an unknown name. */
int			 parse_action_from_name(const char *);
/* "none", "empty", "exact", "glued", "typo", "ambiguous", "pattern", "choice", "stretched". */
const char		*parse_how_name(enum parse_how);

#endif
