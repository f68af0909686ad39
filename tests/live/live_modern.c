/* live_modern.c - the IRCv3 layer over the history on the real server
 * (issue 12, docs/HISTORY.md): draft/read-marker (MARKREAD get/set, only
 * forward, synced to every connection of an account, after JOIN, every
 * error, kept over a restart), draft/message-redaction (REDACT by the
 * sender, a channel operator, an IRC operator; every error; the history
 * no longer returns the message, over a restart too; direct messages) and
 * draft/multiline (the batch to a capable client, the fallback lines to a
 * plain one, every error, the history, redaction of a whole batch). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "livelib.h"

#define HT 90000 /* ms: one argon2id hash (REGISTER, IDENTIFY), valgrind included */

#define CAPS \
	"batch server-time message-tags echo-message draft/chathistory draft/read-marker " \
	"draft/message-redaction"

static char dbdir[64], dbpath[128];

static void
db_setup(void)
{
	live_db_setup(dbdir, sizeof(dbdir), dbpath, sizeof(dbpath), "modern", "modern.db");
}

static void
db_teardown(void)
{
	live_db_teardown(dbdir);
}

/* mcl: a registered client that negotiated caps (NULL: none). */
static struct cl *
mcl(struct srv *s, const char *nick, const char *caps)
{
	struct cl *c = cl_connect(s->port);

	snprintf(c->name, sizeof(c->name), "%s", nick);
	if (caps != NULL)
		cl_send(c, "CAP REQ :%s", caps);
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :Modern %s", nick, nick);
	if (caps != NULL) {
		cl_expect(c, "CAP [^ ]+ ACK :", LIVE_T);
		cl_send(c, "CAP END");
	}
	cl_expect(c, " 001 ", LIVE_T);
	cl_expect(c, " (376|422) ", LIVE_T);
	return c;
}

/* mjoin: JOIN chan, wait for its 366. */
static void
mjoin(struct cl *c, const char *chan)
{
	char re[160];

	cl_send(c, "JOIN %s", chan);
	snprintf(re, sizeof(re), ":irc\\.test 366 %s %s ", rx_esc(c->name), rx_esc(chan));
	cl_expect(c, re, LIVE_T);
}

/* identify: log c in to account (NickServ IDENTIFY). */
static void
identify(struct cl *c, const char *account)
{
	char re[160];

	cl_send(c, "PRIVMSG NickServ :IDENTIFY %s hunter22", account);
	snprintf(re, sizeof(re), " 900 %s [^ ]+ %s ", rx_esc(c->name), rx_esc(account));
	cl_expect(c, re, HT);
}

/* latest: CHATHISTORY LATEST target * 50: the number of lines of the
 * batch and whether one of them contains text. */
static int
latest(struct cl *c, const char *target, const char *text, int *found)
{
	char id[32], re[64];
	const char *l;
	int n = 0;

	*found = 0;
	cl_send(c, "CHATHISTORY LATEST %s * 50", target);
	l = cl_expect(c, ":[^ ]+ BATCH \\+[^ ]+ chathistory", LIVE_T);
	ck_assert(rx_group(l, "BATCH \\+([^ ]+) ", 1, id, sizeof(id)));
	snprintf(re, sizeof(re), ":[^ ]+ BATCH -%s$", rx_esc(id));
	for (;;) {
		l = cl_expect(c, ".", LIVE_T);
		if (rx_match(l, re))
			return n;
		n++;
		if (text != NULL && strstr(l, text) != NULL)
			(*found)++;
	}
}

/* msgid_of: the msgid of the next line of c matching re. */
static void
msgid_of(struct cl *c, const char *re, char *id, size_t size)
{
	const char *l = cl_expect(c, re, LIVE_T);

	ck_assert_msg(rx_group(l, "[@;]msgid=([^; ]+)", 1, id, size), "no msgid: %s", l);
}

/* Read markers across two connections of one account, every error, the
 * marker after JOIN, and a restart; redaction across the same two
 * connections, by a channel operator and an IRC operator, in direct
 * messages, and after a restart. One database (each REGISTER is an
 * argon2id hash). */
START_TEST(t_accounts)
{
	char conf[512], id[80], id2[80], id3[80];
	struct srv *s;
	struct cl *a1, *a2, *b, *c, *o;
	int n, found;

	db_setup();
	snprintf(conf, sizeof(conf),
	    "[accounts]\ndatabase = %s\nhash_passes = 1\nhash_memory = 8\n"
	    "[oper]\nname = admin\npassword = operpass\nhost = *\n",
	    dbpath);
	s = srv_start(conf);
	a1 = mcl(s, "alice", CAPS);
	cl_send(a1, "REGISTER alice * hunter22");
	cl_expect(a1, "REGISTER SUCCESS alice ", HT);
	b = mcl(s, "bob", CAPS);
	cl_send(b, "REGISTER bob * hunter22");
	cl_expect(b, "REGISTER SUCCESS bob ", HT);
	a2 = mcl(s, "alice2", CAPS);
	identify(a2, "alice");
	c = mcl(s, "carol", "batch message-tags draft/chathistory"); /* no caps of ours */

	/* MARKREAD errors */
	cl_send(a1, "MARKREAD");
	cl_expect(a1, ":irc\\.test FAIL MARKREAD NEED_MORE_PARAMS :", LIVE_T);
	cl_send(a1, "MARKREAD #rm bogus");
	cl_expect(a1, ":irc\\.test FAIL MARKREAD INVALID_PARAMS #rm :", LIVE_T);
	cl_send(a1, "MARKREAD #rm *");
	cl_expect(a1, ":irc\\.test FAIL MARKREAD INVALID_PARAMS #rm :", LIVE_T);
	cl_send(a1, "MARKREAD #rm timestamp=2020-13-01T00:00:00.000Z");
	cl_expect(a1, ":irc\\.test FAIL MARKREAD INVALID_PARAMS #rm :", LIVE_T);
	cl_send(a1, "MARKREAD a,b");
	cl_expect(a1, ":irc\\.test FAIL MARKREAD INVALID_PARAMS \\* :", LIVE_T);
	cl_send(c, "MARKREAD #rm");
	cl_expect(c, ":irc\\.test FAIL MARKREAD ACCOUNT_REQUIRED #rm :", LIVE_T);

	/* after JOIN, before 366: "*" while there is none */
	cl_send(a1, "JOIN #rm");
	cl_expect(a1, ":irc\\.test MARKREAD #rm \\*$", LIVE_T);
	cl_expect(a1, " 366 alice #rm ", LIVE_T);
	/* set: the answer, and the same line on the other connection */
	cl_send(a1, "MARKREAD #RM timestamp=2020-01-02T03:04:05.678Z");
	cl_expect(a1, ":irc\\.test MARKREAD #RM timestamp=2020-01-02T03:04:05\\.678Z$", LIVE_T);
	cl_expect(a2, ":irc\\.test MARKREAD #RM timestamp=2020-01-02T03:04:05\\.678Z$", LIVE_T);
	/* only forward: an older one is answered with the stored value and
	 * nobody else hears of it */
	cl_send(a2, "MARKREAD #rm timestamp=2019-01-01T00:00:00.000Z");
	cl_expect(a2, ":irc\\.test MARKREAD #rm timestamp=2020-01-02T03:04:05\\.678Z$", LIVE_T);
	cl_send(a2, "MARKREAD #rm timestamp=2020-01-02T03:04:05.678Z");
	cl_expect(a2, ":irc\\.test MARKREAD #rm timestamp=2020-01-02T03:04:05\\.678Z$", LIVE_T);
	cl_expect_none(a1, "MARKREAD", 300);
	/* get */
	cl_send(a2, "MARKREAD #rm");
	cl_expect(a2, ":irc\\.test MARKREAD #rm timestamp=2020-01-02T03:04:05\\.678Z$", LIVE_T);
	/* a nick target (DMs: clients ask; case does not matter) */
	cl_send(a2, "MARKREAD Bob timestamp=2021-05-05T05:05:05.005Z");
	cl_expect(a2, ":irc\\.test MARKREAD Bob timestamp=2021-05-05T05:05:05\\.005Z$", LIVE_T);
	cl_expect(a1, ":irc\\.test MARKREAD Bob timestamp=2021-05-05T05:05:05\\.005Z$", LIVE_T);
	cl_send(a1, "MARKREAD bob");
	cl_expect(a1, ":irc\\.test MARKREAD bob timestamp=2021-05-05T05:05:05\\.005Z$", LIVE_T);
	/* bob's markers are his own */
	cl_send(b, "MARKREAD #rm");
	cl_expect(b, ":irc\\.test MARKREAD #rm \\*$", LIVE_T);
	/* the second connection joins: the stored marker before 366 */
	cl_send(a2, "JOIN #rm");
	cl_expect(a2, ":irc\\.test MARKREAD #rm timestamp=2020-01-02T03:04:05\\.678Z$", LIVE_T);
	cl_expect(a2, " 366 alice2 #rm ", LIVE_T);
	/* a client without the cap gets its answers but no sync or JOIN line */
	cl_send(c, "PRIVMSG NickServ :IDENTIFY alice hunter22");
	cl_expect(c, " 900 carol ", HT);
	cl_send(c, "JOIN #rm");
	cl_expect(c, " 366 carol #rm ", LIVE_T);
	cl_send(a1, "MARKREAD #rm timestamp=2020-02-02T00:00:00.000Z");
	cl_expect(a1, ":irc\\.test MARKREAD #rm timestamp=2020-02-02T00:00:00\\.000Z$", LIVE_T);
	cl_expect(a2, ":irc\\.test MARKREAD #rm timestamp=2020-02-02T00:00:00\\.000Z$", LIVE_T);
	cl_send(c, "MARKREAD #rm");
	cl_expect(c, ":irc\\.test MARKREAD #rm timestamp=2020-02-02T00:00:00\\.000Z$", LIVE_T);
	cl_send(c, "QUIT");
	/* a time in the future is clamped to now */
	cl_send(a1, "MARKREAD #future timestamp=2200-01-01T00:00:00.000Z");
	cl_expect(a1, ":irc\\.test MARKREAD #future timestamp=20[0-9][0-9]-", LIVE_T);

	/* REDACT: bob is the op of #rd (first in) */
	mjoin(b, "#rd");
	mjoin(a1, "#rd");
	mjoin(a2, "#rd");
	c = mcl(s, "carol", "batch message-tags draft/chathistory echo-message");
	mjoin(c, "#rd");
	cl_send(a1, "PRIVMSG #rd :oops");
	msgid_of(b, "PRIVMSG #rd :oops$", id, sizeof(id));
	cl_expect(c, "PRIVMSG #rd :oops$", LIVE_T);
	/* the sender's REDACT reaches bob and her other connection, not
	 * carol (no cap) */
	cl_send(a1, "REDACT #rd %s :typo", id);
	cl_expectf(b, "^@[^ ]*msgid=[^ ]* :alice![^ ]+ REDACT #rd %s :typo$", rx_esc(id));
	cl_expectf(a2, ":alice![^ ]+ REDACT #rd %s :typo$", rx_esc(id));
	cl_expectf(a1, ":alice![^ ]+ REDACT #rd %s :typo$", rx_esc(id));
	cl_send(c, "PING :sync");
	cl_expect(c, "PONG [^ ]+ :sync", LIVE_T);
	cl_expect_none(c, "REDACT", 200);
	n = latest(b, "#rd", "oops", &found);
	ck_assert_int_eq(found, 0);
	/* again: gone */
	cl_send(a1, "REDACT #rd %s", id);
	cl_expectf(a1, ":irc\\.test FAIL REDACT UNKNOWN_MSGID #rd %s :", rx_esc(id));
	cl_send(a1, "REDACT #rd nosuchid");
	cl_expect(a1, ":irc\\.test FAIL REDACT UNKNOWN_MSGID #rd nosuchid :", LIVE_T);
	cl_send(a1, "REDACT #nochan x");
	cl_expect(a1, ":irc\\.test FAIL REDACT INVALID_TARGET #nochan :", LIVE_T);
	cl_send(a1, "REDACT nobody x");
	cl_expect(a1, ":irc\\.test FAIL REDACT INVALID_TARGET nobody :", LIVE_T);
	cl_send(a1, "REDACT #rd");
	cl_expect(a1, " 461 alice REDACT ", LIVE_T);
	/* carol's message: alice may not, bob (op) may */
	cl_send(c, "PRIVMSG #rd :spam spam");
	msgid_of(c, "PRIVMSG #rd :spam spam$", id2, sizeof(id2));
	cl_send(a1, "REDACT #rd %s", id2);
	cl_expectf(a1, ":irc\\.test FAIL REDACT REDACT_FORBIDDEN #rd %s :", rx_esc(id2));
	/* the msgid of another target is unknown there */
	mjoin(a1, "#other");
	cl_send(a1, "REDACT #other %s", id2);
	cl_expectf(a1, ":irc\\.test FAIL REDACT UNKNOWN_MSGID #other %s :", rx_esc(id2));
	cl_send(b, "REDACT #rd %s :spam", id2);
	cl_expectf(a1, ":bob![^ ]+ REDACT #rd %s :spam$", rx_esc(id2));
	/* an IRC operator outside the channel */
	cl_send(b, "PRIVMSG #rd :kept line");
	msgid_of(a1, "PRIVMSG #rd :kept line$", id3, sizeof(id3));
	cl_send(b, "PRIVMSG #rd :by oper");
	msgid_of(a1, "PRIVMSG #rd :by oper$", id2, sizeof(id2));
	o = mcl(s, "oper", "message-tags draft/message-redaction");
	cl_send(o, "REDACT #rd %s", id2);
	cl_expect(o, ":irc\\.test FAIL REDACT INVALID_TARGET #rd :", LIVE_T);
	cl_send(o, "OPER admin operpass");
	cl_expect(o, " 381 oper ", LIVE_T);
	cl_send(o, "REDACT #rd %s", id2);
	cl_expectf(o, ":oper![^ ]+ REDACT #rd %s$", rx_esc(id2));
	cl_expectf(b, ":oper![^ ]+ REDACT #rd %s$", rx_esc(id2));
	/* a direct message between the two accounts */
	cl_send(a1, "PRIVMSG bob :private oops");
	msgid_of(b, "PRIVMSG bob :private oops$", id, sizeof(id));
	cl_send(a1, "REDACT bob %s", id);
	cl_expectf(b, ":alice![^ ]+ REDACT bob %s$", rx_esc(id));
	n = latest(b, "alice", "private oops", &found);
	ck_assert_int_eq(found, 0);
	(void)n;
	srv_stop(s);

	/* restart: markers and redactions are on disk */
	s = srv_start(conf);
	a1 = mcl(s, "alice2", CAPS);
	identify(a1, "alice");
	cl_send(a1, "MARKREAD #rm");
	cl_expect(a1, ":irc\\.test MARKREAD #rm timestamp=2020-02-02T00:00:00\\.000Z$", LIVE_T);
	cl_send(a1, "MARKREAD bob");
	cl_expect(a1, ":irc\\.test MARKREAD bob timestamp=2021-05-05T05:05:05\\.005Z$", LIVE_T);
	cl_send(a1, "JOIN #rm");
	cl_expect(a1, ":irc\\.test MARKREAD #rm timestamp=2020-02-02T00:00:00\\.000Z$", LIVE_T);
	cl_expect(a1, " 366 alice2 #rm ", LIVE_T);
	mjoin(a1, "#rd");
	n = latest(a1, "#rd", "kept line", &found);
	ck_assert_int_eq(found, 1);
	latest(a1, "#rd", "oops", &found);
	ck_assert_int_eq(found, 0);
	latest(a1, "#rd", "spam spam", &found);
	ck_assert_int_eq(found, 0);
	latest(a1, "#rd", "by oper", &found);
	ck_assert_int_eq(found, 0);
	latest(a1, "bob", "private oops", &found);
	ck_assert_int_eq(found, 0);
	(void)id3;
	srv_stop(s);
}
END_TEST

#define WCAPS "batch message-tags echo-message draft/chathistory draft/message-redaction"

/* The sender's window ([history] redact_window): past it the sender gets
 * REDACT_WINDOW_EXPIRED with the window, a channel operator still may. A
 * sender without an account is known by nick (memory history). */
START_TEST(t_redact_window)
{
	struct srv *s = srv_start("[history]\nredact_window = 1\n");
	struct cl *op = mcl(s, "op", WCAPS), *a = mcl(s, "alice", WCAPS);
	char id[80];

	mjoin(op, "#w");
	mjoin(a, "#w");
	cl_send(a, "PRIVMSG #w :quick");
	msgid_of(op, "PRIVMSG #w :quick$", id, sizeof(id));
	cl_send(a, "REDACT #w %s", id);
	cl_expectf(op, ":alice![^ ]+ REDACT #w %s$", rx_esc(id));
	cl_send(a, "PRIVMSG #w :slow");
	msgid_of(op, "PRIVMSG #w :slow$", id, sizeof(id));
	/* the window is time itself: nothing to await but the clock */
	usleep(2100 * 1000);
	cl_send(a, "REDACT #w %s", id);
	cl_expectf(a, ":irc\\.test FAIL REDACT REDACT_WINDOW_EXPIRED #w %s 1 :", rx_esc(id));
	cl_send(op, "REDACT #w %s", id);
	cl_expectf(a, ":op![^ ]+ REDACT #w %s$", rx_esc(id));
	/* REDACT without history is an unknown command */
	srv_stop(s);
	s = srv_start("[history]\nenabled = no\n");
	a = mcl(s, "alice", NULL);
	cl_send(a, "REDACT #w x");
	cl_expect(a, " 421 alice REDACT ", LIVE_T);
	cl_send(a, "CAP LS 302");
	cl_expect_none(a, "draft/message-redaction", 300);
	srv_stop(s);
}
END_TEST

#define MLCAPS "batch draft/multiline message-tags server-time draft/chathistory"

/* one multiline batch from c: lines are "text" or "+text" (concat) */
static void
send_batch(struct cl *c, const char *ref, const char *target, const char *const *lines, int n)
{
	int i;

	cl_send(c, "BATCH +%s draft/multiline %s", ref, target);
	for (i = 0; i < n; i++) {
		if (lines[i][0] == '+')
			cl_send(c, "@batch=%s;draft/multiline-concat PRIVMSG %s :%s", ref, target,
			    lines[i] + 1);
		else
			cl_send(c, "@batch=%s PRIVMSG %s :%s", ref, target, lines[i]);
	}
	cl_send(c, "BATCH -%s", ref);
}

/* draft/multiline: the batch to capable clients (the sender's echo
 * too), the component lines to plain ones (no blank line, the msgid on
 * the first only), the history, REDACT of the whole message, every error,
 * a direct message. */
START_TEST(t_multiline)
{
	struct srv *s = srv_start("[limits]\nmultiline_max_lines = 4\nmultiline_max_bytes = 600\n");
	struct cl *a = mcl(s, "alice", MLCAPS " echo-message draft/message-redaction");
	struct cl *b = mcl(s, "bob", MLCAPS), *p = mcl(s, "plain", NULL);
	static const char *const lines[] = { "hello", "how is ", "+everyone?", "" };
	char big[420], id[80], bid[32], re[200];
	const char *l;
	int found, n;

	cl_send(p, "CAP LS 302");
	cl_expect(p, "draft/multiline=max-bytes=600,max-lines=4", LIVE_T);
	mjoin(a, "#ml");
	mjoin(b, "#ml");
	cl_join(p, "#ml");
	send_batch(a, "x1", "#ml", lines, 4);
	/* bob: one batch, msgid on its opening line */
	l = cl_expect(b, " BATCH \\+[^ ]+ draft/multiline #ml$", LIVE_T);
	ck_assert_msg(rx_match(l, "^@[^ ]*msgid=[^ ;]+[^ ]* :alice!"), "%s", l);
	ck_assert(rx_group(l, "[@;]msgid=([^; ]+)", 1, id, sizeof(id)));
	ck_assert(rx_group(l, "BATCH \\+([^ ]+) ", 1, bid, sizeof(bid)));
	snprintf(re, sizeof(re), "^@batch=%s :alice![^ ]+ PRIVMSG #ml :hello$", rx_esc(bid));
	cl_expect(b, re, LIVE_T);
	snprintf(re, sizeof(re), "^@batch=%s :alice![^ ]+ PRIVMSG #ml :how is $", rx_esc(bid));
	cl_expect(b, re, LIVE_T);
	snprintf(re, sizeof(re),
	    "^@batch=%s;draft/multiline-concat :alice![^ ]+ PRIVMSG #ml :everyone\\?$",
	    rx_esc(bid));
	cl_expect(b, re, LIVE_T);
	snprintf(re, sizeof(re), "^@batch=%s :alice![^ ]+ PRIVMSG #ml :$", rx_esc(bid));
	cl_expect(b, re, LIVE_T);
	snprintf(re, sizeof(re), "BATCH -%s$", rx_esc(bid));
	cl_expect(b, re, LIVE_T);
	/* the sender's echo is the batch too */
	cl_expect(a, " BATCH \\+[^ ]+ draft/multiline #ml$", LIVE_T);
	cl_expect(a, "PRIVMSG #ml :everyone\\?$", LIVE_T);
	/* plain: three lines, the blank one left out */
	cl_expect(p, "^:alice![^ ]+ PRIVMSG #ml :hello$", LIVE_T);
	cl_expect(p, "^:alice![^ ]+ PRIVMSG #ml :how is $", LIVE_T);
	cl_expect(p, "^:alice![^ ]+ PRIVMSG #ml :everyone\\?$", LIVE_T);
	cl_send(p, "PING :sync");
	l = cl_expect(p, ".", LIVE_T);
	ck_assert_msg(rx_match(l, "PONG [^ ]+ :sync"), "more than the three lines: %s", l);
	/* the history: the lines, the first with the batch's msgid */
	n = latest(b, "#ml", "alice!", &found);
	ck_assert_int_eq(n, 3);
	cl_send(b, "CHATHISTORY AROUND #ml msgid=%s 1", id);
	cl_expect(b, "BATCH \\+[^ ]+ chathistory #ml", LIVE_T);
	cl_expectf(b, "msgid=%s[; ].*PRIVMSG #ml :hello$", rx_esc(id));
	cl_expect(b, "BATCH -", LIVE_T);
	/* REDACT of the msgid erases the whole message */
	cl_send(a, "REDACT #ml %s", id);
	cl_expectf(a, "REDACT #ml %s$", rx_esc(id));
	n = latest(b, "#ml", NULL, &found);
	ck_assert_int_eq(n, 0);

	/* errors; the failed batches deliver nothing */
	{
		static const char *const five[] = { "1", "2", "3", "4", "5" };
		send_batch(a, "x2", "#ml", five, 5);
		cl_expect(a, ":irc\\.test FAIL BATCH MULTILINE_MAX_LINES 4 :", LIVE_T);
	}
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		const char *two[] = { big, big };
		send_batch(a, "x3", "#ml", two, 2);
		cl_expect(a, ":irc\\.test FAIL BATCH MULTILINE_MAX_BYTES 600 :", LIVE_T);
	}
	cl_send(a, "BATCH +x4 draft/multiline #ml");
	cl_send(a, "@batch=x4 PRIVMSG #other :hi");
	cl_send(a, "BATCH -x4");
	cl_expect(a, ":irc\\.test FAIL BATCH MULTILINE_INVALID_TARGET #ml #other :", LIVE_T);
	cl_send(a, "BATCH +x5 draft/multiline #ml");
	cl_send(a, "@batch=x5 TOPIC #ml :no");
	cl_send(a, "BATCH -x5");
	cl_expect(a, ":irc\\.test FAIL BATCH MULTILINE_INVALID :", LIVE_T);
	cl_send(a, "BATCH +x6 draft/multiline #ml");
	cl_send(a, "@batch=x6 PRIVMSG #ml :");
	cl_send(a, "BATCH -x6");
	cl_expect(a, ":irc\\.test FAIL BATCH MULTILINE_INVALID :", LIVE_T);
	cl_send(a, "BATCH +x7 draft/multiline #ml");
	cl_send(a, "@batch=x7;draft/multiline-concat PRIVMSG #ml :");
	cl_send(a, "BATCH -x7");
	cl_expect(a, ":irc\\.test FAIL BATCH MULTILINE_INVALID :", LIVE_T);
	cl_send(a, "BATCH -nope");
	cl_expect(a, ":irc\\.test FAIL BATCH MULTILINE_INVALID :", LIVE_T);
	cl_send(a, "BATCH +x8 chathistory #ml");
	cl_expect(a, ":irc\\.test FAIL BATCH MULTILINE_INVALID :", LIVE_T);
	cl_send(p, "BATCH +x9 draft/multiline #ml");
	cl_expect(p, ":irc\\.test FAIL BATCH MULTILINE_INVALID :", LIVE_T);
	cl_send(p, "PING :sync2");
	cl_expect(p, "PONG [^ ]+ :sync2", LIVE_T);
	cl_send(b, "PING :sync2");
	cl_expect(b, "PONG [^ ]+ :sync2", LIVE_T);
	cl_expect_none(p, "PRIVMSG", 200);
	cl_expect_none(b, "PRIVMSG|BATCH", 200);

	/* a direct message to a plain client: the lines; to a capable one:
	 * the batch */
	{
		static const char *const two[] = { "first", "second" };
		send_batch(a, "d1", "plain", two, 2);
		cl_expect(p, "^@?[^ ]*:alice![^ ]+ PRIVMSG plain :first$", LIVE_T);
		cl_expect(p, "^:alice![^ ]+ PRIVMSG plain :second$", LIVE_T);
		send_batch(a, "d2", "bob", two, 2);
		cl_expect(b, " BATCH \\+[^ ]+ draft/multiline bob$", LIVE_T);
		cl_expect(b, "^@batch=[^ ]+ :alice![^ ]+ PRIVMSG bob :first$", LIVE_T);
		cl_expect(b, "^@batch=[^ ]+ :alice![^ ]+ PRIVMSG bob :second$", LIVE_T);
		cl_expect(b, "BATCH -", LIVE_T);
	}
	srv_stop(s);
}
END_TEST

/* labeled-response with multiline: the label of the opening BATCH line
 * comes back on the echo's opening BATCH line (no ACK for BATCH +id, no
 * labeled-response batch around the echo); without echo-message it is an
 * ACK at the end; an error at delivery is labeled. */
START_TEST(t_multiline_label)
{
	struct srv *s = srv_start(NULL);
	struct cl *a = mcl(s, "alice", MLCAPS " echo-message labeled-response");
	struct cl *q = mcl(s, "quiet", MLCAPS " labeled-response");
	static const char *const two[] = { "one", "two" };
	char bid[32], re[200];
	const char *l;

	mjoin(a, "#lab");
	mjoin(q, "#lab");
	cl_expect(a, ":quiet![^ ]+ JOIN #lab", LIVE_T);
	cl_send(a, "@label=ml1 BATCH +z1 draft/multiline #lab");
	cl_send(a, "@batch=z1 PRIVMSG #lab :one");
	cl_send(a, "@batch=z1 PRIVMSG #lab :two");
	cl_send(a, "BATCH -z1");
	l = cl_expect(a, ".", LIVE_T);
	ck_assert_msg(rx_match(l,
			  "^@([^ ]*;)?label=ml1[; ].*:alice![^ ]+ BATCH \\+[^ ]+ "
			  "draft/multiline #lab$"),
	    "the echo's opening line: %s", l);
	ck_assert_msg(rx_match(l, "[@;]msgid=[^; ]+"), "%s", l);
	ck_assert(rx_group(l, "BATCH \\+([^ ]+) ", 1, bid, sizeof(bid)));
	snprintf(re, sizeof(re), "^@batch=%s :alice![^ ]+ PRIVMSG #lab :one$", rx_esc(bid));
	cl_expect(a, re, LIVE_T);
	snprintf(re, sizeof(re), "^@batch=%s :alice![^ ]+ PRIVMSG #lab :two$", rx_esc(bid));
	cl_expect(a, re, LIVE_T);
	snprintf(re, sizeof(re), "^(@[^ ]+ )?:[^ ]+ BATCH -%s$", rx_esc(bid));
	l = cl_expect(a, ".", LIVE_T);
	ck_assert_msg(rx_match(l, re), "%s", l);
	ck_assert_msg(strstr(l, "label=") == NULL, "%s", l);
	cl_send(a, "PING :s1");
	l = cl_expect(a, ".", LIVE_T);
	ck_assert_msg(rx_match(l, "PONG [^ ]+ :s1$"), "more after the echo: %s", l);
	/* no echo-message: the batch goes out, the label comes back as ACK */
	cl_expect(q, " BATCH -", LIVE_T);
	cl_send(q, "@label=ml2 BATCH +z2 draft/multiline #lab");
	cl_send(q, "@batch=z2 PRIVMSG #lab :one");
	cl_send(q, "BATCH -z2");
	l = cl_expect(q, ".", LIVE_T);
	ck_assert_msg(rx_match(l, "^@label=ml2[; ].*:irc\\.test ACK$"), "%s", l);
	cl_expect(a, "PRIVMSG #lab :one$", LIVE_T);
	/* an error: the label on it */
	send_batch(q, "z3", "#nowhere", two, 0);
	cl_expect(q, "FAIL BATCH MULTILINE_INVALID", LIVE_T);
	cl_send(q, "@label=ml3 BATCH +z4 draft/multiline #nowhere");
	cl_send(q, "@batch=z4 PRIVMSG #nowhere :one");
	cl_send(q, "BATCH -z4");
	l = cl_expect(q, ".", LIVE_T);
	ck_assert_msg(rx_match(l, "^@label=ml3[; ].*:irc\\.test 401 quiet #nowhere "), "%s", l);
	srv_stop(s);
}
END_TEST

/* Across an evircd tag link (A <- B): a REDACT on A reaches B's clients
 * with the capability and leaves B's history too (msgids are the same on
 * both); B checks its own users (not the sender, not an op: forbidden); a
 * multiline message reaches B as its lines. */
START_TEST(t_link)
{
	struct srv *a, *b;
	struct cl *alice, *bob, *plain;
	char conf[512], id[80], t0[40], ta[40], tb[40];
	static const char *const two[] = { "over", "the link" };
	const char *l;
	int found;

	a = srv_start("[server]\nname = a.test\n"
		      "[link]\nname = b.test\npassword = linkpw\n");
	snprintf(conf, sizeof(conf),
	    "[server]\nname = b.test\n"
	    "[link]\nname = a.test\naddress = 127.0.0.1\nport = %d\npassword = linkpw\n"
	    "autoconnect = yes\nconnect_retry = 1\n",
	    a->port);
	b = srv_start(conf);
	ck_assert_msg(srv_log_wait(b, "link a\\.test: burst complete", 15000),
	    "b never linked:\n%s", srv_log_tail(b));
	alice = mcl(a, "alice", WCAPS " draft/multiline server-time");
	bob = mcl(b, "bob", WCAPS " server-time");
	plain = mcl(b, "plain", NULL);
	cl_send(alice, "JOIN #x");
	cl_expect(alice, " 366 alice #x ", LIVE_T);
	cl_send(bob, "JOIN #x");
	cl_expect(bob, " 366 bob #x ", LIVE_T);
	cl_expect(alice, ":bob![^ ]+ JOIN #x", LIVE_T);
	cl_send(plain, "JOIN #x");
	cl_expect(plain, " 366 plain #x ", LIVE_T);
	cl_expect(alice, ":plain![^ ]+ JOIN #x", LIVE_T);
	/* b keeps each target's rows in time order, so a line stamped by a's
	 * clock a millisecond behind b's JOIN rows would take the newest row's
	 * time: wait out any skew between the two processes' cached clocks
	 * (waiting for time itself, not for an event) */
	nanosleep(&(struct timespec){ 0, 50 * 1000000L }, NULL);
	cl_send(alice, "PRIVMSG #x :linked oops");
	l = cl_expect(bob, "PRIVMSG #x :linked oops$", LIVE_T);
	ck_assert_msg(rx_group(l, "[@;]msgid=([^; ]+)", 1, id, sizeof(id)), "no msgid: %s", l);
	ck_assert_msg(rx_group(l, "[@;]time=([^; ]+)", 1, t0, sizeof(t0)), "no time: %s", l);
	/* history on both servers has the line with the msgid and the time
	 * the clients saw (the time the link carried, not b's clock; on
	 * loopback the two clocks often agree to the millisecond, so b's own
	 * clock failed this only about one run in three) */
	cl_send(alice, "CHATHISTORY LATEST #x * 1");
	l = cl_expect(alice, "PRIVMSG #x :linked oops$", LIVE_T);
	ck_assert_msg(rx_group(l, "[@;]time=([^; ]+)", 1, ta, sizeof(ta)), "no time: %s", l);
	ck_assert_msg(strstr(l, id) != NULL, "a's history: %s", l);
	cl_send(bob, "CHATHISTORY LATEST #x * 1");
	l = cl_expect(bob, "PRIVMSG #x :linked oops$", LIVE_T);
	ck_assert_msg(rx_group(l, "[@;]time=([^; ]+)", 1, tb, sizeof(tb)), "no time: %s", l);
	ck_assert_msg(strstr(l, id) != NULL, "b's history: %s", l);
	ck_assert_str_eq(ta, t0);
	ck_assert_str_eq(tb, t0);
	cl_expect(plain, "PRIVMSG #x :linked oops$", LIVE_T);
	/* on B, plain is neither the sender nor an op of #x */
	cl_send(plain, "REDACT #x %s", id);
	cl_expectf(plain, ":b\\.test FAIL REDACT REDACT_FORBIDDEN #x %s :", rx_esc(id));
	cl_send(alice, "REDACT #x %s :typo", id);
	cl_expectf(bob, ":alice![^ ]+ REDACT #x %s :typo$", rx_esc(id));
	latest(bob, "#x", "linked oops", &found);
	ck_assert_int_eq(found, 0);
	send_batch(alice, "l1", "#x", two, 2);
	cl_expect(plain, ":alice![^ ]+ PRIVMSG #x :over$", LIVE_T);
	cl_expect(plain, ":alice![^ ]+ PRIVMSG #x :the link$", LIVE_T);
	cl_send(plain, "PING :s");
	cl_expect(plain, "PONG [^ ]+ :s", LIVE_T);
	cl_expect_none(plain, "REDACT", 100);
	srv_stop(b);
	srv_stop(a);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("live_modern");
	TCase *tc = live_tcase("modern", 280);

	tcase_add_checked_fixture(tc, NULL, db_teardown);
	tcase_add_test(tc, t_accounts);
	tcase_add_test(tc, t_redact_window);
	tcase_add_test(tc, t_multiline);
	tcase_add_test(tc, t_multiline_label);
	tcase_add_test(tc, t_link);
	suite_add_tcase(su, tc);
	return live_run(su);
}
