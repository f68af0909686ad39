/* event.h - the typed event bus (conventions, practice 12). When state
 * changes, the layer that changed it publishes a typed event; features
 * (MONITOR, WHOWAS, later links, history, metrics) subscribe at start-up
 * (src/daemon.c). The publisher never names its subscribers.
 *
 * Plain C: an enum of events, one struct per event, a fixed array of at
 * most EVENT_MAX_SUBSCRIBERS function pointers per event in struct server.
 * Publishing is a loop over that array in subscription order:
 * O(subscribers), no allocation.
 *
 * Lifetime: an event struct and every pointer in it are valid only during
 * the call; a subscriber copies what it keeps. A subscriber may queue
 * output (net/output.h) but must not close or free any client or channel
 * named in the event; sendq overflow is deferred by the output path, so
 * queueing is always safe. Who publishes and who subscribes:
 * docs/ARCHITECTURE.md. */
#ifndef EVIRCD_EVENT_H
#define EVIRCD_EVENT_H

#include <stdbool.h>
#include <stdint.h>

struct server;
struct client;
struct channel;

#define EVENT_MAX_SUBSCRIBERS 8 /* per event */

/* EVENT_REGISTERED: client finished registration; the welcome burst (001
 * to MOTD) is queued, client->nick is its first nick. reg_ms is the time
 * from accept to registration in milliseconds (loop clock). */
struct event_registered {
	struct client *client;
	uint32_t reg_ms;
};

/* EVENT_NICK: a registered client changed its nick; client->nick is the new
 * nick (already in the nick map), old_nick the one it had. */
struct event_nick {
	struct client *client;
	const char *old_nick;
};

/* EVENT_JOIN: client joined channel (the JOIN is broadcast); created when
 * the join created the channel. */
struct event_join {
	struct client *client;
	struct channel *channel;
	bool created;
};

/* EVENT_CHANNEL_NEW: a JOIN of creator is creating channel: it is made
 * and has its default modes, but no member yet, and nothing was sent.
 * Subscribers may restore kept state into it (modes, key, limit, topic,
 * b/e/I lists: ChanServ) and change *creator_modes, the member modes
 * (enum member_mode) the creator will get (MEMB_OP unless a '+' channel).
 * The JOIN's checks (bans, key, +i, +l) then run against the channel as
 * it is, unless *creator_modes holds MEMB_OP: Ergo lets members with
 * operator access past them. A refused JOIN frees the channel again. */
struct event_channel_new {
	struct client *creator;
	struct channel *channel;
	uint8_t *creator_modes;
};

/* EVENT_PART: client is leaving channel (PART broadcast, membership not
 * yet removed: channel and client->channels still hold it). reason may be
 * NULL. Also published for each channel left with "JOIN 0". */
struct event_part {
	struct client *client;
	struct channel *channel;
	const char *reason;
};

/* EVENT_KICK: source kicked target from channel (KICK broadcast, the
 * target's membership not yet removed). source is NULL when a server
 * kicked (server links). */
struct event_kick {
	struct client *source;
	struct client *target;
	struct channel *channel;
	const char *reason;
};

/* EVENT_QUIT: a registered client is going away (client_close): the QUIT
 * is broadcast, its memberships and nick are still in place and removed
 * right after. reason is what peers were shown. */
struct event_quit {
	struct client *client;
	const char *reason;
};

/* EVENT_MODE: modes changed. channel is NULL for a user mode change of
 * target; otherwise target is NULL. source may be NULL (the server).
 * modes is the applied change as broadcast: "+o-v nick nick" or "+i". */
struct event_mode {
	struct client *source;
	struct channel *channel;
	struct client *target;
	const char *modes;
};

/* EVENT_TOPIC: source set (topic non-empty) or cleared channel's topic;
 * source is NULL when a server set it (server links). */
struct event_topic {
	struct client *source;
	struct channel *channel;
	const char *topic;
};

/* EVENT_ACCOUNT: client logged in to account (account non-NULL) or logged
 * out (account NULL, old_account the one it left), after c->account is set
 * and ACCOUNT was sent to account-notify peers (cmd/account.c). For links
 * (propagation) and metrics. */
struct event_account {
	struct client *client;
	const char *account;
	const char *old_account;
	const char *mech; /* the SASL mechanism of a SASL login ("PLAIN",
			   * "EXTERNAL", "SCRAM-SHA-256"), NULL otherwise */
};

/* EVENT_MESSAGE (source NULL: a server, from a link): a PRIVMSG, NOTICE or TAGMSG (verb) was delivered to one
 * target: a channel (channel set, status set to the STATUSMSG member
 * modes or 0) or a user (target set). text is "" for TAGMSG; tags are the
 * tags sent to message-tags clients ("msgid=...;+x=y"), msgid their id. */
struct event_message {
	struct client *source;
	const char *verb;
	struct channel *channel;
	unsigned status;
	struct client *target;
	const char *text;
	const char *tags;
	const char *msgid;
};

/* EVENT_REDACT: a message was redacted (IRCv3 draft/message-redaction,
 * cmd/redact.c, or a REDACT from a link): in channel, or between source
 * and target; reason may be NULL; tags are the REDACT's own (msgid=...). */
struct event_redact {
	struct client *source;
	struct channel *channel;
	struct client *target;
	const char *msgid;
	const char *reason;
	const char *tags;
};

/* EVENT_SERVER_LINKED: a server link completed its burst (server links). */
struct event_server_linked {
	const char *name;
	const char *description;
};

/* EVENT_SERVER_SPLIT: a linked server was lost (server links). */
struct event_server_split {
	const char *name;
	const char *reason;
};

/* EVENT_OPER: client became an IRC operator through the [oper] block named
 * oper (after +o is set). */
struct event_oper {
	struct client *client;
	const char *oper;
};

/* EVENT_KILL: source killed target with reason (the text the operator
 * gave); published before the target is closed (its EVENT_QUIT follows). */
struct event_kill {
	struct client *source;
	struct client *target;
	const char *reason;
};

/* EVENT_BAN: a K-line or D-line (kind 'K' or 'D') on mask (canonical form)
 * was added (added: duration in seconds, 0 = permanent, and reason) or
 * removed (duration 0, reason NULL) by source. Published before matching
 * clients are disconnected. */
struct event_ban {
	struct client *source;
	char kind;
	bool added;
	const char *mask;
	long long duration;
	const char *reason;
};

/* EVENT_AWAY: client set (away non-NULL: client->away) or cleared (NULL)
 * its away message; the change is shown to away-notify clients already. */
struct event_away {
	struct client *client;
	const char *away;
};

/* EVENT_SETNAME: client changed its real name (IRCv3 setname: client->
 * realname is the new one), after SETNAME was shown to setname clients;
 * from a local SETNAME or a link's METADATA info. */
struct event_setname {
	struct client *client;
	const char *realname;
};

/* EVENT_WALLOPS: a WALLOPS (RFC 2812 §4.7) from source (a local or
 * remote user; NULL: a server, named by from) with text, after it was
 * shown to the local +w users; links pass it on (network-wide). */
struct event_wallops {
	struct client *source;
	const char *from; /* source's nick, or the server's name */
	const char *text;
};

/* EVENT_REHASH: a new configuration is installed (REHASH, SIGHUP; after
 * server_reconfigure): features re-read their sections ([link]). */
struct event_rehash {
	const char *path; /* the file it came from */
};

/* EVENT_LINK_CLOSED: the connection of a server link (CF_SERVER) is being
 * closed (client_close, net/close.c): the servers and users behind it
 * are to be removed (a netsplit, RFC 2813 §5.8). conn is still open. */
struct event_link_closed {
	struct client *conn;
	const char *reason;
};

/* The list of events: X(ENUM_SUFFIX, struct/function suffix). */
#define EVENT_LIST(X) \
	X(REGISTERED, registered) \
	X(NICK, nick) \
	X(CHANNEL_NEW, channel_new) \
	X(JOIN, join) \
	X(PART, part) \
	X(KICK, kick) \
	X(QUIT, quit) \
	X(MODE, mode) \
	X(TOPIC, topic) \
	X(MESSAGE, message) \
	X(REDACT, redact) \
	X(ACCOUNT, account) \
	X(SERVER_LINKED, server_linked) \
	X(SERVER_SPLIT, server_split) \
	X(OPER, oper) \
	X(KILL, kill) \
	X(BAN, ban) \
	X(AWAY, away) \
	X(SETNAME, setname) \
	X(WALLOPS, wallops) \
	X(REHASH, rehash) \
	X(LINK_CLOSED, link_closed)

enum event_kind {
#define EVENT_X(UP, low) EVENT_##UP,
	EVENT_LIST(EVENT_X)
#undef EVENT_X
	    EVENT_COUNT
};

/* event_<name>_fn: a subscriber of EVENT_<NAME>. */
#define EVENT_X(UP, low) \
	typedef void (*event_##low##_fn)(struct server * srv, const struct event_##low *ev);
EVENT_LIST(EVENT_X)
#undef EVENT_X

/* One subscriber slot: the typed pointer for its event. */
union event_handler {
#define EVENT_X(UP, low) event_##low##_fn low;
	EVENT_LIST(EVENT_X)
#undef EVENT_X
};

/* The subscribers of every event, in subscription order (struct server). */
struct event_bus {
	union event_handler subs[EVENT_COUNT][EVENT_MAX_SUBSCRIBERS];
	uint8_t count[EVENT_COUNT];
};

/* event_bus_of: srv's bus (server.h includes this header). */
struct event_bus *event_bus_of(struct server *srv);

/* event_subscribe_<name>(srv, fn): add fn to EVENT_<NAME>'s subscribers, at
 * start-up. 0, or -1 (logged) when EVENT_MAX_SUBSCRIBERS are already there.
 * event_publish_<name>(srv, ev): call every subscriber with ev, in
 * subscription order. */
#define EVENT_X(UP, low) \
	int event_subscribe_##low(struct server *srv, event_##low##_fn fn); \
	static inline void event_publish_##low(struct server *srv, const struct event_##low *ev) \
	{ \
		const struct event_bus *bus = event_bus_of(srv); \
		unsigned i; \
		for (i = 0; i < bus->count[EVENT_##UP]; i++) \
			bus->subs[EVENT_##UP][i].low(srv, ev); \
	}
EVENT_LIST(EVENT_X)
#undef EVENT_X

#endif
