/* server.h - the one struct server: event loop, listeners, maps, clock,
 * statistics. Passed explicitly everywhere; there is no global server. */
#ifndef EVIRCD_SERVER_H
#define EVIRCD_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/time.h>
#include <time.h>

#include <event2/event.h>

#include "core/client.h"
#include "core/config.h"
#include "core/event.h"

struct client;
struct irc_msg;
struct channel;
struct listener;
struct password_pool;
struct store;
struct scram;
struct turnbuf;
struct http_server;
struct hold_table;

/* One remembered nick for WHOWAS (RFC 2812 §3.6.3, RFC 2813 §5.6). */
struct whowas {
	char nick[NICKLEN_MAX + 1];
	char user[USERLEN + 2];
	char host[HOSTLEN + 1];
	char *realname; /* owned */
	char *server; /* owned: the server the user was on; NULL = this one */
	time_t when;
};

/* A histogram with fixed bucket bounds (Prometheus "le" semantics: bucket i
 * counts observations <= stat_hist_bounds[i]; the +Inf bucket is count).
 * Bounds in seconds, shared by every histogram: 1 ms to 30 s. */
#define STAT_HIST_BUCKETS 14
extern const double stat_hist_bounds[STAT_HIST_BUCKETS];
struct stat_hist {
	uint64_t bucket[STAT_HIST_BUCKETS]; /* non-cumulative counts */
	uint64_t count;
	double sum; /* seconds */
};
/* stat_hist_observe: add one observation of v seconds (O(buckets)). */
void stat_hist_observe(struct stat_hist *h, double v);

/* Counters of the whole server (LUSERS, STATS, metrics): client counts are
 * current values, the 64-bit ones totals since start. */
struct server_stats {
	unsigned clients; /* connected sockets, registered or not */
	unsigned users; /* registered */
	unsigned unknown; /* not yet registered */
	unsigned opers;
	unsigned invisible;
	unsigned channels;
	unsigned max_users; /* highest users seen */
	uint64_t connections; /* accepted since start */
	unsigned remote_users; /* registered users behind links */
	unsigned remote_invisible;
	unsigned remote_opers;
	unsigned servers; /* other servers of the network */
	unsigned links; /* of them, directly linked */
	unsigned max_global; /* highest users + remote_users seen */
	uint64_t lines_in;
	uint64_t bytes_in;
	uint64_t lines_out; /* lines queued to clients */
	uint64_t bytes_out; /* bytes queued to clients (tags included) */
	uint64_t numerics[10]; /* numeric replies sent, by hundreds (index = num / 100) */
	uint64_t sendq_closes; /* "SendQ exceeded" */
	uint64_t flood_closes; /* "Excess Flood" */
	uint64_t fakelag_delays; /* times a client's input was paused by fakelag */
	uint64_t kline_hits; /* connections refused or closed by a K-line */
	uint64_t dline_hits; /* ... by a D-line */
	uint64_t http_rejected; /* HTTP connections answered 503 past [http] max_connections */
	struct stat_hist registration; /* accept to end of registration (the metrics subscriber) */
	struct stat_hist loop_turn; /* callbacks of one loop turn that queued output */
};

/* The server: made by server_new (daemon.c), freed by server_free, owns
 * everything it points to unless a field says otherwise. */
struct server {
	struct event_base *base;
	struct config *cfg; /* owned */
	char *config_path; /* owned; NULL = embedded defaults */
	struct listener **listeners; /* owned array */
	size_t nlisteners;

	struct client *nicks; /* uthash by casefolded nick */
	struct channel *channels; /* uthash by casefolded name */
	struct channel *safe_channels; /* uthash by casefolded short name of '!' channels */
	TAILQ_HEAD(, client) clients; /* every live connection */
	TAILQ_HEAD(, client) dead; /* closed, freed on the next loop turn */
	TAILQ_HEAD(, client) pending; /* to be closed (sendq exceeded) outside iteration */
	TAILQ_HEAD(, client) flushq; /* plain sockets with fresh output (output_flush_cb) */
	struct event *flusher; /* writes flushq at the end of the loop turn */
	TAILQ_HEAD(, client) pumpq; /* output drained: on_drain due (output_pump_cb) */
	struct event *pump; /* zero timer: runs pumpq after the next poll */
	struct turnbuf *turnbuf; /* owned: the turn's shared output (net/turnbuf.h) */
	struct event *reaper; /* runs the pending and dead lists */
	struct event *sig_term, *sig_int, *sig_hup; /* daemon.c */
	struct event *shutdown_timer;
	struct service *service; /* systemd notifications (net/service.h) */
	/* The dispatcher for parsed input lines (conn_set_dispatch). */
	enum cmd_result (*dispatch)(struct client *c, struct irc_msg *m);
	/* link_out: told of every byte queued to a link connection (CF_SERVER),
	 * for STATS l; set by link/ (query_init), NULL = nobody counts. */
	void (*link_out)(struct client *conn, const void *buf, size_t len);
	struct event_bus bus; /* subscribers (core/event.h) */

	/* The per-client timers, one FIFO queue per kind: every timer of a
	 * kind has the same duration (fixed at start), so arming is an
	 * append and the head is always the next due; one event per queue
	 * (created by net/server_io.c, fires at the head's deadline). The
	 * same idea as libevent's common timeouts, without a 128-byte
	 * struct event per client. */
	struct client_timerq {
		TAILQ_HEAD(, client) q;
		struct event *ev; /* owned; NULL until server_io_init */
		int64_t dur_us;
		struct server *srv;
	} timerq[CLIENT_TIMER_KINDS];

	time_t now; /* refreshed once per loop turn; see server_clock */
	time_t now_offset; /* tests: added to the wall clock */
	bool clock_fixed; /* tests: server_clock leaves now/now_ms as
					 * they are; the test moves them (harness
					 * h_advance), so no second passes by itself */
	time_t started;
	char created[64]; /* RPL_CREATED text */
	uint32_t serial; /* broadcast de-duplication */
	char isupport[1024]; /* 005 tokens, space-separated; "" = stale (isupport_build) */

	struct whowas *whowas; /* ring of cfg->whowas_history entries */
	unsigned whowas_size, whowas_next, whowas_count;
	struct monitor_entry *monitors; /* uthash: MONITOR watchers by nick */
	struct kline *klines; /* K/D-lines (kline.c) */
	struct ip_entry *ip_table; /* per-IP / per-CIDR counters (connlimit.c) */
	struct event *sweep_timer; /* drops idle ip_table entries */
	struct throttle *throttle; /* per-address login/register/hash limits (throttle.c) */
	struct password_pool *pwpool; /* argon2id checks off the loop (password.c);
					 * started by the first hash to check */
	struct hist *hist; /* message history (store/history.h), NULL = off;
					 * opened by server_accounts_open (cmd/history.c) */
	struct event *hist_timer; /* its retention sweep, once a minute */
	struct store *store; /* account database (store/store.h), NULL = no
					 * [accounts] database; opened by server_accounts_open */
	struct scram *scram; /* SASL SCRAM-SHA-256 (cmd/scram.c): the GNU SASL
					 * context, made by the first exchange, freed by
					 * server_free (scram_free) */
	TAILQ_HEAD(client_enforceq, client_enforce)
	enforceq; /* nick enforcement
					 * timers, oldest first (core/client.h) */
	struct event *enforce_ev; /* owned; fires at the head's due (cmd/nickserv.c) */
	struct netserver *me; /* this server in the network (core/netserver.h) */
	struct netserver *servers; /* uthash by lower-case name, me included */
	unsigned server_token_next; /* netserver_add: our next token, 0 = 2 */
	struct linkset *linkset; /* owned by link/ (links, timers, state) */
	struct hold_table *nick_holds; /* nicks lost by KILL or a split (core/hold.h) */
	struct hold_table *chan_holds; /* channels emptied by a split (channel delay) */
	struct oper_ref *oper_refs; /* uthash: local operators (link/notice.c) */

	unsigned refused_lingering; /* CF_REFUSED clients (conn.c) */
	int sts_port; /* first TLS listener's port, 0 = none (sts cap) */
	char time_tag[48]; /* output_time_tag cache: "time=...Z" for server-time */
	size_t time_tag_len;
	long now_ms; /* milliseconds part of the clock (server_clock) */
	long time_tag_ms; /* the millisecond time_tag was built for */
	time_t time_tag_sec;
	/* The time tag of the link line being handled ("time=...", link/
	 * sets and clears it around one line of a tag-capable link): while
	 * set, output_time_tag returns it, so every line the change causes
	 * carries the time of its origin server. NULL otherwise. */
	const char *time_override;
	size_t time_override_len;
	uint64_t msgid_next; /* msgid counter */
	char msgid_base[16]; /* per-start prefix so ids stay unique over restarts */
	uint32_t batch_next;
	struct server_stats stats;
	struct http_server *http; /* owned by src/http/http.c; NULL when [http] is off */
	unsigned long cmd_count[64]; /* per command_table index */
	bool shutting_down;
};

/* server_core_new: the registry for cfg: the event_base, the maps, the
 * clock, WHOWAS storage, ISUPPORT, K/D-lines (ownership of cfg passes to
 * the server; config_path may be NULL and is copied). No listeners, no
 * output path, no subscribers: server_new (daemon.h) adds those. NULL on
 * failure. */
struct server *server_core_new(struct config *cfg, const char *config_path);
/* server_core_free: free the registry (channels, WHOWAS, holds, K-lines,
 * the loop, cfg). Every client must have been freed already. */
void server_core_free(struct server *srv);
/* server_reconfigure: install ncfg (ownership passes) in place of the
 * running configuration: listeners and casemapping changes wait for a
 * restart, WHOWAS, bans file, timeouts and ISUPPORT follow at once. */
void server_reconfigure(struct server *srv, struct config *ncfg);
/* server_clock: refresh srv->now (seconds) and srv->now_ms from the loop's
 * cached time (+ now_offset); does nothing while srv->clock_fixed (tests). */
void server_clock(struct server *srv);
/* server_whowas_add: remember nick (c's current or previous nick) with c's
 * user, host and realname for WHOWAS (the WHOWAS subscriber calls it). */
void server_whowas_add(struct server *srv, const struct client *c, const char *nick);
/* server_nick_hold: make nick unavailable to local clients for
 * cfg->nick_delay seconds (RFC 2813 §5.7; 0 = no hold). O(1). */
void server_nick_hold(struct server *srv, const char *nick);
/* server_nick_held: true if the casefolded key is held. O(1). */
bool server_nick_held(struct server *srv, const char *key);
/* server_channel_hold: keep the casefolded channel key unavailable to
 * local JOINs for cfg->channel_delay seconds (RFC 2811 §3.2.2; 0 = no
 * hold); tag names the lost server whose return ends it. O(1). */
void server_channel_hold(struct server *srv, const char *key, const char *tag);
/* server_channel_held: true if the channel name is held. O(1). */
bool server_channel_held(struct server *srv, const char *name);
/* server_fold: casefold name under the configured casemapping into dst. */
size_t server_fold(const struct server *srv, char *dst, const char *name, size_t dstsize);
/* server_find_nick: O(1) lookup of a registered or registering nick. */
struct client *server_find_nick(struct server *srv, const char *nick);
/* server_find_channel: O(1) lookup of a channel by name. */
struct channel *server_find_channel(struct server *srv, const char *name);

#endif
