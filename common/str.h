/* str — string helpers shared by the config reader and the data-file readers. Pure. */
#ifndef COMMON_STR_H
#define COMMON_STR_H
#include <stddef.h>

/* Cuts leading and trailing white space in place; returns the first non-space character. */
char	*str_trim(char *);
/* The next word of *sp (words are separated by spaces and tabs), cut out in place; *sp moves past
 * it. NULL when only white space is left. */
char	*str_word(char **sp);
/* s past "SCHEME://" or "SCHEMEs://" (scheme "mqtt": mqtt:// and mqtts://; "http": http:// and
 * https://); NULL when s starts with neither. */
const char *str_after_scheme(const char *s, const char *scheme);
/* 1 if s is one or more ASCII digits and nothing else. */
int	 str_is_digits(const char *s);
/* The same for s[0..len): a non-empty run of ASCII digits. */
int	 str_digits_n(const char *s, size_t len);
/* Whether s (n bytes) is 1 to max characters, each one of allowed (an id, a name: the sets below). */
int	 str_made_of(const char *s, size_t n, size_t max, const char *allowed);
#define STR_LOWER	"abcdefghijklmnopqrstuvwxyz"
#define STR_UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define STR_DIGITS	"0123456789"

/*
 * Display-safe copies of untrusted text (SMS, USSD, sender ids) for terminals, CSV and logs.
 * C0 controls and DEL become their Unicode control pictures (ESC shows as U+241B), C1 controls
 * and bidirectional controls (U+061C, U+200E-200F, U+202A-202E, U+2066-2069) and the line and
 * paragraph separators become "<U+XXXX>", invalid UTF-8 becomes U+FFFD. Other text is unchanged.
 */
enum str_vis_ws {
	STR_VIS_WS_MARK = 0,	/* \n \r \t shown as control pictures too (log lines) */
	STR_VIS_WS_SPACE,	/* \n \r \t become a space (one-line table cells) */
	STR_VIS_WS_KEEP,	/* \n and \t kept, \r kept before \n only (CSV, quoted by the writer) */
};
/* Worst-case output bytes for n input bytes, terminator included. */
#define STR_VIS_MAX(n)	(4 * (n) + 1)
/* Writes the display-safe form of s into out (len bytes), cut at a character boundary when full;
 * returns the bytes written (without the terminator). */
size_t	 str_visible(const char *s, enum str_vis_ws ws, char *out, size_t len);
/* 1 if s needs no change to be displayed safely. */
int	 str_is_visible(const char *s, enum str_vis_ws ws);
#endif
