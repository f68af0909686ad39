/* fuzz_ws.c - libFuzzer target for WebSocket clients (net/ws.c): the
 * upgrade request parser and the U+FFFD replacement as pure functions, then
 * a whole server with one WebSocket client over a bufferevent_pair and one
 * plain client next to it.
 *
 * Input: byte 0 is the mode, the rest the client's bytes.
 *   mode & 0x01  a valid upgrade request is sent first (else the input
 *                itself is the request)
 *   mode & 0x06  its Sec-WebSocket-Protocol: none, text, binary, "text, binary"
 *   mode & 0x08  the rest is records [b, n, n payload bytes] that the
 *                harness frames and masks (FIN = b & 0x80, RSV = b >> 4 & 7,
 *                opcode = b & 15), else raw bytes
 *   mode & 0x10  the bytes go in 7-byte pieces, the loop run after each
 *   mode & 0x20  the harness registers the client (NICK wz, USER) first,
 *                and the plain client sends it the first 200 input bytes
 *                as a PRIVMSG (non-UTF-8 to a text client: U+FFFD)
 *   mode & 0x40  at the end the clock jumps 40 s and the client's timer
 *                fires (handshake or registration timeout)
 *   mode & 0x80  the peer closes (EOF) at the end, else it vanishes
 *
 * Oracles: the server's bytes are an HTTP answer (101, or an error status
 * with exactly Content-Length bytes of body and nothing after); after a 101
 * only well-formed server frames (FIN, no RSV, no mask, known opcode, data
 * payloads at most one line without CR/LF/NUL, text payloads valid UTF-8,
 * control payloads at most 125 bytes) and nothing after a close frame;
 * ws_handshake_parse answers only the documented statuses; ws_utf8_fix
 * output is valid UTF-8, at most 3x, and unchanged for valid input. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "core/client.h"
#include "core/config.h"
#include "core/server.h"
#include "daemon.h"
#include "fuzz.h"
#include "net/conn.h"
#include "net/ws.h"
#include "proto/message.h"

#define LOOP_TURNS   64
#define LINE_MAX_OUT (IRC_TAGS_MAX + IRC_LINE_MAX)

static bool trace;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FUZZ_SAVE_STDERR();
	trace = getenv("FUZZ_TRACE") != NULL;
	return 0;
}

static void
run_loop(struct server *srv)
{
	for (int i = 0; i < LOOP_TURNS; i++) {
		event_base_loop(srv->base, EVLOOP_NONBLOCK);
		if (event_base_get_num_events(srv->base, EVENT_BASE_COUNT_ACTIVE) == 0)
			break;
	}
}

/* collect_cb: what the server sends the WebSocket client piles up. */
static void
collect_cb(struct bufferevent *bev, void *arg)
{
	evbuffer_add_buffer(arg, bufferevent_get_input(bev));
}

static void
drain_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	evbuffer_drain(in, evbuffer_get_length(in));
}

/* check_pure: the parser and the UTF-8 repair on the raw input. */
static void
check_pure(const uint8_t *data, size_t size)
{
	struct ws_handshake hs;
	static char out[3 * 4096];
	size_t n = size < 4096 ? size : 4096, m;
	int st = ws_handshake_parse((const char *)data, size, "https://a.example http://*.b", &hs);

	FUZZ_CHECK(st == 101 || st == 400 || st == 403 || st == 405 || st == 426, "status %d", st);
	if (st == 101)
		FUZZ_CHECK(strlen(hs.accept) == 28, "accept '%s'", hs.accept);
	else
		FUZZ_CHECK(hs.reason != NULL, "no reason for %d", st);
	m = ws_utf8_fix((const char *)data, n, out);
	FUZZ_CHECK(m <= 3 * n, "grew to %zu from %zu", m, n);
	FUZZ_CHECK(message_utf8_valid(out, m), "not UTF-8 after the fix");
	if (message_utf8_valid((const char *)data, n))
		FUZZ_CHECK(m == n && memcmp(out, data, n) == 0, "valid input changed");
}

/* check_frames: the bytes after a 101. */
static void
check_frames(const unsigned char *p, size_t len)
{
	size_t off = 0, n, h;
	bool closed = false;

	while (off < len) {
		FUZZ_CHECK(!closed, "bytes after the close frame");
		FUZZ_CHECK(len - off >= 2, "truncated frame header");
		unsigned b0 = p[off], b1 = p[off + 1], op = b0 & 15;
		FUZZ_CHECK((b0 & 0xF0) == 0x80, "FIN/RSV 0x%02x", b0);
		FUZZ_CHECK(!(b1 & 0x80), "masked server frame");
		n = b1 & 0x7F;
		h = 2;
		if (n == 126) {
			FUZZ_CHECK(len - off >= 4, "truncated length");
			n = (size_t)p[off + 2] << 8 | p[off + 3];
			h = 4;
			FUZZ_CHECK(n >= 126, "non-minimal length");
		} else if (n == 127) {
			FUZZ_CHECK(false, "64-bit length from the server");
		}
		FUZZ_CHECK(len - off - h >= n, "truncated payload");
		const char *pay = (const char *)p + off + h;
		switch (op) {
		case 1:
		case 2:
			FUZZ_CHECK(n <= LINE_MAX_OUT * 3, "message of %zu bytes", n);
			FUZZ_CHECK(memchr(pay, '\r', n) == NULL && memchr(pay, '\n', n) == NULL &&
				memchr(pay, '\0', n) == NULL,
			    "CR/LF/NUL in '%.*s'", (int)n, pay);
			if (op == 1)
				FUZZ_CHECK(message_utf8_valid(pay, n), "text message not UTF-8");
			if (trace)
				fprintf(stderr, "<< %.*s\n", (int)n, pay);
			break;
		case 8:
			closed = true;
			/* FALLTHROUGH */
		case 9:
		case 10:
			FUZZ_CHECK(n <= 125, "control payload %zu", n);
			if (trace)
				fprintf(stderr, "<< control %u (%zu bytes) %u\n", op, n,
				    n >= 2 ? (unsigned)(uint8_t)pay[0] << 8 | (uint8_t)pay[1] : 0);
			break;
		default:
			FUZZ_CHECK(false, "opcode %u", op);
		}
		off += h + n;
	}
}

/* check_output: an HTTP answer, then frames after a 101. */
static void
check_output(struct evbuffer *got)
{
	size_t len = evbuffer_get_length(got);
	const unsigned char *p = evbuffer_pullup(got, -1);
	const char *head_end;
	int status;
	size_t hl, cl;

	if (len == 0)
		return; /* nothing yet: the request is incomplete */
	FUZZ_CHECK(len >= 12 && memcmp(p, "HTTP/1.1 ", 9) == 0, "not HTTP: '%.*s'",
	    (int)(len < 40 ? len : 40), p);
	status = atoi((const char *)p + 9);
	head_end = memmem(p, len, "\r\n\r\n", 4);
	FUZZ_CHECK(head_end != NULL, "unterminated HTTP head");
	hl = (size_t)(head_end - (const char *)p) + 4;
	if (trace)
		fprintf(stderr, "<< %.*s", (int)hl, p);
	if (status == 101) {
		check_frames(p + hl, len - hl);
		return;
	}
	FUZZ_CHECK(status == 400 || status == 403 || status == 405 || status == 408 ||
		status == 426 || status == 431 || status == 503,
	    "status %d", status);
	const char *clh = memmem(p, hl, "Content-Length: ", 16);
	FUZZ_CHECK(clh != NULL, "no Content-Length");
	cl = (size_t)strtoul(clh + 16, NULL, 10);
	FUZZ_CHECK(len - hl == cl, "body %zu, Content-Length %zu", len - hl, cl);
}

/* frame_records: the harness's framing of "records" mode. */
static void
frame_records(struct evbuffer *dst, const uint8_t *p, size_t n)
{
	static const uint8_t key[4] = { 0x12, 0x34, 0x56, 0x78 };
	uint8_t hdr[14], pay[256];
	size_t i = 0, l, k;

	while (i + 2 <= n) {
		uint8_t b = p[i];
		l = p[i + 1];
		i += 2;
		if (l > n - i)
			l = n - i;
		hdr[0] = (uint8_t)((b & 0x80) | (b & 0x70) | (b & 0x0F));
		hdr[1] = (uint8_t)(0x80 | l);
		memcpy(hdr + 2, key, 4);
		for (k = 0; k < l; k++)
			pay[k] = p[i + k] ^ key[k & 3];
		evbuffer_add(dst, hdr, 6);
		evbuffer_add(dst, pay, l);
		i += l;
	}
}

/* text_frame: one masked text frame of line (len < 126). */
static void
text_frame(struct evbuffer *dst, const char *line)
{
	uint8_t rec[2 + 125];
	size_t l = strlen(line);

	rec[0] = 0x81;
	rec[1] = (uint8_t)l;
	memcpy(rec + 2, line, l);
	frame_records(dst, rec, l + 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *protos[4] = { "", "Sec-WebSocket-Protocol: text.ircv3.net\r\n",
		"Sec-WebSocket-Protocol: binary.ircv3.net\r\n",
		"Sec-WebSocket-Protocol: text.ircv3.net, binary.ircv3.net\r\n" };
	struct config *cfg;
	struct server *srv;
	struct bufferevent *wpair[2], *ppair[2];
	struct evbuffer *got, *send;
	struct sockaddr_in sin;
	struct client *c, *wc = NULL;
	uint8_t mode;
	char buf[512];
	size_t len, off, piece;

	if (size == 0)
		return 0;
	check_pure(data + 1, size - 1);
	mode = data[0];
	data++;
	size--;

	cfg = config_default();
	free(cfg->name);
	cfg->name = strdup("irc.fuzz.example");
	cfg->flood_enabled = false;
	cfg->sendq = 8192;
	cfg->ws_origins = strdup("https://a.example http://*.b");
	if (cfg->name == NULL || cfg->ws_origins == NULL)
		abort();
	srv = server_new(cfg, NULL);
	if (srv == NULL)
		abort();
	got = evbuffer_new();
	send = evbuffer_new();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	/* the plain peer, registered */
	if (bufferevent_pair_new(srv->base, 0, ppair) != 0)
		abort();
	bufferevent_setcb(ppair[1], drain_cb, NULL, NULL, NULL);
	bufferevent_enable(ppair[1], EV_READ | EV_WRITE);
	if (conn_adopt(srv, ppair[0], (struct sockaddr *)&sin, sizeof(sin)) == NULL)
		abort();
	bufferevent_write(ppair[1], "NICK peer\r\nUSER p 0 * :p\r\n", 26);
	run_loop(srv);

	/* the WebSocket client */
	if (bufferevent_pair_new(srv->base, BEV_OPT_DEFER_CALLBACKS, wpair) != 0)
		abort();
	bufferevent_setcb(wpair[1], collect_cb, NULL, NULL, got);
	bufferevent_enable(wpair[1], EV_READ | EV_WRITE);
	if (conn_adopt_ws(srv, wpair[0], (struct sockaddr *)&sin, sizeof(sin)) == NULL)
		abort();
	TAILQ_FOREACH(c, &srv->clients, link)
		if (c->flags & CF_WS)
			wc = c;
	FUZZ_CHECK(wc != NULL, "no WebSocket client");

	if (mode & 0x01) {
		int n = snprintf(buf, sizeof(buf),
		    "GET /irc HTTP/1.1\r\nHost: x\r\n"
		    "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
		    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
		    "%s%s\r\n",
		    protos[(mode >> 1) & 3], (mode & 0x40) ? "Origin: http://x.b\r\n" : "");
		evbuffer_add(send, buf, (size_t)n);
		if (mode & 0x20) {
			text_frame(send, "NICK wz");
			text_frame(send, "USER w 0 * :web");
			text_frame(send, "JOIN #w");
		}
	}
	if (mode & 0x08)
		frame_records(send, data, size);
	else
		evbuffer_add(send, data, size);

	len = evbuffer_get_length(send);
	piece = (mode & 0x10) ? 7 : 4096;
	while ((off = evbuffer_get_length(send)) > 0) {
		uint8_t tmp[4096];
		size_t n = off < piece ? off : piece;
		evbuffer_remove(send, tmp, n);
		bufferevent_write(wpair[1], tmp, n);
		if (piece < len)
			run_loop(srv);
	}
	run_loop(srv);
	if (mode & 0x20) {
		size_t n = size < 200 ? size : 200, k, o = 0;
		o = (size_t)snprintf(buf, sizeof(buf), "PRIVMSG wz :");
		for (k = 0; k < n; k++)
			if (data[k] != '\r' && data[k] != '\n' && data[k] != '\0')
				buf[o++] = (char)data[k];
		buf[o++] = '\r';
		buf[o++] = '\n';
		bufferevent_write(ppair[1], buf, o);
		run_loop(srv);
	}
	if (mode & 0x40) {
		bool alive = false;
		TAILQ_FOREACH(c, &srv->clients, link)
			alive = alive || c == wc; /* (wc may be freed) */
		if (alive && wc->state == CLIENT_OPEN) {
			srv->now_offset += 40;
			server_clock(srv);
			conn_timer_cb(-1, EV_TIMEOUT, wc);
			run_loop(srv);
		}
	}
	if (mode & 0x80) {
		bufferevent_flush(wpair[1], EV_WRITE, BEV_FINISHED); /* EOF */
		run_loop(srv);
	}
	run_loop(srv);
	check_output(got);
	bufferevent_free(wpair[1]);
	bufferevent_free(ppair[1]);
	run_loop(srv);
	server_free(srv);
	evbuffer_free(got);
	evbuffer_free(send);
	return 0;
}
