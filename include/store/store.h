/* store.h - the account database: one SQLite file ([accounts] database) in
 * WAL mode, its schema versioned with PRAGMA user_version and migrated on
 * open, an in-memory cache of every account that the loop thread reads, and
 * a writer thread that commits queued changes in batches.
 *
 * Why this shape (issue 11): the event loop never waits for the disk.
 * Reads (login, INFO) are served from the cache, loaded once at start:
 * accounts are small and few. Writes change the cache at once (so the loop
 * sees its own writes and two REGISTERs of one name cannot both win) and
 * queue the row change; the writer thread takes everything queued, commits
 * it in one transaction (synchronous=FULL: a commit is on disk when it
 * returns) and hands the results back to the loop through a pipe watched by
 * an event, the pattern of core/password.c. A job's callback runs only
 * after its batch is committed, so an acknowledged write survives a crash
 * or kill -9; at most the batch being committed is lost, and SQLite's WAL
 * never leaves the file corrupt.
 *
 * Layer: store/ stands between core/ and proto/: it uses core (casemap,
 * log) and nothing above; cmd/ calls it. */
#ifndef EVIRCD_STORE_H
#define EVIRCD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/queue.h>

#include "core/casemap.h"

struct client;
struct event_base;
struct store;
struct store_job;

/* The schema version this build writes (PRAGMA user_version). A file with
 * a higher version is refused (made by a newer evircd). */
#define STORE_SCHEMA_VERSION 6
/* Writes queued or being committed at once; past it a write is refused
 * (the caller answers "try again"). */
#define STORE_QUEUE_MAX	     1024
/* Longest account name in bytes (the nick length ceiling). */
#define STORE_NAME_MAX	     32
/* Room for a stored password hash (core/password.h PASSWORD_HASH_MAX). */
#define STORE_HASH_MAX	     128
/* Room for an account's SCRAM-SHA-256 secrets (core/password.h
 * PASSWORD_SCRAM_MAX): "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>". */
#define STORE_SCRAM_MAX	     192
/* TLS client certificate fingerprints per account. */
#define STORE_CERTS_MAX	     8
/* A certificate fingerprint: SHA-256 as 64 lower-case hex digits. */
#define STORE_CERTFP_LEN     64
/* Extra nicks grouped to one account (NickServ GROUP; Atheme's maxnicks
 * is 5, Ergo's additional-nick-limit is configurable). */
#define STORE_NICKS_MAX	     8
/* Bytes of a suspension reason kept (longer ones are cut). */
#define STORE_REASON_MAX     200

/* Nick protection of an account (NickServ SET ENFORCE). */
enum store_enforce {
	STORE_ENFORCE_DEFAULT = -1, /* what [accounts] enforce_default says */
	STORE_ENFORCE_OFF = 0,
	STORE_ENFORCE_ON = 1,
};

/* The clients logged in to one account (cmd/account.c keeps it: a client
 * is on it exactly while c->account names the account), so that DROP and
 * SUSPEND reach every session in O(sessions). */
LIST_HEAD(store_sessions, client);

/* One account as the cache holds it. Owned by the store; valid until the
 * account is dropped (store_account_drop) or the store is closed, so a
 * client keeps a copy of the name, never this pointer. */
struct store_account {
	char name[STORE_NAME_MAX + 1]; /* as registered */
	char hash[STORE_HASH_MAX]; /* argon2id ("$argon2id$...") */
	char scram[STORE_SCRAM_MAX]; /* SCRAM-SHA-256 secrets, "" = none yet
					 * (docs/ACCOUNTS.md "SCRAM-SHA-256") */
	int64_t created; /* Unix time, seconds */
	unsigned ncerts;
	char certs[STORE_CERTS_MAX][STORE_CERTFP_LEN + 1];
	unsigned nnicks; /* grouped nicks (not the account name itself) */
	char nicks[STORE_NICKS_MAX][STORE_NAME_MAX + 1];
	int enforce; /* enum store_enforce */
	int64_t suspended; /* Unix time of the suspension, 0 = not suspended */
	char suspended_by[STORE_NAME_MAX + 1]; /* the operator's nick */
	char suspend_reason[STORE_REASON_MAX + 1];
	struct store_sessions sessions; /* loop thread; see above */
};

/* Result of a committed write, given to the job's callback. */
enum store_result {
	STORE_OK = 0,
	STORE_FAILED, /* the disk write failed (logged). A failed create is
				 * taken out of the cache; other changes stay in the
				 * cache until a restart reloads what the disk has */
};

/* Called on the loop thread after the write's batch is committed (or has
 * failed); never after store_job_cancel. */
typedef void (*store_done_fn)(void *arg, enum store_result r);

/* store_open: open (creating if missing) the database at path, set WAL
 * mode, migrate the schema to STORE_SCHEMA_VERSION, load every account into
 * the cache and start the writer thread, whose results arrive through an
 * event on base. Names are casefolded with cm. NULL on error with a clear
 * "path: what" message in err (not a database, a newer schema, I/O). */
struct store *store_open(const char *path, struct event_base *base, enum casemapping cm, char *err,
    size_t errlen);
/* store_close: commit everything still queued, stop the writer, call the
 * callbacks of jobs not yet delivered (cancelled ones excepted: callers
 * free what they wait with there), and free the store. Close it after the
 * clients are gone (server_free). NULL is fine. */
void store_close(struct store *st);

/* store_check: for `evircd -t`: can path be opened as an account database
 * of a version this build can migrate? Nothing is written (a missing file
 * is fine: it will be created). 0, or -1 with err filled. */
int store_check(const char *path, char *err, size_t errlen);
/* store_backup: copy the database at path into dest with SQLite's online
 * backup API, reading path through a read-only connection of its own (WAL
 * lets it run beside a live server). 0, or -1 with err filled. */
int store_backup(const char *path, const char *dest, char *err, size_t errlen);

/* store_account_find: the cached account called name (casefolded), or
 * NULL. O(1), no disk. */
const struct store_account *store_account_find(struct store *st, const char *name);
/* store_account_by_cert: the account a certificate fingerprint is bound
 * to (lower-case hex), or NULL. O(1), no disk. */
const struct store_account *store_account_by_cert(struct store *st, const char *certfp);
/* store_account_by_nick: the account that owns nick: the one named so, or
 * the one nick is grouped to (NickServ GROUP); NULL when nick is free.
 * Account names and grouped nicks are one namespace (as in Atheme). O(1). */
const struct store_account *store_account_by_nick(struct store *st, const char *nick);
/* store_account_sessions: the session list of the account called name
 * (exact account name, casefolded), NULL when there is none. */
struct store_sessions *store_account_sessions(struct store *st, const char *name);
/* store_account_count: accounts in the cache. */
size_t store_account_count(const struct store *st);
/* store_account_foreach: call fn(arg, account) for every cached account,
 * in no particular order, until fn returns false. O(accounts): for
 * operator commands (NickServ LIST), never per message. */
void store_account_foreach(struct store *st, bool (*fn)(void *arg, const struct store_account *a),
    void *arg);

/* Writes. Each changes the cache now and queues the row change; fn(arg,
 * result) runs once the batch holding it is committed. fn may be NULL
 * (nobody waits). Return: the job handle (valid until fn ran or
 * store_job_cancel returned; with fn NULL do not keep it), or NULL when
 * the change is refused now: *why says which (see enum store_refusal). */
enum store_refusal {
	STORE_REFUSED_NONE = 0,
	STORE_REFUSED_EXISTS, /* name already registered (create) */
	STORE_REFUSED_MISSING, /* no such account */
	STORE_REFUSED_BADARG, /* name/hash/fp too long or empty */
	STORE_REFUSED_FULL, /* STORE_QUEUE_MAX writes pending, or out of memory */
	STORE_REFUSED_CERT_TAKEN, /* fingerprint bound to another account, or the account has STORE_CERTS_MAX */
	STORE_REFUSED_NICKS_FULL, /* the account has STORE_NICKS_MAX grouped nicks */
};
/* store_account_create: a new account with its argon2id hash and SCRAM
 * secrets (NULL: none, e.g. a build without libgsasl). */
struct store_job *store_account_create(struct store *st, const char *name, const char *hash,
    const char *scram, int64_t now, store_done_fn fn, void *arg, enum store_refusal *why);
/* store_account_set_hash: a new password: hash and SCRAM secrets both
 * replaced (scram NULL clears them: they belong to the old password). */
struct store_job *store_account_set_hash(struct store *st, const char *name, const char *hash,
    const char *scram, store_done_fn fn, void *arg, enum store_refusal *why);
/* store_account_set_scram: add SCRAM secrets derived from a password that
 * was just verified against hash (the first login of an account made
 * without them). Refused (STORE_REFUSED_MISSING) when the account is gone
 * or its hash is no longer hash (the password changed meanwhile); the disk
 * row is updated only if its hash is still hash. */
struct store_job *store_account_set_scram(struct store *st, const char *name, const char *hash,
    const char *scram, store_done_fn fn, void *arg, enum store_refusal *why);
struct store_job *store_account_drop(struct store *st, const char *name, store_done_fn fn,
    void *arg, enum store_refusal *why);
struct store_job *store_cert_add(struct store *st, const char *name, const char *certfp,
    store_done_fn fn, void *arg, enum store_refusal *why);
struct store_job *store_cert_del(struct store *st, const char *name, const char *certfp,
    store_done_fn fn, void *arg, enum store_refusal *why);
/* store_account_drop also drops the account's grouped nicks and
 * certificates (ON DELETE CASCADE, and so does the cache); its session list
 * must be empty (the caller logs every session out first).
 * store_account_create refuses (EXISTS) a name that is a grouped nick. */
/* store_nick_add: group nick to the account called name (EXISTS when nick
 * is an account name or grouped already, NICKS_FULL past STORE_NICKS_MAX). */
struct store_job *store_nick_add(struct store *st, const char *name, const char *nick, int64_t now,
    store_done_fn fn, void *arg, enum store_refusal *why);
/* store_nick_del: ungroup nick from the account called name (MISSING when
 * it is not one of its grouped nicks). */
struct store_job *store_nick_del(struct store *st, const char *name, const char *nick,
    store_done_fn fn, void *arg, enum store_refusal *why);
/* store_account_set_enforce: the account's nick protection (enum
 * store_enforce). */
struct store_job *store_account_set_enforce(struct store *st, const char *name, int enforce,
    store_done_fn fn, void *arg, enum store_refusal *why);
/* store_account_suspend: suspend the account (when > 0: the time; by and
 * reason are copied, reason cut to STORE_REASON_MAX) or lift the
 * suspension (when == 0; by and reason ignored). */
struct store_job *store_account_suspend(struct store *st, const char *name, int64_t when,
    const char *by, const char *reason, store_done_fn fn, void *arg, enum store_refusal *why);
/* store_run_fn: work of another module (store/history.c) run on the writer
 * thread inside a batch, in its own savepoint: 0 = done, -1 = failed (the
 * savepoint is rolled back, the result is STORE_FAILED). */
struct sqlite3;
typedef int (*store_run_fn)(struct sqlite3 *db, void *arg);
/* store_call: queue run(db, run_arg) for the writer (in order with the
 * account writes); fn(arg, result) on the loop thread after its batch is
 * committed. durable false: a batch holding only such jobs commits with
 * synchronous=NORMAL (no fsync: a process crash loses nothing, a power cut
 * the last commits), else FULL. Not bounded by STORE_QUEUE_MAX: the
 * caller bounds what it queues. NULL on out-of-memory. */
struct store_job *store_call(struct store *st, store_run_fn run, void *run_arg, bool durable,
    store_done_fn fn, void *arg);
/* store_path: the database file st was opened from (owned by st). */
const char *store_path(const struct store *st);
/* store_job_cancel: fn will not be called (arg may be freed at once); the
 * write itself still happens. Loop thread only. */
void store_job_cancel(struct store_job *job);
/* store_pending: writes queued or committing whose results are not yet
 * delivered. */
unsigned store_pending(const struct store *st);
/* store_sync: tests and shutdown: block until every queued write is
 * committed, then deliver the callbacks. */
void store_sync(struct store *st);

/* For store/ modules (chanreg.c): a write made of SQL statements, run in
 * order inside one savepoint of a batch (all or nothing). */
struct store_sqlv;
/* store_sqlv_new: an empty statement list (NULL: out of memory). */
struct store_sqlv *store_sqlv_new(void);
/* store_sqlv_add: append sql (a string literal: kept, not copied) with
 * its parameters ?1.. typed by types: 's' a const char * (copied; NULL
 * binds SQL NULL), 'i' an int64_t. At most 12 parameters. Out of memory
 * marks v failed (store_sqlv_submit refuses it). */
void store_sqlv_add(struct store_sqlv *v, const char *sql, const char *types, ...);
/* store_sqlv_free: free a list that was not submitted. NULL is fine. */
void store_sqlv_free(struct store_sqlv *v);
/* store_sqlv_submit: queue v (ownership passes, also when refused: then
 * NULL with *why STORE_REFUSED_FULL). */
struct store_job *store_sqlv_submit(struct store *st, struct store_sqlv *v, store_done_fn fn,
    void *arg, enum store_refusal *why);
/* store_queue_full: STORE_QUEUE_MAX writes are pending. */
bool store_queue_full(const struct store *st);
/* store_casemapping: how the store folds names. */
enum casemapping store_casemapping(const struct store *st);
/* store_chanreg_slot: where chanreg.c keeps its cache. */
struct chanreg_cache;
struct chanreg_cache **store_chanreg_slot(struct store *st);
/* store_readmark_slot: where readmark.c keeps its cache. */
struct readmark_cache;
struct readmark_cache **store_readmark_slot(struct store *st);

#endif
