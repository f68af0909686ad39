/* pack.c - list replies packed against the real line length (pack.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/client.h"
#include "core/config.h"
#include "core/log.h"
#include "core/server.h"
#include "proto/pack.h"

/* Bytes a line may hold before CRLF (RFC 1459 §2.3). */
#define PACK_MAX (IRC_LINE_MAX - 2)

void
linepack_numeric(struct linepack *lp, struct client *c, pack_emit_fn emit, int num, char sep,
    unsigned max_items, const char *tail, const char *fmt, ...)
{
	char head[PACK_MAX + 1];
	size_t n;
	va_list ap;
	int l;

	memset(lp, 0, sizeof(*lp));
	lp->c = c;
	lp->emit = emit;
	lp->num = num;
	lp->sep = sep;
	lp->max_items = max_items;
	if (tail != NULL) {
		snprintf(lp->tail, sizeof(lp->tail), "%s", tail);
		lp->tlen = strlen(lp->tail);
	}
	l = snprintf(head, sizeof(head), ":%s %03d %s ", c->srv->cfg->name, num,
	    c->nick[0] ? c->nick : "*");
	n = l < 0 ? 0 : (size_t)l;
	if (n > PACK_MAX / 2)
		n = PACK_MAX / 2; /* server name <= 63, nick <= NICKLEN_MAX */
	va_start(ap, fmt);
	/* format_clean strips CR/LF/NUL and cuts on a UTF-8 boundary; room
	 * is kept for the tail and one byte of item */
	n += format_clean(head + n, PACK_MAX - lp->tlen - 1 - n, fmt, ap);
	va_end(ap);
	memcpy(lp->ol.buf, head, n);
	lp->hlen = n;
	lp->ol.len = n;
}

/* flush: head + items + tail + CRLF to the client. */
static void
flush(struct linepack *lp)
{
	struct outline *ol = &lp->ol;

	memcpy(ol->buf + ol->len, lp->tail, lp->tlen);
	ol->len += lp->tlen;
	ol->buf[ol->len++] = '\r';
	ol->buf[ol->len++] = '\n';
	ol->buf[ol->len] = '\0';
	outline_clear_tags(ol);
	if (lp->num >= 0 && lp->num < 1000)
		lp->c->srv->stats.numerics[lp->num / 100]++; /* as reply_numeric */
	lp->emit(lp->c, ol);
	lp->nlines++;
	lp->nitems = 0;
	ol->len = lp->hlen;
}

void
linepack_add(struct linepack *lp, const char *item, size_t len)
{
	size_t room = PACK_MAX - lp->tlen;

	if (len == 0 || memchr(item, '\r', len) || memchr(item, '\n', len) ||
	    memchr(item, '\0', len) || lp->hlen + len > room) {
		log_debug("linepack: item '%.*s' left out of a reply", (int)(len > 64 ? 64 : len),
		    item);
		return;
	}
	if (lp->nitems > 0 &&
	    (lp->ol.len + 1 + len > room || (lp->max_items != 0 && lp->nitems >= lp->max_items)))
		flush(lp);
	if (lp->nitems > 0)
		lp->ol.buf[lp->ol.len++] = lp->sep;
	memcpy(lp->ol.buf + lp->ol.len, item, len);
	lp->ol.len += len;
	lp->nitems++;
}

bool
linepack_fits(const struct linepack *lp, size_t len)
{
	return lp->ol.len + (lp->nitems > 0 ? 1 : 0) + len <= PACK_MAX - lp->tlen &&
	    (lp->max_items == 0 || lp->nitems < lp->max_items);
}

void
linepack_addstr(struct linepack *lp, const char *item)
{
	linepack_add(lp, item, strlen(item));
}

void
linepack_end(struct linepack *lp, bool always)
{
	if (lp->nitems > 0 || (always && lp->nlines == 0))
		flush(lp);
}
