/* listener.c - evconnlistener per address; back off on EMFILE; TLS
 * listeners hold the SSL_CTX their new connections use. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/listener.h>

#include "core/config.h"
#include "net/conn.h"
#include "net/listener.h"
#include "core/log.h"
#include "core/server.h"
#include "net/tls.h"
#include "net/ws.h"

struct listener {
	struct server *srv;
	struct evconnlistener *lev;
	struct event *backoff;
	struct ssl_ctx_st *tls_ctx; /* NULL: plaintext */
	char *conf_address; /* as configured, for listener_is */
	uint16_t conf_port;
	char name[80];
	uint16_t port;
	bool websocket; /* [listen] websocket = yes (net/ws.h) */
};

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct listener *l = arg;

	if (l->websocket)
		conn_accept_ws(l->srv, fd, sa, salen, l->tls_ctx);
	else if (l->tls_ctx != NULL)
		conn_accept_tls(l->srv, fd, sa, salen, l->tls_ctx);
	else
		conn_accept(l->srv, fd, sa, salen);
}

static void
backoff_cb(int fd, short what, void *arg)
{
	struct listener *l = arg;

	evconnlistener_enable(l->lev);
}

/* accept_error_cb: out of descriptors (EMFILE/ENFILE) or memory: stop
 * accepting for a second instead of spinning on a readable listener. */
static void
accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct listener *l = arg;
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval one = { 1, 0 };

	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		log_warnx("accept on %s: %s; pausing accepts for 1 s", l->name, strerror(err));
		evconnlistener_disable(lev);
		evtimer_add(l->backoff, &one);
	} else if (err != ECONNABORTED && err != EINTR)
		log_warnx("accept on %s: %s", l->name, strerror(err));
}

/* listener_start: the common end of listener_open and listener_adopt:
 * error callback, back-off timer, the bound name, the log line. */
static void
listener_start(struct server *srv, struct listener *l, const char *how)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);

	evconnlistener_set_error_cb(l->lev, accept_error_cb);
	l->backoff = evtimer_new(srv->base, backoff_cb, l);
	if (getsockname(evconnlistener_get_fd(l->lev), (struct sockaddr *)&ss, &sslen) == 0) {
		char host[INET6_ADDRSTRLEN];
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
			l->port = ntohs(s6->sin6_port);
			snprintf(l->name, sizeof(l->name), "[%s]:%u", host, l->port);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
			l->port = ntohs(s4->sin_port);
			snprintf(l->name, sizeof(l->name), "%s:%u", host, l->port);
		}
	}
	log_info("listening on %s%s%s%s", l->name, l->tls_ctx != NULL ? " (tls)" : "",
	    l->websocket ? " (websocket)" : "", how);
}

struct listener *
listener_open(struct server *srv, const struct listen_conf *lc)
{
	struct addrinfo hints, *res = NULL;
	struct listener *l;
	char portstr[8];
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
	struct ssl_ctx_st *tls_ctx = NULL;
	char err[512];
	int r;

	if (lc->websocket && !ws_available()) {
		log_warnx("listen %s port %u: websocket = yes, but this evircd was built "
			  "without wslay",
		    lc->address, lc->port);
		return NULL;
	}
	if (lc->tls) {
		tls_ctx = tls_ctx_new(lc, err, sizeof(err));
		if (tls_ctx == NULL) {
			log_warnx("listen %s port %u (tls): %s", lc->address, lc->port, err);
			return NULL;
		}
	}

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%u", lc->port);
	r = getaddrinfo(lc->address, portstr, &hints, &res);
	if (r != 0 || res == NULL) {
		log_warnx("listen %s: %s", lc->address, gai_strerror(r));
		tls_ctx_free(tls_ctx);
		return NULL;
	}
	if (res->ai_family == AF_INET6) {
#ifdef LEV_OPT_BIND_IPV6ONLY
		flags |= LEV_OPT_BIND_IPV6ONLY;
#endif
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		fatal("calloc");
	l->srv = srv;
	l->tls_ctx = tls_ctx;
	l->websocket = lc->websocket;
	l->conf_port = lc->port;
	l->conf_address = strdup(lc->address);
	if (l->conf_address == NULL)
		fatal("strdup");
	l->lev = evconnlistener_new_bind(srv->base, accept_cb, l, flags, 1024, res->ai_addr,
	    (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (l->lev == NULL) {
		log_warn("listen on %s port %u", lc->address, lc->port);
		tls_ctx_free(tls_ctx);
		free(l->conf_address);
		free(l);
		return NULL;
	}
	listener_start(srv, l, "");
	return l;
}

/* listener_adopt: see listener.h. */
struct listener *
listener_adopt(struct server *srv, int fd, const struct listen_conf *lc)
{
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC;
	struct ssl_ctx_st *tls_ctx = NULL;
	struct listener *l;
	char err[512];

	if (lc != NULL && lc->tls) {
		tls_ctx = tls_ctx_new(lc, err, sizeof(err));
		if (tls_ctx == NULL) {
			log_warnx("listen %s port %u (tls, socket activation): %s", lc->address,
			    lc->port, err);
			close(fd);
			return NULL;
		}
	}
	if (evutil_make_socket_nonblocking(fd) != 0) {
		log_warn("socket activation: fd %d", fd);
		tls_ctx_free(tls_ctx);
		close(fd);
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		fatal("calloc");
	l->srv = srv;
	l->tls_ctx = tls_ctx;
	l->websocket = lc != NULL && lc->websocket;
	/* backlog 0: the manager has already called listen() */
	l->lev = evconnlistener_new(srv->base, accept_cb, l, flags, 0, fd);
	if (l->lev == NULL) {
		log_warn("socket activation: fd %d", fd);
		tls_ctx_free(tls_ctx);
		close(fd);
		free(l);
		return NULL;
	}
	listener_start(srv, l, " (socket activation)");
	/* listener_is (TLS reload) matches on what was configured; an fd
	 * without a [listen] section matches none. */
	l->conf_port = lc != NULL ? lc->port : 0;
	l->conf_address = strdup(lc != NULL ? lc->address : "");
	if (l->conf_address == NULL)
		fatal("strdup");
	return l;
}

void
listener_close(struct listener *l)
{
	if (l == NULL)
		return;
	evconnlistener_free(l->lev);
	event_free(l->backoff);
	tls_ctx_free(l->tls_ctx);
	free(l->conf_address);
	free(l);
}

uint16_t
listener_port(const struct listener *l)
{
	return l->port;
}

const char *
listener_name(const struct listener *l)
{
	return l->name;
}

bool
listener_is(const struct listener *l, const struct listen_conf *lc)
{
	return l->conf_port == lc->port && (l->tls_ctx != NULL) == lc->tls &&
	    l->websocket == lc->websocket && strcmp(l->conf_address, lc->address) == 0;
}

struct ssl_ctx_st *
listener_tls_ctx(const struct listener *l)
{
	return l->tls_ctx;
}

void
listener_set_tls_ctx(struct listener *l, struct ssl_ctx_st *ctx)
{
	tls_ctx_free(l->tls_ctx);
	l->tls_ctx = ctx;
}
