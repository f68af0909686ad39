/* eventlog.h - the event log: a subscriber of the event bus (core/event.h)
 * that writes one info line of key=value fields (core/log.h, log_kv_*) per
 * connect, nick change, quit (with its reason), account login/logout,
 * oper, kill, K/D-line added or removed, and server link or split, to stderr (journald) and syslog
 * when [log] syslog is on. Field names: docs/CONFIG.md "Log lines". */
#ifndef EVIRCD_EVENTLOG_H
#define EVIRCD_EVENTLOG_H

struct server;

/* eventlog_subscribe: subscribe at start-up (src/daemon.c). 0, or -1 when
 * an event has no free subscriber slot. */
int eventlog_subscribe(struct server *srv);

#endif
