/* test_mode.c - mode_parse and mode_channel_kind. Expectations from RFC 2811
 * §4, Modern IRC "MODE message" and the ISUPPORT CHANMODES=beI,k,l,imnpst,
 * PREFIX=(ov)@+ and MODES=4 the server advertises. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

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
	ck_assert_msg(mc->dir == dir && mc->mode == mode, "change %c%c, want %c%c", mc->dir, mc->mode,
	    dir, mode);
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
	const char *a = "beI", *b = "kov", *c = "l", *d = "imnpst", *p;

	for (p = a; *p; p++)
		ck_assert_int_eq(mode_channel_kind(*p), MODE_LIST);
	for (p = b; *p; p++)
		ck_assert_int_eq(mode_channel_kind(*p), MODE_ALWAYS);
	for (p = c; *p; p++)
		ck_assert_int_eq(mode_channel_kind(*p), MODE_SET);
	for (p = d; *p; p++)
		ck_assert_int_eq(mode_channel_kind(*p), MODE_NEVER);
	for (p = "xyzBKLOE+-1 "; *p; p++)
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
