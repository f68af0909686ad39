/* message.h - IRC message parsing (pure functions, no allocation).
 * Grammar: RFC 1459 §2.3.1 / RFC 2812 §2.3.1 with the IRCv3 message-tags
 * prefix (https://ircv3.net/specs/extensions/message-tags). */
#ifndef EVIRCD_MESSAGE_H
#define EVIRCD_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"	/* IRC_LINE_MAX, IRC_INPUT_MAX and the other limits */

/* A parsed message. Every pointer points into the caller's line buffer, which
 * message_parse modifies in place; nothing is allocated. */
struct irc_msg {
	char	*tags;			/* raw tags after '@' (not unescaped), or NULL */
	char	*prefix;		/* source after ':', or NULL (ignored from clients) */
	char	*verb;			/* command, upper-cased in place */
	int	 nparams;
	char	*params[IRC_MAX_PARAMS];
	/* Filled by the connection layer from tags (message_split_tags): */
	char	*client_tags;		/* raw "+a=b;+c" client-only tags, or NULL */
	char	*label;			/* labeled-response label (unescaped), or NULL */
};

enum msg_parse_result {
	MSG_OK = 0,
	MSG_EMPTY,		/* blank line or only tags/prefix: ignore silently */
	MSG_BAD_TAGS,		/* tag section too long */
};

/* message_parse: split the NUL-terminated line (no CRLF) in place into m.
 * Multiple spaces between parameters count as one (Modern IRC, "Parameters").
 * After 14 middle parameters, the rest of the line is the 15th (RFC 2812). */
enum msg_parse_result message_parse(char *line, struct irc_msg *m);

/* message_tag_next: iterate the raw tags of a message in place. *cursor starts
 * at m->tags; each call splits one "key[=value]" and unescapes the value
 * (message-tags "Escaping values"). Returns false at the end. The value is ""
 * when absent. Modifies the buffer. */
bool message_tag_next(char **cursor, char **key, char **value);

/* message_split_tags: copy the client-only tags ("+" keys, still
 * escaped, so they can be relayed verbatim) of m->tags into ctbuf (size
 * bytes, "" when none) and the unescaped "label" value into labelbuf; sets
 * m->client_tags / m->label (NULL when absent). Leaves m->tags intact. */
void message_split_tags(struct irc_msg *m, char *ctbuf, size_t size, char *labelbuf,
    size_t labelsize);
/* message_utf8_valid: is s (len bytes) well-formed UTF-8 (no overlongs,
 * no surrogates)? */
bool message_utf8_valid(const char *s, size_t len);

/* message_body_len: length of the non-tag part of a raw line (for the 512-byte
 * limit); line is NUL-terminated without CRLF. */
size_t message_body_len(const char *line, size_t len);

#endif
