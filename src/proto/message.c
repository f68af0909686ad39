/* message.c - IRC line parser (RFC 2812 §2.3.1, IRCv3 message-tags). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "proto/message.h"

static char *
skip_spaces(char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/* message_parse: split in place. See message.h. */
enum msg_parse_result
message_parse(char *line, struct irc_msg *m)
{
	char *p = line, *q;

	memset(m, 0, sizeof(*m));
	p = skip_spaces(p);
	if (*p == '@') {
		q = strchr(p, ' ');
		if (q == NULL)
			return MSG_EMPTY;
		if ((size_t)(q - p) > IRC_TAGS_MAX)
			return MSG_BAD_TAGS;
		*q = '\0';
		m->tags = p + 1;
		p = skip_spaces(q + 1);
	}
	if (*p == ':') {
		q = strchr(p, ' ');
		if (q == NULL)
			return MSG_EMPTY;
		*q = '\0';
		m->prefix = p + 1;
		p = skip_spaces(q + 1);
	}
	if (*p == '\0')
		return MSG_EMPTY;
	m->verb = p;
	while (*p != '\0' && *p != ' ') {
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
		p++;
	}
	while (*p != '\0') {
		*p++ = '\0';
		p = skip_spaces(p);
		if (*p == '\0')
			break;
		if (*p == ':' || m->nparams == IRC_MAX_PARAMS - 1) {
			m->params[m->nparams++] = (*p == ':') ? p + 1 : p;
			break;
		}
		m->params[m->nparams++] = p;
		while (*p != '\0' && *p != ' ')
			p++;
	}
	return MSG_OK;
}

/* message_tag_next: unescape per message-tags "Escaping values":
 * \: -> ';', \s -> ' ', \\ -> '\', \r -> CR, \n -> LF, other \x -> x,
 * a trailing lone '\' is dropped. */
bool
message_tag_next(char **cursor, char **key, char **value)
{
	char *p = *cursor, *r, *w;

	if (p == NULL || *p == '\0')
		return false;
	*key = p;
	while (*p != '\0' && *p != ';' && *p != '=')
		p++;
	if (*p == '=') {
		*p++ = '\0';
		*value = r = w = p;
		while (*r != '\0' && *r != ';') {
			if (*r == '\\') {
				r++;
				switch (*r) {
				case ':':
					*w++ = ';';
					break;
				case 's':
					*w++ = ' ';
					break;
				case 'r':
					*w++ = '\r';
					break;
				case 'n':
					*w++ = '\n';
					break;
				case '\0':
					continue;
				case ';':
					goto value_end; /* lone '\' before the separator */
				default:
					*w++ = *r;
					break;
				}
				r++;
			} else
				*w++ = *r++;
		}
value_end:
		p = r;
		if (*p == ';')
			p++;
		*w = '\0';
	} else {
		if (*p == ';')
			*p++ = '\0';
		*value = (char *)"";
	}
	*cursor = p;
	return true;
}

size_t
message_body_len(const char *line, size_t len)
{
	const char *sp;

	if (len == 0 || line[0] != '@')
		return len;
	sp = memchr(line, ' ', len);
	if (sp == NULL)
		return 0;
	while (sp < line + len && *sp == ' ')
		sp++;
	return len - (size_t)(sp - line);
}

/* message_tag_key_valid: the key grammar of message-tags ("Format"). */
bool
message_tag_key_valid(const char *key, size_t len)
{
	const char *p = key, *e = key + len, *slash;
	size_t i;

	if (p < e && *p == '+')
		p++;
	slash = memchr(p, '/', (size_t)(e - p));
	if (slash != NULL) {
		/* vendor: a DNS host name */
		if (slash == p)
			return false;
		for (; p < slash; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
				return false;
		p = slash + 1;
	}
	if (p == e)
		return false;
	for (i = 0; p + i < e; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-')
			return false;
	return true;
}

size_t
message_tag_escape(char *dst, size_t size, const char *value, size_t len)
{
	size_t i, n = 0;

	if (size == 0)
		return (size_t)-1;
	for (i = 0; i < len; i++) {
		const char *esc = NULL;
		switch (value[i]) {
		case ';':
			esc = "\\:";
			break;
		case ' ':
			esc = "\\s";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\0':
			goto fail;
		}
		if (n + (esc ? 2 : 1) >= size)
			goto fail;
		if (esc != NULL) {
			dst[n++] = esc[0];
			dst[n++] = esc[1];
		} else
			dst[n++] = value[i];
	}
	dst[n] = '\0';
	return n;
fail:
	dst[0] = '\0';
	return (size_t)-1;
}

/* tag_unescape: the raw value s (len bytes, no ';') unescaped into dst
 * (at least len bytes); returns the length. Same rules as message_tag_next. */
static size_t
tag_unescape(const char *s, size_t len, char *dst)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] != '\\') {
			dst[n++] = s[i];
			continue;
		}
		if (++i == len)
			break; /* a trailing lone '\' is dropped */
		switch (s[i]) {
		case ':':
			dst[n++] = ';';
			break;
		case 's':
			dst[n++] = ' ';
			break;
		case 'r':
			dst[n++] = '\r';
			break;
		case 'n':
			dst[n++] = '\n';
			break;
		default:
			dst[n++] = s[i];
			break;
		}
	}
	return n;
}

/* message_split_tags: see message.h. Why drop the tag rather than refuse
 * the line: Ergo (irc-go ircmsg parseTags) skips a tag whose key breaks the
 * message-tags grammar and keeps the message, quoting the spec's "MUST NOT
 * perform any validation that would reject the message if an invalid tag
 * key name is used"; InspIRCd hands each tag to its providers, which ignore
 * what they do not accept. Values are unescaped and escaped again (message-
 * tags "Security considerations": "The server MAY unescape tag values after
 * receiving data and escape those values before sending them out"; Solanum
 * msgbuf.c does the same: msgbuf_unescape_value on parse, tag_escape_table
 * on unparse), so what is relayed is canonical: a lone trailing '\' or an unknown escape never
 * reaches another client and an escaped CR/LF stays escaped. A value that
 * is not UTF-8 is dropped too (Ergo refuses such values; recipients such as
 * web clients cannot carry them). CR, LF, NUL and space cannot occur raw
 * here: conn.c refuses lines with NUL or CR, LF ends the line and a space
 * ends the tag section. */
void
message_split_tags(struct irc_msg *m, char *ctbuf, size_t size, char *labelbuf, size_t labelsize)
{
	static char val[IRC_TAGS_MAX + 1];
	const char *p = m->tags, *end, *eq;
	size_t len = 0;

	m->client_tags = NULL;
	m->label = NULL;
	if (size > 0)
		ctbuf[0] = '\0';
	if (p == NULL)
		return;
	while (*p != '\0') {
		size_t seg, klen, vlen = 0;
		end = strchr(p, ';');
		seg = end ? (size_t)(end - p) : strlen(p);
		eq = memchr(p, '=', seg);
		klen = eq ? (size_t)(eq - p) : seg;
		if (seg > IRC_TAGS_MAX || !message_tag_key_valid(p, klen))
			goto next;
		if (eq != NULL)
			vlen = tag_unescape(eq + 1, seg - klen - 1, val);
		if (!message_utf8_valid(val, vlen))
			goto next;
		if (p[0] == '+') {
			/* "key[=escaped value]" is built after the last tag and
			 * kept only when it fits whole */
			size_t at = len + (len ? 1 : 0), w = 0;
			if (at + klen + 1 > size)
				goto next;
			memcpy(ctbuf + at, p, klen);
			if (vlen > 0) {
				if (at + klen + 2 > size ||
				    (w = message_tag_escape(ctbuf + at + klen + 1,
					 size - at - klen - 1, val, vlen)) == (size_t)-1)
					goto next;
				ctbuf[at + klen] = '=';
				w++;
			}
			if (len > 0)
				ctbuf[len] = ';';
			len = at + klen + w;
			ctbuf[len] = '\0';
		} else if (klen == 5 && strncmp(p, "label", 5) == 0 && vlen > 0 &&
		    vlen <= IRC_LABEL_MAX && vlen < labelsize) {
			/* labeled-response: "The value MUST NOT exceed 64 bytes";
			 * a longer one is not cut (the client could not match it)
			 * but ignored like any tag that breaks its rules. */
			memcpy(labelbuf, val, vlen);
			labelbuf[vlen] = '\0';
			m->label = labelbuf;
		}
next:
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (len > 0)
		m->client_tags = ctbuf;
}

bool
message_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *e = s + len;

	while (s < e) {
		unsigned char ch = *s;
		size_t n;
		unsigned cp;
		if (ch < 0x80) {
			s++;
			continue;
		}
		if (ch >= 0xC2 && ch <= 0xDF) {
			n = 1;
			cp = ch & 0x1F;
		} else if (ch >= 0xE0 && ch <= 0xEF) {
			n = 2;
			cp = ch & 0x0F;
		} else if (ch >= 0xF0 && ch <= 0xF4) {
			n = 3;
			cp = ch & 0x07;
		} else
			return false;
		if ((size_t)(e - s) <= n)
			return false;
		for (size_t i = 1; i <= n; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		s += n + 1;
	}
	return true;
}
