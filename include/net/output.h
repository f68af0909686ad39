/* output.h - the one output path: every byte for a client is queued here,
 * counted against its sendq, and written by the end-of-turn flusher.
 * Formatting (struct outline, format_clean, reply_head) is proto/reply.h. */
#ifndef EVIRCD_OUTPUT_H
#define EVIRCD_OUTPUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/numeric.h"
#include "proto/reply.h"

struct client;
struct channel;
struct server;

/* reply_numeric: ":server NNN <nick or *> " + fmt. Use the numeric() macro,
 * which takes the format from numeric.h so the compiler checks it. */
void reply_numeric(struct client *c, int num, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define numeric(c, NAME, ...) reply_numeric((c), NAME, FMT_##NAME, ##__VA_ARGS__)
/* reply_server: ":server " + fmt (e.g. "NOTICE nick :text", "PONG ..."). */
void reply_server(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* reply_batch_open: "BATCH +<idc><n> type [param]" when c has batch; bid
 * gets the id ("" without batch). reply_batch_close: "BATCH -bid" when
 * bid is not "". */
void reply_batch_open(struct client *c, char *bid, size_t size, char idc, const char *type,
    const char *param);
void reply_batch_close(struct client *c, const char *bid);
/* reply_raw: fmt as it is, no prefix (e.g. "ERROR :...", "PING :..."). */
void reply_raw(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* reply_notice: a server NOTICE to c. */
void reply_notice(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* reply_fail: a standard-replies FAIL line (sent to every client: the spec
 * allows it without the cap). command is echoed only if [A-Z0-9]{1,32}. */
void reply_fail(struct client *c, const char *command, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* send_line: queue ol's bytes to c (checks sendq; never blocks). Nothing is
 * queued to a client that is closing or over its sendq. */
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

/* output_sendq_exceeded: c's output queue passed its sendq: stop queueing to
 * c and close it with "SendQ exceeded" on the next loop turn (the reaper,
 * net/close.c), outside any broadcast iteration. Nothing is dropped
 * silently: the client is told. */
void output_sendq_exceeded(struct client *c);
/* output_mark_dirty: put c on the end-of-turn flush queue (plain sockets). */
void output_mark_dirty(struct client *c);
/* output_flush_cb: the end-of-turn flusher (srv->flusher): write the output
 * of every client on srv->flushq straight to its socket; what does not fit
 * is left to the bufferevent (EV_WRITE). */
void output_flush_cb(int fd, short what, void *arg);
/* output_pump_wait: call c->on_drain (from the loop, on a later turn,
 * after the next poll) once c's output buffer has drained - at once if it
 * is empty. For replies too long for the sendq (LIST, SAFELIST). */
void output_pump_wait(struct client *c);
/* output_drained: c's output buffer has just been emptied (the flusher, or
 * libevent's write callback): a waiting on_drain is due. */
void output_drained(struct client *c);
/* output_pump_cb: the srv->pump timer: runs the on_drain of srv->pumpq. */
void output_pump_cb(int fd, short what, void *arg);
/* output_queued: bytes queued to c and not yet given to the kernel (its
 * output buffer, its turn-buffer segments and an open capture). */
size_t output_queued(struct client *c);
/* output_time_tag: "time=YYYY-MM-DDThh:mm:ss.sssZ" (IRCv3 server-time) for
 * the current clock, formatted at most once per millisecond, or
 * srv->time_override while a link line that came with a time is handled;
 * the string is owned by srv, its length in *len. */
const char *output_time_tag(struct server *srv, size_t *len);

#endif
