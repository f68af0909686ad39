/*
 * livelib: a tiny blocking-socket IRC test client for the live suites.
 *
 * Each live test starts the real evircd binary ($EVIRCD_BIN) on 127.0.0.1
 * with port 0, reads the chosen port back from the "listening on" log line,
 * and drives it with raw TCP clients.  Every wait is bounded with poll();
 * "nothing arrived" is proven with a PING/PONG round trip (cl_sync), never by
 * sleeping.  Failures abort the current Check test with the recent traffic of
 * the client and the tail of the server's stderr.
 *
 * Base configuration (overridable per test): server irc.test, network
 * TestNet, listen 127.0.0.1:0, ping_interval/ping_timeout 600 s,
 * registration_timeout 60 s, [flood] enabled = no.
 *
 * Every line a client receives is checked for protocol validity (CRLF,
 * <= 512 bytes without tags, no NUL/bare CR, no empty middle parameter)
 * unless cl->strict is cleared; a violation fails the test on the spot.
 *
 * TLS: srv_start_tls adds a second listener with tls = yes (certificate
 * made in-process with OpenSSL, see live_cert); cl_connect_tls speaks TLS
 * through OpenSSL with every cl_* function unchanged.
 *
 * Built once as a static library (tests/lib/meson.build) with limhelp.h
 * and linked by every live suite: tests/live, tests/limits, tests/ircv3,
 * tests/tls.
 *
 * Environment: EVIRCD_BIN (required), LIVE_VERBOSE=1 echoes the server's
 * stderr, LIVE_DEBUG=1 starts it with -d, LIVE_KEEP=1 keeps the temp dirs,
 * EVIRCD_VALGRIND=1 (`meson test --setup valgrind`) runs the server under
 * memcheck and fails the test on any error or leak.
 */
#ifndef LIVELIB_H
#define LIVELIB_H

#include <stddef.h>
#include <sys/types.h>

#include <check.h>

/* Regex fragments: a line from the server, and a user prefix. */
#define SRV	  "^:irc\\.test "
#define PFX(nick) "^:" nick "![^ ]+@[^ ]+ "

/* Default bound for one expectation, in milliseconds. */
#define LIVE_T 5000

struct srv {
	pid_t pid;
	int port;
	int tls_port; /* TLS listener (srv_start_tls), else 0 */
	char tls_cert[160]; /* its certificate and key (PEM) in dir */
	char tls_key[160];
	int err_fd; /* read end of the server's stderr pipe */
	char dir[64]; /* private temp directory */
	char conf_path[96];
	int exited; /* waitpid already collected the status */
	int status; /* raw wait status once exited */
	int cleaned; /* stopped, temp dir removed */
	struct srv_log *log; /* drained stderr (owned by a thread) */
};

struct ssl_st;
struct ssl_ctx_st;

struct cl {
	int fd;
	struct ssl_st *ssl; /* NULL: plaintext */
	struct ssl_ctx_st *ssl_ctx;
	char name[64]; /* nick or label, for failure messages */
	char *rbuf; /* bytes read but not yet split */
	size_t roff, rlen, rcap;
	char **pend; /* complete lines not yet consumed */
	size_t npend, cpend;
	char *hist[40]; /* ring of recently consumed lines */
	unsigned nhist;
	char *last; /* line returned by the last expectation */
	int autopong; /* answer server PINGs (default on) */
	int strict; /* fail on malformed server lines (on) */
	int eof;
	unsigned sync_seq;
};

/* Server lifetime.  extra_conf is INI text merged over the base config:
 * keys override the base keys of the same section, [oper] blocks are
 * appended. */
struct srv *srv_start(const char *extra_conf);
/* srv_start plus a second listener, 127.0.0.1 port 0 with tls = yes, whose
 * certificate and key are copies (s->tls_cert, s->tls_key, in the server's
 * dir) of cert/key; NULL/NULL: live_cert("server", "irc.test").  Both
 * ports are read back (s->port, s->tls_port).  srv_rewrite_conf keeps the
 * TLS listener. */
struct srv *srv_start_tls(const char *extra_conf, const char *cert, const char *key);
/* The server process has not exited (yet). */
int srv_alive(struct srv *);
/* SIGTERM, wait (bounded, SIGKILL fallback); returns the wait status. */
int srv_stop(struct srv *);
/* Wait for the server to exit by itself; returns wait status or -1. */
int srv_wait_exit(struct srv *, int timeout_ms);
/* Rewrite the configuration file (for REHASH); same merge as srv_start. */
void srv_rewrite_conf(struct srv *, const char *extra_conf);
/* Copy of the tail of the server's stderr (static buffer). */
const char *srv_log_tail(struct srv *);
/* Wait until the server log contains a line matching the regex. */
int srv_log_wait(struct srv *, const char *re, int timeout_ms);
/* Write a file into the temp dir the NEXT srv_start will use (so a config
 * can reference it); returns its path (rotating static buffers). */
const char *live_file(const char *name, const char *text);
/* Write a file inside the server's temp dir; returns its path (static). */
const char *srv_write_file(struct srv *, const char *name, const char *text);

/* Clients. */
struct cl *cl_connect(int port);
struct cl *cl_connect_opt(const char *addr, int port, int rcvbuf);
/* cl_connect_opt from the local address src (127.x.y.z; NULL: any), so
 * per-IP limits and D-lines can be exercised on one host. */
struct cl *cl_connect_src(const char *src, const char *addr, int port, int rcvbuf);
/* Options of a TLS client (zero: none). */
struct tls_opt {
	const char *cert, *key; /* client certificate (PEM files) */
	int min_version; /* OpenSSL's TLS1_x_VERSION, 0 = default; */
	int max_version; /* either set: old versions and ciphers
					 * offered (security level 0), so that
					 * the server decides */
	const char *sni; /* server name indication (host name) */
};
/* TLS client on 127.0.0.1:port (the server certificate is not verified:
 * self-signed); opt may be NULL.  Returns NULL with OpenSSL's reason in err
 * when the handshake fails (bounded: 5 s). */
struct cl *cl_connect_tls_opt(int port, const struct tls_opt *opt, char *err, size_t errlen);
/* cl_connect_tls_opt without options; aborts on failure. */
struct cl *cl_connect_tls(int port);
/* SHA-256 fingerprint of the server certificate on a TLS client, lower-case
 * hex into hex (at least 65 bytes). */
void cl_peer_fp(struct cl *, char *hex);
void cl_close(struct cl *);
void cl_send(struct cl *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cl_send_raw(struct cl *, const void *, size_t);
/* Wait for a line matching the POSIX extended regex; lines before it are
 * consumed (kept in the history for messages).  Aborts on timeout. */
/* (timeout_ms is multiplied by 4 when the server runs under valgrind) */
const char *cl_expect(struct cl *, const char *re, int timeout_ms);
/* cl_expect with a printf-built regex and LIVE_T. */
const char *cl_expectf(struct cl *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like cl_expect but returns NULL on timeout / EOF instead of aborting. */
const char *cl_try_expect(struct cl *, const char *re, int timeout_ms);
/* PING round trip; fails if any line before the PONG matches re (re may
 * be NULL).  Lines that do not match stay queued for later expectations. */
void cl_expect_none(struct cl *, const char *re, int timeout_ms);
void cl_sync(struct cl *);
/* Number of queued (received, unconsumed) lines matching re, after a sync. */
int cl_count(struct cl *, const char *re);
/* Wait for the server to close the connection; aborts on timeout. */
void cl_expect_eof(struct cl *, int timeout_ms);
/* NICK/USER, wait for 001 and the end of the MOTD. */
void cl_register(struct cl *, const char *nick);
void cl_register_full(struct cl *, const char *nick, const char *user, const char *realname);
/* Connect + register in one go. */
struct cl *cl_new(struct srv *, const char *nick);
/* JOIN chan (c->name is the nick) and wait for its 366. */
void cl_join(struct cl *, const char *chan);
/* OPER admin operpass (the suites' usual [oper] block) and expect 381. */
void cl_oper(struct cl *);
/* Read and drop everything currently available (non-blocking). */
void cl_drain(struct cl *);

/* Certificates. */
/* A self-signed RSA-2048 certificate for CN cn, made once per suite run
 * (in-process, OpenSSL) as NAME.crt and NAME.key in the suite's temp root;
 * returns the .crt path, the key is the same path ending in .key (both
 * rotating static buffers). */
const char *live_cert(const char *name, const char *cn);
/* The .key path that goes with a live_cert .crt path (static buffer). */
const char *live_cert_key(const char *crt);
/* SHA-256 fingerprint of the first certificate in a PEM file (hex). */
void live_cert_fp(const char *path, char *hex);
/* Copy a file (write + rename: a reader never sees half of it). */
void live_copy_file(const char *from, const char *to);

/* Helpers. */
/* Escape regex metacharacters; returns one of a few rotating buffers. */
const char *rx_esc(const char *);
/* Copy capture group n of re matched against s into buf; 0 if no match. */
int rx_group(const char *s, const char *re, int n, char *buf, size_t);
int rx_match(const char *s, const char *re);

/* Temporary database directory. */
/* A fresh directory /tmp/evircd_TAG_XXXXXX into dir (dirlen >= 64) and
 * DIR/FILE into path; fails the test if it cannot be made. */
void live_db_setup(char *dir, size_t dirlen, char *path, size_t pathlen, const char *tag,
    const char *file);
/* Remove a live_db_setup directory (nothing if dir is empty) and empty dir. */
void live_db_teardown(char *dir);

/* Base64 (RFC 4648, padded) of len bytes into out (4 * ((len + 2) / 3) + 1). */
void live_b64(const void *in, size_t len, char *out);
/* Base64 of the SASL PLAIN message "\0account\0password" (RFC 4616). */
void live_plain_b64(const char *account, const char *password, char *out);

/* Common test scaffolding. */
void live_teardown(void);
int live_run(Suite *); /* runs, returns exit code */
TCase *live_tcase(const char *name, double timeout);

#endif
