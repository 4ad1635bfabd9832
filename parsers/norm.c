/*
 * norm.c — the normaliser (norm_text), the area-name key (norm_name) and the area-argument splitter
 * (norm_area_split). See norm.h for the contracts; the folding data lives in fold.c/fold_table.c.
 */
#include <string.h>
#include <strings.h>

#include "common/str.h"
#include "common/utf8.h"
#include "parsers/fold.h"
#include "parsers/norm.h"

enum cls { C_SEP, C_WORD, C_QM, C_IGN };

/* Classifies cp; for C_WORD fills buf with the bytes to emit (uppercase ASCII, or the UTF-8 of a
 * letter that has no ASCII form). */
static enum cls
classify(uint32_t cp, char buf[4], size_t *blen)
{
	const char	*f;
	char		 h;
	size_t		 i;

	*blen = 0;
	if (cp < 0x80) {
		if (cp >= 'a' && cp <= 'z') {
			buf[0] = (char)(cp - 'a' + 'A');
			*blen = 1;
			return C_WORD;
		}
		if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
			buf[0] = (char)cp;
			*blen = 1;
			return C_WORD;
		}
		return cp == '?' ? C_QM : C_SEP;
	}
	if (cp == NORM_CP_INVALID)
		return C_SEP;
	if (norm_is_ignorable(cp))
		return C_IGN;
	if (cp == 0xFF1F || cp == 0x061F)	/* fullwidth and Arabic question marks */
		return C_QM;
	if ((f = norm_fold_lookup(cp)) != NULL) {
		for (i = 0; f[i] != '\0' && i < 3; i++)
			buf[i] = (f[i] >= 'a' && f[i] <= 'z') ? (char)(f[i] - 'a' + 'A') : f[i];
		*blen = i;
		return C_WORD;
	}
	if ((h = norm_homoglyph(cp)) != 0) {
		buf[0] = h;
		*blen = 1;
		return C_WORD;
	}
	if (norm_is_other_letter(cp)) {
		*blen = utf8_encode(cp, buf);
		return C_WORD;
	}
	return C_SEP;
}

/* Class of the first code point at or after pos that is not ignorable (C_SEP at the end). */
static enum cls
peek_class(const unsigned char *s, size_t len, size_t pos)
{
	char		 buf[4];
	size_t		 n, blen;
	uint32_t	 cp;
	enum cls	 c;

	while (pos < len) {
		cp = norm_utf8_next(s + pos, len - pos, &n);
		c = classify(cp, buf, &blen);
		if (c != C_IGN)
			return c;
		pos += n;
	}
	return C_SEP;
}

size_t
norm_text(const char *in, size_t len, char *out, size_t outsz, uint32_t *start, uint32_t *end,
    int *truncated)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 pos = 0, o = 0, n, blen, i, qstart;
	uint32_t		 cp, sep_at = 0;
	char			 buf[4];
	int			 inword = 0, pending = 0, full = 0;
	enum cls		 c;

	if (outsz == 0)
		return 0;
	while (pos < len) {
		cp = norm_utf8_next(s + pos, len - pos, &n);
		c = classify(cp, buf, &blen);
		if (c == C_IGN) {
			pos += n;
			continue;
		}
		if (c == C_QM) {
			qstart = pos;
			while (pos < len) {
				cp = norm_utf8_next(s + pos, len - pos, &n);
				c = classify(cp, buf, &blen);
				if (c != C_QM && c != C_IGN)
					break;
				pos += n;
			}
			if (o > 0 || peek_class(s, len, pos) == C_WORD) {
				/* only a '?' that comes first and alone is a word (the help keyword);
				 * stuck to a word or later in the text it is punctuation */
				if (!pending) {
					pending = 1;
					sep_at = (uint32_t)qstart;
				}
				inword = 0;
				continue;
			}
			/* o == 0 here: the "?" word opens the text */
			if (outsz < 2) {
				full = 1;
				break;
			}
			if (start != NULL) {
				start[o] = (uint32_t)qstart;
				end[o] = (uint32_t)pos;
			}
			out[o++] = '?';
			pending = 1;
			sep_at = (uint32_t)pos;
			inword = 0;
			continue;
		}
		if (c == C_SEP) {
			if (!pending) {
				pending = 1;
				sep_at = (uint32_t)pos;
			}
			inword = 0;
			pos += n;
			continue;
		}
		/* C_WORD */
		if (o + ((pending || !inword) && o > 0) + blen > outsz - 1) {
			full = 1;
			break;
		}
		if (o > 0 && !inword) {
			if (start != NULL)
				start[o] = end[o] = pending ? sep_at : (uint32_t)pos;
			out[o++] = ' ';
		}
		for (i = 0; i < blen; i++) {
			if (start != NULL) {
				start[o] = (uint32_t)pos;
				end[o] = (uint32_t)(pos + n);
			}
			out[o++] = buf[i];
		}
		pending = 0;
		inword = 1;
		pos += n;
	}
	out[o] = '\0';
	if (truncated != NULL)
		*truncated = full;
	return o;
}

size_t
norm_name(const char *in, size_t len, char *out, size_t outsz)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 pos = 0, o = 0, n, blen, i;
	uint32_t		 cp;
	char			 buf[4];

	while (pos < len) {
		cp = norm_utf8_next(s + pos, len - pos, &n);
		pos += n;
		if (classify(cp, buf, &blen) != C_WORD || (unsigned char)buf[0] >= 0x80)
			continue;
		for (i = 0; i < blen; i++, o++)
			if (o + 1 < outsz)
				out[o] = buf[i];
	}
	if (outsz > 0)
		out[o < outsz ? o : outsz - 1] = '\0';
	return o;
}

/* Words that say what kind of area follows; not part of any name. */
static const char *const area_markers[] = {
	"DESA", "DS", "KEL", "KELURAHAN", "KEC", "KECAMATAN", NULL,
};

/* Is w[0..wlen) one of the words of list (NULL-terminated)? */
static int
word_in(const char *const *list, const char *w, size_t wlen)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == wlen && memcmp(list[i], w, wlen) == 0)
			return 1;
	return 0;
}

int
norm_is_honorific(const char *w, size_t wlen)
{
	static const char *const hon[] = {
		"PAK", "BU", "IBU", "BAPAK", "MAS", "MBAK", "KAK", "BANG", "DIK", "GAN", "MIN", NULL,
	};

	return word_in(hon, w, wlen);
}

/* A mobile number as villagers write it: 08…, 628… (the '+' is a separator), 9+ digits. */
static int
is_phone(const char *w, size_t wlen)
{
	return wlen >= 9 && str_digits_n(w, wlen) &&
	    ((w[0] == '0' && w[1] == '8') || (w[0] == '6' && w[1] == '2' && w[2] == '8'));
}

struct word {
	const char	*p;
	size_t		 len;
	int		 marker;
};

/* Joins words [a, b) (skipping markers if skip) into a norm_name key. Returns 0 if empty/too long. */
static int
join_words(const struct word *w, size_t a, size_t b, int skip, char *out, size_t outsz)
{
	size_t	 o = 0, i;

	for (i = a; i < b; i++) {
		if (skip && w[i].marker)
			continue;
		o += norm_name(w[i].p, w[i].len, out + o, outsz - o);
		if (o >= outsz)
			return 0;
	}
	out[o] = '\0';
	return o > 0;
}

static void
add_cand(struct norm_area *a, const char *name, const char *qual)
{
	unsigned	 i;

	if (a->ncand >= NORM_AREA_MAXCAND || name[0] == '\0')
		return;
	for (i = 0; i < a->ncand; i++)
		if (strcmp(a->cand[i].name, name) == 0 && strcmp(a->cand[i].qualifier, qual) == 0)
			return;
	memcpy(a->cand[a->ncand].name, name, strlen(name) + 1);
	memcpy(a->cand[a->ncand].qualifier, qual, strlen(qual) + 1);
	a->ncand++;
}

enum norm_area_kind
norm_area_split(const char *in, size_t len, struct norm_area *out)
{
	char		 text[256], name[NORM_NAME_MAX], qual[NORM_NAME_MAX];
	struct word	 w[16];
	size_t		 nw = 0, tlen, i, k, cum, dl, mpos = 0;
	int		 digits = 1, shape = 1, nmark = 0;

	memset(out, 0, sizeof(*out));
	tlen = norm_text(in, len, text, sizeof(text), NULL, NULL, NULL);
	for (i = 0; i < tlen && nw < sizeof(w) / sizeof(w[0]);) {
		k = i;
		while (k < tlen && text[k] != ' ')
			k++;
		w[nw].p = text + i;
		w[nw].len = k - i;
		w[nw].marker = word_in(area_markers, text + i, k - i);
		nw++;
		i = k + 1;
	}
	if (nw == 0)
		return out->kind = NORM_AREA_NONE;

	/* A code: digit groups ending on the 2/4/6/10 Kemendagri boundaries. */
	cum = 0;
	for (i = 0; i < nw; i++) {
		if (!str_digits_n(w[i].p, w[i].len)) {
			digits = 0;
			break;
		}
		cum += w[i].len;
		if (cum != 2 && cum != 4 && cum != 6 && cum != 10)
			shape = 0;
	}
	if (digits) {
		dl = 0;
		for (i = 0; i < nw && dl + w[i].len < sizeof(out->code); i++) {
			memcpy(out->code + dl, w[i].p, w[i].len);
			dl += w[i].len;
		}
		out->code[dl] = '\0';
		if (!shape || i < nw)
			return out->kind = NORM_AREA_NUMBER;
		out->level = cum == 2 ? 1 : cum == 4 ? 2 : cum == 6 ? 3 : 4;
		return out->kind = NORM_AREA_CODE;
	}

	out->kind = NORM_AREA_NAME;
	for (i = 0; i < nw; i++)
		if (w[i].marker) {
			nmark++;
			if (i > 0 && i + 1 < nw && mpos == 0)
				mpos = i;	/* "SUKAMAJU KEC BABAT" */
		}
	if (join_words(w, 0, nw, 0, name, sizeof(name)))
		add_cand(out, name, "");
	if (nmark > 0 && join_words(w, 0, nw, 1, name, sizeof(name)))
		add_cand(out, name, "");
	if (mpos > 0 && join_words(w, 0, mpos, 1, name, sizeof(name)) &&
	    join_words(w, mpos + 1, nw, 1, qual, sizeof(qual)))
		add_cand(out, name, qual);
	for (k = nw - 1; k >= 1; k--) {
		if (w[k].marker || w[k - 1].marker)
			continue;	/* split on either side of a marker: covered above */
		if (join_words(w, 0, k, 1, name, sizeof(name)) &&
		    join_words(w, k, nw, 1, qual, sizeof(qual)))
			add_cand(out, name, qual);
	}
	/* "SUKAMAJU PAK", "SUKAMAJU 081234567890": last, since names can end in such a word
	 * ("Tanjung Mas") */
	if (nw > 1 && (norm_is_honorific(w[nw - 1].p, w[nw - 1].len) ||
	    is_phone(w[nw - 1].p, w[nw - 1].len))) {
		if (join_words(w, 0, nw - 1, 1, name, sizeof(name)))
			add_cand(out, name, "");
		for (k = nw - 2; k >= 1; k--) {
			if (w[k].marker || w[k - 1].marker)
				continue;
			if (join_words(w, 0, k, 1, name, sizeof(name)) &&
			    join_words(w, k, nw - 1, 1, qual, sizeof(qual)))
				add_cand(out, name, qual);
		}
	}
	if (out->ncand == 0)
		out->kind = NORM_AREA_NONE;
	return out->kind;
}

const char *
norm_area_plain(const char *name)
{
	static const char *const words[] = { "KABUPATEN ", "KAB. ", "KAB ", "KOTA ADM. ", "KOTA ", NULL };
	int	 i;

	for (i = 0; words[i]; i++) {
		size_t n = strlen(words[i]);

		if (strncasecmp(name, words[i], n) == 0 && name[n] != '\0')
			return name + n;
	}
	return name;
}

size_t
norm_area_key(const char *name, char *out, size_t outsz)
{
	const char	*plain = norm_area_plain(name);

	return norm_name(plain, strlen(plain), out, outsz);
}
