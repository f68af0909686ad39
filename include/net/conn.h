/* conn.h - connection input: accept, bufferevent callbacks, bounded line
 * input to the dispatcher, fakelag, the per-client timer. Output is
 * net/output.h, the end of a connection net/close.h. */
#ifndef EVIRCD_CONN_H
#define EVIRCD_CONN_H

#include <stddef.h>
#include <sys/socket.h>

#include "core/client.h" /* enum cmd_result */

struct server;
struct irc_msg;
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
/* conn_accept_ws: conn_accept (tls_ctx NULL) or conn_accept_tls on a
 * WebSocket listener: the client's bufferevent is the WebSocket filter
 * (net/ws.h) over the socket's, the client gets CF_WS. */
void conn_accept_ws(struct server *srv, int fd, struct sockaddr *sa, int salen,
    struct ssl_ctx_st *tls_ctx);
/* conn_set_dispatch: every parsed input line of every client of srv goes
 * to dispatch (the command table's gate, cmd/command.c), set once at
 * start-up (src/daemon.c). dispatch returns CMD_CLOSE when it closed c. */
void conn_set_dispatch(struct server *srv,
    enum cmd_result (*dispatch)(struct client *c, struct irc_msg *m));
/* conn_adopt: make a client of an existing bufferevent (an accepted socket,
 * or one end of a bufferevent_pair in the in-process test harness and the
 * fuzzer). Ownership of bev passes to the client on success; NULL on
 * failure (bev untouched). */
struct client *conn_adopt(struct server *srv, struct bufferevent *bev, const struct sockaddr *sa,
    int salen);
/* conn_adopt_ws: conn_adopt for a WebSocket client over bev (the fuzzer
 * and tests: a bufferevent_pair speaking WebSocket). */
struct client *conn_adopt_ws(struct server *srv, struct bufferevent *bev, const struct sockaddr *sa,
    int salen);
/* conn_abort: close c at once and abortively (reason as for client_close):
 * its QUIT goes to its channels, its ERROR line gets one non-blocking write
 * (plain sockets), and the socket is reset (SO_LINGER 0: RST, the kernel's
 * send queue freed) instead of waiting for the flush. For "Excess Flood". */
void conn_abort(struct client *c, const char *reason);
/* conn_process_input: run the complete lines waiting in c's input buffer,
 * honouring fakelag. Safe to call from a timer. */
void conn_process_input(struct client *c);
/* conn_timer_cb: the per-client timer callback (enum client_timer). */
void conn_timer_cb(int fd, short what, void *arg);
/* conn_timerq_cb: the event of one per-client timer queue (arg is the
 * struct client_timerq): fires the clients that are due. */
void conn_timerq_cb(int fd, short what, void *arg);

#endif
