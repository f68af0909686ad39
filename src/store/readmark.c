/* readmark.c - read markers: the cache the loop reads and the rows the
 * store's writer commits. See store/readmark.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <uthash.h>

#include "core/log.h"
#include "store/readmark.h"
#include "store/store.h"

/* One marker; key = "account target" (neither contains a space). */
struct rmark {
	UT_hash_handle hh;
	int64_t ms;
	struct racct *acct;
	char key[];
};

/* An account's marker count (the per-account bound). */
struct racct {
	UT_hash_handle hh;
	unsigned n;
	char folded[];
};

struct readmark_cache {
	struct rmark *marks;
	struct racct *accts;
	size_t n;
};

static struct readmark_cache *
cache_of(struct store *st)
{
	struct readmark_cache **slot = store_readmark_slot(st);

	if (*slot == NULL && (*slot = calloc(1, sizeof(**slot))) == NULL)
		log_warnx("readmark: out of memory");
	return *slot;
}

static bool
make_key(char *key, size_t size, const char *account, const char *target)
{
	int n = snprintf(key, size, "%s %s", account, target);

	return n > 0 && (size_t)n < size && strchr(account, ' ') == NULL &&
	    strchr(target, ' ') == NULL && account[0] != '\0' && target[0] != '\0';
}

int64_t
readmark_get(struct store *st, const char *account, const char *target)
{
	struct readmark_cache *rc = cache_of(st);
	char key[STORE_NAME_MAX + READMARK_TARGET_MAX + 3];
	struct rmark *m;

	if (rc == NULL || !make_key(key, sizeof(key), account, target))
		return 0;
	HASH_FIND_STR(rc->marks, key, m);
	return m != NULL ? m->ms : 0;
}

/* put: the cache entry for (account, target) set to ms; NULL when the
 * account is at its bound or out of memory. */
static struct rmark *
put(struct readmark_cache *rc, const char *account, const char *key, int64_t ms)
{
	struct rmark *m;
	struct racct *a;
	size_t alen = strlen(account), klen = strlen(key);

	HASH_FIND_STR(rc->marks, key, m);
	if (m != NULL) {
		m->ms = ms;
		return m;
	}
	HASH_FIND_STR(rc->accts, account, a);
	if (a != NULL && a->n >= READMARK_PER_ACCOUNT)
		return NULL;
	if (a == NULL) {
		if ((a = calloc(1, sizeof(*a) + alen + 1)) == NULL)
			return NULL;
		memcpy(a->folded, account, alen + 1);
		HASH_ADD_STR(rc->accts, folded, a);
	}
	if ((m = calloc(1, sizeof(*m) + klen + 1)) == NULL) {
		if (a->n == 0) {
			HASH_DEL(rc->accts, a);
			free(a);
		}
		return NULL;
	}
	memcpy(m->key, key, klen + 1);
	m->ms = ms;
	m->acct = a;
	a->n++;
	rc->n++;
	HASH_ADD_STR(rc->marks, key, m);
	return m;
}

int
readmark_set(struct store *st, const char *account, const char *target, int64_t ms)
{
	struct readmark_cache *rc = cache_of(st);
	char key[STORE_NAME_MAX + READMARK_TARGET_MAX + 3];
	struct store_sqlv *v;
	struct rmark *m;
	enum store_refusal why;

	if (rc == NULL || strlen(target) > READMARK_TARGET_MAX ||
	    strlen(account) > STORE_NAME_MAX || !make_key(key, sizeof(key), account, target))
		return -1;
	HASH_FIND_STR(rc->marks, key, m);
	if (m != NULL && m->ms >= ms)
		return 0;
	if (store_queue_full(st) || (v = store_sqlv_new()) == NULL)
		return -1;
	if ((m = put(rc, account, key, ms)) == NULL) {
		store_sqlv_free(v);
		return -1;
	}
	/* the disk keeps the newest too, whatever order batches commit in */
	store_sqlv_add(v,
	    "INSERT INTO readmarkers (account, target, time) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (account, target) DO UPDATE SET time = excluded.time "
	    "WHERE excluded.time > readmarkers.time",
	    "ssi", account, target, ms);
	if (store_sqlv_submit(st, v, NULL, NULL, &why) == NULL)
		log_warnx("readmark: the write queue refused a marker of %s", account);
	return 1;
}

static void
mark_del(struct readmark_cache *rc, struct rmark *m)
{
	struct racct *a = m->acct;

	HASH_DEL(rc->marks, m);
	free(m);
	rc->n--;
	if (--a->n == 0) {
		HASH_DEL(rc->accts, a);
		free(a);
	}
}

void
readmark_account_gone(struct store *st, const char *folded)
{
	struct readmark_cache *rc = *store_readmark_slot(st);
	struct rmark *m, *tmp;
	size_t len = strlen(folded);
	struct racct *a;

	if (rc == NULL)
		return;
	HASH_FIND_STR(rc->accts, folded, a);
	if (a == NULL)
		return;
	/* O(markers): an account drop is rare (an operator or the user's own
	 * DROP), never per message */
	HASH_ITER(hh, rc->marks, m, tmp)
		if (strncmp(m->key, folded, len) == 0 && m->key[len] == ' ')
			mark_del(rc, m);
}

size_t
readmark_count(struct store *st)
{
	struct readmark_cache *rc = *store_readmark_slot(st);

	return rc != NULL ? rc->n : 0;
}

int
readmark_load(struct store *st, sqlite3 *db, const char *path, char *err, size_t errlen)
{
	struct readmark_cache *rc = cache_of(st);
	char key[STORE_NAME_MAX + READMARK_TARGET_MAX + 3];
	sqlite3_stmt *s;
	int r;

	if (rc == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT account, target, time FROM readmarkers", -1, &s, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: readmarkers: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *acct = (const char *)sqlite3_column_text(s, 0);
		const char *target = (const char *)sqlite3_column_text(s, 1);
		int64_t ms = sqlite3_column_int64(s, 2);
		if (acct == NULL || target == NULL || ms <= 0 || strlen(acct) > STORE_NAME_MAX ||
		    strlen(target) > READMARK_TARGET_MAX || store_account_find(st, acct) == NULL ||
		    !make_key(key, sizeof(key), acct, target)) {
			log_warnx("%s: skipping a malformed read marker row", path);
			continue;
		}
		if (put(rc, acct, key, ms) == NULL) {
			log_warnx("%s: read markers of %s past the bound skipped", path, acct);
			continue;
		}
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		snprintf(err, errlen, "%s: readmarkers: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

void
readmark_free(struct store *st)
{
	struct readmark_cache *rc = *store_readmark_slot(st);
	struct rmark *m, *tmp;
	struct racct *a, *atmp;

	if (rc == NULL)
		return;
	HASH_ITER(hh, rc->marks, m, tmp) {
		HASH_DEL(rc->marks, m);
		free(m);
	}
	HASH_ITER(hh, rc->accts, a, atmp) {
		HASH_DEL(rc->accts, a);
		free(a);
	}
	free(rc);
	*store_readmark_slot(st) = NULL;
}
