/*
 * live_liveness: PING liveness (ping_interval / ping_timeout), the
 * registration timeout, and shutdown on SIGTERM.
 * Every wait is bounded and ends on an event (a line, EOF, process exit);
 * the timers are 1 s so the tests take a few seconds.
 * References: RFC 2812 §3.7.2-3.7.3 (PING/PONG), Modern IRC "PING",
 * "ERROR"; CONVENTIONS.md practice 10.
 */
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>

#include "livelib.h"

#define FAST_PING "[limits]\nping_interval = 1\nping_timeout = 1\n"

/* A silent client gets PING, does not answer, and is closed with
 * "Ping timeout: 1 seconds"; its peers see the QUIT. */
START_TEST(t_ping_timeout)
{
	struct srv *s = srv_start(FAST_PING);
	struct cl *p = cl_new(s, "peer");
	struct cl *q = cl_new(s, "quiet");

	q->autopong = 0;
	cl_join(q, "#c");
	cl_join(p, "#c");
	/* read the peer (which answers its PINGs) until quiet's QUIT */
	cl_expect(p, PFX("quiet") "QUIT :Ping timeout: [0-9]+ seconds?$", 10000);
	cl_sync(p);
	/* quiet's socket holds: PING, then ERROR, then EOF */
	cl_expect(q, "^(:irc\\.test )?PING :?[^ ]+$", LIVE_T);
	cl_expect(q, "^ERROR :.*Ping timeout: [0-9]+ seconds?", LIVE_T);
	cl_expect_eof(q, LIVE_T);
}
END_TEST

/* A client that answers PINGs stays connected over several intervals. */
START_TEST(t_ping_answered)
{
	struct srv *s = srv_start(FAST_PING);
	struct cl *c = cl_new(s, "alive");
	int i;

	for (i = 0; i < 3; i++)
		cl_expect(c, "^(:irc\\.test )?PING :?[^ ]+$", 5000);
	cl_sync(c);
}
END_TEST

/* registration_timeout closes a connection that never registers, and
 * leaves registered clients alone. */
START_TEST(t_registration_timeout)
{
	struct srv *s = srv_start("[limits]\nregistration_timeout = 1\n");
	struct cl *r = cl_new(s, "registered");
	struct cl *u = cl_connect(s->port);
	struct cl *n = cl_connect(s->port);

	cl_send(n, "NICK halfway"); /* NICK but no USER */
	cl_expect(u, "^ERROR :", 10000);
	cl_expect_eof(u, LIVE_T);
	cl_expect(n, "^ERROR :", 10000);
	cl_expect_eof(n, LIVE_T);
	cl_sync(r);
	/* the nick of the timed-out connection is free */
	cl_send(r, "NICK halfway");
	cl_expect(r, PFX("registered") "NICK :?halfway$", LIVE_T);
}
END_TEST

/* SIGTERM: every client (registered or not) gets ERROR ... (Server
 * shutting down), the connections close, and the exit status is 0. */
START_TEST(t_sigterm)
{
	struct srv *s = srv_start("");
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *u = cl_connect(s->port);
	int st;

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(u, "NICK unreg");
	cl_sync(a);
	kill(s->pid, SIGTERM);
	cl_expect(a, "^ERROR :Closing Link: .*\\(Server shutting down\\)", LIVE_T);
	cl_expect(b, "^ERROR :Closing Link: .*\\(Server shutting down\\)", LIVE_T);
	cl_expect(u, "^ERROR :Closing Link: .*\\(Server shutting down\\)", LIVE_T);
	cl_expect_eof(a, LIVE_T);
	cl_expect_eof(b, LIVE_T);
	cl_expect_eof(u, LIVE_T);
	st = srv_wait_exit(s, 10000);
	ck_assert_msg(st != -1, "server still running 10 s after SIGTERM");
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status after SIGTERM: %s %d",
	    WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}
END_TEST

/* SIGTERM while a slow reader has a full socket: still exits promptly. */
START_TEST(t_sigterm_with_stuck_client)
{
	struct srv *s = srv_start("[limits]\nsendq = 67108864\n");
	struct cl *a = cl_new(s, "alice");
	struct cl *slow = cl_connect_opt("127.0.0.1", s->port, 4096);
	char text[401];
	int i, st;

	cl_register(slow, "slow");
	cl_join(slow, "#c");
	cl_join(a, "#c");
	memset(text, 's', 400);
	text[400] = '\0';
	for (i = 0; i < 12000; i++)
		cl_send(a, "PRIVMSG #c :%d %s", i, text);
	cl_sync(a);
	st = srv_stop(s);
	ck_assert_msg(st != -1,
	    "server did not exit within 10 s of SIGTERM "
	    "with a stuck client");
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status after SIGTERM: %s %d",
	    WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}
END_TEST

START_TEST(t_sigterm_idle)
{
	struct srv *s = srv_start("");
	int st = srv_stop(s);

	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "status after SIGTERM: %d",
	    st);
}
END_TEST

#define FLOOD "[flood]\nenabled = yes\nburst = 2\npenalty = 1\n"

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* RFC 1459 8.10 fakelag: a burst beyond the allowance is delayed, not
 * dropped; replies come in order. 6 commands at 1 s each with a 2 s burst
 * cannot all be answered in under ~3 s. */
START_TEST(t_fakelag)
{
	struct srv *s = srv_start(FLOOD);
	struct cl *a = cl_new(s, "alice");
	int64_t t0, dt;
	int i;

	t0 = ms_now();
	for (i = 0; i < 6; i++)
		cl_send(a, "TOPIC #n%d", i);
	for (i = 0; i < 6; i++) {
		char re[64];

		snprintf(re, sizeof(re), SRV "(403|442) alice #n%d ", i);
		cl_expect(a, re, 20000);
	}
	dt = ms_now() - t0;
	ck_assert_msg(dt >= 2500, "6 commands answered in %lld ms: no fakelag", (long long)dt);
	/* a delayed client is not disconnected */
	cl_sync(a);
}
END_TEST

/* Input piling up beyond recvq while delayed: closed with Excess Flood;
 * peers see the QUIT. Other clients are not slowed. */
START_TEST(t_excess_flood)
{
	struct srv *s = srv_start(FLOOD "[limits]\nrecvq = 4608\n");
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	char *buf = malloc(20000 * 12);
	size_t o = 0;
	int i;

	ck_assert(buf != NULL);
	cl_join(a, "#c");
	cl_join(b, "#c");
	for (i = 0; i < 20000; i++)
		o += (size_t)sprintf(buf + o, "TOPIC #c\r\n");
	cl_send_raw(a, buf, o);
	cl_expect(b, PFX("alice") "QUIT :Excess Flood$", 10000);
	/* bob, on the same server, is answered at once */
	cl_sync(b);
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_liveness");
	TCase *tc = live_tcase("liveness", 40);

	tcase_add_test(tc, t_ping_timeout);
	tcase_add_test(tc, t_ping_answered);
	tcase_add_test(tc, t_registration_timeout);
	tcase_add_test(tc, t_sigterm);
	tcase_add_test(tc, t_sigterm_with_stuck_client);
	tcase_add_test(tc, t_sigterm_idle);
	tcase_add_test(tc, t_fakelag);
	tcase_add_test(tc, t_excess_flood);
	suite_add_tcase(s, tc);
	return live_run(s);
}
