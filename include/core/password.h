/* password.h - connection and operator passwords: argon2id hashes (made by
 * `evircd --mkpasswd`, checked by libsodium) or plain text, and a small
 * worker pool that verifies hashes off the event loop thread.
 *
 * Why a pool: one argon2id verification with the interactive parameters
 * costs ~90 ms of CPU and 64 MiB; run on the loop it stalls every client
 * (issue 9 item 1: ten PASS lines delayed another client's PING by 0.85 s).
 * The pool runs them on PASSWORD_WORKERS threads and hands each result back
 * to the loop through a pipe watched by an event, so no libevent object is
 * touched from a worker and no evthread locking is needed. */
#ifndef EVIRCD_PASSWORD_H
#define EVIRCD_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;

/* Worker threads: one keeps a core for the loop and bounds memory at one
 * verification (64 MiB); jobs queue behind it. */
#define PASSWORD_WORKERS     1
/* Jobs queued or running at once; past it, password_verify_async refuses
 * (the caller answers "try again"). Each client has at most one. */
#define PASSWORD_QUEUE_MAX   64
/* Room for a hash written by password_hash (libsodium's STRBYTES). */
#define PASSWORD_HASH_MAX    128
/* Room for SCRAM-SHA-256 secrets written by password_scram_secrets. */
#define PASSWORD_SCRAM_MAX   192
/* PBKDF2 iterations of new SCRAM-SHA-256 secrets: RFC 7677 §4 asks for at
 * least 4096, the count Ergo and WeeChat's defaults use. The client runs
 * them at every login; the server only when a password is set (off the
 * loop, on the pool). */
#define PASSWORD_SCRAM_ITER  4096
/* Salt bytes of new SCRAM secrets (RFC 5802 leaves it open; 16 as Ergo). */
#define PASSWORD_SCRAM_SALT  16
/* SASL mechanisms this build offers with accounts: CAP LS 302's sasl value
 * and RPL_SASLMECHS (password_sasl_mechs). */
#define PASSWORD_MECHS_SCRAM "PLAIN,EXTERNAL,SCRAM-SHA-256"
#define PASSWORD_MECHS_BASIC "PLAIN,EXTERNAL"

/* password_is_hash: does stored name an argon2id hash ("$argon2id$...")
 * rather than a plain-text password? */
bool password_is_hash(const char *stored);
/* password_hash_supported: can this build verify hashes (libsodium)? */
bool password_hash_supported(void);
/* password_config_error: NULL when stored can be checked by this build,
 * else a static message why not (a hash in a build without libsodium, or a
 * malformed hash): the configuration is refused rather than taking the
 * hash for a plain-text password. */
const char *password_config_error(const char *stored);
/* argon2id cost of new hashes: libsodium's "interactive" limits (RFC 9106
 * §4 second recommended option is heavier; these are what libsodium and
 * Ergo/Atheme use for logins): 2 passes over 64 MiB. */
#define PASSWORD_DEFAULT_PASSES	 2
#define PASSWORD_DEFAULT_MEM_KIB 65536u
#define PASSWORD_MIN_MEM_KIB	 8u /* libsodium's crypto_pwhash_MEMLIMIT_MIN */
/* password_hash: hash pw with argon2id (interactive limits) into out
 * (outlen >= PASSWORD_HASH_MAX). 0, or -1 (no libsodium, out of memory). */
int password_hash(const char *pw, char *out, size_t outlen);
/* password_hash_cost: as password_hash with passes (1-10) and mem_kib
 * (KiB, PASSWORD_MIN_MEM_KIB to 1 GiB) as the argon2id cost; the cost is
 * written into the hash, so checks never need it. -1 also for a cost out
 * of range. */
int password_hash_cost(const char *pw, char *out, size_t outlen, unsigned passes, unsigned mem_kib);
/* password_check: does given match stored (hash or plain text, compared in
 * constant time)? Blocking: for a hash it takes ~90 ms and 64 MiB, so the
 * loop thread calls it only for plain text (password_is_hash false). */
bool password_check(const char *stored, const char *given);

/* password_scram_supported: can this build make SCRAM-SHA-256 secrets and
 * run the exchange (GNU SASL, libgsasl)? */
bool password_scram_supported(void);
/* password_sasl_mechs: the SASL mechanisms offered (a static string):
 * PASSWORD_MECHS_SCRAM with libgsasl, else PASSWORD_MECHS_BASIC. */
const char *password_sasl_mechs(void);
/* password_scram_secrets: SCRAM-SHA-256 secrets of pw (RFC 5802 §3:
 * SaltedPassword = PBKDF2-HMAC-SHA-256(Normalize(pw), salt, i), StoredKey =
 * H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword,
 * "Server Key")) with a new random salt and PASSWORD_SCRAM_ITER iterations,
 * written to out (outlen >= PASSWORD_SCRAM_MAX) in the RFC 5803 form
 * "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>" (base64).
 * Normalize is SASLprep (RFC 4013); a password it refuses is used as is.
 * Blocking (PBKDF2: a few ms): the loop thread never calls it. 0, or -1
 * (no libgsasl, out of memory). */
int password_scram_secrets(const char *pw, char *out, size_t outlen);
/* The parts of stored SCRAM secrets, as password_scram_parse finds them. */
struct password_scram {
	unsigned iter; /* PBKDF2 iterations */
	char salt[64]; /* base64, NUL-terminated */
	char stored_key[64]; /* base64 of StoredKey */
	char server_key[64]; /* base64 of ServerKey */
};
/* password_scram_parse: split secrets written by password_scram_secrets;
 * 0, or -1 when s is empty or malformed (the account has none). */
int password_scram_parse(const char *s, struct password_scram *out);

/* Tests only: pretend the build has no hash support (true) or restore it. */
void password_test_disable_hashes(bool disable);

struct password_pool;
struct password_job;
/* Called on the loop thread with the result; never after a cancel. */
typedef void (*password_done_fn)(void *arg, bool ok);

/* password_pool_new: PASSWORD_WORKERS threads and the wake-up event on
 * base. NULL on failure (threads or pipe). */
struct password_pool *password_pool_new(struct event_base *base);
/* password_pool_free: stop and join the workers; jobs still queued or done
 * are freed without calling back (cancel them first when the callers care). */
void password_pool_free(struct password_pool *pool);
/* password_verify_async: check given against stored on a worker; fn(arg,
 * ok) runs later on the loop thread. Both strings are copied (and wiped
 * after use). NULL when PASSWORD_QUEUE_MAX jobs are pending or on
 * out-of-memory: nothing will be called. The returned handle stays valid
 * until fn has been called or password_job_cancel returned. */
struct password_job *password_verify_async(struct password_pool *pool, const char *stored,
    const char *given, password_done_fn fn, void *arg);
/* Called on the loop thread with the result of a check against stored (the
 * string given to password_verify_scram_async, valid during the call) and,
 * when ok, the SCRAM secrets derived from the password (valid during the
 * call; NULL if they could not be made); never after a cancel. */
typedef void (*password_verified_fn)(void *arg, bool ok, const char *stored, const char *scram);
/* password_verify_scram_async: password_verify_async that also derives
 * SCRAM secrets from given when it matches (an account made without them:
 * the first password login adds them, docs/ACCOUNTS.md). */
struct password_job *password_verify_scram_async(struct password_pool *pool, const char *stored,
    const char *given, password_verified_fn fn, void *arg);
/* Called on the loop thread with a new hash and SCRAM secrets (valid during
 * the call; scram NULL without libgsasl), or hash NULL when hashing
 * failed; never after a cancel. */
typedef void (*password_hashed_fn)(void *arg, const char *hash, const char *scram);
/* password_hash_async: hash given with argon2id on a worker (account
 * registration, SET PASSWORD), and derive its SCRAM secrets; fn(arg, hash,
 * scram) runs later on the loop thread. given is copied and wiped after
 * use. NULL as for password_verify_async, or without libsodium. Cancel
 * like a check. */
/* password_pool_set_cost: the argon2id cost of hash jobs submitted from
 * now on (loop thread; [accounts] hash_passes / hash_memory). The default
 * is PASSWORD_DEFAULT_PASSES over PASSWORD_DEFAULT_MEM_KIB. */
void password_pool_set_cost(struct password_pool *pool, unsigned passes, unsigned mem_kib);
struct password_job *password_hash_async(struct password_pool *pool, const char *given,
    password_hashed_fn fn, void *arg);
/* password_job_cancel: fn will not be called (arg may be freed at once).
 * A job not yet started is dropped; a running one finishes and is
 * discarded. Loop thread only. */
void password_job_cancel(struct password_job *job);
/* password_pool_pending: jobs queued, running or awaiting their callback. */
unsigned password_pool_pending(const struct password_pool *pool);
/* password_pool_checks: verifications submitted since the pool started
 * (statistics, and tests counting hashes per registration). */
unsigned long password_pool_checks(const struct password_pool *pool);

#endif
