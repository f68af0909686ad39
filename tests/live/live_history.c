/* live_history.c - message history on the real server (issue 12,
 * docs/HISTORY.md): every CHATHISTORY subcommand and error of IRCv3
 * draft/chathistory, ISUPPORT CHATHISTORY/MSGREFTYPES, the limit,
 * draft/event-playback on and off, +s/+p access and the +E opt-out, direct
 * messages between accounts, the JOIN playback for plain clients,
 * HISTSERV FORGET, history kept over a restart, and the cache-miss path
 * (a tiny cache: every query goes to the reader thread) giving the lines
 * the clients were sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "livelib.h"

#define HT 90000 /* ms: one argon2id hash (REGISTER), valgrind included */

#define CAPS "draft/chathistory batch server-time message-tags labeled-response"

static char dbdir[64], dbpath[128];

static void
db_setup(void)
{
	live_db_setup(dbdir, sizeof(dbdir), dbpath, sizeof(dbpath), "hist", "history.db");
}

static void
db_teardown(void)
{
	live_db_teardown(dbdir);
}

/* hcl: a registered client that negotiated caps. */
static struct cl *
hcl(struct srv *s, const char *nick, const char *caps)
{
	struct cl *c = cl_connect(s->port);

	snprintf(c->name, sizeof(c->name), "%s", nick);
	cl_send(c, "CAP REQ :%s", caps);
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :History %s", nick, nick);
	cl_expect(c, "CAP [^ ]+ ACK :", LIVE_T);
	cl_send(c, "CAP END");
	cl_expect(c, " 001 ", LIVE_T);
	cl_expect(c, " (376|422) ", LIVE_T);
	return c;
}

/* hjoin: JOIN chan and wait for its 366 (lines carry tags: cl_join's
 * pattern is for tagless clients). */
static void
hjoin(struct cl *c, const char *chan)
{
	char re[160];

	cl_send(c, "JOIN %s", chan);
	snprintf(re, sizeof(re), ":irc\\.test 366 %s %s ", rx_esc(c->name), rx_esc(chan));
	cl_expect(c, re, LIVE_T);
}

/* A history batch as received. */
struct batch {
	int n;
	char line[64][600]; /* the lines without their tags */
	char msgid[64][80];
	char type[64];
};

/* get_batch: the next "BATCH +id <type>" and its lines up to "BATCH -id". */
static void
get_batch(struct cl *c, struct batch *b)
{
	char id[32], re[64];
	const char *l;

	memset(b, 0, sizeof(*b));
	l = cl_expect(c, ":irc\\.test BATCH \\+[^ ]+ (chathistory|draft/chathistory-targets)",
	    LIVE_T);
	ck_assert(rx_group(l, ":irc\\.test BATCH \\+([^ ]+) ", 1, id, sizeof(id)));
	ck_assert(rx_group(l, "BATCH \\+[^ ]+ ([^ ]+)", 1, b->type, sizeof(b->type)));
	snprintf(re, sizeof(re), ":irc\\.test BATCH -%s$", rx_esc(id));
	for (;;) {
		l = cl_expect(c, ".", LIVE_T);
		if (rx_match(l, re))
			break;
		ck_assert_int_lt(b->n, 64);
		ck_assert_msg(rx_match(l, "^@batch="), "line outside the batch: %s", l);
		snprintf(b->line[b->n], sizeof(b->line[0]), "%s", strchr(l, ' ') + 1);
		if (!rx_group(l, "[@;]msgid=([^; ]+)", 1, b->msgid[b->n], sizeof(b->msgid[0])))
			b->msgid[b->n][0] = '\0';
		b->n++;
	}
}

/* say: n PRIVMSGs "<prefix> i" from c to chan; their msgids (as the
 * echo-less sender cannot see them, read from the receiver r) into ids. */
static void
say(struct cl *c, struct cl *r, const char *chan, const char *prefix, int n, char ids[][80])
{
	char re[256];
	const char *l;
	int i;

	for (i = 0; i < n; i++)
		cl_send(c, "PRIVMSG %s :%s %d", chan, prefix, i);
	for (i = 0; i < n; i++) {
		snprintf(re, sizeof(re), "PRIVMSG %s :%s %d$", rx_esc(chan), rx_esc(prefix), i);
		l = cl_expect(r, re, LIVE_T);
		if (ids != NULL)
			ck_assert(rx_group(l, "[@;]msgid=([^; ]+)", 1, ids[i], 80));
	}
}

static void
expect_text(const struct batch *b, int i, const char *text)
{
	ck_assert_msg(i < b->n, "batch has %d lines, wanted line %d (%s)", b->n, i, text);
	ck_assert_msg(strstr(b->line[i], text) != NULL, "line %d is '%s', wanted '%s'", i,
	    b->line[i], text);
}

/* Every subcommand on the same ten lines (memory history). */
START_TEST(t_subcommands)
{
	struct srv *s = srv_start("[history]\nquery_limit = 50\n");
	struct cl *a = hcl(s, "alice", CAPS), *b = hcl(s, "bob", CAPS);
	char ids[10][80], ts[64];
	struct batch h;
	const char *l;

	cl_send(a, "VERSION");
	cl_expect(a, " 005 alice .*CHATHISTORY=50", LIVE_T);
	cl_send(a, "VERSION");
	cl_expect(a, " 005 alice .*MSGREFTYPES=timestamp,msgid", LIVE_T);
	cl_send(a, "CAP LS 302");
	cl_expect(a, "CAP alice LS (\\* )?:.*draft/chathistory", LIVE_T);
	hjoin(a, "#h");
	hjoin(b, "#h");
	say(a, b, "#h", "line", 10, ids);

	/* LATEST *: the newest, oldest first */
	cl_send(a, "CHATHISTORY LATEST #h * 3");
	get_batch(a, &h);
	ck_assert_str_eq(h.type, "chathistory");
	ck_assert_int_eq(h.n, 3);
	expect_text(&h, 0, "PRIVMSG #h :line 7");
	expect_text(&h, 2, "PRIVMSG #h :line 9");
	ck_assert_str_eq(h.msgid[2], ids[9]);
	/* the batch names the target; lines carry time and msgid */
	cl_send(a, "CHATHISTORY LATEST #h * 1");
	l = cl_expect(a, ":irc\\.test BATCH \\+[^ ]+ chathistory #h$", LIVE_T);
	l = cl_expect(a, "^@batch=[^ ]*time=[0-9-]+T[0-9:.]+Z[^ ]*msgid=", LIVE_T);
	ck_assert(rx_group(l, "time=([^; ]+)", 1, ts, sizeof(ts)));
	cl_expect(a, ":irc\\.test BATCH -", LIVE_T);
	/* LATEST after a msgid */
	cl_send(a, "CHATHISTORY LATEST #h msgid=%s 50", ids[6]);
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 3);
	expect_text(&h, 0, "line 7");
	/* BEFORE msgid: the nearest ones before, excluded itself */
	cl_send(a, "CHATHISTORY BEFORE #h msgid=%s 2", ids[5]);
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 2);
	expect_text(&h, 0, "line 3");
	expect_text(&h, 1, "line 4");
	/* AFTER msgid */
	cl_send(a, "CHATHISTORY AFTER #h msgid=%s 3", ids[2]);
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 3);
	expect_text(&h, 0, "line 3");
	expect_text(&h, 2, "line 5");
	/* AROUND: half before, the rest from the message on */
	cl_send(a, "CHATHISTORY AROUND #h msgid=%s 4", ids[5]);
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 4);
	expect_text(&h, 0, "line 3");
	expect_text(&h, 2, "line 5");
	expect_text(&h, 3, "line 6");
	/* BETWEEN, forwards and backwards: both ends excluded */
	cl_send(a, "CHATHISTORY BETWEEN #h msgid=%s msgid=%s 50", ids[1], ids[5]);
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 3);
	expect_text(&h, 0, "line 2");
	expect_text(&h, 2, "line 4");
	cl_send(a, "CHATHISTORY BETWEEN #h msgid=%s msgid=%s 2", ids[8], ids[1]);
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 2);
	expect_text(&h, 0, "line 6");
	expect_text(&h, 1, "line 7");
	/* timestamps: everything is before year 2100 and after 2000 */
	cl_send(a, "CHATHISTORY BEFORE #h timestamp=2100-01-01T00:00:00.000Z 2");
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 2);
	expect_text(&h, 1, "line 9");
	cl_send(a, "CHATHISTORY AFTER #h timestamp=2000-01-01T00:00:00.000Z 1");
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 1);
	expect_text(&h, 0, "line 0");
	cl_send(a,
	    "CHATHISTORY BETWEEN #h timestamp=2000-01-01T00:00:00.000Z "
	    "timestamp=2100-01-01T00:00:00.000Z 50");
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 10);
	/* nothing after the newest: an empty batch */
	cl_send(a, "CHATHISTORY AFTER #h msgid=%s 10", ids[9]);
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 0);
	/* an unknown msgid: empty too */
	cl_send(a, "CHATHISTORY BEFORE #h msgid=nosuchid 10");
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 0);
	/* TARGETS: the channel, with its newest line's time */
	cl_send(a,
	    "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z "
	    "timestamp=2100-01-01T00:00:00.000Z 10");
	get_batch(a, &h);
	ck_assert_str_eq(h.type, "draft/chathistory-targets");
	ck_assert_int_eq(h.n, 1);
	ck_assert_msg(rx_match(h.line[0], "^:irc\\.test CHATHISTORY TARGETS #h [0-9-]+T"), "%s",
	    h.line[0]);
	/* labeled: the label goes on the labeled-response batch around it */
	cl_send(a, "@label=q1 CHATHISTORY LATEST #h * 1");
	l = cl_expect(a, "^@label=q1 :irc\\.test BATCH \\+([^ ]+) labeled-response", LIVE_T);
	cl_expect(a, "^@batch=[^ ]+ :irc\\.test BATCH \\+[^ ]+ chathistory #h", LIVE_T);
	cl_expect(a, "PRIVMSG #h :line 9", LIVE_T);
	srv_stop(s);
}
END_TEST

START_TEST(t_errors_and_limit)
{
	struct srv *s = srv_start("[history]\nquery_limit = 5\n");
	struct cl *a = hcl(s, "alice", CAPS), *b = hcl(s, "bob", CAPS);
	struct batch h;

	hjoin(a, "#e");
	hjoin(b, "#e");
	say(a, b, "#e", "m", 8, NULL);
	cl_send(a, "CHATHISTORY FETCH #e * 10");
	cl_expect(a, ":irc\\.test FAIL CHATHISTORY UNKNOWN_COMMAND FETCH :", LIVE_T);
	cl_send(a, "CHATHISTORY LATEST #e *");
	cl_expect(a, ":irc\\.test FAIL CHATHISTORY NEED_MORE_PARAMS LATEST :", LIVE_T);
	cl_send(a, "CHATHISTORY BETWEEN #e * 10");
	cl_expect(a, ":irc\\.test FAIL CHATHISTORY NEED_MORE_PARAMS BETWEEN :", LIVE_T);
	cl_send(a, "CHATHISTORY");
	cl_expect(a, " 461 alice CHATHISTORY ", LIVE_T);
	cl_send(a, "CHATHISTORY BEFORE #e * 10");
	cl_expect(a, ":irc\\.test FAIL CHATHISTORY INVALID_PARAMS BEFORE :", LIVE_T);
	cl_send(a, "CHATHISTORY BEFORE #e timestamp=yesterday 10");
	cl_expect(a, ":irc\\.test FAIL CHATHISTORY INVALID_PARAMS BEFORE :", LIVE_T);
	cl_send(a, "CHATHISTORY LATEST #e * 0");
	cl_expect(a, ":irc\\.test FAIL CHATHISTORY INVALID_PARAMS LATEST :", LIVE_T);
	cl_send(a, "CHATHISTORY LATEST #e * ten");
	cl_expect(a, ":irc\\.test FAIL CHATHISTORY INVALID_PARAMS LATEST :", LIVE_T);
	cl_send(a, "CHATHISTORY TARGETS msgid=x timestamp=2100-01-01T00:00:00.000Z 10");
	cl_expect(a, ":irc\\.test FAIL CHATHISTORY INVALID_PARAMS TARGETS :", LIVE_T);
	cl_send(a, "CHATHISTORY LATEST #nosuch * 10");
	cl_expect(a, ":irc\\.test FAIL CHATHISTORY INVALID_TARGET LATEST #nosuch :", LIVE_T);
	cl_send(a, "CHATHISTORY LATEST bob * 10");
	cl_expect(a, ":irc\\.test FAIL CHATHISTORY INVALID_TARGET LATEST bob :", LIVE_T);
	/* not a member: no history (Ergo: joined members only) */
	cl_send(b, "PART #e");
	cl_expect(b, "PART #e", LIVE_T);
	cl_send(b, "CHATHISTORY LATEST #e * 10");
	cl_expect(b, ":irc\\.test FAIL CHATHISTORY INVALID_TARGET LATEST #e :", LIVE_T);
	/* above CHATHISTORY=5: five */
	cl_send(a, "CHATHISTORY LATEST #e * 100");
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 5);
	expect_text(&h, 4, "PRIVMSG #e :m 7");
	srv_stop(s);
}
END_TEST

/* +s/+p: rows from before a member joined are not shown to it; +E: not
 * stored at all. Other channels: what was said before the join is. */
START_TEST(t_secret_and_optout)
{
	struct srv *s = srv_start(NULL);
	struct cl *a = hcl(s, "alice", CAPS), *b = hcl(s, "bob", CAPS);
	struct batch h;

	hjoin(a, "#open");
	hjoin(a, "#sec");
	cl_send(a, "MODE #sec +s");
	cl_expect(a, "MODE #sec \\+s", LIVE_T);
	cl_send(a, "PRIVMSG #open :before bob");
	cl_send(a, "PRIVMSG #sec :secret before bob");
	cl_sync(a);
	hjoin(b, "#open");
	hjoin(b, "#sec");
	say(a, b, "#sec", "secret after bob", 1, NULL);
	cl_send(b, "CHATHISTORY LATEST #open * 10");
	get_batch(b, &h);
	ck_assert_int_eq(h.n, 1);
	expect_text(&h, 0, "before bob");
	cl_send(b, "CHATHISTORY LATEST #sec * 10");
	get_batch(b, &h);
	ck_assert_int_eq(h.n, 1);
	expect_text(&h, 0, "secret after bob 0");
	cl_send(a, "CHATHISTORY LATEST #sec * 10");
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 2);
	/* +E: nothing said while it is set is kept */
	cl_send(a, "MODE #open +E");
	cl_expect(b, "MODE #open \\+E", LIVE_T);
	say(a, b, "#open", "unrecorded", 2, NULL);
	cl_send(a, "MODE #open -E");
	cl_expect(b, "MODE #open -E", LIVE_T);
	say(a, b, "#open", "recorded", 1, NULL);
	cl_send(b, "CHATHISTORY LATEST #open * 10");
	get_batch(b, &h);
	ck_assert_int_eq(h.n, 2);
	expect_text(&h, 0, "before bob");
	expect_text(&h, 1, "recorded 0");
	srv_stop(s);
}
END_TEST

/* draft/event-playback: JOIN PART KICK TOPIC MODE NICK QUIT and TAGMSG
 * only to clients that negotiated it. */
START_TEST(t_event_playback)
{
	struct srv *s = srv_start(NULL);
	struct cl *a = hcl(s, "alice", CAPS " draft/event-playback");
	struct cl *b = hcl(s, "bob", CAPS), *k = hcl(s, "kim", "batch");
	struct batch h;
	int i;

	hjoin(a, "#ev");
	hjoin(b, "#ev");
	hjoin(k, "#ev");
	cl_send(a, "TOPIC #ev :a topic");
	cl_expect(b, "TOPIC #ev :a topic", LIVE_T);
	cl_send(a, "MODE #ev +m");
	cl_expect(b, "MODE #ev \\+m", LIVE_T);
	cl_send(a, "MODE #ev -m");
	cl_expect(b, "MODE #ev -m", LIVE_T);
	cl_send(a, "@+draft/react=x TAGMSG #ev");
	cl_expect(b, "TAGMSG #ev", LIVE_T);
	cl_send(a, "PRIVMSG #ev :words");
	cl_expect(b, "PRIVMSG #ev :words", LIVE_T);
	cl_send(k, "NICK kimmy");
	cl_expect(b, "NICK :?kimmy", LIVE_T);
	snprintf(k->name, sizeof(k->name), "kimmy");
	cl_send(a, "KICK #ev kimmy :out");
	cl_expect(b, "KICK #ev kimmy :out", LIVE_T);
	hjoin(k, "#ev");
	cl_send(k, "PART #ev :bye");
	cl_expect(b, "PART #ev :bye", LIVE_T);
	hjoin(k, "#ev");
	cl_send(k, "QUIT :gone");
	cl_expect(b, "QUIT :", LIVE_T);
	/* with the cap: everything, in order */
	cl_send(a, "CHATHISTORY LATEST #ev * 50");
	get_batch(a, &h);
	{
		static const char *const want[] = { "JOIN #ev", "JOIN #ev", "JOIN #ev",
			"TOPIC #ev :a topic", "MODE #ev +m", "MODE #ev -m", "TAGMSG #ev",
			"PRIVMSG #ev :words", "NICK kimmy", "KICK #ev kimmy :out", "JOIN #ev",
			"PART #ev :bye", "JOIN #ev", "QUIT :" };
		ck_assert_int_eq(h.n, (int)(sizeof(want) / sizeof(want[0])));
		for (i = 0; i < h.n; i++)
			expect_text(&h, i, want[i]);
	}
	/* the TAGMSG keeps its client tag */
	cl_send(a, "CHATHISTORY LATEST #ev * 50");
	cl_expect(a, "^@batch=[^ ]*\\+draft/react=x[^ ]* :alice![^ ]+ TAGMSG #ev", LIVE_T);
	cl_sync(a);
	/* without it: PRIVMSG and NOTICE only */
	cl_send(b, "CHATHISTORY LATEST #ev * 50");
	get_batch(b, &h);
	ck_assert_int_eq(h.n, 1);
	expect_text(&h, 0, "PRIVMSG #ev :words");
	srv_stop(s);
}
END_TEST

/* The JOIN playback for plain clients ([history] join_playback): the last
 * N lines after the JOIN; none for a client with draft/chathistory. */
START_TEST(t_join_playback)
{
	struct srv *s = srv_start("[history]\njoin_playback = 2\n");
	struct cl *a = hcl(s, "alice", CAPS), *p, *q;

	hjoin(a, "#pb");
	cl_send(a, "PRIVMSG #pb :one");
	cl_send(a, "PRIVMSG #pb :two");
	cl_send(a, "PRIVMSG #pb :three");
	cl_sync(a);
	p = cl_new(s, "plain");
	cl_send(p, "JOIN #pb");
	cl_expect(p, "^:plain![^ ]+ JOIN #pb", LIVE_T);
	cl_expect(p, "^:alice![^ ]+ PRIVMSG #pb :two$", LIVE_T);
	cl_expect(p, "^:alice![^ ]+ PRIVMSG #pb :three$", LIVE_T);
	cl_expect(p, " 366 plain #pb ", LIVE_T);
	q = hcl(s, "modern", CAPS);
	cl_send(q, "JOIN #pb");
	cl_expect_none(q, "PRIVMSG", LIVE_T);
	srv_stop(s);
}
END_TEST

/* Direct messages between accounts, TARGETS, HISTSERV FORGET. */
START_TEST(t_direct_messages)
{
	struct srv *s;
	struct cl *a, *b, *c, *o;
	struct batch h;

	db_setup();
	{
		char conf[512];
		snprintf(conf, sizeof(conf),
		    "[accounts]\ndatabase = %s\n"
		    "[oper]\nname = admin\npassword = operpass\nhost = *\n",
		    dbpath);
		s = srv_start(conf);
	}
	a = hcl(s, "alice", CAPS);
	b = hcl(s, "bob", CAPS);
	c = hcl(s, "carol", CAPS);
	cl_send(a, "REGISTER alice * hunter22");
	cl_expect(a, "REGISTER SUCCESS alice ", HT);
	cl_send(b, "REGISTER bobacct * hunter22");
	cl_expect(b, "REGISTER SUCCESS bobacct ", HT);
	cl_send(a, "PRIVMSG bob :hi bob");
	cl_expect(b, "PRIVMSG bob :hi bob", LIVE_T);
	cl_send(b, "PRIVMSG alice :hi alice");
	cl_expect(a, "PRIVMSG alice :hi alice", LIVE_T);
	/* carol has no account: her DMs are not kept, she can ask nothing */
	cl_send(c, "PRIVMSG alice :from carol");
	cl_expect(a, "PRIVMSG alice :from carol", LIVE_T);
	cl_send(a, "CHATHISTORY LATEST bob * 10");
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 2);
	expect_text(&h, 0, ":alice!");
	expect_text(&h, 0, "PRIVMSG bob :hi bob");
	expect_text(&h, 1, "PRIVMSG alice :hi alice");
	/* the other side, by account name too */
	cl_send(b, "CHATHISTORY LATEST alice * 10");
	get_batch(b, &h);
	ck_assert_int_eq(h.n, 2);
	cl_send(a, "CHATHISTORY LATEST bobacct * 10");
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 2);
	cl_send(a, "CHATHISTORY LATEST carol * 10");
	cl_expect(a, "FAIL CHATHISTORY INVALID_TARGET LATEST carol :", LIVE_T);
	cl_send(c, "CHATHISTORY LATEST alice * 10");
	cl_expect(c, "FAIL CHATHISTORY INVALID_TARGET LATEST alice :", LIVE_T);
	/* TARGETS names the other account */
	cl_send(a,
	    "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z "
	    "timestamp=2100-01-01T00:00:00.000Z 10");
	get_batch(a, &h);
	ck_assert_int_eq(h.n, 1);
	ck_assert_msg(rx_match(h.line[0], "CHATHISTORY TARGETS bobacct [0-9]"), "%s", h.line[0]);
	/* HISTSERV FORGET: operators only; alice's lines go */
	cl_send(c, "HISTSERV FORGET alice");
	cl_expect(c, " 481 carol ", LIVE_T);
	o = cl_new(s, "oper");
	cl_send(o, "OPER admin operpass");
	cl_expect(o, " 381 oper ", LIVE_T);
	cl_send(o, "HISTSERV FORGET alice");
	cl_expect(o, "NOTICE oper :HISTSERV: 1 lines of alice erased", LIVE_T);
	cl_send(b, "CHATHISTORY LATEST alice * 10");
	get_batch(b, &h);
	ck_assert_int_eq(h.n, 1);
	expect_text(&h, 0, "PRIVMSG alice :hi alice");
	srv_stop(s);
}
END_TEST

/* History survives a restart (the database), and with a cache too small
 * for anything every query is a miss answered by the reader thread: the
 * lines are the ones the clients were sent. */
START_TEST(t_restart_and_cache_miss)
{
	char conf[256], ids[30][80];
	struct srv *s;
	struct cl *a, *b;
	struct batch h, h2;
	int i;

	db_setup();
	snprintf(conf, sizeof(conf), "[accounts]\ndatabase = %s\n", dbpath);
	s = srv_start(conf);
	a = hcl(s, "alice", CAPS);
	b = hcl(s, "bob", CAPS);
	hjoin(a, "#r");
	hjoin(b, "#r");
	say(a, b, "#r", "kept", 30, ids);
	cl_send(a, "CHATHISTORY LATEST #r * 30");
	get_batch(a, &h); /* from the cache */
	ck_assert_int_eq(h.n, 30);
	srv_stop(s);

	snprintf(conf, sizeof(conf), "[accounts]\ndatabase = %s\n[history]\ncache_size = 4096\n",
	    dbpath);
	s = srv_start(conf);
	a = hcl(s, "alice", CAPS);
	hjoin(a, "#r");
	cl_send(a, "CHATHISTORY LATEST #r * 30");
	get_batch(a, &h2);
	ck_assert_int_eq(h2.n, 30);
	for (i = 0; i < 30; i++) {
		ck_assert_str_eq(h2.msgid[i], ids[i]);
		ck_assert_str_eq(h2.line[i], h.line[i]);
	}
	/* new lines after the restart come after the old ones */
	b = hcl(s, "bob", CAPS);
	hjoin(b, "#r");
	say(a, b, "#r", "new", 40, NULL);
	/* the cache holds a few lines: these go to the disk */
	cl_send(a, "CHATHISTORY BEFORE #r msgid=%s 5", ids[10]);
	get_batch(a, &h2);
	ck_assert_int_eq(h2.n, 5);
	for (i = 0; i < 5; i++)
		ck_assert_str_eq(h2.msgid[i], ids[5 + i]);
	cl_send(a, "CHATHISTORY AFTER #r msgid=%s 3", ids[27]);
	get_batch(a, &h2);
	ck_assert_int_eq(h2.n, 3);
	ck_assert_str_eq(h2.msgid[0], ids[28]);
	ck_assert_str_eq(h2.msgid[1], ids[29]);
	expect_text(&h2, 2, "new 0");
	cl_send(a, "CHATHISTORY AROUND #r msgid=%s 4", ids[15]);
	get_batch(a, &h2);
	ck_assert_int_eq(h2.n, 4);
	ck_assert_str_eq(h2.msgid[0], ids[13]);
	ck_assert_str_eq(h2.msgid[2], ids[15]);
	cl_send(a, "CHATHISTORY BETWEEN #r msgid=%s msgid=%s 50", ids[20], ids[3]);
	get_batch(a, &h2);
	ck_assert_int_eq(h2.n, 16);
	ck_assert_str_eq(h2.msgid[0], ids[4]);
	ck_assert_str_eq(h2.msgid[15], ids[19]);
	cl_send(a, "CHATHISTORY LATEST #r * 50");
	get_batch(a, &h2);
	ck_assert_int_eq(h2.n, 50);
	ck_assert_str_eq(h2.msgid[0], ids[20]);
	expect_text(&h2, 49, "new 39");
	/* a labeled miss: the answer waits, then comes labeled, and the
	 * next command's reply after it */
	cl_send(a, "@label=m1 CHATHISTORY BEFORE #r msgid=%s 2", ids[2]);
	cl_send(a, "PING :after");
	cl_expect(a, "^@label=m1 :irc\\.test BATCH \\+[^ ]+ labeled-response", LIVE_T);
	cl_expect(a, "PRIVMSG #r :kept 0$", LIVE_T);
	cl_expect(a, "PRIVMSG #r :kept 1$", LIVE_T);
	cl_expect(a, ":irc\\.test BATCH -L", LIVE_T);
	cl_expect(a, "PONG [^ ]+ :after", LIVE_T);
	/* TARGETS from the disk */
	cl_send(a,
	    "CHATHISTORY TARGETS timestamp=2100-01-01T00:00:00.000Z "
	    "timestamp=2000-01-01T00:00:00.000Z 10");
	get_batch(a, &h2);
	ck_assert_int_eq(h2.n, 1);
	ck_assert_msg(rx_match(h2.line[0], "CHATHISTORY TARGETS #r [0-9]"), "%s", h2.line[0]);
	srv_stop(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("live_history");
	TCase *tc = live_tcase("history", 240);

	tcase_add_checked_fixture(tc, NULL, db_teardown);
	tcase_add_test(tc, t_subcommands);
	tcase_add_test(tc, t_errors_and_limit);
	tcase_add_test(tc, t_secret_and_optout);
	tcase_add_test(tc, t_event_playback);
	tcase_add_test(tc, t_join_playback);
	tcase_add_test(tc, t_direct_messages);
	tcase_add_test(tc, t_restart_and_cache_miss);
	suite_add_tcase(su, tc);
	return live_run(su);
}
