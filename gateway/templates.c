/*
 * templates — built-in reply texts and their overrides (see templates.h). The built-in texts
 * are kept short enough that, with typical values ({area} a village name, {n} a few digits),
 * every reply is one GSM-7 SMS; tests/unit/test_router.c checks that.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "gateway/templates.h"

struct builtin {
	const char	*key;
	const char	*id;
	const char	*en;
};

static const struct builtin builtins[] = {
	{ "help",
	  "Kentongan: DAFTAR <desa> utk ikut info, INFO utk berita terbaru, LAPOR <isi> utk lapor, "
	  "BERHENTI utk berhenti. Contoh: DAFTAR SUKAMAJU",
	  "Kentongan: JOIN <village> to get news, INFO for the latest news, REPORT <text> to report, "
	  "STOP to stop. Example: JOIN SUKAMAJU" },
	{ "unknown",
	  "Maaf, pesan tidak dikenal. Kirim DAFTAR <desa> utk ikut info, INFO utk berita, BERHENTI utk "
	  "berhenti, BANTUAN utk petunjuk.",
	  "Sorry, message not understood. Send JOIN <village> to get news, INFO for news, STOP to stop, "
	  "HELP for help." },
	{ "need_area",
	  "Sebutkan desa/kelurahan Anda. Contoh: DAFTAR SUKAMAJU, atau dgn kecamatan: DAFTAR SUKAMAJU BABAT",
	  "Please name your village. Example: JOIN SUKAMAJU, or with the district: JOIN SUKAMAJU BABAT" },
	{ "subscribed",
	  "Terdaftar: info {area}. Kirim INFO utk berita terbaru, BERHENTI utk berhenti.",
	  "Subscribed to news for {area}. Send INFO for the latest news, STOP to stop." },
	{ "already_subscribed",
	  "Nomor Anda sudah terdaftar utk info {area}. Kirim INFO utk berita terbaru.",
	  "You are already subscribed to {area}. Send INFO for the latest news." },
	{ "not_found",
	  "Wilayah {name} tidak ditemukan. Mungkin maksud Anda: {suggestions}",
	  "Area {name} not found. Did you mean: {suggestions}" },
	{ "not_found_none",
	  "Wilayah {name} tidak ditemukan. Kirim nama desa dan kecamatan, mis. DAFTAR SUKAMAJU BABAT, "
	  "atau kode wilayah.",
	  "Area {name} not found. Send the village and district name, e.g. JOIN SUKAMAJU BABAT, or the "
	  "area code." },
	{ "choose",
	  "Ada beberapa {name}. Balas nomornya:\n{choices}",
	  "There are several {name}. Reply with the number:\n{choices}" },
	{ "choose_more",
	  "Ada {total} {name}. Balas nomornya, atau kirim lagi dgn kecamatan:\n{choices}",
	  "There are {total} {name}. Reply with the number, or send again with the district:\n{choices}" },
	{ "choice_invalid",
	  "Pilihan {n} tidak ada. Balas dgn nomor 1 sampai {max}.",
	  "There is no choice {n}. Reply with a number from 1 to {max}." },
	{ "stopped_all",
	  "Anda sudah berhenti dari semua info Kentongan. Kirim DAFTAR <desa> utk ikut lagi.",
	  "You have stopped all Kentongan news. Send JOIN <village> to subscribe again." },
	{ "stopped_area",
	  "Anda berhenti dari info {area}.",
	  "You have stopped the news for {area}." },
	{ "not_subscribed_area",
	  "Anda tidak terdaftar utk info {area}.",
	  "You are not subscribed to {area}." },
	{ "not_subscribed",
	  "Nomor Anda belum terdaftar. Kirim DAFTAR <desa> utk ikut info.",
	  "Your number is not subscribed. Send JOIN <village> to get news." },
	{ "info_not_subscribed",
	  "Anda belum terdaftar. Kirim DAFTAR <desa> utk menerima berita, lalu INFO.",
	  "You are not subscribed. Send JOIN <village> to receive news, then INFO." },
	{ "info_none",
	  "Belum ada berita utk wilayah Anda.",
	  "There is no news for your area yet." },
	{ "report_published",
	  "Terima kasih, laporan #{id} sudah diterbitkan.",
	  "Thank you, report #{id} is published." },
	{ "report_pending",
	  "Terima kasih, laporan #{id} diterima dan akan diperiksa petugas.",
	  "Thank you, report #{id} was received and will be reviewed." },
	{ "report_empty",
	  "Tulis isi laporan setelah LAPOR. Contoh: LAPOR Jalan rusak di RT 3",
	  "Write the report after REPORT. Example: REPORT Road damaged in RT 3" },
	{ "kim_sent",
	  "Pesan dikirim ke {n} anggota {kim}.",
	  "Message sent to {n} members of {kim}." },
	{ "kim_not_leader",
	  "Maaf, pesan KIM hanya utk ketua KIM yg terdaftar.",
	  "Sorry, KIM messages are for registered KIM leaders only." },
	{ "kim_empty",
	  "Tulis pesan setelah KIM. Contoh: KIM Rapat Sabtu jam 9",
	  "Write the message after KIM. Example: KIM Meeting Saturday 9am" },
	{ "siar_sent",
	  "Siaran #{id} diterima, dikirim ke {n} penerima. Kode cek: {code}",
	  "Broadcast #{id} accepted, going to {n} recipients. Check code: {code}" },
	{ "siar_usage",
	  "Format: SIAR <PIN> <wilayah> <pesan>. Contoh: SIAR 246813 1671 Kerja bakti hari Minggu",
	  "Format: SIAR <PIN> <area> <text>. Example: SIAR 246813 1671 Clean-up on Sunday" },
	{ "siar_not_official",
	  "Maaf, SIAR hanya utk petugas yg terdaftar.",
	  "Sorry, SIAR is for registered officials only." },
	{ "siar_wrong_pin",
	  "PIN salah. Sisa {n} kali percobaan.",
	  "Wrong PIN. {n} tries left." },
	{ "siar_locked",
	  "SIAR dikunci 1 jam karena PIN salah 5 kali.",
	  "SIAR is locked for an hour after 5 wrong PINs." },
	{ "siar_refused",
	  "Siaran ditolak: {reason}",
	  "Broadcast refused: {reason}" },
	{ "reach_summary",
	  "Info #{id} (kode {code}): {delivered} dari {targeted} warga {village} menerima.",
	  "News #{id} (code {code}): {delivered} of {targeted} people in {village} received it." },
	{ "cek_found",
	  "Kode {code} asli: siaran #{id} dari {source}, {created}.",
	  "Code {code} is genuine: broadcast #{id} from {source}, {created}." },
	{ "cek_found_ralat",
	  "Kode {code} asli: RALAT #{id} dari {source}, {created}, membetulkan siaran #{corrects}.",
	  "Code {code} is genuine: CORRECTION #{id} from {source}, {created}, correcting broadcast #{corrects}." },
	{ "cek_cancelled",
	  "Kode {code}: siaran #{id} dari {source} sudah DIBATALKAN.",
	  "Code {code}: broadcast #{id} from {source} was CANCELLED." },
	{ "cek_text_found",
	  "Pesan ini asli: siaran #{id} (kode {code}) dari {source}, {created}.",
	  "This message is genuine: broadcast #{id} (code {code}) from {source}, {created}." },
	{ "cek_unknown",
	  "{code} tidak ditemukan - hati-hati, mungkin hoaks.",
	  "{code} not found - be careful, it may be a hoax." },
	{ "cek_text_unknown",
	  "Pesan itu tidak ditemukan - hati-hati, mungkin hoaks.",
	  "That message was not found - be careful, it may be a hoax." },
	{ "cek_usage",
	  "Kirim CEK <kode> (mis. CEK K7QX) atau CEK diikuti pesan yg diteruskan.",
	  "Send CHECK <code> (e.g. CHECK K7QX) or CHECK followed by the forwarded message." },
	{ "source_console",
	  "petugas Kentongan",
	  "a Kentongan official" },
	{ "approve_ok",
	  "Siaran #{id} disetujui, dikirim ke {n} penerima.",
	  "Broadcast #{id} approved, going to {n} recipients." },
	{ "approve_refused",
	  "Persetujuan #{id} ditolak: {reason}",
	  "Approval of #{id} refused: {reason}" },
	{ "approve_usage",
	  "Format: SETUJU <nomor siaran> <PIN>. Contoh: SETUJU 12 1234",
	  "Format: APPROVE <broadcast number> <PIN>. Example: APPROVE 12 1234" },
	{ "siar_pending",
	  "Siaran #{id} (peringatan) menunggu persetujuan petugas kedua: SETUJU {id} <PIN>.",
	  "Alert #{id} awaits a second official's approval: APPROVE {id} <PIN>." },
	{ "info_area_not_subscribed",
	  "Anda tidak terdaftar utk info {area}. Kirim DAFTAR {name} utk ikut.",
	  "You are not subscribed to {area}. Send JOIN {name} to subscribe." },
	{ "info_area_none",
	  "Belum ada berita utk {area}.",
	  "There is no news for {area} yet." },
	{ NULL, NULL, NULL },
};

#define NKEYS	(sizeof(builtins) / sizeof(builtins[0]) - 1)

const char *const templates_keys[] = {
	"help", "unknown", "need_area", "subscribed", "already_subscribed", "not_found", "not_found_none",
	"choose", "choose_more", "choice_invalid", "stopped_all", "stopped_area", "not_subscribed_area", "not_subscribed",
	"info_not_subscribed", "info_none", "report_published", "report_pending", "report_empty", "kim_sent",
	"kim_not_leader", "kim_empty", "siar_sent", "siar_usage", "siar_not_official", "siar_wrong_pin",
	"siar_locked", "siar_refused", "reach_summary", "cek_found", "cek_found_ralat", "cek_cancelled",
	"cek_text_found", "cek_unknown", "cek_text_unknown", "cek_usage", "source_console", "approve_ok",
	"approve_refused", "approve_usage", "siar_pending", "info_area_not_subscribed", "info_area_none", NULL,
};

struct templates {
	const char	*text[NKEYS];	/* built-in, or over[i] */
	char		*over[NKEYS];
};

static int
key_index(const char *key)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(builtins[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* Reads dir/key; 0 read, 1 absent, -1 error (err set). */
static int
read_override(const char *dir, const char *key, char **out, char *err, size_t errlen)
{
	char	 path[4096], buf[TEMPLATE_MAX + 2];
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "template %s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "template %s: read error", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (n > TEMPLATE_MAX) {
		snprintf(err, errlen, "template %s: longer than %d bytes (keep replies to one SMS)", path,
		    TEMPLATE_MAX);
		return -1;
	}
	/* trailing newlines come from editors, not from the author */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (n == 0 || memchr(buf, '\0', n) != NULL) {
		snprintf(err, errlen, "template %s: empty or binary", path);
		return -1;
	}
	*out = xstrdup(buf);
	return 0;
}

struct templates *
templates_new(const char *lang, const char *dir, char *err, size_t errlen)
{
	struct templates	*t = xcalloc(1, sizeof(*t));
	int			 en = lang != NULL && strcmp(lang, "en") == 0;
	size_t			 i;
	DIR			*d;
	struct dirent		*de;

	for (i = 0; i < NKEYS; i++)
		t->text[i] = en ? builtins[i].en : builtins[i].id;
	if (dir == NULL || *dir == '\0')
		return t;
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "templates directory %s: %s", dir, strerror(errno));
		templates_free(t);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (key_index(de->d_name) < 0)
			log_warnx("templates: %s/%s is no template name; ignored (names: help, unknown, "
			    "subscribed, …)", dir, de->d_name);
	}
	closedir(d);
	for (i = 0; i < NKEYS; i++) {
		int rc = read_override(dir, builtins[i].key, &t->over[i], err, errlen);

		if (rc == -1) {
			templates_free(t);
			return NULL;
		}
		if (rc == 0)
			t->text[i] = t->over[i];
	}
	return t;
}

void
templates_free(struct templates *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < NKEYS; i++)
		free(t->over[i]);
	free(t);
}

const char *
templates_get(const struct templates *t, const char *key)
{
	int i = key_index(key);

	if (i < 0)
		fatalx("templates: no template '%s'", key);
	return t->text[i];
}

/* Appends s[0..n) to out, never cutting a UTF-8 sequence. */
static void
put(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
	size_t k = utf8_cut(s, n, outlen - 1 - *o);

	memcpy(out + *o, s, k);
	*o += k;
}

size_t
templates_render(const struct templates *t, const char *key, char *out, size_t outlen, const char *const *vars)
{
	const char	*p = templates_get(t, key), *close;
	size_t		 o = 0, i;

	if (outlen == 0)
		return 0;
	while (*p) {
		if (*p == '{' && (close = strchr(p + 1, '}')) != NULL) {
			size_t klen = (size_t)(close - p - 1);

			for (i = 0; vars && vars[i] && vars[i + 1]; i += 2)
				if (strlen(vars[i]) == klen && strncmp(vars[i], p + 1, klen) == 0)
					break;
			if (vars && vars[i] && vars[i + 1]) {
				put(out, outlen, &o, vars[i + 1], strlen(vars[i + 1]));
				p = close + 1;
				continue;
			}
		}
		/* one whole character of the template's own text */
		i = 1;
		while (((unsigned char)p[i] & 0xC0) == 0x80)
			i++;
		if (o + i > outlen - 1)
			break;
		put(out, outlen, &o, p, i);
		p += i;
	}
	out[o] = '\0';
	return o;
}
