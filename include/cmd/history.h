/* history.h - message history for clients (issue 12, docs/HISTORY.md): the
 * subscribers that record messages and events, CHATHISTORY (IRCv3
 * draft/chathistory, draft/event-playback), the JOIN playback for clients
 * without it, HISTSERV FORGET. Storage: store/history.h. */
#ifndef EVIRCD_CMD_HISTORY_H
#define EVIRCD_CMD_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* history_iso_time: "YYYY-MM-DDThh:mm:ss.sssZ" (server-time) for ms, Unix
 * milliseconds, into buf (at least 32 bytes). */
void history_iso_time(char *buf, size_t size, int64_t ms);
/* history_parse_time: that format (the fraction and the Z optional, as
 * Ergo's parser) into Unix ms; false when malformed. */
bool history_parse_time(const char *s, int64_t *ms);
/* history_dm_key: the history key of the direct messages between the
 * casefolded accounts a and b ("a b", sorted); false when too long. */
bool history_dm_key(char *key, size_t size, const char *a, const char *b);

#endif
