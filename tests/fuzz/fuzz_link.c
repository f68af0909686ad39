/* fuzz_link.c - libFuzzer target for the server protocol (link/): one
 * struct server per input with two links already registered and two local
 * clients, all over in-process bufferevent pairs; the input is mostly lines
 * a linked server sends.
 *
 * Set-up of every input: slot 0 is the link hub.fuzz.example ([link] hub =
 * yes, an evircd peer with METADATA and message tags: IRC+ M and T), registered and past its burst (PONG sent), which introduces a
 * server behind it (deep.fuzz.example, token 7), users r1 (on the hub) and
 * r2 (on deep), and channel #fz (CHANINFO +nt with a topic, NJOIN @r1,r2);
 * slot 1 is leaf.fuzz.example (not a hub), registered, its burst not ended
 * (no PONG yet); slots 2 and 3 are local users fz2 and fz3 (fz3 an
 * operator), both in #fz and fz2 in &loc.
 *
 * Input format: a sequence of records, each a control byte followed by the
 * payload, which runs up to and including the next '\n' (or to the end of
 * the input). By ctl:
 *   0x00-0xBF  the payload to slot 0 (the hub), then the loop runs: so a
 *              plain text line ":hub.fuzz.example NICK ..." after any byte
 *              below 0xC0 is a hub line
 *   0xC0-0xDF  the payload to slot ctl & 3, then the loop runs
 *   0xE0-0xE3  write the payload without running the loop (pipelining)
 *   0xE4-0xEB  advance the server clock by 8 s per payload byte plus one
 *              (nick and channel holds expire), then write the payload
 *   0xEC-0xF3  close slot ctl & 3 (a link: a netsplit) after the payload
 *   0xF4-0xFB  connect slot ctl & 3 again if it is free (a link repeats its
 *              handshake and PONG; a client registers as fzN), then write
 *   0xFC-0xFF  the payload 32 times (without its '\n'), then the '\n'
 *
 * Oracles besides ASan/UBSan/LSan: every line the server sends (to clients
 * and to links) ends in CR LF, has no NUL/CR/LF inside, at most 510 bytes
 * after the tags, and parses; after every step the network is consistent
 * (check_network): every remote user is registered, hashed, on a known
 * server that is not being split and behind a live link; every server
 * reaches us through its uplinks and has a live link; the per-server user
 * counts, LUSERS counters, the nick map and the channel memberships agree;
 * no local ('&', '!') channel has a remote member; no channel is empty;
 * no held channel name exists as a channel (RFC 2811 §3.2.2). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/config.h"
#include "core/hold.h"
#include "core/netserver.h"
#include "core/server.h"
#include "net/conn.h"
#include "proto/message.h"
#include "daemon.h"
#include "fuzz.h"

#define NSLOTS	   4
#define LOOP_TURNS 64 /* event_base_loop(EVLOOP_NONBLOCK) calls per step, at most */
#define AMPLIFY	   32
#define HUB	   "hub.fuzz.example"
#define LEAF	   "leaf.fuzz.example"
#define ME	   "irc.fuzz.example"

struct slot {
	struct bufferevent *end; /* our end of the pair; NULL = free */
};

struct fz {
	struct server *srv;
	struct slot slots[NSLOTS];
};

static bool trace; /* FUZZ_TRACE=1: print every line both ways */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_SAVE_STDERR();
	trace = getenv("FUZZ_TRACE") != NULL;
	return 0;
}

static void
add_link(struct config *cfg, const char *name, bool hub)
{
	struct link_conf *l = realloc(cfg->links, (cfg->nlinks + 1) * sizeof(*l));

	if (l == NULL)
		abort();
	cfg->links = l;
	l = &cfg->links[cfg->nlinks++];
	memset(l, 0, sizeof(*l));
	l->name = strdup(name);
	l->send_password = strdup("linkpw");
	l->accept_password = strdup("linkpw");
	l->hub = hub;
	l->connect_retry = 10;
	l->sendq = 65536;
	l->recvq = 65536;
	if (l->name == NULL || l->send_password == NULL || l->accept_password == NULL)
		abort();
}

/* fz_config: a small configuration: short holds (the clock action expires
 * them), small lists, an operator, the two links. */
static struct config *
fz_config(void)
{
	struct config *cfg = config_default();
	struct oper_conf *o;

	free(cfg->name);
	cfg->name = strdup(ME);
	cfg->flood_enabled = true; /* links are exempt: that is tested too */
	cfg->sendq = 16384;
	cfg->nick_delay = 30;
	cfg->channel_delay = 60;
	cfg->max_list = 5;
	cfg->whowas_history = 4;
	if (cfg->name == NULL)
		abort();
	add_link(cfg, HUB, true);
	add_link(cfg, LEAF, false);
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		abort();
	o->name = strdup("fuzz");
	o->password = strdup("pw");
	o->host = strdup("*");
	cfg->opers = o;
	cfg->nopers = 1;
	return cfg;
}

static void
run_loop(struct fz *f)
{
	int i;

	for (i = 0; i < LOOP_TURNS; i++) {
		event_base_loop(f->srv->base, EVLOOP_NONBLOCK);
		if (event_base_get_num_events(f->srv->base, EVENT_BASE_COUNT_ACTIVE) == 0)
			break;
	}
}

/* check_line: one line the server sent (without CR LF). */
static void
check_line(int slot, char *line, size_t len)
{
	struct irc_msg m;
	size_t body;

	if (trace)
		dprintf(*fuzz_err_fd(), "[%d] %.*s\n", slot, (int)len, line);
	FUZZ_CHECK(memchr(line, '\0', len) == NULL, "NUL in output line '%s'", line);
	FUZZ_CHECK(memchr(line, '\r', len) == NULL, "CR in output line '%.*s'", (int)len, line);
	body = message_body_len(line, len);
	FUZZ_CHECK(body <= IRC_LINE_MAX - 2, "output line of %zu bytes: '%.*s'", body, (int)len,
	    line);
	FUZZ_CHECK(message_parse(line, &m) == MSG_OK, "output line does not parse: '%.*s'",
	    (int)len, line);
}

/* check_output: consume and check the complete lines waiting at slot i. */
static void
check_output(struct fz *f, int i)
{
	static char line[IRC_TAGS_MAX + IRC_LINE_MAX + 16];
	struct evbuffer *in = bufferevent_get_input(f->slots[i].end);
	struct evbuffer_ptr p;
	size_t n;

	for (;;) {
		p = evbuffer_search(in, "\n", 1, NULL);
		if (p.pos < 0) {
			FUZZ_CHECK(evbuffer_get_length(in) < sizeof(line),
			    "%zu bytes of output without LF", evbuffer_get_length(in));
			return;
		}
		n = (size_t)p.pos + 1;
		FUZZ_CHECK(n < sizeof(line), "output line of %zu bytes", n);
		evbuffer_remove(in, line, n);
		FUZZ_CHECK(n >= 2 && line[n - 2] == '\r', "output line without CR LF: '%.*s'",
		    (int)n, line);
		line[n - 2] = '\0';
		check_line(i, line, n - 2);
	}
}

static void
slot_free(struct slot *s)
{
	if (s->end != NULL)
		bufferevent_free(s->end);
	s->end = NULL;
}

/* reap_slots: check what every slot received; forget ends whose server
 * side is gone. */
static void
reap_slots(struct fz *f)
{
	int i;

	for (i = 0; i < NSLOTS; i++) {
		if (f->slots[i].end == NULL)
			continue;
		check_output(f, i);
		if (bufferevent_pair_get_partner(f->slots[i].end) == NULL)
			slot_free(&f->slots[i]);
	}
}

static void
slot_write(struct fz *f, int i, const void *p, size_t n)
{
	struct slot *s = &f->slots[i];

	if (trace && s->end != NULL)
		dprintf(*fuzz_err_fd(), "%d> %.*s%s", i, (int)n, (const char *)p,
		    n > 0 && ((const char *)p)[n - 1] == '\n' ? "" : "\n");
	if (s->end != NULL && n > 0)
		bufferevent_write(s->end, p, n);
}

static void
slot_say(struct fz *f, int i, const char *text)
{
	slot_write(f, i, text, strlen(text));
}

/* slot_connect: a new in-process connection on slot i; a link slot makes
 * its handshake (and the hub its PONG), a client slot registers. */
static void
slot_connect(struct fz *f, int i)
{
	struct slot *s = &f->slots[i];
	struct bufferevent *pair[2];
	struct sockaddr_in sin;
	char line[160];

	if (s->end != NULL || f->srv->shutting_down)
		return;
	if (bufferevent_pair_new(f->srv->base, (i & 1) ? BEV_OPT_DEFER_CALLBACKS : 0, pair) != 0)
		abort();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)(41000 + i));
	s->end = pair[1];
	bufferevent_enable(s->end, EV_READ | EV_WRITE);
	if (conn_adopt(f->srv, pair[0], (struct sockaddr *)&sin, sizeof(sin)) == NULL) {
		bufferevent_free(pair[0]);
		slot_free(s);
		return;
	}
	switch (i) {
	case 0:
		/* an evircd peer: METADATA (M) and the tag dialect (T) */
		slot_say(f, i, "PASS linkpw 0210-IRC+ evircd|1:CLMTX P\r\n");
		slot_say(f, i, "SERVER " HUB " 1 :fuzz hub\r\n");
		run_loop(f);
		slot_say(f, i, ":" HUB " PONG " ME " :" ME "\r\n");
		break;
	case 1:
		slot_say(f, i, "PASS linkpw 0210-IRC+ fuzz|1:CL P\r\n");
		slot_say(f, i, "SERVER " LEAF " 1 :fuzz leaf\r\n");
		break;
	default:
		snprintf(line, sizeof(line), "NICK fz%d\r\nUSER u%d 0 * :Fuzz %d\r\n", i, i, i);
		slot_say(f, i, line);
		break;
	}
	run_loop(f);
}

/* check_network: see the top of the file. */
static void
check_network(struct server *srv)
{
	struct client *c, *tmp;
	struct netserver *ns, *nstmp, *up;
	struct channel *ch, *chtmp;
	struct membership *m, *mtmp;
	struct hold *h;
	unsigned remote = 0, local = 0, servers = 0, per_server = 0, users = 0, unknown = 0;
	unsigned channels = 0, k;

	HASH_ITER(hh, srv->nicks, c, tmp) {
		if (!client_is_remote(c)) {
			local++;
			FUZZ_CHECK(c->state < CLIENT_CLOSING, "closing client %s hashed", c->nick);
			continue;
		}
		remote++;
		FUZZ_CHECK(client_is_registered(c) && c->state == CLIENT_OPEN,
		    "remote user %s closing or unregistered but hashed", c->nick);
		ns = remote_of(c)->server;
		FUZZ_CHECK(ns != NULL && netserver_find(srv, ns->name) == ns,
		    "remote user %s on an unknown server", c->nick);
		FUZZ_CHECK(!ns->splitting, "remote user %s on a server being split", c->nick);
		FUZZ_CHECK(ns != srv->me, "remote user %s on this server", c->nick);
		FUZZ_CHECK(client_link(c) == ns->conn && ns->conn != NULL &&
			(ns->conn->flags & CF_SERVER) && ns->conn->state == CLIENT_OPEN,
		    "remote user %s has no live link", c->nick);
	}
	FUZZ_CHECK(remote == srv->stats.remote_users, "stats.remote_users %u, counted %u",
	    srv->stats.remote_users, remote);
	HASH_ITER(hh, srv->servers, ns, nstmp) {
		if (ns == srv->me)
			continue;
		servers++;
		per_server += ns->users;
		{
			struct remote_client *rc;
			unsigned listed = 0;
			TAILQ_FOREACH(rc, &ns->remotes, on_server) {
				listed++;
				FUZZ_CHECK(rc->server == ns, "%s listed on %s", rc->c.nick,
				    ns->name);
			}
			FUZZ_CHECK(listed == ns->users, "server %s: %u users, %u listed", ns->name,
			    ns->users, listed);
		}
		FUZZ_CHECK(!ns->splitting, "server %s left splitting", ns->name);
		FUZZ_CHECK(ns->conn != NULL && (ns->conn->flags & CF_SERVER) &&
			ns->conn->state == CLIENT_OPEN,
		    "server %s without a live link", ns->name);
		for (up = ns, k = 0; up != srv->me && up != NULL && k < 300; up = up->uplink, k++)
			FUZZ_CHECK(up == ns || up->conn == ns->conn,
			    "server %s: uplink %s behind another link", ns->name, up->name);
		FUZZ_CHECK(up == srv->me, "server %s does not reach us", ns->name);
		FUZZ_CHECK((ns->hops == 1) == (ns->uplink == srv->me) &&
			(ns->uplink == srv->me || ns->hops == ns->uplink->hops + 1),
		    "server %s: %u hops behind %s", ns->name, ns->hops, ns->uplink->name);
	}
	FUZZ_CHECK(servers == srv->stats.servers, "stats.servers %u, counted %u",
	    srv->stats.servers, servers);
	FUZZ_CHECK(per_server == remote, "servers count %u users, %u remote users", per_server,
	    remote);
	TAILQ_FOREACH(c, &srv->clients, link) {
		if (c->state >= CLIENT_CLOSING)
			continue;
		if (client_is_registered(c))
			users++;
		else if (!(c->flags & CF_SERVER))
			unknown++;
	}
	FUZZ_CHECK(users == srv->stats.users, "stats.users %u, counted %u", srv->stats.users,
	    users);
	FUZZ_CHECK(unknown == srv->stats.unknown, "stats.unknown %u, counted %u",
	    srv->stats.unknown, unknown);
	HASH_ITER(hh, srv->channels, ch, chtmp) {
		unsigned n = 0;
		channels++;
		FUZZ_CHECK(ch->nmembers > 0, "empty channel %s kept", ch->name);
		HASH_ITER(hh, ch->members, m, mtmp) {
			n++;
			FUZZ_CHECK(client_is_registered(m->client) &&
				m->client->state < CLIENT_CLOSING,
			    "%s: member %s is closing or unregistered", ch->name, m->client->nick);
			FUZZ_CHECK(!client_is_remote(m->client) ||
				(ch->name[0] != '&' && ch->name[0] != '!'),
			    "remote %s in local channel %s", m->client->nick, ch->name);
		}
		FUZZ_CHECK(n == ch->nmembers, "%s: nmembers %u, counted %u", ch->name, ch->nmembers,
		    n);
		FUZZ_CHECK(!(ch->modes & CMODE_KEY) == (ch->chankey == NULL), "%s: +k without key",
		    ch->name);
	}
	FUZZ_CHECK(channels == srv->stats.channels, "stats.channels %u, counted %u",
	    srv->stats.channels, channels);
	FUZZ_CHECK(srv->chan_holds->count <= HOLD_MAX && srv->nick_holds->count <= HOLD_MAX,
	    "holds over HOLD_MAX");
	TAILQ_FOREACH(h, &srv->chan_holds->order, order)
		if (h->until > srv->now) {
			HASH_FIND_STR(srv->channels, h->key, ch);
			FUZZ_CHECK(ch == NULL, "held channel name %s exists", h->key);
		}
}

static void
step_done(struct fz *f)
{
	run_loop(f);
	reap_slots(f);
	check_network(f->srv);
}

/* record: one record of the input; see the top of the file. */
static void
record(struct fz *f, uint8_t ctl, const uint8_t *p, size_t n)
{
	int i = ctl & 3;
	bool nl = n > 0 && p[n - 1] == '\n';
	size_t k;

	if (ctl < 0xc0) {
		slot_write(f, 0, p, n);
	} else if (ctl < 0xe0) {
		slot_write(f, i, p, n);
	} else if (ctl < 0xe4) {
		slot_write(f, i, p, n);
		return; /* no loop turn: the next record pipelines */
	} else if (ctl < 0xec) {
		f->srv->now += 1 + 8 * (time_t)n;
		slot_write(f, i, p, n);
	} else if (ctl < 0xf4) {
		slot_write(f, i, p, n);
		run_loop(f);
		reap_slots(f);
		if (f->slots[i].end != NULL) {
			bufferevent_flush(f->slots[i].end, EV_WRITE, BEV_FINISHED);
			run_loop(f);
			reap_slots(f);
			slot_free(&f->slots[i]);
		}
	} else if (ctl < 0xfc) {
		slot_connect(f, i);
		slot_write(f, i, p, n);
	} else {
		for (k = 0; k < AMPLIFY; k++)
			slot_write(f, i, p, n - nl);
		if (nl)
			slot_write(f, i, p + n - 1, 1);
	}
	step_done(f);
}

/* The state every input starts from (see the top of the file). */
static const char hub_burst[] = ":" HUB " SERVER deep.fuzz.example 2 7 :deep\r\n"
				":" HUB " NICK r1 1 ~r1 r1.example 1 +i :Remote one\r\n"
				":" HUB " NICK r2 2 ~r2 r2.example 7 +ow :Remote two\r\n"
				":" HUB " CHANINFO #fz +nt :fuzz topic\r\n"
				":" HUB " NJOIN #fz :@r1,r2\r\n"
				":r2 AWAY :away\r\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f;
	const uint8_t *p = data, *end = data + size, *nl;
	int i, n;

	memset(&f, 0, sizeof(f));
	f.srv = server_new(fz_config(), NULL);
	if (f.srv == NULL)
		abort();
	f.srv->clock_fixed = true; /* only the clock action moves it */
	for (i = 0; i < NSLOTS; i++)
		slot_connect(&f, i);
	slot_say(&f, 0, hub_burst);
	slot_say(&f, 2, "JOIN #fz,&loc\r\n");
	slot_say(&f, 3, "OPER fuzz pw\r\nJOIN #fz\r\n");
	step_done(&f);

	while (p < end && !f.srv->shutting_down) {
		uint8_t ctl = *p++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (int)(nl != NULL ? nl + 1 - p : end - p);
		record(&f, ctl, p, (size_t)n);
		p += n;
	}
	/* the peers leave as peers do (a freed pair end gives its partner no
	 * EOF): ERROR (after a CR LF that ends a line left open), so the users behind them are split off and freed */
	slot_say(&f, 0, "\r\nERROR :fuzz input done\r\n");
	slot_say(&f, 1, "\r\nERROR :fuzz input done\r\n");
	step_done(&f);
	for (i = 0; i < NSLOTS; i++)
		slot_free(&f.slots[i]);
	run_loop(&f);
	server_free(f.srv);
	return 0;
}
