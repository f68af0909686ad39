/* server.c - the loop, signals, clock, maps, deferred free, WHOWAS, ISUPPORT. */
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
#include "net/conn.h"
#include "core/connlimit.h"
#include "core/kline.h"
#include "net/listener.h"
#include "cmd/monitor.h"
#include "core/log.h"
#include "proto/reply.h"
#include "core/server.h"
#include "net/tls.h"

static void
reaper_cb(int fd, short what, void *arg)
{
	struct server *srv = arg;
	struct client *c;

	server_clock(srv);
	/* Closing a client may overflow others' sendq (its QUIT): loop. */
	while ((c = TAILQ_FIRST(&srv->pending)) != NULL) {
		TAILQ_REMOVE(&srv->pending, c, plink);
		c->flags &= ~CF_PENDING;
		client_close(c, "SendQ exceeded", NULL);
	}
	while ((c = TAILQ_FIRST(&srv->dead)) != NULL) {
		TAILQ_REMOVE(&srv->dead, c, link);
		client_free(c);
	}
	if (srv->shutting_down && TAILQ_EMPTY(&srv->clients))
		event_base_loopexit(srv->base, NULL);
}

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

static void
shutdown_timer_cb(int fd, short what, void *arg)
{
	struct server *srv = arg;

	log_warnx("shutdown: output not flushed in time; exiting anyway");
	event_base_loopexit(srv->base, NULL);
}

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
	struct timeval tv;

	tv.tv_usec = 0;
	tv.tv_sec = srv->cfg->ping_interval;
	srv->tv_ping = event_base_init_common_timeout(srv->base, &tv);
	tv.tv_sec = srv->cfg->ping_timeout;
	srv->tv_pong = event_base_init_common_timeout(srv->base, &tv);
	tv.tv_sec = srv->cfg->registration_timeout;
	srv->tv_reg = event_base_init_common_timeout(srv->base, &tv);
	tv.tv_sec = 10;
	srv->tv_flush = event_base_init_common_timeout(srv->base, &tv);
}

static void
whowas_resize(struct server *srv, unsigned size)
{
	unsigned i;

	for (i = 0; i < srv->whowas_size; i++)
		free(srv->whowas[i].realname);
	free(srv->whowas);
	srv->whowas = size ? calloc(size, sizeof(*srv->whowas)) : NULL;
	if (size && srv->whowas == NULL)
		fatal("calloc whowas");
	srv->whowas_size = size;
	srv->whowas_next = srv->whowas_count = 0;
}

struct server *
server_new(struct config *cfg, const char *config_path)
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
	srv->flusher = event_new(srv->base, -1, 0, conn_flush_cb, srv);
	srv->reaper = event_new(srv->base, -1, 0, reaper_cb, srv);
	srv->sig_term = evsignal_new(srv->base, SIGTERM, signal_cb, srv);
	srv->sig_int = evsignal_new(srv->base, SIGINT, signal_cb, srv);
	srv->sig_hup = evsignal_new(srv->base, SIGHUP, signal_cb, srv);
	evsignal_add(srv->sig_term, NULL);
	evsignal_add(srv->sig_int, NULL);
	evsignal_add(srv->sig_hup, NULL);
	srv->shutdown_timer = evtimer_new(srv->base, shutdown_timer_cb, srv);
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
	server_build_isupport(srv);
	kline_load(srv);
	return srv;
}

int
server_listen(struct server *srv)
{
	size_t i;
	struct listener *l;

	srv->listeners = calloc(srv->cfg->nlistens, sizeof(*srv->listeners));
	if (srv->listeners == NULL)
		fatal("calloc");
	for (i = 0; i < srv->cfg->nlistens; i++) {
		l = listener_open(srv, &srv->cfg->listens[i]);
		if (l != NULL)
			srv->listeners[srv->nlisteners++] = l;
	}
	srv->sts_port = tls_port(srv);	/* sts capability on plaintext ports */
	return srv->nlisteners > 0 ? 0 : -1;
}

int
server_run(struct server *srv)
{
	event_base_dispatch(srv->base);
	return 0;
}

void
server_shutdown(struct server *srv, const char *reason)
{
	struct client *c, *next;
	struct timeval tv = { 5, 0 };
	size_t i;

	if (srv->shutting_down)
		return;
	srv->shutting_down = true;
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

void
server_free(struct server *srv)
{
	struct client *c;
	struct channel *ch, *tmp;
	struct membership *m;
	size_t i;

	if (srv == NULL)
		return;
	while ((c = TAILQ_FIRST(&srv->clients)) != NULL) {
		while ((m = LIST_FIRST(&c->channels)) != NULL)
			channel_remove_member(srv, m);
		if (c->flags & CF_NICK_HASHED)
			HASH_DELETE(hh, srv->nicks, c);
		TAILQ_REMOVE(&srv->clients, c, link);
		client_free(c);
	}
	while ((c = TAILQ_FIRST(&srv->dead)) != NULL) {
		TAILQ_REMOVE(&srv->dead, c, link);
		client_free(c);
	}
	HASH_ITER(hh, srv->channels, ch, tmp)
		channel_free(srv, ch);
	for (i = 0; i < srv->nlisteners; i++)
		listener_close(srv->listeners[i]);
	free(srv->listeners);
	whowas_resize(srv, 0);
	free(srv->holds);
	kline_free_all(srv);
	monitor_free_all(srv);
	connlimit_free(srv);
	event_free(srv->sweep_timer);
	event_free(srv->reaper);
	event_free(srv->flusher);
	event_free(srv->sig_term);
	event_free(srv->sig_int);
	event_free(srv->sig_hup);
	event_free(srv->shutdown_timer);
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

/* server_rehash: the new file replaces the configuration as a whole; the
 * listeners are kept when the [listen] sections did not change (a change
 * of listeners needs a restart and is logged). Connected clients stay. */
int
server_rehash(struct server *srv, char *err, size_t errlen)
{
	struct config *ncfg;
	size_t i;
	bool same = true;

	if (srv->config_path == NULL) {
		ncfg = config_default();
		config_load_motd(ncfg, err, errlen);
		config_free(ncfg);
		snprintf(err, errlen, "no configuration file: running on the embedded defaults");
		return -1;
	}
	ncfg = config_load(srv->config_path, err, errlen);
	if (ncfg == NULL)
		return -1;
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
	config_free(srv->cfg);
	srv->cfg = ncfg;
	if (bans_moved)
		kline_load(srv);
	setup_timeouts(srv);
	server_build_isupport(srv);
	/* New certificates for new handshakes; connected clients keep theirs.
	 * config_load already refused unloadable files, so this fails only
	 * if a file changed in between (the old context stays). */
	tls_reload(srv);
	log_info("configuration reloaded from %s", srv->config_path);
	return 0;
}

void
server_clock(struct server *srv)
{
	struct timeval tv;

	if (event_base_gettimeofday_cached(srv->base, &tv) != 0)
		gettimeofday(&tv, NULL);
	srv->now = tv.tv_sec + srv->now_offset;
	srv->now_ms = (long)(tv.tv_usec / 1000);
}

/* server_time_tag: the server-time tag for this millisecond, formatted
 * only when a server-time client is sent something, at most once per ms. */
const char *
server_time_tag(struct server *srv, size_t *len)
{
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

/* server_build_isupport: RPL_ISUPPORT tokens (Modern IRC "RPL_ISUPPORT
 * Parameters"), at most 13 per line. */
void
server_build_isupport(struct server *srv)
{
	const struct config *cfg = srv->cfg;
	char tok[32][120];
	int n = 0, i, line = 0;
	size_t len = 0;

	snprintf(tok[n++], 80, "AWAYLEN=%u", cfg->awaylen);
	snprintf(tok[n++], 80, "BOT=B");
	snprintf(tok[n++], 80, "CASEMAPPING=%s", casemap_name(cfg->casemapping));
	snprintf(tok[n++], 80, "CHANLIMIT=#&!+:%u", cfg->max_channels_per_user);
	snprintf(tok[n++], 80, "CHANMODES=beI,k,l,imnpst");
	if (cfg->client_tag_deny != NULL)
		snprintf(tok[n++], 80, "CLIENTTAGDENY=%.60s", cfg->client_tag_deny);
	snprintf(tok[n++], 80, "CHANNELLEN=%u", cfg->channellen);
	snprintf(tok[n++], 80, "CHANTYPES=#&!+");
	snprintf(tok[n++], 80, "ELIST=U");
	snprintf(tok[n++], 80, "EXCEPTS=e");
	snprintf(tok[n++], 80, "HOSTLEN=%d", HOSTLEN);
	snprintf(tok[n++], 80, "INVEX=I");
	snprintf(tok[n++], 80, "KICKLEN=%u", cfg->kicklen);
	snprintf(tok[n++], 80, "MAXLIST=beI:%u", cfg->max_list);
	snprintf(tok[n++], 80, "MAXTARGETS=%u", cfg->max_targets);
	snprintf(tok[n++], 80, "MODES=4");
	snprintf(tok[n++], 80, "MONITOR=%d", MONITOR_MAX);
	snprintf(tok[n++], 80, "NETWORK=%s", cfg->network);
	snprintf(tok[n++], 80, "NICKLEN=%u", cfg->nicklen);
	snprintf(tok[n++], 80, "PREFIX=(ov)@+");
	snprintf(tok[n++], 80, "SAFELIST");
	snprintf(tok[n++], 80, "STATUSMSG=@+");
	/* TARGMAX is enforced as advertised (cmd/target.c): past the limit
	 * the first extra target gets 407; duplicates count once. */
	snprintf(tok[n++], 120, "TARGMAX=JOIN:,KICK:%u,LIST:1,NAMES:1,NOTICE:%u,PART:,PRIVMSG:%u,"
	    "TAGMSG:%u,WHOIS:1", cfg->max_targets, cfg->max_targets, cfg->max_targets,
	    cfg->max_targets);
	snprintf(tok[n++], 80, "TOPICLEN=%u", cfg->topiclen);
	snprintf(tok[n++], 80, "USERLEN=%d", USERLEN);
	snprintf(tok[n++], 80, "WHOX");
	if (cfg->utf8only)
		snprintf(tok[n++], 80, "UTF8ONLY");
	srv->nisupport = 0;
	for (i = 0; i < n; i++) {
		if (i % 13 == 0) {
			line = srv->nisupport++;
			srv->isupport[line][0] = '\0';
			len = 0;
		}
		len += (size_t)snprintf(srv->isupport[line] + len, sizeof(srv->isupport[line]) - len,
		    "%s%s", len ? " " : "", tok[i]);
	}
}

void
server_whowas_add(struct server *srv, const struct client *c)
{
	struct whowas *w;

	if (srv->whowas_size == 0)
		return;
	w = &srv->whowas[srv->whowas_next];
	free(w->realname);
	snprintf(w->nick, sizeof(w->nick), "%s", c->nick);
	snprintf(w->user, sizeof(w->user), "%s", c->user);
	snprintf(w->host, sizeof(w->host), "%s", c->host);
	w->realname = strdup(c->realname ? c->realname : "");
	w->when = srv->now;
	srv->whowas_next = (srv->whowas_next + 1) % srv->whowas_size;
	if (srv->whowas_count < srv->whowas_size)
		srv->whowas_count++;
}

void
server_nick_hold(struct server *srv, const char *nick)
{
	struct nick_hold *h;

	if (srv->cfg->nick_delay == 0)
		return;
	(void)server_nick_held(srv, "");	/* purge expired */
	if (srv->nholds == srv->holds_cap) {
		size_t cap = srv->holds_cap ? srv->holds_cap * 2 : 8;
		h = realloc(srv->holds, cap * sizeof(*h));
		if (h == NULL)
			return;
		srv->holds = h;
		srv->holds_cap = cap;
	}
	h = &srv->holds[srv->nholds++];
	server_fold(srv, h->key, nick, sizeof(h->key));
	h->until = srv->now + srv->cfg->nick_delay;
}

/* server_nick_held: a linear scan of the (short-lived, KILL-only) holds. */
bool
server_nick_held(struct server *srv, const char *key)
{
	size_t i = 0;
	bool held = false;

	while (i < srv->nholds) {
		if (srv->holds[i].until <= srv->now) {
			srv->holds[i] = srv->holds[--srv->nholds];
			continue;
		}
		if (strcmp(srv->holds[i].key, key) == 0)
			held = true;
		i++;
	}
	return held;
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
