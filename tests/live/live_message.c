/*
 * live_message: PRIVMSG and NOTICE to users, channels, several targets and
 * STATUSMSG; 401 404 411 412; AWAY (301 305 306); NOTICE never triggers an
 * automatic reply.
 * References: RFC 2812 §3.3, Modern IRC "PRIVMSG"/"NOTICE"/"AWAY".
 */
#include <stdio.h>
#include <string.h>

#include "livelib.h"

static const char *conf_plain = "";

START_TEST(t_privmsg_user)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(a, "PRIVMSG bob :hello there: with  colons");
	cl_expect(b, PFX("alice") "PRIVMSG bob :hello there: with  colons$", LIVE_T);
	/* a single-word text without ':' */
	cl_send(a, "PRIVMSG bob word");
	cl_expect(b, PFX("alice") "PRIVMSG bob :?word$", LIVE_T);
	/* target nick is case-insensitive */
	cl_send(a, "PRIVMSG BOB :upper");
	cl_expect(b, PFX("alice") "PRIVMSG (bob|BOB) :upper$", LIVE_T);
	/* UTF-8 text is relayed byte for byte */
	cl_send(a, "PRIVMSG bob :h\xc3\xa9llo \xe2\x82\xac");
	cl_expect(b, PFX("alice") "PRIVMSG bob :h\xc3\xa9llo \xe2\x82\xac$", LIVE_T);
	cl_sync(a);
	cl_expect_none(a, " PRIVMSG ", LIVE_T);
}
END_TEST

START_TEST(t_privmsg_self)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");

	cl_send(a, "PRIVMSG alice :note to self");
	cl_expect(a, PFX("alice") "PRIVMSG alice :note to self$", LIVE_T);
}
END_TEST

/* Channel messages reach every other member, not the sender. */
START_TEST(t_privmsg_channel)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");
	struct cl *o = cl_new(s, "outsider");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_join(c, "#c");
	cl_send(a, "PRIVMSG #c :hi all");
	cl_expect(b, PFX("alice") "PRIVMSG #c :hi all$", LIVE_T);
	cl_expect(c, PFX("alice") "PRIVMSG #c :hi all$", LIVE_T);
	cl_sync(a);
	cl_expect_none(a, "hi all", LIVE_T);
	cl_expect_none(o, "hi all", LIVE_T);
}
END_TEST

/* PRIVMSG a,#c :x delivers to each target. */
START_TEST(t_privmsg_multi_target)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");
	struct cl *d = cl_new(s, "dave");

	cl_join(c, "#c");
	cl_join(a, "#c");
	cl_send(a, "PRIVMSG bob,#c,dave :to many");
	cl_expect(b, PFX("alice") "PRIVMSG bob :to many$", LIVE_T);
	cl_expect(c, PFX("alice") "PRIVMSG #c :to many$", LIVE_T);
	cl_expect(d, PFX("alice") "PRIVMSG dave :to many$", LIVE_T);
	/* one bad target does not stop the others */
	cl_send(a, "PRIVMSG nobody,bob :second");
	cl_expect(a, SRV "401 alice nobody :", LIVE_T);
	cl_expect(b, PFX("alice") "PRIVMSG bob :second$", LIVE_T);
	cl_sync(a);
	cl_expect_none(b, "to many", LIVE_T);
}
END_TEST

START_TEST(t_privmsg_errors)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(a, "PRIVMSG nobody :x");
	cl_expect(a, SRV "401 alice nobody :", LIVE_T);
	cl_send(a, "PRIVMSG #nosuch :x");
	cl_expect(a, SRV "(401|403) alice #nosuch :", LIVE_T);
	cl_send(a, "PRIVMSG");
	cl_expect(a, SRV "411 alice :", LIVE_T);
	cl_send(a, "PRIVMSG bob");
	cl_expect(a, SRV "412 alice :", LIVE_T);
	cl_send(a, "PRIVMSG bob :");
	cl_expect(a, SRV "412 alice :", LIVE_T);
	cl_sync(a);
	cl_expect_none(b, " PRIVMSG ", LIVE_T);
}
END_TEST

/* +n: non-members get 404 and nothing is delivered. */
START_TEST(t_no_external)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *o = cl_new(s, "outsider");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +n");
	cl_sync(a);
	cl_send(o, "PRIVMSG #c :from outside");
	cl_expect(o, SRV "404 outsider #c :", LIVE_T);
	cl_sync(o);
	cl_expect_none(a, "from outside", LIVE_T);
	cl_send(a, "MODE #c -n");
	cl_expect(a, PFX("alice") "MODE #c -n$", LIVE_T);
	cl_send(o, "PRIVMSG #c :now allowed");
	cl_expect(a, PFX("outsider") "PRIVMSG #c :now allowed$", LIVE_T);
	cl_expect_none(o, " 404 ", LIVE_T);
}
END_TEST

/* +m: only voiced members and operators may speak. */
START_TEST(t_moderated)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(a, "MODE #c +m");
	cl_expect(b, PFX("alice") "MODE #c \\+m$", LIVE_T);
	cl_send(b, "PRIVMSG #c :muted");
	cl_expect(b, SRV "404 bob #c :", LIVE_T);
	cl_sync(b);
	cl_expect_none(a, "muted", LIVE_T);
	cl_send(a, "PRIVMSG #c :op speaks");
	cl_expect(b, PFX("alice") "PRIVMSG #c :op speaks$", LIVE_T);
	cl_send(a, "MODE #c +v bob");
	cl_expect(b, PFX("alice") "MODE #c \\+v bob$", LIVE_T);
	cl_send(b, "PRIVMSG #c :voiced");
	cl_expect(a, PFX("bob") "PRIVMSG #c :voiced$", LIVE_T);
	cl_send(a, "MODE #c -v bob");
	cl_expect(b, PFX("alice") "MODE #c -v bob$", LIVE_T);
	cl_send(b, "PRIVMSG #c :muted again");
	cl_expect(b, SRV "404 bob #c :", LIVE_T);
}
END_TEST

/* A banned member cannot speak; an exception (+e) overrides the ban. */
START_TEST(t_banned_member)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(a, "MODE #c +b b?b!*@*");
	cl_expect(b, PFX("alice") "MODE #c \\+b b\\?b!\\*@\\*$", LIVE_T);
	cl_send(b, "PRIVMSG #c :banned talk");
	cl_expect(b, SRV "404 bob #c :", LIVE_T);
	cl_sync(b);
	cl_expect_none(a, "banned talk", LIVE_T);
	cl_send(a, "MODE #c +e bob!*@*");
	cl_expect(b, PFX("alice") "MODE #c \\+e bob!\\*@\\*$", LIVE_T);
	cl_send(b, "PRIVMSG #c :excepted talk");
	cl_expect(a, PFX("bob") "PRIVMSG #c :excepted talk$", LIVE_T);
}
END_TEST

/* STATUSMSG: PRIVMSG @#chan reaches only channel operators. */
START_TEST(t_statusmsg)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *d = cl_new(s, "dave");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_join(d, "#c");
	cl_send(a, "MODE #c +o dave");
	cl_expect(d, PFX("alice") "MODE #c \\+o dave$", LIVE_T);
	cl_send(a, "PRIVMSG @#c :ops only");
	cl_expect(d, PFX("alice") "PRIVMSG @#c :ops only$", LIVE_T);
	cl_send(a, "NOTICE @#c :ops notice");
	cl_expect(d, PFX("alice") "NOTICE @#c :ops notice$", LIVE_T);
	cl_sync(a);
	cl_expect_none(b, "ops (only|notice)", LIVE_T);
	cl_expect_none(a, "ops (only|notice)", LIVE_T);
}
END_TEST

START_TEST(t_away)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(b, "AWAY :gone fishing");
	cl_expect(b, SRV "306 bob :", LIVE_T);
	cl_send(a, "PRIVMSG bob :are you there");
	cl_expect(a, SRV "301 alice bob :gone fishing$", LIVE_T);
	cl_expect(b, PFX("alice") "PRIVMSG bob :are you there$", LIVE_T);
	cl_send(b, "AWAY");
	cl_expect(b, SRV "305 bob :", LIVE_T);
	cl_send(a, "PRIVMSG bob :back?");
	cl_expect(b, PFX("alice") "PRIVMSG bob :back\\?$", LIVE_T);
	cl_expect_none(a, " 301 ", LIVE_T);
}
END_TEST

/* Away messages are cut at AWAYLEN (200). */
START_TEST(t_away_len)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	char msg[301], got[400];
	const char *l;

	memset(msg, 'A', 300);
	msg[300] = '\0';
	cl_send(b, "AWAY :%s", msg);
	cl_expect(b, SRV "306 bob :", LIVE_T);
	cl_send(a, "PRIVMSG bob :x");
	l = cl_expect(a, SRV "301 alice bob :", LIVE_T);
	rx_group(l, " 301 alice bob :(.*)$", 1, got, sizeof(got));
	ck_assert_msg(strlen(got) > 0 && strlen(got) <= 200,
	    "away message length %zu, AWAYLEN is 200", strlen(got));
}
END_TEST

START_TEST(t_notice_delivered)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(b, "#c");
	cl_join(a, "#c");
	cl_send(a, "NOTICE bob :psst");
	cl_expect(b, PFX("alice") "NOTICE bob :psst$", LIVE_T);
	cl_send(a, "NOTICE #c :chan notice");
	cl_expect(b, PFX("alice") "NOTICE #c :chan notice$", LIVE_T);
}
END_TEST

/* RFC 2812 3.3.2: automatic replies MUST NEVER be sent in response to a
 * NOTICE: no 401, 404, 301, 412. */
START_TEST(t_notice_no_auto_reply)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *o = cl_new(s, "outsider");

	cl_join(a, "#c");
	cl_send(a, "MODE #c +n");
	cl_sync(a);
	cl_send(b, "AWAY :not here");
	cl_expect(b, SRV "306 bob ", LIVE_T);
	cl_send(o, "NOTICE nobody :x");
	cl_send(o, "NOTICE #nosuch :x");
	cl_send(o, "NOTICE #c :outside");
	cl_send(o, "NOTICE bob :while away");
	cl_send(o, "NOTICE bob");
	cl_expect(b, PFX("outsider") "NOTICE bob :while away$", LIVE_T);
	cl_expect_none(o, SRV "(301|401|403|404|412) ", LIVE_T);
	cl_expect_none(a, "outside", LIVE_T);
}
END_TEST

/* Nick targets follow rfc1459 casemapping. */
START_TEST(t_message_casemap)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "{foo}|");

	cl_send(a, "PRIVMSG [FOO]\\ :mapped");
	cl_expect(b, PFX("alice") "PRIVMSG [^ ]+ :mapped$", LIVE_T);
	cl_expect_none(a, " 401 ", LIVE_T);
}
END_TEST

/* A banned outsider cannot talk into a -n channel either. */
START_TEST(t_banned_outsider)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *o = cl_new(s, "outsider");

	cl_join(a, "#c");
	cl_send(a, "MODE #c -n");
	cl_send(a, "MODE #c +b outsider!*@*");
	cl_expect(a, " MODE #c \\+b ", LIVE_T);
	cl_send(o, "PRIVMSG #c :let me in");
	cl_expect(o, SRV "404 outsider #c :", LIVE_T);
	cl_sync(o);
	cl_expect_none(a, "let me in", LIVE_T);
}
END_TEST

/* NOTICE into a moderated channel is dropped silently. */
START_TEST(t_notice_moderated_silent)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(a, "MODE #c +m");
	cl_expect(b, " MODE #c \\+m", LIVE_T);
	cl_send(b, "NOTICE #c :quiet please");
	cl_expect_none(b, " 404 ", LIVE_T);
	cl_expect_none(a, "quiet please", LIVE_T);
}
END_TEST

/* More targets than TARGMAX PRIVMSG:4 (005): ERR_TOOMANYTARGETS (407) and
 * no more than 4 deliveries. */
START_TEST(t_privmsg_targmax)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *u[5];
	char nick[16];
	int i, got = 0;

	for (i = 0; i < 5; i++) {
		snprintf(nick, sizeof(nick), "u%d", i);
		u[i] = cl_new(s, nick);
	}
	cl_send(a, "PRIVMSG u0,u1,u2,u3,u4 :too many");
	cl_expect(a, SRV "407 alice ", LIVE_T);
	cl_sync(a);
	for (i = 0; i < 5; i++)
		got += cl_count(u[i], "too many");
	ck_assert_msg(got <= 4, "%d deliveries for TARGMAX 4", got);
}
END_TEST

/* AWAY with an empty text marks the user back (Modern IRC AWAY). */
START_TEST(t_away_empty_text)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(b, "AWAY :gone");
	cl_expect(b, SRV "306 bob :", LIVE_T);
	cl_send(b, "AWAY :");
	cl_expect(b, SRV "305 bob :", LIVE_T);
	cl_send(a, "PRIVMSG bob :hi");
	cl_expect_none(a, " 301 ", LIVE_T);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_message");
	TCase *tc = live_tcase("message", 30);

	tcase_add_test(tc, t_privmsg_user);
	tcase_add_test(tc, t_privmsg_self);
	tcase_add_test(tc, t_privmsg_channel);
	tcase_add_test(tc, t_privmsg_multi_target);
	tcase_add_test(tc, t_privmsg_errors);
	tcase_add_test(tc, t_no_external);
	tcase_add_test(tc, t_moderated);
	tcase_add_test(tc, t_banned_member);
	tcase_add_test(tc, t_statusmsg);
	tcase_add_test(tc, t_away);
	tcase_add_test(tc, t_away_len);
	tcase_add_test(tc, t_notice_delivered);
	tcase_add_test(tc, t_notice_no_auto_reply);
	tcase_add_test(tc, t_message_casemap);
	tcase_add_test(tc, t_banned_outsider);
	tcase_add_test(tc, t_notice_moderated_silent);
	tcase_add_test(tc, t_privmsg_targmax);
	tcase_add_test(tc, t_away_empty_text);
	suite_add_tcase(s, tc);
	return live_run(s);
}
