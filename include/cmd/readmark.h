/* readmark.h - MARKREAD (IRCv3 draft/read-marker, issue 12,
 * docs/HISTORY.md "Read markers"): get and set the last read time of an
 * account on a target, kept by store/readmark.h; every change is sent to
 * all of the account's connections that negotiated the capability, and a
 * JOIN is followed by the channel's marker. */
#ifndef EVIRCD_CMD_READMARK_H
#define EVIRCD_CMD_READMARK_H

struct server;

/* readmark_subscribe: the MARKREAD after a JOIN (EVENT_JOIN; src/daemon.c,
 * at start-up). 0, or -1 when the subscriber list is full. */
int readmark_subscribe(struct server *srv);

#endif
