/* test_store.c - the account database (store/store.h): migration of an
 * empty or missing file, refusal of a corrupt file or a newer schema with a
 * clear message, writes acknowledged only after commit and visible after a
 * reopen, the cache's rules (duplicate names, certificates), backup;
 * registered channels (store/chanreg.h): access levels, kept state, the
 * cascade when a founder's or member's account is dropped. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>
#include <sqlite3.h>

#include "store/chanreg.h"
#include "store/readmark.h"
#include "store/store.h"

static char dir[64], path[128];
static struct event_base *base;
static int acks, fails;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/evircd_store_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/accounts.db", dir);
	base = event_base_new();
	acks = fails = 0;
}

static void
teardown(void)
{
	char cmd[128];

	event_base_free(base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
done(void *arg, enum store_result r)
{
	(void)arg;
	if (r == STORE_OK)
		acks++;
	else
		fails++;
}

static int
file_version(const char *p)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = -1;

	ck_assert_int_eq(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

START_TEST(migrate_missing_and_empty)
{
	char err[512];
	struct store *st;
	int fd;

	/* a missing file: created and migrated */
	ck_assert_int_eq(store_check(path, err, sizeof(err)), 0);
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_uint_eq(store_account_count(st), 0);
	store_close(st);
	ck_assert_int_eq(file_version(path), STORE_SCHEMA_VERSION);
	/* an empty (0-byte) file: migrated too */
	unlink(path);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(store_check(path, err, sizeof(err)), 0);
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	store_close(st);
	ck_assert_int_eq(file_version(path), STORE_SCHEMA_VERSION);
	/* reopening a current file migrates nothing and keeps the version */
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_ptr_nonnull(st);
	store_close(st);
	ck_assert_int_eq(file_version(path), STORE_SCHEMA_VERSION);
}
END_TEST

START_TEST(corrupt_file_refused)
{
	char err[512], junk[4096];
	struct store *st;
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	memset(junk, 'x', sizeof(junk));
	fwrite(junk, 1, sizeof(junk), f);
	fclose(f);
	err[0] = '\0';
	ck_assert_int_eq(store_check(path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, path) != NULL && strstr(err, "not an account database") != NULL,
	    "%s", err);
	err[0] = '\0';
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_ptr_null(st);
	ck_assert_msg(strstr(err, "not an account database") != NULL, "%s", err);
	/* a directory where the file should be */
	ck_assert_ptr_null(store_open(dir, base, CASEMAP_RFC1459, err, sizeof(err)));
	ck_assert_msg(strstr(err, dir) != NULL, "%s", err);
}
END_TEST

START_TEST(newer_schema_refused)
{
	char err[512];
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_check(path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "schema version 99 is newer") != NULL, "%s", err);
	ck_assert_ptr_null(store_open(path, base, CASEMAP_RFC1459, err, sizeof(err)));
	ck_assert_msg(strstr(err, "schema version 99 is newer") != NULL, "%s", err);
}
END_TEST

static const char fp1[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char fp2[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

START_TEST(writes_persist)
{
	char err[512];
	struct store *st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	enum store_refusal why;
	const struct store_account *a;

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(
	    store_account_create(st, "Alice[1]", "$argon2id$h1", "S1", 1000, done, NULL, &why));
	/* the cache answers at once, casefolded (rfc1459: [ is { ) */
	a = store_account_find(st, "alice{1}");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->name, "Alice[1]");
	ck_assert_ptr_null(
	    store_account_create(st, "ALICE[1]", "$argon2id$x", NULL, 1, done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_EXISTS);
	ck_assert_ptr_nonnull(
	    store_account_create(st, "bob", "$argon2id$h2", "S2", 2000, done, NULL, &why));
	ck_assert_ptr_nonnull(
	    store_account_set_hash(st, "BOB", "$argon2id$h3", "S3", done, NULL, &why));
	ck_assert_ptr_nonnull(store_cert_add(st, "alice[1]", fp1, done, NULL, &why));
	ck_assert_ptr_null(store_cert_add(st, "bob", fp1, done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_CERT_TAKEN);
	ck_assert_ptr_null(store_cert_add(st, "bob", "ABC", done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_BADARG);
	ck_assert_ptr_nonnull(store_cert_add(st, "bob", fp2, done, NULL, &why));
	ck_assert_ptr_nonnull(
	    store_account_create(st, "carol", "$argon2id$h4", NULL, 3, done, NULL, &why));
	ck_assert_ptr_nonnull(store_account_drop(st, "carol", done, NULL, &why));
	ck_assert_ptr_null(store_account_find(st, "carol"));
	ck_assert_ptr_null(store_account_drop(st, "carol", done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_MISSING);
	/* a cancelled job is written but not called back */
	store_job_cancel(
	    store_account_create(st, "dave", "$argon2id$h5", NULL, 4, done, NULL, &why));
	/* nothing is acknowledged before its commit is delivered on the loop */
	ck_assert_int_eq(acks, 0);
	store_sync(st);
	ck_assert_int_eq(acks, 7);
	ck_assert_int_eq(fails, 0);
	ck_assert_uint_eq(store_pending(st), 0);
	store_close(st);

	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_uint_eq(store_account_count(st), 3); /* Alice[1], bob, dave */
	a = store_account_find(st, "BOB");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->hash, "$argon2id$h3");
	ck_assert_str_eq(a->scram, "S3");
	ck_assert_int_eq(a->created, 2000);
	ck_assert_str_eq(store_account_find(st, "alice[1]")->scram, "S1");
	ck_assert_str_eq(store_account_find(st, "dave")->scram, "");
	ck_assert_ptr_eq(store_account_by_cert(st, fp2), a);
	ck_assert_str_eq(store_account_by_cert(st, fp1)->name, "Alice[1]");
	ck_assert_ptr_null(store_account_find(st, "carol"));
	ck_assert_ptr_nonnull(store_account_find(st, "dave"));
	/* dropping an account drops its certificates (ON DELETE CASCADE) */
	ck_assert_ptr_nonnull(store_account_drop(st, "alice[1]", NULL, NULL, &why));
	ck_assert_ptr_null(store_account_by_cert(st, fp1));
	ck_assert_ptr_nonnull(store_cert_del(st, "bob", fp2, NULL, NULL, &why));
	store_close(st); /* commits what is queued */
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_uint_eq(store_account_count(st), 2);
	ck_assert_ptr_null(store_account_by_cert(st, fp1));
	ck_assert_ptr_null(store_account_by_cert(st, fp2));
	store_close(st);
}
END_TEST

/* SCRAM secrets (schema 3): a file of schema 1 is migrated with its
 * accounts kept and no secrets; secrets are added beside the hash they
 * were derived with only (a password changed meanwhile refuses them),
 * and a new password without secrets clears the old ones. */
START_TEST(scram_secrets)
{
	char err[512];
	sqlite3 *db;
	struct store *st;
	enum store_refusal why;
	const struct store_account *a;

	/* a schema-1 file as the previous evircd wrote it */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
			     "CREATE TABLE accounts (folded TEXT PRIMARY KEY, name TEXT NOT NULL,"
			     " hash TEXT NOT NULL, created INTEGER NOT NULL) WITHOUT ROWID;"
			     "CREATE TABLE certfps (certfp TEXT PRIMARY KEY, account TEXT NOT NULL"
			     " REFERENCES accounts(folded) ON DELETE CASCADE) WITHOUT ROWID;"
			     "INSERT INTO accounts VALUES ('old', 'Old', '$argon2id$o', 7);"
			     "PRAGMA user_version = 1",
			     NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(file_version(path), STORE_SCHEMA_VERSION);
	a = store_account_find(st, "OLD");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->hash, "$argon2id$o");
	ck_assert_str_eq(a->scram, "");
	/* derived beside another hash: refused */
	ck_assert_ptr_null(
	    store_account_set_scram(st, "old", "$argon2id$x", "SX", done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_MISSING);
	ck_assert_ptr_null(
	    store_account_set_scram(st, "none", "$argon2id$o", "SX", done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_MISSING);
	ck_assert_str_eq(a->scram, "");
	ck_assert_ptr_nonnull(
	    store_account_set_scram(st, "old", "$argon2id$o", "SO", done, NULL, &why));
	ck_assert_str_eq(a->scram, "SO");
	store_sync(st);
	ck_assert_int_eq(acks, 1);
	store_close(st);
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_ptr_nonnull(st);
	a = store_account_find(st, "old");
	ck_assert_str_eq(a->scram, "SO");
	/* a new password without secrets clears the old password's */
	ck_assert_ptr_nonnull(
	    store_account_set_hash(st, "old", "$argon2id$n", NULL, done, NULL, &why));
	ck_assert_str_eq(a->scram, "");
	store_close(st);
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(store_account_find(st, "old")->scram, "");
	ck_assert_str_eq(store_account_find(st, "old")->hash, "$argon2id$n");
	store_close(st);
}
END_TEST

/* acks arrive through the loop (the pipe event), not only via store_sync */
START_TEST(ack_through_loop)
{
	char err[512];
	struct store *st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	int i;

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(
	    store_account_create(st, "eve", "$argon2id$h", NULL, 5, done, NULL, NULL));
	for (i = 0; i < 500 && acks == 0; i++)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_eq(acks, 1);
	store_close(st);
}
END_TEST

START_TEST(backup_while_open)
{
	char err[512], dest[160];
	struct store *st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	struct store *copy;

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(
	    store_account_create(st, "frank", "$argon2id$h", NULL, 6, NULL, NULL, NULL));
	store_sync(st);
	snprintf(dest, sizeof(dest), "%s/backup.db", dir);
	ck_assert_msg(store_backup(path, dest, err, sizeof(err)) == 0, "%s", err);
	store_close(st);
	copy = store_open(dest, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_ptr_nonnull(copy);
	ck_assert_ptr_nonnull(store_account_find(copy, "FRANK"));
	store_close(copy);
	ck_assert_int_eq(store_backup("/nonexistent/x.db", dest, err, sizeof(err)), -1);
}
END_TEST

/* Schema 2: grouped nicks share the account namespace, survive a reopen
 * and go with their account; SET ENFORCE and SUSPEND persist. */
START_TEST(nicks_enforce_suspend)
{
	char err[512];
	struct store *st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	enum store_refusal why;
	const struct store_account *a;
	char nick[16];
	int i;

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(
	    store_account_create(st, "alice", "$argon2id$h", NULL, 1, done, NULL, &why));
	ck_assert_ptr_nonnull(
	    store_account_create(st, "bob", "$argon2id$h", NULL, 2, done, NULL, &why));
	ck_assert_ptr_nonnull(store_nick_add(st, "ALICE", "Ally[x]", 3, done, NULL, &why));
	a = store_account_by_nick(st, "ally{X}");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->name, "alice");
	ck_assert_uint_eq(a->nnicks, 1);
	ck_assert_str_eq(a->nicks[0], "Ally[x]");
	ck_assert_ptr_eq(store_account_by_nick(st, "Alice"), a);
	ck_assert_ptr_null(store_account_find(st, "ally[x]")); /* a nick, not an account */
	/* one namespace: no account named like a grouped nick, no nick named
	 * like an account or grouped twice */
	ck_assert_ptr_null(
	    store_account_create(st, "ALLY[X]", "$argon2id$h", NULL, 4, done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_EXISTS);
	ck_assert_ptr_null(store_nick_add(st, "alice", "bob", 4, done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_EXISTS);
	ck_assert_ptr_null(store_nick_add(st, "bob", "ally[x]", 4, done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_EXISTS);
	for (i = 1; i < STORE_NICKS_MAX; i++) {
		snprintf(nick, sizeof(nick), "b%d", i);
		ck_assert_ptr_nonnull(store_nick_add(st, "bob", nick, 5, NULL, NULL, &why));
	}
	ck_assert_ptr_nonnull(store_nick_add(st, "bob", "bfull", 5, NULL, NULL, &why));
	ck_assert_ptr_null(store_nick_add(st, "bob", "bover", 5, NULL, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_NICKS_FULL);
	ck_assert_ptr_null(store_nick_del(st, "alice", "b1", NULL, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_MISSING);
	ck_assert_ptr_nonnull(store_nick_del(st, "bob", "B1", NULL, NULL, &why));
	ck_assert_ptr_null(store_account_by_nick(st, "b1"));
	ck_assert_ptr_nonnull(
	    store_account_set_enforce(st, "alice", STORE_ENFORCE_OFF, NULL, NULL, &why));
	ck_assert_ptr_nonnull(
	    store_account_suspend(st, "bob", 77, "oper", "spam", NULL, NULL, &why));
	store_sync(st);
	ck_assert_int_eq(fails, 0);
	store_close(st);

	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_ptr_nonnull(st);
	a = store_account_by_nick(st, "ally[x]");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->name, "alice");
	ck_assert_int_eq(a->enforce, STORE_ENFORCE_OFF);
	ck_assert_int_eq(a->suspended, 0);
	a = store_account_find(st, "bob");
	ck_assert_uint_eq(a->nnicks, STORE_NICKS_MAX - 1);
	ck_assert_int_eq(a->enforce, STORE_ENFORCE_DEFAULT);
	ck_assert_int_eq(a->suspended, 77);
	ck_assert_str_eq(a->suspended_by, "oper");
	ck_assert_str_eq(a->suspend_reason, "spam");
	ck_assert_ptr_null(store_account_by_nick(st, "b1"));
	ck_assert_ptr_eq(store_account_by_nick(st, "b2"), a);
	/* unsuspend; drop takes the grouped nicks along (cache and file) */
	ck_assert_ptr_nonnull(store_account_suspend(st, "bob", 0, NULL, NULL, NULL, NULL, &why));
	ck_assert_int_eq(a->suspended, 0);
	ck_assert_ptr_nonnull(store_account_drop(st, "alice", NULL, NULL, &why));
	ck_assert_ptr_null(store_account_by_nick(st, "ally[x]"));
	ck_assert_ptr_nonnull(
	    store_account_create(st, "ally[x]", "$argon2id$h", NULL, 6, NULL, NULL, &why));
	store_close(st);
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(store_account_find(st, "ally[x]"));
	ck_assert_int_eq(store_account_find(st, "bob")->suspended, 0);
	store_close(st);
}
END_TEST

/* A file of schema 1 (as the first release wrote it) is migrated to the
 * current version with its accounts and certificates kept. */
START_TEST(migrate_from_v1)
{
	static const char v1[] =
	    "CREATE TABLE accounts (folded TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT "
	    "NULL, created INTEGER NOT NULL) WITHOUT ROWID;"
	    "CREATE TABLE certfps (certfp TEXT PRIMARY KEY, account TEXT NOT NULL REFERENCES "
	    "accounts(folded) ON DELETE CASCADE) WITHOUT ROWID;"
	    "CREATE INDEX certfps_account ON certfps(account);"
	    "INSERT INTO accounts VALUES ('old', 'Old', '$argon2id$h', 42);"
	    "PRAGMA user_version = 1;";
	char err[512], sql[256];
	struct store *st;
	sqlite3 *db;
	const struct store_account *a;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "INSERT INTO certfps VALUES ('%s', 'old')", fp1);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_check(path, err, sizeof(err)), 0);
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	a = store_account_find(st, "OLD");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->created, 42);
	ck_assert_int_eq(a->enforce, STORE_ENFORCE_DEFAULT);
	ck_assert_int_eq(a->suspended, 0);
	ck_assert_str_eq(a->scram, ""); /* none until a password login */
	ck_assert_ptr_eq(store_account_by_cert(st, fp1), a);
	ck_assert_ptr_nonnull(store_nick_add(st, "old", "older", 1, done, NULL, NULL));
	store_sync(st);
	ck_assert_int_eq(acks, 1);
	store_close(st);
	ck_assert_int_eq(file_version(path), STORE_SCHEMA_VERSION);
}
END_TEST

/* count_rows: rows of table in the file at p (read by SQLite itself). */
static int
count_rows(const char *p, const char *table)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char sql[128];
	int n = -1;

	ck_assert_int_eq(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

START_TEST(channels_persist)
{
	char err[512];
	struct store *st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	enum store_refusal why;
	const struct chanreg *r;
	const struct chanreg_access *a;
	struct chanreg_mask masks[2] = {
		{ 'b', (char *)"*!*@bad.example", (char *)"alice!a@h", 77 },
		{ 'I', (char *)"a:friend", (char *)"alice!a@h", 78 },
	};
	struct chanreg_state state = { "ntk", "sekrit", 0, "Hello", "alice!a@h", 50, masks, 2 };

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(
	    store_account_create(st, "alice", "$argon2id$h", NULL, 1, NULL, NULL, NULL));
	ck_assert_ptr_nonnull(
	    store_account_create(st, "bob", "$argon2id$h", NULL, 1, NULL, NULL, NULL));
	ck_assert_ptr_nonnull(
	    store_account_create(st, "carol", "$argon2id$h", NULL, 1, NULL, NULL, NULL));
	ck_assert_ptr_null(chanreg_register(st, "#x", "nobody", 5, &state, done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_MISSING);
	ck_assert_ptr_nonnull(
	    chanreg_register(st, "#Chan[1]", "ALICE", 5, &state, done, NULL, &why));
	ck_assert_ptr_null(chanreg_register(st, "#chan{1}", "bob", 5, &state, done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_EXISTS);
	ck_assert_ptr_nonnull(chanreg_register(st, "#bobs", "bob", 6, &state, done, NULL, &why));
	ck_assert_uint_eq(chanreg_founded(st, "alice"), 1);
	r = chanreg_find(st, "#CHAN{1}");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "#Chan[1]");
	ck_assert_int_eq(chanreg_level(r, "Alice"), CHANREG_FOUNDER);
	ck_assert_ptr_nonnull(
	    chanreg_access_set(st, "#chan[1]", "bob", CHANREG_OP, "alice", 9, done, NULL, &why));
	ck_assert_ptr_nonnull(chanreg_access_set(st, "#chan[1]", "carol", CHANREG_VOICE, "alice", 9,
	    done, NULL, &why));
	ck_assert_ptr_null(
	    chanreg_access_set(st, "#chan[1]", "alice", CHANREG_VOICE, "bob", 9, done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_BADARG); /* the founder's entry */
	ck_assert_ptr_null(
	    chanreg_access_set(st, "#chan[1]", "nobody", CHANREG_OP, "alice", 9, done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_MISSING);
	ck_assert_int_eq(chanreg_level(r, "bob"), CHANREG_OP);
	ck_assert_int_eq(chanreg_level(r, "carol"), CHANREG_VOICE);
	ck_assert_int_eq(chanreg_level(r, "dave"), CHANREG_NONE);
	ck_assert_ptr_nonnull(
	    chanreg_set_flags(st, "#chan[1]", CHANREG_KEEPTOPIC, done, NULL, &why));
	/* a state write coalesces: the second waits for the first */
	state.modes = "nts";
	state.key = NULL;
	state.nmasks = 1;
	ck_assert(chanreg_save(st, "#chan[1]", &state));
	state.modes = "ntsm";
	ck_assert(chanreg_save(st, "#chan[1]", &state));
	ck_assert(!chanreg_save(st, "#none", &state));
	store_sync(st);
	store_sync(st); /* the folded state write */
	ck_assert_int_eq(acks, 5);
	ck_assert_int_eq(fails, 0);
	store_close(st);
	ck_assert_int_eq(count_rows(path, "channels"), 2);
	ck_assert_int_eq(count_rows(path, "chanaccess"), 2);
	ck_assert_int_eq(count_rows(path, "chanlists"), 3); /* #chan[1] 1, #bobs 2 */

	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_uint_eq(chanreg_count(st), 2);
	r = chanreg_find(st, "#chan[1]");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->modes, "ntsm");
	ck_assert_ptr_null(r->key);
	ck_assert_str_eq(r->topic, "Hello");
	ck_assert_int_eq(r->topic_time, 50);
	ck_assert_uint_eq(r->nmasks, 1);
	ck_assert_str_eq(r->masks[0].mask, "*!*@bad.example");
	ck_assert_int_eq(r->masks[0].kind, 'b');
	a = chanreg_access_first(r);
	ck_assert_int_eq(a->level, CHANREG_FOUNDER);
	ck_assert_str_eq(a->account, "alice");
	ck_assert_int_eq(chanreg_level(r, "BOB"), CHANREG_OP);
	ck_assert_str_eq(chanreg_find(st, "#bobs")->key, "sekrit");
	/* SET KEEPTOPIC OFF forgets the topic */
	ck_assert_ptr_nonnull(chanreg_set_flags(st, "#chan[1]", 0, NULL, NULL, &why));
	ck_assert_ptr_null(r->topic);
	/* removing an entry; dropping bob's account drops #bobs (he founded
	 * it) and nothing else; dropping carol's takes her entry */
	ck_assert_ptr_nonnull(chanreg_access_set(st, "#chan[1]", "carol", CHANREG_NONE, "alice", 9,
	    NULL, NULL, &why));
	ck_assert_ptr_null(chanreg_access_set(st, "#chan[1]", "carol", CHANREG_NONE, "alice", 9,
	    NULL, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_MISSING);
	ck_assert_ptr_nonnull(store_account_drop(st, "bob", NULL, NULL, &why));
	ck_assert_ptr_null(chanreg_find(st, "#bobs"));
	r = chanreg_find(st, "#chan[1]");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(chanreg_level(r, "bob"), CHANREG_NONE);
	ck_assert_uint_eq(r->naccess, 1);
	store_close(st);
	ck_assert_int_eq(count_rows(path, "channels"), 1);
	ck_assert_int_eq(count_rows(path, "chanaccess"), 0);
	/* the founder's account goes: the channel goes, on disk too */
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(chanreg_find(st, "#chan[1]"));
	ck_assert_ptr_null(chanreg_find(st, "#chan[1]")->topic);
	ck_assert_ptr_nonnull(store_account_drop(st, "alice", NULL, NULL, &why));
	ck_assert_uint_eq(chanreg_count(st), 0);
	ck_assert_ptr_nonnull(chanreg_register(st, "#c", "carol", 5, &state, NULL, NULL, &why));
	ck_assert_ptr_nonnull(chanreg_drop(st, "#c", done, NULL, &why));
	ck_assert_ptr_null(chanreg_drop(st, "#c", done, NULL, &why));
	ck_assert_int_eq(why, STORE_REFUSED_MISSING);
	store_close(st);
	ck_assert_int_eq(count_rows(path, "channels"), 0);
	ck_assert_int_eq(count_rows(path, "chanlists"), 0);
}
END_TEST

/* rows the server did not write (a hand-edited or damaged file, written
 * without foreign keys) are skipped with a log line; the rest loads */
START_TEST(channels_bad_rows_skipped)
{
	char err[512];
	struct store *st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	sqlite3 *db;
	const struct chanreg *r;

	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(
	    store_account_create(st, "alice", "$argon2id$h", NULL, 1, NULL, NULL, NULL));
	ck_assert_ptr_nonnull(chanreg_register(st, "#good", "alice", 5,
	    &(struct chanreg_state){ .modes = "nt" }, NULL, NULL, NULL));
	store_close(st);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK); /* foreign keys off */
	ck_assert_int_eq(
	    sqlite3_exec(db,
		"INSERT INTO channels (folded, name, founder, registered) VALUES "
		" ('#orphan', '#orphan', 'nobody', 1), ('#empty', '', 'alice', 1);"
		"INSERT INTO chanaccess VALUES ('#good', 'alice', 2, 'x', 1),"
		" ('#good', 'ghost', 2, 'x', 1), ('#none', 'alice', 1, 'x', 1);"
		"INSERT INTO chanlists VALUES ('#good', 'x', 'm', 's', 1, 0),"
		" ('#good', 'b', '', 's', 1, 1), ('#good', 'b', 'ok!*@*', 's', 1, 2),"
		" ('#none', 'b', 'x!*@*', 's', 1, 3);"
		"UPDATE channels SET chanlimit = -5, modes = 'ntttttttttttttttttttttttttttttttttt'"
		" WHERE folded = '#good';",
		NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_uint_eq(chanreg_count(st), 1);
	r = chanreg_find(st, "#good");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->naccess, 1); /* the founder; its duplicate row skipped */
	ck_assert_uint_eq(r->nmasks, 1);
	ck_assert_str_eq(r->masks[0].mask, "ok!*@*");
	ck_assert_uint_eq(r->limit, 0);
	ck_assert_str_eq(r->modes, ""); /* too long: left out */
	store_close(st);
}
END_TEST

/* Read markers (store/readmark.h): only forward, per account, bounded
 * per account, dropped with the account, kept over a reopen; a row of an
 * unknown account is skipped on load. */
START_TEST(readmarks)
{
	char err[512], t[32];
	enum store_refusal why;
	struct store *st;
	sqlite3 *db;
	int i;

	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_ptr_nonnull(
	    store_account_create(st, "alice", "$argon2id$h1", NULL, 1, done, NULL, &why));
	ck_assert_ptr_nonnull(
	    store_account_create(st, "bob", "$argon2id$h2", NULL, 1, done, NULL, &why));
	ck_assert_int_eq(readmark_get(st, "alice", "#c"), 0);
	ck_assert_int_eq(readmark_set(st, "alice", "#c", 5000), 1);
	ck_assert_int_eq(readmark_set(st, "alice", "#c", 4000), 0);
	ck_assert_int_eq(readmark_set(st, "alice", "#c", 5000), 0);
	ck_assert_int_eq(readmark_get(st, "alice", "#c"), 5000);
	ck_assert_int_eq(readmark_get(st, "bob", "#c"), 0);
	ck_assert_int_eq(readmark_set(st, "bob", "carol", 7000), 1);
	/* the bound: READMARK_PER_ACCOUNT targets, then refused (the
	 * existing ones still move) */
	for (i = 1; i < READMARK_PER_ACCOUNT; i++) {
		snprintf(t, sizeof(t), "#t%d", i);
		ck_assert_int_eq(readmark_set(st, "alice", t, 1000 + i), 1);
		if (i % 512 == 0)
			store_sync(st); /* keep the write queue short */
	}
	ck_assert_int_eq(readmark_set(st, "alice", "#onemore", 1), -1);
	ck_assert_int_eq(readmark_set(st, "alice", "#c", 6000), 1);
	ck_assert_int_eq(readmark_set(st, "alice", "bad target", 1), -1);
	store_sync(st);
	store_close(st);

	/* a row of an account that does not exist is skipped */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
			     "PRAGMA foreign_keys = OFF; INSERT INTO readmarkers VALUES "
			     "('ghost', '#c', 1), ('bob', '#neg', -5)",
			     NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_int_eq(readmark_get(st, "alice", "#c"), 6000);
	ck_assert_int_eq(readmark_get(st, "bob", "carol"), 7000);
	ck_assert_int_eq(readmark_get(st, "ghost", "#c"), 0);
	ck_assert_int_eq(readmark_get(st, "bob", "#neg"), 0);
	ck_assert_uint_eq(readmark_count(st), READMARK_PER_ACCOUNT + 1);
	/* dropping alice drops her markers, bob's stay */
	ck_assert_ptr_nonnull(store_account_drop(st, "alice", done, NULL, &why));
	ck_assert_int_eq(readmark_get(st, "alice", "#c"), 0);
	ck_assert_uint_eq(readmark_count(st), 1);
	store_sync(st);
	store_close(st);
	st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert_uint_eq(readmark_count(st), 1);
	store_close(st);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, migrate_missing_and_empty);
	tcase_add_test(tc, corrupt_file_refused);
	tcase_add_test(tc, newer_schema_refused);
	tcase_add_test(tc, writes_persist);
	tcase_add_test(tc, ack_through_loop);
	tcase_add_test(tc, scram_secrets);
	tcase_add_test(tc, backup_while_open);
	tcase_add_test(tc, nicks_enforce_suspend);
	tcase_add_test(tc, migrate_from_v1);
	tcase_add_test(tc, channels_persist);
	tcase_add_test(tc, channels_bad_rows_skipped);
	tcase_add_test(tc, readmarks);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
