/* mode.c - the channel- and user-mode tables and what is derived from them
 * (pure). See proto/mode.h. */
#include <stdio.h>
#include <string.h>

#include "core/channel.h"
#include "core/client.h"
#include "proto/message.h"
#include "proto/mode.h"
#include "proto/numeric.h"

/* The one channel-mode table. Order: the RPL_MYINFO order (lists first, then
 * alphabetical); CHANMODES groups the letters by kind in this order; member
 * modes appear by descending rank (PREFIX=(ov)@+). */
const struct chanmode_def chanmode_table[] = {
	{ 'b', MODE_LIST, MODE_BY_CHANOP, 0, 0, LIST_BAN, 0, 0, RPL_BANLIST, RPL_ENDOFBANLIST },
	/* Solanum ircd/chmode.c chm_ban: "non-ops cant see +eI lists"
	 * (CHM_OPS_QUERY); InspIRCd shows them unless <hidelist> says so. We
	 * follow Solanum: exceptions and invite exceptions name the people the
	 * operators chose to let past the bans, which is theirs to know. */
	{ 'e', MODE_LIST, MODE_BY_CHANOP, MODEF_OPS_QUERY, 0, LIST_EXCEPT, 0, 0, RPL_EXCEPTLIST,
	    RPL_ENDOFEXCEPTLIST },
	{ 'I', MODE_LIST, MODE_BY_CHANOP, MODEF_OPS_QUERY, 0, LIST_INVEX, 0, 0, RPL_INVEXLIST,
	    RPL_ENDOFINVEXLIST },
	/* no CTCP but ACTION to the channel: InspIRCd m_noctcp and Solanum
	 * both spell it +C (enforced in cmd_message.c deliver) */
	{ 'C', MODE_NEVER, MODE_BY_CHANOP, 0, CMODE_NOCTCP, 0, 0, 0, 0, 0 },
	/* history opt-out (docs/HISTORY.md): nothing said while it is set is
	 * stored. Ergo makes history a ChanServ setting and InspIRCd and
	 * UnrealIRCd an opt-in +H <lines>:<time>; as ours is on by default
	 * the channel's choice is the opposite, so it gets its own letter,
	 * E ("ephemeral"), not H with the opposite meaning */
	{ 'E', MODE_NEVER, MODE_BY_CHANOP, 0, CMODE_NOHISTORY, 0, 0, 0, 0, 0 },
	/* Accounts (issue 11): we follow InspIRCd's services_account module,
	 * whose letters ngIRCd shares: +M only users logged in to an account
	 * (or voiced/ops) may speak, +R only they may join; both refuse with
	 * 477 ERR_NEEDREGGEDNICK. Solanum differs (+r is its registered-only
	 * join, +R a quiet-unregistered mode), so we do not follow it. */
	{ 'M', MODE_NEVER, MODE_BY_CHANOP, 0, CMODE_REGMODERATED, 0, 0, 0, 0, 0 },
	{ 'R', MODE_NEVER, MODE_BY_CHANOP, 0, CMODE_REGONLY, 0, 0, 0, 0, 0 },
	{ 'i', MODE_NEVER, MODE_BY_CHANOP, 0, CMODE_INVITE, 0, 0, 0, 0, 0 },
	{ 'k', MODE_ALWAYS, MODE_BY_CHANOP, MODEF_UNSET_ARG_OPT | MODEF_SECRET_ARG, CMODE_KEY, 0, 0,
	    0, 0, 0 },
	{ 'l', MODE_SET, MODE_BY_CHANOP, MODEF_SECRET_ARG, CMODE_LIMIT, 0, 0, 0, 0, 0 },
	{ 'm', MODE_NEVER, MODE_BY_CHANOP, 0, CMODE_MODERATED, 0, 0, 0, 0, 0 },
	{ 'n', MODE_NEVER, MODE_BY_CHANOP, 0, CMODE_NOEXTERNAL, 0, 0, 0, 0, 0 },
	{ 'o', MODE_ALWAYS, MODE_BY_CHANOP, 0, 0, 0, MEMB_OP, '@', 0, 0 },
	{ 'p', MODE_NEVER, MODE_BY_CHANOP, 0, CMODE_PRIVATE, 0, 0, 0, 0, 0 },
	{ 's', MODE_NEVER, MODE_BY_CHANOP, 0, CMODE_SECRET, 0, 0, 0, 0, 0 },
	{ 't', MODE_NEVER, MODE_BY_CHANOP, 0, CMODE_TOPIC, 0, 0, 0, 0, 0 },
	{ 'v', MODE_ALWAYS, MODE_BY_CHANOP, 0, 0, 0, MEMB_VOICE, '+', 0, 0 },
};
const size_t chanmode_count = sizeof(chanmode_table) / sizeof(chanmode_table[0]);

/* The one user-mode table (RFC 2812 §3.1.5; IRCv3 bot mode B). */
const struct usermode_def usermode_table[] = {
	{ 'i', UMODE_BY_USER, UMODE_INVISIBLE },
	/* RFC 2812 §3.1.5: "+o" through MODE is ignored; OPER grants it. */
	{ 'o', UMODE_BY_OPER, UMODE_OPER }, { 'w', UMODE_BY_USER, UMODE_WALLOPS },
	{ 'r', UMODE_BY_SERVER, UMODE_REGISTERED }, /* logged in (Solanum/InspIRCd/Ergo +r) */
	{ 'z', UMODE_BY_SERVER, UMODE_SECURE }, /* TLS connection */
	{ 'B', UMODE_BY_USER, UMODE_BOT }, /* IRCv3 bot mode */
};
const size_t usermode_count = sizeof(usermode_table) / sizeof(usermode_table[0]);

const struct chanmode_def *
mode_channel_find(char letter)
{
	size_t i;

	for (i = 0; i < chanmode_count; i++)
		if (chanmode_table[i].letter == letter)
			return &chanmode_table[i];
	return NULL;
}

enum mode_kind
mode_channel_kind(char letter)
{
	const struct chanmode_def *d = mode_channel_find(letter);

	return d != NULL ? (enum mode_kind)d->kind : MODE_UNKNOWN;
}

const struct usermode_def *
mode_user_find(char letter)
{
	size_t i;

	for (i = 0; i < usermode_count; i++)
		if (usermode_table[i].letter == letter)
			return &usermode_table[i];
	return NULL;
}

int
mode_parse(const char *modestr, char *const *args, int nargs, struct mode_change *out, int max,
    int max_param)
{
	char dir = '+';
	int n = 0, ai = 0, nparam = 0;
	const char *p;

	for (p = modestr; *p != '\0' && n < max; p++) {
		const struct chanmode_def *d;
		struct mode_change *mc;
		bool wants;

		if (*p == '+' || *p == '-') {
			dir = *p;
			continue;
		}
		d = mode_channel_find(*p);
		switch (d != NULL ? d->kind : MODE_UNKNOWN) {
		case MODE_LIST:
			wants = ai < nargs; /* none left: list query */
			break;
		case MODE_ALWAYS:
			/* -k takes its (ignored) parameter when one is given */
			wants =
			    (dir == '-' && (d->flags & MODEF_UNSET_ARG_OPT)) ? ai < nargs : true;
			break;
		case MODE_SET:
			wants = dir == '+';
			break;
		default:
			wants = false;
			break;
		}
		if (wants && ai < nargs && nparam >= max_param) {
			ai++; /* over MODES: skip the change and its parameter */
			continue;
		}
		mc = &out[n++];
		mc->dir = dir;
		mc->mode = *p;
		mc->arg = NULL;
		mc->missing_arg = false;
		if (wants) {
			if (ai < nargs) {
				mc->arg = args[ai++];
				nparam++;
			} else
				mc->missing_arg = true;
		}
	}
	return n;
}

/* cat: append c to buf (size bytes, NUL kept) at *len. */
static void
cat(char *buf, size_t size, size_t *len, char c)
{
	if (*len + 1 < size) {
		buf[(*len)++] = c;
		buf[*len] = '\0';
	}
}

/* Which rows of chanmode_table a derived string lists. */
static bool
is_member_mode(const struct chanmode_def *d)
{
	return d->prefix != 0;
}

static bool
is_list_mode(const struct chanmode_def *d)
{
	return d->kind == MODE_LIST;
}

static bool
any_mode(const struct chanmode_def *d)
{
	return true;
}

static bool
takes_param(const struct chanmode_def *d)
{
	return d->kind != MODE_NEVER;
}

/* chan_collect: append to buf at *len the letter (or, with symbols, the
 * prefix symbol) of every chanmode_table row that want() accepts, in
 * table order. */
static void
chan_collect(char *buf, size_t size, size_t *len, bool (*want)(const struct chanmode_def *),
    bool symbols)
{
	size_t i;

	for (i = 0; i < chanmode_count; i++)
		if (want(&chanmode_table[i]))
			cat(buf, size, len,
			    symbols ? chanmode_table[i].prefix : chanmode_table[i].letter);
}

/* chan_string: buf (size bytes) holds just chan_collect's string. */
static char *
chan_string(char *buf, size_t size, bool (*want)(const struct chanmode_def *), bool symbols)
{
	size_t len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	chan_collect(buf, size, &len, want, symbols);
	return buf;
}
char *
mode_isupport_chanmodes(char *buf, size_t size)
{
	static const uint8_t kinds[] = { MODE_LIST, MODE_ALWAYS, MODE_SET, MODE_NEVER };
	size_t len = 0, k, i;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (k = 0; k < sizeof(kinds); k++) {
		if (k > 0)
			cat(buf, size, &len, ',');
		for (i = 0; i < chanmode_count; i++)
			/* prefix modes are type B but advertised in PREFIX only */
			if (chanmode_table[i].kind == kinds[k] && chanmode_table[i].prefix == 0)
				cat(buf, size, &len, chanmode_table[i].letter);
	}
	return buf;
}

char *
mode_isupport_prefix(char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	cat(buf, size, &len, '(');
	chan_collect(buf, size, &len, is_member_mode, false);
	cat(buf, size, &len, ')');
	chan_collect(buf, size, &len, is_member_mode, true);
	return buf;
}

char *
mode_isupport_lists(char *buf, size_t size)
{
	return chan_string(buf, size, is_list_mode, false);
}

char
mode_list_letter(int list)
{
	size_t i;

	for (i = 0; i < chanmode_count; i++)
		if (chanmode_table[i].kind == MODE_LIST && chanmode_table[i].list == list)
			return chanmode_table[i].letter;
	return '?';
}

char *
mode_isupport_statusmsg(char *buf, size_t size)
{
	return chan_string(buf, size, is_member_mode, true);
}

char *
mode_myinfo_user(char *buf, size_t size)
{
	size_t len = 0, i;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < usermode_count; i++)
		cat(buf, size, &len, usermode_table[i].letter);
	return buf;
}

char *
mode_myinfo_chan(char *buf, size_t size)
{
	return chan_string(buf, size, any_mode, false);
}

char *
mode_myinfo_chan_param(char *buf, size_t size)
{
	return chan_string(buf, size, takes_param, false);
}

char *
mode_user_string(uint32_t umodes, char *buf, size_t size)
{
	size_t len = 0, i;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	cat(buf, size, &len, '+');
	for (i = 0; i < usermode_count; i++)
		if (umodes & usermode_table[i].bit)
			cat(buf, size, &len, usermode_table[i].letter);
	return buf;
}

/* channel_param: the parameter of a set B/C mode of ch into buf, or NULL. */
static const char *
channel_param(const struct channel *ch, const struct chanmode_def *d, char *buf, size_t size)
{
	if (d->bit == CMODE_KEY)
		return ch->chankey;
	if (d->bit == CMODE_LIMIT) {
		snprintf(buf, size, "%u", ch->limit);
		return buf;
	}
	return NULL;
}

char *
mode_channel_string(const struct channel *ch, bool show_args, char *buf, size_t size)
{
	size_t len = 0, i;
	int n;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	cat(buf, size, &len, '+');
	for (i = 0; i < chanmode_count; i++) {
		const struct chanmode_def *d = &chanmode_table[i];
		if (d->kind != MODE_LIST && d->prefix == 0 && (ch->modes & d->bit))
			cat(buf, size, &len, d->letter);
	}
	for (i = 0; i < chanmode_count; i++) {
		const struct chanmode_def *d = &chanmode_table[i];
		char num[16];
		const char *arg;

		if (d->kind == MODE_LIST || d->kind == MODE_NEVER || d->prefix != 0 ||
		    !(ch->modes & d->bit))
			continue;
		if ((d->flags & MODEF_SECRET_ARG) && !show_args)
			continue;
		arg = channel_param(ch, d, num, sizeof(num));
		if (arg == NULL || len >= size)
			continue;
		n = snprintf(buf + len, size - len, " %s", arg);
		if (n < 0 || (size_t)n >= size - len) {
			buf[len] = '\0'; /* never a cut or a misplaced parameter */
			break;
		}
		len += (size_t)n;
	}
	return buf;
}

char *
mode_prefix_str(uint8_t modes, bool multi, char *buf)
{
	size_t len = 0, i;

	buf[0] = '\0';
	for (i = 0; i < chanmode_count; i++) {
		if (chanmode_table[i].prefix == 0 || !(modes & chanmode_table[i].member))
			continue;
		cat(buf, 4, &len, chanmode_table[i].prefix);
		if (!multi)
			break;
	}
	return buf;
}

bool
mode_lines_add(struct mode_lines *ml, char dir, char mode, const char *arg)
{
	struct mode_applied *a;
	size_t alen = arg != NULL ? strlen(arg) + 1 : 0;

	if (ml->n >= MODE_LINE_MAX_CHANGES || ml->arglen + alen > sizeof(ml->argbuf))
		return false;
	a = &ml->ch[ml->n++];
	a->dir = dir;
	a->mode = mode;
	a->arg = NULL;
	if (arg != NULL) {
		memcpy(ml->argbuf + ml->arglen, arg, alen);
		a->arg = ml->argbuf + ml->arglen;
		ml->arglen += alen;
	}
	return true;
}

/* Why split: RFC 2812 §2.3 limits a line to 512 bytes with CRLF and 15
 * parameters; Solanum (ircd/chmode.c set_channel_mode) and InspIRCd
 * (ClientProtocol::Messages::Mode) start a new MODE line when the next change
 * would not fit, each line with its letters' parameters. */
int
mode_lines_pack(const struct mode_lines *ml, const char *head, size_t linemax,
    void (*emit)(void *ctx, const char *line, size_t len), void *ctx)
{
	char modes[MODE_LINE_MAX_CHANGES * 2 + 1], args[1024], line[1024];
	size_t hlen = strlen(head), mlen = 0, alen = 0;
	int i, nparams = 0, lines = 0;
	char lastdir = 0;

	if (linemax > sizeof(line) - 1)
		linemax = sizeof(line) - 1;
	for (i = 0; i <= ml->n; i++) {
		const struct mode_applied *a = i < ml->n ? &ml->ch[i] : NULL;
		size_t add_m = 0, add_a = 0;

		if (a != NULL) {
			add_m = 1 + (a->dir != lastdir);
			add_a = a->arg != NULL ? 1 + strlen(a->arg) : 0;
			if (hlen + 1 + 2 + add_a > linemax)
				continue; /* cannot fit even alone */
		}
		/* flush when done, or when a would not fit the current line */
		if (mlen > 0 &&
		    (a == NULL || hlen + 1 + mlen + add_m + alen + add_a > linemax ||
			(a->arg != NULL && nparams >= MODE_LINE_MAX_PARAMS))) {
			int n = snprintf(line, sizeof(line), "%s %.*s%.*s", head, (int)mlen, modes,
			    (int)alen, args);
			if (n > 0 && (size_t)n <= linemax) {
				emit(ctx, line, (size_t)n);
				lines++;
			}
			mlen = alen = 0;
			nparams = 0;
			lastdir = 0;
			if (a != NULL)
				add_m = 2;
		}
		if (a == NULL)
			break;
		if (a->dir != lastdir) {
			modes[mlen++] = a->dir;
			lastdir = a->dir;
		}
		modes[mlen++] = a->mode;
		if (a->arg != NULL && alen + add_a < sizeof(args)) {
			args[alen++] = ' ';
			memcpy(args + alen, a->arg, add_a - 1);
			alen += add_a - 1;
			nparams++;
		}
	}
	return lines;
}

size_t
mode_mask_max(size_t srvlen, size_t nicklen, size_t chanlen)
{
	/* ":nick!~user@host MODE #chan +b <mask>" */
	size_t prefix = 1 + nicklen + 1 + (USERLEN + 1) + 1 + HOSTLEN;
	size_t mode_line = prefix + 6 + chanlen + 1 + 2 + 1;
	/* ":server 367 nick #chan <mask>" (setter and time are dropped when
	 * they do not fit: they are optional, Modern IRC RPL_BANLIST) */
	size_t list_line = 1 + srvlen + 5 + nicklen + 1 + chanlen + 1;
	size_t used = mode_line > list_line ? mode_line : list_line;
	size_t max = IRC_LINE_MAX - 2 > used ? IRC_LINE_MAX - 2 - used : 0;

	return max < 250 ? max : 250;
}
