/*
 * ini — the one INI line reader: a text (or a file) cut into lines, each trimmed (str_trim) and
 * classified as a [section] header, a key = value pair or a malformed line, with its line number.
 * Blank lines and whole-line comments (';' or '#' first) are skipped. What a section or a key
 * means, and whether a malformed line is an error, is the caller's: the configuration (conf.c),
 * the operators' balance patterns (parsers/balance.c), the USSD menu (gateway/http/ussd_menu.c) and
 * the modem profiles (gateway/modem/modem_worker.c, console/detect.c). Pure libc.
 */
#ifndef COMMON_INI_H
#define COMMON_INI_H
#include <stddef.h>

enum ini_kind {
	INI_SECTION = 0,	/* "[name]", nothing after the ']' but a comment */
	INI_KEY,		/* "key = value" */
	INI_BAD_SECTION,	/* '[' first but no ']', or other text after the ']' */
	INI_NO_EQUALS,		/* neither a section nor a line with '=' */
	INI_BAD_QUOTE,		/* INI_QUOTES: a value opens '"' and never closes it */
	INI_TOO_LONG,		/* INI_LINE_LIMIT: longer than INI_LINE_MAX bytes */
	INI_NUL_BYTE,		/* the line holds a NUL byte (ini_parse_file only) */
};

/* One line as the callback sees it; the strings point into a copy the reader owns (writable, valid
 * during the call only). */
struct ini_line {
	int		 lineno;	/* 1-based; every '\n' counts */
	enum ini_kind	 kind;
	char		*text;		/* the whole line, trimmed (values not yet cut) */
	char		*name;		/* (BAD_)SECTION with a ']': the name between the brackets, trimmed */
	char		*key;		/* INI_KEY: trimmed */
	char		*value;		/* INI_KEY: trimmed, quotes and comments handled as the flags say */
};

/* flags */
#define INI_QUOTES	0x01	/* value = "text" is the text between the quotes (rest of line ignored) */
#define INI_COMMENTS	0x02	/* value ; comment and value # comment: a ';' or '#' after white space
				 * starts a comment; so does one first in the value, except a '#'
				 * followed by more (a USSD code such as #123#) */
#define INI_LINE_LIMIT	0x04	/* lines longer than INI_LINE_MAX bytes are INI_TOO_LONG */
#define INI_LINE_MAX	4094

/* Returns 0 to go on; anything else stops the reader, which returns it. */
typedef int	(*ini_line_cb)(const struct ini_line *, void *arg);

/* Reads text (NUL-terminated) line by line. Returns 0 or the callback's stopping value. */
int		 ini_parse(const char *text, int flags, ini_line_cb, void *arg);
/* The same for the file at path, read whole. INI_EOPEN when it cannot be opened, INI_EREAD when it
 * cannot be read (both with errno set). */
#define INI_EOPEN	(-1000)
#define INI_EREAD	(-1001)
int		 ini_parse_file(const char *path, int flags, ini_line_cb, void *arg);
/*
 * Only the keys of one section, for readers of a gammurc-format profile (libGammu's [gammu], the
 * detector's [kentongan]): pass ini_section_cb with a struct ini_section as its arg; cb sees the
 * INI_KEY lines after a line starting "[NAME]" (any case) up to the next line starting '['.
 */
struct ini_section {
	const char	*name;
	ini_line_cb	 cb;
	void		*arg;
	int		 in;		/* 0 at the start */
};
int		 ini_section_cb(const struct ini_line *, void *section);
/* A malformed kind said in words ("expected KEY = VALUE", …); "" for SECTION and KEY. */
const char	*ini_why(enum ini_kind);
#endif
