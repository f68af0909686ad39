/* history.h - message history for clients (issue 12, docs/HISTORY.md): the
 * subscribers that record messages and events, CHATHISTORY (IRCv3
 * draft/chathistory, draft/event-playback), the JOIN playback for clients
 * without it, HISTSERV FORGET. Storage: store/history.h. */
#ifndef EVIRCD_CMD_HISTORY_H
#define EVIRCD_CMD_HISTORY_H

#include <stddef.h>

struct server;

/* history_subscribe: record MESSAGE, JOIN, PART, KICK, QUIT, NICK, TOPIC
 * and MODE events (src/daemon.c, at start-up). 0, or -1 when a
 * subscriber list is full. */
int history_subscribe(struct server *srv);
/* history_open: start the history of srv ([history] enabled) on the
 * database srv->store when there is one and [history] persist is set,
 * else in memory; idempotent. 0, or -1 with err filled. */
int history_open(struct server *srv, char *err, size_t errlen);
/* history_close: stop it (pending reads are answered as failed; unwritten
 * rows are committed first). Before store_close. */
void history_close(struct server *srv);

#endif
