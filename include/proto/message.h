/* message.h - IRC message parsing (pure functions, no allocation).
 * Grammar: RFC 1459 §2.3.1 / RFC 2812 §2.3.1 with the IRCv3 message-tags
 * prefix (https://ircv3.net/specs/extensions/message-tags). */
#ifndef EVIRCD_MESSAGE_H
#define EVIRCD_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h" /* IRC_LINE_MAX, IRC_INPUT_MAX and the other limits */

#define IRC_LABEL_MAX 64 /* bytes of a label value (labeled-response) */

/* A parsed message. Every pointer points into the caller's line buffer, which
 * message_parse modifies in place; nothing is allocated. */
struct irc_msg {
	char *tags; /* raw tags after '@' (not unescaped), or NULL */
	char *prefix; /* source after ':', or NULL (ignored from clients) */
	char *verb; /* command, upper-cased in place */
	int nparams;
	char *params[IRC_MAX_PARAMS];
	/* Filled by the connection layer from tags (message_split_tags): */
	char *client_tags; /* raw "+a=b;+c" client-only tags, or NULL */
	char *label; /* labeled-response label (unescaped), or NULL */
};

enum msg_parse_result {
	MSG_OK = 0,
	MSG_EMPTY, /* blank line or only tags/prefix: ignore silently */
	MSG_BAD_TAGS, /* tag section too long */
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

/* message_split_tags: copy the client-only tags ("+" keys) of m->tags into
 * ctbuf (size bytes, "" when none) in canonical wire form (each value
 * unescaped and escaped again, so it can be relayed as it is), and the
 * unescaped "label" value into labelbuf; sets m->client_tags / m->label
 * (NULL when absent). A tag whose key breaks the message-tags grammar or
 * whose value is not UTF-8 is dropped, as is a label that is empty or over
 * IRC_LABEL_MAX bytes (labeled-response "Tag value"). Leaves m->tags intact. */
void message_split_tags(struct irc_msg *m, char *ctbuf, size_t size, char *labelbuf,
    size_t labelsize);
/* message_tag_key_valid: does key (len bytes) follow the message-tags
 * grammar: [ '+' ] [ vendor '/' ] 1*( ALPHA / DIGIT / '-' ), vendor a host
 * name (ALPHA / DIGIT / '-' / '.')? */
bool message_tag_key_valid(const char *key, size_t len);

/* message_tag_escape: value (len bytes) escaped per message-tags "Escaping
 * values" (';' -> \:, ' ' -> \s, '\' -> \\, CR -> \r, LF -> \n) into dst
 * (size bytes, NUL-terminated). Returns the length, or (size_t)-1 (dst "")
 * when it does not fit or value holds a NUL, which no escape can carry. */
size_t message_tag_escape(char *dst, size_t size, const char *value, size_t len);

/* message_utf8_valid: is s (len bytes) well-formed UTF-8 (no overlongs,
 * no surrogates)? */
bool message_utf8_valid(const char *s, size_t len);

/* message_body_len: length of the non-tag part of a raw line (for the 512-byte
 * limit); line is NUL-terminated without CRLF. */
size_t message_body_len(const char *line, size_t len);

#endif
