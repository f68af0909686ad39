/* cmd_user.c - a registered user's own state: AWAY (RFC 2812 §4.1, IRCv3
 * away-notify) and SETNAME (IRCv3 setname). Both tell the clients sharing
 * a channel that asked for it, and extended-monitor watchers. */
#include <stdlib.h>
#include <string.h>

#include "proto/cap.h"
#include "core/client.h"
#include "core/event.h"
#include "core/server.h"
#include "cmd/command.h"
#include "cmd/monitor.h"
#include "net/output.h"

/* AWAY [:message]: 305/306, and with away-notify the change is sent to
 * every client sharing a channel that has the capability. */
enum cmd_result
cmd_away(struct client *c, struct irc_msg *m)
{
	struct outline ol;
	char pfx[160];
	size_t len;

	free(c->away);
	c->away = NULL;
	client_prefix(c, pfx, sizeof(pfx));
	if (m->nparams < 1 || m->params[0][0] == '\0') {
		numeric(c, RPL_UNAWAY);
		outline_format(&ol, ":%s AWAY", pfx);
	} else {
		len = strlen(m->params[0]);
		if (len > c->srv->cfg->awaylen)
			len = utf8_cut(m->params[0], c->srv->cfg->awaylen);
		c->away = strndup(m->params[0], len);
		numeric(c, RPL_NOWAWAY);
		outline_format(&ol, ":%s AWAY :%s", pfx, c->away);
	}
	ol.need_cap = CAP_AWAY_NOTIFY;
	send_common(c, false, &ol);
	monitor_extended(c, &ol);
	{
		struct event_away ev = { c, c->away };
		event_publish_away(c->srv, &ev); /* links */
	}
	return CMD_OK;
}

/* SETNAME :realname (IRCv3 setname): the change is sent to the user and to
 * everyone sharing a channel who has the setname capability. */
enum cmd_result
cmd_setname(struct client *c, struct irc_msg *m)
{
	struct outline ol;
	char pfx[160], *name;

	if (m->params[0][0] == '\0' || strlen(m->params[0]) > REALLEN) {
		reply_fail(c, "SETNAME", "INVALID_REALNAME", "Realname is not valid");
		return CMD_OK;
	}
	name = strdup(m->params[0]);
	if (name == NULL)
		return CMD_OK;
	free(c->realname);
	c->realname = name;
	outline_format(&ol, ":%s SETNAME :%s", client_prefix(c, pfx, sizeof(pfx)), name);
	ol.need_cap = CAP_SETNAME;
	send_common(c, true, &ol);
	monitor_extended(c, &ol);
	{
		struct event_setname ev = { c, name };
		event_publish_setname(c->srv, &ev); /* links */
	}
	return CMD_OK;
}
