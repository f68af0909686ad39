/* log.h - levelled logging to stderr (journald takes it from there),
 * OpenBSD httpd style, optionally copied to syslog ([log] syslog); events
 * as one line of key=value fields (log_kv_*). */
#ifndef EVIRCD_LOG_H
#define EVIRCD_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;

/* log_init: set the verbosity. debug != 0 enables log_debug output. */
void log_init(int debug);
/* log_warn: warning with ": strerror(errno)" appended. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warnx: warning without errno. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_info: informational message. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_debug: only printed when log_init(1) was called. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_syslog: copy every line to syslog (/dev/log) with facility
 * (LOG_DAEMON, LOG_LOCAL0, ...) when on; off closes it. Called at start and
 * on rehash. Never waits: a datagram the syslog daemon does not take at
 * once is dropped and counted, and "N log lines dropped" is sent ahead of
 * the next one that goes through. */
void log_syslog(int on, int facility);
/* log_syslog_path: log_syslog to the datagram socket at path (tests). */
void log_syslog_path(int on, int facility, const char *path);
/* log_attach: from now on stderr is written without waiting: a line the
 * descriptor does not take at once is queued (at most 64 KiB, in order)
 * and written by base's loop when stderr is writable; past that, lines are
 * dropped and counted, and "N log lines dropped" is written ahead of the
 * next line that fits. Before log_attach (start-up) lines are written
 * directly. Own file description for a pipe or terminal (the shell's stays
 * blocking). 0, or -1 when out of memory (lines stay direct). */
int log_attach(struct event_base *base);
/* log_detach: write what is queued, waiting at most 2 s in all for stderr,
 * and go back to direct writes. Before event_base_free; fatal() calls it. */
void log_detach(void);
/* log_dropped_total: log lines dropped since start (stderr and syslog). */
uint64_t log_dropped_total(void);
/* log_facility: the syslog facility named name ("daemon", "user",
 * "local0".."local7"), or -1. */
int log_facility(const char *name);

/* One event line being built: "event=NAME key=value key=\"a value\"".
 * A value is written bare when it is non-empty and has no space, quote,
 * backslash, '=' or control byte; otherwise in double quotes with \" \\
 * and \xNN escapes, so a line always splits back into its fields. */
struct log_kv {
	char buf[1024];
	size_t len;
};
/* log_kv_init: start a line for event (a constant word: connect, quit, ...). */
void log_kv_init(struct log_kv *kv, const char *event);
/* log_kv_str: append key=value (value NULL: the field is left out). A
 * line longer than the buffer is cut at a field boundary. */
void log_kv_str(struct log_kv *kv, const char *key, const char *value);
/* log_kv_num: append key=number. */
void log_kv_num(struct log_kv *kv, const char *key, long long value);
/* log_kv_emit: log the line at info level. */
void log_kv_emit(const struct log_kv *kv);
/* fatal/fatalx: log and exit(1); only for start-up errors or broken invariants. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
