/* metadata.h - IRCv3 draft/metadata-3: the METADATA command (cmd_metadata,
 * in command.h) and its event subscribers (docs/METADATA.md). */
#ifndef EVIRCD_CMD_METADATA_H
#define EVIRCD_CMD_METADATA_H

struct server;

/* metadata_subscribe: hear EVENT_REGISTERED (the client's own pairs in
 * the burst) and EVENT_JOIN (sync on join). 0, or -1 when a subscriber
 * list is full. */
int metadata_subscribe(struct server *srv);

#endif
