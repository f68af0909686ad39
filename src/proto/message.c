/* message.c - IRC line parser (RFC 2812 §2.3.1, IRCv3 message-tags). */
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
				case ':': *w++ = ';'; break;
				case 's': *w++ = ' '; break;
				case 'r': *w++ = '\r'; break;
				case 'n': *w++ = '\n'; break;
				case '\0': continue;
				case ';': goto value_end;	/* lone '\' before the separator */
				default: *w++ = *r; break;
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

void
message_split_tags(struct irc_msg *m, char *ctbuf, size_t size, char *labelbuf, size_t labelsize)
{
	const char *p = m->tags, *end;
	size_t len = 0;

	m->client_tags = NULL;
	m->label = NULL;
	if (size > 0)
		ctbuf[0] = '\0';
	if (p == NULL)
		return;
	while (*p != '\0') {
		size_t seg;
		end = strchr(p, ';');
		seg = end ? (size_t)(end - p) : strlen(p);
		if (seg > 0 && p[0] == '+' && len + (len ? 1 : 0) + seg + 1 <= size) {
			if (len > 0)
				ctbuf[len++] = ';';
			memcpy(ctbuf + len, p, seg);
			len += seg;
			ctbuf[len] = '\0';
		} else if (seg > 6 && strncmp(p, "label=", 6) == 0 && labelsize > 0) {
			/* labels are short opaque tokens; unescape a copy */
			char tmp[256], *cur = tmp, *k, *v;
			size_t n = seg < sizeof(tmp) - 1 ? seg : sizeof(tmp) - 1;
			memcpy(tmp, p, n);
			tmp[n] = '\0';
			if (message_tag_next(&cur, &k, &v) && v[0] != '\0') {
				snprintf(labelbuf, labelsize, "%s", v);
				m->label = labelbuf;
			}
		}
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
		if (ch >= 0xC2 && ch <= 0xDF) { n = 1; cp = ch & 0x1F; }
		else if (ch >= 0xE0 && ch <= 0xEF) { n = 2; cp = ch & 0x0F; }
		else if (ch >= 0xF0 && ch <= 0xF4) { n = 3; cp = ch & 0x07; }
		else
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
