/* chanserv.c - the built-in ChanServ (see cmd/chanserv.h). Command names
 * and replies follow Atheme's ChanServ (REGISTER, DROP, INFO, OP, DEOP,
 * VOICE, DEVOICE, ACCESS, FLAGS, SET), with Ergo's AMODE for its users;
 * registrations are read from the store's cache (store/chanreg.h) and a
 * change is answered once its database write is committed, as NickServ
 * does. Everything that happens without a command (restoring a channel,
 * +o/+v on join, keeping modes and topic) is an event subscriber. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/event.h"
#include "core/netserver.h"
#include "core/server.h"
#include "store/chanreg.h"
#include "store/store.h"
#include "proto/mode.h"
#include "net/output.h"
#include "cmd/chanserv.h"
#include "cmd/command.h"
#include "cmd/pseudo.h"
#include "cmd/pwcheck.h"

#define CS_NAME	  "ChanServ"
#define CS_SOURCE "ChanServ!ChanServ@services."

/* cs: one NOTICE from ChanServ to c. */
static void __attribute__((format(printf, 2, 3))) cs(struct client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pseudo_vnotice(c, CS_SOURCE, fmt, ap);
	va_end(ap);
}

bool
chanserv_is(struct server *srv, const char *name)
{
	return srv->store != NULL && casemap_cmp(srv->cfg->casemapping, name, CS_NAME) == 0;
}

/* The help: one entry per command, its syntax and what it does. */
static const struct cs_help {
	const char *cmd;
	const char *syntax;
	const char *const text[5];
} cs_help_table[] = {
	{ "REGISTER", "REGISTER <#channel>",
	    { "Registers a channel to your account. You must be logged in and",
		"a channel operator in it. Its modes, key, limit, topic and",
		"ban/exception/invite lists are kept and restored when the channel",
		"is created again; members with access get +o/+v on join.", NULL } },
	{ "DROP", "DROP <#channel>",
	    { "Forgets a channel's registration, access list and kept state.",
		"The founder or an IRC operator may drop it.", NULL } },
	{ "INFO", "INFO <#channel>",
	    { "Shows a registered channel's founder, date and settings.", NULL } },
	{ "OP", "OP <#channel> [nick]",
	    { "Gives channel operator status to you or nick. Needs op access.", NULL } },
	{ "DEOP", "DEOP <#channel> [nick]",
	    { "Takes channel operator status from you or nick. Needs op access.", NULL } },
	{ "VOICE", "VOICE <#channel> [nick]",
	    { "Gives voice to you or nick. Needs voice access (op for others).", NULL } },
	{ "DEVOICE", "DEVOICE <#channel> [nick]",
	    { "Takes voice from you or nick. Needs voice access (op for others).", NULL } },
	{ "INVITE", "INVITE <#channel>",
	    { "Invites you to the channel: you may pass its +i and +l once",
		"(not its key or bans). Needs op access.", NULL } },
	{ "UNBAN", "UNBAN <#channel>",
	    { "Removes the bans (+b) that match you. Needs op access.", NULL } },
	{ "GETKEY", "GETKEY <#channel>",
	    { "Tells you the channel's key (+k). Needs op access.", NULL } },
	{ "ACCESS", "ACCESS <#channel> ADD <account> <op|voice> | DEL <account> | LIST",
	    { "Manages the access list (Atheme's roles): op gets +o on join and",
		"may use OP/DEOP/VOICE/DEVOICE and manage voice entries; voice gets",
		"+v on join. The founder manages every entry; LIST needs access.", NULL } },
	{ "FLAGS", "FLAGS <#channel> [account [+o|+v|-*]]",
	    { "Atheme's spelling of ACCESS: +o (or +O) makes account an op, +v",
		"(or +V) a voice, -* (or taking away its letter) removes it.",
		"Without an account: the list.", NULL } },
	{ "AMODE", "AMODE <#channel> [+o|+v|-o|-v <account>]",
	    { "Ergo's spelling of ACCESS: +o or +v gives account that level,",
		"-o or -v removes it.", NULL } },
	{ "SET", "SET <#channel> KEEPTOPIC <ON|OFF>",
	    { "KEEPTOPIC (on by default): the topic is kept and restored when the",
		"channel is created again. Founder only.", NULL } },
};

static void
cs_help(struct client *c, const char *topic)
{
	size_t i, k;

	if (topic != NULL && *topic != '\0') {
		for (i = 0; i < sizeof(cs_help_table) / sizeof(cs_help_table[0]); i++) {
			const struct cs_help *h = &cs_help_table[i];
			if (strcasecmp(topic, h->cmd) != 0)
				continue;
			cs(c, "***** ChanServ Help *****");
			cs(c, "Help for %s:", h->cmd);
			for (k = 0; k < 5 && h->text[k] != NULL; k++)
				cs(c, "%s", h->text[k]);
			cs(c, "Syntax: %s", h->syntax);
			cs(c, "***** End of Help *****");
			return;
		}
		cs(c, "No help available for %s.", topic);
		return;
	}
	cs(c, "***** ChanServ Help *****");
	cs(c, "ChanServ keeps registered channels. Commands:");
	for (i = 0; i < sizeof(cs_help_table) / sizeof(cs_help_table[0]); i++)
		cs(c, "%-9s %s", cs_help_table[i].cmd, cs_help_table[i].syntax);
	cs(c, "For more on a command: /msg ChanServ HELP <command>");
	cs(c, "***** End of Help *****");
}

static const char *
level_name(enum chanreg_level l)
{
	return l == CHANREG_FOUNDER ? "founder" : l == CHANREG_OP ? "op" : "voice";
}

/* Atheme's flags of its founder, op (AOP) and voice (VOP) templates, shown
 * by FLAGS so that scripts reading them see familiar letters. */
static const char *
level_flags(enum chanreg_level l)
{
	return l == CHANREG_FOUNDER ? "+AFORefiorstv" : l == CHANREG_OP ? "+AOehiortv" : "+AV";
}

/* reg_for: the registration of name, answering c when there is none. */
static const struct chanreg *
reg_for(struct client *c, const char *name)
{
	const struct chanreg *reg;

	if (name == NULL || *name == '\0') {
		cs(c, "Insufficient parameters. Syntax: /msg ChanServ HELP");
		return NULL;
	}
	if ((reg = chanreg_find(c->srv->store, name)) == NULL)
		cs(c, "%s is not registered.", name);
	return reg;
}

/* access_of: c's level on reg (none when not logged in). */
static enum chanreg_level
access_of(struct client *c, const struct chanreg *reg)
{
	return c->account != NULL ? chanreg_level(reg, c->account) : CHANREG_NONE;
}

/* store_done: the write of a command is committed: the answer prepared in
 * w->oper, or a failure. */
static void
store_done(void *arg, enum store_result r)
{
	struct client_pwwait *w = arg;
	struct client *c = pwcheck_store_done(w);

	if (c == NULL)
		return;
	if (r == STORE_OK)
		cs(c, "%s", w->oper);
	else
		cs(c, "Your request could not be saved: try again later.");
	pwcheck_answer_end(c, CMD_OK);
}

/* wait_begin: pause c until a write is committed; answer is what c is
 * told then. NULL (c told to retry) when c cannot wait. */
static struct client_pwwait *
wait_begin(struct client *c, const char *answer)
{
	struct client_pwwait *w = pwcheck_store_wait(c, PW_NS_STORE, answer);

	if (w == NULL)
		cs(c, "Try again later.");
	return w;
}

/* wait_refused: the write was refused: end the wait, tell c why. */
static void
wait_refused(struct client *c, enum store_refusal why)
{
	pwcheck_store_unwait(c);
	if (why == STORE_REFUSED_FULL)
		cs(c, "Try again later.");
	else
		cs(c, "Your request could not be saved.");
}

/* state_of: ch's restorable state into st (masks into an array the caller
 * frees; NULL when there are none). */
static struct chanreg_mask *
state_of(const struct channel *ch, struct chanreg_state *st, char *letters, size_t size)
{
	struct chanreg_mask *masks = NULL;
	const struct mask_entry *e;
	size_t i, n = 0;
	int k;

	for (i = 0; i < chanmode_count && n + 1 < size; i++) {
		const struct chanmode_def *d = &chanmode_table[i];
		if (d->kind == MODE_NEVER && d->bit != 0 && (ch->modes & d->bit))
			letters[n++] = d->letter;
	}
	letters[n] = '\0';
	memset(st, 0, sizeof(*st));
	st->modes = letters;
	st->key = (ch->modes & CMODE_KEY) ? ch->chankey : NULL;
	st->limit = (ch->modes & CMODE_LIMIT) ? ch->limit : 0;
	st->topic = ch->topic;
	st->topic_setter = ch->topic_setter;
	st->topic_time = ch->topic_time;
	if (ch->nlist > 0 && (masks = calloc(ch->nlist, sizeof(*masks))) != NULL) {
		for (k = 0; k < LIST_COUNT; k++)
			for (e = ch->lists[k]; e != NULL && st->nmasks < ch->nlist; e = e->next) {
				masks[st->nmasks].kind = mode_list_letter(k);
				masks[st->nmasks].mask = e->mask;
				masks[st->nmasks].setter = e->setter;
				masks[st->nmasks].when = e->when;
				st->nmasks++;
			}
		st->masks = masks;
	}
	return masks;
}

/* keep_state: write ch's state as its registration's kept state. */
static void
keep_state(struct server *srv, struct channel *ch)
{
	struct chanreg_state st;
	struct chanreg_mask *masks;
	char letters[CHANREG_MODES_MAX + 1];

	masks = state_of(ch, &st, letters, sizeof(letters));
	chanreg_save(srv->store, ch->name, &st);
	free(masks);
}

/* REGISTER <#channel> (Atheme: logged in, a channel operator there, a '#'
 * channel, at most CHANSERV_MAX_PER_ACCOUNT per account). */
static void
cs_register(struct client *c, char *args)
{
	struct server *srv = c->srv;
	char *name = strsep(&args, " "), answer[300];
	const struct chanreg *reg;
	struct channel *ch;
	struct membership *m;
	struct chanreg_state st;
	struct chanreg_mask *masks;
	char letters[CHANREG_MODES_MAX + 1];
	enum store_refusal why = STORE_REFUSED_NONE;
	struct store_job *j;

	if (name == NULL || *name == '\0') {
		cs(c, "Insufficient parameters for REGISTER.");
		cs(c, "Syntax: REGISTER <#channel>");
		return;
	}
	if (c->account == NULL) {
		cs(c, "You are not logged in.");
		return;
	}
	if (name[0] != '#' || strlen(name) > CHANREG_NAME_MAX) {
		cs(c, "%s is not a valid channel name.", name);
		return;
	}
	if ((reg = chanreg_find(srv->store, name)) != NULL) {
		cs(c, "%s is already registered to %s.", reg->name, reg->founder->account);
		return;
	}
	if ((ch = server_find_channel(srv, name)) == NULL) {
		cs(c, "The channel %s must exist in order to register it.", name);
		return;
	}
	if ((m = channel_find_member(ch, c)) == NULL || !(m->modes & MEMB_OP)) {
		cs(c, "You must be a channel operator in %s in order to register it.", ch->name);
		return;
	}
	if (chanreg_founded(srv->store, c->account) >= CHANSERV_MAX_PER_ACCOUNT) {
		cs(c, "You have too many channels registered (%d).", CHANSERV_MAX_PER_ACCOUNT);
		return;
	}
	snprintf(answer, sizeof(answer), "%s is now registered to %s.", ch->name, c->account);
	if (wait_begin(c, answer) == NULL)
		return;
	masks = state_of(ch, &st, letters, sizeof(letters));
	j = chanreg_register(srv->store, ch->name, c->account, srv->now, &st, store_done, c->pw,
	    &why);
	free(masks);
	if (j == NULL)
		wait_refused(c, why);
}

/* DROP <#channel>: the founder, or an IRC operator (Atheme lets opers with
 * chan:admin do it; Ergo lets operators with chanreg). */
static void
cs_drop(struct client *c, char *args)
{
	char *name = strsep(&args, " "), answer[300];
	const struct chanreg *reg = reg_for(c, name);
	enum store_refusal why = STORE_REFUSED_NONE;

	if (reg == NULL)
		return;
	if (access_of(c, reg) != CHANREG_FOUNDER && !client_is_oper(c)) {
		cs(c, "You are not authorized to perform this operation.");
		return;
	}
	snprintf(answer, sizeof(answer), "%s has been dropped.", reg->name);
	if (wait_begin(c, answer) == NULL)
		return;
	if (chanreg_drop(c->srv->store, reg->name, store_done, c->pw, &why) == NULL)
		wait_refused(c, why);
}

static void
cs_info(struct client *c, char *args)
{
	char *name = strsep(&args, " ");
	const struct chanreg *reg = reg_for(c, name);
	char when[64];
	time_t t;

	if (reg == NULL)
		return;
	t = (time_t)reg->registered;
	strftime(when, sizeof(when), "%b %d %H:%M:%S %Y", gmtime(&t));
	cs(c, "Information on %s:", reg->name);
	cs(c, "Founder    : %s", reg->founder->account);
	cs(c, "Registered : %s (UTC)", when);
	cs(c, "Flags      : %s", (reg->flags & CHANREG_KEEPTOPIC) ? "KEEPTOPIC" : "(none)");
	cs(c, "*** End of Info ***");
}

/* give: set or take member mode letter (o or v) of t on ch, from the
 * server (Ergo's ChanServ changes modes as the server, too). False when
 * nothing changed. */
static bool
give(struct server *srv, struct channel *ch, struct membership *m, char dir, char letter)
{
	const struct chanmode_def *d = mode_channel_find(letter);
	struct mode_lines ml;

	if (d == NULL || d->member == 0 || (dir == '+') == ((m->modes & d->member) != 0))
		return false;
	if (dir == '+')
		m->modes |= d->member;
	else
		m->modes &= (uint8_t)~d->member;
	ml.n = 0;
	ml.arglen = 0;
	mode_lines_add(&ml, dir, letter, m->client->nick);
	mode_broadcast(srv, ch, NULL, &ml);
	return true;
}

/* OP/DEOP/VOICE/DEVOICE <#channel> [nick] (Atheme): op access for o, and
 * voice access for v on oneself (op for others). Like Atheme, the caller
 * is told only when not in the channel (otherwise the MODE tells). */
static void
cs_status(struct client *c, char *args, char dir, char letter)
{
	struct server *srv = c->srv;
	char *name = strsep(&args, " "), *nick = strsep(&args, " ");
	const struct chanreg *reg = reg_for(c, name);
	enum chanreg_level need, have;
	struct channel *ch;
	struct membership *m;
	struct client *t;

	if (reg == NULL)
		return;
	if (nick == NULL || *nick == '\0')
		nick = c->nick;
	t = server_find_nick(srv, nick);
	need = letter == 'o' || t != c ? CHANREG_OP : CHANREG_VOICE;
	have = access_of(c, reg);
	if (have < need) {
		cs(c, "You are not authorized to perform this operation.");
		return;
	}
	if ((ch = server_find_channel(srv, reg->name)) == NULL) {
		cs(c, "%s is currently empty.", reg->name);
		return;
	}
	if (t == NULL || !client_is_registered(t)) {
		cs(c, "%s is not online.", nick);
		return;
	}
	if ((m = channel_find_member(ch, t)) == NULL) {
		cs(c, "%s is not on %s.", t->nick, ch->name);
		return;
	}
	give(srv, ch, m, dir, letter);
	if (channel_find_member(ch, c) == NULL)
		cs(c, "%s has been %s on %s.", t->nick,
		    letter == 'o' ? (dir == '+' ? "opped" : "deopped")
				  : (dir == '+' ? "voiced" : "devoiced"),
		    ch->name);
}

/* live_for: the live channel of a registration c has op access to, or
 * NULL (c told why). For INVITE, UNBAN and GETKEY: Atheme gives them to
 * its op template (flags i and r); they let an op by access into a
 * populated channel, where the JOIN's checks apply to everyone. */
static struct channel *
live_for(struct client *c, const char *name)
{
	const struct chanreg *reg = reg_for(c, name);
	struct channel *ch;

	if (reg == NULL)
		return NULL;
	if (access_of(c, reg) < CHANREG_OP) {
		cs(c, "You are not authorized to perform this operation.");
		return NULL;
	}
	if ((ch = server_find_channel(c->srv, reg->name)) == NULL)
		cs(c, "%s is currently empty.", reg->name);
	return ch;
}

/* INVITE <#channel>: a stored invite for c (passes +i and +l once, as a
 * member's INVITE does), announced with an INVITE from ChanServ. */
static void
cs_invite(struct client *c, char *args)
{
	struct channel *ch = live_for(c, strsep(&args, " "));

	if (ch == NULL)
		return;
	if (channel_find_member(ch, c) != NULL) {
		cs(c, "You are already in %s.", ch->name);
		return;
	}
	channel_invite_add(ch, c, c->srv->now + INVITE_LIFETIME);
	reply_raw(c, ":" CS_SOURCE " INVITE %s :%s", c->nick, ch->name);
	cs(c, "You have been invited to %s.", ch->name);
}

/* ban_matches: a +b entry that keeps c out (what channel_is_banned tests:
 * nick!user@host masks and the a: extban; m: mutes do not keep anyone
 * out). */
static bool
ban_matches(const struct channel *ch, const struct client *c, const char *mask)
{
	if (mask[0] == 'a' && mask[1] == ':')
		return c->account != NULL &&
		    casemap_match((enum casemapping)ch->casemapping, mask + 2, c->account);
	if (mask[0] == 'm' && mask[1] == ':')
		return false;
	return client_matches_mask(c, mask);
}

/* UNBAN <#channel>: remove the bans matching c, as the server. */
static void
cs_unban(struct client *c, char *args)
{
	struct channel *ch = live_for(c, strsep(&args, " "));
	struct mask_entry *e, *next;
	struct mode_lines ml;
	char mask[CHANREG_MASK_MAX + 1];

	if (ch == NULL)
		return;
	ml.n = 0;
	ml.arglen = 0;
	for (e = ch->lists[LIST_BAN]; e != NULL && ml.n < MODE_LINE_MAX_CHANGES; e = next) {
		next = e->next;
		if (!ban_matches(ch, c, e->mask))
			continue;
		snprintf(mask, sizeof(mask), "%s", e->mask);
		if (channel_list_del(c->srv, ch, LIST_BAN, mask))
			mode_lines_add(&ml, '-', 'b', mask);
	}
	if (ml.n == 0) {
		cs(c, "No bans on %s match you.", ch->name);
		return;
	}
	mode_broadcast(c->srv, ch, NULL, &ml); /* EVENT_MODE keeps the list */
	cs(c, "You have been unbanned from %s.", ch->name);
}

/* GETKEY <#channel>: the channel's key. */
static void
cs_getkey(struct client *c, char *args)
{
	struct channel *ch = live_for(c, strsep(&args, " "));

	if (ch == NULL)
		return;
	if (!(ch->modes & CMODE_KEY) || ch->chankey == NULL)
		cs(c, "%s has no key.", ch->name);
	else
		cs(c, "Channel %s key is: %s", ch->name, ch->chankey);
}

/* access_list: the list in Atheme's ACCESS or FLAGS layout. */
static void
access_list(struct client *c, const struct chanreg *reg, bool flags)
{
	const struct chanreg_access *a;
	unsigned n = 0;

	if (access_of(c, reg) == CHANREG_NONE && !client_is_oper(c)) {
		cs(c, "You are not authorized to perform this operation.");
		return;
	}
	cs(c, "Entry Nickname/Host          %s", flags ? "Flags" : "Role");
	cs(c, "----- ---------------------- ----");
	for (a = chanreg_access_first(reg); a != NULL; a = chanreg_access_next(a))
		cs(c, "%-5u %-22s %s", ++n, a->account,
		    flags ? level_flags((enum chanreg_level)a->level)
			  : level_name((enum chanreg_level)a->level));
	cs(c, "----- ---------------------- ----");
	cs(c, "End of %s %s listing.", reg->name, flags ? "FLAGS" : "ACCESS");
}

/* access_change: give account level on reg (CHANREG_NONE: remove it) for
 * c. The founder changes any entry; an op changes voice entries; anyone
 * may remove their own entry. Answered after the commit. */
static void
access_change(struct client *c, const struct chanreg *reg, const char *account,
    enum chanreg_level level)
{
	struct server *srv = c->srv;
	const struct store_account *acct;
	enum chanreg_level have = access_of(c, reg), old;
	enum store_refusal why = STORE_REFUSED_NONE;
	char answer[300];
	bool self;

	if (account == NULL || *account == '\0') {
		cs(c, "Insufficient parameters. Syntax: /msg ChanServ HELP ACCESS");
		return;
	}
	if ((acct = store_account_find(srv->store, account)) == NULL) {
		cs(c, "%s is not registered.", account);
		return;
	}
	old = chanreg_level(reg, acct->name);
	self =
	    c->account != NULL && casemap_cmp(srv->cfg->casemapping, c->account, acct->name) == 0;
	if (old == CHANREG_FOUNDER) {
		cs(c, "You cannot change the founder's access.");
		return;
	}
	if (!(have == CHANREG_FOUNDER ||
		(have == CHANREG_OP && level <= CHANREG_VOICE && old <= CHANREG_VOICE) ||
		(self && level == CHANREG_NONE && old != CHANREG_NONE))) {
		cs(c, "You are not authorized to perform this operation.");
		return;
	}
	if (level == CHANREG_NONE && old == CHANREG_NONE) {
		cs(c, "%s is not on the access list of %s.", acct->name, reg->name);
		return;
	}
	if (level != CHANREG_NONE && old == CHANREG_NONE && reg->naccess >= CHANREG_ACCESS_MAX) {
		cs(c, "The access list of %s is full (%d).", reg->name, CHANREG_ACCESS_MAX);
		return;
	}
	if (level == CHANREG_NONE)
		snprintf(answer, sizeof(answer), "%s was removed from the %s role in %s.",
		    acct->name, level_name(old), reg->name);
	else
		snprintf(answer, sizeof(answer), "%s was added with the %s role in %s.", acct->name,
		    level_name(level), reg->name);
	if (wait_begin(c, answer) == NULL)
		return;
	if (chanreg_access_set(srv->store, reg->name, acct->name, level, c->account, srv->now,
		store_done, c->pw, &why) == NULL)
		wait_refused(c, why);
}

/* parse_level: "op"/"aop"/"voice"/"vop" (Atheme roles, Anope's xOP). */
static enum chanreg_level
parse_level(const char *s)
{
	if (s == NULL)
		return CHANREG_NONE;
	if (strcasecmp(s, "op") == 0 || strcasecmp(s, "aop") == 0)
		return CHANREG_OP;
	if (strcasecmp(s, "voice") == 0 || strcasecmp(s, "vop") == 0)
		return CHANREG_VOICE;
	return CHANREG_NONE;
}

/* ACCESS <#channel> ADD <account> <op|voice> | DEL <account> | LIST
 * (Atheme's cs_access with its roles). */
static void
cs_access(struct client *c, char *args)
{
	char *name = strsep(&args, " "), *sub = strsep(&args, " ");
	char *account = strsep(&args, " "), *role = strsep(&args, " ");
	const struct chanreg *reg = reg_for(c, name);
	enum chanreg_level level;

	if (reg == NULL)
		return;
	if (sub == NULL || *sub == '\0' || strcasecmp(sub, "LIST") == 0) {
		access_list(c, reg, false);
		return;
	}
	if (strcasecmp(sub, "DEL") == 0) {
		access_change(c, reg, account, CHANREG_NONE);
		return;
	}
	if (strcasecmp(sub, "ADD") != 0) {
		cs(c, "Syntax: ACCESS <#channel> ADD <account> <op|voice> | DEL <account> | LIST");
		return;
	}
	if ((level = parse_level(role != NULL && *role != '\0' ? role : "op")) == CHANREG_NONE) {
		cs(c, "%s is not a role: op or voice.", role);
		return;
	}
	access_change(c, reg, account, level);
}

/* FLAGS <#channel> [account [changes]] (Atheme's simple forms): +o/+O
 * makes account an op, +v/+V a voice; -* or taking away the letter of its
 * level removes it. Other letters are not kept and are ignored. */
static void
cs_flags(struct client *c, char *args)
{
	char *name = strsep(&args, " "), *account = strsep(&args, " ");
	char *changes = strsep(&args, " ");
	const struct chanreg *reg = reg_for(c, name);
	enum chanreg_level old, level;
	char dir = '+';
	const char *p;

	if (reg == NULL)
		return;
	if (account == NULL || *account == '\0') {
		access_list(c, reg, true);
		return;
	}
	old = level = chanreg_level(reg, account);
	if (changes == NULL || *changes == '\0') {
		if (store_account_find(c->srv->store, account) == NULL)
			cs(c, "%s is not registered.", account);
		else
			cs(c, "Flags for %s in %s are %s.", account, reg->name,
			    old == CHANREG_NONE ? "+" : level_flags(old));
		return;
	}
	for (p = changes; *p != '\0'; p++) {
		if (*p == '+' || *p == '-')
			dir = *p;
		else if (*p == 'o' || *p == 'O')
			level = dir == '+'	  ? CHANREG_OP
			    : level == CHANREG_OP ? CHANREG_NONE
						  : level;
		else if (*p == 'v' || *p == 'V') {
			if (dir == '+' && level < CHANREG_VOICE)
				level = CHANREG_VOICE;
			else if (dir == '-' && level == CHANREG_VOICE)
				level = CHANREG_NONE;
		} else if (*p == '*' && dir == '-')
			level = CHANREG_NONE;
	}
	if (level == old && old != CHANREG_FOUNDER) {
		cs(c, "Flags for %s in %s are %s.", account, reg->name,
		    old == CHANREG_NONE ? "+" : level_flags(old));
		return;
	}
	access_change(c, reg, account, level == CHANREG_FOUNDER ? CHANREG_OP : level);
}

/* AMODE <#channel> [+o|+v|-o|-v <account>] (Ergo's spelling). */
static void
cs_amode(struct client *c, char *args)
{
	char *name = strsep(&args, " "), *change = strsep(&args, " ");
	char *account = strsep(&args, " ");
	const struct chanreg *reg = reg_for(c, name);

	if (reg == NULL)
		return;
	if (change == NULL || *change == '\0') {
		access_list(c, reg, false);
		return;
	}
	if (strlen(change) != 2 || (change[0] != '+' && change[0] != '-') ||
	    (change[1] != 'o' && change[1] != 'v')) {
		cs(c, "Syntax: AMODE <#channel> [+o|+v|-o|-v <account>]");
		return;
	}
	access_change(c, reg, account,
	    change[0] == '-'	   ? CHANREG_NONE
		: change[1] == 'o' ? CHANREG_OP
				   : CHANREG_VOICE);
}

/* SET <#channel> KEEPTOPIC <ON|OFF> (Atheme's flag; founder only). */
static void
cs_set(struct client *c, char *args)
{
	char *name = strsep(&args, " "), *what = strsep(&args, " "), *val = strsep(&args, " ");
	const struct chanreg *reg = reg_for(c, name);
	enum store_refusal why = STORE_REFUSED_NONE;
	unsigned flags;
	char answer[300];
	bool on;

	if (reg == NULL)
		return;
	if (what == NULL || strcasecmp(what, "KEEPTOPIC") != 0 || val == NULL ||
	    (strcasecmp(val, "ON") != 0 && strcasecmp(val, "OFF") != 0)) {
		cs(c, "Syntax: SET <#channel> KEEPTOPIC <ON|OFF>");
		return;
	}
	if (access_of(c, reg) != CHANREG_FOUNDER) {
		cs(c, "You are not authorized to perform this operation.");
		return;
	}
	on = strcasecmp(val, "ON") == 0;
	flags = on ? reg->flags | CHANREG_KEEPTOPIC : reg->flags & ~CHANREG_KEEPTOPIC;
	snprintf(answer, sizeof(answer), "The KEEPTOPIC flag has been %s for %s.",
	    on ? "set" : "removed", reg->name);
	if (wait_begin(c, answer) == NULL)
		return;
	if (chanreg_set_flags(c->srv->store, reg->name, flags, store_done, c->pw, &why) == NULL) {
		wait_refused(c, why);
		return;
	}
	/* the current topic becomes the kept one at once */
	if (on) {
		struct channel *ch = server_find_channel(c->srv, reg->name);
		if (ch != NULL)
			keep_state(c->srv, ch);
	}
}

void
chanserv_message(struct client *c, const char *text)
{
	char buf[512], *args, *cmd = pseudo_split(buf, sizeof(buf), text, &args);

	while (*args == ' ')
		args++;
	if (strcasecmp(cmd, "HELP") == 0)
		cs_help(c, strsep(&args, " "));
	else if (strcasecmp(cmd, "REGISTER") == 0)
		cs_register(c, args);
	else if (strcasecmp(cmd, "DROP") == 0)
		cs_drop(c, args);
	else if (strcasecmp(cmd, "INFO") == 0)
		cs_info(c, args);
	else if (strcasecmp(cmd, "OP") == 0)
		cs_status(c, args, '+', 'o');
	else if (strcasecmp(cmd, "DEOP") == 0)
		cs_status(c, args, '-', 'o');
	else if (strcasecmp(cmd, "VOICE") == 0)
		cs_status(c, args, '+', 'v');
	else if (strcasecmp(cmd, "DEVOICE") == 0)
		cs_status(c, args, '-', 'v');
	else if (strcasecmp(cmd, "INVITE") == 0)
		cs_invite(c, args);
	else if (strcasecmp(cmd, "UNBAN") == 0)
		cs_unban(c, args);
	else if (strcasecmp(cmd, "GETKEY") == 0)
		cs_getkey(c, args);
	else if (strcasecmp(cmd, "ACCESS") == 0)
		cs_access(c, args);
	else if (strcasecmp(cmd, "FLAGS") == 0)
		cs_flags(c, args);
	else if (strcasecmp(cmd, "AMODE") == 0)
		cs_amode(c, args);
	else if (strcasecmp(cmd, "SET") == 0)
		cs_set(c, args);
	else
		cs(c, "Invalid command. Use /msg ChanServ HELP for a command listing.");
}

/* member_modes: the member modes level earns. */
static uint8_t
member_modes(enum chanreg_level level)
{
	return level >= CHANREG_OP ? MEMB_OP : level == CHANREG_VOICE ? MEMB_VOICE : 0;
}

/* on_channel_new: a registered channel is created again: its kept state
 * comes back before the JOIN's checks, and the creator gets what their
 * access earns, nothing without access (Atheme deops, Ergo never ops a
 * creator of a registered channel who has no access). */
static void
on_channel_new(struct server *srv, const struct event_channel_new *ev)
{
	struct channel *ch = ev->channel;
	const struct chanreg *reg;
	const char *p;
	unsigned i;

	if (srv->store == NULL || (reg = chanreg_find(srv->store, ch->name)) == NULL)
		return;
	ch->modes = 0;
	for (p = reg->modes; *p != '\0'; p++) {
		const struct chanmode_def *d = mode_channel_find(*p);
		if (d != NULL && d->kind == MODE_NEVER && d->bit != 0)
			ch->modes |= d->bit;
	}
	if (reg->key != NULL && (ch->chankey = strdup(reg->key)) != NULL)
		ch->modes |= CMODE_KEY;
	if (reg->limit > 0) {
		ch->limit = reg->limit;
		ch->modes |= CMODE_LIMIT;
	}
	if (reg->topic != NULL) {
		ch->topic = strdup(reg->topic);
		ch->topic_setter = strdup(reg->topic_setter != NULL ? reg->topic_setter : CS_NAME);
		if (ch->topic == NULL || ch->topic_setter == NULL) {
			free(ch->topic);
			free(ch->topic_setter);
			ch->topic = ch->topic_setter = NULL;
		} else
			ch->topic_time = (time_t)reg->topic_time;
	}
	for (i = 0; i < reg->nmasks; i++) {
		const struct chanmode_def *d = mode_channel_find(reg->masks[i].kind);
		if (d != NULL && d->kind == MODE_LIST)
			channel_list_add(ch, (enum mask_list_kind)d->list, reg->masks[i].mask,
			    reg->masks[i].setter, (time_t)reg->masks[i].when, srv->cfg->max_list);
	}
	*ev->creator_modes = member_modes(access_of(ev->creator, reg));
}

/* grant: give c on ch the modes its access to reg earns (local clients
 * logged in; nothing is taken away). */
static void
grant(struct server *srv, const struct chanreg *reg, struct channel *ch, struct membership *m)
{
	uint8_t want = member_modes(access_of(m->client, reg));

	if (want & MEMB_OP)
		give(srv, ch, m, '+', 'o');
	else if (want & MEMB_VOICE)
		give(srv, ch, m, '+', 'v');
}

/* on_join: +o/+v for members with access joining an existing registered
 * channel (Atheme's and Ergo's auto-op); the creator had them already. */
static void
on_join(struct server *srv, const struct event_join *ev)
{
	const struct chanreg *reg;
	struct membership *m;

	if (srv->store == NULL || ev->created || ev->client->account == NULL ||
	    client_is_remote(ev->client) ||
	    (reg = chanreg_find(srv->store, ev->channel->name)) == NULL ||
	    (m = channel_find_member(ev->channel, ev->client)) == NULL)
		return;
	grant(srv, reg, ev->channel, m);
}

/* on_account: a client logging in gets its modes in the registered
 * channels it is in (Atheme does so on IDENTIFY). O(its channels). */
static void
on_account(struct server *srv, const struct event_account *ev)
{
	struct membership *m;
	const struct chanreg *reg;

	if (srv->store == NULL || ev->account == NULL || client_is_remote(ev->client))
		return;
	LIST_FOREACH(m, &ev->client->channels, by_client) {
		if ((reg = chanreg_find(srv->store, m->chan->name)) != NULL)
			grant(srv, reg, m->chan, m);
	}
}

/* on_mode: a registered channel's modes changed: keep them (not for a
 * change of member status only: nothing kept changes). */
static void
on_mode(struct server *srv, const struct event_mode *ev)
{
	const char *p;

	if (srv->store == NULL || ev->channel == NULL ||
	    chanreg_find(srv->store, ev->channel->name) == NULL)
		return;
	for (p = ev->modes; *p != '\0' && *p != ' '; p++) {
		const struct chanmode_def *d = mode_channel_find(*p);
		if (d != NULL && d->prefix == 0) {
			keep_state(srv, ev->channel);
			return;
		}
	}
}

/* on_topic: a registered channel's topic changed: keep it (KEEPTOPIC). */
static void
on_topic(struct server *srv, const struct event_topic *ev)
{
	const struct chanreg *reg;

	if (srv->store == NULL || (reg = chanreg_find(srv->store, ev->channel->name)) == NULL ||
	    !(reg->flags & CHANREG_KEEPTOPIC))
		return;
	keep_state(srv, ev->channel);
}

int
chanserv_subscribe(struct server *srv)
{
	if (event_subscribe_channel_new(srv, on_channel_new) != 0 ||
	    event_subscribe_join(srv, on_join) != 0 ||
	    event_subscribe_account(srv, on_account) != 0 ||
	    event_subscribe_mode(srv, on_mode) != 0 || event_subscribe_topic(srv, on_topic) != 0)
		return -1;
	return 0;
}
