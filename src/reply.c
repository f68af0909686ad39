/* reply.c - formatting and queueing of every byte sent to clients. */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "channel.h"
#include "client.h"
#include "reply.h"
#include "server.h"

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

void
send_bytes(struct client *c, const char *buf, size_t len)
{
	struct evbuffer *out;

	if (c->flags & (CF_CLOSING | CF_SENDQ | CF_DEAD))
		return;
	out = bufferevent_get_output(c->bev);
	if (evbuffer_add(out, buf, len) != 0 ||
	    evbuffer_get_length(out) > c->sendq)
		client_sendq_exceeded(c);
}

void
send_line(struct client *c, const struct outline *ol)
{
	send_bytes(c, ol->buf, ol->len);
}

/* prefixed: "<head><formatted>" cleaned and cut as one line. */
static void
send_prefixed(struct client *c, const char *head, size_t hlen, const char *fmt, va_list ap)
{
	struct outline ol;

	if (hlen > IRC_LINE_MAX - 3)
		hlen = IRC_LINE_MAX - 3;
	memcpy(ol.buf, head, hlen);
	ol.len = hlen + format_clean(ol.buf + hlen, IRC_LINE_MAX - 2 - hlen, fmt, ap);
	ol.buf[ol.len++] = '\r';
	ol.buf[ol.len++] = '\n';
	send_line(c, &ol);
}

void
reply_numeric(struct client *c, int num, const char *fmt, ...)
{
	char head[128];
	int hlen;
	va_list ap;

	hlen = snprintf(head, sizeof(head), ":%s %03d %s ", c->srv->cfg->name, num,
	    c->nick[0] ? c->nick : "*");
	if (hlen < 0 || (size_t)hlen >= sizeof(head))
		return;
	va_start(ap, fmt);
	send_prefixed(c, head, (size_t)hlen, fmt, ap);
	va_end(ap);
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
