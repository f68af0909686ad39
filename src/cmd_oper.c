/* cmd_oper.c - OPER KILL WALLOPS REHASH DIE (RFC 2812 §3.1.4, §3.7, §4). */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "command.h"
#include "log.h"
#include "reply.h"
#include "server.h"

/* OPER <name> <password>: 491 when no block matches the name and host,
 * 464 on a wrong password (Modern IRC "OPER message"). Failures are logged
 * without the password. */
enum cmd_result
cmd_oper(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct oper_conf *oc = NULL;
	char uh[160], pfx[160];
	size_t i;

	snprintf(uh, sizeof(uh), "%s@%s", c->user, c->host);
	client_prefix(c, pfx, sizeof(pfx));
	for (i = 0; i < srv->cfg->nopers; i++) {
		struct oper_conf *o = &srv->cfg->opers[i];
		if (strcmp(o->name, m->params[0]) != 0)
			continue;
		if (casemap_match(srv->cfg->casemapping, o->host, strchr(o->host, '!') ? pfx : uh)) {
			oc = o;
			break;
		}
	}
	if (oc == NULL) {
		log_info("failed OPER as '%s' by %s: no matching oper block", m->params[0], pfx);
		numeric(c, ERR_NOOPERHOST);
		return CMD_OK;
	}
	if (!password_check(oc->password, m->params[1])) {
		log_info("failed OPER as '%s' by %s: wrong password", m->params[0], pfx);
		numeric(c, ERR_PASSWDMISMATCH);
		return CMD_OK;
	}
	if (!client_is_oper(c)) {
		c->umodes |= UMODE_OPER;
		srv->stats.opers++;
		reply_raw(c, ":%s MODE %s :+o", c->nick, c->nick);
	}
	log_info("%s is now an operator (%s)", pfx, oc->name);
	numeric(c, RPL_YOUREOPER);
	return CMD_OK;
}

/* KILL <nick> <reason>: the victim's nick is held for nick_delay seconds
 * (RFC 2813 §5.7), and its peers see "Killed (oper (reason))". */
enum cmd_result
cmd_kill(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct client *t = server_find_nick(srv, m->params[0]);
	char reason[512], nick[NICKLEN_MAX + 1];
	bool self = t == c;

	if (t == NULL) {
		if (strcasecmp(m->params[0], srv->cfg->name) == 0)
			numeric(c, ERR_CANTKILLSERVER);
		else
			numeric(c, ERR_NOSUCHNICK, m->params[0]);
		return CMD_OK;
	}
	snprintf(reason, sizeof(reason), "Killed (%s (%.*s))", c->nick, (int)srv->cfg->kicklen,
	    m->params[1]);
	snprintf(nick, sizeof(nick), "%s", t->nick);
	log_info("KILL %s by %s: %s", nick, c->nick, m->params[1]);
	client_close(t, reason, NULL);
	server_nick_hold(srv, nick);
	return self ? CMD_CLOSE : CMD_OK;
}

/* WALLOPS: to every +w user. A scan of all clients: WALLOPS is a rare
 * operator command, not a per-message path. */
enum cmd_result
cmd_wallops(struct client *c, struct irc_msg *m)
{
	struct client *t;
	struct outline ol;
	char pfx[160];

	outline_format(&ol, ":%s WALLOPS :%s", client_prefix(c, pfx, sizeof(pfx)), m->params[0]);
	TAILQ_FOREACH(t, &c->srv->clients, link)
		if (client_is_registered(t) && (t->umodes & UMODE_WALLOPS))
			send_line(t, &ol);
	return CMD_OK;
}

enum cmd_result
cmd_rehash(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	char err[512];

	numeric(c, RPL_REHASHING, srv->config_path ? srv->config_path : "(defaults)");
	log_info("REHASH by %s", c->nick);
	if (server_rehash(srv, err, sizeof(err)) != 0) {
		log_warnx("rehash failed, keeping the old configuration: %s", err);
		reply_notice(c, "*** Rehash failed, old configuration kept: %s", err);
	}
	return CMD_OK;
}

enum cmd_result
cmd_die(struct client *c, struct irc_msg *m)
{
	log_info("DIE by %s", c->nick);
	c->srv->die_requested = true;
	server_shutdown(c->srv, "Server shutting down");
	return CMD_CLOSE;
}
