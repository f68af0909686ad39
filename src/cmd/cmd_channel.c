/* cmd_channel.c - JOIN PART TOPIC NAMES LIST INVITE KICK KNOCK (RFC 2812
 * §3.2, RFC 2811, Modern IRC "Channel Operations"). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/number.h"
#include "cmd/command.h"
#include "cmd/target.h"
#include "proto/message.h"
#include "proto/mode.h"
#include "proto/pack.h"
#include "proto/reply.h"
#include "core/server.h"
#include "core/log.h"
#include "net/capture.h"
#include "net/output.h"

/* send_names: 353 lines packed against the real line length (pack.h), then
 * 366. Invisible users are hidden from non-members (RFC 2812 §3.2.5). */
void
send_names(struct client *c, struct channel *ch, const char *name)
{
	struct membership *m, *tmp;
	struct linepack lp;
	char sym;
	bool member;

	if (ch == NULL) {
		numeric(c, RPL_ENDOFNAMES, name);
		return;
	}
	member = channel_find_member(ch, c) != NULL;
	sym = (ch->modes & CMODE_SECRET) ? '@' : (ch->modes & CMODE_PRIVATE) ? '*' : '=';
	/* Modern IRC RPL_NAMREPLY: "<client> <symbol> <channel> :[prefix]<nick>{ [prefix]<nick>}" */
	linepack_numeric(&lp, c, send_line, RPL_NAMREPLY, ' ', 0, NULL, "%c %s :", sym, ch->name);
	HASH_ITER(hh, ch->members, m, tmp) {
		char pfx[4], item[200];
		int nl;
		if (!member && (m->client->umodes & UMODE_INVISIBLE))
			continue;
		mode_prefix_str(m->modes, (c->caps & CAP_MULTI_PREFIX) != 0, pfx);
		if (c->caps & CAP_USERHOST_IN_NAMES)
			nl = snprintf(item, sizeof(item), "%s%s!%s@%s", pfx, m->client->nick,
			    m->client->user, m->client->host);
		else
			nl = snprintf(item, sizeof(item), "%s%s", pfx, m->client->nick);
		if (nl > 0 && (size_t)nl < sizeof(item))
			linepack_add(&lp, item, (size_t)nl);
	}
	linepack_end(&lp, false);
	numeric(c, RPL_ENDOFNAMES, ch->name);
}

static void
send_topic(struct client *c, struct channel *ch)
{
	if (ch->topic == NULL) {
		numeric(c, RPL_NOTOPIC, ch->name);
		return;
	}
	numeric(c, RPL_TOPIC, ch->name, ch->topic);
	numeric(c, RPL_TOPICWHOTIME, ch->name, ch->topic_setter, (long long)ch->topic_time);
}

/* join_one: RFC 2812 §3.2.1 checks in Solanum's order (ircd/channel.c
 * can_join): bans (474), key (475), invite-only (473), limit (471). A
 * stored INVITE passes +i and +l only, never a ban or the key, as in
 * Solanum ("allow /invite to override +l/+r/+j also"); an I mask passes +i.
 * The invite is used up by the JOIN. A JOIN that creates a channel
 * publishes EVENT_CHANNEL_NEW first: ChanServ restores a registered
 * channel's kept state and decides the creator's status, and the checks
 * then apply to the creator too unless that status is op (Ergo). */
static void
join_one(struct client *c, const char *name, const char *key)
{
	struct server *srv = c->srv;
	struct channel *ch = NULL;
	char fullname[256], pfx[160];
	uint8_t modes = 0;
	bool create = false;
	struct invite *inv;
	struct outline ol, ext;

	if (name[0] == '!') {
		if (name[1] == '!') {
			/* RFC 2811 §3.2.1: "!!short" creates "!" + id + short. */
			char id[6], skey[256];
			struct channel *dup;
			if (!channel_name_valid(name, srv->cfg->channellen - 4) ||
			    strlen(name) < 3) {
				numeric(c, ERR_BADCHANMASK, name);
				return;
			}
			server_fold(srv, skey, name + 2, sizeof(skey));
			HASH_FIND(hh_safe, srv->safe_channels, skey, strlen(skey), dup);
			if (dup != NULL) {
				numeric(c, ERR_UNAVAILRESOURCE, name);
				return;
			}
			channel_safe_id(srv->now, id);
			snprintf(fullname, sizeof(fullname), "!%s%s", id, name + 2);
			if (server_find_channel(srv, fullname) != NULL) {
				numeric(c, ERR_UNAVAILRESOURCE, name);
				return;
			}
			name = fullname;
			create = true;
			modes = MEMB_CREATOR | MEMB_OP;
		} else {
			ch = server_find_channel(srv, name);
			if (ch == NULL) {
				/* RFC 2811 §3.2.2: "!short" joins the one safe
				 * channel with that short name. */
				char skey[256];
				server_fold(srv, skey, name + 1, sizeof(skey));
				HASH_FIND(hh_safe, srv->safe_channels, skey, strlen(skey), ch);
			}
			if (ch == NULL) {
				numeric(c, ERR_NOSUCHCHANNEL, name);
				return;
			}
			name = ch->name;
		}
	} else {
		if (strchr("#&+", name[0]) == NULL) {
			numeric(c, ERR_NOSUCHCHANNEL, name);
			return;
		}
		if (!channel_name_valid(name, srv->cfg->channellen)) {
			/* Modern IRC JOIN: 403 for a name that cannot be a
			 * channel (too long for CHANNELLEN, forbidden
			 * characters), as irctest isupport_limits expects;
			 * 476 stays for malformed "!!" safe channel masks. */
			numeric(c, ERR_NOSUCHCHANNEL, name);
			return;
		}
		ch = server_find_channel(srv, name);
		if (ch == NULL && server_channel_held(srv, name)) {
			/* RFC 2811 §3.2.2 channel delay: emptied by a netsplit,
			 * unavailable here until its servers return (link/) */
			numeric(c, ERR_UNAVAILRESOURCE, name);
			return;
		}
		if (ch == NULL) {
			create = true;
			modes = name[0] == '+' ? 0 : MEMB_OP;
		}
	}
	if (ch != NULL && channel_find_member(ch, c) != NULL)
		return;
	if (c->nchannels >= srv->cfg->max_channels_per_user) {
		numeric(c, ERR_TOOMANYCHANNELS, name);
		return;
	}
	if (create) {
		ch = channel_new(srv, name);
		/* '+' channels are modeless but for t (RFC 2811 §2.2); new
		 * standard channels start +nt like Solanum/InspIRCd/ngIRCd. */
		ch->modes = name[0] == '+' ? CMODE_TOPIC : (CMODE_NOEXTERNAL | CMODE_TOPIC);
		{
			/* kept state (ChanServ) comes back before the checks */
			struct event_channel_new ev = { c, ch, &modes };
			event_publish_channel_new(srv, &ev);
		}
	}
	if (!create || !(modes & MEMB_OP)) {
		if (channel_is_banned(ch, c)) {
			numeric(c, ERR_BANNEDFROMCHAN, ch->name);
			goto refused;
		}
		/* +R: InspIRCd services_account (reginvite): no invite or
		 * exception lets a user who is not logged in past it */
		if ((ch->modes & CMODE_REGONLY) && c->account == NULL) {
			numeric(c, ERR_NEEDREGGEDNICK, ch->name,
			    "You need to be identified to a registered account to join this channel");
			goto refused;
		}
		if ((ch->modes & CMODE_KEY) && (key == NULL || strcmp(key, ch->chankey) != 0)) {
			numeric(c, ERR_BADCHANNELKEY, ch->name);
			goto refused;
		}
		inv = channel_invite_find(ch, c, srv->now);
		if (inv == NULL && (ch->modes & CMODE_INVITE) && !channel_is_invexed(ch, c)) {
			numeric(c, ERR_INVITEONLYCHAN, ch->name);
			goto refused;
		}
		if (inv == NULL && (ch->modes & CMODE_LIMIT) && ch->nmembers >= ch->limit) {
			numeric(c, ERR_CHANNELISFULL, ch->name);
			goto refused;
		}
		if (inv != NULL)
			channel_invite_del(inv);
	}
	channel_add_member(ch, c, modes);
	/* extended-join: "JOIN #chan account :realname" ("*": not logged in) */
	outline_format(&ol, ":%s JOIN %s", client_prefix(c, pfx, sizeof(pfx)), ch->name);
	outline_format(&ext, ":%s JOIN %s %s :%s", pfx, ch->name, c->account ? c->account : "*",
	    c->realname ? c->realname : "");
	send_channel_alt(ch, NULL, &ol, &ext, CAP_EXTENDED_JOIN);
	{
		struct event_join ev = { c, ch, create };
		event_publish_join(srv, &ev);
	}
	if (c->away != NULL) {
		/* away-notify: a joining away user is announced as away */
		outline_format(&ol, ":%s AWAY :%s", pfx, c->away);
		ol.need_cap = CAP_AWAY_NOTIFY;
		send_channel(ch, c, &ol, 0);
	}
	if (ch->topic != NULL)
		send_topic(c, ch);
	if (!(c->caps & CAP_NO_IMPLICIT_NAMES))
		send_names(c, ch, ch->name);
	return;
refused:
	if (create)
		channel_free(srv, ch); /* still empty */
}

void
part_all(struct client *c, const char *reason)
{
	struct membership *m;
	struct outline ol;
	char pfx[160];

	client_prefix(c, pfx, sizeof(pfx));
	while ((m = LIST_FIRST(&c->channels)) != NULL) {
		if (reason != NULL)
			outline_format(&ol, ":%s PART %s :%s", pfx, m->chan->name, reason);
		else
			outline_format(&ol, ":%s PART %s", pfx, m->chan->name);
		send_channel(m->chan, NULL, &ol, 0);
		{
			struct event_part ev = { c, m->chan, reason };
			event_publish_part(c->srv, &ev);
		}
		channel_remove_member(c->srv, m);
	}
}

/* JOIN <channel>{,<channel>} [<key>{,<key>}] (RFC 2812 §3.2.1): keys are
 * positional, key i goes with channel i, and an empty key ("#a,#b ,k") is
 * an empty key for its channel, not a gap the next key slides into (Modern
 * IRC JOIN gives the same pairing). Solanum's rb_strtok_r skips empty keys;
 * we do not, as that hands a key to the wrong channel. A channel named
 * twice is joined once (a duplicate is skipped with its key). */
enum cmd_result
cmd_join(struct client *c, struct irc_msg *m)
{
	char *chans = m->params[0], *keys = m->nparams > 1 ? m->params[1] : NULL;
	char *name, *key;
	struct targets seen;

	if (strcmp(chans, "0") == 0) {
		part_all(c, NULL);
		return CMD_OK;
	}
	targets_init(&seen, c);
	while ((name = list_next(&chans)) != NULL) {
		key = list_next(&keys);
		if (name[0] == '\0' || !targets_add(&seen, name))
			continue;
		join_one(c, name, key != NULL && key[0] != '\0' ? key : NULL);
		if (c->state != CLIENT_OPEN)
			break;
	}
	return CMD_OK;
}

enum cmd_result
cmd_part(struct client *c, struct irc_msg *m)
{
	char *chans = m->params[0], *name, pfx[160];
	const char *reason = m->nparams > 1 && m->params[1][0] ? m->params[1] : NULL;
	struct channel *ch;
	struct membership *mb;
	struct outline ol;
	struct targets seen;

	client_prefix(c, pfx, sizeof(pfx));
	targets_init(&seen, c);
	/* TARGMAX PART: no limit; a channel named twice is parted once */
	while ((name = targets_next(&seen, &chans, 0, c, false)) != NULL) {
		ch = server_find_channel(c->srv, name);
		if (ch == NULL) {
			numeric(c, ERR_NOSUCHCHANNEL, name);
			continue;
		}
		mb = channel_find_member(ch, c);
		if (mb == NULL) {
			numeric(c, ERR_NOTONCHANNEL, ch->name);
			continue;
		}
		if (reason != NULL)
			outline_format(&ol, ":%s PART %s :%.*s", pfx, ch->name,
			    utf8_prefix(reason, c->srv->cfg->kicklen), reason);
		else
			outline_format(&ol, ":%s PART %s", pfx, ch->name);
		send_channel(ch, NULL, &ol, 0);
		{
			struct event_part ev = { c, ch, reason };
			event_publish_part(c->srv, &ev);
		}
		channel_remove_member(c->srv, mb);
	}
	return CMD_OK;
}

enum cmd_result
cmd_topic(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct channel *ch = server_find_channel(srv, m->params[0]);
	struct membership *mb;
	char pfx[160];
	size_t len;

	if (ch == NULL) {
		numeric(c, ERR_NOSUCHCHANNEL, m->params[0]);
		return CMD_OK;
	}
	mb = channel_find_member(ch, c);
	if (m->nparams < 2) {
		if (mb == NULL && (ch->modes & (CMODE_SECRET | CMODE_PRIVATE)))
			numeric(c, ERR_NOTONCHANNEL, ch->name);
		else
			send_topic(c, ch);
		return CMD_OK;
	}
	if (mb == NULL) {
		numeric(c, ERR_NOTONCHANNEL, ch->name);
		return CMD_OK;
	}
	if ((ch->modes & CMODE_TOPIC) && !(mb->modes & MEMB_OP)) {
		numeric(c, ERR_CHANOPRIVSNEEDED, ch->name);
		return CMD_OK;
	}
	len = strlen(m->params[1]);
	if (len > srv->cfg->topiclen)
		len = utf8_cut(m->params[1], srv->cfg->topiclen);
	/* Modern IRC TOPIC: clients hear of a topic that "is changed or
	 * cleared"; setting the same text again is silent. */
	if ((ch->topic == NULL && len == 0) ||
	    (ch->topic != NULL && strlen(ch->topic) == len &&
		memcmp(ch->topic, m->params[1], len) == 0))
		return CMD_OK;
	topic_change(srv, ch, c, client_prefix(c, pfx, sizeof(pfx)), m->params[1], len);
	return CMD_OK;
}

/* topic_change: see command.h. */
void
topic_change(struct server *srv, struct channel *ch, struct client *by, const char *setter,
    const char *text, size_t len)
{
	struct outline ol;

	free(ch->topic);
	free(ch->topic_setter);
	ch->topic = ch->topic_setter = NULL;
	if (len > 0) {
		ch->topic = strndup(text, len);
		ch->topic_setter = strdup(setter);
		ch->topic_time = srv->now;
	}
	outline_format(&ol, ":%s TOPIC %s :%.*s", setter, ch->name, (int)len, text);
	send_channel(ch, NULL, &ol, 0);
	{
		struct event_topic ev = { by, ch, ch->topic != NULL ? ch->topic : "" };
		event_publish_topic(srv, &ev);
	}
}

/* NAMES without a parameter answers only RPL_ENDOFNAMES "*": listing every
 * channel is O(all users); Modern IRC "NAMES message" allows it. */
enum cmd_result
cmd_names(struct client *c, struct irc_msg *m)
{
	char *chans, *name;
	struct channel *ch;
	struct targets seen;

	if (m->nparams < 1 || m->params[0][0] == '\0') {
		numeric(c, RPL_ENDOFNAMES, "*");
		return CMD_OK;
	}
	chans = m->params[0];
	targets_init(&seen, c);
	/* ISUPPORT TARGMAX=NAMES:1 (Solanum advertises the same and answers
	 * only the first channel): one channel, 407 for a second one */
	while ((name = targets_next(&seen, &chans, 1, c, false)) != NULL) {
		ch = server_find_channel(c->srv, name);
		if (ch != NULL && (ch->modes & CMODE_SECRET) && channel_find_member(ch, c) == NULL)
			ch = NULL;
		send_names(c, ch, name);
	}
	return CMD_OK;
}

/* list_match: does ch pass the conditions of f (Solanum m_list.c
 * safelist_one_channel: bounds are inclusive; a T>n condition hides
 * channels without a topic). */
static bool
list_match(const struct channel *ch, const struct list_filter *f)
{
	if ((f->min_users >= 0 && (long)ch->nmembers <= f->min_users) ||
	    (f->max_users >= 0 && (long)ch->nmembers >= f->max_users))
		return false;
	if ((f->created_min != 0 && ch->created < f->created_min) ||
	    (f->created_max != 0 && ch->created > f->created_max))
		return false;
	if (f->topic_min != 0 && (ch->topic == NULL || ch->topic_time < f->topic_min))
		return false;
	if (f->topic_max != 0 && (ch->topic == NULL || ch->topic_time > f->topic_max))
		return false;
	if (f->mask[0] != '\0' && !casemap_match(ch->casemapping, f->mask, ch->name))
		return false;
	if (f->nomask[0] != '\0' && casemap_match(ch->casemapping, f->nomask, ch->name))
		return false;
	return true;
}

static void
list_one(struct client *c, struct channel *ch, const struct list_filter *f)
{
	bool member = channel_find_member(ch, c) != NULL;

	if ((ch->modes & CMODE_SECRET) && !member)
		return;
	if (!list_match(ch, f))
		return;
	/* RFC 1459 §4.2.6: private channels show no topic to outsiders. */
	numeric(c, RPL_LIST, ch->name, ch->nmembers,
	    ((ch->modes & CMODE_PRIVATE) && !member) || ch->topic == NULL ? "" : ch->topic);
}

/* SAFELIST (advertised in ISUPPORT): a full LIST never costs the client its
 * connection. As Solanum's safelist (modules/m_list.c) does, output is
 * queued only while the output buffer holds less than half the sendq; the
 * rest follows as it drains (list_pump from output_pump_wait), the
 * position kept in a channel cursor that survives channel deletion.
 * LIST_SCAN_MAX bounds the channels examined per loop turn when filters
 * (ELIST=U, +s) skip most of them. A labeled LIST (labeled-response) that
 * outlives its command keeps its labeled-response batch open until 323, as
 * Solanum's safelist does (its unit tests expect 322 lines tagged with the
 * batch across refills). */
#define LIST_SCAN_MAX 1024

/* list_pump: the next part of c's LIST; RPL_LISTEND at the end. */
static void
list_pump(struct client *c)
{
	struct client_list *l = c->listing;
	struct channel *ch = NULL;
	char bid[sizeof(l->batch)];
	int n;

	if (l == NULL)
		return;
	/* a labeled LIST goes on inside its labeled-response batch */
	snprintf(bid, sizeof(bid), "%s", l->batch);
	if (bid[0] != '\0')
		capture_begin(c);
	for (n = 0; n < LIST_SCAN_MAX && output_queued(c) < c->sendq / 2; n++) {
		if ((ch = channel_cursor_take(&l->cur)) == NULL)
			break;
		list_one(c, ch, &l->f);
		if (c->state != CLIENT_OPEN)
			break;
	}
	if (ch == NULL && c->state == CLIENT_OPEN) {
		client_list_stop(c);
		numeric(c, RPL_LISTEND);
	}
	if (bid[0] != '\0') {
		capture_end_in_batch(c, bid);
		if (c->listing == NULL)
			capture_close_batch(c, bid);
	}
	if (c->listing != NULL && c->state == CLIENT_OPEN)
		output_pump_wait(c);
}

/* list_minutes: "<n" or ">n" after a C or T: the time n minutes before
 * now, into *lo (for '<': at or after it) or *hi (for '>': at or before
 * it). False when malformed. */
static bool
list_minutes(const char *p, time_t now, time_t *lo, time_t *hi)
{
	long long v;

	if ((p[0] != '<' && p[0] != '>') ||
	    number_parse(p + 1, 0, 60LL * 24 * 365 * 100, &v) == NUMBER_INVALID)
		return false;
	/* 0 means "no condition": a bound that lands on 0 becomes 1 */
	if (p[0] == '<')
		*lo = now - (time_t)v * 60 != 0 ? now - (time_t)v * 60 : 1;
	else
		*hi = now - (time_t)v * 60 != 0 ? now - (time_t)v * 60 : 1;
	return true;
}

/* list_condition: one comma-separated item of a LIST parameter that is a
 * condition: >N <N (U), C<n C>n (C), T<n T>n (T), !mask (N), a mask with
 * '*' or '?' (M). Returns 1 when taken, 0 when the item is not a
 * condition (a channel name), -1 when it is a malformed condition. */
static int
list_condition(struct client *c, const char *item, struct list_filter *f)
{
	long long v;

	switch (item[0]) {
	case '>':
	case '<':
		/* a number past any count is clamped, not wrapped */
		if (number_parse(item + 1, -1, LONG_MAX, &v) == NUMBER_INVALID)
			return -1;
		if (item[0] == '>')
			f->min_users = (long)v;
		else
			f->max_users = (long)v;
		return 1;
	case 'C':
	case 'c':
		return list_minutes(item + 1, c->srv->now, &f->created_min, &f->created_max) ? 1
											     : -1;
	case 'T':
	case 't':
		return list_minutes(item + 1, c->srv->now, &f->topic_min, &f->topic_max) ? 1 : -1;
	case '!':
		/* '!' is also a channel type (CHANTYPES=#&!+, RFC 2811 §3.2:
		 * "!" + a 5-character id of A-Z0-9), so "!" is a negation
		 * only before a wildcard or a channel type, which no id
		 * starts with */
		if (item[1] == '\0' || strchr("*?#&+!", item[1]) == NULL)
			return 0;
		if (strlen(item + 1) >= sizeof(f->nomask))
			return -1;
		snprintf(f->nomask, sizeof(f->nomask), "%s", item + 1);
		return 1;
	default:
		if (strpbrk(item, "*?") == NULL)
			return 0;
		if (strlen(item) >= sizeof(f->mask))
			return -1;
		snprintf(f->mask, sizeof(f->mask), "%s", item);
		return 1;
	}
}

/* LIST [channels|conditions] [conditions] (RFC 2812 §3.2.6; ISUPPORT
 * ELIST=CMNTU, Modern IRC "LIST" and "ELIST Parameter"): a parameter is
 * either a channel list or comma-separated conditions, as Solanum's
 * m_list.c reads them: U ">N" "<N" (member counts, exclusive), C "C<n"
 * (created within the last n minutes) "C>n" (more than n minutes ago), T
 * the same for the topic's time (T>n hides channels without a topic), M
 * "#a*" (a mask), N "!#a*" (a mask to leave out). A malformed condition
 * ends the LIST with a notice, as Solanum does ("Invalid parameters"). */
enum cmd_result
cmd_list(struct client *c, struct irc_msg *m)
{
	struct channel *ch;
	struct list_filter f;
	char *chans = NULL, *name, item[256];
	struct targets seen;
	int i;

	if (c->listing != NULL) {
		/* a LIST while one is running ends it, as Solanum does */
		if (c->listing->batch[0] != '\0')
			capture_close_batch(c, c->listing->batch);
		client_list_stop(c);
		reply_notice(c, "/LIST aborted");
		numeric(c, RPL_LISTEND);
		return CMD_OK;
	}
	memset(&f, 0, sizeof(f));
	f.min_users = f.max_users = -1;
	for (i = 0; i < m->nparams; i++) {
		const char *p = m->params[i], *end;
		int r = 0;

		if (p[0] == '\0')
			continue;
		/* a parameter whose first item is a condition holds only
		 * conditions; otherwise it is the channel list */
		for (; *p != '\0'; p = *end ? end + 1 : end) {
			size_t n;

			end = strchrnul(p, ',');
			n = (size_t)(end - p);
			if (n == 0)
				continue;
			if (n >= sizeof(item))
				r = -1;
			else {
				memcpy(item, p, n);
				item[n] = '\0';
				r = list_condition(c, item, &f);
			}
			if (r == 0 && p != m->params[i])
				r = -1; /* a channel after conditions */
			if (r <= 0)
				break;
		}
		if (r < 0) {
			numeric(c, RPL_LISTSTART);
			reply_notice(c, "Invalid parameters for /LIST");
			numeric(c, RPL_LISTEND);
			return CMD_OK;
		}
		if (r == 0 && p == m->params[i] && chans == NULL)
			chans = m->params[i];
	}
	numeric(c, RPL_LISTSTART);
	if (chans != NULL) {
		/* ISUPPORT TARGMAX=LIST:1: one channel, 407 for a second one */
		targets_init(&seen, c);
		while ((name = targets_next(&seen, &chans, 1, c, false)) != NULL)
			if ((ch = server_find_channel(c->srv, name)) != NULL)
				list_one(c, ch, &f);
	} else {
		c->listing = calloc(1, sizeof(*c->listing));
		if (c->listing == NULL) {
			log_warn("calloc LIST state");
			numeric(c, RPL_LISTEND);
			return CMD_OK;
		}
		c->listing->f = f;
		/* labeled: if the LIST outlives this command, net/conn.c
		 * opens its batch (capture_open_batch) */
		c->listing->open_batch = capture_is_open(c);
		channel_cursor_start(c->srv, &c->listing->cur);
		c->on_drain = list_pump;
		list_pump(c);
		return CMD_OK;
	}
	numeric(c, RPL_LISTEND);
	return CMD_OK;
}

/* INVITE <nick> <channel> (RFC 2812 §3.2.7, Modern IRC "INVITE message"):
 * the inviter must be on the channel (442), an operator when it is +i
 * (482); the target must not be on it (443). Any member may invite to a
 * channel that is not +i (RFC 2812: "The only requirement is that the
 * inviting user must be a member"), but only an operator's invitation is
 * stored as a pass for +i and +l (Solanum lets only chanops invite unless
 * +g, and stores an invite only while +i or +l could refuse the join), so
 * a plain member's INVITE is a notification and opens nothing later. A
 * stored invite lasts INVITE_LIFETIME seconds (Solanum keeps it until the
 * join or the channel's end; InspIRCd's INVITE takes an expiry; we bound
 * it), dies with the channel and is used up by the JOIN. */
/* invite_list: INVITE without parameters (Modern IRC "INVITE message":
 * "RPL_INVITELIST ... for each channel the user is invited to", then
 * RPL_ENDOFINVITELIST), oldest first; expired invites are freed on the
 * way and not shown. O(INVITES_PER_CLIENT). */
static void
invite_list(struct client *c)
{
	struct invite *inv, *next;

	for (inv = TAILQ_FIRST(&c->invites); inv != NULL; inv = next) {
		next = TAILQ_NEXT(inv, by_client);
		if (inv->expires <= c->srv->now) {
			channel_invite_del(inv);
			continue;
		}
		numeric(c, RPL_INVITELIST, inv->chan->name);
	}
	numeric(c, RPL_ENDOFINVITELIST);
}

/* Invites stay when a channel's +i is taken off: Solanum's chm_simple
 * (ircd/chmode.c) only flips the bit and its invites live until the JOIN,
 * the channel's end or the user's; an invite may still pass +l, and it
 * passes a +i set again later (ours also expire: INVITE_LIFETIME).
 * (ircd-hybrid and IRCnet 2.11 clear them on -i; we follow Solanum.) */
enum cmd_result
cmd_invite(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct client *target;
	struct channel *ch;
	struct membership *mb;
	char pfx[160];

	if (m->nparams == 0) {
		invite_list(c);
		return CMD_OK;
	}
	if (m->nparams < 2) {
		numeric(c, ERR_NEEDMOREPARAMS, "INVITE");
		return CMD_OK;
	}
	target = server_find_nick(srv, m->params[0]);
	if (target == NULL || !client_is_registered(target)) {
		numeric(c, ERR_NOSUCHNICK, m->params[0]);
		return CMD_OK;
	}
	ch = server_find_channel(srv, m->params[1]);
	if (ch == NULL) {
		numeric(c, ERR_NOSUCHCHANNEL, m->params[1]);
		return CMD_OK;
	}
	mb = channel_find_member(ch, c);
	if (mb == NULL) {
		numeric(c, ERR_NOTONCHANNEL, ch->name);
		return CMD_OK;
	}
	if ((ch->modes & CMODE_INVITE) && !(mb->modes & MEMB_OP)) {
		numeric(c, ERR_CHANOPRIVSNEEDED, ch->name);
		return CMD_OK;
	}
	if (channel_find_member(ch, target) != NULL) {
		numeric(c, ERR_USERONCHANNEL, target->nick, ch->name);
		return CMD_OK;
	}
	if ((mb->modes & MEMB_OP) && (ch->modes & (CMODE_INVITE | CMODE_LIMIT)))
		channel_invite_add(ch, target, srv->now + INVITE_LIFETIME);
	numeric(c, RPL_INVITING, target->nick, ch->name);
	if (target->away != NULL)
		numeric(c, RPL_AWAY, target->nick, target->away);
	reply_raw(target, ":%s INVITE %s :%s", client_prefix(c, pfx, sizeof(pfx)), target->nick,
	    ch->name);
	/* invite-notify: members with the capability see the invitation */
	{
		struct outline ol;
		outline_format(&ol, ":%s INVITE %s %s", pfx, target->nick, ch->name);
		ol.need_cap = CAP_INVITE_NOTIFY;
		send_channel(ch, c, &ol, 0);
	}
	return CMD_OK;
}

static void
kick_one(struct client *c, struct channel *ch, const char *nick, const char *reason)
{
	struct server *srv = c->srv;
	struct client *target = server_find_nick(srv, nick);
	struct membership *tm;
	struct outline ol;
	char pfx[160];

	tm = target != NULL ? channel_find_member(ch, target) : NULL;
	if (tm == NULL) {
		numeric(c, ERR_USERNOTINCHANNEL, nick, ch->name);
		return;
	}
	outline_format(&ol, ":%s KICK %s %s :%.*s", client_prefix(c, pfx, sizeof(pfx)), ch->name,
	    target->nick, utf8_prefix(reason, srv->cfg->kicklen), reason);
	send_channel(ch, NULL, &ol, 0);
	{
		struct event_kick ev = { c, target, ch, reason };
		event_publish_kick(srv, &ev);
	}
	channel_remove_member(srv, tm);
}

/* KICK <channel>{,<channel>} <user>{,<user>} [:reason] (RFC 2812 §3.2.8):
 * one channel and many users, or as many channels as users, paired by
 * position: in "KICK #a,#b ,bob" the empty first user goes with #a, so bob
 * is kicked from #b only (never from #a). At most TARGMAX KICK users (407
 * past it); a user named twice for one channel is kicked once. */
enum cmd_result
cmd_kick(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	char *chans = m->params[0], *users = m->params[1], *cname, *nick;
	const char *reason = m->nparams > 2 && m->params[2][0] ? m->params[2] : c->nick;
	bool single = strchr(chans, ',') == NULL;
	struct channel *ch = NULL;
	struct membership *mb;
	struct targets seen;
	unsigned n = 0;

	if (chans[0] == '\0' || strspn(users, ",") == strlen(users)) {
		numeric(c, ERR_NEEDMOREPARAMS, "KICK");
		return CMD_OK;
	}
	targets_init(&seen, c);
	cname = chans;
	for (;;) {
		if (single) {
			nick = targets_next(&seen, &users, srv->cfg->max_targets, c, false);
			if (nick == NULL)
				break;
		} else {
			cname = list_next(&chans);
			nick = list_next(&users);
			if (cname == NULL && nick == NULL)
				break;
			if (cname == NULL || nick == NULL) {
				numeric(c, ERR_NEEDMOREPARAMS, "KICK"); /* unequal lists */
				break;
			}
			if (cname[0] == '\0' || nick[0] == '\0')
				continue; /* an empty half: that pair names nobody */
			if (++n > srv->cfg->max_targets) {
				numeric(c, ERR_TOOMANYTARGETS, nick); /* TARGMAX KICK */
				break;
			}
		}
		if (ch == NULL || !single) {
			ch = server_find_channel(srv, cname);
			if (ch == NULL) {
				numeric(c, ERR_NOSUCHCHANNEL, cname);
				if (single)
					break;
				continue;
			}
		}
		mb = channel_find_member(ch, c);
		if (mb == NULL) {
			numeric(c, ERR_NOTONCHANNEL, ch->name);
			if (single)
				break;
			continue;
		}
		if (!(mb->modes & MEMB_OP)) {
			numeric(c, ERR_CHANOPRIVSNEEDED, ch->name);
			if (single)
				break;
			continue;
		}
		kick_one(c, ch, nick, reason);
		/* the channel is gone if the kicker kicked the last member */
		if (single && server_find_channel(srv, cname) != ch)
			break;
	}
	return CMD_OK;
}

/* KNOCK <channel> [:message]: ask the operators of a +i (or +k, +l)
 * channel for an invitation, as in ngIRCd/InspIRCd/Solanum (numerics
 * 710-714); one KNOCK per client per 60 s (712). */
enum cmd_result
cmd_knock(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct channel *ch = server_find_channel(srv, m->params[0]);
	struct membership *mb, *tmp;
	char pfx[160];

	if (ch == NULL) {
		numeric(c, ERR_NOSUCHCHANNEL, m->params[0]);
		return CMD_OK;
	}
	if (channel_find_member(ch, c) != NULL) {
		numeric(c, ERR_KNOCKONCHAN, ch->name);
		return CMD_OK;
	}
	if (!(ch->modes & (CMODE_INVITE | CMODE_KEY | CMODE_LIMIT))) {
		numeric(c, ERR_CHANOPEN, ch->name);
		return CMD_OK;
	}
	if (channel_is_banned(ch, c)) {
		numeric(c, ERR_CANNOTSENDTOCHAN, ch->name);
		return CMD_OK;
	}
	if (c->last_knock != 0 && srv->now - c->last_knock < 60) {
		numeric(c, ERR_TOOMANYKNOCK, ch->name);
		return CMD_OK;
	}
	c->last_knock = srv->now;
	client_prefix(c, pfx, sizeof(pfx));
	HASH_ITER(hh, ch->members, mb, tmp)
		if (mb->modes & MEMB_OP)
			reply_numeric(mb->client, RPL_KNOCK, FMT_RPL_KNOCK, ch->name, pfx,
			    m->nparams > 1 && m->params[1][0] ? m->params[1]
							      : "has asked for an invite.");
	numeric(c, RPL_KNOCKDLVR, ch->name);
	return CMD_OK;
}
