/* cmd_query.c - WHO WHOIS WHOWAS ISON USERHOST MOTD LUSERS VERSION TIME
 * ADMIN INFO STATS LINKS SUMMON USERS (RFC 2812 §3.4-§3.6, §4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evircd_config.h"
#include "proto/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "cmd/command.h"
#include "cmd/target.h"
#include "core/kline.h"
#include "core/number.h"
#include "proto/mode.h"
#include "proto/pack.h"
#include "proto/reply.h"
#include "core/netserver.h"
#include "core/server.h"

#define WHO_MAX_RESULTS 500 /* cap for mask WHO, like ircd's WHO limit */

/* shares_channel: O(channels of a) membership probes. */
static bool
shares_channel(const struct client *a, const struct client *b)
{
	const struct membership *m;

	LIST_FOREACH(m, &a->channels, by_client)
		if (channel_find_member(m->chan, b) != NULL)
			return true;
	return false;
}

/* WHOX request: the fields after '%' and the optional token. */
struct whox {
	bool on;
	char fields[32];
	char token[8];
};

static void
who_reply(struct client *c, const char *chname, const struct client *t, uint8_t mmodes,
    const struct whox *wx)
{
	char flags[12], *p = flags, pfx[4], out[480];
	size_t len = 0;
	const char *f;

	*p++ = t->away ? 'G' : 'H';
	if (client_is_oper(t))
		*p++ = '*';
	if (t->umodes & UMODE_BOT)
		*p++ = 'B';
	mode_prefix_str(mmodes, (c->caps & CAP_MULTI_PREFIX) != 0, pfx);
	strcpy(p, pfx);
	if (wx == NULL || !wx->on) {
		/* the server field and hopcount say where the user is */
		numeric(c, RPL_WHOREPLY, chname, t->user, t->host, client_server(t)->name, t->nick,
		    flags, client_is_remote(t) ? remote_of_const(t)->hops : 0u,
		    t->realname ? t->realname : "");
		return;
	}
	/* WHOX (ircv3.net/specs/extensions/whox): fields in the fixed order
	 * t c u i h s n f d l a o r, whatever order they were asked in. */
	out[0] = '\0';
#define ADD(...) \
	do { \
		if (len < sizeof(out)) \
			len += \
			    (size_t)snprintf(out + len, sizeof(out) - len, "%s", len ? " " : ""); \
		if (len < sizeof(out)) \
			len += (size_t)snprintf(out + len, sizeof(out) - len, __VA_ARGS__); \
	} while (0)
	for (f = "tcuihsnfdlaor"; *f; f++) {
		if (strchr(wx->fields, *f) == NULL)
			continue;
		switch (*f) {
		case 't':
			ADD("%s", wx->token[0] ? wx->token : "0");
			break;
		case 'c':
			ADD("%s", chname);
			break;
		case 'u':
			ADD("%s", t->user);
			break;
		case 'i':
			ADD("%s", t->host);
			break;
		case 'h':
			ADD("%s", t->host);
			break;
		case 's':
			ADD("%s", client_server(t)->name);
			break;
		case 'n':
			ADD("%s", t->nick);
			break;
		case 'f':
			ADD("%s", flags);
			break;
		case 'd':
			ADD("0");
			break;
		case 'l':
			ADD("%ld", (long)(c->srv->now - t->last_msg));
			break;
		case 'a':
			ADD("%s", t->account ? t->account : "0");
			break;
		case 'o':
			ADD("n/a");
			break;
		case 'r':
			ADD(":%s", t->realname ? t->realname : "");
			break;
		}
	}
#undef ADD
	numeric(c, RPL_WHOSPCRPL, out);
}

/* WHO <mask> [o] (RFC 2812 §3.6.1): a channel lists its (visible) members;
 * a mask matches nick, user, host, server or realname of visible users. */
/* who_mask_match: does WHO <mask> list t for c (registered, not hidden by
 * +i, the mask matching nick, user, host, server or realname)? */
static bool
who_mask_match(struct client *c, struct client *t, const char *mask, bool opers_only)
{
	enum casemapping cm = c->srv->cfg->casemapping;

	if (!client_is_registered(t) || t->state >= CLIENT_CLOSING)
		return false;
	if (opers_only && !client_is_oper(t))
		return false;
	if ((t->umodes & UMODE_INVISIBLE) && t != c && !shares_channel(c, t))
		return false;
	return casemap_match(cm, mask, t->nick) || casemap_match(cm, mask, t->user) ||
	    casemap_match(cm, mask, t->host) || casemap_match(cm, mask, client_server(t)->name) ||
	    (t->realname && casemap_match(cm, mask, t->realname));
}

enum cmd_result
cmd_who(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	const char *mask = m->nparams > 0 && m->params[0][0] ? m->params[0] : "*";
	const char *asked = mask; /* RPL_ENDOFWHO echoes the mask as sent */
	bool opers_only = false;
	struct whox wx;

	memset(&wx, 0, sizeof(wx));
	if (m->nparams > 1) {
		char *pct = strchr(m->params[1], '%');
		if (pct != NULL) {
			char *comma = strchr(pct, ',');
			wx.on = true;
			if (comma != NULL) {
				*comma = '\0';
				/* WHOX token: at most 3 bytes, never half a
				 * UTF-8 character */
				snprintf(wx.token, sizeof(wx.token), "%.*s",
				    utf8_prefix(comma + 1, 3), comma + 1);
			}
			snprintf(wx.fields, sizeof(wx.fields), "%s", pct + 1);
			*pct = '\0';
		}
		opers_only = strchr(m->params[1], 'o') != NULL;
	}
	unsigned count = 0;

	if (strcmp(mask, "0") == 0)
		mask = "*";
	if (strchr("#&+!", mask[0]) != NULL) {
		struct channel *ch = server_find_channel(srv, mask);
		if (ch != NULL) {
			bool member = channel_find_member(ch, c) != NULL;
			struct membership *mb, *tmp;
			if (member || !(ch->modes & CMODE_SECRET)) {
				HASH_ITER(hh, ch->members, mb, tmp) {
					if (!member && (mb->client->umodes & UMODE_INVISIBLE))
						continue;
					if (opers_only && !client_is_oper(mb->client))
						continue;
					who_reply(c, ch->name, mb->client, mb->modes, &wx);
				}
			}
		}
		numeric(c, RPL_ENDOFWHO, asked);
		return CMD_OK;
	}
	struct client *t = server_find_nick(srv, mask);
	if (t != NULL && client_is_registered(t)) {
		/* exact nick: O(1), no scan */
		if (!opers_only || client_is_oper(t))
			who_reply(c, "*", t, 0, &wx);
		numeric(c, RPL_ENDOFWHO, asked);
		return CMD_OK;
	}
	TAILQ_FOREACH(t, &srv->clients, link) {
		if (!who_mask_match(c, t, mask, opers_only))
			continue;
		who_reply(c, "*", t, 0, &wx);
		if (++count >= WHO_MAX_RESULTS)
			break;
	}
	if (srv->stats.remote_users > 0 && count < WHO_MAX_RESULTS) {
		/* users behind links are not connections: found in the nick
		 * map, after the local ones */
		struct client *tmp;
		HASH_ITER(hh, srv->nicks, t, tmp) {
			if (!client_is_remote(t) || !who_mask_match(c, t, mask, opers_only))
				continue;
			who_reply(c, "*", t, 0, &wx);
			if (++count >= WHO_MAX_RESULTS)
				break;
		}
	}
	numeric(c, RPL_ENDOFWHO, asked);
	return CMD_OK;
}

static void
whois_one(struct client *c, const char *nick)
{
	struct server *srv = c->srv;
	struct client *t = server_find_nick(srv, nick);
	struct membership *mb;
	struct linepack lp;

	if (t == NULL || !client_is_registered(t)) {
		numeric(c, ERR_NOSUCHNICK, nick);
		return;
	}
	numeric(c, RPL_WHOISUSER, t->nick, t->user, t->host, t->realname ? t->realname : "");
	/* RPL_WHOISCHANNELS "<client> <nick> :*( <prefix> <channel> )", packed
	 * against the real line length (pack.h) */
	linepack_numeric(&lp, c, send_line, RPL_WHOISCHANNELS, ' ', 0, NULL, "%s :", t->nick);
	LIST_FOREACH(mb, &t->channels, by_client) {
		struct channel *ch = mb->chan;
		char pfx[4], item[IRC_LINE_MAX];
		int n;
		if ((ch->modes & (CMODE_SECRET | CMODE_PRIVATE)) && t != c &&
		    channel_find_member(ch, c) == NULL)
			continue;
		mode_prefix_str(mb->modes, (c->caps & CAP_MULTI_PREFIX) != 0, pfx);
		n = snprintf(item, sizeof(item), "%s%s", pfx, ch->name);
		if (n > 0 && (size_t)n < sizeof(item))
			linepack_add(&lp, item, (size_t)n);
	}
	linepack_end(&lp, false);
	/* 312 names the server the user is on (RFC 2812 §3.6.2) */
	numeric(c, RPL_WHOISSERVER, t->nick, client_server(t)->name, client_server(t)->info);
	if (t->away != NULL)
		numeric(c, RPL_AWAY, t->nick, t->away);
	if (client_is_oper(t))
		numeric(c, RPL_WHOISOPERATOR, t->nick);
	if (t->account != NULL)
		numeric(c, RPL_WHOISACCOUNT, t->nick, t->account);
	if (t->umodes & UMODE_BOT)
		numeric(c, RPL_WHOISBOT, t->nick, srv->cfg->network);
	/* TLS: 671 to everyone; the CertFP (276) only to the user and to
	 * operators, as Solanum and InspIRCd do: it identifies a person. */
	if (t->umodes & UMODE_SECURE)
		numeric(c, RPL_WHOISSECURE, t->nick);
	if (t->certfp != NULL && (t == c || client_is_oper(c)))
		numeric(c, RPL_WHOISCERTFP, t->nick, t->certfp);
	/* idle time is known only to the user's own server (a remote WHOIS
	 * that asks it is not written yet: docs/NETWORK.md) */
	if (!client_is_remote(t))
		numeric(c, RPL_WHOISIDLE, t->nick, (long)(srv->now - t->last_msg), (long)t->signon);
}

/* WHOIS [server] <nick>: TARGMAX WHOIS:1 (as Solanum advertises), so only
 * the first nick of a list is answered and a second distinct one gets 407
 * (RFC 2812 §5, Modern IRC TARGMAX). RPL_ENDOFWHOIS carries the nick as
 * given. */
enum cmd_result
cmd_whois(struct client *c, struct irc_msg *m)
{
	char *list = m->params[m->nparams > 1 ? 1 : 0], *nick;
	struct targets seen;

	targets_init(&seen, c);
	nick = targets_next(&seen, &list, 1, c, false);
	if (nick == NULL) {
		numeric(c, ERR_NONICKNAMEGIVEN);
		return CMD_OK;
	}
	whois_one(c, nick);
	numeric(c, RPL_ENDOFWHOIS, nick);
	/* the 407 for a second nick comes after the answer to the first */
	(void)targets_next(&seen, &list, 1, c, false);
	return CMD_OK;
}

/* WHOWAS <nick> [count]: newest first from the history ring. */
enum cmd_result
cmd_whowas(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	const char *nick = m->params[0];
	long long max = 0;
	unsigned i, found = 0;

	/* RFC 2812 §3.6.3: a count that is not positive means all entries;
	 * a count past the history is all of it (clamped, never wrapped);
	 * a count that is not a number is ignored. */
	if (m->nparams > 1 &&
	    number_parse(m->params[1], -1, (long long)srv->whowas_size, &max) == NUMBER_INVALID)
		max = 0;

	if (nick[0] == '\0') {
		numeric(c, ERR_NONICKNAMEGIVEN);
		return CMD_OK;
	}
	for (i = 0; i < srv->whowas_count; i++) {
		unsigned idx = (srv->whowas_next + srv->whowas_size - 1 - i) % srv->whowas_size;
		struct whowas *w = &srv->whowas[idx];
		if (casemap_cmp(srv->cfg->casemapping, w->nick, nick) != 0)
			continue;
		numeric(c, RPL_WHOWASUSER, w->nick, w->user, w->host,
		    w->realname ? w->realname : "");
		numeric(c, RPL_WHOISSERVER, w->nick, w->server ? w->server : srv->cfg->name,
		    srv->created);
		if (max > 0 && (long long)++found >= max)
			break;
		if (max <= 0)
			found++;
	}
	if (found == 0)
		numeric(c, ERR_WASNOSUCHNICK, nick);
	numeric(c, RPL_ENDOFWHOWAS, nick);
	return CMD_OK;
}

/* ISON nick... (RFC 2812 §4.9): nicks may come as several parameters or
 * space separated in the trailing one. */
enum cmd_result
cmd_ison(struct client *c, struct irc_msg *m)
{
	struct linepack lp;
	char *tok, *rest;
	int i;

	/* RPL_ISON ":[<nick>{ <nick>}]": one line is the answer a client
	 * waits for (RFC 2812 §4.9); nicks that would not fit it are left
	 * out rather than cut (the request itself fits in 512 bytes, so only
	 * a head longer than the request's can overflow). */
	linepack_numeric(&lp, c, send_line, RPL_ISON, ' ', 0, NULL, ":");
	for (i = 0; i < m->nparams; i++) {
		for (rest = m->params[i]; (tok = strsep(&rest, " ")) != NULL;) {
			struct client *t;
			if (*tok == '\0')
				continue;
			t = server_find_nick(c->srv, tok);
			if (t == NULL || !client_is_registered(t))
				continue;
			if (!linepack_fits(&lp, strlen(t->nick)))
				break;
			linepack_addstr(&lp, t->nick);
		}
	}
	linepack_end(&lp, true);
	return CMD_OK;
}

/* USERHOST nick{ nick} (up to 5): nick[*]=(+|-)user@host (RFC 2812
 * §4.8), packed against the real line length: five replies of a 32-byte
 * nick, a 10-byte user and a 64-byte host fit one line. */
enum cmd_result
cmd_userhost(struct client *c, struct irc_msg *m)
{
	struct linepack lp;
	int i;

	linepack_numeric(&lp, c, send_line, RPL_USERHOST, ' ', 0, NULL, ":");
	for (i = 0; i < m->nparams && i < 5; i++) {
		struct client *t = server_find_nick(c->srv, m->params[i]);
		char item[NICKLEN_MAX + USERLEN + HOSTLEN + 8];
		int n;
		if (t == NULL || !client_is_registered(t))
			continue;
		n = snprintf(item, sizeof(item), "%s%s=%c%s@%s", t->nick,
		    client_is_oper(t) ? "*" : "", t->away ? '-' : '+', t->user, t->host);
		if (n > 0 && (size_t)n < sizeof(item))
			linepack_add(&lp, item, (size_t)n);
	}
	linepack_end(&lp, true);
	return CMD_OK;
}

/* target_ok: the optional <target> of MOTD/VERSION/TIME/ADMIN/INFO/LUSERS
 * must name this server (or a user on it): we are a single server. */
static bool
target_ok(struct client *c, struct irc_msg *m, int idx)
{
	struct server *srv = c->srv;
	const char *t;

	if (m->nparams <= idx || m->params[idx][0] == '\0')
		return true;
	t = m->params[idx];
	if (casemap_match(CASEMAP_ASCII, t, srv->cfg->name) || server_find_nick(srv, t) != NULL)
		return true;
	numeric(c, ERR_NOSUCHSERVER, t);
	return false;
}

enum cmd_result
cmd_motd(struct client *c, struct irc_msg *m)
{
	if (target_ok(c, m, 0))
		send_motd(c);
	return CMD_OK;
}

enum cmd_result
cmd_lusers(struct client *c, struct irc_msg *m)
{
	if (target_ok(c, m, 1))
		send_lusers(c);
	return CMD_OK;
}

/* VERSION: 351 then the ISUPPORT lines (Modern IRC "VERSION message"). */
enum cmd_result
cmd_version(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;

	if (!target_ok(c, m, 0))
		return CMD_OK;
	numeric(c, RPL_VERSION, EVIRCD_VERSION, srv->cfg->name, "libevent IRC server");
	if (!client_is_remote(c)) /* a remote VERSION <server>: 351 only (RFC 2812 §3.4.3) */
		send_isupport(c);
	return CMD_OK;
}

enum cmd_result
cmd_time(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	char buf[64];
	struct tm tm;

	if (!target_ok(c, m, 0))
		return CMD_OK;
	gmtime_r(&srv->now, &tm);
	strftime(buf, sizeof(buf), "%A %B %d %Y -- %H:%M:%S +00:00", &tm);
	numeric(c, RPL_TIME, srv->cfg->name, (long long)srv->now, buf);
	return CMD_OK;
}

enum cmd_result
cmd_admin(struct client *c, struct irc_msg *m)
{
	struct config *cfg = c->srv->cfg;

	if (!target_ok(c, m, 0))
		return CMD_OK;
	numeric(c, RPL_ADMINME, cfg->name);
	numeric(c, RPL_ADMINLOC1, cfg->admin_name);
	numeric(c, RPL_ADMINLOC2, cfg->admin_location);
	numeric(c, RPL_ADMINEMAIL, cfg->admin_email);
	return CMD_OK;
}

enum cmd_result
cmd_info(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	char buf[128];

	if (!target_ok(c, m, 0))
		return CMD_OK;
	numeric(c, RPL_INFO, "evircd " EVIRCD_VERSION " - an asynchronous IRC server on libevent");
	numeric(c, RPL_INFO, "Protocol: RFC 1459, RFC 2811, RFC 2812, Modern IRC");
	snprintf(buf, sizeof(buf), "Running since %s", srv->created);
	numeric(c, RPL_INFO, buf);
	numeric(c, RPL_ENDOFINFO);
	return CMD_OK;
}

/* STATS <letter>: u (uptime), m (command counts), o (operator blocks, to
 * operators only); any other letter just ends the report. */
enum cmd_result
cmd_stats(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	char letter[2] = { m->nparams > 0 && m->params[0][0] ? m->params[0][0] : '*', 0 };
	size_t i;
	long up;

	switch (letter[0]) {
	case 'u':
		up = (long)(srv->now - srv->started);
		numeric(c, RPL_STATSUPTIME, up / 86400, (up / 3600) % 24, (up / 60) % 60, up % 60);
		break;
	case 'm':
		for (i = 0; i < command_count; i++)
			if (srv->cmd_count[i] > 0)
				numeric(c, RPL_STATSCOMMANDS, command_table[i].name,
				    srv->cmd_count[i], 0UL);
		break;
	case 'o':
		if (!client_is_oper(c)) {
			numeric(c, ERR_NOPRIVILEGES);
			break;
		}
		for (i = 0; i < srv->cfg->nopers; i++)
			numeric(c, RPL_STATSOLINE, srv->cfg->opers[i].host,
			    srv->cfg->opers[i].name);
		break;
	case 'k':
	case 'K':
	case 'd':
	case 'D': {
		const struct kline *k;
		char kind = (letter[0] == 'k' || letter[0] == 'K') ? KLINE_K : KLINE_D;
		if (!client_is_oper(c)) {
			numeric(c, ERR_NOPRIVILEGES);
			break;
		}
		for (k = srv->klines; k != NULL; k = k->next) {
			if (k->kind != kind || (k->expires && k->expires <= srv->now))
				continue;
			if (kind == KLINE_K)
				numeric(c, RPL_STATSKLINE, k->mask, k->reason);
			else
				numeric(c, RPL_STATSDLINE, k->mask, k->reason);
		}
		break;
	}
	default:
		break;
	}
	numeric(c, RPL_ENDOFSTATS, letter);
	return CMD_OK;
}

enum cmd_result
cmd_links(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct netserver *ns, *tmp;

	/* RFC 2812 §3.4.5: "<mask> <server> :<hopcount> <server info>" for
	 * every server of the network, ourselves first; the second field is
	 * the server it is linked to (ourselves for us). */
	numeric(c, RPL_LINKS, srv->me->name, srv->me->name, 0u, srv->me->info);
	HASH_ITER(hh, srv->servers, ns, tmp)
		if (ns != srv->me)
			numeric(c, RPL_LINKS, ns->name,
			    ns->uplink ? ns->uplink->name : srv->me->name, ns->hops, ns->info);
	numeric(c, RPL_ENDOFLINKS, "*");
	return CMD_OK;
}

enum cmd_result
cmd_summon(struct client *c, struct irc_msg *m)
{
	numeric(c, ERR_SUMMONDISABLED);
	return CMD_OK;
}

enum cmd_result
cmd_users(struct client *c, struct irc_msg *m)
{
	numeric(c, ERR_USERSDISABLED);
	return CMD_OK;
}

/* HELP [<subject>] and HELPOP (Modern IRC "HELP message"; Solanum and
 * InspIRCd answer both names): RPL_HELPSTART with the topic's first line,
 * RPL_HELPTXT for the others, RPL_ENDOFHELP; ERR_HELPNOTFOUND for an
 * unknown subject. No subject is the topic INDEX, shown as "*" as Modern
 * IRC's example does. The text comes from the help file loaded with the
 * configuration ([server] help_file, docs/help.txt installed). */
enum cmd_result
cmd_help(struct client *c, struct irc_msg *m)
{
	const char *subject = m->nparams > 0 && m->params[0][0] != '\0' ? m->params[0] : NULL;
	const struct help_topic *t = config_help_find(c->srv->cfg, subject ? subject : "INDEX");
	const char *shown = subject ? subject : "*";
	size_t i;

	if (t == NULL || t->nlines == 0 || strlen(shown) > 32) {
		numeric(c, ERR_HELPNOTFOUND, strlen(shown) > 32 ? "*" : shown);
		return CMD_OK;
	}
	shown = subject ? t->name : "*";
	numeric(c, RPL_HELPSTART, shown, t->lines[0]);
	for (i = 1; i < t->nlines; i++)
		numeric(c, RPL_HELPTXT, shown, t->lines[i][0] ? t->lines[i] : " ");
	numeric(c, RPL_ENDOFHELP, shown);
	return CMD_OK;
}
