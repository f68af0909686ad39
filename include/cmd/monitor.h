/* monitor.h - IRCv3 MONITOR (https://ircv3.net/specs/extensions/monitor):
 * per-nick watcher sets, O(1) lookup by casefolded nick. */
#ifndef EVIRCD_MONITOR_H
#define EVIRCD_MONITOR_H

#include <stdbool.h>

#include "proto/reply.h"

struct server;
struct client;

/* MONITOR_MAX (core/config.h): nicks one client may watch. */

/* monitor_subscribe: at start-up (src/daemon.c): MONITOR hears of
 * registrations, nick changes and quits through the event bus. 0, or -1
 * when an event has no free subscriber slot. */
int monitor_subscribe(struct server *srv);
/* monitor_online / monitor_offline: tell the watchers of c's nick that it
 * came online (730) or went offline (731). */
void monitor_online(struct client *c);
void monitor_offline(struct client *c, const char *nick);
/* monitor_clear: remove all of c's monitor entries (on quit). */
void monitor_clear(struct client *c);
/* monitor_extended: send ol to watchers of c's nick that have
 * extended-monitor and the capabilities in ol->need_cap and did not get it
 * yet in this broadcast (srv->serial). */
void monitor_extended(struct client *c, const struct outline *ol);
/* monitor_free_all: free every entry (server_free, src/daemon.c). */
void monitor_free_all(struct server *srv);

#endif
