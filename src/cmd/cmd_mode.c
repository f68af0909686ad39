/* cmd_mode.c - MODE for channels (RFC 2811 §4) and users (RFC 2812 §3.1.5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel.h"
#include "core/client.h"
#include "cmd/command.h"
#include "proto/mode.h"
#include "proto/reply.h"
#include "core/server.h"

#define MODES_PER_COMMAND 4	/* ISUPPORT MODES */

static const struct {
	char letter;
	uint32_t flag;
} simple_modes[] = {
	{ 'i', CMODE_INVITE }, { 'm', CMODE_MODERATED }, { 'n', CMODE_NOEXTERNAL },
	{ 'p', CMODE_PRIVATE }, { 's', CMODE_SECRET }, { 't', CMODE_TOPIC },
};

static void
send_mask_list(struct client *c, struct channel *ch, enum mask_list_kind kind)
{
	struct mask_entry *e;

	for (e = ch->lists[kind]; e != NULL; e = e->next) {
		if (kind == LIST_BAN)
			numeric(c, RPL_BANLIST, ch->name, e->mask, e->setter, (long long)e->when);
		else if (kind == LIST_EXCEPT)
			numeric(c, RPL_EXCEPTLIST, ch->name, e->mask, e->setter, (long long)e->when);
		else
			numeric(c, RPL_INVEXLIST, ch->name, e->mask, e->setter, (long long)e->when);
	}
	if (kind == LIST_BAN)
		numeric(c, RPL_ENDOFBANLIST, ch->name);
	else if (kind == LIST_EXCEPT)
		numeric(c, RPL_ENDOFEXCEPTLIST, ch->name);
	else
		numeric(c, RPL_ENDOFINVEXLIST, ch->name);
}

/* Accumulates the applied changes into one MODE line. */
struct mode_out {
	char	modes[64];
	size_t	mlen;
	char	args[400];
	size_t	alen;
	char	lastdir;
};

static void
out_add(struct mode_out *o, char dir, char letter, const char *arg)
{
	if (o->mlen + 3 >= sizeof(o->modes))
		return;
	if (o->lastdir != dir) {
		o->modes[o->mlen++] = dir;
		o->lastdir = dir;
	}
	o->modes[o->mlen++] = letter;
	o->modes[o->mlen] = '\0';
	if (arg != NULL && o->alen + strlen(arg) + 2 < sizeof(o->args))
		o->alen += (size_t)snprintf(o->args + o->alen, sizeof(o->args) - o->alen, " %s", arg);
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

static enum cmd_result
channel_mode(struct client *c, struct channel *ch, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct membership *mb = channel_find_member(ch, c);
	struct mode_change changes[32];
	struct mode_out out;
	bool is_op = mb != NULL && (mb->modes & MEMB_OP);
	bool denied = false;
	char buf[128], pfx[160], mask[300];
	int n, i;
	size_t j;

	if (m->nparams < 2) {
		/* RFC 2811: the key and limit are shown to members only. */
		channel_modes_string(ch, mb != NULL, buf, sizeof(buf));
		numeric(c, RPL_CHANNELMODEIS, ch->name, buf);
		numeric(c, RPL_CREATIONTIME, ch->name, (long long)ch->created);
		return CMD_OK;
	}
	if (channel_modeless(ch)) {
		numeric(c, ERR_NOCHANMODES, ch->name);
		return CMD_OK;
	}
	n = mode_parse(m->params[1], m->params + 2, m->nparams - 2, changes, 32, MODES_PER_COMMAND);
	memset(&out, 0, sizeof(out));
	for (i = 0; i < n; i++) {
		struct mode_change *mc = &changes[i];
		enum mode_kind kind = mode_channel_kind(mc->mode);

		if (mc->mode == 'O' && ch->name[0] == '!') {
			/* RFC 2811 §4.1.1: "MODE !chan O" names the creator. */
			struct membership *x, *tmp;
			HASH_ITER(hh, ch->members, x, tmp)
				if (x->modes & MEMB_CREATOR)
					numeric(c, RPL_UNIQOPIS, ch->name, x->client->nick);
			continue;
		}
		if (kind == MODE_UNKNOWN) {
			numeric(c, ERR_UNKNOWNMODE, mc->mode);
			continue;
		}
		if (kind == MODE_LIST && mc->arg == NULL) {
			send_mask_list(c, ch, mc->mode == 'b' ? LIST_BAN :
			    mc->mode == 'e' ? LIST_EXCEPT : LIST_INVEX);
			continue;
		}
		if (!is_op) {
			if (!denied && mb == NULL)
				numeric(c, ERR_NOTONCHANNEL, ch->name);
			else if (!denied)
				numeric(c, ERR_CHANOPRIVSNEEDED, ch->name);
			denied = true;
			continue;
		}
		if (mc->missing_arg) {
			numeric(c, ERR_NEEDMOREPARAMS, "MODE");
			continue;
		}
		switch (mc->mode) {
		case 'b': case 'e': case 'I': {
			enum mask_list_kind lk = mc->mode == 'b' ? LIST_BAN :
			    mc->mode == 'e' ? LIST_EXCEPT : LIST_INVEX;
			if (mc->arg[0] == '\0' || mc->arg[0] == ':' || strchr(mc->arg, ' '))
				break;
			mask_normalise(mc->arg, mask, sizeof(mask));
			if (strlen(mask) > 250)
				break;
			if (mc->dir == '+') {
				int r = channel_list_add(ch, lk, mask, client_prefix(c, pfx, sizeof(pfx)),
				    srv->now, srv->cfg->max_list);
				if (r < 0)
					numeric(c, ERR_BANLISTFULL, ch->name, mc->mode);
				else if (r > 0)
					out_add(&out, '+', mc->mode, mask);
			} else if (channel_list_del(srv, ch, lk, mask))
				out_add(&out, '-', mc->mode, mask);
			break;
		}
		case 'o': case 'v': {
			struct client *t = server_find_nick(srv, mc->arg);
			struct membership *tm = t ? channel_find_member(ch, t) : NULL;
			uint8_t bit = mc->mode == 'o' ? MEMB_OP : MEMB_VOICE;
			if (t == NULL) {
				numeric(c, ERR_NOSUCHNICK, mc->arg);
				break;
			}
			if (tm == NULL) {
				numeric(c, ERR_USERNOTINCHANNEL, t->nick, ch->name);
				break;
			}
			if (mc->dir == '+' && !(tm->modes & bit)) {
				tm->modes |= bit;
				out_add(&out, '+', mc->mode, t->nick);
			} else if (mc->dir == '-' && (tm->modes & bit)) {
				tm->modes &= (uint8_t)~bit;
				out_add(&out, '-', mc->mode, t->nick);
			}
			break;
		}
		case 'k':
			if (mc->dir == '+') {
				if (ch->modes & CMODE_KEY) {
					/* RFC 2811 §4.2.6 / RFC 2812 ERR_KEYSET */
					numeric(c, ERR_KEYSET, ch->name);
					break;
				}
				if (!key_valid(mc->arg)) {
					numeric(c, ERR_INVALIDKEY, ch->name);
					break;
				}
				free(ch->chankey);
				ch->chankey = strdup(mc->arg);
				ch->modes |= CMODE_KEY;
				out_add(&out, '+', 'k', ch->chankey);
			} else if (ch->modes & CMODE_KEY) {
				ch->modes &= ~CMODE_KEY;
				out_add(&out, '-', 'k', "*");
				free(ch->chankey);
				ch->chankey = NULL;
			}
			break;
		case 'l':
			if (mc->dir == '+') {
				char *end;
				long v = strtol(mc->arg, &end, 10);
				if (*end != '\0' || v <= 0 || v > 1000000) {
					numeric(c, ERR_INVALIDMODEPARAM, ch->name, 'l', mc->arg,
					    "Invalid limit");
					break;
				}
				if ((ch->modes & CMODE_LIMIT) && ch->limit == (unsigned)v)
					break;
				ch->limit = (unsigned)v;
				ch->modes |= CMODE_LIMIT;
				snprintf(buf, sizeof(buf), "%ld", v);
				out_add(&out, '+', 'l', buf);
			} else if (ch->modes & CMODE_LIMIT) {
				ch->modes &= ~CMODE_LIMIT;
				ch->limit = 0;
				out_add(&out, '-', 'l', NULL);
			}
			break;
		default:
			for (j = 0; j < sizeof(simple_modes) / sizeof(simple_modes[0]); j++) {
				if (simple_modes[j].letter != mc->mode)
					continue;
				if (mc->dir == '+' && !(ch->modes & simple_modes[j].flag)) {
					ch->modes |= simple_modes[j].flag;
					out_add(&out, '+', mc->mode, NULL);
				} else if (mc->dir == '-' && (ch->modes & simple_modes[j].flag)) {
					ch->modes &= ~simple_modes[j].flag;
					out_add(&out, '-', mc->mode, NULL);
				}
			}
			break;
		}
	}
	if (out.mlen > 0) {
		struct outline ol;
		outline_format(&ol, ":%s MODE %s %s%s", client_prefix(c, pfx, sizeof(pfx)), ch->name,
		    out.modes, out.args);
		send_channel(ch, NULL, &ol, 0);
	}
	return CMD_OK;
}


/* user_mode: i and w freely; o can only be removed (RFC 2812 §3.1.5:
 * "+o" through MODE is ignored, OPER grants it); z (TLS) is ignored both
 * ways. */
static enum cmd_result
user_mode(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct client *t = server_find_nick(srv, m->params[0]);
	struct mode_out out;
	char dir = '+', buf[16];
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
		client_umode_string(c, buf);
		numeric(c, RPL_UMODEIS, buf);
		return CMD_OK;
	}
	memset(&out, 0, sizeof(out));
	for (p = m->params[1]; *p != '\0'; p++) {
		uint32_t bit;
		switch (*p) {
		case '+': case '-':
			dir = *p;
			continue;
		case 'i': bit = UMODE_INVISIBLE; break;
		case 'w': bit = UMODE_WALLOPS; break;
		case 'o': bit = UMODE_OPER; break;
		case 'B': bit = UMODE_BOT; break;	/* IRCv3 bot mode */
		case 'z':
			continue;	/* TLS: the server's to set, never the user's */
		default:
			unknown = true;
			continue;
		}
		if (dir == '+' && bit != UMODE_OPER && !(c->umodes & bit)) {
			c->umodes |= bit;
			if (bit == UMODE_INVISIBLE)
				srv->stats.invisible++;
			out_add(&out, '+', *p, NULL);
		} else if (dir == '-' && (c->umodes & bit)) {
			c->umodes &= ~bit;
			if (bit == UMODE_INVISIBLE)
				srv->stats.invisible--;
			if (bit == UMODE_OPER)
				srv->stats.opers--;
			out_add(&out, '-', *p, NULL);
		}
	}
	if (unknown)
		numeric(c, ERR_UMODEUNKNOWNFLAG);
	if (out.mlen > 0)
		reply_raw(c, ":%s MODE %s :%s", c->nick, c->nick, out.modes);
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
