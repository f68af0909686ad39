/* service.h - the service manager's side of the daemon (systemd): state
 * notifications over $NOTIFY_SOCKET (sd_notify(3): READY, RELOADING,
 * STOPPING, STATUS) and listening sockets passed by socket activation
 * ($LISTEN_FDS, sd_listen_fds(3)). Built on libsystemd when it was found at
 * configure time (HAVE_SYSTEMD); without it every function is a no-op and
 * service_listen_fds returns 0. Nothing is sent when NOTIFY_SOCKET is unset. */
#ifndef EVIRCD_SERVICE_H
#define EVIRCD_SERVICE_H

struct server;

/* SERVICE_STATUS_INTERVAL: seconds between STATUS= updates (sent only when
 * the text changed): client counts change per event, the manager's view
 * needs no more than this. */
#define SERVICE_STATUS_INTERVAL 5

/* service_init: remember whether a manager listens (NOTIFY_SOCKET) and arm
 * the STATUS timer on srv->base. 0, or -1 on out-of-memory. */
int service_init(struct server *srv);
/* service_free: stop the timer and free the state; NULL-safe on srv->service. */
void service_free(struct server *srv);
/* service_ready: "READY=1" with the first STATUS= (after the listeners are
 * open, and again after a reload). */
void service_ready(struct server *srv);
/* service_reloading: "RELOADING=1" with MONOTONIC_USEC= (CLOCK_MONOTONIC
 * in microseconds, which systemd 253+ requires to match the reload to its
 * request); follow it with service_ready when the reload is over. */
void service_reloading(struct server *srv);
/* service_stopping: "STOPPING=1" (shutdown begun). */
void service_stopping(struct server *srv);
/* service_listen_fds: the number of sockets passed by socket activation,
 * numbered from SERVICE_LISTEN_FDS_START (3); 0 when none or not for this
 * process. Unsets LISTEN_FDS/LISTEN_PID so children do not inherit them. */
int service_listen_fds(void);
#define SERVICE_LISTEN_FDS_START 3

#endif
