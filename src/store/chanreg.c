/* chanreg.c - registered channels: the cache the loop reads and the rows
 * the store's writer commits. See store/chanreg.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <uthash.h>

#include "core/casemap.h"
#include "core/log.h"
#include "store/chanreg.h"
#include "store/store.h"

/* An account's entries over every channel (for the cascade when the
 * account is dropped, and the count of channels it founded). */
struct chanreg_acct {
	char folded[STORE_NAME_MAX + 1];
	LIST_HEAD(, chanreg_access) entries;
	unsigned founded;
	UT_hash_handle hh;
};

struct chanreg_cache {
	struct chanreg *chans; /* by folded name */
	struct chanreg_acct *accts; /* by folded account */
	size_t n;
};

static struct chanreg_cache *
cache_of(struct store *st)
{
	struct chanreg_cache **slot = store_chanreg_slot(st);

	if (*slot == NULL && (*slot = calloc(1, sizeof(**slot))) == NULL)
		log_warnx("chanreg: out of memory");
	return *slot;
}

static void
fold(struct store *st, char *dst, const char *name, size_t size)
{
	casemap_fold(store_casemapping(st), dst, name, size);
}

static struct chanreg *
find(struct store *st, const char *name)
{
	struct chanreg_cache *cc = cache_of(st);
	char folded[CHANREG_NAME_MAX + 2];
	struct chanreg *r;

	if (cc == NULL || strlen(name) > CHANREG_NAME_MAX)
		return NULL;
	fold(st, folded, name, sizeof(folded));
	HASH_FIND_STR(cc->chans, folded, r);
	return r;
}

const struct chanreg *
chanreg_find(struct store *st, const char *name)
{
	return find(st, name);
}

static struct chanreg_access *
access_find(const struct chanreg *reg, const char *account)
{
	char folded[STORE_NAME_MAX + 1];
	struct chanreg_access *a;

	if (account == NULL || strlen(account) > STORE_NAME_MAX)
		return NULL;
	fold(reg->st, folded, account, sizeof(folded));
	HASH_FIND_STR(reg->access, folded, a);
	return a;
}

enum chanreg_level
chanreg_level(const struct chanreg *reg, const char *account)
{
	const struct chanreg_access *a = reg != NULL ? access_find(reg, account) : NULL;

	return a != NULL ? (enum chanreg_level)a->level : CHANREG_NONE;
}

size_t
chanreg_count(const struct store *st)
{
	struct chanreg_cache *cc = *store_chanreg_slot((struct store *)st);

	return cc != NULL ? cc->n : 0;
}

static struct chanreg_acct *
acct_find(struct store *st, const char *account, bool create)
{
	struct chanreg_cache *cc = cache_of(st);
	char folded[STORE_NAME_MAX + 1];
	struct chanreg_acct *x;

	if (cc == NULL || strlen(account) > STORE_NAME_MAX)
		return NULL;
	fold(st, folded, account, sizeof(folded));
	HASH_FIND_STR(cc->accts, folded, x);
	if (x == NULL && create && (x = calloc(1, sizeof(*x))) != NULL) {
		snprintf(x->folded, sizeof(x->folded), "%s", folded);
		LIST_INIT(&x->entries);
		HASH_ADD_STR(cc->accts, folded, x);
	}
	return x;
}

unsigned
chanreg_founded(struct store *st, const char *account)
{
	struct chanreg_acct *x = acct_find(st, account, false);

	return x != NULL ? x->founded : 0;
}

const struct chanreg_access *
chanreg_access_first(const struct chanreg *reg)
{
	return reg->access;
}

const struct chanreg_access *
chanreg_access_next(const struct chanreg_access *a)
{
	return a->hh.next;
}

/* access_add: a cache entry for account (its registered name) on reg. */
static struct chanreg_access *
access_add(struct chanreg *reg, const char *account, uint8_t level, const char *setter,
    int64_t added)
{
	struct chanreg_acct *x = acct_find(reg->st, account, true);
	struct chanreg_access *a;

	if (x == NULL || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	snprintf(a->account, sizeof(a->account), "%s", account);
	snprintf(a->folded, sizeof(a->folded), "%s", x->folded);
	snprintf(a->setter, sizeof(a->setter), "%s", setter);
	a->level = level;
	a->added = added;
	a->reg = reg;
	HASH_ADD_STR(reg->access, folded, a);
	LIST_INSERT_HEAD(&x->entries, a, by_account);
	if (level == CHANREG_FOUNDER) {
		reg->founder = a;
		x->founded++;
	}
	reg->naccess++;
	return a;
}

static void
access_del(struct chanreg *reg, struct chanreg_access *a)
{
	struct chanreg_acct *x = acct_find(reg->st, a->folded, false);
	struct chanreg_cache *cc = cache_of(reg->st);

	HASH_DEL(reg->access, a);
	LIST_REMOVE(a, by_account);
	if (a->level == CHANREG_FOUNDER) {
		reg->founder = NULL;
		if (x != NULL)
			x->founded--;
	}
	reg->naccess--;
	if (x != NULL && LIST_EMPTY(&x->entries)) {
		HASH_DEL(cc->accts, x);
		free(x);
	}
	free(a);
}

static void
masks_free(struct chanreg_mask *m, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		free(m[i].mask);
		free(m[i].setter);
	}
	free(m);
}

static char *
dup_or_null(const char *s, size_t max)
{
	if (s == NULL || *s == '\0' || strlen(s) > max)
		return NULL;
	return strdup(s);
}

/* state_set: copy state into reg's cache (the topic only with
 * KEEPTOPIC). Values too long are dropped, masks past the bound left out. */
static void
state_set(struct chanreg *reg, const struct chanreg_state *state)
{
	struct chanreg_mask *m = NULL;
	unsigned i, n = 0;

	snprintf(reg->modes, sizeof(reg->modes), "%s", state->modes ? state->modes : "");
	free(reg->key);
	reg->key = dup_or_null(state->key, CHANREG_KEY_MAX);
	reg->limit = state->limit;
	free(reg->topic);
	free(reg->topic_setter);
	reg->topic = reg->topic_setter = NULL;
	reg->topic_time = 0;
	if ((reg->flags & CHANREG_KEEPTOPIC) && state->topic != NULL &&
	    (reg->topic = dup_or_null(state->topic, CHANREG_TOPIC_MAX)) != NULL) {
		reg->topic_setter = dup_or_null(state->topic_setter, CHANREG_SETTER_MAX);
		if (reg->topic_setter == NULL)
			reg->topic_setter = strdup("ChanServ");
		reg->topic_time = state->topic_time;
	}
	if (state->nmasks > 0)
		m = calloc(state->nmasks < CHANREG_MASKS_MAX ? state->nmasks : CHANREG_MASKS_MAX,
		    sizeof(*m));
	for (i = 0; m != NULL && i < state->nmasks && n < CHANREG_MASKS_MAX; i++) {
		const struct chanreg_mask *s = &state->masks[i];
		if (s->mask == NULL || strlen(s->mask) > CHANREG_MASK_MAX ||
		    strchr("beI", s->kind) == NULL)
			continue;
		m[n].kind = s->kind;
		m[n].mask = strdup(s->mask);
		m[n].setter = dup_or_null(s->setter, CHANREG_SETTER_MAX);
		if (m[n].setter == NULL)
			m[n].setter = strdup("ChanServ");
		m[n].when = s->when;
		if (m[n].mask == NULL || m[n].setter == NULL) {
			free(m[n].mask);
			free(m[n].setter);
			continue;
		}
		n++;
	}
	masks_free(reg->masks, reg->nmasks);
	reg->masks = m;
	reg->nmasks = n;
}

static struct chanreg *
reg_new(struct store *st, const char *name)
{
	struct chanreg_cache *cc = cache_of(st);
	struct chanreg *reg;

	if (cc == NULL || (reg = calloc(1, sizeof(*reg))) == NULL)
		return NULL;
	reg->st = st;
	snprintf(reg->name, sizeof(reg->name), "%s", name);
	fold(st, reg->folded, name, sizeof(reg->folded));
	HASH_ADD_STR(cc->chans, folded, reg);
	cc->n++;
	return reg;
}

static void
reg_free(struct store *st, struct chanreg *reg)
{
	struct chanreg_cache *cc = cache_of(st);
	struct chanreg_access *a, *tmp;

	if (reg->save_job != NULL)
		store_job_cancel(reg->save_job);
	HASH_ITER(hh, reg->access, a, tmp) {
		access_del(reg, a);
	}
	HASH_DEL(cc->chans, reg);
	cc->n--;
	masks_free(reg->masks, reg->nmasks);
	free(reg->key);
	free(reg->topic);
	free(reg->topic_setter);
	free(reg);
}

/* add_state_rows: the statements that write reg's kept state. */
static void
add_state_rows(struct store_sqlv *v, const struct chanreg *reg)
{
	unsigned i;
	char kind[2] = { 0, 0 };

	store_sqlv_add(v,
	    "UPDATE channels SET modes = ?2, chankey = ?3, chanlimit = ?4, topic = ?5, "
	    "topic_setter = ?6, topic_time = ?7 WHERE folded = ?1",
	    "sssissi", reg->folded, reg->modes, reg->key, (int64_t)reg->limit, reg->topic,
	    reg->topic_setter, reg->topic_time);
	store_sqlv_add(v, "DELETE FROM chanlists WHERE channel = ?1", "s", reg->folded);
	for (i = 0; i < reg->nmasks; i++) {
		kind[0] = reg->masks[i].kind;
		store_sqlv_add(v,
		    "INSERT OR IGNORE INTO chanlists (channel, kind, mask, setter, set_at, seq) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		    "ssssii", reg->folded, kind, reg->masks[i].mask, reg->masks[i].setter,
		    reg->masks[i].when, (int64_t)i);
	}
}

#define REFUSE(w) \
	do { \
		if (why != NULL) \
			*why = (w); \
		return NULL; \
	} while (0)

struct store_job *
chanreg_register(struct store *st, const char *name, const char *founder, int64_t now,
    const struct chanreg_state *state, store_done_fn fn, void *arg, enum store_refusal *why)
{
	const struct store_account *acct = store_account_find(st, founder);
	struct store_sqlv *v;
	struct store_job *j;
	struct chanreg *reg;

	if (*name == '\0' || strlen(name) > CHANREG_NAME_MAX)
		REFUSE(STORE_REFUSED_BADARG);
	if (acct == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (find(st, name) != NULL)
		REFUSE(STORE_REFUSED_EXISTS);
	if (store_queue_full(st) || (v = store_sqlv_new()) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	if ((reg = reg_new(st, name)) == NULL) {
		store_sqlv_free(v);
		REFUSE(STORE_REFUSED_FULL);
	}
	reg->registered = now;
	reg->flags = CHANREG_KEEPTOPIC; /* the default: see chanserv.c SET */
	if (access_add(reg, acct->name, CHANREG_FOUNDER, acct->name, now) == NULL) {
		store_sqlv_free(v);
		reg_free(st, reg);
		REFUSE(STORE_REFUSED_FULL);
	}
	state_set(reg, state);
	store_sqlv_add(v,
	    "INSERT INTO channels (folded, name, founder, registered, flags) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	    "sssii", reg->folded, reg->name, reg->founder->folded, now, (int64_t)reg->flags);
	add_state_rows(v, reg);
	if ((j = store_sqlv_submit(st, v, fn, arg, why)) == NULL)
		reg_free(st, reg);
	/* a failed write stays in the cache until a restart (store.h) */
	return j;
}

struct store_job *
chanreg_drop(struct store *st, const char *name, store_done_fn fn, void *arg,
    enum store_refusal *why)
{
	struct chanreg *reg = find(st, name);
	struct store_sqlv *v;
	struct store_job *j;

	if (reg == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (store_queue_full(st) || (v = store_sqlv_new()) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	store_sqlv_add(v, "DELETE FROM channels WHERE folded = ?1", "s", reg->folded);
	if ((j = store_sqlv_submit(st, v, fn, arg, why)) != NULL)
		reg_free(st, reg);
	return j;
}

struct store_job *
chanreg_access_set(struct store *st, const char *name, const char *account,
    enum chanreg_level level, const char *setter, int64_t now, store_done_fn fn, void *arg,
    enum store_refusal *why)
{
	struct chanreg *reg = find(st, name);
	const struct store_account *acct = store_account_find(st, account);
	struct chanreg_access *a;
	struct store_sqlv *v;
	struct store_job *j;

	if (reg == NULL || acct == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (level == CHANREG_FOUNDER || level > CHANREG_FOUNDER || setter == NULL ||
	    strlen(setter) > STORE_NAME_MAX)
		REFUSE(STORE_REFUSED_BADARG);
	a = access_find(reg, acct->name);
	if (a != NULL && a->level == CHANREG_FOUNDER)
		REFUSE(STORE_REFUSED_BADARG);
	if (level == CHANREG_NONE && a == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (level != CHANREG_NONE && a == NULL && reg->naccess >= CHANREG_ACCESS_MAX)
		REFUSE(STORE_REFUSED_FULL);
	if (store_queue_full(st) || (v = store_sqlv_new()) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	if (level == CHANREG_NONE)
		store_sqlv_add(v, "DELETE FROM chanaccess WHERE channel = ?1 AND account = ?2",
		    "ss", reg->folded, a->folded);
	else {
		char folded[STORE_NAME_MAX + 1];
		fold(st, folded, acct->name, sizeof(folded));
		store_sqlv_add(v,
		    "INSERT OR REPLACE INTO chanaccess (channel, account, level, setter, added) "
		    "VALUES (?1, ?2, ?3, ?4, ?5)",
		    "ssisi", reg->folded, folded, (int64_t)level, setter, now);
	}
	if ((j = store_sqlv_submit(st, v, fn, arg, why)) == NULL)
		return NULL;
	if (a != NULL)
		access_del(reg, a);
	if (level != CHANREG_NONE &&
	    access_add(reg, acct->name, (uint8_t)level, setter, now) == NULL)
		log_warnx("chanreg: out of memory");
	return j;
}

struct store_job *
chanreg_set_flags(struct store *st, const char *name, unsigned flags, store_done_fn fn, void *arg,
    enum store_refusal *why)
{
	struct chanreg *reg = find(st, name);
	struct store_sqlv *v;
	struct store_job *j;

	if (reg == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (store_queue_full(st) || (v = store_sqlv_new()) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	store_sqlv_add(v, "UPDATE channels SET flags = ?2 WHERE folded = ?1", "si", reg->folded,
	    (int64_t)flags);
	if (!(flags & CHANREG_KEEPTOPIC))
		store_sqlv_add(v,
		    "UPDATE channels SET topic = NULL, topic_setter = NULL, topic_time = 0 "
		    "WHERE folded = ?1",
		    "s", reg->folded);
	if ((j = store_sqlv_submit(st, v, fn, arg, why)) == NULL)
		return NULL;
	reg->flags = flags;
	if (!(flags & CHANREG_KEEPTOPIC)) {
		free(reg->topic);
		free(reg->topic_setter);
		reg->topic = reg->topic_setter = NULL;
		reg->topic_time = 0;
	}
	return j;
}

static void save_submit(struct chanreg *reg);

/* save_done: the state write of reg is committed: write the newer state
 * that waited, if any. */
static void
save_done(void *arg, enum store_result r)
{
	struct chanreg *reg = arg;

	(void)r; /* a failure is logged by the writer */
	reg->save_job = NULL;
	if (reg->save_dirty)
		save_submit(reg);
}

static void
save_submit(struct chanreg *reg)
{
	struct store_sqlv *v;

	reg->save_dirty = false;
	if ((v = store_sqlv_new()) == NULL) {
		reg->save_dirty = true;
		return;
	}
	add_state_rows(v, reg);
	/* refused (queue full): kept dirty, written with the next change */
	if ((reg->save_job = store_sqlv_submit(reg->st, v, save_done, reg, NULL)) == NULL)
		reg->save_dirty = true;
}

bool
chanreg_save(struct store *st, const char *name, const struct chanreg_state *state)
{
	struct chanreg *reg = find(st, name);

	if (reg == NULL)
		return false;
	state_set(reg, state);
	if (reg->save_job != NULL)
		reg->save_dirty = true; /* save_done writes it */
	else
		save_submit(reg);
	return true;
}

/* load_text: column i as a string no longer than max, or NULL. */
static const char *
load_text(sqlite3_stmt *s, int i, size_t max)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t != NULL && strlen(t) <= max ? t : NULL;
}

int
chanreg_load(struct store *st, sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	struct chanreg *reg;
	int rc;

	if (cache_of(st) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (sqlite3_prepare_v2(db,
		"SELECT name, founder, registered, flags, modes, chankey, chanlimit, topic, "
		"topic_setter, topic_time FROM channels",
		-1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = load_text(s, 0, CHANREG_NAME_MAX);
		const char *founder = load_text(s, 1, STORE_NAME_MAX);
		const struct store_account *acct = founder ? store_account_find(st, founder) : NULL;
		struct chanreg_state state = {
			.modes = load_text(s, 4, CHANREG_MODES_MAX),
			.key = load_text(s, 5, CHANREG_KEY_MAX),
			.topic = load_text(s, 7, CHANREG_TOPIC_MAX),
			.topic_setter = load_text(s, 8, CHANREG_SETTER_MAX),
			.topic_time = sqlite3_column_int64(s, 9),
		};
		sqlite3_int64 limit = sqlite3_column_int64(s, 6);
		if (name == NULL || *name == '\0' || acct == NULL || find(st, name) != NULL) {
			log_warnx("%s: skipping a malformed channel row", path);
			continue;
		}
		state.limit = limit > 0 && limit <= 1000000 ? (unsigned)limit : 0;
		if ((reg = reg_new(st, name)) == NULL)
			break;
		reg->registered = sqlite3_column_int64(s, 2);
		reg->flags = (unsigned)sqlite3_column_int64(s, 3);
		if (access_add(reg, acct->name, CHANREG_FOUNDER, acct->name, reg->registered) ==
		    NULL) {
			reg_free(st, reg);
			break;
		}
		state_set(reg, &state);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;

	if (sqlite3_prepare_v2(db, "SELECT channel, account, level, setter, added FROM chanaccess",
		-1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *chan = load_text(s, 0, CHANREG_NAME_MAX);
		const char *account = load_text(s, 1, STORE_NAME_MAX);
		const char *setter = load_text(s, 3, STORE_NAME_MAX);
		sqlite3_int64 level = sqlite3_column_int64(s, 2);
		const struct store_account *acct = account ? store_account_find(st, account) : NULL;
		reg = chan != NULL ? find(st, chan) : NULL;
		if (reg == NULL || acct == NULL ||
		    (level != CHANREG_VOICE && level != CHANREG_OP) ||
		    access_find(reg, acct->name) != NULL || reg->naccess >= CHANREG_ACCESS_MAX) {
			log_warnx("%s: skipping a malformed channel access row", path);
			continue;
		}
		access_add(reg, acct->name, (uint8_t)level, setter ? setter : "?",
		    sqlite3_column_int64(s, 4));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;

	/* the lists, in the order they had */
	if (sqlite3_prepare_v2(db,
		"SELECT channel, kind, mask, setter, set_at FROM chanlists ORDER BY channel, seq",
		-1, &s, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *chan = load_text(s, 0, CHANREG_NAME_MAX);
		const char *kind = load_text(s, 1, 1);
		const char *mask = load_text(s, 2, CHANREG_MASK_MAX);
		const char *setter = load_text(s, 3, CHANREG_SETTER_MAX);
		struct chanreg_mask *m;
		reg = chan != NULL ? find(st, chan) : NULL;
		if (reg == NULL || kind == NULL || strchr("beI", kind[0]) == NULL ||
		    kind[0] == '\0' || mask == NULL || *mask == '\0' || setter == NULL ||
		    reg->nmasks >= CHANREG_MASKS_MAX) {
			log_warnx("%s: skipping a malformed channel list row", path);
			continue;
		}
		if ((m = realloc(reg->masks, (reg->nmasks + 1) * sizeof(*m))) == NULL)
			break;
		reg->masks = m;
		m += reg->nmasks;
		m->kind = kind[0];
		m->mask = strdup(mask);
		m->setter = strdup(setter);
		m->when = sqlite3_column_int64(s, 4);
		if (m->mask == NULL || m->setter == NULL) {
			free(m->mask);
			free(m->setter);
			break;
		}
		reg->nmasks++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot read channel registrations: %s", path,
	    sqlite3_errmsg(db));
	return -1;
}

void
chanreg_account_gone(struct store *st, const char *folded)
{
	struct chanreg_acct *x = acct_find(st, folded, false);
	struct chanreg_access *a;

	if (x == NULL)
		return;
	/* each step frees x once its list is empty: test before touching it */
	for (;;) {
		a = LIST_FIRST(&x->entries);
		if (a->level == CHANREG_FOUNDER) {
			log_info("channel %s dropped with its founder's account", a->reg->name);
			if (LIST_NEXT(a, by_account) == NULL) {
				reg_free(st, a->reg);
				return;
			}
			reg_free(st, a->reg);
		} else {
			bool last = LIST_NEXT(a, by_account) == NULL;
			access_del(a->reg, a);
			if (last)
				return;
		}
	}
}

void
chanreg_free(struct store *st)
{
	struct chanreg_cache *cc = *store_chanreg_slot(st);
	struct chanreg *reg, *tmp;

	if (cc == NULL)
		return;
	HASH_ITER(hh, cc->chans, reg, tmp) {
		reg->save_job = NULL; /* the store frees the jobs */
		reg_free(st, reg);
	}
	free(cc);
	*store_chanreg_slot(st) = NULL;
}
