/* log.c - levelled logging to stderr, optionally to syslog; key=value
 * event lines (log.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

static int log_debug_on;
static int log_to_syslog;

/* log_init: enable debug output when debug != 0. */
void
log_init(int debug)
{
	log_debug_on = debug;
}

static void vlog(const char *level, int err, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* log_syslog: see log.h. */
void
log_syslog(int on, int facility)
{
	if (log_to_syslog)
		closelog();
	log_to_syslog = on;
	if (on)
		openlog("evircd", LOG_PID | LOG_NDELAY, facility);
}

/* log_facility: see log.h. */
int
log_facility(const char *name)
{
	static const struct {
		const char *name;
		int fac;
	} tab[] = {
		{ "daemon", LOG_DAEMON },
		{ "user", LOG_USER },
		{ "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(name, tab[i].name) == 0)
			return tab[i].fac;
	return -1;
}

/* syslog_priority: the syslog priority of a level word. */
static int
syslog_priority(const char *level)
{
	switch (level[0]) {
	case 'w':
		return LOG_WARNING;
	case 'f':
		return LOG_CRIT;
	case 'd':
		return LOG_DEBUG;
	default:
		return LOG_INFO;
	}
}

/* vlog: one line "YYYY-mm-ddTHH:MM:SS level: message[: strerror]". */
static void
vlog(const char *level, int err, const char *fmt, va_list ap)
{
	char msg[1024], ts[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err)
		fprintf(stderr, "%s evircd[%d]: %s: %s: %s\n", ts, (int)getpid(), level, msg,
		    strerror(err));
	else
		fprintf(stderr, "%s evircd[%d]: %s: %s\n", ts, (int)getpid(), level, msg);
	fflush(stderr);
	if (log_to_syslog) {
		if (err)
			syslog(syslog_priority(level), "%s: %s", msg, strerror(err));
		else
			syslog(syslog_priority(level), "%s", msg);
	}
}

void
log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("warning", err, fmt, ap);
	va_end(ap);
	errno = err;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("info", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	vlog("debug", 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", err, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}

/* log_kv_init: see log.h. */
void
log_kv_init(struct log_kv *kv, const char *event)
{
	int n = snprintf(kv->buf, sizeof(kv->buf), "event=%s", event);

	kv->len = n < 0 ? 0 : (size_t)n < sizeof(kv->buf) ? (size_t)n : sizeof(kv->buf) - 1;
}

/* kv_bare: can value be written without quotes? */
static int
kv_bare(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;

	if (*p == '\0')
		return 0;
	for (; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '\\' || *p == '=')
			return 0;
	return 1;
}

/* log_kv_str: see log.h. */
void
log_kv_str(struct log_kv *kv, const char *key, const char *value)
{
	char field[sizeof(kv->buf)];
	size_t n = 0, cap = sizeof(field) - 1;
	const unsigned char *p;
	int w;

	if (value == NULL)
		return;
	w = snprintf(field, sizeof(field), " %s=", key);
	if (w < 0 || (size_t)w >= cap)
		return;
	n = (size_t)w;
	if (kv_bare(value)) {
		w = snprintf(field + n, sizeof(field) - n, "%s", value);
		n += w < 0 ? 0 : (size_t)w;
	} else {
		field[n++] = '"';
		for (p = (const unsigned char *)value; *p && n + 5 < cap; p++) {
			if (*p == '"' || *p == '\\') {
				field[n++] = '\\';
				field[n++] = (char)*p;
			} else if (*p < ' ' || *p == 0x7f)
				n += (size_t)snprintf(field + n, 5, "\\x%02x", *p);
			else
				field[n++] = (char)*p;
		}
		field[n++] = '"';
	}
	if (n > cap)
		n = cap;
	field[n] = '\0';
	if (kv->len + n >= sizeof(kv->buf))
		return; /* the line is full: the field is left out whole */
	memcpy(kv->buf + kv->len, field, n + 1);
	kv->len += n;
}

/* log_kv_num: see log.h. */
void
log_kv_num(struct log_kv *kv, const char *key, long long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", value);
	log_kv_str(kv, key, num);
}

/* log_kv_emit: see log.h. */
void
log_kv_emit(const struct log_kv *kv)
{
	log_info("%s", kv->buf);
}
