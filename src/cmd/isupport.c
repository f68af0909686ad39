/* isupport.c - the RPL_ISUPPORT (005) tokens. See cmd/isupport.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/isupport.h"
#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/config.h"
#include "core/server.h"
#include "proto/mode.h"

/* isupport_add: append one token to srv->isupport; a token that does not
 * fit is left out whole, never cut. */
static void isupport_add(struct server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
isupport_add(struct server *srv, const char *fmt, ...)
{
	size_t len = strlen(srv->isupport), room = sizeof(srv->isupport) - len;
	va_list ap;
	int n;

	if (room < 2)
		return;
	if (len > 0)
		srv->isupport[len] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(srv->isupport + len + (len > 0), room - (len > 0), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room - (len > 0))
		srv->isupport[len] = '\0';
}

/* isupport_build: RPL_ISUPPORT tokens (Modern IRC "RPL_ISUPPORT
 * Parameters"), space-separated; send_isupport packs them into lines of
 * at most 13 tokens and 512 bytes. The mode tokens come from the mode
 * tables (proto/mode.h). */
void
isupport_build(struct server *srv)
{
	const struct config *cfg = srv->cfg;
	char modes[64];

	srv->isupport[0] = '\0';
	isupport_add(srv, "AWAYLEN=%u", cfg->awaylen);
	isupport_add(srv, "BOT=B");
	isupport_add(srv, "CASEMAPPING=%s", casemap_name(cfg->casemapping));
	isupport_add(srv, "CHANLIMIT=#&!+:%u", cfg->max_channels_per_user);
	isupport_add(srv, "CHANMODES=%s", mode_isupport_chanmodes(modes, sizeof(modes)));
	/* draft/chathistory: the most lines one query returns, and the
	 * message references it takes (MSGREFTYPES, preferred first) */
	if (srv->hist != NULL)
		isupport_add(srv, "CHATHISTORY=%u", cfg->history_query_limit);
	if (cfg->client_tag_deny != NULL)
		isupport_add(srv, "CLIENTTAGDENY=%s", cfg->client_tag_deny);
	isupport_add(srv, "CHANNELLEN=%u", cfg->channellen);
	isupport_add(srv, "CHANTYPES=#&!+");
	isupport_add(srv, "ELIST=CMNTU");
	isupport_add(srv, "EXCEPTS=%c", mode_list_letter(LIST_EXCEPT));
	/* extended bans, InspIRCd's spelling (no prefix): core/channel.h */
	isupport_add(srv, "EXTBAN=,%s", EXTBAN_LETTERS);
	isupport_add(srv, "HOSTLEN=%d", HOSTLEN);
	isupport_add(srv, "INVEX=%c", mode_list_letter(LIST_INVEX));
	isupport_add(srv, "KICKLEN=%u", cfg->kicklen);
	/* one limit for all the lists together (channel_list_add) */
	isupport_add(srv, "MAXLIST=%s:%u", mode_isupport_lists(modes, sizeof(modes)),
	    cfg->max_list);
	isupport_add(srv, "MAXTARGETS=%u", cfg->max_targets);
	isupport_add(srv, "MODES=%d", MODES_PER_COMMAND);
	if (srv->hist != NULL)
		isupport_add(srv, "MSGREFTYPES=timestamp,msgid");
	isupport_add(srv, "MONITOR=%d", MONITOR_MAX);
	isupport_add(srv, "NETWORK=%s", cfg->network);
	isupport_add(srv, "NICKLEN=%u", cfg->nicklen);
	isupport_add(srv, "PREFIX=%s", mode_isupport_prefix(modes, sizeof(modes)));
	isupport_add(srv, "SAFELIST");
	isupport_add(srv, "STATUSMSG=%s", mode_isupport_statusmsg(modes, sizeof(modes)));
	/* TARGMAX is enforced as advertised (cmd/target.c): past the limit
	 * the first extra target gets 407; duplicates count once. */
	isupport_add(srv,
	    "TARGMAX=JOIN:,KICK:%u,LIST:1,NAMES:1,NOTICE:%u,PART:,PRIVMSG:%u,"
	    "TAGMSG:%u,WHOIS:1",
	    cfg->max_targets, cfg->max_targets, cfg->max_targets, cfg->max_targets);
	isupport_add(srv, "TOPICLEN=%u", cfg->topiclen);
	isupport_add(srv, "USERLEN=%d", USERLEN);
	isupport_add(srv, "WHOX");
	if (cfg->utf8only)
		isupport_add(srv, "UTF8ONLY");
}
