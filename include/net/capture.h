/* capture.h - the labeled-response capture (IRCv3 labeled-response,
 * https://ircv3.net/specs/extensions/labeled-response): the output of one
 * labeled command is held back, then sent as an ACK, one labeled line, or
 * a labeled-response batch. Captured bytes count against the client's
 * sendq like any output (net/output.h). */
#ifndef EVIRCD_CAPTURE_H
#define EVIRCD_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

struct client;
struct evbuffer;

/* capture_begin: from now on c's output goes to its capture (c->capture). */
void capture_begin(struct client *c);
/* capture_is_open: is c's output going to a capture now (a labeled
 * command is running)? */
bool capture_is_open(const struct client *c);
/* capture_len: bytes held in c's capture (0 when none is open); they count
 * against the sendq (output_queued). */
size_t capture_len(const struct client *c);
/* capture_end: close the capture and queue its content answered with
 * label: nothing -> "@label=L :server ACK"; one line -> that line with the
 * label; more -> a "labeled-response" batch (with the batch capability;
 * without it the lines go as they are). Nothing is sent to a client that
 * is closing or over its sendq. label NULL: the content goes unlabeled
 * (the label went on another line, cmd/multiline.c's echo). */
void capture_end(struct client *c, const char *label);
/* capture_add: the output path's entry: add len bytes to c's open capture;
 * past the sendq (capture + output queue) the client is closed with
 * "SendQ exceeded" (output_sendq_exceeded). */
void capture_add(struct client *c, const void *buf, size_t len);
/* capture_open_batch: for a labeled command whose answer goes on after it
 * returns (LIST, sent as the output drains): close the capture by opening
 * the labeled-response batch ("@label=L :server BATCH +id
 * labeled-response") followed by the captured lines tagged batch=id, and
 * leave the batch open; its id goes to bid (bidsize bytes). Returns false,
 * with the capture closed as capture_end does, when c lacks the batch
 * capability or the label cannot be echoed: the rest then goes untagged. */
bool capture_open_batch(struct client *c, const char *label, char *bid, size_t bidsize);
/* capture_end_in_batch: close c's capture by sending its lines tagged
 * batch=bid (a later part of an answer begun with capture_open_batch). */
void capture_end_in_batch(struct client *c, const char *bid);
/* capture_close_batch: send ":server BATCH -bid" (outside any capture). */
void capture_close_batch(struct client *c, const char *bid);
/* capture_suspend / capture_resume: output between them goes to c's real
 * output, not the capture (a message a client sends to itself is a
 * delivery, not the response; only its echo is). capture_suspend returns
 * the open capture (NULL when none) to hand back to capture_resume. */
struct evbuffer *capture_suspend(struct client *c);
void capture_resume(struct client *c, struct evbuffer *saved);

#endif
