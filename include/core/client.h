/* client.h - one connection (registered user or not), its lifecycle and the
 * sets it belongs to. */
#ifndef EVIRCD_CLIENT_H
#define EVIRCD_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <uthash.h>

#include "core/channel.h"
#include "core/config.h"

struct server;
struct membership;
struct invite;
struct password_job;

/* What a command handler (or the dispatcher behind conn_set_dispatch) tells
 * its caller about the client it ran for. */
enum cmd_result {
	CMD_OK = 0, /* carry on reading this client */
	CMD_CLOSE, /* the client was closed: nobody touches it again */
};

/* What a password verification in progress was for. */
enum client_pw_kind {
	PW_REGISTER = 0, /* the connection password, at registration */
	PW_OPER, /* an [oper] password */
	PW_SASL, /* an account password (SASL PLAIN), account in ->oper */
	PW_ACCOUNT_NEW, /* hashing a new account's password (REGISTER), name in ->oper */
	PW_NS_REGISTER, /* the same for NickServ REGISTER */
	PW_NS_IDENTIFY, /* an account password (NickServ IDENTIFY) */
	PW_NS_SETPASS, /* hashing a new password (NickServ SET PASSWORD) */
	PW_NS_STORE, /* only an account database write (NickServ CERT, DROP) */
	PW_HISTORY, /* a history read or erase (cmd/history.c) */
	PW_NS_SAREGISTER, /* hashing a password for NickServ SAREGISTER, name in ->oper */
};

/* A password verification running on the pool (core/password.h) for one
 * client, whose input is paused (CF_PW_WAIT) until it is done. Owned by the
 * client; client_free cancels the job, so the pool never calls back for a
 * freed client. */
struct client_pwwait {
	struct password_job *job; /* NULL once delivered */
	struct throttle_entry *share; /* the address's hash slot job holds
					 * (core/throttle.h), or NULL */
	enum client_pw_kind kind;
	char *oper; /* owned: the [oper] name (PW_OPER) or the account (PW_SASL, PW_ACCOUNT_NEW) */
	char *label; /* owned: the command's labeled-response label, or NULL */
	struct evbuffer *capture; /* owned: its labeled output so far, or NULL */
	struct client *client; /* the waiting client */
	bool store_wait; /* then an account database write (cmd/account.c)
					 * holds w as its callback's argument */
	bool orphaned; /* the client went while store_wait: the
					 * store callback frees w */
};

/* An AUTHENTICATE exchange in progress (cmd/account.c). */
#define SASL_MSG_MAX 1600 /* base64 bytes of one client message (4 chunks of 400) */
struct client_sasl {
	uint8_t mech; /* enum sasl_mech of cmd/account.c */
	uint8_t step; /* SCRAM: server messages sent so far (cmd/scram.c) */
	uint16_t len; /* bytes in buf */
	void *gs; /* SCRAM: the GNU SASL session (Gsasl_session), or NULL */
	char buf[SASL_MSG_MAX + 1]; /* chunks received so far */
};
/* client_sasl_free: end an exchange (its GNU SASL session too); NULL is
 * fine. */
void client_sasl_free(struct client_sasl *s);

/* A pending nick enforcement (cmd/nickserv.c): the client uses a nick
 * protected by an account it is not logged in to and is renamed at due
 * unless that changes. On srv->enforceq, oldest first (one grace period
 * for everyone, so due times only grow and the head is the next due).
 * Owned by the client: client_free unlinks and frees it. */
struct client_enforce {
	TAILQ_ENTRY(client_enforce) link;
	struct client *client;
	time_t due; /* srv->now seconds */
};

/* Connection state flags (client.flags). */
enum client_flag {
	CF_REGISTERED = 1u << 0, /* welcome burst sent */
	CF_GOT_NICK = 1u << 1,
	CF_GOT_USER = 1u << 2,
	CF_PASS_OK = 1u << 3, /* PASS matched (or none needed) */
	CF_CAP_NEG = 1u << 4, /* CAP LS/REQ seen: hold registration until CAP END */
	CF_PING_SENT = 1u << 7, /* liveness PING outstanding */
	CF_DISCARD = 1u << 8, /* discarding an over-long line up to its EOL */
	CF_READ_PAUSED = 1u << 11, /* fakelag: input processing deferred */
	CF_PW_WAIT = 1u << 13, /* a password is being verified (c->pw): input paused */
	CF_NICK_HASHED = 1u << 14, /* in srv->nicks */
	CF_COUNTED = 1u << 15, /* counted by connlimit_admit */
	CF_DIRECT = 1u << 17, /* plain socket: output flushed by srv->flusher */
	CF_FLUSHQ = 1u << 18, /* on srv->flushq */
	CF_PASS_BAD = 1u << 19, /* a wrong PASS was given */
	CF_REFUSED = 1u << 20, /* refused at accept, counted in srv->refused_lingering */
	CF_TLS_SNI = 1u << 21, /* the TLS client named a host (SNI) */
	CF_PUMPQ = 1u << 22, /* on srv->pumpq */
	CF_SERVER = 1u << 23, /* a server link connection (link/): not a user */
	CF_REMOTE = 1u << 24, /* a user behind a link: no socket (core/netserver.h) */
	CF_WS = 1u << 5, /* a WebSocket client (net/ws.h): c->bev is its filter */
	CF_TLS = 1u << 16, /* accepted on a TLS listener (+z once the handshake is done) */
};

/* Where a connection is in its life (client.state); it only moves
 * forward. Registration is the separate CF_REGISTERED flag: a client can
 * overflow its sendq or be closed before or after registering, and the
 * teardown needs to know which. */
enum client_state {
	CLIENT_OPEN = 0, /* reading and writing */
	CLIENT_SENDQ, /* over its sendq: nothing more is queued; on
				 * srv->pending until the reaper closes it */
	CLIENT_CLOSING, /* client_close ran: its ERROR line is flushing,
				 * input is discarded, nothing more is queued */
	CLIENT_DEAD, /* on srv->dead: freed on the next loop turn */
};

/* User modes (RFC 2812 §3.1.5). Letters and who may set them:
 * usermode_table in proto/mode.c. */
enum user_mode {
	UMODE_INVISIBLE = 1u << 0, /* i */
	UMODE_OPER = 1u << 1, /* o */
	UMODE_WALLOPS = 1u << 2, /* w */
	UMODE_BOT = 1u << 4, /* B: IRCv3 bot mode */
	UMODE_SECURE = 1u << 3, /* z: TLS connection; set by the server only */
	UMODE_REGISTERED = 1u << 5, /* r: logged in to an account; set by the server only */
};

/* What the per-client timer is waiting for. */
enum client_timer {
	TIMER_REGISTRATION = 0, /* registration_timeout */
	TIMER_PING, /* ping_interval of silence */
	TIMER_PONG, /* ping_timeout for the answer */
	TIMER_FLUSH, /* output flush before free after close */
	TIMER_FAKELAG, /* resume input after penalty */
	TIMER_HANDSHAKE, /* tls_handshake_timeout */
	CLIENT_TIMER_KINDS /* how many kinds: srv->timerq[] (keep last) */
};

/* A LIST in progress (SAFELIST): sent a part at a time as the client's
 * output drains (cmd_channel.c). Owned by the client. */
/* The conditions of one LIST (ISUPPORT ELIST=CMNTU, Modern IRC "LIST"):
 * a channel is listed when all hold. Times are srv->now seconds. */
struct list_filter {
	long min_users, max_users; /* U: >N, <N; -1 = none */
	time_t created_min, created_max; /* C<n, C>n; 0 = none */
	time_t topic_min, topic_max; /* T<n, T>n; 0 = none */
	char mask[201]; /* M: glob on the name, "" = none */
	char nomask[201]; /* N: !glob, "" = none */
};

struct client_list {
	struct channel_cursor cur; /* next channel to consider */
	struct list_filter f;
	char batch[16]; /* labeled LIST: its open labeled-response
					 * batch id, "" = none */
	bool open_batch; /* labeled: batch to be opened after the command */
};

/* One connection. Fixed-size state; realname/away are heap strings only when
 * set. The bufferevent is owned and freed by the reaper (deferred free). */
struct client {
	struct server *srv;
	struct bufferevent *bev;
	/* One timer, see enum client_timer: a place in srv->timerq[timer_kind]
	 * (24 bytes; a struct event per client was 128). */
	TAILQ_ENTRY(client) tlink;
	int64_t timer_due; /* CLOCK_MONOTONIC, microseconds; 0 = not armed */
	TAILQ_ENTRY(client) link; /* srv->clients / srv->dead */
	TAILQ_ENTRY(client) plink; /* srv->pending */
	TAILQ_ENTRY(client) flink; /* srv->flushq */
	TAILQ_ENTRY(client) pumplink; /* srv->pumpq */
	UT_hash_handle hh; /* srv->nicks, key nick_key */
	LIST_HEAD(, membership) channels;
	TAILQ_HEAD(, invite)
	invites; /* oldest first; entries owned by the channel (core/channel.h) */

	uint32_t flags; /* enum client_flag */
	uint32_t umodes; /* enum user_mode */
	uint32_t caps; /* enabled IRCv3 capabilities (bit set) */
	uint32_t serial; /* last broadcast serial delivered */
	uint16_t nchannels;
	uint8_t timer_kind; /* enum client_timer */
	uint8_t cap_version; /* 0, or 302 for "CAP LS 302" -> 3 */
	uint8_t ninvites; /* entries in invites, <= INVITES_PER_CLIENT */
	uint8_t counted_plen; /* network prefix counted by connlimit_admit */
	uint8_t state; /* enum client_state */
	uint16_t nmon; /* entries in mon (small fields together: no padding) */
	uint32_t sendq, recvq; /* bytes, from the connection class */
	uint32_t tb_head, tb_tail; /* segments in srv->turnbuf (net/turnbuf.h), 0 = none */
	uint32_t tb_len; /* bytes held there: part of the sendq */
	uint16_t signon_ms; /* milliseconds part of the accept time (in padding) */

	time_t signon;
	time_t last_active; /* last line received (liveness) */
	time_t last_msg; /* last PRIVMSG/NOTICE (WHOIS idle) */
	time_t fakelag; /* RFC 1459 §8.10 message timer */

	char nick[NICKLEN_MAX + 1]; /* "*" before NICK */
	char nick_key[NICKLEN_MAX + 1]; /* casefolded nick */
	char user[USERLEN + 2]; /* "~" + USER name */
	char host[HOSTLEN + 1]; /* textual IP address */
	uint8_t oper_fails; /* wrong OPER passwords on this connection */
	char *realname; /* owned */
	char *away; /* owned, NULL = here */
	char *certfp; /* owned; SHA-256 of the TLS client certificate, hex */
	char *account; /* owned; the account logged in to, NULL = none (cmd/account.c) */
	/* on the account's session list (store/store.h store_sessions) while
	 * linked (alink.le_prev != NULL); client_free unlinks */
	LIST_ENTRY(client) alink;
	struct client_enforce *enforce; /* owned; NULL = no nick enforcement pending */
	struct client_sasl *sasl; /* owned; an AUTHENTICATE exchange in progress, or NULL */
	struct monitor_entry **mon; /* owned array: nicks this client MONITORs (nmon above) */
	time_t last_knock;
	struct client_pwwait *pw; /* owned; non-NULL while CF_PW_WAIT */
	/* owned, one allocation (client_free frees it): the draft/multiline
	 * batch c has open (cmd/multiline.c), or NULL */
	struct client_mlbatch *ml;
	char *pass; /* owned: the last PASS, until verified (wiped) */
	struct evbuffer *capture; /* labeled-response: output of the current command */
	struct client_list *listing; /* owned; a LIST in progress, or NULL */
	struct meta_entry *meta; /* owned; IRCv3 metadata (core/meta.h), NULL = none */
	struct meta_entry *meta_subs; /* owned; METADATA SUB keys (values "") */
	/* on_drain: called (from the loop, never inside a command) when c's
	 * output has drained after output_pump_wait, while it is set; a
	 * long reply (LIST) sends its next part from here. */
	void (*on_drain)(struct client *c);
	union { /* peer address (not sockaddr_storage: 100 bytes less) */
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} addr;
};

/* client_new: a client around bev (ownership passes to the client on
 * success) for peer address sa. NULL on out-of-memory (bev not freed). The
 * caller assigns c->timer's callback and adds c to srv->clients (conn_adopt
 * in net/conn.c does all of that). */
struct client *client_new(struct server *srv, struct bufferevent *bev, const struct sockaddr *sa,
    int salen);
/* client_new_extra: client_new with extra bytes allocated behind the
 * struct (aligned for a pointer), zeroed, for state that only some
 * clients have (a WebSocket client's, net/ws.c), so that plain clients
 * pay nothing for it. client_extra(c) is their address. */
struct client *client_new_extra(struct server *srv, struct bufferevent *bev,
    const struct sockaddr *sa, int salen, size_t extra);
/* client_extra: the extra bytes of a client made by client_new_extra. */
static inline void *
client_extra(struct client *c)
{
	return (void *)(c + 1);
}
/* client_pwwait_free: cancel w's job if still running and free w. */
void client_pwwait_free(struct client_pwwait *w);
/* client_forget_pass: wipe and free the recorded PASS text. */
void client_forget_pass(struct client *c);
/* client_list_stop: forget a LIST in progress (no reply sent). */
void client_list_stop(struct client *c);
/* client_free: release every resource of c (its bufferevent included); only
 * the reaper (net/close.c) and server teardown call this. A TLS session is
 * closed (close_notify) by the caller first. */
void client_free(struct client *c);
/* client_is_registered: true after the welcome burst. */
static inline bool
client_is_registered(const struct client *c)
{
	return (c->flags & CF_REGISTERED) != 0;
}
/* client_is_oper: true for user mode +o. */
static inline bool
client_is_oper(const struct client *c)
{
	return (c->umodes & UMODE_OPER) != 0;
}
/* client_prefix: "nick!user@host" into buf (size bytes). Returns buf. */
char *client_prefix(const struct client *c, char *buf, size_t size);
/* client_set_nick: change the nick and the srv->nicks entry. nick must be
 * valid and free. */
void client_set_nick(struct client *c, const char *nick);
/* client_timer_set: arm the per-client timer for kind using the server's
 * common timeout for it. */
void client_timer_set(struct client *c, enum client_timer kind);
/* client_timer_stop: disarm the per-client timer (no-op when not armed). */
void client_timer_stop(struct client *c);
/* client_timer_now: the timer clock (CLOCK_MONOTONIC) in microseconds. */
int64_t client_timer_now(void);
/* client_matches_mask: does nick!user@host match the glob mask, or does
 * client_mask_addr_match(c, mask, false) hold? (channel ban lists) */
bool client_matches_mask(const struct client *c, const char *mask);
/* client_mask_addr_match: mask's host part (after the last '@') is an IP
 * address or CIDR (as cidr_parse reads it) containing c's address, and the
 * part before it matches c's "nick!user" (or its user name when userhost)
 * as a glob. So "*!*@::1", "*!*@0::1", "*!*@::FFFF:127.0.0.1" and
 * "*!*@127.0.0.0/8" all match a client from 127.0.0.1 / ::1 whatever the
 * text of its host (issue 9: IPv6 addresses were compared as text).
 * Solanum matches bans and oper hosts on the address the same way
 * (match_ips, comp_with_mask). */
bool client_mask_addr_match(const struct client *c, const char *mask, bool userhost);

#endif
