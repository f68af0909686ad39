/* test_h_lines.c - replies that list many items (NAMES 353, WHOIS 319,
 * USERHOST 302, ISON 303, MONITOR 730/731/732, ISUPPORT 005) stay within
 * 512 bytes with the longest names the configuration allows, and never cut
 * an item (issue 9 item 7; RFC 1459 §2.3, Modern IRC "Message format").
 * Also: user text cut to a length limit is cut on a UTF-8 boundary
 * (issue 9 item 12: realname, AWAY, TOPIC, KICK/PART/QUIT/KILL reasons). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/monitor.h"
#include "core/config.h"
#include "core/server.h"
#include "proto/message.h"

#include "harness.h"

#define NCL	     40 /* clients in the big channel */
#define NCHAN	     12 /* channels of the WHOIS target */
#define LONG_CHANLEN 200 /* the largest [limits] channellen */

/* The longest server name the configuration accepts: 63 bytes. */
static const char long_name[] = "irc0123456789abcdef0123456789abcdef0123456789abcdef.example.net";

/* long_config: longest server name, NICKLEN and CHANNELLEN at their
 * ceilings, room for NCHAN channels per user, a 64-byte network name and
 * a long CLIENTTAGDENY (long ISUPPORT tokens). */
static struct harness *
long_harness(void)
{
	struct config *cfg = h_config();

	ck_assert_uint_eq(strlen(long_name), 63);
	free(cfg->name);
	cfg->name = strdup(long_name);
	free(cfg->network);
	cfg->network = strdup("Net0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab");
	cfg->client_tag_deny = strdup(
	    "*,-typing,-draft/reply,-draft/react,-example.com/some-tag,-example.org/other-tag");
	cfg->nicklen = NICKLEN_MAX;
	cfg->channellen = LONG_CHANLEN;
	cfg->max_channels_per_user = NCHAN + 2;
	ck_assert_ptr_nonnull(cfg->name);
	return h_new_cfg(cfg);
}

/* long_nick: the i-th nick of NICKLEN_MAX bytes. */
static void
long_nick(char *buf, int i)
{
	int n = snprintf(buf, NICKLEN_MAX + 1, "N%02d", i);

	memset(buf + n, 'x', (size_t)(NICKLEN_MAX - n));
	buf[NICKLEN_MAX] = '\0';
}

/* long_chan: the i-th channel name of len bytes (<= LONG_CHANLEN). */
static void
long_chan(char *buf, int i, int len)
{
	int n = snprintf(buf, LONG_CHANLEN + 1, "#c%02d", i);

	memset(buf + n, 'y', (size_t)(len - n));
	buf[len] = '\0';
}

/* reg: register nick (the harness's fc_new expects the server irc.test),
 * with caps requested first when caps is not NULL. */
static struct fc *
reg(struct harness *h, const char *nick, const char *caps)
{
	struct fc *fc = fc_connect(h, nick);
	char re[128];

	if (caps != NULL)
		fc_send(fc, "CAP REQ :%s", caps);
	fc_send(fc, "NICK %s", nick);
	fc_send(fc, "USER u%.8s 0 * :Real name", nick);
	if (caps != NULL)
		fc_send(fc, "CAP END");
	snprintf(re, sizeof(re), "^:[^ ]+ 001 %s ", nick);
	fc_expect(fc, re);
	fc_expect(fc, "^:[^ ]+ (376|422) ");
	return fc;
}

/* list_of: the items of the trailing parameter of line, which must be a
 * numeric num; every line of the reply is at most 510 bytes (CRLF not
 * counted: the harness strips it). Returns the item count; items go to
 * out[] (each at most 600 bytes). */
static int
list_of(const char *line, const char *num, char sep, char out[][600], int max)
{
	const char *p, *e;
	char re[64];
	int n = 0;

	ck_assert_msg(strlen(line) <= IRC_LINE_MAX - 2, "line of %zu bytes: %s", strlen(line),
	    line);
	snprintf(re, sizeof(re), "^:[^ ]+ %s ", num);
	ck_assert_msg(h_regex_match(re, line), "not a %s: %s", num, line);
	p = strstr(line, " :");
	ck_assert_ptr_nonnull(p);
	for (p += 2; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, sep);
		if (e == NULL)
			e = p + strlen(p);
		ck_assert_int_lt(n, max);
		snprintf(out[n], sizeof(out[0]), "%.*s", (int)(e - p), p);
		n++;
	}
	return n;
}

/* take: every pending line of fc that is numeric num, its items collected
 * into items[] (from *n on). Other lines stay. Returns the number of lines. */
static int
take(struct fc *fc, const char *num, char sep, char items[][600], int *n, int max)
{
	char re[64];
	int lines = 0;
	size_t i, w = 0;

	h_run(fc->h);
	snprintf(re, sizeof(re), "^:[^ ]+ %s ", num);
	for (i = 0; i < fc->nlines; i++) {
		if (h_regex_match(re, fc->lines[i])) {
			*n += list_of(fc->lines[i], num, sep, items + *n, max - *n);
			lines++;
			free(fc->lines[i]);
		} else
			fc->lines[w++] = fc->lines[i];
	}
	fc->nlines = w;
	return lines;
}

/* every_line_fits: no pending line of fc is over 510 bytes. */
static void
every_line_fits(struct fc *fc)
{
	size_t i;

	h_run(fc->h);
	for (i = 0; i < fc->nlines; i++)
		ck_assert_msg(strlen(fc->lines[i]) <= IRC_LINE_MAX - 2, "line of %zu bytes: %s",
		    strlen(fc->lines[i]), fc->lines[i]);
}

/* NAMES of a 200-byte channel holding 40 members with 32-byte nicks, seen
 * with multi-prefix and userhost-in-names (the longest items) and without:
 * each 353 line fits, every nick comes whole and exactly once. */
START_TEST(names_long)
{
	struct harness *h = long_harness();
	struct fc *fc[NCL], *obs, *plain;
	char nick[NICKLEN_MAX + 1], chan[LONG_CHANLEN + 1];
	static char items[NCL + 8][600];
	int i, j, n, lines;

	long_chan(chan, 0, LONG_CHANLEN);
	for (i = 0; i < NCL; i++) {
		long_nick(nick, i);
		fc[i] = reg(h, nick, NULL);
		fc_send(fc[i], "JOIN %s", chan);
		every_line_fits(fc[i]);
		fc_clear(fc[i]);
	}
	/* prefixes: fc[0] is op; voice and op some more */
	for (i = 1; i < NCL; i += 3) {
		long_nick(nick, i);
		fc_send(fc[0], "MODE %s +ov %s %s", chan, nick, nick);
	}
	obs = reg(h, "observer", "multi-prefix userhost-in-names");
	plain = reg(h, "plain", NULL);
	fc_send(obs, "JOIN %s", chan);
	fc_send(plain, "JOIN %s", chan);
	for (j = 0; j < 2; j++) {
		struct fc *o = j == 0 ? obs : plain;
		fc_clear(o);
		fc_send(o, "NAMES %s", chan);
		n = 0;
		lines = take(o, "353", ' ', items, &n, NCL + 8);
		ck_assert_int_gt(lines, 1);
		ck_assert_int_eq(n, NCL + 2);
		for (i = 0; i < NCL; i++) {
			int seen = 0, k;
			long_nick(nick, i);
			for (k = 0; k < n; k++) {
				const char *it = items[k] + strspn(items[k], "@+");
				size_t nl = strcspn(it, "!");
				if (nl == strlen(nick) && strncmp(it, nick, nl) == 0) {
					seen++;
					if (j == 0)
						ck_assert_msg(h_regex_match("![^ @]+@[^ ]+$", it),
						    "userhost-in-names item cut: %s", items[k]);
				}
			}
			ck_assert_msg(seen == 1, "%s seen %d times in NAMES", nick, seen);
		}
		fc_expect(o, "^:[^ ]+ 366 ");
	}
	/* the JOIN's own NAMES reply as well */
	for (i = 0; i < NCL; i++)
		fc_clear(fc[i]);
	fc_send(fc[0], "PART %s", chan);
	fc_send(fc[0], "JOIN %s", chan);
	every_line_fits(fc[0]);
	h_free(h);
}
END_TEST

/* WHOIS of a user in 12 channels of 190 bytes, with prefixes: each 319
 * line fits and every channel comes whole, once. (190: two "@#chan" items
 * fit the old fixed 400-byte budget but not the line with its head.) */
START_TEST(whois_channels_long)
{
	struct harness *h = long_harness();
	struct fc *w, *obs;
	char nick[NICKLEN_MAX + 1], chan[LONG_CHANLEN + 1];
	static char items[NCHAN + 4][600];
	int i, k, n = 0;

	long_nick(nick, 0);
	w = reg(h, nick, NULL);
	long_nick(nick, 1);
	obs = reg(h, nick, "multi-prefix");
	for (i = 0; i < NCHAN; i++) {
		long_chan(chan, i, 190);
		fc_send(w, "JOIN %s", chan);
	}
	fc_clear(w);
	long_nick(nick, 0);
	fc_send(obs, "WHOIS %s", nick);
	ck_assert_int_gt(take(obs, "319", ' ', items, &n, NCHAN + 4), 1);
	ck_assert_int_eq(n, NCHAN);
	for (i = 0; i < NCHAN; i++) {
		int seen = 0;
		long_chan(chan, i, 190);
		for (k = 0; k < n; k++)
			if (strcmp(items[k] + strspn(items[k], "@+"), chan) == 0)
				seen++;
		ck_assert_msg(seen == 1, "channel %d seen %d times in 319", i, seen);
	}
	every_line_fits(obs);
	h_free(h);
}
END_TEST

/* USERHOST with five 32-byte nicks (one away, one operator) and ISON with
 * as many as fit the request: one line each, within 510 bytes, items whole. */
START_TEST(userhost_ison_long)
{
	struct harness *h = long_harness();
	struct fc *fc[16];
	char nick[NICKLEN_MAX + 1], req[IRC_LINE_MAX];
	static char items[32][600];
	int i, n = 0;
	size_t len;

	for (i = 0; i < 16; i++) {
		long_nick(nick, i);
		fc[i] = reg(h, nick, NULL);
	}
	fc_send(fc[1], "AWAY :gone");
	len = (size_t)snprintf(req, sizeof(req), "USERHOST");
	for (i = 0; i < 5; i++) {
		long_nick(nick, i);
		len += (size_t)snprintf(req + len, sizeof(req) - len, " %s", nick);
	}
	fc_clear(fc[0]);
	fc_send(fc[0], "%s", req);
	ck_assert_int_eq(take(fc[0], "302", ' ', items, &n, 32), 1);
	ck_assert_int_eq(n, 5);
	for (i = 0; i < 5; i++) {
		char re[128];
		long_nick(nick, i);
		snprintf(re, sizeof(re), "^%s=[%c]~uN%02dx+@127\\.0\\.0\\.1$", nick,
		    i == 1 ? '-' : '+', i);
		ck_assert_msg(h_regex_match(re, items[i]), "USERHOST item %d: %s", i, items[i]);
	}
	len = (size_t)snprintf(req, sizeof(req), "ISON");
	for (i = 0; i < 16 && len + NICKLEN_MAX + 1 < IRC_LINE_MAX - 2; i++) {
		long_nick(nick, i);
		len += (size_t)snprintf(req + len, sizeof(req) - len, " %s", nick);
	}
	n = 0;
	fc_send(fc[0], "%s", req);
	ck_assert_int_eq(take(fc[0], "303", ' ', items, &n, 32), 1);
	ck_assert_int_gt(n, 5);
	for (i = 0; i < n; i++) {
		long_nick(nick, i);
		ck_assert_str_eq(items[i], nick);
	}
	/* an empty answer is one empty line */
	fc_send(fc[0], "ISON nobody");
	fc_expect(fc[0], "^:[^ ]+ 303 [^ ]+ :$");
	fc_send(fc[0], "USERHOST nobody");
	fc_expect(fc[0], "^:[^ ]+ 302 [^ ]+ :$");
	h_free(h);
}
END_TEST

/* MONITOR with 40 32-byte nicks: 730 (nick!user@host), 731 and 732
 * lines fit and name each target whole, once. */
START_TEST(monitor_long)
{
	struct harness *h = long_harness();
	struct fc *m;
	char nick[NICKLEN_MAX + 1], req[IRC_LINE_MAX];
	static char items[NCL + 4][600];
	int i, k, n, batch;
	size_t len;

	for (i = 0; i < NCL / 2; i++) {
		long_nick(nick, i);
		(void)reg(h, nick, NULL);
	}
	m = reg(h, "watcher", NULL);
	/* 10 targets per MONITOR + line (330 bytes) */
	for (batch = 0; batch < NCL / 10; batch++) {
		len = (size_t)snprintf(req, sizeof(req), "MONITOR + ");
		for (i = batch * 10; i < batch * 10 + 10; i++) {
			long_nick(nick, i);
			len += (size_t)snprintf(req + len, sizeof(req) - len, "%s%s",
			    i > batch * 10 ? "," : "", nick);
		}
		fc_send(m, "%s", req);
	}
	fc_clear(m);
	fc_send(m, "MONITOR S");
	n = 0;
	take(m, "730", ',', items, &n, NCL + 4);
	ck_assert_int_eq(n, NCL / 2);
	for (k = 0; k < n; k++)
		ck_assert_msg(h_regex_match("^N[0-9]{2}x+![^ ]+@127\\.0\\.0\\.1$", items[k]),
		    "730 item: %s", items[k]);
	n = 0;
	take(m, "731", ',', items, &n, NCL + 4);
	ck_assert_int_eq(n, NCL / 2);
	fc_send(m, "MONITOR L");
	n = 0;
	ck_assert_int_gt(take(m, "732", ',', items, &n, NCL + 4), 1);
	ck_assert_int_eq(n, NCL);
	for (i = 0; i < NCL; i++) {
		int seen = 0;
		long_nick(nick, i);
		for (k = 0; k < n; k++)
			if (strcasecmp(items[k], nick) == 0)
				seen++;
		ck_assert_msg(seen == 1, "%s seen %d times in 732", nick, seen);
	}
	fc_expect(m, "^:[^ ]+ 733 ");
	h_free(h);
}
END_TEST

/* RPL_ISUPPORT: at most 13 tokens a line (Modern IRC "RPL_ISUPPORT"), at
 * most 510 bytes, long tokens (NETWORK, CLIENTTAGDENY) whole. */
START_TEST(isupport_long)
{
	struct harness *h = long_harness();
	struct fc *a;
	char nick[NICKLEN_MAX + 1];
	size_t i;
	int lines = 0, net = 0, deny = 0;

	long_nick(nick, 0);
	a = reg(h, nick, NULL);
	fc_send(a, "VERSION");
	h_run(h);
	for (i = 0; i < a->nlines; i++) {
		const char *l = a->lines[i], *p;
		int ntok = 0;
		if (!h_regex_match("^:[^ ]+ 005 ", l))
			continue;
		lines++;
		ck_assert_msg(strlen(l) <= IRC_LINE_MAX - 2, "005 of %zu bytes", strlen(l));
		ck_assert_msg(h_regex_match(" :are supported by this server$", l), "%s", l);
		p = l + strlen(":") + strlen(long_name) + strlen(" 005 ") + strlen(nick) + 1;
		for (; *p != ':'; p = strchr(p, ' ') + 1)
			ntok++;
		ck_assert_msg(ntok >= 1 && ntok <= 13, "%d tokens in %s", ntok, l);
		net += strstr(l,
			   " NETWORK=Net0123456789abcdef0123456789abcdef0123456789abcdef"
			   "0123456789ab ") != NULL;
		deny += strstr(l,
			    " CLIENTTAGDENY=*,-typing,-draft/reply,-draft/react,"
			    "-example.com/some-tag,-example.org/other-tag ") != NULL;
	}
	ck_assert_int_ge(lines, 2);
	ck_assert_int_eq(net, 1);
	ck_assert_int_eq(deny, 1);
	h_free(h);
}
END_TEST

/* ------------------------------------------------------------ UTF-8 cuts */

/* utf8_text: len bytes of 'a' ending in "é" (2 bytes) placed so that the
 * limit falls between its two bytes. */
static void
utf8_text(char *buf, size_t limit)
{
	memset(buf, 'a', limit - 1);
	memcpy(buf + limit - 1, "\xc3\xa9zz", 5); /* é straddles the limit */
}

/* all_utf8: every pending line of fc is well-formed UTF-8. */
static void
all_utf8(struct fc *fc)
{
	size_t i;

	h_run(fc->h);
	for (i = 0; i < fc->nlines; i++)
		ck_assert_msg(message_utf8_valid(fc->lines[i], strlen(fc->lines[i])),
		    "line cut inside a UTF-8 character: %s", fc->lines[i]);
}

/* Issue 9 item 12: a realname of more than 128 bytes whose 128th byte is
 * the first of "é" was cut inside the character; WHOIS, WHO and
 * extended-join showed the broken byte. Every cut of user text (realname,
 * AWAY, TOPIC, KICK/PART/QUIT reasons, K-line reasons) ends on a character
 * boundary. */
START_TEST(utf8_cuts)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a, *b;
	char text[400];

	cfg->awaylen = 50;
	cfg->topiclen = 60;
	cfg->kicklen = 70;
	cfg->opers = calloc(1, sizeof(*cfg->opers));
	ck_assert_ptr_nonnull(cfg->opers);
	cfg->opers[0].name = strdup("op");
	cfg->opers[0].password = strdup("pw");
	cfg->opers[0].host = strdup("*");
	cfg->nopers = 1;
	h = h_new_cfg(cfg);
	b = fc_new(h, "bob");
	a = fc_connect(h, "alice");
	fc_send(a, "NICK alice");
	utf8_text(text, REALLEN);
	fc_send(a, "USER alice 0 * :%s", text);
	fc_expect(a, NUM("001", "alice"));
	fc_send(b, "WHOIS alice");
	fc_expect(b, NUM("311", "bob") "alice [^ ]+ [^ ]+ \\* :a+$");
	fc_send(b, "WHO alice");
	fc_expect(b, NUM("352", "bob") "\\* [^ ]+ [^ ]+ [^ ]+ alice H :0 a+$");
	all_utf8(b);

	fc_send(a, "JOIN #u");
	fc_send(b, "JOIN #u");
	fc_clear(a);
	utf8_text(text, 50);
	fc_send(a, "AWAY :%s", text);
	fc_send(b, "WHOIS alice");
	fc_expect(b, NUM("301", "bob") "alice :a{49}$");
	utf8_text(text, 60);
	fc_send(a, "TOPIC #u :%s", text);
	fc_expect(b, PFX("alice") "TOPIC #u :a{59}$");
	utf8_text(text, 70);
	fc_send(a, "KICK #u bob :%s", text);
	fc_expect(b, PFX("alice") "KICK #u bob :a{69}$");
	fc_send(b, "JOIN #u");
	fc_send(b, "PART #u :%s", text);
	fc_expect(a, PFX("bob") "PART #u :a{69}$");
	fc_send(b, "JOIN #u");
	/* K-line reasons are stored cut to 300 bytes */
	fc_send(a, "OPER op pw");
	fc_expect(a, NUM("381", "alice"));
	utf8_text(text, 300);
	fc_send(a, "KLINE 10 *@10.9.8.7 :%s", text);
	fc_send(a, "STATS k");
	fc_expect(a, NUM("216", "alice") "K \\*@10\\.9\\.8\\.7 \\* \\* :a{299}$");
	all_utf8(a);
	utf8_text(text, 70);
	fc_send(a, "QUIT :%s", text);
	fc_expect(b, PFX("alice") "QUIT :Quit: a{69}$");
	all_utf8(b);
	h_free(h);
}
END_TEST

/* ERR_MONLISTFULL (734) echoes the targets not added: whole targets only,
 * within 510 bytes with the longest server name and nick (the old 400-byte
 * copy cut a target and pushed the line past 512). */
START_TEST(monitor_full_echo)
{
	struct harness *h = long_harness();
	struct fc *m;
	char nick[NICKLEN_MAX + 1], req[IRC_LINE_MAX];
	static char items[64][600];
	const char *l;
	int i, k, n;
	size_t len;

	long_nick(nick, 99);
	m = reg(h, nick, NULL);
	/* fill the list: MONITOR_MAX short targets */
	for (i = 0; i < MONITOR_MAX; i += 20) {
		len = (size_t)snprintf(req, sizeof(req), "MONITOR + ");
		for (k = i; k < i + 20; k++)
			len += (size_t)snprintf(req + len, sizeof(req) - len, "%sm%03d",
			    k > i ? "," : "", k);
		fc_send(m, "%s", req);
	}
	fc_clear(m);
	/* 14 more 32-byte targets (476 bytes of list) */
	len = (size_t)snprintf(req, sizeof(req), "MONITOR + ");
	for (i = 0; i < 14; i++) {
		long_nick(nick, i);
		len += (size_t)snprintf(req + len, sizeof(req) - len, "%s%s", i ? "," : "", nick);
	}
	fc_send(m, "%s", req);
	l = fc_expect(m, "^:[^ ]+ 734 [^ ]+ 100 [^ ]+ :Monitor list is full\\.$");
	ck_assert_msg(strlen(l) <= IRC_LINE_MAX - 2, "734 of %zu bytes", strlen(l));
	n = 0;
	{
		char list[IRC_LINE_MAX], *p = strstr(l, " 100 ") + 5, *e = strchr(p, ' ');
		snprintf(list, sizeof(list), "%.*s", (int)(e - p), p);
		for (p = list; p != NULL; p = e ? e + 1 : NULL) {
			e = strchr(p, ',');
			snprintf(items[n++], sizeof(items[0]), "%.*s",
			    e ? (int)(e - p) : (int)strlen(p), p);
		}
	}
	ck_assert_int_gt(n, 1);
	for (k = 0; k < n; k++) {
		long_nick(nick, k);
		ck_assert_msg(strcmp(items[k], nick) == 0, "734 target %d cut: %s", k, items[k]);
	}
	h_free(h);
}
END_TEST

/* A WHOX token is at most 3 bytes and never half a UTF-8 character. */
START_TEST(whox_token_utf8)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");

	fc_send(a, "WHO alice %%tn,\xc3\xa9\xc3\xa9");
	fc_expect(a, NUM("354", "alice") "\xc3\xa9 alice$");
	all_utf8(a);
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_lines");
	TCase *tc;

	tc = h_tcase(s, "long_lines", 60);
	tcase_add_test(tc, names_long);
	tcase_add_test(tc, whois_channels_long);
	tcase_add_test(tc, userhost_ison_long);
	tcase_add_test(tc, monitor_long);
	tcase_add_test(tc, isupport_long);
	tcase_add_test(tc, monitor_full_echo);
	tc = h_tcase(s, "utf8_cuts", 20);
	tcase_add_test(tc, utf8_cuts);
	tcase_add_test(tc, whox_token_utf8);
	return h_run_suite(s);
}
