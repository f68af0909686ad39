/*
 * harness.h - an in-process fake-client harness for evircd.
 *
 * One struct server (server_new, no listeners) and any number of fake
 * clients, each a bufferevent_pair: the server end is handed to conn_adopt()
 * as if accepted from 127.0.0.1, the test keeps the other end and reads the
 * server's lines from its input buffer. Nothing touches the network and
 * nothing sleeps: fc_run() turns the event loop (EVLOOP_NONBLOCK) until no
 * callback is pending and no byte moved, with a bound. Like a socket, the
 * server's output leaves its buffer on a later loop turn: the test end is
 * read-enabled only for a moment once per turn (see pickup() in harness.c),
 * and not at all while fc_pause()d (a slow reader).
 *
 * Expectations are POSIX extended regular expressions matched against whole
 * received lines (without CRLF). Failures abort the current Check test with
 * the caller's file:line and the lines still pending for that client.
 *
 * Clock and timers. The server's clock is fixed (srv->clock_fixed:
 * server_clock leaves srv->now alone), so no second passes while a test
 * counts what a rate limit lets through; h_advance() moves it, and only
 * h_wait_real() lets it follow the wall clock while it waits. The
 * per-client timer is a libevent common timeout in REAL time, so timer tests
 * do not wait for it: they advance the clock and then call the timer
 * callback directly with fc_fire_timer() (conn_timer_cb on the server-side
 * client, exactly what libevent would run). One test per kind also proves the
 * timer is really armed by waiting for it with h_wait_real(), bounded by a
 * deadline (configured intervals of 1 s).
 *
 * Sockets. A harness made with h_new_sock() (or with h->sockets set before
 * its first fc_connect) connects its clients over an AF_UNIX socketpair
 * through conn_accept(), the path of a real listener: the server end is a
 * plain socket, so its clients get CF_DIRECT and their output leaves
 * through the end-of-turn flusher (output_flush_cb: one write per client
 * per loop turn, EV_WRITE only while the socket is full), which pairs never
 * exercise. The kernel is the network: the test end reads whenever data
 * is there, fc_pause stops reading (the socket fills, then the server's
 * buffer), and a server close is a real EOF (the test end then closes its
 * side, as a client would).
 */
#ifndef EVIRCD_TEST_HARNESS_H
#define EVIRCD_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include <check.h>

struct server;
struct config;
struct client;
struct bufferevent;

/* Regex fragments. The harness names the server "irc.test". */
#define H_SERVER     "irc.test"
#define SRV	     "^:irc\\.test "
/* A numeric to nick: SRV "001 alice ". */
#define NUM(n, nick) SRV n " " nick " "
/* A user prefix: ":nick!~user@127.0.0.1 ". */
#define PFX(nick)    "^:" nick "![^ @]+@127\\.0\\.0\\.1 "

#define H_MAX_FC 64

struct harness;

struct fc {
	struct harness *h;
	struct bufferevent *bev; /* the test's end of the pair / socket */
	unsigned short port; /* its fake peer port: identifies it */
	bool eof; /* socket mode: the server closed */
	char name[40]; /* nick or label, for messages */
	char **lines; /* received, not yet consumed */
	size_t nlines, cap;
	size_t received; /* bytes received in total */
	char *last; /* line returned by the last fc_expect */
	bool paused; /* not reading (slow reader) */
};

struct harness {
	struct server *srv;
	struct fc *fcs[H_MAX_FC];
	int nfc;
	unsigned max_turns; /* fc_run bound (loop turns) */
	bool sockets; /* clients over socketpairs (see above) */
};

/* h_config: the test configuration: config_default() with server name
 * "irc.test", the built-in MOTD loaded, fakelag off, no listeners. The
 * caller may change it and pass it to h_new_cfg. */
struct config *h_config(void);
/* h_new: a harness on h_config(). h_new_cfg takes ownership of cfg. */
struct harness *h_new(void);
struct harness *h_new_cfg(struct config *cfg);
/* h_new_sock: h_new() with clients over socketpairs (see "Sockets"). */
struct harness *h_new_sock(void);
/* h_config_add_oper: append an [oper] block (name, password, host mask;
 * copied) to cfg. */
void h_config_add_oper(struct config *cfg, const char *name, const char *pass, const char *host);
/* h_free: free every fake client end and the server. */
void h_free(struct harness *h);
/* fc_run: turn the loop until idle (bounded; fails the test if it never
 * settles). Collects every client's received lines. */
void h_run(struct harness *h);
#define fc_run(h) h_run(h)
/* h_advance: move the (fixed) server clock forward by secs. */
void h_advance(struct harness *h, long secs);
/* h_wait_real: run the loop in real time (EVLOOP_ONCE turns), the server
 * clock following the wall clock meanwhile, until cond(fc) holds or
 * timeout_ms passes; returns whether it held. For the few tests
 * that prove a libevent timer is really armed. */
bool h_wait_real(struct harness *h, struct fc *fc, bool (*cond)(struct fc *), int timeout_ms);
/* h_wait_count: h_wait_real until fc has at least n pending lines matching
 * re. */
bool h_wait_count(struct harness *h, struct fc *fc, const char *re, unsigned n, int timeout_ms);

/* fc_connect: a new unregistered connection from 127.0.0.1. */
struct fc *fc_connect(struct harness *h, const char *label);
/* fc_new: connect and register as nick (NICK, USER nick 0 * :Real nick),
 * then consume the welcome burst up to the end of the MOTD (376/422). */
#define fc_new(h, nick) fc_new_at(__FILE__, __LINE__, (h), (nick))
struct fc *fc_new_at(const char *file, int line, struct harness *h, const char *nick);
/* h_two_in_channel: alice creates chan (and is its operator), bob joins;
 * both have their pending lines cleared. */
void h_two_in_channel(struct harness *h, struct fc **a, struct fc **b, const char *chan);
/* fc_send: one line; CRLF is appended. fc_send_raw: bytes as they are.
 * Both run the loop until idle afterwards, so what clients send is
 * processed in the order the test sent it (the server may still hold
 * input back, e.g. under fakelag). */
void fc_send(struct fc *fc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fc_send_raw(struct fc *fc, const void *buf, size_t len);
/* fc_expect: run, then find the first pending line matching re; consume
 * every line up to and including it and return it (valid until the next
 * expectation on fc). Fails the test when no line matches. */
#define fc_expect(fc, re)      fc_expect_at(__FILE__, __LINE__, (fc), (re), false)
/* fc_expect_next: as fc_expect, but it must be the very next line. */
#define fc_expect_next(fc, re) fc_expect_at(__FILE__, __LINE__, (fc), (re), true)
const char *fc_expect_at(const char *file, int line, struct fc *fc, const char *re, bool next);
/* fc_expect_none: run, then fail if a pending line matches re (nothing is
 * consumed). */
#define fc_expect_none(fc, re) fc_expect_none_at(__FILE__, __LINE__, (fc), (re))
void fc_expect_none_at(const char *file, int line, struct fc *fc, const char *re);
/* fc_count: run, then the number of pending lines matching re (nothing is
 * consumed). */
unsigned fc_count(struct fc *fc, const char *re);
/* fc_clear: run, then drop every pending line. */
void fc_clear(struct fc *fc);
/* fc_pending: number of pending lines (after a run). */
size_t fc_pending(struct fc *fc);
/* fc_pause / fc_resume: stop / restart reading at the test end (a slow
 * reader: the server's output stays queued in its own buffer). */
void fc_pause(struct fc *fc);
void fc_resume(struct fc *fc);
/* fc_hangup: the client goes away (EOF seen by the server; socket mode:
 * shutdown(SHUT_WR) after what was sent). */
void fc_hangup(struct fc *fc);
/* fc_gone: the server freed its end of the connection. */
bool fc_gone(struct fc *fc);
/* fc_client: the server-side client, or NULL once freed. */
struct client *fc_client(struct fc *fc);
/* fc_fire_timer: run the per-client timer callback now (see the clock note
 * above); the client must still exist. */
void fc_fire_timer(struct fc *fc);
/* h_run_suite: run s with an srunner; the process exit status. */
int h_run_suite(Suite *s);
/* h_tcase: a test case with timeout secs, added to s. */
TCase *h_tcase(Suite *s, const char *name, double secs);

/* h_regex_match: does s match the extended regex re? (Aborts on a bad re.) */
bool h_regex_match(const char *re, const char *s);

#endif
