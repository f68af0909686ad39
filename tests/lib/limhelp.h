/*
 * limhelp: additions to livelib for the limits suites (tests/limits), built
 * into the same library (tests/lib); they only use livelib's public API.
 */
#ifndef LIMHELP_H
#define LIMHELP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "livelib.h"

/* Monotonic clock in milliseconds. */
int64_t lim_now_ms(void);

/* A client whose socket is bound to the loopback address src (127.x.y.z)
 * before it connects to 127.0.0.1:port, so per-IP / per-CIDR limits and
 * D-lines can be exercised on one host.  rcvbuf > 0 sets SO_RCVBUF before
 * connecting.  Named "SRC#FD"; cl_connect_src with 127.0.0.1. */
struct cl *cl_from(const char *src, int port, int rcvbuf);

/* NICK/USER (after an optional PASS), wait for 001 and the end of the MOTD,
 * and collect every RPL_ISUPPORT token into isup as " TOK TOK ... " (may be
 * NULL). */
void cl_register_isupport(struct cl *, const char *pass, const char *nick, char *isup,
    size_t isupsz);
/* 1 if the space-separated token list has exactly this token. */
int isupport_has(const char *isup, const char *tok);
/* The value of NAME=VALUE in the token list, or NULL (static buffer). */
const char *isupport_get(const char *isup, const char *name);

/* /proc/PID/status VmRSS in KiB, -1 if unreadable. */
long proc_rss_kb(pid_t);
/* Number of open descriptors of PID (/proc/PID/fd), -1 if unreadable. */
int proc_fd_count(pid_t);
/* utime + stime of PID in clock ticks, -1 if unreadable. */
long proc_cpu_ticks(pid_t);

/* Wait for the server to close c (cl_expect_eof), then close our end as a
 * real client does (the server half-closes and waits for that). */
void eof_close(struct cl *, int timeout_ms);

/* `$EVIRCD_BIN --mkpasswd` with pw on stdin; returns the hash (static). */
const char *lim_mkpasswd(const char *pw);

/* A path in the suite's temp root (survives srv_stop, unlike srv dirs). */
const char *lim_tmp_path(const char *name);

/* A time bound in ms scaled for slow runs: x10 when the server runs under
 * valgrind (EVIRCD_VALGRIND, `meson test --setup valgrind`), x3 in a
 * sanitizer build, else unchanged.  Used for "promptly" bounds only. */
int lim_ms(int ms);
/* 1 when the server's memory use is distorted by an instrumenting
 * allocator whose freed blocks are held back (valgrind). */
int lim_server_under_valgrind(void);
/* lim_server_instrumented: 1 when freed memory does not come back to the
 * server's RSS promptly: valgrind, or a sanitizer build (ASan's quarantine
 * holds freed blocks). RSS-growth assertions skip then. */
int lim_server_instrumented(void);

/* lim_prompt_sync: a PING round trip on c, which must take less than
 * lim_ms(max_ms) (the test fails naming what, which may be NULL); returns
 * the round trip in ms. */
int64_t lim_prompt_sync(struct cl *c, int max_ms, const char *what);

/* Like live_tcase, with the timeout scaled like lim_ms. */
TCase *lim_tcase(const char *name, double timeout);

/* Sleep for ms milliseconds: only where a time window is the subject of
 * the test (fakelag rate, throttle period), never as synchronisation. */
void lim_sleep_ms(int ms);

#endif
