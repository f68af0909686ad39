/* tls.h - TLS listeners: OpenSSL 3 contexts, libevent's bufferevent_openssl,
 * client certificate fingerprints, certificate reload on rehash. Only tls.c
 * includes OpenSSL headers; everything else sees an opaque struct ssl_ctx_st
 * (OpenSSL's SSL_CTX). */
#ifndef EVIRCD_TLS_H
#define EVIRCD_TLS_H

#include <stddef.h>

struct bufferevent;
struct client;
struct event_base;
struct listen_conf;
struct server;
struct ssl_ctx_st;

/* tls_ctx_new: a server context for lc (certificate chain and private key,
 * both PEM): TLS 1.2 and newer, Mozilla "intermediate" ciphers for 1.2 and
 * OpenSSL's defaults for 1.3, optional client certificates accepted without
 * verification (fingerprint use only). NULL with err filled ("certificate
 * PATH: reason") when a file is missing, unreadable, malformed or the key
 * does not match the certificate. Free with tls_ctx_free. */
struct ssl_ctx_st *tls_ctx_new(const struct listen_conf *lc, char *err, size_t errlen);
/* tls_ctx_free: drop our reference; connections using it keep it alive. */
void tls_ctx_free(struct ssl_ctx_st *ctx);
/* tls_check: can lc's certificate and key be loaded (tls = yes), and can
 * its websocket = yes be served (ws_check)? 0, or -1 with err filled
 * (given to config_load_checked so -t, start-up and REHASH report bad
 * files and a WebSocket listener in a build without wslay). */
int tls_check(const struct listen_conf *lc, char *err, size_t errlen);
/* tls_bufferevent_new: a server-side (accepting) TLS bufferevent on fd
 * with a new SSL of ctx; the fd is owned by it (BEV_OPT_CLOSE_ON_FREE).
 * NULL on failure: libevent may already have closed fd, so the caller
 * closes it only if it is still open (fcntl F_GETFD). */
struct bufferevent *tls_bufferevent_new(struct event_base *base, int fd, struct ssl_ctx_st *ctx);
/* tls_bufferevent_connect: a client-side (connecting) TLS bufferevent on
 * the connected fd, for an outgoing server link: TLS 1.2 and newer, SNI
 * servername, the peer's certificate not verified. The fd is owned by it;
 * NULL on failure (then close fd only if still open, as above). */
struct bufferevent *tls_bufferevent_connect(struct event_base *base, int fd,
    const char *servername);
/* tls_handshake_done: the handshake on c's bufferevent completed: set user
 * mode +z and c->certfp (SHA-256 of the client certificate, lower-case hex)
 * when the client sent one. */
void tls_handshake_done(struct client *c);
/* tls_error: the first OpenSSL error queued on bev as text into buf (size
 * bytes), or "" when there is none. Drains bev's error queue. Returns buf. */
const char *tls_error(struct bufferevent *bev, char *buf, size_t size);
/* tls_quiet: bev's session is broken or the peer is gone: do not send a
 * close_notify when it is freed. No-op for a plain bufferevent. */
void tls_quiet(struct bufferevent *bev);
/* tls_close_notify: send a close_notify alert (non-blocking, best effort)
 * just before bev is freed. No-op for a plain bufferevent. */
void tls_close_notify(struct bufferevent *bev);
/* tls_reload: rehash: build a new context for every TLS listener from the
 * current configuration and swap it in; new handshakes use it, established
 * connections keep theirs. A listener whose files fail keeps its old
 * context (logged). Returns the number of failures. */
int tls_reload(struct server *srv);
/* tls_port: the bound port of the first TLS listener, 0 if there is none
 * (for the IRCv3 sts capability). */
int tls_port(const struct server *srv);

#endif
