/* notice.h - server notices to the local operators about the network
 * (nick collisions, ...): ":<server> NOTICE <oper> :*** Notice -- <text>",
 * the form ngIRCd and ircd2 use for their operator notices.
 *
 * The operators are remembered as they become operators (EVENT_OPER) and
 * forgotten when they quit, so a notice costs O(operators), never a walk
 * over every client (a link can make collisions as fast as it sends). */
#ifndef EVIRCD_LINK_NOTICE_H
#define EVIRCD_LINK_NOTICE_H

struct server;

/* notice_init: subscribe to EVENT_OPER and EVENT_QUIT. 0, or -1 when the
 * event bus is full. */
int notice_init(struct server *srv);
/* notice_free: forget the operators (at server teardown). */
void notice_free(struct server *srv);
/* notice_opers: one notice (formatted once) to every local operator. */
void notice_opers(struct server *srv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
