/* monitor.c - MONITOR (IRCv3 monitor, extended-monitor): watcher sets,
 * the MONITOR command, and the subscriber that tells watchers of
 * registrations, nick changes and quits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "proto/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/event.h"
#include "cmd/command.h"
#include "core/log.h"
#include "cmd/monitor.h"
#include "proto/pack.h"
#include "proto/reply.h"
#include "core/server.h"

/* One monitored nick and the clients watching it. */
struct monitor_entry {
	char key[NICKLEN_MAX + 1]; /* casefolded */
	struct client **watchers;
	unsigned nwatchers, cap;
	UT_hash_handle hh;
};

static struct monitor_entry *
entry_find(struct server *srv, const char *key)
{
	struct monitor_entry *e;

	HASH_FIND_STR(srv->monitors, key, e);
	return e;
}

static bool
client_watches(const struct client *c, const struct monitor_entry *e)
{
	unsigned i;

	for (i = 0; i < c->nmon; i++)
		if (c->mon[i] == e)
			return true;
	return false;
}

static void
entry_unwatch(struct server *srv, struct monitor_entry *e, struct client *c)
{
	unsigned i;

	for (i = 0; i < e->nwatchers; i++) {
		if (e->watchers[i] != c)
			continue;
		e->watchers[i] = e->watchers[--e->nwatchers];
		break;
	}
	if (e->nwatchers == 0) {
		HASH_DEL(srv->monitors, e);
		free(e->watchers);
		free(e);
	}
}

void
monitor_clear(struct client *c)
{
	unsigned i;

	for (i = 0; i < c->nmon; i++)
		entry_unwatch(c->srv, c->mon[i], c);
	free(c->mon);
	c->mon = NULL;
	c->nmon = 0;
}

void
monitor_free_all(struct server *srv)
{
	struct monitor_entry *e, *tmp;

	HASH_ITER(hh, srv->monitors, e, tmp) {
		HASH_DEL(srv->monitors, e);
		free(e->watchers);
		free(e);
	}
}

void
monitor_online(struct client *c)
{
	struct monitor_entry *e = entry_find(c->srv, c->nick_key);
	char pfx[160];
	unsigned i;

	if (e == NULL)
		return;
	client_prefix(c, pfx, sizeof(pfx));
	for (i = 0; i < e->nwatchers; i++)
		reply_numeric(e->watchers[i], RPL_MONONLINE, FMT_RPL_MONONLINE, pfx);
}

void
monitor_offline(struct client *c, const char *nick)
{
	char key[NICKLEN_MAX + 1];
	struct monitor_entry *e;
	unsigned i;

	server_fold(c->srv, key, nick, sizeof(key));
	e = entry_find(c->srv, key);
	if (e == NULL)
		return;
	for (i = 0; i < e->nwatchers; i++)
		reply_numeric(e->watchers[i], RPL_MONOFFLINE, FMT_RPL_MONOFFLINE, nick);
}

/* on_registered: the new user's watchers hear it is online (730). */
static void
on_registered(struct server *srv, const struct event_registered *ev)
{
	monitor_online(ev->client);
}

/* on_nick: a nick change that is more than a change of case is the old
 * nick going offline and the new one coming online. */
static void
on_nick(struct server *srv, const struct event_nick *ev)
{
	char key[NICKLEN_MAX + 1];

	if (server_fold(srv, key, ev->old_nick, sizeof(key)) &&
	    strcmp(key, ev->client->nick_key) != 0) {
		monitor_offline(ev->client, ev->old_nick);
		monitor_online(ev->client);
	}
}

/* on_quit: the watchers hear it is offline (731); the client's own
 * watch entries go. */
static void
on_quit(struct server *srv, const struct event_quit *ev)
{
	monitor_offline(ev->client, ev->client->nick);
	monitor_clear(ev->client);
}

/* monitor_subscribe: see monitor.h. */
int
monitor_subscribe(struct server *srv)
{
	if (event_subscribe_registered(srv, on_registered) != 0 ||
	    event_subscribe_nick(srv, on_nick) != 0 || event_subscribe_quit(srv, on_quit) != 0)
		return -1;
	return 0;
}

void
monitor_extended(struct client *c, const struct outline *ol)
{
	struct monitor_entry *e = entry_find(c->srv, c->nick_key);
	unsigned i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nwatchers; i++) {
		struct client *w = e->watchers[i];
		if (w == c || w->serial == c->srv->serial || !(w->caps & CAP_EXTENDED_MONITOR))
			continue;
		w->serial = c->srv->serial;
		send_line(w, ol);
	}
}

/* send_status: 730 for the online nicks of list, 731 for the others
 * (IRCv3 monitor: comma-separated targets, as many lines as needed),
 * packed against the real line length (pack.h). */
static void
send_status(struct client *c, char **nicks, unsigned n)
{
	struct linepack on, off;
	char pfx[160];
	unsigned i;

	linepack_numeric(&on, c, send_line, RPL_MONONLINE, ',', 0, NULL, ":");
	linepack_numeric(&off, c, send_line, RPL_MONOFFLINE, ',', 0, NULL, ":");
	for (i = 0; i < n; i++) {
		struct client *t = server_find_nick(c->srv, nicks[i]);
		if (t != NULL && client_is_registered(t))
			linepack_addstr(&on, client_prefix(t, pfx, sizeof(pfx)));
		else
			linepack_addstr(&off, nicks[i]);
	}
	linepack_end(&on, false);
	linepack_end(&off, false);
}

static void
monitor_add(struct client *c, char *targets)
{
	struct server *srv = c->srv;
	char *nicks[MONITOR_MAX], *t, *rest;
	unsigned n = 0;

	for (rest = targets; (t = strsep(&rest, ",")) != NULL;) {
		char key[NICKLEN_MAX + 1];
		struct monitor_entry *e;
		void *p;
		if (*t == '\0' || !nick_valid(t, NICKLEN_MAX))
			continue;
		if (c->nmon >= MONITOR_MAX) {
			/* the rest of the list, as given, in whole targets only:
			 * what fits the line after the 734 head (":<63-byte
			 * server> 734 <nick> 100 ") and the trailing text; a
			 * target is never cut (issue 9 item 7) */
			char restbuf[IRC_LINE_MAX];
			size_t max = IRC_LINE_MAX - 2 - 128 - sizeof(" :Monitor list is full.");
			int rl = snprintf(restbuf, sizeof(restbuf), "%s%s%s", t, rest ? "," : "",
			    rest ? rest : "");
			if (rl > 0 && (size_t)rl > max) {
				bool whole = restbuf[max] == ',';
				char *cut;
				restbuf[max] = '\0';
				if (!whole && (cut = strrchr(restbuf, ',')) != NULL)
					*cut = '\0'; /* back to the last whole target */
			}
			numeric(c, ERR_MONLISTFULL, MONITOR_MAX, restbuf);
			break;
		}
		server_fold(srv, key, t, sizeof(key));
		e = entry_find(srv, key);
		if (e != NULL && client_watches(c, e))
			continue;
		if (e == NULL) {
			e = calloc(1, sizeof(*e));
			if (e == NULL)
				break;
			snprintf(e->key, sizeof(e->key), "%s", key);
			HASH_ADD_STR(srv->monitors, key, e);
		}
		if (e->nwatchers == e->cap) {
			unsigned nc = e->cap ? e->cap * 2 : 4;
			p = realloc(e->watchers, nc * sizeof(*e->watchers));
			if (p == NULL)
				break;
			e->watchers = p;
			e->cap = nc;
		}
		p = realloc(c->mon, (c->nmon + 1) * sizeof(*c->mon));
		if (p == NULL)
			break;
		c->mon = p;
		e->watchers[e->nwatchers++] = c;
		c->mon[c->nmon++] = e;
		nicks[n++] = t;
	}
	send_status(c, nicks, n);
}

static void
monitor_del(struct client *c, char *targets)
{
	char *t, *rest, key[NICKLEN_MAX + 1];
	unsigned i;

	for (rest = targets; (t = strsep(&rest, ",")) != NULL;) {
		struct monitor_entry *e;
		if (*t == '\0' || strlen(t) > NICKLEN_MAX)
			continue;
		server_fold(c->srv, key, t, sizeof(key));
		e = entry_find(c->srv, key);
		if (e == NULL || !client_watches(c, e))
			continue;
		for (i = 0; i < c->nmon; i++)
			if (c->mon[i] == e) {
				c->mon[i] = c->mon[--c->nmon];
				break;
			}
		entry_unwatch(c->srv, e, c);
	}
}

/* MONITOR {+|-} targets | C | L | S */
enum cmd_result
cmd_monitor(struct client *c, struct irc_msg *m)
{
	char op = m->params[0][0];
	unsigned i;

	if ((op == '+' || op == '-') && m->nparams < 2) {
		numeric(c, ERR_NEEDMOREPARAMS, "MONITOR");
		return CMD_OK;
	}
	switch (op) {
	case '+':
		monitor_add(c, m->params[1]);
		break;
	case '-':
		monitor_del(c, m->params[1]);
		break;
	case 'C':
	case 'c':
		monitor_clear(c);
		break;
	case 'L':
	case 'l': {
		struct linepack lp;
		linepack_numeric(&lp, c, send_line, RPL_MONLIST, ',', 0, NULL, ":");
		for (i = 0; i < c->nmon; i++)
			linepack_addstr(&lp, c->mon[i]->key);
		linepack_end(&lp, false);
		numeric(c, RPL_ENDOFMONLIST);
		break;
	}
	case 'S':
	case 's': {
		char *nicks[MONITOR_MAX];
		for (i = 0; i < c->nmon; i++)
			nicks[i] = c->mon[i]->key;
		send_status(c, nicks, c->nmon);
		break;
	}
	default:
		numeric(c, ERR_UNKNOWNERROR, "MONITOR", "Unknown MONITOR subcommand");
		break;
	}
	return CMD_OK;
}
