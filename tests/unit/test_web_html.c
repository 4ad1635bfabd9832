/* test_web_html — the web console's pure helpers: the HTML escaper, the form parser (good and
 * hostile bodies), cookies, number masking; and the phrases table has both languages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/web/html.h"
#include "gateway/web/web-internal.h"

static void
test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain teks", "plain teks" },
		{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "<img src=x onerror=\"a()\">", "&lt;img src=x onerror=&quot;a()&quot;&gt;" },
		{ "a & b 'c'", "a &amp; b &#39;c&#39;" },
		{ "&amp;", "&amp;amp;" },
		{ "Désa Sukamaju — 1°", "Désa Sukamaju — 1°" },
	};
	char	 out[128];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(html_escape(cases[i].in, out, sizeof(out)), strlen(cases[i].out));
		assert_string_equal(out, cases[i].out);
	}
	/* a short buffer: the start, never half an entity, and the full length is still told */
	assert_int_equal(html_escape("ab<cd", out, 5), 8);
	assert_string_equal(out, "ab");
	assert_null(html_entity('a'));
	assert_string_equal(html_entity('<'), "&lt;");
}

static void
test_form_good(void **state)
{
	struct web_form	 f;
	const char	*why, *all[4];
	const char	*body = "text=Banjir+di+RT+3%0D%0Asegera&area=1671011001&area=1671011002&&empty=&flag"
	    "&utf=%C3%A9%E2%80%94";

	assert_int_equal(web_form_parse(body, strlen(body), &f, &why), 0);
	assert_string_equal(web_form_get(&f, "text"), "Banjir di RT 3\r\nsegera");
	assert_int_equal(web_form_all(&f, "area", all, 4), 2);
	assert_string_equal(all[1], "1671011002");
	assert_string_equal(web_form_get(&f, "empty"), "");
	assert_string_equal(web_form_get(&f, "flag"), "");
	assert_string_equal(web_form_get(&f, "utf"), "é—");
	assert_null(web_form_get(&f, "missing"));
	web_form_free(&f);
	/* the length given is what counts, not a NUL further on */
	assert_int_equal(web_form_parse("a=1&b=2", 3, &f, &why), 0);
	assert_int_equal(f.n, 1);
	web_form_free(&f);
	assert_int_equal(web_form_parse("", 0, &f, &why), 0);
	assert_int_equal(f.n, 0);
}

static void
test_form_bad(void **state)
{
	static const char *bad[] = {
		"a=%zz", "a=%4", "a=%", "a=%00", "a=x%00y", "a=%C3", "a=%C0%AF", "a=%ED%A0%80", "a=%F5%80%80%80",
		"a%01=1", "a=%07", "a=%7F", "%FF=1",
	};
	struct web_form	 f;
	const char	*why;
	char		*big;
	size_t		 i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(web_form_parse(bad[i], strlen(bad[i]), &f, &why), -1);
		assert_non_null(why);
		assert_int_equal(f.n, 0);
	}
	assert_int_equal(web_form_parse("a=1\0b=2", 7, &f, &why), -1);
	/* too many fields, a value too long */
	big = malloc(WEB_FORM_VALUE_MAX * 4);
	for (n = 0, i = 0; i <= WEB_FORM_MAX; i++)
		n += (size_t)sprintf(big + n, "f%zu=1&", i);
	assert_int_equal(web_form_parse(big, n, &f, &why), -1);
	assert_string_equal(why, "too many fields");
	memcpy(big, "a=", 2);
	memset(big + 2, 'x', WEB_FORM_VALUE_MAX + 1);
	assert_int_equal(web_form_parse(big, WEB_FORM_VALUE_MAX + 3, &f, &why), -1);
	memset(big + 2, 'x', WEB_FORM_VALUE_MAX);
	assert_int_equal(web_form_parse(big, WEB_FORM_VALUE_MAX + 2, &f, &why), 0);
	web_form_free(&f);
	free(big);
}

static void
test_cookie(void **state)
{
	char v[16];

	assert_int_equal(web_cookie("kt_lang=en; kt_session=abc", "kt_session", v, sizeof(v)), 0);
	assert_string_equal(v, "abc");
	assert_int_equal(web_cookie("xkt_session=no;kt_session=yes ", "kt_session", v, sizeof(v)), 0);
	assert_string_equal(v, "yes");
	assert_int_equal(web_cookie("kt_sessionx=1", "kt_session", v, sizeof(v)), -1);
	assert_int_equal(web_cookie(NULL, "kt_session", v, sizeof(v)), -1);
	assert_int_equal(web_cookie("kt_session=0123456789abcdefXYZ", "kt_session", v, sizeof(v)), -1);
}

static void
test_mask(void **state)
{
	char out[40];

	web_mask_number("+6281234567890", out, sizeof(out));
	assert_string_equal(out, "+62812****890");
	web_mask_number("+62812", out, sizeof(out));
	assert_string_equal(out, "****");
}

static void
test_phrases(void **state)
{
	assert_true(web_phrase_known("nav.dashboard"));
	assert_string_equal(web_phrase("nav.logout", 0), "Keluar");
	assert_string_equal(web_phrase("nav.logout", 1), "Log out");
	/* unknown keys show as themselves rather than as nothing */
	assert_string_equal(web_phrase("no.such.key", 1), "no.such.key");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_form_good),
		cmocka_unit_test(test_form_bad),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_phrases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
