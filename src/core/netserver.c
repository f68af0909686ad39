/* netserver.c - the server registry of the network and remote users
 * (core/netserver.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/netserver.h"
#include "core/server.h"

/* lower: ASCII lower-case key of a server name (server names are host
 * names: RFC 2812 §2.3.1, compared without case). false when too long. */
static bool
lower(char *dst, const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > SERVERNAME_MAX)
		return false;
	for (i = 0; i <= n; i++)
		dst[i] = (char)tolower((unsigned char)name[i]);
	return true;
}

/* client_server: see netserver.h. */
struct netserver *
client_server(const struct client *c)
{
	return client_is_remote(c) ? remote_of_const(c)->server : c->srv->me;
}

/* client_link: see netserver.h. */
struct client *
client_link(struct client *c)
{
	return client_is_remote(c) ? remote_of(c)->server->conn : c;
}

/* netserver_init: see netserver.h. */
void
netserver_init(struct server *srv)
{
	struct netserver *me = calloc(1, sizeof(*me));

	if (me == NULL || !lower(me->key, srv->cfg->name))
		fatalx("server name");
	snprintf(me->name, sizeof(me->name), "%s", srv->cfg->name);
	me->info = strdup(srv->cfg->description ? srv->cfg->description : "");
	if (me->info == NULL)
		fatal("strdup");
	me->token = 1; /* what we call ourselves in our SERVER line (ngIRCd does the same) */
	TAILQ_INIT(&me->remotes);
	HASH_ADD_STR(srv->servers, key, me);
	srv->me = me;
}

/* netserver_find: see netserver.h. */
struct netserver *
netserver_find(struct server *srv, const char *name)
{
	char key[SERVERNAME_MAX + 1];
	struct netserver *ns;

	if (!lower(key, name))
		return NULL;
	HASH_FIND_STR(srv->servers, key, ns);
	return ns;
}

/* netserver_add: see netserver.h. Our tokens for other servers count up
 * from 2 (1 is us); a token is never reused while the server is known. */
struct netserver *
netserver_add(struct server *srv, const char *name, const char *info, unsigned hops,
    struct netserver *uplink, struct client *conn, unsigned peer_token)
{
	struct netserver *ns;
	char key[SERVERNAME_MAX + 1];

	if (!lower(key, name) || netserver_find(srv, name) != NULL)
		return NULL;
	ns = calloc(1, sizeof(*ns));
	if (ns == NULL)
		return NULL;
	memcpy(ns->key, key, sizeof(key));
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	ns->info = strdup(info);
	if (ns->info == NULL) {
		free(ns);
		return NULL;
	}
	ns->hops = hops;
	ns->uplink = uplink;
	ns->conn = conn;
	TAILQ_INIT(&ns->remotes);
	ns->peer_token = peer_token;
	if (srv->server_token_next < 2)
		srv->server_token_next = 2; /* first use, or wrapped */
	ns->token = srv->server_token_next++;
	HASH_ADD_STR(srv->servers, key, ns);
	srv->stats.servers++;
	if (hops == 1)
		srv->stats.links++;
	return ns;
}

/* netserver_del: see netserver.h. */
void
netserver_del(struct server *srv, struct netserver *ns)
{
	HASH_DEL(srv->servers, ns);
	if (ns != srv->me) {
		srv->stats.servers--;
		if (ns->hops == 1)
			srv->stats.links--;
	}
	free(ns->info);
	free(ns);
}

/* netserver_free_all: see netserver.h. */
void
netserver_free_all(struct server *srv)
{
	struct netserver *ns, *tmp;

	HASH_ITER(hh, srv->servers, ns, tmp)
		netserver_del(srv, ns);
	srv->me = NULL;
}

/* netserver_by_peer_token: see netserver.h. */
struct netserver *
netserver_by_peer_token(struct server *srv, struct client *conn, unsigned token)
{
	struct netserver *ns, *tmp;

	HASH_ITER(hh, srv->servers, ns, tmp)
		if (ns->conn == conn && ns->peer_token == token)
			return ns;
	return NULL;
}

/* client_new_remote: see netserver.h. */
struct client *
client_new_remote(struct server *srv, struct netserver *ns, unsigned hops, const char *nick,
    const char *user, const char *host, const char *realname, unsigned umodes)
{
	struct remote_client *rc = calloc(1, sizeof(*rc));
	struct client *c;

	if (rc == NULL)
		return NULL;
	c = &rc->c;
	rc->server = ns;
	rc->hops = hops;
	c->srv = srv;
	c->flags = CF_REMOTE | CF_REGISTERED;
	c->state = CLIENT_OPEN;
	c->umodes = umodes & (UMODE_INVISIBLE | UMODE_OPER | UMODE_WALLOPS | UMODE_BOT);
	snprintf(c->user, sizeof(c->user), "%s", user);
	snprintf(c->host, sizeof(c->host), "%s", host);
	c->realname = strdup(realname);
	if (c->realname == NULL) {
		free(rc);
		return NULL;
	}
	c->signon = c->last_active = c->last_msg = srv->now;
	LIST_INIT(&c->channels);
	TAILQ_INIT(&c->invites);
	strcpy(c->nick, "*");
	client_set_nick(c, nick);
	ns->users++;
	TAILQ_INSERT_TAIL(&ns->remotes, rc, on_server);
	srv->stats.remote_users++;
	if (c->umodes & UMODE_INVISIBLE)
		srv->stats.remote_invisible++;
	if (c->umodes & UMODE_OPER)
		srv->stats.remote_opers++;
	if (srv->stats.users + srv->stats.remote_users > srv->stats.max_global)
		srv->stats.max_global = srv->stats.users + srv->stats.remote_users;
	return c;
}
