/* history.c - the message history: the tail cache, the writes through
 * the store's writer, the reader thread. See store/history.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>
#include <uthash.h>

#include "core/log.h"
#include "store/history.h"
#include "store/store.h"

/* A cached row: one allocation, strings in data. */
struct hentry {
	TAILQ_ENTRY(hentry) tlink; /* its target's rows, oldest first */
	TAILQ_ENTRY(hentry) glink; /* every row, oldest first (eviction) */
	UT_hash_handle hh; /* h->by_msgid */
	struct htarget *t;
	struct hist_row row;
	const char *account; /* NULL: none */
	const char *nick;
	size_t size; /* bytes charged to the budget */
	char data[];
};
TAILQ_HEAD(hentry_list, hentry);

/* A target in the cache (exists while it has rows). */
struct htarget {
	UT_hash_handle hh; /* h->targets, key = key */
	struct hentry_list rows;
	unsigned count;
	int64_t last_time; /* newest row's time (TARGETS without a database) */
	bool complete; /* with a database: the cache holds every row of the
			* target there is (a disk read found none older than
			* its first cached row, and none was evicted since) */
	char key[];
};

/* A row queued for the database: a header, then its strings (each with
 * its NUL; a length of 0 is NULL) in the batch's one buffer, so a row costs
 * no allocation (a malloc per row and the frees of a whole batch showed as
 * page faults in the loop's system time). */
enum { W_TARGET, W_MSGID, W_ACCOUNT, W_NICK, W_LINE, W_TAGS, W_NSTR };
struct wrow {
	uint64_t seq;
	int64_t time_ms;
	uint8_t kind, flags;
	uint16_t len[W_NSTR];
};

/* The rows of one batch: one store job. */
struct wbatch {
	struct hist *h;
	size_t n, len, cap; /* rows; bytes used and allocated in buf */
	char *buf;
};

struct hist_job {
	TAILQ_ENTRY(hist_job) link;
	struct hist *h;
	struct hist_query q;
	char **keys; /* owned copies of q.keys */
	char *account; /* owned copy of q.account */
	uint64_t need; /* write batches that must be done first */
	uint64_t min; /* the reader: the target's oldest id on the disk, 0 = none */
	struct hist_result *res; /* set by the reader; NULL = failed */
	hist_done_fn fn;
	void *arg;
	bool cancelled; /* loop thread only */
};
TAILQ_HEAD(hjob_list, hist_job);

#define READ_QUEUE_MAX	256 /* queries waiting for the reader */
#define HIST_FLUSH_MS	100 /* rows wait at most this long for their batch */
#define HIST_FLUSH_ROWS 4096 /* or until a batch has this many */

struct hist {
	struct hist_conf conf;
	struct store *st; /* NULL: memory only */
	struct htarget *targets;
	struct hentry *by_msgid;
	struct hentry_list all;
	size_t bytes, rows;
	uint64_t next_seq;
	struct hist_stats stats;
	/* writes */
	struct wbatch *cur; /* being filled */
	struct wbatch *spare; /* an empty batch kept for the next one */
	struct event *flush_ev;
	size_t wbytes; /* queued, not yet committed */
	char **touched; /* keys appended to since the last sweep */
	size_t ntouched, touched_cap;
	time_t last_drop_log;
	/* reads */
	pthread_t thread;
	bool started;
	sqlite3 *rdb; /* reader thread only */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hjob_list todo, done; /* under mu */
	uint64_t wsubmitted; /* loop thread: write batches handed to the store */
	uint64_t wdone; /* under mu: write batches committed or failed */
	bool stop; /* under mu */
	unsigned queued; /* loop thread: jobs not yet delivered */
	int wake[2];
	struct event *wake_ev;
};

/* ---- the cache ---- */

static void
entry_free(struct hist *h, struct hentry *e)
{
	struct htarget *t = e->t;

	if (e == TAILQ_FIRST(&t->rows))
		t->complete = false; /* older rows are on the disk only */
	TAILQ_REMOVE(&t->rows, e, tlink);
	TAILQ_REMOVE(&h->all, e, glink);
	HASH_DEL(h->by_msgid, e);
	h->bytes -= e->size;
	h->rows--;
	t->count--;
	free(e);
	if (t->count == 0) {
		HASH_DEL(h->targets, t);
		h->bytes -= sizeof(*t) + strlen(t->key) + 1;
		free(t);
	}
}

/* shrink: evict the oldest rows until the cache fits its budget. */
static void
shrink(struct hist *h)
{
	struct hentry *e;

	while (h->bytes > h->conf.cache_bytes && (e = TAILQ_FIRST(&h->all)) != NULL) {
		entry_free(h, e);
		h->stats.evicted++;
	}
}

static struct htarget *
target_get(struct hist *h, const char *key)
{
	struct htarget *t;
	size_t len = strlen(key);

	HASH_FIND(hh, h->targets, key, len, t);
	if (t != NULL)
		return t;
	if ((t = calloc(1, sizeof(*t) + len + 1)) == NULL)
		return NULL;
	memcpy(t->key, key, len + 1);
	TAILQ_INIT(&t->rows);
	HASH_ADD(hh, h->targets, key[0], len, t);
	h->bytes += sizeof(*t) + len + 1;
	return t;
}

/* put: copy the strings into dst one after another; each pointer of out
 * is set to its copy (NULL stays NULL). Returns the bytes used. */
static size_t
put(char *dst, const char **out, const char *s)
{
	size_t n;

	if (s == NULL) {
		*out = NULL;
		return 0;
	}
	n = strlen(s) + 1;
	memcpy(dst, s, n);
	*out = dst;
	return n;
}

static size_t
slen(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

/* ---- writes ---- */

static void
wbatch_free(struct wbatch *b)
{
	if (b == NULL)
		return;
	free(b->buf);
	free(b);
}

/* wrow_next: the offset of the row after r (at off), 8-byte aligned. */
static size_t
wrow_next(size_t off, const struct wrow *r)
{
	size_t n = sizeof(*r);
	int k;

	for (k = 0; k < W_NSTR; k++)
		n += r->len[k];
	return off + ((n + 7) & ~(size_t)7);
}

/* run_insert: on the writer thread, inside its batch. */
static int
run_insert(sqlite3 *db, void *arg)
{
	struct wbatch *b = arg;
	sqlite3_stmt *s;
	size_t i, off;
	int rc = 0;

	if (sqlite3_prepare_v2(db,
		"INSERT OR IGNORE INTO history (id, target, msgid, time, kind, flags, account,"
		" nick, line, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		-1, &s, NULL) != SQLITE_OK)
		return -1;
	for (i = 0, off = 0; i < b->n && rc == 0; i++) {
		const struct wrow *r = (const struct wrow *)(void *)(b->buf + off);
		const char *str[W_NSTR], *q = b->buf + off + sizeof(*r);
		int k;
		for (k = 0; k < W_NSTR; k++) {
			str[k] = r->len[k] ? q : NULL;
			q += r->len[k];
		}
		off = wrow_next(off, r);
		sqlite3_bind_int64(s, 1, (sqlite3_int64)r->seq);
		sqlite3_bind_text(s, 2, str[W_TARGET], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, str[W_MSGID], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, r->time_ms);
		sqlite3_bind_int(s, 5, r->kind);
		sqlite3_bind_int(s, 6, r->flags);
		if (str[W_ACCOUNT] != NULL)
			sqlite3_bind_text(s, 7, str[W_ACCOUNT], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 7);
		sqlite3_bind_text(s, 8, str[W_NICK] != NULL ? str[W_NICK] : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 9, str[W_LINE], -1, SQLITE_STATIC);
		if (str[W_TAGS] != NULL)
			sqlite3_bind_text(s, 10, str[W_TAGS], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 10);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	sqlite3_finalize(s);
	return rc;
}

/* spare: keep b for the next batch (its buffer already paged in) unless
 * one is kept already or it grew past 4 MiB. */
static void
spare(struct hist *h, struct wbatch *b)
{
	if (h->spare == NULL && b->cap <= (4u << 20)) {
		b->n = b->len = 0;
		h->spare = b;
	} else
		wbatch_free(b);
}

/* write_done: a batch is committed (or failed: logged by the store). */
static void
write_done(void *arg, enum store_result r)
{
	struct wbatch *b = arg;
	struct hist *h = b->h;

	if (r != STORE_OK)
		h->stats.unwritten += b->n;
	h->wbytes -= b->len;
	pthread_mutex_lock(&h->mu);
	h->wdone++;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	spare(h, b);
}

/* flush: hand this turn's rows to the writer (also before a disk read,
 * so that the read sees them). */
static void
flush(struct hist *h)
{
	struct wbatch *b = h->cur;

	if (b == NULL)
		return;
	h->cur = NULL;
	event_del(h->flush_ev);
	h->wsubmitted++;
	if (store_call(h->st, run_insert, b, false, write_done, b) == NULL) {
		h->stats.unwritten += b->n;
		h->wbytes -= b->len;
		pthread_mutex_lock(&h->mu);
		h->wdone++;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		spare(h, b);
	}
}

static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush(arg);
}

/* touch: remember key for the next retention sweep (once per sweep). */
static void
touch(struct hist *h, const char *key)
{
	size_t i;
	char **n;

	if (h->conf.max_per_target == 0)
		return;
	/* the last few keys cover a busy channel without a set */
	for (i = h->ntouched; i > 0 && i + 8 > h->ntouched; i--)
		if (strcmp(h->touched[i - 1], key) == 0)
			return;
	if (h->ntouched >= 65536)
		return; /* the sweep after the next covers the rest by age */
	if (h->ntouched == h->touched_cap) {
		size_t cap = h->touched_cap ? h->touched_cap * 2 : 64;
		if ((n = realloc(h->touched, cap * sizeof(*n))) == NULL)
			return;
		h->touched = n;
		h->touched_cap = cap;
	}
	if ((h->touched[h->ntouched] = strdup(key)) != NULL)
		h->ntouched++;
}

/* queue_row: the row for the database (a copy: the cache may evict it). */
static void
queue_row(struct hist *h, const struct hentry *e, const char *key)
{
	const char *str[W_NSTR] = { key, e->row.msgid, e->account, e->nick, e->row.line,
		e->row.tags };
	size_t len[W_NSTR], need = sizeof(struct wrow);
	struct wbatch *b = h->cur;
	struct wrow *r;
	char *p;
	int k;

	for (k = 0; k < W_NSTR; k++) {
		len[k] = slen(str[k]);
		if (len[k] > 65535)
			return; /* cannot be: lines are at most 512 bytes */
		need += len[k];
	}
	need = (need + 7) & ~(size_t)7;
	if (h->wbytes + need > HIST_WRITE_MAX) {
		h->stats.unwritten++;
		if (time(NULL) - h->last_drop_log >= 60) {
			h->last_drop_log = time(NULL);
			log_warnx("history: the database is behind by %zu bytes; new rows "
				  "are kept in memory only (%llu so far)",
			    h->wbytes, (unsigned long long)h->stats.unwritten);
		}
		return;
	}
	if (b == NULL) {
		if (h->spare != NULL) {
			b = h->spare;
			h->spare = NULL;
		} else if ((b = calloc(1, sizeof(*b))) == NULL)
			return;
		b->h = h;
		h->cur = b;
		/* a transaction per HIST_FLUSH_MS, not per loop turn: a
		 * commit costs far more than a row (fan-out figures in
		 * docs/PERFORMANCE.md); a query flushes first */
		{
			struct timeval tv = { 0, HIST_FLUSH_MS * 1000 };
			event_add(h->flush_ev, &tv);
		}
	}
	if (b->len + need > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		char *nb;
		while (cap < b->len + need)
			cap *= 2;
		if ((nb = realloc(b->buf, cap)) == NULL)
			return;
		b->buf = nb;
		b->cap = cap;
	}
	r = (struct wrow *)(void *)(b->buf + b->len);
	r->seq = e->row.seq;
	r->time_ms = e->row.time_ms;
	r->kind = e->row.kind;
	r->flags = e->row.flags;
	p = b->buf + b->len + sizeof(*r);
	for (k = 0; k < W_NSTR; k++) {
		r->len[k] = (uint16_t)len[k];
		if (len[k] > 0)
			memcpy(p, str[k], len[k]);
		p += len[k];
	}
	b->len += need;
	b->n++;
	h->wbytes += need;
	if (b->n >= HIST_FLUSH_ROWS)
		event_active(h->flush_ev, EV_TIMEOUT, 0);
}

uint64_t
hist_append(struct hist *h, const char *key, int64_t time_ms, unsigned kind, unsigned flags,
    const char *msgid, const char *account, const char *nick, const char *line, const char *tags)
{
	size_t need;
	struct htarget *t;
	struct hentry *e;
	uint64_t seq = h->next_seq++;
	char *p;

	if (tags == NULL)
		tags = "";
	need = slen(msgid) + slen(account) + slen(nick) + slen(line) + slen(tags);
	if ((t = target_get(h, key)) == NULL || (e = malloc(sizeof(*e) + need)) == NULL) {
		if (t != NULL && t->count == 0) {
			HASH_DEL(h->targets, t);
			h->bytes -= sizeof(*t) + strlen(t->key) + 1;
			free(t);
		}
		return seq;
	}
	memset(e, 0, sizeof(*e));
	/* a target's rows stay in time order (the queries walk them so): a
	 * line whose time (a peer's, cmd/history.c rec_ms) is older than the
	 * target's newest row takes that row's time */
	if (!TAILQ_EMPTY(&t->rows) && time_ms < TAILQ_LAST(&t->rows, hentry_list)->row.time_ms)
		time_ms = TAILQ_LAST(&t->rows, hentry_list)->row.time_ms;
	e->t = t;
	e->row.seq = seq;
	e->row.time_ms = time_ms;
	e->row.kind = (uint8_t)kind;
	e->row.flags = (uint8_t)flags;
	p = e->data;
	p += put(p, &e->row.msgid, msgid);
	p += put(p, &e->account, account);
	p += put(p, &e->nick, nick);
	p += put(p, &e->row.line, line);
	put(p, &e->row.tags, tags);
	e->size = sizeof(*e) + need;
	TAILQ_INSERT_TAIL(&t->rows, e, tlink);
	TAILQ_INSERT_TAIL(&h->all, e, glink);
	HASH_ADD_KEYPTR(hh, h->by_msgid, e->row.msgid, strlen(e->row.msgid), e);
	t->count++;
	if (!HIST_IS_EVENT(kind))
		t->last_time = time_ms; /* TARGETS counts PRIVMSG/NOTICE, as on the disk */
	h->bytes += e->size;
	h->rows++;
	if (h->st != NULL) {
		queue_row(h, e, key);
		touch(h, key);
	}
	/* retention by count: the target's oldest goes (O(1)) */
	if (h->conf.max_per_target > 0 && t->count > h->conf.max_per_target)
		entry_free(h, TAILQ_FIRST(&t->rows));
	shrink(h);
	return seq;
}

uint64_t
hist_next_seq(const struct hist *h)
{
	return h->next_seq;
}

bool
hist_persistent(const struct hist *h)
{
	return h->st != NULL;
}

/* ---- retention ---- */

struct sweep {
	int64_t cutoff; /* rows older than this go; 0 = none */
	unsigned max;
	char **keys;
	size_t nkeys;
};

static void
sweep_free(struct sweep *sw)
{
	size_t i;

	for (i = 0; i < sw->nkeys; i++)
		free(sw->keys[i]);
	free(sw->keys);
	free(sw);
}

static int
run_sweep(sqlite3 *db, void *arg)
{
	struct sweep *sw = arg;
	sqlite3_stmt *s;
	size_t i;

	if (sw->cutoff > 0) {
		if (sqlite3_prepare_v2(db, "DELETE FROM history WHERE time < ?1", -1, &s, NULL) !=
		    SQLITE_OK)
			return -1;
		sqlite3_bind_int64(s, 1, sw->cutoff);
		sqlite3_step(s);
		sqlite3_finalize(s);
	}
	if (sw->nkeys == 0)
		return 0;
	if (sqlite3_prepare_v2(db,
		"DELETE FROM history WHERE target = ?1 AND id <= (SELECT id FROM history"
		" WHERE target = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
		-1, &s, NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < sw->nkeys; i++) {
		sqlite3_bind_text(s, 1, sw->keys[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, sw->max);
		sqlite3_step(s);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return 0;
}

static void
sweep_done(void *arg, enum store_result r)
{
	(void)r;
	sweep_free(arg);
}

void
hist_expire(struct hist *h, int64_t now_ms)
{
	struct hentry *e;
	struct sweep *sw;
	int64_t cutoff = h->conf.max_age > 0 ? now_ms - h->conf.max_age * 1000 : 0;

	while (cutoff > 0 && (e = TAILQ_FIRST(&h->all)) != NULL && e->row.time_ms < cutoff)
		entry_free(h, e);
	if (h->st == NULL || (cutoff == 0 && h->ntouched == 0))
		return;
	if ((sw = calloc(1, sizeof(*sw))) == NULL)
		return;
	sw->cutoff = cutoff;
	sw->max = h->conf.max_per_target;
	sw->keys = h->touched;
	sw->nkeys = h->ntouched;
	h->touched = NULL;
	h->ntouched = h->touched_cap = 0;
	flush(h);
	if (store_call(h->st, run_sweep, sw, false, sweep_done, sw) == NULL)
		sweep_free(sw);
}

/* ---- forget ---- */

struct forget {
	char *account, *nick;
	long long n;
	hist_count_fn fn;
	void *arg;
};

static int
run_forget(sqlite3 *db, void *arg)
{
	struct forget *f = arg;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db,
		"DELETE FROM history WHERE account = ?1 OR (account IS NULL AND nick = ?2)", -1, &s,
		NULL) != SQLITE_OK)
		return -1;
	if (f->account != NULL)
		sqlite3_bind_text(s, 1, f->account, -1, SQLITE_STATIC);
	if (f->nick != NULL)
		sqlite3_bind_text(s, 2, f->nick, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	f->n = sqlite3_changes(db);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
forget_free(struct forget *f)
{
	free(f->account);
	free(f->nick);
	free(f);
}

static void
forget_done(void *arg, enum store_result r)
{
	struct forget *f = arg;

	if (f->fn != NULL)
		f->fn(f->arg, r == STORE_OK ? f->n : -1);
	forget_free(f);
}

int
hist_forget(struct hist *h, const char *account, const char *nick, hist_count_fn fn, void *arg)
{
	struct hentry *e, *next;
	struct forget *f;
	long long n = 0;

	for (e = TAILQ_FIRST(&h->all); e != NULL; e = next) {
		next = TAILQ_NEXT(e, glink);
		if ((account != NULL && e->account != NULL && strcmp(e->account, account) == 0) ||
		    (nick != NULL && e->account == NULL && strcmp(e->nick, nick) == 0)) {
			entry_free(h, e);
			n++;
		}
	}
	if (h->st == NULL) {
		if (fn != NULL)
			fn(arg, n);
		return 0;
	}
	flush(h); /* rows of this turn go first, then the delete */
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->account = account != NULL ? strdup(account) : NULL;
	f->nick = nick != NULL ? strdup(nick) : NULL;
	f->fn = fn;
	f->arg = arg;
	if ((account != NULL && f->account == NULL) || (nick != NULL && f->nick == NULL) ||
	    store_call(h->st, run_forget, f, true, forget_done, f) == NULL) {
		forget_free(f);
		return -1;
	}
	return 0;
}

/* ---- redaction ---- */

int
hist_lookup(struct hist *h, const char *msgid, struct hist_found *out)
{
	struct hentry *e;

	HASH_FIND(hh, h->by_msgid, msgid, strlen(msgid), e);
	if (e == NULL)
		return 0;
	out->key = e->t->key;
	out->time_ms = e->row.time_ms;
	out->kind = e->row.kind;
	out->account = e->account;
	out->nick = e->nick;
	out->line = e->row.line;
	return 1;
}

struct redact {
	struct hist *h;
	char *key, *msgid;
};

/* redact_counted: the delete is done (or will never be): a reader waiting
 * for the writes before its query may go on. */
static void
redact_counted(struct hist *h)
{
	pthread_mutex_lock(&h->mu);
	h->wdone++;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static int
run_redact(sqlite3 *db, void *arg)
{
	struct redact *r = arg;
	sqlite3_stmt *s;
	int rc;

	/* the message and the later lines of a multiline message, whose
	 * msgids are "<msgid>.<n>" (cmd/multiline.c): '/' follows '.' */
	if (sqlite3_prepare_v2(db,
		"DELETE FROM history WHERE target = ?1 AND (msgid = ?2 OR"
		" (msgid > ?2 || '.' AND msgid < ?2 || '/'))",
		-1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->msgid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
redact_done(void *arg, enum store_result r)
{
	struct redact *rd = arg;

	if (r != STORE_OK)
		log_warnx("history: the redaction of %s could not be written", rd->msgid);
	redact_counted(rd->h);
	free(rd->key);
	free(rd->msgid);
	free(rd);
}

/* cache_redact_one: drop the cached row msgid of key; true when found. */
static bool
cache_redact_one(struct hist *h, const char *key, const char *msgid)
{
	struct hentry *e;

	HASH_FIND(hh, h->by_msgid, msgid, strlen(msgid), e);
	if (e == NULL || strcmp(e->t->key, key) != 0)
		return false;
	entry_free(h, e);
	return true;
}

int
hist_redact(struct hist *h, const char *key, const char *msgid, unsigned extra)
{
	char id[HIST_MSGID_MAX + 16], k[HIST_KEY_MAX + 1];
	struct redact *r;
	unsigned i;

	/* key may point into the cache (hist_found): the target goes with
	 * its last row */
	snprintf(k, sizeof(k), "%s", key);
	key = k;
	cache_redact_one(h, key, msgid);
	/* O(extra) hash lookups: the later lines of a multiline message */
	for (i = 1; i <= extra; i++) {
		snprintf(id, sizeof(id), "%s.%u", msgid, i);
		if (!cache_redact_one(h, key, id))
			break;
	}
	if (h->st == NULL)
		return 0;
	flush(h); /* rows of this turn go first, then the delete */
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	r->h = h;
	r->key = strdup(key);
	r->msgid = strdup(msgid);
	/* counted as a write: a disk read queued after it waits for it (the
	 * reader's "every row appended before the query is committed") */
	h->wsubmitted++;
	if (r->key == NULL || r->msgid == NULL ||
	    store_call(h->st, run_redact, r, true, redact_done, r) == NULL) {
		redact_counted(h);
		free(r->key);
		free(r->msgid);
		free(r);
		return -1;
	}
	return 0;
}

/* ---- queries on the cache ---- */

/* A bound of a selection: a row is past lo when lo_ok, before hi when hi_ok. */
enum { B_NONE = 0, B_SEQ, B_TIME };
struct bound {
	int kind;
	int64_t v;
	bool incl; /* lo only: the row at the bound itself counts */
};

static bool
lo_ok(const struct bound *b, const struct hist_row *r)
{
	switch (b->kind) {
	case B_SEQ:
		return b->incl ? r->seq >= (uint64_t)b->v : r->seq > (uint64_t)b->v;
	case B_TIME:
		return b->incl ? r->time_ms >= b->v : r->time_ms > b->v;
	default:
		return true;
	}
}

static bool
hi_ok(const struct bound *b, const struct hist_row *r)
{
	switch (b->kind) {
	case B_SEQ:
		return r->seq < (uint64_t)b->v;
	case B_TIME:
		return r->time_ms < b->v;
	default:
		return true;
	}
}

static bool
visible(const struct hist_query *q, const struct hist_row *r)
{
	if (HIST_IS_EVENT(r->kind) && !q->events)
		return false;
	return !((r->flags & HF_SECRET) && r->seq < q->secret_from);
}

/* A selection over one target: the `limit` rows nearest to the start
 * (forward: the oldest past lo; backward: the newest before hi). */
struct cache_sel {
	struct hist *h;
	const struct hist_query *q;
	struct htarget *t;
	bool complete; /* the cache is the whole history */
	struct hist_result *res;
	size_t cap;
};

static int
res_add(struct cache_sel *cs, const struct hist_row *r)
{
	struct hist_result *res = cs->res;

	if (res->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 16;
		struct hist_row *n = realloc(res->rows, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		res->rows = n;
		cs->cap = cap;
	}
	res->rows[res->n++] = *r;
	return 0;
}

/* reverse the rows from index from on (a backward walk collects newest
 * first). */
static void
res_reverse(struct hist_result *res, size_t from)
{
	size_t i = from, j = res->n;

	while (j > i + 1) {
		struct hist_row tmp = res->rows[i];
		res->rows[i] = res->rows[j - 1];
		res->rows[j - 1] = tmp;
		i++;
		j--;
	}
}

/* sel_backward: the newest `limit` visible rows with lo < row < hi,
 * starting the walk at start (NULL: the newest row). 1 done, 0 the cache
 * does not hold enough, -1 out of memory. */
static int
sel_backward(struct cache_sel *cs, const struct bound *lo, const struct bound *hi,
    struct hentry *start, unsigned limit)
{
	struct hentry *e = start != NULL ? start : TAILQ_LAST(&cs->t->rows, hentry_list);
	size_t from = cs->res->n;
	unsigned got = 0;

	for (; e != NULL; e = TAILQ_PREV(e, hentry_list, tlink)) {
		if (!hi_ok(hi, &e->row))
			continue;
		if (!lo_ok(lo, &e->row))
			break;
		if (got == limit)
			break;
		if (visible(cs->q, &e->row)) {
			if (res_add(cs, &e->row) != 0)
				return -1;
			got++;
		}
	}
	if (e == NULL && got < limit && !cs->complete)
		return 0;
	res_reverse(cs->res, from);
	return 1;
}

/* sel_forward: the oldest `limit` visible rows with lo < row < hi. The
 * first row past lo is found from boundary (the row at lo, when known)
 * or by walking back from the newest. */
static int
sel_forward(struct cache_sel *cs, const struct bound *lo, const struct bound *hi,
    struct hentry *boundary, unsigned limit)
{
	struct hentry *e;
	unsigned got = 0;

	if (boundary != NULL)
		e = lo->incl ? boundary : TAILQ_NEXT(boundary, tlink);
	else {
		struct hentry *b = TAILQ_LAST(&cs->t->rows, hentry_list);
		while (b != NULL && lo_ok(lo, &b->row))
			b = TAILQ_PREV(b, hentry_list, tlink);
		if (b == NULL && !cs->complete)
			return 0; /* rows past lo may be older than the cache */
		e = b != NULL ? TAILQ_NEXT(b, tlink) : TAILQ_FIRST(&cs->t->rows);
	}
	for (; e != NULL && got < limit; e = TAILQ_NEXT(e, tlink)) {
		if (!hi_ok(hi, &e->row))
			break;
		if (visible(cs->q, &e->row)) {
			if (res_add(cs, &e->row) != 0)
				return -1;
			got++;
		}
	}
	return 1;
}

/* resolve: a reference as a bound; *at is its cached row (msgid). 1 ok,
 * 0 the msgid is not in the cache (and the cache is not the whole
 * history), 2 the msgid exists nowhere (empty answer). */
static int
resolve(struct cache_sel *cs, const struct hist_ref *r, struct bound *b, struct hentry **at)
{
	struct hentry *e;

	*at = NULL;
	memset(b, 0, sizeof(*b));
	if (r->kind == HR_NONE)
		return 1;
	if (r->kind == HR_TIME) {
		b->kind = B_TIME;
		b->v = r->time_ms;
		return 1;
	}
	HASH_FIND(hh, cs->h->by_msgid, r->msgid, strlen(r->msgid), e);
	if (e == NULL || e->t != cs->t)
		return cs->complete ? 2 : 0;
	b->kind = B_SEQ;
	b->v = (int64_t)e->row.seq;
	*at = e;
	return 1;
}

/* bound_before: is bound a before bound b (for BETWEEN's direction)? */
static bool
bound_before(const struct bound *a, const struct hentry *ae, const struct bound *b,
    const struct hentry *be)
{
	int64_t at = ae != NULL ? ae->row.time_ms : a->v;
	int64_t bt = be != NULL ? be->row.time_ms : b->v;

	if (ae != NULL && be != NULL)
		return ae->row.seq < be->row.seq;
	return at < bt;
}

/* cache_select: 1 answered, 0 miss, -1 out of memory. */
static int
cache_select(struct cache_sel *cs)
{
	const struct hist_query *q = cs->q;
	struct bound a, b, none = { 0 };
	struct hentry *ae, *be;
	int r;

	if (cs->t == NULL)
		return cs->complete ? 1 : 0;
	if ((r = resolve(cs, &q->a, &a, &ae)) != 1)
		return r == 2 ? 1 : 0;
	switch (q->sel) {
	case HS_LATEST:
		return sel_backward(cs, &a, &none, NULL, q->limit);
	case HS_BEFORE:
		return sel_backward(cs, &none, &a, ae ? TAILQ_PREV(ae, hentry_list, tlink) : NULL,
		    q->limit);
	case HS_AFTER:
		return sel_forward(cs, &a, &none, ae, q->limit);
	case HS_AROUND: {
		unsigned before = q->limit / 2;
		if (before > 0 &&
		    (r = sel_backward(cs, &none, &a, ae ? TAILQ_PREV(ae, hentry_list, tlink) : NULL,
			 before)) != 1)
			return r;
		a.incl = true;
		return sel_forward(cs, &a, &none, ae, q->limit - (unsigned)cs->res->n);
	}
	case HS_BETWEEN:
		if ((r = resolve(cs, &q->b, &b, &be)) != 1)
			return r == 2 ? 1 : 0;
		if (bound_before(&a, ae, &b, be))
			return sel_forward(cs, &a, &b, ae, q->limit);
		return sel_backward(cs, &b, &a, ae ? TAILQ_PREV(ae, hentry_list, tlink) : NULL,
		    q->limit);
	default:
		return -1;
	}
}

/* targets_cmp: TARGETS rows by time (ascending). */
static int
targets_cmp(const void *x, const void *y)
{
	const struct hist_row *a = x, *b = y;

	return a->time_ms < b->time_ms ? -1 : a->time_ms > b->time_ms;
}

/* dm_of: is key "x y" a pair with account as one side? */
static bool
dm_of(const char *key, const char *account)
{
	size_t al = strlen(account), kl = strlen(key);
	const char *sp = strchr(key, ' ');

	if (al == 0 || sp == NULL)
		return false;
	return ((size_t)(sp - key) == al && memcmp(key, account, al) == 0) ||
	    (kl - (size_t)(sp - key) - 1 == al && strcmp(sp + 1, account) == 0);
}

/* cache_targets: TARGETS from the cache (the whole history: memory only).
 * The newest row of a target in range: the cache keeps each target's
 * newest time only, so a target counts when that time is in range. */
static int
cache_targets(struct cache_sel *cs)
{
	const struct hist_query *q = cs->q;
	int64_t lo = q->a.time_ms < q->b.time_ms ? q->a.time_ms : q->b.time_ms;
	int64_t hi = q->a.time_ms < q->b.time_ms ? q->b.time_ms : q->a.time_ms;
	struct htarget *t, *tmp;
	struct hist_row row;
	size_t i;

	memset(&row, 0, sizeof(row));
	for (i = 0; i < q->nkeys; i++) {
		HASH_FIND(hh, cs->h->targets, q->keys[i], strlen(q->keys[i]), t);
		if (t == NULL || t->last_time <= lo || t->last_time >= hi)
			continue;
		row.line = t->key;
		row.time_ms = t->last_time;
		if (res_add(cs, &row) != 0)
			return -1;
	}
	if (q->account != NULL && q->account[0] != '\0')
		HASH_ITER(hh, cs->h->targets, t, tmp) {
			if (!dm_of(t->key, q->account) || t->last_time <= lo || t->last_time >= hi)
				continue;
			row.line = t->key;
			row.time_ms = t->last_time;
			if (res_add(cs, &row) != 0)
				return -1;
		}
	if (cs->res->n > 0)
		qsort(cs->res->rows, cs->res->n, sizeof(row), targets_cmp);
	if (q->a.time_ms > q->b.time_ms)
		res_reverse(cs->res, 0);
	if (cs->res->n > q->limit)
		cs->res->n = q->limit;
	return 1;
}

/* ---- queries on the disk (reader thread) ---- */

/* row_copy: a disk row into res (one allocation for its strings). */
static int
row_copy(struct hist_result *res, size_t *cap, sqlite3_stmt *s, bool targets)
{
	struct hist_row *r;
	const char *msgid, *line, *tags;
	size_t ml, ll, tl;
	char *blk;

	if (res->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct hist_row *n = realloc(res->rows, nc * sizeof(*n));
		if (n == NULL)
			return -1;
		res->rows = n;
		*cap = nc;
	}
	r = &res->rows[res->n];
	memset(r, 0, sizeof(*r));
	if (targets) {
		line = (const char *)sqlite3_column_text(s, 0);
		ll = line != NULL ? strlen(line) : 0;
		if ((blk = malloc(ll + 1)) == NULL)
			return -1;
		memcpy(blk, line != NULL ? line : "", ll + 1);
		r->line = blk;
		r->msgid = blk;
		r->tags = blk + ll;
		r->time_ms = sqlite3_column_int64(s, 1);
		res->n++;
		return 0;
	}
	msgid = (const char *)sqlite3_column_text(s, 1);
	line = (const char *)sqlite3_column_text(s, 5);
	tags = (const char *)sqlite3_column_text(s, 6);
	ml = msgid != NULL ? strlen(msgid) : 0;
	ll = line != NULL ? strlen(line) : 0;
	tl = tags != NULL ? strlen(tags) : 0;
	if ((blk = malloc(ml + ll + tl + 3)) == NULL)
		return -1;
	memcpy(blk, msgid != NULL ? msgid : "", ml + 1);
	memcpy(blk + ml + 1, line != NULL ? line : "", ll + 1);
	memcpy(blk + ml + ll + 2, tags != NULL ? tags : "", tl + 1);
	r->msgid = blk;
	r->line = blk + ml + 1;
	r->tags = blk + ml + ll + 2;
	r->seq = (uint64_t)sqlite3_column_int64(s, 0);
	r->time_ms = sqlite3_column_int64(s, 2);
	r->kind = (uint8_t)sqlite3_column_int(s, 3);
	r->flags = (uint8_t)sqlite3_column_int(s, 4);
	res->n++;
	return 0;
}

/* db_resolve: a msgid of target as a bound (1), or 2 when unknown, -1 on
 * error. */
static int
db_resolve(sqlite3 *db, const char *key, const struct hist_ref *r, struct bound *b,
    int64_t *time_ms)
{
	sqlite3_stmt *s;
	int rc;

	memset(b, 0, sizeof(*b));
	*time_ms = 0;
	if (r->kind == HR_NONE)
		return 1;
	if (r->kind == HR_TIME) {
		b->kind = B_TIME;
		b->v = *time_ms = r->time_ms;
		return 1;
	}
	if (sqlite3_prepare_v2(db,
		"SELECT id, time FROM history WHERE msgid = ?1 AND target = ?2 LIMIT 1", -1, &s,
		NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, r->msgid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		b->kind = B_SEQ;
		b->v = sqlite3_column_int64(s, 0);
		*time_ms = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 2 : -1;
}

/* bound_sql: " AND id > ?" style condition for a bound (sql grows). */
static void
bound_sql(char *sql, size_t size, const struct bound *b, bool lo)
{
	size_t len = strlen(sql);
	const char *col = b->kind == B_SEQ ? "id" : "time";
	const char *op = lo ? (b->incl ? ">=" : ">") : "<";

	if (b->kind == B_NONE)
		return;
	snprintf(sql + len, size - len, " AND %s %s %lld", col, op, (long long)b->v);
}

/* db_range: the selection on the disk, appended to res (ascending). */
static int
db_range(sqlite3 *db, const struct hist_query *q, const struct bound *lo, const struct bound *hi,
    bool backward, unsigned limit, struct hist_result *res, size_t *cap)
{
	char sql[512];
	sqlite3_stmt *s;
	size_t from = res->n;
	int rc;

	if (limit == 0)
		return 0;
	snprintf(sql, sizeof(sql),
	    "SELECT id, msgid, time, kind, flags, line, tags FROM history WHERE target = ?1"
	    " AND (?2 OR kind < 2) AND NOT ((flags & 1) AND id < ?3)");
	bound_sql(sql, sizeof(sql), lo, true);
	bound_sql(sql, sizeof(sql), hi, false);
	snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), " ORDER BY id %s LIMIT %u",
	    backward ? "DESC" : "ASC", limit);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, q->key, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, q->events);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)q->secret_from);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (row_copy(res, cap, s, false) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
	sqlite3_finalize(s);
	if (backward)
		res_reverse(res, from);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* db_min: the oldest id of key's rows (0: none), or -1. */
static int
db_min(sqlite3 *db, const char *key, uint64_t *min)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT MIN(id) FROM history WHERE target = ?1", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*min = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
db_select(sqlite3 *db, const struct hist_query *q, struct hist_result *res)
{
	struct bound a, b, none = { 0 };
	int64_t at, bt;
	size_t cap = 0;
	int r;

	if ((r = db_resolve(db, q->key, &q->a, &a, &at)) != 1)
		return r == 2 ? 0 : -1;
	switch (q->sel) {
	case HS_LATEST:
		return db_range(db, q, &a, &none, true, q->limit, res, &cap);
	case HS_BEFORE:
		return db_range(db, q, &none, &a, true, q->limit, res, &cap);
	case HS_AFTER:
		return db_range(db, q, &a, &none, false, q->limit, res, &cap);
	case HS_AROUND:
		if (db_range(db, q, &none, &a, true, q->limit / 2, res, &cap) != 0)
			return -1;
		a.incl = true;
		return db_range(db, q, &a, &none, false, q->limit - (unsigned)res->n, res, &cap);
	case HS_BETWEEN:
		if ((r = db_resolve(db, q->key, &q->b, &b, &bt)) != 1)
			return r == 2 ? 0 : -1;
		if ((a.kind == B_SEQ && b.kind == B_SEQ) ? a.v < b.v : at < bt)
			return db_range(db, q, &a, &b, false, q->limit, res, &cap);
		return db_range(db, q, &b, &a, true, q->limit, res, &cap);
	default:
		return -1;
	}
}

static int
db_targets(sqlite3 *db, const struct hist_job *j, struct hist_result *res)
{
	const struct hist_query *q = &j->q;
	int64_t lo = q->a.time_ms < q->b.time_ms ? q->a.time_ms : q->b.time_ms;
	int64_t hi = q->a.time_ms < q->b.time_ms ? q->b.time_ms : q->a.time_ms;
	size_t len, i, cap = 0;
	sqlite3_stmt *s;
	char *sql;
	int rc, p;

	len = 512 + q->nkeys * 8;
	if ((sql = malloc(len)) == NULL)
		return -1;
	/* the newest PRIVMSG/NOTICE in range of each channel named and of
	 * each DM pair with the account on one side */
	snprintf(sql, len,
	    "SELECT target, MAX(time) AS m FROM history WHERE time > ?1 AND time < ?2"
	    " AND kind < 2 AND (target IN (NULL");
	for (i = 0; i < q->nkeys; i++)
		snprintf(sql + strlen(sql), len - strlen(sql), ", ?%zu", i + 5);
	snprintf(sql + strlen(sql), len - strlen(sql),
	    ") OR (?3 <> '' AND (substr(target, 1, length(?3) + 1) = ?3 || ' ' OR"
	    " substr(target, -length(?3) - 1) = ' ' || ?3))) GROUP BY target ORDER BY m %s"
	    " LIMIT ?4",
	    q->a.time_ms > q->b.time_ms ? "DESC" : "ASC");
	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	sqlite3_bind_text(s, 3, j->account != NULL ? j->account : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, (int)q->limit);
	for (i = 0, p = 5; i < q->nkeys; i++, p++)
		sqlite3_bind_text(s, p, j->keys[i], -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (row_copy(res, &cap, s, true) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* reader: take the next query whose writes are committed, run it, post
 * the answer and wake the loop. */
static void *
reader(void *arg)
{
	struct hist *h = arg;
	struct hist_job *j;
	ssize_t w;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		j = TAILQ_FIRST(&h->todo);
		if (h->stop)
			break;
		if (j == NULL || h->wdone < j->need) {
			pthread_cond_wait(&h->cv, &h->mu);
			continue;
		}
		TAILQ_REMOVE(&h->todo, j, link);
		pthread_mutex_unlock(&h->mu);
		if ((j->res = calloc(1, sizeof(*j->res))) != NULL) {
			j->res->owned = true;
			if ((j->q.sel == HS_TARGETS ? db_targets(h->rdb, j, j->res)
						    : db_select(h->rdb, &j->q, j->res) != 0 ||
					db_min(h->rdb, j->q.key, &j->min) != 0) != 0) {
				log_warnx("history: read failed: %s", sqlite3_errmsg(h->rdb));
				hist_result_free(j->res);
				j->res = NULL;
			}
		}
		pthread_mutex_lock(&h->mu);
		TAILQ_INSERT_TAIL(&h->done, j, link);
		w = write(h->wake[1], "", 1);
		(void)w;
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static void
job_free(struct hist_job *j)
{
	size_t i;

	for (i = 0; i < j->q.nkeys; i++)
		free(j->keys[i]);
	free(j->keys);
	free(j->account);
	free(j);
}

/* mark_complete: the disk's oldest row of key is min (0: none, all rows
 * being committed when it was read): if the cache still reaches back to
 * it, the cache is the target's whole history from now on, until its
 * oldest cached row is evicted (entry_free). */
static void
mark_complete(struct hist *h, const char *key, uint64_t min)
{
	struct htarget *t;
	struct hentry *first;

	HASH_FIND(hh, h->targets, key, strlen(key), t);
	if (t == NULL || (first = TAILQ_FIRST(&t->rows)) == NULL)
		return;
	if (min == 0 || first->row.seq <= min)
		t->complete = true;
}

/* deliver: on the loop thread, the answers the reader posted. */
static void
deliver(struct hist *h)
{
	struct hjob_list list;
	struct hist_job *j;

	TAILQ_INIT(&list);
	pthread_mutex_lock(&h->mu);
	TAILQ_CONCAT(&list, &h->done, link);
	pthread_mutex_unlock(&h->mu);
	while ((j = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, j, link);
		h->queued--;
		if (j->res != NULL && j->q.sel != HS_TARGETS)
			mark_complete(h, j->q.key, j->min);
		if (!j->cancelled)
			j->fn(j->arg, j->res);
		else
			hist_result_free(j->res);
		job_free(j);
	}
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	deliver(arg);
}

int
hist_query(struct hist *h, const struct hist_query *q, struct hist_result **now, hist_done_fn fn,
    void *arg, struct hist_job **jobp)
{
	struct cache_sel cs;
	struct hist_job *j;
	size_t i;
	int r;

	*now = NULL;
	*jobp = NULL;
	memset(&cs, 0, sizeof(cs));
	cs.h = h;
	cs.q = q;
	cs.complete = h->st == NULL;
	if (q->sel != HS_TARGETS)
		HASH_FIND(hh, h->targets, q->key, strlen(q->key), cs.t);
	if (cs.t != NULL && cs.t->complete)
		cs.complete = true;
	if (q->sel != HS_TARGETS || cs.complete) {
		if ((cs.res = calloc(1, sizeof(*cs.res))) == NULL)
			return -1;
		r = q->sel == HS_TARGETS ? cache_targets(&cs) : cache_select(&cs);
		if (r == 1) {
			h->stats.hits++;
			*now = cs.res;
			return 1;
		}
		hist_result_free(cs.res);
		if (r < 0)
			return -1;
	}
	/* a miss: the reader answers */
	h->stats.misses++;
	if (h->queued >= READ_QUEUE_MAX || (j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->h = h;
	j->q = *q;
	j->fn = fn;
	j->arg = arg;
	j->q.keys = NULL;
	j->q.nkeys = 0; /* counts the copies made below */
	j->q.account = NULL;
	if (q->nkeys > 0 && (j->keys = calloc(q->nkeys, sizeof(char *))) == NULL) {
		free(j);
		return -1;
	}
	for (i = 0; i < q->nkeys; i++)
		if ((j->keys[j->q.nkeys++] = strdup(q->keys[i])) == NULL) {
			j->q.nkeys--;
			job_free(j);
			return -1;
		}
	if (q->account != NULL && (j->account = strdup(q->account)) == NULL) {
		job_free(j);
		return -1;
	}
	flush(h);
	j->need = h->wsubmitted;
	h->queued++;
	pthread_mutex_lock(&h->mu);
	TAILQ_INSERT_TAIL(&h->todo, j, link);
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	*jobp = j;
	return 0;
}

int
hist_query_cached(struct hist *h, const struct hist_query *q, struct hist_result **now)
{
	struct cache_sel cs;
	int r;

	*now = NULL;
	if (q->sel == HS_TARGETS)
		return 0;
	memset(&cs, 0, sizeof(cs));
	cs.h = h;
	cs.q = q;
	cs.complete = h->st == NULL;
	HASH_FIND(hh, h->targets, q->key, strlen(q->key), cs.t);
	if (cs.t != NULL && cs.t->complete)
		cs.complete = true;
	if ((cs.res = calloc(1, sizeof(*cs.res))) == NULL)
		return -1;
	if ((r = cache_select(&cs)) == 1)
		*now = cs.res;
	else
		hist_result_free(cs.res);
	return r;
}

void
hist_job_cancel(struct hist_job *job)
{
	job->cancelled = true;
}

void
hist_result_free(struct hist_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	if (res->owned)
		for (i = 0; i < res->n; i++)
			free((char *)res->rows[i].msgid);
	free(res->rows);
	free(res);
}

/* ---- life ---- */

/* max_id: the largest id of the table (the next sequence number - 1). */
static int
max_id(sqlite3 *db, uint64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT MAX(id) FROM history", -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

struct hist *
hist_new(const struct hist_conf *conf, struct store *st, struct event_base *base, char *err,
    size_t errlen)
{
	struct hist *h = calloc(1, sizeof(*h));
	sigset_t all, old;
	uint64_t last = 0;

	if (h == NULL) {
		snprintf(err, errlen, "history: out of memory");
		return NULL;
	}
	h->conf = *conf;
	h->st = st;
	h->next_seq = 1;
	h->wake[0] = h->wake[1] = -1;
	TAILQ_INIT(&h->all);
	TAILQ_INIT(&h->todo);
	TAILQ_INIT(&h->done);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if ((h->flush_ev = event_new(base, -1, 0, flush_cb, h)) == NULL) {
		snprintf(err, errlen, "history: cannot create an event");
		goto fail;
	}
	if (st == NULL)
		return h;
	if (sqlite3_open_v2(store_path(st), &h->rdb, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
		NULL) != SQLITE_OK ||
	    max_id(h->rdb, &last) != 0) {
		snprintf(err, errlen, "%s: history: %s", store_path(st),
		    h->rdb ? sqlite3_errmsg(h->rdb) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(h->rdb, 5000);
	h->next_seq = last + 1;
	if (pipe2(h->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		snprintf(err, errlen, "history: pipe: %s", strerror(errno));
		goto fail;
	}
	h->wake_ev = event_new(base, h->wake[0], EV_READ | EV_PERSIST, wake_cb, h);
	if (h->wake_ev == NULL || event_add(h->wake_ev, NULL) != 0) {
		snprintf(err, errlen, "history: cannot add the reader's event");
		goto fail;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	h->started = pthread_create(&h->thread, NULL, reader, h) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!h->started) {
		snprintf(err, errlen, "history: cannot start the reader thread");
		goto fail;
	}
	return h;
fail:
	hist_free(h);
	return NULL;
}

void
hist_free(struct hist *h)
{
	struct hist_job *j;
	struct htarget *t, *tt;
	struct hentry *e;
	size_t i;

	if (h == NULL)
		return;
	if (h->started) {
		pthread_mutex_lock(&h->mu);
		h->stop = true;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->thread, NULL);
	}
	deliver(h);
	/* queries the reader did not take: answered "failed" */
	while ((j = TAILQ_FIRST(&h->todo)) != NULL) {
		TAILQ_REMOVE(&h->todo, j, link);
		if (!j->cancelled)
			j->fn(j->arg, NULL);
		job_free(j);
	}
	if (h->st != NULL) {
		flush(h);
		store_sync(h->st); /* write_done must run while h lives */
	}
	wbatch_free(h->cur);
	wbatch_free(h->spare);
	for (i = 0; i < h->ntouched; i++)
		free(h->touched[i]);
	free(h->touched);
	while ((e = TAILQ_FIRST(&h->all)) != NULL)
		entry_free(h, e);
	HASH_ITER(hh, h->targets, t, tt) {
		HASH_DEL(h->targets, t);
		free(t);
	}
	if (h->flush_ev != NULL)
		event_free(h->flush_ev);
	if (h->wake_ev != NULL)
		event_free(h->wake_ev);
	if (h->wake[0] >= 0) {
		close(h->wake[0]);
		close(h->wake[1]);
	}
	sqlite3_close(h->rdb);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

void
hist_set_conf(struct hist *h, const struct hist_conf *conf)
{
	struct htarget *t, *tt;

	h->conf = *conf;
	if (conf->max_per_target > 0)
		HASH_ITER(hh, h->targets, t, tt) {
			while (t->count > conf->max_per_target) {
				bool last = t->count == 1;
				entry_free(h, TAILQ_FIRST(&t->rows));
				if (last)
					break;
			}
		}
	shrink(h);
}

void
hist_get_stats(const struct hist *h, struct hist_stats *st)
{
	*st = h->stats;
	st->cache_bytes = h->bytes;
	st->cache_rows = h->rows;
	st->targets = HASH_COUNT(h->targets);
}
