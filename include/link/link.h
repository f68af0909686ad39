/* link.h - server links (RFC 2813 as ngIRCd speaks it, with its IRC+
 * extensions; docs/NETWORK.md): the handshake on the listeners and out
 * (autoconnect), the burst, the server-to-server commands, propagation of
 * local state changes (event-bus subscribers), and netsplits.
 *
 * The layer stands above cmd/: it wraps the command dispatcher (lines of
 * link connections go to the server protocol, PASS/SERVER from an
 * unregistered connection start a link, everything else goes on to
 * command_dispatch) and hears of state changes through core/event.h. */
#ifndef EVIRCD_LINK_H
#define EVIRCD_LINK_H

#include "core/client.h"

struct server;
struct irc_msg;

/* The protocol version and IRC+ flags of our PASS line (ngIRCd
 * doc/Protocol.txt II.1): C = CHANINFO, L = ban/invite lists are sent as
 * MODE after the burst, M = METADATA (link/metadata.h), T = evircd's tag
 * dialect (message tags on the link: msgid, time and client-only tags;
 * used only when the peer's PASS names evircd and has T too: ngIRCd keeps
 * flags it does not know and never sees a tag). Not claimed: H (the
 * enhanced handshake: numerics until 376), S (SERVICE), X (q/a/h member
 * modes), Z (zlib). */
#define LINK_PROTO_VERSION "0210-IRC+"
#define LINK_IRCPLUS_FLAGS "CLMT"

/* link_init: subscribe to the events links relay, wrap srv->dispatch with
 * link_dispatch, and arm the autoconnect timers of the [link] sections.
 * 0, or -1 when the event bus is full. */
int link_init(struct server *srv);
/* link_free: stop autoconnect attempts and free the link state (the link
 * connections themselves are clients, closed and freed with the others). */
void link_free(struct server *srv);
/* link_dispatch: the connection layer's dispatcher (conn_set_dispatch):
 * server-protocol lines of a link, or a new link's PASS/SERVER, are handled
 * here; every other line goes to command_dispatch. */
enum cmd_result link_dispatch(struct client *c, struct irc_msg *m);

#endif
