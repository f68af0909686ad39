/*
 * live_robust: hostile and awkward input and output over real TCP.
 * Over-long lines (417, not executed), NUL bytes, lines split across many
 * writes, bare LF, EOF in the middle of a line, empty lines, pipelining,
 * slow readers (sendq), max_clients, 512-byte output limit.
 * References: RFC 2812 §2.3 (512 bytes incl. CRLF), Modern IRC "Message
 * format" and ERR_INPUTTOOLONG (417); CONVENTIONS.md practices 4 and 5.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "livelib.h"

static const char *conf_plain = "";

static void
pair_in_channel(struct srv *s, struct cl **a, struct cl **b)
{
	*a = cl_new(s, "alice");
	*b = cl_new(s, "bob");
	cl_join(*a, "#c");
	cl_join(*b, "#c");
	cl_expect(*a, PFX("bob") "JOIN :?#c$", LIVE_T);
}

/* A line over 512 bytes gets 417 and is NOT executed. */
START_TEST(t_long_line_not_executed)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;
	char text[601];

	pair_in_channel(s, &a, &b);
	memset(text, 'x', 600);
	text[600] = '\0';
	cl_send(a, "PRIVMSG #c :%s", text);
	cl_expect(a, SRV "417 alice :", LIVE_T);
	cl_sync(a);
	cl_expect_none(b, "xxxxxxxxxx", LIVE_T);
	/* the connection still works */
	cl_send(a, "PRIVMSG #c :still here");
	cl_expect(b, PFX("alice") "PRIVMSG #c :still here$", LIVE_T);
}
END_TEST

/* 510 bytes + CRLF = 512 is legal; 511 + CRLF is not. The relayed line
 * (with the longer prefix) is cut to 512 bytes including CRLF. */
START_TEST(t_line_boundary)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;
	char line[600];
	const char *l;
	size_t head;

	pair_in_channel(s, &a, &b);
	head = strlen("PRIVMSG #c :");
	memcpy(line, "PRIVMSG #c :", head);
	memset(line + head, 'y', 510 - head);
	line[510] = '\0';
	cl_send(a, "%s", line); /* 512 with CRLF */
	l = cl_expect(b, PFX("alice") "PRIVMSG #c :yyyy", LIVE_T);
	ck_assert_msg(strlen(l) <= 510, "relayed line is %zu bytes + CRLF", strlen(l));
	cl_sync(a);
	cl_expect_none(a, " 417 ", LIVE_T);
	memset(line + head, 'z', 511 - head);
	line[511] = '\0';
	cl_send(a, "%s", line); /* 513 with CRLF */
	cl_expect(a, SRV "417 alice :", LIVE_T);
	cl_sync(a);
	cl_expect_none(b, "zzzz", LIVE_T);
}
END_TEST

/* 100 KB without a newline: 417 arrives without waiting for the EOL, the
 * rest up to the next EOL is discarded, and the connection stays usable. */
START_TEST(t_huge_line_without_newline)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;
	size_t n = 100 * 1024;
	char *big = malloc(n);

	pair_in_channel(s, &a, &b);
	ck_assert(big != NULL);
	memset(big, 'A', n);
	memcpy(big, "PRIVMSG #c :", 12);
	cl_send_raw(a, big, n);
	cl_expect(a, SRV "417 alice :", LIVE_T);
	/* more of the same line, then its end */
	cl_send_raw(a, big + 12, 5000);
	cl_send_raw(a, "\r\n", 2);
	cl_expect_none(a, " 421 ", LIVE_T);
	cl_expect_none(b, "AAAA", LIVE_T);
	cl_send(a, "PRIVMSG #c :after the flood");
	cl_expect(b, PFX("alice") "PRIVMSG #c :after the flood$", LIVE_T);
	free(big);
}
END_TEST

/* A long line before registration is refused the same way. */
START_TEST(t_long_line_unregistered)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);
	char nick[700];

	memset(nick, 'n', 690);
	nick[690] = '\0';
	cl_send(c, "NICK %s", nick);
	cl_expect(c, SRV "417 \\* :", LIVE_T);
	cl_register(c, "alice");
}
END_TEST

/* A NUL byte inside a line: an error reply, and the line is not run. */
START_TEST(t_nul_byte)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b;
	static const char msg[] = "PRIVMSG #c :hello\0world\r\n";

	pair_in_channel(s, &a, &b);
	cl_send_raw(a, msg, sizeof(msg) - 1);
	cl_expect(a, SRV "4[0-9][0-9] alice ", LIVE_T);
	cl_sync(a);
	cl_expect_none(b, "hello", LIVE_T);
	cl_send(a, "PRIVMSG #c :clean");
	cl_expect(b, PFX("alice") "PRIVMSG #c :clean$", LIVE_T);
}
END_TEST

/* Commands arriving one byte per TCP write (TCP_NODELAY is on). */
START_TEST(t_split_writes)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *b = cl_new(s, "bob");
	struct cl *a = cl_connect(s->port);
	static const char reg[] = "NICK alice\r\nUSER alice 0 * :Alice A\r\n"
				  "PRIVMSG bob :one byte at a time\r\n";
	struct timespec d = { 0, 500 * 1000 }; /* to get separate segments */
	size_t i;

	for (i = 0; i < sizeof(reg) - 1; i++) {
		cl_send_raw(a, reg + i, 1);
		nanosleep(&d, NULL);
	}
	cl_expect(a, SRV "001 alice ", LIVE_T);
	cl_expect(b, PFX("alice") "PRIVMSG bob :one byte at a time$", LIVE_T);
	/* CR and LF in different writes, and a line in three pieces */
	d.tv_nsec = 5 * 1000000L;
	cl_send_raw(a, "PRIVMSG bob :cr", 15);
	nanosleep(&d, NULL);
	cl_send_raw(a, "lf split\r", 9);
	nanosleep(&d, NULL);
	cl_send_raw(a, "\n", 1);
	cl_expect(b, PFX("alice") "PRIVMSG bob :crlf split$", LIVE_T);
}
END_TEST

/* Bare LF line endings are accepted. */
START_TEST(t_bare_lf)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *b = cl_new(s, "bob");
	struct cl *a = cl_connect(s->port);
	static const char msg[] = "NICK alice\nUSER alice 0 * :Alice\n"
				  "PRIVMSG bob :lf only\n";

	cl_send_raw(a, msg, sizeof(msg) - 1);
	cl_expect(a, SRV "001 alice ", LIVE_T);
	cl_expect(b, PFX("alice") "PRIVMSG bob :lf only$", LIVE_T);
}
END_TEST

/* Empty lines are silently ignored. */
START_TEST(t_empty_lines)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");

	cl_send_raw(a, "\r\n\r\n\n\r\n", 7);
	cl_expect_none(a, ".", LIVE_T);
}
END_TEST

/* EOF in the middle of a line: peers see a QUIT, the server stays up. */
START_TEST(t_eof_mid_line)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a, *b, *c;

	pair_in_channel(s, &a, &b);
	cl_send_raw(a, "PRIVMSG #c :half a li", 21);
	cl_sync(b);
	shutdown(a->fd, SHUT_WR);
	cl_expect(b, PFX("alice") "QUIT :", LIVE_T);
	cl_close(a);
	c = cl_new(s, "carol");
	cl_join(c, "#c");
	cl_send(c, "PRIVMSG #c :server alive");
	cl_expect(b, PFX("carol") "PRIVMSG #c :server alive$", LIVE_T);
}
END_TEST

/* Garbage does not crash the server or the connection. */
START_TEST(t_garbage)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	static const char junk[] = ":\r\n:onlyprefix\r\n \r\n   \r\n\x01\x02\x03\r\n"
				   "001 alice :fake numeric\r\nPRIVMSG\r\nMODE\r\nJOIN\r\n"
				   "PRIVMSG ::::\r\nJOIN :\r\nJOIN ,,,,\r\nMODE #x +k\r\n"
				   "MODE alice +++---\r\nKICK , ,\r\nNICK :\r\nWHO\r\n"
				   "\xff\xfe\xfd invalid utf8\r\nPRIVMSG alice :\xc3\x28\r\n"
				   "TOPIC ,\r\nINVITE , ,\r\nPART ,\r\nLIST ,,,\r\nNAMES ,,,\r\n"
				   "USERHOST , , , , ,\r\nISON , ,\r\n";

	a->strict = 0; /* this test is about survival; see below */
	cl_send_raw(a, junk, sizeof(junk) - 1);
	cl_sync(a);
	cl_send(a, "JOIN #after");
	cl_expect(a, SRV "366 alice #after ", LIVE_T);
}
END_TEST

/* Empty elements in comma lists never turn into empty parameters in
 * replies (RFC 2812 2.3.1: a middle parameter has at least one
 * character). */
START_TEST(t_no_empty_params)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	static const char *cmds[] = {
		"KICK , ,",
		"KICK #c ,",
		"PART ,",
		"NAMES ,,,",
		"TOPIC ,",
		"JOIN ,#x,",
		"PRIVMSG ,alice :x",
		"NOTICE , :x",
		"INVITE alice ,",
		"WHOIS ,",
		"MODE ,",
		"LIST ,",
		"WHO ,",
		"WHOWAS ,",
		"ISON ,",
		"USERHOST ,",
		"MONITOR + ,",
		"PART #x,,#y",
	};
	char bad[4096];
	size_t i, k;

	cl_join(a, "#c");
	a->strict = 0; /* collect every malformed line, report them all */
	bad[0] = '\0';
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		cl_send(a, "%s", cmds[k]);
		cl_sync(a);
		for (i = 0; i < a->npend; i++)
			if (!rx_match(a->pend[i],
				"^(@[^ ]+ )?(:[^ ]+ )?"
				"([A-Za-z]+|[0-9]{3})( [^: ][^ ]*)*( :.*)?$"))
				snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
				    "\n  %s -> \"%s\"", cmds[k], a->pend[i]);
		cl_drain(a);
		while (a->npend > 0)
			free(a->pend[--a->npend]);
	}
	ck_assert_msg(bad[0] == '\0',
	    "replies with an empty middle "
	    "parameter:%s",
	    bad);
}
END_TEST

/* 2000 pipelined commands in one write are all answered, in order. */
START_TEST(t_pipelined)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	char *buf = malloc(2000 * 32), re[64];
	size_t o = 0;
	int i;

	ck_assert(buf != NULL);
	for (i = 0; i < 2000; i++)
		o += (size_t)sprintf(buf + o, "PING :p%d\r\n", i);
	cl_send_raw(a, buf, o);
	for (i = 0; i < 2000; i++) {
		const char *l = cl_expect(a, " PONG ", LIVE_T);

		snprintf(re, sizeof(re), " PONG irc\\.test :p%d$", i);
		ck_assert_msg(rx_match(l, re), "expected p%d, got %s", i, l);
	}
	free(buf);
}
END_TEST

/* max_clients: the next connection is refused with an ERROR. */
START_TEST(t_max_clients)
{
	struct srv *s = srv_start("[limits]\nmax_clients = 3\n");
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");
	struct cl *d = cl_connect(s->port);
	int i;

	(void)b;
	(void)c;
	cl_expect(d, "^ERROR :", LIVE_T);
	cl_expect_eof(d, LIVE_T);
	cl_send(a, "QUIT");
	cl_expect_eof(a, LIVE_T);
	cl_close(d);
	/* a slot is free again; the server may release it a loop turn after
	 * the close, so retry on ERROR (bounded) */
	for (i = 0; i < 50; i++) {
		const char *l;

		d = cl_connect(s->port);
		cl_send(d, "NICK dave");
		cl_send(d, "USER dave 0 * :Dave");
		l = cl_expect(d, "(^ERROR :| 001 dave )", LIVE_T);
		if (rx_match(l, " 001 "))
			break;
		cl_close(d);
	}
	ck_assert_msg(i < 50, "no slot after a client left");
	cl_sync(d);
}
END_TEST

/* Many clients in one channel all get a message. */
START_TEST(t_many_clients)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *cs[100];
	char nick[16];
	int i;

	for (i = 0; i < 100; i++) {
		snprintf(nick, sizeof(nick), "user%d", i);
		cs[i] = cl_new(s, nick);
		cl_join(cs[i], "#big");
	}
	cl_send(cs[0], "PRIVMSG #big :hello everyone");
	for (i = 1; i < 100; i++)
		cl_expect(cs[i], PFX("user0") "PRIVMSG #big :hello everyone$", LIVE_T);
	cl_send(cs[0], "NAMES #big");
	cl_expect(cs[0], SRV "366 user0 #big ", LIVE_T);
}
END_TEST

/*
 * A client that stops reading while others chat: the others keep getting
 * their messages promptly; with a small sendq the slow client is closed
 * with "SendQ exceeded" and its peers see that QUIT.
 */
START_TEST(t_slow_reader_sendq_exceeded)
{
	struct srv *s = srv_start("[limits]\nsendq = 32768\n");
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *slow = cl_connect_opt("127.0.0.1", s->port, 4096);
	char text[401], re[128];
	size_t sent = 0;
	int batch, i, seq = 0, quit = 0, bquit = 0;
	const char *l;

	cl_register(slow, "slow");
	cl_join(slow, "#c");
	cl_join(a, "#c");
	cl_join(b, "#c");
	memset(text, 'q', 400);
	text[400] = '\0';
	/* slow never reads again */
	for (batch = 0; batch < 2000 && !quit; batch++) {
		for (i = 0; i < 50; i++) {
			cl_send(a, "PRIVMSG #c :%d %s", ++seq, text);
			sent += 420;
		}
		/* bob gets the batch's last line promptly (and maybe slow's
		 * QUIT somewhere before it) */
		snprintf(re, sizeof(re), "(" PFX("alice") "PRIVMSG #c :%d |" PFX("slow") "QUIT )",
		    seq);
		l = cl_expect(b, re, 3000);
		if (rx_match(l, " QUIT ")) {
			bquit = 1;
			ck_assert_msg(rx_match(l, "QUIT :.*SendQ exceeded"),
			    "bob saw QUIT reason: %s", l);
			snprintf(re, sizeof(re), PFX("alice") "PRIVMSG #c :%d ", seq);
			cl_expect(b, re, 3000);
		}
		quit = cl_try_expect(a, PFX("slow") "QUIT ", 0) != NULL;
	}
	ck_assert_msg(quit, "slow reader not closed after %zu bytes", sent);
	ck_assert_msg(rx_match(a->last, "QUIT :.*SendQ exceeded"), "QUIT reason: %s", a->last);
	if (!bquit)
		cl_expect(b, PFX("slow") "QUIT :.*SendQ exceeded", LIVE_T);
	/* and the others are still fine */
	cl_send(a, "PRIVMSG #c :done");
	cl_expect(b, PFX("alice") "PRIVMSG #c :done$", LIVE_T);
}
END_TEST

/* With a large sendq a slow reader that resumes gets every message, in
 * order. */
START_TEST(t_slow_reader_resumes)
{
	struct srv *s = srv_start("[limits]\nsendq = 67108864\n");
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *slow = cl_connect_opt("127.0.0.1", s->port, 4096);
	char text[301], re[128];
	int i, n = 20000;

	cl_register(slow, "slow");
	cl_join(slow, "#c");
	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_expect(a, PFX("bob") "JOIN", LIVE_T);
	memset(text, 'r', 300);
	text[300] = '\0';
	for (i = 1; i <= n; i++) {
		cl_send(a, "PRIVMSG #c :%d %s", i, text);
		if (i % 100 == 0) {
			snprintf(re, sizeof(re), PFX("alice") "PRIVMSG #c :%d ", i);
			cl_expect(b, re, 3000);
		}
	}
	/* ~6.5 MB queued for slow; now read it all */
	for (i = 1; i <= n; i++) {
		const char *l = cl_expect(slow, " PRIVMSG #c :", 10000);
		char num[16];

		ck_assert_msg(rx_group(l, "PRIVMSG #c :([0-9]+) ", 1, num, sizeof(num)),
		    "bad line %s", l);
		ck_assert_msg(atoi(num) == i, "message %d arrived as #%d", atoi(num), i);
	}
	cl_sync(slow);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_robust");
	TCase *tc = live_tcase("robust", 60);

	tcase_add_test(tc, t_long_line_not_executed);
	tcase_add_test(tc, t_line_boundary);
	tcase_add_test(tc, t_huge_line_without_newline);
	tcase_add_test(tc, t_long_line_unregistered);
	tcase_add_test(tc, t_nul_byte);
	tcase_add_test(tc, t_split_writes);
	tcase_add_test(tc, t_bare_lf);
	tcase_add_test(tc, t_empty_lines);
	tcase_add_test(tc, t_eof_mid_line);
	tcase_add_test(tc, t_garbage);
	tcase_add_test(tc, t_no_empty_params);
	tcase_add_test(tc, t_pipelined);
	tcase_add_test(tc, t_max_clients);
	tcase_add_test(tc, t_many_clients);
	tcase_add_test(tc, t_slow_reader_sendq_exceeded);
	tcase_add_test(tc, t_slow_reader_resumes);
	suite_add_tcase(s, tc);
	return live_run(s);
}
