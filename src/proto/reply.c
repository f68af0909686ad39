/* reply.c - formatting of every byte sent to clients (pure; the queueing
 * is net/output.c). */
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

size_t
msg_tags_build(struct client *from, const char *client_tags, char *buf, size_t size,
    char *msgid, size_t msgidsize)
{
	struct server *srv = from->srv;
	int n;

	snprintf(msgid, msgidsize, "%s%llx", srv->msgid_base,
	    (unsigned long long)++srv->msgid_next);
	/* Client-only tags arrive canonical (message_split_tags escapes every
	 * value); a tag section holding a raw space, CR, LF or NUL would end
	 * or split the line at the recipient, so such tags are never sent. */
	if (client_tags != NULL && client_tags[strcspn(client_tags, " \r\n")] != '\0')
		client_tags = NULL;
	n = snprintf(buf, size, "msgid=%s%s%s%s", msgid, (from->umodes & UMODE_BOT) ? ";bot" : "",
	    client_tags ? ";" : "", client_tags ? client_tags : "");
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
