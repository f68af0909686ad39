/*
 * ircv3_offered: the IRCv3 capabilities the server advertises in CAP LS
 * (checked only when advertised) plus MONITOR and WHOX from 005.
 * References: ircv3.net specifications (capability-negotiation,
 * echo-message, server-time, message-tags, multi-prefix,
 * userhost-in-names, extended-join, away-notify, setname,
 * labeled-response, batch, no-implicit-names, monitor, whox, bot-mode).
 * Test case "offered" of the ircv3_live suite (main is in ircv3_live.c).
 */
#include <stdio.h>
#include <string.h>

#include "ircv3.h"
#include "livelib.h"

static const char *conf_plain = "";

/* Caps the server offers (CAP LS 302), filled by offers() once per test. */
static char offered[2048];

/* Skip (pass) the rest of a test when the server does not offer cap. */
static int
offers(struct srv *s, const char *cap)
{
	char key[128];

	if (offered[0] == '\0') {
		struct cl *c = cl_connect(s->port);
		const char *l;

		cl_send(c, "CAP LS 302");
		l = cl_expect(c, SRV "CAP \\* LS :", LIVE_T);
		snprintf(offered, sizeof(offered), " %s ",
		    strstr(l, " LS :") + 5);
		cl_close(c);
	}
	snprintf(key, sizeof(key), " %s[ =]", cap);
	return rx_match(offered, rx_esc(cap)) && rx_match(offered, key);
}

#define NEED(cap) do {							\
	if (!offers(s, cap)) {						\
		fprintf(stderr, "%s: %s not offered, skipped\n",	\
		    __func__, cap);					\
		return;							\
	}								\
} while (0)

#define TAGS	"^@[^ ]+ "
#define TIME_TAG "time=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:" \
	"[0-9]{2}(\\.[0-9]{3})?Z"

/* CAP REQ is atomic: one unknown cap NAKs the whole request. */
START_TEST(t_cap_req_atomic)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c;

	NEED("multi-prefix");
	c = cl_connect(s->port);
	cl_send(c, "CAP LS 302");
	cl_expect(c, SRV "CAP \\* LS ", LIVE_T);
	cl_send(c, "CAP REQ :multi-prefix bogus-cap");
	cl_expect(c, SRV "CAP \\* NAK :multi-prefix bogus-cap$", LIVE_T);
	cl_send(c, "CAP LIST");
	cl_expect(c, SRV "CAP \\* LIST :", LIVE_T);
	ck_assert_msg(!rx_match(c->last, "multi-prefix"),
	    "multi-prefix enabled by a NAKed request: %s", c->last);
}
END_TEST

START_TEST(t_echo_message)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;

	NEED("echo-message");
	a = v3_client(s, "alice", "echo-message");
	b = cl_new(s, "bob");
	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(a, "PRIVMSG #c :echoed");
	cl_expect(a, "^(@[^ ]+ )?:alice![^ ]+@[^ ]+ PRIVMSG #c :echoed$",
	    LIVE_T);
	cl_expect(b, PFX("alice") "PRIVMSG #c :echoed$", LIVE_T);
	cl_send(a, "NOTICE bob :private echo");
	cl_expect(a, "^(@[^ ]+ )?:alice![^ ]+@[^ ]+ NOTICE bob :private echo$",
	    LIVE_T);
	/* bob did not ask: no echo */
	cl_send(b, "PRIVMSG #c :not echoed");
	cl_expect(a, "^(@[^ ]+ )?:bob![^ ]+ PRIVMSG #c :not echoed$", LIVE_T);
	cl_expect_none(b, "not echoed", LIVE_T);
}
END_TEST

START_TEST(t_server_time)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;

	NEED("server-time");
	a = v3_client(s, "alice", "server-time");
	b = cl_new(s, "bob");
	cl_send(b, "PRIVMSG alice :tick");
	cl_expect(a, "^@([^ ]*;)?" TIME_TAG "(;[^ ]*)? :bob![^ ]+ PRIVMSG alice "
	    ":tick$", LIVE_T);
	/* no tags for a client without the cap */
	cl_send(a, "PRIVMSG bob :tock");
	cl_expect(b, PFX("alice") "PRIVMSG bob :tock$", LIVE_T);
}
END_TEST

/* Client-only tags are relayed to message-tags clients only; TAGMSG. */
START_TEST(t_message_tags)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b, *c;

	NEED("message-tags");
	a = v3_client(s, "alice", "message-tags");
	b = v3_client(s, "bob", "message-tags");
	c = cl_new(s, "carol");
	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_join(c, "#c");
	cl_send(a, "@+example.com/tag=v1 PRIVMSG #c :tagged");
	cl_expect(b, "^@([^ ]*;)?\\+example\\.com/tag=v1(;[^ ]*)? :alice![^ ]+ "
	    "PRIVMSG #c :tagged$", LIVE_T);
	cl_expect(c, PFX("alice") "PRIVMSG #c :tagged$", LIVE_T);
	cl_send(a, "@+typing=active TAGMSG #c");
	cl_expect(b, "^@([^ ]*;)?\\+typing=active(;[^ ]*)? :alice![^ ]+ "
	    "TAGMSG #c$", LIVE_T);
	cl_sync(a);
	cl_expect_none(c, "TAGMSG", LIVE_T);
	/* a client cannot forge server tags: a non-'+' tag is not relayed
	 * as sent */
	cl_send(a, "@time=2000-01-01T00:00:00.000Z PRIVMSG bob :forged");
	cl_expect(b, ":alice![^ ]+ PRIVMSG bob :forged$", LIVE_T);
	ck_assert_msg(strstr(b->last, "2000-01-01") == NULL,
	    "client-supplied server tag relayed: %s", b->last);
}
END_TEST

START_TEST(t_multi_prefix)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;

	NEED("multi-prefix");
	a = v3_client(s, "alice", "multi-prefix");
	b = cl_new(s, "bob");
	cl_join(b, "#c");
	cl_send(b, "MODE #c +v bob");
	cl_expect(b, " MODE #c \\+v bob", LIVE_T);
	cl_send(a, "NAMES #c");
	cl_expect(a, SRV "353 alice = #c :@\\+bob$", LIVE_T);
	cl_send(a, "WHO #c");
	cl_expect(a, SRV "352 alice #c [^ ]+ [^ ]+ [^ ]+ bob H@\\+ ", LIVE_T);
	/* WHOIS too, since the spec's errata (ircv3.net multi-prefix) */
	cl_send(a, "WHOIS bob");
	cl_expect(a, SRV "319 alice bob :@\\+#c$", LIVE_T);
}
END_TEST

START_TEST(t_userhost_in_names)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;

	NEED("userhost-in-names");
	a = v3_client(s, "alice", "userhost-in-names");
	b = cl_new(s, "bob");
	cl_join(b, "#c");
	cl_send(a, "NAMES #c");
	cl_expect(a, SRV "353 alice = #c :@bob!~?bob@[^ ]+$", LIVE_T);
}
END_TEST

START_TEST(t_extended_join)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;

	NEED("extended-join");
	a = v3_client(s, "alice", "extended-join");
	b = cl_new(s, "bob");
	cl_join(a, "#c");
	cl_send(b, "JOIN #c");
	cl_expect(a, PFX("bob") "JOIN #c \\* :Real bob$", LIVE_T);
	cl_expect(b, PFX("bob") "JOIN :?#c$", LIVE_T);
}
END_TEST

START_TEST(t_away_notify)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b, *c;

	NEED("away-notify");
	a = v3_client(s, "alice", "away-notify");
	b = cl_new(s, "bob");
	c = cl_new(s, "carol");
	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_join(c, "#c");
	cl_send(b, "AWAY :lunch");
	cl_expect(a, PFX("bob") "AWAY :lunch$", LIVE_T);
	cl_send(b, "AWAY");
	cl_expect(a, PFX("bob") "AWAY$", LIVE_T);
	cl_sync(b);
	cl_expect_none(c, " AWAY", LIVE_T);
}
END_TEST

START_TEST(t_setname)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b, *c;

	NEED("setname");
	a = v3_client(s, "alice", "setname");
	b = v3_client(s, "bob", "setname");
	c = cl_new(s, "carol");
	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_join(c, "#c");
	cl_send(a, "SETNAME :Alice Newname");
	cl_expect(a, PFX("alice") "SETNAME :Alice Newname$", LIVE_T);
	cl_expect(b, PFX("alice") "SETNAME :Alice Newname$", LIVE_T);
	cl_sync(a);
	cl_expect_none(c, "SETNAME", LIVE_T);
	cl_send(c, "WHOIS alice");
	cl_expect(c, SRV "311 carol alice [^ ]+ [^ ]+ \\* :Alice Newname$",
	    LIVE_T);
}
END_TEST

START_TEST(t_labeled_response)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a;
	char ref[64], re[256];
	const char *l;

	NEED("labeled-response");
	NEED("batch");
	a = v3_client(s, "alice", "labeled-response batch");
	/* one-line reply carries the label */
	cl_send(a, "@label=one PING :lbl");
	cl_expect(a, "^@([^ ]*;)?label=one(;[^ ]*)? :irc\\.test PONG irc\\.test "
	    ":lbl$", LIVE_T);
	/* no reply at all: ACK */
	cl_send(a, "@label=two PONG :nothing");
	cl_expect(a, "^@([^ ]*;)?label=two(;[^ ]*)? :irc\\.test ACK$", LIVE_T);
	/* several lines: a labeled-response batch */
	cl_join(a, "#c");
	cl_send(a, "@label=three NAMES #c");
	l = cl_expect(a, "^@([^ ]*;)?label=three(;[^ ]*)? :irc\\.test BATCH "
	    "\\+[^ ]+ labeled-response$", LIVE_T);
	ck_assert(rx_group(l, "BATCH \\+([^ ]+) ", 1, ref, sizeof(ref)));
	snprintf(re, sizeof(re), "^@([^ ]*;)?batch=%s(;[^ ]*)? :irc\\.test 353 ",
	    rx_esc(ref));
	cl_expect(a, re, LIVE_T);
	snprintf(re, sizeof(re), "^@([^ ]*;)?batch=%s(;[^ ]*)? :irc\\.test 366 ",
	    rx_esc(ref));
	cl_expect(a, re, LIVE_T);
	snprintf(re, sizeof(re), "^(@[^ ]+ )?:irc\\.test BATCH -%s$",
	    rx_esc(ref));
	cl_expect(a, re, LIVE_T);
}
END_TEST

START_TEST(t_no_implicit_names)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a;

	NEED("draft/no-implicit-names");
	a = v3_client(s, "alice", "draft/no-implicit-names");
	cl_send(a, "JOIN #c");
	cl_expect(a, PFX("alice") "JOIN :?#c$", LIVE_T);
	cl_expect_none(a, " (353|366) ", LIVE_T);
	cl_send(a, "NAMES #c");
	cl_expect(a, SRV "366 alice #c ", LIVE_T);
}
END_TEST

/* MONITOR (ISUPPORT MONITOR=<n>): 730/731/732/733. */
START_TEST(t_monitor)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b;

	cl_send(a, "MONITOR + bob,carol");
	cl_expect(a, SRV "731 alice :(bob,carol|carol,bob|bob|carol)$", LIVE_T);
	cl_sync(a);
	b = cl_new(s, "bob");
	cl_expect(a, SRV "730 alice :bob!~?bob@[^ ]+$", LIVE_T);
	cl_send(a, "MONITOR L");
	cl_expect(a, SRV "732 alice :", LIVE_T);
	cl_expect(a, SRV "733 alice :", LIVE_T);
	cl_send(b, "QUIT");
	cl_expect(a, SRV "731 alice :bob$", LIVE_T);
	cl_send(a, "MONITOR C");
	cl_send(a, "MONITOR L");
	cl_expect_none(a, " 732 ", LIVE_T);
	cl_expect(a, SRV "733 alice :", LIVE_T);
}
END_TEST

/* WHOX: fields in the fixed order t c u i h s n f d l a o r. */
START_TEST(t_whox)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");

	cl_join(a, "#c");
	cl_send(a, "WHO #c %%nft,42");
	cl_expect(a, SRV "354 alice 42 alice H@$", LIVE_T);
	cl_expect(a, SRV "315 alice #c :", LIVE_T);
	cl_send(a, "WHO alice %%cnr");
	cl_expect(a, SRV "354 alice [^ ]+ alice :Real alice$", LIVE_T);
}
END_TEST

/* Bot mode (BOT=B in 005): WHOIS shows RPL_WHOISBOT (335). */
START_TEST(t_bot_mode)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "robot");

	cl_send(b, "MODE robot +B");
	cl_expect(b, " MODE robot :?\\+B$", LIVE_T);
	cl_send(a, "WHOIS robot");
	cl_expect(a, SRV "335 alice robot :", LIVE_T);
}
END_TEST

/* The test case "offered" of the ircv3_live suite (ircv3_live.c). */
TCase *
ircv3_offered_tcase(void)
{
	TCase *tc = live_tcase("offered", 30);

	tcase_add_test(tc, t_cap_req_atomic);
	tcase_add_test(tc, t_echo_message);
	tcase_add_test(tc, t_server_time);
	tcase_add_test(tc, t_message_tags);
	tcase_add_test(tc, t_multi_prefix);
	tcase_add_test(tc, t_userhost_in_names);
	tcase_add_test(tc, t_extended_join);
	tcase_add_test(tc, t_away_notify);
	tcase_add_test(tc, t_setname);
	tcase_add_test(tc, t_labeled_response);
	tcase_add_test(tc, t_no_implicit_names);
	tcase_add_test(tc, t_monitor);
	tcase_add_test(tc, t_whox);
	tcase_add_test(tc, t_bot_mode);
	return tc;
}
