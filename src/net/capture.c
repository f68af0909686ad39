/* capture.c - the labeled-response capture (IRCv3 labeled-response). */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "proto/cap.h"
#include "core/client.h"
#include "core/server.h"
#include "proto/message.h"
#include "proto/reply.h"
#include "net/capture.h"
#include "net/output.h"
#include "net/turnbuf.h"

/* capture_begin: see capture.h. */
void
capture_begin(struct client *c)
{
	if (c->capture == NULL)
		c->capture = evbuffer_new();
}

/* capture_is_open: see capture.h. */
bool
capture_is_open(const struct client *c)
{
	return c->capture != NULL;
}

/* capture_len: see capture.h. */
size_t
capture_len(const struct client *c)
{
	return c->capture != NULL ? evbuffer_get_length(c->capture) : 0;
}

/* capture_add: see capture.h. The capture is bounded by the sendq as it
 * grows (issue 9: it was checked only once the command had finished, so
 * one command could buffer any amount). Once over, the output path stops
 * queueing (CLIENT_SENDQ) and capture_end discards the capture. */
void
capture_add(struct client *c, const void *buf, size_t len)
{
	if (evbuffer_add(c->capture, buf, len) != 0 || output_queued(c) > c->sendq)
		output_sendq_exceeded(c);
}

/* capture_suspend: see capture.h. */
struct evbuffer *
capture_suspend(struct client *c)
{
	struct evbuffer *saved = c->capture;

	c->capture = NULL;
	return saved;
}

/* capture_resume: see capture.h. */
void
capture_resume(struct client *c, struct evbuffer *saved)
{
	if (saved != NULL && c->capture == NULL)
		c->capture = saved;
}

/* move_tagged: "@tag;rest" (a line that has tags) or "@tag line" into out,
 * the len bytes of the line moved from cap, not copied through a string. */
static void
move_tagged(struct evbuffer *out, const char *tag, struct evbuffer *cap, size_t len)
{
	char first = '\0';

	evbuffer_add(out, "@", 1);
	evbuffer_add(out, tag, strlen(tag));
	if (len > 0 && evbuffer_copyout(cap, &first, 1) == 1 && first == '@') {
		evbuffer_add(out, ";", 1);
		evbuffer_drain(cap, 1);
		len--;
	} else
		evbuffer_add(out, " ", 1);
	evbuffer_remove_buffer(cap, out, len);
}

/* move_in_batch: every CRLF line of cap into out tagged batch=bid. */
static void
move_in_batch(struct evbuffer *out, const char *bid, struct evbuffer *cap)
{
	struct evbuffer_ptr p;
	size_t eol_len;
	char btag[32];

	snprintf(btag, sizeof(btag), "batch=%s", bid);
	for (;;) {
		char head[7];
		p = evbuffer_search_eol(cap, NULL, &eol_len, EVBUFFER_EOL_CRLF_STRICT);
		if (p.pos < 0)
			break;
		/* a line inside a batch of the response itself (a chathistory
		 * batch, cmd/history.c) keeps its own batch tag: only that
		 * batch's BATCH +/- lines belong to this one (batch spec:
		 * nested batches) */
		if (evbuffer_copyout(cap, head, sizeof(head)) == (ssize_t)sizeof(head) &&
		    memcmp(head, "@batch=", sizeof(head)) == 0)
			evbuffer_remove_buffer(cap, out, (size_t)p.pos + eol_len);
		else
			move_tagged(out, btag, cap, (size_t)p.pos + eol_len);
	}
}

/* server_line: ":server w1 w2 w3\r\n" (w2, w3 may be NULL) into buf (size
 * bytes), built by reply_head like every server-sourced line; the length,
 * 0 when it does not fit. */
static size_t
server_line(char *buf, size_t size, const struct client *c, const char *w1, const char *w2,
    const char *w3)
{
	size_t n = reply_head(buf, size - 1, c->srv->cfg->name, w1, w2, w3, false);

	if (n == 0)
		return 0;
	buf[n - 1] = '\r'; /* reply_head ends each word with a space */
	buf[n] = '\n';
	return n + 1;
}

/* add_tagged: the tagless server line (len bytes) into out with "@tag ". */
static void
add_tagged(struct evbuffer *out, const char *tag, const char *line, size_t len)
{
	if (len == 0)
		return;
	evbuffer_add(out, "@", 1);
	evbuffer_add(out, tag, strlen(tag));
	evbuffer_add(out, " ", 1);
	evbuffer_add(out, line, len);
}

/* label_tag: "label=<label, escaped>" into tag (size bytes). The label is
 * echoed as a tag value: escaped (message-tags "Escaping values"), since
 * the client may have sent "\s", "\:" or "\r" in it. False when it cannot
 * be escaped into tag: then it is not echoed (labeled-response allows no
 * label "in exceptional conditions"). */
static bool
label_tag(char *tag, size_t size, const char *label)
{
	memcpy(tag, "label=", 6);
	return message_tag_escape(tag + 6, size - 6, label, strlen(label)) != (size_t)-1;
}

/* batch_start: a new batch id into bid (bidsize bytes), then into out
 * "@<ltag> :server BATCH +id labeled-response" and the lines of cap tagged
 * batch=id. */
static void
batch_start(struct client *c, struct evbuffer *out, const char *ltag, struct evbuffer *cap,
    char *bid, size_t bidsize)
{
	char line[IRC_LINE_MAX + 3], ref[24];

	snprintf(bid, bidsize, "L%x", ++c->srv->batch_next);
	snprintf(ref, sizeof(ref), "+%s", bid);
	add_tagged(out, ltag, line,
	    server_line(line, sizeof(line), c, "BATCH", ref, "labeled-response"));
	move_in_batch(out, bid, cap);
}

/* take_capture: c's capture, closed (NULL when none, or when c is no
 * longer open: then what it held is freed, nothing more reaches c). */
static struct evbuffer *
take_capture(struct client *c)
{
	struct evbuffer *cap = c->capture;

	c->capture = NULL;
	if (cap != NULL && c->state != CLIENT_OPEN) {
		evbuffer_free(cap);
		cap = NULL;
	}
	return cap;
}

/* finish: after the capture's bytes went into c's output. */
static void
finish(struct client *c)
{
	if (c->state == CLIENT_OPEN && output_queued(c) > c->sendq)
		output_sendq_exceeded(c);
	else
		output_mark_dirty(c);
}

/* capture_open_batch: see capture.h. labeled-response: "the response to
 * a labeled message MAY be a batch", opened with the label and closed by
 * the server when the response is complete; other messages may come
 * between (batch spec), so the batch can span loop turns. */
bool
capture_open_batch(struct client *c, const char *label, char *bid, size_t bidsize)
{
	char tag[6 + 2 * IRC_LABEL_MAX + 1];
	struct evbuffer *cap;

	bid[0] = '\0';
	if (c->capture == NULL || !(c->caps & CAP_BATCH) || c->state != CLIENT_OPEN ||
	    !label_tag(tag, sizeof(tag), label)) {
		capture_end(c, label);
		return false;
	}
	cap = take_capture(c);
	turnbuf_spill(c);
	batch_start(c, bufferevent_get_output(c->bev), tag, cap, bid, bidsize);
	evbuffer_free(cap);
	finish(c);
	return true;
}

/* capture_end_in_batch: see capture.h. */
void
capture_end_in_batch(struct client *c, const char *bid)
{
	struct evbuffer *cap = take_capture(c);

	if (cap == NULL)
		return;
	turnbuf_spill(c);
	move_in_batch(bufferevent_get_output(c->bev), bid, cap);
	evbuffer_free(cap);
	finish(c);
}

/* capture_close_batch: see capture.h. */
void
capture_close_batch(struct client *c, const char *bid)
{
	struct evbuffer *saved = capture_suspend(c);
	char line[IRC_LINE_MAX + 3], ref[24];
	size_t l;

	snprintf(ref, sizeof(ref), "-%s", bid);
	if ((l = server_line(line, sizeof(line), c, "BATCH", ref, NULL)) > 0)
		send_bytes(c, line, l);
	capture_resume(c, saved);
}

/* capture_end: see capture.h. labeled-response spec: no output -> ACK;
 * one line -> the label on it; more -> a labeled-response batch. */
void
capture_end(struct client *c, const char *label)
{
	struct evbuffer *cap = take_capture(c), *out;
	char tag[6 + 2 * IRC_LABEL_MAX + 1], line[IRC_LINE_MAX + 3], bid[16];
	struct evbuffer_ptr p;
	size_t n = 0;

	if (cap == NULL)
		return;
	for (p = evbuffer_search(cap, "\n", 1, NULL); p.pos >= 0;
	     p = evbuffer_search(cap, "\n", 1, &p)) {
		n++;
		if (evbuffer_ptr_set(cap, &p, 1, EVBUFFER_PTR_ADD) != 0)
			break;
	}
	/* the answer goes straight into the bufferevent output: what c
	 * holds in the turn buffer goes there first, to keep the order */
	turnbuf_spill(c);
	out = bufferevent_get_output(c->bev);
	if (label == NULL || !label_tag(tag, sizeof(tag), label) ||
	    (n > 1 && !(c->caps & CAP_BATCH)))
		evbuffer_add_buffer(out, cap);
	else if (n == 0)
		add_tagged(out, tag, line, server_line(line, sizeof(line), c, "ACK", NULL, NULL));
	else if (n == 1)
		move_tagged(out, tag, cap, evbuffer_get_length(cap));
	else {
		batch_start(c, out, tag, cap, bid, sizeof(bid));
		capture_close_batch(c, bid);
	}
	evbuffer_free(cap);
	finish(c);
}
