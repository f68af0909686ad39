/* link.c - server links: RFC 2813 as ngIRCd speaks it (docs/NETWORK.md).
 *
 * A link is a local connection (struct client with CF_SERVER) plus a
 * struct link here. The servers and users behind it are in the core
 * (core/netserver.h). Input from a link is handled by link_input; local
 * state changes reach the links through the event bus (on_* below), each
 * sent once per link and never back to the link it came from
 * (linkset.origin: the link whose input is being handled).
 *
 * References: RFC 2813 §4 (PASS, SERVER, NICK, NJOIN, SQUIT), §5.8
 * (netsplit QUIT reason), ngIRCd doc/Protocol.txt (IRC+ PASS, CHANINFO),
 * ngIRCd irc-server.c and numeric.c (handshake, burst, NJOIN), and what the
 * real ngIRCd 26 sends (tests/live/test_link.c). */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "evircd_config.h"

#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/config.h"
#include "core/event.h"
#include "core/hold.h"
#include "core/log.h"
#include "core/netserver.h"
#include "core/number.h"
#include "core/password.h"
#include "core/server.h"
#include "proto/cap.h"
#include "proto/message.h"
#include "proto/mode.h"
#include "proto/reply.h"
#include "net/close.h"
#include "net/conn.h"
#include "net/output.h"
#include "net/tls.h"
#include "cmd/command.h"
#include "cmd/history.h"
#include "link/link.h"
#include "link/metadata.h"
#include "link/notice.h"
#include "link/query.h"
#include "link/services.h"

/* Where a link connection is. */
enum link_state {
	LINK_OUT = 0, /* we connected and sent PASS/SERVER: waiting for theirs */
	LINK_AUTH, /* their password is being checked (a hash, on the pool) */
	LINK_BURST, /* registered: bursts exchanged, our end-of-burst PING out */
	LINK_UP, /* the peer answered our PING: its burst is complete */
};

/* One link connection. Owned by the linkset; conn is owned by the
 * connection layer (freed with the other clients). */
struct link {
	TAILQ_ENTRY(link) entry;
	struct server *srv;
	struct client *conn;
	struct netserver *ns; /* the peer, once registered */
	enum link_state state;
	bool outgoing;
	bool hub; /* [link] hub: may introduce servers */
	bool meta; /* the peer's PASS has IRC+ flag M: it takes METADATA */
	bool services; /* [link] services: the services server (link/services.h) */
	bool tags; /* the peer is evircd with flag T: message tags both ways */
	char name[SERVERNAME_MAX + 1];
	char info[128];
	unsigned peer_token; /* what the peer calls itself */
	struct password_job *job; /* LINK_AUTH */
	/* STATS l (RPL_STATSLINKINFO): since when, what went each way */
	time_t since;
	uint64_t sent_msgs, sent_bytes, recv_msgs, recv_bytes;
	struct evbuffer_cb_entry *incb; /* counts recv_bytes */
	/* A CHANINFO for a channel that does not exist yet (the burst sends
	 * it before the NJOIN): kept here and applied when the channel is
	 * made by this link's next JOIN/NJOIN, so no channel exists empty. */
	struct {
		char buf[IRC_LINE_MAX]; /* the parameters, NUL-separated */
		int nparams; /* 0 = none */
	} ci;
};

/* Connect state of one [link] section with an address: tried at start and
 * after a split when autoconnect = yes, or once by an operator's CONNECT. */
struct autoconn {
	struct autoconn *next; /* linkset.ac */
	struct server *srv;
	char name[SERVERNAME_MAX + 1];
	struct event *timer; /* next try */
	struct event *connecting; /* non-blocking connect in progress */
	int fd;
	unsigned delay; /* s: the next back-off */
	bool manual; /* the next try is an operator's CONNECT */
};

struct linkset {
	TAILQ_HEAD(, link) links;
	struct autoconn *ac; /* list: one per [link] with an address, ever (a
			      * REHASH adds; a removed section's stays inert) */
	struct link *origin; /* whose input is being handled; NULL = local */
	/* msgid of the link line being handled (tag links only), "" = none */
	char in_msgid[MSGID_MAX + 1];
	char in_time[48]; /* its "time=..." tag, for srv->time_override */
	bool quiet; /* a collision kill: links were told with KILL */
	struct client *killed; /* a remote user an operator here KILLs: its
				* server was told by on_kill */
	enum cmd_result (*next)(struct client *c, struct irc_msg *m);
};

#define LINK_CONNECT_TIMEOUT 10 /* s */
#define LINK_BACKOFF_MAX     32 /* times connect_retry */

static void autoconn_schedule(struct autoconn *ac, unsigned delay);
static void autoconn_try(int fd, short what, void *arg);
struct source;
static enum cmd_result in_chaninfo(struct link *l, struct source *s, struct irc_msg *m);
static void split_server(struct server *srv, struct netserver *x, struct link *from,
    const char *reason);

/* ---- helpers ---- */

static struct link *
link_of(struct server *srv, const struct client *conn)
{
	struct link *l;

	if (srv->linkset == NULL)
		return NULL;
	TAILQ_FOREACH(l, &srv->linkset->links, entry)
		if (l->conn == conn)
			return l;
	return NULL;
}

static struct autoconn *
autoconn_of(struct server *srv, const char *name)
{
	struct autoconn *ac;

	for (ac = srv->linkset ? srv->linkset->ac : NULL; ac != NULL; ac = ac->next)
		if (strcasecmp(ac->name, name) == 0)
			return ac;
	return NULL;
}

/* to_links: one line (formatted once) to every registered link except
 * `except` and `except2` (either may be NULL). */
static void to_links(struct server *srv, const struct link *except, const struct client *except2,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void
to_links(struct server *srv, const struct link *except, const struct client *except2,
    const char *fmt, ...)
{
	struct link *l;
	struct outline ol;
	va_list ap;
	bool formatted = false;

	TAILQ_FOREACH(l, &srv->linkset->links, entry) {
		if (l == except || l->conn == except2 || l->state < LINK_BURST)
			continue;
		if (!formatted) {
			va_start(ap, fmt);
			outline_vformat(&ol, fmt, ap);
			va_end(ap);
			formatted = true;
		}
		send_line(l->conn, &ol);
	}
}

/* src_name: how a source is named to a link: the nick of a user, the name
 * of a server (NULL: us). */
static const char *
src_name(struct server *srv, struct client *c)
{
	return c != NULL ? c->nick : srv->me->name;
}

/* local_name: '&' channels stay on their server (RFC 2811 §2.1), and so do
 * '!' safe channels here: RFC 2811 §3.2.1 makes their short names unique
 * network-wide, which needs every server of the network to take part, and
 * none of our peers does (ngIRCd has CHANTYPES #&+, Solanum #&, InspIRCd and
 * Ergo #; Modern IRC leaves '!' out). docs/NETWORK.md "Safe channels". */
static bool
local_name(const char *name)
{
	return name[0] == '&' || name[0] == '!';
}

/* local_channel: ch never crosses a link (local_name). */
static bool
local_channel(const struct channel *ch)
{
	return local_name(ch->name);
}

/* net_channel: the channel a link may name (NULL for unknown and local
 * channels: a peer cannot see, talk to or change those). */
static struct channel *
net_channel(struct server *srv, const char *name)
{
	return local_name(name) ? NULL : server_find_channel(srv, name);
}

/* member_letters: "o", "ov", "v" or "" for member modes. */
static const char *
member_letters(uint8_t modes)
{
	if ((modes & (MEMB_OP | MEMB_CREATOR)) && (modes & MEMB_VOICE))
		return "ov";
	if (modes & (MEMB_OP | MEMB_CREATOR))
		return "o";
	if (modes & MEMB_VOICE)
		return "v";
	return "";
}

/* umode_letters: the user modes a peer understands (ngIRCd: i o w B). */
static char *
umode_letters(uint32_t umodes, char buf[8])
{
	char *p = buf;

	if (umodes & UMODE_INVISIBLE)
		*p++ = 'i';
	if (umodes & UMODE_OPER)
		*p++ = 'o';
	if (umodes & UMODE_WALLOPS)
		*p++ = 'w';
	if (umodes & UMODE_BOT)
		*p++ = 'B';
	*p = '\0';
	return buf;
}

static uint32_t
umode_parse(const char *s)
{
	uint32_t m = 0;

	for (; *s; s++) {
		const struct usermode_def *d = mode_user_find(*s);
		if (d != NULL)
			m |= d->bit;
	}
	return m;
}

/* pass_keep: a server's PASS (RFC 2813 §4.1.1; IRC+ II.1: "PASS <pw>
 * <version> <impl>|<ver>:<flags>"): c->pass holds the password, then a
 * NUL, then "<impl>|<ver>:<flags>" (empty when the version is not
 * "-IRC+"), read by link_server before the password is forgotten. */
static void
pass_keep(struct client *c, struct irc_msg *m)
{
	const char *flags = "";
	size_t pl, fl;

	client_forget_pass(c);
	if (m->nparams >= 3 && strstr(m->params[1], "IRC+") != NULL)
		flags = m->params[2];
	pl = strlen(m->params[0]);
	fl = strnlen(flags, 100); /* IRC+ II.1: at most 100 bytes */
	if ((c->pass = malloc(pl + fl + 2)) == NULL)
		return;
	memcpy(c->pass, m->params[0], pl + 1);
	memcpy(c->pass + pl + 1, flags, fl);
	c->pass[pl + 1 + fl] = '\0';
}

/* pass_flags: the IRC+ server flags kept by pass_keep ("" = none). */
static const char *
pass_flags(const struct client *c)
{
	const char *f = c->pass != NULL ? c->pass + strlen(c->pass) + 1 : "";

	return strchr(f, ':') != NULL ? strchr(f, ':') + 1 : "";
}

/* pass_impl_is: is the implementation named in the kept PASS impl? */
static bool
pass_impl_is(const struct client *c, const char *impl)
{
	const char *f = c->pass != NULL ? c->pass + strlen(c->pass) + 1 : "";
	size_t n = strlen(impl);

	return strncmp(f, impl, n) == 0 && f[n] == '|';
}

/* intro_line: the NICK line that introduces user c to a link (RFC 2813
 * §4.1.3, 7 parameters; ngIRCd wants a server prefix). */
static void
intro_line(struct server *srv, struct client *c, struct outline *ol)
{
	char um[8];
	unsigned hops = client_is_remote(c) ? remote_of(c)->hops + 1 : 1;

	outline_format(ol, ":%s NICK %s %u %s %s %u +%s :%s", srv->me->name, c->nick, hops, c->user,
	    c->host, client_server(c)->token, umode_letters(c->umodes, um),
	    c->realname ? c->realname : "");
}

/* ---- the burst (ngIRCd numeric.c IRC_Num_ENDOFMOTD does the same) ---- */

/* chan_flags: the letters of ch's modes a peer understands (RFC 2811 §4.2
 * and ngIRCd: i m n p s t, then k l when with_kl), into buf[16]. */
static char *
chan_flags(const struct channel *ch, bool with_kl, char buf[16])
{
	static const struct {
		uint32_t bit;
		char c;
	} flags[] = {
		{ CMODE_INVITE, 'i' },
		{ CMODE_MODERATED, 'm' },
		{ CMODE_NOEXTERNAL, 'n' },
		{ CMODE_PRIVATE, 'p' },
		{ CMODE_SECRET, 's' },
		{ CMODE_TOPIC, 't' },
		{ CMODE_KEY, 'k' },
		{ CMODE_LIMIT, 'l' },
	};
	char *p = buf;
	unsigned i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if ((ch->modes & flags[i].bit) &&
		    (with_kl || !(flags[i].bit & (CMODE_KEY | CMODE_LIMIT))))
			*p++ = flags[i].c;
	*p = '\0';
	return buf;
}

static void
burst_channel(struct link *l, struct channel *ch)
{
	struct server *srv = l->srv;
	struct client *conn = l->conn;
	struct membership *m, *tmp;
	char line[IRC_LINE_MAX], modes[16];
	size_t head, len;
	int k;
	unsigned i;

	chan_flags(ch, true, modes);
	/* CHANINFO <channel> +<modes> <key> <limit> [<topic>] (IRC+ II.3) */
	if (ch->modes & (CMODE_KEY | CMODE_LIMIT))
		reply_raw(conn, ":%s CHANINFO %s +%s %s %u :%s", srv->me->name, ch->name, modes,
		    (ch->modes & CMODE_KEY) && ch->chankey ? ch->chankey : "*",
		    (ch->modes & CMODE_LIMIT) ? ch->limit : 0, ch->topic ? ch->topic : "");
	else if (ch->topic != NULL)
		reply_raw(conn, ":%s CHANINFO %s +%s :%s", srv->me->name, ch->name, modes,
		    ch->topic);
	else if (modes[0] != '\0')
		reply_raw(conn, ":%s CHANINFO %s +%s", srv->me->name, ch->name, modes);
	/* NJOIN <channel> :[@][+]nick,... (RFC 2813 §4.2.2), packed */
	k = snprintf(line, sizeof(line), ":%s NJOIN %s :", srv->me->name, ch->name);
	if (k < 0 || (size_t)k >= sizeof(line) - 64)
		return;
	head = len = (size_t)k;
	HASH_ITER(hh, ch->members, m, tmp) {
		char item[NICKLEN_MAX + 4];
		int n;
		if (client_is_remote(m->client) && client_link(m->client) == conn)
			continue;
		n = snprintf(item, sizeof(item), "%s%s%s%s", len > head ? "," : "",
		    (m->modes & (MEMB_OP | MEMB_CREATOR)) ? "@" : "",
		    (m->modes & MEMB_VOICE) ? "+" : "", m->client->nick);
		if (n <= 0 || (size_t)n >= sizeof(item))
			continue;
		if (len + (size_t)n > IRC_LINE_MAX - 2 - 2) {
			reply_raw(conn, "%s", line);
			len = head;
			n = snprintf(item, sizeof(item), "%s%s%s",
			    (m->modes & (MEMB_OP | MEMB_CREATOR)) ? "@" : "",
			    (m->modes & MEMB_VOICE) ? "+" : "", m->client->nick);
		}
		memcpy(line + len, item, (size_t)n + 1);
		len += (size_t)n;
	}
	if (len > head)
		reply_raw(conn, "%s", line);
	/* b/e/I lists as MODE lines (IRC+ flag L) */
	for (i = 0; i < LIST_COUNT; i++) {
		static const char letter[LIST_COUNT] = { 'b', 'e', 'I' };
		struct mask_entry *e;
		for (e = ch->lists[i]; e != NULL; e = e->next)
			reply_raw(conn, ":%s MODE %s +%c %s", srv->me->name, ch->name, letter[i],
			    e->mask);
	}
}

/* link_burst: everything we know, to a link that just registered: the
 * servers (nearest first, so every uplink is known before its children),
 * the users, the channels; then a PING whose PONG ends the burst. */
static void
link_burst(struct link *l)
{
	struct server *srv = l->srv;
	struct netserver *ns, *tns;
	struct client *c, *tc;
	struct channel *ch, *tch;
	struct outline ol;
	unsigned h, maxh = 0;

	HASH_ITER(hh, srv->servers, ns, tns)
		if (ns->hops > maxh)
			maxh = ns->hops;
	for (h = 1; h <= maxh; h++)
		HASH_ITER(hh, srv->servers, ns, tns) {
			if (ns->hops != h || ns->conn == l->conn || ns->splitting)
				continue;
			reply_raw(l->conn, ":%s SERVER %s %u %u :%s", ns->uplink->name, ns->name,
			    ns->hops + 1, ns->token, ns->info);
		}
	HASH_ITER(hh, srv->nicks, c, tc) {
		if (!client_is_registered(c) || c->state >= CLIENT_CLOSING)
			continue;
		if (client_is_remote(c) && client_link(c) == l->conn)
			continue;
		intro_line(srv, c, &ol);
		send_line(l->conn, &ol);
		if (l->meta)
			metadata_send_user(l->conn, srv->me->name, c);
		if (c->away != NULL)
			reply_raw(l->conn, ":%s AWAY :%s", c->nick, c->away);
	}
	HASH_ITER(hh, srv->channels, ch, tch)
		if (!local_channel(ch))
			burst_channel(l, ch);
	reply_raw(l->conn, ":%s PING :%s", srv->me->name, srv->me->name);
}

/* ---- registration ---- */

static void
send_pass_server(struct link *l, const struct link_conf *lc)
{
	struct server *srv = l->srv;

	/* PASS <password> <version> <flags> [<options>] (IRC+ II.1);
	 * SERVER <name> 1 :<info>: with 3 parameters the peer gives us the
	 * token 1, as ngIRCd does for itself. */
	reply_raw(l->conn, "PASS %s %s evircd|%s:%s P", lc->send_password, LINK_PROTO_VERSION,
	    EVIRCD_VERSION, LINK_IRCPLUS_FLAGS);
	reply_raw(l->conn, "SERVER %s 1 :%s", srv->me->name, srv->me->info);
}

/* link_registered: the peer's password matched: answer (incoming), enter
 * it into the network, tell the other links, burst. */
static void
link_registered(struct link *l)
{
	struct server *srv = l->srv;
	const struct link_conf *lc = config_find_link(srv->cfg, l->name);
	struct client *c = l->conn;

	if (lc == NULL) {
		client_close(c, "Server not configured here", NULL);
		return;
	}
	if (netserver_find(srv, l->name) != NULL) {
		/* RFC 2813 §4.1.2: a server known already: a loop, refuse */
		client_close(c, "Server exists", NULL);
		return;
	}
	if (!l->outgoing)
		send_pass_server(l, lc);
	l->ns = netserver_add(srv, l->name, l->info, 1, srv->me, c, l->peer_token);
	if (l->ns == NULL) {
		client_close(c, "Cannot add server", NULL);
		return;
	}
	l->hub = lc->hub;
	l->services = lc->services;
	l->state = LINK_BURST;
	c->sendq = (uint32_t)lc->sendq;
	c->recvq = (uint32_t)lc->recvq;
	bufferevent_setwatermark(c->bev, EV_READ, 0, c->recvq);
	client_timer_stop(c);
	client_timer_set(c, TIMER_PING);
	log_info("link %s (%s) registered, %s", l->name, c->host,
	    l->outgoing ? "outgoing" : "incoming");
	to_links(srv, l, NULL, ":%s SERVER %s 2 %u :%s", srv->me->name, l->ns->name, l->ns->token,
	    l->ns->info);
	/* A burst is as big as the network, not as the link's sendq: it may
	 * exceed it by what it queued until the peer's PONG to the PING that
	 * ends it shows it was read (then the sendq is the configured one
	 * again). ngIRCd does the same in effect: it writes a server link's
	 * full buffer out at once instead of closing it. */
	c->sendq = UINT32_MAX;
	link_burst(l);
	{
		size_t limit = lc->sendq + output_queued(c);
		c->sendq = limit > UINT32_MAX ? UINT32_MAX : (uint32_t)limit;
	}
	if (l->tags)
		/* from now on every line to it carries the time tag and a
		 * message its tags (net/output.c, as for a client with
		 * these capabilities); the burst went without */
		c->caps |= CAP_SERVER_TIME | CAP_MESSAGE_TAGS;
}

/* auth_result: the password check's result. l may be freed after. */
static void
auth_result(struct link *l, bool ok)
{
	struct client *c = l->conn;

	l->job = NULL;
	c->flags &= ~CF_PW_WAIT;
	client_forget_pass(c);
	if (!ok) {
		log_warnx("link %s (%s): bad password", l->name, c->host);
		client_close(c, "Bad password", NULL);
		return;
	}
	link_registered(l);
}

/* auth_done: the pool's answer for a hashed accept_password (on the loop
 * thread; never after password_job_cancel): the lines that waited for it
 * run now. */
static void
auth_done(void *arg, bool ok)
{
	struct link *l = arg;
	struct client *c = l->conn;

	server_clock(l->srv);
	auth_result(l, ok);
	if (c->state == CLIENT_OPEN)
		conn_process_input(c);
}

/* link_server: the peer's SERVER during registration: the name must be a
 * configured [link] (and the one we connected to), the PASS must match
 * its accept_password (a hash is checked on the pool, input paused). */
/* link_from_address: does an incoming peer come from its [link] address
 * (when the section has one)? The address is an IP literal (CONFIG.md);
 * anything else is compared as text with the peer's IP. */
static bool
link_from_address(const struct link_conf *lc, const struct client *c)
{
	unsigned char want[sizeof(struct in6_addr)];

	if (lc->address == NULL)
		return true;
	if (inet_pton(AF_INET, lc->address, want) == 1)
		return c->addr.sa.sa_family == AF_INET &&
		    memcmp(&c->addr.sin.sin_addr, want, sizeof(struct in_addr)) == 0;
	if (inet_pton(AF_INET6, lc->address, want) == 1)
		return c->addr.sa.sa_family == AF_INET6 &&
		    memcmp(&c->addr.sin6.sin6_addr, want, sizeof(struct in6_addr)) == 0;
	return strcasecmp(lc->address, c->host) == 0;
}

static enum cmd_result
link_server(struct link *l, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct client *c = l->conn;
	const struct link_conf *lc;

	if (m->nparams < 2) {
		client_close(c, "SERVER needs more parameters", NULL);
		return CMD_CLOSE;
	}
	lc = config_find_link(srv->cfg, m->params[0]);
	if (lc == NULL || (l->outgoing && strcasecmp(l->name, m->params[0]) != 0)) {
		log_warnx("link from %s: server %s not configured here", c->host, m->params[0]);
		client_close(c, "Server not configured here", NULL);
		return CMD_CLOSE;
	}
	if (lc->accept_password == NULL) {
		/* a services server linked elsewhere (link/services.h) */
		log_warnx("link from %s: %s is not linked here", c->host, lc->name);
		client_close(c, "Server not configured here", NULL);
		return CMD_CLOSE;
	}
	if (!l->outgoing && !link_from_address(lc, c)) {
		/* the issue's "source address checked against [link]", as
		 * ngIRCd checks a peer against its Host; the peer is told no
		 * more than for an unknown name */
		log_warnx("link from %s: %s must connect from %s", c->host, lc->name, lc->address);
		client_close(c, "Server not configured here", NULL);
		return CMD_CLOSE;
	}
	if (c->pass == NULL) {
		client_close(c, "No password", NULL);
		return CMD_CLOSE;
	}
	snprintf(l->name, sizeof(l->name), "%s", lc->name);
	snprintf(l->info, sizeof(l->info), "%s", m->params[m->nparams - 1]);
	l->meta = strchr(pass_flags(c), 'M') != NULL;
	/* our own tag dialect: only between evircd servers that both say
	 * so (a flag letter alone could mean something else elsewhere) */
	l->tags = pass_impl_is(c, "evircd") && strchr(pass_flags(c), 'T') != NULL;
	/* SERVER <name> <hops> <token> :<info> (RFC 2813) or the 3-parameter
	 * form whose token is 1 (ngIRCd irc-server.c) */
	l->peer_token = 1;
	if (m->nparams >= 4) {
		long long t;
		if (number_parse(m->params[2], 1, 0xffff, &t) == NUMBER_OK)
			l->peer_token = (unsigned)t;
	}
	if (password_is_hash(lc->accept_password)) {
		if (srv->pwpool == NULL)
			srv->pwpool = password_pool_new(srv->base);
		l->job = srv->pwpool
		    ? password_verify_async(srv->pwpool, lc->accept_password, c->pass, auth_done, l)
		    : NULL;
		if (l->job == NULL) {
			client_close(c, "Password check unavailable, try again later", NULL);
			return CMD_CLOSE;
		}
		l->state = LINK_AUTH;
		c->flags |= CF_PW_WAIT;
		return CMD_OK;
	}
	auth_result(l, password_check(lc->accept_password, c->pass));
	return c->state == CLIENT_OPEN ? CMD_OK : CMD_CLOSE;
}

/* link_in_cb: bytes arrived on a link (STATS l). */
static void
link_in_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct link *l = arg;

	(void)buf;
	l->recv_bytes += info->n_added;
}

/* link_out: bytes queued to a link connection (srv->link_out, called by
 * net/output.c): bytes and lines sent (STATS l). O(links + len). */
static void
link_out(struct client *conn, const void *buf, size_t len)
{
	struct link *l = link_of(conn->srv, conn);
	const char *p = buf, *end = p + len;

	if (l == NULL)
		return;
	l->sent_bytes += len;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		l->sent_msgs++;
		p++;
	}
}

/* link_gone: forget l (its connection is closing or the server stops). */
static void
link_gone(struct server *srv, struct link *l)
{
	if (l->incb != NULL && l->conn->bev != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(l->conn->bev), l->incb);
	TAILQ_REMOVE(&srv->linkset->links, l, entry);
	free(l);
}

/* link_stats_reply: see query.h. */
void
link_stats_reply(struct client *c)
{
	struct server *srv = c->srv;
	struct link *l;

	TAILQ_FOREACH(l, &srv->linkset->links, entry) {
		struct client *conn = l->conn;
		size_t q = conn->tb_len +
		    (conn->bev ? evbuffer_get_length(bufferevent_get_output(conn->bev)) : 0);
		numeric(c, RPL_STATSLINKINFO, l->name, q, (unsigned long long)l->sent_msgs,
		    (unsigned long long)(l->sent_bytes / 1024), (unsigned long long)l->recv_msgs,
		    (unsigned long long)(l->recv_bytes / 1024), (long long)(srv->now - l->since));
	}
}

/* link_new: make conn a link connection. */
static struct link *
link_new(struct server *srv, struct client *conn, bool outgoing, const char *name)
{
	struct link *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->srv = srv;
	l->conn = conn;
	l->outgoing = outgoing;
	l->state = LINK_OUT;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->since = srv->now;
	l->incb = evbuffer_add_cb(bufferevent_get_input(conn->bev), link_in_cb, l);
	conn->flags |= CF_SERVER;
	srv->stats.unknown--; /* a link is no unknown connection (LUSERS 253) */
	TAILQ_INSERT_TAIL(&srv->linkset->links, l, entry);
	return l;
}

/* ---- input from a link ---- */

/* A resolved message source. */
struct source {
	struct client *user; /* a user behind this link, or NULL */
	struct netserver *server; /* or a server behind this link */
	char prefix[160]; /* how local clients see it */
};

/* source_name: how a resolved source is named to other servers. */
static const char *
source_name(const struct source *s)
{
	return s->user != NULL ? s->user->nick : s->server->name;
}

/* resolve: the prefix of m must name a user or server behind l (RFC 2813
 * §3.3: anything else is a fake direction and is dropped). No prefix: the
 * peer itself. */
static bool
resolve(struct link *l, struct irc_msg *m, struct source *s)
{
	struct server *srv = l->srv;
	char name[160], *bang;
	struct client *u;
	struct netserver *ns;

	memset(s, 0, sizeof(*s));
	if (m->prefix == NULL) {
		s->server = l->ns;
		snprintf(s->prefix, sizeof(s->prefix), "%s", l->ns->name);
		return true;
	}
	snprintf(name, sizeof(name), "%s", m->prefix);
	if ((bang = strchr(name, '!')) != NULL)
		*bang = '\0';
	u = server_find_nick(srv, name);
	if (u != NULL && client_is_remote(u) && client_link(u) == l->conn) {
		s->user = u;
		client_prefix(u, s->prefix, sizeof(s->prefix));
		return true;
	}
	ns = netserver_find(srv, name);
	if (ns != NULL && ns->conn == l->conn) {
		s->server = ns;
		snprintf(s->prefix, sizeof(s->prefix), "%s", ns->name);
		return true;
	}
	log_debug("link %s: %s from unknown source %s dropped", l->name, m->verb, m->prefix);
	return false;
}

/* in_server: a server introduced behind the peer (RFC 2813 §4.1.2):
 * ":<uplink> SERVER <name> <hops> <token> :<info>". */
static enum cmd_result
in_server(struct link *l, struct source *s, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct netserver *ns;
	long long hops, token;

	if (m->nparams < 4 || s->server == NULL ||
	    number_parse(m->params[1], 1, 255, &hops) != NUMBER_OK ||
	    number_parse(m->params[2], 0, 0xffff, &token) != NUMBER_OK)
		return CMD_OK;
	if (!l->hub && !l->services) {
		/* the services server may introduce servers: its jupes
		 * (Atheme OperServ JUPE: SQUIT, then SERVER <name> 2) */
		log_warnx("link %s is no hub but introduced %s", l->name, m->params[0]);
		client_close(l->conn, "Not a hub", NULL);
		return CMD_CLOSE;
	}
	if (netserver_find(srv, m->params[0]) != NULL) {
		client_close(l->conn, "Server exists", NULL);
		return CMD_CLOSE;
	}
	/* our own hop count: the peer's may be anything, and hops == 1
	 * means a direct link here (LUSERS, SQUIT) */
	ns = netserver_add(srv, m->params[0], m->params[3], s->server->hops + 1, s->server, l->conn,
	    (unsigned)token);
	if (ns == NULL)
		return CMD_OK;
	log_info("server %s introduced by %s (%u hops)", ns->name, s->server->name, ns->hops);
	hold_del_tag(srv->chan_holds, ns->name); /* back: its burst follows (RFC 2811 §3.2.2) */
	to_links(srv, l, NULL, ":%s SERVER %s %u %u :%s", s->server->name, ns->name, ns->hops + 1,
	    ns->token, ns->info);
	return CMD_OK;
}

/* collide: nick is in use here by old and a link brought it again (an
 * introduction or a change): RFC 2813 §5.2 and ngIRCd (IRC_KillClient)
 * kill both: one KILL to every link (the one that brought it removes its
 * newcomer, the others the old one) and old goes here. */
static void
collide(struct link *l, const char *nick, struct client *old)
{
	struct server *srv = l->srv;

	log_warnx("nick collision: %s brought by %s, killing both", nick, l->name);
	notice_opers(srv, "Nick collision on %s (%s <- %s), both killed", nick,
	    client_server(old)->name, l->name);
	to_links(srv, NULL, NULL, ":%s KILL %s :%s (Nick collision)", srv->me->name, nick,
	    srv->me->name);
	srv->linkset->quiet = true; /* no QUIT or KILL from on_quit */
	client_close(old, "Nick collision", NULL);
	srv->linkset->quiet = false;
	server_nick_hold(srv, nick); /* a KILL: RFC 2813 §5.7 */
}

/* in_nick_intro: a user introduced: "NICK <nick> <hops> <user> <host>
 * <token> <umodes> :<realname>" (RFC 2813 §4.1.3). A nick in use is a
 * collision (collide). */
static enum cmd_result
in_nick_intro(struct link *l, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct netserver *ns;
	struct client *c;
	long long hops, token;
	const char *nick = m->params[0];

	if (number_parse(m->params[1], 0, 255, &hops) != NUMBER_OK ||
	    number_parse(m->params[4], 0, 0xffff, &token) != NUMBER_OK)
		return CMD_OK;
	ns = netserver_by_peer_token(srv, l->conn, (unsigned)token);
	if (ns == NULL) {
		log_debug("link %s: NICK %s for unknown server token %lld", l->name, nick, token);
		return CMD_OK;
	}
	if (!nick_valid(nick, NICKLEN_MAX) || strlen(m->params[2]) > USERLEN + 1 ||
	    strlen(m->params[3]) > HOSTLEN || strchr(m->params[3], ' ')) {
		reply_raw(l->conn, ":%s KILL %s :%s (Bad nick or host)", srv->me->name, nick,
		    srv->me->name);
		return CMD_OK;
	}
	if ((c = server_find_nick(srv, nick)) != NULL) {
		collide(l, nick, c);
		return l->conn->state == CLIENT_OPEN ? CMD_OK : CMD_CLOSE;
	}
	c = client_new_remote(srv, ns, (unsigned)hops, nick, m->params[2], m->params[3],
	    m->params[6], umode_parse(m->params[5]));
	if (c == NULL)
		return CMD_OK;
	if (l->tags)
		/* what is sent to this user alone goes down l with its tags
		 * (net/output.c queue): a private message keeps its msgid */
		c->caps = CAP_SERVER_TIME | CAP_MESSAGE_TAGS;
	{
		struct event_registered ev = { c, 0 }; /* reg_ms: not ours to time */
		event_publish_registered(srv, &ev); /* MONITOR, other links */
	}
	return CMD_OK;
}

/* in_nick: a nick change ":<old> NICK <new>". */
static enum cmd_result
in_nick(struct link *l, struct source *s, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct client *u = s->user, *other;
	struct outline ol;
	char old[NICKLEN_MAX + 1];
	const char *nick = m->params[0];

	if (u == NULL || !nick_valid(nick, NICKLEN_MAX))
		return CMD_OK;
	other = server_find_nick(srv, nick);
	if (other != NULL && other != u) {
		/* both go: the changer under its old nick, the holder */
		collide(l, u->nick, u);
		collide(l, nick, other);
		return CMD_OK;
	}
	outline_format(&ol, ":%s NICK :%s", s->prefix, nick);
	send_common(u, false, &ol);
	snprintf(old, sizeof(old), "%s", u->nick);
	client_set_nick(u, nick);
	{
		struct event_nick ev = { u, old };
		event_publish_nick(srv, &ev);
	}
	return CMD_OK;
}

/* pending_chaninfo: apply l's kept CHANINFO if it is for ch (just made). */
static void
pending_chaninfo(struct link *l, struct source *s, struct channel *ch)
{
	struct server *srv = l->srv;
	struct irc_msg fm;
	char key[256];
	const char *p = l->ci.buf;
	int i;

	if (l->ci.nparams == 0)
		return;
	server_fold(srv, key, p, sizeof(key));
	if (strcmp(key, ch->key) != 0)
		return;
	memset(&fm, 0, sizeof(fm));
	fm.verb = (char *)"CHANINFO";
	for (i = 0; i < l->ci.nparams; i++) {
		fm.params[i] = (char *)p;
		p += strlen(p) + 1;
	}
	fm.nparams = l->ci.nparams;
	l->ci.nparams = 0;
	in_chaninfo(l, s, &fm);
}

/* join_remote: u joins ch with member modes (JOIN or NJOIN from a link). */
static void
join_remote(struct link *l, struct source *s, struct client *u, const char *name, uint8_t modes)
{
	struct server *srv = l->srv;
	struct channel *ch = net_channel(srv, name);
	struct membership *mb;
	struct outline ol, ext;
	bool created = false;
	char pfx[160];

	if (local_name(name))
		return; /* a peer cannot join a local channel, nor make one */
	if (ch == NULL) {
		if (!channel_name_valid(name, srv->cfg->channellen))
			return;
		ch = channel_new(srv, name);
		created = true;
		/* RFC 2811 §3.2.2: a remote user joining ends the channel delay */
		if (srv->chan_holds->count > 0)
			hold_del(srv->chan_holds, ch->key);
	}
	if ((mb = channel_find_member(ch, u)) != NULL) {
		mb->modes |= modes;
		return;
	}
	channel_add_member(ch, u, modes);
	client_prefix(u, pfx, sizeof(pfx));
	outline_format(&ol, ":%s JOIN %s", pfx, ch->name);
	outline_format(&ext, ":%s JOIN %s %s :%s", pfx, ch->name, u->account ? u->account : "*",
	    u->realname ? u->realname : "");
	send_channel_alt(ch, NULL, &ol, &ext, CAP_EXTENDED_JOIN);
	if (modes != 0) {
		const char *ml = member_letters(modes);
		outline_format(&ol, ":%s MODE %s +%s %s%s%s",
		    s->server ? s->server->name : client_server(u)->name, ch->name, ml, u->nick,
		    ml[1] ? " " : "", ml[1] ? u->nick : "");
		send_channel(ch, NULL, &ol, 0);
	}
	{
		struct event_join ev = { u, ch, created };
		event_publish_join(srv, &ev);
	}
	if (created)
		pending_chaninfo(l, s, ch);
}

/* in_join: ":nick JOIN <chan>[^G<modes>]{,...}" (RFC 2813 §4.2.1: a
 * channel may carry the member's modes after a ^G). */
static enum cmd_result
in_join(struct link *l, struct source *s, struct irc_msg *m)
{
	char list[IRC_LINE_MAX], *rest, *tok, *bel;
	uint8_t modes;

	if (s->user == NULL)
		return CMD_OK;
	if (strcmp(m->params[0], "0") == 0) {
		part_all(s->user, NULL);
		return CMD_OK;
	}
	snprintf(list, sizeof(list), "%s", m->params[0]);
	for (rest = list; (tok = strsep(&rest, ",")) != NULL;) {
		modes = 0;
		if ((bel = strchr(tok, '\007')) != NULL) {
			*bel++ = '\0';
			if (strchr(bel, 'o'))
				modes |= MEMB_OP;
			if (strchr(bel, 'v'))
				modes |= MEMB_VOICE;
		}
		if (*tok != '\0')
			join_remote(l, s, s->user, tok, modes);
	}
	return CMD_OK;
}

/* in_njoin: "NJOIN <chan> :[@][+]nick,..." (RFC 2813 §4.2.2; ngIRCd also
 * sends ~ & % for its q a h modes: ~ and & count as @, % as +). */
static enum cmd_result
in_njoin(struct link *l, struct source *s, struct irc_msg *m)
{
	char list[IRC_LINE_MAX], *rest, *tok;
	struct client *u;
	uint8_t modes;

	if (m->nparams < 2)
		return CMD_OK;
	snprintf(list, sizeof(list), "%s", m->params[1]);
	for (rest = list; (tok = strsep(&rest, ",")) != NULL;) {
		modes = 0;
		for (; *tok && strchr("~&@%+", *tok); tok++)
			modes |= (*tok == '+' || *tok == '%') ? MEMB_VOICE : MEMB_OP;
		u = server_find_nick(l->srv, tok);
		if (u == NULL || !client_is_remote(u) || client_link(u) != l->conn)
			continue;
		join_remote(l, s, u, m->params[0], modes);
	}
	return CMD_OK;
}

/* in_part: ":nick PART <chan>{,...} [:reason]". */
static enum cmd_result
in_part(struct link *l, struct source *s, struct irc_msg *m)
{
	char list[IRC_LINE_MAX], *rest, *tok;
	const char *reason = m->nparams > 1 ? m->params[1] : NULL;
	struct channel *ch;
	struct membership *mb;
	struct outline ol;

	if (s->user == NULL)
		return CMD_OK;
	snprintf(list, sizeof(list), "%s", m->params[0]);
	for (rest = list; (tok = strsep(&rest, ",")) != NULL;) {
		if ((ch = server_find_channel(l->srv, tok)) == NULL ||
		    (mb = channel_find_member(ch, s->user)) == NULL)
			continue;
		if (reason != NULL)
			outline_format(&ol, ":%s PART %s :%s", s->prefix, ch->name, reason);
		else
			outline_format(&ol, ":%s PART %s", s->prefix, ch->name);
		send_channel(ch, NULL, &ol, 0);
		{
			struct event_part ev = { s->user, ch, reason };
			event_publish_part(l->srv, &ev);
		}
		channel_remove_member(l->srv, mb);
	}
	return CMD_OK;
}

/* in_kick: ":src KICK <chan> <nick>{,...} [:reason]" from a user or a
 * server; the remote server checked the rights. */
static enum cmd_result
in_kick(struct link *l, struct source *s, struct irc_msg *m)
{
	char list[IRC_LINE_MAX], *rest, *tok;
	const char *reason = m->nparams > 2 ? m->params[2] : "";
	struct channel *ch;
	struct membership *mb;
	struct client *t;
	struct outline ol;

	if (m->nparams < 2 || (ch = net_channel(l->srv, m->params[0])) == NULL)
		return CMD_OK;
	snprintf(list, sizeof(list), "%s", m->params[1]);
	for (rest = list; (tok = strsep(&rest, ",")) != NULL;) {
		if ((t = server_find_nick(l->srv, tok)) == NULL ||
		    (mb = channel_find_member(ch, t)) == NULL)
			continue;
		outline_format(&ol, ":%s KICK %s %s :%s", s->prefix, ch->name, t->nick, reason);
		send_channel(ch, NULL, &ol, 0);
		{
			struct event_kick ev = { s->user, t, ch, reason };
			event_publish_kick(l->srv, &ev);
		}
		channel_remove_member(l->srv, mb);
	}
	return CMD_OK;
}

/* apply_channel_modes: a MODE from a link, applied without the rights
 * checks (the origin server made them, RFC 2813 §4.2.3), then broadcast
 * to the local members (mode_broadcast, which publishes EVENT_MODE). */
static void
apply_channel_modes(struct server *srv, struct source *s, struct channel *ch, struct irc_msg *m,
    int first)
{
	struct mode_change mc[MODE_LINE_MAX_CHANGES];
	struct mode_lines ml;
	const char *setter = s->user ? s->user->nick : s->server->name;
	int n, i;

	char modes[IRC_LINE_MAX], *args[IRC_MAX_PARAMS], dir = '+';
	const char *p;
	int na = 0, ai = first + 1;
	size_t k = 0;

	if (first >= m->nparams)
		return;
	ml.n = 0;
	ml.arglen = 0;
	/* ngIRCd's member modes q, a, h (IRC+ X; Atheme and Anope use them
	 * over the ngircd protocol) are not ours: dropped with their
	 * parameter, so that every other parameter stays with its letter
	 * (the same rules as mode_parse for which letters take one) */
	for (p = m->params[first]; *p != '\0' && k < sizeof(modes) - 1; p++) {
		const struct chanmode_def *d = mode_channel_find(*p);
		bool takes;
		if (*p == '+' || *p == '-') {
			dir = *p;
			modes[k++] = *p;
			continue;
		}
		if (d == NULL && strchr("qah", *p) != NULL) {
			ai++;
			continue;
		}
		takes = d != NULL &&
		    (d->kind == MODE_LIST || d->kind == MODE_ALWAYS ||
			(d->kind == MODE_SET && dir == '+'));
		if (takes && ai < m->nparams && na < IRC_MAX_PARAMS)
			args[na++] = m->params[ai++];
		modes[k++] = *p;
	}
	modes[k] = '\0';
	n = mode_parse(modes, args, na, mc, MODE_LINE_MAX_CHANGES, MODE_LINE_MAX_CHANGES);
	for (i = 0; i < n; i++) {
		const struct chanmode_def *d = mode_channel_find(mc[i].mode);
		bool set = mc[i].dir == '+';
		if (d == NULL || mc[i].missing_arg)
			continue; /* a mode we do not have (ngIRCd's P, z, ...) */
		if (d->prefix != 0) {
			struct client *t = server_find_nick(srv, mc[i].arg);
			struct membership *mb = t ? channel_find_member(ch, t) : NULL;
			if (mb == NULL)
				continue;
			if (set)
				mb->modes |= d->member;
			else
				mb->modes &= (uint8_t)~d->member;
			mode_lines_add(&ml, mc[i].dir, d->letter, t->nick);
		} else if (d->kind == MODE_LIST) {
			char mask[300];
			if (mc[i].arg == NULL || mc[i].arg[0] == '\0' || strchr(mc[i].arg, ' '))
				continue;
			mask_normalise(mc[i].arg, mask, sizeof(mask));
			if (strlen(mask) > 250)
				continue;
			if (set ? channel_list_add(ch, (enum mask_list_kind)d->list, mask, setter,
				      srv->now, 4096) == 1
				: channel_list_del(srv, ch, (enum mask_list_kind)d->list, mask))
				mode_lines_add(&ml, mc[i].dir, d->letter, mask);
		} else if (d->bit == CMODE_KEY) {
			if (set &&
			    (mc[i].arg == NULL || mc[i].arg[0] == '\0' || strchr(mc[i].arg, ' ') ||
				strlen(mc[i].arg) > 64))
				continue;
			free(ch->chankey);
			ch->chankey = NULL;
			ch->modes &= ~CMODE_KEY;
			if (set) {
				ch->chankey = strdup(mc[i].arg);
				if (ch->chankey != NULL)
					ch->modes |= CMODE_KEY;
			}
			mode_lines_add(&ml, mc[i].dir, 'k',
			    set ? ch->chankey : (mc[i].arg ? mc[i].arg : "*"));
		} else if (d->bit == CMODE_LIMIT) {
			long long v;
			if (set &&
			    (mc[i].arg == NULL ||
				number_parse(mc[i].arg, 1, 1000000, &v) != NUMBER_OK))
				continue;
			if (set) {
				ch->limit = (unsigned)v;
				ch->modes |= CMODE_LIMIT;
			} else
				ch->modes &= ~CMODE_LIMIT;
			mode_lines_add(&ml, mc[i].dir, 'l', set ? mc[i].arg : NULL);
		} else if (d->bit != 0) {
			if (set == ((ch->modes & d->bit) != 0))
				continue;
			if (set)
				ch->modes |= d->bit;
			else
				ch->modes &= ~d->bit;
			mode_lines_add(&ml, mc[i].dir, d->letter, NULL);
		}
	}
	mode_broadcast(srv, ch, s->user, &ml);
}

/* in_mode: a channel MODE or a remote user's own user MODE. */
static enum cmd_result
in_mode(struct link *l, struct source *s, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct channel *ch;
	struct client *t;

	if (m->nparams < 2)
		return CMD_OK;
	if ((ch = net_channel(srv, m->params[0])) != NULL) {
		apply_channel_modes(srv, s, ch, m, 1);
		return CMD_OK;
	}
	t = server_find_nick(srv, m->params[0]);
	if (t != NULL && client_is_remote(t) && client_link(t) == l->conn) {
		/* user modes of a remote user: i, o, w, B are kept */
		uint32_t before = t->umodes, bits;
		const char *p;
		char dir = '+';
		for (p = m->params[1]; *p; p++) {
			if (*p == '+' || *p == '-') {
				dir = *p;
				continue;
			}
			bits = umode_parse((char[]){ *p, '\0' }) &
			    (UMODE_INVISIBLE | UMODE_OPER | UMODE_WALLOPS | UMODE_BOT);
			if (dir == '+')
				t->umodes |= bits;
			else
				t->umodes &= ~bits;
		}
		if ((before ^ t->umodes) & UMODE_OPER) {
			if (t->umodes & UMODE_OPER)
				srv->stats.remote_opers++;
			else
				srv->stats.remote_opers--;
		}
		if ((before ^ t->umodes) & UMODE_INVISIBLE) {
			if (t->umodes & UMODE_INVISIBLE)
				srv->stats.remote_invisible++;
			else
				srv->stats.remote_invisible--;
		}
		{
			struct event_mode ev = { s->user, NULL, t, m->params[1] };
			event_publish_mode(srv, &ev);
		}
	} else if (t != NULL && services_source(srv, s->user, s->server)) {
		/* the services server sets modes of any user (link/services.h):
		 * ours here, others' by their server */
		if (!client_is_remote(t))
			services_user_mode(t, m->params[1], s->prefix);
		else if (client_link(t) != l->conn)
			reply_raw(client_link(t), ":%s MODE %s %s", source_name(s), t->nick,
			    m->params[1]);
	} else if (t != NULL)
		log_debug("link %s: MODE %s %s from %s refused (not its user, not services)",
		    l->name, t->nick, m->params[1], s->prefix);
	return CMD_OK;
}

/* in_svsnick: "SVSNICK <nick> <new nick>" (ngIRCd irc-login.c IRC_SVSNICK;
 * Anope's ngircd module SendForceNickChange): only from the services
 * server. Our user is renamed and the NICK goes to every link, the
 * services link too (it waits for it); a user elsewhere is renamed by its
 * server, which the SVSNICK is passed on to. */
static enum cmd_result
in_svsnick(struct link *l, struct source *s, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct client *t;
	struct link *saved;

	if (!services_source(srv, s->user, s->server)) {
		log_warnx("link %s: SVSNICK %s from %s refused: not the services server", l->name,
		    m->params[0], s->prefix);
		return CMD_OK;
	}
	t = server_find_nick(srv, m->params[0]);
	if (t == NULL || !client_is_registered(t))
		return CMD_OK;
	if (client_is_remote(t)) {
		if (client_link(t) != l->conn)
			reply_raw(client_link(t), ":%s SVSNICK %s %s", source_name(s), t->nick,
			    m->params[1]);
		return CMD_OK;
	}
	saved = srv->linkset->origin;
	srv->linkset->origin = NULL;
	services_force_nick(t, m->params[1]);
	srv->linkset->origin = saved;
	return CMD_OK;
}

/* in_topic: ":src TOPIC <chan> :<topic>". */
static enum cmd_result
in_topic(struct link *l, struct source *s, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct channel *ch;
	const char *topic = m->nparams > 1 ? m->params[1] : "";

	if ((ch = net_channel(srv, m->params[0])) == NULL)
		return CMD_OK;
	topic_change(srv, ch, s->user, s->prefix, topic, strlen(topic));
	return CMD_OK;
}

/* in_chaninfo: "CHANINFO <chan> +<modes> [<key> <limit>] [:<topic>]"
 * (IRC+ II.3): modes are taken when the channel has none, the topic when
 * it has none. */
static enum cmd_result
in_chaninfo(struct link *l, struct source *s, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct channel *ch;
	const char *topic = NULL;

	if (m->nparams < 2 || local_name(m->params[0]))
		return CMD_OK;
	if ((ch = server_find_channel(srv, m->params[0])) == NULL) {
		/* kept for the JOIN/NJOIN that makes the channel (l->ci) */
		size_t off = 0, n;
		int i;
		if (!channel_name_valid(m->params[0], srv->cfg->channellen))
			return CMD_OK;
		l->ci.nparams = 0;
		for (i = 0; i < m->nparams && i < 5; i++) {
			n = strlen(m->params[i]) + 1;
			if (off + n > sizeof(l->ci.buf))
				return CMD_OK;
			memcpy(l->ci.buf + off, m->params[i], n);
			off += n;
		}
		l->ci.nparams = i;
		return CMD_OK;
	}
	if (m->nparams == 3)
		topic = m->params[2];
	else if (m->nparams >= 5)
		topic = m->params[4];
	if (ch->modes == 0) {
		/* "+<modes> <key> <limit>": the key and limit go with their
		 * letters, in the order the letters come */
		struct irc_msg fm;
		const char *p;
		memset(&fm, 0, sizeof(fm));
		fm.verb = m->verb;
		fm.params[0] = m->params[0];
		fm.params[1] = m->params[1];
		fm.nparams = 2;
		for (p = m->params[1]; *p && m->nparams >= 4; p++)
			if (*p == 'k')
				fm.params[fm.nparams++] = m->params[2];
			else if (*p == 'l')
				fm.params[fm.nparams++] = m->params[3];
		apply_channel_modes(srv, s, ch, &fm, 1);
	}
	if (topic != NULL && topic[0] != '\0' && ch->topic == NULL)
		topic_change(srv, ch, s->user, s->prefix, topic, strlen(topic));
	return CMD_OK;
}

/* in_message: ":src PRIVMSG|NOTICE <target> :<text>" or ":src TAGMSG
 * <target>" (tag links only): to the local members of a channel (and on
 * to the other links with members), or to one user (local, or down the
 * link towards it: net/output.c). A tag link's msgid and client-only tags
 * are kept (its time is srv->time_override meanwhile); else a msgid is
 * made here. */
static enum cmd_result
in_message(struct link *l, struct source *s, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct outline ol;
	struct channel *ch = NULL;
	struct client *t = NULL;
	const char *target = m->params[0], *name = target, *text, *id;
	char tags[IRC_CLIENT_TAGS_MAX + 128], msgid[MSGID_MAX + 1], acct[ACCOUNT_TAG_MAX];
	char st[IRC_LINE_MAX];
	size_t tlen;
	unsigned status = 0;
	bool tagmsg = strcmp(m->verb, "TAGMSG") == 0;

	if (tagmsg ? !l->tags : m->nparams < 2)
		return CMD_OK;
	if (!tagmsg && target[0] == '$' && target[1] != '\0') {
		/* "$<server mask>" (RFC 2812 §3.3.1; Atheme and Anope send
		 * their global notices so): our users when our name matches,
		 * and every other server */
		services_global(srv, s->prefix, m->verb, target + 1, m->params[1]);
		to_links(srv, l, NULL, ":%s %s %s :%s", source_name(s), m->verb, target,
		    m->params[1]);
		return CMD_OK;
	}
	text = tagmsg ? "" : m->params[1];
	while (*name == '@' || *name == '+') {
		status |= *name == '@' ? MEMB_OP : MEMB_VOICE;
		name++;
	}
	if (strchr("#&+!", *name) != NULL) {
		if ((ch = net_channel(srv, name)) == NULL)
			return CMD_OK;
		snprintf(st, sizeof(st), "%.*s%s", (int)(name - target), target, ch->name);
		target = st;
	} else {
		t = server_find_nick(srv, target);
		if (t == NULL || !client_is_registered(t) ||
		    (client_is_remote(t) && client_link(t) == l->conn))
			return CMD_OK;
		target = t->nick;
	}
	id = srv->linkset->in_msgid[0] ? srv->linkset->in_msgid : NULL;
	tlen = msg_tags_build_id(srv, s->user, id, l->tags ? m->client_tags : NULL, tags,
	    sizeof(tags), msgid, sizeof(msgid));
	if (tagmsg)
		outline_format(&ol, ":%s TAGMSG %s", s->prefix, target);
	else
		outline_format(&ol, ":%s %s %s :%s", s->prefix, m->verb, target, text);
	outline_set_tags(&ol, tags, tlen);
	outline_set_account(&ol, acct, account_tag_build(acct, s->user ? s->user->account : NULL));
	if (tagmsg)
		ol.need_cap = CAP_MESSAGE_TAGS;
	if (ch != NULL)
		send_channel(ch, NULL, &ol, status);
	else
		send_line(t, &ol);
	{
		struct event_message ev = { s->user, m->verb, ch, ch ? status : 0, t, text, tags,
			msgid };
		event_publish_message(srv, &ev);
	}
	return CMD_OK;
}

/* in_redact: ":nick REDACT <target> <msgid> [:reason]" from a tag link
 * (IRCv3 draft/message-redaction; msgids are the same on every server
 * only over tag links, so others are ignored). The sending server checked
 * who may redact (a server speaks for its own users); here the message
 * leaves our history and our clients with the capability are told
 * (cmd/redact.c redact_apply), and the other links hear of it. */
static enum cmd_result
in_redact(struct link *l, struct source *s, struct irc_msg *m)
{
	struct server *srv = l->srv;
	const char *target = m->params[0], *msgid = m->params[1];
	char tags[256], id[MSGID_MAX + 1], key[256] = "";
	struct channel *ch = NULL;
	struct client *t = NULL;
	size_t tlen;

	if (!l->tags || s->user == NULL || !msgid_valid(msgid, strlen(msgid)))
		return CMD_OK;
	if (strchr("#&+!", target[0]) != NULL) {
		if ((ch = net_channel(srv, target)) == NULL)
			return CMD_OK;
		snprintf(key, sizeof(key), "%s", ch->key);
	} else {
		t = server_find_nick(srv, target);
		if (t == NULL || !client_is_registered(t) ||
		    (client_is_remote(t) && client_link(t) == l->conn))
			return CMD_OK;
		if (s->user->account != NULL && t->account != NULL) {
			char a[64], b[64];
			server_fold(srv, a, s->user->account, sizeof(a));
			server_fold(srv, b, t->account, sizeof(b));
			if (!history_dm_key(key, sizeof(key), a, b))
				key[0] = '\0';
		}
	}
	tlen = msg_tags_build_id(srv, s->user,
	    srv->linkset->in_msgid[0] ? srv->linkset->in_msgid : NULL, NULL, tags, sizeof(tags), id,
	    sizeof(id));
	redact_apply(s->user, ch, t, key, msgid, m->nparams > 2 ? m->params[2] : NULL, tags, tlen,
	    false);
	return CMD_OK;
}

/* in_away: ":nick AWAY [:text]": kept, shown to away-notify clients,
 * passed on. */
static enum cmd_result
in_away(struct link *l, struct source *s, struct irc_msg *m)
{
	struct outline ol;
	struct client *u = s->user;

	if (u == NULL)
		return CMD_OK;
	free(u->away);
	u->away = NULL;
	if (m->nparams > 0 && m->params[0][0] != '\0') {
		u->away = strndup(m->params[0], l->srv->cfg->awaylen);
		outline_format(&ol, ":%s AWAY :%s", s->prefix, m->params[0]);
	} else
		outline_format(&ol, ":%s AWAY", s->prefix);
	ol.need_cap = CAP_AWAY_NOTIFY;
	send_common(u, false, &ol);
	{
		struct event_away ev = { u, u->away };
		event_publish_away(l->srv, &ev); /* the other links */
	}
	return CMD_OK;
}

/* in_kill: ":src KILL <nick> :<path/reason>". */
static enum cmd_result
in_kill(struct link *l, struct source *s, struct irc_msg *m)
{
	struct client *t = server_find_nick(l->srv, m->params[0]);
	char reason[IRC_LINE_MAX], nick[NICKLEN_MAX + 1];

	if (t == NULL || !client_is_registered(t))
		return CMD_OK;
	snprintf(reason, sizeof(reason), "Killed (%s (%s))",
	    s->user ? s->user->nick : s->server->name, m->nparams > 1 ? m->params[1] : "");
	snprintf(nick, sizeof(nick), "%s", t->nick);
	if (!client_is_remote(t)) /* Solanum tells operators of kills from afar */
		notice_opers(l->srv, "Received KILL message for %s from %s: %s", t->nick,
		    s->user ? s->user->nick : s->server->name, m->nparams > 1 ? m->params[1] : "");
	if (client_is_remote(t) && client_link(t) != l->conn) {
		/* a user of another server: the KILL goes on as it came (its
		 * source and reason), to every other server, as ngIRCd does
		 * (IRC_KILL); the user leaves here without a second KILL */
		to_links(l->srv, l, NULL, ":%s KILL %s :%s", source_name(s), t->nick,
		    m->nparams > 1 ? m->params[1] : "");
		l->srv->linkset->quiet = true;
		client_close(t, reason, NULL);
		l->srv->linkset->quiet = false;
	} else
		client_close(t, reason, NULL);
	/* RFC 2813 §5.7: a nick lost by KILL is held; not after a services
	 * KILL (NickServ GHOST frees the nick for its owner) */
	if (!services_source(l->srv, s->user, s->server))
		server_nick_hold(l->srv, nick);
	return CMD_OK;
}

/* in_squit: "SQUIT <server> :<reason>" (RFC 2813 §4.1.6). */
static enum cmd_result
in_squit(struct link *l, struct irc_msg *m)
{
	struct netserver *ns = netserver_find(l->srv, m->params[0]);
	const char *reason = m->nparams > 1 ? m->params[1] : "SQUIT";

	if (ns == NULL)
		return CMD_OK;
	if (ns == l->srv->me || ns == l->ns) {
		client_close(l->conn, reason, NULL);
		return CMD_CLOSE;
	}
	if (ns->conn == l->conn)
		split_server(l->srv, ns, l, reason);
	return CMD_OK;
}

/* in_numeric: a numeric for a user: passed to a local user as it came. */
static enum cmd_result
in_numeric(struct link *l, struct source *s, struct irc_msg *m)
{
	struct client *t;
	char line[IRC_LINE_MAX];
	size_t len;
	int i, n;

	if (m->nparams < 2 || (t = server_find_nick(l->srv, m->params[0])) == NULL ||
	    !client_is_registered(t) || (client_is_remote(t) && client_link(t) == l->conn))
		return CMD_OK;
	/* for a remote user (the answer to a query it sent through us): on
	 * down its link as it came, the source a server name (RFC 2813 §3.3) */
	n = snprintf(line, sizeof(line), ":%s %s",
	    s->server		      ? s->server->name
		: client_is_remote(t) ? s->user->nick
				      : s->prefix,
	    m->verb);
	for (i = 0; i < m->nparams && n > 0 && (size_t)n < sizeof(line); i++) {
		len = (size_t)n;
		n += snprintf(line + len, sizeof(line) - len, i == m->nparams - 1 ? " :%s" : " %s",
		    m->params[i]);
	}
	reply_raw(t, "%s", line);
	return CMD_OK;
}

/* in_wallops: ":src WALLOPS :<text>" (RFC 2812 §4.7): to the local +w
 * users, and on to the other links (EVENT_WALLOPS). */
static enum cmd_result
in_wallops(struct link *l, struct source *s, struct irc_msg *m)
{
	struct event_wallops ev = { s->user, s->user ? s->user->nick : s->server->name,
		m->params[0] };

	wallops_send(l->srv, s->prefix, m->params[0]);
	event_publish_wallops(l->srv, &ev);
	return CMD_OK;
}

/* in_invite: ":nick INVITE <nick> <chan>" for a local user. */
static enum cmd_result
in_invite(struct link *l, struct source *s, struct irc_msg *m)
{
	struct client *t;
	struct channel *ch;

	if (m->nparams < 2 || s->user == NULL ||
	    (t = server_find_nick(l->srv, m->params[0])) == NULL ||
	    (client_is_remote(t) && client_link(t) == l->conn))
		return CMD_OK;
	/* a user of another server: on to it (ChanServ INVITE from Atheme
	 * for a user behind us); its server keeps the invitation */
	if (!client_is_remote(t) && (ch = server_find_channel(l->srv, m->params[1])) != NULL)
		channel_invite_add(ch, t, l->srv->now + INVITE_LIFETIME);
	reply_raw(t, ":%s INVITE %s %s", s->prefix, t->nick, m->params[1]);
	return CMD_OK;
}

/* in_metadata: ":<src> METADATA <target> <key> :<value>" (ngIRCd
 * doc/Protocol.txt II.6): applied to a user behind this link, or to any
 * user when it comes from the services server (link/services.h: ngIRCd
 * trusts every server; we trust services only), then passed on to every other link that takes
 * METADATA, unknown keys included; an unknown target or a refused value
 * stops it here. */
static enum cmd_result
in_metadata(struct link *l, struct source *s, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct client *u = server_find_nick(srv, m->params[0]);
	const char *value = m->nparams > 2 ? m->params[2] : "";
	struct link *o;
	struct outline ol;
	bool formatted = false;

	if (u == NULL || !client_is_registered(u) || strlen(m->params[1]) > 64) {
		log_debug("link %s: METADATA for unknown %s ignored", l->name, m->params[0]);
		return CMD_OK;
	}
	if (m->params[1][0] == '\0' || m->params[1][0] == ':' || strchr(m->params[1], ' ')) {
		/* a key sent as a trailing parameter would be passed on as
		 * several parameters */
		log_debug("link %s: METADATA %s with a malformed key ignored", l->name, u->nick);
		return CMD_OK;
	}
	if (!(client_is_remote(u) && client_link(u) == l->conn) &&
	    !services_source(srv, s->user, s->server)) {
		/* a server speaks for its own users; only the services
		 * server for everyone's (link/services.h) */
		log_warnx("link %s: METADATA %s %s from %s refused: not its user, not services",
		    l->name, u->nick, m->params[1], s->prefix);
		return CMD_OK;
	}
	if (metadata_apply(u, m->params[1], value) == METADATA_INVALID) {
		log_warnx("link %s: METADATA %s %s: bad value refused", l->name, u->nick,
		    m->params[1]);
		return CMD_OK;
	}
	TAILQ_FOREACH(o, &srv->linkset->links, entry) {
		if (o == l || !o->meta || o->state < LINK_BURST)
			continue;
		if (!formatted) {
			outline_format(&ol, ":%s METADATA %s %s :%s",
			    s->server ? s->server->name : s->user->nick, u->nick, m->params[1],
			    value);
			formatted = true;
		}
		send_line(o->conn, &ol);
	}
	return CMD_OK;
}

/* The server commands, with their least parameter count. */
static const struct link_cmd {
	const char *verb;
	int min;
	enum cmd_result (*fn)(struct link *l, struct source *s, struct irc_msg *m);
} link_cmds[] = {
	{ "AWAY", 0, in_away },
	{ "CHANINFO", 2, in_chaninfo },
	{ "INVITE", 2, in_invite },
	{ "JOIN", 1, in_join },
	{ "KICK", 2, in_kick },
	{ "KILL", 1, in_kill },
	{ "METADATA", 2, in_metadata },
	{ "MODE", 2, in_mode },
	{ "NJOIN", 2, in_njoin },
	{ "NOTICE", 2, in_message },
	{ "PART", 1, in_part },
	{ "PRIVMSG", 2, in_message },
	{ "REDACT", 2, in_redact },
	{ "SVSNICK", 2, in_svsnick },
	{ "TAGMSG", 1, in_message },
	{ "TOPIC", 1, in_topic },
	{ "WALLOPS", 1, in_wallops },
};

/* link_command: one line from a registered link. */
static enum cmd_result
link_command(struct link *l, struct irc_msg *m)
{
	struct server *srv = l->srv;
	struct source s;
	size_t i;

	if (!strcmp(m->verb, "PING")) {
		struct netserver *to = m->nparams > 1 ? netserver_find(srv, m->params[1]) : NULL;
		if (to != NULL && to != srv->me && to->conn != l->conn) {
			/* "PING <origin> <destination>" (RFC 2812 §3.7.2): on to
			 * the destination, as ngIRCd (IRC_PING) does; Anope pings
			 * every server so, and counts it synced at its PONG */
			if (resolve(l, m, &s))
				reply_raw(to->conn, ":%s PING %s :%s", source_name(&s),
				    m->params[0], to->name);
			return CMD_OK;
		}
		if (m->prefix != NULL && resolve(l, m, &s) && s.server != NULL &&
		    s.server != l->ns) {
			/* a farther server pinged us: the PONG finds its way
			 * back by its first parameter (ngIRCd IRC_PONG) */
			reply_raw(l->conn, ":%s PONG %s :%s", srv->me->name, s.server->name,
			    m->nparams > 0 ? m->params[0] : srv->me->name);
			return CMD_OK;
		}
		/* RFC 2813 §4.6.2: answer for ourselves */
		reply_raw(l->conn, ":%s PONG %s :%s", srv->me->name, srv->me->name,
		    m->nparams > 0 ? m->params[0] : l->name);
		return CMD_OK;
	}
	if (!strcmp(m->verb, "PONG") && m->nparams >= 2 && m->prefix != NULL) {
		/* "PONG <destination> :<text>" for a farther server: passed
		 * on (ngIRCd IRC_PONG); not the end of this link's burst */
		struct netserver *to = netserver_find(srv, m->params[0]);
		if (to != NULL && to != srv->me && to->conn != l->conn && resolve(l, m, &s) &&
		    s.server != NULL && s.server != to) {
			reply_raw(to->conn, ":%s PONG %s :%s", s.server->name, m->params[0],
			    m->params[1]);
			return CMD_OK;
		}
	}
	if (!strcmp(m->verb, "PONG")) {
		if (l->state == LINK_BURST) {
			struct event_server_linked ev = { l->ns->name, l->ns->info };
			struct autoconn *ac = autoconn_of(srv, l->name);
			l->state = LINK_UP;
			if (ac != NULL)
				ac->delay = 0; /* a good link: the back-off starts over */
			log_info("link %s: burst complete", l->name);
			/* the channel delay of its channels ends (RFC 2811 §3.2.2) */
			hold_del_tag(srv->chan_holds, l->ns->name);
			{
				/* our burst was read: the configured sendq again */
				const struct link_conf *lc = config_find_link(srv->cfg, l->name);
				if (lc != NULL)
					l->conn->sendq = (uint32_t)lc->sendq;
			}
			event_publish_server_linked(srv, &ev);
		}
		return CMD_OK;
	}
	if (!strcmp(m->verb, "ERROR")) {
		char reason[IRC_LINE_MAX];
		snprintf(reason, sizeof(reason), "ERROR from %s: %s", l->name,
		    m->nparams > 0 ? m->params[0] : "");
		log_warnx("link %s", reason);
		client_close(l->conn, reason, NULL);
		return CMD_CLOSE;
	}
	if (!resolve(l, m, &s))
		return CMD_OK;
	if (!strcmp(m->verb, "SERVER"))
		return in_server(l, &s, m);
	if (!strcmp(m->verb, "NICK")) {
		if (m->nparams >= 7)
			return in_nick_intro(l, m);
		return m->nparams >= 1 ? in_nick(l, &s, m) : CMD_OK;
	}
	if (!strcmp(m->verb, "QUIT")) {
		if (s.user != NULL)
			client_close(s.user, m->nparams > 0 ? m->params[0] : "", NULL);
		return CMD_OK;
	}
	if (!strcmp(m->verb, "SQUIT"))
		return m->nparams >= 1 ? in_squit(l, m) : CMD_OK;
	if (isdigit((unsigned char)m->verb[0]) && strlen(m->verb) == 3)
		return in_numeric(l, &s, m);
	for (i = 0; i < sizeof(link_cmds) / sizeof(link_cmds[0]); i++)
		if (!strcmp(m->verb, link_cmds[i].verb)) {
			if (m->nparams < link_cmds[i].min)
				return CMD_OK;
			return link_cmds[i].fn(l, &s, m);
		}
	if (query_remote(srv, l->conn, s.user, m))
		return l->conn->state == CLIENT_OPEN ? CMD_OK : CMD_CLOSE;
	/* SERVICE...: not yet (NETWORK.md) */
	log_debug("link %s: %s ignored", l->name, m->verb);
	return CMD_OK;
}

/* time_valid: "YYYY-MM-DDThh:mm:ss.sssZ" (IRCv3 server-time), digits
 * where digits go; the value only, len bytes. */
static bool
time_valid(const char *v, size_t len)
{
	static const char form[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	size_t i;

	if (len != sizeof(form) - 1)
		return false;
	for (i = 0; i < len; i++)
		if (form[i] == 'd' ? !isdigit((unsigned char)v[i]) : v[i] != form[i])
			return false;
	return true;
}

/* link_tags_in: the msgid and time of a line from a tag link (untrusted:
 * a msgid that is not msgid_valid or a malformed time is dropped, and the
 * message gets a new id or our clock's time, as from a link without tags).
 * The time becomes srv->time_override while the line is handled. */
static void
link_tags_in(struct link *l, struct irc_msg *m)
{
	struct linkset *ls = l->srv->linkset;
	char buf[IRC_TAGS_MAX + 1], *cur, *key, *val;

	ls->in_msgid[0] = '\0';
	if (!l->tags || m->tags == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s", m->tags); /* message_tag_next unescapes in place */
	cur = buf;
	while (message_tag_next(&cur, &key, &val)) {
		size_t vl = strlen(val);
		if (strcmp(key, "msgid") == 0 && msgid_valid(val, vl))
			memcpy(ls->in_msgid, val, vl + 1);
		else if (strcmp(key, "time") == 0 && time_valid(val, vl)) {
			snprintf(ls->in_time, sizeof(ls->in_time), "time=%s", val);
			l->srv->time_override = ls->in_time;
			l->srv->time_override_len = strlen(ls->in_time);
		}
	}
}

/* link_input: a line of a link connection. */
static enum cmd_result
link_input(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct link *l = link_of(srv, c), *saved;
	enum cmd_result r;

	if (l == NULL)
		return CMD_OK;
	if (l->state < LINK_BURST) {
		l->recv_msgs++;
		if (!strcmp(m->verb, "PASS") && m->nparams >= 1) {
			pass_keep(c, m);
			return CMD_OK;
		}
		if (!strcmp(m->verb, "SERVER"))
			return link_server(l, m);
		if (!strcmp(m->verb, "ERROR")) {
			log_warnx("link %s: ERROR %s", l->name, m->nparams ? m->params[0] : "");
			client_close(c, "ERROR from peer", NULL);
			return CMD_CLOSE;
		}
		return CMD_OK;
	}
	l->recv_msgs++;
	saved = srv->linkset->origin;
	srv->linkset->origin = l;
	link_tags_in(l, m);
	r = link_command(l, m);
	srv->linkset->in_msgid[0] = '\0';
	srv->time_override = NULL;
	srv->time_override_len = 0;
	srv->linkset->origin = saved;
	if (c->state != CLIENT_OPEN)
		return CMD_CLOSE;
	return r;
}

/* oper_connect: "CONNECT <server>" (RFC 2812 §3.4.7): link to a [link]
 * section with an address now, once (the port and remote-server forms are
 * not supported). Operators only. */
static enum cmd_result
oper_connect(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	const struct link_conf *lc;
	struct autoconn *ac;
	struct link *l;

	if (m->nparams < 1) {
		numeric(c, ERR_NEEDMOREPARAMS, "CONNECT");
		return CMD_OK;
	}
	lc = config_find_link(srv->cfg, m->params[0]);
	ac = lc ? autoconn_of(srv, lc->name) : NULL;
	if (ac == NULL) {
		/* no [link] with an address and port of that name */
		numeric(c, ERR_NOSUCHSERVER, m->params[0]);
		return CMD_OK;
	}
	TAILQ_FOREACH(l, &srv->linkset->links, entry)
		if (strcasecmp(l->name, lc->name) == 0)
			break;
	if (l != NULL || netserver_find(srv, lc->name) != NULL || ac->connecting != NULL) {
		reply_notice(c, "*** CONNECT: %s is linked or being linked already", lc->name);
		return CMD_OK;
	}
	log_info("CONNECT %s by %s", lc->name, c->nick);
	reply_notice(c, "*** Connecting to %s (%s port %u)", lc->name, lc->address, lc->port);
	evtimer_del(ac->timer);
	ac->manual = true;
	autoconn_try(-1, 0, ac);
	return CMD_OK;
}

/* oper_squit: "SQUIT <server> [:<comment>]" (RFC 2812 §3.1.8, RFC 2813
 * §4.1.6): a direct link is closed (a netsplit here and on the peer); a
 * server further away is asked to be split by the link towards it.
 * Operators only. */
static enum cmd_result
oper_squit(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct netserver *ns;
	char reason[IRC_LINE_MAX];

	if (m->nparams < 1) {
		numeric(c, ERR_NEEDMOREPARAMS, "SQUIT");
		return CMD_OK;
	}
	ns = netserver_find(srv, m->params[0]);
	if (ns == NULL || ns == srv->me) {
		numeric(c, ERR_NOSUCHSERVER, m->params[0]);
		return CMD_OK;
	}
	snprintf(reason, sizeof(reason), "SQUIT by %s: %s", c->nick,
	    m->nparams > 1 && m->params[1][0] ? m->params[1] : "no reason");
	log_info("%s (%s)", reason, ns->name);
	reply_notice(c, "*** SQUIT %s", ns->name);
	if (ns->hops == 1)
		client_close(ns->conn, reason, NULL);
	else
		reply_raw(ns->conn, ":%s SQUIT %s :%s", srv->me->name, ns->name, reason);
	return CMD_OK;
}

/* link_dispatch: see link.h. */
enum cmd_result
link_dispatch(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct link *l;

	if (c->flags & CF_SERVER)
		return link_input(c, m);
	if (client_is_registered(c) && (!strcmp(m->verb, "CONNECT") || !strcmp(m->verb, "SQUIT"))) {
		/* the server commands of operators live with the links */
		if (!client_is_oper(c)) {
			c->fakelag += (time_t)srv->cfg->flood_penalty; /* as the gate would */
			numeric(c, ERR_NOPRIVILEGES);
			return CMD_OK;
		}
		return m->verb[0] == 'C' ? oper_connect(c, m) : oper_squit(c, m);
	}
	if (client_is_registered(c)) {
		enum cmd_result r;
		if (query_local(c, m, &r)) /* MAP, STATS l, queries for other servers */
			return r;
	}
	if (!client_is_registered(c) && srv->cfg->nlinks > 0 && srv->linkset != NULL) {
		if (!strcmp(m->verb, "PASS") && m->nparams >= 2) {
			/* a server's PASS (RFC 2813 §4.1.1: version, flags) */
			pass_keep(c, m);
			return CMD_OK;
		}
		if (!strcmp(m->verb, "SERVER") && !(c->flags & (CF_GOT_NICK | CF_GOT_USER))) {
			if (m->nparams < 1)
				return srv->linkset->next(c, m);
			l = link_new(srv, c, false, m->params[0]);
			if (l == NULL) {
				client_close(c, "Out of memory", NULL);
				return CMD_CLOSE;
			}
			return link_server(l, m);
		}
	}
	return srv->linkset->next(c, m);
}

/* ---- netsplit ---- */

/* behind: is ns x itself or a server reached through x? */
static bool
behind(const struct netserver *ns, const struct netserver *x)
{
	for (; ns != NULL; ns = ns->uplink)
		if (ns == x)
			return true;
	return false;
}

/* split_holds: c is lost in a split from server cs: its nick is held
 * (RFC 2813 §5.7: nicks lost in a split or by KILL, not by a plain QUIT;
 * ngIRCd holds none, which does not matter to a peer: a hold only refuses
 * our local clients), and every channel c is the last member of is
 * reserved until cs returns or channel_delay passes (RFC 2811 §3.2.2). */
static void
split_holds(struct server *srv, struct client *c, struct netserver *cs)
{
	struct membership *m;

	server_nick_hold(srv, c->nick);
	if (srv->cfg->channel_delay == 0)
		return;
	LIST_FOREACH(m, &c->channels, by_client)
		if (m->chan->nmembers == 1 && !local_channel(m->chan))
			server_channel_hold(srv, m->chan->key, cs->name);
}

/* split_server: x and every server behind it leave the network: their
 * users quit with "<us> <their server>" (RFC 2813 §5.8; no QUIT goes to
 * other links: they get the SQUITs and do the same), then the servers go.
 * from: the link the SQUIT came from (not told), or NULL. O(servers +
 * the users lost): each server keeps its users (netserver.remotes). */
static void
split_server(struct server *srv, struct netserver *x, struct link *from, const char *reason)
{
	struct netserver *ns, *tns;
	struct remote_client *rc;
	char why[2 * SERVERNAME_MAX + 2], name[SERVERNAME_MAX + 1];
	unsigned h, maxh = 0;

	HASH_ITER(hh, srv->servers, ns, tns)
		if (ns != srv->me && behind(ns, x))
			ns->splitting = true;
	HASH_ITER(hh, srv->servers, ns, tns) {
		if (!ns->splitting)
			continue;
		/* "<us> <its server>": the server still here and the one
		 * lost to us, as ngIRCd (Client_Destroy) words it for the
		 * users of every server behind the split */
		snprintf(why, sizeof(why), "%s %s", srv->me->name, ns->name);
		while ((rc = TAILQ_FIRST(&ns->remotes)) != NULL) {
			split_holds(srv, &rc->c, ns);
			client_close(&rc->c, why, NULL); /* unlinks rc */
			if (TAILQ_FIRST(&ns->remotes) == rc)
				TAILQ_REMOVE(&ns->remotes, rc, on_server); /* never */
		}
	}
	snprintf(name, sizeof(name), "%s", x->name);
	log_info("netsplit: %s (%s)", name, reason);
	/* one SQUIT per lost server, the farthest first, x last, as ngIRCd
	 * sends them itself (Client_Destroy): ngIRCd files a server under the
	 * link that brought it, not under its uplink, so a SQUIT for x alone
	 * would leave the servers behind x and their users on it */
	HASH_ITER(hh, srv->servers, ns, tns)
		if (ns->splitting && ns->hops > maxh)
			maxh = ns->hops;
	for (h = maxh; h >= x->hops && h > 0; h--) /* x is never us (hops 0) */
		HASH_ITER(hh, srv->servers, ns, tns)
			if (ns->splitting && ns->hops == h)
				to_links(srv, from, x->conn, ":%s SQUIT %s :%s", srv->me->name,
				    ns->name, reason);
	HASH_ITER(hh, srv->servers, ns, tns)
		if (ns->splitting)
			netserver_del(srv, ns);
	{
		struct event_server_split ev = { name, reason };
		event_publish_server_split(srv, &ev);
	}
}

/* on_link_closed: a link connection closes: netsplit, then the next
 * autoconnect try. */
static void
on_link_closed(struct server *srv, const struct event_link_closed *ev)
{
	struct link *l = link_of(srv, ev->conn);
	struct autoconn *ac;

	if (l == NULL)
		return;
	if (l->job != NULL)
		password_job_cancel(l->job);
	if (l->ns != NULL) {
		if (srv->linkset->origin == l)
			srv->linkset->origin = NULL;
		split_server(srv, l->ns, l, ev->reason);
	}
	log_info("link %s closed: %s", l->name, ev->reason);
	ac = autoconn_of(srv, l->name);
	link_gone(srv, l);
	if (ac != NULL && !srv->shutting_down && config_find_link(srv->cfg, ac->name) != NULL &&
	    config_find_link(srv->cfg, ac->name)->autoconnect)
		autoconn_schedule(ac, ac->delay);
}

/* ---- propagation of local changes (event subscribers) ---- */

static struct link *
origin(struct server *srv)
{
	return srv->linkset->origin;
}

static void
on_registered(struct server *srv, const struct event_registered *ev)
{
	struct outline ol;
	struct link *l;

	intro_line(srv, ev->client, &ol);
	TAILQ_FOREACH(l, &srv->linkset->links, entry)
		if (l != origin(srv) && l->state >= LINK_BURST &&
		    l->conn != client_link(ev->client)) {
			send_line(l->conn, &ol);
			if (l->meta)
				metadata_send_user(l->conn, srv->me->name, ev->client);
		}
}

/* on_setname: a local SETNAME goes to the links that take METADATA as
 * "info" (ngIRCd doc/Protocol.txt II.6: the real name), the way ngIRCd
 * and services change a real name; ngIRCd has no SETNAME. A change that
 * came from a link was passed on by in_metadata. */
static void
on_setname(struct server *srv, const struct event_setname *ev)
{
	struct link *l;
	struct outline ol;
	bool formatted = false;

	if (origin(srv) != NULL || client_is_remote(ev->client))
		return;
	TAILQ_FOREACH(l, &srv->linkset->links, entry) {
		if (!l->meta || l->state < LINK_BURST)
			continue;
		if (!formatted) {
			outline_format(&ol, ":%s METADATA %s info :%s", srv->me->name,
			    ev->client->nick, ev->realname);
			formatted = true;
		}
		send_line(l->conn, &ol);
	}
}

/* on_account: a local login or logout (SASL, NickServ) goes to the links
 * that take METADATA as "accountname" (empty: logged out), as ngIRCd and
 * services send it. A change that came from a link was passed on by
 * in_metadata; a user not yet registered is not known to the links (its
 * introduction carries the account). */
static void
on_account(struct server *srv, const struct event_account *ev)
{
	struct link *l;
	struct outline ol;
	bool formatted = false;

	if (origin(srv) != NULL || !client_is_registered(ev->client) ||
	    client_is_remote(ev->client))
		return;
	TAILQ_FOREACH(l, &srv->linkset->links, entry) {
		if (!l->meta || l->state < LINK_BURST)
			continue;
		if (!formatted) {
			outline_format(&ol, ":%s METADATA %s accountname :%s", srv->me->name,
			    ev->client->nick, ev->account ? ev->account : "");
			formatted = true;
		}
		send_line(l->conn, &ol);
	}
}

static void
on_nick(struct server *srv, const struct event_nick *ev)
{
	to_links(srv, origin(srv), NULL, ":%s NICK :%s", ev->old_nick, ev->client->nick);
}

static void
on_quit(struct server *srv, const struct event_quit *ev)
{
	struct client *c = ev->client;
	struct client *home = client_is_remote(c) ? client_link(c) : NULL;

	if ((client_is_remote(c) && remote_of(c)->server->splitting) || srv->linkset->quiet)
		return; /* the SQUIT (or the collision KILL) tells the other links */
	if (home != NULL && c == srv->linkset->killed)
		srv->linkset->killed = NULL; /* on_kill told its server */
	else if (home != NULL && (origin(srv) == NULL || origin(srv)->conn != home))
		/* a remote user closed here (KILL): its server must know */
		reply_raw(home, ":%s KILL %s :%s", srv->me->name, c->nick, ev->reason);
	to_links(srv, origin(srv), home, ":%s QUIT :%s", c->nick, ev->reason);
}

static void
on_join(struct server *srv, const struct event_join *ev)
{
	struct membership *mb = channel_find_member(ev->channel, ev->client);
	const char *ml = mb ? member_letters(mb->modes) : "";

	char modes[16];

	if (local_channel(ev->channel))
		return;
	to_links(srv, origin(srv), NULL, ":%s JOIN %s%s%s", ev->client->nick, ev->channel->name,
	    ml[0] ? "\007" : "", ml);
	/* a channel made here starts with our default modes (+nt); a peer
	 * makes it bare from the JOIN (RFC 2813 §4.2.1: a JOIN carries
	 * member modes only), so it is told */
	if (ev->created && origin(srv) == NULL && chan_flags(ev->channel, false, modes)[0])
		to_links(srv, NULL, NULL, ":%s MODE %s +%s", srv->me->name, ev->channel->name,
		    modes);
}

static void
on_part(struct server *srv, const struct event_part *ev)
{
	if (local_channel(ev->channel))
		return;
	to_links(srv, origin(srv), NULL, ":%s PART %s :%s", ev->client->nick, ev->channel->name,
	    ev->reason ? ev->reason : "");
}

static void
on_kick(struct server *srv, const struct event_kick *ev)
{
	if (local_channel(ev->channel))
		return;
	to_links(srv, origin(srv), NULL, ":%s KICK %s %s :%s", src_name(srv, ev->source),
	    ev->channel->name, ev->target->nick, ev->reason ? ev->reason : "");
}

static void
on_mode(struct server *srv, const struct event_mode *ev)
{
	if (ev->channel != NULL) {
		if (!local_channel(ev->channel))
			to_links(srv, origin(srv), NULL, ":%s MODE %s %s",
			    src_name(srv, ev->source), ev->channel->name, ev->modes);
	} else if (ev->target != NULL && !client_is_remote(ev->target)) {
		to_links(srv, origin(srv), NULL, ":%s MODE %s %s", ev->target->nick,
		    ev->target->nick, ev->modes);
	}
}

static void
on_topic(struct server *srv, const struct event_topic *ev)
{
	if (local_channel(ev->channel))
		return;
	to_links(srv, origin(srv), NULL, ":%s TOPIC %s :%s", src_name(srv, ev->source),
	    ev->channel->name, ev->topic);
}

static void
on_away(struct server *srv, const struct event_away *ev)
{
	if (ev->away != NULL)
		to_links(srv, origin(srv), NULL, ":%s AWAY :%s", ev->client->nick, ev->away);
	else
		to_links(srv, origin(srv), NULL, ":%s AWAY", ev->client->nick);
}

/* on_kill: an operator here kills a remote user: its server gets
 * ":<oper> KILL <nick> :<reason>" (RFC 2813 §4.6.1; ngIRCd and evircd
 * show "Killed (<oper> (<reason>))"); the other links get its QUIT from
 * on_quit. */
static void
on_kill(struct server *srv, const struct event_kill *ev)
{
	struct client *t = ev->target;

	if (!client_is_remote(t) || ev->source == NULL || origin(srv) != NULL)
		return;
	reply_raw(client_link(t), ":%s KILL %s :%s", ev->source->nick, t->nick, ev->reason);
	srv->linkset->killed = t;
}

static void
on_wallops(struct server *srv, const struct event_wallops *ev)
{
	to_links(srv, origin(srv), NULL, ":%s WALLOPS :%s", ev->from, ev->text);
}

/* mark_member_links: stamp, with a fresh serial, the link connection of
 * every remote member of ch (with one of the `status` member modes when
 * not 0); returns the serial, or 0 when no link has such a member. */
static uint32_t
mark_member_links(struct server *srv, struct channel *ch, unsigned status)
{
	struct membership *m, *tmp;
	uint32_t serial;
	bool any = false;

	if (++srv->serial == 0)
		srv->serial = 1;
	serial = srv->serial;
	HASH_ITER(hh, ch->members, m, tmp) {
		if (client_is_remote(m->client) && (status == 0 || (m->modes & status) != 0)) {
			client_link(m->client)->serial = serial;
			any = true;
		}
	}
	return any ? serial : 0;
}

/* send_marked_links: ol once to each burst-done link that
 * mark_member_links stamped with serial, except the line's origin. */
static void
send_marked_links(struct server *srv, uint32_t serial, struct outline *ol)
{
	struct link *l;

	TAILQ_FOREACH(l, &srv->linkset->links, entry)
		if (l != origin(srv) && l->state >= LINK_BURST && l->conn->serial == serial)
			send_line(l->conn, ol);
}

/* on_message: a channel message goes once to every link with members
 * behind it (marked through the link connection's broadcast serial, which
 * no channel broadcast uses: links are not members); a message to a
 * remote user went down its link already (net/output.c). A tag link gets
 * the message's tags (msgid, client-only tags) and time, others the plain
 * line (send_line: the link connection's capabilities); TAGMSG only goes
 * to tag links. */
static void
on_message(struct server *srv, const struct event_message *ev)
{
	struct outline ol;
	char pfx[4] = "";
	uint32_t serial;
	bool tagmsg = strcmp(ev->verb, "TAGMSG") == 0;

	if (ev->channel == NULL || local_channel(ev->channel) ||
	    (!tagmsg && strcmp(ev->verb, "PRIVMSG") != 0 && strcmp(ev->verb, "NOTICE") != 0))
		return;
	if ((serial = mark_member_links(srv, ev->channel, ev->status)) == 0)
		return;
	if (ev->status != 0)
		mode_prefix_str((uint8_t)ev->status, false, pfx);
	if (tagmsg) {
		outline_format(&ol, ":%s TAGMSG %s%s", src_name(srv, ev->source), pfx,
		    ev->channel->name);
		ol.need_cap = CAP_MESSAGE_TAGS; /* tag links only */
	} else
		outline_format(&ol, ":%s %s %s%s :%s", src_name(srv, ev->source), ev->verb, pfx,
		    ev->channel->name, ev->text);
	if (ev->tags != NULL)
		outline_set_tags(&ol, ev->tags, strlen(ev->tags));
	send_marked_links(srv, serial, &ol);
}

/* on_redact: a REDACT goes to the tag links with members of the channel
 * behind them (as on_message), or down the link of a remote target (the
 * line for a remote user goes down its link: net/output.c); other links
 * do not share our msgids (in_redact). */
static void
on_redact(struct server *srv, const struct event_redact *ev)
{
	struct outline ol;
	uint32_t serial;

	if (ev->channel != NULL && local_channel(ev->channel))
		return;
	if (ev->reason != NULL)
		outline_format(&ol, ":%s REDACT %s %s :%s", src_name(srv, ev->source),
		    ev->channel != NULL ? ev->channel->name : ev->target->nick, ev->msgid,
		    ev->reason);
	else
		outline_format(&ol, ":%s REDACT %s %s", src_name(srv, ev->source),
		    ev->channel != NULL ? ev->channel->name : ev->target->nick, ev->msgid);
	if (ev->tags != NULL)
		outline_set_tags(&ol, ev->tags, strlen(ev->tags));
	ol.need_cap = CAP_MESSAGE_TAGS; /* tag links only */
	if (ev->channel == NULL) {
		if (client_is_remote(ev->target) &&
		    (origin(srv) == NULL || client_link(ev->target) != origin(srv)->conn))
			send_line(ev->target, &ol);
		return;
	}
	if ((serial = mark_member_links(srv, ev->channel, 0)) == 0)
		return;
	send_marked_links(srv, serial, &ol);
}

/* ---- autoconnect ---- */

static void
autoconn_connected(int fd, short what, void *arg)
{
	struct autoconn *ac = arg;
	struct server *srv = ac->srv;
	const struct link_conf *lc = config_find_link(srv->cfg, ac->name);
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	struct bufferevent *bev;
	struct client *c;
	struct link *l;
	int err = 0, one = 1;
	socklen_t errlen = sizeof(err);

	server_clock(srv);
	event_free(ac->connecting);
	ac->connecting = NULL;
	ac->fd = -1;
	if ((what & EV_TIMEOUT) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) != 0 ||
	    err != 0 || getpeername(fd, (struct sockaddr *)&ss, &sslen) != 0 || lc == NULL) {
		log_warnx("link %s: connect failed: %s", ac->name,
		    (what & EV_TIMEOUT) ? "timed out" : strerror(err ? err : errno));
		close(fd);
		autoconn_schedule(ac, ac->delay);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (lc->tls)
		bev = tls_bufferevent_connect(srv->base, fd, lc->name);
	else
		bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		if (fcntl(fd, F_GETFD) != -1)
			close(fd);
		autoconn_schedule(ac, ac->delay);
		return;
	}
	c = conn_adopt(srv, bev, (struct sockaddr *)&ss, (int)sslen);
	if (c == NULL) {
		bufferevent_free(bev);
		autoconn_schedule(ac, ac->delay);
		return;
	}
	if (lc->tls)
		c->flags |= CF_TLS; /* close_notify and TLS errors as for accepted ones */
	if (c->state != CLIENT_OPEN) {
		autoconn_schedule(ac, ac->delay); /* refused (D-line, limits) */
		return;
	}
	l = link_new(srv, c, true, ac->name);
	if (l == NULL) {
		client_close(c, "Out of memory", NULL);
		return;
	}
	log_info("link %s: connected to %s%s, sending PASS/SERVER", ac->name, c->host,
	    lc->tls ? " (TLS)" : "");
	send_pass_server(l, lc);
}

/* autoconn_try: connect to the [link] address unless linked already. */
static void
autoconn_try(int fd, short what, void *arg)
{
	struct autoconn *ac = arg;
	struct server *srv = ac->srv;
	const struct link_conf *lc = config_find_link(srv->cfg, ac->name);
	struct sockaddr_storage ss;
	int sslen = sizeof(ss), s;
	char addr[300];
	struct timeval tv = { LINK_CONNECT_TIMEOUT, 0 };
	struct link *l;

	(void)fd;
	(void)what;
	server_clock(srv);
	if (lc == NULL || (!lc->autoconnect && !ac->manual) || srv->shutting_down ||
	    lc->address == NULL || lc->port == 0)
		return; /* removed by a REHASH, or CONNECT only */
	ac->manual = false;
	TAILQ_FOREACH(l, &srv->linkset->links, entry)
		if (strcasecmp(l->name, ac->name) == 0)
			return; /* linked or linking: its close reschedules */
	if (netserver_find(srv, ac->name) != NULL) {
		autoconn_schedule(ac, lc->connect_retry); /* reached through another link */
		return;
	}
	snprintf(addr, sizeof(addr), strchr(lc->address, ':') ? "[%s]:%u" : "%s:%u", lc->address,
	    lc->port);
	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &sslen) != 0) {
		log_warnx("link %s: bad address %s", ac->name, lc->address);
		return;
	}
	s = socket(ss.ss_family, SOCK_STREAM, 0);
	if (s < 0 || evutil_make_socket_nonblocking(s) != 0 ||
	    evutil_make_socket_closeonexec(s) != 0 ||
	    (connect(s, (struct sockaddr *)&ss, (socklen_t)sslen) != 0 && errno != EINPROGRESS)) {
		log_warn("link %s: connect %s", ac->name, addr);
		if (s >= 0)
			close(s);
		autoconn_schedule(ac, ac->delay);
		return;
	}
	ac->fd = s;
	ac->connecting = event_new(srv->base, s, EV_WRITE, autoconn_connected, ac);
	if (ac->connecting == NULL) {
		close(s);
		ac->fd = -1;
		autoconn_schedule(ac, ac->delay);
		return;
	}
	event_add(ac->connecting, &tv);
	log_info("link %s: connecting to %s", ac->name, addr);
}

/* autoconn_schedule: the next try in `delay` seconds; the delay after it
 * doubles, from connect_retry up to LINK_BACKOFF_MAX times it. Only for
 * autoconnect links (a CONNECT is tried once). */
static void
autoconn_schedule(struct autoconn *ac, unsigned delay)
{
	const struct link_conf *lc = config_find_link(ac->srv->cfg, ac->name);
	struct timeval tv = { (time_t)delay, 0 };
	unsigned base = lc ? lc->connect_retry : 10;

	if (lc == NULL || !lc->autoconnect || ac->connecting != NULL)
		return;
	ac->delay = delay == 0 ? base : delay * 2;
	if (ac->delay > base * LINK_BACKOFF_MAX)
		ac->delay = base * LINK_BACKOFF_MAX;
	evtimer_add(ac->timer, &tv);
}

/* autoconn_add: the connect state of a [link] name (not known yet). */
static struct autoconn *
autoconn_add(struct server *srv, const char *name)
{
	struct autoconn *ac = calloc(1, sizeof(*ac));

	if (ac == NULL)
		return NULL;
	ac->srv = srv;
	ac->fd = -1;
	snprintf(ac->name, sizeof(ac->name), "%s", name);
	ac->timer = evtimer_new(srv->base, autoconn_try, ac);
	if (ac->timer == NULL) {
		free(ac);
		return NULL;
	}
	ac->next = srv->linkset->ac;
	srv->linkset->ac = ac;
	return ac;
}

/* on_rehash: the [link] sections after a REHASH (issue 10): a link whose
 * section is gone is closed with a reason (a netsplit here and on the
 * peer, as ngIRCd does for a removed [Server]); a new section with an
 * address gets its connect state, and a new autoconnect one starts
 * connecting now. Links whose sections stay are untouched: a changed
 * password, address or port applies on the next connect (every connect
 * reads the section by name). */
static void
on_rehash(struct server *srv, const struct event_rehash *ev)
{
	struct config *cfg = srv->cfg;
	struct link *l, *next;
	size_t i;

	(void)ev;
	for (l = TAILQ_FIRST(&srv->linkset->links); l != NULL; l = next) {
		next = TAILQ_NEXT(l, entry);
		if (config_find_link(cfg, l->name) != NULL || l->conn->state != CLIENT_OPEN)
			continue;
		log_info("link %s: removed from the configuration, closing", l->name);
		client_close(l->conn, "Link removed from the configuration (REHASH)", NULL);
	}
	for (i = 0; i < cfg->nlinks; i++) {
		const struct link_conf *lc = &cfg->links[i];
		struct autoconn *ac;
		if (lc->address == NULL || lc->port == 0)
			continue;
		ac = autoconn_of(srv, lc->name);
		if (ac == NULL && (ac = autoconn_add(srv, lc->name)) == NULL) {
			log_warnx("link %s: out of memory", lc->name);
			continue;
		}
		TAILQ_FOREACH(l, &srv->linkset->links, entry)
			if (strcasecmp(l->name, lc->name) == 0)
				break;
		if (lc->autoconnect && l == NULL && ac->connecting == NULL &&
		    !evtimer_pending(ac->timer, NULL)) {
			log_info("link %s: autoconnect after REHASH", lc->name);
			autoconn_schedule(ac, 0);
		}
	}
}

/* ---- set-up ---- */

/* link_init: see link.h. */
int
link_init(struct server *srv)
{
	struct linkset *ls = calloc(1, sizeof(*ls));
	struct config *cfg = srv->cfg;
	size_t i;

	if (ls == NULL)
		return -1;
	TAILQ_INIT(&ls->links);
	ls->next = srv->dispatch;
	srv->linkset = ls;
	conn_set_dispatch(srv, link_dispatch);
	if (event_subscribe_registered(srv, on_registered) != 0 ||
	    event_subscribe_nick(srv, on_nick) != 0 || event_subscribe_quit(srv, on_quit) != 0 ||
	    event_subscribe_join(srv, on_join) != 0 || event_subscribe_part(srv, on_part) != 0 ||
	    event_subscribe_kick(srv, on_kick) != 0 || event_subscribe_mode(srv, on_mode) != 0 ||
	    event_subscribe_topic(srv, on_topic) != 0 ||
	    event_subscribe_message(srv, on_message) != 0 ||
	    event_subscribe_redact(srv, on_redact) != 0 ||
	    event_subscribe_away(srv, on_away) != 0 ||
	    event_subscribe_account(srv, on_account) != 0 ||
	    event_subscribe_setname(srv, on_setname) != 0 ||
	    event_subscribe_wallops(srv, on_wallops) != 0 ||
	    event_subscribe_kill(srv, on_kill) != 0 ||
	    event_subscribe_rehash(srv, on_rehash) != 0 ||
	    event_subscribe_link_closed(srv, on_link_closed) != 0 || notice_init(srv) != 0 ||
	    query_init(srv) != 0)
		return -1;
	srv->link_out = link_out;
	for (i = 0; i < cfg->nlinks; i++) {
		struct autoconn *ac;
		if (cfg->links[i].address == NULL || cfg->links[i].port == 0)
			continue;
		if ((ac = autoconn_add(srv, cfg->links[i].name)) == NULL)
			return -1;
		autoconn_schedule(ac, 0); /* autoconnect: at the first loop turn */
	}
	return 0;
}

/* link_free: see link.h. */
void
link_free(struct server *srv)
{
	struct linkset *ls = srv->linkset;
	struct autoconn *ac;
	struct link *l;

	notice_free(srv);
	if (ls == NULL)
		return;
	while ((ac = ls->ac) != NULL) {
		ls->ac = ac->next;
		if (ac->timer != NULL)
			event_free(ac->timer);
		if (ac->connecting != NULL) {
			event_free(ac->connecting);
			close(ac->fd);
		}
		free(ac);
	}
	while ((l = TAILQ_FIRST(&ls->links)) != NULL) {
		if (l->job != NULL)
			password_job_cancel(l->job);
		link_gone(srv, l);
	}
	free(ls);
	srv->linkset = NULL;
	srv->link_out = NULL;
}
