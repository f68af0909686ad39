/* pack.h - packing a list of items (nicks, channels, user@host, ISUPPORT
 * tokens) into as few reply lines as fit, against the real length of each
 * line's head ("<:server> 353 <nick> = <#chan> :"), never cutting an item.
 * Every line it emits is at most 510 bytes before CRLF (RFC 1459 §2.3:
 * 512 with CRLF; Modern IRC "Message format"), whatever the server name,
 * nick and channel lengths. Used by NAMES (353), WHOIS (319), USERHOST
 * (302), ISON (303), MONITOR (730/731/732) and RPL_ISUPPORT (005). Pure
 * formatting: the finished line goes to the emit function the caller
 * names (the output path's send_line), so this layer sends nothing. */
#ifndef EVIRCD_PACK_H
#define EVIRCD_PACK_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/reply.h"

struct client;

/* emit: queue one finished line (struct outline with CRLF) to c. */
typedef void (*pack_emit_fn)(struct client *c, const struct outline *ol);

/* A multi-item reply being packed into lines (linepack_numeric, ..._add,
 * ..._end): kept by the caller on its stack; holds no allocation. */
struct linepack {
	struct client *c;
	pack_emit_fn emit;
	char sep; /* between items: ' ' or ',' */
	unsigned max_items; /* per line, 0 = no limit (005: 13) */
	unsigned nitems; /* items in the current line */
	unsigned nlines; /* lines emitted so far */
	int num; /* the numeric (counted per line in srv->stats) */
	size_t hlen; /* bytes of the head in ol.buf */
	size_t tlen; /* bytes of tail */
	char tail[48]; /* after the items, e.g. " :are supported..." */
	struct outline ol; /* head + items of the current line */
};

/* linepack_numeric: start packing a numeric reply to c: each line is
 * ":<server> <num> <nick or *> " + the head formatted from fmt (which ends
 * where the list starts, e.g. "= #chan :"), then the items joined by sep,
 * then tail (NULL or e.g. " :are supported by this server"). At most
 * max_items items per line (0: as many as fit). A head too long to leave
 * room for any item is cut (it never happens within the configuration
 * limits on server name, NICKLEN and CHANNELLEN). */
void linepack_numeric(struct linepack *lp, struct client *c, pack_emit_fn emit, int num, char sep,
    unsigned max_items, const char *tail, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
/* linepack_add: append item (len bytes); when it does not fit the current
 * line, that line is emitted first and the item starts the next one. An
 * item holding CR, LF or NUL, or one too long for any line, is left out
 * (logged at debug level): it is never cut. */
void linepack_add(struct linepack *lp, const char *item, size_t len);
/* linepack_fits: would an item of len bytes go on the current line (for
 * replies that must stay one line, such as ISON)? */
bool linepack_fits(const struct linepack *lp, size_t len);
/* linepack_addstr: linepack_add for a NUL-terminated item. */
void linepack_addstr(struct linepack *lp, const char *item);
/* linepack_end: emit the last line. With always, a reply with no item at
 * all is still sent once, as the bare head (ISON and USERHOST answer an
 * empty list with an empty trailing parameter). */
void linepack_end(struct linepack *lp, bool always);

#endif
