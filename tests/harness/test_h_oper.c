/* test_h_oper.c - OPER KILL WALLOPS and the nick delay through the
 * in-process harness. RFC 2812 §3.1.4, §3.7.1, §4.7, RFC 2813 §5.7 (nick
 * delay), Modern IRC "OPER message" and "KILL message". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
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
	fc_send(n, "NICK VICTIM");	/* case-insensitively too */
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
	tc = h_tcase(s, "kill", 10);
	tcase_add_test(tc, kill);
	tcase_add_test(tc, kill_self);
	tcase_add_test(tc, nick_delay);
	tcase_add_test(tc, nick_delay_off);
	return h_run_suite(s);
}
