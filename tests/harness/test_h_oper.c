/* test_h_oper.c - OPER KILL WALLOPS and the nick delay through the
 * in-process harness. RFC 2812 §3.1.4, §3.7.1, §4.7, RFC 2813 §5.7 (nick
 * delay), Modern IRC "OPER message" and "KILL message". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evircd_config.h"
#include "core/config.h"
#include "core/password.h"
#include "core/server.h"

#include "harness.h"

static struct harness *
h_opers(void)
{
	struct config *cfg = h_config();

	h_config_add_oper(cfg, "admin", "s3cret", "*@127.0.0.1");
	h_config_add_oper(cfg, "remote", "s3cret", "*@10.*");
	return h_new_cfg(cfg);
}

/* an oper'd client */
static struct fc *
fc_oper(struct harness *h, const char *nick)
{
	struct fc *o = fc_new(h, nick);

	fc_send(o, "OPER admin s3cret");
	fc_expect(o, SRV "381 [^ ]+ :");
	fc_clear(o);
	return o;
}

START_TEST(oper)
{
	struct harness *h = h_opers();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "OPER admin wrong");
	fc_expect(a, NUM("464", "alice") ":");
	fc_send(a, "OPER nobody s3cret");
	fc_expect(a, NUM("491", "alice") ":");
	/* the host does not match */
	fc_send(a, "OPER remote s3cret");
	fc_expect(a, NUM("491", "alice") ":");
	fc_send(a, "OPER admin");
	fc_expect(a, NUM("461", "alice") "OPER :");
	fc_expect_none(a, " 381 ");
	fc_send(a, "OPER admin s3cret");
	fc_expect(a, "^:[^ ]+ MODE alice :?\\+o$");
	fc_expect(a, NUM("381", "alice") ":");
	/* visible in WHOIS and LUSERS */
	fc_send(b, "WHOIS alice");
	fc_expect(b, NUM("313", "bob") "alice :");
	fc_send(b, "LUSERS");
	fc_expect(b, NUM("252", "bob") "1 :");
	h_free(h);
}
END_TEST

START_TEST(oper_only_commands)
{
	struct harness *h = h_opers();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "KILL bob :go away");
	fc_expect(a, NUM("481", "alice") ":");
	fc_send(a, "WALLOPS :hello");
	fc_expect(a, NUM("481", "alice") ":");
	fc_send(a, "REHASH");
	fc_expect(a, NUM("481", "alice") ":");
	fc_send(a, "DIE");
	fc_expect(a, NUM("481", "alice") ":");
	ck_assert_ptr_nonnull(fc_client(b));
	fc_expect_none(b, "KILL|ERROR|WALLOPS");
	h_free(h);
}
END_TEST

/* KILL: the victim gets an ERROR with the reason and is closed; its peers
 * see one QUIT naming the kill. */
START_TEST(kill)
{
	struct harness *h = h_opers();
	struct fc *o = fc_oper(h, "oscar"), *v = fc_new(h, "victim"), *p = fc_new(h, "peer");

	fc_send(v, "JOIN #a,#b");
	fc_send(p, "JOIN #a,#b");
	fc_clear(p);
	fc_send(o, "KILL victim :spamming");
	fc_expect(v, "^ERROR :.*spamming");
	ck_assert(fc_gone(v));
	ck_assert_uint_eq(fc_count(p, PFX("victim") "QUIT :.*[Kk]illed.*spamming"), 1);
	ck_assert_uint_eq(fc_count(p, "QUIT"), 1);
	fc_send(o, "KILL victim :again");
	fc_expect(o, NUM("401", "oscar") "victim :");
	fc_send(o, "KILL irc.test :server");
	fc_expect(o, NUM("483", "oscar") ":");
	fc_send(o, "KILL peer");
	fc_expect(o, NUM("461", "oscar") "KILL :");
	ck_assert_ptr_nonnull(fc_client(p));
	h_free(h);
}
END_TEST

/* RFC 2813 §5.7 / RFC 2812 437: a killed nick is unavailable for
 * nick_delay seconds, then free again. */
START_TEST(nick_delay)
{
	struct harness *h = h_opers();
	struct fc *o = fc_oper(h, "oscar"), *v = fc_new(h, "victim"), *n;

	fc_send(o, "KILL victim :bye");
	fc_expect(v, "^ERROR :");
	n = fc_connect(h, "newcomer");
	fc_send(n, "NICK victim");
	fc_expect(n, SRV "437 \\* victim :");
	fc_send(n, "NICK VICTIM"); /* case-insensitively too */
	fc_expect(n, SRV "437 \\* VICTIM :");
	h_advance(h, (long)h->srv->cfg->nick_delay - 1);
	fc_send(n, "NICK victim");
	fc_expect(n, SRV "437 \\* victim :");
	h_advance(h, 2);
	fc_send(n, "NICK victim");
	fc_send(n, "USER v 0 * :V");
	fc_expect(n, NUM("001", "victim"));
	h_free(h);
}
END_TEST

/* With nick_delay = 0 there is no hold. */
START_TEST(nick_delay_off)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *o, *v, *n;

	h_config_add_oper(cfg, "admin", "s3cret", "*");
	cfg->nick_delay = 0;
	h = h_new_cfg(cfg);
	o = fc_oper(h, "oscar");
	v = fc_new(h, "victim");
	fc_send(o, "KILL victim :bye");
	fc_expect(v, "^ERROR :");
	n = fc_new(h, "victim");
	(void)n;
	h_free(h);
}
END_TEST

/* Killing oneself is allowed and closes the oper. */
START_TEST(kill_self)
{
	struct harness *h = h_opers();
	struct fc *o = fc_oper(h, "oscar");

	fc_send(o, "KILL oscar :me");
	fc_expect(o, "^ERROR :.*me");
	ck_assert(fc_gone(o));
	h_free(h);
}
END_TEST

/* WALLOPS reaches users with +w (RFC 2812 §4.7). */
START_TEST(wallops)
{
	struct harness *h = h_opers();
	struct fc *o = fc_oper(h, "oscar"), *w = fc_new(h, "wanda"), *n = fc_new(h, "norm");

	fc_send(w, "MODE wanda +w");
	fc_expect(w, "MODE wanda :?\\+w$");
	fc_send(o, "WALLOPS :network notice");
	fc_expect(w, PFX("oscar") "WALLOPS :network notice$");
	fc_expect_none(n, "WALLOPS");
	h_free(h);
}
END_TEST

/* Dropping +o with MODE takes the operator rights away. */
START_TEST(deoper)
{
	struct harness *h = h_opers();
	struct fc *o = fc_oper(h, "oscar"), *v = fc_new(h, "victim");

	fc_send(o, "MODE oscar -o");
	fc_expect(o, "MODE oscar :?-o$");
	fc_send(o, "KILL victim :x");
	fc_expect(o, NUM("481", "oscar") ":");
	ck_assert_ptr_nonnull(fc_client(v));
	fc_send(o, "LUSERS");
	fc_expect_none(o, " 252 ");
	h_free(h);
}
END_TEST

#if HAVE_SODIUM
static struct harness *hashed_h;
static struct fc *hashed_gone;

/* the pool has nothing left and the hung-up client is freed */
static bool
pool_idle(struct fc *fc)
{
	return password_pool_pending(hashed_h->srv->pwpool) == 0 &&
	    (hashed_gone == NULL || fc_gone(hashed_gone));
}

/* Issue 9 item 1: PASS only records the password; it is verified once per
 * connection, when NICK and USER are in, on the worker thread; the last PASS
 * counts (RFC 2812 §3.1.1). 50 PASS lines cost one argon2id check, not 50. */
START_TEST(hashed_pass_checked_once)
{
	struct config *cfg = h_config();
	char hash[PASSWORD_HASH_MAX], flood[64 * 20];
	struct harness *h;
	struct fc *f, *g;
	size_t n = 0;
	int i;

	ck_assert_int_eq(password_hash("HPw-1", hash, sizeof(hash)), 0);
	cfg->password = strdup(hash);
	h = hashed_h = h_new_cfg(cfg);
	f = fc_connect(h, "right");
	for (i = 0; i < 50; i++)
		n += (size_t)snprintf(flood + n, sizeof(flood) - n, "PASS wrong-%d\r\n", i);
	n += (size_t)snprintf(flood + n, sizeof(flood) - n,
	    "PASS HPw-1\r\nNICK right\r\n"
	    "USER r 0 * :r\r\n");
	fc_send_raw(f, flood, n);
	ck_assert(h_wait_count(h, f, NUM("001", "right"), 1, 10000));
	ck_assert_uint_eq(password_pool_checks(h->srv->pwpool), 1);
	fc_send(f, "PASS HPw-1");
	fc_expect(f, NUM("462", "right") ":");

	g = fc_connect(h, "wrong");
	fc_send_raw(g, flood, n - strlen("PASS HPw-1\r\nNICK right\r\nUSER r 0 * :r\r\n"));
	fc_send(g, "NICK wrong");
	fc_send(g, "USER w 0 * :w");
	ck_assert(h_wait_count(h, g, NUM("464", "wrong") ":", 1, 10000));
	ck_assert_uint_eq(password_pool_checks(h->srv->pwpool), 2);
	fc_expect(g, "^ERROR :Closing Link: 127\\.0\\.0\\.1 \\(Bad password\\)$");
	h_free(h);
}
END_TEST

/* A client that goes away while its check is queued or running: the job is
 * cancelled (queued) or its result dropped (running), never delivered to
 * a freed client (ASan in CI), and the server carries on. */
START_TEST(hashed_check_client_gone)
{
	struct config *cfg = h_config();
	char hash[PASSWORD_HASH_MAX];
	struct harness *h;
	struct fc *a, *b, *c;

	ck_assert_int_eq(password_hash("OPw-2", hash, sizeof(hash)), 0);
	h_config_add_oper(cfg, "admin", hash, "*@127.0.0.1");
	h = hashed_h = h_new_cfg(cfg);
	a = fc_new(h, "alice");
	b = fc_new(h, "bob");
	c = fc_new(h, "carol");
	fc_send(a, "OPER admin OPw-2"); /* runs */
	fc_send(b, "OPER admin OPw-2"); /* queued behind it (one worker) */
	ck_assert_uint_ge(password_pool_pending(h->srv->pwpool), 1);
	fc_hangup(b);
	hashed_gone = b;
	ck_assert(h_wait_real(h, a, pool_idle, 10000));
	fc_expect(a, NUM("381", "alice") ":");
	fc_send(c, "OPER admin OPw-2");
	fc_hangup(c); /* gone while its check runs */
	hashed_gone = c;
	ck_assert(h_wait_real(h, a, pool_idle, 10000));
	hashed_gone = NULL;
	fc_send(a, "PING :still");
	fc_expect(a, "PONG " H_SERVER " :still$");
	h_free(h);
}
END_TEST
#endif

int
main(void)
{
	Suite *s = suite_create("h_oper");
	TCase *tc;

	tc = h_tcase(s, "oper", 10);
	tcase_add_test(tc, oper);
	tcase_add_test(tc, oper_only_commands);
	tcase_add_test(tc, deoper);
	tcase_add_test(tc, wallops);
#if HAVE_SODIUM
	tc = h_tcase(s, "hashed", 30);
	tcase_add_test(tc, hashed_pass_checked_once);
	tcase_add_test(tc, hashed_check_client_gone);
#endif
	tc = h_tcase(s, "kill", 10);
	tcase_add_test(tc, kill);
	tcase_add_test(tc, kill_self);
	tcase_add_test(tc, nick_delay);
	tcase_add_test(tc, nick_delay_off);
	return h_run_suite(s);
}
