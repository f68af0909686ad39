/* capture.c - the labeled-response capture (IRCv3 labeled-response). */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "proto/cap.h"
#include "core/client.h"
#include "core/server.h"
#include "proto/message.h"
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

/* capture_add: see capture.h. The capture is bounded by the sendq as it
 * grows (issue 9: it was checked only once the command had finished, so
 * one command could buffer any amount). Once over, the output path stops
 * queueing (CLIENT_SENDQ) and capture_end discards the capture. */
void
capture_add(struct client *c, const void *buf, size_t len)
{
	if (evbuffer_add(c->capture, buf, len) != 0 || evbuffer_get_length(c->capture) +
	    evbuffer_get_length(bufferevent_get_output(c->bev)) + c->tb_len > c->sendq)
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

/* move_lines_tagged: every CRLF line of cap into out with tag added. */
static void
move_lines_tagged(struct evbuffer *out, const char *tag, struct evbuffer *cap)
{
	struct evbuffer_ptr p;
	size_t eol_len;

	for (;;) {
		p = evbuffer_search_eol(cap, NULL, &eol_len, EVBUFFER_EOL_CRLF_STRICT);
		if (p.pos < 0)
			break;
		move_tagged(out, tag, cap, (size_t)p.pos + eol_len);
	}
}

/* finish: after the capture's bytes went into c's output. */
static void
finish(struct client *c)
{
	if (c->state == CLIENT_OPEN &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) + c->tb_len > c->sendq)
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
	struct evbuffer *cap = c->capture, *out, *open;
	struct server *srv = c->srv;
	char tag[6 + 2 * IRC_LABEL_MAX + 1], btag[32], line[200];
	int l;

	bid[0] = '\0';
	memcpy(tag, "label=", 6);
	if (cap == NULL || !(c->caps & CAP_BATCH) || c->state != CLIENT_OPEN ||
	    message_tag_escape(tag + 6, sizeof(tag) - 6, label, strlen(label)) == (size_t)-1 ||
	    (open = evbuffer_new()) == NULL) {
		capture_end(c, label);
		return false;
	}
	c->capture = NULL;
	turnbuf_spill(c);
	out = bufferevent_get_output(c->bev);
	snprintf(bid, bidsize, "L%x", ++srv->batch_next);
	snprintf(btag, sizeof(btag), "batch=%s", bid);
	l = snprintf(line, sizeof(line), ":%s BATCH +%s labeled-response\r\n", srv->cfg->name, bid);
	evbuffer_add(open, line, (size_t)l);
	move_tagged(out, tag, open, (size_t)l);
	evbuffer_free(open);
	move_lines_tagged(out, btag, cap);
	evbuffer_free(cap);
	finish(c);
	return true;
}

/* capture_end_in_batch: see capture.h. */
void
capture_end_in_batch(struct client *c, const char *bid)
{
	struct evbuffer *cap = c->capture;
	char btag[32];

	if (cap == NULL)
		return;
	c->capture = NULL;
	if (c->state != CLIENT_OPEN) {
		evbuffer_free(cap);
		return;
	}
	turnbuf_spill(c);
	snprintf(btag, sizeof(btag), "batch=%s", bid);
	move_lines_tagged(bufferevent_get_output(c->bev), btag, cap);
	evbuffer_free(cap);
	finish(c);
}

/* capture_close_batch: see capture.h. */
void
capture_close_batch(struct client *c, const char *bid)
{
	struct evbuffer *saved = capture_suspend(c);
	char line[200];
	int l;

	l = snprintf(line, sizeof(line), ":%s BATCH -%s\r\n", c->srv->cfg->name, bid);
	send_bytes(c, line, (size_t)l);
	capture_resume(c, saved);
}

/* capture_end: see capture.h. labeled-response spec: no output -> ACK;
 * one line -> the label on it; more -> a labeled-response batch. */
void
capture_end(struct client *c, const char *label)
{
	struct evbuffer *cap = c->capture, *out;
	struct server *srv = c->srv;
	char tag[6 + 2 * IRC_LABEL_MAX + 1], btag[32], line[200];
	struct evbuffer_ptr p;
	size_t n = 0, eol_len;
	int l;

	if (cap == NULL)
		return;
	c->capture = NULL;
	if (c->state != CLIENT_OPEN) {
		evbuffer_free(cap);
		return;
	}
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
	/* The label is echoed as a tag value: escaped (message-tags "Escaping
	 * values"), since the client may have sent "\s", "\:" or "\r" in
	 * it; a label that cannot be escaped into the buffer is not echoed
	 * (labeled-response allows no label "in exceptional conditions"). */
	memcpy(tag, "label=", 6);
	if (message_tag_escape(tag + 6, sizeof(tag) - 6, label, strlen(label)) == (size_t)-1) {
		evbuffer_add_buffer(out, cap);
	} else if (n == 0) {
		l = snprintf(line, sizeof(line), ":%s ACK\r\n", srv->cfg->name);
		evbuffer_add(cap, line, (size_t)l);
		move_tagged(out, tag, cap, (size_t)l);
	} else if (n == 1) {
		move_tagged(out, tag, cap, evbuffer_get_length(cap));
	} else if (!(c->caps & CAP_BATCH)) {
		evbuffer_add_buffer(out, cap);
	} else {
		struct evbuffer *open = evbuffer_new();
		char bid[16];
		snprintf(bid, sizeof(bid), "L%x", ++srv->batch_next);
		snprintf(btag, sizeof(btag), "batch=%s", bid);
		l = snprintf(line, sizeof(line), ":%s BATCH +%s labeled-response\r\n",
		    srv->cfg->name, bid);
		if (open != NULL) {
			evbuffer_add(open, line, (size_t)l);
			move_tagged(out, tag, open, (size_t)l);
			evbuffer_free(open);
		}
		for (;;) {
			p = evbuffer_search_eol(cap, NULL, &eol_len, EVBUFFER_EOL_CRLF_STRICT);
			if (p.pos < 0)
				break;
			move_tagged(out, btag, cap, (size_t)p.pos + eol_len);
		}
		l = snprintf(line, sizeof(line), ":%s BATCH -%s\r\n", srv->cfg->name, bid);
		send_bytes(c, line, (size_t)l);
	}
	evbuffer_free(cap);
	if (c->state == CLIENT_OPEN && evbuffer_get_length(out) + c->tb_len > c->sendq)
		output_sendq_exceeded(c);
	else
		output_mark_dirty(c);
}
