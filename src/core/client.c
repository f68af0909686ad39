/* client.c - client lifecycle: creation, the one teardown path, deferred free. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "core/channel.h"
#include "core/client.h"
#include "net/conn.h"
#include "cmd/monitor.h"
#include "core/connlimit.h"
#include "core/log.h"
#include "proto/reply.h"
#include "core/server.h"
#include "net/tls.h"

/* client_new: see client.h. The host is the textual address; an IPv6
 * address that starts with ':' gets a leading '0' so it can never be taken
 * for a trailing parameter (as Solanum and InspIRCd do). */
struct client *
client_new(struct server *srv, struct bufferevent *bev, const struct sockaddr *sa, int salen)
{
	struct client *c;
	char addr[INET6_ADDRSTRLEN] = "unknown";

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		log_warn("calloc client");
		return NULL;
	}
	c->srv = srv;
	c->bev = bev;
	if ((size_t)salen <= sizeof(c->addr))
		memcpy(&c->addr, sa, (size_t)salen);
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    addr, sizeof(addr));
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6))
			inet_ntop(AF_INET, &a6->s6_addr[12], addr, sizeof(addr));
		else {
			inet_ntop(AF_INET6, a6, addr, sizeof(addr));
			c->flags |= CF_IPV6;
		}
	}
	snprintf(c->host, sizeof(c->host), "%s%s", addr[0] == ':' ? "0" : "", addr);
	strcpy(c->nick, "*");
	c->signon = c->last_active = c->last_msg = srv->now;
	LIST_INIT(&c->channels);
	event_assign(&c->timer, srv->base, -1, 0, conn_timer_cb, c);
	return c;
}

char *
client_umode_string(const struct client *c, char *buf)
{
	char *p = buf;

	*p++ = '+';
	if (c->umodes & UMODE_INVISIBLE) *p++ = 'i';
	if (c->umodes & UMODE_OPER) *p++ = 'o';
	if (c->umodes & UMODE_WALLOPS) *p++ = 'w';
	if (c->umodes & UMODE_SECURE) *p++ = 'z';
	if (c->umodes & UMODE_BOT) *p++ = 'B';
	*p = '\0';
	return buf;
}

char *
client_prefix(const struct client *c, char *buf, size_t size)
{
	snprintf(buf, size, "%s!%s@%s", c->nick, c->user[0] ? c->user : "*", c->host);
	return buf;
}

void
client_set_nick(struct client *c, const char *nick)
{
	struct server *srv = c->srv;

	if (c->flags & CF_NICK_HASHED)
		HASH_DELETE(hh, srv->nicks, c);
	snprintf(c->nick, sizeof(c->nick), "%s", nick);
	server_fold(srv, c->nick_key, c->nick, sizeof(c->nick_key));
	HASH_ADD_KEYPTR(hh, srv->nicks, c->nick_key, strlen(c->nick_key), c);
	c->flags |= CF_NICK_HASHED;
}

void
client_timer_set(struct client *c, enum client_timer kind)
{
	struct server *srv = c->srv;
	const struct timeval *tv;
	struct timeval one = { 1, 0 };

	switch (kind) {
	case TIMER_REGISTRATION: tv = srv->tv_reg; break;
	case TIMER_PING: tv = srv->tv_ping; break;
	case TIMER_PONG: tv = srv->tv_pong; break;
	case TIMER_FLUSH: tv = srv->tv_flush; break;
	default: tv = &one; break;
	}
	c->timer_kind = (uint8_t)kind;
	event_add(&c->timer, tv);
}

/* client_dead: see client.h. */
void
client_dead(struct client *c)
{
	struct server *srv = c->srv;

	if (c->flags & CF_DEAD)
		return;
	c->flags |= CF_DEAD | CF_CLOSING;
	if (c->flags & CF_REFUSED)
		srv->refused_lingering--;
	connlimit_release(srv, c);
	if (c->flags & CF_PENDING) {
		TAILQ_REMOVE(&srv->pending, c, plink);
		c->flags &= ~CF_PENDING;
	}
	if (c->flags & CF_FLUSHQ) {
		TAILQ_REMOVE(&srv->flushq, c, flink);
		c->flags &= ~CF_FLUSHQ;
	}
	event_del(&c->timer);
	bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	TAILQ_REMOVE(&srv->clients, c, link);
	TAILQ_INSERT_TAIL(&srv->dead, c, link);
	event_active(srv->reaper, EV_TIMEOUT, 0);
}

void
client_sendq_exceeded(struct client *c)
{
	struct server *srv = c->srv;

	if (c->flags & (CF_SENDQ | CF_CLOSING))
		return;
	c->flags |= CF_SENDQ | CF_PENDING;
	TAILQ_INSERT_TAIL(&srv->pending, c, plink);
	event_active(srv->reaper, EV_TIMEOUT, 0);
}

/* flushed: the output buffer drained after close: free next turn. */
static void flush_event_cb(struct bufferevent *bev, short what, void *arg);

/* discard_cb: input after close is read and dropped (see flushed_cb). */
static void
discard_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	evbuffer_drain(in, evbuffer_get_length(in));
}

/* flushed_cb: the ERROR line is out. Closing a socket with unread input
 * makes the kernel send RST, which can destroy that last line in flight;
 * so a plain socket is half-closed and its input drained until the peer's
 * EOF or the flush deadline (TIMER_FLUSH), then freed. */
static void
flushed_cb(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;
	int fd = bufferevent_getfd(bev);

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	if (!(c->flags & CF_DIRECT) || fd < 0 || c->srv->shutting_down) {
		client_dead(c);
		return;
	}
	shutdown(fd, SHUT_WR);
	bufferevent_disable(bev, EV_WRITE);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	bufferevent_setcb(bev, discard_cb, NULL, flush_event_cb, c);
	discard_cb(bev, c);
	bufferevent_enable(bev, EV_READ);
}

/* flush_event_cb: EOF or error while flushing: free without more output.
 * A TLS handshake finishing after client_close (registration timeout,
 * D-line) is no error: the ERROR line goes out now, then flushed_cb. */
static void
flush_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & BEV_EVENT_CONNECTED)
		return;
	tls_quiet(bev);
	client_dead(arg);
}

/* client_close: the one teardown path, see client.h. */
void
client_close(struct client *c, const char *reason, const char *quit_msg)
{
	struct server *srv = c->srv;
	struct membership *m;
	struct evbuffer *out;
	struct outline ol;
	char pfx[160];

	if (c->flags & CF_CLOSING)
		return;
	if (c->flags & CF_PENDING) {
		TAILQ_REMOVE(&srv->pending, c, plink);
		c->flags &= ~CF_PENDING;
	}
	if (client_is_registered(c)) {
		if (!srv->shutting_down && !LIST_EMPTY(&c->channels)) {
			outline_format(&ol, ":%s QUIT :%s", client_prefix(c, pfx, sizeof(pfx)),
			    quit_msg ? quit_msg : reason);
			c->flags |= CF_CLOSING;	/* nothing more to c itself */
			send_common(c, false, &ol);
		}
		while ((m = LIST_FIRST(&c->channels)) != NULL)
			channel_remove_member(srv, m);
		server_whowas_add(srv, c);
		monitor_offline(c, c->nick);
		srv->stats.users--;
		if (c->umodes & UMODE_INVISIBLE)
			srv->stats.invisible--;
		if (c->umodes & UMODE_OPER)
			srv->stats.opers--;
	} else
		srv->stats.unknown--;
	if (c->flags & CF_NICK_HASHED) {
		HASH_DELETE(hh, srv->nicks, c);
		c->flags &= ~CF_NICK_HASHED;
	}
	monitor_clear(c);
	c->flags |= CF_CLOSING;
	srv->stats.clients--;	/* the slot is free now, even while ERROR flushes */
	log_debug("closing %s[%s]: %s", c->nick, c->host, reason);

	out = bufferevent_get_output(c->bev);
	if (c->flags & CF_SENDQ)
		evbuffer_drain(out, evbuffer_get_length(out));
	outline_format(&ol, "ERROR :Closing Link: %s (%s)", c->host, reason);
	/* Callbacks first: a bufferevent_pair drains at once on add. */
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	bufferevent_setcb(c->bev, NULL, flushed_cb, flush_event_cb, c);
	bufferevent_enable(c->bev, EV_WRITE);
	event_del(&c->timer);
	client_timer_set(c, TIMER_FLUSH);
	evbuffer_add(out, ol.buf, ol.len);
	if (!(c->flags & CF_DEAD) && evbuffer_get_length(out) == 0)
		client_dead(c);
}

void
client_free(struct client *c)
{
	int i;

	event_del(&c->timer);
	if (c->capture != NULL)
		evbuffer_free(c->capture);
	if (c->flags & CF_TLS)
		tls_close_notify(c->bev);
	bufferevent_free(c->bev);
	free(c->certfp);
	free(c->mon);
	free(c->realname);
	free(c->away);
	for (i = 0; i < c->ninvites; i++)
		free(c->invites[i]);
	free(c);
}

bool
client_matches_mask(const struct client *c, const char *mask)
{
	char pfx[160];

	return casemap_match(c->srv->cfg->casemapping, mask, client_prefix(c, pfx, sizeof(pfx)));
}

#define MAX_INVITES ((int)(sizeof(((struct client *)0)->invites) / sizeof(char *)))

void
client_add_invite(struct client *c, const char *key)
{
	char *dup;

	if (client_has_invite(c, key))
		return;
	dup = strdup(key);
	if (dup == NULL)
		return;
	if (c->ninvites == MAX_INVITES) {
		free(c->invites[0]);
		memmove(&c->invites[0], &c->invites[1], sizeof(char *) * (MAX_INVITES - 1));
		c->ninvites--;
	}
	c->invites[c->ninvites++] = dup;
}

bool
client_has_invite(const struct client *c, const char *key)
{
	int i;

	for (i = 0; i < c->ninvites; i++)
		if (strcmp(c->invites[i], key) == 0)
			return true;
	return false;
}

void
client_clear_invite(struct client *c, const char *key)
{
	int i;

	for (i = 0; i < c->ninvites; i++) {
		if (strcmp(c->invites[i], key) != 0)
			continue;
		free(c->invites[i]);
		memmove(&c->invites[i], &c->invites[i + 1], sizeof(char *) * (size_t)(c->ninvites - i - 1));
		c->ninvites--;
		return;
	}
}
