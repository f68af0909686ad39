/* test_h_nickserv.c - nick protection (issue 11, cmd/nickserv.c) on the
 * harness's fixed clock: a client using a nick owned by an account it is
 * not logged in to is warned and renamed to a guest nick exactly when
 * [accounts] enforce_grace has passed, not a second before; identifying,
 * changing nick, SET ENFORCE OFF, enforce_default = no and a suspension
 * each leave it alone. The timer is driven with h_advance and
 * nickserv_enforce_run (what the libevent timer calls), so nothing waits.
 *
 * Accounts are written straight into the store with a plain-text "hash":
 * pwcheck compares a stored value that is not a hash at once, so IDENTIFY
 * answers within the turn (argon2id is covered by the live tests). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/server.h"
#include "store/store.h"
#include "cmd/nickserv.h"
#include "daemon.h"

#include "harness.h"

#define NS "^:NickServ!NickServ@services\\. NOTICE "

static char dir[64];

static struct harness *
h_accounts(bool enforce_default)
{
	struct config *cfg = h_config();
	struct harness *h;
	char path[128], err[256];

	snprintf(dir, sizeof(dir), "/tmp/evircd_hns_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/accounts.db", dir);
	cfg->accounts_db = strdup(path);
	cfg->enforce_grace = 30;
	cfg->enforce_default = enforce_default;
	h = h_new_cfg(cfg);
	ck_assert_msg(server_accounts_open(h->srv, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(
	    store_account_create(h->srv->store, "alice", "sekrit1", NULL, 1, NULL, NULL, NULL));
	ck_assert_ptr_nonnull(
	    store_account_create(h->srv->store, "bob", "sekrit2", NULL, 1, NULL, NULL, NULL));
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

/* tick: move the clock by secs and run what the enforcement timer runs. */
static void
tick(struct harness *h, long secs)
{
	h_advance(h, secs);
	nickserv_enforce_run(h->srv);
	fc_run(h);
}

START_TEST(renamed_after_grace)
{
	struct harness *h = h_accounts(true);
	struct fc *x = fc_new(h, "alice"), *w = fc_new(h, "watcher");

	fc_expect(x,
	    NS "alice :This nickname is registered\\. Please choose a different nickname, "
	       "or identify via /msg NickServ IDENTIFY <password>\\.$");
	fc_expect(x,
	    NS "alice :You have 30 seconds to identify to your nickname before it is "
	       "changed\\.$");
	ck_assert_ptr_nonnull(fc_client(x)->enforce);
	fc_expect_none(w, "NOTICE"); /* only the user of the nick is told */
	fc_send(w, "JOIN #c");
	fc_send(x, "JOIN #c");
	fc_clear(w);
	tick(h, 29);
	fc_expect_none(x, "NICK");
	tick(h, 1);
	fc_expect(x, NS "alice :You failed to identify in time for the nickname alice\\.$");
	fc_expect(x, PFX("alice") "NICK :Guest[0-9]{5}$");
	fc_expect(w, PFX("alice") "NICK :Guest[0-9]{5}$"); /* an ordinary nick change */
	ck_assert_ptr_null(fc_client(x)->enforce);
	ck_assert(strncmp(fc_client(x)->nick, "Guest", 5) == 0);
	ck_assert(TAILQ_EMPTY(&h->srv->enforceq));
	h_accounts_free(h);
}
END_TEST

/* IDENTIFY within the grace cancels; LOGOUT starts it again; a nick
 * change away cancels; moving between protected nicks keeps the first
 * deadline. */
START_TEST(identify_nick_change_cancel)
{
	struct harness *h = h_accounts(true);
	struct fc *x = fc_new(h, "alice");

	fc_expect(x, NS "alice :This nickname is registered");
	tick(h, 10);
	fc_send(x, "PRIVMSG NickServ :IDENTIFY sekrit1");
	fc_expect(x, NS "alice :You are now identified for alice\\.$");
	ck_assert_ptr_null(fc_client(x)->enforce);
	tick(h, 60);
	fc_expect_none(x, "NICK");
	/* logged out: protected again, a fresh grace */
	fc_send(x, "PRIVMSG NickServ :LOGOUT");
	fc_expect(x, NS "alice :This nickname is registered");
	ck_assert_ptr_nonnull(fc_client(x)->enforce);
	tick(h, 20);
	/* to bob's nick: still protected, still the first deadline */
	fc_send(x, "NICK bob");
	fc_expect(x, PFX("alice") "NICK :bob$");
	fc_expect_none(x, "This nickname is registered"); /* not warned twice */
	tick(h, 9);
	fc_expect_none(x, "NICK");
	tick(h, 1);
	fc_expect(x, PFX("bob") "NICK :Guest[0-9]{5}$");
	/* a nick change away cancels */
	fc_send(x, "NICK alice");
	fc_expect(x, NS "[^ ]+ :This nickname is registered");
	fc_send(x, "NICK free1");
	ck_assert_ptr_null(fc_client(x)->enforce);
	tick(h, 60);
	fc_expect_none(x, "NICK :Guest");
	h_accounts_free(h);
}
END_TEST

/* SET ENFORCE OFF, a suspended account and enforce_default = no: no
 * warning, no timer, no rename; SET ENFORCE ON under enforce_default = no
 * protects that account. A client that goes frees its timer. */
START_TEST(enforce_off_suspended_default)
{
	struct harness *h = h_accounts(true);
	struct fc *x;

	ck_assert_ptr_nonnull(
	    store_account_set_enforce(h->srv->store, "alice", STORE_ENFORCE_OFF, NULL, NULL, NULL));
	ck_assert_ptr_nonnull(
	    store_account_suspend(h->srv->store, "bob", 5, "oper", "test", NULL, NULL, NULL));
	x = fc_new(h, "alice");
	fc_expect_none(x, "registered");
	fc_send(x, "NICK bob");
	fc_expect_none(x, "registered");
	ck_assert_ptr_null(fc_client(x)->enforce);
	tick(h, 100);
	fc_expect_none(x, "NICK :Guest");
	/* a client leaving with its timer pending takes it along */
	ck_assert_ptr_nonnull(store_account_set_enforce(h->srv->store, "alice",
	    STORE_ENFORCE_DEFAULT, NULL, NULL, NULL));
	fc_send(x, "NICK alice");
	ck_assert_ptr_nonnull(fc_client(x)->enforce);
	fc_send(x, "QUIT");
	fc_run(h);
	ck_assert(TAILQ_EMPTY(&h->srv->enforceq));
	tick(h, 100);
	store_sync(h->srv->store);
	h_accounts_free(h);

	h = h_accounts(false);
	x = fc_new(h, "alice");
	fc_expect_none(x, "registered");
	ck_assert_ptr_null(fc_client(x)->enforce);
	ck_assert_ptr_nonnull(
	    store_account_set_enforce(h->srv->store, "bob", STORE_ENFORCE_ON, NULL, NULL, NULL));
	fc_send(x, "NICK bob");
	fc_expect(x, NS "bob :This nickname is registered");
	tick(h, 30);
	fc_expect(x, PFX("bob") "NICK :Guest[0-9]{5}$");
	store_sync(h->srv->store);
	h_accounts_free(h);
}
END_TEST

/* A grace shortened (REHASH) while timers are pending: the queue stays in
 * due order, so the newer, shorter timer fires first and on time. */
START_TEST(shorter_grace_after_rehash)
{
	struct harness *h = h_accounts(true);
	struct fc *x = fc_new(h, "alice"), *y;

	fc_expect(x, NS "alice :You have 30 seconds");
	h->srv->cfg->enforce_grace = 5;
	y = fc_new(h, "bob");
	fc_expect(y, NS "bob :You have 5 seconds");
	ck_assert_ptr_eq(TAILQ_FIRST(&h->srv->enforceq), fc_client(y)->enforce);
	tick(h, 5);
	fc_expect(y, PFX("bob") "NICK :Guest[0-9]{5}$");
	fc_expect_none(x, "NICK");
	tick(h, 25);
	fc_expect(x, PFX("alice") "NICK :Guest[0-9]{5}$");
	h_accounts_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_nickserv");
	TCase *tc = h_tcase(s, "enforce", 30);

	tcase_add_test(tc, renamed_after_grace);
	tcase_add_test(tc, identify_nick_change_cancel);
	tcase_add_test(tc, enforce_off_suspended_default);
	tcase_add_test(tc, shorter_grace_after_rehash);
	return h_run_suite(s);
}
