/* message.c - IRC line parser (RFC 2812 §2.3.1, IRCv3 message-tags). */
#include <string.h>

#include "message.h"

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
				default: *w++ = *r; break;
				}
				r++;
			} else
				*w++ = *r++;
		}
		p = r;
		if (*p == ';')
			p++;
		*w = '\0';
	} else {
		*value = p + (*p == '\0' ? 0 : 0);
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
