/* ws.h - WebSocket listeners (IRCv3 "WebSocket support",
 * https://ircv3.net/specs/extensions/websocket; RFC 6455) on wslay.
 *
 * A WebSocket client is an ordinary client whose bufferevent is a
 * bufferevent_filter over the socket (or TLS) bufferevent: the input filter
 * answers the HTTP upgrade and turns each message into one CRLF line for
 * conn.c's line reader, the output filter turns each CRLF line queued by
 * net/output.c into one message. Everything above (limits, fakelag, sendq,
 * K/D-lines, the host shown) is the plain client's code. The WebSocket
 * state is allocated only for WebSocket clients: the filter's context, and
 * one pointer behind the struct client (client_new_extra). */
#ifndef EVIRCD_WS_H
#define EVIRCD_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct server;
struct client;
struct bufferevent;
struct listen_conf;
struct config;
struct ws;

/* Bounds of the HTTP upgrade request, in bytes: request line and headers
 * together. Larger gets 431 (RFC 6585 §5) and the connection closed; nginx
 * allows 8 KiB by default, a browser sends well under 1 KiB. */
#define WS_HTTP_MAX	 8192
/* Fragments of one message at most: a client sending empty continuation
 * frames forever is closed with 1008 (policy violation). */
#define WS_FRAGMENTS_MAX 64

/* ws_available: was evircd built with wslay? */
bool ws_available(void);
/* ws_check: can lc's websocket = yes be served? 0, or -1 with err filled
 * (built without wslay). For config_load_checked through tls_check. */
int ws_check(const struct listen_conf *lc, char *err, size_t errlen);
/* ws_wrap: the filter bufferevent for a new WebSocket connection over u
 * (ownership of u passes to the result, which frees it with itself, and
 * the WebSocket state *wsp with it); NULL on failure (u untouched). */
struct bufferevent *ws_wrap(struct server *srv, struct bufferevent *u, struct ws **wsp);
/* ws_attach: c (made by conn_setup with CF_WS and client_new_extra room for
 * one pointer, around a ws_wrap result) is the client of ws. */
void ws_attach(struct client *c, struct ws *ws);
/* ws_event: conn.c's event callback for a CF_WS client: true when the event
 * was a WebSocket failure signalled by the filter (bad handshake, close
 * frame, protocol error), which ws_event has answered with client_close. */
bool ws_event(struct client *c, short what);
/* ws_timeout: the handshake timer of a CF_WS client fired before its
 * upgrade request was complete: answer 408 and close. */
void ws_timeout(struct client *c);
/* ws_refill: run the input filter again after conn.c drained the client's
 * input (the filter stops at the client's recvq). True when it produced
 * more input. */
bool ws_refill(struct client *c);
/* ws_closing: the end of client_close for a CF_WS client: what is queued is
 * framed and sent, then the close frame (or, before the upgrade, an HTTP
 * error with the ERROR line as its body), then a half-close and the free
 * once the peer has taken it (or the flush deadline). */
void ws_closing(struct client *c);
/* ws_dead: stop the socket's callbacks (client_dead of a CF_WS client). */
void ws_dead(struct client *c);
/* ws_socket: the bufferevent under c's filter (the socket or TLS one). */
struct bufferevent *ws_socket(struct client *c);

/* The handshake, as a pure function (fuzzed by tests/fuzz/fuzz_ws.c). */
struct ws_handshake {
	int status; /* 101, or the HTTP error status */
	const char *reason; /* why not 101 (static text) */
	uint8_t proto; /* WS_PROTO_* negotiated */
	char accept[32]; /* Sec-WebSocket-Accept value */
};
enum { WS_PROTO_NONE = 0, WS_PROTO_TEXT, WS_PROTO_BINARY };
/* ws_handshake_parse: check the upgrade request req (len bytes, ending at
 * the blank line) against RFC 6455 §4.2.1 and origins (the [websocket]
 * origins list, NULL = any) and fill hs. Returns hs->status. */
int ws_handshake_parse(const char *req, size_t len, const char *origins, struct ws_handshake *hs);
/* ws_utf8_fix: copy s (n bytes) to out (at least 3 * n bytes) with every
 * byte that is not part of well-formed UTF-8 replaced by U+FFFD (IRCv3
 * WebSocket: servers must not relay non-UTF-8 in text messages). Returns
 * the length written. */
size_t ws_utf8_fix(const char *s, size_t n, char *out);

#endif
