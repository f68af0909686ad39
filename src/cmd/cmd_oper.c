/* cmd_oper.c - OPER KILL WALLOPS REHASH DIE (RFC 2812 §3.1.4, §3.7, §4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client.h"
#include "core/event.h"
#include "cmd/command.h"
#include "cmd/pwcheck.h"
#include "core/kline.h"
#include "core/log.h"
#include "core/number.h"
#include "proto/reply.h"
#include "core/server.h"
#include "net/server_io.h"

/* Wrong OPER passwords: each one adds OPER_FAIL_PENALTY seconds of fakelag
 * ("lag them up to help prevent brute-force attacks", InspIRCd core_oper
 * adds 10 s), and the connection is closed at the OPER_MAX_FAILS-th, so a
 * guesser pays with its own time and one verification per attempt even
 * when [flood] is disabled; reconnecting meets the connect throttle. */
#define OPER_FAIL_PENALTY 10
#define OPER_MAX_FAILS	  5

/* find_oper: the [oper] block called name whose host mask matches c. */
static struct oper_conf *
find_oper(struct client *c, const char *name)
{
	struct server *srv = c->srv;
	char uh[160], pfx[160];
	size_t i;

	snprintf(uh, sizeof(uh), "%s@%s", c->user, c->host);
	client_prefix(c, pfx, sizeof(pfx));
	for (i = 0; i < srv->cfg->nopers; i++) {
		struct oper_conf *o = &srv->cfg->opers[i];
		if (strcmp(o->name, name) != 0)
			continue;
		if (casemap_match(srv->cfg->casemapping, o->host,
			strchr(o->host, '!') ? pfx : uh) ||
		    client_mask_addr_match(c, o->host, strchr(o->host, '!') == NULL))
			return o;
	}
	return NULL;
}

/* account_refused: the block names an account (InspIRCd 4's <oper
 * account>) and c is not logged in to it: 491, as for a host mismatch
 * (the block is not for this client). Logged. */
static bool
account_refused(struct client *c, const struct oper_conf *oc)
{
	char pfx[160];

	if (oc->account == NULL ||
	    (c->account != NULL &&
		casemap_cmp(c->srv->cfg->casemapping, c->account, oc->account) == 0))
		return false;
	log_info("failed OPER as '%s' by %s: not logged in to account %s", oc->name,
	    client_prefix(c, pfx, sizeof(pfx)), oc->account);
	numeric(c, ERR_NOOPERHOST);
	return true;
}

/* OPER <name> <password>: 491 when no block matches the name and host (or
 * the block's account is not the one the client is logged in to), 464 on
 * a wrong password (Modern IRC "OPER message"). A block with an account
 * and no password needs no password: "OPER <name>" will do. Failures are
 * logged without the password. A hashed password is checked by a worker
 * thread while this client's input waits (cmd/pwcheck.c); the loop goes
 * on. */
enum cmd_result
cmd_oper(struct client *c, struct irc_msg *m)
{
	struct oper_conf *oc = find_oper(c, m->params[0]);
	char pfx[160];

	if (m->nparams < 2 && (oc == NULL || oc->password != NULL)) {
		numeric(c, ERR_NEEDMOREPARAMS, "OPER");
		return CMD_OK;
	}
	if (oc == NULL) {
		log_info("failed OPER as '%s' by %s: no matching oper block", m->params[0],
		    client_prefix(c, pfx, sizeof(pfx)));
		numeric(c, ERR_NOOPERHOST);
		return CMD_OK;
	}
	if (account_refused(c, oc))
		return CMD_OK;
	if (oc->password == NULL)
		return oper_verified(c, oc->name, true);
	switch (pwcheck_start(c, PW_OPER, oc->password, m->params[1], oc->name)) {
	case PWCHECK_PENDING:
		return CMD_OK;
	case PWCHECK_BUSY:
		numeric(c, RPL_TRYAGAIN, "OPER");
		return CMD_OK;
	case PWCHECK_OK:
		return oper_verified(c, oc->name, true);
	case PWCHECK_BAD:
		break;
	}
	return oper_verified(c, oc->name, false);
}

/* oper_verified: see command.h. The block is looked up again: a REHASH
 * may have removed it while the check ran. */
enum cmd_result
oper_verified(struct client *c, const char *name, bool ok)
{
	struct server *srv = c->srv;
	struct oper_conf *oc = find_oper(c, name);
	char pfx[160];

	client_prefix(c, pfx, sizeof(pfx));
	if (oc == NULL) {
		log_info("failed OPER as '%s' by %s: no matching oper block", name, pfx);
		numeric(c, ERR_NOOPERHOST);
		return CMD_OK;
	}
	if (account_refused(c, oc))
		return CMD_OK;
	if (!ok) {
		log_info("failed OPER as '%s' by %s: wrong password", name, pfx);
		numeric(c, ERR_PASSWDMISMATCH);
		if (c->fakelag < srv->now)
			c->fakelag = srv->now;
		c->fakelag += OPER_FAIL_PENALTY;
		if (++c->oper_fails >= OPER_MAX_FAILS) {
			log_info("closing %s: %d wrong OPER passwords", pfx, OPER_MAX_FAILS);
			client_close(c, "Too many failed OPER attempts", NULL);
			return CMD_CLOSE;
		}
		return CMD_OK;
	}
	if (!client_is_oper(c)) {
		struct event_mode ev = { NULL, NULL, c, "+o" }; /* set by the server */

		c->umodes |= UMODE_OPER;
		srv->stats.opers++;
		reply_raw(c, ":%s MODE %s :+o", c->nick, c->nick);
		event_publish_mode(srv, &ev);
	}
	{
		struct event_oper ev = { c, oc->name };
		event_publish_oper(srv, &ev);
	}
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
	snprintf(reason, sizeof(reason), "Killed (%s (%.*s))", c->nick,
	    utf8_prefix(m->params[1], srv->cfg->kicklen), m->params[1]);
	snprintf(nick, sizeof(nick), "%s", t->nick);
	{
		struct event_kill ev = { c, t, m->params[1] };
		event_publish_kill(srv, &ev);
	}
	client_close(t, reason, NULL);
	server_nick_hold(srv, nick);
	return self ? CMD_CLOSE : CMD_OK;
}

/* wallops_send: see command.h. */
void
wallops_send(struct server *srv, const char *from, const char *text)
{
	struct client *t;
	struct outline ol;

	outline_format(&ol, ":%s WALLOPS :%s", from, text);
	TAILQ_FOREACH(t, &srv->clients, link)
		if (client_is_registered(t) && (t->umodes & UMODE_WALLOPS))
			send_line(t, &ol);
}

/* WALLOPS: to every local +w user, then to the other servers
 * (EVENT_WALLOPS: network-wide, RFC 2812 §4.7). */
enum cmd_result
cmd_wallops(struct client *c, struct irc_msg *m)
{
	char pfx[160];

	wallops_send(c->srv, client_prefix(c, pfx, sizeof(pfx)), m->params[0]);
	{
		struct event_wallops ev = { c, c->nick, m->params[0] };
		event_publish_wallops(c->srv, &ev);
	}
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
	server_shutdown(c->srv, "Server shutting down");
	return CMD_CLOSE;
}

/* ban_enforce: disconnect who the newest ban (srv->klines) covers now: a
 * scan of all clients, once per operator command, never per message.
 * Returns the number disconnected. */
static int
ban_enforce(struct server *srv, char kind)
{
	struct client *c, *next;
	int n = 0;

	for (c = TAILQ_FIRST(&srv->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		if (c->state >= CLIENT_CLOSING || !kline_matches(srv, srv->klines, c))
			continue;
		if (kind == KLINE_K && !client_is_registered(c))
			continue; /* checked at registration */
		numeric(c, ERR_YOUREBANNEDCREEP);
		if (kind == KLINE_D)
			srv->stats.dline_hits++;
		else
			srv->stats.kline_hits++;
		client_close(c, kind == KLINE_D ? "D-lined" : "K-lined", NULL);
		n++;
	}
	return n;
}

/* ban_command: KLINE/DLINE [minutes] <mask> [:reason] (Solanum syntax: an
 * optional leading duration in minutes). KLINE <nick> bans *@host of that
 * user. Replies are server notices, as in Solanum and ngIRCd. */
static enum cmd_result
ban_command(struct client *c, struct irc_msg *m, char kind)
{
	struct server *srv = c->srv;
	time_t duration = 0;
	int i = 0, n;
	char mask[256], err[256] = "", pfx[160];
	const char *reason;
	long long v;

	/* A leading all-digit parameter is the duration in minutes. Longer
	 * than KLINE_MAX_MINUTES (52 weeks) is clamped to it, as Solanum's
	 * valid_temp_time does, so minutes * 60 can never overflow. */
	if (m->nparams > 1 && m->params[0][0] >= '0' && m->params[0][0] <= '9' &&
	    number_parse(m->params[0], 0, KLINE_MAX_MINUTES, &v) != NUMBER_INVALID) {
		duration = (time_t)v * 60;
		i = 1;
	}
	if (i >= m->nparams) {
		numeric(c, ERR_NEEDMOREPARAMS, kind == KLINE_K ? "KLINE" : "DLINE");
		return CMD_OK;
	}
	/* a mask too long for the buffer is cut on a UTF-8 boundary: it is
	 * refused as invalid anyway, and echoed in the notice */
	snprintf(mask, sizeof(mask), "%.*s", utf8_prefix(m->params[i], sizeof(mask) - 1),
	    m->params[i]);
	reason = i + 1 < m->nparams && m->params[i + 1][0] ? m->params[i + 1] : "No reason";
	if (strchr(mask, '@') == NULL && strchr(mask, '.') == NULL && strchr(mask, ':') == NULL) {
		struct client *t = server_find_nick(srv, mask);
		if (t == NULL) {
			numeric(c, ERR_NOSUCHNICK, mask);
			return CMD_OK;
		}
		if (kind == KLINE_K)
			snprintf(mask, sizeof(mask), "*@%s", t->host);
		else
			snprintf(mask, sizeof(mask), "%s",
			    t->host[0] == '0' && t->host[1] == ':' ? t->host + 1 : t->host);
	}
	n = kline_add(srv, kind, mask, duration, reason, client_prefix(c, pfx, sizeof(pfx)), err,
	    sizeof(err));
	if (n == 0) {
		struct event_ban ev = { c, kind, true, srv->klines->mask, (long long)duration,
			reason };
		snprintf(mask, sizeof(mask), "%s", srv->klines->mask); /* canonical form */
		event_publish_ban(srv, &ev);
		n = ban_enforce(srv, kind);
	}
	if (n < 0) {
		reply_notice(c, "*** %s", err);
		return CMD_OK;
	}
	reply_notice(c, "*** Added %s %c-line for [%s]: %s; %d client(s) disconnected%s%s",
	    duration ? "temporary" : "permanent", kind, mask, reason, n, err[0] ? "; " : "", err);
	return c->state >= CLIENT_CLOSING ? CMD_CLOSE : CMD_OK;
}

static enum cmd_result
unban_command(struct client *c, struct irc_msg *m, char kind)
{
	if (kline_remove(c->srv, kind, m->params[0])) {
		struct event_ban ev = { c, kind, false, m->params[0], 0, NULL };
		event_publish_ban(c->srv, &ev);
		reply_notice(c, "*** %c-line for [%s] removed", kind, m->params[0]);
	} else
		reply_notice(c, "*** No %c-line for [%s]", kind, m->params[0]);
	return CMD_OK;
}

enum cmd_result
cmd_kline(struct client *c, struct irc_msg *m)
{
	return ban_command(c, m, KLINE_K);
}

enum cmd_result
cmd_dline(struct client *c, struct irc_msg *m)
{
	return ban_command(c, m, KLINE_D);
}

enum cmd_result
cmd_unkline(struct client *c, struct irc_msg *m)
{
	return unban_command(c, m, KLINE_K);
}

enum cmd_result
cmd_undline(struct client *c, struct irc_msg *m)
{
	return unban_command(c, m, KLINE_D);
}
