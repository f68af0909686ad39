/* channel.h - channels, memberships and ban/exception/invite lists
 * (RFC 2811). */
#ifndef EVIRCD_CHANNEL_H
#define EVIRCD_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include <uthash.h>

struct server;
struct client;
struct meta_entry;

/* Channel modes without a list (RFC 2811 §4.2). Letters, kinds and who may
 * set them: chanmode_table in proto/mode.c. */
enum channel_mode {
	CMODE_INVITE = 1u << 0, /* i */
	CMODE_KEY = 1u << 1, /* k */
	CMODE_LIMIT = 1u << 2, /* l */
	CMODE_MODERATED = 1u << 3, /* m */
	CMODE_NOEXTERNAL = 1u << 4, /* n */
	CMODE_PRIVATE = 1u << 5, /* p */
	CMODE_SECRET = 1u << 6, /* s */
	CMODE_TOPIC = 1u << 7, /* t */
	CMODE_NOCTCP = 1u << 8, /* C: no CTCP but ACTION (InspIRCd, Solanum) */
	CMODE_NOHISTORY = 1u << 9, /* E: nothing said here is kept (cmd/history.c) */
	CMODE_REGONLY = 1u << 10, /* R: only logged-in users join (InspIRCd reginvite) */
	CMODE_REGMODERATED = 1u << 11, /* M: only logged-in or voiced users speak
					 * (InspIRCd regmoderated) */
};

/* Member status (RFC 2811 §4.1); prefixes and rank: chanmode_table. */
enum member_mode {
	MEMB_CREATOR = 1u << 0, /* O: safe channel creator */
	MEMB_OP = 1u << 1, /* o */
	MEMB_VOICE = 1u << 2, /* v */
};

/* A client in a channel: hashed in the channel by client pointer, listed in
 * the client. Owned by the channel. */
struct membership {
	struct client *client;
	struct channel *chan;
	uint8_t modes; /* enum member_mode */
	uint64_t hist_seq; /* history sequence number at the join (cmd/history.c):
				 * rows of a +s/+p time before it are not shown */
	UT_hash_handle hh; /* channel->members, key = client pointer */
	LIST_ENTRY(membership) by_client;
};

/* One entry of a b/e/I list. */
struct mask_entry {
	struct mask_entry *next;
	char *mask; /* owned, normalised nick!user@host */
	char *setter; /* owned */
	time_t when;
};

/* The channel's mask lists: +b, +e, +I (channel->lists[kind]). */
enum mask_list_kind { LIST_BAN = 0, LIST_EXCEPT, LIST_INVEX, LIST_COUNT };

/* Bounds and lifetime of INVITEs (see channel_invite_add). */
#define INVITES_PER_CLIENT  16 /* Solanum bounds by max_chans_per_user (15) */
#define INVITES_PER_CHANNEL 128
#define INVITE_LIFETIME	    3600 /* seconds */

/* One stored INVITE: client may pass the channel's +i and +l once, until
 * expires (RFC 2811 §4.2.2; Solanum can_join). Owned by the channel, listed
 * in the channel and in the client, oldest first in both; freed when used,
 * when it expires, and when either side goes. */
struct invite {
	struct client *client;
	struct channel *chan;
	time_t expires; /* srv->now seconds */
	TAILQ_ENTRY(invite) by_chan; /* chan->invites */
	TAILQ_ENTRY(invite) by_client; /* client->invites */
};

/* A position in srv->channels (insertion order) that survives the
 * deletion of channels, for walks that span loop turns (LIST): a channel
 * being freed hands its cursors on to the channel after it. O(1) per
 * step; the cursor is owned by whoever walks. */
struct channel_cursor {
	struct channel *next; /* next channel to visit, NULL = walk done */
	LIST_ENTRY(channel_cursor) link; /* in next->cursors */
};

/* A channel: owned by the registry (srv->channels, key = casefolded name),
 * created by the first JOIN and freed when the last member goes
 * (RFC 2811 §2.3); its members, lists and invites are owned by it. */
struct channel {
	UT_hash_handle hh; /* srv->channels, key = key */
	UT_hash_handle hh_safe; /* srv->safe_channels, key = short_key */
	char *name; /* owned, as created */
	char *key; /* owned, casefolded name */
	char *short_key; /* owned, '!' channels: casefolded name without id */
	struct membership *members; /* uthash */
	unsigned nmembers;
	uint32_t modes; /* enum channel_mode */
	char *chankey; /* owned, +k */
	unsigned limit; /* +l */
	char *topic; /* owned or NULL */
	char *topic_setter; /* owned */
	time_t topic_time;
	time_t created;
	struct mask_entry *lists[LIST_COUNT];
	unsigned nlist; /* total entries over the three lists */
	uint8_t casemapping; /* enum casemapping, for mask comparison */
	TAILQ_HEAD(, invite) invites; /* owned, oldest first */
	unsigned ninvites; /* <= INVITES_PER_CHANNEL */
	LIST_HEAD(, channel_cursor) cursors; /* walks whose next channel this is */
	struct meta_entry *meta; /* owned; IRCv3 metadata (core/meta.h), NULL = none */
};

/* channel_new: create and index a channel named name (valid). Never NULL. */
struct channel *channel_new(struct server *srv, const char *name);
/* channel_free: unindex and free an empty channel. */
void channel_free(struct server *srv, struct channel *ch);
/* channel_cursor_start: point cur at the first channel of srv. */
void channel_cursor_start(struct server *srv, struct channel_cursor *cur);
/* channel_cursor_take: the channel cur points at (NULL at the end), and
 * advance cur past it. */
struct channel *channel_cursor_take(struct channel_cursor *cur);
/* channel_cursor_stop: detach cur (idempotent; cur->next becomes NULL). */
void channel_cursor_stop(struct channel_cursor *cur);
/* channel_add_member: add c with modes; O(1). Returns the membership. */
struct membership *channel_add_member(struct channel *ch, struct client *c, uint8_t modes);
/* channel_remove_member: remove and free m; frees the channel when it
 * becomes empty. O(1). */
void channel_remove_member(struct server *srv, struct membership *m);
/* channel_find_member: O(1) membership lookup, NULL when not a member. */
struct membership *channel_find_member(const struct channel *ch, const struct client *c);
/* channel_is_banned: banned (b) and no exception (e) matches. */
bool channel_is_banned(const struct channel *ch, const struct client *c);
/* channel_is_muted: an "m:" entry of the ban list matches c and no "m:"
 * entry of the exception list does (extended bans, see
 * channel_mask_normalise). */
bool channel_is_muted(const struct channel *ch, const struct client *c);
/* channel_is_invexed: an I mask matches c. */
bool channel_is_invexed(const struct channel *ch, const struct client *c);
/* channel_can_send: may c speak in ch (+n, +m, bans)? RFC 2811 §4.2.3/4.2.5. */
bool channel_can_send(const struct channel *ch, const struct client *c);
/* channel_list_add / channel_list_del: manage a b/e/I list. add returns 1 if
 * added, 0 if present, -1 if the lists are full (max entries). del returns
 * true when removed. The mask must be normalised (mask_normalise). */
int channel_list_add(struct channel *ch, enum mask_list_kind kind, const char *mask,
    const char *setter, time_t when, unsigned max);
bool channel_list_del(struct server *srv, struct channel *ch, enum mask_list_kind kind,
    const char *mask);
/* channel_invite_add: let c pass ch's +i and +l until expires (a repeated
 * INVITE renews it). Bounded: the oldest of c's invites (past
 * INVITES_PER_CLIENT) or of ch's (past INVITES_PER_CHANNEL) is dropped.
 * O(INVITES_PER_CLIENT). */
void channel_invite_add(struct channel *ch, struct client *c, time_t expires);
/* channel_invite_find: c's invite to ch that has not expired at now, or
 * NULL (an expired one is freed on the way). O(INVITES_PER_CLIENT). */
struct invite *channel_invite_find(struct channel *ch, struct client *c, time_t now);
/* channel_invite_del: unlink and free one invite. O(1). */
void channel_invite_del(struct invite *inv);
/* channel_invites_client_gone: free every invite of c (client teardown). */
void channel_invites_client_gone(struct client *c);
/* Extended bans (ISUPPORT EXTBAN=,am; InspIRCd's "letter:value" spelling):
 * "a:<glob>" matches clients logged in to a matching account (b, e, I);
 * "m:<mask>" (mute) on b lets a matching client join but not speak, on e
 * exempts from such a mute; <mask> is a nick!user@host mask or an "a:"
 * extban. The letters an entry may start with. */
#define EXTBAN_LETTERS "am"
/* channel_mask_normalise: normalise a b/e/I parameter for list kind into
 * out (size bytes): an extban keeps its letter and normalises its mask,
 * anything else goes through mask_normalise. False (out undefined) for an
 * unknown extban letter, an empty value, or m: on the I list. */
bool channel_mask_normalise(const char *in, char *out, size_t size, enum mask_list_kind kind);
/* mask_normalise: "nick" -> "nick!*@*", "u@h" -> "*!u@h", "n!u" -> "n!u@*". */
void mask_normalise(const char *in, char *out, size_t size);
/* channel_safe_id: the 5-character channel id for '!' channels derived from t
 * (RFC 2811 §3.2.1: base 36 of the time). */
void channel_safe_id(time_t t, char out[6]);
/* channel_modeless: '+' channels support no modes except t (RFC 2811 §2.2). */
static inline bool
channel_modeless(const struct channel *ch)
{
	return ch->name[0] == '+';
}

#endif
