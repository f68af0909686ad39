/* daemon.c - a whole server: the registry, the network side, the
 * dispatcher and the features' subscriptions wired together, and the
 * signal handlers. It stands above every layer (like main.c), so it may
 * name anything; nothing below includes daemon.h. */
#include <signal.h>
#include <stdlib.h>

#include <event2/event.h>

#include "core/log.h"
#include "core/server.h"
#include "net/close.h"
#include "net/conn.h"
#include "net/server_io.h"
#include "net/service.h"
#include "cmd/chanserv.h"
#include "cmd/command.h"
#include "cmd/eventlog.h"
#include "cmd/history.h"
#include "cmd/metadata.h"
#include "cmd/readmark.h"
#include "cmd/monitor.h"
#include "cmd/scram.h"
#include "cmd/nickserv.h"
#include "cmd/whowas.h"
#include "store/store.h"
#include "link/link.h"
#include "http/http.h"
#include "http/metrics.h"
#include "daemon.h"

static void
signal_cb(int sig, short what, void *arg)
{
	struct server *srv = arg;
	char err[512];

	server_clock(srv);
	if (sig == SIGHUP) {
		log_info("SIGHUP: reloading %s", srv->config_path ? srv->config_path : "(none)");
		if (server_rehash(srv, err, sizeof(err)) != 0)
			log_warnx("rehash failed, keeping the old configuration: %s", err);
		return;
	}
	log_info("signal %d: shutting down", sig);
	server_shutdown(srv, "Server shutting down");
}

/* server_new: see daemon.h. Subscribers are called in the order they
 * subscribe here. */
struct server *
server_new(struct config *cfg, const char *config_path)
{
	struct server *srv = server_core_new(cfg, config_path);

	if (srv == NULL)
		return NULL;
	if (server_io_init(srv) != 0 || service_init(srv) != 0)
		fatalx("cannot create the loop's events");
	conn_set_dispatch(srv, command_dispatch);
	if (whowas_subscribe(srv) != 0 || monitor_subscribe(srv) != 0 ||
	    eventlog_subscribe(srv) != 0 || link_init(srv) != 0 || metrics_subscribe(srv) != 0 ||
	    chanserv_subscribe(srv) != 0 || history_subscribe(srv) != 0 ||
	    readmark_subscribe(srv) != 0 || nickserv_subscribe(srv) != 0 ||
	    metadata_subscribe(srv) != 0)
		fatalx("event subscriptions exceed EVENT_MAX_SUBSCRIBERS");
	srv->sig_term = evsignal_new(srv->base, SIGTERM, signal_cb, srv);
	srv->sig_int = evsignal_new(srv->base, SIGINT, signal_cb, srv);
	srv->sig_hup = evsignal_new(srv->base, SIGHUP, signal_cb, srv);
	evsignal_add(srv->sig_term, NULL);
	evsignal_add(srv->sig_int, NULL);
	evsignal_add(srv->sig_hup, NULL);
	if (http_start(srv) != 0) {
		server_free(srv);
		return NULL;
	}
	return srv;
}

/* server_accounts_open: see daemon.h. The path is read once: a REHASH
 * that names another file keeps the open one (docs/ACCOUNTS.md). */
int
server_accounts_open(struct server *srv, char *err, size_t errlen)
{
	if (srv->cfg->accounts_db != NULL && srv->store == NULL) {
		srv->store = store_open(srv->cfg->accounts_db, srv->base, srv->cfg->casemapping,
		    err, errlen);
		if (srv->store == NULL)
			return -1;
	}
	/* the history writes to the same database (cmd/history.h) */
	return history_open(srv, err, errlen);
}

/* server_run: see daemon.h. */
int
server_run(struct server *srv)
{
	service_ready(srv); /* the listeners are open (server_listen) */
	event_base_dispatch(srv->base);
	return 0;
}

/* server_free: see daemon.h. */
void
server_free(struct server *srv)
{
	if (srv == NULL)
		return;
	event_free(srv->sig_term);
	event_free(srv->sig_int);
	event_free(srv->sig_hup);
	http_free(srv);
	service_free(srv);
	link_free(srv);
	server_io_free(srv);
	monitor_free_all(srv);
	history_close(srv);
	store_close(srv->store);
	srv->store = NULL;
	scram_free(srv);
	server_core_free(srv);
}
