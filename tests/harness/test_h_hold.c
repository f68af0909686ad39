/* test_h_hold.c - the channel delay (RFC 2811 §3.2.2) as a local client
 * meets it, through the in-process harness: a name held by a netsplit
 * (link/ calls server_channel_hold; here the test does) refuses a local
 * JOIN with 437 until channel_delay has passed or the lost server's
 * holds are dropped; then the JOIN makes the channel as usual. The split
 * itself is tested live (live_netsplit, live_network). */
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/hold.h"
#include "core/server.h"

#include "harness.h"

/* hold: what a split does to a channel whose last member was lost. */
static void
hold(struct harness *h, const char *name, const char *lost)
{
	char key[256];

	server_fold(h->srv, key, name, sizeof(key));
	server_channel_hold(h->srv, key, lost);
}

/* A held name: 437 (also by another case, in a list), until the delay has
 * passed; the channel is then made with its creator as operator. */
START_TEST(held_until_delay)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");

	hold(h, "#Held[x]", "lost.test");
	fc_send(a, "JOIN #held{x}");
	fc_expect(a, NUM("437", "alice") "#held\\{x\\} :Nick/channel is temporarily unavailable$");
	fc_send(a, "JOIN #ok,#HELD[X]");
	fc_expect(a, "^:alice![^ ]+ JOIN #ok$");
	fc_expect(a, NUM("437", "alice") "#HELD\\[X\\] :");
	h_advance(h, (long)h->srv->cfg->channel_delay - 1);
	fc_send(a, "JOIN #held[x]");
	fc_expect(a, NUM("437", "alice") "#held\\[x\\] :");
	h_advance(h, 1);
	fc_send(a, "JOIN #held[x]");
	fc_expect(a, "^:alice![^ ]+ JOIN #held\\[x\\]$");
	fc_expect(a, NUM("353", "alice") "= #held\\[x\\] :@alice$");
	h_free(h);
}
END_TEST

/* The lost server's return drops its holds (and only its). */
START_TEST(released_by_return)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");

	hold(h, "#one", "lost.test");
	hold(h, "#two", "other.test");
	ck_assert_uint_eq(hold_del_tag(h->srv->chan_holds, "lost.test"), 1);
	fc_send(a, "JOIN #one");
	fc_expect(a, "^:alice![^ ]+ JOIN #one$");
	fc_send(a, "JOIN #two");
	fc_expect(a, NUM("437", "alice") "#two :");
	h_free(h);
}
END_TEST

/* channel_delay = 0: a split holds nothing. */
START_TEST(delay_off)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a;

	cfg->channel_delay = 0;
	h = h_new_cfg(cfg);
	a = fc_new(h, "alice");
	hold(h, "#free", "lost.test");
	fc_send(a, "JOIN #free");
	fc_expect(a, "^:alice![^ ]+ JOIN #free$");
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_hold");
	TCase *tc = h_tcase(s, "hold", 10);

	tcase_add_test(tc, held_until_delay);
	tcase_add_test(tc, released_by_return);
	tcase_add_test(tc, delay_off);
	return h_run_suite(s);
}
