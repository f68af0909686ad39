/* output.c - the one output path: queueing (into the labeled-response
 * capture, net/capture.c, while one is open), sendq accounting and close, the server-time tag cache, the
 * broadcast loops, and the end-of-turn flusher. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "proto/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/netserver.h"
#include "core/server.h"
#include "proto/message.h"
#include "net/capture.h"
#include "net/output.h"
#include "net/turnbuf.h"

static void send_prefixed(struct client *c, const char *head, size_t hlen, const char *fmt,
    va_list ap) __attribute__((format(printf, 4, 0)));
static void send_prefixed_text(struct client *c, const char *head, size_t hlen, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* queue_shared: c (turnbuf_usable) gets len bytes at p in the turn
 * buffer, then the sendq check. */
static void
queue_shared(struct client *c, const char *p, size_t len)
{
	if (!turnbuf_ref(c, p, len) || c->tb_len > c->sendq)
		output_sendq_exceeded(c);
}

/* queue: the lowest level. Output of a labeled command goes to the capture
 * buffer; a plain socket with nothing waiting in its bufferevent gets the
 * bytes through the turn buffer (net/turnbuf.h); everything else goes to
 * the bufferevent. Then the sendq check. */
static void
queue(struct client *c, const void *buf, size_t len)
{
	struct evbuffer *out;
	char *p;

	if (c->flags & CF_REMOTE) {
		/* A user behind a link: what is sent to it alone (a private
		 * message, a numeric) goes down its link, where its server
		 * delivers it (RFC 2813 §3.3: the prefix names the origin).
		 * Broadcasts skip remote members: the link subscribers
		 * (link/) relay state changes once per link instead. */
		c = client_link(c);
		if (c == NULL || c->state != CLIENT_OPEN)
			return;
	}
	if ((c->flags & CF_SERVER) && c->srv->link_out != NULL)
		c->srv->link_out(c, buf, len); /* STATS l counts a link's output */
	c->srv->stats.bytes_out += len;
	if (capture_is_open(c)) {
		capture_add(c, buf, len);
		return;
	}
	if (turnbuf_usable(c)) {
		p = turnbuf_reserve(c->srv, len);
		if (p == NULL) {
			output_sendq_exceeded(c);
			return;
		}
		memcpy(p, buf, len);
		queue_shared(c, p, len);
		return;
	}
	out = bufferevent_get_output(c->bev);
	if (evbuffer_add(out, buf, len) != 0 || evbuffer_get_length(out) > c->sendq)
		output_sendq_exceeded(c);
	else if (!(c->flags & CF_FLUSHQ))
		output_mark_dirty(c);
}

static void
queue_time(struct client *c, bool at)
{
	size_t len;
	const char *tag = output_time_tag(c->srv, &len);

	if (at)
		queue(c, "@", 1);
	queue(c, tag, len);
	queue(c, at ? " " : ";", 1);
}

/* queue_line: the line itself (after any tags). For a remote user it goes
 * down a link, where the prefix of a user is its nick alone (RFC 2813
 * §3.3: "the prefix ... is the nickname"): ngIRCd cuts at '!' itself,
 * Atheme and Anope look the whole prefix up and drop the line
 * ("nonexistent user") otherwise. */
static void
queue_line(struct client *c, const char *buf, size_t len)
{
	if ((c->flags & CF_REMOTE) && len > 1 && buf[0] == ':') {
		const char *sp = memchr(buf, ' ', len);
		const char *bang = sp != NULL ? memchr(buf, '!', (size_t)(sp - buf)) : NULL;
		if (bang != NULL) {
			queue(c, buf, (size_t)(bang - buf));
			queue(c, sp, len - (size_t)(sp - buf));
			return;
		}
	}
	queue(c, buf, len);
}

void
send_bytes(struct client *c, const char *buf, size_t len)
{
	if (c->state != CLIENT_OPEN)
		return;
	if ((c->caps & CAP_SERVER_TIME) && len > 0 && buf[0] != '@')
		queue_time(c, true);
	c->srv->stats.lines_out++;
	queue_line(c, buf, len);
}

/* Wire-form index of an outline for a client: bit 0 = its tags
 * (message-tags), bit 1 = the time tag (server-time), bit 2 = its account
 * tag (account-tag). At most 8 forms per broadcast. */
#define FORMS 8

static unsigned
form_index(uint32_t caps, const struct outline *ol)
{
	return (ol->tags != NULL && (caps & CAP_MESSAGE_TAGS) ? 1u : 0u) |
	    (caps & CAP_SERVER_TIME ? 2u : 0u) |
	    (ol->account != NULL && (caps & CAP_ACCOUNT_TAG) ? 4u : 0u);
}

/* tag_pieces: the tag pieces of form k of ol in wire order (time,
 * account, the message's tags); their count. A line that already starts
 * with tags ('@', a relayed raw line) gets no time tag of its own. */
static unsigned
tag_pieces(struct server *srv, const struct outline *ol, unsigned k, const char *p[3], size_t n[3])
{
	unsigned i = 0;

	if (k == 2 && ol->len > 0 && ol->buf[0] == '@')
		return 0;
	if (k & 2) {
		if (ol->time != NULL) {
			p[i] = ol->time;
			n[i] = ol->time_len;
		} else
			p[i] = output_time_tag(srv, &n[i]);
		i++;
	}
	if (k & 4) {
		p[i] = ol->account;
		n[i++] = ol->account_len;
	}
	if (k & 1) {
		p[i] = ol->tags;
		n[i++] = ol->tags_len;
	}
	return i;
}

void
send_line(struct client *c, const struct outline *ol)
{
	const char *p[3];
	size_t n[3];
	unsigned i, np;

	if (c->state != CLIENT_OPEN)
		return;
	if ((c->caps & ol->need_cap) != ol->need_cap)
		return;
	np = tag_pieces(c->srv, ol, form_index(c->caps, ol), p, n);
	c->srv->stats.lines_out++;
	for (i = 0; i < np; i++) {
		queue(c, i == 0 ? "@" : ";", 1);
		queue(c, p[i], n[i]);
	}
	if (np > 0)
		queue(c, " ", 1);
	queue_line(c, ol->buf, ol->len);
}

void
reply_fail(struct client *c, const char *command, const char *code, const char *fmt, ...)
{
	char head[160];
	size_t hlen;
	va_list ap;

	/* the command echoes client input: only [A-Z0-9] survives, else "*" */
	if (command[0] == '\0' || strlen(command) > 32 ||
	    strspn(command, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(command))
		command = "*";
	hlen = reply_head(head, sizeof(head), c->srv->cfg->name, "FAIL", command, code, true);
	if (hlen == 0)
		return;
	va_start(ap, fmt);
	send_prefixed(c, head, hlen, fmt, ap);
	va_end(ap);
}

/* send_prefixed: "<head><formatted>" cleaned and cut as one line. */
static void
send_prefixed(struct client *c, const char *head, size_t hlen, const char *fmt, va_list ap)
{
	struct outline ol;

	if (hlen > IRC_LINE_MAX - 3)
		hlen = IRC_LINE_MAX - 3;
	outline_clear_tags(&ol);
	memcpy(ol.buf, head, hlen);
	ol.len = hlen + format_clean(ol.buf + hlen, IRC_LINE_MAX - 2 - hlen, fmt, ap);
	ol.buf[ol.len++] = '\r';
	ol.buf[ol.len++] = '\n';
	send_line(c, &ol);
}

static void
send_prefixed_text(struct client *c, const char *head, size_t hlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_prefixed(c, head, hlen, fmt, ap);
	va_end(ap);
}

/* send_head: "<head><text>" where text is already clean (reply_numeric). */
static void
send_head(struct client *c, const char *head, size_t hlen, const char *text)
{
	send_prefixed_text(c, head, hlen, "%s", text);
}

/* reply_numeric: the parameters go through reply_fix_params (an empty
 * middle parameter becomes "*"). */
void
reply_numeric(struct client *c, int num, const char *fmt, ...)
{
	char body[IRC_LINE_MAX], fixed[IRC_LINE_MAX + 64], head[160], nnn[8];
	size_t hlen;
	va_list ap;

	va_start(ap, fmt);
	format_clean(body, sizeof(body) - 1, fmt, ap);
	va_end(ap);
	reply_fix_params(fixed, sizeof(fixed), body);
	snprintf(nnn, sizeof(nnn), "%03d", num);
	hlen = reply_head(head, sizeof(head), c->srv->cfg->name, nnn, c->nick[0] ? c->nick : "*",
	    NULL, false);
	if (hlen == 0)
		return;
	if (num >= 0 && num < 1000)
		c->srv->stats.numerics[num / 100]++;
	send_head(c, head, hlen, fixed);
}

void
reply_server(struct client *c, const char *fmt, ...)
{
	char head[80];
	size_t hlen;
	va_list ap;

	hlen = reply_head(head, sizeof(head), c->srv->cfg->name, NULL, NULL, NULL, false);
	if (hlen == 0)
		return;
	va_start(ap, fmt);
	send_prefixed(c, head, hlen, fmt, ap);
	va_end(ap);
}

/* reply_batch_open: "BATCH +id type [param]" when c has batch; bid gets
 * the id, idc and a server-wide counter ("" without batch). */
void
reply_batch_open(struct client *c, char *bid, size_t size, char idc, const char *type,
    const char *param)
{
	bid[0] = '\0';
	if (!(c->caps & CAP_BATCH))
		return;
	snprintf(bid, size, "%c%x", idc, ++c->srv->batch_next);
	if (param != NULL)
		reply_server(c, "BATCH +%s %s %s", bid, type, param);
	else
		reply_server(c, "BATCH +%s %s", bid, type);
}

/* reply_batch_close: "BATCH -bid" when bid is not "". */
void
reply_batch_close(struct client *c, const char *bid)
{
	if (bid[0] != '\0')
		reply_server(c, "BATCH -%s", bid);
}

void
reply_raw(struct client *c, const char *fmt, ...)
{
	struct outline ol;
	va_list ap;

	va_start(ap, fmt);
	outline_vformat(&ol, fmt, ap);
	va_end(ap);
	send_line(c, &ol);
}

void
reply_notice(struct client *c, const char *fmt, ...)
{
	char head[128];
	size_t hlen;
	va_list ap;

	hlen = reply_head(head, sizeof(head), c->srv->cfg->name, "NOTICE",
	    c->nick[0] ? c->nick : "*", NULL, true);
	if (hlen == 0)
		return;
	va_start(ap, fmt);
	send_prefixed(c, head, hlen, fmt, ap);
	va_end(ap);
}

/* One broadcast: the outline and its wire forms, each stored in the turn
 * buffer the first time a recipient needs it (form_index). */
struct bcast {
	const struct outline *ol;
	const char *form[FORMS];
	size_t flen[FORMS];
	struct server *srv; /* set with the first form */
	uint64_t lines, bytes; /* queued through the forms: added to
					 * srv->stats once, by bcast_done */
};

static void
bcast_init(struct bcast *b, const struct outline *ol)
{
	memset(b, 0, sizeof(*b));
	b->ol = ol;
}

/* bcast_form: build wire form k of b in the turn buffer: the bytes
 * send_line would queue for a client with those capabilities. */
static bool
bcast_form(struct bcast *b, struct server *srv, unsigned k)
{
	const struct outline *ol = b->ol;
	const char *p[3];
	size_t n[3], len = ol->len;
	unsigned i, np = tag_pieces(srv, ol, k, p, n);
	char *w, *start;

	for (i = 0; i < np; i++)
		len += 1 + n[i]; /* "@" or ";", then the piece */
	if (np > 0)
		len++; /* " " */
	start = w = turnbuf_reserve(srv, len);
	if (w == NULL)
		return false;
	for (i = 0; i < np; i++) {
		*w++ = i == 0 ? '@' : ';';
		memcpy(w, p[i], n[i]);
		w += n[i];
	}
	if (np > 0)
		*w++ = ' ';
	memcpy(w, ol->buf, ol->len);
	b->srv = srv;
	b->form[k] = start;
	b->flen[k] = len;
	return true;
}

/* bcast_send: send_line(c, b->ol), sharing the bytes when c can take them
 * from the turn buffer: per recipient a capability test and a segment
 * append (usually extending its last segment), no copy. */
static void
bcast_send(struct bcast *b, struct client *c)
{
	const struct outline *ol = b->ol;
	unsigned k;

	if (c->state != CLIENT_OPEN)
		return;
	if ((c->caps & ol->need_cap) != ol->need_cap)
		return;
	if (capture_is_open(c) || !turnbuf_usable(c)) {
		send_line(c, ol);
		return;
	}
	k = form_index(c->caps, ol);
	if (b->form[k] == NULL && !bcast_form(b, c->srv, k)) {
		output_sendq_exceeded(c);
		return;
	}
	b->lines++; /* counted on the stack, added once (bcast_done) */
	b->bytes += b->flen[k];
	queue_shared(c, b->form[k], b->flen[k]);
}

/* bcast_done: the broadcast's lines and bytes into the statistics. */
static void
bcast_done(struct bcast *b)
{
	if (b->srv != NULL) {
		b->srv->stats.lines_out += b->lines;
		b->srv->stats.bytes_out += b->bytes;
	}
}

void
send_channel(struct channel *ch, const struct client *except, const struct outline *ol,
    unsigned need)
{
	struct membership *m, *tmp;
	struct bcast b;

	bcast_init(&b, ol);
	HASH_ITER(hh, ch->members, m, tmp) {
		if (m->client == except || client_is_remote(m->client))
			continue;
		if (need != 0 && (m->modes & need) == 0)
			continue;
		bcast_send(&b, m->client);
	}
	bcast_done(&b);
}

void
send_channel_alt(struct channel *ch, const struct client *except, const struct outline *ol,
    const struct outline *alt, uint32_t cap)
{
	struct membership *m, *tmp;
	struct bcast b, balt;

	bcast_init(&b, ol);
	bcast_init(&balt, alt);
	HASH_ITER(hh, ch->members, m, tmp) {
		if (m->client == except || client_is_remote(m->client))
			continue;
		bcast_send((m->client->caps & cap) ? &balt : &b, m->client);
	}
	bcast_done(&b);
	bcast_done(&balt);
}

void
send_common(struct client *c, bool include_self, const struct outline *ol)
{
	struct server *srv = c->srv;
	struct membership *mine, *m, *tmp;
	uint32_t serial;
	struct bcast b;

	bcast_init(&b, ol);
	if (++srv->serial == 0)
		srv->serial = 1;
	serial = srv->serial;
	c->serial = serial;
	if (include_self && !client_is_remote(c))
		bcast_send(&b, c);
	LIST_FOREACH(mine, &c->channels, by_client) {
		HASH_ITER(hh, mine->chan->members, m, tmp) {
			if (m->client->serial == serial)
				continue;
			m->client->serial = serial;
			if (!client_is_remote(m->client))
				bcast_send(&b, m->client);
		}
	}
	bcast_done(&b);
}

void
output_sendq_exceeded(struct client *c)
{
	struct server *srv = c->srv;

	if (c->state != CLIENT_OPEN)
		return;
	c->state = CLIENT_SENDQ;
	TAILQ_INSERT_TAIL(&srv->pending, c, plink);
	event_active(srv->reaper, EV_TIMEOUT, 0);
}

void
output_mark_dirty(struct client *c)
{
	struct server *srv = c->srv;

	if ((c->flags & (CF_DIRECT | CF_FLUSHQ)) != CF_DIRECT || c->state >= CLIENT_CLOSING)
		return;
	c->flags |= CF_FLUSHQ;
	TAILQ_INSERT_TAIL(&srv->flushq, c, flink);
	event_active(srv->flusher, EV_TIMEOUT, 0);
}

/* loop_turn_observe: the time this loop turn has spent in callbacks so far
 * (from the loop's cached time, taken when the poll returned, to now) into
 * the loop_turn histogram. The flusher runs last in a turn that queued
 * output, so this is the length of such a turn: one clock read per turn. */
static void
loop_turn_observe(struct server *srv)
{
	struct timeval start, end;

	if (event_base_gettimeofday_cached(srv->base, &start) != 0 || gettimeofday(&end, NULL) != 0)
		return;
	stat_hist_observe(&srv->stats.loop_turn,
	    (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_usec - start.tv_usec) / 1e6);
}

/* output_flush_cb: runs after the callbacks of this loop turn that queued
 * output (same priority, activated later), so each client gets one write()
 * for everything queued to it in the turn, and no EV_WRITE registration
 * (two epoll_ctl calls) unless its socket is full. */
void
output_flush_cb(int fd, short what, void *arg)
{
	struct server *srv = arg;
	struct client *c;
	struct evbuffer *out;
	int r;

	while ((c = TAILQ_FIRST(&srv->flushq)) != NULL) {
		TAILQ_REMOVE(&srv->flushq, c, flink);
		c->flags &= ~CF_FLUSHQ;
		if (c->state >= CLIENT_CLOSING) {
			turnbuf_drop(c); /* client_close spilled them */
			continue;
		}
		if (c->tb_head != 0) {
			/* output of this turn, in the shared buffer; the
			 * bufferevent output is empty (turnbuf_usable) */
			turnbuf_write(c);
			if (c->tb_head == 0 && !(bufferevent_get_enabled(c->bev) & EV_WRITE))
				output_drained(c); /* all of it went */
			continue;
		}
		if (bufferevent_get_enabled(c->bev) & EV_WRITE)
			continue; /* libevent is already writing it */
		out = bufferevent_get_output(c->bev);
		if (evbuffer_get_length(out) == 0)
			continue;
		/* bufferevent_socket keeps the start of its output frozen
		 * except inside its own write callback; do as it does. */
		evbuffer_unfreeze(out, 1);
		errno = 0;
		r = evbuffer_write(out, bufferevent_getfd(c->bev));
		evbuffer_freeze(out, 1);
		if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			/* let the bufferevent meet the error and report it */
			bufferevent_enable(c->bev, EV_WRITE);
			continue;
		}
		if (evbuffer_get_length(out) > 0)
			bufferevent_enable(c->bev, EV_WRITE);
		else
			output_drained(c);
	}
	turnbuf_reset(srv); /* no client holds segments now */
	loop_turn_observe(srv);
}

/* pump_later: run c->on_drain from output_pump_cb. A zero timer, not
 * event_active: timers run after the next poll, so the other clients' I/O
 * is served between two parts of a long reply. */
static void
pump_later(struct client *c)
{
	struct server *srv = c->srv;
	struct timeval zero = { 0, 0 };

	if ((c->flags & CF_PUMPQ) || c->state >= CLIENT_CLOSING)
		return;
	c->flags |= CF_PUMPQ;
	TAILQ_INSERT_TAIL(&srv->pumpq, c, pumplink);
	if (!evtimer_pending(srv->pump, NULL))
		evtimer_add(srv->pump, &zero);
}

/* output_drained: see output.h. */
void
output_drained(struct client *c)
{
	if (c->on_drain != NULL && evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		pump_later(c);
}

/* output_pump_wait: see output.h. */
void
output_pump_wait(struct client *c)
{
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0 && !(c->flags & CF_FLUSHQ))
		pump_later(c);
	/* else output_drained() queues it once the output has gone */
}

/* output_queued: see output.h. */
size_t
output_queued(struct client *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev)) + c->tb_len + capture_len(c);
}

/* output_pump_cb: each client queued before this turn gets one call of
 * its on_drain (which may queue it again for the next turn). */
void
output_pump_cb(int fd, short what, void *arg)
{
	struct server *srv = arg;
	struct client *c;
	size_t n = 0;

	server_clock(srv);
	TAILQ_FOREACH(c, &srv->pumpq, pumplink)
		n++;
	while (n-- > 0 && (c = TAILQ_FIRST(&srv->pumpq)) != NULL) {
		TAILQ_REMOVE(&srv->pumpq, c, pumplink);
		c->flags &= ~CF_PUMPQ;
		if (c->on_drain != NULL && c->state < CLIENT_CLOSING)
			c->on_drain(c);
	}
}

/* output_time_tag: the server-time tag for this millisecond, formatted
 * only when a server-time client is sent something, at most once per ms. */
const char *
output_time_tag(struct server *srv, size_t *len)
{
	if (srv->time_override != NULL) {
		*len = srv->time_override_len;
		return srv->time_override;
	}
	if (srv->time_tag_len == 0 || srv->time_tag_ms != srv->now_ms ||
	    srv->time_tag_sec != srv->now) {
		struct tm tm;
		time_t t = srv->now;
		char ts[32];
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		srv->time_tag_len = (size_t)snprintf(srv->time_tag, sizeof(srv->time_tag),
		    "time=%s.%03ldZ", ts, srv->now_ms);
		srv->time_tag_ms = srv->now_ms;
		srv->time_tag_sec = srv->now;
	}
	*len = srv->time_tag_len;
	return srv->time_tag;
}
