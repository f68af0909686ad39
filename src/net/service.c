/* service.c - systemd notifications and socket activation (service.h).
 * The protocol is sd_notify(3)/sd_listen_fds(3) from libsystemd; the
 * STATUS text is refreshed from a timer, never per event. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "evircd_config.h"

#if HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "core/log.h"
#include "core/server.h"
#include "net/service.h"

struct service {
	struct event *status_timer; /* SERVICE_STATUS_INTERVAL, persistent */
	char last[160]; /* last STATUS= text sent */
	bool notify; /* NOTIFY_SOCKET was set at start */
};

/* notify: send one sd_notify message when a manager listens. */
static void
notify(struct server *srv, const char *msg)
{
#if HAVE_SYSTEMD
	int r;

	if (srv->service == NULL || !srv->service->notify)
		return;
	r = sd_notify(0, msg);
	if (r < 0)
		log_warnx("sd_notify: %s", strerror(-r));
#else
	(void)srv;
	(void)msg;
#endif
}

/* status_text: the STATUS= line: client counts the way LUSERS counts them. */
static void
status_text(struct server *srv, char *buf, size_t len)
{
	snprintf(buf, len,
	    "STATUS=%u clients (%u users, %u unregistered), %u operators, %u channels",
	    srv->stats.clients, srv->stats.users, srv->stats.unknown, srv->stats.opers,
	    srv->stats.channels);
}

static void
status_cb(int fd, short what, void *arg)
{
	struct server *srv = arg;
	char buf[sizeof(srv->service->last)];

	status_text(srv, buf, sizeof(buf));
	if (strcmp(buf, srv->service->last) == 0)
		return;
	memcpy(srv->service->last, buf, sizeof(buf));
	notify(srv, buf);
}

/* service_init: see service.h. */
int
service_init(struct server *srv)
{
	struct service *s = calloc(1, sizeof(*s));
	struct timeval tv = { SERVICE_STATUS_INTERVAL, 0 };

	if (s == NULL)
		return -1;
	srv->service = s;
#if HAVE_SYSTEMD
	s->notify = getenv("NOTIFY_SOCKET") != NULL;
#endif
	if (!s->notify)
		return 0;
	s->status_timer = event_new(srv->base, -1, EV_PERSIST, status_cb, srv);
	if (s->status_timer == NULL)
		return -1;
	event_add(s->status_timer, &tv);
	return 0;
}

/* service_free: see service.h. */
void
service_free(struct server *srv)
{
	if (srv->service == NULL)
		return;
	if (srv->service->status_timer != NULL)
		event_free(srv->service->status_timer);
	free(srv->service);
	srv->service = NULL;
}

/* service_ready: see service.h. */
void
service_ready(struct server *srv)
{
	char buf[200];

	if (srv->service == NULL || !srv->service->notify)
		return;
	status_text(srv, srv->service->last, sizeof(srv->service->last));
	snprintf(buf, sizeof(buf), "READY=1\n%s", srv->service->last);
	notify(srv, buf);
}

/* service_reloading: see service.h. */
void
service_reloading(struct server *srv)
{
	struct timespec ts;
	char buf[96];

	if (srv->service == NULL || !srv->service->notify)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	notify(srv, buf);
}

/* service_stopping: see service.h. */
void
service_stopping(struct server *srv)
{
	notify(srv, "STOPPING=1\nSTATUS=shutting down");
}

/* service_listen_fds: see service.h. */
int
service_listen_fds(void)
{
#if HAVE_SYSTEMD
	int n = sd_listen_fds(1);

	if (n < 0) {
		log_warnx("LISTEN_FDS: %s; ignoring socket activation", strerror(-n));
		return 0;
	}
	return n;
#else
	if (getenv("LISTEN_FDS") != NULL)
		log_warnx("LISTEN_FDS is set but evircd was built without libsystemd; "
			  "opening the configured listeners");
	return 0;
#endif
}
