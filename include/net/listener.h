/* listener.h - one evconnlistener per configured address, with EMFILE
 * back-off. A TLS listener ([listen] tls = yes) owns an SSL_CTX. */
#ifndef EVIRCD_LISTENER_H
#define EVIRCD_LISTENER_H

#include <stdbool.h>
#include <stdint.h>

struct server;
struct listen_conf;
struct listener;
struct ssl_ctx_st;

/* listener_open: bind address:port (IPv6 with V6ONLY) and start accepting;
 * for lc->tls, load the certificate and key first. NULL with a logged
 * reason on failure. The actual port (for port 0) is logged as
 * "listening on ADDR:PORT", with " (tls)" appended for TLS listeners and
 * " (websocket)" for WebSocket ones. */
struct listener *listener_open(struct server *srv, const struct listen_conf *lc);
/* listener_adopt: accept on fd, a socket already bound and listening
 * (socket activation), with the settings of lc (TLS) or as a plaintext
 * listener when lc is NULL. Ownership of fd passes (closed on failure).
 * Logged as "listening on ADDR:PORT[ (tls)] (socket activation)". NULL
 * with a logged reason on failure. */
struct listener *listener_adopt(struct server *srv, int fd, const struct listen_conf *lc);
/* listener_close: stop accepting and free (drops the TLS context; live
 * connections keep their reference to it). */
void listener_close(struct listener *l);
/* listener_port: the bound port. */
uint16_t listener_port(const struct listener *l);
/* listener_name: "ADDR:PORT" or "[ADDR6]:PORT" as bound. */
const char *listener_name(const struct listener *l);
/* listener_is: was l opened from a [listen] section equal to lc (address,
 * configured port, tls and websocket)? */
bool listener_is(const struct listener *l, const struct listen_conf *lc);
/* listener_tls_ctx: the TLS context new connections use; NULL for a
 * plaintext listener. */
struct ssl_ctx_st *listener_tls_ctx(const struct listener *l);
/* listener_set_tls_ctx: replace the TLS context (ownership of ctx passes to
 * l; the old one is released, connections using it keep it alive). */
void listener_set_tls_ctx(struct listener *l, struct ssl_ctx_st *ctx);

#endif
