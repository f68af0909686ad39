/* reply.h - the only way bytes for a client are formatted (pure functions;
 * queueing is net/output.h). Every line is cleaned of CR, LF and NUL, cut
 * to 510 bytes on a UTF-8 boundary, and ends with CRLF (RFC 1459 §2.3;
 * Modern IRC "Messages"). */
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
 * line with CRLF; len its length in bytes. Three optional tag pieces, each
 * sent only to the clients that asked for it: tags (outline_set_tags:
 * msgid, bot, client-only tags) to message-tags clients, account
 * (outline_set_account: "account=<name>") to account-tag clients, and the
 * time tag to server-time clients (time: a fixed "time=..." for a message
 * that came with one from a link, NULL = the current clock). So a
 * broadcast has at most eight wire forms, each assembled once from the
 * same preformatted pieces by buffer appends: nothing is formatted per
 * recipient. */
struct outline {
	size_t len;
	const char *tags; /* "msgid=..;bot;+x=y" without '@', or NULL */
	size_t tags_len;
	const char *time; /* "time=YYYY-MM-DDThh:mm:ss.sssZ", or NULL: now */
	size_t time_len;
	const char *account; /* "account=<escaped name>", or NULL */
	size_t account_len;
	uint32_t need_cap; /* only clients with all these caps get it (TAGMSG, away-notify) */
	char buf[IRC_LINE_MAX + 1];
};

/* outline_clear_tags: no tag pieces, no capability needed. */
static inline void
outline_clear_tags(struct outline *ol)
{
	ol->tags = NULL;
	ol->tags_len = 0;
	ol->time = NULL;
	ol->time_len = 0;
	ol->account = NULL;
	ol->account_len = 0;
	ol->need_cap = 0;
}

/* outline_set_tags: attach tags (not copied: must outlive the sends). */
static inline void
outline_set_tags(struct outline *ol, const char *tags, size_t len)
{
	ol->tags = len ? tags : NULL;
	ol->tags_len = len;
}

/* outline_set_time: attach a fixed time tag ("time=...", not copied). */
static inline void
outline_set_time(struct outline *ol, const char *time, size_t len)
{
	ol->time = len ? time : NULL;
	ol->time_len = len;
}

/* ACCOUNT_TAG_MAX: room for "account=" and an escaped account name. */
#define ACCOUNT_TAG_MAX 160

/* account_tag_build: the IRCv3 account-tag of a line from a user logged in
 * to account: "account=<name>", the value escaped as message-tags says,
 * into buf (ACCOUNT_TAG_MAX bytes). Returns its length; 0 when account is
 * NULL or too long for buf (then no tag is sent). */
size_t account_tag_build(char *buf, const char *account);

/* outline_set_account: attach an account tag (account_tag_build's buf and
 * length; not copied: must outlive the sends). */
static inline void
outline_set_account(struct outline *ol, const char *tag, size_t len)
{
	ol->account = len ? tag : NULL;
	ol->account_len = len;
}

/* msg_tags_build: the tags of a user message for message-tags clients:
 * msgid, bot (sender +B), then the sender's client-only tags. Writes into
 * buf (size bytes) and returns the length. msgid receives the id. */
size_t msg_tags_build(struct client *from, const char *client_tags, char *buf, size_t size,
    char *msgid, size_t msgidsize);
/* msg_tags_build_id: msg_tags_build for a message whose id is given
 * (msgid_in, from a link: checked with msgid_valid first) or, when
 * msgid_in is NULL, made here from srv's counter. from may be NULL (a
 * server: no bot tag). */
size_t msg_tags_build_id(struct server *srv, const struct client *from, const char *msgid_in,
    const char *client_tags, char *buf, size_t size, char *msgid, size_t msgidsize);
/* MSGID_MAX: the longest msgid taken from a link, bytes. */
#define MSGID_MAX 64
/* msgid_valid: may s (len bytes) be a msgid taken from a link: 1 to
 * MSGID_MAX bytes of letters, digits and - _ . + / = ~ : (no tag or
 * line delimiters)? */
bool msgid_valid(const char *s, size_t len);
/* outline_format: format a whole line (without CRLF) into ol, cleaned and cut. */
void outline_format(struct outline *ol, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void outline_vformat(struct outline *ol, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* reply_head: the start of a server-sourced line into buf (size bytes):
 * ":<server> ", then each of w1, w2, w3 that is not NULL followed by a space,
 * then ':' when trailing (the rest is the trailing parameter). The one
 * builder behind ":server NNN nick ", ":server ", ":server NOTICE nick :" and
 * ":server FAIL CMD CODE :". Returns the length, or 0 when it does not fit
 * (buf is then unusable). */
size_t reply_head(char *buf, size_t size, const char *server, const char *w1, const char *w2,
    const char *w3, bool trailing);
/* reply_fix_params: copy the parameters of a numeric from body into dst
 * (size bytes, NUL-terminated), an empty middle parameter written as "*"
 * (RFC 1459 §2.3.1). Returns the length. */
size_t reply_fix_params(char *dst, size_t size, const char *body);
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
