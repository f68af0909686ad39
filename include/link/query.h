/* query.h - queries across the network (link/query.c, docs/NETWORK.md):
 * the <target> forms of ADMIN, VERSION, TIME, MOTD, INFO, LUSERS, STATS
 * and WHOIS (RFC 2812 §3.4, §3.6.2) forwarded along the tree towards the
 * server they name and answered there with numerics routed back to the
 * asking user; MAP (RPL_MAP 015 / RPL_MAPEND 017) and STATS l
 * (RPL_STATSLINKINFO 211) for operators; server notices to local operators
 * when servers link and split. Used by link/link.c only. */
#ifndef EVIRCD_LINK_QUERY_H
#define EVIRCD_LINK_QUERY_H

#include <stdbool.h>

#include "core/client.h"

struct server;
struct irc_msg;

/* query_init: subscribe the server notices (EVENT_SERVER_LINKED,
 * EVENT_SERVER_SPLIT). 0, or -1 when the event bus is full. */
int query_init(struct server *srv);

/* query_local: a command of a registered local user, before the command
 * gate: MAP and STATS l are answered here, and a query whose <target>
 * names another server (a server mask, or a nick on it) is charged as the
 * gate would (penalty, counter) and sent towards that server as
 * ":<nick> VERB ... <server> ...". true: handled (*r is the result);
 * false: the command goes on to the dispatcher (a target that is us, or
 * no target). */
bool query_local(struct client *c, struct irc_msg *m, enum cmd_result *r);

/* query_remote: a query from user (a remote user behind conn) that came in
 * on the link conn: answered here when its target is us (the numerics go
 * back down the link), sent on towards its target otherwise (never back
 * to conn), or 402 for a target that is unknown. false: m is no query. */
bool query_remote(struct server *srv, struct client *conn, struct client *user, struct irc_msg *m);

/* link_stats_reply: one RPL_STATSLINKINFO (211) per link connection to c
 * (link/link.c, which keeps the counters): name, sendq bytes queued now,
 * messages and KiB sent, messages and KiB received, seconds open. */
void link_stats_reply(struct client *c);

#endif
