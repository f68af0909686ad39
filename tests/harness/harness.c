/* harness.c - in-process fake clients over bufferevent pairs or socketpairs
 * (harness.h). */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "core/client.h"
#include "core/config.h"
#include "net/conn.h"
#include "proto/message.h"
#include "core/server.h"
#include "daemon.h"

#include "harness.h"

bool
h_regex_match(const char *re, const char *s)
{
	regex_t rx;
	int r;

	r = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);
	ck_assert_msg(r == 0, "bad regex /%s/", re);
	r = regexec(&rx, s, 0, NULL, 0);
	regfree(&rx);
	return r == 0;
}

struct config *
h_config(void)
{
	struct config *cfg = config_default();
	char err[256];

	free(cfg->name);
	cfg->name = strdup(H_SERVER);
	ck_assert_ptr_nonnull(cfg->name);
	cfg->flood_enabled = false;
	ck_assert_int_eq(config_load_motd(cfg, err, sizeof(err)), 0);
	return cfg;
}

struct harness *
h_new_cfg(struct config *cfg)
{
	struct harness *h = calloc(1, sizeof(*h));

	ck_assert_ptr_nonnull(h);
	h->srv = server_new(cfg, NULL);
	ck_assert_ptr_nonnull(h->srv);
	h->srv->clock_fixed = true; /* only h_advance and h_wait_real move it */
	h->max_turns = 100000;
	return h;
}

struct harness *
h_new(void)
{
	return h_new_cfg(h_config());
}

struct harness *
h_new_sock(void)
{
	struct harness *h = h_new();

	h->sockets = true;
	return h;
}

void
h_config_add_oper(struct config *cfg, const char *name, const char *pass, const char *host)
{
	cfg->opers = realloc(cfg->opers, (cfg->nopers + 1) * sizeof(*cfg->opers));
	ck_assert_ptr_nonnull(cfg->opers);
	memset(&cfg->opers[cfg->nopers], 0, sizeof(cfg->opers[cfg->nopers]));
	cfg->opers[cfg->nopers].name = strdup(name);
	cfg->opers[cfg->nopers].password = strdup(pass);
	cfg->opers[cfg->nopers].host = strdup(host);
	ck_assert(cfg->opers[cfg->nopers].name != NULL &&
	    cfg->opers[cfg->nopers].password != NULL && cfg->opers[cfg->nopers].host != NULL);
	cfg->nopers++;
}

static void
fc_free(struct fc *fc)
{
	size_t i;

	for (i = 0; i < fc->nlines; i++)
		free(fc->lines[i]);
	free(fc->lines);
	free(fc->last);
	bufferevent_free(fc->bev);
	free(fc);
}

void
h_free(struct harness *h)
{
	int i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nfc; i++)
		fc_free(h->fcs[i]);
	server_free(h->srv);
	free(h);
}

/* collect: split what arrived into lines. Every line the server sends must
 * end with CRLF, be at most 512 bytes with it and contain no NUL
 * (RFC 1459 §2.3): checked here for every test. */
static void
collect(struct fc *fc)
{
	struct evbuffer *in = bufferevent_get_input(fc->bev);
	char *line;
	size_t n;

	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF_STRICT)) != NULL) {
		ck_assert_msg(n + 2 <= IRC_LINE_MAX,
		    "%s: line of %zu bytes (> 512 with CRLF): %.80s...", fc->name, n + 2, line);
		ck_assert_msg(memchr(line, '\0', n) == NULL, "%s: NUL in line '%s'", fc->name,
		    line);
		ck_assert_msg(memchr(line, '\n', n) == NULL && memchr(line, '\r', n) == NULL,
		    "%s: bare CR or LF inside line '%s'", fc->name, line);
		fc->received += n + 2;
		if (fc->nlines == fc->cap) {
			fc->cap = fc->cap ? fc->cap * 2 : 64;
			fc->lines = realloc(fc->lines, fc->cap * sizeof(*fc->lines));
			ck_assert_ptr_nonnull(fc->lines);
		}
		fc->lines[fc->nlines++] = line;
	}
}

/* signature: everything that can move between two loop turns. */
static size_t
signature(struct harness *h)
{
	struct server *srv = h->srv;
	struct client *c;
	size_t sig = 0;
	int i;

	for (i = 0; i < h->nfc; i++) {
		sig += h->fcs[i]->received * 3;
		sig += evbuffer_get_length(bufferevent_get_output(h->fcs[i]->bev)) * 5;
		sig += evbuffer_get_length(bufferevent_get_input(h->fcs[i]->bev)) * 7;
	}
	TAILQ_FOREACH(c, &srv->clients, link) {
		sig += 11 + evbuffer_get_length(bufferevent_get_input(c->bev)) * 13;
		sig += evbuffer_get_length(bufferevent_get_output(c->bev)) * 17;
	}
	TAILQ_FOREACH(c, &srv->dead, link)
		sig += 19;
	return sig;
}

/* pickup: the "network" takes what the server queued for fc. The test end
 * of a pair is kept read-disabled and enabled only here, once per loop
 * turn: a pair would otherwise move every byte synchronously inside
 * evbuffer_add(), so the server's output buffer would never hold data
 * and its write callbacks (close-after-flush) would see a different world
 * than with a socket, where bytes leave on a later loop turn. */
static void
pickup(struct fc *fc)
{
	if (fc->paused || fc->h->sockets)
		return; /* a socket end reads whenever data is there */
	bufferevent_enable(fc->bev, EV_READ);
	bufferevent_disable(fc->bev, EV_READ);
}

void
h_run(struct harness *h)
{
	unsigned turn, idle = 0;
	size_t before, after;
	int i;

	for (turn = 0; turn < h->max_turns; turn++) {
		before = signature(h);
		for (i = 0; i < h->nfc; i++)
			pickup(h->fcs[i]);
		event_base_loop(h->srv->base, EVLOOP_NONBLOCK);
		for (i = 0; i < h->nfc; i++)
			collect(h->fcs[i]);
		after = signature(h);
		if (after == before &&
		    event_base_get_num_events(h->srv->base, EVENT_BASE_COUNT_ACTIVE) == 0) {
			if (++idle >= 3)
				return;
		} else
			idle = 0;
	}
	ck_abort_msg("harness: the event loop did not settle in %u turns", h->max_turns);
}

void
h_advance(struct harness *h, long secs)
{
	h->srv->now += secs;
}

/* clock_follow_wall: let the server clock run with the wall clock from
 * where it stands (on) or stop it where it is (off), for h_wait_real. */
static void
clock_follow_wall(struct server *srv, bool on)
{
	struct timeval tv;

	if (on) {
		gettimeofday(&tv, NULL);
		srv->now_offset = srv->now - tv.tv_sec;
		srv->clock_fixed = false;
		server_clock(srv);
	} else {
		server_clock(srv);
		srv->clock_fixed = true;
	}
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	*(bool *)arg = true;
}

bool
h_wait_real(struct harness *h, struct fc *fc, bool (*cond)(struct fc *), int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	bool expired = false, ok;
	struct event *ev;

	ev = evtimer_new(h->srv->base, deadline_cb, &expired);
	ck_assert_ptr_nonnull(ev);
	evtimer_add(ev, &tv);
	clock_follow_wall(h->srv, true); /* real timers see real seconds */
	h_run(h);
	while (!(ok = cond(fc)) && !expired) {
		event_base_loop(h->srv->base, EVLOOP_ONCE);
		h_run(h);
	}
	clock_follow_wall(h->srv, false);
	event_free(ev);
	return ok;
}

/* h_wait_count's condition (h_wait_real passes the fc only). */
static const char *wait_re;
static unsigned wait_n;

static bool
wait_count_cond(struct fc *fc)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < fc->nlines; i++)
		if (h_regex_match(wait_re, fc->lines[i]))
			n++;
	return n >= wait_n;
}

bool
h_wait_count(struct harness *h, struct fc *fc, const char *re, unsigned n, int timeout_ms)
{
	wait_re = re;
	wait_n = n;
	return h_wait_real(h, fc, wait_count_cond, timeout_ms);
}

/* sock_event_cb: the test end of a socket saw EOF or an error: the server
 * closed; close our side too, as a client does (the server drains input
 * after its ERROR line until the peer's EOF). */
static void
sock_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct fc *fc = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		fc->eof = true;
		shutdown(bufferevent_getfd(bev), SHUT_WR);
	}
}

/* sock_connect: the server accepts one end of a socketpair as a listener
 * would (conn_accept); the test keeps the other. */
static void
sock_connect(struct harness *h, struct fc *fc, struct sockaddr_in *sin)
{
	uint64_t before = h->srv->stats.connections;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	conn_accept(h->srv, sv[0], (struct sockaddr *)sin, sizeof(*sin));
	ck_assert_msg(h->srv->stats.connections == before + 1,
	    "harness: conn_accept made no client");
	fc->bev = bufferevent_socket_new(h->srv->base, sv[1], BEV_OPT_CLOSE_ON_FREE);
	ck_assert_ptr_nonnull(fc->bev);
	bufferevent_setcb(fc->bev, NULL, NULL, sock_event_cb, fc);
	bufferevent_enable(fc->bev, EV_READ | EV_WRITE);
}

struct fc *
fc_connect(struct harness *h, const char *label)
{
	struct bufferevent *pair[2];
	struct sockaddr_in sin;
	struct client *c;
	struct fc *fc;

	ck_assert_msg(h->nfc < H_MAX_FC, "harness: too many clients");
	fc = calloc(1, sizeof(*fc));
	ck_assert_ptr_nonnull(fc);
	fc->h = h;
	snprintf(fc->name, sizeof(fc->name), "%s", label);
	fc->port = (unsigned short)(40000 + h->nfc);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(fc->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (h->sockets) {
		sock_connect(h, fc, &sin);
	} else {
		ck_assert_int_eq(bufferevent_pair_new(h->srv->base, BEV_OPT_DEFER_CALLBACKS, pair),
		    0);
		c = conn_adopt(h->srv, pair[0], (struct sockaddr *)&sin, sizeof(sin));
		ck_assert_ptr_nonnull(c);
		fc->bev = pair[1];
		bufferevent_enable(fc->bev, EV_WRITE); /* EV_READ only in pickup() */
	}
	h->fcs[h->nfc++] = fc;
	return fc;
}

/* re_escape: a nick as a regex literal. */
static void
re_escape(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s != '\0' && n + 3 < size; s++) {
		if (strchr("\\^$.|?*+()[]{}", *s) != NULL)
			out[n++] = '\\';
		out[n++] = *s;
	}
	out[n] = '\0';
}

struct fc *
fc_new_at(const char *file, int line, struct harness *h, const char *nick)
{
	struct fc *fc = fc_connect(h, nick);
	char re[256], esc[128];

	fc_send(fc, "NICK %s", nick);
	fc_send(fc, "USER %s 0 * :Real %s", nick, nick);
	re_escape(nick, esc, sizeof(esc));
	snprintf(re, sizeof(re), SRV "001 %s ", esc);
	fc_expect_at(file, line, fc, re, false);
	fc_expect_at(file, line, fc, SRV "(376|422) ", false);
	return fc;
}

void
fc_send_raw(struct fc *fc, const void *buf, size_t len)
{
	ck_assert_int_eq(bufferevent_write(fc->bev, buf, len), 0);
	h_run(fc->h);
}

void
fc_send(struct fc *fc, const char *fmt, ...)
{
	char buf[IRC_INPUT_MAX * 2 + 8];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < sizeof(buf) - 2);
	buf[n++] = '\r';
	buf[n++] = '\n';
	fc_send_raw(fc, buf, (size_t)n);
}

void
h_two_in_channel(struct harness *h, struct fc **a, struct fc **b, const char *chan)
{
	*a = fc_new(h, "alice");
	*b = fc_new(h, "bob");
	fc_send(*a, "JOIN %s", chan);
	fc_expect(*a, NUM("366", "alice"));
	fc_send(*b, "JOIN %s", chan);
	fc_expect(*b, NUM("366", "bob"));
	fc_clear(*a);
	fc_clear(*b);
}

/* dump: the pending lines, for failure messages. */
static void
dump(struct fc *fc, char *out, size_t size)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < fc->nlines && i < 40 && len + 2 < size; i++)
		len += (size_t)snprintf(out + len, size - len, "  [%zu] %s\n", i, fc->lines[i]);
	if (fc->nlines == 0)
		snprintf(out, size, "  (nothing pending)%s\n",
		    fc_gone(fc) ? " (connection gone)" : "");
	if (len >= size)
		out[size - 1] = '\0';
}

const char *
fc_expect_at(const char *file, int line, struct fc *fc, const char *re, bool next)
{
	char pending[6000];
	size_t i, j;

	h_run(fc->h);
	for (i = 0; i < fc->nlines; i++) {
		if (h_regex_match(re, fc->lines[i])) {
			free(fc->last);
			fc->last = fc->lines[i];
			for (j = 0; j < i; j++)
				free(fc->lines[j]);
			memmove(fc->lines, fc->lines + i + 1,
			    (fc->nlines - i - 1) * sizeof(*fc->lines));
			fc->nlines -= i + 1;
			return fc->last;
		}
		if (next)
			break;
	}
	dump(fc, pending, sizeof(pending));
	ck_abort_msg("%s:%d: %s: expected %sline matching /%s/; pending:\n%s", file, line, fc->name,
	    next ? "next " : "a ", re, pending);
	return NULL;
}

void
fc_expect_none_at(const char *file, int line, struct fc *fc, const char *re)
{
	char pending[6000];
	size_t i;

	h_run(fc->h);
	for (i = 0; i < fc->nlines; i++) {
		if (h_regex_match(re, fc->lines[i])) {
			dump(fc, pending, sizeof(pending));
			ck_abort_msg("%s:%d: %s: unexpected line [%zu] matching /%s/; pending:\n%s",
			    file, line, fc->name, i, re, pending);
		}
	}
}

unsigned
fc_count(struct fc *fc, const char *re)
{
	unsigned n = 0;
	size_t i;

	h_run(fc->h);
	for (i = 0; i < fc->nlines; i++)
		if (h_regex_match(re, fc->lines[i]))
			n++;
	return n;
}

void
fc_clear(struct fc *fc)
{
	size_t i;

	h_run(fc->h);
	for (i = 0; i < fc->nlines; i++)
		free(fc->lines[i]);
	fc->nlines = 0;
}

size_t
fc_pending(struct fc *fc)
{
	h_run(fc->h);
	return fc->nlines;
}

void
fc_pause(struct fc *fc)
{
	fc->paused = true;
	if (fc->h->sockets)
		bufferevent_disable(fc->bev, EV_READ);
}

void
fc_resume(struct fc *fc)
{
	fc->paused = false;
	if (fc->h->sockets)
		bufferevent_enable(fc->bev, EV_READ);
}

void
fc_hangup(struct fc *fc)
{
	if (fc->h->sockets) {
		h_run(fc->h); /* what was sent leaves first */
		shutdown(bufferevent_getfd(fc->bev), SHUT_WR);
		return;
	}
	if (bufferevent_pair_get_partner(fc->bev) != NULL)
		bufferevent_flush(fc->bev, EV_WRITE, BEV_FINISHED);
}

/* sock_client: the server-side client of a socket-mode fc, found by its
 * fake peer port (unique in the harness), or NULL once freed. */
static struct client *
sock_client(struct fc *fc)
{
	struct client *c;

	TAILQ_FOREACH(c, &fc->h->srv->clients, link)
		if (c->addr.sin.sin_port == htons(fc->port))
			return c;
	TAILQ_FOREACH(c, &fc->h->srv->dead, link)
		if (c->addr.sin.sin_port == htons(fc->port))
			return c;
	return NULL;
}

bool
fc_gone(struct fc *fc)
{
	if (fc->h->sockets)
		return sock_client(fc) == NULL;
	return bufferevent_pair_get_partner(fc->bev) == NULL;
}

struct client *
fc_client(struct fc *fc)
{
	struct bufferevent *partner;
	struct client *c;

	if (fc->h->sockets)
		return sock_client(fc);
	partner = bufferevent_pair_get_partner(fc->bev);
	if (partner == NULL)
		return NULL;
	TAILQ_FOREACH(c, &fc->h->srv->clients, link)
		if (c->bev == partner)
			return c;
	TAILQ_FOREACH(c, &fc->h->srv->dead, link)
		if (c->bev == partner)
			return c;
	return NULL;
}

void
fc_fire_timer(struct fc *fc)
{
	struct client *c = fc_client(fc);

	ck_assert_msg(c != NULL, "%s: no server-side client to fire the timer of", fc->name);
	conn_timer_cb(-1, EV_TIMEOUT, c);
}

int
h_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

TCase *
h_tcase(Suite *s, const char *name, double secs)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, secs);
	suite_add_tcase(s, tc);
	return tc;
}
