/* turnbuf.c - the shared output of one loop turn (see turnbuf.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "core/client.h"
#include "core/server.h"
#include "net/output.h"
#include "net/turnbuf.h"

#define TB_CHUNK     (64 * 1024) /* bytes per chunk; a larger line gets its own */
#define TB_IOV	     64 /* iovecs per writev (IOV_MAX is 1024) */
#define TB_SEGS_KEEP 4096 /* segment slots kept across turns */

/* One chunk of the turn's bytes; chunks are never moved, so pointers into
 * them stay valid until turnbuf_reset. */
struct tb_chunk {
	struct tb_chunk *next; /* older chunks of this turn */
	size_t size, used;
	char data[];
};

/* One segment of a client's output: len bytes at p. Index 0 is "none". */
struct tb_seg {
	const char *p;
	uint32_t len;
	uint32_t next; /* next segment of the same client, or 0 */
};

struct turnbuf {
	struct tb_chunk *cur; /* being filled; ->next are full */
	struct tb_seg *segs; /* owned array, [0] unused */
	uint32_t nsegs, capsegs;
};

static struct turnbuf *
tb_get(struct server *srv)
{
	if (srv->turnbuf == NULL)
		srv->turnbuf = calloc(1, sizeof(*srv->turnbuf));
	return srv->turnbuf;
}

char *
turnbuf_reserve(struct server *srv, size_t len)
{
	struct turnbuf *tb = tb_get(srv);
	struct tb_chunk *ch;
	size_t size;
	char *p;

	if (tb == NULL)
		return NULL;
	ch = tb->cur;
	if (ch == NULL || ch->size - ch->used < len) {
		size = len > TB_CHUNK ? len : TB_CHUNK;
		ch = malloc(sizeof(*ch) + size);
		if (ch == NULL)
			return NULL;
		ch->size = size;
		ch->used = 0;
		ch->next = tb->cur;
		tb->cur = ch;
	}
	p = ch->data + ch->used;
	ch->used += len;
	return p;
}

bool
turnbuf_usable(struct client *c)
{
	if (!(c->flags & CF_DIRECT) || c->state >= CLIENT_CLOSING)
		return false;
	if (c->tb_head != 0)
		return true;
	return evbuffer_get_length(bufferevent_get_output(c->bev)) == 0 &&
	    !(bufferevent_get_enabled(c->bev) & EV_WRITE);
}

bool
turnbuf_ref(struct client *c, const char *p, size_t len)
{
	struct turnbuf *tb = c->srv->turnbuf;
	struct tb_seg *s;

	if (len == 0)
		return true;
	if (c->tb_tail != 0) {
		s = &tb->segs[c->tb_tail];
		if (s->p + s->len == p && (uint64_t)s->len + len <= UINT32_MAX) {
			s->len += (uint32_t)len;
			c->tb_len += (uint32_t)len;
			return true;
		}
	}
	if (tb->nsegs == 0)
		tb->nsegs = 1;
	if (tb->nsegs >= tb->capsegs) {
		uint32_t cap = tb->capsegs ? tb->capsegs * 2 : 1024;
		struct tb_seg *n = realloc(tb->segs, sizeof(*n) * cap);
		if (n == NULL)
			return false;
		tb->segs = n;
		tb->capsegs = cap;
	}
	s = &tb->segs[tb->nsegs];
	s->p = p;
	s->len = (uint32_t)len;
	s->next = 0;
	if (c->tb_tail != 0)
		tb->segs[c->tb_tail].next = tb->nsegs;
	else
		c->tb_head = tb->nsegs;
	c->tb_tail = tb->nsegs++;
	c->tb_len += (uint32_t)len;
	output_mark_dirty(c); /* the flusher runs before the reset */
	return true;
}

void
turnbuf_drop(struct client *c)
{
	c->tb_head = c->tb_tail = 0;
	c->tb_len = 0;
}

/* spill_from: copy c's segments from index i on, less the first skip
 * bytes, to its bufferevent output, and forget them. */
static void
spill_from(struct client *c, uint32_t i, size_t skip)
{
	struct turnbuf *tb = c->srv->turnbuf;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct tb_seg *s;

	for (; i != 0; i = s->next) {
		s = &tb->segs[i];
		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		/* out of memory here leaves a gap the client would see as a
		 * garbled line: close it instead (nothing dropped silently) */
		if (evbuffer_add(out, s->p + skip, s->len - skip) != 0) {
			output_sendq_exceeded(c);
			break;
		}
		skip = 0;
	}
	turnbuf_drop(c);
}

void
turnbuf_spill(struct client *c)
{
	if (c->tb_head != 0)
		spill_from(c, c->tb_head, 0);
}

void
turnbuf_write(struct client *c)
{
	struct turnbuf *tb = c->srv->turnbuf;
	struct iovec iov[TB_IOV];
	uint32_t i = c->tb_head, j;
	int cnt, fd = bufferevent_getfd(c->bev);
	size_t want;
	ssize_t n;

	while (i != 0) {
		cnt = 0;
		want = 0;
		for (j = i; j != 0 && cnt < TB_IOV; j = tb->segs[j].next) {
			iov[cnt].iov_base = (void *)(uintptr_t)tb->segs[j].p;
			iov[cnt].iov_len = tb->segs[j].len;
			want += tb->segs[j].len;
			cnt++;
		}
		do
			n = writev(fd, iov, cnt);
		while (n < 0 && errno == EINTR);
		if (n < 0 || (size_t)n < want) {
			/* socket full (or an error, which the bufferevent
			 * meets and reports on its own write): libevent
			 * writes the rest when the socket is writable */
			spill_from(c, i, n < 0 ? 0 : (size_t)n);
			bufferevent_enable(c->bev, EV_WRITE);
			return;
		}
		i = j;
	}
	turnbuf_drop(c);
}

void
turnbuf_reset(struct server *srv)
{
	struct turnbuf *tb = srv->turnbuf;
	struct tb_chunk *ch, *next;

	if (tb == NULL)
		return;
	/* keep the newest chunk if it has the standard size */
	ch = tb->cur;
	if (ch != NULL) {
		next = ch->next;
		if (ch->size != TB_CHUNK) {
			free(ch);
			tb->cur = NULL;
		} else {
			ch->used = 0;
			ch->next = NULL;
		}
		for (ch = next; ch != NULL; ch = next) {
			next = ch->next;
			free(ch);
		}
	}
	tb->nsegs = 1;
	if (tb->capsegs > TB_SEGS_KEEP) {
		free(tb->segs);
		tb->segs = NULL;
		tb->capsegs = 0;
		tb->nsegs = 0;
	}
}

void
turnbuf_free(struct server *srv)
{
	struct turnbuf *tb = srv->turnbuf;
	struct tb_chunk *ch, *next;

	if (tb == NULL)
		return;
	for (ch = tb->cur; ch != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(tb->segs);
	free(tb);
	srv->turnbuf = NULL;
}
