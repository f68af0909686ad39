/* turnbuf.h - the shared output of one loop turn: every line sent in the
 * turn is stored once in a server-wide buffer, and each plain-socket client
 * whose own output buffer is empty keeps only a list of (pointer, length)
 * segments into it. The end-of-turn flusher writes each client's segments
 * with one writev() straight from the shared bytes; whatever the socket does
 * not take is copied into the client's bufferevent output, in order, and
 * the buffer is reset. So a channel line sent to 1 000 members is copied
 * once in user space (not once per member), consecutive lines to one
 * member form one segment, and no evbuffer chain is allocated per member
 * per turn. */
#ifndef EVIRCD_TURNBUF_H
#define EVIRCD_TURNBUF_H

#include <stdbool.h>
#include <stddef.h>

struct server;
struct client;

/* turnbuf_reserve: room for len bytes in srv's turn buffer, valid until the
 * flusher resets it at the end of the turn. NULL on out-of-memory. */
char *turnbuf_reserve(struct server *srv, size_t len);
/* turnbuf_usable: may output for c go through the turn buffer? True for a
 * plain-socket client that is not closing and whose bufferevent output is
 * empty and not being written by libevent (so order is kept), or that
 * already holds segments. */
bool turnbuf_usable(struct client *c);
/* turnbuf_ref: append [p, p + len) (inside the turn buffer) to c's
 * segments; a range that continues c's last segment extends it. Returns
 * false on out-of-memory (nothing queued). c->tb_len is then the number of
 * bytes c holds in the turn buffer (its part of the sendq). */
bool turnbuf_ref(struct client *c, const char *p, size_t len);
/* turnbuf_write: the flusher's part for c: one writev() of c's segments
 * (more only past IOV_MAX); the rest goes to the bufferevent output with
 * EV_WRITE enabled, as when the socket is full. */
void turnbuf_write(struct client *c);
/* turnbuf_spill: copy c's segments into its bufferevent output (before
 * anything is added there directly, e.g. the ERROR line at close). */
void turnbuf_spill(struct client *c);
/* turnbuf_drop: forget c's segments (dead client, or sendq exceeded). */
void turnbuf_drop(struct client *c);
/* turnbuf_reset: the flush queue is empty: no segment refers to the buffer
 * any more; keep one chunk, free the rest. */
void turnbuf_reset(struct server *srv);
/* turnbuf_free: release srv's turn buffer (server_free). */
void turnbuf_free(struct server *srv);

#endif
