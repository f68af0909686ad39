/* reply.h - the only way bytes for a client are formatted. Every line is
 * cleaned of CR, LF and NUL, cut to 510 bytes on a UTF-8 boundary, and ends
 * with CRLF (RFC 1459 §2.3; Modern IRC "Messages"). */
#ifndef EVIRCD_REPLY_H
#define EVIRCD_REPLY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/message.h"
#include "proto/numeric.h"

struct client;
struct channel;
struct server;

/* A line formatted once and sent to many: the broadcast unit. buf holds the
 * line with CRLF; len its length in bytes. tags (optional, set with
 * outline_set_tags) are sent only to clients with message-tags; the time
 * tag is added for clients with server-time. So a broadcast has at most
 * four wire forms, each assembled from the same preformatted pieces by
 * buffer appends: nothing is formatted per recipient. */
struct outline {
	size_t	len;
	const char *tags;	/* "msgid=..;bot;+x=y" without '@', or NULL */
	size_t	tags_len;
	uint32_t need_cap;	/* only clients with all these caps get it (TAGMSG, away-notify) */
	char	buf[IRC_LINE_MAX + 1];
};

/* outline_set_tags: attach tags (not copied: must outlive the sends). */
static inline void
outline_set_tags(struct outline *ol, const char *tags, size_t len)
{
	ol->tags = len ? tags : NULL;
	ol->tags_len = len;
}

/* msg_tags_build: the tags of a user message for message-tags clients:
 * msgid, bot (sender +B), then the sender's client-only tags. Writes into
 * buf (size bytes) and returns the length. msgid receives the id. */
size_t msg_tags_build(struct client *from, const char *client_tags, char *buf, size_t size,
    char *msgid, size_t msgidsize);
/* reply_fail: a standard-replies FAIL line (sent to every client: the spec
 * allows it without the cap). */
void reply_fail(struct client *c, const char *command, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* labeled_begin / labeled_end: capture the output of one command so it can
 * be answered per labeled-response (ACK, one tagged line, or a batch). */
void labeled_begin(struct client *c);
void labeled_end(struct client *c, const char *label);

/* reply_numeric: ":server NNN <nick or *> " + fmt. Use the numeric() macro. */
void reply_numeric(struct client *c, int num, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define numeric(c, NAME, ...) reply_numeric((c), NAME, FMT_##NAME, ##__VA_ARGS__)
/* reply_server: ":server " + fmt (e.g. "NOTICE nick :text", "PONG ..."). */
void reply_server(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* reply_raw: fmt as it is, no prefix (e.g. "ERROR :...", "PING :..."). */
void reply_raw(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* reply_notice: a server NOTICE to c. */
void reply_notice(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* outline_format: format a whole line (without CRLF) into ol, cleaned and cut. */
void outline_format(struct outline *ol, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void outline_vformat(struct outline *ol, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* send_line: queue ol's bytes to c (checks sendq; never blocks). */
void send_line(struct client *c, const struct outline *ol);
/* send_bytes: queue len raw bytes (already a valid line with CRLF) to c. */
void send_bytes(struct client *c, const char *buf, size_t len);
/* send_channel: ol to every member of ch except `except` (may be NULL). When
 * need is nonzero only members with one of those member modes get it
 * (STATUSMSG). One format, one append per member. */
void send_channel(struct channel *ch, const struct client *except, const struct outline *ol,
    unsigned need);
/* send_channel_alt: like send_channel, but members with capability cap get
 * alt instead of ol (extended-join). */
void send_channel_alt(struct channel *ch, const struct client *except, const struct outline *ol,
    const struct outline *alt, uint32_t cap);
/* send_common: ol to every client sharing a channel with c, each exactly once
 * (serial de-duplication), and to c itself when include_self. */
void send_common(struct client *c, bool include_self, const struct outline *ol);
/* format_clean: vsnprintf into buf and strip CR/LF/NUL, cut to max bytes on a
 * UTF-8 boundary. Returns the length. */
size_t format_clean(char *buf, size_t max, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* utf8_cut: the largest n <= len such that s[0..n) does not end inside a
 * UTF-8 sequence. */
size_t utf8_cut(const char *s, size_t len);
/* utf8_prefix: the length (for "%.*s") of s cut to at most max bytes on a
 * UTF-8 boundary: KICKLEN, TOPICLEN, AWAYLEN and quit/part reasons. */
int utf8_prefix(const char *s, size_t max);

#endif
