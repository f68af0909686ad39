/* reply.c - formatting and queueing of every byte sent to clients. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "proto/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "net/conn.h"
#include "proto/reply.h"
#include "core/server.h"

size_t
utf8_cut(const char *s, size_t len)
{
	size_t i = len, back = 0;
	unsigned char ch;

	/* Walk back over continuation bytes (10xxxxxx) to the lead byte. */
	while (i > 0 && back < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
		i--;
		back++;
	}
	if (i == 0)
		return len;
	ch = (unsigned char)s[i - 1];
	if (ch >= 0xC0) {
		size_t need = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
		if (back + 1 < need)
			return i - 1;	/* sequence cut short: drop it */
	}
	return len;
}

int
utf8_prefix(const char *s, size_t max)
{
	size_t len = strnlen(s, max + 1);

	return (int)(len > max ? utf8_cut(s, max) : len);
}

size_t
format_clean(char *buf, size_t max, const char *fmt, va_list ap)
{
	int n;
	size_t len, i, j;

	n = vsnprintf(buf, max + 1, fmt, ap);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	len = (size_t)n > max ? max : (size_t)n;
	for (i = j = 0; i < len; i++)
		if (buf[i] != '\r' && buf[i] != '\n' && buf[i] != '\0')
			buf[j++] = buf[i];
	len = j;
	if ((size_t)n > max)
		len = utf8_cut(buf, len);
	buf[len] = '\0';
	return len;
}

void
outline_vformat(struct outline *ol, const char *fmt, va_list ap)
{
	ol->tags = NULL;
	ol->tags_len = 0;
	ol->need_cap = 0;
	ol->len = format_clean(ol->buf, IRC_LINE_MAX - 2, fmt, ap);
	ol->buf[ol->len++] = '\r';
	ol->buf[ol->len++] = '\n';
	ol->buf[ol->len] = '\0';
}

void
outline_format(struct outline *ol, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	outline_vformat(ol, fmt, ap);
	va_end(ap);
}

static void send_prefixed(struct client *c, const char *head, size_t hlen, const char *fmt,
    va_list ap) __attribute__((format(printf, 4, 0)));

/* queue: the lowest level. Output of a labeled command goes to the capture
 * buffer; everything else to the bufferevent, followed by the sendq check. */
static void
queue(struct client *c, const void *buf, size_t len)
{
	struct evbuffer *out;

	if (c->capture != NULL) {
		evbuffer_add(c->capture, buf, len);
		return;
	}
	out = bufferevent_get_output(c->bev);
	if (evbuffer_add(out, buf, len) != 0 || evbuffer_get_length(out) > c->sendq)
		client_sendq_exceeded(c);
	else if (!(c->flags & CF_FLUSHQ))
		conn_mark_dirty(c);
}

static void
queue_time(struct client *c, bool at)
{
	size_t len;
	const char *tag = server_time_tag(c->srv, &len);

	if (at)
		queue(c, "@", 1);
	queue(c, tag, len);
	queue(c, at ? " " : ";", 1);
}

void
send_bytes(struct client *c, const char *buf, size_t len)
{
	if (c->flags & (CF_CLOSING | CF_SENDQ | CF_DEAD))
		return;
	if ((c->caps & CAP_SERVER_TIME) && len > 0 && buf[0] != '@')
		queue_time(c, true);
	queue(c, buf, len);
}

void
send_line(struct client *c, const struct outline *ol)
{
	bool mt = (c->caps & CAP_MESSAGE_TAGS) != 0;

	if (c->flags & (CF_CLOSING | CF_SENDQ | CF_DEAD))
		return;
	if ((c->caps & ol->need_cap) != ol->need_cap)
		return;
	if (ol->tags == NULL || !mt) {
		send_bytes(c, ol->buf, ol->len);
		return;
	}
	queue(c, "@", 1);
	if (c->caps & CAP_SERVER_TIME)
		queue_time(c, false);
	queue(c, ol->tags, ol->tags_len);
	queue(c, " ", 1);
	queue(c, ol->buf, ol->len);
}

size_t
msg_tags_build(struct client *from, const char *client_tags, char *buf, size_t size,
    char *msgid, size_t msgidsize)
{
	struct server *srv = from->srv;
	int n;

	snprintf(msgid, msgidsize, "%s%llx", srv->msgid_base,
	    (unsigned long long)++srv->msgid_next);
	n = snprintf(buf, size, "msgid=%s%s%s%s", msgid, (from->umodes & UMODE_BOT) ? ";bot" : "",
	    client_tags ? ";" : "", client_tags ? client_tags : "");
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

void
reply_fail(struct client *c, const char *command, const char *code, const char *fmt, ...)
{
	char head[160];
	int hlen;
	va_list ap;

	/* the command echoes client input: only [A-Z0-9] survives, else "*" */
	if (command[0] == '\0' || strlen(command) > 32 ||
	    strspn(command, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(command))
		command = "*";
	hlen = snprintf(head, sizeof(head), ":%s FAIL %s %s :", c->srv->cfg->name, command, code);
	if (hlen < 0 || (size_t)hlen >= sizeof(head))
		return;
	va_start(ap, fmt);
	send_prefixed(c, head, (size_t)hlen, fmt, ap);
	va_end(ap);
}

void
labeled_begin(struct client *c)
{
	if (c->capture == NULL)
		c->capture = evbuffer_new();
}

/* add_tag_line: "@tag;rest" or "@tag line" into c's real output. */
static void
add_tag_line(struct client *c, const char *tag, const char *line, size_t len)
{
	queue(c, "@", 1);
	queue(c, tag, strlen(tag));
	if (len > 0 && line[0] == '@') {
		queue(c, ";", 1);
		queue(c, line + 1, len - 1);
	} else {
		queue(c, " ", 1);
		queue(c, line, len);
	}
}

/* labeled_end: labeled-response spec: no output -> ACK; one line -> the
 * label on it; more -> a labeled-response batch (when batch is enabled). */
void
labeled_end(struct client *c, const char *label)
{
	struct evbuffer *cap = c->capture;
	struct server *srv = c->srv;
	char tag[300], bid[16], btag[32], *line;
	size_t n = 0, len;
	struct evbuffer_ptr p;

	if (cap == NULL)
		return;
	c->capture = NULL;
	if (c->flags & (CF_CLOSING | CF_SENDQ | CF_DEAD)) {
		evbuffer_free(cap);
		return;
	}
	for (p = evbuffer_search(cap, "\n", 1, NULL); p.pos >= 0;
	    p = evbuffer_search(cap, "\n", 1, &p)) {
		n++;
		if (evbuffer_ptr_set(cap, &p, 1, EVBUFFER_PTR_ADD) != 0)
			break;
	}
	snprintf(tag, sizeof(tag), "label=%s", label);
	if (n == 0) {
		char ack[200];
		int l = snprintf(ack, sizeof(ack), ":%s ACK\r\n", srv->cfg->name);
		add_tag_line(c, tag, ack, (size_t)l);
	} else if (n == 1) {
		len = evbuffer_get_length(cap);
		line = (char *)evbuffer_pullup(cap, -1);
		add_tag_line(c, tag, line, len);
	} else if (!(c->caps & CAP_BATCH)) {
		evbuffer_add_buffer(bufferevent_get_output(c->bev), cap);
	} else {
		char open[200], close_[200];
		int l;
		snprintf(bid, sizeof(bid), "L%x", ++srv->batch_next);
		snprintf(btag, sizeof(btag), "batch=%s", bid);
		l = snprintf(open, sizeof(open), ":%s BATCH +%s labeled-response\r\n", srv->cfg->name, bid);
		add_tag_line(c, tag, open, (size_t)l);
		while ((line = evbuffer_readln(cap, &len, EVBUFFER_EOL_CRLF_STRICT)) != NULL) {
			line = realloc(line, len + 3);
			if (line != NULL) {
				memcpy(line + len, "\r\n", 3);
				add_tag_line(c, btag, line, len + 2);
			}
			free(line);
		}
		l = snprintf(close_, sizeof(close_), ":%s BATCH -%s\r\n", srv->cfg->name, bid);
		send_bytes(c, close_, (size_t)l);
	}
	evbuffer_free(cap);
	if (!(c->flags & CF_SENDQ) &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) > c->sendq)
		client_sendq_exceeded(c);
	else
		conn_mark_dirty(c);
}

/* prefixed: "<head><formatted>" cleaned and cut as one line. */
static void
send_prefixed(struct client *c, const char *head, size_t hlen, const char *fmt, va_list ap)
{
	struct outline ol;

	if (hlen > IRC_LINE_MAX - 3)
		hlen = IRC_LINE_MAX - 3;
	ol.tags = NULL;
	ol.tags_len = 0;
	ol.need_cap = 0;
	memcpy(ol.buf, head, hlen);
	ol.len = hlen + format_clean(ol.buf + hlen, IRC_LINE_MAX - 2 - hlen, fmt, ap);
	ol.buf[ol.len++] = '\r';
	ol.buf[ol.len++] = '\n';
	send_line(c, &ol);
}

/* reply_numeric: an empty middle parameter (user input such as "MODE #c
 * +l :" echoed back) would break the grammar (RFC 1459 §2.3.1: only the
 * last parameter may be empty), so it is sent as "*". */
void
reply_numeric(struct client *c, int num, const char *fmt, ...)
{
	char body[IRC_LINE_MAX], fixed[IRC_LINE_MAX + 64], *p, *w;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	len = format_clean(body, sizeof(body) - 1, fmt, ap);
	va_end(ap);
	w = fixed;
	for (p = body; *p != '\0' && w < fixed + sizeof(fixed) - 3; p++) {
		if (*p == ':' && (p == body || p[-1] == ' ')) {
			/* the trailing parameter: copy as it is */
			size_t rest = strlen(p);
			if (rest > (size_t)(fixed + sizeof(fixed) - 1 - w))
				rest = (size_t)(fixed + sizeof(fixed) - 1 - w);
			memcpy(w, p, rest);
			w += rest;
			break;
		}
		if (*p == ' ' && (p == body || p[-1] == ' '))
			*w++ = '*';
		*w++ = *p;
	}
	*w = '\0';
	(void)len;
	reply_server(c, "%03d %s %s", num, c->nick[0] ? c->nick : "*", fixed);
}

void
reply_server(struct client *c, const char *fmt, ...)
{
	char head[80];
	int hlen;
	va_list ap;

	hlen = snprintf(head, sizeof(head), ":%s ", c->srv->cfg->name);
	if (hlen < 0 || (size_t)hlen >= sizeof(head))
		return;
	va_start(ap, fmt);
	send_prefixed(c, head, (size_t)hlen, fmt, ap);
	va_end(ap);
}

void
reply_raw(struct client *c, const char *fmt, ...)
{
	struct outline ol;
	va_list ap;

	va_start(ap, fmt);
	outline_vformat(&ol, fmt, ap);
	va_end(ap);
	send_line(c, &ol);
}

void
reply_notice(struct client *c, const char *fmt, ...)
{
	char head[128];
	int hlen;
	va_list ap;

	hlen = snprintf(head, sizeof(head), ":%s NOTICE %s :", c->srv->cfg->name,
	    c->nick[0] ? c->nick : "*");
	if (hlen < 0 || (size_t)hlen >= sizeof(head))
		return;
	va_start(ap, fmt);
	send_prefixed(c, head, (size_t)hlen, fmt, ap);
	va_end(ap);
}

void
send_channel(struct channel *ch, const struct client *except, const struct outline *ol,
    unsigned need)
{
	struct membership *m, *tmp;

	HASH_ITER(hh, ch->members, m, tmp) {
		if (m->client == except)
			continue;
		if (need != 0 && (m->modes & need) == 0)
			continue;
		send_line(m->client, ol);
	}
}

void
send_channel_alt(struct channel *ch, const struct client *except, const struct outline *ol,
    const struct outline *alt, uint32_t cap)
{
	struct membership *m, *tmp;

	HASH_ITER(hh, ch->members, m, tmp) {
		if (m->client == except)
			continue;
		send_line(m->client, (m->client->caps & cap) ? alt : ol);
	}
}

void
send_common(struct client *c, bool include_self, const struct outline *ol)
{
	struct server *srv = c->srv;
	struct membership *mine, *m, *tmp;
	uint32_t serial;

	if (++srv->serial == 0)
		srv->serial = 1;
	serial = srv->serial;
	c->serial = serial;
	if (include_self)
		send_line(c, ol);
	LIST_FOREACH(mine, &c->channels, by_client) {
		HASH_ITER(hh, mine->chan->members, m, tmp) {
			if (m->client->serial == serial)
				continue;
			m->client->serial = serial;
			send_line(m->client, ol);
		}
	}
}
