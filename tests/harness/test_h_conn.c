/* test_h_conn.c - the connection layer through the in-process harness:
 * line limits (RFC 1459 §2.3, Modern IRC "Messages", 417), NUL, bare LF,
 * sendq (close with "SendQ exceeded" for a reader that never drains) and
 * fakelag (RFC 1459 §8.10; recvq overflow -> "Excess Flood").
 *
 * Fakelag resumes on the per-client 1 s timer: the tests advance the
 * server clock and call the timer callback directly (fc_fire_timer), and
 * one test waits for the real timer with a bounded h_wait_real. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/client.h"
#include "core/config.h"
#include "proto/message.h"
#include "core/server.h"

#include "harness.h"

/* RFC 1459 §2.3: 512 bytes including CRLF, so 510 of content. */
START_TEST(line_510_ok)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	char text[600];
	size_t n = 510 - strlen("PRIVMSG bob :");

	memset(text, 'k', n);
	text[n] = '\0';
	fc_send(a, "PRIVMSG bob :%s", text); /* exactly 510 + CRLF */
	fc_expect(b, PFX("alice") "PRIVMSG bob :k+$");
	fc_expect_none(a, " 417 ");
	h_free(h);
}
END_TEST

/* One byte more: 417 ERR_INPUTTOOLONG and the line is not executed. */
START_TEST(line_511_too_long)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	char text[600];
	size_t n = 511 - strlen("PRIVMSG bob :");

	memset(text, 'k', n);
	text[n] = '\0';
	fc_send(a, "PRIVMSG bob :%s", text);
	fc_expect(a, NUM("417", "alice") ":");
	fc_expect_none(b, "PRIVMSG");
	/* the connection goes on */
	fc_send(a, "PRIVMSG bob :short");
	fc_expect(b, PFX("alice") "PRIVMSG bob :short$");
	h_free(h);
}
END_TEST

/* Tags do not count towards the 512 bytes (IRCv3 message-tags: up to 4094
 * bytes of client tag data on top). */
START_TEST(tags_not_counted)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	char tags[4001], text[500];

	memset(tags, 'v', sizeof(tags) - 1);
	tags[sizeof(tags) - 1] = '\0';
	memcpy(tags, "+x=", 3);
	/* 480 + "PRIVMSG bob :" is within 510; 400 fit in the relayed line */
	memset(text, 't', 480);
	text[400] = '\0';
	fc_send(a, "@%s PRIVMSG bob :%s%s", tags, text,
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu");
	fc_expect(b, PFX("alice") "PRIVMSG bob :t{400}u");
	fc_expect_none(a, " 417 ");
	h_free(h);
}
END_TEST

/* IRCv3 message-tags "Size limit": clients may send at most 4094 bytes
 * of tag data (between '@' and the space); "Servers MUST reply with the
 * ERR_INPUTTOOLONG (417) error numeric if a client sends a message with
 * more tag data than the allowed limit" and must not process it. */
START_TEST(tag_data_limit)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	char tags[4100];

	memset(tags, 'v', sizeof(tags));
	memcpy(tags, "+x=", 3);
	tags[4094] = '\0'; /* exactly 4094 bytes: fine */
	fc_send(a, "@%s PRIVMSG bob :at the limit", tags);
	fc_expect(b, PFX("alice") "PRIVMSG bob :at the limit$");
	fc_expect_none(a, " 417 ");
	tags[4094] = 'v';
	tags[4095] = '\0'; /* one byte more: 417, not processed */
	fc_send(a, "@%s PRIVMSG bob :over the limit", tags);
	fc_expect(a, NUM("417", "alice") ":");
	fc_expect_none(b, "over the limit");
	h_free(h);
}
END_TEST

/* A line without an end beyond the input limit: one 417, everything up
 * to the next EOL dropped, then normal service. */
START_TEST(endless_line)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	char junk[3000];
	int i;

	memset(junk, 'j', sizeof(junk));
	memcpy(junk, "PRIVMSG bob :", 13);
	for (i = 0; i < 4; i++) {
		fc_send_raw(a, junk, sizeof(junk)); /* 12000 bytes, no EOL */
		h_run(h);
	}
	ck_assert_uint_eq(fc_count(a, " 417 "), 1);
	fc_send_raw(a, junk, sizeof(junk));
	fc_send(a, "%s", ""); /* the EOL ending the over-long line */
	fc_send(a, "PRIVMSG bob :after");
	fc_expect(b, PFX("alice") "PRIVMSG bob :after$");
	fc_expect_none(b, "jjj");
	ck_assert_uint_eq(fc_count(a, " 417 "), 1);
	ck_assert_ptr_nonnull(fc_client(a));
	h_free(h);
}
END_TEST

/* Modern IRC "Messages": NUL is not allowed anywhere in a message; such a
 * line must not be executed (it would be cut at the NUL otherwise). */
START_TEST(nul_in_line)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	static const char line[] = "PRIVMSG bob :before\0after\r\n";

	fc_send_raw(a, line, sizeof(line) - 1);
	fc_expect_none(b, "PRIVMSG");
	fc_send(a, "PING :alive");
	fc_expect(a, SRV "PONG irc\\.test :alive$");
	h_free(h);
}
END_TEST

/* Modern IRC: servers should accept a bare LF as the line end. */
START_TEST(bare_lf)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	static const char lines[] = "PRIVMSG bob :one\nPRIVMSG bob :two\r\nPRIVMSG bob :three\n";

	fc_send_raw(a, lines, sizeof(lines) - 1);
	fc_expect_next(b, PFX("alice") "PRIVMSG bob :one$");
	fc_expect_next(b, PFX("alice") "PRIVMSG bob :two$");
	fc_expect_next(b, PFX("alice") "PRIVMSG bob :three$");
	h_free(h);
}
END_TEST

/* Empty lines are ignored silently (Modern IRC). */
START_TEST(empty_lines)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");
	static const char lines[] = "\r\n\r\n\n   \r\n";

	fc_send_raw(a, lines, sizeof(lines) - 1);
	h_run(h);
	ck_assert_uint_eq(fc_pending(a), 0);
	ck_assert_ptr_nonnull(fc_client(a));
	h_free(h);
}
END_TEST

/* A line split across writes is joined; many lines in one write all run,
 * in order. */
START_TEST(split_and_batched)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	char batch[2000];
	size_t len = 0;
	int i;

	fc_send_raw(a, "PRIVMSG bo", 10);
	h_run(h);
	fc_expect_none(b, "PRIVMSG");
	fc_send_raw(a, "b :joined\r", 10);
	h_run(h);
	fc_send_raw(a, "\n", 1);
	fc_expect(b, PFX("alice") "PRIVMSG bob :joined$");
	for (i = 0; i < 20; i++)
		len +=
		    (size_t)snprintf(batch + len, sizeof(batch) - len, "PRIVMSG bob :n%d\r\n", i);
	fc_send_raw(a, batch, len);
	for (i = 0; i < 20; i++) {
		char re[64];
		snprintf(re, sizeof(re), "PRIVMSG bob :n%d$", i);
		fc_expect_next(b, re);
	}
	h_free(h);
}
END_TEST

/* A reader that never drains: past sendq the server closes it with
 * "SendQ exceeded" (told in ERROR, seen by its peers as a QUIT) instead of
 * buffering without bound; the sender is not affected. */
START_TEST(sendq_exceeded)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a, *b;
	char text[400];
	int i;

	cfg->sendq = 4096;
	h = h_new_cfg(cfg);
	a = fc_new(h, "alice");
	b = fc_new(h, "bob");
	fc_send(a, "JOIN #s");
	fc_send(b, "JOIN #s");
	fc_clear(a);
	fc_clear(b);
	fc_pause(b);
	memset(text, 'q', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (i = 0; i < 30; i++) /* about 12 KiB for bob */
		fc_send(a, "PRIVMSG #s :%s", text);
	h_run(h);
	ck_assert_uint_eq(fc_count(a, PFX("bob") "QUIT :.*SendQ exceeded"), 1);
	ck_assert_ptr_nonnull(fc_client(a));
	fc_resume(b);
	fc_expect(b, "^ERROR :.*SendQ exceeded");
	ck_assert(fc_gone(b));
	/* alice carries on */
	fc_send(a, "PING :ok");
	fc_expect(a, SRV "PONG irc\\.test :ok$");
	h_free(h);
}
END_TEST

/* A closed client whose peer never reads is freed anyway when the flush
 * deadline (the TIMER_FLUSH kind of the per-client timer) passes. */
START_TEST(close_flush_deadline)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");
	struct client *c;

	fc_pause(a);
	fc_send(a, "QUIT :leaving");
	c = fc_client(a);
	ck_assert_ptr_nonnull(c); /* the ERROR is still queued */
	ck_assert(c->state >= CLIENT_CLOSING);
	ck_assert_int_eq(c->timer_kind, TIMER_FLUSH);
	fc_fire_timer(a);
	h_run(h);
	ck_assert(fc_gone(a));
	ck_assert_uint_eq(h->srv->stats.clients, 0);
	h_free(h);
}
END_TEST

/* A slow reader within its sendq is simply served later. */
START_TEST(sendq_within_limit)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	int i;

	fc_pause(b);
	for (i = 0; i < 50; i++)
		fc_send(a, "PRIVMSG bob :m%d", i);
	ck_assert_uint_eq(fc_pending(b), 0); /* nothing read yet */
	fc_resume(b);
	for (i = 0; i < 50; i++) {
		char re[64];
		snprintf(re, sizeof(re), PFX("alice") "PRIVMSG bob :m%d$", i);
		fc_expect_next(b, re);
	}
	ck_assert_ptr_nonnull(fc_client(b));
	h_free(h);
}
END_TEST

static struct harness *
h_flood(unsigned burst, unsigned penalty)
{
	struct config *cfg = h_config();

	cfg->flood_enabled = true;
	cfg->flood_burst = burst;
	cfg->flood_penalty = penalty;
	return h_new_cfg(cfg);
}

/* RFC 1459 §8.10: "while the timer is less than ten seconds ahead of the
 * current time, parse any present messages and penalize the client by 2
 * seconds for each message". With burst 10 and 1 s per PRIVMSG, a burst of
 * 20 runs 10 at once; each second later allows one more. */
START_TEST(fakelag_burst)
{
	struct harness *h = h_flood(10, 1);
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	struct client *c;
	unsigned got;
	int i;

	h_advance(h, 1000); /* registration penalties are long paid */
	for (i = 0; i < 20; i++)
		fc_send(a, "PRIVMSG bob :m%d", i);
	h_run(h);
	got = fc_count(b, "PRIVMSG bob :m");
	/* the exact count is fakelag_burst_count's business */
	ck_assert_msg(got >= 5 && got < 20, "burst: %u of 20 delivered at once", got);
	c = fc_client(a);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->timer_kind, TIMER_FAKELAG);
	/* others are not slowed */
	fc_send(b, "PRIVMSG alice :not me");
	fc_expect(a, PFX("bob") "PRIVMSG alice :not me$");
	/* 5 s later: 5 more */
	h_advance(h, 5);
	fc_fire_timer(a);
	h_run(h);
	ck_assert_uint_eq(fc_count(b, "PRIVMSG bob :m"), got + 5);
	/* much later: the rest, in order */
	h_advance(h, 100);
	fc_fire_timer(a);
	for (i = 0; i < 20; i++) {
		char re[64];
		snprintf(re, sizeof(re), "PRIVMSG bob :m%d$", i);
		fc_expect_next(b, re);
	}
	h_free(h);
}
END_TEST

/* The count itself: exactly burst / penalty commands run at once. */
START_TEST(fakelag_burst_count)
{
	struct harness *h = h_flood(10, 1);
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	unsigned got;
	int i;

	h_advance(h, 1000);
	for (i = 0; i < 20; i++)
		fc_send(a, "PRIVMSG bob :m%d", i);
	got = fc_count(b, "PRIVMSG bob :m");
	ck_assert_msg(got == 10, "burst: %u of 20 delivered at once, RFC 1459 §8.10 gives 10", got);
	h_free(h);
}
END_TEST

/* Commands that are not executed yet are not answered yet either: a PING
 * queued behind the burst waits its turn (order is kept). */
START_TEST(fakelag_keeps_order)
{
	struct harness *h = h_flood(3, 1);
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	int i;

	h_advance(h, 1000);
	for (i = 0; i < 8; i++)
		fc_send(a, "PRIVMSG bob :m%d", i);
	fc_send(a, "PING :last");
	h_run(h);
	fc_expect_none(a, "PONG");
	/* each timer turn lets at most a burst through, however long the
	 * wait was: a few turns drain the queue */
	for (i = 0; i < 5 && fc_count(a, "PONG") == 0; i++) {
		h_advance(h, 100);
		fc_fire_timer(a);
		h_run(h);
	}
	fc_expect(a, SRV "PONG irc\\.test :last$");
	ck_assert_uint_eq(fc_count(b, "PRIVMSG bob :m"), 8);
	h_free(h);
}
END_TEST

/* run_real: turn the loop in real time for ms (the server clock stays
 * fixed: that is what the harness promises). */
static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(bool *)arg = true;
}

static void
run_real(struct harness *h, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	bool done = false;
	struct event *ev = evtimer_new(h->srv->base, stop_cb, &done);

	ck_assert_ptr_nonnull(ev);
	evtimer_add(ev, &tv);
	while (!done)
		event_base_loop(h->srv->base, EVLOOP_ONCE);
	event_free(ev);
	h_run(h);
}

/* The harness clock does not follow the wall clock: a second that passes
 * during a test (under load) lets nothing more through, so counts under
 * fakelag are exact (fakelag_burst once got one message too many). Here
 * 1.2 s of real time pass, the real 1 s fakelag timer fires, and still
 * exactly the burst has been delivered. */
START_TEST(fakelag_clock_fixed)
{
	struct harness *h = h_flood(10, 1);
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	time_t t0;
	int i;

	h_advance(h, 1000);
	t0 = h->srv->now;
	for (i = 0; i < 20; i++)
		fc_send(a, "PRIVMSG bob :m%d", i);
	ck_assert_uint_eq(fc_count(b, "PRIVMSG bob :m"), 10);
	run_real(h, 1200);
	ck_assert_int_eq(h->srv->now, t0);
	ck_assert_uint_eq(fc_count(b, "PRIVMSG bob :m"), 10);
	h_free(h);
}
END_TEST

/* The same resume with the real 1 s libevent timer. */
START_TEST(fakelag_real_timer)
{
	struct harness *h = h_flood(10, 1);
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	int i;

	h_advance(h, 1000);
	for (i = 0; i < 20; i++)
		fc_send(a, "PRIVMSG bob :m%d", i);
	h_run(h);
	ck_assert_uint_lt(fc_count(b, "PRIVMSG bob :m"), 20);
	ck_assert_msg(h_wait_count(h, b, "PRIVMSG bob :m", 11, 4000), "fakelag never resumed");
	h_free(h);
}
END_TEST

/* flood_lines: send n copies of line in one write; the count of replies
 * matching re once the loop is idle (no clock movement). */
static unsigned
flood_lines(struct fc *fc, const char *line, unsigned n, const char *re)
{
	size_t ll = strlen(line), o = 0;
	char *buf = malloc(n * (ll + 2));
	unsigned i;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < n; i++) {
		memcpy(buf + o, line, ll);
		memcpy(buf + o + ll, "\r\n", 2);
		o += ll + 2;
	}
	fc_send_raw(fc, buf, o);
	free(buf);
	return fc_count(fc, re);
}

/* Issue 9 item 9: no reply is free. 300 x LIST from an unregistered client
 * got 300 x 451 at once; PING, CAP and MONITOR cost nothing at all. Now
 * each is answered at the fakelag rate: the burst (10 s of penalty) at
 * once, then one per penalty. The harness clock is fixed (it moves only
 * with h_advance), so the counts are exact. */
START_TEST(fakelag_every_reply_costs)
{
	static const struct {
		const char *line, *re;
	} flood[] = {
		{ "PING :x", SRV "PONG irc\\.test :x$" },
		{ "CAP LS", SRV "CAP [^ ]+ LS " },
		{ "MONITOR L", SRV "733 " },
		{ "NAMES", SRV "366 " },
	};
	struct harness *h = h_flood(10, 1);
	struct fc *u = fc_connect(h, "unreg"), *r;
	unsigned got, later, i;

	/* LIST costs 2: 5 in the burst of 10, then one every 2 s */
	got = flood_lines(u, "LIST", 300, SRV "451 ");
	ck_assert_msg(got == 5, "%u of 300 x 451 at once (burst 10, LIST 2)", got);
	h_advance(h, 6);
	fc_fire_timer(u);
	later = fc_count(u, SRV "451 ");
	ck_assert_msg(later == got + 3, "6 s later %u (was %u)", later, got);
	for (i = 0; i < sizeof(flood) / sizeof(flood[0]); i++) {
		char nick[16];
		snprintf(nick, sizeof(nick), "r%u", i);
		r = fc_new(h, nick);
		h_advance(h, 100); /* registration paid */
		got = flood_lines(r, flood[i].line, 100, flood[i].re);
		ck_assert_msg(got == 10, "%s: %u of 100 answered at once (burst 10)", flood[i].line,
		    got);
	}
	h_free(h);
}
END_TEST

/* ... while a well-behaved registration with CAP negotiation and a PING
 * is not slowed at all: every reply comes at once, no clock movement; and
 * what registration cost is not taken from the burst that follows it (a
 * client's first JOIN/MODE/WHO commands), so 9 more commands after the 6 of
 * the registration are all answered at once (burst 10). */
START_TEST(fakelag_registration_prompt)
{
	struct harness *h = h_flood(10, 1);
	struct fc *u = fc_connect(h, "irssi-like");
	int i;

	fc_send(u, "CAP LS 302");
	fc_send(u, "NICK quick");
	fc_send(u, "USER quick 0 * :Quick");
	fc_expect(u, SRV "CAP \\* LS ");
	fc_send(u, "CAP REQ :multi-prefix away-notify");
	fc_send(u, "PING :reg");
	fc_send(u, "CAP END");
	fc_expect(u, SRV "PONG irc\\.test :reg$");
	fc_expect(u, NUM("001", "quick"));
	fc_expect(u, NUM("(376|422)", "quick"));
	for (i = 0; i < 9; i++)
		fc_send(u, "PING :after%d", i);
	ck_assert_uint_eq(fc_count(u, SRV "PONG irc\\.test :after[0-9]$"), 9);
	h_free(h);
}
END_TEST

/* Operators are exempt (flood exempt_opers = yes, the default). */
START_TEST(fakelag_oper_exempt)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *o, *b;
	int i;

	cfg->flood_enabled = true;
	h_config_add_oper(cfg, "admin", "pw", "*");
	h = h_new_cfg(cfg);
	o = fc_new(h, "oscar");
	b = fc_new(h, "bob");
	fc_send(o, "OPER admin pw");
	fc_expect(o, NUM("381", "oscar"));
	for (i = 0; i < 40; i++)
		fc_send(o, "PRIVMSG bob :m%d", i);
	h_run(h);
	ck_assert_uint_eq(fc_count(b, "PRIVMSG bob :m"), 40);
	h_free(h);
}
END_TEST

/* A delayed client whose recvq fills is closed with "Excess Flood". */
START_TEST(excess_flood)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a, *b;
	char text[400];
	int i;

	cfg->flood_enabled = true;
	cfg->recvq = IRC_INPUT_MAX + 2;
	h = h_new_cfg(cfg);
	a = fc_new(h, "alice");
	b = fc_new(h, "bob");
	fc_send(a, "JOIN #f");
	fc_send(b, "JOIN #f");
	fc_clear(b);
	memset(text, 'f', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (i = 0; i < 100; i++) /* ~42 KiB: far beyond recvq */
		fc_send(a, "PRIVMSG #f :%s", text);
	h_run(h);
	fc_expect(a, "^ERROR :.*Excess Flood");
	ck_assert(fc_gone(a));
	ck_assert_uint_eq(fc_count(b, PFX("alice") "QUIT :.*Excess Flood"), 1);
	ck_assert_uint_lt(fc_count(b, "PRIVMSG #f"), 100);
	h_free(h);
}
END_TEST

/* Without fakelag, the same input is simply processed. */
START_TEST(no_flood_control)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	char text[400];
	int i;

	memset(text, 'f', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (i = 0; i < 100; i++)
		fc_send(a, "PRIVMSG bob :%s", text);
	h_run(h);
	ck_assert_uint_eq(fc_count(b, "PRIVMSG bob :f"), 100);
	ck_assert_ptr_nonnull(fc_client(a));
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_conn");
	TCase *tc;

	tc = h_tcase(s, "lines", 10);
	tcase_add_test(tc, line_510_ok);
	tcase_add_test(tc, line_511_too_long);
	tcase_add_test(tc, tags_not_counted);
	tcase_add_test(tc, tag_data_limit);
	tcase_add_test(tc, endless_line);
	tcase_add_test(tc, nul_in_line);
	tcase_add_test(tc, bare_lf);
	tcase_add_test(tc, empty_lines);
	tcase_add_test(tc, split_and_batched);
	tc = h_tcase(s, "sendq", 10);
	tcase_add_test(tc, sendq_exceeded);
	tcase_add_test(tc, sendq_within_limit);
	tcase_add_test(tc, close_flush_deadline);
	tc = h_tcase(s, "fakelag", 10);
	tcase_add_test(tc, fakelag_burst);
	tcase_add_test(tc, fakelag_burst_count);
	tcase_add_test(tc, fakelag_keeps_order);
	tcase_add_test(tc, fakelag_oper_exempt);
	tcase_add_test(tc, fakelag_every_reply_costs);
	tcase_add_test(tc, fakelag_registration_prompt);
	tcase_add_test(tc, excess_flood);
	tcase_add_test(tc, no_flood_control);
	tc = h_tcase(s, "fakelag_real", 10);
	tcase_add_test(tc, fakelag_real_timer);
	tcase_add_test(tc, fakelag_clock_fixed);
	return h_run_suite(s);
}
