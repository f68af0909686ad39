/* test_h_multiline.c - draft/multiline batches on the fixed clock
 * (cmd/multiline.c, docs/HISTORY.md "Multiline messages"): every line of a
 * batch pays fakelag like a PRIVMSG, a batch left open is dropped with a
 * FAIL after its timeout, a failed batch swallows its lines until it is
 * closed, and a client that leaves with a batch open frees it (ASan and
 * valgrind runs check the last). */
#include <stdio.h>
#include <string.h>

#include "core/client.h"
#include "core/config.h"
#include "core/server.h"

#include "harness.h"

static struct fc *
fc_new_caps(struct harness *h, const char *nick, const char *caps)
{
	struct fc *f = fc_connect(h, nick);

	fc_send(f, "CAP LS 302");
	fc_send(f, "CAP REQ :%s", caps);
	fc_expect(f, "CAP \\* ACK");
	fc_send(f, "NICK %s", nick);
	fc_send(f, "USER %s 0 * :%s", nick, nick);
	fc_send(f, "CAP END");
	fc_expect(f, " (376|422) ");
	return f;
}

static struct harness *
h_flood(unsigned burst, unsigned penalty)
{
	struct config *cfg = h_config();

	cfg->flood_enabled = true;
	cfg->flood_burst = burst;
	cfg->flood_penalty = penalty;
	return h_new_cfg(cfg);
}

/* 20 lines in one batch with a burst of 10 and 1 s a line: the batch is
 * not delivered at once (its lines wait for the fakelag like 20
 * PRIVMSGs), and is delivered whole, once, when the clock has let them
 * all through. */
START_TEST(fakelag_per_line)
{
	struct harness *h = h_flood(10, 1);
	struct fc *a = fc_new_caps(h, "alice", "batch draft/multiline"), *b = fc_new(h, "bob");
	struct client *c;
	int i;

	h_advance(h, 1000);
	fc_send(a, "BATCH +m draft/multiline bob");
	for (i = 0; i < 20; i++)
		fc_send(a, "@batch=m PRIVMSG bob :line %d", i);
	fc_send(a, "BATCH -m");
	h_run(h);
	fc_expect_none(b, "PRIVMSG");
	c = fc_client(a);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->timer_kind, TIMER_FAKELAG);
	ck_assert_ptr_nonnull(c->ml); /* open, half read */
	/* a few seconds at a time: well within the batch's timeout */
	for (i = 0; i < 30 && fc_count(b, "PRIVMSG") == 0; i++) {
		h_advance(h, 2);
		fc_fire_timer(a);
		h_run(h);
	}
	for (i = 0; i < 20; i++) {
		char re[64];
		snprintf(re, sizeof(re), "PRIVMSG bob :line %d$", i);
		fc_expect_next(b, re);
	}
	ck_assert_ptr_null(fc_client(a)->ml);
	h_free(h);
}
END_TEST

/* A batch never closed: at the client's next line after 60 s plus
 * max-lines penalties it is dropped with a FAIL and freed; its id is
 * unknown afterwards. */
START_TEST(timeout)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a, *b;

	cfg->multiline_max_lines = 10;
	cfg->flood_penalty = 1;
	h = h_new_cfg(cfg);
	a = fc_new_caps(h, "alice", "batch draft/multiline");
	b = fc_new(h, "bob");
	fc_send(a, "BATCH +t draft/multiline bob");
	fc_send(a, "@batch=t PRIVMSG bob :never sent");
	fc_send(a, "PING :a");
	fc_expect(a, "PONG [^ ]+ :a");
	ck_assert_ptr_nonnull(fc_client(a)->ml);
	h_advance(h, 60 + 10 - 1);
	fc_send(a, "PING :b");
	fc_expect(a, "PONG [^ ]+ :b");
	fc_expect_none(a, "FAIL");
	h_advance(h, 5);
	fc_send(a, "PING :c");
	fc_expect(a, "FAIL BATCH MULTILINE_INVALID :Multiline batch timed out");
	fc_expect(a, "PONG [^ ]+ :c");
	ck_assert_ptr_null(fc_client(a)->ml);
	fc_send(a, "BATCH -t");
	fc_expect(a, "FAIL BATCH MULTILINE_INVALID :No such multiline batch open");
	fc_expect_none(b, "never sent");
	h_free(h);
}
END_TEST

/* Past max-lines: one FAIL, the rest of the batch is swallowed (not
 * delivered as single lines), BATCH -id frees it; a client that quits
 * with a batch open leaves nothing behind. */
START_TEST(failed_batch_swallowed)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a, *b;
	int i;

	cfg->multiline_max_lines = 3;
	h = h_new_cfg(cfg);
	a = fc_new_caps(h, "alice", "batch draft/multiline");
	b = fc_new(h, "bob");
	fc_send(a, "BATCH +f draft/multiline bob");
	for (i = 0; i < 6; i++)
		fc_send(a, "@batch=f PRIVMSG bob :l%d", i);
	fc_expect(a, "FAIL BATCH MULTILINE_MAX_LINES 3 :");
	fc_expect_none(a, "FAIL");
	ck_assert_ptr_nonnull(fc_client(a)->ml);
	fc_send(a, "BATCH -f");
	fc_send(a, "PING :x");
	fc_expect(a, "PONG [^ ]+ :x");
	ck_assert_ptr_null(fc_client(a)->ml);
	fc_expect_none(b, "PRIVMSG");
	/* open and leave */
	fc_send(a, "BATCH +g draft/multiline bob");
	fc_send(a, "@batch=g PRIVMSG bob :bye");
	fc_send(a, "QUIT");
	h_run(h);
	fc_expect_none(b, "PRIVMSG");
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_multiline");
	TCase *tc = tcase_create("multiline");

	tcase_add_test(tc, fakelag_per_line);
	tcase_add_test(tc, timeout);
	tcase_add_test(tc, failed_batch_swallowed);
	suite_add_tcase(s, tc);
	return h_run_suite(s);
}
