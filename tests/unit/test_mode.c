/* test_mode.c - mode_parse and mode_channel_kind. Expectations from RFC 2811
 * §4, Modern IRC "MODE message" and the ISUPPORT CHANMODES=beI,k,l,imnpst,
 * PREFIX=(ov)@+ and MODES=4 the server advertises. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/config.h"
#include "proto/mode.h"

#define MAXC 32

/* parse: run mode_parse over a NULL-terminated argument list. */
static int
parse(const char *modestr, const char **argv, struct mode_change *out, int max, int max_param)
{
	char *args[16] = { NULL };
	int n = 0;

	while (argv != NULL && argv[n] != NULL) {
		args[n] = (char *)argv[n];
		n++;
	}
	return mode_parse(modestr, args, n, out, max, max_param);
}

static void
check_change(const struct mode_change *mc, char dir, char mode, const char *arg, bool missing)
{
	ck_assert_msg(mc->dir == dir && mc->mode == mode, "change %c%c, want %c%c", mc->dir,
	    mc->mode, dir, mode);
	if (arg == NULL)
		ck_assert_msg(mc->arg == NULL, "%c%c: arg '%s', want none", dir, mode, mc->arg);
	else {
		ck_assert_msg(mc->arg != NULL, "%c%c: no arg, want '%s'", dir, mode, arg);
		ck_assert_str_eq(mc->arg, arg);
	}
	ck_assert_msg(mc->missing_arg == missing, "%c%c: missing_arg %d, want %d", dir, mode,
	    mc->missing_arg, missing);
}

/* CHANMODES=beI,k,l,imnpst plus PREFIX (ov) which take a parameter
 * whenever they are set or unset (Modern IRC: prefix modes are type B). */
START_TEST(kinds)
{
	const char *a = "beI", *b = "kov", *c = "l", *d = "CEimnpst", *p;

	for (p = a; *p; p++)
		ck_assert_int_eq(mode_channel_kind(*p), MODE_LIST);
	for (p = b; *p; p++)
		ck_assert_int_eq(mode_channel_kind(*p), MODE_ALWAYS);
	for (p = c; *p; p++)
		ck_assert_int_eq(mode_channel_kind(*p), MODE_SET);
	for (p = d; *p; p++)
		ck_assert_int_eq(mode_channel_kind(*p), MODE_NEVER);
	for (p = "xyzBKLO+-1 c"; *p; p++)
		ck_assert_int_eq(mode_channel_kind(*p), MODE_UNKNOWN);
}
END_TEST

START_TEST(op_voice_with_args)
{
	const char *argv[] = { "alice", "bob", NULL };
	struct mode_change mc[MAXC];

	ck_assert_int_eq(parse("+o-v", argv, mc, MAXC, 4), 2);
	check_change(&mc[0], '+', 'o', "alice", false);
	check_change(&mc[1], '-', 'v', "bob", false);
}
END_TEST

/* Without a sign, '+' is assumed. */
START_TEST(default_plus)
{
	const char *argv[] = { "alice", NULL };
	struct mode_change mc[MAXC];

	ck_assert_int_eq(parse("ov", argv, mc, MAXC, 4), 2);
	check_change(&mc[0], '+', 'o', "alice", false);
	check_change(&mc[1], '+', 'v', NULL, true);
}
END_TEST

START_TEST(missing_arg)
{
	struct mode_change mc[MAXC];

	ck_assert_int_eq(parse("+o", NULL, mc, MAXC, 4), 1);
	check_change(&mc[0], '+', 'o', NULL, true);
	ck_assert_int_eq(parse("-v", NULL, mc, MAXC, 4), 1);
	check_change(&mc[0], '-', 'v', NULL, true);
}
END_TEST

/* Type A without a parameter is a list query (RFC 2811 §4.3: "MODE #chan
 * +b" lists the bans); with one it is a change. */
START_TEST(list_queries)
{
	const char *argv[] = { "*!*@bad", NULL };
	struct mode_change mc[MAXC];

	ck_assert_int_eq(parse("+b", NULL, mc, MAXC, 4), 1);
	check_change(&mc[0], '+', 'b', NULL, false);
	ck_assert_int_eq(parse("beI", NULL, mc, MAXC, 4), 3);
	check_change(&mc[0], '+', 'b', NULL, false);
	check_change(&mc[1], '+', 'e', NULL, false);
	check_change(&mc[2], '+', 'I', NULL, false);
	ck_assert_int_eq(parse("+b", argv, mc, MAXC, 4), 1);
	check_change(&mc[0], '+', 'b', "*!*@bad", false);
	ck_assert_int_eq(parse("-e", argv, mc, MAXC, 4), 1);
	check_change(&mc[0], '-', 'e', "*!*@bad", false);
	/* the parameter goes to the first list mode, the second is a query */
	ck_assert_int_eq(parse("+bI", argv, mc, MAXC, 4), 2);
	check_change(&mc[0], '+', 'b', "*!*@bad", false);
	check_change(&mc[1], '+', 'I', NULL, false);
}
END_TEST

/* +k needs its key; -k takes one when given (Modern IRC "Key channel
 * mode": servers accept -k with or without the key). */
START_TEST(key_rules)
{
	const char *key[] = { "sesame", NULL };
	const char *two[] = { "sesame", "alice", NULL };
	struct mode_change mc[MAXC];

	ck_assert_int_eq(parse("+k", key, mc, MAXC, 4), 1);
	check_change(&mc[0], '+', 'k', "sesame", false);
	ck_assert_int_eq(parse("+k", NULL, mc, MAXC, 4), 1);
	check_change(&mc[0], '+', 'k', NULL, true);
	ck_assert_int_eq(parse("-k", NULL, mc, MAXC, 4), 1);
	check_change(&mc[0], '-', 'k', NULL, false);
	ck_assert_int_eq(parse("-k", key, mc, MAXC, 4), 1);
	check_change(&mc[0], '-', 'k', "sesame", false);
	/* -k consumes its key, so the next parameter belongs to +o */
	ck_assert_int_eq(parse("-k+o", two, mc, MAXC, 4), 2);
	check_change(&mc[0], '-', 'k', "sesame", false);
	check_change(&mc[1], '+', 'o', "alice", false);
}
END_TEST

/* Type C: +l takes the limit, -l takes nothing. */
START_TEST(limit_rules)
{
	const char *ten[] = { "10", NULL };
	const char *alice[] = { "alice", NULL };
	struct mode_change mc[MAXC];

	ck_assert_int_eq(parse("+l", ten, mc, MAXC, 4), 1);
	check_change(&mc[0], '+', 'l', "10", false);
	ck_assert_int_eq(parse("+l", NULL, mc, MAXC, 4), 1);
	check_change(&mc[0], '+', 'l', NULL, true);
	ck_assert_int_eq(parse("-l", NULL, mc, MAXC, 4), 1);
	check_change(&mc[0], '-', 'l', NULL, false);
	/* -l leaves the parameter for the next mode */
	ck_assert_int_eq(parse("-lo", alice, mc, MAXC, 4), 2);
	check_change(&mc[0], '-', 'l', NULL, false);
	check_change(&mc[1], '-', 'o', "alice", false);
}
END_TEST

START_TEST(flags_no_args)
{
	const char *argv[] = { "alice", NULL };
	struct mode_change mc[MAXC];

	/* type D never takes a parameter: the parameter stays for +o */
	ck_assert_int_eq(parse("+imnpst-i+o", argv, mc, MAXC, 4), 8);
	check_change(&mc[0], '+', 'i', NULL, false);
	check_change(&mc[5], '+', 't', NULL, false);
	check_change(&mc[6], '-', 'i', NULL, false);
	check_change(&mc[7], '+', 'o', "alice", false);
}
END_TEST

/* MODES=4 counts only modes with a parameter (Modern IRC "MODES"). */
START_TEST(modes_limit)
{
	const char *argv[] = { "a", "b", "c", "d", "e", "f", NULL };
	struct mode_change mc[MAXC];
	int n, i, withp = 0;

	n = parse("+oooooo", argv, mc, MAXC, 4);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(mc[i].mode, 'o');
		if (mc[i].arg != NULL)
			withp++;
	}
	ck_assert_int_eq(withp, 4);
	/* the kept ones are the first four, in order */
	check_change(&mc[0], '+', 'o', "a", false);
	check_change(&mc[3], '+', 'o', "d", false);

	/* flags without parameters are not limited by MODES */
	n = parse("+imnpst", NULL, mc, MAXC, 4);
	ck_assert_int_eq(n, 6);

	/* ... and max bounds the output array */
	n = parse("+imnpst", NULL, mc, 3, 4);
	ck_assert_int_eq(n, 3);

	/* max_param 1 */
	n = parse("+ov", argv, mc, MAXC, 1);
	withp = 0;
	for (i = 0; i < n; i++)
		if (mc[i].arg != NULL)
			withp++;
	ck_assert_int_eq(withp, 1);
	check_change(&mc[0], '+', 'o', "a", false);
}
END_TEST

/* Unknown letters are reported (472) and do not eat parameters. */
START_TEST(unknown_letters)
{
	const char *argv[] = { "alice", NULL };
	struct mode_change mc[MAXC];

	ck_assert_int_eq(parse("+xo-z", argv, mc, MAXC, 4), 3);
	check_change(&mc[0], '+', 'x', NULL, false);
	ck_assert_int_eq(mode_channel_kind(mc[0].mode), MODE_UNKNOWN);
	check_change(&mc[1], '+', 'o', "alice", false);
	check_change(&mc[2], '-', 'z', NULL, false);
}
END_TEST

START_TEST(signs_only)
{
	struct mode_change mc[MAXC];

	ck_assert_int_eq(parse("+-+", NULL, mc, MAXC, 4), 0);
	ck_assert_int_eq(parse("", NULL, mc, MAXC, 4), 0);
	ck_assert_int_eq(parse("+", NULL, mc, MAXC, 4), 0);
}
END_TEST

/* The strings derived from the mode tables are exactly the ones the server
 * advertised before the tables existed (behaviour unchanged): 004
 * "iowzB beIiklmnopstv beIklov", CHANMODES=beI,k,l,imnpst, PREFIX=(ov)@+,
 * STATUSMSG=@+, MAXLIST=beI:n, EXCEPTS=e, INVEX=I; then C, and M and R
 * (issue 11: registered-only speak and join). */
START_TEST(table_derived_strings)
{
	char buf[128];

	ck_assert_str_eq(mode_isupport_chanmodes(buf, sizeof(buf)), "beI,k,l,CEMRimnpst");
	ck_assert_str_eq(mode_isupport_prefix(buf, sizeof(buf)), "(ov)@+");
	ck_assert_str_eq(mode_isupport_statusmsg(buf, sizeof(buf)), "@+");
	ck_assert_str_eq(mode_isupport_lists(buf, sizeof(buf)), "beI"); /* MAXLIST */
	ck_assert_int_eq(mode_list_letter(LIST_EXCEPT), 'e'); /* EXCEPTS */
	ck_assert_int_eq(mode_list_letter(LIST_INVEX), 'I'); /* INVEX */
	ck_assert_str_eq(mode_myinfo_user(buf, sizeof(buf)), "iowrzB");
	ck_assert_str_eq(mode_myinfo_chan(buf, sizeof(buf)), "beICEMRiklmnopstv");
	ck_assert_str_eq(mode_myinfo_chan_param(buf, sizeof(buf)), "beIklov");
	ck_assert_str_eq(mode_user_string(0, buf, sizeof(buf)), "+");
	ck_assert_str_eq(mode_user_string(UMODE_INVISIBLE | UMODE_OPER | UMODE_WALLOPS |
				 UMODE_SECURE | UMODE_BOT,
			     buf, sizeof(buf)),
	    "+iowzB");
	ck_assert_str_eq(mode_user_string(UMODE_BOT | UMODE_INVISIBLE, buf, sizeof(buf)), "+iB");
	/* a buffer too small is cut, never overrun */
	ck_assert_str_eq(mode_isupport_chanmodes(buf, 5), "beI,");
}
END_TEST

/* Each row is consistent: one state holder per kind, letters unique, user
 * mode bits unique. */
START_TEST(table_rows)
{
	size_t i, j;

	for (i = 0; i < chanmode_count; i++) {
		const struct chanmode_def *d = &chanmode_table[i];
		ck_assert_ptr_eq(mode_channel_find(d->letter), d);
		if (d->kind == MODE_LIST)
			ck_assert(d->rpl_item != 0 && d->rpl_end != 0 && d->bit == 0);
		else if (d->prefix != 0)
			ck_assert(d->member != 0 && d->bit == 0 && d->kind == MODE_ALWAYS);
		else
			ck_assert_msg(d->bit != 0, "%c has no state bit", d->letter);
		for (j = i + 1; j < chanmode_count; j++)
			ck_assert(chanmode_table[j].letter != d->letter);
	}
	for (i = 0; i < usermode_count; i++) {
		ck_assert_ptr_eq(mode_user_find(usermode_table[i].letter), &usermode_table[i]);
		for (j = i + 1; j < usermode_count; j++)
			ck_assert((usermode_table[j].bit & usermode_table[i].bit) == 0);
	}
	ck_assert_ptr_null(mode_channel_find('O'));
	ck_assert_ptr_null(mode_user_find('x'));
	ck_assert_int_eq(mode_user_find('o')->who, UMODE_BY_OPER);
	ck_assert_int_eq(mode_user_find('z')->who, UMODE_BY_SERVER);
}
END_TEST

/* 324: flags in table order, then the parameters of k and l (members only). */
START_TEST(channel_string)
{
	struct channel ch;
	char buf[64];

	memset(&ch, 0, sizeof(ch));
	ck_assert_str_eq(mode_channel_string(&ch, true, buf, sizeof(buf)), "+");
	ch.modes = CMODE_NOEXTERNAL | CMODE_TOPIC | CMODE_KEY | CMODE_LIMIT | CMODE_SECRET;
	ch.chankey = (char *)"sesame";
	ch.limit = 5;
	ck_assert_str_eq(mode_channel_string(&ch, true, buf, sizeof(buf)), "+klnst sesame 5");
	ck_assert_str_eq(mode_channel_string(&ch, false, buf, sizeof(buf)), "+klnst");
	/* a parameter that does not fit is left out, never cut */
	ck_assert_str_eq(mode_channel_string(&ch, true, buf, 12), "+klnst");
}
END_TEST

struct packed {
	char lines[16][600];
	size_t lens[16];
	int n;
};

static void
collect(void *ctx, const char *line, size_t len)
{
	struct packed *p = ctx;

	ck_assert_int_lt(p->n, 16);
	ck_assert_uint_eq(strlen(line), len);
	snprintf(p->lines[p->n], sizeof(p->lines[0]), "%s", line);
	p->lens[p->n++] = len;
}

/* check_line: letters (not signs) in the mode word == parameters after it,
 * and the line is at most max bytes. Returns the number of letters. */
static int
check_line(const char *line, size_t headwords, size_t max)
{
	char copy[600], *w, *save = NULL;
	size_t i = 0;
	int letters = 0, params = 0;

	ck_assert_uint_le(strlen(line), max);
	snprintf(copy, sizeof(copy), "%s", line);
	for (w = strtok_r(copy, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save), i++) {
		if (i < headwords)
			continue;
		if (i == headwords) {
			for (; *w; w++)
				if (*w != '+' && *w != '-')
					letters++;
		} else
			params++;
	}
	return letters * 1000 + params;
}

/* Two 240-byte masks do not fit one line: two lines, each with its own
 * parameter (issue 9 item 6). */
START_TEST(pack_splits_long_args)
{
	struct mode_lines ml = { .n = 0 };
	struct packed p = { .n = 0 };
	char m1[241], m2[241];
	const char *head = ":nick!~user@127.0.0.1 MODE #chan";

	memset(m1, 'a', 240);
	m1[240] = '\0';
	memset(m2, 'b', 240);
	m2[240] = '\0';
	ck_assert(mode_lines_add(&ml, '+', 'b', m1));
	ck_assert(mode_lines_add(&ml, '+', 'b', m2));
	ck_assert(mode_lines_add(&ml, '+', 'm', NULL));
	ck_assert_int_eq(mode_lines_pack(&ml, head, 510, collect, &p), 2);
	ck_assert_int_eq(check_line(p.lines[0], 3, 510), 1001);
	ck_assert_int_eq(check_line(p.lines[1], 3, 510), 2001);
	ck_assert(strstr(p.lines[0], m1) != NULL);
	ck_assert(strstr(p.lines[1], m2) != NULL);
	{
		char want[300];
		snprintf(want, sizeof(want), "%s +bm %s", head, m2);
		ck_assert_str_eq(p.lines[1], want);
	}
}
END_TEST

/* Short changes share one line; directions are kept per line; every line
 * starts with its own sign; at most MODE_LINE_MAX_PARAMS parameters. */
START_TEST(pack_signs_and_params)
{
	struct mode_lines ml = { .n = 0 };
	struct packed p = { .n = 0 };
	char nick[8];
	int i;

	ck_assert(mode_lines_add(&ml, '+', 'o', "a"));
	ck_assert(mode_lines_add(&ml, '-', 'v', "b"));
	ck_assert(mode_lines_add(&ml, '-', 'l', NULL));
	ck_assert_int_eq(mode_lines_pack(&ml, ":s MODE #c", 510, collect, &p), 1);
	ck_assert_str_eq(p.lines[0], ":s MODE #c +o-vl a b");

	ml.n = 0;
	ml.arglen = 0;
	p.n = 0;
	for (i = 0; i < 20; i++) {
		snprintf(nick, sizeof(nick), "n%d", i);
		ck_assert(mode_lines_add(&ml, '-', 'v', nick));
	}
	ck_assert_int_eq(mode_lines_pack(&ml, ":s MODE #c", 510, collect, &p), 2);
	ck_assert_int_eq(check_line(p.lines[0], 3, 510), MODE_LINE_MAX_PARAMS * 1001);
	ck_assert_int_eq(check_line(p.lines[1], 3, 510), (20 - MODE_LINE_MAX_PARAMS) * 1001);
	ck_assert(p.lines[1][strlen(":s MODE #c ")] == '-');
}
END_TEST

/* Exactly at the limit: a line of linemax bytes is allowed, one more is
 * split. */
START_TEST(pack_boundary)
{
	struct mode_lines ml = { .n = 0 };
	struct packed p = { .n = 0 };
	char arg[600];
	const char *head = ":s MODE #c"; /* 10 bytes; " +b " 4 */

	memset(arg, 'x', 496);
	arg[496] = '\0'; /* 10 + 4 + 496 = 510 */
	ck_assert(mode_lines_add(&ml, '+', 'b', arg));
	ck_assert(mode_lines_add(&ml, '+', 'm', NULL)); /* one byte more */
	ck_assert_int_eq(mode_lines_pack(&ml, head, 510, collect, &p), 2);
	ck_assert_uint_eq(p.lens[0], 510);
	ck_assert_str_eq(p.lines[1], ":s MODE #c +m");
	/* a change that cannot fit even alone is skipped, not cut */
	ml.n = 0;
	ml.arglen = 0;
	p.n = 0;
	arg[496] = 'x';
	arg[497] = 'x';
	arg[498] = '\0'; /* 10 + 4 + 498 = 512 */
	ck_assert(mode_lines_add(&ml, '+', 'b', arg));
	ck_assert(mode_lines_add(&ml, '+', 'n', NULL));
	ck_assert_int_eq(mode_lines_pack(&ml, head, 510, collect, &p), 1);
	ck_assert_str_eq(p.lines[0], ":s MODE #c +n");
}
END_TEST

/* The mask bound leaves room for the longest prefix and the 367 reply. */
START_TEST(mask_max)
{
	size_t m = mode_mask_max(63, NICKLEN_MAX, 200);
	/* ":" nick "!" ~user "@" host " MODE " chan " +b " mask */
	size_t line = 1 + NICKLEN_MAX + 1 + (USERLEN + 1) + 1 + HOSTLEN + 6 + 200 + 4 + m;

	ck_assert_uint_le(line, 510);
	ck_assert_uint_le(1 + 63 + 5 + NICKLEN_MAX + 1 + 200 + 1 + m, 510);
	ck_assert_uint_gt(m, 100);
	ck_assert_uint_eq(mode_mask_max(9, 30, 2), 250);
}
END_TEST

static Suite *
mode_suite(void)
{
	Suite *s = suite_create("mode");
	TCase *tc = tcase_create("parse");

	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, kinds);
	tcase_add_test(tc, op_voice_with_args);
	tcase_add_test(tc, default_plus);
	tcase_add_test(tc, missing_arg);
	tcase_add_test(tc, list_queries);
	tcase_add_test(tc, key_rules);
	tcase_add_test(tc, limit_rules);
	tcase_add_test(tc, flags_no_args);
	tcase_add_test(tc, modes_limit);
	tcase_add_test(tc, unknown_letters);
	tcase_add_test(tc, signs_only);
	suite_add_tcase(s, tc);
	tc = tcase_create("tables");
	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, table_derived_strings);
	tcase_add_test(tc, table_rows);
	tcase_add_test(tc, channel_string);
	suite_add_tcase(s, tc);
	tc = tcase_create("lines");
	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, pack_splits_long_args);
	tcase_add_test(tc, pack_signs_and_params);
	tcase_add_test(tc, pack_boundary);
	tcase_add_test(tc, mask_max);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mode_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
