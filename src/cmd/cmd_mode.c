/* cmd_mode.c - MODE for channels (RFC 2811 §4) and users (RFC 2812 §3.1.5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/event.h"
#include "cmd/command.h"
#include "proto/message.h"
#include "proto/mode.h"
#include "proto/reply.h"
#include "core/server.h"

/* Errors sent at most once per MODE command, whatever the number of letters
 * (Solanum ircd/chmode.c: the SM_ERR_* bits "so we send once per call"). */
enum mode_errs {
	ERRS_UNKNOWN = 1u << 0, /* 472 */
	ERRS_DENIED = 1u << 1, /* 442 / 482 */
	ERRS_NEEDMORE = 1u << 2, /* 461 */
	ERRS_CREATOR = 1u << 3, /* 325 RPL_UNIQOPIS answered */
};

/* list_reply_fits: does ":server NNN nick #chan mask[ rest]" fit one line? */
static bool
list_reply_fits(const struct client *c, const struct channel *ch, const char *mask, size_t restlen)
{
	size_t len = 1 + strlen(c->srv->cfg->name) + 5 + strlen(c->nick) + 1 + strlen(ch->name) +
	    1 + strlen(mask) + restlen;

	return len <= IRC_LINE_MAX - 2;
}

/* send_mask_list: the entries of one b/e/I list and its end numeric. The
 * setter and time are optional (Modern IRC RPL_BANLIST "<mask> [<who>
 * <set-ts>]"): when the whole entry would not fit 512 bytes (long server,
 * nick and channel names) the setter is shortened to its nick, then both are
 * left out, so the mask itself is never cut. */
static void
send_mask_list(struct client *c, struct channel *ch, const struct chanmode_def *d)
{
	struct mask_entry *e;
	char when[24];

	for (e = ch->lists[d->list]; e != NULL; e = e->next) {
		size_t slen = strlen(e->setter), nlen = strcspn(e->setter, "!");
		int wlen = snprintf(when, sizeof(when), "%lld", (long long)e->when);

		if (list_reply_fits(c, ch, e->mask, 1 + slen + 1 + (size_t)wlen))
			reply_numeric(c, d->rpl_item, "%s %s %s %s", ch->name, e->mask, e->setter,
			    when);
		else if (list_reply_fits(c, ch, e->mask, 1 + nlen + 1 + (size_t)wlen))
			reply_numeric(c, d->rpl_item, "%s %s %.*s %s", ch->name, e->mask, (int)nlen,
			    e->setter, when);
		else
			reply_numeric(c, d->rpl_item, "%s %s", ch->name, e->mask);
	}
	if (d->rpl_end == RPL_ENDOFBANLIST)
		numeric(c, RPL_ENDOFBANLIST, ch->name);
	else if (d->rpl_end == RPL_ENDOFEXCEPTLIST)
		numeric(c, RPL_ENDOFEXCEPTLIST, ch->name);
	else
		numeric(c, RPL_ENDOFINVEXLIST, ch->name);
}

static bool
key_valid(const char *key)
{
	const unsigned char *p;

	if (*key == '\0' || strlen(key) > 23)
		return false;
	for (p = (const unsigned char *)key; *p; p++)
		if (*p <= ' ' || *p == ',' || *p == ':' || *p == 0x7f)
			return false;
	return true;
}

/* A MODE broadcast in progress (mode_broadcast). */
struct mode_emit {
	struct server *srv;
	struct channel *ch;
	struct client *source; /* NULL: the server */
	size_t headlen; /* ":source MODE #chan" */
};

/* emit_channel: one packed MODE line to every member, then EVENT_MODE with
 * that line's changes ("+bb mask1 mask2") for the subscribers. */
static void
emit_channel(void *ctx, const char *line, size_t len)
{
	struct mode_emit *me = ctx;
	struct event_mode ev = { me->source, me->ch, NULL, line + me->headlen + 1 };
	struct outline ol;

	(void)len;
	outline_format(&ol, "%s", line);
	send_channel(me->ch, NULL, &ol, 0);
	event_publish_mode(me->srv, &ev);
}

/* mode_broadcast: see cmd/command.h. */
void
mode_broadcast(struct server *srv, struct channel *ch, struct client *source,
    const struct mode_lines *ml)
{
	struct mode_emit me = { srv, ch, source, 0 };
	char head[IRC_LINE_MAX], pfx[160];
	int n;

	if (ml->n == 0)
		return;
	n = snprintf(head, sizeof(head), ":%s MODE %s",
	    source != NULL ? client_prefix(source, pfx, sizeof(pfx)) : srv->cfg->name, ch->name);
	if (n < 0 || (size_t)n >= sizeof(head))
		return;
	me.headlen = (size_t)n;
	mode_lines_pack(ml, head, IRC_LINE_MAX - 2, emit_channel, &me);
}

/* apply_list: +/- one b/e/I mask. */
static void
apply_list(struct client *c, struct channel *ch, const struct chanmode_def *d,
    const struct mode_change *mc, struct mode_lines *ml)
{
	struct server *srv = c->srv;
	char mask[300], pfx[160];
	size_t max;

	if (mc->arg[0] == '\0' || mc->arg[0] == ':' || strchr(mc->arg, ' '))
		return;
	if (!channel_mask_normalise(mc->arg, mask, sizeof(mask), d->list)) {
		if (mc->dir == '+')
			numeric(c, ERR_INVALIDMODEPARAM, ch->name, mc->mode, mc->arg,
			    "Invalid extended ban (EXTBAN=," EXTBAN_LETTERS "; no m: on I)");
		if (mc->dir == '+' || strlen(mc->arg) >= sizeof(mask))
			return;
		snprintf(mask, sizeof(mask), "%s", mc->arg); /* -: remove as given */
	}
	/* the mask must fit a MODE line from any member and a 367 reply to
	 * any nick, whole (issue 9 item 6) */
	max = mode_mask_max(strlen(srv->cfg->name), NICKLEN_MAX, strlen(ch->name));
	if (strlen(mask) > max) {
		if (mc->dir == '+') {
			char why[64];
			snprintf(why, sizeof(why), "Mask too long (at most %zu bytes)", max);
			numeric(c, ERR_INVALIDMODEPARAM, ch->name, mc->mode, "*", why);
		}
		return;
	}
	if (mc->dir == '+') {
		int r = channel_list_add(ch, d->list, mask, client_prefix(c, pfx, sizeof(pfx)),
		    srv->now, srv->cfg->max_list);
		if (r < 0)
			numeric(c, ERR_BANLISTFULL, ch->name, mc->mode);
		else if (r > 0)
			mode_lines_add(ml, '+', mc->mode, mask);
	} else if (channel_list_del(srv, ch, d->list, mask))
		mode_lines_add(ml, '-', mc->mode, mask);
}

/* apply_member: +/- a member status (o, v). */
static void
apply_member(struct client *c, struct channel *ch, const struct chanmode_def *d,
    const struct mode_change *mc, struct mode_lines *ml)
{
	struct client *t = server_find_nick(c->srv, mc->arg);
	struct membership *tm = t ? channel_find_member(ch, t) : NULL;

	if (t == NULL) {
		numeric(c, ERR_NOSUCHNICK, mc->arg);
		return;
	}
	if (tm == NULL) {
		numeric(c, ERR_USERNOTINCHANNEL, t->nick, ch->name);
		return;
	}
	if (mc->dir == '+' && !(tm->modes & d->member)) {
		tm->modes |= d->member;
		mode_lines_add(ml, '+', mc->mode, t->nick);
	} else if (mc->dir == '-' && (tm->modes & d->member)) {
		tm->modes &= (uint8_t)~d->member;
		mode_lines_add(ml, '-', mc->mode, t->nick);
	}
}

/* apply_key: +k / -k (RFC 2811 §4.2.7). */
static void
apply_key(struct client *c, struct channel *ch, const struct mode_change *mc, struct mode_lines *ml)
{
	if (mc->dir == '+') {
		if (ch->modes & CMODE_KEY) {
			/* RFC 2811 §4.2.6 / RFC 2812 ERR_KEYSET */
			numeric(c, ERR_KEYSET, ch->name);
			return;
		}
		if (!key_valid(mc->arg)) {
			numeric(c, ERR_INVALIDKEY, ch->name);
			return;
		}
		free(ch->chankey);
		ch->chankey = strdup(mc->arg);
		if (ch->chankey == NULL)
			return;
		ch->modes |= CMODE_KEY;
		mode_lines_add(ml, '+', 'k', ch->chankey);
	} else if (ch->modes & CMODE_KEY) {
		ch->modes &= ~CMODE_KEY;
		mode_lines_add(ml, '-', 'k', "*");
		free(ch->chankey);
		ch->chankey = NULL;
	}
}

/* apply_limit: +l n / -l (RFC 2811 §4.2.9). */
static void
apply_limit(struct client *c, struct channel *ch, const struct mode_change *mc,
    struct mode_lines *ml)
{
	char buf[24];

	if (mc->dir == '+') {
		long long v;
		/* a whole number 1..1000000, else ERR_INVALIDMODEPARAM
		 * (never a wrapped or partly parsed value) */
		if (number_parse(mc->arg, 1, 1000000, &v) != NUMBER_OK) {
			/* echo at most 23 bytes of the bad value: the reply
			 * must fit 512 bytes with a 200-byte channel name */
			snprintf(buf, sizeof(buf), "%.*s", utf8_prefix(mc->arg, sizeof(buf) - 1),
			    mc->arg);
			numeric(c, ERR_INVALIDMODEPARAM, ch->name, 'l', buf, "Invalid limit");
			return;
		}
		if ((ch->modes & CMODE_LIMIT) && ch->limit == (unsigned)v)
			return;
		ch->limit = (unsigned)v;
		ch->modes |= CMODE_LIMIT;
		snprintf(buf, sizeof(buf), "%lld", v);
		mode_lines_add(ml, '+', 'l', buf);
	} else if (ch->modes & CMODE_LIMIT) {
		ch->modes &= ~CMODE_LIMIT;
		ch->limit = 0;
		mode_lines_add(ml, '-', 'l', NULL);
	}
}

/* apply_flag: +/- a mode without parameter, by its table bit. */
static void
apply_flag(struct channel *ch, const struct chanmode_def *d, const struct mode_change *mc,
    struct mode_lines *ml)
{
	if (mc->dir == '+' && !(ch->modes & d->bit)) {
		ch->modes |= d->bit;
		mode_lines_add(ml, '+', mc->mode, NULL);
	} else if (mc->dir == '-' && (ch->modes & d->bit)) {
		ch->modes &= ~d->bit;
		mode_lines_add(ml, '-', mc->mode, NULL);
	}
}

/* deny: 442 or 482, once per command. */
static void
deny(struct client *c, struct channel *ch, bool member, unsigned *errs)
{
	if (*errs & ERRS_DENIED)
		return;
	*errs |= ERRS_DENIED;
	if (member)
		numeric(c, ERR_CHANOPRIVSNEEDED, ch->name);
	else
		numeric(c, ERR_NOTONCHANNEL, ch->name);
}

static enum cmd_result
channel_mode(struct client *c, struct channel *ch, struct irc_msg *m)
{
	struct membership *mb = channel_find_member(ch, c);
	struct mode_change changes[32];
	struct mode_lines ml;
	bool is_op = mb != NULL && (mb->modes & MEMB_OP);
	unsigned errs = 0, queried = 0;
	char buf[128];
	int n, i;

	if (mb == NULL && (ch->modes & CMODE_SECRET)) {
		/* A secret channel shows nothing about itself to a non-member:
		 * no modes, no ban/exception/invite masks or their setters
		 * (issue 9 item 4). RFC 2811 §4.2.6 hides a secret channel
		 * from TOPIC, LIST and NAMES but still lets MODE answer; we
		 * follow InspIRCd src/coremods/core_mode.cpp instead
		 * (CanSeeChan: a non-member of a +s channel gets
		 * ERR_NOSUCHCHANNEL for any MODE), because the lists name the
		 * people the operators are keeping out or letting in. (InspIRCd
		 * hides +p channels the same way; our +p keeps RFC 2811's
		 * weaker "private" meaning.) */
		numeric(c, ERR_NOSUCHCHANNEL, m->params[0]);
		return CMD_OK;
	}
	if (m->nparams < 2) {
		/* RFC 2811: the key and limit are shown to members only. */
		mode_channel_string(ch, mb != NULL, buf, sizeof(buf));
		numeric(c, RPL_CHANNELMODEIS, ch->name, buf);
		numeric(c, RPL_CREATIONTIME, ch->name, (long long)ch->created);
		return CMD_OK;
	}
	if (channel_modeless(ch)) {
		numeric(c, ERR_NOCHANMODES, ch->name);
		return CMD_OK;
	}
	n = mode_parse(m->params[1], m->params + 2, m->nparams - 2, changes, 32, MODES_PER_COMMAND);
	ml.n = 0;
	ml.arglen = 0;
	for (i = 0; i < n; i++) {
		struct mode_change *mc = &changes[i];
		const struct chanmode_def *d = mode_channel_find(mc->mode);

		if (mc->mode == 'O' && ch->name[0] == '!') {
			/* RFC 2811 §4.1.1: "MODE !chan O" names the creator. */
			struct membership *x, *tmp;
			if (errs & ERRS_CREATOR)
				continue;
			errs |= ERRS_CREATOR;
			HASH_ITER(hh, ch->members, x, tmp)
				if (x->modes & MEMB_CREATOR)
					numeric(c, RPL_UNIQOPIS, ch->name, x->client->nick);
			continue;
		}
		if (d == NULL) {
			if (!(errs & ERRS_UNKNOWN))
				numeric(c, ERR_UNKNOWNMODE, mc->mode);
			errs |= ERRS_UNKNOWN;
			continue;
		}
		if (d->kind == MODE_LIST && mc->arg == NULL) {
			/* One query answers each list once (issue 9 item 5):
			 * Solanum chm_ban (SM_ERR_RPL_B/E/I) and InspIRCd
			 * DisplayListModes (sent[letter] == seq) both skip a
			 * letter already answered. */
			if (queried & (1u << d->list))
				continue;
			queried |= 1u << d->list;
			if ((d->flags & MODEF_OPS_QUERY) && !is_op) {
				deny(c, ch, mb != NULL, &errs);
				continue;
			}
			send_mask_list(c, ch, d);
			continue;
		}
		if (!is_op || d->who == MODE_BY_SERVER) {
			deny(c, ch, mb != NULL, &errs);
			continue;
		}
		if (mc->missing_arg) {
			if (!(errs & ERRS_NEEDMORE))
				numeric(c, ERR_NEEDMOREPARAMS, "MODE");
			errs |= ERRS_NEEDMORE;
			continue;
		}
		if (d->kind == MODE_LIST)
			apply_list(c, ch, d, mc, &ml);
		else if (d->prefix != 0)
			apply_member(c, ch, d, mc, &ml);
		else if (d->bit == CMODE_KEY)
			apply_key(c, ch, mc, &ml);
		else if (d->bit == CMODE_LIMIT)
			apply_limit(c, ch, mc, &ml);
		else if (d->kind == MODE_NEVER)
			apply_flag(ch, d, mc, &ml);
	}
	mode_broadcast(c->srv, ch, c, &ml);
	return CMD_OK;
}

/* user_mode: the user-mode table says who may change each letter: i, w
 * and B freely; o can only be removed (RFC 2812 §3.1.5: "+o" through MODE
 * is ignored, OPER grants it); z (TLS) is the server's, ignored both ways. */
static enum cmd_result
user_mode(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct client *t = server_find_nick(srv, m->params[0]);
	char dir = '+', buf[16], out[64];
	size_t olen = 0;
	char lastdir = 0;
	const char *p;
	bool unknown = false;

	if (t == NULL) {
		numeric(c, ERR_NOSUCHNICK, m->params[0]);
		return CMD_OK;
	}
	if (t != c) {
		numeric(c, ERR_USERSDONTMATCH);
		return CMD_OK;
	}
	if (m->nparams < 2) {
		numeric(c, RPL_UMODEIS, mode_user_string(c->umodes, buf, sizeof(buf)));
		return CMD_OK;
	}
	for (p = m->params[1]; *p != '\0'; p++) {
		const struct usermode_def *d;
		bool changed = false;

		if (*p == '+' || *p == '-') {
			dir = *p;
			continue;
		}
		if ((d = mode_user_find(*p)) == NULL) {
			unknown = true;
			continue;
		}
		if (d->who == UMODE_BY_SERVER)
			continue;
		if (dir == '+' && d->who == UMODE_BY_USER && !(c->umodes & d->bit)) {
			c->umodes |= d->bit;
			if (d->bit == UMODE_INVISIBLE)
				srv->stats.invisible++;
			changed = true;
		} else if (dir == '-' && (c->umodes & d->bit)) {
			c->umodes &= ~d->bit;
			if (d->bit == UMODE_INVISIBLE)
				srv->stats.invisible--;
			if (d->bit == UMODE_OPER)
				srv->stats.opers--;
			changed = true;
		}
		if (changed && olen + 3 < sizeof(out)) {
			if (dir != lastdir)
				out[olen++] = dir;
			lastdir = dir;
			out[olen++] = *p;
		}
	}
	out[olen] = '\0';
	if (unknown)
		numeric(c, ERR_UMODEUNKNOWNFLAG);
	if (olen > 0) {
		struct event_mode ev = { c, NULL, c, out };
		reply_raw(c, ":%s MODE %s :%s", c->nick, c->nick, out);
		event_publish_mode(srv, &ev);
	}
	return CMD_OK;
}

enum cmd_result
cmd_mode(struct client *c, struct irc_msg *m)
{
	struct channel *ch;

	if (strchr("#&+!", m->params[0][0]) != NULL) {
		ch = server_find_channel(c->srv, m->params[0]);
		if (ch == NULL) {
			numeric(c, ERR_NOSUCHCHANNEL, m->params[0]);
			return CMD_OK;
		}
		return channel_mode(c, ch, m);
	}
	return user_mode(c, m);
}
