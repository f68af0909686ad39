/*
 * ircv3_live: every IRCv3 capability and extension evircd offers, against
 * the real binary on 127.0.0.1 (tests/lib/livelib).  Each capability is
 * checked with a client that requests it and one that does not.
 *
 * References (the expected behaviour; irctest, progval/irctest
 * irctest/server_tests, is the executable reading of them):
 *   capability-negotiation (CAP 302, cap-notify), message-tags, server-time,
 *   message-ids, echo-message, batch, labeled-response, multi-prefix,
 *   userhost-in-names, away-notify, extended-join, account-notify,
 *   account-tag, invite-notify, setname, chghost, standard-replies,
 *   bot-mode, monitor, extended-monitor, whox, no-implicit-names,
 *   utf8-only, sts (ircv3.net/specs/extensions/...), KNOCK numerics
 *   710-714 (Modern IRC / ratbox).
 *
 * A test that fails here names the spec section it relies on: the server
 * is not changed to make a test pass.
 *
 * Every IRCv3 live test runs in this one program (the first IRCv3 suite,
 * tests/live/live_ircv3.c, repeated these cases; its few checks not made
 * here were moved into them).
 *
 * Debugging: LIVE_VERBOSE=1 (server stderr), LIVE_DEBUG=1, LIVE_KEEP=1,
 * CK_FORK=no (see tests/lib/livelib.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "livelib.h"

#define T	   LIVE_T
#define NEVER	   "^<no server line looks like this>$"
/* optional tags, then a user prefix */
#define TPFX(nick) "^(@[^ ]+ )?:" nick "![^ ]+@[^ ]+ "
/* optional tags, then the server prefix */
#define TSRV	   "^(@[^ ]+ )?:irc\\.test "
/* server-time: YYYY-MM-DDThh:mm:ss.sssZ (server-time spec, "Format") */
#define TIME_RE \
	"time=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:" \
	"[0-9]{2}\\.[0-9]{3}Z"

/* The capabilities evircd advertises without a TLS listener. */
static const char *const all_caps[] = { "account-notify", "account-tag", "away-notify", "batch",
	"cap-notify", "chghost", "draft/no-implicit-names", "echo-message", "extended-join",
	"extended-monitor", "invite-notify", "labeled-response", "message-tags", "multi-prefix",
	"server-time", "setname", "standard-replies", "userhost-in-names", NULL };

/* ------------------------------------------------------------ helpers */

/* quiet: sync, then drop every line received so far, so that later
 * expectations only see what follows. */
static void
quiet(struct cl *c)
{
	cl_sync(c);
	(void)cl_try_expect(c, NEVER, 0);
}

/* v3_client: connect and register.  caps NULL: plain NICK/USER, no CAP at
 * all.  Otherwise CAP LS 302, CAP REQ :caps (must be ACKed verbatim),
 * NICK/USER, CAP END.  The welcome burst is consumed. */
static struct cl *
v3_client(struct srv *s, const char *nick, const char *caps)
{
	struct cl *c = cl_connect(s->port);

	if (caps == NULL) {
		cl_register(c, nick);
		quiet(c);
		return c;
	}
	snprintf(c->name, sizeof(c->name), "%s", nick);
	cl_send(c, "CAP LS 302");
	cl_expect(c, TSRV "CAP \\* LS :", T);
	if (caps[0] != '\0') {
		cl_send(c, "CAP REQ :%s", caps);
		cl_expectf(c, TSRV "CAP \\* (ACK|NAK) :");
		ck_assert_msg(rx_match(c->last, "CAP \\* ACK :") &&
			strcmp(strstr(c->last, " ACK :") + 6, caps) == 0,
		    "[%s] CAP REQ :%s not ACKed verbatim: %s", nick, caps, c->last);
	}
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :Real %s", nick, nick);
	cl_send(c, "CAP END");
	cl_expectf(c, TSRV "001 %s ", nick);
	cl_expect(c, TSRV "(376|422) ", T);
	quiet(c);
	return c;
}

/* tag_get: look key up in the tags of line.  Returns -1 when absent, 0
 * when present without a value, 1 with a value (copied raw into buf). */
static int
tag_get(const char *line, const char *key, char *buf, size_t sz)
{
	const char *p, *end, *seg, *eq;
	size_t klen = strlen(key), n;

	if (buf != NULL && sz > 0)
		buf[0] = '\0';
	if (line[0] != '@')
		return -1;
	end = strchr(line, ' ');
	if (end == NULL)
		return -1;
	for (p = line + 1; p < end; p = seg + 1) {
		seg = memchr(p, ';', (size_t)(end - p));
		if (seg == NULL)
			seg = end;
		eq = memchr(p, '=', (size_t)(seg - p));
		n = (size_t)((eq ? eq : seg) - p);
		if (n == klen && strncmp(p, key, klen) == 0) {
			if (eq == NULL)
				return 0;
			n = (size_t)(seg - eq - 1);
			if (buf != NULL && sz > 0) {
				if (n >= sz)
					n = sz - 1;
				memcpy(buf, eq + 1, n);
				buf[n] = '\0';
			}
			return 1;
		}
		if (seg == end)
			break;
	}
	return -1;
}

/* Position of the first client-only ('+') tag and of key in the tags. */
static long
tag_pos(const char *line, const char *key)
{
	const char *end = strchr(line, ' '), *p;
	size_t klen = strlen(key);

	if (line[0] != '@' || end == NULL)
		return -1;
	for (p = line + 1; p < end; p++)
		if ((p == line + 1 || p[-1] == ';') && strncmp(p, key, klen) == 0 &&
		    (p[klen] == '=' || p[klen] == ';' || p[klen] == ' '))
			return (long)(p - line);
	return -1;
}

/* The line without its tags. */
static const char *
untagged(const char *line)
{
	const char *sp;

	if (line[0] != '@')
		return line;
	sp = strchr(line, ' ');
	return sp ? sp + 1 : line;
}

/* cap_ls: send CAP LS [ver], read the (possibly multi-line) reply and
 * check its format (capability-negotiation, "Multiline replies"): with 302
 * every line but the last is "CAP * LS * :..."; without a version there
 * is exactly one line and no "*" continuation.  The list is copied to
 * list as " cap1 cap2 ... " (leading/trailing space).  Returns the number
 * of lines. */
static int
cap_ls(struct cl *c, const char *ver, char *list, size_t sz)
{
	char part[600];
	size_t o;
	int n = 0;

	if (ver != NULL)
		cl_send(c, "CAP LS %s", ver);
	else
		cl_send(c, "CAP LS");
	o = (size_t)snprintf(list, sz, " ");
	for (;;) {
		const char *l = cl_expect(c, TSRV "CAP [^ ]+ LS ", T);
		int more;

		n++;
		if (rx_group(l, " LS \\* :(.*)$", 1, part, sizeof(part)))
			more = 1;
		else if (rx_group(l, " LS :(.*)$", 1, part, sizeof(part)))
			more = 0;
		else
			ck_abort_msg("malformed CAP LS reply: %s", l);
		ck_assert_msg(!more || ver != NULL,
		    "multi-line CAP LS reply to a client without CAP 302: %s", l);
		if (o < sz)
			o += (size_t)snprintf(list + o, sz - o, "%s ", part);
		if (!more)
			break;
		ck_assert_msg(n < 20, "endless CAP LS continuation");
	}
	return n;
}

/* cap_list: CAP LIST as " a b c " (same format checks as cap_ls). */
static void
cap_list(struct cl *c, char *list, size_t sz)
{
	char part[600];
	size_t o = (size_t)snprintf(list, sz, " ");
	int n = 0;

	cl_send(c, "CAP LIST");
	for (;;) {
		const char *l = cl_expect(c, TSRV "CAP [^ ]+ LIST ", T);
		int more;

		if (rx_group(l, " LIST \\* :(.*)$", 1, part, sizeof(part)))
			more = 1;
		else if (rx_group(l, " LIST :(.*)$", 1, part, sizeof(part)))
			more = 0;
		else
			ck_abort_msg("malformed CAP LIST reply: %s", l);
		if (o < sz)
			o += (size_t)snprintf(list + o, sz - o, "%s ", part);
		if (!more)
			break;
		ck_assert_msg(++n < 20, "endless CAP LIST continuation");
	}
}

/* has_cap: cap (exact name, with or without a value) in a cap_ls list. */
static int
has_cap(const char *list, const char *cap)
{
	char re[200];

	snprintf(re, sizeof(re), " %s[ =]", rx_esc(cap));
	return rx_match(list, re);
}

/* isupport: does RPL_ISUPPORT (re-sent by VERSION) carry token_re? */
static int
isupport(struct cl *c, const char *token_re)
{
	char re[300];
	int n;

	snprintf(re, sizeof(re), TSRV "005 [^ ]+ (.+ )?%s ", token_re);
	cl_send(c, "VERSION");
	n = cl_count(c, re);
	quiet(c);
	return n;
}

/* join: c joins chan (366 awaited, tags allowed); everyone in others
 * (NULL-terminated) sees the JOIN. */
static void
join(struct cl *c, const char *chan, struct cl **others)
{
	char re[300];

	cl_send(c, "JOIN %s", chan);
	snprintf(re, sizeof(re), TSRV "(366 %s %s |4[0-9][0-9] )", rx_esc(c->name), rx_esc(chan));
	cl_expect(c, re, T);
	ck_assert_msg(rx_match(c->last, " 366 "), "[%s] JOIN %s failed: %s", c->name, chan,
	    c->last);
	quiet(c);
	snprintf(re, sizeof(re), TPFX("%s") "JOIN %s( |$)", rx_esc(c->name), rx_esc(chan));
	for (; others != NULL && *others != NULL; others++) {
		cl_expect(*others, re, T);
		quiet(*others);
	}
}

/* utf8_ok: well-formed UTF-8 (no overlongs, no surrogates). */
static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		unsigned cp, n, i;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xC2 && *p <= 0xDF) {
			n = 1;
			cp = *p & 0x1F;
		} else if (*p >= 0xE0 && *p <= 0xEF) {
			n = 2;
			cp = *p & 0x0F;
		} else if (*p >= 0xF0 && *p <= 0xF4) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* ====================================================== CAP mechanics */

/* capability-negotiation "CAP LS Version", "Multiline replies": our list
 * fits in one line, so CAP LS 302 is one "CAP * LS :..." line without the
 * "*" continuation; every capability is listed, no sts without TLS. */
START_TEST(t_cap_ls_302)
{
	struct srv *s = srv_start("");
	struct cl *c = cl_connect(s->port);
	char list[4096];
	int n, i;

	n = cap_ls(c, "302", list, sizeof(list));
	for (i = 0; all_caps[i] != NULL; i++)
		ck_assert_msg(has_cap(list, all_caps[i]), "CAP LS 302 lacks %s:%s", all_caps[i],
		    list);
	ck_assert_msg(!has_cap(list, "sts"), "sts offered without a TLS listener:%s", list);
	if (strlen(list) < 380)
		ck_assert_msg(n == 1,
		    "a %zu-byte list was split over %d "
		    "lines",
		    strlen(list), n);
	/* nothing else follows the final line */
	cl_expect_none(c, "CAP ", T);
	/* empty parameter is fine, "CAP * LS" with the target "*" checked by
	 * cl_expect above; 303 and higher enable the 302 features */
	n = cap_ls(c, "303", list, sizeof(list));
	ck_assert(has_cap(list, "message-tags"));
}
END_TEST

/* Without a version: one line, no "*", no values (irctest
 * testIrc301CapLs); cap-notify is not implied. */
START_TEST(t_cap_ls_301)
{
	struct srv *s = srv_start("");
	struct cl *c = cl_connect(s->port);
	char list[4096];

	ck_assert_int_eq(cap_ls(c, NULL, list, sizeof(list)), 1);
	ck_assert_msg(strchr(list, '=') == NULL, "capability value sent to a CAP 301 client:%s",
	    list);
	ck_assert(has_cap(list, "multi-prefix"));
	cap_list(c, list, sizeof(list));
	ck_assert_msg(!has_cap(list, "cap-notify"), "cap-notify enabled without CAP LS 302:%s",
	    list);
}
END_TEST

/* "If no capabilities are enabled, an empty parameter must be sent"
 * (irctest testEmptyCapList): "CAP * LIST :". */
START_TEST(t_cap_list_empty)
{
	struct srv *s = srv_start("");
	struct cl *c = cl_connect(s->port);

	cl_send(c, "CAP LIST");
	cl_expect(c, "^:irc\\.test CAP \\* LIST :$", T);
}
END_TEST

/* cap-notify: "MUST be implicitly enabled if the client requests CAP LS
 * with a version of 302 or newer"; REQ of it "MUST" be ACKed; a pre-302
 * client may enable and disable it. */
START_TEST(t_cap_notify)
{
	struct srv *s = srv_start("");
	struct cl *v302 = cl_connect(s->port), *old = cl_connect(s->port);
	char list[4096];

	cap_ls(v302, "302", list, sizeof(list));
	cap_list(v302, list, sizeof(list));
	ck_assert_msg(has_cap(list, "cap-notify"), "CAP LS 302 did not enable cap-notify:%s", list);
	cl_send(v302, "CAP REQ :cap-notify");
	cl_expect(v302, "^:irc\\.test CAP \\* ACK :cap-notify$", T);

	cap_ls(old, NULL, list, sizeof(list));
	cap_list(old, list, sizeof(list));
	ck_assert(!has_cap(list, "cap-notify"));
	cl_send(old, "CAP REQ :cap-notify");
	cl_expect(old, "^:irc\\.test CAP \\* ACK :cap-notify$", T);
	cap_list(old, list, sizeof(list));
	ck_assert(has_cap(list, "cap-notify"));
	cl_send(old, "CAP REQ :-cap-notify");
	cl_expect(old, "^:irc\\.test CAP \\* ACK :-cap-notify$", T);
	cap_list(old, list, sizeof(list));
	ck_assert_msg(!has_cap(list, "cap-notify"),
	    "a pre-302 client could not disable cap-notify:%s", list);
}
END_TEST

/* cap-notify: "servers MUST NOT disable the cap-notify capability if the
 * client requests CAP LS with a version of 302 or newer". */
START_TEST(t_cap_notify_302_sticky)
{
	struct srv *s = srv_start("");
	struct cl *c = cl_connect(s->port);
	char list[4096], reply[600];

	cap_ls(c, "302", list, sizeof(list));
	cl_send(c, "CAP REQ :-cap-notify");
	snprintf(reply, sizeof(reply), "%s",
	    cl_expect(c, "^:irc\\.test CAP \\* (ACK|NAK) :-cap-notify$", T));
	cap_list(c, list, sizeof(list));
	ck_assert_msg(has_cap(list, "cap-notify"),
	    "capability-negotiation \"cap-notify\": a CAP 302 client's "
	    "\"CAP REQ :-cap-notify\" must not disable it; expected NAK "
	    "(cap-notify still in CAP LIST), got \"%s\" and CAP LIST:\"%s\"",
	    reply, list);
}
END_TEST

/* CAP REQ "must be accepted as a whole, or rejected entirely"; the NAK
 * carries the request verbatim; NAK "MUST NOT make any change". */
START_TEST(t_cap_req_atomic)
{
	struct srv *s = srv_start("");
	struct cl *c = cl_connect(s->port);
	char list[4096];

	cap_ls(c, "302", list, sizeof(list));
	cl_send(c, "CAP REQ :multi-prefix bogus-cap server-time");
	cl_expect(c,
	    "^:irc\\.test CAP \\* NAK :multi-prefix bogus-cap "
	    "server-time$",
	    T);
	cap_list(c, list, sizeof(list));
	ck_assert_msg(!has_cap(list, "multi-prefix") && !has_cap(list, "server-time"),
	    "NAKed CAP REQ enabled something:%s", list);
	cl_send(c, "CAP REQ :-multi-prefix example.org/unknown");
	cl_expect(c,
	    "^:irc\\.test CAP \\* NAK :-multi-prefix "
	    "example.org/unknown$",
	    T);
	/* irctest testNakWhole: the known one alone is ACKed */
	cl_send(c, "CAP REQ :multi-prefix");
	cl_expect(c, "^:irc\\.test CAP \\* ACK :multi-prefix$", T);
	cap_list(c, list, sizeof(list));
	ck_assert(has_cap(list, "multi-prefix"));
	/* capability names are case-sensitive */
	cl_send(c, "CAP REQ :Server-Time");
	cl_expect(c, "^:irc\\.test CAP \\* NAK :Server-Time$", T);
}
END_TEST

/* CAP REQ :-cap removes; re-enabling an enabled cap or disabling a
 * disabled one is a success (capability-negotiation "CAP REQ"); the
 * effect is real (irctest testCapRemovalByClient). */
START_TEST(t_cap_req_remove)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "echo-message server-time");
	struct cl *b = v3_client(s, "bob", NULL);
	char list[4096];

	cap_list(a, list, sizeof(list));
	ck_assert(has_cap(list, "echo-message") && has_cap(list, "server-time"));
	cl_send(b, "PRIVMSG alice :one");
	cl_expect(a, "^@" TIME_RE " :bob![^ ]+ PRIVMSG alice :one$", T);

	cl_send(a, "CAP REQ :-server-time");
	cl_expect(a, "^(@[^ ]+ )?:irc\\.test CAP alice ACK :-server-time$", T);
	cap_list(a, list, sizeof(list));
	ck_assert_msg(!has_cap(list, "server-time") && has_cap(list, "echo-message"),
	    "after -server-time:%s", list);
	cl_send(b, "PRIVMSG alice :two");
	cl_expect(a, "^:bob![^ ]+ PRIVMSG alice :two$", T);

	/* already enabled / already disabled: ACK, no change */
	cl_send(a, "CAP REQ :echo-message -server-time");
	cl_expect(a, "^:irc\\.test CAP alice ACK :echo-message -server-time$", T);
	cap_list(a, list, sizeof(list));
	ck_assert(!has_cap(list, "server-time") && has_cap(list, "echo-message"));
}
END_TEST

/* "Upon receiving either a CAP LS or CAP REQ command during connection
 * registration, the server MUST not complete registration until the client
 * sends a CAP END command." */
START_TEST(t_cap_holds_registration)
{
	struct srv *s = srv_start("");
	struct cl *ls = cl_connect(s->port), *req = cl_connect(s->port);
	struct cl *none = cl_connect(s->port);
	char list[4096];

	snprintf(ls->name, sizeof(ls->name), "lsnick");
	cap_ls(ls, "302", list, sizeof(list));
	cl_send(ls, "NICK lsnick");
	cl_send(ls, "USER ls 0 * :LS");
	cl_expect_none(ls, " 001 ", T);
	cl_send(ls, "CAP END");
	cl_expect(ls, "^:irc\\.test 001 lsnick ", T);

	/* REQ without LS (capability-negotiation example "without a prior
	 * LS") */
	snprintf(req->name, sizeof(req->name), "reqnick");
	cl_send(req, "CAP REQ :multi-prefix");
	cl_send(req, "NICK reqnick");
	cl_send(req, "USER req 0 * :REQ");
	cl_expect(req, "^:irc\\.test CAP [^ ]+ ACK :multi-prefix$", T);
	cl_expect_none(req, " 001 ", T);
	cl_send(req, "CAP END");
	cl_expect(req, "^:irc\\.test 001 reqnick ", T);
	/* CAP END after registration "MUST be ignored" */
	quiet(req);
	cl_send(req, "CAP END");
	cl_expect_none(req, ".", T);

	/* a client that does not negotiate registers at once */
	cl_register(none, "plain");
}
END_TEST

/* "The server MUST accept the CAP command at any time, including after
 * registration"; replies then carry the nick. */
START_TEST(t_cap_after_registration)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", NULL);
	char list[4096];

	cl_send(a, "CAP LS 302");
	cl_expect(a, "^:irc\\.test CAP alice LS :", T);
	cl_send(a, "CAP REQ :server-time");
	cl_expect(a, "^(@[^ ]+ )?:irc\\.test CAP alice ACK :server-time$", T);
	cap_list(a, list, sizeof(list));
	ck_assert(has_cap(list, "server-time"));
	cl_send(b, "PRIVMSG alice :tagged now");
	cl_expect(a, "^@" TIME_RE " :bob![^ ]+ PRIVMSG alice :tagged now$", T);
	/* bob did not ask: untagged */
	cl_send(a, "PRIVMSG bob :plain");
	cl_expect(b, "^:alice![^ ]+ PRIVMSG bob :plain$", T);
}
END_TEST

/* "If a client sends a subcommand which is not in the list above ...
 * 410 (ERR_INVALIDCAPCMD)"; "*" before a nick exists. */
START_TEST(t_cap_invalid_subcommand)
{
	struct srv *s = srv_start("");
	struct cl *c = cl_connect(s->port);

	cl_send(c, "CAP FOO");
	cl_expect(c, "^:irc\\.test 410 \\* FOO :", T);
	cl_register(c, "alice");
	cl_send(c, "CAP BAR");
	cl_expect(c, "^:irc\\.test 410 alice BAR :", T);
}
END_TEST

/* ============================================ sts (needs a TLS listener)
 * srv_start_tls (livelib): one plaintext and one TLS listener. */

/* tls_cap_ls: CAP LS 302 over TLS, naming host sni in the handshake (TLS
 * Server Name Indication) unless NULL; returns the list (one line
 * expected). */
static void
tls_cap_ls(int port, const char *sni, char *out, size_t sz)
{
	struct tls_opt o = { .sni = sni };
	char err[256];
	struct cl *c = cl_connect_tls_opt(port, &o, err, sizeof(err));

	ck_assert_msg(c != NULL, "TLS handshake failed: %s", err);
	size_t n = 0;
	const char *l;

	cl_send(c, "CAP LS 302");
	/* every line of a multi-line reply ("CAP * LS * :..." until the
	 * last), joined with spaces */
	out[0] = '\0';
	do {
		l = cl_expect(c, " CAP \\* LS ", T);
		n += (size_t)snprintf(out + n, n < sz ? sz - n : 0, "%s%s", n ? " " : "", l);
	} while (rx_match(l, " CAP \\* LS \\* :") && n < sz);
	cl_close(c);
}

/* sts "Server implementation": with a TLS listener, plaintext CAP 302
 * clients are offered sts=port=<tls port>; a CAP 301 client gets the name
 * without the value (capability-negotiation "Capability Values"); a TLS
 * connection is not offered the upgrade but the persistence policy,
 * sts=duration=<[security] sts_duration, 300 s by default>, when it named
 * a host (SNI; "If no hostname has been provided for the connection, an
 * STS persistence policy SHOULD NOT be advertised"). */
START_TEST(t_sts)
{
	struct srv *s = srv_start_tls("", NULL, NULL);
	struct cl *c, *old;
	char list[4096], re[64], tlsline[8192];

	c = cl_connect(s->port);
	cap_ls(c, "302", list, sizeof(list));
	snprintf(re, sizeof(re), " sts=port=%d ", s->tls_port);
	ck_assert_msg(rx_match(list, re),
	    "plaintext CAP LS 302 lacks "
	    "sts=port=%d:%s",
	    s->tls_port, list);
	/* sts is never enabled by REQ */
	cl_send(c, "CAP REQ :sts");
	cl_expect(c, "^:irc\\.test CAP \\* NAK :sts$", T);

	old = cl_connect(s->port);
	cap_ls(old, NULL, list, sizeof(list));
	ck_assert_msg(has_cap(list, "sts") && strstr(list, "sts=") == NULL,
	    "CAP 301 reply must list sts without a value:%s", list);

	tls_cap_ls(s->tls_port, "irc.test", tlsline, sizeof(tlsline));
	ck_assert_msg(rx_match(tlsline, "^:irc\\.test CAP \\* LS (\\* )?:"), "TLS CAP LS: %s",
	    tlsline);
	ck_assert_msg(rx_match(tlsline, "[ :]sts=duration=300( |$)"),
	    "TLS connection (SNI irc.test) not offered sts=duration=300: %s", tlsline);
	ck_assert_msg(!rx_match(tlsline, "sts=[^ ]*port="),
	    "upgrade policy offered on a TLS connection: %s", tlsline);
	ck_assert(rx_match(tlsline, "[ :]message-tags( |$)"));
	/* no SNI: no persistence policy */
	tls_cap_ls(s->tls_port, NULL, tlsline, sizeof(tlsline));
	ck_assert_msg(!rx_match(tlsline, "[ :]sts(=| |$)"),
	    "sts offered on a TLS connection without SNI: %s", tlsline);
	ck_assert(rx_match(tlsline, "[ :]message-tags( |$)"));
}
END_TEST

/* [security] sts_duration sets the persistence policy; sts = no turns the
 * capability off on both kinds of connection (sts: "this capability MUST
 * be made available as an optional configuration setting"). */
START_TEST(t_sts_config)
{
	struct srv *s;
	struct cl *c;
	char list[4096], tlsline[8192];

	s = srv_start_tls("[security]\nsts_duration = 2592000\n", NULL, NULL);
	tls_cap_ls(s->tls_port, "irc.test", tlsline, sizeof(tlsline));
	ck_assert_msg(rx_match(tlsline, "[ :]sts=duration=2592000( |$)"),
	    "sts_duration = 2592000 not advertised: %s", tlsline);
	srv_stop(s);

	s = srv_start_tls("[security]\nsts = no\n", NULL, NULL);
	c = cl_connect(s->port);
	cap_ls(c, "302", list, sizeof(list));
	ck_assert_msg(!has_cap(list, "sts"), "sts = no, yet offered:%s", list);
	tls_cap_ls(s->tls_port, "irc.test", tlsline, sizeof(tlsline));
	ck_assert_msg(!rx_match(tlsline, "[ :]sts(=| |$)"), "sts = no, yet offered over TLS: %s",
	    tlsline);
}
END_TEST

/* capability-negotiation "CAP LS Version": "If a client sends a lower CAP
 * version (or omits the version number entirely), servers SHOULD return a
 * CAP LS reply consistent with the request's version" - i.e. no values. */
START_TEST(t_cap_ls_downgrade)
{
	struct srv *s = srv_start_tls("", NULL, NULL);
	struct cl *c;
	char list[4096];

	c = cl_connect(s->port);
	cap_ls(c, "302", list, sizeof(list));
	ck_assert(strstr(list, " sts=port=") != NULL);
	cap_ls(c, NULL, list, sizeof(list));
	ck_assert_msg(strchr(list, '=') == NULL,
	    "capability-negotiation \"CAP LS Version\" (SHOULD): after CAP LS "
	    "302, a plain \"CAP LS\" should get a 301-style reply without "
	    "values; expected \"sts\", got:%s",
	    list);
	/* ... while the connection stays at 302 (cap-notify still on) */
	cap_list(c, list, sizeof(list));
	ck_assert(has_cap(list, "cap-notify"));
}
END_TEST

/* ==================================================== message tags */

/* message-tags "Client-only tags": relayed as-is on PRIVMSG, NOTICE and
 * TAGMSG to message-tags clients only; tags without '+' are removed;
 * server tags come before client-only tags; TAGMSG is never delivered to
 * clients without the capability. */
START_TEST(t_message_tags)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "message-tags");
	struct cl *b = v3_client(s, "bob", "message-tags");
	struct cl *c = v3_client(s, "carol", NULL);
	struct cl *ab[] = { a, NULL }, *abc[] = { a, b, NULL };
	char v[200];
	const char *l;

	join(a, "#c", NULL);
	join(b, "#c", ab);
	join(c, "#c", abc);
	ck_assert_msg(isupport(a, "CLIENTTAGDENY=[^ ]*") == 0,
	    "CLIENTTAGDENY advertised without client_tag_deny");

	cl_send(a,
	    "@+example.com/foo=bar;+draft/react=x;unknown-tag=1;"
	    "+esc=raw+:=,escaped\\:\\s\\\\ PRIVMSG #c :hi");
	l = cl_expect(b, TPFX("alice") "PRIVMSG #c :hi$", T);
	ck_assert_msg(tag_get(l, "+example.com/foo", v, sizeof(v)) == 1 && strcmp(v, "bar") == 0,
	    "+example.com/foo not relayed: %s", l);
	ck_assert(tag_get(l, "+draft/react", v, sizeof(v)) == 1 && strcmp(v, "x") == 0);
	ck_assert_msg(tag_get(l, "+esc", v, sizeof(v)) == 1 &&
		strcmp(v, "raw+:=,escaped\\:\\s\\\\") == 0,
	    "escaped value not relayed as-is: %s", l);
	ck_assert_msg(tag_get(l, "unknown-tag", NULL, 0) == -1, "tag without '+' relayed: %s", l);
	ck_assert(tag_get(l, "msgid", v, sizeof(v)) == 1);
	ck_assert_msg(tag_pos(l, "msgid") < tag_pos(l, "+example.com/foo"),
	    "server tags must come before client-only tags: %s", l);
	cl_expect(c, "^:alice![^ ]+ PRIVMSG #c :hi$", T);

	cl_send(a, "@+draft/react=y NOTICE #c :note");
	l = cl_expect(b, TPFX("alice") "NOTICE #c :note$", T);
	ck_assert(tag_get(l, "+draft/react", v, sizeof(v)) == 1 && strcmp(v, "y") == 0);
	cl_expect(c, "^:alice![^ ]+ NOTICE #c :note$", T);

	/* TAGMSG: to message-tags clients only, channel and private */
	cl_send(a, "@+typing=active TAGMSG #c");
	l = cl_expect(b, TPFX("alice") "TAGMSG #c$", T);
	ck_assert(tag_get(l, "+typing", v, sizeof(v)) == 1 && strcmp(v, "active") == 0);
	cl_send(a, "@+typing=paused TAGMSG carol");
	cl_send(a, "@+typing=done TAGMSG bob");
	cl_expect(b, TPFX("alice") "TAGMSG bob$", T);
	cl_sync(a);
	cl_expect_none(c, "TAGMSG", T);
	/* alice got no echo (no echo-message) and no error */
	cl_expect_none(a, "TAGMSG| 4[0-9][0-9] ", T);

	/* a client without message-tags sends plain messages, received with
	 * the server's tags only */
	cl_send(c, "PRIVMSG #c :from carol");
	l = cl_expect(b, TPFX("carol") "PRIVMSG #c :from carol$", T);
	ck_assert(tag_get(l, "msgid", NULL, 0) == 1);
	ck_assert_msg(strstr(l, ";+") == NULL && strstr(l, "@+") == NULL,
	    "client tags invented: %s", l);
	/* a client cannot forge server tags: a non-'+' tag is not relayed
	 * as sent (message-tags: only client-only tags are relayed) */
	cl_send(a, "@time=2000-01-01T00:00:00.000Z PRIVMSG bob :forged");
	l = cl_expect(b, TPFX("alice") "PRIVMSG bob :forged$", T);
	ck_assert_msg(strstr(l, "2000-01-01") == NULL, "client-supplied server tag relayed: %s", l);
}
END_TEST

/* ISUPPORT CLIENTTAGDENY (message-tags "Client-only tags" / ratified
 * CLIENTTAGDENY): "*,-typing" relays only +typing; a plain list denies
 * the listed names. */
START_TEST(t_client_tag_deny)
{
	struct srv *s = srv_start("[server]\nclient_tag_deny = *,-typing\n");
	struct cl *a = v3_client(s, "alice", "message-tags echo-message");
	struct cl *b = v3_client(s, "bob", "message-tags");
	const char *l;

	ck_assert(isupport(b, "CLIENTTAGDENY=\\*,-typing") == 1);
	cl_send(a,
	    "@+typing=active;+draft/react=x;+example.com/foo=1 "
	    "TAGMSG bob");
	l = cl_expect(b, TPFX("alice") "TAGMSG bob$", T);
	ck_assert_msg(tag_get(l, "+typing", NULL, 0) == 1 &&
		tag_get(l, "+draft/react", NULL, 0) == -1 &&
		tag_get(l, "+example.com/foo", NULL, 0) == -1,
	    "CLIENTTAGDENY=*,-typing: %s", l);
	/* the echo is the final (filtered) version (echo-message) */
	l = cl_expect(a, TPFX("alice") "TAGMSG bob$", T);
	ck_assert(tag_get(l, "+draft/react", NULL, 0) == -1);
	srv_stop(s);

	s = srv_start("[server]\nclient_tag_deny = draft/react\n");
	a = v3_client(s, "alice", "message-tags");
	b = v3_client(s, "bob", "message-tags");
	ck_assert(isupport(b, "CLIENTTAGDENY=draft/react") == 1);
	cl_send(a, "@+typing=active;+draft/react=x PRIVMSG bob :hey");
	l = cl_expect(b, TPFX("alice") "PRIVMSG bob :hey$", T);
	ck_assert_msg(tag_get(l, "+typing", NULL, 0) == 1 &&
		tag_get(l, "+draft/react", NULL, 0) == -1,
	    "CLIENTTAGDENY=draft/react: %s", l);
}
END_TEST

/* message-tags "Size limit": clients may send 4094 bytes of tag data;
 * more gets 417 ERR_INPUTTOOLONG and the line is not processed. */
START_TEST(t_tag_size_limit)
{
	static char tags[5000], va[2100], vb[2100], got[2100];
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "message-tags");
	struct cl *b = v3_client(s, "bob", "message-tags");
	struct cl *c = v3_client(s, "carol", NULL);
	const char *l;

	/* exactly 4094 bytes in two tags: accepted, relayed intact */
	memset(va, 'a', 2000);
	va[2000] = '\0';
	memset(vb, 'b', 2087);
	vb[2087] = '\0';
	snprintf(tags, sizeof(tags), "+a=%s;+b=%s", va, vb);
	ck_assert_uint_eq(strlen(tags), 4094);
	cl_send(a, "@%s PRIVMSG bob :max", tags);
	l = cl_expect(b, TPFX("alice") "PRIVMSG bob :max$", T);
	ck_assert(tag_get(l, "+a", got, sizeof(got)) == 1 && strcmp(got, va) == 0);
	ck_assert(tag_get(l, "+b", got, sizeof(got)) == 1 && strcmp(got, vb) == 0);

	/* 4095 bytes: 417, nothing delivered */
	snprintf(tags, sizeof(tags), "+a=%s;+b=%sb", va, vb);
	ck_assert_uint_eq(strlen(tags), 4095);
	cl_send(a, "@%s PRIVMSG bob :over", tags);
	cl_expect(a, "^:irc\\.test 417 alice :", T);
	cl_sync(a);
	cl_expect_none(b, "PRIVMSG bob :over", T);
	/* the limit applies to clients without message-tags too */
	cl_send(c, "@%s PRIVMSG bob :over2", tags);
	cl_expect(c, "^:irc\\.test 417 carol :", T);
	cl_sync(c);
	cl_expect_none(b, "over2", T);
	/* the connection stays usable */
	cl_send(a, "PRIVMSG bob :after");
	cl_expect(b, TPFX("alice") "PRIVMSG bob :after$", T);
}
END_TEST

/* message-tags "Size limit" + "Client-only tags ... MUST be relayed" /
 * "Servers MUST NOT truncate tags": one client-only tag of exactly 4094
 * bytes of tag data is within the limit and must be relayed. */
START_TEST(t_tag_size_single_max)
{
	static char val[4100], got[4100];
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "message-tags");
	struct cl *b = v3_client(s, "bob", "message-tags");
	const char *l;

	memset(val, 'x', 4091); /* "+x=" + 4091 = 4094 */
	val[4091] = '\0';
	cl_send(a, "@+x=%s PRIVMSG bob :single", val);
	l = cl_expect(b, TPFX("alice") "PRIVMSG bob :single$", T);
	ck_assert_msg(tag_get(l, "+x", got, sizeof(got)) == 1 && strcmp(got, val) == 0,
	    "message-tags \"Size limit\": a 4094-byte client tag (the "
	    "maximum) must be relayed unchanged; expected +x=<4091 bytes>, "
	    "got tags: %.120s",
	    l);
	cl_expect_none(a, " 417 ", T);
}
END_TEST

/* server-time: "@time=YYYY-MM-DDThh:mm:ss.sssZ" in UTC, on every line to
 * clients with the capability, none to the others. */
START_TEST(t_server_time)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "server-time");
	struct cl *b = v3_client(s, "bob", NULL);
	char v[64];
	const char *l;
	struct tm tm;
	time_t t, now;

	cl_send(b, "PRIVMSG alice :tick");
	l = cl_expect(a, TPFX("bob") "PRIVMSG alice :tick$", T);
	ck_assert_msg(rx_match(l, "^@" TIME_RE " "), "no time tag: %s", l);
	ck_assert_msg(tag_get(l, "msgid", NULL, 0) == -1, "msgid sent without message-tags: %s", l);
	tag_get(l, "time", v, sizeof(v));
	memset(&tm, 0, sizeof(tm));
	ck_assert(strptime(v, "%Y-%m-%dT%H:%M:%S", &tm) != NULL);
	t = timegm(&tm);
	now = time(NULL);
	ck_assert_msg(t >= now - 5 && t <= now + 5, "time tag %s is not UTC now (%lld)", v,
	    (long long)now);
	/* numerics and PONG too */
	cl_send(a, "WHOIS bob");
	cl_expect(a, "^@" TIME_RE " :irc\\.test 311 alice bob ", T);
	cl_expect(a, "^@" TIME_RE " :irc\\.test 318 alice bob ", T);
	/* bob did not ask */
	cl_send(a, "PRIVMSG bob :tock");
	cl_expect(b, "^:alice![^ ]+ PRIVMSG bob :tock$", T);
	cl_send(b, "WHOIS alice");
	cl_expect(b, "^:irc\\.test 311 bob alice ", T);
}
END_TEST

/* message-ids: msgid on PRIVMSG, NOTICE, TAGMSG to message-tags clients;
 * the same id on the echo and on every delivery; a new id per message. */
START_TEST(t_msgid)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "message-tags echo-message");
	struct cl *b = v3_client(s, "bob", "message-tags");
	struct cl *c = v3_client(s, "carol", NULL);
	struct cl *ab[] = { a, NULL }, *abc[] = { a, b, NULL };
	char ea[64], eb[64], prev[64];
	const char *l;

	join(a, "#c", NULL);
	join(b, "#c", ab);
	join(c, "#c", abc);

	cl_send(a, "PRIVMSG #c :m1");
	l = cl_expect(a, TPFX("alice") "PRIVMSG #c :m1$", T);
	ck_assert_msg(tag_get(l, "msgid", ea, sizeof(ea)) == 1 && ea[0], "echo without msgid: %s",
	    l);
	l = cl_expect(b, TPFX("alice") "PRIVMSG #c :m1$", T);
	ck_assert(tag_get(l, "msgid", eb, sizeof(eb)) == 1);
	ck_assert_str_eq(ea, eb);
	cl_expect(c, "^:alice![^ ]+ PRIVMSG #c :m1$", T);
	snprintf(prev, sizeof(prev), "%s", ea);

	cl_send(a, "NOTICE #c :m2");
	l = cl_expect(a, TPFX("alice") "NOTICE #c :m2$", T);
	ck_assert(tag_get(l, "msgid", ea, sizeof(ea)) == 1);
	l = cl_expect(b, TPFX("alice") "NOTICE #c :m2$", T);
	ck_assert(tag_get(l, "msgid", eb, sizeof(eb)) == 1);
	ck_assert_str_eq(ea, eb);
	ck_assert_str_ne(ea, prev);
	cl_expect(c, "^:alice![^ ]+ NOTICE #c :m2$", T);
	snprintf(prev, sizeof(prev), "%s", ea);

	cl_send(a, "@+draft/react=ok TAGMSG #c");
	l = cl_expect(a, TPFX("alice") "TAGMSG #c$", T);
	ck_assert(tag_get(l, "msgid", ea, sizeof(ea)) == 1);
	l = cl_expect(b, TPFX("alice") "TAGMSG #c$", T);
	ck_assert(tag_get(l, "msgid", eb, sizeof(eb)) == 1);
	ck_assert_str_eq(ea, eb);
	ck_assert_str_ne(ea, prev);
	snprintf(prev, sizeof(prev), "%s", ea);

	/* private (irctest testDirectMessageEcho) */
	cl_send(a, "PRIVMSG bob :direct");
	l = cl_expect(a, TPFX("alice") "PRIVMSG bob :direct$", T);
	ck_assert(tag_get(l, "msgid", ea, sizeof(ea)) == 1);
	l = cl_expect(b, TPFX("alice") "PRIVMSG bob :direct$", T);
	ck_assert(tag_get(l, "msgid", eb, sizeof(eb)) == 1);
	ck_assert_str_eq(ea, eb);
	ck_assert_str_ne(ea, prev);
	cl_sync(a);
	cl_expect_none(c, "TAGMSG|direct", T);
}
END_TEST

/* echo-message: PRIVMSG and NOTICE come back to a sender with the cap (and
 * TAGMSG when message-tags is also on); senders without it get nothing. */
START_TEST(t_echo_message)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "echo-message");
	struct cl *b = v3_client(s, "bob", NULL);
	struct cl *ab[] = { a, NULL };

	join(a, "#c", NULL);
	join(b, "#c", ab);
	cl_send(a, "PRIVMSG #c :hello everyone");
	cl_expect(a, "^:alice![^ ]+ PRIVMSG #c :hello everyone$", T);
	cl_expect(b, "^:alice![^ ]+ PRIVMSG #c :hello everyone$", T);
	cl_send(a, "NOTICE bob :psst");
	cl_expect(a, "^:alice![^ ]+ NOTICE bob :psst$", T);
	cl_expect(b, "^:alice![^ ]+ NOTICE bob :psst$", T);
	/* a failed message is not echoed */
	cl_send(a, "PRIVMSG nosuchnick :lost");
	cl_expect(a, "^:irc\\.test 401 alice nosuchnick ", T);
	cl_expect_none(a, "PRIVMSG nosuchnick", T);
	/* TAGMSG needs message-tags to be delivered, echo included */
	cl_send(a, "@+typing=active TAGMSG #c");
	cl_expect_none(a, "TAGMSG", T);
	/* bob did not ask: no echo */
	cl_send(b, "PRIVMSG #c :hi alice");
	cl_expect(a, "^:bob![^ ]+ PRIVMSG #c :hi alice$", T);
	cl_expect_none(b, "PRIVMSG #c", T);
	cl_send(b, "PRIVMSG alice :direct");
	cl_expect(a, "^:bob![^ ]+ PRIVMSG alice :direct$", T);
	cl_expect_none(b, "PRIVMSG alice", T);
}
END_TEST

/* ================================================ labeled-response */

/* labeled-response "The ACK response": a labeled command that normally
 * produces no response gets "@label=x :server ACK" (NICK to the same nick,
 * PONG, a channel PRIVMSG without echo). */
START_TEST(t_labeled_ack)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "batch labeled-response");
	struct cl *b = v3_client(s, "bob", "batch");

	cl_send(a, "@label=a1 NICK alice");
	cl_expect(a, "^@label=a1 :irc\\.test ACK$", T);
	cl_send(a, "@label=a2 PONG :whatever");
	cl_expect(a, "^@label=a2 :irc\\.test ACK$", T);
	cl_send(a, "@label=a3 PRIVMSG bob :no echo here");
	cl_expect(a, "^@label=a3 :irc\\.test ACK$", T);
	/* the recipient never sees the label */
	cl_expect(b, "^:alice![^ ]+ PRIVMSG bob :no echo here$", T);
	cl_expect_none(a, "ACK", T);
	/* without labeled-response: no ACK, no label */
	cl_send(b, "@label=b1 PONG :whatever");
	cl_send(b, "@label=b2 PING :tok");
	cl_expect(b, "^:irc\\.test PONG irc\\.test :tok$", T);
	cl_expect_none(b, "ACK|label=", T);
}
END_TEST

/* One reply line: labeled, no batch (irctest testNoBatchForSingleMessage,
 * testUnknownCommand; spec example "Failed PRIVMSG with ERR_NOSUCHNICK"). */
START_TEST(t_labeled_single)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "batch labeled-response message-tags echo-message");
	struct cl *b = v3_client(s, "bob", "batch labeled-response message-tags echo-message");
	const char *l;
	char v[64];

	cl_send(a, "@label=98765 PING adhoctestline");
	cl_expect(a,
	    "^@label=98765 :irc\\.test PONG irc\\.test "
	    ":adhoctestline$",
	    T);
	cl_send(a, "@label=deadbeef NONEXISTENT_COMMAND");
	cl_expect(a,
	    "^@label=deadbeef :irc\\.test 421 alice "
	    "NONEXISTENT_COMMAND ",
	    T);
	cl_send(a, "@label=dc11f13f11 PRIVMSG nick :Hello");
	cl_expect(a, "^@label=dc11f13f11 :irc\\.test 401 alice nick ", T);
	cl_expect_none(a, "BATCH", T);
	/* echo-message: the echo is the labeled response, the recipient
	 * gets no label (irctest testLabeledPrivmsgResponsesToClient) */
	cl_send(a, "@label=12345;+draft/reply=x PRIVMSG bob :hi");
	l = cl_expect(a, TPFX("alice") "PRIVMSG bob :hi$", T);
	ck_assert_msg(tag_get(l, "label", v, sizeof(v)) == 1 && strcmp(v, "12345") == 0,
	    "echo not labeled: %s", l);
	l = cl_expect(b, TPFX("alice") "PRIVMSG bob :hi$", T);
	ck_assert_msg(tag_get(l, "label", NULL, 0) == -1, "label leaked to the recipient: %s", l);
	ck_assert(tag_get(l, "+draft/reply", NULL, 0) == 1);
	/* TAGMSG likewise (testLabeledTagMsgResponsesToClient) */
	cl_send(a, "@label=777;+draft/react=l TAGMSG bob");
	l = cl_expect(a, TPFX("alice") "TAGMSG bob$", T);
	ck_assert(tag_get(l, "label", v, sizeof(v)) == 1 && strcmp(v, "777") == 0);
	ck_assert(tag_get(l, "+draft/react", NULL, 0) == 1);
	l = cl_expect(b, TPFX("alice") "TAGMSG bob$", T);
	ck_assert(tag_get(l, "label", NULL, 0) == -1);
	/* a FAIL is labeled as well (standard-replies: SHOULD) */
	cl_send(a, "@label=f1 SETNAME :");
	cl_expect(a, "^@label=f1 :irc\\.test FAIL SETNAME INVALID_REALNAME ", T);
}
END_TEST

/* read_batch: after a labeled command expected to answer with several
 * lines: "@label=L :srv BATCH +id labeled-response", lines tagged
 * batch=id, ":srv BATCH -id" (labeled-response "Tags", batch spec).
 * Returns the number of inner lines; they are copied to inner[]. */
static int
read_batch(struct cl *c, const char *label, char inner[][600], int max)
{
	char id[64], re[200], v[64];
	const char *l;
	int n = 0;

	snprintf(re, sizeof(re), "^@([^ ]*;)?label=%s[; ]", rx_esc(label));
	l = cl_expect(c, re, T);
	ck_assert_msg(rx_group(l,
			  " :irc\\.test BATCH \\+([^ ]+) "
			  "labeled-response$",
			  1, id, sizeof(id)),
	    "labeled multi-line reply does not open a labeled-response "
	    "batch: %s",
	    l);
	ck_assert_msg(rx_match(id, "^[A-Za-z0-9-]+$"),
	    "batch id must be alphanumerics and hyphens: %s", id);
	for (;;) {
		l = cl_expect(c, ".", T);
		if (rx_match(untagged(l), "^:irc\\.test BATCH -")) {
			ck_assert_msg(strcmp(strstr(l, "BATCH -") + 7, id) == 0,
			    "batch %s closed as: %s", id, l);
			ck_assert_msg(tag_get(l, "label", NULL, 0) == -1,
			    "label on the closing BATCH: %s", l);
			break;
		}
		ck_assert_msg(tag_get(l, "batch", v, sizeof(v)) == 1 && strcmp(v, id) == 0,
		    "line inside batch %s without "
		    "batch=%s: %s",
		    id, id, l);
		ck_assert_msg(tag_get(l, "label", NULL, 0) == -1, "label inside the batch: %s", l);
		if (n < max)
			snprintf(inner[n], sizeof(inner[0]), "%s", untagged(l));
		n++;
	}
	return n;
}

/* Several reply lines: one labeled-response batch (spec example "WHOIS
 * response using a batch"; irctest testBatchedJoinMessages,
 * testLabeledPrivmsgResponsesToMultipleClients). */
START_TEST(t_labeled_batch)
{
	struct srv *s = srv_start("");
	struct cl *a =
	    v3_client(s, "alice", "batch labeled-response message-tags server-time echo-message");
	struct cl *b = v3_client(s, "bob", NULL);
	struct cl *c = v3_client(s, "carol", "batch");
	char inner[32][600];
	int n, i, has311 = 0;

	cl_send(a, "@label=mGhe5V7RTV WHOIS bob");
	n = read_batch(a, "mGhe5V7RTV", inner, 32);
	for (i = 0; i < n && i < 32; i++)
		has311 |= rx_match(inner[i], "^:irc\\.test 311 alice bob ");
	ck_assert_msg(has311 && n >= 3 && rx_match(inner[n - 1], "^:irc\\.test 318 alice bob "),
	    "WHOIS batch content (%d lines), last: %s", n, inner[n - 1]);

	cl_send(a, "@label=12345 JOIN #xyz");
	n = read_batch(a, "12345", inner, 32);
	ck_assert_msg(n >= 3 && rx_match(inner[0], "^:alice![^ ]+ JOIN #xyz$") &&
		rx_match(inner[n - 1], "^:irc\\.test 366 alice #xyz "),
	    "JOIN batch: %d lines", n);

	/* echo of a message to two users: two lines, one batch */
	cl_send(a, "@label=two PRIVMSG bob,carol :hi both");
	n = read_batch(a, "two", inner, 32);
	ck_assert_int_eq(n, 2);
	ck_assert(rx_match(inner[0], "^:alice![^ ]+ PRIVMSG bob :hi both$"));
	ck_assert(rx_match(inner[1], "^:alice![^ ]+ PRIVMSG carol :hi both$"));
	cl_expect(b, "^:alice![^ ]+ PRIVMSG bob :hi both$", T);

	/* without labeled-response (carol has only batch): plain lines */
	cl_send(c, "@label=nolabel WHOIS bob");
	cl_expect(c, "^:irc\\.test 311 carol bob ", T);
	cl_expect(c, "^:irc\\.test 318 carol bob ", T);
	cl_expect_none(c, "BATCH|label=", T);
}
END_TEST

/* labeled-response "Tags": "When a client sends a message to itself, the
 * server MUST NOT include the label tag, except for any acknowledgment
 * sent with the echo-message mechanism." - i.e. the delivered copy and the
 * echo are two messages, exactly one labeled (irctest
 * testLabeledPrivmsgResponsesToSelf). */
START_TEST(t_labeled_self_message)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "batch labeled-response echo-message");
	char bid[64] = "";
	int copies = 0, labeled = 0, i;
	const char *l;

	cl_send(a, "@label=self1 PRIVMSG alice :me");
	cl_sync(a);
	for (i = 0; i < 10 && (l = cl_try_expect(a, ".", 0)) != NULL; i++) {
		if (rx_match(untagged(l), " BATCH \\+") && tag_get(l, "label", NULL, 0) >= 0)
			rx_group(l, "BATCH \\+([^ ]+)", 1, bid, sizeof(bid));
		if (!rx_match(untagged(l), "^:alice![^ ]+ PRIVMSG alice :me$"))
			continue;
		copies++;
		if (tag_get(l, "label", NULL, 0) >= 0)
			labeled++;
		else if (bid[0]) {
			char v[64];

			if (tag_get(l, "batch", v, sizeof(v)) == 1 && strcmp(v, bid) == 0)
				labeled++;
		}
	}
	ck_assert_msg(copies == 2 && labeled == 1,
	    "labeled-response \"Tags\" (self-message with echo-message): "
	    "expected 2 PRIVMSG copies, exactly 1 labeled; got %d copies, "
	    "%d labeled",
	    copies, labeled);
}
END_TEST

/* Labels are echoed escaped (message-tags "Escaping values"; issue 9 item
 * 11): "@label=a\sb\:c=d PING x" once came back as "@label=a b;c=d x", a
 * tag section that ends at the space. On a batch too (item 15: a CR from
 * "\r" reached the BATCH line raw). A label over 64 bytes is ignored
 * (labeled-response "Tag value": "MUST NOT exceed 64 bytes"), not cut. */
START_TEST(t_labeled_escaped)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "batch labeled-response message-tags");
	const char *l;
	char v[200], inner[8][600];

	cl_send(a, "@label=a\\sb\\:c=d PING x");
	l = cl_expect(a, TSRV "PONG irc\\.test :x$", T);
	ck_assert_msg(tag_get(l, "label", v, sizeof(v)) == 1 && strcmp(v, "a\\sb\\:c=d") == 0,
	    "label not escaped: %s", l);
	/* canonical form: "\q" is "q", "\\" stays escaped */
	cl_send(a, "@label=\\q\\\\\\r PING y");
	l = cl_expect(a, TSRV "PONG irc\\.test :y$", T);
	ck_assert_msg(tag_get(l, "label", v, sizeof(v)) == 1 && strcmp(v, "q\\\\\\r") == 0,
	    "label not canonical: %s", l);
	ck_assert_msg(strchr(l, '\r') == NULL, "raw CR in: %s", l);
	/* a batch: the BATCH + line carries the escaped label */
	cl_send(a, "@label=x\\ry\\sz WHOIS alice");
	ck_assert_int_gt(read_batch(a, "x\\ry\\sz", inner, 8), 1);
	/* 65 bytes: no label, the command still runs */
	memset(v, 'l', 65);
	v[65] = '\0';
	cl_send(a, "@label=%s PING z", v);
	l = cl_expect(a, TSRV "PONG irc\\.test :z$", T);
	ck_assert_msg(tag_get(l, "label", NULL, 0) == -1, "over-long label echoed: %s", l);
	/* 64 bytes: echoed */
	v[64] = '\0';
	cl_send(a, "@label=%s PING w", v);
	l = cl_expect(a, TSRV "PONG irc\\.test :w$", T);
	ck_assert_msg(tag_get(l, "label", inner[0], sizeof(inner[0])) == 1 &&
		strcmp(inner[0], v) == 0,
	    "64-byte label not echoed: %s", l);
}
END_TEST

/* Issue 9 item 2: a bare CR in a line. "@+x=a\rNICK PRIVMSG #c :hello"
 * was relayed with the CR, so a recipient that splits lines on CR saw a
 * forged "NICK PRIVMSG #c :hello". Modern IRC "Message format": no part of
 * a message may hold NUL, CR or LF; the line is refused whole (as Ergo
 * does) with an error, in tags and in parameters alike. Extra CRs before
 * the CRLF are line-end noise and accepted. Tags whose key breaks the
 * message-tags grammar are dropped, the message still goes out; values go
 * out in canonical escaped form. */
START_TEST(t_tag_bare_cr)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "message-tags");
	struct cl *b = v3_client(s, "bob", "message-tags");
	struct cl *ab[] = { a, NULL };
	static const char cr_tag[] = "@+x=a\rNICK PRIVMSG #c :hello\r\n";
	static const char cr_param[] = "PRIVMSG #c :hel\rlo\r\n";
	static const char crcr[] = "PRIVMSG #c :two crs\r\r\n";
	const char *l;
	char v[200];

	join(a, "#c", NULL);
	join(b, "#c", ab);
	cl_send_raw(a, cr_tag, sizeof(cr_tag) - 1);
	cl_expect(a, TSRV "400 alice \\* :Line contains a NUL or CR", T);
	cl_send_raw(a, cr_param, sizeof(cr_param) - 1);
	cl_expect(a, TSRV "400 alice \\* :Line contains a NUL or CR", T);
	cl_sync(a);
	cl_sync(b);
	cl_expect_none(b, "hel|NICK", T);
	cl_send_raw(a, crcr, sizeof(crcr) - 1);
	cl_expect(b, TPFX("alice") "PRIVMSG #c :two crs$", T);
	/* escaped CR stays escaped; bad keys dropped, good ones kept */
	cl_send(a, "@+x=a\\rb;+a_b=1;+/c=2;+ok=\\q PRIVMSG #c :tags");
	l = cl_expect(b, TPFX("alice") "PRIVMSG #c :tags$", T);
	ck_assert_msg(strchr(l, '\r') == NULL, "raw CR relayed: %s", l);
	ck_assert_msg(tag_get(l, "+x", v, sizeof(v)) == 1 && strcmp(v, "a\\rb") == 0,
	    "+x not relayed escaped: %s", l);
	ck_assert_msg(tag_get(l, "+ok", v, sizeof(v)) == 1 && strcmp(v, "q") == 0,
	    "+ok not canonical: %s", l);
	ck_assert_msg(tag_get(l, "+a_b", NULL, 0) == -1 && tag_get(l, "+/c", NULL, 0) == -1,
	    "bad tag keys relayed: %s", l);
}
END_TEST

/* ============================================ channel-list extensions */

/* multi-prefix: NAMES (also the implicit one) and WHO show every prefix
 * ("@+") to clients with the cap, the highest one to the others. */
START_TEST(t_multi_prefix)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", "multi-prefix");
	struct cl *c = v3_client(s, "carol", NULL);
	struct cl *abc[] = { a, b, NULL };

	join(a, "#c", NULL);
	cl_send(a, "MODE #c +v alice");
	cl_expect(a, "MODE #c \\+v alice$", T);
	cl_send(b, "JOIN #c");
	cl_expect(b, "^:irc\\.test 353 bob = #c :(.* )?@\\+alice( |$)", T);
	cl_expect(b, "^:irc\\.test 366 bob #c ", T);
	cl_expect(a, "^:bob![^ ]+ JOIN #c$", T);
	quiet(b);
	join(c, "#c", abc);

	cl_send(b, "NAMES #c");
	cl_expect(b, "^:irc\\.test 353 bob = #c :(.* )?@\\+alice( |$)", T);
	cl_send(c, "NAMES #c");
	cl_expect(c, "^:irc\\.test 353 carol = #c :(.* )?@alice( |$)", T);
	cl_send(b, "WHO #c");
	cl_expect(b,
	    "^:irc\\.test 352 bob #c ~alice [^ ]+ irc\\.test alice "
	    "H@\\+ :0 Real alice$",
	    T);
	cl_send(c, "WHO #c");
	cl_expect(c,
	    "^:irc\\.test 352 carol #c ~alice [^ ]+ irc\\.test alice "
	    "H@ :0 Real alice$",
	    T);
	cl_send(b, "WHO #c %%nf");
	cl_expect(b, "^:irc\\.test 354 bob alice H@\\+$", T);
	/* WHOIS too, since the spec's errata (ircv3.net multi-prefix) */
	cl_send(b, "WHOIS alice");
	cl_expect(b, "^:irc\\.test 319 bob alice :@\\+#c$", T);
}
END_TEST

/* userhost-in-names: NAMES entries are nick!user@host for the cap. */
START_TEST(t_userhost_in_names)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", "userhost-in-names");
	struct cl *c = v3_client(s, "carol", NULL);
	struct cl *ab[] = { a, NULL };

	join(a, "#c", NULL);
	cl_send(b, "JOIN #c");
	cl_expect(b,
	    "^:irc\\.test 353 bob = #c :(.* )?@alice!~alice@"
	    "127\\.0\\.0\\.1( |$)",
	    T);
	quiet(b);
	quiet(a);
	join(c, "#c", ab);
	cl_send(b, "NAMES #c");
	cl_expect(b,
	    "^:irc\\.test 353 bob = #c :(.* )?carol!~carol@"
	    "127\\.0\\.0\\.1( |$)",
	    T);
	cl_send(c, "NAMES #c");
	cl_expect(c, "^:irc\\.test 353 carol = #c :(.* )?@alice( |$)", T);
	cl_send(c, "NAMES #c");
	cl_expect_none(c, "!~", T);
}
END_TEST

/* extended-join: "JOIN #chan account :realname", "*" with no account. */
START_TEST(t_extended_join)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", "extended-join");
	struct cl *c = v3_client(s, "carol", NULL);

	join(b, "#c", NULL);
	join(c, "#c", NULL);
	quiet(b);
	cl_send(a, "JOIN #c");
	cl_expect(b, "^:alice!~alice@127\\.0\\.0\\.1 JOIN #c \\* :Real alice$", T);
	cl_expect(c, "^:alice!~alice@127\\.0\\.0\\.1 JOIN #c$", T);
	cl_expect(a, "^:alice![^ ]+ JOIN #c$", T);
	/* the joining client with the cap sees its own extended JOIN */
	cl_send(b, "JOIN #d");
	cl_expect(b, "^:bob![^ ]+ JOIN #d \\* :Real bob$", T);
}
END_TEST

/* draft/no-implicit-names: "servers MUST NOT send an implicit NAMES reply
 * after sending a JOIN message"; explicit NAMES works as usual. */
START_TEST(t_no_implicit_names)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", "draft/no-implicit-names");
	struct cl *c = v3_client(s, "carol", NULL);

	join(a, "#c", NULL);
	cl_send(a, "TOPIC #c :the topic");
	cl_expect(a, "TOPIC #c :the topic$", T);
	cl_send(b, "JOIN #c");
	cl_expect(b, "^:bob![^ ]+ JOIN #c$", T);
	cl_expect(b, "^:irc\\.test 332 bob #c :the topic$", T);
	cl_expect(b, "^:irc\\.test 333 bob #c ", T);
	cl_expect_none(b, " 35[3] | 366 ", T);
	cl_send(b, "NAMES #c");
	cl_expect(b, "^:irc\\.test 353 bob = #c :", T);
	cl_expect(b, "^:irc\\.test 366 bob #c ", T);
	cl_send(c, "JOIN #c");
	cl_expect(c, "^:irc\\.test 353 carol = #c :", T);
	cl_expect(c, "^:irc\\.test 366 carol #c ", T);
}
END_TEST

/* WHOX (ircv3 whox): "%tcuihsnfdlaor,123" -> 354 with the fields in the
 * fixed order t c u i h s n f d l a o r whatever the request order; a
 * plain WHO still answers 352. */
START_TEST(t_whox)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", NULL);
	struct cl *ab[] = { a, NULL };
	const char *full = "^:irc\\.test 354 bob 123 #c ~alice 127\\.0\\.0\\.1 "
			   "127\\.0\\.0\\.1 irc\\.test alice H@ [0-9]+ [0-9]+ 0 [^ ]+ "
			   ":Real alice$";

	ck_assert(isupport(b, "WHOX") == 1);
	join(a, "#c", NULL);
	join(b, "#c", ab);
	cl_send(b, "WHO #c %%tcuihsnfdlaor,123");
	cl_expect(b, full, T);
	cl_expect(b, "^:irc\\.test 315 bob #c ", T);
	cl_send(b, "WHO #c %%roaldfnshiuct,123");
	cl_expect(b, full, T);
	cl_send(b, "WHO alice %%tn,321");
	cl_expect(b, "^:irc\\.test 354 bob 321 alice$", T);
	cl_expect(b, "^:irc\\.test 315 bob alice ", T);
	/* no account: "0" (irctest testWhoxNoAccount) */
	cl_send(b, "WHO alice %%na");
	cl_expect(b, "^:irc\\.test 354 bob alice 0$", T);
	/* a client not using WHOX */
	cl_send(a, "WHO #c");
	cl_expect(a,
	    "^:irc\\.test 352 alice #c ~bob 127\\.0\\.0\\.1 irc\\.test "
	    "bob H :0 Real bob$",
	    T);
	cl_expect(a, "^:irc\\.test 315 alice #c ", T);
	cl_expect_none(a, " 354 ", T);
}
END_TEST

/* ================================================== notifications */

/* away-notify: AWAY changes go to channel peers with the cap; a user who
 * joins while away is announced with AWAY after the JOIN. */
START_TEST(t_away_notify)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", "away-notify");
	struct cl *c = v3_client(s, "carol", NULL);
	struct cl *d = v3_client(s, "dave", NULL);
	struct cl *e = v3_client(s, "eve", "away-notify");
	struct cl *ab[] = { a, NULL }, *abc[] = { a, b, NULL };

	join(a, "#c", NULL);
	join(b, "#c", ab);
	join(c, "#c", abc);
	cl_send(a, "AWAY :gone fishing");
	cl_expect(a, "^:irc\\.test 306 alice ", T);
	cl_expect(b, "^:alice!~alice@127\\.0\\.0\\.1 AWAY :gone fishing$", T);
	cl_expect_none(a, " AWAY ", T);
	cl_expect_none(c, "AWAY", T);
	cl_expect_none(e, "AWAY", T); /* no common channel */
	cl_send(a, "AWAY");
	cl_expect(a, "^:irc\\.test 305 alice ", T);
	cl_expect(b, "^:alice!~alice@127\\.0\\.0\\.1 AWAY$", T);
	cl_expect_none(c, "AWAY", T);

	cl_send(d, "AWAY :brb");
	cl_expect(d, " 306 ", T);
	cl_send(d, "JOIN #c");
	cl_expect(b, "^:dave![^ ]+ JOIN #c$", T);
	cl_expect(b, "^:dave!~dave@127\\.0\\.0\\.1 AWAY :brb$", T);
	cl_expect(c, "^:dave![^ ]+ JOIN #c$", T);
	cl_sync(d);
	cl_expect_none(c, "AWAY", T);
}
END_TEST

/* account-notify, account-tag: accepted by CAP REQ; there are no accounts,
 * so no ACCOUNT message and no account tag is ever sent. */
START_TEST(t_account_caps)
{
	struct srv *s = srv_start("");
	struct cl *a =
	    v3_client(s, "alice", "account-notify account-tag message-tags extended-join");
	struct cl *b = v3_client(s, "bob", NULL);
	struct cl *ab[] = { a, NULL };
	char list[4096];
	const char *l;

	cap_list(a, list, sizeof(list));
	ck_assert(has_cap(list, "account-notify") && has_cap(list, "account-tag"));
	join(a, "#c", NULL);
	join(b, "#c", ab);
	cl_send(b, "PRIVMSG #c :no account");
	l = cl_expect(a, TPFX("bob") "PRIVMSG #c :no account$", T);
	ck_assert_msg(tag_get(l, "account", NULL, 0) == -1, "account tag without accounts: %s", l);
	cl_send(b, "NICK bobby");
	cl_send(b, "PART #c");
	cl_send(b, "JOIN #c");
	cl_expect(a, "^:bobby![^ ]+ JOIN #c \\* :Real bob$", T);
	cl_expect_none(a, " ACCOUNT |account=", T);
	cl_expect_none(b, " ACCOUNT ", T);
}
END_TEST

/* invite-notify: channel members with the cap see
 * ":<inviter> INVITE <target> <channel>"; others do not. */
START_TEST(t_invite_notify)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", "invite-notify");
	struct cl *c = v3_client(s, "carol", NULL);
	struct cl *d = v3_client(s, "dave", NULL);
	struct cl *ab[] = { a, NULL }, *abc[] = { a, b, NULL };

	join(a, "#c", NULL);
	join(b, "#c", ab);
	join(c, "#c", abc);
	cl_send(a, "MODE #c +o bob");
	cl_expect(b, "MODE #c \\+o bob$", T);
	cl_send(a, "MODE #c +i");
	cl_expect(b, "MODE #c \\+i$", T);
	quiet(c);
	cl_send(a, "INVITE dave #c");
	cl_expect(a, "^:irc\\.test 341 alice dave #c$", T);
	cl_expect(d, "^:alice![^ ]+ INVITE dave :?#c$", T);
	cl_expect(b, "^:alice!~alice@127\\.0\\.0\\.1 INVITE dave :?#c$", T);
	cl_sync(a);
	cl_expect_none(c, "INVITE", T);
	cl_expect_none(a, "INVITE", T);
}
END_TEST

/* setname: the change is confirmed to the user and sent to channel peers
 * with the cap only; without the cap the command is handled silently. */
START_TEST(t_setname)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "setname");
	struct cl *b = v3_client(s, "bob", "setname");
	struct cl *c = v3_client(s, "carol", NULL);
	struct cl *ab[] = { a, NULL }, *abc[] = { a, b, NULL };

	join(a, "#c", NULL);
	join(b, "#c", ab);
	join(c, "#c", abc);
	cl_send(a, "SETNAME :Bruce Wayne <bruce@wayne.enterprises>");
	cl_expect(a,
	    "^:alice!~alice@127\\.0\\.0\\.1 SETNAME :Bruce Wayne "
	    "<bruce@wayne\\.enterprises>$",
	    T);
	cl_expect(b,
	    "^:alice!~alice@127\\.0\\.0\\.1 SETNAME :Bruce Wayne "
	    "<bruce@wayne\\.enterprises>$",
	    T);
	cl_sync(a);
	cl_expect_none(c, "SETNAME", T);
	cl_send(c, "WHOIS alice");
	cl_expect(c,
	    "^:irc\\.test 311 carol alice ~alice [^ ]+ \\* :Bruce "
	    "Wayne <bruce@wayne\\.enterprises>$",
	    T);
	/* carol (no cap) changes hers: silently for her, bob is told */
	cl_send(c, "SETNAME Carol2");
	cl_expect(b, "^:carol![^ ]+ SETNAME :?Carol2$", T);
	cl_expect_none(c, "SETNAME", T);
	cl_send(b, "WHOIS carol");
	cl_expect(b, "^:irc\\.test 311 bob carol ~carol [^ ]+ \\* :Carol2$", T);
}
END_TEST

/* setname "Errors": "FAIL SETNAME INVALID_REALNAME :..." for an invalid
 * (empty, too long) realname; the realname is unchanged.  FAIL goes to
 * clients with and without standard-replies. */
START_TEST(t_setname_invalid)
{
	static char longname[400];
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "setname standard-replies");
	struct cl *b = v3_client(s, "bob", NULL);

	memset(longname, 'n', 300);
	longname[300] = '\0';
	cl_send(a, "SETNAME :");
	cl_expect(a, "^:irc\\.test FAIL SETNAME INVALID_REALNAME :", T);
	cl_send(a, "SETNAME :%s", longname);
	cl_expect(a, "^:irc\\.test FAIL SETNAME INVALID_REALNAME :", T);
	cl_expect_none(a, " SETNAME :", T);
	cl_send(b, "SETNAME :");
	cl_expect(b, "^:irc\\.test FAIL SETNAME INVALID_REALNAME :", T);
	cl_send(b, "WHOIS alice");
	cl_expect(b, "^:irc\\.test 311 bob alice ~alice [^ ]+ \\* :Real alice$", T);
}
END_TEST

/* chghost: accepted; hosts never change, so CHGHOST is never sent. */
START_TEST(t_chghost)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", "chghost");
	struct cl *b = v3_client(s, "bob", NULL);
	struct cl *ab[] = { a, NULL };

	join(a, "#c", NULL);
	join(b, "#c", ab);
	cl_send(b, "NICK bobby");
	cl_send(b, "SETNAME :other");
	cl_send(b, "MODE bobby +i");
	cl_send(b, "PART #c");
	cl_expect(a, "^:bobby![^ ]+ PART #c", T);
	cl_expect_none(a, "CHGHOST", T);
	cl_expect_none(b, "CHGHOST", T);
}
END_TEST

/* bot-mode: ISUPPORT BOT=B; MODE +B; WHOIS 335; the B flag in WHO and
 * WHOX; the "bot" tag (no value) on the bot's messages to message-tags
 * clients only. */
START_TEST(t_bot_mode)
{
	struct srv *s = srv_start("");
	struct cl *bot = v3_client(s, "robo", NULL);
	struct cl *a = v3_client(s, "alice", "message-tags");
	struct cl *c = v3_client(s, "carol", NULL);
	struct cl *r[] = { bot, NULL }, *ra[] = { bot, a, NULL };
	const char *l;

	ck_assert(isupport(a, "BOT=B") == 1);
	cl_send(bot, "MODE robo +B");
	cl_expect(bot, "MODE robo :?\\+B$", T);
	join(bot, "#c", NULL);
	join(a, "#c", r);
	join(c, "#c", ra);

	cl_send(a, "WHOIS robo");
	cl_expect(a, "^(@[^ ]+ )?:irc\\.test 335 alice robo :", T);
	cl_expect(a, "^(@[^ ]+ )?:irc\\.test 318 alice robo ", T);
	cl_send(c, "WHO robo");
	cl_expect(c,
	    "^:irc\\.test 352 carol \\* ~robo [^ ]+ irc\\.test robo "
	    "H[^ ]*B[^ ]* :",
	    T);
	cl_send(c, "WHO #c %%nf");
	cl_expect(c, "^:irc\\.test 354 carol robo H[^ ]*B", T);

	cl_send(bot, "PRIVMSG #c :beep boop");
	l = cl_expect(a, TPFX("robo") "PRIVMSG #c :beep boop$", T);
	ck_assert_msg(tag_get(l, "bot", NULL, 0) == 0, "bot tag missing or with a value: %s", l);
	cl_expect(c, "^:robo![^ ]+ PRIVMSG #c :beep boop$", T);
	cl_send(bot, "NOTICE alice :n");
	l = cl_expect(a, TPFX("robo") "NOTICE alice :n$", T);
	ck_assert(tag_get(l, "bot", NULL, 0) == 0);
	cl_send(bot, "TAGMSG alice");
	l = cl_expect(a, TPFX("robo") "TAGMSG alice$", T);
	ck_assert(tag_get(l, "bot", NULL, 0) == 0);
	/* a human's messages carry no bot tag; 335 only for bots */
	cl_send(c, "PRIVMSG #c :human");
	l = cl_expect(a, TPFX("carol") "PRIVMSG #c :human$", T);
	ck_assert(tag_get(l, "bot", NULL, 0) == -1);
	cl_send(a, "WHOIS carol");
	cl_expect(a, " 318 alice carol ", T);
	cl_send(a, "WHOIS carol");
	cl_expect_none(a, " 335 ", T);
	/* -B */
	cl_send(bot, "MODE robo -B");
	cl_expect(bot, "MODE robo :?-B$", T);
	cl_send(bot, "PRIVMSG #c :human now");
	l = cl_expect(a, TPFX("robo") "PRIVMSG #c :human now$", T);
	ck_assert(tag_get(l, "bot", NULL, 0) == -1);
}
END_TEST

/* ========================================================= MONITOR */

/* monitor: + (730/731), online/offline notifications, nick changes, L
 * (732/733), S, - and C (no output). */
START_TEST(t_monitor)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", NULL);
	struct cl *x = v3_client(s, "bystander", NULL);
	struct cl *q;

	ck_assert(isupport(a, "MONITOR=100") == 1);
	cl_send(a, "MONITOR + bob,qux");
	cl_expect(a, "^:irc\\.test 730 (alice|\\*) :bob!~bob@127\\.0\\.0\\.1$", T);
	cl_expect(a, "^:irc\\.test 731 (alice|\\*) :qux$", T);
	q = v3_client(s, "qux", NULL);
	cl_expect(a, "^:irc\\.test 730 (alice|\\*) :qux(![^ ]+)?$", T);
	cl_send(q, "QUIT :bye");
	cl_expect(a, "^:irc\\.test 731 (alice|\\*) :qux$", T);
	/* nick changes (irctest testNickChange): a case change is silent,
	 * a real change is 731 with the current nick, then 730 */
	cl_send(b, "NICK BOB");
	cl_expect(b, "NICK :?BOB$", T);
	cl_expect_none(a, " 73[01] ", T);
	cl_send(b, "NICK robert");
	cl_expect(a, "^:irc\\.test 731 (alice|\\*) :BOB$", T);
	cl_send(b, "NICK bob");
	cl_expect(a, "^:irc\\.test 730 (alice|\\*) :bob(![^ ]+)?$", T);

	cl_send(a, "MONITOR L");
	cl_expect(a, "^:irc\\.test 732 alice :(bob,qux|qux,bob)$", T);
	cl_expect(a, "^:irc\\.test 733 alice :", T);
	cl_send(a, "MONITOR S");
	cl_expect(a, "^:irc\\.test 730 (alice|\\*) :bob![^ ]+$", T);
	cl_expect(a, "^:irc\\.test 731 (alice|\\*) :qux$", T);
	cl_send(a, "MONITOR - bob");
	cl_expect_none(a, ".", T);
	cl_send(a, "MONITOR L");
	cl_expect(a, "^:irc\\.test 732 alice :qux$", T);
	cl_expect(a, " 733 ", T);
	cl_send(a, "MONITOR C");
	cl_expect_none(a, ".", T);
	cl_send(a, "MONITOR L");
	cl_expect(a, "^:irc\\.test 733 alice :", T);
	cl_expect_none(a, " 732 ", T);
	/* after - and C nothing is reported */
	cl_send(b, "QUIT :gone");
	cl_expect_eof(b, T);
	cl_expect_none(a, " 73[01] ", T);
	/* a client that monitors nothing hears nothing */
	q = v3_client(s, "qux", NULL);
	cl_expect_none(x, " 73[01] ", T);
	/* masks are not nicks (monitor "MUST be a valid nick") */
	cl_send(a, "MONITOR + *!*@127.0.0.1");
	cl_sync(a);
	cl_send(q, "NICK qux2");
	cl_sync(q);
	cl_expect_none(a, " 730 ", T);
}
END_TEST

/* monitor: 734 ERR_MONLISTFULL "<limit> <targets> :Monitor list is full."
 * with the targets that could not be added, as the client sent them. */
START_TEST(t_monitor_full)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	char buf[400], rest[400];
	size_t o;
	int i, k;

	for (k = 0; k < 3; k++) {
		o = 0;
		for (i = k * 40 + 1; i <= k * 40 + 40; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%sn%03d", o ? "," : "", i);
		cl_send(a, "MONITOR + %s", buf);
	}
	o = 0;
	for (i = 101; i <= 120; i++)
		o += (size_t)snprintf(rest + o, sizeof(rest) - o, "%sn%03d", o ? "," : "", i);
	cl_expectf(a, "^:irc\\.test 734 alice 100 %s :Monitor list is full\\.$", rest);
	cl_send(a, "MONITOR L");
	cl_expect(a, " 733 ", T);
	cl_send(a, "MONITOR + n999");
	cl_expect(a, "^:irc\\.test 734 alice 100 n999 :", T);
}
END_TEST

/* extended-monitor: watchers with extended-monitor get AWAY (with
 * away-notify) and SETNAME (with setname) of monitored nicks; without
 * extended-monitor, or without the notification cap, nothing; a watcher
 * who also shares a channel gets one copy. */
START_TEST(t_extended_monitor)
{
	struct srv *s = srv_start("");
	struct cl *w1 = v3_client(s, "w1", "extended-monitor away-notify setname");
	struct cl *w2 = v3_client(s, "w2", "away-notify setname");
	struct cl *w3 = v3_client(s, "w3", "extended-monitor");
	struct cl *w4 = v3_client(s, "w4", "extended-monitor away-notify");
	struct cl *b = v3_client(s, "bob", NULL);
	struct cl *w[] = { w1, w2, w3, w4 };
	struct cl *bb[] = { b, NULL };
	int i;

	join(b, "#c", NULL);
	join(w4, "#c", bb);
	for (i = 0; i < 4; i++) {
		cl_send(w[i], "MONITOR + bob");
		cl_expect(w[i], " 730 [^ ]+ :bob", T);
	}
	cl_send(b, "AWAY :afk");
	cl_expect(w1, "^:bob!~bob@127\\.0\\.0\\.1 AWAY :afk$", T);
	cl_expect(w4, "^:bob!~bob@127\\.0\\.0\\.1 AWAY :afk$", T);
	cl_sync(b);
	cl_expect_none(w2, "AWAY", T);
	cl_expect_none(w3, "AWAY", T);
	ck_assert_msg(cl_count(w4, "AWAY") == 0, "a monitoring channel peer got AWAY twice");
	cl_send(b, "AWAY");
	cl_expect(w1, "^:bob!~bob@127\\.0\\.0\\.1 AWAY$", T);
	cl_send(b, "SETNAME :new name");
	cl_expect(w1, "^:bob!~bob@127\\.0\\.0\\.1 SETNAME :new name$", T);
	cl_sync(b);
	cl_expect_none(w2, "AWAY|SETNAME", T);
	cl_expect_none(w3, "AWAY|SETNAME", T);
	cl_expect_none(w4, "SETNAME", T);
}
END_TEST

/* ========================================================= UTF8ONLY */

/* utf8-only: ISUPPORT UTF8ONLY; a non-UTF-8 line gets
 * "FAIL <command> INVALID_UTF8 :..." and is not delivered; UTF-8 passes.
 * A server without utf8only relays bytes as they are. */
START_TEST(t_utf8only)
{
	static const char bad[] = "PRIVMSG bob :caf\xe9\r\n";
	static const char badreal[] = "USER x 0 * :r\xe9\x61l\r\n";
	struct srv *s = srv_start("[server]\nutf8only = yes\n");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", NULL);
	struct cl *n;

	ck_assert(isupport(a, "UTF8ONLY") == 1);
	cl_send_raw(a, bad, sizeof(bad) - 1);
	cl_expect(a, "^:irc\\.test FAIL PRIVMSG INVALID_UTF8 :", T);
	cl_sync(a);
	cl_expect_none(b, "PRIVMSG", T);
	cl_send(a, "PRIVMSG bob :caf\xc3\xa9");
	cl_expect(b, "^:alice![^ ]+ PRIVMSG bob :caf\xc3\xa9$", T);
	/* the realname of USER (utf8-only example) */
	n = cl_connect(s->port);
	cl_send(n, "NICK newbie");
	cl_send_raw(n, badreal, sizeof(badreal) - 1);
	cl_expect(n, "^:irc\\.test FAIL USER INVALID_UTF8 :", T);
	cl_send(n, "USER x 0 * :real");
	cl_expect(n, "^:irc\\.test 001 newbie ", T);
	srv_stop(s);

	s = srv_start("");
	a = v3_client(s, "alice", NULL);
	b = v3_client(s, "bob", NULL);
	ck_assert(isupport(a, "UTF8ONLY") == 0);
	cl_send_raw(a, bad, sizeof(bad) - 1);
	cl_expect(b, "^:alice![^ ]+ PRIVMSG bob :caf\xe9$", T);
}
END_TEST

/* utf8-only "The INVALID_UTF8 standard replies code": "If the server is
 * unable to parse the sent command then it MAY send a FAIL command with no
 * command name (i.e. *)"; and servers publishing UTF8ONLY "MUST NOT relay
 * content ... containing non-UTF-8 data to clients": the FAIL itself must
 * be valid UTF-8. */
START_TEST(t_utf8only_bad_verb)
{
	static const char bad[] = "PRIV\xffMSG bob :x\r\n";
	struct srv *s = srv_start("[server]\nutf8only = yes\n");
	struct cl *a = v3_client(s, "alice", NULL);
	const char *l;

	cl_send_raw(a, bad, sizeof(bad) - 1);
	l = cl_expect(a, "^:irc\\.test FAIL [^ ]+ INVALID_UTF8 :", T);
	ck_assert_msg(utf8_ok(l),
	    "utf-8-only: the FAIL reply to a command that is not UTF-8 "
	    "repeats the invalid bytes; expected \"FAIL * INVALID_UTF8 :...\", "
	    "got: %s",
	    l);
}
END_TEST

/* labeled-response "Tags" (MUST, "in the absence of exceptional
 * conditions") and standard-replies ("SHOULD also be given a label"): the
 * INVALID_UTF8 FAIL answering a labeled line carries the label. */
START_TEST(t_utf8only_labeled)
{
	static const char bad[] = "@label=u8 PRIVMSG bob :caf\xe9\r\n";
	struct srv *s = srv_start("[server]\nutf8only = yes\n");
	struct cl *a = v3_client(s, "alice", "batch labeled-response");
	const char *l;

	cl_send_raw(a, bad, sizeof(bad) - 1);
	l = cl_expect(a, TSRV "FAIL PRIVMSG INVALID_UTF8 :", T);
	ck_assert_msg(tag_get(l, "label", NULL, 0) == 1,
	    "labeled-response/standard-replies: the FAIL for a labeled "
	    "non-UTF-8 line should carry label=u8; got: %s",
	    l);
}
END_TEST

/* =========================================================== KNOCK */

/* KNOCK: 710 to the channel operators, 711 to the knocker, 712 when
 * knocking again too soon, 713 on an open channel, 714 when already on
 * it, 403 for no such channel. */
START_TEST(t_knock)
{
	struct srv *s = srv_start("");
	struct cl *a = v3_client(s, "alice", NULL);
	struct cl *b = v3_client(s, "bob", NULL);
	struct cl *c = v3_client(s, "carol", NULL);
	struct cl *d = v3_client(s, "dave", NULL);
	struct cl *ab[] = { a, NULL };

	join(a, "#k", NULL);
	join(b, "#k", ab);
	cl_send(a, "MODE #k +i");
	cl_expect(b, "MODE #k \\+i$", T);
	join(d, "#open", NULL);

	cl_send(c, "KNOCK #k :let me in");
	cl_expect(c, "^:irc\\.test 711 carol #k :", T);
	cl_expect(a,
	    "^:irc\\.test 710 alice #k carol!~carol@127\\.0\\.0\\.1 "
	    ":let me in$",
	    T);
	cl_sync(c);
	cl_expect_none(b, " 710 ", T); /* not an operator */
	cl_send(c, "KNOCK #k");
	cl_expect(c, "^:irc\\.test 712 carol #k :", T);
	cl_sync(c);
	cl_expect_none(a, " 710 ", T);
	cl_send(d, "KNOCK #k");
	cl_expect(d, "^:irc\\.test 711 dave #k :", T);
	cl_expect(a, "^:irc\\.test 710 alice #k dave![^ ]+ :", T);
	cl_send(a, "KNOCK #open");
	cl_expect(a, "^:irc\\.test 713 alice #open :", T);
	cl_send(b, "KNOCK #k");
	cl_expect(b, "^:irc\\.test 714 bob #k :", T);
	cl_send(b, "KNOCK #nowhere");
	cl_expect(b, "^:irc\\.test 403 bob #nowhere :", T);
}
END_TEST

/* ============================================================ main */

int
main(void)
{
	Suite *s = suite_create("ircv3");
	TCase *tc;

	tc = live_tcase("cap", 60);
	tcase_add_test(tc, t_cap_ls_302);
	tcase_add_test(tc, t_cap_ls_301);
	tcase_add_test(tc, t_cap_list_empty);
	tcase_add_test(tc, t_cap_notify);
	tcase_add_test(tc, t_cap_notify_302_sticky);
	tcase_add_test(tc, t_cap_req_atomic);
	tcase_add_test(tc, t_cap_req_remove);
	tcase_add_test(tc, t_cap_holds_registration);
	tcase_add_test(tc, t_cap_after_registration);
	tcase_add_test(tc, t_cap_invalid_subcommand);
	suite_add_tcase(s, tc);

	tc = live_tcase("sts", 60);
	tcase_add_test(tc, t_sts);
	tcase_add_test(tc, t_sts_config);
	tcase_add_test(tc, t_cap_ls_downgrade);
	suite_add_tcase(s, tc);

	tc = live_tcase("tags", 60);
	tcase_add_test(tc, t_message_tags);
	tcase_add_test(tc, t_client_tag_deny);
	tcase_add_test(tc, t_tag_size_limit);
	tcase_add_test(tc, t_tag_size_single_max);
	tcase_add_test(tc, t_server_time);
	tcase_add_test(tc, t_msgid);
	tcase_add_test(tc, t_echo_message);
	suite_add_tcase(s, tc);

	tc = live_tcase("labeled", 60);
	tcase_add_test(tc, t_labeled_ack);
	tcase_add_test(tc, t_labeled_single);
	tcase_add_test(tc, t_labeled_batch);
	tcase_add_test(tc, t_labeled_self_message);
	tcase_add_test(tc, t_labeled_escaped);
	tcase_add_test(tc, t_tag_bare_cr);
	suite_add_tcase(s, tc);

	tc = live_tcase("channel", 60);
	tcase_add_test(tc, t_multi_prefix);
	tcase_add_test(tc, t_userhost_in_names);
	tcase_add_test(tc, t_extended_join);
	tcase_add_test(tc, t_no_implicit_names);
	tcase_add_test(tc, t_whox);
	suite_add_tcase(s, tc);

	tc = live_tcase("notify", 60);
	tcase_add_test(tc, t_away_notify);
	tcase_add_test(tc, t_account_caps);
	tcase_add_test(tc, t_invite_notify);
	tcase_add_test(tc, t_setname);
	tcase_add_test(tc, t_setname_invalid);
	tcase_add_test(tc, t_chghost);
	tcase_add_test(tc, t_bot_mode);
	suite_add_tcase(s, tc);

	tc = live_tcase("monitor", 60);
	tcase_add_test(tc, t_monitor);
	tcase_add_test(tc, t_monitor_full);
	tcase_add_test(tc, t_extended_monitor);
	suite_add_tcase(s, tc);

	tc = live_tcase("utf8_knock", 60);
	tcase_add_test(tc, t_utf8only);
	tcase_add_test(tc, t_utf8only_bad_verb);
	tcase_add_test(tc, t_utf8only_labeled);
	tcase_add_test(tc, t_knock);
	suite_add_tcase(s, tc);

	return live_run(s);
}
