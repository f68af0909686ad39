/* config.h - the server configuration: embedded defaults and INI files read
 * with inih. Every key, its default and unit is documented in docs/CONFIG.md. */
#ifndef EVIRCD_CONFIG_H
#define EVIRCD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/casemap.h"
#include "core/connlimit.h"

#define NICKLEN_MAX	32	/* compile-time ceiling for [limits] nicklen */
#define USERLEN		10	/* ISUPPORT USERLEN; longer user names are cut */
#define HOSTLEN		64	/* textual IP address with room to spare */

/* One [listen] section: a bind address and port, optionally TLS. */
struct listen_conf {
	char		*address;	/* owned; "0.0.0.0", "::", "127.0.0.1"... */
	uint16_t	 port;		/* 0 = kernel picks (tests) */
	bool		 tls;		/* tls = yes: needs certificate and private_key */
	char		*certificate;	/* owned; PEM chain file, NULL = none */
	char		*private_key;	/* owned; PEM key file, NULL = none */
	int		 line;		/* line of the [listen] header, for errors */
};

/* One [oper] section. */
struct oper_conf {
	char		*name;		/* owned */
	char		*password;	/* owned; plain text or a hash (see password_check) */
	char		*host;		/* owned; nick!user@host or user@host glob; "*" = any */
};

/* The whole configuration. All strings are owned by the struct and freed by
 * config_free. Units: seconds for times, bytes for sizes. */
struct config {
	char		*name;		/* server name; default: the host name */
	char		*network;	/* ISUPPORT NETWORK; default "evircd" */
	char		*description;
	char		*motd_file;	/* NULL = built-in MOTD */
	char		*admin_name, *admin_location, *admin_email;
	char		**motd;		/* loaded MOTD lines, NULL if none */
	size_t		 motd_count;

	struct listen_conf *listens;
	size_t		 nlistens;

	unsigned	 max_clients;
	unsigned	 ping_interval, ping_timeout, registration_timeout; /* s */
	unsigned	 nicklen, channellen, topiclen, kicklen, awaylen;
	unsigned	 max_channels_per_user;
	unsigned	 max_list;	/* MAXLIST for b/e/I together */
	unsigned	 max_targets;	/* TARGMAX for PRIVMSG/NOTICE */
	size_t		 sendq, recvq;	/* bytes */
	unsigned	 whowas_history;
	unsigned	 nick_delay;	/* s */
	enum casemapping casemapping;
	bool		 utf8only;	/* ISUPPORT UTF8ONLY: refuse invalid UTF-8 with FAIL */
	char		*client_tag_deny;	/* ISUPPORT CLIENTTAGDENY value, NULL = relay all */

	bool		 flood_enabled;	/* fakelag, RFC 1459 §8.10 */
	unsigned	 flood_burst;	/* s of penalty allowed ahead of the clock */
	unsigned	 flood_penalty;	/* s added per ordinary command */
	bool		 flood_exempt_opers;

	struct conn_class *classes;	/* [class] sections, first match wins */
	size_t		 nclasses;
	char		*bans_file;	/* K/D-lines are kept here; NULL = memory only */
	bool		 sts;		/* offer the IRCv3 sts capability (with a TLS listener) */
	unsigned	 sts_duration;	/* s: sts persistence policy on TLS connections */

	char		*password;	/* connection password (PASS), NULL = none */
	struct oper_conf *opers;
	size_t		 nopers;
};

/* config_default: a new configuration with every default filled in and one
 * listener on all IPv4 and IPv6 addresses, port 6667. Never NULL (aborts on
 * out-of-memory). Free with config_free. */
struct config *config_default(void);
/* config_load: read an INI file over the defaults. On error returns NULL and
 * writes "FILE:LINE: what is wrong" into err (errlen bytes). */
struct config *config_load(const char *path, char *err, size_t errlen);
/* config_load_motd: (re)read cfg->motd_file into cfg->motd. Returns 0, or -1
 * with err filled when the file cannot be read. */
int config_load_motd(struct config *cfg, char *err, size_t errlen);
/* config_free: free cfg and everything it owns; NULL is fine. */
void config_free(struct config *cfg);
/* password_check: constant-time comparison of a client's password with a
 * configured one. true when they match. */
bool password_check(const char *stored, const char *given);

#endif
