/* server_io.c - the network side of the server: flusher and reaper events,
 * listeners, rehash with TLS reload, freeing every connection. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/config.h"
#include "core/log.h"
#include "core/server.h"
#include "net/close.h"
#include "net/conn.h"
#include "net/listener.h"
#include "net/output.h"
#include "net/server_io.h"
#include "net/service.h"
#include "net/tls.h"
#include "net/turnbuf.h"

static void
shutdown_timer_cb(int fd, short what, void *arg)
{
	struct server *srv = arg;

	log_warnx("shutdown: output not flushed in time; exiting anyway");
	event_base_loopexit(srv->base, NULL);
}

/* server_io_init: see server_io.h. */
int
server_io_init(struct server *srv)
{
	int k;

	srv->flusher = event_new(srv->base, -1, 0, output_flush_cb, srv);
	srv->pump = evtimer_new(srv->base, output_pump_cb, srv);
	srv->reaper = event_new(srv->base, -1, 0, close_reaper_cb, srv);
	srv->shutdown_timer = evtimer_new(srv->base, shutdown_timer_cb, srv);
	if (srv->flusher == NULL || srv->pump == NULL || srv->reaper == NULL ||
	    srv->shutdown_timer == NULL)
		return -1;
	for (k = 0; k < CLIENT_TIMER_KINDS; k++)
		if ((srv->timerq[k].ev = evtimer_new(srv->base, conn_timerq_cb, &srv->timerq[k])) ==
		    NULL)
			return -1;
	return 0;
}

/* server_io_free: see server_io.h. */
void
server_io_free(struct server *srv)
{
	struct client *c;
	struct membership *m;
	size_t i;
	int k;

	while ((c = TAILQ_FIRST(&srv->clients)) != NULL) {
		while ((m = LIST_FIRST(&c->channels)) != NULL)
			channel_remove_member(srv, m);
		if (c->flags & CF_NICK_HASHED)
			HASH_DELETE(hh, srv->nicks, c);
		TAILQ_REMOVE(&srv->clients, c, link);
		close_free(c);
	}
	while ((c = TAILQ_FIRST(&srv->dead)) != NULL) {
		TAILQ_REMOVE(&srv->dead, c, link);
		close_free(c);
	}
	for (i = 0; i < srv->nlisteners; i++)
		listener_close(srv->listeners[i]);
	free(srv->listeners);
	srv->listeners = NULL;
	srv->nlisteners = 0;
	if (srv->reaper != NULL)
		event_free(srv->reaper);
	if (srv->flusher != NULL)
		event_free(srv->flusher);
	if (srv->pump != NULL)
		event_free(srv->pump);
	srv->pump = NULL;
	if (srv->shutdown_timer != NULL)
		event_free(srv->shutdown_timer);
	turnbuf_free(srv);
	for (k = 0; k < CLIENT_TIMER_KINDS; k++)
		if (srv->timerq[k].ev != NULL) {
			event_free(srv->timerq[k].ev);
			srv->timerq[k].ev = NULL;
		}
	srv->reaper = srv->flusher = srv->shutdown_timer = NULL;
}

/* listen_conf_matches: is ss (a bound socket's address) the address and
 * port that lc configures? Port 0 (kernel's choice) never matches. */
static bool
listen_conf_matches(const struct sockaddr_storage *ss, const struct listen_conf *lc)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (ss->ss_family == AF_INET && inet_pton(AF_INET, lc->address, &a4) == 1) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		return ntohs(s4->sin_port) == lc->port && s4->sin_addr.s_addr == a4.s_addr;
	}
	if (ss->ss_family == AF_INET6 && inet_pton(AF_INET6, lc->address, &a6) == 1) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		return ntohs(s6->sin6_port) == lc->port &&
		    memcmp(&s6->sin6_addr, &a6, sizeof(a6)) == 0;
	}
	return false;
}

/* listen_activated: adopt the n sockets passed by socket activation. As in
 * ngIRCd (conn.c, Conn_InitListeners), the passed sockets are the
 * listeners: a socket whose address and port are a [listen] section's
 * gets that section's settings (TLS), any other is a plaintext listener,
 * and a section no socket matches is not opened (logged), so the unit's
 * .socket file alone decides where the server listens. */
static void
listen_activated(struct server *srv, int n)
{
	bool *used = calloc(srv->cfg->nlistens + 1, sizeof(*used));
	struct listener *l;
	size_t i, j;

	if (used == NULL)
		fatal("calloc");
	for (i = 0; i < (size_t)n; i++) {
		int fd = SERVICE_LISTEN_FDS_START + (int)i;
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof(ss);
		const struct listen_conf *lc = NULL;
		int type = 0;
		socklen_t tl = sizeof(type);

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM ||
		    getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
			log_warnx("socket activation: fd %d is not a TCP socket; ignored", fd);
			continue;
		}
		for (j = 0; j < srv->cfg->nlistens && lc == NULL; j++)
			if (!used[j] && listen_conf_matches(&ss, &srv->cfg->listens[j])) {
				used[j] = true;
				lc = &srv->cfg->listens[j];
			}
		l = listener_adopt(srv, fd, lc);
		if (l != NULL)
			srv->listeners[srv->nlisteners++] = l;
	}
	for (j = 0; j < srv->cfg->nlistens; j++)
		if (!used[j])
			log_info("socket activation: [listen] %s port %u%s not opened (no socket "
				 "passed for it)",
			    srv->cfg->listens[j].address, srv->cfg->listens[j].port,
			    srv->cfg->listens[j].tls ? " (tls)" : "");
	free(used);
}

/* server_listen: see server_io.h. */
int
server_listen(struct server *srv)
{
	size_t i;
	struct listener *l;
	int n = service_listen_fds();

	srv->listeners = calloc(srv->cfg->nlistens + (size_t)n, sizeof(*srv->listeners));
	if (srv->listeners == NULL)
		fatal("calloc");
	if (n > 0)
		listen_activated(srv, n);
	else
		for (i = 0; i < srv->cfg->nlistens; i++) {
			l = listener_open(srv, &srv->cfg->listens[i]);
			if (l != NULL)
				srv->listeners[srv->nlisteners++] = l;
		}
	srv->sts_port = tls_port(srv); /* sts capability on plaintext ports */
	return srv->nlisteners > 0 ? 0 : -1;
}

/* server_rehash: see server_io.h. */
int
server_rehash(struct server *srv, char *err, size_t errlen)
{
	struct config *ncfg;

	if (srv->config_path == NULL) {
		ncfg = config_default();
		config_load_motd(ncfg, err, errlen);
		config_free(ncfg);
		snprintf(err, errlen, "no configuration file: running on the embedded defaults");
		return -1;
	}
	service_reloading(srv);
	ncfg = config_load_checked(srv->config_path, tls_check, err, errlen);
	if (ncfg == NULL) {
		service_ready(srv);
		return -1;
	}
	if (srv->store != NULL && config_services_link(ncfg) != NULL) {
		/* one account authority (issue 11): the database opened at
		 * start stays open until a restart, so a services server
		 * cannot be added beside it by a rehash */
		snprintf(err, errlen,
		    "[link] %s: services = yes needs a restart: the [accounts] database is open "
		    "(a network has one account authority)",
		    config_services_link(ncfg)->name);
		config_free(ncfg);
		service_ready(srv);
		return -1;
	}
	server_reconfigure(srv, ncfg);
	/* New certificates for new handshakes; connected clients keep theirs.
	 * config_load_checked already refused unloadable files, so this fails
	 * only if a file changed in between (the old context stays). */
	tls_reload(srv);
	log_info("configuration reloaded from %s", srv->config_path);
	{
		struct event_rehash ev = { srv->config_path };
		event_publish_rehash(srv, &ev); /* [link] sections (link/) */
	}
	service_ready(srv);
	return 0;
}
