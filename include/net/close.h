/* close.h - the end of a connection: the one teardown (client_close), the
 * dead list, the reaper (deferred free) and server shutdown. */
#ifndef EVIRCD_CLOSE_H
#define EVIRCD_CLOSE_H

struct client;
struct server;

/* client_close: the one idempotent teardown. Sends "ERROR :Closing Link: host
 * (reason)", a QUIT to every channel peer exactly once (quit_msg, or reason
 * when quit_msg is NULL), publishes EVENT_QUIT (core/event.h), removes the
 * memberships and the nick, flushes output and frees on a later loop turn.
 * After it returns, callers must not use c except to test flags. */
void client_close(struct client *c, const char *reason, const char *quit_msg);
/* client_dead: stop all I/O of c and move it to the dead list; freed by the
 * reaper on the next loop turn. */
void client_dead(struct client *c);
/* close_free: free c now (close_notify on a TLS session, then client_free):
 * the reaper and server teardown only. */
void close_free(struct client *c);
/* close_reaper_cb: srv->reaper: closes the clients over their sendq
 * (srv->pending, "SendQ exceeded"), frees the dead list, and ends the loop
 * once a shutdown has no clients left. */
void close_reaper_cb(int fd, short what, void *arg);
/* server_shutdown: close the listeners, send ERROR with reason to every
 * client, flush (at most 5 seconds), then stop the loop. Idempotent. */
void server_shutdown(struct server *srv, const char *reason);

#endif
