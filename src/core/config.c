/* config.c - embedded defaults and INI configuration files (inih). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ini.h>

#include "evircd_config.h"

#include "core/config.h"
#include "core/log.h"
#include "core/password.h"

static void help_free(struct config *cfg);

static const char *const builtin_motd[] = {
	"Welcome to evircd, an asynchronous IRC server on libevent.",
	"No MOTD file is configured: set [server] motd_file to replace this text.",
	"Be excellent to each other.",
};

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		fatal("strdup");
	return d;
}

static void *
xreallocarray(void *p, size_t n, size_t size)
{
	void *q;

	if (size != 0 && n > SIZE_MAX / size)
		fatalx("allocation overflow");
	q = realloc(p, n * size);
	if (q == NULL)
		fatal("realloc");
	return q;
}

static void
add_listen(struct config *cfg, const char *address, uint16_t port)
{
	cfg->listens = xreallocarray(cfg->listens, cfg->nlistens + 1, sizeof(*cfg->listens));
	memset(&cfg->listens[cfg->nlistens], 0, sizeof(cfg->listens[0]));
	cfg->listens[cfg->nlistens].address = xstrdup(address);
	cfg->listens[cfg->nlistens].port = port;
	cfg->nlistens++;
}

/* add_class: a [class] with every limit off (0) and /24, /64 networks. */
static struct conn_class *
add_class(struct config *cfg, const char *name)
{
	struct conn_class *cls;

	cfg->classes = xreallocarray(cfg->classes, cfg->nclasses + 1, sizeof(*cfg->classes));
	cls = &cfg->classes[cfg->nclasses++];
	memset(cls, 0, sizeof(*cls));
	cls->name = xstrdup(name);
	cls->cidr_v4 = 24;
	cls->cidr_v6 = 64;
	cls->throttle_period = 60;
	return cls;
}

static void
class_add_match(struct conn_class *cls, const struct cidr *net)
{
	cls->match = xreallocarray(cls->match, cls->nmatch + 1, sizeof(*cls->match));
	cls->match[cls->nmatch++] = *net;
}

static void
clear_classes(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nclasses; i++) {
		free(cfg->classes[i].name);
		free(cfg->classes[i].match);
	}
	free(cfg->classes);
	cfg->classes = NULL;
	cfg->nclasses = 0;
}

/* default_classes: loopback is unlimited (tests, benchmarks, bouncers on
 * the same host); everyone else gets limits close to Solanum's default
 * class and InspIRCd's connect-flood ban: 10 per IP, 50 per /24 or /64,
 * 10 connects per IP per 60 s. */
static void
default_classes(struct config *cfg)
{
	struct conn_class *cls;
	struct cidr net;

	cls = add_class(cfg, "loopback");
	cidr_parse("127.0.0.0/8", &net);
	class_add_match(cls, &net);
	cidr_parse("::1/128", &net);
	class_add_match(cls, &net);
	cls = add_class(cfg, "default");
	cidr_parse("0.0.0.0/0", &net);
	class_add_match(cls, &net);
	cidr_parse("::/0", &net);
	class_add_match(cls, &net);
	cls->max_per_ip = 10;
	cls->max_per_cidr = 50;
	cls->throttle_count = 10;
	cls->throttle_period = 60;
}

static void
clear_listens(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nlistens; i++) {
		free(cfg->listens[i].address);
		free(cfg->listens[i].certificate);
		free(cfg->listens[i].private_key);
	}
	free(cfg->listens);
	cfg->listens = NULL;
	cfg->nlistens = 0;
}

/* config_default: every default in one place (documented in docs/CONFIG.md). */
struct config *
config_default(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	char host[256];

	if (cfg == NULL)
		fatal("calloc");
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		strcpy(host, "irc.localhost");
	host[sizeof(host) - 1] = '\0';
	if (strlen(host) > 63)
		host[63] = '\0';
	cfg->name = xstrdup(host);
	cfg->network = xstrdup("evircd");
	cfg->description = xstrdup("evircd IRC server");
	cfg->admin_name = xstrdup("The server administrator");
	cfg->admin_location = xstrdup("Somewhere on the Internet");
	cfg->admin_email = xstrdup("root@localhost");
	add_listen(cfg, "0.0.0.0", 6667);
	add_listen(cfg, "::", 6667);
	cfg->max_clients = 100000;
	cfg->ping_interval = 120;
	cfg->ping_timeout = 60;
	cfg->registration_timeout = 30;
	cfg->tls_handshake_timeout = 10;
	cfg->nicklen = 30;
	cfg->channellen = 50;
	cfg->topiclen = 390;
	cfg->kicklen = 390;
	cfg->awaylen = 200;
	cfg->max_channels_per_user = 20;
	cfg->max_list = 100;
	cfg->max_targets = 4;
	cfg->sendq = 1024 * 1024;
	cfg->recvq = 16384;
	cfg->whowas_history = 100;
	/* history on, in memory (Ergo's default: history.enabled, in memory
	 * unless persistent is set); rows go to the database when there is
	 * one; a week or 10000 lines per target, whichever is less */
	cfg->history_enabled = true;
	cfg->history_persist = true;
	cfg->history_events = true;
	cfg->history_cache_size = 16u << 20;
	cfg->history_max_lines = 10000;
	cfg->history_max_age = 7 * 86400;
	cfg->history_query_limit = 100;
	cfg->history_join_playback = 0;
	cfg->history_redact_window = 900;
	/* draft/multiline: 4096 bytes as Ergo's default max-bytes; 32 lines
	 * (Ergo 100): every line is charged fakelag and costs the recipients
	 * its own prefix, so a batch stays within the default burst plus a
	 * few seconds and within a fraction of the default sendq */
	cfg->multiline_max_bytes = 4096;
	cfg->multiline_max_lines = 32;
	/* metadata (docs/METADATA.md): pairs are held in memory only, so
	 * the bounds are modest: 20 pairs of up to 300 bytes per user or
	 * channel, 50 subscribed keys per client */
	cfg->metadata_enabled = true;
	cfg->metadata_max_keys = 20;
	cfg->metadata_max_subs = 50;
	cfg->metadata_max_value_bytes = 300;
	cfg->metadata_sync_members = 200;
	cfg->nick_delay = 30;
	cfg->channel_delay = 600;
	cfg->casemapping = CASEMAP_RFC1459;
	cfg->flood_enabled = true;
	cfg->sts = true;
	cfg->sts_duration = 300;
	cfg->flood_burst = 10;
	cfg->flood_penalty = 1;
	cfg->flood_exempt_opers = true;
	cfg->enforce_default = true;
	cfg->enforce_grace = 30;
	cfg->hash_passes = PASSWORD_DEFAULT_PASSES;
	cfg->hash_memory = PASSWORD_DEFAULT_MEM_KIB;
	cfg->login_failures = 10;
	cfg->login_window = 60;
	cfg->register_limit = 5;
	cfg->register_window = 3600;
	cfg->hash_jobs_per_ip = 4;
	cfg->guest_prefix = xstrdup("Guest");
	cfg->log_facility = log_facility("daemon");
	cfg->http.address = xstrdup("127.0.0.1");
	cfg->http.port = HTTP_DEFAULT_PORT;
	cfg->http.max_connections = 16;
	cfg->http.timeout = 10;
	default_classes(cfg);
	return cfg;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->name);
	free(cfg->network);
	free(cfg->description);
	free(cfg->motd_file);
	free(cfg->help_file);
	help_free(cfg);
	free(cfg->admin_name);
	free(cfg->admin_location);
	free(cfg->admin_email);
	for (i = 0; i < cfg->motd_count; i++)
		free(cfg->motd[i]);
	free(cfg->motd);
	clear_listens(cfg);
	clear_classes(cfg);
	free(cfg->bans_file);
	free(cfg->client_tag_deny);
	for (i = 0; i < cfg->nopers; i++) {
		free(cfg->opers[i].name);
		free(cfg->opers[i].password);
		free(cfg->opers[i].host);
		free(cfg->opers[i].account);
	}
	free(cfg->opers);
	for (i = 0; i < cfg->nlinks; i++) {
		struct link_conf *lk = &cfg->links[i];
		free(lk->name);
		free(lk->address);
		if (lk->send_password != NULL)
			explicit_bzero(lk->send_password, strlen(lk->send_password));
		free(lk->send_password);
		free(lk->accept_password);
	}
	free(cfg->links);
	free(cfg->password);
	free(cfg->accounts_db);
	free(cfg->guest_prefix);
	free(cfg->ws_origins);
	free(cfg->http.address);
	free(cfg->http.token);
	free(cfg);
}

/* config_addr_is_loopback: see config.h. */
bool
config_addr_is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
	}
	return false;
}

/* Parser state shared by the line reader and the key handler. */
struct parse_ctx {
	struct config *cfg;
	const char *path;
	FILE *f;
	int lineno;
	int listen_sections;
	int class_sections;
	char *section; /* current section */
	char err[512];
};

static void perr(struct parse_ctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
perr(struct parse_ctx *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (p->err[0] != '\0')
		return; /* keep the first error */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, sizeof(p->err), "%s:%d: %s", p->path, p->lineno, msg);
}

/* reader: fgets that counts lines and sees section headers, so that the
 * repeatable sections ([listen], [oper]) start a new entry each time, even
 * when they carry no keys, and every error has its line number. */
static char *
reader(char *str, int num, void *stream)
{
	struct parse_ctx *p = stream;
	char *s, *e;

	if (p->err[0] != '\0')
		return NULL;
	if (fgets(str, num, p->f) == NULL)
		return NULL;
	p->lineno++;
	s = str;
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '[')
		return str;
	e = strchr(s, ']');
	if (e == NULL)
		return str; /* inih reports it */
	free(p->section);
	p->section = strndup(s + 1, (size_t)(e - s - 1));
	if (p->section == NULL)
		fatal("strndup");
	if (strcmp(p->section, "listen") == 0) {
		if (p->listen_sections++ == 0)
			clear_listens(p->cfg);
		add_listen(p->cfg, "0.0.0.0", 6667);
		p->cfg->listens[p->cfg->nlistens - 1].line = p->lineno;
	} else if (strcmp(p->section, "oper") == 0) {
		struct config *cfg = p->cfg;
		cfg->opers = xreallocarray(cfg->opers, cfg->nopers + 1, sizeof(*cfg->opers));
		cfg->opers[cfg->nopers].name = NULL;
		cfg->opers[cfg->nopers].password = NULL;
		cfg->opers[cfg->nopers].host = xstrdup("*");
		cfg->opers[cfg->nopers].account = NULL;
		cfg->nopers++;
	} else if (strcmp(p->section, "link") == 0) {
		struct config *cfg = p->cfg;
		struct link_conf *lk;
		cfg->links = xreallocarray(cfg->links, cfg->nlinks + 1, sizeof(*cfg->links));
		lk = &cfg->links[cfg->nlinks++];
		memset(lk, 0, sizeof(*lk));
		lk->connect_retry = 10;
		lk->sendq = 4 * 1024 * 1024; /* a burst of many users and channels */
		lk->recvq = 1024 * 1024;
		lk->line = p->lineno;
	} else if (strcmp(p->section, "class") == 0) {
		char name[32];
		if (p->class_sections++ == 0)
			clear_classes(p->cfg);
		snprintf(name, sizeof(name), "class%d", p->class_sections);
		add_class(p->cfg, name);
	} else if (strcmp(p->section, "http") == 0) {
		p->cfg->http.enabled = true;
		p->cfg->http.line = p->lineno;
	} else if (strcmp(p->section, "server") != 0 && strcmp(p->section, "limits") != 0 &&
	    strcmp(p->section, "security") != 0 && strcmp(p->section, "flood") != 0 &&
	    strcmp(p->section, "accounts") != 0 && strcmp(p->section, "log") != 0 &&
	    strcmp(p->section, "history") != 0 && strcmp(p->section, "websocket") != 0 &&
	    strcmp(p->section, "metadata") != 0) {
		perr(p, "unknown section [%s]", p->section);
		return NULL;
	}
	return str;
}

static bool
parse_uint(struct parse_ctx *p, const char *name, const char *value, unsigned long min,
    unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;
	unsigned long mult = 1;

	errno = 0;
	if (!isdigit((unsigned char)value[0])) {
		perr(p, "%s: '%s' is not a number", name, value);
		return false;
	}
	v = strtoul(value, &end, 10);
	if (*end == 'k' || *end == 'K')
		mult = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mult = 1024 * 1024, end++;
	if (errno != 0 || *end != '\0' || v > ULONG_MAX / mult) {
		perr(p, "%s: '%s' is not a number", name, value);
		return false;
	}
	v *= mult;
	if (v < min || v > max) {
		perr(p, "%s: %lu is out of range (%lu..%lu)", name, v, min, max);
		return false;
	}
	*out = v;
	return true;
}

static bool
parse_bool(struct parse_ctx *p, const char *name, const char *value, bool *out)
{
	if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") || !strcasecmp(value, "on") ||
	    !strcmp(value, "1"))
		*out = true;
	else if (!strcasecmp(value, "no") || !strcasecmp(value, "false") ||
	    !strcasecmp(value, "off") || !strcmp(value, "0"))
		*out = false;
	else {
		perr(p, "%s: '%s' is not yes or no", name, value);
		return false;
	}
	return true;
}

static void
set_str(char **dst, const char *value)
{
	free(*dst);
	*dst = xstrdup(value);
}

/* A numeric key of [limits]: name, offset into struct config, range, width. */
struct uint_key {
	const char *name;
	size_t off;
	unsigned long min, max;
	bool is_size;
};

#define UK(n, lo, hi) \
	{ \
#n, offsetof(struct config, n), lo, hi, false \
	}
#define SK(n, lo, hi) \
	{ \
#n, offsetof(struct config, n), lo, hi, true \
	}
static const struct uint_key limit_keys[] = {
	UK(max_clients, 1, 10000000),
	UK(ping_interval, 1, 86400),
	UK(ping_timeout, 1, 86400),
	UK(registration_timeout, 1, 3600),
	UK(tls_handshake_timeout, 1, 3600),
	UK(nicklen, 1, NICKLEN_MAX),
	UK(channellen, 2, 200),
	UK(topiclen, 1, 390),
	UK(kicklen, 1, 390),
	UK(awaylen, 1, 390),
	UK(max_channels_per_user, 1, 1000),
	UK(max_list, 1, 10000),
	UK(max_targets, 1, 100),
	UK(multiline_max_bytes, 512, 65536),
	UK(multiline_max_lines, 2, 1000),
	SK(sendq, 4096, 1UL << 30),
	SK(recvq, IRC_INPUT_MAX + 2, 1UL << 24),
	UK(whowas_history, 0, 100000),
	UK(nick_delay, 0, 86400),
	UK(channel_delay, 0, 86400),
};
#define CK(n, lo, hi) \
	{ \
#n, offsetof(struct conn_class, n), lo, hi, false \
	}
#define CSK(n, lo, hi) \
	{ \
#n, offsetof(struct conn_class, n), lo, hi, true \
	}
static const struct uint_key class_keys[] = {
	CK(max_per_ip, 0, 10000000),
	CK(max_per_cidr, 0, 10000000),
	CK(cidr_v4, 0, 32),
	CK(cidr_v6, 0, 128),
	CK(throttle_count, 0, 1000000),
	CK(throttle_period, 1, 86400),
	CSK(sendq, 0, 1UL << 30),
	CSK(recvq, 0, 1UL << 24),
};
#define HK(n, lo, hi) \
	{ \
#n, offsetof(struct config, n), lo, hi, false \
	}
#define HSK(n, lo, hi) \
	{ \
#n, offsetof(struct config, n), lo, hi, true \
	}
static const struct uint_key history_keys[] = {
	HSK(history_cache_size, 4096, 1UL << 34),
	HK(history_max_lines, 0, 10000000),
	HK(history_max_age, 0, 100U * 366 * 86400),
	HK(history_query_limit, 1, 10000),
	HK(history_join_playback, 0, 100),
	HK(history_redact_window, 0, 100U * 366 * 86400),
};
/* a value must fit one RPL_KEYVALUE line with long nicks and channel
 * names: 350 bytes at most (core/meta.h META_PAIR_MAX, key included) */
static const struct uint_key metadata_keys[] = {
	HK(metadata_max_keys, 1, 1000),
	HK(metadata_max_subs, 1, 1000),
	HK(metadata_max_value_bytes, 1, 350),
	HK(metadata_sync_members, 0, 1000000),
};
static const struct uint_key flood_keys[] = {
	UK(flood_burst, 1, 3600),
	UK(flood_penalty, 0, 60),
};

static int
set_uint_key_at(struct parse_ctx *p, void *base, const struct uint_key *keys, size_t nkeys,
    const char *name, const char *value, const char *strip)
{
	size_t i;
	unsigned long v;

	for (i = 0; i < nkeys; i++) {
		const char *kn = keys[i].name + strlen(strip);
		if (strcmp(kn, name) != 0)
			continue;
		if (!parse_uint(p, name, value, keys[i].min, keys[i].max, &v))
			return 0;
		if (keys[i].is_size)
			*(size_t *)(void *)((char *)base + keys[i].off) = v;
		else
			*(unsigned *)(void *)((char *)base + keys[i].off) = (unsigned)v;
		return 1;
	}
	return -1;
}

static int
set_uint_key(struct parse_ctx *p, const struct uint_key *keys, size_t nkeys, const char *name,
    const char *value, const char *strip)
{
	return set_uint_key_at(p, p->cfg, keys, nkeys, name, value, strip);
}

/* server_name_ok: looks like a server name (RFC 2812 §2.3.1 servername:
 * a host name with at least one dot, no spaces, at most 63 bytes). */
static bool
server_name_ok(const char *v)
{
	size_t i, n = strlen(v);

	if (n == 0 || n > 63 || strchr(v, '.') == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '.' && v[i] != '-' && v[i] != '_')
			return false;
	return true;
}

/* link_key: one key of a [link] section. Returns nonzero to continue. */
static int
link_key(struct parse_ctx *p, struct link_conf *lk, const char *name, const char *value)
{
	unsigned long v;
	const char *e;

	if (!strcmp(name, "name")) {
		if (!server_name_ok(value)) {
			perr(p,
			    "[link] name: '%s' must be a server name (a.b, letters, digits, "
			    "'.', '-')",
			    value);
			return 0;
		}
		set_str(&lk->name, value);
	} else if (!strcmp(name, "address")) {
		free(lk->address);
		lk->address = value[0] ? xstrdup(value) : NULL;
	} else if (!strcmp(name, "port")) {
		if (!parse_uint(p, name, value, 1, 65535, &v))
			return 0;
		lk->port = (uint16_t)v;
	} else if (!strcmp(name, "password") || !strcmp(name, "send_password") ||
	    !strcmp(name, "accept_password")) {
		bool send = strcmp(name, "accept_password") != 0;
		bool accept = strcmp(name, "send_password") != 0;
		/* What we send travels in a PASS line: one word, plain text. */
		if (send &&
		    (value[0] == '\0' || strchr(value, ' ') || value[0] == ':' ||
			password_is_hash(value))) {
			perr(p,
			    "[link] %s: what we send must be one plain-text word (a hash "
			    "cannot be sent; use send_password and accept_password)",
			    name);
			return 0;
		}
		if (accept && (e = password_config_error(value)) != NULL) {
			perr(p, "[link] %s: %s", name, e);
			return 0;
		}
		if (send) {
			if (lk->send_password != NULL)
				explicit_bzero(lk->send_password, strlen(lk->send_password));
			set_str(&lk->send_password, value);
		}
		if (accept)
			set_str(&lk->accept_password, value);
	} else if (!strcmp(name, "tls"))
		return parse_bool(p, name, value, &lk->tls);
	else if (!strcmp(name, "autoconnect"))
		return parse_bool(p, name, value, &lk->autoconnect);
	else if (!strcmp(name, "hub"))
		return parse_bool(p, name, value, &lk->hub);
	else if (!strcmp(name, "services"))
		return parse_bool(p, name, value, &lk->services);
	else if (!strcmp(name, "connect_retry")) {
		if (!parse_uint(p, name, value, 1, 3600, &v))
			return 0;
		lk->connect_retry = (unsigned)v;
	} else if (!strcmp(name, "sendq") || !strcmp(name, "recvq")) {
		/* at least a client's, at most 1 GiB */
		if (!parse_uint(p, name, value, 65536, 1UL << 30, &v))
			return 0;
		if (!strcmp(name, "sendq"))
			lk->sendq = v;
		else
			lk->recvq = v;
	} else {
		perr(p, "unknown key '%s' in [link]", name);
		return 0;
	}
	return 1;
}

/* config_find_link: see config.h. */
const struct link_conf *
config_find_link(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nlinks; i++)
		if (cfg->links[i].name != NULL && strcasecmp(cfg->links[i].name, name) == 0)
			return &cfg->links[i];
	return NULL;
}

/* config_services_link: see config.h. */
const struct link_conf *
config_services_link(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nlinks; i++)
		if (cfg->links[i].services && cfg->links[i].name != NULL)
			return &cfg->links[i];
	return NULL;
}

/* handler: one key. Returns nonzero to continue (inih convention). */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *p = user;
	struct config *cfg = p->cfg;
	const char *e;
	unsigned long v;
	int r;

	if (p->err[0] != '\0')
		return 0;
	if (strcmp(section, "server") == 0) {
		if (!strcmp(name, "name")) {
			if (value[0] == '\0' || strchr(value, ' ') || strlen(value) > 63 ||
			    strchr(value, '.') == NULL) {
				perr(p, "name: '%s' must look like a host name (a.b, no spaces)",
				    value);
				return 0;
			}
			set_str(&cfg->name, value);
		} else if (!strcmp(name, "network")) {
			/* one word (ISUPPORT NETWORK token); at most 64 bytes so
			 * the token always fits a 005 line whole */
			if (value[0] == '\0' || strchr(value, ' ') || strlen(value) > 64) {
				perr(p, "network: must be one word of at most 64 bytes");
				return 0;
			}
			set_str(&cfg->network, value);
		} else if (!strcmp(name, "description"))
			set_str(&cfg->description, value);
		else if (!strcmp(name, "motd_file"))
			set_str(&cfg->motd_file, value);
		else if (!strcmp(name, "help_file"))
			set_str(&cfg->help_file, value);
		else if (!strcmp(name, "admin_name"))
			set_str(&cfg->admin_name, value);
		else if (!strcmp(name, "admin_location"))
			set_str(&cfg->admin_location, value);
		else if (!strcmp(name, "admin_email"))
			set_str(&cfg->admin_email, value);
		else if (!strcmp(name, "utf8only"))
			return parse_bool(p, name, value, &cfg->utf8only);
		else if (!strcmp(name, "client_tag_deny")) {
			free(cfg->client_tag_deny);
			cfg->client_tag_deny = value[0] ? xstrdup(value) : NULL;
		} else if (!strcmp(name, "casemapping")) {
			int cm = casemap_from_name(value);
			if (cm < 0) {
				perr(p, "casemapping: '%s' is not rfc1459 or ascii", value);
				return 0;
			}
			cfg->casemapping = (enum casemapping)cm;
		} else
			goto unknown;
	} else if (strcmp(section, "listen") == 0) {
		struct listen_conf *lc = &cfg->listens[cfg->nlistens - 1];
		if (!strcmp(name, "address"))
			set_str(&lc->address, value);
		else if (!strcmp(name, "port")) {
			if (!parse_uint(p, name, value, 0, 65535, &v))
				return 0;
			lc->port = (uint16_t)v;
		} else if (!strcmp(name, "tls"))
			return parse_bool(p, name, value, &lc->tls);
		else if (!strcmp(name, "websocket"))
			return parse_bool(p, name, value, &lc->websocket);
		else if (!strcmp(name, "certificate"))
			set_str(&lc->certificate, value);
		else if (!strcmp(name, "private_key"))
			set_str(&lc->private_key, value);
		else
			goto unknown;
	} else if (strcmp(section, "websocket") == 0) {
		if (!strcmp(name, "origins"))
			set_str(&cfg->ws_origins, value);
		else
			goto unknown;
	} else if (strcmp(section, "limits") == 0) {
		r = set_uint_key(p, limit_keys, sizeof(limit_keys) / sizeof(limit_keys[0]), name,
		    value, "");
		if (r < 0) {
			if (!strcmp(name, "casemapping"))
				return handler(user, "server", name, value);
			goto unknown;
		}
		return r;
	} else if (strcmp(section, "flood") == 0) {
		if (!strcmp(name, "enabled"))
			return parse_bool(p, name, value, &cfg->flood_enabled);
		if (!strcmp(name, "exempt_opers"))
			return parse_bool(p, name, value, &cfg->flood_exempt_opers);
		r = set_uint_key(p, flood_keys, sizeof(flood_keys) / sizeof(flood_keys[0]), name,
		    value, "flood_");
		if (r < 0)
			goto unknown;
		return r;
	} else if (strcmp(section, "class") == 0) {
		struct conn_class *cls = &cfg->classes[cfg->nclasses - 1];
		if (!strcmp(name, "name"))
			set_str(&cls->name, value);
		else if (!strcmp(name, "match")) {
			/* a space- or comma-separated list of CIDR networks */
			char buf[1024], *tok, *rest;
			struct cidr net;
			snprintf(buf, sizeof(buf), "%s", value);
			for (rest = buf; (tok = strsep(&rest, " ,\t")) != NULL;) {
				if (*tok == '\0')
					continue;
				if (!cidr_parse(tok, &net)) {
					perr(p, "match: '%s' is not an address or CIDR network",
					    tok);
					return 0;
				}
				class_add_match(cls, &net);
			}
		} else {
			r = set_uint_key_at(p, cls, class_keys,
			    sizeof(class_keys) / sizeof(class_keys[0]), name, value, "");
			if (r < 0)
				goto unknown;
			if (r > 0 && !strcmp(name, "recvq") && cls->recvq != 0 &&
			    cls->recvq < IRC_INPUT_MAX + 2) {
				perr(p, "recvq: at least %d bytes (one full tagged line)",
				    IRC_INPUT_MAX + 2);
				return 0;
			}
			if (r > 0 && !strcmp(name, "sendq") && cls->sendq != 0 &&
			    cls->sendq < 4096) {
				perr(p, "sendq: at least 4096 bytes");
				return 0;
			}
			return r;
		}
	} else if (strcmp(section, "security") == 0) {
		if (!strcmp(name, "password")) {
			free(cfg->password);
			cfg->password = value[0] ? xstrdup(value) : NULL;
			if ((e = password_config_error(value)) != NULL) {
				perr(p, "password: %s", e);
				return 0;
			}
		} else if (!strcmp(name, "bans_file")) {
			free(cfg->bans_file);
			cfg->bans_file = value[0] ? xstrdup(value) : NULL;
		} else if (!strcmp(name, "sts")) {
			return parse_bool(p, name, value, &cfg->sts);
		} else if (!strcmp(name, "sts_duration")) {
			unsigned long secs;
			/* up to two years, as long as any HSTS preload list asks */
			if (!parse_uint(p, name, value, 0, 2UL * 366 * 86400, &secs))
				return 0;
			cfg->sts_duration = (unsigned)secs;
		} else
			goto unknown;
	} else if (strcmp(section, "accounts") == 0) {
		if (!strcmp(name, "database")) {
			free(cfg->accounts_db);
			cfg->accounts_db = value[0] ? xstrdup(value) : NULL;
		} else if (!strcmp(name, "enforce_default"))
			return parse_bool(p, name, value, &cfg->enforce_default);
		else if (!strcmp(name, "enforce_grace")) {
			if (!parse_uint(p, name, value, 1, 86400, &v))
				return 0;
			cfg->enforce_grace = (unsigned)v;
		} else if (!strcmp(name, "hash_passes")) {
			if (!parse_uint(p, name, value, 1, 10, &v))
				return 0;
			cfg->hash_passes = (unsigned)v;
		} else if (!strcmp(name, "hash_memory")) {
			/* KiB; the same 1 GiB ceiling as a configured hash */
			if (!parse_uint(p, name, value, PASSWORD_MIN_MEM_KIB, 1024UL * 1024, &v))
				return 0;
			cfg->hash_memory = (unsigned)v;
		} else if (!strcmp(name, "login_failures") || !strcmp(name, "register_limit")) {
			/* per address (core/throttle.h); 0 = no limit */
			unsigned *n = name[0] == 'l' ? &cfg->login_failures : &cfg->register_limit;
			if (!parse_uint(p, name, value, 0, 100000, &v))
				return 0;
			*n = (unsigned)v;
		} else if (!strcmp(name, "hash_jobs_per_ip")) {
			if (!parse_uint(p, name, value, 0, PASSWORD_QUEUE_MAX, &v))
				return 0;
			cfg->hash_jobs_per_ip = (unsigned)v;
		} else if (!strcmp(name, "login_window") || !strcmp(name, "register_window")) {
			unsigned *secs =
			    name[0] == 'l' ? &cfg->login_window : &cfg->register_window;
			if (!parse_uint(p, name, value, 1, 7 * 86400, &v))
				return 0;
			*secs = (unsigned)v;
		} else if (!strcmp(name, "guest_prefix")) {
			/* a nick start (RFC 2812 §2.3.1); with the five digits it
			 * must fit [limits] nicklen (checked by the guest nick
			 * maker, which then uses "Guest") */
			if (!nick_valid(value, 16)) {
				perr(p, "guest_prefix: '%s' is not the start of a nick", value);
				return 0;
			}
			set_str(&cfg->guest_prefix, value);
		} else
			goto unknown;
	} else if (strcmp(section, "history") == 0) {
		if (!strcmp(name, "enabled"))
			return parse_bool(p, name, value, &cfg->history_enabled);
		if (!strcmp(name, "persist"))
			return parse_bool(p, name, value, &cfg->history_persist);
		if (!strcmp(name, "events"))
			return parse_bool(p, name, value, &cfg->history_events);
		r = set_uint_key(p, history_keys, sizeof(history_keys) / sizeof(history_keys[0]),
		    name, value, "history_");
		if (r < 0)
			goto unknown;
		return r;
	} else if (strcmp(section, "metadata") == 0) {
		if (!strcmp(name, "enabled"))
			return parse_bool(p, name, value, &cfg->metadata_enabled);
		r = set_uint_key(p, metadata_keys, sizeof(metadata_keys) / sizeof(metadata_keys[0]),
		    name, value, "metadata_");
		if (r < 0)
			goto unknown;
		return r;
	} else if (strcmp(section, "log") == 0) {
		if (!strcmp(name, "syslog"))
			return parse_bool(p, name, value, &cfg->log_syslog);
		else if (!strcmp(name, "facility")) {
			int fac = log_facility(value);
			if (fac < 0) {
				perr(p, "facility: '%s' is not daemon, user or local0..local7",
				    value);
				return 0;
			}
			cfg->log_facility = fac;
		} else
			goto unknown;
	} else if (strcmp(section, "http") == 0) {
		struct http_conf *hc = &cfg->http;
		struct in6_addr a6;
		if (!strcmp(name, "address")) {
			if (inet_pton(AF_INET, value, &a6) != 1 &&
			    inet_pton(AF_INET6, value, &a6) != 1) {
				perr(p, "address: '%s' is not an IPv4 or IPv6 address", value);
				return 0;
			}
			set_str(&hc->address, value);
		} else if (!strcmp(name, "port")) {
			if (!parse_uint(p, name, value, 0, 65535, &v))
				return 0;
			hc->port = (uint16_t)v;
		} else if (!strcmp(name, "token")) {
			/* RFC 6750 §2.1 b64token characters only, so that the
			 * header comparison needs no decoding */
			size_t n = strlen(value);
			if (n < HTTP_TOKEN_MIN || n > HTTP_TOKEN_MAX ||
			    strspn(value,
				"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				"0123456789-._~+/=") != n) {
				perr(p, "token: %d to %d characters of A-Z a-z 0-9 - . _ ~ + / =",
				    HTTP_TOKEN_MIN, HTTP_TOKEN_MAX);
				return 0;
			}
			set_str(&hc->token, value);
		} else if (!strcmp(name, "max_connections")) {
			if (!parse_uint(p, name, value, 1, 10000, &v))
				return 0;
			hc->max_connections = (unsigned)v;
		} else if (!strcmp(name, "timeout")) {
			if (!parse_uint(p, name, value, 1, 3600, &v))
				return 0;
			hc->timeout = (unsigned)v;
		} else
			goto unknown;
	} else if (strcmp(section, "oper") == 0) {
		struct oper_conf *oc = &cfg->opers[cfg->nopers - 1];
		if (!strcmp(name, "name"))
			set_str(&oc->name, value);
		else if (!strcmp(name, "password")) {
			set_str(&oc->password, value);
			if ((e = password_config_error(value)) != NULL) {
				perr(p, "[oper] password: %s", e);
				return 0;
			}
		} else if (!strcmp(name, "host"))
			set_str(&oc->host, value);
		else if (!strcmp(name, "account")) {
			if (!nick_valid(value, NICKLEN_MAX)) {
				perr(p, "[oper] account: '%s' is not an account name", value);
				return 0;
			}
			set_str(&oc->account, value);
		} else
			goto unknown;
	} else if (strcmp(section, "link") == 0) {
		return link_key(p, &cfg->links[cfg->nlinks - 1], name, value);
	} else {
		perr(p, "key '%s' outside a known section", name);
		return 0;
	}
	return 1;
unknown:
	perr(p, "unknown key '%s' in [%s]", name, section);
	return 0;
}

int
config_load_motd(struct config *cfg, char *err, size_t errlen)
{
	FILE *f;
	char line[512];
	size_t i;

	for (i = 0; i < cfg->motd_count; i++)
		free(cfg->motd[i]);
	free(cfg->motd);
	cfg->motd = NULL;
	cfg->motd_count = 0;
	if (cfg->motd_file == NULL) {
		for (i = 0; i < sizeof(builtin_motd) / sizeof(builtin_motd[0]); i++) {
			cfg->motd = xreallocarray(cfg->motd, cfg->motd_count + 1, sizeof(char *));
			cfg->motd[cfg->motd_count++] = xstrdup(builtin_motd[i]);
		}
		return 0;
	}
	f = fopen(cfg->motd_file, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", cfg->motd_file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL && cfg->motd_count < 1000) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strlen(line) > 400)
			line[400] = '\0';
		cfg->motd = xreallocarray(cfg->motd, cfg->motd_count + 1, sizeof(char *));
		cfg->motd[cfg->motd_count++] = xstrdup(line);
	}
	fclose(f);
	return 0;
}

static void
help_free(struct config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->nhelp; i++) {
		for (j = 0; j < cfg->help[i].nlines; j++)
			free(cfg->help[i].lines[j]);
		free(cfg->help[i].lines);
		free(cfg->help[i].name);
	}
	free(cfg->help);
	cfg->help = NULL;
	cfg->nhelp = 0;
}

static int
help_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct help_topic *)a)->name,
	    ((const struct help_topic *)b)->name);
}

/* config_load_help: the whole file is read at start and on rehash (never
 * on a client's command), bounded by HELP_FILE_MAX bytes, HELP_TOPICS_MAX
 * topics and HELP_LINE_MAX bytes per line; blank lines ending a topic are
 * dropped. */
int
config_load_help(struct config *cfg, char *err, size_t errlen)
{
	const char *path = cfg->help_file != NULL ? cfg->help_file : EVIRCD_HELP_FILE;
	struct help_topic *t = NULL;
	char line[HELP_LINE_MAX + 2];
	size_t total = 0, lineno = 0, i;
	FILE *f;

	help_free(cfg);
	f = fopen(path, "r");
	if (f == NULL) {
		if (cfg->help_file == NULL)
			return 0; /* not installed: HELP has no topics */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL && total < HELP_FILE_MAX) {
		size_t len = strlen(line);

		total += len;
		lineno++;
		if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
			int ch; /* cut: skip the rest of the line */
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				total++;
		}
		line[strcspn(line, "\r\n")] = '\0';
		line[HELP_LINE_MAX] = '\0';
		if (line[0] == '#')
			continue;
		if (line[0] == '[') {
			char *end = strchr(line, ']');
			size_t n = end != NULL ? (size_t)(end - line - 1) : 0;
			if (end == NULL || n == 0 || n > 32 || end[1] != '\0' ||
			    strcspn(line + 1, " ") < n) {
				snprintf(err, errlen,
				    "%s:%zu: a topic is \"[NAME]\" (1-32 bytes, no spaces)", path,
				    lineno);
				fclose(f);
				help_free(cfg);
				return -1;
			}
			if (cfg->nhelp >= HELP_TOPICS_MAX)
				break;
			cfg->help = xreallocarray(cfg->help, cfg->nhelp + 1, sizeof(*cfg->help));
			t = &cfg->help[cfg->nhelp++];
			memset(t, 0, sizeof(*t));
			*end = '\0';
			t->name = xstrdup(line + 1);
			for (i = 0; t->name[i] != '\0'; i++)
				t->name[i] = (char)toupper((unsigned char)t->name[i]);
			continue;
		}
		if (t == NULL) {
			if (line[strspn(line, " \t")] == '\0')
				continue;
			snprintf(err, errlen, "%s:%zu: text before the first [TOPIC]", path,
			    lineno);
			fclose(f);
			help_free(cfg);
			return -1;
		}
		t->lines = xreallocarray(t->lines, t->nlines + 1, sizeof(char *));
		t->lines[t->nlines++] = xstrdup(line);
	}
	fclose(f);
	for (i = 0; i < cfg->nhelp; i++) {
		t = &cfg->help[i];
		while (t->nlines > 0 && t->lines[t->nlines - 1][0] == '\0')
			free(t->lines[--t->nlines]);
	}
	qsort(cfg->help, cfg->nhelp, sizeof(*cfg->help), help_cmp);
	for (i = 1; i < cfg->nhelp; i++)
		if (strcasecmp(cfg->help[i - 1].name, cfg->help[i].name) == 0) {
			snprintf(err, errlen, "%s: topic [%s] twice", path, cfg->help[i].name);
			help_free(cfg);
			return -1;
		}
	return 0;
}

const struct help_topic *
config_help_find(const struct config *cfg, const char *name)
{
	struct help_topic key;

	if (cfg->nhelp == 0)
		return NULL;
	key.name = (char *)name;
	return bsearch(&key, cfg->help, cfg->nhelp, sizeof(*cfg->help), help_cmp);
}

/* config_load: see config.h. */
struct config *
config_load(const char *path, char *err, size_t errlen)
{
	return config_load_checked(path, NULL, err, errlen);
}

/* config_load_checked: see config.h. */
struct config *
config_load_checked(const char *path, config_listen_check_fn check, char *err, size_t errlen)
{
	struct parse_ctx p;
	int r;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.cfg = config_default();
	p.path = path;
	p.f = fopen(path, "r");
	if (p.f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		config_free(p.cfg);
		return NULL;
	}
	r = ini_parse_stream(reader, &p, handler, &p);
	fclose(p.f);
	free(p.section);
	if (r > 0 && p.err[0] == '\0')
		snprintf(p.err, sizeof(p.err), "%s:%d: syntax error", path, r);
	else if (r < 0 && p.err[0] == '\0')
		snprintf(p.err, sizeof(p.err), "%s: cannot parse", path);
	/* Whole-file checks, reported on the last line. */
	for (i = 0; p.err[0] == '\0' && i < p.cfg->nopers; i++) {
		struct oper_conf *oc = &p.cfg->opers[i];
		if (oc->name == NULL || (oc->password == NULL && oc->account == NULL))
			perr(&p, "[oper] section %zu needs name and password (or account)", i + 1);
	}
	/* [link] sections: complete, unique, not ourselves. */
	for (i = 0; p.err[0] == '\0' && i < p.cfg->nlinks; i++) {
		struct link_conf *lk = &p.cfg->links[i];
		p.lineno = lk->line;
		if (lk->name == NULL)
			perr(&p, "[link] needs name");
		else if (lk->services && lk->send_password == NULL && lk->accept_password == NULL &&
		    lk->address == NULL && !lk->autoconnect)
			; /* names the services server of the network, linked
			   * elsewhere: trusted when it appears behind a link,
			   * never accepted here (docs/NETWORK.md) */
		else if (lk->send_password == NULL || lk->accept_password == NULL)
			perr(&p, "[link] %s needs password (or send_password and accept_password)",
			    lk->name);
		else if (lk->autoconnect && (lk->address == NULL || lk->port == 0))
			perr(&p, "[link] %s: autoconnect needs address and port", lk->name);
		else if (strcasecmp(lk->name, p.cfg->name) == 0)
			perr(&p, "[link] %s is this server's own name", lk->name);
		else if (config_find_link(p.cfg, lk->name) != lk)
			perr(&p, "[link] %s appears twice", lk->name);
	}
	/* One account authority per network (issue 11): one services
	 * server, and no built-in accounts beside it. */
	for (i = 0; p.err[0] == '\0' && i < p.cfg->nlinks; i++) {
		const struct link_conf *lk = &p.cfg->links[i], *first;
		if (!lk->services)
			continue;
		p.lineno = lk->line;
		first = config_services_link(p.cfg);
		if (first != lk)
			perr(&p,
			    "[link] %s: services = yes, but %s is the services server already "
			    "(a network has one account authority)",
			    lk->name, first->name);
		else if (p.cfg->accounts_db != NULL)
			perr(&p,
			    "[link] %s: services = yes and [accounts] database both set: a "
			    "network has one account authority (built-in accounts are off "
			    "with a services server; remove one of them)",
			    lk->name);
	}
	if (p.err[0] == '\0' && p.cfg->nlistens == 0)
		perr(&p, "no [listen] section");
	/* TLS files are loaded now, so that -t, start-up and REHASH all
	 * refuse a missing or unreadable file or a key that does not match
	 * (a failed rehash keeps the running certificates). */
	for (i = 0; p.err[0] == '\0' && i < p.cfg->nlistens; i++) {
		struct listen_conf *lc = &p.cfg->listens[i];
		char terr[400];
		if ((lc->tls || lc->websocket) && check != NULL &&
		    check(lc, terr, sizeof(terr)) != 0) {
			p.lineno = lc->line;
			perr(&p, "[listen] %s", terr);
		}
	}
	for (i = 0; p.err[0] == '\0' && i < p.cfg->nclasses; i++)
		if (p.cfg->classes[i].nmatch == 0)
			perr(&p, "[class] %s needs a match = CIDR list", p.cfg->classes[i].name);
	if (p.err[0] == '\0' && p.cfg->motd_file != NULL) {
		char merr[400];
		if (config_load_motd(p.cfg, merr, sizeof(merr)) != 0)
			perr(&p, "motd_file: %s", merr);
	}
	if (p.err[0] == '\0') {
		char herr[400];
		if (config_load_help(p.cfg, herr, sizeof(herr)) != 0)
			perr(&p, "help_file: %s", herr);
	}
	if (p.err[0] != '\0') {
		snprintf(err, errlen, "%s", p.err);
		config_free(p.cfg);
		return NULL;
	}
	if (p.cfg->motd == NULL)
		config_load_motd(p.cfg, err, errlen);
	return p.cfg;
}
