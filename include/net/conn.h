/* conn.h - bufferevent callbacks: bounded line input, fakelag, bounded
 * output, close-after-flush. */
#ifndef EVIRCD_CONN_H
#define EVIRCD_CONN_H

#include <sys/socket.h>

struct server;
struct client;
struct bufferevent;
struct ssl_ctx_st;

/* conn_accept: set up a client for an accepted fd (TCP_NODELAY, bufferevent,
 * watermarks, registration timer). The fd is closed on failure. */
void conn_accept(struct server *srv, int fd, struct sockaddr *sa, int salen);
/* conn_accept_tls: conn_accept on a TLS listener: the bufferevent is an
 * accepting bufferevent_openssl on a new SSL of tls_ctx, the client gets
 * CF_TLS, and +z and its certificate fingerprint once the handshake is
 * done. The fd is closed on failure. */
void conn_accept_tls(struct server *srv, int fd, struct sockaddr *sa, int salen,
    struct ssl_ctx_st *tls_ctx);
/* conn_adopt: make a client of an existing bufferevent (an accepted socket,
 * or one end of a bufferevent_pair in the in-process test harness and the
 * fuzzer). Ownership of bev passes to the client on success; NULL on
 * failure (bev untouched). */
struct client *conn_adopt(struct server *srv, struct bufferevent *bev, const struct sockaddr *sa,
    int salen);
/* conn_abort: close c at once and abortively (reason as for client_close):
 * its QUIT goes to its channels, its ERROR line gets one non-blocking write
 * (plain sockets), and the socket is reset (SO_LINGER 0: RST, the kernel's
 * send queue freed) instead of waiting for the flush. For "Excess Flood". */
void conn_abort(struct client *c, const char *reason);
/* conn_flush_cb: write the output of every client on srv->flushq straight
 * to its socket; what does not fit is left to the bufferevent (EV_WRITE). */
void conn_flush_cb(int fd, short what, void *arg);
/* conn_mark_dirty: put c on the flush queue (plain sockets only). */
void conn_mark_dirty(struct client *c);
/* conn_process_input: run the complete lines waiting in c's input buffer,
 * honouring fakelag. Safe to call from a timer. */
void conn_process_input(struct client *c);
/* conn_timer_cb: the per-client timer callback (enum client_timer). */
void conn_timer_cb(int fd, short what, void *arg);

#endif
