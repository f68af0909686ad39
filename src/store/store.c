/* store.c - the account database: SQLite in WAL mode, a cache the loop
 * reads, a writer thread that commits batches. See store/store.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>
#include <uthash.h>

#include "core/casemap.h"
#include "core/log.h"
#include "store/chanreg.h"
#include "store/readmark.h"
#include "store/store.h"

/* Schema migrations: migrations[v] takes a file of version v to v + 1.
 * Each runs in one transaction with the new user_version, so a crash
 * mid-migration leaves the old version. Never edit a shipped step; add
 * one and raise STORE_SCHEMA_VERSION. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
	/* 0 -> 1: accounts and their certificate fingerprints */
	"CREATE TABLE accounts ("
	"  folded TEXT PRIMARY KEY," /* casefolded name: the key */
	"  name TEXT NOT NULL," /* as registered */
	"  hash TEXT NOT NULL," /* argon2id */
	"  created INTEGER NOT NULL" /* Unix time */
	") WITHOUT ROWID;"
	"CREATE TABLE certfps ("
	"  certfp TEXT PRIMARY KEY," /* SHA-256, lower-case hex */
	"  account TEXT NOT NULL REFERENCES accounts(folded) ON DELETE CASCADE"
	") WITHOUT ROWID;"
	"CREATE INDEX certfps_account ON certfps(account);",
	/* 1 -> 2: NickServ GROUP's extra nicks, SET ENFORCE, SUSPEND */
	"ALTER TABLE accounts ADD COLUMN enforce INTEGER;" /* NULL: the default */
	"ALTER TABLE accounts ADD COLUMN suspended INTEGER;" /* Unix time, NULL: not */
	"ALTER TABLE accounts ADD COLUMN suspended_by TEXT;"
	"ALTER TABLE accounts ADD COLUMN suspend_reason TEXT;"
	"CREATE TABLE nicks ("
	"  folded TEXT PRIMARY KEY," /* casefolded nick: the key */
	"  name TEXT NOT NULL," /* as grouped */
	"  account TEXT NOT NULL REFERENCES accounts(folded) ON DELETE CASCADE,"
	"  created INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX nicks_account ON nicks(account);",
	/* 2 -> 3: SCRAM-SHA-256 secrets beside the argon2id hash (RFC 5802
	 * StoredKey/ServerKey, which an argon2id hash cannot give), in the
	 * RFC 5803 / PostgreSQL verifier form
	 * "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>" (base64);
	 * NULL until the account's password is set or next checked */
	"ALTER TABLE accounts ADD COLUMN scram TEXT;",
	/* 3 -> 4: registered channels (ChanServ, store/chanreg.h) */
	"CREATE TABLE channels ("
	"  folded TEXT PRIMARY KEY," /* casefolded name: the key */
	"  name TEXT NOT NULL," /* as registered */
	"  founder TEXT NOT NULL REFERENCES accounts(folded) ON DELETE CASCADE,"
	"  registered INTEGER NOT NULL," /* Unix time */
	"  flags INTEGER NOT NULL DEFAULT 0," /* enum chanreg_flag */
	"  modes TEXT NOT NULL DEFAULT ''," /* simple mode letters */
	"  chankey TEXT,"
	"  chanlimit INTEGER NOT NULL DEFAULT 0,"
	"  topic TEXT,"
	"  topic_setter TEXT,"
	"  topic_time INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE INDEX channels_founder ON channels(founder);"
	"CREATE TABLE chanaccess ("
	"  channel TEXT NOT NULL REFERENCES channels(folded) ON DELETE CASCADE,"
	"  account TEXT NOT NULL REFERENCES accounts(folded) ON DELETE CASCADE,"
	"  level INTEGER NOT NULL," /* enum chanreg_level: 1 voice, 2 op */
	"  setter TEXT NOT NULL,"
	"  added INTEGER NOT NULL,"
	"  PRIMARY KEY (channel, account)"
	") WITHOUT ROWID;"
	"CREATE INDEX chanaccess_account ON chanaccess(account);"
	"CREATE TABLE chanlists ("
	"  channel TEXT NOT NULL REFERENCES channels(folded) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL," /* b, e or I */
	"  mask TEXT NOT NULL,"
	"  setter TEXT NOT NULL,"
	"  set_at INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL," /* order in the channel's lists */
	"  PRIMARY KEY (channel, kind, mask)"
	") WITHOUT ROWID;",
	/* 4 -> 5: message history (store/history.h, docs/HISTORY.md). id is
	 * the order of the history (chathistory "consistent message order");
	 * msgid is indexed for redaction and read markers, account for
	 * HISTSERV FORGET, time for retention by age; each index costs every
	 * insert, so there are no more (docs/HISTORY.md) */
	"CREATE TABLE history ("
	"  id INTEGER PRIMARY KEY," /* sequence number, ascending */
	"  target TEXT NOT NULL," /* casefolded channel, or \"acct1 acct2\" for a DM */
	"  msgid TEXT NOT NULL,"
	"  time INTEGER NOT NULL," /* Unix time, milliseconds */
	"  kind INTEGER NOT NULL," /* enum hist_kind */
	"  flags INTEGER NOT NULL," /* enum hist_flag */
	"  account TEXT," /* sender's account, NULL when not logged in */
	"  nick TEXT NOT NULL," /* sender's nick (casefolded) */
	"  line TEXT NOT NULL," /* \":prefix VERB target ...\" without tags */
	"  tags TEXT" /* client-only tags as sent, or NULL */
	");"
	"CREATE INDEX history_target ON history(target, id);"
	"CREATE INDEX history_msgid ON history(msgid);"
	"CREATE INDEX history_account ON history(account) WHERE account IS NOT NULL;"
	"CREATE INDEX history_time ON history(time);",
	/* 5 -> 6: read markers (store/readmark.h, IRCv3 draft/read-marker):
	 * the last read time of each account on each target */
	"CREATE TABLE readmarkers ("
	"  account TEXT NOT NULL REFERENCES accounts(folded) ON DELETE CASCADE,"
	"  target TEXT NOT NULL," /* casefolded channel or nick */
	"  time INTEGER NOT NULL," /* Unix time, milliseconds */
	"  PRIMARY KEY (account, target)"
	") WITHOUT ROWID;",
};

enum op_kind {
	OP_CREATE,
	OP_SET_HASH,
	OP_SET_SCRAM,
	OP_DROP,
	OP_CERT_ADD,
	OP_CERT_DEL,
	OP_NICK_ADD,
	OP_NICK_DEL,
	OP_SET_ENFORCE,
	OP_SUSPEND,
	OP_SQL,
	OP_CALL,
};

/* The statements of an OP_SQL job (store_sqlv_add). */
#define SQL_PARAMS_MAX 12
struct sql_stmt {
	struct sql_stmt *next;
	const char *sql;
	unsigned n;
	struct {
		char type; /* 's' or 'i' */
		char *s; /* owned, NULL = SQL NULL */
		int64_t i;
	} p[SQL_PARAMS_MAX];
};
struct store_sqlv {
	struct sql_stmt *head, **tail;
	bool failed;
};

struct store_job {
	TAILQ_ENTRY(store_job) link;
	struct store *st;
	enum op_kind kind;
	char folded[STORE_NAME_MAX + 1];
	char *a, *b, *c; /* op parameters ?2 ?3 ?5 (name, hash, scram; certfp) */
	struct store_sqlv *sqlv; /* OP_SQL */
	int64_t n;
	store_done_fn fn;
	void *arg;
	store_run_fn run; /* OP_CALL: runs on the writer thread */
	bool relaxed; /* OP_CALL: may commit without an fsync (store_call) */
	void *run_arg;
	bool cancelled; /* loop thread only */
	enum store_result result; /* set by the writer */
};
TAILQ_HEAD(job_list, store_job);

struct acct {
	struct store_account pub;
	char folded[STORE_NAME_MAX + 1];
	UT_hash_handle hh;
};

struct cert {
	char fp[STORE_CERTFP_LEN + 1];
	struct acct *acct;
	UT_hash_handle hh;
};

/* A grouped nick (not an account's own name). */
struct gnick {
	char folded[STORE_NAME_MAX + 1];
	struct acct *acct;
	UT_hash_handle hh;
};

struct store {
	sqlite3 *db; /* writer thread only, after store_open */
	char *path; /* owned: the file (store_path) */
	bool relaxed_now; /* writer thread: synchronous is NORMAL now (commit_batch) */
	enum casemapping cm;
	struct acct *accts; /* loop thread: cache by folded name */
	struct cert *certs; /* loop thread: cache by fingerprint */
	struct gnick *nicks; /* loop thread: grouped nicks by folded nick */
	size_t naccts;
	pthread_mutex_t mu;
	pthread_cond_t cv, idle;
	struct job_list todo, done; /* under mu */
	bool stop, busy; /* under mu */
	unsigned pending; /* loop thread only */
	pthread_t thread;
	bool started;
	int wake[2];
	struct event *ev;
	struct chanreg_cache *chanreg; /* loop thread: store/chanreg.c */
	struct readmark_cache *readmark; /* loop thread: store/readmark.c */
};

static void
errf(char *err, size_t errlen, const char *path, const char *what, sqlite3 *db)
{
	snprintf(err, errlen, "%s: %s%s%s", path, what, db ? ": " : "",
	    db ? sqlite3_errmsg(db) : "");
}

/* user_version: the file's schema version, or -1 (not a database, I/O). */
static int
user_version(sqlite3 *db)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* migrate: bring db to STORE_SCHEMA_VERSION, one transaction per step. */
static int
migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int v = user_version(db);
	char sql[64];

	if (v < 0) {
		errf(err, errlen, path, "cannot read the schema version", db);
		return -1;
	}
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %d is newer than this evircd's (%d)",
		    path, v, STORE_SCHEMA_VERSION);
		return -1;
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			char what[64];
			snprintf(what, sizeof(what), "migration to schema version %d failed",
			    v + 1);
			errf(err, errlen, path, what, db);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		log_info("%s: account database migrated to schema version %d", path, v + 1);
	}
	return 0;
}

static struct acct *
cache_find(struct store *st, const char *name)
{
	char folded[STORE_NAME_MAX + 2];
	struct acct *a;

	if (strlen(name) > STORE_NAME_MAX)
		return NULL;
	casemap_fold(st->cm, folded, name, sizeof(folded));
	HASH_FIND_STR(st->accts, folded, a);
	return a;
}

static struct gnick *
cache_find_nick(struct store *st, const char *nick)
{
	char folded[STORE_NAME_MAX + 2];
	struct gnick *g;

	if (strlen(nick) > STORE_NAME_MAX)
		return NULL;
	casemap_fold(st->cm, folded, nick, sizeof(folded));
	HASH_FIND_STR(st->nicks, folded, g);
	return g;
}

static struct acct *
cache_add(struct store *st, const char *name, const char *hash, const char *scram, int64_t created)
{
	struct acct *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->pub.enforce = STORE_ENFORCE_DEFAULT;
	LIST_INIT(&a->pub.sessions);
	snprintf(a->pub.name, sizeof(a->pub.name), "%s", name);
	snprintf(a->pub.hash, sizeof(a->pub.hash), "%s", hash);
	snprintf(a->pub.scram, sizeof(a->pub.scram), "%s", scram != NULL ? scram : "");
	a->pub.created = created;
	casemap_fold(st->cm, a->folded, name, sizeof(a->folded));
	HASH_ADD_STR(st->accts, folded, a);
	st->naccts++;
	return a;
}

static int
cache_cert_add(struct store *st, struct acct *a, const char *fp)
{
	struct cert *c;

	HASH_FIND_STR(st->certs, fp, c);
	if (c != NULL || a->pub.ncerts >= STORE_CERTS_MAX)
		return -1;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	snprintf(c->fp, sizeof(c->fp), "%s", fp);
	c->acct = a;
	HASH_ADD_STR(st->certs, fp, c);
	snprintf(a->pub.certs[a->pub.ncerts++], STORE_CERTFP_LEN + 1, "%s", fp);
	return 0;
}

static int
cache_cert_del(struct store *st, struct acct *a, const char *fp)
{
	struct cert *c;
	unsigned i;

	HASH_FIND_STR(st->certs, fp, c);
	if (c == NULL || c->acct != a)
		return -1;
	HASH_DEL(st->certs, c);
	free(c);
	for (i = 0; i < a->pub.ncerts; i++)
		if (strcmp(a->pub.certs[i], fp) == 0) {
			memmove(a->pub.certs[i], a->pub.certs[i + 1],
			    (a->pub.ncerts - i - 1) * sizeof(a->pub.certs[0]));
			a->pub.ncerts--;
			break;
		}
	return 0;
}

/* cache_nick_add: group nick to a; -1 when it is taken or a is full. */
static int
cache_nick_add(struct store *st, struct acct *a, const char *nick)
{
	struct gnick *g;

	if (cache_find_nick(st, nick) != NULL || cache_find(st, nick) != NULL)
		return -1;
	if (a->pub.nnicks >= STORE_NICKS_MAX || (g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	casemap_fold(st->cm, g->folded, nick, sizeof(g->folded));
	g->acct = a;
	HASH_ADD_STR(st->nicks, folded, g);
	snprintf(a->pub.nicks[a->pub.nnicks++], STORE_NAME_MAX + 1, "%s", nick);
	return 0;
}

static int
cache_nick_del(struct store *st, struct acct *a, const char *nick)
{
	struct gnick *g = cache_find_nick(st, nick);
	unsigned i;

	if (g == NULL || g->acct != a)
		return -1;
	for (i = 0; i < a->pub.nnicks; i++)
		if (casemap_cmp(st->cm, a->pub.nicks[i], nick) == 0) {
			memmove(a->pub.nicks[i], a->pub.nicks[i + 1],
			    (a->pub.nnicks - i - 1) * sizeof(a->pub.nicks[0]));
			a->pub.nnicks--;
			break;
		}
	HASH_DEL(st->nicks, g);
	free(g);
	return 0;
}

static void
cache_del(struct store *st, struct acct *a)
{
	while (a->pub.ncerts > 0)
		cache_cert_del(st, a, a->pub.certs[0]);
	while (a->pub.nnicks > 0)
		cache_nick_del(st, a, a->pub.nicks[0]);
	HASH_DEL(st->accts, a);
	st->naccts--;
	free(a);
}

static int
cache_load(struct store *st, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	struct acct *a;
	int rc;

	if (sqlite3_prepare_v2(st->db,
		"SELECT name, hash, created, enforce, suspended, suspended_by, suspend_reason, "
		"scram FROM accounts",
		-1, &s, NULL) != SQLITE_OK) {
		errf(err, errlen, path, "cannot read accounts", st->db);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *hash = (const char *)sqlite3_column_text(s, 1);
		const char *scram = (const char *)sqlite3_column_text(s, 7);
		if (name == NULL || hash == NULL || strlen(name) > STORE_NAME_MAX ||
		    strlen(hash) >= STORE_HASH_MAX || cache_find(st, name) != NULL) {
			log_warnx("%s: skipping a malformed account row", path);
			continue;
		}
		if (scram != NULL && strlen(scram) >= STORE_SCRAM_MAX) {
			log_warnx("%s: account %s: ignoring malformed SCRAM secrets", path, name);
			scram = NULL; /* PLAIN still works and derives new ones */
		}
		if ((a = cache_add(st, name, hash, scram, sqlite3_column_int64(s, 2))) == NULL)
			break;
		if (sqlite3_column_type(s, 3) != SQLITE_NULL)
			a->pub.enforce =
			    sqlite3_column_int(s, 3) ? STORE_ENFORCE_ON : STORE_ENFORCE_OFF;
		a->pub.suspended = sqlite3_column_int64(s, 4); /* NULL reads 0 */
		if (a->pub.suspended != 0) {
			const char *by = (const char *)sqlite3_column_text(s, 5);
			const char *why = (const char *)sqlite3_column_text(s, 6);
			snprintf(a->pub.suspended_by, sizeof(a->pub.suspended_by), "%s",
			    by ? by : "");
			snprintf(a->pub.suspend_reason, sizeof(a->pub.suspend_reason), "%s",
			    why ? why : "");
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		errf(err, errlen, path, "cannot read accounts", st->db);
		return -1;
	}
	if (sqlite3_prepare_v2(st->db, "SELECT certfp, account FROM certfps", -1, &s, NULL) !=
	    SQLITE_OK) {
		errf(err, errlen, path, "cannot read certificate fingerprints", st->db);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *fp = (const char *)sqlite3_column_text(s, 0);
		const char *acc = (const char *)sqlite3_column_text(s, 1);
		if (fp == NULL || acc == NULL || strlen(fp) != STORE_CERTFP_LEN)
			continue;
		HASH_FIND_STR(st->accts, acc, a);
		if (a != NULL)
			cache_cert_add(st, a, fp);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		errf(err, errlen, path, "cannot read certificate fingerprints", st->db);
		return -1;
	}
	if (sqlite3_prepare_v2(st->db, "SELECT name, account FROM nicks", -1, &s, NULL) !=
	    SQLITE_OK) {
		errf(err, errlen, path, "cannot read grouped nicks", st->db);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *nick = (const char *)sqlite3_column_text(s, 0);
		const char *acc = (const char *)sqlite3_column_text(s, 1);
		if (nick == NULL || acc == NULL || strlen(nick) > STORE_NAME_MAX)
			continue;
		HASH_FIND_STR(st->accts, acc, a);
		if (a == NULL || cache_nick_add(st, a, nick) != 0)
			log_warnx("%s: skipping grouped nick %s (taken or over the limit)", path,
			    nick);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		errf(err, errlen, path, "cannot read grouped nicks", st->db);
		return -1;
	}
	return 0;
}

/* sqlv_run: the statements of an OP_SQL job, in order; -1 at the first
 * that fails (the batch's savepoint undoes the others). */
static int
sqlv_run(sqlite3 *db, const struct store_sqlv *v)
{
	const struct sql_stmt *q;
	sqlite3_stmt *s;
	unsigned i;
	int rc;

	for (q = v->head; q != NULL; q = q->next) {
		if (sqlite3_prepare_v2(db, q->sql, -1, &s, NULL) != SQLITE_OK)
			return -1;
		for (i = 0; i < q->n; i++) {
			if (q->p[i].type == 'i')
				sqlite3_bind_int64(s, (int)i + 1, q->p[i].i);
			else if (q->p[i].s != NULL)
				sqlite3_bind_text(s, (int)i + 1, q->p[i].s, -1, SQLITE_STATIC);
		}
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* op_run: one row change on the writer thread, inside the batch. */
static int
op_run(sqlite3 *db, struct store_job *j)
{
	static const char *const sql[] = {
		[OP_CREATE] = "INSERT INTO accounts (folded, name, hash, created, scram)"
			      " VALUES (?1, ?2, ?3, ?4, ?5)",
		[OP_SET_HASH] = "UPDATE accounts SET hash = ?3, scram = ?5 WHERE folded = ?1",
		/* only while the hash it was derived beside is the account's */
		[OP_SET_SCRAM] = "UPDATE accounts SET scram = ?5 WHERE folded = ?1 AND hash = ?3",
		[OP_DROP] = "DELETE FROM accounts WHERE folded = ?1",
		[OP_CERT_ADD] = "INSERT INTO certfps (account, certfp) VALUES (?1, ?2)",
		[OP_CERT_DEL] = "DELETE FROM certfps WHERE account = ?1 AND certfp = ?2",
		[OP_NICK_ADD] =
		    "INSERT INTO nicks (account, folded, name, created) VALUES (?1, ?2, ?3, ?4)",
		[OP_NICK_DEL] = "DELETE FROM nicks WHERE account = ?1 AND folded = ?2",
		[OP_SET_ENFORCE] = "UPDATE accounts SET enforce = nullif(?4, -1) WHERE folded = ?1",
		[OP_SUSPEND] = "UPDATE accounts SET suspended = nullif(?4, 0), suspended_by = ?2, "
			       "suspend_reason = ?3 WHERE folded = ?1",
	};
	sqlite3_stmt *s;
	int rc;

	if (j->kind == OP_SQL)
		return sqlv_run(db, j->sqlv);
	if (j->kind == OP_CALL)
		return j->run(db, j->run_arg);
	if (sqlite3_prepare_v2(db, sql[j->kind], -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, j->folded, -1, SQLITE_STATIC);
	if (j->a != NULL)
		sqlite3_bind_text(s, 2, j->a, -1, SQLITE_STATIC);
	if (j->b != NULL)
		sqlite3_bind_text(s, 3, j->b, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(s) >= 4)
		sqlite3_bind_int64(s, 4, j->n);
	if (j->c != NULL)
		sqlite3_bind_text(s, 5, j->c, -1, SQLITE_STATIC);
	rc = sqlite3_step(s); /* an unbound ?5 is NULL: no secrets */
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* commit_batch: run every job of batch in one transaction. A failing row
 * fails only itself (a savepoint per row); a failing COMMIT fails all. */
static void
commit_batch(sqlite3 *db, struct job_list *batch, bool *relaxed_now)
{
	struct store_job *j;
	bool relaxed = true, ok;

	/* a batch of only relaxed jobs (history rows: store_call with
	 * durable false) commits without an fsync (WAL + synchronous=NORMAL:
	 * safe against a crash of the process, the last commits lost to a
	 * power cut); any account write in it makes it FULL, so an
	 * acknowledged account write is on disk when its callback runs */
	TAILQ_FOREACH(j, batch, link)
		if (!j->relaxed)
			relaxed = false;
	if (relaxed != *relaxed_now) {
		sqlite3_exec(db,
		    relaxed ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL", NULL,
		    NULL, NULL);
		*relaxed_now = relaxed;
	}
	ok = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;

	TAILQ_FOREACH(j, batch, link) {
		j->result = STORE_FAILED;
		if (!ok)
			continue;
		sqlite3_exec(db, "SAVEPOINT r", NULL, NULL, NULL);
		if (op_run(db, j) == 0) {
			j->result = STORE_OK;
			sqlite3_exec(db, "RELEASE r", NULL, NULL, NULL);
		} else {
			log_warnx("account database: write failed: %s", sqlite3_errmsg(db));
			sqlite3_exec(db, "ROLLBACK TO r", NULL, NULL, NULL);
			sqlite3_exec(db, "RELEASE r", NULL, NULL, NULL);
		}
	}
	if (!ok || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("account database: commit failed: %s", sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		TAILQ_FOREACH(j, batch, link)
			j->result = STORE_FAILED;
	}
}

/* writer: take everything queued, commit it as one batch, post the
 * results and wake the loop. */
static void *
writer(void *arg)
{
	struct store *st = arg;
	struct job_list batch;
	ssize_t w;

	TAILQ_INIT(&batch);
	pthread_mutex_lock(&st->mu);
	for (;;) {
		if (TAILQ_EMPTY(&st->todo)) {
			st->busy = false;
			pthread_cond_broadcast(&st->idle);
			if (st->stop)
				break;
			pthread_cond_wait(&st->cv, &st->mu);
			continue;
		}
		st->busy = true;
		TAILQ_CONCAT(&batch, &st->todo, link);
		pthread_mutex_unlock(&st->mu);
		commit_batch(st->db, &batch, &st->relaxed_now);
		pthread_mutex_lock(&st->mu);
		TAILQ_CONCAT(&st->done, &batch, link);
		w = write(st->wake[1], "", 1);
		(void)w;
	}
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

static void
job_free(struct store_job *j)
{
	store_sqlv_free(j->sqlv);
	free(j->a);
	free(j->b);
	free(j->c);
	free(j);
}

/* deliver: on the loop thread, the callbacks of every committed job. */
static void
deliver(struct store *st)
{
	struct job_list list;
	struct store_job *j;
	struct acct *a;

	TAILQ_INIT(&list);
	pthread_mutex_lock(&st->mu);
	TAILQ_CONCAT(&list, &st->done, link);
	pthread_mutex_unlock(&st->mu);
	while ((j = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, j, link);
		st->pending--;
		if (j->result != STORE_OK && j->kind == OP_CREATE) {
			HASH_FIND_STR(st->accts, j->folded, a);
			if (a != NULL && LIST_EMPTY(&a->pub.sessions))
				cache_del(st, a);
		}
		if (j->result != STORE_OK && j->kind == OP_NICK_ADD) {
			HASH_FIND_STR(st->accts, j->folded, a);
			if (a != NULL)
				cache_nick_del(st, a, j->b);
		}
		if (!j->cancelled && j->fn != NULL)
			j->fn(j->arg, j->result);
		job_free(j);
	}
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	deliver(arg);
}

/* db_open: open path with flags, busy timeout, WAL, FULL sync, foreign
 * keys; NULL with err filled. */
static sqlite3 *
db_open(const char *path, int flags, char *err, size_t errlen)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		errf(err, errlen, path, "cannot open", db);
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	if (user_version(db) < 0) {
		errf(err, errlen, path, "not an account database", db);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

struct store *
store_open(const char *path, struct event_base *base, enum casemapping cm, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	sigset_t all, old;

	if (st == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	st->cm = cm;
	st->wake[0] = st->wake[1] = -1;
	st->path = strdup(path);
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->cv, NULL);
	pthread_cond_init(&st->idle, NULL);
	TAILQ_INIT(&st->todo);
	TAILQ_INIT(&st->done);
	st->db = db_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    err, errlen);
	if (st->db == NULL)
		goto fail;
	/* WAL: readers (a backup) beside the writer, and a crash leaves the
	 * main file intact; FULL: a COMMIT is on disk when it returns, so a
	 * callback means durable */
	if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
		errf(err, errlen, path, "cannot set WAL mode", st->db);
		goto fail;
	}
	if (migrate(st->db, path, err, errlen) != 0 || cache_load(st, path, err, errlen) != 0 ||
	    chanreg_load(st, st->db, path, err, errlen) != 0 ||
	    readmark_load(st, st->db, path, err, errlen) != 0)
		goto fail;
	if (pipe2(st->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		snprintf(err, errlen, "%s: pipe: %s", path, strerror(errno));
		goto fail;
	}
	st->ev = event_new(base, st->wake[0], EV_READ | EV_PERSIST, wake_cb, st);
	if (st->ev == NULL || event_add(st->ev, NULL) != 0) {
		snprintf(err, errlen, "%s: cannot add the writer's event", path);
		goto fail;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	st->started = pthread_create(&st->thread, NULL, writer, st) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!st->started) {
		snprintf(err, errlen, "%s: cannot start the writer thread", path);
		goto fail;
	}
	log_info("%s: %zu accounts loaded, %zu registered channels", path, st->naccts,
	    chanreg_count(st));
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	struct store_job *j;
	struct acct *a, *atmp;
	struct cert *c, *ctmp;
	struct gnick *g, *gtmp;

	if (st == NULL)
		return;
	if (st->started) {
		pthread_mutex_lock(&st->mu);
		st->stop = true;
		pthread_cond_broadcast(&st->cv);
		pthread_mutex_unlock(&st->mu);
		pthread_join(st->thread, NULL); /* commits what is queued first */
		deliver(st); /* so that waiters whose client went are freed */
		/* writes the callbacks queued (a channel state that waited
		 * for the one before it, chanreg.c) are committed here */
		while (!TAILQ_EMPTY(&st->todo)) {
			struct job_list batch;
			TAILQ_INIT(&batch);
			TAILQ_CONCAT(&batch, &st->todo, link);
			commit_batch(st->db, &batch, &st->relaxed_now);
			TAILQ_CONCAT(&st->done, &batch, link);
			deliver(st);
		}
	}
	while ((j = TAILQ_FIRST(&st->todo)) != NULL) {
		TAILQ_REMOVE(&st->todo, j, link);
		job_free(j);
	}
	while ((j = TAILQ_FIRST(&st->done)) != NULL) {
		TAILQ_REMOVE(&st->done, j, link);
		job_free(j);
	}
	chanreg_free(st);
	readmark_free(st);
	HASH_ITER(hh, st->certs, c, ctmp) {
		HASH_DEL(st->certs, c);
		free(c);
	}
	HASH_ITER(hh, st->nicks, g, gtmp) {
		HASH_DEL(st->nicks, g);
		free(g);
	}
	HASH_ITER(hh, st->accts, a, atmp) {
		HASH_DEL(st->accts, a);
		free(a);
	}
	if (st->ev != NULL)
		event_free(st->ev);
	if (st->wake[0] >= 0) {
		close(st->wake[0]);
		close(st->wake[1]);
	}
	sqlite3_close(st->db);
	pthread_cond_destroy(&st->cv);
	pthread_cond_destroy(&st->idle);
	pthread_mutex_destroy(&st->mu);
	free(st->path);
	free(st);
}

void
store_sync(struct store *st)
{
	pthread_mutex_lock(&st->mu);
	while (!TAILQ_EMPTY(&st->todo) || st->busy)
		pthread_cond_wait(&st->idle, &st->mu);
	pthread_mutex_unlock(&st->mu);
	deliver(st);
}

int
store_check(const char *path, char *err, size_t errlen)
{
	sqlite3 *db;
	int v;

	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0; /* created on start */
	if ((db = db_open(path, SQLITE_OPEN_READONLY, err, errlen)) == NULL)
		return -1;
	v = user_version(db);
	sqlite3_close(db);
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %d is newer than this evircd's (%d)",
		    path, v, STORE_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

int
store_backup(const char *path, const char *dest, char *err, size_t errlen)
{
	sqlite3 *src, *dst = NULL;
	sqlite3_backup *b;
	int rc;

	if ((src = db_open(path, SQLITE_OPEN_READONLY, err, errlen)) == NULL)
		return -1;
	if (sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		errf(err, errlen, dest, "cannot open", dst);
		goto fail;
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		errf(err, errlen, dest, "cannot start the backup", dst);
		goto fail;
	}
	/* all pages in one step: the source is read in one read transaction,
	 * a consistent snapshot even while the server commits */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_OK || rc == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED)
		sqlite3_sleep(10);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		errf(err, errlen, dest, "backup failed", dst);
		goto fail;
	}
	sqlite3_close(dst);
	sqlite3_close(src);
	return 0;
fail:
	sqlite3_close(dst);
	sqlite3_close(src);
	return -1;
}

const struct store_account *
store_account_find(struct store *st, const char *name)
{
	struct acct *a = cache_find(st, name);

	return a != NULL ? &a->pub : NULL;
}

const struct store_account *
store_account_by_cert(struct store *st, const char *certfp)
{
	struct cert *c;

	HASH_FIND_STR(st->certs, certfp, c);
	return c != NULL ? &c->acct->pub : NULL;
}

const struct store_account *
store_account_by_nick(struct store *st, const char *nick)
{
	struct acct *a = cache_find(st, nick);
	struct gnick *g;

	if (a != NULL)
		return &a->pub;
	g = cache_find_nick(st, nick);
	return g != NULL ? &g->acct->pub : NULL;
}

struct store_sessions *
store_account_sessions(struct store *st, const char *name)
{
	struct acct *a = cache_find(st, name);

	return a != NULL ? &a->pub.sessions : NULL;
}

size_t
store_account_count(const struct store *st)
{
	return st->naccts;
}

void
store_account_foreach(struct store *st, bool (*fn)(void *arg, const struct store_account *a),
    void *arg)
{
	struct acct *a, *tmp;

	HASH_ITER(hh, st->accts, a, tmp) {
		if (!fn(arg, &a->pub))
			break;
	}
}

unsigned
store_pending(const struct store *st)
{
	return st->pending;
}

/* submit: make a job and queue it for the writer (an OP_SQL job takes
 * its statements with it: the writer may start on it at once). */
static struct store_job *
submit_v(struct store *st, enum op_kind kind, const char *folded, const char *a, const char *b,
    const char *c, int64_t n, store_done_fn fn, void *arg, struct store_sqlv *sqlv)
{
	struct store_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->st = st;
	j->kind = kind;
	snprintf(j->folded, sizeof(j->folded), "%s", folded);
	j->a = a != NULL ? strdup(a) : NULL;
	j->b = b != NULL ? strdup(b) : NULL;
	j->c = c != NULL ? strdup(c) : NULL;
	if ((a != NULL && j->a == NULL) || (b != NULL && j->b == NULL) ||
	    (c != NULL && j->c == NULL)) {
		job_free(j);
		return NULL;
	}
	j->n = n;
	j->fn = fn;
	j->arg = arg;
	j->sqlv = sqlv;
	st->pending++;
	pthread_mutex_lock(&st->mu);
	TAILQ_INSERT_TAIL(&st->todo, j, link);
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	return j;
}

static struct store_job *
submit(struct store *st, enum op_kind kind, const char *folded, const char *a, const char *b,
    const char *c, int64_t n, store_done_fn fn, void *arg)
{
	return submit_v(st, kind, folded, a, b, c, n, fn, arg, NULL);
}

static bool
name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max;
}

#define REFUSE(w) \
	do { \
		if (why != NULL) \
			*why = (w); \
		return NULL; \
	} while (0)

/* scram_ok: NULL (none) or a non-empty string that fits the cache. */
static bool
scram_ok(const char *scram)
{
	return scram == NULL || name_ok(scram, STORE_SCRAM_MAX - 1);
}

struct store_job *
store_account_create(struct store *st, const char *name, const char *hash, const char *scram,
    int64_t now, store_done_fn fn, void *arg, enum store_refusal *why)
{
	struct acct *a;
	struct store_job *j;

	if (!name_ok(name, STORE_NAME_MAX) || !name_ok(hash, STORE_HASH_MAX - 1) ||
	    !scram_ok(scram))
		REFUSE(STORE_REFUSED_BADARG);
	if (cache_find(st, name) != NULL || cache_find_nick(st, name) != NULL)
		REFUSE(STORE_REFUSED_EXISTS);
	if (st->pending >= STORE_QUEUE_MAX || (a = cache_add(st, name, hash, scram, now)) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	if ((j = submit(st, OP_CREATE, a->folded, name, hash, scram, now, fn, arg)) == NULL) {
		cache_del(st, a);
		REFUSE(STORE_REFUSED_FULL);
	}
	return j;
}

struct store_job *
store_account_set_hash(struct store *st, const char *name, const char *hash, const char *scram,
    store_done_fn fn, void *arg, enum store_refusal *why)
{
	struct acct *a = cache_find(st, name);
	struct store_job *j;

	if (!name_ok(hash, STORE_HASH_MAX - 1) || !scram_ok(scram))
		REFUSE(STORE_REFUSED_BADARG);
	if (a == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (st->pending >= STORE_QUEUE_MAX ||
	    (j = submit(st, OP_SET_HASH, a->folded, NULL, hash, scram, 0, fn, arg)) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	snprintf(a->pub.hash, sizeof(a->pub.hash), "%s", hash);
	/* the old secrets belong to the old password: never keep them */
	snprintf(a->pub.scram, sizeof(a->pub.scram), "%s", scram != NULL ? scram : "");
	return j;
}

struct store_job *
store_account_set_scram(struct store *st, const char *name, const char *hash, const char *scram,
    store_done_fn fn, void *arg, enum store_refusal *why)
{
	struct acct *a = cache_find(st, name);
	struct store_job *j;

	if (scram == NULL || !scram_ok(scram))
		REFUSE(STORE_REFUSED_BADARG);
	if (a == NULL || strcmp(a->pub.hash, hash) != 0)
		REFUSE(STORE_REFUSED_MISSING); /* dropped, or its password changed */
	if (st->pending >= STORE_QUEUE_MAX ||
	    (j = submit(st, OP_SET_SCRAM, a->folded, NULL, hash, scram, 0, fn, arg)) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	snprintf(a->pub.scram, sizeof(a->pub.scram), "%s", scram);
	return j;
}

struct store_job *
store_account_drop(struct store *st, const char *name, store_done_fn fn, void *arg,
    enum store_refusal *why)
{
	struct acct *a = cache_find(st, name);
	struct store_job *j;

	if (a == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (st->pending >= STORE_QUEUE_MAX ||
	    (j = submit(st, OP_DROP, a->folded, NULL, NULL, NULL, 0, fn, arg)) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	chanreg_account_gone(st, a->folded); /* the rows go by ON DELETE CASCADE */
	readmark_account_gone(st, a->folded);
	cache_del(st, a);
	return j;
}

static bool
certfp_ok(const char *fp)
{
	size_t i;

	if (strlen(fp) != STORE_CERTFP_LEN)
		return false;
	for (i = 0; i < STORE_CERTFP_LEN; i++)
		if (!((fp[i] >= '0' && fp[i] <= '9') || (fp[i] >= 'a' && fp[i] <= 'f')))
			return false;
	return true;
}

struct store_job *
store_cert_add(struct store *st, const char *name, const char *certfp, store_done_fn fn, void *arg,
    enum store_refusal *why)
{
	struct acct *a = cache_find(st, name);
	struct store_job *j;

	if (!certfp_ok(certfp))
		REFUSE(STORE_REFUSED_BADARG);
	if (a == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (st->pending >= STORE_QUEUE_MAX)
		REFUSE(STORE_REFUSED_FULL);
	if (cache_cert_add(st, a, certfp) != 0)
		REFUSE(STORE_REFUSED_CERT_TAKEN);
	if ((j = submit(st, OP_CERT_ADD, a->folded, certfp, NULL, NULL, 0, fn, arg)) == NULL) {
		cache_cert_del(st, a, certfp);
		REFUSE(STORE_REFUSED_FULL);
	}
	return j;
}

struct store_job *
store_cert_del(struct store *st, const char *name, const char *certfp, store_done_fn fn, void *arg,
    enum store_refusal *why)
{
	struct acct *a = cache_find(st, name);
	struct store_job *j;

	if (a == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (st->pending >= STORE_QUEUE_MAX)
		REFUSE(STORE_REFUSED_FULL);
	if (cache_cert_del(st, a, certfp) != 0)
		REFUSE(STORE_REFUSED_MISSING);
	if ((j = submit(st, OP_CERT_DEL, a->folded, certfp, NULL, NULL, 0, fn, arg)) == NULL)
		REFUSE(STORE_REFUSED_FULL); /* cache already changed; logged by caller */
	return j;
}

struct store_job *
store_nick_add(struct store *st, const char *name, const char *nick, int64_t now, store_done_fn fn,
    void *arg, enum store_refusal *why)
{
	struct acct *a = cache_find(st, name);
	struct store_job *j;
	char folded[STORE_NAME_MAX + 1];

	if (!name_ok(nick, STORE_NAME_MAX))
		REFUSE(STORE_REFUSED_BADARG);
	if (a == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (cache_find_nick(st, nick) != NULL || cache_find(st, nick) != NULL)
		REFUSE(STORE_REFUSED_EXISTS);
	if (a->pub.nnicks >= STORE_NICKS_MAX)
		REFUSE(STORE_REFUSED_NICKS_FULL);
	if (st->pending >= STORE_QUEUE_MAX || cache_nick_add(st, a, nick) != 0)
		REFUSE(STORE_REFUSED_FULL);
	casemap_fold(st->cm, folded, nick, sizeof(folded));
	if ((j = submit(st, OP_NICK_ADD, a->folded, folded, nick, NULL, now, fn, arg)) == NULL) {
		cache_nick_del(st, a, nick);
		REFUSE(STORE_REFUSED_FULL);
	}
	return j;
}

struct store_job *
store_nick_del(struct store *st, const char *name, const char *nick, store_done_fn fn, void *arg,
    enum store_refusal *why)
{
	struct acct *a = cache_find(st, name);
	struct gnick *g = cache_find_nick(st, nick);
	struct store_job *j;

	if (a == NULL || g == NULL || g->acct != a)
		REFUSE(STORE_REFUSED_MISSING);
	if (st->pending >= STORE_QUEUE_MAX ||
	    (j = submit(st, OP_NICK_DEL, a->folded, g->folded, NULL, NULL, 0, fn, arg)) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	cache_nick_del(st, a, nick);
	return j;
}

struct store_job *
store_account_set_enforce(struct store *st, const char *name, int enforce, store_done_fn fn,
    void *arg, enum store_refusal *why)
{
	struct acct *a = cache_find(st, name);
	struct store_job *j;

	if (enforce < STORE_ENFORCE_DEFAULT || enforce > STORE_ENFORCE_ON)
		REFUSE(STORE_REFUSED_BADARG);
	if (a == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (st->pending >= STORE_QUEUE_MAX ||
	    (j = submit(st, OP_SET_ENFORCE, a->folded, NULL, NULL, NULL, enforce, fn, arg)) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	a->pub.enforce = enforce;
	return j;
}

struct store_job *
store_account_suspend(struct store *st, const char *name, int64_t when, const char *by,
    const char *reason, store_done_fn fn, void *arg, enum store_refusal *why)
{
	struct acct *a = cache_find(st, name);
	struct store_job *j;
	char r[STORE_REASON_MAX + 1], b[STORE_NAME_MAX + 1];

	if (a == NULL)
		REFUSE(STORE_REFUSED_MISSING);
	if (when < 0)
		REFUSE(STORE_REFUSED_BADARG);
	snprintf(r, sizeof(r), "%s", when > 0 && reason != NULL ? reason : "");
	snprintf(b, sizeof(b), "%s", when > 0 && by != NULL ? by : "");
	if (st->pending >= STORE_QUEUE_MAX ||
	    (j = submit(st, OP_SUSPEND, a->folded, when > 0 ? b : NULL, when > 0 ? r : NULL, NULL,
		 when, fn, arg)) == NULL)
		REFUSE(STORE_REFUSED_FULL);
	a->pub.suspended = when;
	snprintf(a->pub.suspended_by, sizeof(a->pub.suspended_by), "%s", b);
	snprintf(a->pub.suspend_reason, sizeof(a->pub.suspend_reason), "%s", r);
	return j;
}

struct store_job *
store_call(struct store *st, store_run_fn run, void *run_arg, bool durable, store_done_fn fn,
    void *arg)
{
	struct store_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->st = st;
	j->kind = OP_CALL;
	j->fn = fn;
	j->arg = arg;
	j->run = run; /* set before the writer can see the job */
	j->run_arg = run_arg;
	j->relaxed = !durable;
	st->pending++;
	pthread_mutex_lock(&st->mu);
	TAILQ_INSERT_TAIL(&st->todo, j, link);
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	return j;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

void
store_job_cancel(struct store_job *job)
{
	job->cancelled = true; /* the writer never reads it; deliver frees the job */
}

struct store_sqlv *
store_sqlv_new(void)
{
	struct store_sqlv *v = calloc(1, sizeof(*v));

	if (v != NULL)
		v->tail = &v->head;
	return v;
}

void
store_sqlv_add(struct store_sqlv *v, const char *sql, const char *types, ...)
{
	struct sql_stmt *q;
	va_list ap;
	unsigned i;

	if (v->failed)
		return;
	if (strlen(types) > SQL_PARAMS_MAX || (q = calloc(1, sizeof(*q))) == NULL) {
		v->failed = true;
		return;
	}
	q->sql = sql;
	va_start(ap, types);
	for (i = 0; types[i] != '\0'; i++) {
		q->p[i].type = types[i];
		if (types[i] == 'i')
			q->p[i].i = va_arg(ap, int64_t);
		else {
			const char *str = va_arg(ap, const char *);
			if (str != NULL && (q->p[i].s = strdup(str)) == NULL)
				v->failed = true;
		}
	}
	va_end(ap);
	q->n = i;
	*v->tail = q;
	v->tail = &q->next;
}

void
store_sqlv_free(struct store_sqlv *v)
{
	struct sql_stmt *q, *next;
	unsigned i;

	if (v == NULL)
		return;
	for (q = v->head; q != NULL; q = next) {
		next = q->next;
		for (i = 0; i < q->n; i++)
			free(q->p[i].s);
		free(q);
	}
	free(v);
}

struct store_job *
store_sqlv_submit(struct store *st, struct store_sqlv *v, store_done_fn fn, void *arg,
    enum store_refusal *why)
{
	struct store_job *j;

	if (v == NULL || v->failed || st->pending >= STORE_QUEUE_MAX ||
	    (j = submit_v(st, OP_SQL, "", NULL, NULL, NULL, 0, fn, arg, v)) == NULL) {
		store_sqlv_free(v);
		REFUSE(STORE_REFUSED_FULL);
	}
	return j;
}

bool
store_queue_full(const struct store *st)
{
	return st->pending >= STORE_QUEUE_MAX;
}

enum casemapping
store_casemapping(const struct store *st)
{
	return st->cm;
}

struct readmark_cache **
store_readmark_slot(struct store *st)
{
	return &st->readmark;
}

struct chanreg_cache **
store_chanreg_slot(struct store *st)
{
	return &st->chanreg;
}
