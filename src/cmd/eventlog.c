/* eventlog.c - one key=value log line per state change worth an
 * operator's attention (eventlog.h). Only reads the events; never sends. */
#include <stdio.h>

#include "core/client.h"
#include "core/event.h"
#include "core/log.h"
#include "core/server.h"
#include "cmd/eventlog.h"

/* client_fields: who: nick, user, host (the address), tls. */
static void
client_fields(struct log_kv *kv, const struct client *c)
{
	log_kv_str(kv, "nick", c->nick);
	log_kv_str(kv, "user", c->user);
	log_kv_str(kv, "host", c->host);
}

static void
on_registered(struct server *srv, const struct event_registered *ev)
{
	struct log_kv kv;

	log_kv_init(&kv, "connect");
	client_fields(&kv, ev->client);
	log_kv_str(&kv, "tls", (ev->client->flags & CF_TLS) ? "yes" : "no");
	log_kv_str(&kv, "certfp", ev->client->certfp);
	log_kv_emit(&kv);
}

static void
on_nick(struct server *srv, const struct event_nick *ev)
{
	struct log_kv kv;

	log_kv_init(&kv, "nick");
	log_kv_str(&kv, "old", ev->old_nick);
	client_fields(&kv, ev->client);
	log_kv_emit(&kv);
}

static void
on_quit(struct server *srv, const struct event_quit *ev)
{
	struct log_kv kv;

	log_kv_init(&kv, "quit");
	client_fields(&kv, ev->client);
	log_kv_str(&kv, "reason", ev->reason);
	log_kv_emit(&kv);
}

static void
on_oper(struct server *srv, const struct event_oper *ev)
{
	struct log_kv kv;

	log_kv_init(&kv, "oper");
	client_fields(&kv, ev->client);
	log_kv_str(&kv, "oper", ev->oper);
	log_kv_emit(&kv);
}

static void
on_kill(struct server *srv, const struct event_kill *ev)
{
	struct log_kv kv;

	log_kv_init(&kv, "kill");
	client_fields(&kv, ev->target);
	log_kv_str(&kv, "by", ev->source->nick);
	log_kv_str(&kv, "reason", ev->reason);
	log_kv_emit(&kv);
}

static void
on_ban(struct server *srv, const struct event_ban *ev)
{
	struct log_kv kv;

	log_kv_init(&kv, ev->kind == 'D' ? "dline" : "kline");
	log_kv_str(&kv, "action", ev->added ? "add" : "remove");
	log_kv_str(&kv, "mask", ev->mask);
	log_kv_str(&kv, "by", ev->source->nick);
	if (ev->added) {
		log_kv_num(&kv, "duration", ev->duration);
		log_kv_str(&kv, "reason", ev->reason);
	}
	log_kv_emit(&kv);
}

static void
on_account(struct server *srv, const struct event_account *ev)
{
	struct log_kv kv;

	log_kv_init(&kv, ev->account != NULL ? "login" : "logout");
	client_fields(&kv, ev->client);
	log_kv_str(&kv, "account", ev->account != NULL ? ev->account : ev->old_account);
	if (ev->mech != NULL)
		log_kv_str(&kv, "sasl", ev->mech);
	log_kv_emit(&kv);
}

static void
on_linked(struct server *srv, const struct event_server_linked *ev)
{
	struct log_kv kv;

	log_kv_init(&kv, "link");
	log_kv_str(&kv, "server", ev->name);
	log_kv_str(&kv, "description", ev->description);
	log_kv_emit(&kv);
}

static void
on_split(struct server *srv, const struct event_server_split *ev)
{
	struct log_kv kv;

	log_kv_init(&kv, "split");
	log_kv_str(&kv, "server", ev->name);
	log_kv_str(&kv, "reason", ev->reason);
	log_kv_emit(&kv);
}

/* eventlog_subscribe: see eventlog.h. */
int
eventlog_subscribe(struct server *srv)
{
	if (event_subscribe_registered(srv, on_registered) != 0 ||
	    event_subscribe_nick(srv, on_nick) != 0 || event_subscribe_quit(srv, on_quit) != 0 ||
	    event_subscribe_oper(srv, on_oper) != 0 || event_subscribe_kill(srv, on_kill) != 0 ||
	    event_subscribe_ban(srv, on_ban) != 0 ||
	    event_subscribe_account(srv, on_account) != 0 ||
	    event_subscribe_server_linked(srv, on_linked) != 0 ||
	    event_subscribe_server_split(srv, on_split) != 0)
		return -1;
	return 0;
}
