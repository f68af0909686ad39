/* close.c - the end of a connection: the one idempotent teardown
 * (client_close: ERROR, QUIT to peers exactly once, the quit event, flush,
 * half-close), the dead list and the reaper that frees on a later loop
 * turn, and server shutdown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/connlimit.h"
#include "core/event.h"
#include "core/log.h"
#include "core/netserver.h"
#include "core/server.h"
#include "net/close.h"
#include "net/service.h"
#include "net/listener.h"
#include "net/output.h"
#include "net/tls.h"
#include "net/turnbuf.h"
#include "net/ws.h"

/* close_free: the TLS session's close_notify, then client_free. */
void
close_free(struct client *c)
{
	if (c->flags & CF_TLS)
		tls_close_notify(c->bev);
	client_free(c);
}

/* close_reaper_cb: see close.h. */
void
close_reaper_cb(int fd, short what, void *arg)
{
	struct server *srv = arg;
	struct client *c;

	server_clock(srv);
	/* Closing a client may overflow others' sendq (its QUIT): loop. */
	while ((c = TAILQ_FIRST(&srv->pending)) != NULL) {
		srv->stats.sendq_closes++;
		client_close(c, "SendQ exceeded", NULL); /* takes c off the list */
	}
	while ((c = TAILQ_FIRST(&srv->dead)) != NULL) {
		TAILQ_REMOVE(&srv->dead, c, link);
		close_free(c);
	}
	if (srv->shutting_down && TAILQ_EMPTY(&srv->clients))
		event_base_loopexit(srv->base, NULL);
}

/* client_dead: see close.h. */
void
client_dead(struct client *c)
{
	struct server *srv = c->srv;

	if (c->state == CLIENT_DEAD)
		return;
	if (c->state == CLIENT_SENDQ)
		TAILQ_REMOVE(&srv->pending, c, plink);
	c->state = CLIENT_DEAD;
	if (c->flags & CF_REFUSED)
		srv->refused_lingering--;
	connlimit_release(srv, c);
	if (c->flags & CF_FLUSHQ) {
		TAILQ_REMOVE(&srv->flushq, c, flink);
		c->flags &= ~CF_FLUSHQ;
	}
	client_list_stop(c);
	turnbuf_drop(c);
	client_timer_stop(c);
	if (c->flags & CF_WS)
		ws_dead(c);
	bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	TAILQ_REMOVE(&srv->clients, c, link);
	TAILQ_INSERT_TAIL(&srv->dead, c, link);
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

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0 || (c->flags & CF_WS))
		return; /* a WebSocket's end is ws_closing's */
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

/* remote_close: client_close of a user behind a link: QUIT to the local
 * users sharing a channel, the quit event (links relay it), memberships,
 * nick and counters go, and the struct is freed on the next turn. */
static void
remote_close(struct client *c, const char *reason)
{
	struct server *srv = c->srv;
	struct membership *m;
	struct outline ol;
	struct event_quit ev;
	char pfx[160];

	if (!srv->shutting_down && !LIST_EMPTY(&c->channels)) {
		outline_format(&ol, ":%s QUIT :%s", client_prefix(c, pfx, sizeof(pfx)), reason);
		send_common(c, false, &ol);
	}
	ev.client = c;
	ev.reason = reason;
	event_publish_quit(srv, &ev);
	while ((m = LIST_FIRST(&c->channels)) != NULL)
		channel_remove_member(srv, m);
	remote_of(c)->server->users--;
	TAILQ_REMOVE(&remote_of(c)->server->remotes, remote_of(c), on_server);
	srv->stats.remote_users--;
	if (c->umodes & UMODE_INVISIBLE)
		srv->stats.remote_invisible--;
	if (c->umodes & UMODE_OPER)
		srv->stats.remote_opers--;
	if (c->flags & CF_NICK_HASHED) {
		HASH_DELETE(hh, srv->nicks, c);
		c->flags &= ~CF_NICK_HASHED;
	}
	c->state = CLIENT_DEAD;
	TAILQ_INSERT_TAIL(&srv->dead, c, link);
	event_active(srv->reaper, EV_TIMEOUT, 0);
}

/* client_close: the one teardown path, see close.h. */
void
client_close(struct client *c, const char *reason, const char *quit_msg)
{
	struct server *srv = c->srv;
	struct membership *m;
	struct evbuffer *out;
	struct outline ol;
	struct event_quit ev;
	char pfx[160];
	bool over_sendq = c->state == CLIENT_SENDQ;

	if (c->state >= CLIENT_CLOSING)
		return;
	if (c->flags & CF_REMOTE) {
		remote_close(c, quit_msg ? quit_msg : reason);
		return;
	}
	if (c->flags & CF_SERVER) {
		/* a link: its servers and users go first (netsplit, link/) */
		struct event_link_closed lev = { c, reason };
		c->flags &= ~CF_SERVER;
		event_publish_link_closed(srv, &lev);
		if (c->state >= CLIENT_CLOSING)
			return;
		srv->stats.unknown++; /* counted as a connection again below */
	}
	client_list_stop(c);
	if (over_sendq)
		TAILQ_REMOVE(&srv->pending, c, plink);
	if (client_is_registered(c)) {
		if (!srv->shutting_down && !LIST_EMPTY(&c->channels)) {
			outline_format(&ol, ":%s QUIT :%s", client_prefix(c, pfx, sizeof(pfx)),
			    quit_msg ? quit_msg : reason);
			c->state = CLIENT_CLOSING; /* nothing more to c itself */
			send_common(c, false, &ol);
		}
		ev.client = c;
		ev.reason = quit_msg ? quit_msg : reason;
		event_publish_quit(srv, &ev); /* WHOWAS, MONITOR, ... */
		while ((m = LIST_FIRST(&c->channels)) != NULL)
			channel_remove_member(srv, m);
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
	c->state = CLIENT_CLOSING;
	srv->stats.clients--; /* the slot is free now, even while ERROR flushes */
	log_debug("closing %s[%s]: %s", c->nick, c->host, reason);

	out = bufferevent_get_output(c->bev);
	if (over_sendq) {
		turnbuf_drop(c);
		evbuffer_drain(out, evbuffer_get_length(out));
	} else
		turnbuf_spill(c); /* this turn's output first, then ERROR */
	outline_format(&ol, "ERROR :Closing Link: %s (%s)", c->host, reason);
	/* Callbacks first: a bufferevent_pair drains at once on add. */
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	bufferevent_setcb(c->bev, NULL, flushed_cb, flush_event_cb, c);
	bufferevent_enable(c->bev, EV_WRITE);
	client_timer_stop(c);
	client_timer_set(c, TIMER_FLUSH);
	evbuffer_add(out, ol.buf, ol.len);
	if (c->flags & CF_WS) {
		ws_closing(c); /* the close frame, then the half-close */
		return;
	}
	if (c->state != CLIENT_DEAD && evbuffer_get_length(out) == 0)
		client_dead(c);
}

/* server_shutdown: see close.h. */
void
server_shutdown(struct server *srv, const char *reason)
{
	struct client *c, *next;
	struct timeval tv = { 5, 0 };
	size_t i;

	if (srv->shutting_down)
		return;
	srv->shutting_down = true;
	service_stopping(srv);
	for (i = 0; i < srv->nlisteners; i++)
		listener_close(srv->listeners[i]);
	srv->nlisteners = 0;
	/* No QUIT broadcasts while everyone is leaving (O(n) not O(n^2)):
	 * client_close checks srv->shutting_down. */
	for (c = TAILQ_FIRST(&srv->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		client_close(c, reason, NULL);
	}
	evtimer_add(srv->shutdown_timer, &tv);
	event_active(srv->reaper, EV_TIMEOUT, 0);
}
