/* test_h_message.c - PRIVMSG, NOTICE and AWAY through the in-process
 * harness. RFC 2812 §3.3 and §4.1, Modern IRC "PRIVMSG message", "NOTICE
 * message", "AWAY message", ISUPPORT TARGMAX and STATUSMSG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/server.h"
#include "cmd/account.h"

#include "harness.h"

START_TEST(privmsg_user)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "PRIVMSG bob :hello there: friend");
	fc_expect(b, PFX("alice") "PRIVMSG bob :hello there: friend$");
	/* the sender gets no echo */
	fc_expect_none(a, "PRIVMSG");
	/* nick lookup is case-insensitive; the target shown is the real nick */
	fc_send(a, "PRIVMSG BOB :again");
	fc_expect(b, PFX("alice") "PRIVMSG bob :again$");
	/* a single-word text without a colon */
	fc_send(a, "PRIVMSG bob word");
	fc_expect(b, PFX("alice") "PRIVMSG bob :?word$");
	h_free(h);
}
END_TEST

START_TEST(privmsg_channel)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol"),
		  *d = fc_new(h, "dave");

	fc_send(a, "JOIN #c");
	fc_send(b, "JOIN #c");
	fc_send(c, "JOIN #c");
	fc_clear(a);
	fc_clear(b);
	fc_clear(c);
	fc_send(a, "PRIVMSG #C :to all");
	fc_expect(b, PFX("alice") "PRIVMSG #c :to all$");
	fc_expect(c, PFX("alice") "PRIVMSG #c :to all$");
	fc_expect_none(a, "to all");
	fc_expect_none(d, "to all");
	h_free(h);
}
END_TEST

/* Modern IRC: 401 no such nick/channel, 411 no recipient, 412 no text,
 * 404 cannot send. */
START_TEST(privmsg_errors)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "PRIVMSG nobody :x");
	fc_expect(a, NUM("401", "alice") "nobody :");
	fc_send(a, "PRIVMSG #nochan :x");
	fc_expect(a, NUM("(401|403)", "alice") "#nochan :");
	fc_send(a, "PRIVMSG");
	fc_expect(a, NUM("(411|461)", "alice"));
	fc_send(a, "PRIVMSG bob");
	fc_expect(a, NUM("412", "alice") ":");
	fc_send(a, "PRIVMSG bob :");
	fc_expect(a, NUM("412", "alice") ":");
	fc_expect_none(b, "PRIVMSG");
	fc_send(b, "JOIN #n");
	fc_send(b, "MODE #n +n");
	fc_send(a, "PRIVMSG #n :outside");
	fc_expect(a, NUM("404", "alice") "#n :");
	fc_expect_none(b, "outside");
	h_free(h);
}
END_TEST

/* RFC 2812 §3.3.2: "automatic replies MUST NEVER be sent in response to a
 * NOTICE message" - no errors, no RPL_AWAY. */
START_TEST(notice_no_errors)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(b, "JOIN #n");
	fc_send(b, "MODE #n +n");
	fc_send(b, "AWAY :gone fishing");
	fc_clear(b);
	fc_send(a, "NOTICE nobody :x");
	fc_send(a, "NOTICE #nochan :x");
	fc_send(a, "NOTICE");
	fc_send(a, "NOTICE bob");
	fc_send(a, "NOTICE bob :");
	fc_send(a, "NOTICE #n :outside");
	fc_send(a, "NOTICE a,b,c,d,e,f :too many");
	fc_send(a, "NOTICE bob :are you there");
	fc_expect(b, PFX("alice") "NOTICE bob :are you there$");
	/* the gate's 461 is an error reply too */
	ck_assert_uint_eq(fc_count(a, "^:irc\\.test [0-9]{3} "), 0);
	fc_expect_none(b, "outside");
	h_free(h);
}
END_TEST

START_TEST(notice_delivery)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "JOIN #c");
	fc_send(b, "JOIN #c");
	fc_clear(b);
	fc_send(a, "NOTICE #c :channel notice");
	fc_expect(b, PFX("alice") "NOTICE #c :channel notice$");
	fc_send(a, "NOTICE bob :private notice");
	fc_expect(b, PFX("alice") "NOTICE bob :private notice$");
	h_free(h);
}
END_TEST

/* RFC 2812 §4.1 AWAY: 306 / 305; PRIVMSG to an away user gets 301. */
START_TEST(away)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(b, "AWAY :out for lunch");
	fc_expect(b, NUM("306", "bob") ":");
	fc_send(a, "PRIVMSG bob :hi");
	fc_expect(a, NUM("301", "alice") "bob :out for lunch$");
	fc_expect(b, PFX("alice") "PRIVMSG bob :hi$");
	fc_send(b, "AWAY");
	fc_expect(b, NUM("305", "bob") ":");
	fc_send(a, "PRIVMSG bob :back?");
	fc_expect(b, "back\\?");
	fc_expect_none(a, " 301 ");
	/* AWAY with an empty text also unsets */
	fc_send(b, "AWAY :x");
	fc_send(b, "AWAY :");
	fc_expect(b, NUM("305", "bob") ":");
	h_free(h);
}
END_TEST

/* AWAYLEN=200: a longer message is cut. */
START_TEST(away_len)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	char msg[260];

	memset(msg, 'z', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	fc_send(b, "AWAY :%s", msg);
	fc_send(a, "PRIVMSG bob :hi");
	fc_expect(a, NUM("301", "alice") "bob :z{200}$");
	h_free(h);
}
END_TEST

/* TARGMAX PRIVMSG:4: several targets each get the message; past the
 * limit 407. */
START_TEST(multiple_targets)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol");

	fc_send(a, "PRIVMSG bob,carol :both");
	fc_expect(b, PFX("alice") "PRIVMSG bob :both$");
	fc_expect(c, PFX("alice") "PRIVMSG carol :both$");
	fc_send(a, "PRIVMSG bob,nobody :partial");
	fc_expect(b, "partial$");
	fc_expect(a, NUM("401", "alice") "nobody :");
	fc_send(a, "PRIVMSG x1,x2,x3,x4,bob :five");
	fc_expect(a, NUM("407", "alice") "bob :");
	fc_expect_none(b, "five");
	h_free(h);
}
END_TEST

/* Issue 9 item 5: duplicate targets (after casefolding) are merged:
 * "PRIVMSG #c,#c,#C,#c" delivers one copy to each member (it delivered 4),
 * and duplicates do not count against TARGMAX. TAGMSG and NOTICE too. */
START_TEST(duplicate_targets_merged)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #c");
	fc_send(b, "JOIN #c");
	fc_expect(b, NUM("366", "bob") "#c :");
	fc_send(b, "CAP REQ message-tags");
	fc_clear(a);
	fc_clear(b);
	fc_send(a, "PRIVMSG #c,#c,#C,#c :once");
	ck_assert_uint_eq(fc_count(b, ":alice![^ ]+ PRIVMSG #c :once$"), 1);
	fc_send(a, "NOTICE #c,#C :n");
	ck_assert_uint_eq(fc_count(b, ":alice![^ ]+ NOTICE #c :n$"), 1);
	fc_send(a, "@+x=y TAGMSG #c,#c");
	ck_assert_uint_eq(fc_count(b, "TAGMSG #c$"), 1);
	fc_send(a, "PRIVMSG carol,CAROL,Carol :one");
	ck_assert_uint_eq(fc_count(c, PFX("alice") "PRIVMSG carol :one$"), 1);
	/* 6 items, 4 distinct: within TARGMAX PRIVMSG:4, no 407 */
	fc_send(a, "PRIVMSG carol,#c,carol,bob,#C,x1 :four");
	fc_expect(c, "four$");
	fc_expect(b, "PRIVMSG bob :four$");
	fc_expect(a, NUM("401", "alice") "x1 :");
	fc_expect_none(a, " 407 ");
	/* a fifth distinct target is refused with 407 */
	fc_send(a, "TAGMSG x1,x2,x3,x4,#c");
	fc_expect(a, NUM("407", "alice") "#c :");
	h_free(h);
}
END_TEST

/* STATUSMSG=@+: "@#chan" reaches only the operators. */
START_TEST(statusmsg)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #s");
	fc_send(b, "JOIN #s");
	fc_send(c, "JOIN #s");
	h_run(h);
	fc_send(a, "MODE #s +v carol");
	fc_expect(c, "MODE #s \\+v carol");
	fc_clear(a);
	fc_clear(b);
	fc_clear(c);
	fc_send(b, "PRIVMSG @#s :ops only");
	fc_expect(a, PFX("bob") "PRIVMSG @#s :ops only$");
	fc_expect_none(c, "ops only");
	fc_expect_none(b, "ops only");
	fc_send(b, "PRIVMSG +#s :voiced and ops");
	fc_expect(a, PFX("bob") "PRIVMSG \\+#s :voiced and ops$");
	fc_expect(c, PFX("bob") "PRIVMSG \\+#s :voiced and ops$");
	h_free(h);
}
END_TEST

/* Text with CR/LF cannot reach a client: lines are split by the server on
 * input, so a peer only sees what was in one line. The 512-byte output
 * limit holds for a long message with a long prefix (harness check). */
START_TEST(long_message_relayed)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice_with_a_long_nick_30chars"), *b = fc_new(h, "bob");
	char text[600];
	const char *l;

	memset(text, 'm', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	/* as long as the 510-byte input limit allows */
	text[510 - strlen("PRIVMSG bob :")] = '\0';
	fc_send(a, "PRIVMSG bob :%s", text);
	l = fc_expect(b, "PRIVMSG bob :m+$");
	ck_assert_uint_le(strlen(l), 510);
	h_free(h);
}
END_TEST

/* account_tag_forms: IRCv3 account-tag: a logged-in sender's messages
 * carry "account=<name>" for clients with account-tag (with or without
 * message-tags and server-time, in the order time, account, msgid), and
 * not for the others; a channel message and a private one alike. Run
 * over bufferevent pairs (send_line) and sockets (the shared turn-buffer
 * forms of a broadcast). */
static void
account_tag_forms(struct harness *h)
{
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol"),
		  *d = fc_new(h, "dave"), *e = fc_new(h, "eve");

	fc_send(b, "CAP REQ :account-tag");
	fc_send(c, "CAP REQ :account-tag message-tags server-time");
	fc_send(e, "CAP REQ :message-tags");
	fc_send(a, "JOIN #t");
	fc_send(b, "JOIN #t");
	fc_send(c, "JOIN #t");
	fc_send(d, "JOIN #t");
	fc_send(e, "JOIN #t");
	fc_clear(b);
	fc_clear(c);
	fc_clear(d);
	fc_clear(e);
	fc_send(a, "PRIVMSG #t :not yet");
	fc_expect(b, "^:alice![^ ]+ PRIVMSG #t :not yet$");
	fc_expect(c, "^@time=[0-9T:.-]+Z;msgid=[^ ;]+ :alice![^ ]+ PRIVMSG #t :not yet$");
	account_login(fc_client(a), "ali;ce");
	fc_send(a, "PRIVMSG #t :tagged");
	fc_expect(b, "^@account=ali\\\\:ce :alice![^ ]+ PRIVMSG #t :tagged$");
	fc_expect(c,
	    "^@time=[0-9T:.-]+Z;account=ali\\\\:ce;msgid=[^ ;]+ :alice![^ ]+ PRIVMSG "
	    "#t :tagged$");
	fc_expect(d, "^:alice![^ ]+ PRIVMSG #t :tagged$");
	fc_expect(e, "^@msgid=[^ ;]+ :alice![^ ]+ PRIVMSG #t :tagged$");
	fc_send(a, "PRIVMSG bob :private");
	fc_expect(b, "^@account=ali\\\\:ce :alice![^ ]+ PRIVMSG bob :private$");
	fc_send(a, "PRIVMSG dave :private");
	fc_expect(d, "^:alice![^ ]+ PRIVMSG dave :private$");
	/* logged out: no tag */
	account_login(fc_client(a), NULL);
	fc_send(a, "NOTICE #t :untagged");
	fc_expect(b, "^:alice![^ ]+ NOTICE #t :untagged$");
	h_free(h);
}

START_TEST(account_tag)
{
	account_tag_forms(h_new());
	account_tag_forms(h_new_sock());
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_message");
	TCase *tc;

	tc = h_tcase(s, "privmsg", 10);
	tcase_add_test(tc, privmsg_user);
	tcase_add_test(tc, privmsg_channel);
	tcase_add_test(tc, privmsg_errors);
	tcase_add_test(tc, multiple_targets);
	tcase_add_test(tc, duplicate_targets_merged);
	tcase_add_test(tc, statusmsg);
	tcase_add_test(tc, long_message_relayed);
	tc = h_tcase(s, "notice", 10);
	tcase_add_test(tc, notice_no_errors);
	tcase_add_test(tc, notice_delivery);
	tc = h_tcase(s, "away", 10);
	tcase_add_test(tc, away);
	tcase_add_test(tc, away_len);
	tcase_add_test(tc, account_tag);
	return h_run_suite(s);
}
