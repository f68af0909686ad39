/* log.c - levelled logging to stderr, optionally to syslog; key=value
 * event lines (log.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "core/log.h"

static int log_debug_on;

/* The stderr queue (log_attach): lines the log output did not take at
 * once wait here, in order, and the loop writes them when the descriptor
 * is writable. Past LOG_QUEUE_MAX bytes lines are dropped and counted; the
 * count is written as its own line ahead of the next line that fits. */
#define LOG_QUEUE_MAX (64 * 1024)
static struct {
	struct event *ev; /* EV_WRITE on fd; pending while q is not empty */
	struct evbuffer *q; /* NULL: not attached, lines are written directly */
	int fd; /* a non-blocking handle on stderr */
	bool own_fd; /* fd was opened here (a pipe or terminal reopened) */
	bool sock; /* stderr is a socket (journald): send(MSG_DONTWAIT) */
	bool broken; /* a write failed for good (EPIPE ...): count, do not try */
	int restore_flags; /* fd 2's flags to put back in log_detach, or -1 */
	uint64_t dropped; /* since the last "N log lines dropped" line */
} lq = { .fd = 2, .restore_flags = -1 };
static uint64_t log_dropped; /* lines dropped since start (stderr + syslog) */

/* syslog, our own non-blocking datagram socket to /dev/log (glibc's
 * syslog(3) blocks while the daemon's queue is full). */
static struct {
	int fd; /* -1: closed */
	int facility;
	char path[108];
	uint64_t dropped; /* since the last report through syslog */
} sl = { .fd = -1 };

/* log_init: enable debug output when debug != 0. */
void
log_init(int debug)
{
	log_debug_on = debug;
}

static void vlog(const char *level, int err, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* log_dropped_total: see log.h. */
uint64_t
log_dropped_total(void)
{
	return log_dropped;
}

/* syslog_open: a non-blocking datagram socket connected to sl.path. */
static void
syslog_open(void)
{
	struct sockaddr_un sun;

	if (sl.fd >= 0)
		close(sl.fd);
	sl.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sl.fd < 0)
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sl.path);
	/* not connected (no syslog daemon yet): syslog_send connects again */
	(void)connect(sl.fd, (struct sockaddr *)&sun, sizeof(sun));
}

/* syslog_send1: one datagram "<PRI>Mmm dd hh:mm:ss evircd[pid]: msg"
 * (RFC 3164 §4.1, what glibc's syslog(3) sends); false when not taken. */
static bool
syslog_send1(int pri, const char *msg)
{
	char buf[1200], ts[32];
	time_t t = time(NULL);
	struct tm tm;
	int n;

	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
	n = snprintf(buf, sizeof(buf), "<%d>%s evircd[%d]: %s", sl.facility | pri, ts,
	    (int)getpid(), msg);
	if (n < 0)
		return false;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (send(sl.fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == n)
		return true;
	if (errno == ENOTCONN || errno == ECONNREFUSED) { /* the daemon restarted */
		syslog_open();
		return send(sl.fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == n;
	}
	return false;
}

/* syslog_line: send msg to syslog without ever waiting; a datagram the
 * daemon's queue does not take is dropped and counted, and the count is
 * sent ahead of the next one that goes through. */
static void
syslog_line(int pri, const char *msg)
{
	char note[64];

	if (sl.fd < 0)
		return;
	if (sl.dropped > 0) {
		snprintf(note, sizeof(note), "%" PRIu64 " log lines dropped", sl.dropped);
		if (!syslog_send1(LOG_WARNING, note)) {
			sl.dropped++;
			log_dropped++;
			return;
		}
		sl.dropped = 0;
	}
	if (!syslog_send1(pri, msg)) {
		sl.dropped++;
		log_dropped++;
	}
}

/* log_syslog_path: see log.h. */
void
log_syslog_path(int on, int facility, const char *path)
{
	if (sl.fd >= 0)
		close(sl.fd);
	sl.fd = -1;
	sl.dropped = 0;
	if (!on)
		return;
	sl.facility = facility;
	snprintf(sl.path, sizeof(sl.path), "%s", path);
	syslog_open();
}

/* log_syslog: see log.h. */
void
log_syslog(int on, int facility)
{
	log_syslog_path(on, facility, "/dev/log");
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

/* out_write: write up to len bytes to the log descriptor without waiting;
 * the count written, or -1 (errno EAGAIN: try when writable). */
static ssize_t
out_write(const void *buf, size_t len)
{
	if (lq.sock)
		return send(lq.fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(lq.fd, buf, len);
}

/* write_all: the blocking write of the direct mode (before log_attach). */
static void
write_all(const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(2, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* stamp: "YYYY-mm-ddTHH:MM:SSZ evircd[pid]: " into buf. */
static int
stamp(char *buf, size_t size)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return snprintf(buf, size, "%s evircd[%d]: ", ts, (int)getpid());
}

/* drop_note: append "... warning: N log lines dropped" when it fits in
 * the queue with room bytes to spare; true when written or none due. */
static bool
drop_note(size_t room)
{
	char note[128];
	int n;

	if (lq.dropped == 0)
		return true;
	n = stamp(note, sizeof(note));
	n += snprintf(note + n, sizeof(note) - (size_t)n,
	    "warning: %" PRIu64 " log lines dropped\n", lq.dropped);
	if (evbuffer_get_length(lq.q) + (size_t)n + room > LOG_QUEUE_MAX)
		return false;
	evbuffer_add(lq.q, note, (size_t)n);
	lq.dropped = 0;
	return true;
}

/* queue_discard: empty the queue, counting its lines as dropped. */
static void
queue_discard(void)
{
	struct evbuffer_ptr p;

	evbuffer_ptr_set(lq.q, &p, 0, EVBUFFER_PTR_SET);
	while ((p = evbuffer_search(lq.q, "\n", 1, &p)).pos >= 0) {
		lq.dropped++;
		log_dropped++;
		evbuffer_ptr_set(lq.q, &p, 1, EVBUFFER_PTR_ADD);
	}
	evbuffer_drain(lq.q, evbuffer_get_length(lq.q));
}

/* queue_flush: write what the queue holds until the descriptor is full;
 * keep the write event pending while something is left. */
static void
queue_flush(void)
{
	ssize_t n;

	while (!lq.broken) {
		size_t len = evbuffer_get_length(lq.q);
		if (len == 0) {
			if (lq.dropped == 0 || !drop_note(0))
				break;
			continue;
		}
		n = out_write(evbuffer_pullup(lq.q, (ssize_t)(len < 4096 ? len : 4096)),
		    len < 4096 ? len : 4096);
		if (n > 0) {
			evbuffer_drain(lq.q, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EINTR))
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* the reader is gone for good: what is queued is lost */
		lq.broken = true;
		queue_discard();
	}
	if (evbuffer_get_length(lq.q) > 0)
		event_add(lq.ev, NULL);
	else
		event_del(lq.ev);
}

static void
queue_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	queue_flush();
}

/* out_line: one complete line (with its LF) to stderr: directly before
 * log_attach; after it, queued behind what waits, or dropped and counted
 * when the queue is full -- never a wait. */
static void
out_line(const char *line, size_t len)
{
	ssize_t n;

	if (lq.q == NULL) {
		write_all(line, len);
		return;
	}
	if (lq.broken) {
		log_dropped++;
		return;
	}
	if (evbuffer_get_length(lq.q) == 0 && lq.dropped == 0) {
		n = out_write(line, len);
		if (n == (ssize_t)len)
			return;
		if (n < 0)
			n = 0; /* EAGAIN, or an error queue_flush meets again */
		evbuffer_add(lq.q, line + n, len - (size_t)n);
		queue_flush();
		return;
	}
	if (!drop_note(len) || evbuffer_get_length(lq.q) + len > LOG_QUEUE_MAX) {
		lq.dropped++;
		log_dropped++;
		return;
	}
	evbuffer_add(lq.q, line, len);
	event_add(lq.ev, NULL);
}

/* log_attach: see log.h. */
int
log_attach(struct event_base *base)
{
	struct stat st;
	char path[64];
	int fd, fl;

	if (lq.q != NULL)
		return 0;
	lq.fd = 2;
	if (fstat(2, &st) < 0)
		return -1;
	if (S_ISSOCK(st.st_mode)) {
		lq.sock = true; /* journald's stream: MSG_DONTWAIT per write */
	} else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		/* a file description of our own, so that O_NONBLOCK does not
		 * reach the shell or supervisor that shares fd 2 */
		snprintf(path, sizeof(path), "/proc/self/fd/2");
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0) {
			lq.fd = fd;
			lq.own_fd = true;
		} else if ((fl = fcntl(2, F_GETFL)) >= 0 &&
		    fcntl(2, F_SETFL, fl | O_NONBLOCK) == 0) {
			lq.restore_flags = fl;
		}
	}
	/* a regular file or /dev/null: writes do not wait on a reader */
	lq.q = evbuffer_new();
	lq.ev = event_new(base, lq.fd, EV_WRITE | EV_PERSIST, queue_cb, NULL);
	if (lq.q == NULL || lq.ev == NULL) {
		log_detach();
		return -1;
	}
	return 0;
}

/* log_detach: see log.h. */
void
log_detach(void)
{
	struct pollfd pfd;
	int left = 2000; /* ms, for the whole queue */

	if (lq.q != NULL && lq.ev != NULL) {
		event_del(lq.ev);
		pfd.fd = lq.fd;
		pfd.events = POLLOUT;
		for (;;) {
			queue_flush();
			event_del(lq.ev);
			if (lq.broken || evbuffer_get_length(lq.q) == 0 || left <= 0)
				break;
			if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
				break;
			left -= 100;
		}
		if (!lq.broken && evbuffer_get_length(lq.q) > 0) {
			/* not written within the 2 s: counted, and said in one
			 * last attempt that does not wait */
			queue_discard();
			if (drop_note(0))
				(void)out_write(evbuffer_pullup(lq.q, -1),
				    evbuffer_get_length(lq.q));
		}
	}
	if (lq.ev != NULL)
		event_free(lq.ev);
	if (lq.q != NULL)
		evbuffer_free(lq.q);
	if (lq.own_fd)
		close(lq.fd);
	if (lq.restore_flags >= 0)
		fcntl(2, F_SETFL, lq.restore_flags);
	lq.ev = NULL;
	lq.q = NULL;
	lq.fd = 2;
	lq.own_fd = lq.sock = lq.broken = false;
	lq.restore_flags = -1;
}

/* vlog: one line "YYYY-mm-ddTHH:MM:SSZ evircd[pid]: level: message[:
 * strerror]" to stderr (out_line) and, when on, to syslog. */
static void
vlog(const char *level, int err, const char *fmt, va_list ap)
{
	char msg[1024], line[1200];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = stamp(line, sizeof(line));
	if (err)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s: %s: %s\n", level, msg,
		    strerror(err));
	else
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s: %s\n", level, msg);
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	out_line(line, (size_t)n);
	if (sl.fd >= 0) {
		if (err) {
			char m2[1200];
			snprintf(m2, sizeof(m2), "%s: %s", msg, strerror(err));
			syslog_line(syslog_priority(level), m2);
		} else
			syslog_line(syslog_priority(level), msg);
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
	log_detach(); /* what is queued, then this line, within 2 s */
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", 0, fmt, ap);
	va_end(ap);
	log_detach();
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
