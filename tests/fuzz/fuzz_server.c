/* fuzz_server.c - libFuzzer target for the whole server: one struct server
 * per input, four in-process clients over bufferevent pairs (as the test
 * harness does), fed command sequences taken from the input.
 *
 * Input format: a sequence of records, each a control byte followed by the
 * payload, which runs up to and including the next '\n' (or to the end of
 * the input). slot = ctl & 3 picks the client. By ctl:
 *   0xE0-0xE3  write the payload without running the loop (pipelining)
 *   0xE4-0xE7  write the payload one byte at a time, running the loop each time
 *   0xE8-0xEB  write the payload (without its '\n') 64 times, then the '\n'
 *   0xEC-0xEF  advance the server clock by 8 s per payload byte (plus one) and
 *              fire the slot's pending timer (registration, PING, PONG, flush)
 *   0xF0-0xF3  stop/resume reading the slot's output (so its sendq fills up),
 *              then write the payload
 *   0xF4-0xF7  write the payload without its '\n', then EOF (peer closes
 *              mid-line)
 *   0xF8-0xFB  drop the slot's end without EOF (a peer that vanished)
 *   0xFC-0xFF  connect the slot again if it is free (unregistered), then write
 *   any other  write the payload and run the loop (so "0NICK a\n" is a
 *              readable record for client 0)
 * Before the records, clients 0-2 register (NICK fzN, USER) and client 3
 * stays unregistered. Clients 1 and 3 use BEV_OPT_DEFER_CALLBACKS (like real
 * sockets: callbacks from the loop), 0 and 2 synchronous pairs; 2 is IPv6.
 *
 * Oracles besides ASan/UBSan/LSan: every line the server sends ends in CR LF,
 * has no NUL/CR/LF inside, at most 510 bytes after the tags, and parses; a
 * connection the server ends gets ERROR and nothing after it; after every
 * step the counters (LUSERS), nick map and channel memberships agree with
 * the clients (check_state). */
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
#include "core/netserver.h"
#include "net/conn.h"
#include "fuzz.h"
#include "proto/message.h"
#include "core/server.h"
#include "daemon.h"

#define NSLOTS	   4
#define LOOP_TURNS 64 /* event_base_loop(EVLOOP_NONBLOCK) calls per step, at most */
#define AMPLIFY	   64

struct slot {
	struct bufferevent *end; /* our end of the pair; NULL = free */
	bool reading; /* our end reads (drains) its input */
	bool blind; /* reading was off once: output may be lost */
	bool saw_error; /* the server sent ERROR */
	bool gone; /* we closed or dropped it ourselves */
};

struct fz {
	struct server *srv;
	struct slot slots[NSLOTS];
};

static bool trace; /* FUZZ_TRACE=1: print what each client receives */
static char config_path[64]; /* REHASH reloads this file */
static char motd_path[64];

/* write_file: a temporary file with text, unlinked at once and kept open;
 * path becomes /proc/self/fd/N, so nothing is left behind even when the
 * process dies on a crash (libFuzzer's fork mode kills many). */
static void
write_file(char *path, size_t size, const char *text)
{
	char tmpl[] = "/tmp/evircd-fuzz.XXXXXX";
	int fd;
	size_t len = strlen(text);

	fd = mkstemp(tmpl);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		perror("fuzz_server: temporary file");
		abort();
	}
	unlink(tmpl);
	snprintf(path, size, "/proc/self/fd/%d", fd);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char conf[4096];
	char motd[640];

	FUZZ_SAVE_STDERR();
	trace = getenv("FUZZ_TRACE") != NULL;
	memset(motd, 'M', sizeof(motd));
	memcpy(motd, "Welcome to the fuzzer\n\n", 23);
	memcpy(motd + sizeof(motd) - 2, "\n", 2); /* a line over 512 bytes */
	write_file(motd_path, sizeof(motd_path), motd);
	/* What REHASH loads: other limits than the start-up configuration,
	 * so a reload changes them under connected clients, and the optional
	 * features off at start-up: fakelag (resumed by the clock action),
	 * a connection password, UTF-8 only, CLIENTTAGDENY, tight connection
	 * classes. The casemapping stays rfc1459 (a change would invalidate
	 * the nick and channel keys). The server name is as long as allowed
	 * (63 bytes), so every reply head is at its longest (list replies
	 * packed against it, issue 9 item 7). */
	snprintf(conf, sizeof(conf),
	    "[server]\n"
	    "name = irc.rehashed.0123456789abcdef0123456789abcdef0123456789.example\n"
	    "network = FuzzNet\n"
	    "motd_file = %s\n"
	    "utf8only = yes\n"
	    "client_tag_deny = *,-typing\n"
	    "[listen]\n"
	    "address = 127.0.0.1\n"
	    "port = 0\n"
	    "[limits]\n"
	    "nicklen = 9\n"
	    "channellen = 20\n"
	    "topiclen = 40\n"
	    "kicklen = 40\n"
	    "awaylen = 20\n"
	    "max_channels_per_user = 3\n"
	    "max_list = 2\n"
	    "max_targets = 2\n"
	    "sendq = 4096\n"
	    "whowas_history = 3\n"
	    "nick_delay = 5\n"
	    "[flood]\n"
	    "enabled = yes\n"
	    "burst = 3\n"
	    "penalty = 1\n"
	    "exempt_opers = no\n"
	    "[class]\n"
	    "name = tight\n"
	    "match = 10.0.0.0/8\n"
	    "max_per_ip = 1\n"
	    "throttle_count = 2\n"
	    "throttle_period = 60\n"
	    "sendq = 4096\n"
	    "[class]\n"
	    "name = rest\n"
	    "match = 0.0.0.0/0 ::/0\n"
	    "max_per_cidr = 3\n"
	    "[security]\n"
	    "password = secret\n"
	    "[oper]\n"
	    "name = fuzz\n"
	    "password = pw\n"
	    "host = *\n",
	    motd_path);
	write_file(config_path, sizeof(config_path), conf);
	return 0;
}

/* add_oper: one [oper] block, as config.c would build it. */
static void
add_oper(struct config *cfg, const char *name, const char *password, const char *host)
{
	struct oper_conf *o = realloc(cfg->opers, (cfg->nopers + 1) * sizeof(*o));

	if (o == NULL)
		abort();
	cfg->opers = o;
	o = &cfg->opers[cfg->nopers++];
	memset(o, 0, sizeof(*o)); /* fields added later (account) stay NULL */
	o->name = strdup(name);
	o->password = strdup(password);
	o->host = strdup(host);
	if (o->name == NULL || o->password == NULL || o->host == NULL)
		abort();
}

/* fz_config: the start-up configuration: no fakelag, a small sendq, a short
 * WHOWAS ring and small lists so their limits are reached, and opers. */
static struct config *
fz_config(void)
{
	struct config *cfg = config_default();
	char err[256];

	free(cfg->name);
	cfg->name = strdup("irc.fuzz.example");
	cfg->flood_enabled = false;
	cfg->sendq = 8192;
	cfg->nicklen = NICKLEN_MAX;
	cfg->channellen = 200; /* the ceiling: longest 353/319 heads */
	cfg->whowas_history = 4;
	cfg->max_channels_per_user = 6;
	cfg->max_list = 5;
	cfg->nick_delay = 30;
	cfg->motd_file = strdup(motd_path);
	if (cfg->name == NULL || cfg->motd_file == NULL ||
	    config_load_motd(cfg, err, sizeof(err)) != 0)
		abort();
	/* a [link] so that client 3 can become a server link and feed the
	 * server protocol (link/; seeds link-burst, link-garbage) */
	cfg->links = calloc(1, sizeof(*cfg->links));
	if (cfg->links == NULL)
		abort();
	cfg->nlinks = 1;
	cfg->links[0].name = strdup("link.fuzz.example");
	cfg->links[0].send_password = strdup("linkpw");
	cfg->links[0].accept_password = strdup("linkpw");
	cfg->links[0].hub = true;
	cfg->links[0].connect_retry = 10;
	cfg->links[0].sendq = 65536;
	cfg->links[0].recvq = 65536;
	if (cfg->links[0].name == NULL || cfg->links[0].send_password == NULL ||
	    cfg->links[0].accept_password == NULL)
		abort();
	add_oper(cfg, "fuzz", "pw", "*");
	add_oper(cfg, "local", "secret", "*!*@127.0.0.1");
	add_oper(cfg, "far", "x", "*@10.*");
	return cfg;
}

/* run_loop: let the server work until nothing is active (bounded). */
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

static struct slot *slots_base; /* for trace output */

/* check_tags: the tag section of an output line (after '@', up to the
 * space) follows the message-tags grammar: no empty tag, every key valid,
 * every value in canonical escaped form (a '\\' only before one of
 * ": s \\ r n", never last), as the server writes them (issue 9 item 15). */
static void
check_tags(const char *line, size_t len)
{
	const char *p = line + 1, *end = memchr(line, ' ', len), *seg, *eq, *v;

	FUZZ_CHECK(end != NULL && end > p, "empty tag section: '%.*s'", (int)len, line);
	for (; p < end; p = seg + 1) {
		seg = memchr(p, ';', (size_t)(end - p));
		if (seg == NULL)
			seg = end;
		eq = memchr(p, '=', (size_t)(seg - p));
		FUZZ_CHECK(message_tag_key_valid(p, (size_t)((eq ? eq : seg) - p)),
		    "bad tag key in '%.*s'", (int)len, line);
		for (v = eq ? eq + 1 : seg; v < seg; v++) {
			if (*v != '\\')
				continue;
			FUZZ_CHECK(v + 1 < seg && strchr(":s\\rn", v[1]) != NULL,
			    "non-canonical tag value in '%.*s'", (int)len, line);
			v++;
		}
	}
}

/* check_line: one line the server sent (without CR LF). */
static void
check_line(struct slot *s, char *line, size_t len)
{
	struct irc_msg m;
	size_t body;

	if (trace)
		dprintf(*fuzz_err_fd(), "[%d] %.*s\n", (int)(s - slots_base), (int)len, line);
	FUZZ_CHECK(!s->saw_error, "line after ERROR: '%.*s'", (int)len, line);
	FUZZ_CHECK(memchr(line, '\0', len) == NULL, "NUL in output line '%s'", line);
	FUZZ_CHECK(memchr(line, '\r', len) == NULL, "CR in output line '%.*s'", (int)len, line);
	if (len > 0 && line[0] == '@')
		check_tags(line, len);
	body = message_body_len(line, len);
	FUZZ_CHECK(body <= IRC_LINE_MAX - 2, "output line of %zu bytes: '%.*s'", body, (int)len,
	    line);
	FUZZ_CHECK(len - body <= IRC_TAGS_MAX + 1, "output tags of %zu bytes", len - body);
	if (strncmp(line, "ERROR ", 6) == 0)
		s->saw_error = true;
	FUZZ_CHECK(message_parse(line, &m) == MSG_OK, "output line does not parse");
}

/* check_output: consume and check the complete lines waiting at our end. */
static void
check_output(struct slot *s)
{
	static char line[IRC_TAGS_MAX + IRC_LINE_MAX + 16];
	struct evbuffer *in = bufferevent_get_input(s->end);
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
		check_line(s, line, n - 2);
	}
}

/* slot_client: the server's client for slot s, or NULL. */
static struct client *
slot_client(struct fz *f, struct slot *s)
{
	struct bufferevent *peer;
	struct client *c;

	if (s->end == NULL || (peer = bufferevent_pair_get_partner(s->end)) == NULL)
		return NULL;
	TAILQ_FOREACH(c, &f->srv->clients, link)
		if (c->bev == peer)
			return c;
	return NULL;
}

/* slot_free: forget our end (the server's end is the server's). */
static void
slot_free(struct slot *s)
{
	if (s->end != NULL)
		bufferevent_free(s->end);
	memset(s, 0, sizeof(*s));
}

/* slot_connect: a new in-process connection on slot i. */
static void
slot_connect(struct fz *f, int i)
{
	struct slot *s = &f->slots[i];
	struct bufferevent *pair[2];
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr *sa;
	int salen;

	if (s->end != NULL || f->srv->shutting_down)
		return;
	if (bufferevent_pair_new(f->srv->base, (i & 1) ? BEV_OPT_DEFER_CALLBACKS : 0, pair) != 0)
		abort();
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (i == 2) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_addr = in6addr_loopback;
		sin6.sin6_port = htons(40002);
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
	} else {
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(i == 3 ? 0x0a000003 : INADDR_LOOPBACK);
		sin.sin_port = htons((uint16_t)(40000 + i));
		sa = (struct sockaddr *)&sin;
		salen = sizeof(sin);
	}
	memset(s, 0, sizeof(*s));
	s->end = pair[1];
	s->reading = true;
	bufferevent_enable(s->end, EV_READ | EV_WRITE);
	if (conn_adopt(f->srv, pair[0], sa, salen) == NULL) {
		bufferevent_free(pair[0]);
		slot_free(s);
	}
}

/* reap_slots: check the output of every slot and free ends whose server
 * side is gone. */
static void
reap_slots(struct fz *f)
{
	int i;

	for (i = 0; i < NSLOTS; i++) {
		struct slot *s = &f->slots[i];

		if (s->end == NULL)
			continue;
		if (s->reading)
			check_output(s);
		if (bufferevent_pair_get_partner(s->end) != NULL)
			continue;
		/* The server freed its end: it must have said why. */
		if (s->reading && !s->blind && !s->gone)
			FUZZ_CHECK(s->saw_error, "slot %d closed without ERROR", i);
		slot_free(s);
	}
}

/* check_state: the counters and maps agree with the clients. */
static void
check_state(struct server *srv)
{
	struct client *c, *found;
	struct channel *ch, *tmp;
	struct membership *m, *mtmp;
	unsigned users = 0, unknown = 0, opers = 0, invisible = 0, clients = 0, hashed = 0;
	unsigned channels = 0, nch;
	const struct mask_entry *e;
	unsigned nlist;
	int k;

	TAILQ_FOREACH(c, &srv->clients, link) {
		/* stats.clients counts connection slots: a closing client
		 * gives its slot back at once, while its ERROR flushes. */
		clients += c->state < CLIENT_CLOSING;
		FUZZ_CHECK(c->state != CLIENT_DEAD, "dead client %s on the live list", c->nick);
		if (c->flags & CF_NICK_HASHED) {
			hashed++;
			FUZZ_CHECK(c->state < CLIENT_CLOSING, "closing client %s still hashed",
			    c->nick);
			found = server_find_nick(srv, c->nick);
			FUZZ_CHECK(found == c, "nick %s does not find its client", c->nick);
		}
		nch = 0;
		LIST_FOREACH(m, &c->channels, by_client) {
			nch++;
			FUZZ_CHECK(m->client == c, "membership of %s points elsewhere", c->nick);
			FUZZ_CHECK(channel_find_member(m->chan, c) == m, "%s not found in %s",
			    c->nick, m->chan->name);
			FUZZ_CHECK(server_find_channel(srv, m->chan->name) == m->chan ||
				m->chan->name[0] == '!',
			    "channel %s not in the map", m->chan->name);
		}
		FUZZ_CHECK(nch == c->nchannels, "%s: %u memberships, nchannels %u", c->nick, nch,
		    (unsigned)c->nchannels);
		if (c->state >= CLIENT_CLOSING) {
			FUZZ_CHECK(nch == 0, "closing client %s is in %u channels", c->nick, nch);
			continue;
		}
		if (client_is_registered(c)) {
			users++;
			opers += client_is_oper(c);
			invisible += (c->umodes & UMODE_INVISIBLE) != 0;
		} else {
			unknown += !(c->flags & CF_SERVER); /* a link is no unknown connection */
			FUZZ_CHECK(nch == 0, "unregistered %s is in %u channels", c->nick, nch);
		}
	}
	{
		/* users behind links: in the nick map, not connections */
		struct client *r, *rtmp;
		unsigned remote = 0;
		HASH_ITER(hh, srv->nicks, r, rtmp) {
			if (!client_is_remote(r))
				continue;
			remote++;
			FUZZ_CHECK(client_is_registered(r) && r->state == CLIENT_OPEN,
			    "remote user %s closing or unregistered but hashed", r->nick);
			FUZZ_CHECK(client_link(r) != NULL && (client_link(r)->flags & CF_SERVER),
			    "remote user %s has no link", r->nick);
		}
		FUZZ_CHECK(remote == srv->stats.remote_users, "stats.remote_users %u, counted %u",
		    srv->stats.remote_users, remote);
		hashed += remote;
	}
	TAILQ_FOREACH(c, &srv->dead, link) {
		FUZZ_CHECK(c->state == CLIENT_DEAD, "client %s on the dead list not CLIENT_DEAD",
		    c->nick);
	}
	FUZZ_CHECK(clients == srv->stats.clients, "stats.clients %u, counted %u",
	    srv->stats.clients, clients);
	FUZZ_CHECK(users == srv->stats.users, "stats.users %u, counted %u", srv->stats.users,
	    users);
	FUZZ_CHECK(unknown == srv->stats.unknown, "stats.unknown %u, counted %u",
	    srv->stats.unknown, unknown);
	FUZZ_CHECK(opers == srv->stats.opers, "stats.opers %u, counted %u", srv->stats.opers,
	    opers);
	FUZZ_CHECK(invisible == srv->stats.invisible, "stats.invisible %u, counted %u",
	    srv->stats.invisible, invisible);
	FUZZ_CHECK(hashed == HASH_COUNT(srv->nicks), "%u hashed clients, map holds %u", hashed,
	    (unsigned)HASH_COUNT(srv->nicks));
	FUZZ_CHECK(srv->stats.max_users >= srv->stats.users, "max_users below users");

	HASH_ITER(hh, srv->channels, ch, tmp) {
		channels++;
		FUZZ_CHECK(ch->nmembers > 0, "empty channel %s kept", ch->name);
		FUZZ_CHECK(ch->nmembers == HASH_COUNT(ch->members), "%s: nmembers %u, hash %u",
		    ch->name, ch->nmembers, (unsigned)HASH_COUNT(ch->members));
		HASH_ITER(hh, ch->members, m, mtmp) {
			FUZZ_CHECK(m->chan == ch, "member of %s points elsewhere", ch->name);
			FUZZ_CHECK(client_is_registered(m->client) &&
				m->client->state < CLIENT_CLOSING,
			    "%s: member %s is closing or unregistered", ch->name, m->client->nick);
		}
		nlist = 0;
		for (k = 0; k < LIST_COUNT; k++)
			for (e = ch->lists[k]; e != NULL; e = e->next)
				nlist++;
		FUZZ_CHECK(nlist == ch->nlist, "%s: %u list entries, nlist %u", ch->name, nlist,
		    ch->nlist);
		FUZZ_CHECK(!(ch->modes & CMODE_KEY) == (ch->chankey == NULL), "%s: +k without key",
		    ch->name);
	}
	FUZZ_CHECK(channels == srv->stats.channels, "stats.channels %u, counted %u",
	    srv->stats.channels, channels);
}

/* step_done: after each record. */
static void
step_done(struct fz *f)
{
	run_loop(f);
	reap_slots(f);
	check_state(f->srv);
}

static void
slot_write(struct fz *f, struct slot *s, const uint8_t *p, size_t n)
{
	if (trace && s->end != NULL)
		dprintf(*fuzz_err_fd(), "%d> %.*s%s", (int)(s - f->slots), (int)n, (const char *)p,
		    n > 0 && p[n - 1] == '\n' ? "" : "\n");
	if (s->end != NULL && n > 0)
		bufferevent_write(s->end, p, n);
}

/* record: one record of the input; see the top of the file. */
static void
record(struct fz *f, uint8_t ctl, const uint8_t *p, size_t n)
{
	int i = ctl & 3;
	struct slot *s = &f->slots[i];
	bool nl = n > 0 && p[n - 1] == '\n';
	struct client *c;
	size_t k;

	switch (ctl & 0xfc) {
	case 0xe0:
		slot_write(f, s, p, n);
		return; /* no loop turn: the next record pipelines */
	case 0xe4:
		for (k = 0; k < n && s->end != NULL; k++) {
			slot_write(f, s, p + k, 1);
			run_loop(f);
			reap_slots(f);
		}
		break;
	case 0xe8:
		for (k = 0; k < AMPLIFY; k++)
			slot_write(f, s, p, n - nl);
		if (nl)
			slot_write(f, s, p + n - 1, 1);
		break;
	case 0xec:
		f->srv->now += 1 + 8 * (time_t)n;
		if ((c = slot_client(f, s)) != NULL && c->timer_due != 0)
			conn_timer_cb(-1, EV_TIMEOUT, c); /* its timer fires now */
		break;
	case 0xf0:
		if (s->end != NULL) {
			s->reading = !s->reading;
			if (s->reading)
				bufferevent_enable(s->end, EV_READ);
			else {
				s->blind = true;
				bufferevent_disable(s->end, EV_READ);
			}
		}
		slot_write(f, s, p, n);
		break;
	case 0xf4:
		if (s->end == NULL)
			break;
		slot_write(f, s, p, n - nl);
		run_loop(f);
		reap_slots(f);
		if (s->end == NULL)
			break;
		s->gone = true;
		bufferevent_flush(s->end, EV_WRITE, BEV_FINISHED);
		run_loop(f);
		if (s->end != NULL && s->reading)
			check_output(s);
		slot_free(s);
		break;
	case 0xf8:
		slot_free(s);
		break;
	case 0xfc:
		slot_connect(f, i);
		slot_write(f, s, p, n);
		break;
	default:
		slot_write(f, s, p, n);
		break;
	}
	step_done(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f;
	const uint8_t *p = data, *end = data + size, *nl;
	char reg[128];
	int i, n;

	if (config_path[0] == '\0')
		LLVMFuzzerInitialize(NULL, NULL);
	memset(&f, 0, sizeof(f));
	slots_base = f.slots;
	f.srv = server_new(fz_config(), config_path);
	if (f.srv == NULL)
		abort();
	f.srv->clock_fixed =
	    true; /* only the clock action moves it: a replay sees the same times */
	for (i = 0; i < NSLOTS; i++)
		slot_connect(&f, i);
	for (i = 0; i < NSLOTS - 1; i++) {
		n = snprintf(reg, sizeof(reg), "NICK fz%d\r\nUSER u%d 0 * :Fuzz client %d\r\n", i,
		    i, i);
		slot_write(&f, &f.slots[i], (const uint8_t *)reg, (size_t)n);
	}
	step_done(&f);

	while (p < end && !f.srv->shutting_down) {
		uint8_t ctl = *p++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (int)(nl != NULL ? nl + 1 - p : end - p);
		record(&f, ctl, p, (size_t)n);
		p += n;
	}
	/* DIE, or the end of the input: let the server finish what it can,
	 * then free everything (LSan checks nothing is left). */
	step_done(&f);
	for (i = 0; i < NSLOTS; i++)
		slot_free(&f.slots[i]);
	run_loop(&f);
	server_free(f.srv);
	return 0;
}
