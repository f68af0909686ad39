/*
 * live_mode: channel modes i t k o l n m s p v b e I, lists 367/368,
 * 348/349, 346/347, 324/329, mode errors, user modes i w o and 221/501/502.
 * References: RFC 2811 §4, RFC 2812 §3.1.5 and §3.2.3, Modern IRC "MODE"
 * and "Channel Modes".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livelib.h"

static const char *conf_plain = "";

/* alice creates #c (op); bob joins. */
static void
two_in_channel(struct srv *s, struct cl **a, struct cl **b)
{
	*a = cl_new(s, "alice");
	*b = cl_new(s, "bob");
	cl_join(*a, "#c");
	cl_join(*b, "#c");
	cl_expect(*a, PFX("bob") "JOIN :?#c$", LIVE_T);
}

static void
mode_string(struct cl *c, const char *chan, char *out, size_t sz)
{
	char re[256];
	const char *l;

	cl_send(c, "MODE %s", chan);
	snprintf(re, sizeof(re), SRV "324 %s %s ", rx_esc(c->name),
	    rx_esc(chan));
	l = cl_expect(c, re, LIVE_T);
	snprintf(re, sizeof(re), " 324 [^ ]+ [^ ]+ :?(.*)$");
	rx_group(l, re, 1, out, sz);
}

START_TEST(t_mode_query)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	const char *l;
	char ts[32];

	cl_join(a, "#c");
	cl_send(a, "MODE #c");
	cl_expect(a, SRV "324 alice #c :?\\+[a-zA-Z]*", LIVE_T);
	l = cl_expect(a, SRV "329 alice #c :?[0-9]+$", LIVE_T);
	rx_group(l, " ([0-9]+)$", 1, ts, sizeof(ts));
	ck_assert_msg(strlen(ts) >= 10, "329 is not a unix time: %s", l);
	cl_send(a, "MODE #nosuch");
	cl_expect(a, SRV "403 alice #nosuch :", LIVE_T);
}
END_TEST

/* Every simple flag can be set and unset; members see the change. */
START_TEST(t_mode_flags)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;
	const char *f;
	char re[128], modes[128];

	two_in_channel(s, &a, &b);
	for (f = "imnpst"; *f; f++) {
		cl_send(a, "MODE #c -%c", *f);
		cl_sync(a);
		cl_sync(b);
		cl_send(a, "MODE #c +%c", *f);
		snprintf(re, sizeof(re), PFX("alice") "MODE #c \\+%c$", *f);
		cl_expect(a, re, LIVE_T);
		cl_expect(b, re, LIVE_T);
		mode_string(b, "#c", modes, sizeof(modes));
		ck_assert_msg(strchr(modes, *f) != NULL, "+%c not in 324: %s",
		    *f, modes);
		cl_send(a, "MODE #c -%c", *f);
		snprintf(re, sizeof(re), PFX("alice") "MODE #c -%c$", *f);
		cl_expect(a, re, LIVE_T);
		cl_expect(b, re, LIVE_T);
		mode_string(b, "#c", modes, sizeof(modes));
		ck_assert_msg(strchr(modes, *f) == NULL, "-%c still in 324: %s",
		    *f, modes);
	}
}
END_TEST

/* Several flags in one command. */
START_TEST(t_mode_multi)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;
	char modes[128];
	const char *f;

	two_in_channel(s, &a, &b);
	cl_send(a, "MODE #c -imnst");
	cl_sync(a);
	cl_send(a, "MODE #c +imnt");
	cl_expect(b, PFX("alice") "MODE #c \\+[imnt]{4}$", LIVE_T);
	mode_string(b, "#c", modes, sizeof(modes));
	for (f = "imnt"; *f; f++)
		ck_assert_msg(strchr(modes, *f), "%c missing: %s", *f, modes);
	cl_send(a, "MODE #c +lk 10 sesame");
	cl_expect(b, PFX("alice") "MODE #c \\+lk 10 sesame$", LIVE_T);
	mode_string(b, "#c", modes, sizeof(modes));
	ck_assert_msg(rx_match(modes, "^\\+[a-z]*[kl][a-z]* ") &&
	    strstr(modes, "sesame") && strstr(modes, "10"),
	    "key/limit not shown to member: %s", modes);
}
END_TEST

/* Key and limit are shown to members only. */
START_TEST(t_mode_key_limit_visibility)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *o = cl_new(s, "outsider");
	char modes[128];

	cl_join(a, "#c");
	cl_send(a, "MODE #c +k sesame");
	cl_expect(a, PFX("alice") "MODE #c \\+k sesame$", LIVE_T);
	cl_send(a, "MODE #c +l 42");
	cl_expect(a, PFX("alice") "MODE #c \\+l 42$", LIVE_T);
	mode_string(a, "#c", modes, sizeof(modes));
	ck_assert_msg(strchr(modes, 'k') && strchr(modes, 'l') &&
	    strstr(modes, "sesame") && strstr(modes, "42"),
	    "member 324: %s", modes);
	mode_string(o, "#c", modes, sizeof(modes));
	ck_assert_msg(strstr(modes, "sesame") == NULL,
	    "key shown to non-member: %s", modes);
	ck_assert_msg(strstr(modes, "42") == NULL,
	    "limit shown to non-member: %s", modes);
	/* unset */
	cl_send(a, "MODE #c -k sesame");
	cl_expect(a, PFX("alice") "MODE #c -k", LIVE_T);
	cl_send(a, "MODE #c -l");
	cl_expect(a, PFX("alice") "MODE #c -l$", LIVE_T);
	mode_string(a, "#c", modes, sizeof(modes));
	ck_assert_msg(!strchr(modes, 'k') && !strchr(modes, 'l'),
	    "k/l still set: %s", modes);
}
END_TEST

/* 467 ERR_KEYSET, or the key is replaced; either way the channel's key is
 * consistent with what was reported. */
START_TEST(t_mode_key_already_set)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	const char *l;

	cl_join(a, "#c");
	cl_send(a, "MODE #c +k first");
	cl_expect(a, PFX("alice") "MODE #c \\+k first$", LIVE_T);
	cl_send(a, "MODE #c +k second");
	l = cl_expect(a, "( 467 alice #c | MODE #c \\+k second$)", LIVE_T);
	cl_send(b, "JOIN #c %s", rx_match(l, " 467 ") ? "first" : "second");
	cl_expect(b, PFX("bob") "JOIN :?#c$", LIVE_T);
}
END_TEST

START_TEST(t_mode_op_voice)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;
	struct cl *c;

	two_in_channel(s, &a, &b);
	c = cl_new(s, "carol");
	cl_join(c, "#c");
	/* bob is not op yet */
	cl_send(b, "MODE #c +i");
	cl_expect(b, SRV "482 bob #c :", LIVE_T);
	cl_send(a, "MODE #c +o bob");
	cl_expect(b, PFX("alice") "MODE #c \\+o bob$", LIVE_T);
	cl_expect(c, PFX("alice") "MODE #c \\+o bob$", LIVE_T);
	cl_send(c, "NAMES #c");
	cl_expect(c, SRV "353 carol = #c :.*@bob", LIVE_T);
	/* now bob can change modes */
	cl_send(b, "MODE #c +v carol");
	cl_expect(c, PFX("bob") "MODE #c \\+v carol$", LIVE_T);
	cl_send(c, "NAMES #c");
	cl_expect(c, SRV "353 carol = #c :.*\\+carol", LIVE_T);
	cl_send(b, "MODE #c -o bob");
	cl_expect(a, PFX("bob") "MODE #c -o bob$", LIVE_T);
	cl_send(b, "MODE #c +i");
	cl_expect(b, SRV "482 bob #c :", LIVE_T);
	/* two nicks in one command */
	cl_send(a, "MODE #c +oo bob carol");
	cl_expect(c, PFX("alice") "MODE #c \\+oo bob carol$", LIVE_T);
	cl_send(a, "NAMES #c");
	cl_expect(a, SRV "353 alice = #c :", LIVE_T);
	ck_assert_msg(rx_match(a->last, "[: ]@bob( |$)") &&
	    rx_match(a->last, "[: ]@carol( |$)"), "names: %s", a->last);
}
END_TEST

START_TEST(t_mode_errors)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;
	struct cl *c;

	two_in_channel(s, &a, &b);
	c = cl_new(s, "carol");
	cl_send(b, "MODE #c +m");
	cl_expect(b, SRV "482 bob #c :", LIVE_T);
	cl_send(a, "MODE #c +o carol");
	cl_expect(a, SRV "441 alice carol #c :", LIVE_T);
	cl_send(a, "MODE #c +o nobody");
	cl_expect(a, SRV "401 alice nobody :", LIVE_T);
	cl_send(a, "MODE #c +Z");
	cl_expect(a, SRV "472 alice Z :", LIVE_T);
	cl_send(a, "MODE");
	cl_expect(a, SRV "461 alice MODE :", LIVE_T);
	cl_sync(a);
	cl_expect_none(b, " MODE ", LIVE_T);
	(void)c;
}
END_TEST

/* A non-member cannot change modes either. */
START_TEST(t_mode_non_member)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *o = cl_new(s, "outsider");

	cl_join(a, "#c");
	cl_send(o, "MODE #c +i");
	cl_expect(o, SRV "(482|442) outsider #c :", LIVE_T);
	cl_sync(o);
	cl_expect_none(a, " MODE ", LIVE_T);
}
END_TEST

static void
check_list(struct cl *c, const char *letter, const char *item,
    const char *end, const char *mask)
{
	char re[256];

	cl_send(c, "MODE #c %s", letter);
	snprintf(re, sizeof(re), SRV "%s %s #c %s( |$)", item,
	    rx_esc(c->name), rx_esc(mask));
	cl_expect(c, re, LIVE_T);
	snprintf(re, sizeof(re), SRV "%s %s #c :", end, rx_esc(c->name));
	cl_expect(c, re, LIVE_T);
}

START_TEST(t_ban_list)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;
	const char *l;

	two_in_channel(s, &a, &b);
	cl_send(a, "MODE #c +b one!*@*");
	cl_expect(b, PFX("alice") "MODE #c \\+b one!\\*@\\*$", LIVE_T);
	cl_send(a, "MODE #c +b *!*@two.example");
	cl_expect(b, PFX("alice") "MODE #c \\+b \\*!\\*@two\\.example$", LIVE_T);
	cl_send(a, "MODE #c +b");
	l = cl_expect(a, SRV "367 alice #c ", LIVE_T);
	ck_assert_msg(rx_match(l, " 367 alice #c (one!\\*@\\*|\\*!\\*@two\\."
	    "example)( alice(![^ ]+)? [0-9]+)?$"), "bad 367: %s", l);
	cl_expect(a, SRV "367 alice #c ", LIVE_T);
	cl_expect(a, SRV "368 alice #c :", LIVE_T);
	/* any member may read the list */
	check_list(b, "b", "367", "368", "one!*@*");
	/* removal */
	cl_send(a, "MODE #c -b one!*@*");
	cl_expect(b, PFX("alice") "MODE #c -b one!\\*@\\*$", LIVE_T);
	cl_send(b, "MODE #c b");
	cl_expect(b, SRV "367 bob #c \\*!\\*@two\\.example", LIVE_T);
	cl_expect(b, SRV "368 bob #c :", LIVE_T);
	cl_send(b, "MODE #c b");
	cl_expect_none(b, "one!", LIVE_T);
	/* a non-op cannot add */
	cl_send(b, "MODE #c +b three!*@*");
	cl_expect(b, SRV "482 bob #c :", LIVE_T);
}
END_TEST

START_TEST(t_except_list)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;

	two_in_channel(s, &a, &b);
	cl_send(a, "MODE #c +e friend!*@*");
	cl_expect(b, PFX("alice") "MODE #c \\+e friend!\\*@\\*$", LIVE_T);
	check_list(a, "e", "348", "349", "friend!*@*");
	cl_send(a, "MODE #c -e friend!*@*");
	cl_expect(b, PFX("alice") "MODE #c -e friend!\\*@\\*$", LIVE_T);
	cl_send(a, "MODE #c e");
	cl_expect_none(a, " 348 alice #c friend", LIVE_T);
	cl_expect(a, SRV "349 alice #c :", LIVE_T);
}
END_TEST

START_TEST(t_invex_list)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +i");
	cl_expect(a, " MODE #c \\+i$", LIVE_T);
	cl_send(a, "MODE #c +I b*!*@*");
	cl_expect(a, PFX("alice") "MODE #c \\+I b\\*!\\*@\\*$", LIVE_T);
	check_list(a, "I", "346", "347", "b*!*@*");
	/* +I lets matching users into a +i channel without INVITE */
	cl_send(b, "JOIN #c");
	cl_expect(b, PFX("bob") "JOIN :?#c$", LIVE_T);
	cl_send(c, "JOIN #c");
	cl_expect(c, SRV "473 carol #c :", LIVE_T);
}
END_TEST

/* Wildcard masks; an exception overrides a ban for JOIN too. */
START_TEST(t_ban_wildcards_and_exceptions)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");
	struct cl *d = cl_new(s, "dave");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +b *!*@*");
	cl_expect(a, " MODE #c \\+b ", LIVE_T);
	cl_send(a, "MODE #c +e b?b!*@*");
	cl_expect(a, " MODE #c \\+e ", LIVE_T);
	cl_send(a, "MODE #c +e *!*carol@*");
	cl_expect(a, " MODE #c \\+e ", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, PFX("bob") "JOIN :?#c$", LIVE_T);
	cl_send(c, "JOIN #c");
	cl_expect(c, PFX("carol") "JOIN :?#c$", LIVE_T);
	cl_send(d, "JOIN #c");
	cl_expect(d, SRV "474 dave #c :", LIVE_T);
}
END_TEST

/* Ban masks compare case-insensitively (rfc1459). */
START_TEST(t_ban_casemap)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "{bob}");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +b [BOB]!*@*");
	cl_expect(a, " MODE #c \\+b ", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "474 \\{bob\\} #c :", LIVE_T);
}
END_TEST

/* Regression (issue 9 item 13): '\' in a mask is an ordinary character
 * unless it escapes '*' or '?' (RFC 2812 §2.5), so the ban a\b!*@* keeps
 * the user a\b out (it matched nobody when '\' escaped the 'b'); a
 * different nick is not caught by it. */
START_TEST(t_ban_backslash)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "a\\b");
	struct cl *c = cl_new(s, "axb");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +b a\\b!*@*");
	cl_expect(a, " MODE #c \\+b a\\\\b!\\*@\\*$", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "474 a\\\\b #c :", LIVE_T);
	cl_send(c, "JOIN #c");
	cl_expect(c, PFX("axb") "JOIN :?#c$", LIVE_T);
}
END_TEST

/* A ban on the user@host part matches whatever the nick. */
START_TEST(t_ban_host)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	char host[128], re[300];
	const char *l;

	cl_join(a, "#c");
	cl_send(a, "WHOIS bob");
	l = cl_expect(a, SRV "311 alice bob ", LIVE_T);
	ck_assert(rx_group(l, " 311 alice bob [^ ]+ ([^ ]+) ", 1, host,
	    sizeof(host)));
	cl_send(a, "MODE #c +b *!*@%s", host);
	snprintf(re, sizeof(re), " MODE #c \\+b \\*!\\*@%s$", rx_esc(host));
	cl_expect(a, re, LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "474 bob #c :", LIVE_T);
	cl_send(b, "NICK robert");
	cl_expect(b, " NICK :?robert$", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "474 robert #c :", LIVE_T);
}
END_TEST

START_TEST(t_umode)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	const char *l;

	cl_send(a, "MODE alice -iw");
	cl_sync(a);
	cl_send(a, "MODE alice +i");
	cl_expect(a, "^:alice(![^ ]+)? MODE alice :?\\+i$", LIVE_T);
	cl_send(a, "MODE alice +w");
	cl_expect(a, "^:alice(![^ ]+)? MODE alice :?\\+w$", LIVE_T);
	cl_send(a, "MODE alice");
	l = cl_expect(a, SRV "221 alice :?\\+", LIVE_T);
	ck_assert_msg(rx_match(l, "221 alice :?\\+[a-zA-Z]*i") &&
	    rx_match(l, "221 alice :?\\+[a-zA-Z]*w"), "bad 221: %s", l);
	cl_send(a, "MODE alice -i");
	cl_expect(a, "^:alice(![^ ]+)? MODE alice :?-i$", LIVE_T);
	cl_send(a, "MODE alice");
	l = cl_expect(a, SRV "221 alice ", LIVE_T);
	ck_assert_msg(!rx_match(l, "221 alice :?\\+[a-zA-Z]*i"), "i still set: "
	    "%s", l);
	/* user mode target is case-insensitive */
	cl_send(a, "MODE ALICE +i");
	cl_expect(a, "^:alice(![^ ]+)? MODE alice :?\\+i$", LIVE_T);
}
END_TEST

START_TEST(t_umode_errors)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(a, "MODE alice +Z");
	cl_expect(a, SRV "501 alice :", LIVE_T);
	cl_send(a, "MODE bob +i");
	cl_expect(a, SRV "502 alice :", LIVE_T);
	cl_send(a, "MODE bob");
	cl_expect(a, SRV "502 alice :", LIVE_T);
	cl_send(a, "MODE nobody +i");
	cl_expect(a, SRV "(401|502) alice ", LIVE_T);
	cl_sync(a);
	cl_expect_none(b, " MODE ", LIVE_T);
}
END_TEST

/* +o cannot be obtained with MODE (only OPER); it is ignored. */
START_TEST(t_umode_o_not_settable)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	const char *l;

	cl_send(a, "MODE alice +o");
	cl_expect_none(a, " MODE alice :?\\+o", LIVE_T);
	cl_send(a, "MODE alice");
	l = cl_expect(a, SRV "221 alice", LIVE_T);
	ck_assert_msg(!rx_match(l, "221 alice :?\\+[a-zA-Z]*o"),
	    "became oper by MODE: %s", l);
	cl_send(b, "WHOIS alice");
	cl_expect_none(b, " 313 ", LIVE_T);
	cl_expect(b, SRV "318 bob alice :", LIVE_T);
	/* and cannot kill */
	cl_send(a, "KILL bob :test");
	cl_expect(a, SRV "481 alice :", LIVE_T);
}
END_TEST

/* MAXLIST=beI:N in 005: adding beyond the limit gives 478. */
START_TEST(t_banlist_full)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *c = cl_connect(s->port);
	const char *l;
	char num[16];
	int i, max = 0;

	cl_send(c, "NICK alice2");
	cl_send(c, "USER a 0 * :A");
	for (;;) {
		l = cl_expect(c, SRV "(005|376|422) ", LIVE_T);
		if (rx_group(l, " MAXLIST=[^ :]*:([0-9]+)", 1, num, sizeof(num)))
			max = atoi(num);
		if (!rx_match(l, " 005 "))
			break;
	}
	ck_assert_msg(max > 0 && max <= 1000, "no usable MAXLIST in 005");
	cl_join(a, "#c");
	for (i = 0; i < max; i++)
		cl_send(a, "MODE #c +b ban%d!*@*", i);
	cl_sync(a);
	cl_send(a, "MODE #c +b onemore!*@*");
	cl_expect(a, SRV "478 alice #c ", LIVE_T);
	cl_send(a, "MODE #c +e except!*@*");
	cl_expect(a, SRV "478 alice #c ", LIVE_T);
}
END_TEST

/* MODES=4 in 005: at most 4 parameter modes are applied per command. */
START_TEST(t_modes_per_command)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	int n;

	cl_join(a, "#c");
	cl_send(a, "MODE #c +bbbbbb m1!*@* m2!*@* m3!*@* m4!*@* m5!*@* "
	    "m6!*@*");
	cl_sync(a);
	cl_send(a, "MODE #c +b");
	cl_expect(a, SRV "368 alice #c ", LIVE_T);
	cl_send(a, "MODE #c +b");
	n = cl_count(a, " 367 alice #c m[0-9]");
	ck_assert_msg(n <= 4, "%d list modes applied from one command "
	    "(MODES=4)", n);
}
END_TEST

/* A bad +l argument does not set a bogus limit. */
START_TEST(t_mode_limit_bad_arg)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +l abc");
	cl_send(a, "MODE #c +l -5");
	cl_sync(a);
	cl_join(b, "#c");
}
END_TEST

/* A key with a space is not well-formed (RFC 2812 "key" grammar): it is
 * refused, and joining without a key still works. */
START_TEST(t_key_with_space)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +k :sp ace");
	cl_expect_none(a, " MODE #c \\+k sp", LIVE_T);
	cl_join(b, "#c");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_mode");
	TCase *tc = live_tcase("mode", 30);

	tcase_add_test(tc, t_mode_query);
	tcase_add_test(tc, t_mode_flags);
	tcase_add_test(tc, t_mode_multi);
	tcase_add_test(tc, t_mode_key_limit_visibility);
	tcase_add_test(tc, t_mode_key_already_set);
	tcase_add_test(tc, t_mode_op_voice);
	tcase_add_test(tc, t_mode_errors);
	tcase_add_test(tc, t_mode_non_member);
	tcase_add_test(tc, t_ban_list);
	tcase_add_test(tc, t_except_list);
	tcase_add_test(tc, t_invex_list);
	tcase_add_test(tc, t_ban_wildcards_and_exceptions);
	tcase_add_test(tc, t_ban_casemap);
	tcase_add_test(tc, t_ban_backslash);
	tcase_add_test(tc, t_ban_host);
	tcase_add_test(tc, t_umode);
	tcase_add_test(tc, t_umode_errors);
	tcase_add_test(tc, t_umode_o_not_settable);
	tcase_add_test(tc, t_banlist_full);
	tcase_add_test(tc, t_modes_per_command);
	tcase_add_test(tc, t_mode_limit_bad_arg);
	tcase_add_test(tc, t_key_with_space);
	suite_add_tcase(s, tc);
	return live_run(s);
}
