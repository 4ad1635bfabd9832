/*
 * ussd-internal.h — what the USSD state machine (gateway/http/ussd.c) and the menu file's reader and
 * checker (gateway/http/ussd_menu.c) share: the parsed menu and the screen text helpers. Not for
 * other modules: they use gateway/ussd.h.
 */
#ifndef GATEWAY_USSD_INTERNAL_H
#define GATEWAY_USSD_INTERNAL_H

#include <stddef.h>

#define MENU_ITEMS	9
#define NAME_SHOWN	40	/* characters of a typed name repeated on a screen */

enum target { T_SUBSCRIBE, T_NEWS, T_REPORT, T_STOP, T_MENU, T_TEXT, T_LANG };

enum msg {
	M_NEXT, M_BACK, M_INVALID, M_SUB_PROMPT, M_SUB_CHOOSE, M_SUB_SUGGEST, M_SUB_NONE, M_SUB_DONE,
	M_SUB_ALREADY, M_NEWS_TITLE, M_NEWS_NONE, M_NEWS_NOT_SUBSCRIBED, M_REPORT_PROMPT, M_REPORT_EMPTY,
	M_REPORT_PENDING, M_REPORT_PUBLISHED, M_STOP_CONFIRM, M_STOP_DONE, M_STOP_NOT_SUBSCRIBED,
	M_STOP_CANCELLED, M_BAD_NUMBER, M_ERROR, M_COUNT
};

struct item {
	int		 key;		/* 1-9 */
	char		*label;
	enum target	 t;
	char		*arg;		/* menu, text or language name */
	int		 idx;		/* … resolved to its index */
};

struct menu {
	char		*name;
	char		*title;
	int		 line;
	struct item	 items[MENU_ITEMS];
	int		 nitems;
};

struct text {
	char		*key;
	char		*val;
};

struct lang {
	char		 code[16];
	int		 line;
	char		*msg[M_COUNT];
	struct menu	*menus;
	int		 nmenus;
	struct text	*texts;
	int		 ntexts;
	int		 main;		/* index of menu.main */
};

struct ussd_menu {
	struct lang	*langs;
	int		 nlangs;
};

/* Byte offset of the first `chars` characters of s (all of s when shorter). */
size_t	ussd_chars_bytes(const char *s, size_t chars);
/* Fills {name}-style placeholders of tpl from vars (k1, v1, …, NULL) into out (len bytes). */
void	ussd_fill(const char *tpl, const char *const *vars, char *out, size_t len);
/* Cuts s at USSD_SCREEN_CHARS characters (the last resort; fixed texts are checked at load). */
void	ussd_clamp(char *s);
/* Whether s holds nothing but white space. */
int	ussd_is_blank(const char *s);
/* Renders a menu screen (with the invalid line if asked) into out. */
void	ussd_render_menu(const struct lang *l, const struct menu *m, int invalid, char *out, size_t len);
/* Reads and parses the menu; on success *textp (if set) gets the text, else it is freed. */
struct ussd_menu	*ussd_menu_read(const char *path, char **textp, char *err, size_t errlen);

#endif
