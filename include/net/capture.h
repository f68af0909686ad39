/* capture.h - the labeled-response capture (IRCv3 labeled-response,
 * https://ircv3.net/specs/extensions/labeled-response): the output of one
 * labeled command is held back, then sent as an ACK, one labeled line, or
 * a labeled-response batch. Captured bytes count against the client's
 * sendq like any output (net/output.h). */
#ifndef EVIRCD_CAPTURE_H
#define EVIRCD_CAPTURE_H

#include <stddef.h>

struct client;
struct evbuffer;

/* capture_begin: from now on c's output goes to its capture (c->capture). */
void capture_begin(struct client *c);
/* capture_end: close the capture and queue its content answered with
 * label: nothing -> "@label=L :server ACK"; one line -> that line with the
 * label; more -> a "labeled-response" batch (with the batch capability;
 * without it the lines go as they are). Nothing is sent to a client that
 * is closing or over its sendq. */
void capture_end(struct client *c, const char *label);
/* capture_add: the output path's entry: add len bytes to c's open capture;
 * past the sendq (capture + output queue) the client is closed with
 * "SendQ exceeded" (output_sendq_exceeded). */
void capture_add(struct client *c, const void *buf, size_t len);
/* capture_suspend / capture_resume: output between them goes to c's real
 * output, not the capture (a message a client sends to itself is a
 * delivery, not the response; only its echo is). capture_suspend returns
 * the open capture (NULL when none) to hand back to capture_resume. */
struct evbuffer *capture_suspend(struct client *c);
void capture_resume(struct client *c, struct evbuffer *saved);

#endif
