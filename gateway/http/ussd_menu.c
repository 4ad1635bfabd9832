/*
 * ussd_menu — the USSD menu file (gateway/http/ussd-menu.conf and the operator's copy): its reader, the
 * checks that every screen it can show fits USSD_SCREEN_CHARS (at load, so a villager never sees
 * a cut text), and the screen text helpers the state machine (gateway/http/ussd.c) shares.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "common/ini.h"
#include "common/str.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "gateway/http/ussd.h"
#include "gateway/http/ussd-internal.h"

#include "ussd_menu.h"		/* generated: static const char ussd_menu_text[] */

#define MENU_MAX_BYTES	(256 * 1024)

static const char *const msg_keys[M_COUNT] = {
	"next", "back", "invalid", "sub.prompt", "sub.choose", "sub.suggest", "sub.none", "sub.done",
	"sub.already", "news.title", "news.none", "news.not_subscribed", "report.prompt", "report.empty",
	"report.pending", "report.published", "stop.confirm", "stop.done", "stop.not_subscribed",
	"stop.cancelled", "bad_number", "error",
};

/* ---- text helpers ---- */

size_t
ussd_chars(const char *s)
{
	return utf8_chars(s);
}

/* Byte offset of the first `chars` characters of s (all of s when shorter). */
size_t
ussd_chars_bytes(const char *s, size_t chars)
{
	return utf8_prefix(s, chars);
}

/* Fills {name}-style placeholders of tpl from vars (k1, v1, …, NULL) into out (len bytes). */
void
ussd_fill(const char *tpl, const char *const *vars, char *out, size_t len)
{
	size_t	 o = 0;
	int	 i;

	while (*tpl && o + 1 < len) {
		if (*tpl == '{' && vars != NULL) {
			for (i = 0; vars[i]; i += 2) {
				size_t kl = strlen(vars[i]);

				if (strncmp(tpl + 1, vars[i], kl) == 0 && tpl[1 + kl] == '}') {
					o += (size_t)snprintf(out + o, len - o, "%s", vars[i + 1]);
					if (o >= len)
						o = len - 1;
					tpl += kl + 2;
					break;
				}
			}
			if (vars[i] != NULL)
				continue;
		}
		out[o++] = *tpl++;
	}
	out[o] = '\0';
}

/* Cuts s at USSD_SCREEN_CHARS characters (the last resort; fixed texts are checked at load). */
void
ussd_clamp(char *s)
{
	s[ussd_chars_bytes(s, USSD_SCREEN_CHARS)] = '\0';
}

int
ussd_is_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* ---- the menu file ---- */

static void
menu_err(char *err, size_t errlen, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
menu_err(char *err, size_t errlen, const char *path, int line, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(err, errlen, "%s:%d: ", path, line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static char *
unescape(const char *v)
{
	char	*out = xmalloc(strlen(v) + 1), *o = out;

	for (; *v; v++) {
		if (v[0] == '\\' && v[1] == 'n') {
			*o++ = '\n';
			v++;
		} else if (v[0] == '\\' && v[1] == '\\') {
			*o++ = '\\';
			v++;
		} else
			*o++ = *v;
	}
	*o = '\0';
	return out;
}

static int
name_ok(const char *s, size_t len)
{
	return str_made_of(s, len, 31, STR_LOWER STR_DIGITS "_");
}

static struct menu *
menu_get(struct lang *l, const char *name, size_t len, int line)
{
	int i;

	for (i = 0; i < l->nmenus; i++)
		if (strlen(l->menus[i].name) == len && strncmp(l->menus[i].name, name, len) == 0)
			return &l->menus[i];
	l->menus = xreallocarray(l->menus, (size_t)l->nmenus + 1, sizeof(*l->menus));
	memset(&l->menus[l->nmenus], 0, sizeof(*l->menus));
	l->menus[l->nmenus].name = xstrndup(name, len);
	l->menus[l->nmenus].line = line;
	return &l->menus[l->nmenus++];
}

/* One "key = value" line of a language section; NULL or the reason. */
static const char *
menu_set(struct lang *l, const char *key, const char *val, int line)
{
	int	 i;

	if (strncmp(key, "menu.", 5) == 0) {
		const char	*name = key + 5, *dot = strchr(name, '.');
		struct menu	*m;
		struct item	*it;
		const char	*gt, *tg;
		char		*label;
		size_t		 ll;

		if (!name_ok(name, dot ? (size_t)(dot - name) : strlen(name)))
			return "a menu name is lowercase letters, digits and '_'";
		m = menu_get(l, name, dot ? (size_t)(dot - name) : strlen(name), line);
		if (dot == NULL) {
			if (m->title != NULL)
				return "this menu's title is set twice";
			m->title = unescape(val);
			return NULL;
		}
		if (dot[1] < '1' || dot[1] > '9' || dot[2] != '\0')
			return "an item is menu.NAME.N with N from 1 to 9";
		for (i = 0; i < m->nitems; i++)
			if (m->items[i].key == dot[1] - '0')
				return "this item is set twice";
		if ((gt = strrchr(val, '>')) == NULL)
			return "an item is 'Label > target'";
		for (ll = (size_t)(gt - val); ll > 0 && isspace((unsigned char)val[ll - 1]); ll--)
			;
		for (tg = gt + 1; isspace((unsigned char)*tg); tg++)
			;
		if (ll == 0)
			return "the item has no label";
		/* items are kept in key order */
		for (i = m->nitems; i > 0 && m->items[i - 1].key > dot[1] - '0'; i--)
			m->items[i] = m->items[i - 1];
		it = &m->items[i];
		memset(it, 0, sizeof(*it));
		m->nitems++;
		it->key = dot[1] - '0';
		label = xstrndup(val, ll);
		it->label = unescape(label);
		free(label);
		if (strcmp(tg, "subscribe") == 0)
			it->t = T_SUBSCRIBE;
		else if (strcmp(tg, "news") == 0)
			it->t = T_NEWS;
		else if (strcmp(tg, "report") == 0)
			it->t = T_REPORT;
		else if (strcmp(tg, "stop") == 0)
			it->t = T_STOP;
		else if (strncmp(tg, "menu.", 5) == 0 && name_ok(tg + 5, strlen(tg + 5))) {
			it->t = T_MENU;
			it->arg = xstrdup(tg + 5);
		} else if (strncmp(tg, "text.", 5) == 0 && name_ok(tg + 5, strlen(tg + 5))) {
			it->t = T_TEXT;
			it->arg = xstrdup(tg + 5);
		} else if (strncmp(tg, "lang.", 5) == 0 && name_ok(tg + 5, strlen(tg + 5))) {
			it->t = T_LANG;
			it->arg = xstrdup(tg + 5);
		} else
			return "unknown target (subscribe, news, report, stop, menu.NAME, text.KEY or lang.CODE)";
		return NULL;
	}
	if (strncmp(key, "text.", 5) == 0) {
		if (!name_ok(key + 5, strlen(key + 5)))
			return "a text name is lowercase letters, digits and '_'";
		for (i = 0; i < l->ntexts; i++)
			if (strcmp(l->texts[i].key, key + 5) == 0)
				return "this text is set twice";
		l->texts = xreallocarray(l->texts, (size_t)l->ntexts + 1, sizeof(*l->texts));
		l->texts[l->ntexts].key = xstrdup(key + 5);
		l->texts[l->ntexts++].val = unescape(val);
		return NULL;
	}
	for (i = 0; i < M_COUNT; i++)
		if (strcmp(key, msg_keys[i]) == 0)
			break;
	if (i == M_COUNT)
		return "unknown key";
	if (l->msg[i] != NULL)
		return "this key is set twice";
	l->msg[i] = unescape(val);
	return NULL;
}

/* Renders a menu screen (with the invalid line if asked) into out. */
void
ussd_render_menu(const struct lang *l, const struct menu *m, int invalid, char *out, size_t len)
{
	size_t	 o;
	int	 i;

	o = (size_t)snprintf(out, len, "CON %s%s%s", invalid ? l->msg[M_INVALID] : "", invalid ? "\n" : "",
	    m->title);
	for (i = 0; i < m->nitems && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "\n%d %s", m->items[i].key, m->items[i].label);
}

static int
screen_too_long(const char *pfx, const char *a, const char *b)
{
	return strlen(pfx) + ussd_chars(a) + (b ? 1 + ussd_chars(b) : 0) > USSD_SCREEN_CHARS;
}

/* Cross-checks after the whole file is read; 0 or -1 with err. */
static int
menu_check(struct ussd_menu *mm, const char *path, char *err, size_t errlen)
{
	char	 buf[USSD_SCREEN_MAX * 4];
	int	 i, j, k, t;

	if (mm->nlangs == 0) {
		menu_err(err, errlen, path, 1, "no language section ([id], [en] …)");
		return -1;
	}
	for (i = 0; i < mm->nlangs; i++) {
		struct lang *l = &mm->langs[i];

		for (k = 0; k < M_COUNT; k++)
			if (l->msg[k] == NULL) {
				menu_err(err, errlen, path, l->line, "[%s] lacks the key %s", l->code, msg_keys[k]);
				return -1;
			}
		l->main = -1;
		for (j = 0; j < l->nmenus; j++) {
			struct menu *m = &l->menus[j];

			if (strcmp(m->name, "main") == 0)
				l->main = j;
			if (m->title == NULL || m->nitems == 0) {
				menu_err(err, errlen, path, m->line, "[%s] menu.%s needs a title and at least one item",
				    l->code, m->name);
				return -1;
			}
			ussd_render_menu(l, m, 1, buf, sizeof(buf));
			if (ussd_chars(buf) > USSD_SCREEN_CHARS) {
				menu_err(err, errlen, path, m->line, "[%s] menu.%s is %zu characters with its "
				    "'invalid' line; a screen holds %d", l->code, m->name, ussd_chars(buf),
				    USSD_SCREEN_CHARS);
				return -1;
			}
			for (k = 0; k < m->nitems; k++) {
				struct item *it = &m->items[k];

				it->idx = -1;
				if (it->t == T_MENU) {
					for (t = 0; t < l->nmenus; t++)
						if (strcmp(l->menus[t].name, it->arg) == 0)
							it->idx = t;
				} else if (it->t == T_TEXT) {
					for (t = 0; t < l->ntexts; t++)
						if (strcmp(l->texts[t].key, it->arg) == 0)
							it->idx = t;
				} else if (it->t == T_LANG) {
					for (t = 0; t < mm->nlangs; t++)
						if (strcmp(mm->langs[t].code, it->arg) == 0)
							it->idx = t;
				} else
					continue;
				if (it->idx < 0) {
					menu_err(err, errlen, path, m->line, "[%s] menu.%s.%d: no %s.%s in this file",
					    l->code, m->name, it->key, it->t == T_MENU ? "menu" :
					    it->t == T_TEXT ? "text" : "lang", it->arg);
					return -1;
				}
			}
		}
		if (l->main < 0) {
			menu_err(err, errlen, path, l->line, "[%s] has no menu.main", l->code);
			return -1;
		}
		for (k = 0; k < l->ntexts; k++)
			if (screen_too_long("END ", l->texts[k].val, NULL)) {
				menu_err(err, errlen, path, l->line, "[%s] text.%s is longer than a screen (%d "
				    "characters with \"END \")", l->code, l->texts[k].key, USSD_SCREEN_CHARS);
				return -1;
			}
		/* the fixed screens, with their longest decoration */
		{
			static const int prompts[] = { M_SUB_PROMPT, M_REPORT_PROMPT, M_REPORT_EMPTY, M_STOP_CONFIRM };
			static const int ends[] = { M_NEWS_NONE, M_NEWS_NOT_SUBSCRIBED, M_STOP_DONE,
			    M_STOP_NOT_SUBSCRIBED, M_STOP_CANCELLED, M_BAD_NUMBER, M_ERROR };

			for (k = 0; k < (int)(sizeof(prompts) / sizeof(prompts[0])); k++)
				if (screen_too_long("CON ", l->msg[M_INVALID], l->msg[prompts[k]])) {
					menu_err(err, errlen, path, l->line, "[%s] %s is longer than a screen",
					    l->code, msg_keys[prompts[k]]);
					return -1;
				}
			for (k = 0; k < (int)(sizeof(ends) / sizeof(ends[0])); k++)
				if (screen_too_long("END ", l->msg[ends[k]], NULL)) {
					menu_err(err, errlen, path, l->line, "[%s] %s is longer than a screen",
					    l->code, msg_keys[ends[k]]);
					return -1;
				}
			/* lists: decoration plus room for at least a few lines */
			if (ussd_chars(l->msg[M_INVALID]) + ussd_chars(l->msg[M_SUB_SUGGEST]) + NAME_SHOWN +
			    ussd_chars(l->msg[M_NEXT]) + ussd_chars(l->msg[M_BACK]) + 8 > USSD_SCREEN_CHARS - 60) {
				menu_err(err, errlen, path, l->line, "[%s] invalid, sub.suggest, next and back "
				    "leave too little room for a list", l->code);
				return -1;
			}
		}
	}
	return 0;
}

void
ussd_menu_free(struct ussd_menu *mm)
{
	int i, j, k;

	if (mm == NULL)
		return;
	for (i = 0; i < mm->nlangs; i++) {
		struct lang *l = &mm->langs[i];

		for (k = 0; k < M_COUNT; k++)
			free(l->msg[k]);
		for (j = 0; j < l->nmenus; j++) {
			free(l->menus[j].name);
			free(l->menus[j].title);
			for (k = 0; k < l->menus[j].nitems; k++) {
				free(l->menus[j].items[k].label);
				free(l->menus[j].items[k].arg);
			}
		}
		free(l->menus);
		for (j = 0; j < l->ntexts; j++) {
			free(l->texts[j].key);
			free(l->texts[j].val);
		}
		free(l->texts);
	}
	free(mm->langs);
	free(mm);
}

/* ussd_menu_load_text's state while the lines go by. */
struct menu_reader {
	struct ussd_menu	*mm;
	struct lang		*cur;		/* the current [LANGUAGE] */
	const char		*path;
	char			*err;
	size_t			 errlen;
};

/* "[code]": lowercase, nothing else on the line. */
static int
lang_line(struct menu_reader *r, const struct ini_line *l)
{
	struct ussd_menu	*mm = r->mm;
	size_t			 cl = l->name ? strlen(l->name) : 0;
	int			 i;

	if (l->kind != INI_SECTION || strlen(l->text) != cl + 2 || !name_ok(l->name, cl) ||
	    cl >= sizeof(r->cur->code)) {
		menu_err(r->err, r->errlen, r->path, l->lineno, "expected [LANGUAGE] (lowercase, e.g. [id])");
		return -1;
	}
	for (i = 0; i < mm->nlangs; i++)
		if (strcmp(mm->langs[i].code, l->name) == 0) {
			menu_err(r->err, r->errlen, r->path, l->lineno, "[%s] appears twice", l->name);
			return -1;
		}
	mm->langs = xreallocarray(mm->langs, (size_t)mm->nlangs + 1, sizeof(*mm->langs));
	r->cur = &mm->langs[mm->nlangs++];
	memset(r->cur, 0, sizeof(*r->cur));
	snprintf(r->cur->code, sizeof(r->cur->code), "%s", l->name);
	r->cur->line = l->lineno;
	return 0;
}

static int
menu_line_cb(const struct ini_line *l, void *arg)
{
	struct menu_reader	*r = arg;
	const char		*why;

	if (l->kind == INI_SECTION || l->kind == INI_BAD_SECTION)
		return lang_line(r, l);
	if (l->kind != INI_KEY) {
		menu_err(r->err, r->errlen, r->path, l->lineno, "expected 'key = value'");
		return -1;
	}
	if (r->cur == NULL) {
		menu_err(r->err, r->errlen, r->path, l->lineno, "a key before the first [LANGUAGE] section");
		return -1;
	}
	if ((why = menu_set(r->cur, l->key, l->value, l->lineno)) != NULL) {
		menu_err(r->err, r->errlen, r->path, l->lineno, "%s: %s", l->key, why);
		return -1;
	}
	return 0;
}

struct ussd_menu *
ussd_menu_load_text(const char *text, const char *path, char *err, size_t errlen)
{
	struct menu_reader	 r = { xcalloc(1, sizeof(*r.mm)), NULL, path, err, errlen };

	if (ini_parse(text, 0, menu_line_cb, &r) != 0 || menu_check(r.mm, path, err, errlen) == -1) {
		ussd_menu_free(r.mm);
		return NULL;
	}
	return r.mm;
}

const char *
ussd_menu_builtin(void)
{
	return ussd_menu_text;
}

/* The menu's text: the file's (path set) or the built-in one; xmalloc'd, NULL with err set. */
static char *
menu_read_text(const char *path, char *err, size_t errlen)
{
	if (path == NULL || *path == '\0')
		return xstrdup(ussd_menu_text);
	return fs_read_text(path, MENU_MAX_BYTES, "USSD menu", err, errlen);
}

/* Reads and parses the menu; on success *textp (if set) gets the text, else it is freed. */
struct ussd_menu *
ussd_menu_read(const char *path, char **textp, char *err, size_t errlen)
{
	struct ussd_menu	*mm;
	char			*text;

	if ((text = menu_read_text(path, err, errlen)) == NULL)
		return NULL;
	mm = ussd_menu_load_text(text, path && *path ? path : "built-in ussd-menu.conf", err, errlen);
	if (mm != NULL && textp != NULL)
		*textp = text;
	else
		free(text);
	return mm;
}

int
ussd_menu_check(const char *path, char *err, size_t errlen)
{
	struct ussd_menu *mm = ussd_menu_read(path, NULL, err, errlen);

	ussd_menu_free(mm);
	return mm ? 0 : -1;
}
