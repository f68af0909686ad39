/* history.h - the message history (issue 12, docs/HISTORY.md): an
 * in-memory tail cache per target with one global byte budget, and, when
 * the server has a database (store/store.h), the table `history` of it.
 *
 * Why this shape: the loop never waits for the disk. An append goes into
 * the cache at once and is queued for the database; the rows of one loop
 * turn go to the store's writer thread as one job (store_call), so a
 * message costs the loop a few copies and no system call. A query the
 * cache can answer exactly is answered at once; one that reaches past
 * what the cache holds goes to a reader thread with a read-only
 * connection of its own, and the result comes back on the loop through a
 * pipe (the pattern of store.c and core/password.c). The reader first
 * waits until every row appended before the query is committed, so the
 * disk answer is the one the cache would have given.
 *
 * The cache holds, for every target, a suffix of its history (the newest
 * rows): eviction (budget, age, count) always takes the oldest row of the
 * whole cache or of one target, O(1) each, so a flood of long messages
 * cannot grow memory past the budget. Without a database the cache is the
 * whole history.
 *
 * Targets are keys: a channel's casefolded name, or for direct messages
 * between two accounts "acct1 acct2" (casefolded, sorted, one space), as
 * Ergo keys its DM history by the account pair.
 *
 * Layer: store/ (uses core and store only); cmd/history.c formats and
 * decides who may read what. Loop thread only, except where said. */
#ifndef EVIRCD_HISTORY_H
#define EVIRCD_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct store;
struct hist;
struct hist_job;

/* What a row is. PRIVMSG and NOTICE go to every client; the others are
 * the draft/event-playback lines (chathistory spec: "If the client has not
 * negotiated the event-playback capability, the server MUST NOT send any
 * lines other than PRIVMSG and NOTICE"). Stored as integers: never
 * renumber. */
enum hist_kind {
	HK_PRIVMSG = 0,
	HK_NOTICE = 1,
	HK_TAGMSG = 2,
	HK_JOIN = 3,
	HK_PART = 4,
	HK_KICK = 5,
	HK_QUIT = 6,
	HK_TOPIC = 7,
	HK_MODE = 8,
	HK_NICK = 9,
};
#define HIST_IS_EVENT(k) ((k) >= HK_TAGMSG)

/* Row flags (stored). */
enum hist_flag {
	HF_SECRET = 1u << 0, /* the channel was +s or +p when it was sent */
};

#define HIST_KEY_MAX   96 /* bytes of a target key */
#define HIST_MSGID_MAX 63 /* bytes of a msgid we look up */
/* Rows queued for the database and not yet committed, in bytes; past it
 * new rows stay in the cache only (logged once a minute). */
#define HIST_WRITE_MAX (64u << 20)

/* The settings ([history], docs/CONFIG.md). */
struct hist_conf {
	size_t cache_bytes; /* global budget of the cache, bytes */
	unsigned max_per_target; /* rows kept per target, 0 = no limit */
	int64_t max_age; /* seconds a row is kept, 0 = no limit */
};

/* One row as a query returns it. The strings are owned by the cache or by
 * the hist_result; valid until the result is freed. */
struct hist_row {
	uint64_t seq; /* the history's order (the table's id) */
	int64_t time_ms; /* Unix time, milliseconds */
	uint8_t kind; /* enum hist_kind */
	uint8_t flags; /* enum hist_flag */
	const char *msgid;
	const char *line; /* ":prefix VERB target ..." without tags or CRLF */
	const char *tags; /* the message's tags as sent ("msgid=..;+x=y"), or "" */
};

/* A query result: rows in ascending order. For TARGETS, rows[i].line is
 * the target key and time_ms its newest row's time. */
struct hist_result {
	size_t n;
	struct hist_row *rows;
	bool owned; /* a disk result: each row's strings are one allocation
				 * starting at its msgid (TARGETS: its line) */
};

/* hist_new: a history with conf. st (may be NULL: memory only) is the
 * database the rows are written to; a reader thread with its own
 * read-only connection to store_path(st) is started then. base receives
 * the reader's answers. next sequence number and retention timers are set
 * up. NULL with err filled on failure. */
struct hist *hist_new(const struct hist_conf *conf, struct store *st, struct event_base *base,
    char *err, size_t errlen);
/* hist_free: stop the reader (queries not yet answered get their
 * callback with NULL), queue what is unwritten, free the cache. Call it
 * before store_close. NULL is fine. */
void hist_free(struct hist *h);
/* hist_set_conf: new settings (REHASH); the cache shrinks at once. */
void hist_set_conf(struct hist *h, const struct hist_conf *conf);
/* hist_persistent: rows go to a database. */
bool hist_persistent(const struct hist *h);

/* hist_append: add a row to key's history (strings copied; tags may be
 * NULL). account is the sender's account (NULL: none) and nick its
 * casefolded nick, for hist_forget. Returns its sequence number. O(1)
 * amortised, no system call. */
uint64_t hist_append(struct hist *h, const char *key, int64_t time_ms, unsigned kind,
    unsigned flags, const char *msgid, const char *account, const char *nick, const char *line,
    const char *tags);
/* hist_next_seq: the sequence number the next row will get. */
uint64_t hist_next_seq(const struct hist *h);
/* hist_expire: apply max_age to the cache at now_ms (Unix ms) and queue
 * the database's retention sweep (age and per-target count). Called by a
 * timer of the caller once a minute. */
void hist_expire(struct hist *h, int64_t now_ms);

/* A message reference (chathistory "msgref"). */
enum hist_ref_kind { HR_NONE = 0, HR_TIME, HR_MSGID };
struct hist_ref {
	uint8_t kind; /* enum hist_ref_kind; HR_NONE = "*" */
	int64_t time_ms;
	char msgid[HIST_MSGID_MAX + 1];
};
/* The selections (chathistory subcommands). */
enum hist_sel { HS_LATEST, HS_BEFORE, HS_AFTER, HS_AROUND, HS_BETWEEN, HS_TARGETS };

/* One query. For HS_TARGETS: a.time_ms and b.time_ms bound the newest row
 * of each target, keys/nkeys name the channels to consider and account
 * (casefolded, "" = none) the DM pairs to consider. */
struct hist_query {
	enum hist_sel sel;
	char key[HIST_KEY_MAX + 1];
	struct hist_ref a, b;
	unsigned limit; /* at least 1 */
	bool events; /* include event-playback rows */
	uint64_t secret_from; /* rows with HF_SECRET and seq below are hidden */
	const char *const *keys; /* HS_TARGETS (copied) */
	size_t nkeys;
	const char *account; /* HS_TARGETS (copied) */
};

/* Called on the loop thread with the answer (NULL: the read failed);
 * the callee frees it with hist_result_free. */
typedef void (*hist_done_fn)(void *arg, struct hist_result *res);

/* hist_query: answer q. Returns 1 with *now set (from the cache, no
 * system call; rows point into the cache: use them before the next
 * hist_* call), 0 when a read was queued (fn(arg, res) follows; *job
 * cancels it), -1 when it cannot be answered (out of memory, reader
 * queue full). */
int hist_query(struct hist *h, const struct hist_query *q, struct hist_result **now,
    hist_done_fn fn, void *arg, struct hist_job **job);
/* hist_query_cached: q from the cache only: 1 with *now set (as
 * hist_query), 0 when the cache cannot answer it, -1 out of memory. */
int hist_query_cached(struct hist *h, const struct hist_query *q, struct hist_result **now);
/* hist_job_cancel: fn will not be called for job. */
void hist_job_cancel(struct hist_job *job);
/* hist_result_free: NULL is fine. */
void hist_result_free(struct hist_result *res);

/* hist_forget: erase every row sent by account (casefolded; NULL: none)
 * or, for rows without an account, by nick (casefolded; NULL: none).
 * Rows leave the cache at once (O(cache): an operator command); the
 * database delete is queued and fn(arg, rows deleted there) follows on
 * the loop (memory only: at once, with the cache's count). 0, or -1 when
 * it cannot be queued. */
typedef void (*hist_count_fn)(void *arg, long long n);
int hist_forget(struct hist *h, const char *account, const char *nick, hist_count_fn fn, void *arg);

/* A cached row found by msgid (hist_lookup): pointers into the cache,
 * valid until the next hist_* call. */
struct hist_found {
	const char *key; /* its target's key */
	int64_t time_ms;
	uint8_t kind; /* enum hist_kind */
	const char *account; /* sender's account (casefolded), NULL: none */
	const char *nick; /* sender's nick (casefolded) */
	const char *line;
};
/* hist_lookup: the cached row with msgid: 1 with *out filled, 0 when the
 * cache does not hold it (evicted, expired, redacted, never). O(1). For
 * REDACT (IRCv3 draft/message-redaction): who sent it, when, where. */
int hist_lookup(struct hist *h, const char *msgid, struct hist_found *out);
/* hist_redact: erase the row msgid of key, and the rows "<msgid>.1" ..
 * "<msgid>.<extra>" (the later lines of a multiline message), from the
 * cache at once and from the database (queued after this turn's rows), so
 * CHATHISTORY no longer returns them (the spec's first choice: "exclude
 * it entirely"). 0, or -1 when the database delete cannot be queued. */
int hist_redact(struct hist *h, const char *key, const char *msgid, unsigned extra);

/* Statistics (STATS, benchmarks). */
struct hist_stats {
	size_t cache_bytes, cache_rows, targets;
	uint64_t hits, misses, evicted, unwritten;
};
void hist_get_stats(const struct hist *h, struct hist_stats *st);

#endif
