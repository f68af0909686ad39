/* whowas.c - WHOWAS (RFC 2812 §3.6.3): the subscriber that records every
 * nick given up (NICK change, QUIT) into the history ring of the registry
 * (server_whowas_add, core/server.c). The WHOWAS command is cmd_query.c. */
#include "core/client.h"
#include "core/event.h"
#include "core/server.h"
#include "cmd/whowas.h"

/* on_nick: the old nick goes into the history. */
static void
on_nick(struct server *srv, const struct event_nick *ev)
{
	server_whowas_add(srv, ev->client, ev->old_nick);
}

/* on_quit: the nick of a registered client that leaves. */
static void
on_quit(struct server *srv, const struct event_quit *ev)
{
	server_whowas_add(srv, ev->client, ev->client->nick);
}

/* whowas_subscribe: see whowas.h. */
int
whowas_subscribe(struct server *srv)
{
	if (event_subscribe_nick(srv, on_nick) != 0 || event_subscribe_quit(srv, on_quit) != 0)
		return -1;
	return 0;
}
