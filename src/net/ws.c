/* ws.c - WebSocket clients: the HTTP upgrade (RFC 6455 §4.2), frames in
 * through wslay's event API, frames out written here, as a
 * bufferevent_filter between the socket and conn.c / output.c. IRCv3
 * "WebSocket support": subprotocols binary.ircv3.net and text.ircv3.net,
 * one IRC line per message without CR LF, no non-UTF-8 in text messages. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "evircd_config.h"
#include "core/casemap.h"
#include "core/client.h"
#include "core/config.h"
#include "core/log.h"
#include "core/server.h"
#include "net/close.h"
#include "net/tls.h"
#include "net/ws.h"
#include "proto/message.h"

#if HAVE_WSLAY
#include <wslay/wslay.h>
#endif

/* ws_utf8_fix: see ws.h. A byte that does not start a well-formed sequence
 * (Unicode §3.9, table 3-7: no overlongs, surrogates or > U+10FFFF) becomes
 * one U+FFFD and decoding goes on at the next byte. */
size_t
ws_utf8_fix(const char *s, size_t n, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, k, need;
	unsigned char c, lo, hi;

	while (i < n) {
		c = p[i];
		need = 0;
		lo = 0x80;
		hi = 0xBF;
		if (c < 0x80) {
			out[o++] = (char)c;
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		}
		for (k = 1; need != 0 && k <= need; k++) {
			if (i + k >= n || p[i + k] < (k == 1 ? lo : 0x80) ||
			    p[i + k] > (k == 1 ? hi : 0xBF)) {
				need = 0;
				break;
			}
		}
		if (need == 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, p + i, need + 1);
		o += need + 1;
		i += need + 1;
	}
	return o;
}

/* token_in: does the comma-separated header value list (n bytes) hold tok,
 * case-insensitively (RFC 7230 §3.2.6 tokens, §7 list syntax)? */
static bool
token_in(const char *list, size_t n, const char *tok)
{
	size_t i = 0, s, e, tl = strlen(tok);

	while (i < n) {
		while (i < n && (list[i] == ' ' || list[i] == '\t' || list[i] == ','))
			i++;
		s = i;
		while (i < n && list[i] != ',')
			i++;
		e = i;
		while (e > s && (list[e - 1] == ' ' || list[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(list + s, tok, tl) == 0)
			return true;
	}
	return false;
}

/* origin_allowed: origin (n bytes) against the [websocket] origins globs
 * (space or comma separated, matched ASCII case-insensitively). RFC 6455
 * §10.2: a server that serves only some web pages checks Origin and
 * answers 403 to the others; a client without Origin is not a browser. */
static bool
origin_allowed(const char *origins, const char *origin, size_t n)
{
	char o[256], pat[256];
	const char *p = origins, *s;
	size_t l;

	if (origins == NULL)
		return true;
	if (n >= sizeof(o))
		return false;
	memcpy(o, origin, n);
	o[n] = '\0';
	while (*p != '\0') {
		p += strspn(p, " \t,");
		s = p;
		p += strcspn(p, " \t,");
		l = (size_t)(p - s);
		if (l == 0 || l >= sizeof(pat))
			continue;
		memcpy(pat, s, l);
		pat[l] = '\0';
		if (casemap_match(CASEMAP_ASCII, pat, o))
			return true;
	}
	return false;
}

/* hs_fail: set the error status of a handshake. */
static int
hs_fail(struct ws_handshake *hs, int status, const char *reason)
{
	hs->status = status;
	hs->reason = reason;
	return status;
}

/* ws_handshake_parse: see ws.h. RFC 6455 §4.2.1: a GET of HTTP/1.1 or
 * later with Host, "Upgrade: websocket", a Connection list holding
 * "Upgrade", a Sec-WebSocket-Key of 16 base64-coded bytes and
 * Sec-WebSocket-Version 13 (else 426 with the version we speak, §4.4).
 * IRCv3 WebSocket: accept the first of the client's subprotocols that is
 * binary.ircv3.net or text.ircv3.net; none of them is not an error (no
 * Sec-WebSocket-Protocol in the answer). */
int
ws_handshake_parse(const char *req, size_t len, const char *origins, struct ws_handshake *hs)
{
	const char *p = req, *end = req + len, *eol, *colon, *v, *key = NULL;
	const char *origin = NULL;
	size_t vl, keyl = 0, originl = 0, l;
	bool host = false, upgrade = false, connection = false, version = false;
	bool first = true;
	unsigned char dec[32], md[EVP_MAX_MD_SIZE];
	char buf[128];
	unsigned int mdl = 0;

	memset(hs, 0, sizeof(*hs));
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			return hs_fail(hs, 400, "Malformed request");
		l = (size_t)(eol - p);
		if (l > 0 && p[l - 1] == '\r')
			l--;
		if (memchr(p, '\0', l) != NULL)
			return hs_fail(hs, 400, "Malformed request");
		if (first) {
			first = false;
			if (l < 4 || memcmp(p, "GET ", 4) != 0) {
				if (l == 0)
					return hs_fail(hs, 400, "Malformed request");
				return hs_fail(hs, 405, "Only GET upgrades to a WebSocket");
			}
			if (l < 14 ||
			    (memcmp(p + l - 9, " HTTP/1.1", 9) != 0 &&
				memcmp(p + l - 9, " HTTP/2.0", 9) != 0))
				return hs_fail(hs, 400, "A WebSocket needs HTTP/1.1");
			p = eol + 1;
			continue;
		}
		if (l == 0)
			break; /* the blank line */
		colon = memchr(p, ':', l);
		if (colon == NULL || colon == p)
			return hs_fail(hs, 400, "Malformed header line");
		v = colon + 1;
		vl = l - (size_t)(v - p);
		while (vl > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vl--;
		}
		while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
#define HDR(name) \
	((size_t)(colon - p) == sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0)
		if (HDR("Host"))
			host = true;
		else if (HDR("Upgrade"))
			upgrade = upgrade || token_in(v, vl, "websocket");
		else if (HDR("Connection"))
			connection = connection || token_in(v, vl, "upgrade");
		else if (HDR("Sec-WebSocket-Version"))
			version = vl == 2 && memcmp(v, "13", 2) == 0;
		else if (HDR("Sec-WebSocket-Key")) {
			if (key != NULL)
				return hs_fail(hs, 400, "Sec-WebSocket-Key repeated");
			key = v;
			keyl = vl;
		} else if (HDR("Origin")) {
			origin = v;
			originl = vl;
		} else if (HDR("Sec-WebSocket-Protocol") && hs->proto == WS_PROTO_NONE) {
			/* the client's order of preference: the first one we have */
			size_t i = 0, s, e;
			while (i < vl && hs->proto == WS_PROTO_NONE) {
				while (i < vl && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
					i++;
				s = i;
				while (i < vl && v[i] != ',')
					i++;
				e = i;
				while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
					e--;
				if (e - s == 16 && strncasecmp(v + s, "binary.ircv3.net", 16) == 0)
					hs->proto = WS_PROTO_BINARY;
				else if (e - s == 14 &&
				    strncasecmp(v + s, "text.ircv3.net", 14) == 0)
					hs->proto = WS_PROTO_TEXT;
			}
		}
#undef HDR
		p = eol + 1;
	}
	if (first)
		return hs_fail(hs, 400, "Malformed request");
	if (!host)
		return hs_fail(hs, 400, "Missing Host header");
	if (!upgrade)
		return hs_fail(hs, 400, "Missing or wrong Upgrade header");
	if (!connection)
		return hs_fail(hs, 400, "Missing or wrong Connection header");
	if (key == NULL)
		return hs_fail(hs, 400, "Missing Sec-WebSocket-Key header");
	/* 16 random bytes in base64: 24 characters, "==" at the end */
	if (keyl != 24 || key[22] != '=' || key[23] != '=' ||
	    EVP_DecodeBlock(dec, (const unsigned char *)key, 24) != 18)
		return hs_fail(hs, 400, "Wrong Sec-WebSocket-Key header");
	if (!version)
		return hs_fail(hs, 426, "Missing or unsupported Sec-WebSocket-Version");
	/* no Origin: not a browser; the list protects browsers' users only */
	if (origin != NULL && !origin_allowed(origins, origin, originl))
		return hs_fail(hs, 403, "Origin not allowed");
	/* §4.2.2: base64(SHA-1(key + GUID)) */
	memcpy(buf, key, 24);
	memcpy(buf + 24, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
	if (EVP_Digest(buf, 60, md, &mdl, EVP_sha1(), NULL) != 1 || mdl != 20)
		return hs_fail(hs, 500, "Internal error");
	EVP_EncodeBlock((unsigned char *)hs->accept, md, 20);
	hs->status = 101;
	return 101;
}

#if HAVE_WSLAY

/* The socket's output is kept at most this full by the filter (framed
 * bytes); the rest waits unframed in the client's output, which is what
 * the sendq check (net/output.c) measures. */
#define WS_SOCKET_OUT_MAX (16 * 1024)
/* The longest line output.c can queue: all tags and a 512-byte line. */
#define WS_LINE_MAX	  (IRC_TAGS_MAX + IRC_LINE_MAX)
/* The longest message we take: one input line with all its tags (and a
 * CR LF a client should not send, but may). */
#define WS_MSG_MAX	  (IRC_INPUT_MAX + 2)

enum ws_phase {
	WS_HTTP = 0, /* reading the upgrade request */
	WS_OPEN, /* frames both ways */
	WS_FAILED, /* answered with an HTTP error or a close frame; the
			 * client is told through its event callback */
	WS_CLOSED, /* ws_closing ran: the filter is bypassed */
};

struct ws {
	struct server *srv;
	struct client *c; /* NULL until ws_attach */
	struct bufferevent *bev; /* the filter (c->bev) */
	struct bufferevent *u; /* the socket or TLS bufferevent under it */
	wslay_event_context_ptr ctx; /* after the upgrade */
	struct evbuffer *src, *dst; /* the input filter's, during wslay_event_recv */
	size_t dst_max; /* stop feeding wslay at this much input */
	size_t scanned; /* bytes of the request searched for its end */
	const char *reason; /* why it failed (static text) */
	uint16_t status; /* close code to send, 0 = none (or sent) */
	uint16_t nfrag; /* frames of the message being received */
	uint64_t msglen; /* its announced length so far */
	uint8_t phase; /* enum ws_phase */
	uint8_t proto; /* WS_PROTO_* */
	bool binary; /* send binary messages */
	bool typed; /* the message type is settled */
	bool signalled; /* the failure event was triggered */
	bool close_sent; /* our close frame is out */
};

/* ws_of: a CF_WS client's WebSocket (the pointer behind its struct). */
static struct ws *
ws_of(struct client *c)
{
	return *(struct ws **)client_extra(c);
}

bool
ws_available(void)
{
	return true;
}

int
ws_check(const struct listen_conf *lc, char *err, size_t errlen)
{
	return 0;
}

/* ws_signal: tell the client (conn.c's event callback, from the loop:
 * never inside the filter) that its WebSocket failed. */
static void
ws_signal(struct ws *ws)
{
	if (ws->signalled || ws->bev == NULL)
		return;
	ws->signalled = true;
	bufferevent_trigger_event(ws->bev, BEV_EVENT_ERROR | BEV_EVENT_READING,
	    BEV_TRIG_DEFER_CALLBACKS);
}

static const char *
http_status_text(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 426:
		return "Upgrade Required";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	default:
		return "Internal Server Error";
	}
}

/* http_answer: an HTTP error response with body (n bytes) as text/plain;
 * the connection is closed after it. */
static void
http_answer(struct ws *ws, int status, const char *body, size_t n)
{
	struct evbuffer *out = bufferevent_get_output(ws->u);

	evbuffer_add_printf(out,
	    "HTTP/1.1 %d %s\r\nConnection: close\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n%s\r\n",
	    status, http_status_text(status), n,
	    status == 426 ? "Sec-WebSocket-Version: 13\r\n" : "");
	evbuffer_add(out, body, n);
}

/* ws_http_fail: refuse the upgrade with status; the client is closed. */
static void
ws_http_fail(struct ws *ws, int status, const char *reason)
{
	char body[160];
	int n = snprintf(body, sizeof(body), "%s\n", reason);

	http_answer(ws, status, body, (size_t)n);
	ws->phase = WS_FAILED;
	ws->reason = reason;
	if (ws->c != NULL)
		log_info("WebSocket upgrade from %s refused: %d %s", ws->c->host, status, reason);
}

/* ws_fail: end an open WebSocket with close code code (RFC 6455 §7.4.1). */
static void
ws_fail(struct ws *ws, uint16_t code, const char *reason)
{
	if (ws->phase != WS_OPEN)
		return;
	ws->phase = WS_FAILED;
	ws->status = code;
	ws->reason = reason;
}

/* frame_header: a server frame's header (FIN, opcode, no mask, RFC 6455
 * §5.2) for a payload of n bytes into h; returns its length. */
static size_t
frame_header(unsigned char *h, unsigned opcode, size_t n)
{
	h[0] = (unsigned char)(0x80 | opcode);
	if (n < 126) {
		h[1] = (unsigned char)n;
		return 2;
	}
	if (n < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(n >> 8);
		h[3] = (unsigned char)n;
		return 4;
	}
	h[1] = 127;
	for (int i = 0; i < 8; i++)
		h[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
	return 10;
}

/* send_close: our close frame with code and a reason cut to fit (§5.5:
 * control payloads are at most 125 bytes). */
static void
send_close(struct ws *ws, uint16_t code, const char *reason)
{
	unsigned char f[2 + 125 + 2];
	size_t rl = reason != NULL ? strlen(reason) : 0, h;

	if (ws->close_sent || (ws->ctx != NULL && wslay_event_get_close_sent(ws->ctx)))
		return;
	if (rl > 123)
		rl = 123;
	h = frame_header(f, WSLAY_CONNECTION_CLOSE, 2 + rl);
	f[h] = (unsigned char)(code >> 8);
	f[h + 1] = (unsigned char)code;
	if (rl > 0)
		memcpy(f + h + 2, reason, rl);
	evbuffer_add(bufferevent_get_output(ws->u), f, h + 2 + rl);
	ws->close_sent = true;
}

/* frame_line: take one line (up to its LF) from src and append it to dst
 * as one message, without CR LF; with all, a last line without LF too.
 * False when there is nothing (complete) to take. */
static bool
frame_line(struct ws *ws, struct evbuffer *src, struct evbuffer *dst, bool all)
{
	static char line[WS_LINE_MAX], fixed[3 * WS_LINE_MAX];
	struct evbuffer_ptr p;
	size_t len = evbuffer_get_length(src), n, take, h;
	unsigned char hdr[10];
	const char *pay = line;

	if (len == 0)
		return false;
	p = evbuffer_search(src, "\n", 1, NULL);
	if (p.pos < 0) {
		if (!all && len < WS_LINE_MAX)
			return false; /* the rest of the line comes later */
		take = n = len;
	} else {
		n = (size_t)p.pos;
		take = n + 1;
	}
	if (n > WS_LINE_MAX)
		n = WS_LINE_MAX; /* output.c never queues that much */
	evbuffer_copyout(src, line, n);
	evbuffer_drain(src, take);
	while (n > 0 && line[n - 1] == '\r')
		n--;
	if (!ws->binary && !message_utf8_valid(line, n)) {
		n = ws_utf8_fix(line, n, fixed);
		pay = fixed;
	}
	h = frame_header(hdr, ws->binary ? WSLAY_BINARY_FRAME : WSLAY_TEXT_FRAME, n);
	evbuffer_add(dst, hdr, h);
	evbuffer_add(dst, pay, n);
	return true;
}

/* ws_out: the output filter: each line queued for the client becomes one
 * message. Before the upgrade nothing is sent (ws_closing answers with it);
 * after a failure nothing more (ws_closing decides). */
static enum bufferevent_filter_result
ws_out(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct ws *ws = arg;
	size_t start = evbuffer_get_length(dst);
	bool any = false;

	if (ws->phase != WS_OPEN)
		return BEV_NEED_MORE;
	while (limit < 0 || evbuffer_get_length(dst) - start < (size_t)limit) {
		if (!frame_line(ws, src, dst, mode != BEV_NORMAL))
			break;
		any = true;
	}
	return any ? BEV_OK : BEV_NEED_MORE;
}

static ssize_t
ws_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *arg)
{
	struct ws *ws = arg;
	int n;

	if (ws->phase != WS_OPEN || ws->src == NULL ||
	    evbuffer_get_length(ws->dst) >= ws->dst_max) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	n = evbuffer_remove(ws->src, buf, len);
	if (n <= 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	return n;
}

/* ws_send_cb: wslay's own frames (pong, the close reply) go straight to
 * the socket's output, between whole messages of ours. */
static ssize_t
ws_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *arg)
{
	struct ws *ws = arg;

	if (evbuffer_add(bufferevent_get_output(ws->u), data, len) != 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return (ssize_t)len;
}

/* ws_frame_start_cb: count the frames of a fragmented message: empty
 * continuation frames would otherwise cost nothing against the size
 * limit and could go on forever. */
static void
ws_frame_start_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_start_arg *arg, void *user)
{
	struct ws *ws = user;

	if (arg->opcode & 0x8)
		return; /* control frames come between fragments */
	if (arg->opcode != WSLAY_CONTINUATION_FRAME) {
		ws->nfrag = 0;
		ws->msglen = 0;
	}
	/* a header announcing more than a line is refused before its
	 * payload is waited for */
	ws->msglen += arg->payload_length;
	if (arg->payload_length > WS_MSG_MAX || ws->msglen > WS_MSG_MAX)
		ws_fail(ws, 1009, "WebSocket message too big");
	else if (++ws->nfrag > WS_FRAGMENTS_MAX)
		ws_fail(ws, 1008, "Too many WebSocket fragments");
}

/* ws_msg_cb: a whole message: one IRC line for conn.c. */
static void
ws_msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
	struct ws *ws = user;
	size_t n = arg->msg_length, i;
	const uint8_t *m = arg->msg != NULL ? arg->msg : (const uint8_t *)"";

	if (ws->phase != WS_OPEN)
		return;
	switch (arg->opcode) {
	case WSLAY_TEXT_FRAME:
		/* RFC 6455 §8.1: invalid UTF-8 in a text message fails the
		 * connection with 1007 */
		if (!message_utf8_valid((const char *)m, n)) {
			ws_fail(ws, 1007, "Invalid UTF-8 in a WebSocket text message");
			return;
		}
		/* FALLTHROUGH */
	case WSLAY_BINARY_FRAME:
		if (ws->proto == WS_PROTO_NONE && !ws->typed) {
			/* no subprotocol: answer in the type the client
			 * speaks (IRCv3 WebSocket, "Other implementation
			 * considerations") */
			ws->binary = arg->opcode == WSLAY_BINARY_FRAME;
			ws->typed = true;
		}
		/* servers and clients MUST NOT send the trailing CR LF;
		 * tolerate it. A LF inside would split the message into two
		 * lines: it becomes a CR, and conn.c refuses the line whole
		 * (as it refuses a bare CR from a TCP client). */
		while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == '\r'))
			n--;
		if (memchr(m, '\n', n) != NULL) {
			uint8_t line[IRC_INPUT_MAX + 2];
			if (n > sizeof(line))
				n = sizeof(line);
			for (i = 0; i < n; i++)
				line[i] = m[i] == '\n' ? '\r' : m[i];
			evbuffer_add(ws->dst, line, n);
		} else
			evbuffer_add(ws->dst, m, n);
		evbuffer_add(ws->dst, "\r\n", 2); /* (conn.c ignores empty lines) */
		break;
	case WSLAY_CONNECTION_CLOSE:
		/* answered by ws_closing, after the replies to the lines
		 * that came before it, with the client's code (§5.5.1) */
		ws->phase = WS_FAILED;
		ws->reason = "WebSocket closed by the client";
		ws->status = arg->status_code != 0 ? arg->status_code : 1000;
		break;
	default:
		break; /* ping (wslay answers), pong */
	}
}

/* close_reason: why wslay closed with code. */
static const char *
close_reason(uint16_t code)
{
	switch (code) {
	case 1007:
		return "Invalid UTF-8 in a WebSocket text message";
	case 1009:
		return "WebSocket message too big";
	case 1008:
		return "WebSocket policy violation";
	default:
		return "WebSocket protocol error";
	}
}

/* ws_upgrade: the request is complete: answer it, start the frames. */
static void
ws_upgrade(struct ws *ws, struct evbuffer *src, size_t n)
{
	static const struct wslay_event_callbacks cbs = {
		.recv_callback = ws_recv_cb,
		.send_callback = ws_send_cb,
		.on_frame_recv_start_callback = ws_frame_start_cb,
		.on_msg_recv_callback = ws_msg_cb,
	};
	char req[WS_HTTP_MAX];
	struct ws_handshake hs;
	struct evbuffer *out = bufferevent_get_output(ws->u);
	struct client *c = ws->c;

	evbuffer_remove(src, req, n);
	ws_handshake_parse(req, n, ws->srv->cfg->ws_origins, &hs);
	if (hs.status != 101) {
		ws_http_fail(ws, hs.status, hs.reason);
		return;
	}
	if (wslay_event_context_server_init(&ws->ctx, &cbs, ws) != 0) {
		ws->ctx = NULL;
		ws_http_fail(ws, 503, "Out of memory");
		return;
	}
	/* IRCv3 WebSocket, "Security considerations": a message is at most
	 * one line with all its tags; more is closed with 1009. */
	wslay_event_config_set_max_recv_msg_length(ws->ctx, WS_MSG_MAX);
	evbuffer_add_printf(out,
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s%s%s\r\n",
	    hs.accept, hs.proto != WS_PROTO_NONE ? "Sec-WebSocket-Protocol: " : "",
	    hs.proto == WS_PROTO_BINARY	    ? "binary.ircv3.net"
		: hs.proto == WS_PROTO_TEXT ? "text.ircv3.net"
					    : "",
	    hs.proto != WS_PROTO_NONE ? "\r\n" : "");
	ws->proto = hs.proto;
	ws->binary = hs.proto == WS_PROTO_BINARY;
	ws->phase = WS_OPEN;
	if (c != NULL && c->state == CLIENT_OPEN && c->timer_kind == TIMER_HANDSHAKE) {
		client_timer_stop(c);
		client_timer_set(c, TIMER_REGISTRATION);
	}
	log_debug("WebSocket from %s (%s)", c != NULL ? c->host : "?",
	    hs.proto == WS_PROTO_BINARY	    ? "binary.ircv3.net"
		: hs.proto == WS_PROTO_TEXT ? "text.ircv3.net"
					    : "no subprotocol");
	/* anything held for the client until now goes out framed */
	if (ws->bev != NULL && evbuffer_get_length(bufferevent_get_output(ws->bev)) > 0)
		bufferevent_flush(ws->bev, EV_WRITE, BEV_NORMAL);
}

/* ws_http_input: look for the end of the upgrade request (bounded by
 * WS_HTTP_MAX; each byte is searched once, so a request trickling in a
 * byte at a time costs O(n) in all). */
static void
ws_http_input(struct ws *ws, struct evbuffer *src)
{
	size_t len = evbuffer_get_length(src);
	struct evbuffer_ptr start, p;

	evbuffer_ptr_set(src, &start, ws->scanned, EVBUFFER_PTR_SET);
	p = evbuffer_search(src, "\r\n\r\n", 4, &start);
	if (p.pos >= 0 && (size_t)p.pos + 4 <= WS_HTTP_MAX) {
		ws_upgrade(ws, src, (size_t)p.pos + 4);
		return;
	}
	if (p.pos >= 0 || len >= WS_HTTP_MAX) {
		ws_http_fail(ws, 431, "Request header fields too large");
		return;
	}
	ws->scanned = len > 3 ? len - 3 : 0;
}

/* ws_in: the input filter: the upgrade request, then messages as lines,
 * at most up to the client's recvq (limit) at a time. BEV_OK only when
 * something was consumed (libevent calls again while there is input). */
static enum bufferevent_filter_result
ws_in(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct ws *ws = arg;
	size_t before = evbuffer_get_length(src);
	int r;

	if (ws->phase == WS_HTTP)
		ws_http_input(ws, src);
	if (ws->phase == WS_OPEN) {
		ws->src = src;
		ws->dst = dst;
		ws->dst_max = limit < 0 ? SIZE_MAX : evbuffer_get_length(dst) + (size_t)limit;
		r = wslay_event_recv(ws->ctx);
		ws->src = ws->dst = NULL;
		if (r != 0 && ws->phase == WS_OPEN) {
			/* wslay's frame layer refused a frame (a fragmented
			 * control frame, say); our callbacks do not fail */
			log_debug("wslay_event_recv: %d", r);
			ws_fail(ws, 1002, "WebSocket protocol error");
		}
		if (ws->phase == WS_OPEN && !wslay_event_get_read_enabled(ws->ctx)) {
			/* wslay failed the connection (protocol error, too
			 * big, bad UTF-8) and queued its close frame: out it
			 * goes, and nothing after it (RFC 6455 §7.1.7) */
			wslay_event_send(ws->ctx);
			ws->phase = WS_FAILED;
			ws->reason = close_reason(wslay_event_get_status_code_sent(ws->ctx));
			ws->close_sent = true;
		} else if (ws->phase == WS_OPEN)
			wslay_event_send(ws->ctx); /* pongs */
		/* Failed by us, or closed by the client: the replies to
		 * the lines before go first, then the close frame
		 * (ws_closing, after conn.c has run those lines). */
	}
	if (ws->phase >= WS_FAILED) {
		evbuffer_drain(src, evbuffer_get_length(src));
		ws_signal(ws);
	}
	return evbuffer_get_length(src) < before ? BEV_OK : BEV_NEED_MORE;
}

static void
ws_free(void *arg)
{
	struct ws *ws = arg;

	if (ws->ctx != NULL)
		wslay_event_context_free(ws->ctx);
	free(ws);
}

/* ws_wrap: see ws.h. */
struct bufferevent *
ws_wrap(struct server *srv, struct bufferevent *u, struct ws **wsp)
{
	struct ws *ws = calloc(1, sizeof(*ws));
	struct bufferevent *bev;

	if (ws == NULL)
		return NULL;
	ws->srv = srv;
	ws->u = u;
	bev = bufferevent_filter_new(u, ws_in, ws_out, BEV_OPT_CLOSE_ON_FREE, ws_free, ws);
	if (bev == NULL) {
		free(ws);
		return NULL;
	}
	ws->bev = bev;
	bufferevent_setwatermark(u, EV_WRITE, 0, WS_SOCKET_OUT_MAX);
	*wsp = ws;
	return bev;
}

/* ws_attach: see ws.h. The socket's input is bounded like the client's
 * (the filter stops at its recvq, then the socket's buffer fills to it). */
void
ws_attach(struct client *c, struct ws *ws)
{
	*(struct ws **)client_extra(c) = ws;
	ws->c = c;
	bufferevent_setwatermark(ws->u, EV_READ, 0, c->recvq);
}

/* ws_event: see ws.h. */
bool
ws_event(struct client *c, short what)
{
	struct ws *ws = ws_of(c);

	if (ws->phase != WS_FAILED || !ws->signalled || (what & BEV_EVENT_EOF))
		return false;
	client_close(c, ws->reason, NULL);
	return true;
}

/* ws_timeout: see ws.h. */
void
ws_timeout(struct client *c)
{
	struct ws *ws = ws_of(c);

	if (ws->phase == WS_HTTP)
		ws_http_fail(ws, 408, "WebSocket handshake timed out");
	client_close(c, "WebSocket handshake timed out", NULL);
}

/* ws_refill: see ws.h. */
bool
ws_refill(struct client *c)
{
	struct ws *ws = ws_of(c);
	size_t before = evbuffer_get_length(bufferevent_get_input(c->bev));

	if (ws->phase != WS_OPEN || evbuffer_get_length(bufferevent_get_input(ws->u)) == 0)
		return false;
	bufferevent_flush(c->bev, EV_READ, BEV_NORMAL);
	return evbuffer_get_length(bufferevent_get_input(c->bev)) > before;
}

struct bufferevent *
ws_socket(struct client *c)
{
	return ws_of(c)->u;
}

/* discard_cb: input after close is read and dropped. */
static void
discard_cb(struct bufferevent *u, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(u);

	evbuffer_drain(in, evbuffer_get_length(in));
}

/* drained_cb: our last bytes are out: half-close a plain socket and wait
 * for the peer's end (RFC 6455 §7.1.1: the server closes the TCP
 * connection first), up to the flush deadline; TLS: free now. */
static void
drained_cb(struct bufferevent *u, void *arg)
{
	struct client *c = arg;
	int fd = bufferevent_getfd(u);

	if (evbuffer_get_length(bufferevent_get_output(u)) != 0 || c->state == CLIENT_DEAD)
		return;
	if ((c->flags & CF_TLS) || fd < 0 || c->srv->shutting_down) {
		client_dead(c);
		return;
	}
	shutdown(fd, SHUT_WR);
	bufferevent_disable(u, EV_WRITE);
}

static void
flush_event_cb(struct bufferevent *u, short what, void *arg)
{
	if (what & BEV_EVENT_CONNECTED)
		return;
	tls_quiet(u);
	client_dead(arg);
}

/* ws_closing: see ws.h. */
void
ws_closing(struct client *c)
{
	struct ws *ws = ws_of(c);
	struct evbuffer *pend = bufferevent_get_output(c->bev);
	struct evbuffer *out = bufferevent_get_output(ws->u);
	size_t n = evbuffer_get_length(pend);
	char body[1024];

	if (ws->phase == WS_HTTP) {
		/* refused before the upgrade (a D-line, a limit) or the
		 * server is going: the ERROR line as an HTTP answer */
		if (n > sizeof(body))
			n = sizeof(body);
		evbuffer_copyout(pend, body, n);
		http_answer(ws, c->srv->shutting_down ? 503 : 403, body, n);
	} else if (ws->ctx != NULL && !ws->close_sent && !wslay_event_get_close_sent(ws->ctx)) {
		ws->phase = WS_OPEN; /* for frame_line */
		while (frame_line(ws, pend, out, true))
			;
		send_close(ws, ws->status != 0 ? ws->status : 1000, ws->reason);
	}
	evbuffer_drain(pend, evbuffer_get_length(pend));
	ws->phase = WS_CLOSED;
	bufferevent_setcb(ws->u, discard_cb, drained_cb, flush_event_cb, c);
	bufferevent_setwatermark(ws->u, EV_WRITE, 0, 0);
	bufferevent_setwatermark(ws->u, EV_READ, 0, 0);
	bufferevent_enable(ws->u, EV_READ | EV_WRITE);
	bufferevent_enable(c->bev, EV_READ); /* lifts the filter's hold on reading */
	drained_cb(ws->u, c);
}

/* ws_dead: see ws.h. */
void
ws_dead(struct client *c)
{
	struct ws *ws = ws_of(c);

	bufferevent_setcb(ws->u, NULL, NULL, NULL, NULL);
	bufferevent_disable(ws->u, EV_READ | EV_WRITE);
}

#else /* !HAVE_WSLAY */

bool
ws_available(void)
{
	return false;
}

int
ws_check(const struct listen_conf *lc, char *err, size_t errlen)
{
	snprintf(err, errlen,
	    "websocket = yes: this evircd was built without wslay "
	    "(apt-get install libwslay-dev, then meson setup --reconfigure and rebuild)");
	return -1;
}

struct bufferevent *
ws_wrap(struct server *srv, struct bufferevent *u, struct ws **wsp)
{
	return NULL;
}

void
ws_attach(struct client *c, struct ws *ws)
{
}
bool
ws_event(struct client *c, short what)
{
	return false;
}
void
ws_timeout(struct client *c)
{
	client_close(c, "WebSocket handshake timed out", NULL);
}
bool
ws_refill(struct client *c)
{
	return false;
}
void
ws_closing(struct client *c)
{
	client_dead(c);
}
void
ws_dead(struct client *c)
{
}
struct bufferevent *
ws_socket(struct client *c)
{
	return c->bev;
}

#endif
