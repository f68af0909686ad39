/* isupport.h - the RPL_ISUPPORT (005) tokens (Modern IRC "RPL_ISUPPORT
 * Parameters"). The mode tokens (CHANMODES, MODES, PREFIX, STATUSMSG) are
 * derived from the mode tables in proto/mode.h, which core may not call:
 * the server marks the tokens stale (srv->isupport[0] = '\0') at start-up
 * and rehash and send_isupport (cmd/command.h) builds them on first use. */
#ifndef EVIRCD_ISUPPORT_H
#define EVIRCD_ISUPPORT_H

struct server;

/* isupport_build: (re)build srv->isupport from the configuration and the
 * mode tables; a token that does not fit is left out whole. */
void isupport_build(struct server *srv);

#endif
