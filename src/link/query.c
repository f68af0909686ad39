/* query.c - queries across the network (include/link/query.h).
 *
 * A query with a <target> that names another server (RFC 2812 §3.4: "a
 * server mask, or a nick on that server") travels along the spanning tree
 * as ":<nick> VERB ... <server> ..." with the target replaced by the one
 * server it matched, so no server further on matches the mask again
 * differently (ngIRCd IRC_GetTargetServer forwards the target's name the
 * same way). The target server answers with numerics addressed to the
 * remote user (":<server> NNN <nick> ..."); net/output.c sends whatever is
 * meant for a remote user down its link, and every server on the way
 * passes a numeric on towards the user (link.c in_numeric). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/config.h"
#include "core/event.h"
#include "core/netserver.h"
#include "core/server.h"
#include "proto/message.h"
#include "proto/reply.h"
#include "net/output.h"
#include "cmd/command.h"
#include "link/notice.h"
#include "link/query.h"

/* The queries that have a <target>, and which parameter it is. WHOIS has
 * one only in its two-parameter form "WHOIS <target> <nick>". */
static const struct query_verb {
	const char *verb;
	int idx;
} query_verbs[] = {
	{ "ADMIN", 0 },
	{ "INFO", 0 },
	{ "LUSERS", 1 },
	{ "MOTD", 0 },
	{ "STATS", 1 },
	{ "TIME", 0 },
	{ "VERSION", 0 },
	{ "WHOIS", 0 },
};

/* target_index: the index of m's <target> parameter, or -1 (no target
 * given, or not a query). */
static int
target_index(const struct irc_msg *m)
{
	size_t i;

	for (i = 0; i < sizeof(query_verbs) / sizeof(query_verbs[0]); i++) {
		if (strcmp(m->verb, query_verbs[i].verb) != 0)
			continue;
		if (query_verbs[i].idx == 0 && !strcmp(m->verb, "WHOIS") && m->nparams < 2)
			return -1;
		if (m->nparams <= query_verbs[i].idx || m->params[query_verbs[i].idx][0] == '\0')
			return -1;
		return query_verbs[i].idx;
	}
	return -1;
}

/* find_target: the server a <target> names: us when the mask matches our
 * name, a server by exact name, the server of a user by nick, else the
 * first server the mask matches (RFC 2812 §3.4: masks). NULL: none. The
 * last step is O(servers): queries are rare, and a network has few. */
static struct netserver *
find_target(struct server *srv, const char *target)
{
	struct netserver *ns, *tmp;
	struct client *u;

	if (casemap_match(CASEMAP_ASCII, target, srv->me->name))
		return srv->me;
	if ((ns = netserver_find(srv, target)) != NULL)
		return ns;
	if ((u = server_find_nick(srv, target)) != NULL && client_is_registered(u))
		return client_server(u);
	HASH_ITER(hh, srv->servers, ns, tmp)
		if (!ns->splitting && casemap_match(CASEMAP_ASCII, target, ns->name))
			return ns;
	return NULL;
}

/* forward: ":<nick> VERB <params>" towards ns, with parameter idx replaced
 * by ns's name; the last parameter is sent as a trailing one. */
static void
forward(struct client *user, struct netserver *ns, const struct irc_msg *m, int idx)
{
	char line[IRC_LINE_MAX];
	size_t len;
	int i, n;

	n = snprintf(line, sizeof(line), ":%s %s", user->nick, m->verb);
	for (i = 0; i < m->nparams && n > 0 && (size_t)n < sizeof(line); i++) {
		len = (size_t)n;
		n += snprintf(line + len, sizeof(line) - len, i == m->nparams - 1 ? " :%s" : " %s",
		    i == idx ? ns->name : m->params[i]);
	}
	if (n <= 0 || (size_t)n >= sizeof(line))
		return; /* cannot be: the request fitted in a line */
	reply_raw(ns->conn, "%s", line);
}

/* ---- MAP ---- */

static int
cmp_server(const void *a, const void *b)
{
	const struct netserver *const *x = a, *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

/* map_lines: the line of ns (at depth) and, below it, its children sorted
 * by name: "`- name" indented by depth, dots up to a column, the users and
 * their share of the network. */
static void
map_lines(struct client *c, struct netserver *ns, unsigned depth, unsigned total)
{
	struct server *srv = c->srv;
	struct netserver **kids, *k, *tmp;
	size_t n = 0, i;
	char line[IRC_LINE_MAX], left[128];
	unsigned users = ns == srv->me ? srv->stats.users : ns->users;
	int w;

	w = snprintf(left, sizeof(left), "%*s%s%s", (int)(depth > 0 ? 3 * (depth - 1) : 0), "",
	    depth > 0 ? "`- " : "", ns->name);
	if (w < 0)
		return;
	snprintf(line, sizeof(line), "%s %.*s | Users: %5u (%3u%%)", left, w < 48 ? 48 - w : 1,
	    "................................................", users,
	    total ? (unsigned)((users * 100ULL + total / 2) / total) : 0u);
	numeric(c, RPL_MAP, line);
	if (depth >= 64)
		return; /* a tree of servers is never this deep (hops <= 255) */
	HASH_ITER(hh, srv->servers, k, tmp)
		if (k->uplink == ns && !k->splitting)
			n++;
	if (n == 0 || (kids = calloc(n, sizeof(*kids))) == NULL)
		return;
	n = 0;
	HASH_ITER(hh, srv->servers, k, tmp)
		if (k->uplink == ns && !k->splitting)
			kids[n++] = k;
	qsort(kids, n, sizeof(*kids), cmp_server);
	for (i = 0; i < n; i++)
		map_lines(c, kids[i], depth + 1, total);
	free(kids);
}

/* map: "MAP" (operators). The numerics are Solanum's and InspIRCd's
 * (RPL_MAP 015 per line, RPL_MAPEND 017), which the common clients show
 * as they come; ngIRCd has no MAP. Our own tree, rooted at us, with every
 * server's users: O(servers^2) for a rare operator command. */
static void
map(struct client *c)
{
	struct server *srv = c->srv;

	map_lines(c, srv->me, 0, srv->stats.users + srv->stats.remote_users);
	numeric(c, RPL_MAPEND);
}

/* ---- entry points ---- */

/* charge: what the command gate would have done for a command that never
 * reaches it (a forwarded query, MAP): the penalty and the counter. */
static void
charge(struct client *c, const char *verb)
{
	const struct command *cmd = command_find(verb);
	struct server *srv = c->srv;

	c->fakelag += (time_t)(cmd ? cmd->penalty : 1) * (time_t)srv->cfg->flood_penalty;
	if (cmd != NULL)
		srv->cmd_count[cmd - command_table]++;
}

/* query_local: see query.h. */
bool
query_local(struct client *c, struct irc_msg *m, enum cmd_result *r)
{
	struct server *srv = c->srv;
	struct netserver *ns;
	int idx;

	*r = CMD_OK;
	if (!strcmp(m->verb, "MAP")) {
		charge(c, "MAP");
		if (!client_is_oper(c))
			numeric(c, ERR_NOPRIVILEGES);
		else
			map(c);
		return true;
	}
	idx = target_index(m);
	ns = idx >= 0 ? find_target(srv, m->params[idx]) : srv->me;
	if (ns == NULL) {
		if (strcmp(m->verb, "WHOIS") != 0)
			return false; /* the command's own 402 */
		/* cmd_whois would answer for the nick: RFC 2812 §3.6.2 wants
		 * the server first */
		charge(c, m->verb);
		numeric(c, ERR_NOSUCHSERVER, m->params[idx]);
		return true;
	}
	if (ns == srv->me) {
		if (strcmp(m->verb, "STATS") != 0 || m->nparams < 1 ||
		    (m->params[0][0] != 'l' && m->params[0][0] != 'L'))
			return false;
		charge(c, m->verb);
		/* STATS l shows the links (RFC 2812 §3.4.4), to operators
		 * only as Solanum does (which servers link where) */
		if (!client_is_oper(c))
			numeric(c, ERR_NOPRIVILEGES);
		else
			link_stats_reply(c);
		numeric(c, RPL_ENDOFSTATS, m->params[0][0] == 'L' ? "L" : "l");
		return true;
	}
	charge(c, m->verb);
	forward(c, ns, m, idx);
	return true;
}

/* query_remote: see query.h. */
bool
query_remote(struct server *srv, struct client *conn, struct client *user, struct irc_msg *m)
{
	const struct command *cmd;
	struct netserver *ns;
	int idx;
	size_t i;

	for (i = 0; i < sizeof(query_verbs) / sizeof(query_verbs[0]); i++)
		if (!strcmp(m->verb, query_verbs[i].verb))
			break;
	if (i == sizeof(query_verbs) / sizeof(query_verbs[0]))
		return false;
	if (user == NULL)
		return true; /* a server asks nothing: dropped */
	idx = target_index(m);
	ns = idx >= 0 ? find_target(srv, m->params[idx]) : srv->me;
	if (ns == NULL) {
		numeric(user, ERR_NOSUCHSERVER, m->params[idx]);
		return true;
	}
	if (ns != srv->me) {
		if (ns->conn != conn) /* never back where it came from */
			forward(user, ns, m, idx);
		return true;
	}
	if (!strcmp(m->verb, "STATS") && m->nparams > 0 &&
	    (m->params[0][0] == 'l' || m->params[0][0] == 'L')) {
		if (!client_is_oper(user))
			numeric(user, ERR_NOPRIVILEGES);
		else
			link_stats_reply(user);
		numeric(user, RPL_ENDOFSTATS, m->params[0][0] == 'L' ? "L" : "l");
		return true;
	}
	cmd = command_find(m->verb);
	if (cmd == NULL || m->nparams < cmd->min_params)
		return true;
	/* the command's own handler, answering the remote user: its
	 * numerics go down the link (no penalty: the user's own server
	 * charged it) */
	(void)cmd->handler(user, m);
	return true;
}

/* ---- server notices ---- */

static void
on_linked(struct server *srv, const struct event_server_linked *ev)
{
	notice_opers(srv, "Link with %s established (%s)", ev->name, ev->description);
}

static void
on_split(struct server *srv, const struct event_server_split *ev)
{
	notice_opers(srv, "Netsplit: %s left the network (%s)", ev->name, ev->reason);
}

/* query_init: see query.h. */
int
query_init(struct server *srv)
{
	if (event_subscribe_server_linked(srv, on_linked) != 0 ||
	    event_subscribe_server_split(srv, on_split) != 0)
		return -1;
	return 0;
}
