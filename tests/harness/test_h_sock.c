/* test_h_sock.c - the output path of plain sockets through the in-process
 * harness in socket mode (h_new_sock: clients over AF_UNIX socketpairs,
 * accepted with conn_accept like a listener's). Their clients are
 * CF_DIRECT: what a loop turn queues for them is written by the
 * end-of-turn flusher (output_flush_cb, one write per client per turn) and
 * the bufferevent's own EV_WRITE is enabled only while the socket is full
 * (conn_write_cb turns it off again). A bufferevent_pair never takes that
 * path, so without these tests a flusher that forgot a client would pass
 * every other harness suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "core/client.h"
#include "core/config.h"
#include "core/server.h"

#include "harness.h"

/* srv_out: bytes the server still holds for fc (its output evbuffer). */
static size_t
srv_out(struct fc *fc)
{
	struct client *c = fc_client(fc);

	ck_assert_ptr_nonnull(c);
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

/* srv_ev_write: libevent is writing fc's socket (EV_WRITE enabled), i.e.
 * the flusher handed over because the socket was full. */
static bool
srv_ev_write(struct fc *fc)
{
	struct client *c = fc_client(fc);

	ck_assert_ptr_nonnull(c);
	return (bufferevent_get_enabled(c->bev) & EV_WRITE) != 0;
}

/* direct_idle: fc is on the direct path and has nothing left to write:
 * every byte queued for it went out through the flusher. */
static void
assert_direct_idle(struct fc *fc)
{
	struct client *c = fc_client(fc);

	ck_assert_ptr_nonnull(c);
	ck_assert_msg(c->flags & CF_DIRECT, "%s: not CF_DIRECT", fc->name);
	ck_assert_msg(!(c->flags & CF_FLUSHQ), "%s: still on the flush queue", fc->name);
	ck_assert_uint_eq(srv_out(fc), 0);
	ck_assert_msg(!srv_ev_write(fc), "%s: EV_WRITE enabled on an idle direct client", fc->name);
}

/* A channel message reaches every other member through the flusher, and
 * nobody's bufferevent was asked to write. */
START_TEST(broadcast_direct)
{
	struct harness *h = h_new_sock();
	struct fc *a, *b, *c;

	h_two_in_channel(h, &a, &b, "#d");
	c = fc_new(h, "carol");
	fc_send(c, "JOIN #d");
	fc_expect(c, NUM("366", "carol"));
	fc_expect(a, PFX("carol") "JOIN :?#d$");
	fc_expect(b, PFX("carol") "JOIN :?#d$");
	assert_direct_idle(a);
	assert_direct_idle(b);
	assert_direct_idle(c);

	fc_send(a, "PRIVMSG #d :over the direct path");
	fc_expect_next(b, PFX("alice") "PRIVMSG #d :over the direct path$");
	fc_expect_next(c, PFX("alice") "PRIVMSG #d :over the direct path$");
	fc_expect_none(a, "PRIVMSG");
	ck_assert(TAILQ_EMPTY(&h->srv->flushq));
	assert_direct_idle(a);
	assert_direct_idle(b);
	assert_direct_idle(c);
	h_free(h);
}
END_TEST

/* Several lines read in one turn: each member gets all of them, once and
 * in order (one serial per broadcast, one flush for the turn). */
START_TEST(broadcast_burst_in_order)
{
	static const char burst[] = "PRIVMSG #d :one\r\nPRIVMSG #d :two\r\nNOTICE #d :three\r\n"
				    "TOPIC #d :four\r\n";
	struct harness *h = h_new_sock();
	struct fc *a, *b, *fcs[8];
	char nick[16];
	int i;

	h_two_in_channel(h, &a, &b, "#d");
	for (i = 0; i < 8; i++) {
		snprintf(nick, sizeof(nick), "m%d", i);
		fcs[i] = fc_new(h, nick);
		fc_send(fcs[i], "JOIN #d");
		fc_expect(fcs[i], " 366 ");
	}
	for (i = 0; i < 8; i++)
		fc_clear(fcs[i]); /* the later members' JOINs */
	fc_clear(a);
	fc_clear(b);
	fc_send_raw(a, burst, sizeof(burst) - 1);
	for (i = 0; i < 8; i++) {
		fc_expect_next(fcs[i], PFX("alice") "PRIVMSG #d :one$");
		fc_expect_next(fcs[i], PFX("alice") "PRIVMSG #d :two$");
		fc_expect_next(fcs[i], PFX("alice") "NOTICE #d :three$");
		fc_expect_next(fcs[i], PFX("alice") "TOPIC #d :four$");
		ck_assert_uint_eq(fc_pending(fcs[i]), 0);
		assert_direct_idle(fcs[i]);
	}
	fc_expect_next(b, PFX("alice") "PRIVMSG #d :one$");
	fc_expect(a, PFX("alice") "TOPIC #d :four$"); /* the TOPIC echo, not the messages */
	fc_expect_none(a, "PRIVMSG|NOTICE");
	h_free(h);
}
END_TEST

/* A reader that stops: once its socket is full the flusher hands the rest
 * to libevent (EV_WRITE on, output kept); when it reads again every line
 * arrives in order and the client is back on the direct path (EV_WRITE
 * off: conn_write_cb). Within sendq nothing is dropped. */
START_TEST(full_socket_then_drained)
{
	struct harness *h = h_new_sock();
	struct fc *a, *b;
	char text[401], re[96];
	int i, n = 1000; /* ~440 KiB for bob: more than a socket holds */

	h_two_in_channel(h, &a, &b, "#d");
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	fc_pause(b);
	for (i = 0; i < n && !srv_ev_write(b); i++)
		fc_send(a, "PRIVMSG #d :%d %s", i, text);
	ck_assert_msg(srv_ev_write(b), "bob's socket never filled (%d lines)", i);
	ck_assert_uint_gt(srv_out(b), 0);
	ck_assert_uint_eq(fc_pending(b), 0);
	n = i + 20;
	for (; i < n; i++) /* more while it is full: queued behind */
		fc_send(a, "PRIVMSG #d :%d %s", i, text);
	ck_assert_ptr_nonnull(fc_client(b));
	fc_resume(b);
	for (i = 0; i < n; i++) {
		snprintf(re, sizeof(re), PFX("alice") "PRIVMSG #d :%d x{400}$", i);
		fc_expect_next(b, re);
	}
	assert_direct_idle(b);
	/* and the direct path still works afterwards */
	fc_send(a, "PRIVMSG #d :after");
	fc_expect_next(b, PFX("alice") "PRIVMSG #d :after$");
	assert_direct_idle(b);
	h_free(h);
}
END_TEST

/* QUIT on a plain socket: the ERROR line arrives, then the server's EOF
 * (it half-closes and drains until ours, flushed_cb), then it frees the
 * client; the others see the QUIT once. */
START_TEST(quit_direct)
{
	struct harness *h = h_new_sock();
	struct fc *a, *b;

	h_two_in_channel(h, &a, &b, "#d");
	fc_send(b, "QUIT :bye now");
	fc_expect(b, "^ERROR :Closing Link: .*bye now");
	fc_expect_next(a, PFX("bob") "QUIT :(Quit: )?bye now$");
	ck_assert_uint_eq(fc_count(a, "QUIT"), 0);
	ck_assert(b->eof);
	ck_assert(fc_gone(b));
	ck_assert_uint_eq(h->srv->stats.clients, 1);
	fc_send(a, "PRIVMSG #d :alone");
	assert_direct_idle(a);
	h_free(h);
}
END_TEST

/* A reader that never drains, past a small sendq: closed with "SendQ
 * exceeded" (its peers see the QUIT); the sender and a third member keep
 * being served through the flusher. */
START_TEST(sendq_exceeded_direct)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a, *b, *c;
	char text[400];
	int i;

	cfg->sendq = 4096;
	h = h_new_cfg(cfg);
	h->sockets = true;
	h_two_in_channel(h, &a, &b, "#s");
	c = fc_new(h, "carol");
	fc_send(c, "JOIN #s");
	fc_expect(c, NUM("366", "carol"));
	fc_clear(a);
	fc_clear(b);
	fc_pause(b);
	memset(text, 'q', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (i = 0; i < 200 && fc_count(a, PFX("bob") "QUIT :") == 0; i++)
		fc_send(a, "PRIVMSG #s :%s", text);
	ck_assert_uint_eq(fc_count(a, PFX("bob") "QUIT :.*SendQ exceeded"), 1);
	ck_assert_uint_eq(fc_count(c, PFX("alice") "PRIVMSG #s :q+$"), (unsigned)i);
	fc_expect(c, PFX("bob") "QUIT :.*SendQ exceeded");
	fc_resume(b);
	fc_expect(b, "^ERROR :.*SendQ exceeded");
	ck_assert(fc_gone(b));
	fc_send(a, "PRIVMSG #s :still here");
	fc_expect(c, PFX("alice") "PRIVMSG #s :still here$");
	assert_direct_idle(a);
	assert_direct_idle(c);
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_sock");
	TCase *tc;

	tc = h_tcase(s, "direct", 20);
	tcase_add_test(tc, broadcast_direct);
	tcase_add_test(tc, broadcast_burst_in_order);
	tcase_add_test(tc, full_socket_then_drained);
	tcase_add_test(tc, quit_direct);
	tcase_add_test(tc, sendq_exceeded_direct);
	return h_run_suite(s);
}
