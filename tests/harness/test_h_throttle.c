/* test_h_throttle.c - per-address limits on account work (core/throttle.c,
 * docs/ACCOUNTS.md "Limits per address") on the harness's fixed clock:
 * failed logins block an address until login_window has passed, not a
 * second before; registrations likewise per register_window; IPv6
 * addresses are grouped by /64 and IPv4 ones are not; 904 and 905 cost
 * fakelag.
 *
 * Accounts are written straight into the store with a plain-text "hash":
 * pwcheck compares a stored value that is not a hash at once, so logins
 * answer within the turn (the hash worker share is covered by
 * live_throttle). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/client.h"
#include "core/config.h"
#include "core/server.h"
#include "core/throttle.h"
#include "store/store.h"
#include "daemon.h"

#include "harness.h"

#define NS "^:NickServ!NickServ@services\\. NOTICE "

static char dir[64];

static struct harness *
h_accounts(void)
{
	struct config *cfg = h_config();
	struct harness *h;
	char path[128], err[256];

	snprintf(dir, sizeof(dir), "/tmp/evircd_hthr_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/accounts.db", dir);
	cfg->accounts_db = strdup(path);
	cfg->enforce_default = false;
	cfg->login_failures = 3;
	cfg->login_window = 60;
	cfg->register_limit = 2;
	cfg->register_window = 3600;
	h = h_new_cfg(cfg);
	ck_assert_msg(server_accounts_open(h->srv, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(
	    store_account_create(h->srv->store, "alice", "sekrit1", NULL, 1, NULL, NULL, NULL));
	store_sync(h->srv->store);
	return h;
}

static void
h_accounts_free(struct harness *h)
{
	char cmd[128];

	h_free(h);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Three wrong IDENTIFYs block the address: a fourth (even with the right
 * password, and from another connection of the same address) is refused
 * without a check until 60 s after the first failure; at 60 s it works. */
START_TEST(login_window_expires)
{
	struct harness *h = h_accounts();
	struct fc *x = fc_new(h, "xx"), *y = fc_new(h, "yy");
	time_t before;
	int i;

	for (i = 0; i < 3; i++) {
		before = fc_client(x)->fakelag > h->srv->now ? fc_client(x)->fakelag : h->srv->now;
		fc_send(x, "PRIVMSG NickServ :IDENTIFY alice wrong%d", i);
		fc_expect(x, NS "xx :Invalid password for alice\\.$");
		ck_assert_int_ge(fc_client(x)->fakelag, before + 4); /* SASL_FAIL_PENALTY */
	}
	h_advance(h, 10);
	fc_send(y, "PRIVMSG NickServ :IDENTIFY alice sekrit1");
	fc_expect(y, NS "yy :Too many failed logins from your address; try again in 50 s\\.$");
	ck_assert_ptr_null(fc_client(y)->account);
	h_advance(h, 49);
	fc_send(y, "PRIVMSG NickServ :IDENTIFY alice sekrit1");
	fc_expect(y, NS "yy :Too many failed logins from your address; try again in 1 s\\.$");
	h_advance(h, 1);
	fc_send(y, "PRIVMSG NickServ :IDENTIFY alice sekrit1");
	fc_expect(y, NS "yy :You are now identified for alice\\.$");
	h_accounts_free(h);
}
END_TEST

/* SASL failures count against the same budget as IDENTIFY; the refusal is
 * 904 with the reason, before the mechanism is even started. */
START_TEST(sasl_blocked_904)
{
	struct harness *h = h_accounts();
	struct fc *x = fc_connect(h, "x");
	int i;

	fc_send(x, "CAP REQ :sasl");
	fc_expect(x, "ACK :sasl");
	for (i = 0; i < 3; i++) {
		fc_send(x, "AUTHENTICATE PLAIN");
		fc_expect(x, "^AUTHENTICATE \\+$");
		fc_send(x, "AUTHENTICATE AGFsaWNlAHdyb25n"); /* \0alice\0wrong */
		fc_expect(x, " 904 \\* :SASL authentication failed$");
	}
	fc_send(x, "AUTHENTICATE PLAIN");
	fc_expect_next(x,
	    " 904 \\* :SASL authentication failed: too many failed logins from your "
	    "address, try again in 60 s$");
	h_advance(h, 60);
	fc_send(x, "AUTHENTICATE PLAIN");
	fc_expect(x, "^AUTHENTICATE \\+$");
	fc_send(x, "AUTHENTICATE AGFsaWNlAHNla3JpdDE="); /* \0alice\0sekrit1 */
	fc_expect(x, " 903 \\* :SASL authentication successful$");
	h_accounts_free(h);
}
END_TEST

/* 905 (a chunk over 400 bytes, a message over 1600) costs fakelag, as 904
 * does. */
START_TEST(toolong_905_fakelag)
{
	struct harness *h = h_accounts();
	struct fc *x = fc_connect(h, "x");
	char big[402];
	time_t before;

	fc_send(x, "CAP REQ :sasl");
	fc_expect(x, "ACK :sasl");
	memset(big, 'A', 401);
	big[401] = '\0';
	fc_send(x, "AUTHENTICATE PLAIN");
	fc_expect(x, "^AUTHENTICATE \\+$");
	before = fc_client(x)->fakelag > h->srv->now ? fc_client(x)->fakelag : h->srv->now;
	fc_send(x, "AUTHENTICATE %s", big);
	fc_expect(x, " 905 \\* :SASL message too long$");
	ck_assert_int_ge(fc_client(x)->fakelag, before + 4);
	big[400] = '\0';
	fc_send(x, "AUTHENTICATE PLAIN");
	fc_expect(x, "^AUTHENTICATE \\+$");
	before = fc_client(x)->fakelag;
	fc_send(x, "AUTHENTICATE %s", big);
	fc_send(x, "AUTHENTICATE %s", big);
	fc_send(x, "AUTHENTICATE %s", big);
	fc_send(x, "AUTHENTICATE %s", big);
	fc_send(x, "AUTHENTICATE %s", big);
	fc_expect(x, " 905 ");
	ck_assert_int_ge(fc_client(x)->fakelag, before + 4);
	h_accounts_free(h);
}
END_TEST

/* set_addr: c's address (what the throttle keys on). */
static void
set_addr(struct client *c, const char *text)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&c->addr;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&c->addr;

	memset(&c->addr, 0, sizeof(c->addr));
	if (strchr(text, ':') != NULL) {
		s6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		s4->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
}

/* Registrations: two per hour per address; the window ends exactly at
 * 3600 s. IPv6 addresses in one /64 share a budget, another /64 has its
 * own; neighbouring IPv4 addresses do not share. */
START_TEST(register_window_and_grouping)
{
	struct harness *h = h_new();
	struct server *srv = h->srv;
	struct client a, b, c4, d4;

	srv->cfg->register_limit = 2;
	srv->cfg->register_window = 3600;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c4, 0, sizeof(c4));
	memset(&d4, 0, sizeof(d4));
	set_addr(&a, "2001:db8:1:2::1");
	set_addr(&b, "2001:db8:1:2:ffff::9"); /* same /64 */
	set_addr(&c4, "192.0.2.1");
	set_addr(&d4, "192.0.2.2");
	ck_assert_int_eq(throttle_register_wait(srv, &a), 0);
	throttle_registered(srv, &a);
	h_advance(h, 100);
	throttle_registered(srv, &b);
	ck_assert_int_eq(throttle_register_wait(srv, &a), 3500);
	ck_assert_int_eq(throttle_register_wait(srv, &b), 3500);
	set_addr(&b, "2001:db8:1:3::1"); /* the next /64 */
	ck_assert_int_eq(throttle_register_wait(srv, &b), 0);
	throttle_registered(srv, &c4);
	throttle_registered(srv, &c4);
	ck_assert_int_gt(throttle_register_wait(srv, &c4), 0);
	ck_assert_int_eq(throttle_register_wait(srv, &d4), 0);
	h_advance(h, 3499);
	ck_assert_int_eq(throttle_register_wait(srv, &a), 1);
	h_advance(h, 1);
	ck_assert_int_eq(throttle_register_wait(srv, &a), 0);
	h_free(h);
}
END_TEST

/* Hash slots: hash_jobs_per_ip per address, given back on release; an
 * entry holding a slot survives expiry, one without is dropped. */
START_TEST(hash_share_slots)
{
	struct harness *h = h_new();
	struct server *srv = h->srv;
	struct throttle_entry *s1, *s2, *s3, *o;
	struct client a, b;

	srv->cfg->hash_jobs_per_ip = 2;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	set_addr(&a, "127.0.0.2");
	set_addr(&b, "127.0.0.3");
	ck_assert(throttle_hash_acquire(srv, &a, &s1));
	ck_assert(throttle_hash_acquire(srv, &a, &s2));
	ck_assert_ptr_nonnull(s1);
	ck_assert(!throttle_hash_acquire(srv, &a, &s3));
	ck_assert_ptr_null(s3);
	ck_assert(throttle_hash_acquire(srv, &b, &o)); /* another address */
	h_advance(h, 100000); /* every window long past: slots still held */
	ck_assert(!throttle_hash_acquire(srv, &a, &s3));
	throttle_hash_release(s1);
	ck_assert(throttle_hash_acquire(srv, &a, &s3));
	throttle_hash_release(s2);
	throttle_hash_release(s3);
	throttle_hash_release(o);
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_throttle");
	TCase *tc = h_tcase(s, "throttle", 30);

	tcase_add_test(tc, login_window_expires);
	tcase_add_test(tc, sasl_blocked_904);
	tcase_add_test(tc, toolong_905_fakelag);
	tcase_add_test(tc, register_window_and_grouping);
	tcase_add_test(tc, hash_share_slots);
	return h_run_suite(s);
}
