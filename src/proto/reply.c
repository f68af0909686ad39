/* reply.c - formatting of every byte sent to clients (pure; the queueing
 * is net/output.c). */
#include <limits.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client.h"
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
			return i - 1; /* sequence cut short: drop it */
	}
	return len;
}

int
utf8_prefix(const char *s, size_t max)
{
	size_t len = strnlen(s, max + 1);

	return (int)(len > max ? utf8_cut(s, max) : len);
}

/* fast_format: vsnprintf(buf, size, fmt, ap) for a format of literal text
 * and "%s" only (the formats of user messages, JOIN, PART, QUIT), without
 * stdio's per-call set-up; -1, with ap untouched, for any other format. */
static int
fast_format(char *buf, size_t size, const char *fmt, va_list ap)
{
	const char *p, *s;
	size_t n = 0, l, room;
	va_list aq;

	va_copy(aq, ap); /* ap stays untouched if the format is not ours */
	for (p = fmt; *p != '\0';) {
		if (*p == '%') {
			if (p[1] != 's') {
				va_end(aq);
				return -1;
			}
			s = va_arg(aq, const char *);
			if (s == NULL)
				s = "(null)"; /* as glibc prints it */
			l = strlen(s);
			p += 2;
		} else {
			s = p;
			l = (size_t)(strchrnul(p, '%') - p);
			p += l;
		}
		if (n + 1 < size) {
			room = size - 1 - n;
			memcpy(buf + n, s, l < room ? l : room);
		}
		n += l;
		if (n > INT_MAX) {
			va_end(aq);
			return -1;
		}
	}
	va_end(aq);
	if (size > 0)
		buf[n < size ? n : size - 1] = '\0';
	return (int)n;
}

/* str_format: snprintf through fast_format. */
static int str_format(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
str_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fast_format(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_start(ap, fmt);
		n = vsnprintf(buf, size, fmt, ap);
		va_end(ap);
	}
	return n;
}

size_t
format_clean(char *buf, size_t max, const char *fmt, va_list ap)
{
	int n;
	size_t len, i, j;

	n = fast_format(buf, max + 1, fmt, ap);
	if (n < 0)
		n = vsnprintf(buf, max + 1, fmt, ap);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	len = (size_t)n > max ? max : (size_t)n;
	/* the usual line has none of CR, LF, NUL: three vectorised scans */
	if (memchr(buf, '\r', len) != NULL || memchr(buf, '\n', len) != NULL ||
	    memchr(buf, '\0', len) != NULL) {
		for (i = j = 0; i < len; i++)
			if (buf[i] != '\r' && buf[i] != '\n' && buf[i] != '\0')
				buf[j++] = buf[i];
		len = j;
	}
	if ((size_t)n > max)
		len = utf8_cut(buf, len);
	buf[len] = '\0';
	return len;
}

void
outline_vformat(struct outline *ol, const char *fmt, va_list ap)
{
	outline_clear_tags(ol);
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

/* account_tag_build: see reply.h. Escapes as the message-tags spec's
 * "Escaping values": ; space \ CR LF. */
size_t
account_tag_build(char *buf, const char *account)
{
	static const char pre[] = "account=";
	size_t n = sizeof(pre) - 1;

	if (account == NULL)
		return 0;
	memcpy(buf, pre, n);
	for (; *account != '\0'; account++) {
		const char *e = NULL;
		if (n + 3 > ACCOUNT_TAG_MAX)
			return 0;
		switch (*account) {
		case ';':
			e = "\\:";
			break;
		case ' ':
			e = "\\s";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\n':
			e = "\\n";
			break;
		}
		if (e != NULL) {
			buf[n++] = e[0];
			buf[n++] = e[1];
		} else
			buf[n++] = *account;
	}
	buf[n] = '\0';
	return n;
}

/* msgid_valid: see reply.h. */
bool
msgid_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > MSGID_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("-_.+/=~:", s[i]) == NULL)
			return false;
	return true;
}

size_t
msg_tags_build(struct client *from, const char *client_tags, char *buf, size_t size, char *msgid,
    size_t msgidsize)
{
	return msg_tags_build_id(from->srv, from, NULL, client_tags, buf, size, msgid, msgidsize);
}

/* msg_tags_build_id: see reply.h. */
size_t
msg_tags_build_id(struct server *srv, const struct client *from, const char *msgid_in,
    const char *client_tags, char *buf, size_t size, char *msgid, size_t msgidsize)
{
	char hex[17], *h = hex + sizeof(hex) - 1;
	int n;

	if (msgidsize > 0 && msgid_in != NULL) {
		/* a message from a link keeps its origin's id (validated) */
		snprintf(msgid, msgidsize, "%s", msgid_in);
	} else if (msgidsize > 0) {
		/* msgid = base + the counter in hex ("%s%llx"), built by
		 * hand: it runs for every message */
		uint64_t id = ++srv->msgid_next;
		size_t bl = strlen(srv->msgid_base), hl;
		*h = '\0';
		do
			*--h = "0123456789abcdef"[id & 15];
		while ((id >>= 4) != 0);
		hl = (size_t)(hex + sizeof(hex) - 1 - h);
		if (bl > msgidsize - 1)
			bl = msgidsize - 1;
		memcpy(msgid, srv->msgid_base, bl);
		if (hl > msgidsize - 1 - bl)
			hl = msgidsize - 1 - bl;
		memcpy(msgid + bl, h, hl);
		msgid[bl + hl] = '\0';
	}
	/* Client-only tags arrive canonical (message_split_tags escapes every
	 * value); a tag section holding a raw space, CR, LF or NUL would end
	 * or split the line at the recipient, so such tags are never sent. */
	if (client_tags != NULL && client_tags[strcspn(client_tags, " \r\n")] != '\0')
		client_tags = NULL;
	n = str_format(buf, size, "msgid=%s%s%s%s", msgid,
	    from != NULL && (from->umodes & UMODE_BOT) ? ";bot" : "", client_tags ? ";" : "",
	    client_tags ? client_tags : "");
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

/* reply_head: see reply.h. */
size_t
reply_head(char *buf, size_t size, const char *server, const char *w1, const char *w2,
    const char *w3, bool trailing)
{
	int n;

	n = snprintf(buf, size, ":%s %s%s%s%s%s%s%s", server, w1 ? w1 : "", w1 ? " " : "",
	    w2 ? w2 : "", w2 ? " " : "", w3 ? w3 : "", w3 ? " " : "", trailing ? ":" : "");
	if (n < 0 || (size_t)n >= size)
		return 0;
	return (size_t)n;
}

/* reply_fix_params: an empty middle parameter (user input such as "MODE #c
 * +l :" echoed back) would break the grammar (RFC 1459 §2.3.1: only the
 * last parameter may be empty), so it becomes "*". */
size_t
reply_fix_params(char *dst, size_t size, const char *body)
{
	const char *p;
	char *w = dst;

	for (p = body; *p != '\0' && w < dst + size - 3; p++) {
		if (*p == ':' && (p == body || p[-1] == ' ')) {
			/* the trailing parameter: copy as it is */
			size_t rest = strlen(p);
			if (rest > (size_t)(dst + size - 1 - w))
				rest = (size_t)(dst + size - 1 - w);
			memcpy(w, p, rest);
			w += rest;
			break;
		}
		if (*p == ' ' && (p == body || p[-1] == ' '))
			*w++ = '*';
		*w++ = *p;
	}
	*w = '\0';
	return (size_t)(w - dst);
}
