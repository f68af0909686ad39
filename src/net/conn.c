/* conn.c - bufferevent callbacks: bounded lines in, handed to the
 * dispatcher registered with conn_set_dispatch; fakelag, liveness timers. */
#include <fcntl.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sockios.h> /* SIOCOUTQ */
#endif

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/util.h>

#include "proto/cap.h"
#include "core/client.h"
#include "net/capture.h"
#include "net/close.h"
#include "net/conn.h"
#include "net/output.h"
#include "core/connlimit.h"
#include "core/kline.h"
#include "core/log.h"
#include "proto/message.h"
#include "core/server.h"
#include "net/tls.h"
#include "net/ws.h"

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static struct client *conn_setup(struct server *srv, struct bufferevent *bev,
    const struct sockaddr *sa, int salen, uint32_t flags, struct ws *ws);

/* The kernel send buffer of a client socket is sized from its sendq, at
 * most CONN_SNDBUF_MAX. Left alone, Linux autotunes it up to tcp_wmem's
 * maximum (4 MiB by default), so a member that never reads parks that
 * much in the kernel before its sendq even starts to fill, and keeps it
 * there while its socket lingers. socket(7): the kernel doubles the value
 * set with SO_SNDBUF (bookkeeping overhead), and setting it turns the
 * autotuning off; so asking for sendq/2 bounds the kernel's share by about
 * the sendq itself, and the cap by 2 x 128 KiB: enough for an IRC client
 * on a long path (256 KiB per 100 ms RTT is ~2.5 MB/s). Solanum and
 * InspIRCd leave client sockets at the system default; a sendq that the
 * kernel can multiply tenfold is not a bound, so we do not. */
#define CONN_SNDBUF_MAX		(128 * 1024)
/* Refused connections (D-line, throttle, per-IP/CIDR limits) get their
 * ERROR line and the usual graceful close (flushed_cb), which waits up to
 * the flush deadline for the peer to close. They count against no
 * connection limit, so at most this many may wait at once; beyond it a
 * refused connection gets one non-blocking write of its ERROR line and is
 * closed at once (as for "Server is full"). */
#define CONN_REFUSED_LINGER_MAX 64

/* accept_fd: conn_accept, conn_accept_tls and conn_accept_ws. Over
 * max_clients the connection gets one ERROR line, written without a
 * bufferevent, and is closed (a TLS or WebSocket connection is just closed:
 * plaintext would be noise to a client expecting a handshake). */
static void
accept_fd(struct server *srv, int fd, struct sockaddr *sa, int salen, struct ssl_ctx_st *tls_ctx,
    bool websocket)
{
	struct bufferevent *bev, *wbev;
	struct client *c;
	struct ws *ws = NULL;
	uint32_t flags;
	int one = 1;

	server_clock(srv);
	if (srv->shutting_down || srv->stats.clients >= srv->cfg->max_clients) {
		static const char full[] = "ERROR :Closing Link: (Server is full)\r\n";
		if (tls_ctx == NULL && !websocket) {
			ssize_t w = send(fd, full, sizeof(full) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			(void)w;
		}
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (tls_ctx != NULL) {
		/* tls_bufferevent_new either owns fd or, when it fails, has
		 * closed it or left it to us (see tls.c). */
		bev = tls_bufferevent_new(srv->base, fd, tls_ctx);
		if (bev == NULL) {
			log_warnx("TLS bufferevent setup failed");
			if (fcntl(fd, F_GETFD) != -1)
				close(fd);
			return;
		}
	} else {
		bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
		if (bev == NULL) {
			log_warnx("bufferevent_socket_new failed");
			close(fd);
			return;
		}
	}
	flags = tls_ctx != NULL ? CF_TLS : CF_DIRECT;
	if (websocket) {
		/* the client's bufferevent is the WebSocket filter over the
		 * socket's; output goes through it, never the flusher */
		wbev = ws_wrap(srv, bev, &ws);
		if (wbev == NULL) {
			log_warnx("WebSocket setup failed");
			bufferevent_free(bev);
			return;
		}
		bev = wbev;
		flags = (flags & CF_TLS) | CF_WS;
	}
	c = conn_setup(srv, bev, sa, salen, flags, ws);
	if (c == NULL)
		bufferevent_free(bev);
}

/* conn_fd: the socket of c (under the WebSocket filter for CF_WS). */
static int
conn_fd(struct client *c)
{
	return bufferevent_getfd((c->flags & CF_WS) ? ws_socket(c) : c->bev);
}

/* conn_size_sndbuf: SO_SNDBUF from the class's sendq (CONN_SNDBUF_MAX). */
static void
conn_size_sndbuf(struct client *c)
{
	int fd = conn_fd(c);
	int v;

	if (fd < 0 || c->sendq == 0)
		return; /* a bufferevent_pair (harness), or refused */
	v = (int)(c->sendq / 2 < CONN_SNDBUF_MAX ? c->sendq / 2 : CONN_SNDBUF_MAX);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) != 0)
		log_warn("setsockopt SO_SNDBUF");
}

/* write_now: one non-blocking write of a plain socket's output (the ERROR
 * line of a client closed without waiting for its flush). A full socket
 * takes nothing: that client cannot be told anyway. */
static void
write_now(struct client *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	int fd = bufferevent_getfd(c->bev);

	if (!(c->flags & CF_DIRECT) || fd < 0 || evbuffer_get_length(out) == 0)
		return;
	evbuffer_unfreeze(out, 1);
	(void)evbuffer_write(out, fd);
	evbuffer_freeze(out, 1);
}

/* set_rst: make the coming close() of c's socket abortive: SO_LINGER
 * {1, 0} sends RST and frees the kernel's send queue at once, where a
 * plain close() with unsent data leaves an orphan in FIN-WAIT-1 that keeps
 * the queue while it probes a zero window (minutes). Linux keeps what the
 * peer had already received readable before it reports ECONNRESET. */
static void
set_rst(struct client *c)
{
	struct linger lg = { 1, 0 };
	int fd = conn_fd(c);

	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) != 0)
		log_warn("setsockopt SO_LINGER");
}

/* unsent: bytes of c's output not yet taken by the peer: ours, plus (on
 * Linux, SIOCOUTQ) the kernel's send queue. */
static size_t
unsent(struct client *c)
{
	size_t n = evbuffer_get_length(bufferevent_get_output(c->bev));
#ifdef SIOCOUTQ
	int fd = conn_fd(c), q = 0;

	if (fd >= 0 && ioctl(fd, SIOCOUTQ, &q) == 0 && q > 0)
		n += (size_t)q;
#endif
	return n;
}

/* conn_abort: see conn.h. Used for Excess Flood: the offender is still
 * writing, and the graceful close would read and discard its flood until
 * the flush deadline. Its ERROR line gets one non-blocking write, which
 * reaches it when its socket has room (a flooder's usually has), then the
 * socket is reset. Solanum is harsher with the clients it gives up on:
 * dead_link() marks them IOError, exit_local_client() sends them no ERROR
 * and close_connection() does not flush them (ircd/send.c,
 * ircd/client.c). TLS: nothing more is written (no ERROR, no
 * close_notify): the record layer would need the loop. A bufferevent_pair
 * (harness) has no socket: the usual close. */
void
conn_abort(struct client *c, const char *reason)
{
	if (c->state >= CLIENT_CLOSING)
		return;
	client_close(c, reason, NULL);
	if (conn_fd(c) < 0 || c->state == CLIENT_DEAD)
		return;
	if (c->flags & CF_TLS)
		tls_quiet(c->bev);
	else
		write_now(c);
	set_rst(c);
	client_dead(c);
}

/* conn_refuse: close a connection refused at accept (reason) without
 * letting refused connections pin descriptors: see CONN_REFUSED_LINGER_MAX. */
static void
conn_refuse(struct client *c, const char *reason)
{
	struct server *srv = c->srv;

	client_close(c, reason, NULL);
	if (c->state == CLIENT_DEAD)
		return;
	if (srv->refused_lingering < CONN_REFUSED_LINGER_MAX) {
		c->flags |= CF_REFUSED;
		srv->refused_lingering++;
		return;
	}
	if (!(c->flags & CF_TLS))
		write_now(c);
	client_dead(c);
}

/* conn_accept: see conn.h. */
void
conn_accept(struct server *srv, int fd, struct sockaddr *sa, int salen)
{
	accept_fd(srv, fd, sa, salen, NULL, false);
}

/* conn_accept_tls: see conn.h. */
void
conn_accept_tls(struct server *srv, int fd, struct sockaddr *sa, int salen,
    struct ssl_ctx_st *tls_ctx)
{
	accept_fd(srv, fd, sa, salen, tls_ctx, false);
}

/* conn_accept_ws: see conn.h. */
void
conn_accept_ws(struct server *srv, int fd, struct sockaddr *sa, int salen,
    struct ssl_ctx_st *tls_ctx)
{
	accept_fd(srv, fd, sa, salen, tls_ctx, true);
}

/* conn_set_dispatch: see conn.h. */
void
conn_set_dispatch(struct server *srv,
    enum cmd_result (*dispatch)(struct client *c, struct irc_msg *m))
{
	srv->dispatch = dispatch;
}

/* conn_adopt: see conn.h. */
struct client *
conn_adopt(struct server *srv, struct bufferevent *bev, const struct sockaddr *sa, int salen)
{
	return conn_setup(srv, bev, sa, salen, 0, NULL);
}

/* conn_adopt_ws: see conn.h. */
struct client *
conn_adopt_ws(struct server *srv, struct bufferevent *bev, const struct sockaddr *sa, int salen)
{
	struct bufferevent *wbev;
	struct ws *ws;
	struct client *c;

	wbev = ws_wrap(srv, bev, &ws);
	if (wbev == NULL)
		return NULL;
	c = conn_setup(srv, wbev, sa, salen, CF_WS, ws);
	if (c == NULL)
		bufferevent_free(wbev);
	return c;
}

/* conn_write_cb: the output drained (libevent wrote it: TLS, the harness's
 * pairs, or a direct client whose socket was full): a direct client goes
 * back to direct writes. */
static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	if ((c->flags & CF_DIRECT) && c->state < CLIENT_CLOSING)
		bufferevent_disable(bev, EV_WRITE);
	output_drained(c);
}

static struct client *
conn_setup(struct server *srv, struct bufferevent *bev, const struct sockaddr *sa, int salen,
    uint32_t flags, struct ws *ws)
{
	struct client *c;

	const char *refused;

	/* a WebSocket client has a pointer to its state behind the struct;
	 * a plain one pays nothing for it */
	c = client_new_extra(srv, bev, sa, salen, ws != NULL ? sizeof(ws) : 0);
	if (c == NULL)
		return NULL;
	c->flags |= flags;
	if (kline_find_dline(srv, c) != NULL) {
		refused = "D-lined";
		srv->stats.dline_hits++;
	} else
		refused = connlimit_admit(srv, c);
	TAILQ_INSERT_TAIL(&srv->clients, c, link);
	srv->stats.clients++;
	srv->stats.unknown++;
	srv->stats.connections++;
	if (srv->cfg->password == NULL)
		c->flags |= CF_PASS_OK;
	/* The high read watermark bounds the input buffer by recvq: libevent
	 * stops reading past it, and conn_process_input never lets a line
	 * without an end grow beyond IRC_INPUT_MAX (config ensures recvq is
	 * larger), so reading can never stall on a full buffer. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, c->recvq);
	if (ws != NULL)
		ws_attach(c, ws);
	if (c->flags & CF_DIRECT) {
		/* a new bufferevent has EV_WRITE enabled: output goes through
		 * the flusher instead, EV_WRITE only while the socket is full */
		bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
		bufferevent_disable(c->bev, EV_WRITE);
		bufferevent_enable(c->bev, EV_READ);
	} else {
		bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
		bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	}
	conn_size_sndbuf(c);
	/* A TLS connection first has tls_handshake_timeout for its
	 * handshake, then registration_timeout to register. Solanum and
	 * InspIRCd count the handshake in the registration time; but until
	 * the handshake is done no ERROR line can reach the client, so the
	 * graceful close after a registration timeout would hold a silent
	 * connection another flush deadline: 40 s per descriptor by default
	 * for a client that never speaks TLS. */
	client_timer_set(c, (c->flags & (CF_TLS | CF_WS)) ? TIMER_HANDSHAKE : TIMER_REGISTRATION);
	log_debug("accepted %s", c->host);
	if (refused != NULL) {
		log_info("refused %s: %s", c->host, refused);
		conn_refuse(c, refused);
	}
	return c;
}

/* fakelag_blocked: RFC 1459 §8.10 - the client's message timer may run at
 * most flood_burst seconds ahead of the clock. */
static bool
fakelag_blocked(struct client *c)
{
	struct config *cfg = c->srv->cfg;

	if (!cfg->flood_enabled || (cfg->flood_exempt_opers && client_is_oper(c)) ||
	    (c->flags & CF_SERVER)) /* links: a peer's burst is not a flood */
		return false;
	if (c->fakelag < c->srv->now)
		c->fakelag = c->srv->now;
	return c->fakelag >= c->srv->now + (time_t)cfg->flood_burst;
}

/* handle_line: checks that need the raw bytes, then parse and dispatch. */
static enum cmd_result
handle_line(struct client *c, char *line, size_t n)
{
	struct irc_msg m;
	size_t body;
	char ctags[IRC_CLIENT_TAGS_MAX + 2], label[128];
	enum cmd_result r;
	bool utf8_ok;

	/* Extra CRs before the line end ("...\r\r\n") are line-end noise:
	 * dropped, as every peer does (InspIRCd strips CR, Solanum and
	 * Ergo end the line there). */
	while (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (n == 0)
		return CMD_OK;
	if (memchr(line, '\0', n) != NULL || memchr(line, '\r', n) != NULL) {
		/* Modern IRC "Message format": NUL, CR and LF are allowed in
		 * no part of a message (tags, source, verb, parameters); the
		 * message-tags grammar excludes them from tag values too. A
		 * bare CR inside a line would reach recipients that split on
		 * CR as a second, forged line, so the line is refused whole
		 * and not executed, as Ergo does (irc-go ircmsg: "Line
		 * contains invalid characters"). RFC 2812 §2.3.1 and Solanum
		 * take a lone CR as a line end instead; we refuse, so the
		 * sender learns its line was not run. A refused line costs
		 * fakelag like a command, or it would be free to make us
		 * answer. */
		c->fakelag += (time_t)c->srv->cfg->flood_penalty;
		numeric(c, ERR_UNKNOWNERROR, "*",
		    "Line contains a NUL or CR byte and was discarded");
		return CMD_OK;
	}
	body = message_body_len(line, n);
	/* message-tags: at most 4094 bytes of tag data between '@' and the
	 * space from a client, 8190 from a server link, else 417 and the
	 * line is not processed. */
	if (body > IRC_LINE_MAX - 2 ||
	    (line[0] == '@' &&
		strcspn(line, " ") - 1 >
		    ((c->flags & CF_SERVER) ? IRC_TAGS_MAX - 1 : IRC_CLIENT_TAGS_MAX))) {
		c->fakelag += (time_t)c->srv->cfg->flood_penalty;
		numeric(c, ERR_INPUTTOOLONG);
		return CMD_OK;
	}
	utf8_ok = !c->srv->cfg->utf8only || message_utf8_valid(line, n);
	if (message_parse(line, &m) != MSG_OK)
		return CMD_OK;
	message_split_tags(&m, ctags, sizeof(ctags), label, sizeof(label));
	if (!utf8_ok) {
		/* UTF8ONLY (IRCv3): refuse the whole line with a FAIL, labeled
		 * when asked; a verb that is itself not UTF-8 becomes "*". */
		bool lab = m.label != NULL && (c->caps & CAP_LABELED_RESPONSE);
		if (lab)
			capture_begin(c);
		reply_fail(c,
		    message_utf8_valid(m.verb, strlen(m.verb)) && strlen(m.verb) < 32 ? m.verb
										      : "*",
		    "INVALID_UTF8",
		    "Message rejected, your IRC software MUST use UTF-8 encoding on this network");
		if (lab)
			capture_end(c, m.label);
		return CMD_OK;
	}
	if (m.label != NULL && (c->caps & CAP_LABELED_RESPONSE)) {
		capture_begin(c);
		r = c->srv->dispatch(c, &m);
		if (r == CMD_CLOSE || c->state == CLIENT_DEAD)
			return CMD_CLOSE;
		if ((c->flags & CF_PW_WAIT) && c->pw != NULL && c->pw->label == NULL) {
			/* the answer comes when the password check is done:
			 * keep the label and what was captured for it, and
			 * let other output flow meanwhile (cmd/pwcheck.c) */
			c->pw->label = strdup(m.label);
			c->pw->capture = capture_suspend(c);
			if (c->pw->label == NULL) {
				evbuffer_free(c->pw->capture);
				c->pw->capture = NULL;
			}
			return r;
		}
		if (c->listing != NULL && c->listing->open_batch) {
			/* a LIST that goes on as the output drains: its
			 * labeled-response batch stays open until its end */
			c->listing->open_batch = false;
			capture_open_batch(c, m.label, c->listing->batch,
			    sizeof(c->listing->batch));
			return r;
		}
		capture_end(c, m.label);
		return r;
	}
	return c->srv->dispatch(c, &m);
}

/* conn_process_input: see conn.h. A line ends at CRLF or a bare LF
 * (EVBUFFER_EOL_CRLF). The EOL search is bounded by IRC_INPUT_MAX bytes:
 * anything longer without an end is discarded, so a line trickling in byte
 * by byte costs at most a memchr over 8.6 KiB per read. */
void
conn_process_input(struct client *c)
{
	struct server *srv = c->srv;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	char line[IRC_LINK_INPUT_MAX + 2];
	size_t max;
	struct evbuffer_ptr start, eol;
	struct evbuffer_iovec v;
	const char *nl;
	size_t eol_len, len, n;

	/* CF_PW_WAIT: a password check runs for this client; the lines
	 * after PASS/OPER wait for its result (cmd/pwcheck.c resumes). */
	while (c->state == CLIENT_OPEN && !(c->flags & CF_PW_WAIT)) {
		len = evbuffer_get_length(in);
		if (len == 0 && !((c->flags & CF_WS) && ws_refill(c)))
			return;
		len = evbuffer_get_length(in);
		/* a server link may send the whole tag section (a
		 * connection becomes a link at its SERVER line) */
		max = (c->flags & CF_SERVER) ? IRC_LINK_INPUT_MAX : IRC_INPUT_MAX;
		if (fakelag_blocked(c)) {
			if (len >= c->recvq) {
				srv->stats.flood_closes++;
				conn_abort(c, "Excess Flood");
				return;
			}
			if (!(c->flags & CF_READ_PAUSED)) {
				srv->stats.fakelag_delays++;
				c->flags |= CF_READ_PAUSED;
				client_timer_stop(c);
				client_timer_set(c, TIMER_FAKELAG);
			}
			return;
		}
		/* EVBUFFER_EOL_CRLF: the line ends at the first LF, with a CR
		 * before it as part of the end. The usual case, a LF in the
		 * first chain, is one memchr; else libevent's search. */
		if (evbuffer_peek(in, -1, NULL, &v, 1) >= 1 && v.iov_len > 0 &&
		    (nl = memchr(v.iov_base, '\n', v.iov_len)) != NULL) {
			eol.pos = nl - (const char *)v.iov_base;
			eol_len = 1;
			if (eol.pos > 0 && nl[-1] == '\r') {
				eol.pos--;
				eol_len = 2;
			}
		} else {
			evbuffer_ptr_set(in, &start, 0, EVBUFFER_PTR_SET);
			eol = evbuffer_search_eol(in, &start, &eol_len, EVBUFFER_EOL_CRLF);
		}
		if (eol.pos < 0 && (c->flags & CF_WS) && ws_refill(c))
			continue; /* the filter had stopped at the recvq */
		if (eol.pos < 0) {
			if (len > max) {
				/* No end in sight: answer once, drop what we
				 * have, and keep dropping up to the next EOL. */
				if (!(c->flags & CF_DISCARD))
					numeric(c, ERR_INPUTTOOLONG);
				c->flags |= CF_DISCARD;
				evbuffer_drain(in, len);
			}
			return;
		}
		n = (size_t)eol.pos;
		if ((c->flags & CF_DISCARD) || n > max) {
			if (!(c->flags & CF_DISCARD))
				numeric(c, ERR_INPUTTOOLONG);
			c->flags &= ~CF_DISCARD;
			evbuffer_drain(in, n + eol_len);
			continue;
		}
		evbuffer_remove(in, line, n + eol_len); /* n <= max */
		line[n] = '\0';
		srv->stats.lines_in++;
		srv->stats.bytes_in += n + eol_len;
		c->last_active = srv->now;
		c->flags &= ~CF_PING_SENT;
		if (n == 0)
			continue; /* empty lines are ignored (Modern IRC) */
		if (handle_line(c, line, n) == CMD_CLOSE)
			return;
	}
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;

	server_clock(c->srv);
	conn_process_input(c);
}

/* conn_event_cb: EOF or error; the socket is gone, so the QUIT for peers is
 * sent and the client freed without waiting for a flush. On a TLS
 * connection BEV_EVENT_CONNECTED reports the finished handshake; a failed
 * handshake (a plaintext client on the TLS port, say) costs one info line.
 * client_close queues its ERROR line, but client_dead stops all I/O at once
 * and tls_quiet keeps client_free from writing a close_notify, so nothing
 * more is written to a broken session. */
static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client *c = arg;
	char reason[160], tlserr[120];

	server_clock(c->srv);
	if ((c->flags & CF_WS) && ws_event(c, what))
		return; /* a WebSocket failure, answered */
	if (what & BEV_EVENT_CONNECTED) {
		tls_handshake_done(c);
		/* a WebSocket's handshake timer runs on to the upgrade */
		if (c->timer_kind == TIMER_HANDSHAKE && c->state < CLIENT_CLOSING &&
		    !(c->flags & CF_WS)) {
			client_timer_stop(c);
			client_timer_set(c, TIMER_REGISTRATION);
		}
		return;
	}
	tlserr[0] = '\0';
	if (c->flags & CF_TLS) {
		tls_quiet(bev);
		tls_error(bev, tlserr, sizeof(tlserr));
		if (!(c->umodes & UMODE_SECURE) && (what & BEV_EVENT_ERROR))
			log_info("TLS handshake with %s failed: %s", c->host,
			    tlserr[0] ? tlserr
				      : evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	}
	if (what & BEV_EVENT_EOF)
		snprintf(reason, sizeof(reason), "Remote host closed the connection");
	else if (tlserr[0] != '\0')
		snprintf(reason, sizeof(reason), "TLS error: %s", tlserr);
	else
		snprintf(reason, sizeof(reason), "Read error: %s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	client_close(c, reason, NULL);
	client_dead(c);
}

/* conn_timerq_cb: a timer queue's event (srv->timerq[k].ev): fire every
 * client at its head that is due, then wait for the next. A handler that
 * re-arms the same kind appends behind the ones due now. */
void
conn_timerq_cb(int fd, short what, void *arg)
{
	struct client_timerq *tq = arg;
	struct client *c;
	struct timeval tv;
	int64_t now = client_timer_now(), wait;

	/* 1 ms early is on time: libevent's own timers have that grain */
	while ((c = TAILQ_FIRST(&tq->q)) != NULL && c->timer_due <= now + 1000)
		conn_timer_cb(-1, EV_TIMEOUT, c);
	if (c != NULL) {
		wait = c->timer_due - now;
		tv.tv_sec = (time_t)(wait / 1000000);
		tv.tv_usec = (suseconds_t)(wait % 1000000);
		evtimer_add(tq->ev, &tv);
	}
}

/* conn_timer_cb: registration timeout, liveness PING, ping timeout, flush
 * deadline and fakelag resume share the one per-client timer. */
void
conn_timer_cb(int fd, short what, void *arg)
{
	struct client *c = arg;
	struct server *srv = c->srv;
	char reason[64];

	server_clock(srv);
	client_timer_stop(c); /* fired (or fired by a test) */
	switch (c->timer_kind) {
	case TIMER_REGISTRATION:
		if (!client_is_registered(c))
			client_close(c, "Registration timed out", NULL);
		break;
	case TIMER_PING:
		if (srv->now - c->last_active >= (time_t)srv->cfg->ping_interval) {
			reply_raw(c, "PING :%s", srv->cfg->name);
			c->flags |= CF_PING_SENT;
			client_timer_set(c, TIMER_PONG);
		} else
			client_timer_set(c, TIMER_PING);
		break;
	case TIMER_PONG:
		if (c->flags & CF_PING_SENT) {
			snprintf(reason, sizeof(reason), "Ping timeout: %lld seconds",
			    (long long)(srv->now - c->last_active));
			client_close(c, reason, NULL);
		} else
			client_timer_set(c, TIMER_PING);
		break;
	case TIMER_FLUSH:
		/* The flush deadline passed: a peer that took nothing in 10 s
		 * (a SendQ exceeded client that never reads again, a dead
		 * host) is reset rather than left to the kernel with the
		 * unsent rest (issue 9, item 16). One that is still reading
		 * got its ERROR line by now and has FIN from us. */
		if (unsent(c) > 0)
			set_rst(c);
		client_dead(c);
		break;
	case TIMER_HANDSHAKE:
		if ((c->flags & CF_WS) && (!(c->flags & CF_TLS) || (c->umodes & UMODE_SECURE))) {
			/* the upgrade request did not come in time (slow
			 * loris): 408 and the usual close */
			log_info("WebSocket handshake with %s timed out", c->host);
			ws_timeout(c);
			break;
		}
		/* nothing can be written to a session without a handshake:
		 * closed at once, no ERROR line, no close_notify */
		log_info("TLS handshake with %s timed out", c->host);
		tls_quiet(c->bev);
		client_close(c, "TLS handshake timed out", NULL);
		client_dead(c);
		break;
	case TIMER_FAKELAG:
		c->flags &= ~CF_READ_PAUSED;
		if (!client_is_registered(c) &&
		    srv->now - c->signon >= (time_t)srv->cfg->registration_timeout) {
			client_close(c, "Registration timed out", NULL);
			break;
		}
		client_timer_set(c, client_is_registered(c) ? TIMER_PING : TIMER_REGISTRATION);
		conn_process_input(c);
		break;
	}
}
