/* test_parser.c - message_parse, message_tag_next, message_body_len.
 * Expectations from RFC 1459 §2.3.1, RFC 2812 §2.3.1, Modern IRC
 * "Messages" and IRCv3 message-tags ("Escaping values"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "proto/message.h"

struct parse_case {
	const char *line;
	int result; /* enum msg_parse_result */
	const char *tags, *prefix, *verb; /* NULL = absent */
	int nparams;
	const char *params[IRC_MAX_PARAMS];
};

static const struct parse_case cases[] = {
	/* verb alone, upper-cased in place (RFC 2812 §2.3: commands are
	 * case-insensitive) */
	{ "privmsg", MSG_OK, NULL, NULL, "PRIVMSG", 0, { NULL } },
	{ "PrIvMsG a :b", MSG_OK, NULL, NULL, "PRIVMSG", 2, { "a", "b" } },
	{ "001 nick :Welcome", MSG_OK, NULL, NULL, "001", 2, { "nick", "Welcome" } },
	/* middle parameters and a trailing one with spaces and colons */
	{ "PRIVMSG #chan :hello world", MSG_OK, NULL, NULL, "PRIVMSG", 2,
	    { "#chan", "hello world" } },
	{ "PRIVMSG #chan :a :b: c::", MSG_OK, NULL, NULL, "PRIVMSG", 2, { "#chan", "a :b: c::" } },
	{ "PRIVMSG #chan ::-)", MSG_OK, NULL, NULL, "PRIVMSG", 2, { "#chan", ":-)" } },
	/* a colon inside a middle parameter does not start the trailing */
	{ "MODE #c +b a:b", MSG_OK, NULL, NULL, "MODE", 3, { "#c", "+b", "a:b" } },
	/* an empty trailing parameter is a parameter (Modern IRC) */
	{ "TOPIC #chan :", MSG_OK, NULL, NULL, "TOPIC", 2, { "#chan", "" } },
	{ "AWAY :", MSG_OK, NULL, NULL, "AWAY", 1, { "" } },
	/* several spaces separate like one; trailing spaces add nothing */
	{ "USER  a   0    *  :Real  Name ", MSG_OK, NULL, NULL, "USER", 4,
	    { "a", "0", "*", "Real  Name " } },
	{ "JOIN #a   ", MSG_OK, NULL, NULL, "JOIN", 1, { "#a" } },
	{ "PING   :x", MSG_OK, NULL, NULL, "PING", 1, { "x" } },
	/* prefix: accepted and exposed, not part of the parameters */
	{ ":nick!user@host PRIVMSG bob :hi", MSG_OK, NULL, "nick!user@host", "PRIVMSG", 2,
	    { "bob", "hi" } },
	{ ":irc.example.com   NOTICE *  :x", MSG_OK, NULL, "irc.example.com", "NOTICE", 2,
	    { "*", "x" } },
	/* tags (IRCv3 message-tags): raw, before the prefix */
	{ "@id=123;+draft/x=y :n!u@h PRIVMSG #c :t", MSG_OK, "id=123;+draft/x=y", "n!u@h",
	    "PRIVMSG", 2, { "#c", "t" } },
	{ "@a=b PING x", MSG_OK, "a=b", NULL, "PING", 1, { "x" } },
	{ "@a=b   PING x", MSG_OK, "a=b", NULL, "PING", 1, { "x" } },
	/* RFC 2812 §2.3.1: after 14 middle parameters the rest of the line is
	 * the 15th, with or without a colon */
	{ "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", MSG_OK, NULL, NULL, "CMD", 15,
	    { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15" } },
	{ "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", MSG_OK, NULL, NULL, "CMD", 15,
	    { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
		"15 16 17" } },
	{ "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 :last one", MSG_OK, NULL, NULL, "CMD", 15,
	    { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
		"last one" } },
	{ "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 :a b", MSG_OK, NULL, NULL, "CMD", 14,
	    { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "a b" } },
	/* nothing to execute: ignored silently (Modern IRC) */
	{ "", MSG_EMPTY, NULL, NULL, NULL, 0, { NULL } },
	{ "     ", MSG_EMPTY, NULL, NULL, NULL, 0, { NULL } },
	{ ":prefix", MSG_EMPTY, NULL, NULL, NULL, 0, { NULL } },
	{ ":prefix   ", MSG_EMPTY, NULL, NULL, NULL, 0, { NULL } },
	{ "@a=b", MSG_EMPTY, NULL, NULL, NULL, 0, { NULL } },
	{ "@a=b :prefix", MSG_EMPTY, NULL, NULL, NULL, 0, { NULL } },
	{ "@a=b :prefix ", MSG_EMPTY, NULL, NULL, NULL, 0, { NULL } },
};

static void
check_str(const char *what, const char *line, const char *want, const char *got)
{
	if (want == NULL)
		ck_assert_msg(got == NULL, "'%s': %s should be absent, got '%s'", line, what, got);
	else {
		ck_assert_msg(got != NULL, "'%s': %s missing (want '%s')", line, what, want);
		ck_assert_msg(strcmp(want, got) == 0, "'%s': %s is '%s', want '%s'", line, what,
		    got, want);
	}
}

START_TEST(parse_table)
{
	const struct parse_case *pc = &cases[_i];
	struct irc_msg m;
	char buf[1024];
	int i, r;

	snprintf(buf, sizeof(buf), "%s", pc->line);
	r = message_parse(buf, &m);
	ck_assert_msg(r == pc->result, "'%s': result %d, want %d", pc->line, r, pc->result);
	if (pc->result != MSG_OK)
		return;
	check_str("tags", pc->line, pc->tags, m.tags);
	check_str("prefix", pc->line, pc->prefix, m.prefix);
	check_str("verb", pc->line, pc->verb, m.verb);
	ck_assert_msg(m.nparams == pc->nparams, "'%s': %d params, want %d", pc->line, m.nparams,
	    pc->nparams);
	for (i = 0; i < pc->nparams; i++) {
		char what[32];
		snprintf(what, sizeof(what), "param %d", i);
		check_str(what, pc->line, pc->params[i], m.params[i]);
	}
}
END_TEST

/* Parameters point into the caller's buffer: nothing is allocated. */
START_TEST(parse_in_place)
{
	char buf[] = "@t=1 :p CMD a :b c";
	struct irc_msg m;

	ck_assert_int_eq(message_parse(buf, &m), MSG_OK);
	ck_assert(m.tags >= buf && m.tags < buf + sizeof(buf));
	ck_assert(m.prefix >= buf && m.prefix < buf + sizeof(buf));
	ck_assert(m.verb >= buf && m.verb < buf + sizeof(buf));
	ck_assert(m.params[0] >= buf && m.params[1] < buf + sizeof(buf));
}
END_TEST

/* The tag section limit (message-tags: 8191 bytes with '@'). */
START_TEST(parse_tags_too_long)
{
	size_t n = IRC_TAGS_MAX + 10;
	char *buf = malloc(n + 32);
	struct irc_msg m;

	ck_assert_ptr_nonnull(buf);
	buf[0] = '@';
	memset(buf + 1, 'a', n);
	strcpy(buf + 1 + n, " PING x");
	ck_assert_int_eq(message_parse(buf, &m), MSG_BAD_TAGS);
	free(buf);

	/* comfortably below the limit is fine */
	buf = malloc(IRC_TAGS_MAX + 32);
	ck_assert_ptr_nonnull(buf);
	buf[0] = '@';
	memset(buf + 1, 'a', IRC_TAGS_MAX - 10);
	strcpy(buf + 1 + IRC_TAGS_MAX - 10, " PING x");
	ck_assert_int_eq(message_parse(buf, &m), MSG_OK);
	ck_assert_str_eq(m.verb, "PING");
	free(buf);
}
END_TEST

/* message_tag_next over a whole tag section. */
struct tag_case {
	const char *raw;
	int n;
	const char *kv[8][2];
};

static const struct tag_case tag_cases[] = {
	{ "a=b", 1, { { "a", "b" } } },
	{ "a=1;b=2;c=3", 3, { { "a", "1" }, { "b", "2" }, { "c", "3" } } },
	/* a key without a value, and an empty value, both give "" */
	{ "flag;k=v", 2, { { "flag", "" }, { "k", "v" } } },
	{ "k=;flag", 2, { { "k", "" }, { "flag", "" } } },
	{ "+draft/reply=abc;vendor.example/x=1", 2,
	    { { "+draft/reply", "abc" }, { "vendor.example/x", "1" } } },
	/* message-tags "Escaping values": \: ; \s space \\ backslash \r CR \n LF */
	{ "k=a\\:b", 1, { { "k", "a;b" } } },
	{ "k=a\\sb", 1, { { "k", "a b" } } },
	{ "k=a\\\\b", 1, { { "k", "a\\b" } } },
	{ "k=a\\rb\\nc", 1, { { "k", "a\rb\nc" } } },
	{ "k=\\:\\s\\\\\\r\\n", 1, { { "k", "; \\\r\n" } } },
	/* an unknown escape drops the backslash */
	{ "k=a\\bc", 1, { { "k", "abc" } } },
	/* a trailing lone backslash produces nothing */
	{ "k=abc\\", 1, { { "k", "abc" } } },
	/* escapes followed by more tags: the value ends at ';' */
	{ "k=x\\sy;z=1", 2, { { "k", "x y" }, { "z", "1" } } },
	/* a lone backslash at the end of a raw value that is followed by
	 * another tag: the raw value ends at the ';' (values never contain a
	 * raw ';'), then unescaping drops the backslash */
	{ "k=abc\\;z=1", 2, { { "k", "abc" }, { "z", "1" } } },
	{ "a=1;", 1, { { "a", "1" } } },
};

START_TEST(tag_table)
{
	const struct tag_case *tc = &tag_cases[_i];
	char buf[256], *cursor, *key, *value;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", tc->raw);
	cursor = buf;
	while (message_tag_next(&cursor, &key, &value)) {
		ck_assert_msg(n < tc->n, "'%s': more than %d tags (extra key '%s' value '%s')",
		    tc->raw, tc->n, key, value);
		ck_assert_msg(strcmp(key, tc->kv[n][0]) == 0, "'%s': tag %d key '%s', want '%s'",
		    tc->raw, n, key, tc->kv[n][0]);
		ck_assert_msg(strcmp(value, tc->kv[n][1]) == 0,
		    "'%s': tag %d value '%s', want '%s'", tc->raw, n, value, tc->kv[n][1]);
		n++;
	}
	ck_assert_msg(n == tc->n, "'%s': %d tags, want %d", tc->raw, n, tc->n);
}
END_TEST

START_TEST(tag_next_from_parse)
{
	char buf[] = "@time=2023;msgid=a\\sb :n!u@h PRIVMSG #c :x";
	struct irc_msg m;
	char *cursor, *k, *v;

	ck_assert_int_eq(message_parse(buf, &m), MSG_OK);
	cursor = m.tags;
	ck_assert(message_tag_next(&cursor, &k, &v));
	ck_assert_str_eq(k, "time");
	ck_assert_str_eq(v, "2023");
	ck_assert(message_tag_next(&cursor, &k, &v));
	ck_assert_str_eq(k, "msgid");
	ck_assert_str_eq(v, "a b");
	ck_assert(!message_tag_next(&cursor, &k, &v));
	/* the rest of the message is untouched */
	ck_assert_str_eq(m.verb, "PRIVMSG");
	ck_assert_str_eq(m.params[1], "x");

	cursor = NULL;
	ck_assert(!message_tag_next(&cursor, &k, &v));
}
END_TEST

/* The 512-byte limit applies to the message without its tags
 * (message-tags: "the limit ... excluding tags"). */
START_TEST(body_len)
{
	const char *plain = "PRIVMSG #c :hello";
	const char *tagged = "@a=b;c=d PRIVMSG #c :hello";
	const char *spaced = "@a=b    PRIVMSG #c :hello";

	ck_assert_uint_eq(message_body_len(plain, strlen(plain)), strlen(plain));
	ck_assert_uint_eq(message_body_len(tagged, strlen(tagged)), strlen("PRIVMSG #c :hello"));
	ck_assert_uint_eq(message_body_len(spaced, strlen(spaced)), strlen("PRIVMSG #c :hello"));
	ck_assert_uint_eq(message_body_len("@onlytags", 9), 0);
	ck_assert_uint_eq(message_body_len("", 0), 0);
	ck_assert_uint_eq(message_body_len(":p CMD", 6), 6);
}
END_TEST

/* message_split_tags: client-only tags come out canonical (each value
 * unescaped and escaped again), tags whose key breaks the message-tags
 * grammar or whose value is not UTF-8 are dropped, and the label is
 * unescaped, non-empty and at most 64 bytes (labeled-response). */
struct split_case {
	const char *tags; /* after '@' */
	const char *client; /* expected m.client_tags, NULL = none */
	const char *label; /* expected m.label, NULL = none */
};

static const struct split_case split_cases[] = {
	{ "+a=b;+c;label=x", "+a=b;+c", "x" },
	/* escapes survive relaying in canonical form */
	{ "+x=a\\sb\\:c\\\\d", "+x=a\\sb\\:c\\\\d", NULL },
	{ "+x=a\\rb\\nc", "+x=a\\rb\\nc", NULL },
	/* unknown escape and lone trailing backslash: canonical */
	{ "+x=\\q\\", "+x=q", NULL },
	{ "+x=", "+x", NULL },
	/* vendor keys */
	{ "+example.com/foo=bar;+draft/react=1", "+example.com/foo=bar;+draft/react=1", NULL },
	/* bad keys: dropped, the rest kept */
	{ "+=v;+a=1", "+a=1", NULL },
	{ "+a_b=1;+ok", "+ok", NULL },
	{ "+/x=1;+a/=1;+a/b/c=1;+ok=2", "+ok=2", NULL },
	{ "+\x01=1", NULL, NULL },
	{ "+\xc3\xa9=1", NULL, NULL },
	/* a value that is not UTF-8 */
	{ "+x=\xff;+y=\xc3\xa9", "+y=\xc3\xa9", NULL },
	/* labels: unescaped; empty or over 64 bytes ignored */
	{ "label=a\\sb\\:c=d", NULL, "a b;c=d" },
	{ "label=a\\rb", NULL, "a\rb" },
	{ "label=", NULL, NULL },
	{ "label=0123456789012345678901234567890123456789012345678901234567890123", NULL,
	    "0123456789012345678901234567890123456789012345678901234567890123" },
	{ "label=01234567890123456789012345678901234567890123456789012345678901234", NULL, NULL },
	{ "bad_key=1;label=ok", NULL, "ok" },
};

START_TEST(split_table)
{
	const struct split_case *tc = &split_cases[_i];
	char line[512], ct[IRC_CLIENT_TAGS_MAX + 2], label[128];
	struct irc_msg m;

	snprintf(line, sizeof(line), "@%s PING x", tc->tags);
	ck_assert_int_eq(message_parse(line, &m), MSG_OK);
	message_split_tags(&m, ct, sizeof(ct), label, sizeof(label));
	if (tc->client == NULL)
		ck_assert_ptr_null(m.client_tags);
	else {
		ck_assert_ptr_nonnull(m.client_tags);
		ck_assert_str_eq(m.client_tags, tc->client);
	}
	if (tc->label == NULL)
		ck_assert_ptr_null(m.label);
	else {
		ck_assert_ptr_nonnull(m.label);
		ck_assert_str_eq(m.label, tc->label);
	}
}
END_TEST

/* A tag that does not fit the buffer goes whole, never cut. */
START_TEST(split_no_room)
{
	char line[] = "@+aa=12345;+b=1 PING x";
	char ct[12], label[8];
	struct irc_msg m;

	ck_assert_int_eq(message_parse(line, &m), MSG_OK);
	message_split_tags(&m, ct, sizeof(ct), label, sizeof(label));
	ck_assert_str_eq(m.client_tags, "+aa=12345"); /* 9 bytes + NUL; "+b=1" no room */
}
END_TEST

/* message_tag_escape: the table of message-tags "Escaping values"; NUL and
 * a too-small buffer are refused. */
START_TEST(escape)
{
	char buf[32];

	ck_assert_uint_eq(message_tag_escape(buf, sizeof(buf), "a; b\\\r\nc", 8), 13);
	ck_assert_str_eq(buf, "a\\:\\sb\\\\\\r\\nc");
	ck_assert_uint_eq(message_tag_escape(buf, sizeof(buf), "", 0), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(message_tag_escape(buf, sizeof(buf), "a\0b", 3), (size_t)-1);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(message_tag_escape(buf, 4, "abc", 3), 3);
	ck_assert_uint_eq(message_tag_escape(buf, 4, "ab;", 3), (size_t)-1);
	ck_assert_uint_eq(message_tag_escape(buf, 3, "abc", 3), (size_t)-1);
}
END_TEST

START_TEST(key_valid)
{
	static const char *good[] = { "a", "+a", "msgid", "+typing", "draft/label",
		"+example.com/foo-bar", "A-9" };
	static const char *bad[] = { "", "+", "a_b", "/a", "a/", "+a/b/c", "a b", "a=b", "é",
		"a.b" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(message_tag_key_valid(good[i], strlen(good[i])), "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!message_tag_key_valid(bad[i], strlen(bad[i])), "%s", bad[i]);
}
END_TEST

static Suite *
parser_suite(void)
{
	Suite *s = suite_create("parser");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_set_timeout(tc, 5);
	tcase_add_loop_test(tc, parse_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, parse_in_place);
	tcase_add_test(tc, parse_tags_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("tags");
	tcase_set_timeout(tc, 5);
	tcase_add_loop_test(tc, tag_table, 0, (int)(sizeof(tag_cases) / sizeof(tag_cases[0])));
	tcase_add_test(tc, tag_next_from_parse);
	tcase_add_test(tc, body_len);
	tcase_add_loop_test(tc, split_table, 0,
	    (int)(sizeof(split_cases) / sizeof(split_cases[0])));
	tcase_add_test(tc, split_no_room);
	tcase_add_test(tc, escape);
	tcase_add_test(tc, key_valid);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(parser_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
