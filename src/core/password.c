/* password.c - password hashes and checks, and the verification pool that
 * keeps argon2id off the event loop thread (see password.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/event.h>

#include "evircd_config.h"
#if HAVE_SODIUM
#include <sodium.h>
#endif
#if HAVE_GSASL
#include <gsasl.h>
#endif

#include "core/log.h"
#include "core/number.h"
#include "core/password.h"

#define HASH_PREFIX	 "$argon2id$"
/* The most memory one verification may take (KiB, the hash's m=): the
 * "sensitive" libsodium preset. A hand-made hash asking for more would let
 * the configuration exhaust memory on every login. */
#define HASH_MAX_MEM_KIB (1024u * 1024u)

static bool hashes_disabled; /* tests: simulate a build without libsodium */

bool
password_is_hash(const char *stored)
{
	return stored != NULL && strncmp(stored, HASH_PREFIX, strlen(HASH_PREFIX)) == 0;
}

bool
password_hash_supported(void)
{
	return HAVE_SODIUM && !hashes_disabled;
}

void
password_test_disable_hashes(bool disable)
{
	hashes_disabled = disable;
}

/* password_config_error: see password.h. Anything starting "$argon2" is
 * meant as a hash: argon2i or a typo must not become a plain password. */
const char *
password_config_error(const char *stored)
{
	const char *m;
	char num[24];
	long long kib;
	size_t n;

	if (stored == NULL || strncmp(stored, "$argon2", 7) != 0)
		return NULL;
	if (!password_is_hash(stored))
		return "only argon2id hashes ($argon2id$..., from evircd --mkpasswd) are supported";
	if (!password_hash_supported())
		return "an argon2id hash needs evircd built with libsodium (this build has none)";
#if HAVE_SODIUM
	if (sodium_init() < 0)
		return "libsodium failed to initialise";
	if (crypto_pwhash_str_needs_rehash(stored, crypto_pwhash_OPSLIMIT_INTERACTIVE,
		crypto_pwhash_MEMLIMIT_INTERACTIVE) == -1)
		return "malformed argon2id hash (make one with evircd --mkpasswd)";
#endif
	/* the memory cost, m=KiB: number_parse, since sscanf("%lu") is
	 * undefined on overflow */
	m = strstr(stored, "$m=");
	n = m != NULL ? strcspn(m + 3, ",$") : 0;
	if (m == NULL || n == 0 || n >= sizeof(num))
		return "malformed argon2id hash (make one with evircd --mkpasswd)";
	memcpy(num, m + 3, n);
	num[n] = '\0';
	if (number_parse(num, 0, LLONG_MAX, &kib) != NUMBER_OK || kib > HASH_MAX_MEM_KIB)
		return "argon2id hash asks for more than 1 GiB of memory per check";
	return NULL;
}

int
password_hash_cost(const char *pw, char *out, size_t outlen, unsigned passes, unsigned mem_kib)
{
#if HAVE_SODIUM
	if (outlen < crypto_pwhash_STRBYTES || sodium_init() < 0)
		return -1;
	if (passes < 1 || passes > 10 || mem_kib < PASSWORD_MIN_MEM_KIB ||
	    mem_kib > HASH_MAX_MEM_KIB)
		return -1;
	if (crypto_pwhash_str(out, pw, strlen(pw), passes, (size_t)mem_kib * 1024) != 0)
		return -1;
	return 0;
#else
	(void)pw;
	(void)out;
	(void)outlen;
	(void)passes;
	(void)mem_kib;
	return -1;
#endif
}

int
password_hash(const char *pw, char *out, size_t outlen)
{
	return password_hash_cost(pw, out, outlen, PASSWORD_DEFAULT_PASSES,
	    PASSWORD_DEFAULT_MEM_KIB);
}

/* password_check: see password.h. A hash this build cannot verify never
 * matches (config load refuses it first, see password_config_error). */
bool
password_check(const char *stored, const char *given)
{
	size_t ls, lg, i, n;
	unsigned char diff;

	if (stored == NULL || given == NULL)
		return false;
	if (password_is_hash(stored)) {
#if HAVE_SODIUM
		if (password_hash_supported())
			return crypto_pwhash_str_verify(stored, given, strlen(given)) == 0;
#endif
		return false;
	}
	ls = strlen(stored);
	lg = strlen(given);
	n = ls > lg ? ls : lg;
	diff = (unsigned char)(ls != lg);
	for (i = 0; i < n; i++) {
		unsigned char a = i < ls ? (unsigned char)stored[i] : 0;
		unsigned char b = i < lg ? (unsigned char)given[i] : 0;
		diff |= a ^ b;
	}
	return diff == 0;
}

/* ------------------------------------------------------- SCRAM secrets */

bool
password_scram_supported(void)
{
	return HAVE_GSASL;
}

const char *
password_sasl_mechs(void)
{
	return password_scram_supported() ? PASSWORD_MECHS_SCRAM : PASSWORD_MECHS_BASIC;
}

#define SCRAM_PREFIX "SCRAM-SHA-256$"

int
password_scram_secrets(const char *pw, char *out, size_t outlen)
{
#if HAVE_GSASL
	char salt[PASSWORD_SCRAM_SALT], salted[GSASL_HASH_SHA256_SIZE];
	char ckey[GSASL_HASH_SHA256_SIZE], skey[GSASL_HASH_SHA256_SIZE];
	char stkey[GSASL_HASH_SHA256_SIZE];
	char *prep = NULL, *b_salt = NULL, *b_st = NULL, *b_sk = NULL;
	int rc = -1, n;

	/* RFC 5802 §2.2 Normalize: SASLprep with unassigned code points
	 * allowed (a stored string, but one any client may type) */
	if (gsasl_saslprep(pw, GSASL_ALLOW_UNASSIGNED, &prep, NULL) != GSASL_OK)
		prep = NULL;
	if (gsasl_nonce(salt, sizeof(salt)) != GSASL_OK ||
	    gsasl_scram_secrets_from_password(GSASL_HASH_SHA256, prep != NULL ? prep : pw,
		PASSWORD_SCRAM_ITER, salt, sizeof(salt), salted, ckey, skey, stkey) != GSASL_OK)
		goto out;
	if (gsasl_base64_to(salt, sizeof(salt), &b_salt, NULL) != GSASL_OK ||
	    gsasl_base64_to(stkey, sizeof(stkey), &b_st, NULL) != GSASL_OK ||
	    gsasl_base64_to(skey, sizeof(skey), &b_sk, NULL) != GSASL_OK)
		goto out;
	n = snprintf(out, outlen, SCRAM_PREFIX "%u:%s$%s:%s", PASSWORD_SCRAM_ITER, b_salt, b_st,
	    b_sk);
	rc = n > 0 && (size_t)n < outlen ? 0 : -1;
out:
	explicit_bzero(salted, sizeof(salted));
	explicit_bzero(ckey, sizeof(ckey));
	if (prep != NULL) {
		explicit_bzero(prep, strlen(prep));
		gsasl_free(prep);
	}
	gsasl_free(b_salt);
	gsasl_free(b_st);
	gsasl_free(b_sk);
	return rc;
#else
	(void)pw;
	(void)out;
	(void)outlen;
	return -1;
#endif
}

/* scram_field: copy the base64 field [p, p + n) into dst (size dsize). */
static int
scram_field(const char *p, size_t n, char *dst, size_t dsize)
{
	/* strspn stops at a NUL, so a short string fails too */
	if (n == 0 || n >= dsize ||
	    strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") < n)
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

int
password_scram_parse(const char *s, struct password_scram *out)
{
	const char *colon, *dollar, *colon2;
	char num[12];
	long long iter;
	size_t n;

	if (s == NULL || strncmp(s, SCRAM_PREFIX, strlen(SCRAM_PREFIX)) != 0)
		return -1;
	s += strlen(SCRAM_PREFIX);
	if ((colon = strchr(s, ':')) == NULL || (dollar = strchr(colon, '$')) == NULL ||
	    (colon2 = strchr(dollar, ':')) == NULL)
		return -1;
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	/* RFC 7677 §4: at least 4096; a count past 10^7 would make every
	 * client login take minutes */
	if (number_parse(num, 4096, 10000000, &iter) != NUMBER_OK)
		return -1;
	out->iter = (unsigned)iter;
	if (scram_field(colon + 1, (size_t)(dollar - colon - 1), out->salt, sizeof(out->salt)) !=
		0 ||
	    scram_field(dollar + 1, (size_t)(colon2 - dollar - 1), out->stored_key,
		sizeof(out->stored_key)) != 0 ||
	    scram_field(colon2 + 1, strlen(colon2 + 1), out->server_key, sizeof(out->server_key)) !=
		0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ the pool */

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct password_job {
	TAILQ_ENTRY(password_job) link; /* pool->todo or pool->done */
	struct password_pool *pool;
	char *stored, *given; /* owned copies; given wiped on free */
	password_done_fn fn;
	password_verified_fn vfn; /* set for a check that derives SCRAM secrets */
	password_hashed_fn hfn; /* set for a hash job (stored == NULL) */
	char hash[PASSWORD_HASH_MAX]; /* a hash job's result */
	unsigned passes, mem_kib; /* a hash job's argon2id cost */
	char scram[PASSWORD_SCRAM_MAX]; /* SCRAM secrets ("" = none) */
	void *arg;
	enum job_state state; /* under pool->mu */
	bool ok; /* written by the worker before JOB_DONE */
	bool cancelled; /* loop thread only (under mu) */
};

TAILQ_HEAD(job_list, password_job);

struct password_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job_list todo, done; /* under mu */
	bool stop; /* under mu */
	unsigned pending; /* loop thread only */
	unsigned long checks; /* loop thread only: jobs ever submitted */
	unsigned passes, mem_kib; /* loop thread only: cost of new hash jobs */
	pthread_t threads[PASSWORD_WORKERS];
	unsigned nthreads;
	int wake[2]; /* worker -> loop: "a job is done" */
	struct event *ev;
};

static void
job_free(struct password_job *job)
{
	if (job->given != NULL) {
		explicit_bzero(job->given, strlen(job->given));
		free(job->given);
	}
	free(job->stored);
	explicit_bzero(job->scram, sizeof(job->scram));
	free(job);
}

/* worker: take a job, verify it without the lock, post it to done and
 * wake the loop. A full pipe means the loop is already due to run. */
static void *
worker(void *arg)
{
	struct password_pool *pool = arg;
	struct password_job *job;
	bool ok;
	ssize_t w;

	pthread_mutex_lock(&pool->mu);
	while (!pool->stop) {
		if ((job = TAILQ_FIRST(&pool->todo)) == NULL) {
			pthread_cond_wait(&pool->cv, &pool->mu);
			continue;
		}
		TAILQ_REMOVE(&pool->todo, job, link);
		job->state = JOB_RUNNING;
		pthread_mutex_unlock(&pool->mu);
		if (job->hfn != NULL)
			ok = password_hash_cost(job->given, job->hash, sizeof(job->hash),
				 job->passes, job->mem_kib) == 0;
		else
			ok = password_check(job->stored, job->given);
		/* PBKDF2 for SCRAM, here too: never on the loop */
		if (ok && (job->hfn != NULL || job->vfn != NULL) &&
		    password_scram_secrets(job->given, job->scram, sizeof(job->scram)) != 0)
			job->scram[0] = '\0';
		pthread_mutex_lock(&pool->mu);
		job->ok = ok;
		job->state = JOB_DONE;
		TAILQ_INSERT_TAIL(&pool->done, job, link);
		w = write(pool->wake[1], "", 1);
		(void)w;
	}
	pthread_mutex_unlock(&pool->mu);
	return NULL;
}

/* done_cb: on the loop thread, deliver every finished job. Callbacks may
 * submit or cancel jobs: the finished ones are taken off first. */
static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct password_pool *pool = arg;
	struct job_list list;
	struct password_job *job;
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	TAILQ_INIT(&list);
	pthread_mutex_lock(&pool->mu);
	TAILQ_CONCAT(&list, &pool->done, link);
	pthread_mutex_unlock(&pool->mu);
	while ((job = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, job, link);
		pool->pending--;
		pthread_mutex_lock(&pool->mu);
		if (job->cancelled) {
			pthread_mutex_unlock(&pool->mu);
			job_free(job);
			continue;
		}
		job->cancelled = true; /* a cancel from inside fn is a no-op */
		pthread_mutex_unlock(&pool->mu);
		if (job->hfn != NULL)
			job->hfn(job->arg, job->ok ? job->hash : NULL,
			    job->ok && job->scram[0] != '\0' ? job->scram : NULL);
		else if (job->vfn != NULL)
			job->vfn(job->arg, job->ok, job->stored,
			    job->ok && job->scram[0] != '\0' ? job->scram : NULL);
		else
			job->fn(job->arg, job->ok);
		job_free(job);
	}
}

struct password_pool *
password_pool_new(struct event_base *base)
{
	struct password_pool *pool = calloc(1, sizeof(*pool));
	sigset_t all, old;
	unsigned i;

	if (pool == NULL)
		return NULL;
#if HAVE_SODIUM
	if (sodium_init() < 0)
		log_warnx("libsodium failed to initialise");
#endif
	pool->wake[0] = pool->wake[1] = -1;
	pool->passes = PASSWORD_DEFAULT_PASSES;
	pool->mem_kib = PASSWORD_DEFAULT_MEM_KIB;
	pthread_mutex_init(&pool->mu, NULL);
	pthread_cond_init(&pool->cv, NULL);
	TAILQ_INIT(&pool->todo);
	TAILQ_INIT(&pool->done);
	if (pipe2(pool->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		log_warn("password pool pipe");
		goto fail;
	}
	pool->ev = event_new(base, pool->wake[0], EV_READ | EV_PERSIST, done_cb, pool);
	if (pool->ev == NULL || event_add(pool->ev, NULL) != 0)
		goto fail;
	/* workers block every signal: SIGTERM/SIGHUP/SIGINT stay with the
	 * loop thread, whose libevent handlers expect them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < PASSWORD_WORKERS; i++) {
		if (pthread_create(&pool->threads[i], NULL, worker, pool) != 0) {
			log_warnx("password pool: cannot start a worker thread");
			break;
		}
		pool->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pool->nthreads == 0)
		goto fail;
	return pool;
fail:
	password_pool_free(pool);
	return NULL;
}

void
password_pool_free(struct password_pool *pool)
{
	struct password_job *job;
	unsigned i;

	if (pool == NULL)
		return;
	pthread_mutex_lock(&pool->mu);
	pool->stop = true;
	pthread_cond_broadcast(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
	for (i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	while ((job = TAILQ_FIRST(&pool->todo)) != NULL) {
		TAILQ_REMOVE(&pool->todo, job, link);
		job_free(job);
	}
	while ((job = TAILQ_FIRST(&pool->done)) != NULL) {
		TAILQ_REMOVE(&pool->done, job, link);
		job_free(job);
	}
	if (pool->ev != NULL)
		event_free(pool->ev);
	if (pool->wake[0] >= 0) {
		close(pool->wake[0]);
		close(pool->wake[1]);
	}
	pthread_cond_destroy(&pool->cv);
	pthread_mutex_destroy(&pool->mu);
	free(pool);
}

/* job_submit: hand job (with its callback's arg) to the workers; it counts
 * as pending until delivered. */
static struct password_job *
job_submit(struct password_pool *pool, struct password_job *job, void *arg)
{
	job->pool = pool;
	job->arg = arg;
	job->state = JOB_QUEUED;
	pool->pending++;
	pool->checks++;
	pthread_mutex_lock(&pool->mu);
	TAILQ_INSERT_TAIL(&pool->todo, job, link);
	pthread_cond_signal(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
	return job;
}

/* verify_job: a check of given against stored, not yet submitted. */
static struct password_job *
verify_job(struct password_pool *pool, const char *stored, const char *given)
{
	struct password_job *job;

	if (pool == NULL || pool->pending >= PASSWORD_QUEUE_MAX)
		return NULL;
	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	job->stored = strdup(stored);
	job->given = strdup(given);
	if (job->stored == NULL || job->given == NULL) {
		job_free(job);
		return NULL;
	}
	return job;
}

struct password_job *
password_verify_async(struct password_pool *pool, const char *stored, const char *given,
    password_done_fn fn, void *arg)
{
	struct password_job *job = verify_job(pool, stored, given);

	if (job == NULL)
		return NULL;
	job->fn = fn;
	return job_submit(pool, job, arg);
}

struct password_job *
password_verify_scram_async(struct password_pool *pool, const char *stored, const char *given,
    password_verified_fn fn, void *arg)
{
	struct password_job *job = verify_job(pool, stored, given);

	if (job == NULL)
		return NULL;
	job->vfn = fn;
	return job_submit(pool, job, arg);
}

void
password_pool_set_cost(struct password_pool *pool, unsigned passes, unsigned mem_kib)
{
	if (pool == NULL)
		return;
	pool->passes = passes;
	pool->mem_kib = mem_kib;
}

struct password_job *
password_hash_async(struct password_pool *pool, const char *given, password_hashed_fn fn, void *arg)
{
	struct password_job *job;

	if (pool == NULL || pool->pending >= PASSWORD_QUEUE_MAX || !password_hash_supported())
		return NULL;
	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	if ((job->given = strdup(given)) == NULL) {
		job_free(job);
		return NULL;
	}
	job->hfn = fn;
	job->passes = pool->passes; /* copied here: the worker never reads pool's */
	job->mem_kib = pool->mem_kib;
	return job_submit(pool, job, arg);
}

void
password_job_cancel(struct password_job *job)
{
	struct password_pool *pool = job->pool;

	pthread_mutex_lock(&pool->mu);
	if (job->state == JOB_QUEUED) {
		TAILQ_REMOVE(&pool->todo, job, link);
		pthread_mutex_unlock(&pool->mu);
		pool->pending--;
		job_free(job);
		return;
	}
	job->cancelled = true; /* running or done: done_cb frees it */
	pthread_mutex_unlock(&pool->mu);
}

unsigned
password_pool_pending(const struct password_pool *pool)
{
	return pool != NULL ? pool->pending : 0;
}

unsigned long
password_pool_checks(const struct password_pool *pool)
{
	return pool != NULL ? pool->checks : 0;
}
