/* live_metadata.c - IRCv3 draft/metadata-3 on the real server (issue 12,
 * docs/METADATA.md): the capability and its values from [metadata], every
 * METADATA subcommand (GET LIST SET CLEAR SUB UNSUB SUBS SYNC) and every
 * FAIL code, permissions (self, channel operators, server operators),
 * delivery to subscribers who share a channel and to nobody else, the sync
 * on JOIN and its 774 past sync_members, and before-connect. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livelib.h"

#define CONF \
	"[metadata]\nmax_keys = 3\nmax_subs = 4\nmax_value_bytes = 20\n" \
	"[oper]\nname = admin\npassword = operpass\nhost = *\n"

/* mcl: a registered client with draft/metadata-3 and batch. */
static struct cl *
mcl(struct srv *s, const char *nick)
{
	struct cl *c = cl_connect(s->port);

	snprintf(c->name, sizeof(c->name), "%s", nick);
	cl_send(c, "CAP REQ :draft/metadata-3 batch");
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :Meta %s", nick, nick);
	cl_expect(c, "CAP [^ ]+ ACK :", LIVE_T);
	cl_send(c, "CAP END");
	cl_expect(c, " 001 ", LIVE_T);
	cl_expect(c, " (376|422) ", LIVE_T);
	/* the burst's own-metadata batch, empty */
	cl_expectf(c, ":irc\\.test BATCH \\+([^ ]+) metadata %s$", nick);
	cl_expect(c, ":irc\\.test BATCH -", LIVE_T);
	return c;
}

static void
mjoin(struct cl *c, const char *chan)
{
	cl_send(c, "JOIN %s", chan);
	cl_expectf(c, ":irc\\.test 366 %s %s ", c->name, rx_esc(chan));
}

START_TEST(t_cap_values)
{
	struct srv *s = srv_start(CONF);
	struct cl *a = cl_connect(s->port), *b;

	cl_send(a, "CAP LS 302");
	cl_expect(a,
	    "CAP \\* LS .*draft/metadata-3=before-connect,max-subs=4,max-keys=3,"
	    "max-value-bytes=20( |$)",
	    LIVE_T);
	cl_close(a);
	srv_stop(s);

	/* [metadata] enabled = no: not offered, the command unknown */
	s = srv_start("[metadata]\nenabled = no\n");
	a = cl_connect(s->port);
	cl_send(a, "CAP LS 302");
	cl_expect(a, "CAP \\* LS ", LIVE_T);
	ck_assert_msg(strstr(a->last, "metadata") == NULL, "%s", a->last);
	cl_send(a, "CAP END");
	cl_register(a, "plain");
	cl_send(a, "METADATA * LIST");
	cl_expect(a, " 421 plain METADATA ", LIVE_T);
	/* a client without the cap may still use the command */
	srv_stop(s);
	s = srv_start(CONF);
	b = cl_new(s, "nocap");
	cl_send(b, "METADATA * SET url :x");
	cl_expect(b, ":irc\\.test 761 nocap nocap url \\* :x$", LIVE_T);
	srv_stop(s);

	/* a key and its value together at most 350 bytes (one 761 line) */
	s = srv_start("[metadata]\nmax_value_bytes = 350\n");
	b = cl_new(s, "big");
	{
		char key[61], val[300];

		memset(key, 'k', 60);
		key[60] = '\0';
		memset(val, 'v', 290);
		val[290] = '\0';
		cl_send(b, "METADATA * SET %s :%s", key, val);
		cl_expectf(b, " 761 big big %s \\* :v{290}$", key);
		memset(val, 'v', 291);
		val[291] = '\0';
		cl_send(b, "METADATA * SET %s :%s", key, val);
		cl_expectf(b, "FAIL METADATA INVALID_VALUE %s :", key);
	}
	srv_stop(s);
}
END_TEST

START_TEST(t_user_keys)
{
	struct srv *s = srv_start(CONF);
	struct cl *a = mcl(s, "alice"), *b = mcl(s, "bob");

	/* SET, GET (self as * and by nick), value replaced in place */
	cl_send(a, "METADATA * SET Display-Name :Alice A");
	cl_expect(a, ":irc\\.test 761 alice alice display-name \\* :Alice A$", LIVE_T);
	cl_send(a, "METADATA alice SET url :http://a");
	cl_expect(a, " 761 alice alice url \\* :http://a$", LIVE_T);
	cl_send(a, "METADATA * SET display-name :Alice B");
	cl_expect(a, " 761 alice alice display-name \\* :Alice B$", LIVE_T);
	cl_send(a, "METADATA * GET display-name nope");
	cl_expect(a, ":irc\\.test BATCH \\+[^ ]+ metadata alice$", LIVE_T);
	cl_expect(a, "^@batch=[^ ]+ :irc\\.test 761 alice alice display-name \\* :Alice B$",
	    LIVE_T);
	cl_expect(a, "^@batch=[^ ]+ :irc\\.test 766 alice alice nope :key not set$", LIVE_T);
	cl_expect(a, ":irc\\.test BATCH -", LIVE_T);
	/* anyone reads a user's pairs; LIST in SET order */
	cl_send(b, "METADATA alice LIST");
	cl_expect(b, "BATCH \\+[^ ]+ metadata alice$", LIVE_T);
	cl_expect(b, " 761 bob alice display-name \\* :Alice B$", LIVE_T);
	cl_expect(b, " 761 bob alice url \\* :http://a$", LIVE_T);
	cl_expect(b, "BATCH -", LIVE_T);
	/* nothing was sent to bob by alice's SETs (no subscription) */
	cl_expect_none(b, " 76[16] bob alice ", LIVE_T);
	/* others may not SET or CLEAR */
	cl_send(b, "METADATA alice SET url :evil");
	cl_expect(b, "FAIL METADATA KEY_NO_PERMISSION alice url :", LIVE_T);
	cl_send(b, "METADATA alice CLEAR");
	cl_expect(b, "FAIL METADATA KEY_NO_PERMISSION alice \\* :", LIVE_T);
	/* errors */
	cl_send(a, "METADATA * SET $url :x");
	cl_expect(a, "FAIL METADATA INVALID_KEY \\$url :", LIVE_T);
	/* a key that is no parameter is echoed as "*" */
	cl_send(a, "METADATA * GET :bad key");
	cl_expect(a, "FAIL METADATA INVALID_KEY \\* :", LIVE_T);
	cl_send(a, "METADATA nobody LIST");
	cl_expect(a, "FAIL METADATA INVALID_TARGET nobody :", LIVE_T);
	cl_send(a, "METADATA #nochan GET url");
	cl_expect(a, "FAIL METADATA INVALID_TARGET #nochan :", LIVE_T);
	cl_send(a, "METADATA * SET url :123456789012345678901");
	cl_expect(a, "FAIL METADATA INVALID_VALUE url :", LIVE_T);
	cl_send_raw(a, "METADATA * SET url :bad \xc3\r\n",
	    strlen("METADATA * SET url :bad \xc3\r\n"));
	cl_expect(a, "FAIL METADATA INVALID_VALUE url :", LIVE_T);
	cl_send(a, "METADATA * SET k3 :three");
	cl_expect(a, " 761 alice alice k3 \\* :three$", LIVE_T);
	cl_send(a, "METADATA * SET k4 :four");
	cl_expect(a, "FAIL METADATA LIMIT_REACHED SET alice :", LIVE_T);
	cl_send(a, "METADATA * DESTROY");
	cl_expect(a, "FAIL METADATA INVALID_PARAMS DESTROY :", LIVE_T);
	cl_send(a, "METADATA * GET");
	cl_expect(a, " 461 alice METADATA ", LIVE_T);
	cl_send(a, "METADATA *");
	cl_expect(a, " 461 alice METADATA ", LIVE_T);
	/* the value is unchanged after the failures */
	cl_send(b, "METADATA alice GET url");
	cl_expect(b, " 761 bob alice url \\* :http://a$", LIVE_T);
	/* SET without a value removes; again: still 766 (idempotent) */
	cl_send(a, "METADATA * SET url");
	cl_expect(a, ":irc\\.test 766 alice alice url :key not set$", LIVE_T);
	cl_send(a, "METADATA * SET url");
	cl_expect(a, ":irc\\.test 766 alice alice url :key not set$", LIVE_T);
	/* CLEAR: one 766 per key in a batch, then LIST is empty */
	cl_send(a, "METADATA * CLEAR");
	cl_expect(a, "BATCH \\+[^ ]+ metadata alice$", LIVE_T);
	cl_expect(a, " 766 alice alice display-name :", LIVE_T);
	cl_expect(a, " 766 alice alice k3 :", LIVE_T);
	cl_expect(a, "BATCH -", LIVE_T);
	cl_send(a, "METADATA * LIST");
	cl_expect(a, "BATCH \\+[^ ]+ metadata alice$", LIVE_T);
	cl_expect(a, ":irc\\.test BATCH -", LIVE_T);
	/* an operator may set and clear another user's keys; alice hears of
	 * it when subscribed */
	cl_send(a, "METADATA * SUB note");
	cl_expect(a, " 770 alice :note$", LIVE_T);
	cl_send(b, "OPER admin operpass");
	cl_expect(b, " 381 ", LIVE_T);
	cl_send(b, "METADATA alice SET note :set by oper");
	cl_expect(b, " 761 bob alice note \\* :set by oper$", LIVE_T);
	cl_expect(a, ":irc\\.test 761 alice alice note \\* :set by oper$", LIVE_T);
	cl_send(b, "METADATA alice CLEAR");
	cl_expect(b, " 766 bob alice note :", LIVE_T);
	cl_expect(a, ":irc\\.test 766 alice alice note :", LIVE_T);
	srv_stop(s);
}
END_TEST

START_TEST(t_subscriptions)
{
	struct srv *s = srv_start(CONF);
	struct cl *a = mcl(s, "alice"), *b = mcl(s, "bob"), *c = mcl(s, "carol");

	/* SUB in order, bad keys skipped, the limit stops processing */
	cl_send(b, "METADATA * SUB avatar $bad Display-Name");
	cl_expect(b, "FAIL METADATA INVALID_KEY \\$bad :", LIVE_T);
	cl_expect(b, " 770 bob :avatar display-name$", LIVE_T);
	cl_send(b, "METADATA * SUB avatar k3 k4 k5 k6");
	cl_expect(b, "FAIL METADATA LIMIT_REACHED SUB k5 :", LIVE_T);
	cl_expect(b, " 770 bob :avatar k3 k4$", LIVE_T);
	cl_send(b, "METADATA * SUBS");
	cl_expect(b, " 772 bob :avatar display-name k3 k4$", LIVE_T);
	cl_send(b, "METADATA * UNSUB k3 k4 never $x");
	cl_expect(b, "FAIL METADATA INVALID_KEY \\$x :", LIVE_T);
	cl_expect(b, " 771 bob :k3 k4 never$", LIVE_T);
	cl_send(b, "METADATA * SUBS");
	cl_expect(b, " 772 bob :avatar display-name$", LIVE_T);
	cl_send(c, "METADATA * SUBS");
	cl_expect_none(c, " 772 ", LIVE_T);
	cl_send(c, "METADATA * SUB display-name");
	cl_expect(c, " 770 carol :display-name$", LIVE_T);

	/* not sharing a channel: bob hears nothing of alice's change */
	cl_send(a, "METADATA * SET display-name :Alice");
	cl_expect(a, " 761 alice alice display-name ", LIVE_T);
	cl_expect_none(b, " 76[16] bob alice ", LIVE_T);

	/* bob joins after alice: the join sync gives alice's pair */
	mjoin(a, "#m");
	cl_send(b, "JOIN #m");
	cl_expect(b, "BATCH \\+[^ ]+ metadata #m$", LIVE_T);
	cl_expect(b, "^@batch=[^ ]+ :irc\\.test 761 bob alice display-name \\* :Alice$", LIVE_T);
	cl_expect(b, "BATCH -", LIVE_T);
	cl_expect(b, " 366 bob #m ", LIVE_T);
	/* carol joins too: her sync has alice's pair */
	cl_send(c, "JOIN #m");
	cl_expect(c, " 761 carol alice display-name \\* :Alice$", LIVE_T);
	cl_expect(c, " 366 carol #m ", LIVE_T);
	/* a change reaches the subscribers sharing #m, not its author */
	cl_send(a, "METADATA * SET display-name :Alice 2");
	cl_expect(a, " 761 alice alice display-name \\* :Alice 2$", LIVE_T);
	cl_expect(b, ":irc\\.test 761 bob alice display-name \\* :Alice 2$", LIVE_T);
	cl_expect(c, ":irc\\.test 761 carol alice display-name \\* :Alice 2$", LIVE_T);
	cl_expect_none(a, " 761 alice alice display-name \\* :Alice 2$", LIVE_T);
	/* unsubscribed keys are not delivered */
	cl_send(a, "METADATA * SET other :x");
	cl_expect(a, " 761 alice alice other ", LIVE_T);
	cl_expect_none(b, " other ", LIVE_T);
	/* removal: 766 to the subscribers */
	cl_send(a, "METADATA * SET display-name");
	cl_expect(b, ":irc\\.test 766 bob alice display-name :key not set$", LIVE_T);
	cl_expect(c, ":irc\\.test 766 carol alice display-name :", LIVE_T);
	/* SUB while in channels: 774 asks for a SYNC of each */
	cl_send(b, "METADATA * SUB url");
	cl_expect(b, " 770 bob :url$", LIVE_T);
	cl_expect(b, " 774 bob #m 0$", LIVE_T);
	/* after leaving, nothing more */
	cl_send(b, "PART #m");
	cl_expect(b, " PART #m", LIVE_T);
	cl_send(a, "METADATA * SET avatar :a.png");
	cl_expect(a, " 761 alice alice avatar ", LIVE_T);
	cl_expect_none(b, " avatar ", LIVE_T);
	srv_stop(s);
}
END_TEST

START_TEST(t_channel_keys)
{
	struct srv *s = srv_start(CONF);
	struct cl *a = mcl(s, "alice"), *b = mcl(s, "bob"), *c = mcl(s, "carol");

	cl_send(b, "METADATA * SUB url");
	cl_expect(b, " 770 bob :url$", LIVE_T);
	cl_send(c, "METADATA * SUB url");
	cl_expect(c, " 770 carol :url$", LIVE_T);
	mjoin(a, "#c");
	/* the operator sets; a member who is not may not */
	cl_send(a, "METADATA #c SET url :http://c");
	cl_expect(a, ":irc\\.test 761 alice #c url \\* :http://c$", LIVE_T);
	mjoin(b, "#c");
	cl_expect_none(b, "FAIL", LIVE_T);
	cl_send(b, "METADATA #c SET url :mine");
	cl_expect(b, "FAIL METADATA KEY_NO_PERMISSION #c url :", LIVE_T);
	cl_send(b, "METADATA #c CLEAR");
	cl_expect(b, "FAIL METADATA KEY_NO_PERMISSION #c \\* :", LIVE_T);
	/* members read it; non-members do not, by GET, LIST or SYNC */
	cl_send(b, "METADATA #c GET url");
	cl_expect(b, " 761 bob #c url \\* :http://c$", LIVE_T);
	cl_send(c, "METADATA #c GET url");
	cl_expect(c, "FAIL METADATA KEY_NO_PERMISSION #c url :", LIVE_T);
	cl_send(c, "METADATA #c LIST");
	cl_expect(c, "FAIL METADATA KEY_NO_PERMISSION #c \\* :", LIVE_T);
	cl_send(c, "METADATA #c SYNC");
	cl_expect(c, "FAIL METADATA KEY_NO_PERMISSION #c \\* :", LIVE_T);
	cl_expect_none(c, "http://c", LIVE_T);
	/* a change goes to the subscribed members only */
	cl_send(a, "METADATA #c SET url :http://c2");
	cl_expect(b, ":irc\\.test 761 bob #c url \\* :http://c2$", LIVE_T);
	cl_expect_none(c, "http://c2", LIVE_T);
	/* the JOIN sync gives the channel's pair */
	cl_send(c, "JOIN #c");
	cl_expect(c, "BATCH \\+[^ ]+ metadata #c$", LIVE_T);
	cl_expect(c, " 761 carol #c url \\* :http://c2$", LIVE_T);
	cl_expect(c, " 366 carol #c ", LIVE_T);
	/* SYNC by a member: the channel's and the members' subscribed pairs */
	cl_send(a, "METADATA * SET url :http://alice");
	cl_expect(a, " 761 alice alice url ", LIVE_T);
	cl_expect(c, " 761 carol alice url \\* :http://alice$", LIVE_T);
	cl_send(c, "METADATA #c SYNC");
	cl_expect(c, "BATCH \\+[^ ]+ metadata #c$", LIVE_T);
	cl_expect(c, " 761 carol #c url \\* :http://c2$", LIVE_T);
	cl_expect(c, " 761 carol alice url \\* :http://alice$", LIVE_T);
	cl_expect(c, "BATCH -", LIVE_T);
	/* SYNC of a user */
	cl_send(c, "METADATA alice SYNC");
	cl_expect(c, "BATCH \\+[^ ]+ metadata alice$", LIVE_T);
	cl_expect(c, " 761 carol alice url \\* :http://alice$", LIVE_T);
	cl_expect(c, "BATCH -", LIVE_T);
	/* CLEAR by the operator: 766 to her in a batch, 766 to subscribers */
	cl_send(a, "METADATA #c CLEAR");
	cl_expect(a, "BATCH \\+[^ ]+ metadata #c$", LIVE_T);
	cl_expect(a, " 766 alice #c url :", LIVE_T);
	cl_expect(b, ":irc\\.test 766 bob #c url :", LIVE_T);
	cl_expect(c, ":irc\\.test 766 carol #c url :", LIVE_T);
	/* a server operator may set on any channel */
	cl_send(c, "OPER admin operpass");
	cl_expect(c, " 381 ", LIVE_T);
	cl_send(c, "PART #c");
	cl_expect(c, " PART #c", LIVE_T);
	cl_send(c, "METADATA #c SET url :by oper");
	cl_expect(c, " 761 carol #c url \\* :by oper$", LIVE_T);
	cl_expect(b, ":irc\\.test 761 bob #c url \\* :by oper$", LIVE_T);
	srv_stop(s);

	/* sync_members = 1: a JOIN into a bigger channel gets 774 instead */
	s = srv_start("[metadata]\nsync_members = 1\n");
	a = mcl(s, "alice");
	b = mcl(s, "bob");
	cl_send(b, "METADATA * SUB url");
	cl_expect(b, " 770 bob :url$", LIVE_T);
	mjoin(a, "#big");
	cl_send(a, "METADATA #big SET url :u");
	cl_expect(a, " 761 alice #big url ", LIVE_T);
	cl_send(b, "JOIN #big");
	cl_expect(b, ":irc\\.test 774 bob #big 1$", LIVE_T);
	cl_expect(b, " 366 bob #big ", LIVE_T);
	cl_send(b, "METADATA #big SYNC");
	cl_expect(b, " 761 bob #big url \\* :u$", LIVE_T);
	srv_stop(s);
}
END_TEST

START_TEST(t_before_connect)
{
	struct srv *s = srv_start(CONF);
	struct cl *a = cl_connect(s->port), *p = cl_connect(s->port), *b;

	snprintf(a->name, sizeof(a->name), "early");
	cl_send(a, "CAP LS 302");
	cl_expect(a, "CAP \\* LS ", LIVE_T);
	cl_send(a, "CAP REQ :draft/metadata-3 batch");
	cl_expect(a, "CAP \\* ACK ", LIVE_T);
	cl_send(a, "METADATA * SET display-name :Early Bird");
	cl_expect(a, ":irc\\.test 761 \\* \\* display-name \\* :Early Bird$", LIVE_T);
	cl_send(a, "METADATA * SUB avatar");
	cl_expect(a, " 770 \\* :avatar$", LIVE_T);
	/* only "*" and no SYNC before registration */
	cl_send(a, "METADATA * SYNC");
	cl_expect(a, " 451 \\* ", LIVE_T);
	cl_send(a, "METADATA someone GET x");
	cl_expect(a, " 451 \\* ", LIVE_T);
	/* without the capability: not registered */
	cl_send(p, "METADATA * SET a :b");
	cl_expect(p, " 451 \\* ", LIVE_T);
	cl_send(a, "NICK early");
	cl_send(a, "USER early 0 * :E");
	cl_send(a, "CAP END");
	cl_expect(a, " 001 early ", LIVE_T);
	cl_expect(a, ":irc\\.test BATCH \\+[^ ]+ metadata early$", LIVE_T);
	cl_expect(a, "^@batch=[^ ]+ :irc\\.test 761 early early display-name \\* :Early Bird$",
	    LIVE_T);
	cl_expect(a, ":irc\\.test BATCH -", LIVE_T);
	cl_send(a, "METADATA * SUBS");
	cl_expect(a, " 772 early :avatar$", LIVE_T);
	b = cl_new(s, "other");
	cl_send(b, "METADATA early GET display-name");
	cl_expect(b, " 761 other early display-name \\* :Early Bird$", LIVE_T);
	srv_stop(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("live_metadata");
	TCase *tc = live_tcase("metadata", 120);

	tcase_add_test(tc, t_cap_values);
	tcase_add_test(tc, t_user_keys);
	tcase_add_test(tc, t_subscriptions);
	tcase_add_test(tc, t_channel_keys);
	tcase_add_test(tc, t_before_connect);
	suite_add_tcase(su, tc);
	return live_run(su);
}
