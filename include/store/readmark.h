/* readmark.h - read markers (IRCv3 draft/read-marker, issue 12,
 * docs/HISTORY.md "Read markers"): for each account and target (a channel
 * or a nick, casefolded) the time of the last message the user has read.
 *
 * The same shape as chanreg.h: every marker is loaded into a uthash cache
 * when the store opens, so MARKREAD and the MARKREAD sent after a JOIN are
 * O(1) and never touch the disk; a change updates the cache at once and
 * queues an upsert for the store's writer thread. The table readmarkers
 * (schema version 6, store.c) refers to accounts(folded) ON DELETE
 * CASCADE, and the cache follows (readmark_account_gone).
 *
 * Bounds: READMARK_PER_ACCOUNT targets per account (a client cannot grow
 * the cache without bound by marking made-up nicks); past it a new target
 * is refused (MARKREAD answers INTERNAL_ERROR).
 *
 * Layer: store/. Loop thread only. */
#ifndef EVIRCD_READMARK_H
#define EVIRCD_READMARK_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct sqlite3;

#define READMARK_PER_ACCOUNT 1024 /* targets per account */
#define READMARK_TARGET_MAX  200 /* bytes of a folded target */

/* readmark_load: fill the cache from db (store_open). 0, or -1 with err
 * ("path: what"). Rows of unknown accounts or with bad values are
 * skipped. */
int readmark_load(struct store *st, struct sqlite3 *db, const char *path, char *err, size_t errlen);
/* readmark_free: free the cache (store_close). */
void readmark_free(struct store *st);
/* readmark_account_gone: drop the cache entries of an account (folded)
 * that is being dropped; the rows go by ON DELETE CASCADE. */
void readmark_account_gone(struct store *st, const char *folded);
/* readmark_get: the marker of account (folded) on target (folded), Unix
 * milliseconds, or 0 when there is none. O(1). */
int64_t readmark_get(struct store *st, const char *account, const char *target);
/* readmark_set: move the marker forward to ms (Unix milliseconds). 1: it
 * moved (cache updated, upsert queued), 0: ms is not newer than the stored
 * marker (nothing changes: markers only move forward), -1: refused (the
 * account has READMARK_PER_ACCOUNT targets, a name too long, the write
 * queue full, out of memory). */
int readmark_set(struct store *st, const char *account, const char *target, int64_t ms);
/* readmark_count: markers in the cache. */
size_t readmark_count(struct store *st);

#endif
