/* cmd_register.c - PASS NICK USER CAP PING PONG QUIT and the welcome burst
 * (RFC 2812 §3.1, Modern IRC "Connection Registration"). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evircd_config.h"
#include "proto/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "cmd/command.h"
#include "cmd/isupport.h"
#include "cmd/monitor.h"
#include "cmd/chanserv.h"
#include "cmd/nickserv.h"
#include "cmd/pwcheck.h"
#include "core/kline.h"
#include "core/log.h"
#include "core/number.h"
#include "proto/message.h"
#include "proto/mode.h"
#include "proto/pack.h"
#include "proto/reply.h"
#include "core/server.h"

/* PASS: only before registration; it only records the password. RFC 2812
 * §3.1.1: "It is possible to send multiple PASS commands before
 * registering but only the last one sent is used for verification".
 * It is judged once, when registration completes (register_try; Modern
 * IRC "PASS message": 464 then ERROR), so a client that pipelines PASS
 * NICK USER reads the reply instead of a reset connection, and a flood of
 * PASS lines costs one verification, not one per line (issue 9 item 1).
 * Without a configured password, PASS is accepted and ignored. */
enum cmd_result
cmd_pass(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;

	if (client_is_registered(c)) {
		numeric(c, ERR_ALREADYREGISTERED);
		return CMD_OK;
	}
	if (srv->cfg->password == NULL)
		return CMD_OK;
	client_forget_pass(c);
	c->pass = strdup(m->params[0]);
	return CMD_OK;
}

/* register_verified: see command.h. */
enum cmd_result
register_verified(struct client *c, bool ok)
{
	c->flags |= ok ? CF_PASS_OK : CF_PASS_BAD;
	return register_try(c);
}

enum cmd_result
cmd_nick(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct client *other;
	const char *nick;
	char key[NICKLEN_MAX + 2], pfx[160];
	struct outline ol;

	if (m->nparams < 1 || m->params[0][0] == '\0') {
		numeric(c, ERR_NONICKNAMEGIVEN);
		return CMD_OK;
	}
	nick = m->params[0];
	if (!nick_valid(nick, srv->cfg->nicklen)) {
		numeric(c, ERR_ERRONEUSNICKNAME, nick);
		return CMD_OK;
	}
	/* the built-in NickServ's and ChanServ's names are taken while they exist */
	if (nickserv_is(srv, nick) || chanserv_is(srv, nick)) {
		numeric(c, ERR_NICKNAMEINUSE, nick);
		return CMD_OK;
	}
	if (strcmp(nick, c->nick) == 0)
		return CMD_OK;
	server_fold(srv, key, nick, sizeof(key));
	HASH_FIND_STR(srv->nicks, key, other);
	if (other != NULL && other != c) {
		numeric(c, ERR_NICKNAMEINUSE, nick);
		return CMD_OK;
	}
	if (other == NULL && server_nick_held(srv, key)) {
		numeric(c, ERR_UNAVAILRESOURCE, nick);
		return CMD_OK;
	}
	if (!client_is_registered(c)) {
		client_set_nick(c, nick);
		c->flags |= CF_GOT_NICK;
		return register_try(c);
	}
	/* Every user sharing a channel sees the change exactly once. */
	outline_format(&ol, ":%s NICK :%s", client_prefix(c, pfx, sizeof(pfx)), nick);
	send_common(c, true, &ol);
	{
		char old[NICKLEN_MAX + 1];
		struct event_nick ev = { c, old };
		snprintf(old, sizeof(old), "%s", c->nick);
		client_set_nick(c, nick);
		event_publish_nick(srv, &ev); /* WHOWAS, MONITOR, ... */
	}
	return CMD_OK;
}

/* USER <user> <mode> <unused> :<realname>. RFC 2812 §3.1.3: bit 2 of a
 * numeric mode sets +w, bit 3 sets +i. The user name is prefixed with '~'
 * since we run no ident lookup (as Solanum/InspIRCd without identd). */
enum cmd_result
cmd_user(struct client *c, struct irc_msg *m)
{
	char user[USERLEN + 1];
	const char *s;
	size_t n = 0;
	long long v;
	int mode;

	if (client_is_registered(c) || (c->flags & CF_GOT_USER)) {
		numeric(c, ERR_ALREADYREGISTERED);
		return CMD_OK;
	}
	if (m->params[0][0] == '\0' || m->params[3][0] == '\0') {
		numeric(c, ERR_NEEDMOREPARAMS, "USER");
		return CMD_OK;
	}
	for (s = m->params[0]; *s != '\0' && n < USERLEN - 1; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch <= ' ' || ch == '@' || ch == '!' || ch == ':' || ch == ',' || ch == 0x7f)
			continue;
		user[n++] = (char)ch;
	}
	n = utf8_cut(user, n); /* never split a multi-byte character */
	user[n] = '\0';
	snprintf(c->user, sizeof(c->user), "~%s", n ? user : "user");
	free(c->realname);
	/* cut to REALLEN on a UTF-8 boundary (issue 9 item 12: a cut inside
	 * "é" showed a broken byte in WHOIS, WHO and extended-join) */
	c->realname = strndup(m->params[3], (size_t)utf8_prefix(m->params[3], REALLEN));
	/* only a number in int range counts; "8", "+8" or a word like "*"
	 * or "0" give no modes (RFC 2812 §3.1.3; Modern IRC: the field is
	 * ignored by most servers) */
	if (number_parse(m->params[1], 0, INT_MAX, &v) != NUMBER_OK)
		v = 0;
	mode = (int)v;
	if (mode & 4)
		c->umodes |= UMODE_WALLOPS;
	if (mode & 8)
		c->umodes |= UMODE_INVISIBLE;
	c->flags |= CF_GOT_USER;
	return register_try(c);
}

enum cmd_result
cmd_ping(struct client *c, struct irc_msg *m)
{
	if (m->nparams < 1 || m->params[0][0] == '\0') {
		numeric(c, ERR_NOORIGIN);
		return CMD_OK;
	}
	reply_server(c, "PONG %s :%s", c->srv->cfg->name, m->params[0]);
	return CMD_OK;
}

/* PONG: any line counts as liveness (conn.c); nothing else to do. */
enum cmd_result
cmd_pong(struct client *c, struct irc_msg *m)
{
	if (m->nparams < 1 && client_is_registered(c))
		numeric(c, ERR_NOORIGIN);
	return CMD_OK;
}

/* QUIT: peers see "Quit: <message>" (Solanum/InspIRCd prefix it so a user
 * cannot fake a server-generated reason). */
enum cmd_result
cmd_quit(struct client *c, struct irc_msg *m)
{
	char reason[400];

	if (m->nparams > 0 && m->params[0][0] != '\0')
		snprintf(reason, sizeof(reason), "Quit: %.*s",
		    utf8_prefix(m->params[0], c->srv->cfg->kicklen), m->params[0]);
	else
		snprintf(reason, sizeof(reason), "Client Quit");
	client_close(c, reason, NULL);
	return CMD_CLOSE;
}

void
send_isupport(struct client *c)
{
	const char *p, *e;
	struct linepack lp;

	if (c->srv->isupport[0] == '\0')
		isupport_build(c->srv); /* start-up or rehash marked it stale */
	p = c->srv->isupport;
	linepack_numeric(&lp, c, send_line, RPL_ISUPPORT, ' ', 13, " :are supported by this server",
	    "%s", "");
	while (*p != '\0') {
		e = strchr(p, ' ');
		linepack_add(&lp, p, e ? (size_t)(e - p) : strlen(p));
		if (e == NULL)
			break;
		p = e + 1;
	}
	linepack_end(&lp, false);
}

void
send_lusers(struct client *c)
{
	struct server_stats *st = &c->srv->stats;
	unsigned all = st->users + st->remote_users, inv = st->invisible + st->remote_invisible;
	unsigned opers = st->opers + st->remote_opers;
	unsigned maxg = st->max_global > all ? st->max_global : all;

	/* RFC 2812 §3.4.2: 251 and 252 count the whole network, 255 this
	 * server's clients and its directly linked servers; 265/266 local and
	 * global (as Solanum and ngIRCd send them). */
	if (maxg < st->max_users)
		maxg = st->max_users;
	numeric(c, RPL_LUSERCLIENT, all - inv, inv, 1u + st->servers);
	if (opers > 0)
		numeric(c, RPL_LUSEROP, opers);
	if (st->unknown > 0)
		numeric(c, RPL_LUSERUNKNOWN, st->unknown);
	numeric(c, RPL_LUSERCHANNELS, st->channels);
	numeric(c, RPL_LUSERME, st->users, st->links);
	numeric(c, RPL_LOCALUSERS, st->users, st->max_users, st->users, st->max_users);
	numeric(c, RPL_GLOBALUSERS, all, maxg, all, maxg);
}

void
send_motd(struct client *c)
{
	struct config *cfg = c->srv->cfg;
	size_t i;

	if (cfg->motd == NULL || cfg->motd_count == 0) {
		numeric(c, ERR_NOMOTD);
		return;
	}
	numeric(c, RPL_MOTDSTART, cfg->name);
	for (i = 0; i < cfg->motd_count; i++)
		numeric(c, RPL_MOTD, cfg->motd[i]);
	numeric(c, RPL_ENDOFMOTD);
}

/* register_try: complete registration once NICK and USER are in and CAP
 * negotiation (if any) ended. A missing connection password is refused
 * with 464 here (Modern IRC "PASS message"). */
enum cmd_result
register_try(struct client *c)
{
	struct server *srv = c->srv;
	struct config *cfg = srv->cfg;
	char pfx[160], modes[16], umodes[32], cmodes[64], pmodes[64];
	const struct kline *k;
	uint32_t reg_ms;

	if (client_is_registered(c) || !(c->flags & CF_GOT_NICK) || !(c->flags & CF_GOT_USER) ||
	    (c->flags & CF_CAP_NEG))
		return CMD_OK;
	if (cfg->password == NULL)
		c->flags |= CF_PASS_OK; /* none needed (any more, after a REHASH) */
	if (!(c->flags & (CF_PASS_OK | CF_PASS_BAD)) && c->pass != NULL) {
		/* once per connection: a hash is checked by a worker thread
		 * while this client's input waits (cmd/pwcheck.c) */
		enum pwcheck_result pr =
		    pwcheck_start(c, PW_REGISTER, cfg->password, c->pass, NULL);
		client_forget_pass(c);
		if (pr == PWCHECK_PENDING)
			return CMD_OK;
		if (pr == PWCHECK_BUSY) {
			client_close(c, "Server busy; try again later", NULL);
			return CMD_CLOSE;
		}
		c->flags |= pr == PWCHECK_OK ? CF_PASS_OK : CF_PASS_BAD;
	}
	if (!(c->flags & CF_PASS_OK)) {
		if (c->flags & CF_PASS_BAD)
			log_info("bad connection password from %s", c->host);
		numeric(c, ERR_PASSWDMISMATCH);
		client_close(c, "Bad password", NULL);
		return CMD_CLOSE;
	}
	if ((k = kline_find_kline(srv, c)) != NULL) {
		numeric(c, ERR_YOUREBANNEDCREEP);
		reply_notice(c, "*** You are banned from this server: %s", k->reason);
		srv->stats.kline_hits++;
		client_close(c, "K-lined", NULL);
		return CMD_CLOSE;
	}
	c->flags |= CF_REGISTERED;
	srv->stats.unknown--;
	srv->stats.users++;
	if (srv->stats.users > srv->stats.max_users)
		srv->stats.max_users = srv->stats.users;
	if (c->umodes & UMODE_INVISIBLE)
		srv->stats.invisible++;
	{
		/* accept to registration, before signon becomes the
		 * registration time (EVENT_REGISTERED carries it) */
		int64_t ms = (int64_t)(srv->now - c->signon) * 1000 + srv->now_ms - c->signon_ms;
		reg_ms = ms < 0 ? 0 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
	}
	c->signon = c->last_msg = srv->now;
	/* A fresh fakelag burst for the registered client: what it paid while
	 * registering (CAP LS/REQ/END, NICK, USER, PING: every command costs,
	 * see command.c) must not delay its first commands (JOIN, MODE, WHO
	 * for each channel). ircd-ratbox and charybdis, Solanum's ancestors,
	 * give a just-connected client 8 times the burst for the same reason
	 * (MAX_FLOOD_BURST: "allows clients to rejoin multiple channels without
	 * being so heavily penalised"). A flood before registration was
	 * already throttled on its way here. */
	c->fakelag = srv->now;
	client_timer_stop(c);
	client_timer_set(c, TIMER_PING);

	numeric(c, RPL_WELCOME, cfg->network, client_prefix(c, pfx, sizeof(pfx)));
	numeric(c, RPL_YOURHOST, cfg->name, "evircd-" EVIRCD_VERSION);
	numeric(c, RPL_CREATED, srv->created);
	numeric(c, RPL_MYINFO, cfg->name, "evircd-" EVIRCD_VERSION,
	    mode_myinfo_user(umodes, sizeof(umodes)), mode_myinfo_chan(cmodes, sizeof(cmodes)),
	    mode_myinfo_chan_param(pmodes, sizeof(pmodes)));
	send_isupport(c);
	send_lusers(c);
	send_motd(c);
	{
		struct event_registered ev = { c, reg_ms };
		event_publish_registered(srv, &ev); /* MONITOR, ... */
	}
	if (c->umodes != 0) {
		mode_user_string(c->umodes, modes, sizeof(modes));
		reply_raw(c, ":%s MODE %s :%s", c->nick, c->nick, modes);
	}
	log_debug("registered %s", pfx);
	return CMD_OK;
}
