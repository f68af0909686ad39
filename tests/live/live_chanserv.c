/* live_chanserv.c - the built-in ChanServ on the real server (issue 11,
 * docs/ACCOUNTS.md "ChanServ"): every command and its refusals, +o/+v on
 * join and on login for members with access, and a registered channel's
 * kept state (modes, key, limit, topic, bans) restored when the channel is
 * created again, before and after a restart; INVITE, UNBAN and GETKEY.
 *
 * Accounts are seeded into the database by the test (SQLite itself), with
 * plain-text passwords, which the server compares at once (core/password.h
 * password_check): no argon2id hash is made or checked, so the test runs in
 * seconds under valgrind too. The database lives in a temp dir of the test
 * so that a second server can open it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "livelib.h"

#define CS(nick) "^:ChanServ!ChanServ@services\\. NOTICE " nick " :"

static char dbdir[64], dbpath[128];

static const char *
conf(void)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
	    "[accounts]\ndatabase = %s\n"
	    "[oper]\nname = admin\npassword = operpass\nhost = *\n",
	    dbpath);
	return buf;
}

static void
db_teardown(void)
{
	live_db_teardown(dbdir);
}

/* seed: a database with the server's schema (one start and stop makes it)
 * and the accounts alice, bob, carol, dave, erin, whose passwords are
 * "pw-<name>" in plain text; then the server that serves the test. */
static struct srv *
seed_and_start(void)
{
	static const char *const names[] = { "alice", "bob", "carol", "dave", "erin" };
	struct srv *s;
	sqlite3 *db;
	char sql[256];
	size_t i;

	live_db_setup(dbdir, sizeof(dbdir), dbpath, sizeof(dbpath), "cs", "accounts.db");
	s = srv_start(conf());
	srv_stop(s);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(sql, sizeof(sql),
		    "INSERT INTO accounts (folded, name, hash, created) "
		    "VALUES ('%s', '%s', 'pw-%s', 1000)",
		    names[i], names[i], names[i]);
		ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s",
		    sqlite3_errmsg(db));
	}
	sqlite3_close(db);
	return srv_start(conf());
}

/* login: a client called nick, logged in to the account of the same name
 * through NickServ IDENTIFY. */
static struct cl *
login(struct srv *s, const char *nick)
{
	struct cl *c = cl_new(s, nick);

	cl_send(c, "PRIVMSG NickServ :IDENTIFY pw-%s", nick);
	cl_expectf(c, SRV "900 %s ", nick);
	cl_expectf(c, "^:NickServ![^ ]+ NOTICE %s :You are now identified for %s\\.", nick, nick);
	return c;
}

START_TEST(t_register_info_drop)
{
	struct srv *s = seed_and_start();
	struct cl *a = login(s, "alice"), *d = login(s, "dave"), *u = cl_new(s, "anon");
	struct cl *o = cl_new(s, "oper1"), *b;

	cl_send(u, "PRIVMSG ChanServ :HELP");
	cl_expect(u, CS("anon") "\\*+ ChanServ Help \\*+", LIVE_T);
	cl_expect(u, CS("anon") "REGISTER +REGISTER <#channel>", LIVE_T);
	cl_expect(u, CS("anon") "ACCESS +ACCESS <#channel> ADD", LIVE_T);
	cl_expect(u, CS("anon") "\\*+ End of Help", LIVE_T);
	cl_send(u, "PRIVMSG ChanServ :HELP op");
	cl_expect(u, CS("anon") "Help for OP:", LIVE_T);
	cl_expect(u, CS("anon") "Syntax: OP <#channel> \\[nick\\]", LIVE_T);
	cl_send(u, "PRIVMSG ChanServ :HELP bogus");
	cl_expect(u, CS("anon") "No help available for bogus\\.", LIVE_T);
	cl_send(u, "PRIVMSG ChanServ :BOGUS");
	cl_expect(u, CS("anon") "Invalid command\\. Use /msg ChanServ HELP", LIVE_T);
	/* the nick is taken; a NOTICE to it gets no answer */
	cl_send(u, "NICK ChanServ");
	cl_expect(u, SRV "433 anon ChanServ ", LIVE_T);
	cl_send(u, "NOTICE ChanServ :HELP");
	cl_expect_none(u, "ChanServ", 500);

	cl_join(a, "#reg");
	cl_join(u, "#reg");
	cl_send(u, "PRIVMSG ChanServ :REGISTER #reg");
	cl_expect(u, CS("anon") "You are not logged in\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :REGISTER");
	cl_expect(a, CS("alice") "Insufficient parameters for REGISTER\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :REGISTER &local");
	cl_expect(a, CS("alice") "&local is not a valid channel name\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :REGISTER #nowhere");
	cl_expect(a, CS("alice") "The channel #nowhere must exist in order to register it\\.",
	    LIVE_T);
	cl_join(d, "#reg");
	cl_send(d, "PRIVMSG ChanServ :REGISTER #reg");
	cl_expect(d, CS("dave") "You must be a channel operator in #reg in order to register it\\.",
	    LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :REGISTER #REG");
	cl_expect(a, CS("alice") "#reg is now registered to alice\\.", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :REGISTER #reg");
	cl_expect(d, CS("dave") "#reg is already registered to alice\\.", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :INFO #Reg");
	cl_expect(d, CS("dave") "Information on #reg:", LIVE_T);
	cl_expect(d, CS("dave") "Founder    : alice$", LIVE_T);
	cl_expect(d, CS("dave") "Registered : [A-Z][a-z]{2} [0-9]{2} [0-9:]{8} [0-9]{4} \\(UTC\\)",
	    LIVE_T);
	cl_expect(d, CS("dave") "Flags      : KEEPTOPIC$", LIVE_T);
	cl_expect(d, CS("dave") "\\*\\*\\* End of Info \\*\\*\\*", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :INFO #none");
	cl_expect(d, CS("dave") "#none is not registered\\.", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :INFO");
	cl_expect(d, CS("dave") "Insufficient parameters", LIVE_T);

	/* SET: the founder only */
	cl_send(d, "PRIVMSG ChanServ :SET #reg KEEPTOPIC OFF");
	cl_expect(d, CS("dave") "You are not authorized to perform this operation\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :SET #reg KEEPTOPIC");
	cl_expect(a, CS("alice") "Syntax: SET <#channel> KEEPTOPIC <ON\\|OFF>", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :SET #reg KEEPTOPIC OFF");
	cl_expect(a, CS("alice") "The KEEPTOPIC flag has been removed for #reg\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :INFO #reg");
	cl_expect(a, CS("alice") "Flags      : \\(none\\)", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :SET #reg keeptopic on");
	cl_expect(a, CS("alice") "The KEEPTOPIC flag has been set for #reg\\.", LIVE_T);

	/* at most CHANSERV_MAX_PER_ACCOUNT (10) channels per founder */
	{
		int i;
		for (i = 1; i < 10; i++) {
			char chan[16];
			snprintf(chan, sizeof(chan), "#r%d", i);
			cl_join(a, chan);
			cl_send(a, "PRIVMSG ChanServ :REGISTER %s", chan);
			cl_expectf(a, CS("alice") "%s is now registered to alice\\.", chan);
		}
		cl_join(a, "#r10");
		cl_send(a, "PRIVMSG ChanServ :REGISTER #r10");
		cl_expect(a, CS("alice") "You have too many channels registered \\(10\\)\\.",
		    LIVE_T);
	}

	/* DROP: not by others; by the founder or an IRC operator */
	cl_send(d, "PRIVMSG ChanServ :DROP #reg");
	cl_expect(d, CS("dave") "You are not authorized to perform this operation\\.", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :DROP #none");
	cl_expect(d, CS("dave") "#none is not registered\\.", LIVE_T);
	cl_send(o, "OPER admin operpass");
	cl_expect(o, SRV "381 ", LIVE_T);
	cl_send(o, "PRIVMSG ChanServ :DROP #r1");
	cl_expect(o, CS("oper1") "#r1 has been dropped\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :DROP #reg");
	cl_expect(a, CS("alice") "#reg has been dropped\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :INFO #reg");
	cl_expect(a, CS("alice") "#reg is not registered\\.", LIVE_T);
	/* a dropped channel can be registered again: by dave, once op */
	cl_send(a, "MODE #reg +o dave");
	cl_expect(d, "MODE #reg \\+o dave", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :REGISTER #reg");
	cl_expect(d, CS("dave") "#reg is now registered to dave\\.", LIVE_T);
	/* without an [accounts] database there is no ChanServ */
	b = cl_new(s, "bee");
	cl_send(b, "PRIVMSG ChanServ :HELP");
	cl_expect(b, CS("bee") "\\*+ ChanServ Help", LIVE_T);
	srv_stop(s);
	s = srv_start(NULL);
	b = cl_new(s, "bee");
	cl_send(b, "PRIVMSG ChanServ :HELP");
	cl_expect(b, SRV "401 bee ChanServ ", LIVE_T);
	cl_send(b, "NICK ChanServ");
	cl_expect(b, "^:bee![^ ]+ NICK :?ChanServ", LIVE_T);
	srv_stop(s);
}
END_TEST

START_TEST(t_access_and_status)
{
	struct srv *s = seed_and_start();
	struct cl *a = login(s, "alice"), *b = login(s, "bob"), *c = login(s, "carol");
	struct cl *d = login(s, "dave"), *e = cl_new(s, "erin");

	cl_join(a, "#acc");
	cl_send(a, "PRIVMSG ChanServ :REGISTER #acc");
	cl_expect(a, CS("alice") "#acc is now registered to alice\\.", LIVE_T);
	/* ACCESS (Atheme) */
	cl_send(a, "PRIVMSG ChanServ :ACCESS #acc ADD bob op");
	cl_expect(a, CS("alice") "bob was added with the op role in #acc\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :ACCESS #acc ADD CAROL voice");
	cl_expect(a, CS("alice") "carol was added with the voice role in #acc\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :ACCESS #acc ADD nobody op");
	cl_expect(a, CS("alice") "nobody is not registered\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :ACCESS #acc ADD dave king");
	cl_expect(a, CS("alice") "king is not a role: op or voice\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :ACCESS #acc ADD alice voice");
	cl_expect(a, CS("alice") "You cannot change the founder's access\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :ACCESS #acc FROB");
	cl_expect(a, CS("alice") "Syntax: ACCESS <#channel> ADD", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :ACCESS #acc LIST");
	cl_expect(a, CS("alice") "Entry Nickname/Host +Role$", LIVE_T);
	cl_expect(a, CS("alice") "1 +alice +founder$", LIVE_T);
	cl_expect(a, CS("alice") "[23] +bob +op$", LIVE_T);
	cl_expect(a, CS("alice") "End of #acc ACCESS listing\\.", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :ACCESS #acc LIST");
	cl_expect(d, CS("dave") "You are not authorized to perform this operation\\.", LIVE_T);
	/* an op manages voice entries only; anyone may leave the list */
	cl_send(b, "PRIVMSG ChanServ :ACCESS #acc ADD dave op");
	cl_expect(b, CS("bob") "You are not authorized to perform this operation\\.", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :ACCESS #acc ADD dave voice");
	cl_expect(b, CS("bob") "dave was added with the voice role in #acc\\.", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :ACCESS #acc DEL dave");
	cl_expect(d, CS("dave") "dave was removed from the voice role in #acc\\.", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :ACCESS #acc DEL dave");
	cl_expect(b, CS("bob") "dave is not on the access list of #acc\\.", LIVE_T);
	/* FLAGS (Atheme's simple forms) */
	cl_send(a, "PRIVMSG ChanServ :FLAGS #acc");
	cl_expect(a, CS("alice") "Entry Nickname/Host +Flags$", LIVE_T);
	cl_expect(a, CS("alice") "1 +alice +\\+AFORefiorstv$", LIVE_T);
	cl_expect(a, CS("alice") "End of #acc FLAGS listing\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :FLAGS #acc bob");
	cl_expect(a, CS("alice") "Flags for bob in #acc are \\+AOehiortv\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :FLAGS #acc dave +V");
	cl_expect(a, CS("alice") "dave was added with the voice role in #acc\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :FLAGS #acc dave -*");
	cl_expect(a, CS("alice") "dave was removed from the voice role in #acc\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :FLAGS #acc dave");
	cl_expect(a, CS("alice") "Flags for dave in #acc are \\+\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :FLAGS #acc nobody +o");
	cl_expect(a, CS("alice") "nobody is not registered\\.", LIVE_T);
	/* AMODE (Ergo) */
	cl_send(a, "PRIVMSG ChanServ :AMODE #acc +o dave");
	cl_expect(a, CS("alice") "dave was added with the op role in #acc\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :AMODE #acc -o dave");
	cl_expect(a, CS("alice") "dave was removed from the op role in #acc\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :AMODE #acc +q dave");
	cl_expect(a, CS("alice") "Syntax: AMODE ", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :AMODE #acc");
	cl_expect(a, CS("alice") "End of #acc ACCESS listing\\.", LIVE_T);

	/* +o/+v on join, from the server; nothing without access */
	cl_send(b, "JOIN #acc");
	cl_expect(b, SRV "MODE #acc \\+o bob$", LIVE_T);
	cl_expect(b, SRV "366 bob #acc ", LIVE_T);
	cl_send(c, "JOIN #acc");
	cl_expect(c, SRV "MODE #acc \\+v carol$", LIVE_T);
	cl_expect(c, SRV "366 carol #acc ", LIVE_T);
	cl_join(d, "#acc");
	cl_join(e, "#acc");
	cl_expect_none(a, "MODE #acc [+-][ov] (dave|erin)", 500);
	/* OP/DEOP/VOICE/DEVOICE */
	cl_send(d, "PRIVMSG ChanServ :OP #acc");
	cl_expect(d, CS("dave") "You are not authorized to perform this operation\\.", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :DEOP #acc");
	cl_expect(a, SRV "MODE #acc -o bob$", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :OP #acc");
	cl_expect(a, SRV "MODE #acc \\+o bob$", LIVE_T);
	cl_send(c, "PRIVMSG ChanServ :DEVOICE #acc");
	cl_expect(a, SRV "MODE #acc -v carol$", LIVE_T);
	cl_send(c, "PRIVMSG ChanServ :VOICE #acc");
	cl_expect(a, SRV "MODE #acc \\+v carol$", LIVE_T);
	cl_send(c, "PRIVMSG ChanServ :VOICE #acc dave");
	cl_expect(c, CS("carol") "You are not authorized to perform this operation\\.", LIVE_T);
	cl_send(c, "PRIVMSG ChanServ :OP #acc");
	cl_expect(c, CS("carol") "You are not authorized to perform this operation\\.", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :VOICE #acc dave");
	cl_expect(a, SRV "MODE #acc \\+v dave$", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :OP #acc dave");
	cl_expect(a, SRV "MODE #acc \\+o dave$", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :DEOP #acc dave");
	cl_expect(a, SRV "MODE #acc -o dave$", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :OP #acc nobody");
	cl_expect(b, CS("bob") "nobody is not online\\.", LIVE_T);
	cl_send(b, "PART #acc");
	cl_send(b, "PRIVMSG ChanServ :OP #acc erin");
	cl_expect(b, CS("bob") "erin has been opped on #acc\\.", LIVE_T);
	cl_expect(a, SRV "MODE #acc \\+o erin$", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :OP #acc bob");
	cl_expect(b, CS("bob") "bob is not on #acc\\.", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :OP #none");
	cl_expect(b, CS("bob") "#none is not registered\\.", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :OP");
	cl_expect(b, CS("bob") "Insufficient parameters", LIVE_T);
	/* logging in while in the channel earns the modes too */
	cl_send(a, "PRIVMSG ChanServ :ACCESS #acc ADD erin voice");
	cl_expect(a, CS("alice") "erin was added with the voice role in #acc\\.", LIVE_T);
	cl_send(e, "PRIVMSG NickServ :IDENTIFY pw-erin");
	cl_expect(e, SRV "900 erin ", LIVE_T);
	cl_expect(a, SRV "MODE #acc \\+v erin$", LIVE_T);
	srv_stop(s);
}
END_TEST

/* INVITE, UNBAN, GETKEY: an op by access gets into a populated channel
 * whose checks keep it out; others may not. */
START_TEST(t_invite_unban_getkey)
{
	struct srv *s = seed_and_start();
	struct cl *a = login(s, "alice"), *b = login(s, "bob"), *d = login(s, "dave");

	cl_join(a, "#gate");
	cl_send(a, "PRIVMSG ChanServ :REGISTER #gate");
	cl_expect(a, CS("alice") "#gate is now registered to alice\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :ACCESS #gate ADD bob op");
	cl_expect(a, CS("alice") "bob was added with the op role in #gate\\.", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :GETKEY #gate");
	cl_expect(b, CS("bob") "#gate has no key\\.", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :UNBAN #gate");
	cl_expect(b, CS("bob") "No bans on #gate match you\\.", LIVE_T);
	cl_send(a, "MODE #gate +ik sesame");
	cl_expect(a, "MODE #gate \\+ik sesame", LIVE_T);
	cl_send(a, "MODE #gate +bbb bob!*@* a:bob *!*@elsewhere");
	cl_expect(a, "MODE #gate \\+bbb ", LIVE_T);
	cl_send(b, "JOIN #gate sesame");
	cl_expect(b, SRV "474 bob #gate ", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :UNBAN #gate");
	cl_expect(d, CS("dave") "You are not authorized to perform this operation\\.", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :INVITE #gate");
	cl_expect(d, CS("dave") "You are not authorized to perform this operation\\.", LIVE_T);
	cl_send(d, "PRIVMSG ChanServ :GETKEY #gate");
	cl_expect(d, CS("dave") "You are not authorized to perform this operation\\.", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :UNBAN #gate");
	cl_expect(a, SRV "MODE #gate -bb bob!\\*@\\* a:bob$", LIVE_T);
	cl_expect(b, CS("bob") "You have been unbanned from #gate\\.", LIVE_T);
	cl_send(b, "JOIN #gate sesame");
	cl_expect(b, SRV "473 bob #gate ", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :INVITE #gate");
	cl_expect(b, "^:ChanServ!ChanServ@services\\. INVITE bob :?#gate$", LIVE_T);
	cl_expect(b, CS("bob") "You have been invited to #gate\\.", LIVE_T);
	cl_send(b, "JOIN #gate");
	cl_expect(b, SRV "475 bob #gate ", LIVE_T); /* an invite does not pass the key */
	cl_send(b, "PRIVMSG ChanServ :GETKEY #gate");
	cl_expect(b, CS("bob") "Channel #gate key is: sesame$", LIVE_T);
	cl_send(b, "JOIN #gate sesame");
	cl_expect(b, SRV "MODE #gate \\+o bob$", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :INVITE #gate");
	cl_expect(b, CS("bob") "You are already in #gate\\.", LIVE_T);
	/* the kept ban list followed the UNBAN */
	cl_send(a, "PART #gate");
	cl_send(b, "PART #gate");
	cl_expect(b, "PART #gate", LIVE_T);
	cl_send(b, "PRIVMSG ChanServ :GETKEY #gate");
	cl_expect(b, CS("bob") "#gate is currently empty\\.", LIVE_T);
	cl_send(d, "JOIN #gate sesame");
	cl_expect(d, SRV "473 dave #gate ", LIVE_T);
	cl_send(a, "JOIN #gate");
	cl_expect(a, SRV "366 alice #gate ", LIVE_T);
	cl_send(a, "MODE #gate b");
	cl_expect(a, SRV "367 alice #gate \\*!\\*@elsewhere ", LIVE_T);
	cl_expect(a, SRV "368 alice #gate ", LIVE_T);
	srv_stop(s);
}
END_TEST

/* A registered channel's state comes back when it is created again: at
 * once, and after a restart; the founder and ops get +o and pass the key
 * and bans, others are checked against them and get nothing. */
START_TEST(t_restore_and_restart)
{
	struct srv *s = seed_and_start();
	struct cl *a = login(s, "alice"), *b = login(s, "bob"), *d = login(s, "dave");
	struct cl *m = cl_new(s, "mallory");

	cl_join(a, "#keep");
	cl_send(a, "PRIVMSG ChanServ :REGISTER #keep");
	cl_expect(a, CS("alice") "#keep is now registered to alice\\.", LIVE_T);
	cl_send(a, "PRIVMSG ChanServ :ACCESS #keep ADD bob op");
	cl_expect(a, CS("alice") "bob was added with the op role in #keep\\.", LIVE_T);
	cl_send(a, "MODE #keep +sk-n sesame");
	cl_expect(a, "MODE #keep \\+sk-n sesame", LIVE_T);
	cl_send(a, "MODE #keep +l 42");
	cl_expect(a, "MODE #keep \\+l 42", LIVE_T);
	cl_send(a, "MODE #keep +bb mallory!*@* *!*@bad.example");
	cl_expect(a, "MODE #keep \\+bb mallory!\\*@\\* \\*!\\*@bad\\.example", LIVE_T);
	cl_send(a, "TOPIC #keep :Kept across restarts");
	cl_expect(a, "TOPIC #keep :Kept across restarts", LIVE_T);
	cl_send(a, "PART #keep");
	cl_expect(a, "PART #keep", LIVE_T);

	/* recreated at once: dave has no access: the key is asked for, no op */
	cl_send(d, "JOIN #keep");
	cl_expect(d, SRV "475 dave #keep ", LIVE_T);
	cl_send(m, "JOIN #keep sesame");
	cl_expect(m, SRV "474 mallory #keep ", LIVE_T);
	cl_send(m, "MODE #keep");
	cl_expect(m, SRV "403 mallory #keep ", LIVE_T); /* the refused JOIN left nothing */
	cl_send(d, "JOIN #keep sesame");
	cl_expect(d, SRV "332 dave #keep :Kept across restarts", LIVE_T);
	cl_expect(d, SRV "353 dave @ #keep :dave$", LIVE_T);
	cl_send(d, "MODE #keep");
	cl_expect(d, SRV "324 dave #keep \\+[a-z]*l[a-z]* ", LIVE_T);
	ck_assert(rx_match(d->last, "324 dave #keep \\+klst sesame 42$"));
	cl_send(d, "PART #keep");
	cl_expect(d, "PART #keep", LIVE_T);

	/* after a restart: the founder creates it with +o, without the key */
	srv_stop(s);
	s = srv_start(conf());
	ck_assert(srv_log_wait(s, "1 registered channels", LIVE_T));
	a = login(s, "alice");
	cl_send(a, "JOIN #keep");
	cl_expect(a, SRV "332 alice #keep :Kept across restarts", LIVE_T);
	cl_expect(a, SRV "333 alice #keep alice!", LIVE_T);
	cl_expect(a, SRV "353 alice @ #keep :@alice$", LIVE_T);
	cl_send(a, "MODE #keep");
	cl_expect(a, SRV "324 alice #keep \\+klst sesame 42$", LIVE_T);
	cl_send(a, "MODE #keep b");
	cl_expect(a, SRV "367 alice #keep mallory!\\*@\\* alice", LIVE_T);
	cl_expect(a, SRV "367 alice #keep \\*!\\*@bad\\.example alice", LIVE_T);
	cl_expect(a, SRV "368 alice #keep ", LIVE_T);
	/* an op by access joins with the key and gets +o */
	b = login(s, "bob");
	cl_send(b, "JOIN #keep sesame");
	cl_expect(b, SRV "MODE #keep \\+o bob$", LIVE_T);
	cl_expect(a, SRV "MODE #keep \\+o bob$", LIVE_T);
	/* a topic change is kept too (KEEPTOPIC), and the ban list */
	cl_send(b, "TOPIC #keep :Second topic");
	cl_expect(a, "TOPIC #keep :Second topic", LIVE_T);
	cl_send(b, "MODE #keep -b mallory!*@*");
	cl_expect(a, "MODE #keep -b mallory!\\*@\\*", LIVE_T);
	srv_stop(s);
	s = srv_start(conf());
	m = cl_new(s, "mallory");
	cl_send(m, "JOIN #keep sesame");
	cl_expect(m, SRV "332 mallory #keep :Second topic", LIVE_T);
	cl_expect(m, SRV "353 mallory @ #keep :mallory$", LIVE_T);
	srv_stop(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("live_chanserv");
	TCase *tc = live_tcase("chanserv", 120);

	tcase_add_checked_fixture(tc, NULL, db_teardown);
	tcase_add_test(tc, t_register_info_drop);
	tcase_add_test(tc, t_access_and_status);
	tcase_add_test(tc, t_invite_unban_getkey);
	tcase_add_test(tc, t_restore_and_restart);
	suite_add_tcase(su, tc);
	return live_run(su);
}
