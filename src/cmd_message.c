/* cmd_message.c - PRIVMSG and NOTICE (RFC 2812 §3.3, Modern IRC). */
#include <stdio.h>
#include <string.h>

#include "channel.h"
#include "client.h"
#include "command.h"
#include "reply.h"
#include "server.h"

/* deliver: one target. NOTICE never produces an error or automatic reply
 * (RFC 2812 §3.3.2; ngIRCd and Solanum send no errors for NOTICE). */
static void
deliver(struct client *c, const char *verb, bool notice, char *target, const char *text,
    const char *pfx)
{
	struct server *srv = c->srv;
	unsigned need = 0;
	char *name = target;
	struct outline ol;

	/* STATUSMSG=@+: "@#chan" reaches ops, "+#chan" ops and voiced. */
	while ((*name == '@' || *name == '+') && strchr("#&+!", name[1]) != NULL) {
		need |= *name == '@' ? MEMB_OP : (MEMB_OP | MEMB_VOICE);
		name++;
	}
	if (strchr("#&+!", name[0]) != NULL) {
		struct channel *ch = server_find_channel(srv, name);
		if (ch == NULL) {
			if (!notice)
				numeric(c, ERR_NOSUCHNICK, target);
			return;
		}
		if (!channel_can_send(ch, c)) {
			if (!notice)
				numeric(c, ERR_CANNOTSENDTOCHAN, ch->name);
			return;
		}
		outline_format(&ol, ":%s %s %s%s :%s", pfx, verb, need ? "" : "",
		    need ? target : ch->name, text);
		send_channel(ch, c, &ol, need);
		return;
	}
	struct client *t = server_find_nick(srv, target);
	if (t == NULL || !client_is_registered(t)) {
		if (!notice)
			numeric(c, ERR_NOSUCHNICK, target);
		return;
	}
	outline_format(&ol, ":%s %s %s :%s", pfx, verb, t->nick, text);
	send_line(t, &ol);
	if (!notice && t->away != NULL)
		numeric(c, RPL_AWAY, t->nick, t->away);
}

static enum cmd_result
message(struct client *c, struct irc_msg *m, const char *verb, bool notice)
{
	struct server *srv = c->srv;
	char *targets, *t, *comma, pfx[160];
	unsigned n = 0;

	if (m->nparams < 1 || m->params[0][0] == '\0') {
		if (!notice)
			numeric(c, ERR_NORECIPIENT, verb);
		return CMD_OK;
	}
	if (m->nparams < 2 || m->params[1][0] == '\0') {
		if (!notice)
			numeric(c, ERR_NOTEXTTOSEND);
		return CMD_OK;
	}
	if (!notice)
		c->last_msg = srv->now;
	client_prefix(c, pfx, sizeof(pfx));
	targets = m->params[0];
	while (targets != NULL) {
		t = targets;
		comma = strchr(t, ',');
		if (comma != NULL) {
			*comma = '\0';
			targets = comma + 1;
		} else
			targets = NULL;
		if (*t == '\0')
			continue;
		/* TARGMAX: targets past the limit get 407 (RFC 2812). */
		if (++n > srv->cfg->max_targets) {
			if (!notice)
				numeric(c, ERR_TOOMANYTARGETS, t);
			break;
		}
		deliver(c, verb, notice, t, m->params[1], pfx);
		if (c->flags & (CF_CLOSING | CF_SENDQ))
			break;
	}
	return CMD_OK;
}

enum cmd_result
cmd_privmsg(struct client *c, struct irc_msg *m)
{
	return message(c, m, "PRIVMSG", false);
}

enum cmd_result
cmd_notice(struct client *c, struct irc_msg *m)
{
	return message(c, m, "NOTICE", true);
}

enum cmd_result
cmd_away(struct client *c, struct irc_msg *m)
{
	size_t len;

	free(c->away);
	c->away = NULL;
	if (m->nparams < 1 || m->params[0][0] == '\0') {
		numeric(c, RPL_UNAWAY);
		return CMD_OK;
	}
	len = strlen(m->params[0]);
	if (len > c->srv->cfg->awaylen)
		len = utf8_cut(m->params[0], c->srv->cfg->awaylen);
	c->away = strndup(m->params[0], len);
	numeric(c, RPL_NOWAWAY);
	return CMD_OK;
}
