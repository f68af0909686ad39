/* test_config.c - config_default, config_load of INI files, password_check.
 * Expectations from docs/CONFIG.md (the documented defaults, keys, units
 * and the "FILE:LINE: what is wrong" error format). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "evircd_config.h"
#include "core/config.h"
#include "core/number.h"
#include "core/connlimit.h"
#include "core/password.h"

static char path[256];

/* write_conf: a fresh temporary file with text; its path in `path`. */
static const char *
write_conf(const char *text)
{
	const char *dir = getenv("TMPDIR");
	int fd;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "%s/evircd-unit-XXXXXX", dir != NULL ? dir : "/tmp");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static void
unlink_conf(void)
{
	if (path[0] != '\0')
		unlink(path);
	path[0] = '\0';
}

/* load_err: config_load must fail; returns the error text. */
static const char *
load_err(const char *text)
{
	static char err[512];
	struct config *cfg;

	write_conf(text);
	err[0] = '\0';
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg == NULL, "config accepted:\n%s", text);
	ck_assert_msg(err[0] != '\0', "no error text for:\n%s", text);
	return err;
}

/* assert_err_line: the error starts with "PATH:LINE:" and mentions what. */
static void
assert_err_line(const char *err, int line, const char *what)
{
	char want[300];

	snprintf(want, sizeof(want), "%s:%d:", path, line);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "error '%s' should start with '%s'",
	    err, want);
	if (what != NULL)
		ck_assert_msg(strstr(err, what) != NULL, "error '%s' should mention '%s'", err,
		    what);
}

START_TEST(defaults)
{
	struct config *cfg = config_default();

	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_nonnull(cfg->name);
	ck_assert_uint_gt(strlen(cfg->name), 0);
	ck_assert_str_eq(cfg->network, "evircd");
	ck_assert_str_eq(cfg->description, "evircd IRC server");
	/* all IPv4 and IPv6 addresses, port 6667 */
	ck_assert_uint_eq(cfg->nlistens, 2);
	ck_assert_str_eq(cfg->listens[0].address, "0.0.0.0");
	ck_assert_uint_eq(cfg->listens[0].port, 6667);
	ck_assert_str_eq(cfg->listens[1].address, "::");
	ck_assert_uint_eq(cfg->listens[1].port, 6667);
	ck_assert_uint_eq(cfg->max_clients, 100000);
	ck_assert_uint_eq(cfg->ping_interval, 120);
	ck_assert_uint_eq(cfg->ping_timeout, 60);
	ck_assert_uint_eq(cfg->registration_timeout, 30);
	ck_assert_uint_eq(cfg->nicklen, 30);
	ck_assert_uint_eq(cfg->channellen, 50);
	ck_assert_uint_eq(cfg->topiclen, 390);
	ck_assert_uint_eq(cfg->kicklen, 390);
	ck_assert_uint_eq(cfg->awaylen, 200);
	ck_assert_uint_eq(cfg->max_channels_per_user, 20);
	ck_assert_uint_eq(cfg->max_list, 100);
	ck_assert_uint_eq(cfg->max_targets, 4);
	ck_assert_uint_eq(cfg->sendq, 1048576);
	ck_assert_uint_eq(cfg->recvq, 16384);
	ck_assert_uint_eq(cfg->whowas_history, 100);
	ck_assert_uint_eq(cfg->nick_delay, 30);
	ck_assert_uint_eq(cfg->channel_delay, 600);
	ck_assert_int_eq(cfg->casemapping, CASEMAP_RFC1459);
	ck_assert(cfg->flood_enabled);
	ck_assert_uint_eq(cfg->flood_burst, 10);
	ck_assert_uint_eq(cfg->flood_penalty, 1);
	ck_assert(cfg->flood_exempt_opers);
	ck_assert_ptr_null(cfg->password);
	ck_assert_uint_eq(cfg->nopers, 0);
	/* the nick length ceiling leaves room for the default */
	ck_assert_uint_le(cfg->nicklen, NICKLEN_MAX);
	config_free(cfg);
	config_free(NULL);
}
END_TEST

START_TEST(load_valid)
{
	char err[512] = "";
	struct config *cfg;

	write_conf("; a comment\n"
		   "[server]\n"
		   "name = irc.example.org\n"
		   "network = ExampleNet\n"
		   "description = A test server\n"
		   "casemapping = ascii\n"
		   "admin_email = ops@example.org\n"
		   "\n"
		   "[limits]\n"
		   "max_clients = 500\n"
		   "nicklen = 16\n"
		   "sendq = 64k\n"
		   "recvq = 1m\n"
		   "ping_interval = 90\n"
		   "nick_delay = 0\n"
		   "channel_delay = 45\n"
		   "whowas_history = 0\n"
		   "\n"
		   "[flood]\n"
		   "enabled = no\n"
		   "burst = 20\n"
		   "penalty = 2\n"
		   "exempt_opers = off\n"
		   "\n"
		   "[security]\n"
		   "password = letmein\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "config_load failed: %s", err);
	ck_assert_str_eq(cfg->name, "irc.example.org");
	ck_assert_str_eq(cfg->network, "ExampleNet");
	ck_assert_str_eq(cfg->description, "A test server");
	ck_assert_str_eq(cfg->admin_email, "ops@example.org");
	ck_assert_int_eq(cfg->casemapping, CASEMAP_ASCII);
	ck_assert_uint_eq(cfg->max_clients, 500);
	ck_assert_uint_eq(cfg->nicklen, 16);
	ck_assert_uint_eq(cfg->sendq, 64 * 1024);
	ck_assert_uint_eq(cfg->recvq, 1024 * 1024);
	ck_assert_uint_eq(cfg->ping_interval, 90);
	ck_assert_uint_eq(cfg->nick_delay, 0);
	ck_assert_uint_eq(cfg->channel_delay, 45);
	ck_assert_uint_eq(cfg->whowas_history, 0);
	ck_assert(!cfg->flood_enabled);
	ck_assert_uint_eq(cfg->flood_burst, 20);
	ck_assert_uint_eq(cfg->flood_penalty, 2);
	ck_assert(!cfg->flood_exempt_opers);
	ck_assert_str_eq(cfg->password, "letmein");
	/* untouched keys keep their defaults */
	ck_assert_uint_eq(cfg->channellen, 50);
	ck_assert_uint_eq(cfg->ping_timeout, 60);
	/* no [listen]: the default pair stays */
	ck_assert_uint_eq(cfg->nlistens, 2);
	/* without motd_file: the built-in MOTD */
	ck_assert_ptr_nonnull(cfg->motd);
	ck_assert_uint_gt(cfg->motd_count, 0);
	config_free(cfg);
	unlink_conf();
}
END_TEST

START_TEST(load_empty_file)
{
	char err[512] = "";
	struct config *cfg;

	write_conf("");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_uint_eq(cfg->nicklen, 30);
	ck_assert_uint_eq(cfg->nlistens, 2);
	config_free(cfg);
	unlink_conf();
}
END_TEST

/* [listen] and [oper] repeat: one entry per section; the first [listen]
 * replaces the default pair. */
START_TEST(load_repeated_sections)
{
	char err[512] = "";
	struct config *cfg;

	write_conf("[listen]\n"
		   "address = 127.0.0.1\n"
		   "port = 6697\n"
		   "[listen]\n"
		   "address = ::1\n"
		   "port = 0\n"
		   "[listen]\n"
		   "[oper]\n"
		   "name = alice\n"
		   "password = secret1\n"
		   "host = *@127.0.0.1\n"
		   "[oper]\n"
		   "name = bob\n"
		   "password = secret2\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "config_load failed: %s", err);
	ck_assert_uint_eq(cfg->nlistens, 3);
	ck_assert_str_eq(cfg->listens[0].address, "127.0.0.1");
	ck_assert_uint_eq(cfg->listens[0].port, 6697);
	ck_assert_str_eq(cfg->listens[1].address, "::1");
	ck_assert_uint_eq(cfg->listens[1].port, 0);
	/* an empty [listen] is address 0.0.0.0, port 6667 */
	ck_assert_str_eq(cfg->listens[2].address, "0.0.0.0");
	ck_assert_uint_eq(cfg->listens[2].port, 6667);
	ck_assert_uint_eq(cfg->nopers, 2);
	ck_assert_str_eq(cfg->opers[0].name, "alice");
	ck_assert_str_eq(cfg->opers[0].password, "secret1");
	ck_assert_str_eq(cfg->opers[0].host, "*@127.0.0.1");
	ck_assert_str_eq(cfg->opers[1].name, "bob");
	ck_assert_str_eq(cfg->opers[1].password, "secret2");
	ck_assert_str_eq(cfg->opers[1].host, "*"); /* default host */
	config_free(cfg);
	unlink_conf();
}
END_TEST

START_TEST(err_unknown_key)
{
	const char *err = load_err("[server]\n"
				   "name = irc.example.org\n"
				   "\n"
				   "[limits]\n"
				   "nicklen = 20\n"
				   "bogus_key = 1\n"
				   "channellen = 40\n");
	assert_err_line(err, 6, "bogus_key");
	unlink_conf();
}
END_TEST

START_TEST(err_unknown_key_server)
{
	const char *err = load_err("[server]\nnmae = irc.example.org\n");
	assert_err_line(err, 2, "nmae");
	unlink_conf();
}
END_TEST

START_TEST(err_unknown_section)
{
	const char *err = load_err("[server]\n"
				   "name = irc.example.org\n"
				   "[nonsense]\n"
				   "x = 1\n");
	assert_err_line(err, 3, "nonsense");
	unlink_conf();
}
END_TEST

START_TEST(err_bad_number)
{
	const char *err = load_err("[limits]\nnicklen = abc\n");
	assert_err_line(err, 2, "nicklen");
	unlink_conf();
	err = load_err("[limits]\n\n\nmax_clients = 12x\n");
	assert_err_line(err, 4, "max_clients");
	unlink_conf();
	err = load_err("[limits]\nping_interval = -5\n");
	assert_err_line(err, 2, "ping_interval");
	unlink_conf();
	err = load_err("[limits]\nsendq = 99999999999999999999999\n");
	assert_err_line(err, 2, "sendq");
	unlink_conf();
	err = load_err("[listen]\nport = http\n");
	assert_err_line(err, 2, "port");
	unlink_conf();
	err = load_err("[flood]\nenabled = maybe\n");
	assert_err_line(err, 2, "enabled");
	unlink_conf();
}
END_TEST

START_TEST(err_out_of_range)
{
	char text[64];
	const char *err;

	/* nicklen is at most NICKLEN_MAX (the compile-time ceiling) */
	snprintf(text, sizeof(text), "[limits]\nnicklen = %d\n", NICKLEN_MAX + 1);
	err = load_err(text);
	assert_err_line(err, 2, "nicklen");
	unlink_conf();
	err = load_err("[limits]\nnicklen = 0\n");
	assert_err_line(err, 2, "nicklen");
	unlink_conf();
	err = load_err("[listen]\nport = 65536\n");
	assert_err_line(err, 2, "port");
	unlink_conf();
	/* recvq must hold a full tagged line (docs: min 8610) */
	err = load_err("[limits]\nrecvq = 1024\n");
	assert_err_line(err, 2, "recvq");
	unlink_conf();
	err = load_err("[limits]\nmax_clients = 0\n");
	assert_err_line(err, 2, "max_clients");
	unlink_conf();
}
END_TEST

START_TEST(err_bad_values)
{
	const char *err;

	err = load_err("[server]\nname = no dots here\n");
	assert_err_line(err, 2, "name");
	unlink_conf();
	err = load_err("[server]\ncasemapping = utf8\n");
	assert_err_line(err, 2, "casemapping");
	unlink_conf();
	err = load_err("[server]\nnetwork = two words\n");
	assert_err_line(err, 2, "network");
	unlink_conf();
	/* over 64 bytes: the ISUPPORT token could not be sent whole */
	err = load_err("[server]\nnetwork = "
		       "N0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
	assert_err_line(err, 2, "network");
	unlink_conf();
}
END_TEST

/* An [oper] block needs name and password (docs: "required"). */
START_TEST(err_oper_incomplete)
{
	char err[512] = "";
	struct config *cfg;

	write_conf("[oper]\nname = alice\nhost = *\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err, path) == err, "error '%s' should start with the path", err);
	ck_assert_msg(strstr(err, "password") != NULL, "error '%s' should mention password", err);
	unlink_conf();
}
END_TEST

/* [accounts] nick protection keys and an [oper] block naming an account
 * (then no password is needed); bad values are refused with the key. */
START_TEST(accounts_enforce_and_oper_account)
{
	char err[512] = "";
	struct config *cfg;

	cfg = config_default();
	ck_assert(cfg->enforce_default);
	ck_assert_uint_eq(cfg->enforce_grace, 30);
	ck_assert_str_eq(cfg->guest_prefix, "Guest");
	ck_assert_uint_eq(cfg->hash_passes, 2);
	ck_assert_uint_eq(cfg->hash_memory, 65536);
	config_free(cfg);
	write_conf("[accounts]\nenforce_default = no\nenforce_grace = 5\nguest_prefix = Anon\n"
		   "hash_passes = 1\nhash_memory = 8\n"
		   "[oper]\nname = boss\naccount = alice\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert(!cfg->enforce_default);
	ck_assert_uint_eq(cfg->enforce_grace, 5);
	ck_assert_str_eq(cfg->guest_prefix, "Anon");
	ck_assert_uint_eq(cfg->hash_passes, 1);
	ck_assert_uint_eq(cfg->hash_memory, 8);
	ck_assert_uint_eq(cfg->nopers, 1);
	ck_assert_str_eq(cfg->opers[0].account, "alice");
	ck_assert_ptr_null(cfg->opers[0].password);
	config_free(cfg);
	write_conf("[accounts]\nenforce_grace = 0\n");
	ck_assert_ptr_null(config_load(path, err, sizeof(err)));
	assert_err_line(err, 2, "enforce_grace");
	write_conf("[accounts]\nguest_prefix = 9lives\n");
	ck_assert_ptr_null(config_load(path, err, sizeof(err)));
	assert_err_line(err, 2, "guest_prefix");
	write_conf("[accounts]\nhash_memory = 7\n");
	ck_assert_ptr_null(config_load(path, err, sizeof(err)));
	assert_err_line(err, 2, "hash_memory");
	write_conf("[accounts]\nhash_passes = 11\n");
	ck_assert_ptr_null(config_load(path, err, sizeof(err)));
	assert_err_line(err, 2, "hash_passes");
	write_conf("[oper]\nname = boss\naccount = #chan\n");
	ck_assert_ptr_null(config_load(path, err, sizeof(err)));
	assert_err_line(err, 3, "account");
	unlink_conf();
}
END_TEST

START_TEST(err_missing_file)
{
	char err[512] = "";

	ck_assert_ptr_null(config_load("/nonexistent/evircd/none.conf", err, sizeof(err)));
	ck_assert_msg(strstr(err, "/nonexistent/evircd/none.conf") != NULL, "error '%s'", err);
}
END_TEST

START_TEST(err_missing_motd_file)
{
	const char *err = load_err("[server]\nmotd_file = /nonexistent/evircd/motd.txt\n");

	ck_assert_msg(strstr(err, "motd") != NULL, "error '%s' should mention the motd", err);
	unlink_conf();
}
END_TEST

START_TEST(motd_file)
{
	char err[512] = "", conf[600], motd[300];
	struct config *cfg;
	FILE *f;

	write_conf("");
	snprintf(motd, sizeof(motd), "%s.motd", path);
	f = fopen(motd, "w");
	ck_assert_ptr_nonnull(f);
	fputs("line one\r\nline two\n\nline four\n", f);
	fclose(f);
	unlink_conf();
	snprintf(conf, sizeof(conf), "[server]\nmotd_file = %s\n", motd);
	write_conf(conf);
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_uint_eq(cfg->motd_count, 4);
	ck_assert_str_eq(cfg->motd[0], "line one");
	ck_assert_str_eq(cfg->motd[1], "line two");
	ck_assert_str_eq(cfg->motd[2], "");
	ck_assert_str_eq(cfg->motd[3], "line four");
	config_free(cfg);
	unlink(motd);
	unlink_conf();
}
END_TEST

START_TEST(password_plain)
{
	ck_assert(password_check("secret", "secret"));
	ck_assert(!password_check("secret", "Secret"));
	ck_assert(!password_check("secret", "secreT"));
	ck_assert(!password_check("secret", "secre")); /* prefix */
	ck_assert(!password_check("secret", "secrets")); /* longer */
	ck_assert(!password_check("secret", ""));
	ck_assert(!password_check("", "secret"));
	ck_assert(password_check("", ""));
	ck_assert(!password_check(NULL, "x"));
	ck_assert(!password_check("x", NULL));
	/* a difference hidden after a NUL-padded comparison must still count */
	ck_assert(!password_check("ab", "ab\x01"));
	ck_assert(!password_check("a\x01", "a"));
}
END_TEST

/* Issue 9 (suspected): a build without libsodium took a configured
 * "$argon2id$..." for a plain-text password (the hash string itself then
 * logged in). A hash this build cannot verify, a malformed hash or another
 * "$argon2" kind is a configuration error naming the key. */
START_TEST(password_hash_config)
{
	static const char good[] =
	    "$argon2id$v=19$m=65536,t=2,p=1$"
	    "c29tZXNhbHRzb21lc2FsdA$8W5V7cgwK1Y0RR1kqSk3AN3IKH5bVnVP6oLUJ6ZKkUA";
	char conf[512], err[512];
	struct config *cfg;

	ck_assert(password_is_hash(good));
	ck_assert(!password_is_hash("plain"));
	ck_assert_ptr_null(password_config_error("plain text"));
#if HAVE_SODIUM
	ck_assert_ptr_null(password_config_error(good));
#endif
	ck_assert_ptr_nonnull(password_config_error("$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA"));
	ck_assert_ptr_nonnull(password_config_error("$argon2id$garbage"));
	ck_assert_ptr_nonnull(password_config_error(
	    "$argon2id$v=19$m=99999999999999999999999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
	    "8W5V7cgwK1Y0RR1kqSk3AN3IKH5bVnVP6oLUJ6ZKkUA"));
	ck_assert_ptr_nonnull(
	    password_config_error("$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
				  "8W5V7cgwK1Y0RR1kqSk3AN3IKH5bVnVP6oLUJ6ZKkUA"));

	/* without hash support (as a build without libsodium) */
	password_test_disable_hashes(true);
	ck_assert_ptr_nonnull(strstr(password_config_error(good), "libsodium"));
	snprintf(conf, sizeof(conf), "[security]\npassword = %s\n", good);
	write_conf(conf);
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg == NULL, "a hash was accepted without hash support");
	ck_assert_msg(strstr(err, ":2: password: ") && strstr(err, "libsodium"), "%s", err);
	snprintf(conf, sizeof(conf), "[oper]\nname = o\npassword = %s\nhost = *\n", good);
	write_conf(conf);
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg == NULL && strstr(err, "[oper] password: "), "%s", err);
	ck_assert(!password_check(good, good)); /* never as plain text */
	password_test_disable_hashes(false);

	/* a malformed one, in any build */
	write_conf("[security]\npassword = $argon2id$v=19$nonsense\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg == NULL && strstr(err, "password: "), "%s", err);
	unlink_conf();
}
END_TEST

/* number_parse: the one parser for numbers from input (issue 9 item 14):
 * never overflows, clamps to the caller's range, refuses non-numbers. */
START_TEST(number_parse_bounds)
{
	long long v = 42;

	ck_assert_int_eq(number_parse("15", 0, 100, &v), NUMBER_OK);
	ck_assert_int_eq(v, 15);
	ck_assert_int_eq(number_parse("+7", 0, 100, &v), NUMBER_OK);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(number_parse("-3", -5, 100, &v), NUMBER_OK);
	ck_assert_int_eq(v, -3);
	ck_assert_int_eq(number_parse("101", 0, 100, &v), NUMBER_CLAMPED);
	ck_assert_int_eq(v, 100);
	ck_assert_int_eq(number_parse("-1", 0, 100, &v), NUMBER_CLAMPED);
	ck_assert_int_eq(v, 0);
	/* the KLINE duration of the report, and numbers past long long */
	ck_assert_int_eq(number_parse("999999999999999999", 0, 524160, &v), NUMBER_CLAMPED);
	ck_assert_int_eq(v, 524160);
	ck_assert_int_eq(number_parse("99999999999999999999999999999999999999", 0, LLONG_MAX, &v),
	    NUMBER_CLAMPED);
	ck_assert(v == LLONG_MAX);
	ck_assert_int_eq(number_parse("-99999999999999999999999", LLONG_MIN, 0, &v),
	    NUMBER_CLAMPED);
	ck_assert(v == LLONG_MIN);
	ck_assert_int_eq(number_parse("9223372036854775807", 0, LLONG_MAX, &v), NUMBER_OK);
	ck_assert(v == LLONG_MAX);
	ck_assert_int_eq(number_parse("9223372036854775808", 0, LLONG_MAX, &v), NUMBER_CLAMPED);
	ck_assert_int_eq(number_parse("-9223372036854775808", LLONG_MIN, 0, &v), NUMBER_OK);
	ck_assert(v == LLONG_MIN);
	v = 42;
	ck_assert_int_eq(number_parse("", 0, 100, &v), NUMBER_INVALID);
	ck_assert_int_eq(number_parse("-", 0, 100, &v), NUMBER_INVALID);
	ck_assert_int_eq(number_parse("12x", 0, 100, &v), NUMBER_INVALID);
	ck_assert_int_eq(number_parse(" 12", 0, 100, &v), NUMBER_INVALID);
	ck_assert_int_eq(number_parse("0x10", 0, 100, &v), NUMBER_INVALID);
	ck_assert_int_eq(v, 42);
}
END_TEST

/* cidr_format: one canonical spelling per address or network, so bans
 * written differently are the same ban (issue 9, IPv6 normalisation). */
START_TEST(cidr_canonical)
{
	static const char *cases[][2] = {
		{ "::1", "0::1" },
		{ "0::1", "0::1" },
		{ "0:0:0:0:0:0:0:1", "0::1" },
		{ "::0001", "0::1" },
		{ "2001:DB8::1", "2001:db8::1" },
		{ "2001:db8::ff/32", "2001:db8::/32" },
		{ "::ffff:1.2.3.4", "1.2.3.4" },
		{ "::FFFF:7f00:1", "127.0.0.1" },
		{ "10.1.2.3/8", "10.0.0.0/8" },
		{ "10.1.2.3/32", "10.1.2.3" },
		{ "::/0", "0::/0" },
		{ "0.0.0.0/0", "0.0.0.0/0" },
	};
	struct cidr net;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(cidr_parse(cases[i][0], &net), "%s", cases[i][0]);
		ck_assert(cidr_format(&net, buf, sizeof(buf)));
		ck_assert_msg(strcmp(buf, cases[i][1]) == 0, "%s gave %s, want %s", cases[i][0],
		    buf, cases[i][1]);
	}
	ck_assert(cidr_parse("::1", &net));
	ck_assert(!cidr_format(&net, buf, 4)); /* does not fit: refused, not cut */
	/* prefix lengths are whole numbers in range (number_parse) */
	ck_assert(!cidr_parse("10.0.0.0/ 8", &net));
	ck_assert(!cidr_parse("10.0.0.0/+8", &net));
	ck_assert(!cidr_parse("10.0.0.0/-0", &net));
	ck_assert(!cidr_parse("10.0.0.0/33", &net));
	ck_assert(!cidr_parse("::/129", &net));
	ck_assert(!cidr_parse("10.0.0.0/99999999999999999999999", &net));
	ck_assert(!cidr_parse("10.0.0.0/", &net));
	ck_assert(cidr_parse("10.0.0.0/8", &net) && net.plen == 104);
}
END_TEST

/* [link] sections (docs/CONFIG.md, docs/NETWORK.md): repeatable, every key
 * read, `password` sets both directions, defaults for the rest. */
START_TEST(link_sections)
{
	char err[512] = "";
	struct config *cfg;
	const struct link_conf *a, *b;

	write_conf("[server]\nname = me.example\n[listen]\nport = 0\n"
		   "[link]\nname = hub.example\naddress = 127.0.0.1\nport = 6697\n"
		   "password = s3cret\ntls = yes\nautoconnect = yes\nconnect_retry = 5\nhub = yes\n"
		   "[link]\nname = services.example\nsend_password = out\naccept_password = in\n"
		   "services = yes\nsendq = 8388608\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_uint_eq(cfg->nlinks, 2);
	a = config_find_link(cfg, "HUB.example");
	b = config_find_link(cfg, "services.example");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(config_find_link(cfg, "other.example"));
	ck_assert_str_eq(a->address, "127.0.0.1");
	ck_assert_uint_eq(a->port, 6697);
	ck_assert_str_eq(a->send_password, "s3cret");
	ck_assert_str_eq(a->accept_password, "s3cret");
	ck_assert(a->tls && a->autoconnect && a->hub && !a->services);
	ck_assert_uint_eq(a->connect_retry, 5);
	ck_assert_uint_eq(a->sendq, 4 * 1024 * 1024);
	ck_assert_str_eq(b->send_password, "out");
	ck_assert_str_eq(b->accept_password, "in");
	ck_assert(b->services && !b->hub && !b->autoconnect && !b->tls);
	ck_assert_ptr_null(b->address);
	ck_assert_uint_eq(b->sendq, 8388608);
	ck_assert_uint_eq(b->connect_retry, 10);
	config_free(cfg);
	unlink_conf();
}
END_TEST

/* Bad [link] sections are refused with the line of the problem. */
START_TEST(link_errors)
{
	const char *err;

	err = load_err("[server]\nname = me.example\n[link]\nname = nodot\n");
	assert_err_line(err, 4, "server name");
	unlink_conf();
	err = load_err("[server]\nname = me.example\n[link]\nname = a.example\n");
	assert_err_line(err, 3, "needs password");
	unlink_conf();
	err = load_err("[server]\nname = me.example\n[link]\npassword = x\n");
	assert_err_line(err, 3, "needs name");
	unlink_conf();
	err = load_err("[server]\nname = me.example\n[link]\nname = a.example\npassword = x\n"
		       "autoconnect = yes\n");
	assert_err_line(err, 3, "autoconnect needs address and port");
	unlink_conf();
	err = load_err("[server]\nname = me.example\n[link]\nname = me.example\npassword = x\n");
	assert_err_line(err, 3, "own name");
	unlink_conf();
	err = load_err("[server]\nname = me.example\n[link]\nname = a.example\npassword = x\n"
		       "[link]\nname = A.example\npassword = y\n");
	assert_err_line(err, 6, "twice");
	unlink_conf();
	err = load_err("[server]\nname = me.example\n[link]\nname = a.example\nport = 0\n");
	assert_err_line(err, 5, "port");
	unlink_conf();
	err = load_err("[server]\nname = me.example\n[link]\nname = a.example\nsendq = 10\n");
	assert_err_line(err, 5, "sendq");
	unlink_conf();
	err = load_err("[server]\nname = me.example\n[link]\nname = a.example\ncolour = red\n");
	assert_err_line(err, 5, "colour");
	unlink_conf();
	/* a hash can be checked but not sent */
	err = load_err("[server]\nname = me.example\n[link]\nname = a.example\n"
		       "password = $argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA\n");
	assert_err_line(err, 5, "cannot be sent");
	unlink_conf();
	err = load_err("[server]\nname = me.example\n[link]\nname = a.example\n"
		       "send_password = two words\n");
	assert_err_line(err, 5, "plain-text word");
	unlink_conf();
}
END_TEST

/* One account authority per network (issue 11): one services server, no
 * [accounts] database beside it; a services server linked elsewhere is
 * named without password or address. */
START_TEST(link_services_rules)
{
	char err[512] = "";
	const char *e;
	struct config *cfg;

	e = load_err("[server]\nname = me.example\n[accounts]\ndatabase = /tmp/x.db\n"
		     "[link]\nname = svc.example\npassword = x\nservices = yes\n");
	assert_err_line(e, 5, "one account authority");
	unlink_conf();
	e = load_err("[server]\nname = me.example\n"
		     "[link]\nname = svc.example\npassword = x\nservices = yes\n"
		     "[link]\nname = anope.example\npassword = y\nservices = yes\n");
	assert_err_line(e, 7, "svc.example is the services server already");
	unlink_conf();
	/* named only (linked to another server): no password needed */
	write_conf("[server]\nname = me.example\n[listen]\nport = 0\n"
		   "[link]\nname = svc.example\nservices = yes\n");
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_ptr_eq(config_services_link(cfg), config_find_link(cfg, "svc.example"));
	config_free(cfg);
	unlink_conf();
	/* ...but an address needs the passwords */
	e = load_err("[server]\nname = me.example\n"
		     "[link]\nname = svc.example\naddress = 127.0.0.1\nservices = yes\n");
	assert_err_line(e, 3, "needs password");
	unlink_conf();
}
END_TEST

/* password_hash_cost writes its cost into the hash ($m=KiB,t=passes), the
 * hash verifies, and a cost out of range is refused; password_hash uses
 * libsodium's interactive limits. */
START_TEST(password_hash_cost_in_hash)
{
	char hash[PASSWORD_HASH_MAX];

	if (!password_hash_supported())
		return;
	ck_assert_int_eq(password_hash_cost("pw1", hash, sizeof(hash), 1, 8), 0);
	ck_assert_msg(strstr(hash, "$m=8,t=1,") != NULL, "%s", hash);
	ck_assert(password_check(hash, "pw1"));
	ck_assert(!password_check(hash, "pw2"));
	ck_assert_int_eq(password_hash_cost("pw1", hash, sizeof(hash), 0, 8), -1);
	ck_assert_int_eq(password_hash_cost("pw1", hash, sizeof(hash), 1, 7), -1);
	ck_assert_int_eq(password_hash_cost("pw1", hash, sizeof(hash), 11, 8), -1);
	ck_assert_int_eq(password_hash("pw1", hash, sizeof(hash)), 0);
	ck_assert_msg(strstr(hash, "$m=65536,t=2,") != NULL, "%s", hash);
}
END_TEST

/* accept_password may be a --mkpasswd hash (checked off the loop). */
START_TEST(link_hashed_accept)
{
	char err[512] = "", hash[PASSWORD_HASH_MAX], text[512];
	struct config *cfg;

	if (!password_hash_supported())
		return;
	ck_assert_int_eq(password_hash("linkpw", hash, sizeof(hash)), 0);
	snprintf(text, sizeof(text),
	    "[server]\nname = me.example\n[link]\nname = a.example\n"
	    "send_password = out\naccept_password = %s\n",
	    hash);
	write_conf(text);
	cfg = config_load(path, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert(password_is_hash(cfg->links[0].accept_password));
	ck_assert(password_check(cfg->links[0].accept_password, "linkpw"));
	ck_assert(!password_check(cfg->links[0].accept_password, "other"));
	config_free(cfg);
	unlink_conf();
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("defaults");
	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, defaults);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, load_valid);
	tcase_add_test(tc, load_empty_file);
	tcase_add_test(tc, load_repeated_sections);
	tcase_add_test(tc, motd_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, err_unknown_key);
	tcase_add_test(tc, err_unknown_key_server);
	tcase_add_test(tc, err_unknown_section);
	tcase_add_test(tc, err_bad_number);
	tcase_add_test(tc, err_out_of_range);
	tcase_add_test(tc, err_bad_values);
	tcase_add_test(tc, err_oper_incomplete);
	tcase_add_test(tc, err_missing_file);
	tcase_add_test(tc, err_missing_motd_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("password");
	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, password_plain);
	tcase_add_test(tc, password_hash_config);
	tcase_add_test(tc, password_hash_cost_in_hash);
	suite_add_tcase(s, tc);

	tc = tcase_create("link");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, link_sections);
	tcase_add_test(tc, link_errors);
	tcase_add_test(tc, link_services_rules);
	tcase_add_test(tc, link_hashed_accept);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, number_parse_bounds);
	tcase_add_test(tc, cidr_canonical);
	tcase_add_test(tc, accounts_enforce_and_oper_account);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
