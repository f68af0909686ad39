/* services.h - the services server of a network (Atheme, Anope over their
 * ngIRCd protocol modules; docs/NETWORK.md "Services").
 *
 * The services server is the one named by the [link] section with
 * `services = yes` (core/config.h config_services_link), wherever it sits
 * in the tree: every server of the network names it, as Solanum's
 * `service {}` block and UnrealIRCd's U-lines must be on every server. It
 * and its pseudo-clients (NickServ, ChanServ, ...) may do what other
 * servers may not: rename any user (SVSNICK), set user modes and METADATA
 * on users of other servers, and introduce (juped) servers without being a
 * hub. A link that is not the services server gets none of these powers.
 * Channel modes, topics, kicks and kills from any server are taken as
 * RFC 2813 §4.2.3 and ngIRCd do (the origin server checked the rights). */
#ifndef EVIRCD_SERVICES_H
#define EVIRCD_SERVICES_H

#include <stdbool.h>

#include "core/client.h"
#include "core/netserver.h"

struct server;

/* services_server: is ns the services server of the network? */
bool services_server(struct server *srv, const struct netserver *ns);
/* services_source: is the source of a line (a user or a server; either may
 * be NULL) the services server or one of its pseudo-clients? */
bool services_source(struct server *srv, struct client *user, const struct netserver *server);
/* services_force_nick: the services server renames local user c to nick
 * (SVSNICK; ngIRCd irc-login.c IRC_SVSNICK does the same for its users):
 * c and its channel peers see ":old!u@h NICK :new", EVENT_NICK is
 * published (the links relay it). false, with nothing changed, when nick is
 * not a valid nick or is held by another user. */
bool services_force_nick(struct client *c, const char *nick);
/* services_user_mode: the services server changes the user modes of local
 * user c (modes: "+i-w" ...). i, w and B are applied, shown to c and
 * published (EVENT_MODE); R (ngIRCd "registered nick") and x (cloaked
 * host) are accepted and dropped: the account (+r) and the host follow
 * METADATA accountname and cloakhost. Others are refused. */
void services_user_mode(struct client *c, const char *modes, const char *setter);
/* services_global: a message to "$<server mask>" (RFC 2812 §3.3.1): to
 * every local registered user when our name matches mask. O(local
 * clients), as a broadcast to everyone is. */
void services_global(struct server *srv, const char *prefix, const char *verb, const char *mask,
    const char *text);

#endif
