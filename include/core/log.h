/* log.h - levelled logging to stderr, OpenBSD httpd style. */
#ifndef EVIRCD_LOG_H
#define EVIRCD_LOG_H

#include <stdarg.h>

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
/* fatal/fatalx: log and exit(1); only for start-up errors or broken invariants. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
