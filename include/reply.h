/* reply.h - the only way bytes for a client are formatted. Every line is
 * cleaned of CR, LF and NUL, cut to 510 bytes on a UTF-8 boundary, and ends
 * with CRLF (RFC 1459 §2.3; Modern IRC "Messages"). */
#ifndef EVIRCD_REPLY_H
#define EVIRCD_REPLY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "message.h"
#include "numeric.h"

struct client;
struct channel;
struct server;

/* A line formatted once and sent to many: the broadcast unit. buf holds the
 * line with CRLF; len its length in bytes. */
struct outline {
	size_t	len;
	char	buf[IRC_LINE_MAX + 1];
};

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

#endif
