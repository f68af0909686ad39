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
	snprintf(re, sizeof(re), SRV "324 %s %s ", rx_esc(c->name), rx_esc(chan));
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
		ck_assert_msg(strchr(modes, *f) != NULL, "+%c not in 324: %s", *f, modes);
		cl_send(a, "MODE #c -%c", *f);
		snprintf(re, sizeof(re), PFX("alice") "MODE #c -%c$", *f);
		cl_expect(a, re, LIVE_T);
		cl_expect(b, re, LIVE_T);
		mode_string(b, "#c", modes, sizeof(modes));
		ck_assert_msg(strchr(modes, *f) == NULL, "-%c still in 324: %s", *f, modes);
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
	ck_assert_msg(rx_match(modes, "^\\+[a-z]*[kl][a-z]* ") && strstr(modes, "sesame") &&
		strstr(modes, "10"),
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
	ck_assert_msg(strchr(modes, 'k') && strchr(modes, 'l') && strstr(modes, "sesame") &&
		strstr(modes, "42"),
	    "member 324: %s", modes);
	mode_string(o, "#c", modes, sizeof(modes));
	ck_assert_msg(strstr(modes, "sesame") == NULL, "key shown to non-member: %s", modes);
	ck_assert_msg(strstr(modes, "42") == NULL, "limit shown to non-member: %s", modes);
	/* unset */
	cl_send(a, "MODE #c -k sesame");
	cl_expect(a, PFX("alice") "MODE #c -k", LIVE_T);
	cl_send(a, "MODE #c -l");
	cl_expect(a, PFX("alice") "MODE #c -l$", LIVE_T);
	mode_string(a, "#c", modes, sizeof(modes));
	ck_assert_msg(!strchr(modes, 'k') && !strchr(modes, 'l'), "k/l still set: %s", modes);
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
	ck_assert_msg(rx_match(a->last, "[: ]@bob( |$)") && rx_match(a->last, "[: ]@carol( |$)"),
	    "names: %s", a->last);
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
check_list(struct cl *c, const char *letter, const char *item, const char *end, const char *mask)
{
	char re[256];

	cl_send(c, "MODE #c %s", letter);
	snprintf(re, sizeof(re), SRV "%s %s #c %s( |$)", item, rx_esc(c->name), rx_esc(mask));
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
	ck_assert_msg(rx_match(l,
			  " 367 alice #c (one!\\*@\\*|\\*!\\*@two\\."
			  "example)( alice(![^ ]+)? [0-9]+)?$"),
	    "bad 367: %s", l);
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

/* Issue 9 (IPv6 normalisation): a ban whose host is an address or CIDR is
 * matched on the client's address, whatever its spelling: an IPv4-mapped
 * IPv6 address in upper case and a CIDR both keep a client from
 * 127.0.0.1 out; UNBAN-ing them lets it in; another address is not hit. */
START_TEST(t_ban_address_forms)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	const char *bans[] = { "*!*@::FFFF:127.0.0.1", "b*!*@127.0.0.0/8", "*!*@0:0::ffff:7f00:1" };
	size_t i;

	cl_join(a, "#c");
	cl_send(a, "MODE #c +b *!*@10.0.0.0/8"); /* not bob's address */
	cl_expect(a, " MODE #c \\+b ", LIVE_T);
	for (i = 0; i < sizeof(bans) / sizeof(bans[0]); i++) {
		cl_send(a, "MODE #c +b %s", bans[i]);
		cl_expect(a, " MODE #c \\+b ", LIVE_T);
		cl_send(b, "JOIN #c");
		cl_expect(b, SRV "474 bob #c :", LIVE_T);
		cl_send(a, "MODE #c -b %s", bans[i]);
		cl_expect(a, " MODE #c -b ", LIVE_T);
	}
	cl_send(b, "JOIN #c");
	cl_expect(b, PFX("bob") "JOIN :?#c$", LIVE_T);
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
	ck_assert(rx_group(l, " 311 alice bob [^ ]+ ([^ ]+) ", 1, host, sizeof(host)));
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
		rx_match(l, "221 alice :?\\+[a-zA-Z]*w"),
	    "bad 221: %s", l);
	cl_send(a, "MODE alice -i");
	cl_expect(a, "^:alice(![^ ]+)? MODE alice :?-i$", LIVE_T);
	cl_send(a, "MODE alice");
	l = cl_expect(a, SRV "221 alice ", LIVE_T);
	ck_assert_msg(!rx_match(l, "221 alice :?\\+[a-zA-Z]*i"),
	    "i still set: "
	    "%s",
	    l);
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
	ck_assert_msg(!rx_match(l, "221 alice :?\\+[a-zA-Z]*o"), "became oper by MODE: %s", l);
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
	cl_send(a,
	    "MODE #c +bbbbbb m1!*@* m2!*@* m3!*@* m4!*@* m5!*@* "
	    "m6!*@*");
	cl_sync(a);
	cl_send(a, "MODE #c +b");
	cl_expect(a, SRV "368 alice #c ", LIVE_T);
	cl_send(a, "MODE #c +b");
	n = cl_count(a, " 367 alice #c m[0-9]");
	ck_assert_msg(n <= 4,
	    "%d list modes applied from one command "
	    "(MODES=4)",
	    n);
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

/* forget: consume every line received so far (after a PING round trip). */
static void
forget(struct cl *c)
{
	cl_sync(c);
	while (c->npend > 0 && cl_try_expect(c, ".", 0) != NULL)
		;
}

/* Issue 9 item 4: a secret channel shows nothing about itself to a
 * non-member: MODE #sec, MODE #sec b/e/I get 403 (as InspIRCd's
 * CanSeeChan) and no list entry. Members see b; e and I are for channel
 * operators only (Solanum chm_ban: "non-ops cant see +eI lists"). */
START_TEST(t_secret_lists_hidden)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *o = cl_new(s, "outsider");
	const char *q[] = { "b", "e", "I", "+b", "beI", NULL };
	int i;

	cl_join(a, "#sec");
	cl_join(b, "#sec");
	cl_send(a, "MODE #sec +s");
	cl_expect(a, " MODE #sec \\+s$", LIVE_T);
	cl_send(a, "MODE #sec +beI ban!*@* exc!*@* inv!*@*");
	cl_expect(a, " MODE #sec \\+beI ban!\\*@\\* exc!\\*@\\* inv!\\*@\\*$", LIVE_T);
	for (i = 0; q[i] != NULL; i++) {
		cl_send(o, "MODE #sec %s", q[i]);
		cl_expect(o, SRV "403 outsider #sec :", LIVE_T);
	}
	cl_send(o, "MODE #sec");
	cl_expect(o, SRV "403 outsider #sec :", LIVE_T);
	cl_expect_none(o, " (324|367|368|348|349|346|347) ", LIVE_T);
	/* a member (not an operator) sees the bans, not the exceptions */
	cl_send(b, "MODE #sec b");
	cl_expect(b, SRV "367 bob #sec ban!\\*@\\* ", LIVE_T);
	cl_expect(b, SRV "368 bob #sec :", LIVE_T);
	cl_send(b, "MODE #sec e");
	cl_expect(b, SRV "482 bob #sec :", LIVE_T);
	cl_send(b, "MODE #sec I");
	cl_expect(b, SRV "482 bob #sec :", LIVE_T);
	cl_expect_none(b, " (348|346) ", LIVE_T);
	/* the operator sees all three */
	cl_send(a, "MODE #sec eI");
	cl_expect(a, SRV "348 alice #sec exc!\\*@\\* ", LIVE_T);
	cl_expect(a, SRV "349 alice #sec :", LIVE_T);
	cl_expect(a, SRV "346 alice #sec inv!\\*@\\* ", LIVE_T);
	cl_expect(a, SRV "347 alice #sec :", LIVE_T);
	/* once -s, outsiders see the bans again (not e/I) */
	cl_send(a, "MODE #sec -s");
	cl_expect(a, " MODE #sec -s$", LIVE_T);
	cl_send(o, "MODE #sec b");
	cl_expect(o, SRV "367 outsider #sec ban!\\*@\\* ", LIVE_T);
	cl_send(o, "MODE #sec e");
	cl_expect(o, SRV "442 outsider #sec :", LIVE_T);
}
END_TEST

/* Issue 9 item 5: "MODE #c bbbb..." answers the ban list once (Solanum
 * SM_ERR_RPL_B, InspIRCd DisplayListModes sent[]); unknown letters get one
 * 472, not one per letter. */
START_TEST(t_list_query_once)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *o = cl_new(s, "outsider");
	char many[64];
	int i, n367, n368;

	cl_join(a, "#c");
	for (i = 0; i < 5; i++)
		cl_send(a, "MODE #c +b ban%d!*@*", i);
	cl_sync(a);
	memset(many, 'b', 32);
	many[32] = '\0';
	cl_send(o, "MODE #c %s", many);
	cl_expect(o, SRV "368 outsider #c :", LIVE_T);
	cl_sync(o);
	cl_send(o, "MODE #c %s", many);
	n367 = cl_count(o, " 367 outsider #c ban");
	n368 = cl_count(o, " 368 outsider #c ");
	ck_assert_msg(n367 == 5 && n368 == 1, "32 b letters: %d x 367, %d x 368 (want 5, 1)", n367,
	    n368);
	forget(o);
	cl_sync(o);
	/* mixed letters: each list at most once; e/I refused once */
	cl_send(o, "MODE #c bebIeIbeIbeI");
	ck_assert_int_eq(cl_count(o, " 368 outsider #c "), 1);
	ck_assert_int_eq(cl_count(o, " (442|482) outsider #c "), 1);
	ck_assert_int_eq(cl_count(o, " (349|347) "), 0);
	forget(o);
	cl_sync(o);
	memset(many, 'X', 40);
	many[40] = '\0';
	cl_send(a, "MODE #c +%s", many);
	ck_assert_int_eq(cl_count(a, " 472 alice X "), 1);
}
END_TEST

/* check_mode_lines: every queued MODE line for chan carries exactly its
 * letters' parameters; the parameters are appended to got (space
 * separated). Returns the number of MODE lines. (Each line's length is
 * checked by livelib's strict mode: <= 512 bytes.) */
static int
check_mode_lines(struct cl *c, const char *chan, char *got, size_t gotsz)
{
	size_t i, clen = strlen(chan);
	int lines = 0;

	cl_sync(c);
	for (i = 0; i < c->npend; i++) {
		const char *l = c->pend[i], *p = strstr(l, " MODE ");
		int letters = 0, params = 0;

		if (p == NULL || strncmp(p + 6, chan, clen) != 0 || p[6 + clen] != ' ')
			continue;
		ck_assert_msg(strlen(l) + 2 <= 512, "MODE line of %zu bytes", strlen(l) + 2);
		lines++;
		for (p += 6 + clen + 1; *p != ' ' && *p != '\0'; p++)
			if (*p != '+' && *p != '-')
				letters++;
		while (*p == ' ') {
			const char *w = ++p;
			if (*w == ':')
				w++, p++;
			while (*p != ' ' && *p != '\0')
				p++;
			params++;
			snprintf(got + strlen(got), gotsz - strlen(got), "%.*s ", (int)(p - w), w);
		}
		/* b, o, v, k and +l take a parameter; the lines here use b only
		 * with flags m/n/t */
		ck_assert_msg(letters >= params, "more parameters than letters: %s", l);
		ck_assert_msg(strchr(l, 'b') == NULL || params > 0, "b without mask: %s", l);
	}
	forget(c);
	return lines;
}

/* count_b: the number of 'b' letters in the mode words of c's MODE lines
 * was checked by check_mode_lines; here: each mask arrived whole. */
static void
assert_has_word(const char *got, const char *word)
{
	char w[600];

	snprintf(w, sizeof(w), "%s ", word);
	ck_assert_msg(strstr(got, w) != NULL, "parameter %.40s... (%zu bytes) missing or cut", word,
	    strlen(word));
}

/* Issue 9 item 6, as reported: "+bb <240-char mask> <240-char mask>" with
 * short names. The broadcast used to say "+bb <mask1>" (2 letters, 1
 * parameter): now two lines, each with its mask. */
START_TEST(t_mode_split_two_long_masks)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;
	char m1[241], m2[241], got[2048] = "";
	int lines;

	two_in_channel(s, &a, &b);
	memset(m1, 'a', 240);
	memcpy(m1 + 236, "!*@*", 5);
	memset(m2, 'c', 240);
	memcpy(m2 + 236, "!*@*", 5);
	cl_sync(b);
	forget(b);
	cl_send(a, "MODE #c +bb %s %s", m1, m2);
	cl_sync(a);
	lines = check_mode_lines(b, "#c", got, sizeof(got));
	ck_assert_int_eq(lines, 2);
	assert_has_word(got, m1);
	assert_has_word(got, m2);
	/* both stored, both listed whole */
	cl_send(b, "MODE #c b");
	cl_expectf(b, SRV "367 bob #c %s ", rx_esc(m1));
	cl_expectf(b, SRV "367 bob #c %s ", rx_esc(m2));
}
END_TEST

#define LONG_SERVER "irc.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example" /* 63 */
#define LONG_CONF   "[server]\nname = " LONG_SERVER "\n[limits]\nnicklen = 32\nchannellen = 200\n"

/* Issue 9 item 6 with the longest allowed names: a 63-byte server name,
 * 32-byte nicks, a 10-byte user name and a 200-byte channel name. Every
 * MODE line, 324 and 367 stays within 512 bytes with every parameter
 * whole; a mask longer than fits is refused (696) instead of cut. */
START_TEST(t_mode_lines_longest_names)
{
	struct srv *s = srv_start(LONG_CONF);
	struct cl *a = cl_connect(s->port), *b = cl_connect(s->port);
	char an[33], bn[33], chan[201], m1[200], m2[200], big[200], got[4096] = "";
	const char *l;
	int lines;
	size_t mlen;

	memset(an, 'a', 32);
	an[32] = '\0';
	memset(bn, 'b', 32);
	bn[32] = '\0';
	chan[0] = '#';
	memset(chan + 1, 'c', 199);
	chan[200] = '\0';
	snprintf(a->name, sizeof(a->name), "%s", an);
	snprintf(b->name, sizeof(b->name), "%s", bn);
	cl_register_full(a, an, "uuuuuuuuuu", "A");
	cl_register_full(b, bn, "vvvvvvvvvv", "B");
	cl_join(a, chan);
	cl_join(b, chan);
	cl_sync(b);
	forget(b);

	/* two masks that fit the client's 512-byte line together but not
	 * the broadcast: "MODE <200> +bb m1 m2" */
	mlen = (510 - strlen("MODE  +bbmnt  ") - 200) / 2;
	memset(m1, 'x', mlen);
	memcpy(m1 + mlen - 4, "!*@*", 5);
	memset(m2, 'y', mlen);
	memcpy(m2 + mlen - 4, "!*@*", 5);
	cl_send(a, "MODE %s +bbmnt %s %s", chan, m1, m2);
	cl_sync(a);
	lines = check_mode_lines(b, chan, got, sizeof(got));
	ck_assert_int_ge(lines, 2);
	assert_has_word(got, m1);
	assert_has_word(got, m2);

	/* the longest mask accepted for this channel fits a MODE line and a
	 * 367 to a 32-byte nick; one byte more is refused */
	memset(big, 'z', 190);
	memcpy(big + 186, "!*@*", 5);
	got[0] = '\0';
	cl_send(a, "MODE %s +b %s", chan, big);
	cl_sync(a);
	ck_assert_int_eq(check_mode_lines(b, chan, got, sizeof(got)), 1);
	assert_has_word(got, big);
	memset(big, 'w', 191);
	memcpy(big + 187, "!*@*", 5);
	cl_send(a, "MODE %s +b %s", chan, big);
	cl_expect(a, " 696 ", LIVE_T);
	cl_sync(b);
	ck_assert_int_eq(cl_count(b, " MODE "), 0);

	/* lists: each entry whole (the setter is dropped when it would not
	 * fit), the end numeric present */
	cl_send(b, "MODE %s b", chan);
	l = cl_expectf(b, " 367 %s %s %s( |$)", bn, chan, rx_esc(m1));
	ck_assert_uint_le(strlen(l) + 2, 512);
	cl_expectf(b, " 367 %s %s %s( |$)", bn, chan, rx_esc(m2));
	memset(big, 'z', 190);
	memcpy(big + 186, "!*@*", 5);
	cl_expectf(b, " 367 %s %s %s( |$)", bn, chan, rx_esc(big));
	cl_expectf(b, " 368 %s %s :", bn, chan);

	/* a bad limit is echoed short enough for the reply to stay whole */
	{
		char bad[300];
		size_t k;
		for (k = 0; k + 2 < sizeof(bad) - 1; k += 2)
			memcpy(bad + k, "\xc3\xa9", 2); /* é */
		bad[k] = '\0';
		cl_send(a, "MODE %s +l %s", chan, bad);
		l = cl_expectf(a, " 696 %s %s l [^ ]+ :Invalid limit$", an, chan);
		ck_assert_uint_le(strlen(l) + 2, 512);
	}

	/* 324 with key and limit */
	cl_send(a, "MODE %s +kl 23charkeyxxxxxxxxxxxxxx 1000000", chan);
	cl_sync(a);
	cl_send(b, "MODE %s", chan);
	l = cl_expectf(b, " 324 %s %s \\+[a-z]+ 23charkeyxxxxxxxxxxxxxx :?1000000$", bn, chan);
	ck_assert_uint_le(strlen(l) + 2, 512);
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
	tcase_add_test(tc, t_ban_address_forms);
	tcase_add_test(tc, t_ban_host);
	tcase_add_test(tc, t_umode);
	tcase_add_test(tc, t_umode_errors);
	tcase_add_test(tc, t_umode_o_not_settable);
	tcase_add_test(tc, t_banlist_full);
	tcase_add_test(tc, t_modes_per_command);
	tcase_add_test(tc, t_mode_limit_bad_arg);
	tcase_add_test(tc, t_key_with_space);
	tcase_add_test(tc, t_secret_lists_hidden);
	tcase_add_test(tc, t_list_query_once);
	tcase_add_test(tc, t_mode_split_two_long_masks);
	tcase_add_test(tc, t_mode_lines_longest_names);
	suite_add_tcase(s, tc);
	return live_run(s);
}
