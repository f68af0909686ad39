/* test_reply.c - format_clean, utf8_cut, outline_format. RFC 1459 §2.3: a
 * message is at most 512 bytes including CRLF, and CR/LF (and NUL) may not
 * appear inside it; Modern IRC "Messages" asks that lines are not cut
 * inside a UTF-8 sequence. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "proto/reply.h"

static size_t clean(char *buf, size_t max, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static size_t
clean(char *buf, size_t max, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_clean(buf, max, fmt, ap);
	va_end(ap);
	return n;
}

/* is_valid_utf8: strict enough for these tests (no overlong checks). */
static bool
is_valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, need, k;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xF0)
			need = 3;
		else if (s[i] >= 0xE0)
			need = 2;
		else if (s[i] >= 0xC0)
			need = 1;
		else
			return false;
		if (i + need >= len)
			return false;
		for (k = 1; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += need + 1;
	}
	return true;
}

START_TEST(strips_cr_lf_nul)
{
	char buf[64];
	size_t n;

	n = clean(buf, 60, "a%sb", "x\r\ny");
	ck_assert_str_eq(buf, "axyb");
	ck_assert_uint_eq(n, 4);
	n = clean(buf, 60, "%s", "\r\n\r\n");
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(n, 0);
	n = clean(buf, 60, "a%cb", 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(buf, "ab");
	n = clean(buf, 60, "PRIVMSG x :%s", "evil\r\nQUIT :bye");
	ck_assert_str_eq(buf, "PRIVMSG x :evilQUIT :bye");
	ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

START_TEST(cut_at_max)
{
	char buf[64];
	size_t n;

	n = clean(buf, 10, "%s", "0123456789abcdef");
	ck_assert_uint_eq(n, 10);
	ck_assert_str_eq(buf, "0123456789");
	n = clean(buf, 10, "%s", "0123456789");
	ck_assert_uint_eq(n, 10);
	ck_assert_str_eq(buf, "0123456789");
}
END_TEST

/* Cutting never leaves half a UTF-8 sequence. */
START_TEST(cut_utf8)
{
	char buf[64];
	size_t n;

	/* "é" is C3 A9: cutting after 3 bytes of "abé" + more would split it */
	n = clean(buf, 3, "%s", "ab\xc3\xa9z");
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(buf, "ab");
	n = clean(buf, 4, "%s", "ab\xc3\xa9z");
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(buf, "ab\xc3\xa9");
	/* "€" is E2 82 AC; "😀" is F0 9F 98 80 */
	n = clean(buf, 5, "%s", "abc\xe2\x82\xac");
	ck_assert_uint_eq(n, 3);
	n = clean(buf, 4, "%s", "abc\xe2\x82\xac");
	ck_assert_uint_eq(n, 3);
	n = clean(buf, 6, "%s", "abc\xe2\x82\xacx");
	ck_assert_uint_eq(n, 6);
	n = clean(buf, 6, "%s", "ab\xf0\x9f\x98\x80x");
	ck_assert_uint_eq(n, 6);
	n = clean(buf, 5, "%s", "ab\xf0\x9f\x98\x80x");
	ck_assert_uint_eq(n, 2);
	n = clean(buf, 3, "%s", "ab\xf0\x9f\x98\x80x");
	ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(utf8_cut_direct)
{
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"; /* 1 + 2 + 3 + 4 bytes */
	size_t len;

	ck_assert_uint_eq(utf8_cut(s, 0), 0);
	ck_assert_uint_eq(utf8_cut(s, 1), 1);
	ck_assert_uint_eq(utf8_cut(s, 2), 1);
	ck_assert_uint_eq(utf8_cut(s, 3), 3);
	ck_assert_uint_eq(utf8_cut(s, 4), 3);
	ck_assert_uint_eq(utf8_cut(s, 5), 3);
	ck_assert_uint_eq(utf8_cut(s, 6), 6);
	for (len = 7; len < 10; len++)
		ck_assert_uint_eq(utf8_cut(s, len), 6);
	ck_assert_uint_eq(utf8_cut(s, 10), 10);
	ck_assert_uint_eq(utf8_cut("plain ascii", 5), 5);
}
END_TEST

/* outline: at most 510 bytes of text + CRLF = 512. */
START_TEST(outline_short)
{
	struct outline ol;

	outline_format(&ol, ":%s PRIVMSG %s :%s", "n!u@h", "#c", "hi\r\nthere");
	ck_assert_str_eq(ol.buf, ":n!u@h PRIVMSG #c :hithere\r\n");
	ck_assert_uint_eq(ol.len, strlen(ol.buf));
}
END_TEST

START_TEST(outline_long)
{
	struct outline ol;
	char text[2000];

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	outline_format(&ol, "PRIVMSG #c :%s", text);
	ck_assert_uint_eq(ol.len, 512);
	ck_assert_int_eq(ol.buf[510], '\r');
	ck_assert_int_eq(ol.buf[511], '\n');
	ck_assert_ptr_null(memchr(ol.buf, '\r', 510));
	ck_assert_uint_eq(strlen(ol.buf), ol.len);

	/* exactly 510 bytes of text: kept whole */
	memset(text, 'y', 510);
	text[510] = '\0';
	outline_format(&ol, "%s", text);
	ck_assert_uint_eq(ol.len, 512);
	ck_assert_int_eq(memcmp(ol.buf, text, 510), 0);
}
END_TEST

START_TEST(outline_utf8_boundary)
{
	struct outline ol;
	char text[1200];
	size_t i, pad;

	/* Every alignment of 2-, 3- and 4-byte sequences against byte 510. */
	for (pad = 0; pad < 4; pad++) {
		size_t n = 0;
		memset(text, 'a', pad);
		n = pad;
		for (i = 0; n + 4 < sizeof(text) - 1; i++) {
			static const char *seq[] = { "\xc3\xa9", "\xe2\x82\xac",
				"\xf0\x9f\x98\x80" };
			const char *q = seq[i % 3];
			memcpy(text + n, q, strlen(q));
			n += strlen(q);
		}
		text[n] = '\0';
		outline_format(&ol, "%s", text);
		ck_assert_uint_le(ol.len, 512);
		ck_assert_uint_ge(ol.len, 512 - 3);
		ck_assert_int_eq(ol.buf[ol.len - 2], '\r');
		ck_assert_int_eq(ol.buf[ol.len - 1], '\n');
		ck_assert_msg(is_valid_utf8((const unsigned char *)ol.buf, ol.len - 2),
		    "pad %zu: cut inside a UTF-8 sequence (len %zu)", pad, ol.len);
		ck_assert_int_eq(memcmp(ol.buf, text, ol.len - 2), 0);
	}
}
END_TEST

/* NUL and CR/LF removed before the limit is applied leave a valid line. */
START_TEST(outline_strip_and_cut)
{
	struct outline ol;
	char text[1200];
	size_t i;

	for (i = 0; i < sizeof(text) - 1; i++)
		text[i] = (i % 7 == 0) ? '\n' : 'z';
	text[sizeof(text) - 1] = '\0';
	outline_format(&ol, "%s", text);
	ck_assert_uint_le(ol.len, 512);
	ck_assert_ptr_null(memchr(ol.buf, '\n', ol.len - 1));
	ck_assert_ptr_null(memchr(ol.buf, '\r', ol.len - 2));
	ck_assert_int_eq(ol.buf[ol.len - 1], '\n');
}
END_TEST

/* format_clean takes a fast path for formats of text and "%s" only
 * (reply.c fast_format); it must give what vsnprintf gives: "%.9999s"
 * takes the stdio path for the same strings. Every cut length, with CR,
 * LF and multi-byte characters at the cut. */
START_TEST(fast_path_matches_stdio)
{
	const char *a[] = { "nick!~user@127.0.0.1", "", "h\xc3\xa9llo\r\nw\xe2\x82\xacrld",
		"\xf0\x9f\x98\x80\xf0\x9f\x98\x80x", "a%b%%c" };
	char fast[600], slow[600];
	size_t max, nf, ns;
	unsigned i, j;

	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++)
		for (j = 0; j < sizeof(a) / sizeof(a[0]); j++)
			for (max = 0; max < 60; max++) {
				nf = clean(fast, max, ":%s PRIVMSG #c :%s x", a[i], a[j]);
				ns = clean(slow, max, ":%.9999s PRIVMSG #c :%.9999s x", a[i], a[j]);
				ck_assert_uint_eq(nf, ns);
				ck_assert_str_eq(fast, slow);
			}
}
END_TEST

static Suite *
reply_suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tc = tcase_create("format");

	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, strips_cr_lf_nul);
	tcase_add_test(tc, cut_at_max);
	tcase_add_test(tc, cut_utf8);
	tcase_add_test(tc, utf8_cut_direct);
	tcase_add_test(tc, outline_short);
	tcase_add_test(tc, outline_long);
	tcase_add_test(tc, outline_utf8_boundary);
	tcase_add_test(tc, outline_strip_and_cut);
	tcase_add_test(tc, fast_path_matches_stdio);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(reply_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
