/* chanreg.h - registered channels in the account database (issue 11,
 * ChanServ): who founded a channel, its access list (op and voice levels
 * by account), its settings, and the state restored when the channel is
 * created again: simple modes, key, limit, topic and the b/e/I lists.
 *
 * The same shape as the accounts (store/store.h): every registration is
 * loaded into a uthash cache when the store opens (before the listeners),
 * so the loop's lookups (a JOIN, a MODE) are O(1) and never touch the disk;
 * writes change the cache at once and queue the rows for the store's writer
 * thread; a callback (when given) runs after the commit.
 *
 * Rows (schema version 2, store.c): channels (one per registration; the
 * founder is an account, ON DELETE CASCADE: dropping the founder's account
 * drops its channels, as Ergo does), chanaccess (channel, account, level;
 * both ON DELETE CASCADE), chanlists (channel, kind b/e/I, mask, setter,
 * time). The cache follows the same cascade (chanreg_account_gone).
 *
 * Layer: store/. Only core types; the caller (cmd/chanserv.c) converts
 * between a live channel and struct chanreg_state. */
#ifndef EVIRCD_CHANREG_H
#define EVIRCD_CHANREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/queue.h>
#include <uthash.h>

#include "store/store.h"

struct sqlite3;

/* Access levels, lowest first (Atheme's templates VOP/AOP and the
 * founder; Ergo's AMODE +v/+o and the founder). */
enum chanreg_level {
	CHANREG_NONE = 0,
	CHANREG_VOICE = 1, /* +v on join, VOICE/DEVOICE */
	CHANREG_OP = 2, /* +o on join, OP/DEOP/VOICE/DEVOICE, ACCESS, SET */
	CHANREG_FOUNDER = 3, /* the registrant: all of it, DROP */
};

/* Per-registration settings (channels.flags). */
enum chanreg_flag {
	CHANREG_KEEPTOPIC = 1u << 0, /* the topic is kept and restored */
};

/* Bounds. */
#define CHANREG_ACCESS_MAX 64 /* access entries per channel, founder included */
#define CHANREG_MASKS_MAX  256 /* b/e/I entries kept per channel */
#define CHANREG_NAME_MAX   200 /* channel name bytes (CHANNELLEN ceiling) */
#define CHANREG_MODES_MAX  32 /* simple mode letters kept */
#define CHANREG_KEY_MAX	   64
#define CHANREG_TOPIC_MAX  1024
#define CHANREG_SETTER_MAX 256
#define CHANREG_MASK_MAX   300

/* One access entry (the founder is one too, level CHANREG_FOUNDER). Owned
 * by its registration. */
struct chanreg_access {
	char account[STORE_NAME_MAX + 1]; /* the account's name as registered */
	char folded[STORE_NAME_MAX + 1]; /* key of reg->access */
	uint8_t level; /* enum chanreg_level */
	char setter[STORE_NAME_MAX + 1]; /* account that added it */
	int64_t added; /* Unix time */
	struct chanreg *reg;
	UT_hash_handle hh; /* reg->access */
	LIST_ENTRY(chanreg_access) by_account; /* the account's entries */
};

/* One kept b/e/I entry. */
struct chanreg_mask {
	char kind; /* 'b', 'e' or 'I' */
	char *mask; /* owned */
	char *setter; /* owned */
	int64_t when;
};

/* A channel's restorable state, as the caller reads it from the live
 * channel; chanreg copies what it keeps (pointers are borrowed). */
struct chanreg_state {
	const char *modes; /* simple mode letters without '+': "ntsC" */
	const char *key; /* NULL: none */
	unsigned limit; /* 0: none */
	const char *topic; /* NULL: none */
	const char *topic_setter;
	int64_t topic_time;
	const struct chanreg_mask *masks;
	unsigned nmasks;
};

/* A registered channel. Owned by the store; valid until chanreg_drop, the
 * founder's account is dropped, or the store is closed: callers look it up
 * by name each time and never keep the pointer across loop turns. */
struct chanreg {
	char name[CHANREG_NAME_MAX + 1]; /* as registered */
	char folded[CHANREG_NAME_MAX + 1]; /* key */
	struct chanreg_access *founder; /* in access too */
	int64_t registered; /* Unix time */
	unsigned flags; /* enum chanreg_flag */
	char modes[CHANREG_MODES_MAX + 1];
	char *key; /* owned or NULL */
	unsigned limit;
	char *topic, *topic_setter; /* owned or NULL */
	int64_t topic_time;
	struct chanreg_mask *masks; /* owned array */
	unsigned nmasks;
	struct chanreg_access *access; /* uthash by folded account */
	unsigned naccess;
	/* internal: the state write in flight, and whether a newer state
	 * waits for it (chanreg_save coalesces) */
	struct store_job *save_job;
	bool save_dirty;
	struct store *st;
	UT_hash_handle hh;
};

/* chanreg_find: the registration of channel name (casefolded), or NULL.
 * O(1), no disk. */
const struct chanreg *chanreg_find(struct store *st, const char *name);
/* chanreg_level: account's level on reg (CHANREG_NONE for NULL or no
 * entry). O(1). */
enum chanreg_level chanreg_level(const struct chanreg *reg, const char *account);
/* chanreg_count: registered channels. */
size_t chanreg_count(const struct store *st);
/* chanreg_founded: channels account founded. O(1). */
unsigned chanreg_founded(struct store *st, const char *account);
/* chanreg_access_first / chanreg_access_next: walk reg's access list in
 * insertion order (the founder first). */
const struct chanreg_access *chanreg_access_first(const struct chanreg *reg);
const struct chanreg_access *chanreg_access_next(const struct chanreg_access *a);

/* Writes: change the cache now, queue the rows; fn(arg, result) after the
 * commit (fn may be NULL). NULL when refused now, with *why (may be NULL):
 * EXISTS (already registered), MISSING (no such channel or account),
 * BADARG (a name or value too long), FULL (the store's queue is full, or
 * CHANREG_ACCESS_MAX entries). */
/* chanreg_register: register name to founder (an account) at now with
 * the initial state. */
struct store_job *chanreg_register(struct store *st, const char *name, const char *founder,
    int64_t now, const struct chanreg_state *state, store_done_fn fn, void *arg,
    enum store_refusal *why);
/* chanreg_drop: forget the registration of name (and its access list and
 * kept state). */
struct store_job *chanreg_drop(struct store *st, const char *name, store_done_fn fn, void *arg,
    enum store_refusal *why);
/* chanreg_access_set: give account level (CHANREG_VOICE or CHANREG_OP) on
 * name, replacing its entry, or remove its entry (CHANREG_NONE; MISSING
 * when it has none). setter is the account that asked. The founder's entry
 * cannot be changed (BADARG). */
struct store_job *chanreg_access_set(struct store *st, const char *name, const char *account,
    enum chanreg_level level, const char *setter, int64_t now, store_done_fn fn, void *arg,
    enum store_refusal *why);
/* chanreg_set_flags: replace the settings of name. */
struct store_job *chanreg_set_flags(struct store *st, const char *name, unsigned flags,
    store_done_fn fn, void *arg, enum store_refusal *why);
/* chanreg_save: keep state as name's restorable state (the topic only with
 * CHANREG_KEEPTOPIC). Nobody waits: at most one such write per channel is
 * queued at a time; changes meanwhile are folded into the next one, so a
 * MODE flood costs one row write per commit, not one per line. Masks past
 * CHANREG_MASKS_MAX and values too long are left out. False when name is
 * not registered. */
bool chanreg_save(struct store *st, const char *name, const struct chanreg_state *state);

/* For store.c only: load every registration from db after the accounts
 * (0, or -1 with err filled); forget account's entries and the channels it
 * founded when it is dropped (O(its entries)); free the cache. */
int chanreg_load(struct store *st, struct sqlite3 *db, const char *path, char *err, size_t errlen);
void chanreg_account_gone(struct store *st, const char *folded);
void chanreg_free(struct store *st);

#endif
