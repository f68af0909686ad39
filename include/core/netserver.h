/* netserver.h - the servers of the network (RFC 2813 §1.1, §4.1.2): a tree
 * rooted at this server, each reached through one local link connection,
 * and the users that live behind a link ("remote clients"). Data only: the
 * protocol that fills it is link/ (docs/NETWORK.md). */
#ifndef EVIRCD_NETSERVER_H
#define EVIRCD_NETSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/queue.h>

#include <uthash.h>

#include "core/client.h"

struct server;
struct remote_client;

#define SERVERNAME_MAX 63 /* RFC 2812 §2.3.1: a host name; [link] name checks it */

/* One server of the network. srv->me is this server (hops 0, no uplink, no
 * conn); every other one is reached through conn, the local connection of
 * the directly linked server it is behind. Owned by srv->servers. */
struct netserver {
	UT_hash_handle hh; /* srv->servers, key = key */
	char name[SERVERNAME_MAX + 1];
	char key[SERVERNAME_MAX + 1]; /* ASCII lower-case name */
	char *info; /* owned: description */
	unsigned hops; /* 0 = us, 1 = directly linked */
	struct netserver *uplink; /* the server that introduced it; NULL = us */
	struct client *conn; /* the local link connection towards it; NULL = us */
	unsigned token; /* our token for it (RFC 2813 §4.1.2), told to peers */
	unsigned peer_token; /* the token conn's peer uses for it */
	unsigned users; /* registered users on it */
	/* those users: a split walks them, not every nick (remote_close
	 * unlinks one) */
	TAILQ_HEAD(, remote_client) remotes;
	bool splitting; /* being removed by a netsplit (no per-user QUITs sent) */
};

/* A user that lives on another server: a struct client without a socket
 * (bev NULL, CF_REMOTE|CF_REGISTERED), allocated with room for where it is.
 * Local clients are plain struct client: their memory does not grow. */
struct remote_client {
	struct client c; /* first: a remote_client is a client */
	struct netserver *server; /* the server it is on */
	TAILQ_ENTRY(remote_client) on_server; /* server->remotes */
	unsigned hops;
};

/* client_is_remote: c lives behind a link (no socket of ours). */
static inline bool
client_is_remote(const struct client *c)
{
	return (c->flags & CF_REMOTE) != 0;
}

/* remote_of: the remote_client of a CF_REMOTE client. */
static inline struct remote_client *
remote_of(struct client *c)
{
	return (struct remote_client *)(void *)c;
}

/* remote_of_const: remote_of for a const client. */
static inline const struct remote_client *
remote_of_const(const struct client *c)
{
	return (const struct remote_client *)(const void *)c;
}

/* client_server: the server c is on (srv->me for a local client). */
struct netserver *client_server(const struct client *c);
/* client_link: the local link connection output for c goes through: c
 * itself when local, its server's conn when remote. */
struct client *client_link(struct client *c);

/* netserver_init: create srv->me from the configuration (at start). */
void netserver_init(struct server *srv);
/* netserver_free_all: free every server (teardown; remote clients gone). */
void netserver_free_all(struct server *srv);
/* netserver_find: O(1) lookup by name (ASCII case-insensitive), or NULL. */
struct netserver *netserver_find(struct server *srv, const char *name);
/* netserver_add: a new server name (not known yet) introduced by uplink
 * and reached through conn. NULL when the name is taken or too long. */
struct netserver *netserver_add(struct server *srv, const char *name, const char *info,
    unsigned hops, struct netserver *uplink, struct client *conn, unsigned peer_token);
/* netserver_del: unindex and free ns (its users are gone already). */
void netserver_del(struct server *srv, struct netserver *ns);
/* netserver_by_peer_token: the server that conn's peer calls token, or
 * NULL. O(servers). */
struct netserver *netserver_by_peer_token(struct server *srv, struct client *conn, unsigned token);

/* client_new_remote: a registered remote user nick!user@host on ns, hops
 * away, in the nick map; counted in srv->stats (remote_*). nick must be
 * valid and free. NULL on out-of-memory. Freed through client_close
 * (net/close.c) like any client. */
struct client *client_new_remote(struct server *srv, struct netserver *ns, unsigned hops,
    const char *nick, const char *user, const char *host, const char *realname, unsigned umodes);

#endif
