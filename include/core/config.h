/* config.h - the server configuration: embedded defaults and INI files read
 * with inih. Every key, its default and unit is documented in docs/CONFIG.md. */
#ifndef EVIRCD_CONFIG_H
#define EVIRCD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/casemap.h"
#include "core/connlimit.h"

#define NICKLEN_MAX 32 /* compile-time ceiling for [limits] nicklen */
#define USERLEN	    10 /* ISUPPORT USERLEN; longer user names are cut */
#define HOSTLEN	    64 /* textual IP address with room to spare */
#define REALLEN	    128 /* realname bytes: USER cuts (on a UTF-8 boundary), SETNAME refuses */
#define MONITOR_MAX 100 /* ISUPPORT MONITOR: nicks one client may watch */

/* Line limits (RFC 2812 §2.3, IRCv3 message-tags); the parser
 * (proto/message.h) and the [class] recvq check both need them. */
#define IRC_MAX_PARAMS	    15 /* RFC 2812 §2.3.1 */
#define IRC_LINE_MAX	    512 /* bytes, including CRLF, excluding tags */
#define IRC_CLIENT_TAGS_MAX 4094 /* bytes of client tag data (message-tags) */
#define IRC_TAGS_MAX	    8191 /* bytes of the whole tag section incl. '@' */
/* Longest input line we accept, without CRLF: '@' + client tags + ' ' + 510. */
#define IRC_INPUT_MAX	    (1 + IRC_CLIENT_TAGS_MAX + 1 + IRC_LINE_MAX - 2)
/* Longest line from a server link, without CRLF: servers relay the whole
 * tag section, up to IRC_TAGS_MAX bytes (message-tags "Size limit"). */
#define IRC_LINK_INPUT_MAX  (IRC_TAGS_MAX + 1 + IRC_LINE_MAX - 2)

/* One [listen] section: a bind address and port, optionally TLS. */
struct listen_conf {
	char *address; /* owned; "0.0.0.0", "::", "127.0.0.1"... */
	uint16_t port; /* 0 = kernel picks (tests) */
	bool tls; /* tls = yes: needs certificate and private_key */
	bool websocket; /* websocket = yes: IRCv3 WebSocket clients (net/ws.h) */
	char *certificate; /* owned; PEM chain file, NULL = none */
	char *private_key; /* owned; PEM key file, NULL = none */
	int line; /* line of the [listen] header, for errors */
};

/* One [oper] section. */
struct oper_conf {
	char *name; /* owned */
	char *password; /* owned; plain text or a hash (see core/password.h) */
	char *host; /* owned; nick!user@host or user@host glob; "*" = any */
	char *account; /* owned; NULL = none; else OPER succeeds only for a client
			 * logged in to this account (InspIRCd 4's <oper account>);
			 * then password may be left out */
};

/* One [link] section: a server we link with (RFC 2813; docs/NETWORK.md).
 * Passwords: send_password is what we send in our PASS (plain text: it is
 * sent); accept_password is what the peer's PASS must match (plain text
 * compared in constant time, or an argon2id hash from --mkpasswd checked
 * off the loop). `password` sets both. */
struct link_conf {
	char *name; /* owned; the peer's server name (required) */
	char *address; /* owned; where to connect; NULL = only accept */
	uint16_t port; /* 0 = none (only accept) */
	char *send_password; /* owned; plain text (required) */
	char *accept_password; /* owned; plain or hash (required) */
	bool tls; /* connect out with TLS */
	bool autoconnect; /* connect at start and after a split */
	unsigned connect_retry; /* s: first back-off between tries (doubles up to 32x) */
	bool hub; /* may introduce other servers */
	bool services; /* the services server (Atheme, Anope): SVSNICK, METADATA and user
			* modes for any user, may introduce (juped) servers; at most one; no
			* [accounts] beside it. Without password and address: only names it,
			* linked to another server of the network */
	size_t sendq, recvq; /* bytes, for this link's connection */
	int line; /* line of the [link] header, for errors */
};

/* The [http] section: the metrics and status page listener (src/http/).
 * Off unless the file has an [http] section; then it listens on address
 * (loopback by default). Changes take effect at the next start. */
struct http_conf {
	bool enabled; /* an [http] section was given */
	char *address; /* owned; an IPv4 or IPv6 literal, default "127.0.0.1" */
	uint16_t port; /* default HTTP_DEFAULT_PORT; 0 = kernel picks (tests) */
	char *token; /* owned; bearer token, NULL = loopback clients only */
	unsigned max_connections; /* open HTTP connections at once (default 16) */
	unsigned timeout; /* s: a request must arrive and be answered within it */
	int line; /* line of the [http] header, for errors */
};
#define HTTP_DEFAULT_PORT 6680
#define HTTP_TOKEN_MIN	  16 /* bytes: a bearer token shorter than this is refused */
#define HTTP_TOKEN_MAX	  256

/* The whole configuration. All strings are owned by the struct and freed by
 * config_free. Units: seconds for times, bytes for sizes. */
struct config {
	char *name; /* server name; default: the host name */
	char *network; /* ISUPPORT NETWORK; default "evircd" */
	char *description;
	char *motd_file; /* NULL = built-in MOTD */
	char *admin_name, *admin_location, *admin_email;
	char **motd; /* loaded MOTD lines, NULL if none */
	size_t motd_count;
	char *help_file; /* NULL = the installed EVIRCD_HELP_FILE */
	struct help_topic *help; /* loaded HELP topics, sorted by name */
	size_t nhelp;

	struct listen_conf *listens;
	size_t nlistens;

	unsigned max_clients;
	unsigned ping_interval, ping_timeout, registration_timeout; /* s */
	unsigned tls_handshake_timeout; /* s, from accept to the end of the TLS handshake */
	unsigned nicklen, channellen, topiclen, kicklen, awaylen;
	unsigned max_channels_per_user;
	unsigned max_list; /* MAXLIST for b/e/I together */
	unsigned max_targets; /* TARGMAX for PRIVMSG/NOTICE */
	size_t sendq, recvq; /* bytes */
	unsigned whowas_history;
	unsigned nick_delay; /* s */
	unsigned channel_delay; /* s: RFC 2811 §3.2.2, 0 = off */
	enum casemapping casemapping;
	bool utf8only; /* ISUPPORT UTF8ONLY: refuse invalid UTF-8 with FAIL */
	char *client_tag_deny; /* ISUPPORT CLIENTTAGDENY value, NULL = relay all */

	/* [history] (docs/HISTORY.md): message history and draft/chathistory */
	bool history_enabled;
	bool history_persist; /* rows go to the [accounts] database when there is one */
	bool history_events; /* store JOIN/PART/... for draft/event-playback */
	size_t history_cache_size; /* bytes: the tail cache's budget */
	unsigned history_max_lines; /* rows per target, 0 = no limit */
	unsigned history_max_age; /* s, 0 = no limit */
	unsigned history_query_limit; /* ISUPPORT CHATHISTORY: lines per query */
	unsigned history_join_playback; /* lines on JOIN for clients without the cap */
	unsigned history_redact_window; /* s a sender may REDACT its own message, 0 = always */
	unsigned multiline_max_bytes; /* draft/multiline max-bytes ([limits]) */
	unsigned multiline_max_lines; /* draft/multiline max-lines ([limits]) */

	/* [metadata] (docs/METADATA.md): IRCv3 draft/metadata-3 */
	bool metadata_enabled;
	unsigned metadata_max_keys; /* pairs per user and per channel */
	unsigned metadata_max_subs; /* METADATA SUB keys per client */
	unsigned metadata_max_value_bytes; /* bytes of one value */
	unsigned metadata_sync_members; /* a JOIN syncs channels up to this size, 774 above */

	bool flood_enabled; /* fakelag, RFC 1459 §8.10 */
	unsigned flood_burst; /* s of penalty allowed ahead of the clock */
	unsigned flood_penalty; /* s added per ordinary command */
	bool flood_exempt_opers;

	struct conn_class *classes; /* [class] sections, first match wins */
	size_t nclasses;
	char *bans_file; /* K/D-lines are kept here; NULL = memory only */
	bool sts; /* offer the IRCv3 sts capability (with a TLS listener) */
	unsigned sts_duration; /* s: sts persistence policy on TLS connections */

	char *password; /* connection password (PASS), NULL = none */
	char
	    *accounts_db; /* [accounts] database: SQLite file, NULL = no accounts (store/store.h) */
	/* Nick protection (cmd/nickserv.c): a nick owned by an account whose
	 * user is not logged in to it is renamed to guest_prefix + 5 digits
	 * after enforce_grace seconds; enforce_default applies to accounts
	 * that have not chosen (NickServ SET ENFORCE). */
	bool enforce_default;
	unsigned enforce_grace; /* s */
	/* argon2id cost of new account password hashes ([accounts]
	 * hash_passes, hash_memory in KiB); existing hashes carry their own */
	unsigned hash_passes, hash_memory;
	/* Per-address limits (core/throttle.h): failed logins allowed per
	 * login_window s, registrations per register_window s, hash jobs
	 * queued at once; 0 = no limit */
	unsigned login_failures, login_window;
	unsigned register_limit, register_window;
	unsigned hash_jobs_per_ip;
	char *guest_prefix; /* owned */
	bool log_syslog; /* [log] syslog: copy the log to syslog(3) */
	int log_facility; /* [log] facility: LOG_DAEMON, LOG_LOCAL0.. */
	/* [websocket] origins: the Origin values a browser may open a
	 * WebSocket from, space or comma separated globs, as in
	 * "https://chat.example.org http://localhost:*"; NULL = any origin
	 * (net/ws.c). */
	char *ws_origins;
	struct oper_conf *opers;
	size_t nopers;
	struct link_conf *links; /* [link] sections */
	size_t nlinks;
	struct http_conf http;
};

/* config_default: a new configuration with every default filled in and one
 * listener on all IPv4 and IPv6 addresses, port 6667. Never NULL (aborts on
 * out-of-memory). Free with config_free. */
struct config *config_default(void);
/* config_listen_check_fn: a check of one [listen] section that needs a
 * higher layer (tls_check: can the certificate and key be loaded?). 0, or
 * -1 with err filled. */
typedef int (*config_listen_check_fn)(const struct listen_conf *lc, char *err, size_t errlen);
/* config_load_checked: read an INI file over the defaults; every [listen]
 * section with tls = yes or websocket = yes is passed to check (may be
 * NULL), so that -t, start-up and REHASH all refuse unloadable certificate
 * files (and WebSocket listeners in a build without wslay). On error
 * returns NULL and writes "FILE:LINE: what is wrong" into err (errlen
 * bytes). */
struct config *config_load_checked(const char *path, config_listen_check_fn check, char *err,
    size_t errlen);
/* config_load: config_load_checked without a [listen] check (unit tests). */
struct config *config_load(const char *path, char *err, size_t errlen);
/* One HELP topic (cmd_help): its upper-case name and its text lines. */
struct help_topic {
	char *name; /* owned, upper case, at most 32 bytes */
	char **lines; /* owned */
	size_t nlines;
};

/* Bounds of the help file: what a file past them holds is left out. */
#define HELP_FILE_MAX	(256 * 1024) /* bytes read */
#define HELP_TOPICS_MAX 256
#define HELP_LINE_MAX	400 /* bytes of one line (longer ones are cut) */

/* config_load_help: (re)read cfg->help_file (or, when it is NULL, the
 * installed EVIRCD_HELP_FILE, whose absence is no error: no topics) into
 * cfg->help. File format: "[TOPIC]" starts a topic, the lines after it are
 * its text, "#" lines are comments. Returns 0, or -1 with err set when a
 * configured file cannot be read or is malformed. */
int config_load_help(struct config *cfg, char *err, size_t errlen);
/* config_help_find: the topic named name (case-insensitive), or NULL.
 * O(log topics). */
const struct help_topic *config_help_find(const struct config *cfg, const char *name);

/* config_load_motd: (re)read cfg->motd_file into cfg->motd. Returns 0, or -1
 * with err filled when the file cannot be read. */
int config_load_motd(struct config *cfg, char *err, size_t errlen);
/* config_find_link: the [link] section named name (ASCII case-insensitive,
 * as server names are), or NULL. */
const struct link_conf *config_find_link(const struct config *cfg, const char *name);
/* config_services_link: the [link] section with services = yes (the
 * network's one services server, docs/NETWORK.md), or NULL. */
const struct link_conf *config_services_link(const struct config *cfg);
/* config_addr_is_loopback: true if the IPv4 or IPv6 literal addr is a
 * loopback address (127.0.0.0/8, ::1, ::ffff:127.x.y.z). */
bool config_addr_is_loopback(const char *addr);
/* config_free: free cfg and everything it owns; NULL is fine. */
void config_free(struct config *cfg);

#endif
