/* server.c - the registry: maps, clock, WHOWAS storage, nick holds,
 * ISUPPORT, statistics. The loop, listeners and teardown live above it
 * (net/server_io.c, src/daemon.c). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/connlimit.h"
#include "core/hold.h"
#include "core/kline.h"
#include "core/log.h"
#include "core/password.h"
#include "core/netserver.h"
#include "core/server.h"
#include "core/throttle.h"

static void
sweep_cb(int fd, short what, void *arg)
{
	struct server *srv = arg;

	server_clock(srv);
	connlimit_sweep(srv);
}

static void
setup_timeouts(struct server *srv)
{
	static const int64_t s = 1000000;
	int k;

	for (k = 0; k < CLIENT_TIMER_KINDS; k++) {
		TAILQ_INIT(&srv->timerq[k].q);
		srv->timerq[k].srv = srv;
	}
	srv->timerq[TIMER_PING].dur_us = (int64_t)srv->cfg->ping_interval * s;
	srv->timerq[TIMER_PONG].dur_us = (int64_t)srv->cfg->ping_timeout * s;
	srv->timerq[TIMER_REGISTRATION].dur_us = (int64_t)srv->cfg->registration_timeout * s;
	srv->timerq[TIMER_FLUSH].dur_us = 10 * s;
	srv->timerq[TIMER_FAKELAG].dur_us = 1 * s;
	srv->timerq[TIMER_HANDSHAKE].dur_us = (int64_t)srv->cfg->tls_handshake_timeout * s;
}

static void
whowas_resize(struct server *srv, unsigned size)
{
	unsigned i;

	for (i = 0; i < srv->whowas_size; i++) {
		free(srv->whowas[i].realname);
		free(srv->whowas[i].server);
	}
	free(srv->whowas);
	srv->whowas = size ? calloc(size, sizeof(*srv->whowas)) : NULL;
	if (size && srv->whowas == NULL)
		fatal("calloc whowas");
	srv->whowas_size = size;
	srv->whowas_next = srv->whowas_count = 0;
}

/* server_core_new: see server.h. */
struct server *
server_core_new(struct config *cfg, const char *config_path)
{
	struct server *srv = calloc(1, sizeof(*srv));
	struct tm tm;

	if (srv == NULL)
		return NULL;
	srv->base = event_base_new();
	if (srv->base == NULL) {
		free(srv);
		return NULL;
	}
	srv->cfg = cfg;
	if (config_path != NULL && (srv->config_path = strdup(config_path)) == NULL)
		fatal("strdup");
	TAILQ_INIT(&srv->clients);
	TAILQ_INIT(&srv->dead);
	TAILQ_INIT(&srv->pending);
	TAILQ_INIT(&srv->flushq);
	TAILQ_INIT(&srv->pumpq);
	TAILQ_INIT(&srv->enforceq);
	srv->sweep_timer = event_new(srv->base, -1, EV_PERSIST, sweep_cb, srv);
	{
		struct timeval minute = { 60, 0 };
		event_add(srv->sweep_timer, &minute);
	}
	server_clock(srv);
	srv->started = srv->now;
	/* msgids: a per-start base (start time, pid) + a counter: unique over
	 * restarts without a random source. */
	snprintf(srv->msgid_base, sizeof(srv->msgid_base), "%llx%x-",
	    (unsigned long long)srv->started, (unsigned)getpid() & 0xfff);
	gmtime_r(&srv->started, &tm);
	strftime(srv->created, sizeof(srv->created), "%a %b %d %Y at %H:%M:%S UTC", &tm);
	setup_timeouts(srv);
	whowas_resize(srv, cfg->whowas_history);
	srv->isupport[0] = '\0'; /* 005 tokens built on first use (cmd/isupport.c) */
	kline_load(srv);
	netserver_init(srv);
	srv->nick_holds = hold_table_new(srv);
	srv->chan_holds = hold_table_new(srv);
	if (srv->nick_holds == NULL || srv->chan_holds == NULL)
		fatal("hold_table_new");
	return srv;
}

/* server_core_free: see server.h. */
void
server_core_free(struct server *srv)
{
	struct channel *ch, *tmp;

	password_pool_free(srv->pwpool); /* NULL-safe; clients and their jobs are gone */
	HASH_ITER(hh, srv->channels, ch, tmp)
		channel_free(srv, ch);
	whowas_resize(srv, 0);
	hold_table_free(srv->nick_holds);
	hold_table_free(srv->chan_holds);
	kline_free_all(srv);
	netserver_free_all(srv);
	connlimit_free(srv);
	throttle_free(srv->throttle);
	event_free(srv->sweep_timer);
	if (srv->enforce_ev != NULL)
		event_free(srv->enforce_ev);
	event_base_free(srv->base);
	config_free(srv->cfg);
	free(srv->config_path);
	free(srv);
}

static bool
listen_same(const struct listen_conf *a, const struct listen_conf *b)
{
	return a->port == b->port && a->tls == b->tls && strcmp(a->address, b->address) == 0;
}

/* server_reconfigure: the new file replaces the configuration as a whole;
 * the listeners are kept when the [listen] sections did not change (a
 * change of listeners needs a restart and is logged). Connected clients
 * stay. */
void
server_reconfigure(struct server *srv, struct config *ncfg)
{
	size_t i;
	bool same = true;

	if (ncfg->nlistens != srv->cfg->nlistens)
		same = false;
	for (i = 0; same && i < ncfg->nlistens; i++)
		same = listen_same(&ncfg->listens[i], &srv->cfg->listens[i]);
	if (!same) {
		log_warnx("rehash: [listen] changes take effect at the next restart");
		/* keep the running listener list consistent with the sockets */
		struct listen_conf *tmp = ncfg->listens;
		size_t n = ncfg->nlistens;
		ncfg->listens = srv->cfg->listens;
		ncfg->nlistens = srv->cfg->nlistens;
		srv->cfg->listens = tmp;
		srv->cfg->nlistens = n;
	}
	if (ncfg->casemapping != srv->cfg->casemapping) {
		/* the nick and channel maps are keyed by the folded names */
		log_warnx("rehash: casemapping changes take effect at the next restart");
		ncfg->casemapping = srv->cfg->casemapping;
	}
	if (ncfg->whowas_history != srv->cfg->whowas_history)
		whowas_resize(srv, ncfg->whowas_history);
	bool bans_moved = (ncfg->bans_file == NULL) != (srv->cfg->bans_file == NULL) ||
	    (ncfg->bans_file && strcmp(ncfg->bans_file, srv->cfg->bans_file) != 0);
	if (ncfg->log_syslog != srv->cfg->log_syslog ||
	    ncfg->log_facility != srv->cfg->log_facility)
		log_syslog(ncfg->log_syslog, ncfg->log_facility);
	config_free(srv->cfg);
	srv->cfg = ncfg;
	if (bans_moved)
		kline_load(srv);
	setup_timeouts(srv);
	srv->isupport[0] = '\0'; /* 005 tokens rebuilt from the new configuration on next use */
}

void
server_clock(struct server *srv)
{
	struct timeval tv;

	if (srv->clock_fixed)
		return;
	if (event_base_gettimeofday_cached(srv->base, &tv) != 0)
		gettimeofday(&tv, NULL);
	srv->now = tv.tv_sec + srv->now_offset;
	srv->now_ms = (long)(tv.tv_usec / 1000);
}

const double stat_hist_bounds[STAT_HIST_BUCKETS] = {
	0.001,
	0.0025,
	0.005,
	0.01,
	0.025,
	0.05,
	0.1,
	0.25,
	0.5,
	1,
	2.5,
	5,
	10,
	30,
};

/* stat_hist_observe: see server.h. */
void
stat_hist_observe(struct stat_hist *h, double v)
{
	int i;

	if (v < 0)
		v = 0;
	for (i = 0; i < STAT_HIST_BUCKETS; i++)
		if (v <= stat_hist_bounds[i]) {
			h->bucket[i]++;
			break;
		}
	h->count++;
	h->sum += v;
}

void
server_whowas_add(struct server *srv, const struct client *c, const char *nick)
{
	struct whowas *w;

	if (srv->whowas_size == 0)
		return;
	w = &srv->whowas[srv->whowas_next];
	free(w->realname);
	free(w->server);
	/* a remote user's server, for 312 in WHOWAS (RFC 2812 §3.6.3) */
	w->server = (c->flags & CF_REMOTE) ? strdup(client_server(c)->name) : NULL;
	snprintf(w->nick, sizeof(w->nick), "%s", nick);
	snprintf(w->user, sizeof(w->user), "%s", c->user);
	snprintf(w->host, sizeof(w->host), "%s", c->host);
	w->realname = strdup(c->realname ? c->realname : "");
	w->when = srv->now;
	srv->whowas_next = (srv->whowas_next + 1) % srv->whowas_size;
	if (srv->whowas_count < srv->whowas_size)
		srv->whowas_count++;
}

/* server_nick_hold: see server.h. */
void
server_nick_hold(struct server *srv, const char *nick)
{
	char key[NICKLEN_MAX + 2];

	if (srv->cfg->nick_delay == 0 || strlen(nick) > NICKLEN_MAX)
		return;
	server_fold(srv, key, nick, sizeof(key));
	if (hold_add(srv->nick_holds, key, srv->cfg->nick_delay, NULL) != 0)
		log_warnx("nick hold for %s: out of memory", nick);
}

/* server_nick_held: see server.h. */
bool
server_nick_held(struct server *srv, const char *key)
{
	return hold_find(srv->nick_holds, key) != NULL;
}

/* server_channel_hold: see server.h. */
void
server_channel_hold(struct server *srv, const char *key, const char *tag)
{
	if (hold_add(srv->chan_holds, key, srv->cfg->channel_delay, tag) != 0)
		log_warnx("channel hold for %s: out of memory", key);
}

/* server_channel_held: see server.h. */
bool
server_channel_held(struct server *srv, const char *name)
{
	char key[256];

	if (srv->chan_holds->count == 0 || strlen(name) >= sizeof(key))
		return false;
	server_fold(srv, key, name, sizeof(key));
	return hold_find(srv->chan_holds, key) != NULL;
}

size_t
server_fold(const struct server *srv, char *dst, const char *name, size_t dstsize)
{
	return casemap_fold(srv->cfg->casemapping, dst, name, dstsize);
}

struct client *
server_find_nick(struct server *srv, const char *nick)
{
	char key[NICKLEN_MAX + 2];
	struct client *c;

	if (strlen(nick) > NICKLEN_MAX)
		return NULL;
	server_fold(srv, key, nick, sizeof(key));
	HASH_FIND_STR(srv->nicks, key, c);
	return c;
}

struct channel *
server_find_channel(struct server *srv, const char *name)
{
	char key[256];
	struct channel *ch;

	if (strlen(name) >= sizeof(key))
		return NULL;
	server_fold(srv, key, name, sizeof(key));
	HASH_FIND_STR(srv->channels, key, ch);
	return ch;
}
