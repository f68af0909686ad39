/* http.c - the [http] listener: evhttp on the server's event_base, fed by
 * our own evconnlistener so that connections can be counted and bounded
 * (libevent 2.1's evhttp has no connection limit), access control, and the
 * routes / and /metrics. See http/http.h for the rules. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "core/client.h"
#include "core/config.h"
#include "core/log.h"
#include "core/server.h"
#include "http/http.h"
#include "http/metrics.h"
#include "http/status.h"

/* One HTTP connection: evhttp makes its bufferevent through bevcb, which
 * keeps a reference, so the bufferevent outlives evhttp's use of it; when
 * evhttp frees the connection, bufferevent_free clears the callbacks, and
 * the sweep sees that and drops the reference (closing the socket). */
struct http_conn {
	struct bufferevent *bev;
	int64_t since_us; /* accepted or last answered, CLOCK_MONOTONIC */
};

/* Rejected connections answered per loop turn before the listener pauses
 * for a turn (the kernel accepts at most the backlog, 16, between turns). */
#define HTTP_REJECT_BATCH 64

struct http_server {
	struct server *srv;
	struct evhttp *http;
	struct evconnlistener *lev; /* owned by http (evhttp_bind_listener) */
	struct event *tick; /* 1 s: deadlines, and a sample every minute */
	struct http_conn *conns; /* max_conns entries */
	unsigned nconns, max_conns;
	bool paused; /* listener disabled: the reject batch is full */
	/* connections past max_connections, accepted in this loop turn:
	 * reject_cb answers them 503 before evhttp reads a byte */
	struct event *reject_ev;
	struct bufferevent *rejects[HTTP_REJECT_BATCH];
	unsigned nrejects;
	char reject_msg[256];
	size_t reject_len;
	int64_t timeout_us;
	unsigned ticks;
	struct status_ring ring;
};

/* conns_drop_freed: forget the connections evhttp has freed (their
 * callbacks are cleared), closing their sockets. O(max_connections). */
static void
conns_drop_freed(struct http_server *h)
{
	void *arg;
	unsigned i = 0;

	while (i < h->nconns) {
		bufferevent_getcb(h->conns[i].bev, NULL, NULL, NULL, &arg);
		if (arg == NULL) { /* evhttp has let go of it */
			bufferevent_free(h->conns[i].bev);
			h->conns[i] = h->conns[--h->nconns];
			continue;
		}
		i++;
	}
}

/* conns_sweep: drop the connections evhttp has freed; cut (shutdown, so
 * that evhttp reads EOF and frees the connection itself) those whose
 * request has not come, or not been answered, within the timeout, however
 * slowly its bytes arrive. O(max_connections), once a second. */
static void
conns_sweep(struct http_server *h)
{
	int64_t now = client_timer_now();
	unsigned i;
	int fd;

	conns_drop_freed(h);
	for (i = 0; i < h->nconns; i++) {
		struct http_conn *hc = &h->conns[i];
		if (now - hc->since_us > h->timeout_us && (fd = bufferevent_getfd(hc->bev)) >= 0) {
			shutdown(fd, SHUT_RDWR);
			hc->since_us = now; /* once per timeout */
		}
	}
}

/* reject_cb: answer the connections accepted past max_connections in this
 * turn with one fixed "503 Service Unavailable" and Retry-After (RFC 9110
 * §15.6.4, §10.2.3), written with one non-blocking send, and shut the
 * socket down, so that evhttp reads EOF before any request byte and frees
 * the connection. Bounded work per rejected connection: no parsing, no
 * buffer, no timer (nginx answers 503 past limit_conn the same way). */
static void
reject_cb(evutil_socket_t unused, short what, void *arg)
{
	struct http_server *h = arg;
	unsigned i;
	void *cbarg;
	int fd;

	(void)unused;
	(void)what;
	for (i = 0; i < h->nrejects; i++) {
		struct bufferevent *bev = h->rejects[i];
		bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
		if (cbarg != NULL && (fd = bufferevent_getfd(bev)) >= 0) {
			(void)send(fd, h->reject_msg, h->reject_len, MSG_DONTWAIT | MSG_NOSIGNAL);
			shutdown(fd, SHUT_RDWR);
			h->srv->stats.http_rejected++;
		}
		bufferevent_decref(bev);
	}
	h->nrejects = 0;
	if (h->paused) {
		h->paused = false;
		evconnlistener_enable(h->lev);
	}
}

/* bevcb: the bufferevent of a new HTTP connection (evhttp sets its socket
 * and callbacks right after). Past max_connections it is queued for
 * reject_cb, made active now so that it runs in this loop turn, before the
 * new socket can be polled for reading. */
static struct bufferevent *
bevcb(struct event_base *base, void *arg)
{
	struct http_server *h = arg;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);

	if (bev == NULL)
		return bev; /* evhttp makes its own, or drops the connection */
	if (h->nconns >= h->max_conns)
		conns_drop_freed(h);
	if (h->nconns >= h->max_conns) {
		if (h->nrejects >= HTTP_REJECT_BATCH)
			return bev; /* cannot happen: the listener is paused */
		bufferevent_incref(bev);
		h->rejects[h->nrejects++] = bev;
		if (h->nrejects == 1)
			event_active(h->reject_ev, EV_TIMEOUT, 0);
		if (h->nrejects == HTTP_REJECT_BATCH && !h->paused) {
			h->paused = true;
			evconnlistener_disable(h->lev);
		}
		return bev;
	}
	bufferevent_incref(bev);
	h->conns[h->nconns].bev = bev;
	h->conns[h->nconns].since_us = client_timer_now();
	h->nconns++;
	return bev;
}

/* conn_answered: a request was answered; the next one has a new timeout. */
static void
conn_answered(struct http_server *h, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	unsigned i;

	for (i = 0; i < h->nconns; i++)
		if (h->conns[i].bev == bev)
			h->conns[i].since_us = client_timer_now();
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *h = arg;

	server_clock(h->srv);
	conns_sweep(h);
	if (++h->ticks % STATUS_SAMPLE_SECS == 0)
		status_ring_add(&h->ring, h->srv->now, h->srv->stats.clients);
}

/* token_equal: compare a presented token in time independent of where it
 * differs (no early exit), so the token cannot be guessed byte by byte. */
static bool
token_equal(const char *given, const char *want)
{
	size_t gl = strlen(given), wl = strlen(want), i;
	unsigned char d = gl != wl;

	for (i = 0; i < wl; i++)
		d |= (unsigned char)(given[i < gl ? i : 0] ^ want[i]);
	return d == 0;
}

static bool
peer_is_loopback(const struct sockaddr *sa)
{
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >>
			   24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) ||
		    (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/* http_access_check: see http.h. */
enum http_access
http_access_check(const struct sockaddr *peer, const char *auth, const char *token)
{
	if (token == NULL)
		return peer_is_loopback(peer) ? HTTP_ALLOW : HTTP_FORBIDDEN;
	/* RFC 6750 §2.1: "Bearer" 1*SP b64token; the scheme is
	 * case-insensitive (RFC 7235 §2.1) */
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return HTTP_UNAUTHORIZED;
	auth += 7;
	while (*auth == ' ')
		auth++;
	return token_equal(auth, token) ? HTTP_ALLOW : HTTP_UNAUTHORIZED;
}

/* allowed: http_access_check for req; sends the 401 or 403 itself. */
static bool
allowed(struct http_server *h, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const char *auth =
	    evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);

	switch (http_access_check(evcon ? evhttp_connection_get_addr(evcon) : NULL, auth,
	    h->srv->cfg->http.token)) {
	case HTTP_ALLOW:
		return true;
	case HTTP_FORBIDDEN:
		evhttp_add_header(oh, "Content-Type", "text/plain; charset=utf-8");
		evhttp_send_reply(req, 403, "Forbidden", NULL);
		return false;
	case HTTP_UNAUTHORIZED:
		break;
	}
	/* RFC 6750 §3: the challenge, with error=invalid_token for a wrong one */
	evhttp_add_header(oh, "WWW-Authenticate",
	    auth == NULL ? "Bearer realm=\"evircd\""
			 : "Bearer realm=\"evircd\", error=\"invalid_token\"");
	evhttp_send_reply(req, 401, "Unauthorized", NULL);
	return false;
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	struct http_server *h = arg;
	struct server *srv = h->srv;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	struct evbuffer *body;

	server_clock(srv);
	conn_answered(h, req);
	if (!allowed(h, req))
		return;
	evhttp_add_header(oh, "Cache-Control", "no-store");
	evhttp_add_header(oh, "X-Content-Type-Options", "nosniff");
	if (path == NULL || (strcmp(path, "/") != 0 && strcmp(path, "/metrics") != 0)) {
		evhttp_add_header(oh, "Content-Type", "text/plain; charset=utf-8");
		evhttp_send_reply(req, 404, "Not Found", NULL);
		return;
	}
	body = evbuffer_new();
	if (body == NULL) {
		evhttp_send_reply(req, 500, "Internal Server Error", NULL);
		return;
	}
	if (strcmp(path, "/metrics") == 0) {
		evhttp_add_header(oh, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
		metrics_write(srv, body);
	} else {
		evhttp_add_header(oh, "Content-Type", "text/html; charset=utf-8");
		/* no script, no resource from anywhere, inline CSS only */
		evhttp_add_header(oh, "Content-Security-Policy",
		    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'");
		status_write(srv, &h->ring, body);
	}
	evhttp_send_reply(req, 200, "OK", body);
	evbuffer_free(body);
}

/* http_start: see http.h. */
int
http_start(struct server *srv)
{
	const struct http_conf *hc = &srv->cfg->http;
	struct http_server *h;
	struct sockaddr_storage ss;
	int sslen = sizeof(ss);
	char sport[8], name[80], host[INET6_ADDRSTRLEN];
	evutil_socket_t fd;

	if (!hc->enabled)
		return 0;
	snprintf(sport, sizeof(sport), "%u", hc->port);
	snprintf(name, sizeof(name), "%s%s%s:%s", strchr(hc->address, ':') ? "[" : "", hc->address,
	    strchr(hc->address, ':') ? "]" : "", sport);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, hc->address, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(hc->port);
		sslen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, hc->address, &((struct sockaddr_in6 *)&ss)->sin6_addr) ==
	    1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(hc->port);
		sslen = sizeof(struct sockaddr_in6);
	} else {
		log_warnx("[http] address %s: not an address", hc->address);
		return -1;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		fatal("calloc");
	h->srv = srv;
	h->max_conns = hc->max_connections;
	h->timeout_us = (int64_t)hc->timeout * 1000000;
	h->conns = calloc(h->max_conns, sizeof(*h->conns));
	h->http = evhttp_new(srv->base);
	h->tick = event_new(srv->base, -1, EV_PERSIST, tick_cb, h);
	h->reject_ev = event_new(srv->base, -1, 0, reject_cb, h);
	if (h->conns == NULL || h->http == NULL || h->tick == NULL || h->reject_ev == NULL)
		fatalx("cannot create the HTTP server");
	srv->http = h;
	{
		static const char body[] = "too many HTTP connections, retry later\n";
		int n = snprintf(h->reject_msg, sizeof(h->reject_msg),
		    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; "
		    "charset=utf-8\r\nContent-Length: %zu\r\nRetry-After: %u\r\n"
		    "Connection: close\r\n\r\n%s",
		    sizeof(body) - 1, hc->timeout, body);
		h->reject_len = n > 0 && (size_t)n < sizeof(h->reject_msg) ? (size_t)n : 0;
	}
	evhttp_set_max_headers_size(h->http, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(h->http, HTTP_MAX_BODY);
	evhttp_set_timeout(h->http, (int)hc->timeout);
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(h->http, request_cb, h);
	evhttp_set_bevcb(h->http, bevcb, h);
	h->lev = evconnlistener_new_bind(srv->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&ss, sslen);
	if (h->lev == NULL) {
		log_warn("[http] listen on %s", name);
		return -1;
	}
	if (evhttp_bind_listener(h->http, h->lev) == NULL) {
		evconnlistener_free(h->lev);
		h->lev = NULL;
		log_warnx("[http] cannot serve on %s", name);
		return -1;
	}
	fd = evconnlistener_get_fd(h->lev);
	sslen = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, (socklen_t *)&sslen) == 0) {
		int port = 0;
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
			port = ntohs(s6->sin6_port);
			snprintf(name, sizeof(name), "[%s]:%d", host, port);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
			port = ntohs(s4->sin_port);
			snprintf(name, sizeof(name), "%s:%d", host, port);
		}
	}
	{
		struct timeval one = { 1, 0 };
		event_add(h->tick, &one);
	}
	status_ring_add(&h->ring, srv->now, srv->stats.clients);
	log_info("http listening on %s%s", name, hc->token ? "" : " (loopback clients only)");
	if (hc->token == NULL && !config_addr_is_loopback(hc->address))
		log_warnx("[http] address %s is not loopback and no token is set: other "
			  "hosts get 403",
		    hc->address);
	return 0;
}

/* http_free: see http.h. */
void
http_free(struct server *srv)
{
	struct http_server *h = srv->http;

	if (h == NULL)
		return;
	if (h->tick != NULL)
		event_free(h->tick);
	if (h->reject_ev != NULL) {
		event_free(h->reject_ev);
		while (h->nrejects > 0)
			bufferevent_decref(h->rejects[--h->nrejects]);
	}
	if (h->http != NULL)
		evhttp_free(h->http); /* frees the listener and the connections */
	while (h->nconns > 0)
		bufferevent_free(h->conns[--h->nconns].bev); /* our reference */
	free(h->conns);
	free(h);
	srv->http = NULL;
}
