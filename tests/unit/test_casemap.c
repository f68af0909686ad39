/* test_casemap.c - casemapping, glob matching and name validation.
 * RFC 1459 §2.2 / RFC 2812 §2.2 (rfc1459 casemapping), Modern IRC
 * "CASEMAPPING", RFC 2812 §2.3.1 (nickname, channel grammar), RFC 2811
 * §2.1 and §3.2 (channel names, safe channel ids). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "core/casemap.h"

START_TEST(names)
{
	ck_assert_str_eq(casemap_name(CASEMAP_RFC1459), "rfc1459");
	ck_assert_str_eq(casemap_name(CASEMAP_ASCII), "ascii");
	ck_assert_int_eq(casemap_from_name("rfc1459"), CASEMAP_RFC1459);
	ck_assert_int_eq(casemap_from_name("ascii"), CASEMAP_ASCII);
	ck_assert_int_eq(casemap_from_name("strict-rfc1459x"), -1);
	ck_assert_int_eq(casemap_from_name(""), -1);
}
END_TEST

/* rfc1459: A-Z fold to a-z, and [ ] \ fold with { } | (RFC 1459 §2.2,
 * "Because of IRC's Scandinavian origin"); ^ and ~ are one more such pair
 * (RFC 2812 §2.2, Modern IRC). Tested as equivalences so the direction
 * of the ^/~ pair does not matter. */
START_TEST(rfc1459_lower)
{
	unsigned ch;

	for (ch = 'A'; ch <= 'Z'; ch++)
		ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, (unsigned char)ch), ch + 32);
	for (ch = 'a'; ch <= 'z'; ch++)
		ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, (unsigned char)ch), ch);
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, '['), '{');
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, ']'), '}');
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, '\\'), '|');
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, '{'), '{');
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, '}'), '}');
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, '|'), '|');
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, '^'), casemap_lower(CASEMAP_RFC1459, '~'));
	/* neighbours that are not letters stay as they are */
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, '@'), '@');
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, '_'), '_');
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, '`'), '`');
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, '-'), '-');
	ck_assert_uint_eq(casemap_lower(CASEMAP_RFC1459, 0xC9), 0xC9); /* no Latin-1 folding */
}
END_TEST

START_TEST(ascii_lower)
{
	unsigned ch;

	for (ch = 'A'; ch <= 'Z'; ch++)
		ck_assert_uint_eq(casemap_lower(CASEMAP_ASCII, (unsigned char)ch), ch + 32);
	ck_assert_uint_eq(casemap_lower(CASEMAP_ASCII, '['), '[');
	ck_assert_uint_eq(casemap_lower(CASEMAP_ASCII, ']'), ']');
	ck_assert_uint_eq(casemap_lower(CASEMAP_ASCII, '\\'), '\\');
	ck_assert_uint_eq(casemap_lower(CASEMAP_ASCII, '^'), '^');
	ck_assert_uint_eq(casemap_lower(CASEMAP_ASCII, '~'), '~');
}
END_TEST

START_TEST(fold)
{
	char buf[32];

	ck_assert_uint_eq(casemap_fold(CASEMAP_RFC1459, buf, "NiCK[A]\\", sizeof(buf)), 8);
	ck_assert_str_eq(buf, "nick{a}|");
	ck_assert_uint_eq(casemap_fold(CASEMAP_ASCII, buf, "NiCK[A]\\", sizeof(buf)), 8);
	ck_assert_str_eq(buf, "nick[a]\\");
	/* truncated to the destination, always terminated */
	ck_assert_uint_eq(casemap_fold(CASEMAP_RFC1459, buf, "ABCDEF", 4), 3);
	ck_assert_str_eq(buf, "abc");
	ck_assert_uint_eq(casemap_fold(CASEMAP_RFC1459, buf, "", sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	buf[0] = 'x';
	ck_assert_uint_eq(casemap_fold(CASEMAP_RFC1459, buf, "abc", 0), 0);
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

START_TEST(cmp)
{
	ck_assert_int_eq(casemap_cmp(CASEMAP_RFC1459, "Alice", "aLICE"), 0);
	ck_assert_int_eq(casemap_cmp(CASEMAP_RFC1459, "nick[a]", "NICK{A}"), 0);
	ck_assert_int_eq(casemap_cmp(CASEMAP_RFC1459, "a\\b", "A|B"), 0);
	ck_assert_int_eq(casemap_cmp(CASEMAP_RFC1459, "x^", "X~"), 0);
	ck_assert_int_ne(casemap_cmp(CASEMAP_ASCII, "nick[a]", "NICK{A}"), 0);
	ck_assert_int_eq(casemap_cmp(CASEMAP_ASCII, "Alice", "aLICE"), 0);
	ck_assert_int_ne(casemap_cmp(CASEMAP_RFC1459, "alice", "alic"), 0);
	ck_assert_int_ne(casemap_cmp(CASEMAP_RFC1459, "alic", "alice"), 0);
	ck_assert_int_ne(casemap_cmp(CASEMAP_RFC1459, "a_b", "a-b"), 0);
	ck_assert_int_eq(casemap_cmp(CASEMAP_RFC1459, "", ""), 0);
	/* an ordering: sign agrees both ways */
	ck_assert_int_lt(casemap_cmp(CASEMAP_RFC1459, "abc", "abd"), 0);
	ck_assert_int_gt(casemap_cmp(CASEMAP_RFC1459, "ABD", "abc"), 0);
}
END_TEST

struct match_case {
	const char *mask, *str;
	bool want;
};

static const struct match_case match_cases[] = {
	{ "*", "", true },
	{ "*", "anything at all", true },
	{ "", "", true },
	{ "", "a", false },
	{ "a", "", false },
	{ "?", "", false },
	{ "?", "x", true },
	{ "??", "x", false },
	{ "a?c", "abc", true },
	{ "a?c", "ac", false },
	{ "a*", "a", true },
	{ "a*c", "abbbbc", true },
	{ "a*c", "abbbbcd", false },
	{ "*c", "abc", true },
	{ "*b*", "abc", true },
	{ "*x*", "abc", false },
	{ "**a**", "a", true },
	{ "*?", "", false },
	{ "*?", "z", true },
	{ "nick!*@*", "nick!~u@127.0.0.1", true },
	{ "nick!*@*", "nick2!~u@127.0.0.1", false },
	{ "*!*@127.0.0.*", "a!b@127.0.0.1", true },
	{ "*!*@127.0.0.*", "a!b@127.0.1.1", false },
	/* case-insensitive under rfc1459 */
	{ "NICK[A]!*@*", "nick{a}!u@h", true },
	{ "*x^*", "aX~b", true },
	/* RFC 2812 §2.5: '\' escapes '*' and '?' only: a literal '*' or '?' */
	{ "a\\*c", "a*c", true },
	{ "a\\*c", "abc", false },
	{ "a\\?c", "a?c", true },
	{ "a\\?c", "abc", false },
	/* any other '\' is an ordinary character (issue 9 item 13: nicks
	 * contain it; the ban a\b!*@* must match the user a\b) */
	{ "a\\b!*@*", "a\\b!~u@h", true },
	{ "a\\b", "ab", false },
	{ "a\\b", "a\\B", true },
	{ "\\", "\\", true },
	{ "\\\\", "\\\\", true },
	{ "\\\\", "\\", false },
	{ "x\\", "x\\", true },
	{ "*\\", "ab\\", true },
	{ "\\[*", "\\[x", true },
	{ "\\[*", "|{x", true }, /* rfc1459: '|' is the lower case of '\' */
	{ "*\\*", "ab*", true },
	{ "*\\*", "abc", false },
	/* backtracking after a partial match */
	{ "*ab", "aab", true },
	{ "*aab", "aaab", true },
	{ "*a*b", "aaaaaaaac", false },
	{ "a*b*c", "axxbyyc", true },
	{ "a*b*c", "axxcyyb", false },
};

START_TEST(match_table)
{
	const struct match_case *mc = &match_cases[_i];

	ck_assert_msg(casemap_match(CASEMAP_RFC1459, mc->mask, mc->str) == mc->want,
	    "match('%s', '%s') should be %s", mc->mask, mc->str, mc->want ? "true" : "false");
}
END_TEST

START_TEST(match_ascii)
{
	ck_assert(casemap_match(CASEMAP_ASCII, "NICK*", "nickname"));
	ck_assert(!casemap_match(CASEMAP_ASCII, "NICK[A]", "nick{a}"));
	ck_assert(casemap_match(CASEMAP_ASCII, "NICK[A]", "nick[a]"));
}
END_TEST

/* Hostile masks cost O(mask * str), not exponential time: a classic
 * backtracking matcher takes forever on these. The test case timeout
 * (2 s) is the assertion that it finishes; the result is checked too. */
START_TEST(match_pathological)
{
	size_t n = 20000, i;
	char *s = malloc(n + 2), *mask = malloc(4 * 60 + 4);
	char *p;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(mask);
	memset(s, 'a', n);
	s[n] = '\0';
	ck_assert(!casemap_match(CASEMAP_RFC1459, "*a*a*a*a*b", s));
	ck_assert(!casemap_match(CASEMAP_RFC1459, "*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s));
	p = mask;
	for (i = 0; i < 60; i++) {
		*p++ = '*';
		*p++ = '?';
	}
	*p++ = 'b';
	*p = '\0';
	ck_assert(!casemap_match(CASEMAP_RFC1459, mask, s));
	s[n] = 'b';
	s[n + 1] = '\0';
	ck_assert(casemap_match(CASEMAP_RFC1459, "*a*a*a*a*b", s));
	ck_assert(casemap_match(CASEMAP_RFC1459, mask, s));
	free(s);
	free(mask);
}
END_TEST

struct name_case {
	const char *name;
	size_t len;
	bool want;
};

/* RFC 2812 §2.3.1: nickname = ( letter / special ) *( letter / digit /
 * special / "-" ); special = "[" "]" "\" "`" "_" "^" "{" "|" "}". */
static const struct name_case nick_cases[] = {
	{ "a", 30, true },
	{ "Alice", 30, true },
	{ "a1", 30, true },
	{ "a-", 30, true },
	{ "[x]", 30, true },
	{ "\\", 30, true },
	{ "`_^{|}", 30, true },
	{ "_a-b[c]d\\e`f^g{h}i|", 30, true },
	{ "", 30, false },
	{ "1abc", 30, false }, /* leading digit */
	{ "-abc", 30, false }, /* leading hyphen */
	{ "a b", 30, false },
	{ "a!b", 30, false },
	{ "a@b", 30, false },
	{ "a,b", 30, false },
	{ "a.b", 30, false },
	{ "a*", 30, false },
	{ "a?", 30, false },
	{ "a:b", 30, false },
	{ ":a", 30, false },
	{ "#a", 30, false },
	{ "&a", 30, false },
	{ "a\x01", 30, false },
	{ "\xc3\xa9t\xc3\xa9", 30, false }, /* UTF-8: not in the grammar */
	{ "abcdefghi", 9, true }, /* RFC 2812: at most 9 ... */
	{ "abcdefghij", 9, false }, /* ... or NICKLEN */
	{ "abc", 3, true },
	{ "abcd", 3, false },
	{ "abcdefghijklmnopqrstuvwxyzabcd", 30, true },
	{ "abcdefghijklmnopqrstuvwxyzabcde", 30, false },
};

START_TEST(nick_table)
{
	const struct name_case *nc = &nick_cases[_i];

	ck_assert_msg(nick_valid(nc->name, nc->len) == nc->want,
	    "nick_valid('%s', %zu) should be %s", nc->name, nc->len, nc->want ? "true" : "false");
}
END_TEST

/* RFC 2811 §2.1: a prefix from "#&+!", no space, BELL (^G), comma, and
 * colon (the channel mask delimiter); at most 50 (CHANNELLEN) including
 * the prefix. §3.2: "!" + a 5-character channel id of [A-Z0-9] + the
 * short name; "!!" + short name asks the server to create one. */
static const struct name_case chan_cases[] = {
	{ "#a", 50, true },
	{ "&local", 50, true },
	{ "+modeless", 50, true },
	{ "#Chan-With.Many_chars!", 50, true },
	{ "#\xc3\xa9t\xc3\xa9", 50, true }, /* any octet but the forbidden ones */
	{ "#", 50, false },
	{ "", 50, false },
	{ "a", 50, false },
	{ "chan", 50, false },
	{ "@chan", 50, false },
	{ "#a b", 50, false },
	{ "#a,b", 50, false },
	{ "#a\x07"
	  "b",
	    50, false },
	{ "#a:b", 50, false },
	{ "#a\rb", 50, false },
	{ "#a\nb", 50, false },
	{ "#abcdefghi", 10, true },
	{ "#abcdefghij", 10, false },
	{ "!ABCDEfoo", 50, true },
	{ "!12345x", 50, true },
	{ "!A1B2Cname", 50, true },
	{ "!ABCDE", 50, false }, /* no short name */
	{ "!ABCD", 50, false },
	{ "!AB-DEfoo", 50, false }, /* id is [A-Z0-9] only */
	{ "!!foo", 50, true },
	{ "!!", 50, false },
	{ "!", 50, false },
	{ "!!a b", 50, false },
};

START_TEST(chan_table)
{
	const struct name_case *nc = &chan_cases[_i];

	ck_assert_msg(channel_name_valid(nc->name, nc->len) == nc->want,
	    "channel_name_valid('%s', %zu) should be %s", nc->name, nc->len,
	    nc->want ? "true" : "false");
}
END_TEST

/* RFC 2812 §2.3.1: user = 1*( %x01-09 / %x0B-0C / %x0E-1F / %x21-3F /
 * %x41-FF ): no NUL, CR, LF, space or "@". */
START_TEST(user_table)
{
	ck_assert(user_valid("alice"));
	ck_assert(user_valid("~a.b-c_d"));
	ck_assert(user_valid("x"));
	ck_assert(!user_valid(""));
	ck_assert(!user_valid("a b"));
	ck_assert(!user_valid("a@b"));
	ck_assert(!user_valid("a\rb"));
	ck_assert(!user_valid("a\nb"));
	ck_assert(!user_valid(" "));
}
END_TEST

static Suite *
casemap_suite(void)
{
	Suite *s = suite_create("casemap");
	TCase *tc;

	tc = tcase_create("mapping");
	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, names);
	tcase_add_test(tc, rfc1459_lower);
	tcase_add_test(tc, ascii_lower);
	tcase_add_test(tc, fold);
	tcase_add_test(tc, cmp);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_set_timeout(tc, 5);
	tcase_add_loop_test(tc, match_table, 0,
	    (int)(sizeof(match_cases) / sizeof(match_cases[0])));
	tcase_add_test(tc, match_ascii);
	suite_add_tcase(s, tc);

	tc = tcase_create("match_pathological");
	tcase_set_timeout(tc, 2);
	tcase_add_test(tc, match_pathological);
	suite_add_tcase(s, tc);

	tc = tcase_create("validation");
	tcase_set_timeout(tc, 5);
	tcase_add_loop_test(tc, nick_table, 0, (int)(sizeof(nick_cases) / sizeof(nick_cases[0])));
	tcase_add_loop_test(tc, chan_table, 0, (int)(sizeof(chan_cases) / sizeof(chan_cases[0])));
	tcase_add_test(tc, user_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(casemap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
