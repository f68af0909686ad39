/* http.h - the [http] listener (issue 13, "See what it does"): libevent's
 * evhttp on the server's event_base serving /metrics (Prometheus text
 * format, http/metrics.h) and / (a status page, http/status.h).
 *
 * Access: with [http] token set, every request needs "Authorization:
 * Bearer TOKEN" (401 otherwise, RFC 6750 §3); without one only loopback
 * peers are served (403 otherwise). Bounded: request headers at most
 * HTTP_MAX_HEADERS bytes, bodies HTTP_MAX_BODY, at most [http]
 * max_connections open connections (more get 503 and are closed), and each
 * request must arrive within [http] timeout seconds of the accept or of the
 * previous answer, however slowly its bytes come (slow-loris). The pages
 * never show a client's address or a message. */
#ifndef EVIRCD_HTTP_H
#define EVIRCD_HTTP_H

#include <stdbool.h>

struct server;
struct sockaddr;

#define HTTP_MAX_HEADERS 8192 /* bytes of request line + headers */
#define HTTP_MAX_BODY	 1024 /* bytes: GET and HEAD carry none */

/* http_start: open the [http] listener when srv->cfg->http.enabled (else
 * do nothing). Logs "http listening on ADDR:PORT". Returns 0, or -1 (logged)
 * when the address cannot be bound. Address, port, limits and timeout are
 * read once; the token is read per request (REHASH changes it). */
int http_start(struct server *srv);
/* The access decision for one request. */
enum http_access {
	HTTP_ALLOW,
	HTTP_UNAUTHORIZED, /* 401: token configured, header missing or wrong */
	HTTP_FORBIDDEN, /* 403: no token configured, peer not loopback */
};
/* http_access_check: the rule above for a peer address (NULL = unknown),
 * the request's Authorization header (NULL = none) and the configured
 * token (NULL = none). The token comparison takes the same time wherever
 * the strings differ. */
enum http_access http_access_check(const struct sockaddr *peer, const char *authorization,
    const char *token);
/* http_free: close the listener and every HTTP connection; NULL http is fine. */
void http_free(struct server *srv);

#endif
