/* history.c - message history for clients (issue 12, docs/HISTORY.md):
 * the event subscribers that record channel and direct messages (and, for
 * draft/event-playback, JOIN PART KICK QUIT TOPIC MODE NICK), the
 * CHATHISTORY command (IRCv3 draft/chathistory), the playback of the last
 * lines on JOIN for clients without it, and HISTSERV FORGET. The storage
 * (tail cache, database, reader thread) is store/history.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "cmd/command.h"
#include "cmd/history.h"
#include "cmd/pwcheck.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/config.h"
#include "core/event.h"
#include "core/log.h"
#include "core/server.h"
#include "net/capture.h"
#include "net/output.h"
#include "proto/cap.h"
#include "proto/message.h"
#include "proto/reply.h"
#include "store/history.h"
#include "store/store.h"

/* ---- recording ---- */

static int64_t
now_ms(const struct server *srv)
{
	return (int64_t)srv->now * 1000 + srv->now_ms;
}

/* rec_ms: the time a line is recorded with. While a line from a
 * tag-capable link is handled, its own server-time (srv->time_override,
 * the same on every server: docs/NETWORK.md), so CHATHISTORY times and
 * timestamp= references agree across the network; a peer clock more than
 * a minute off ours is not believed. The store keeps each target's rows in
 * time order (hist_append). */
static int64_t
rec_ms(const struct server *srv)
{
	int64_t now = now_ms(srv), t;

	if (srv->time_override != NULL && srv->time_override_len > 5 &&
	    history_parse_time(srv->time_override + 5, &t) && t > now - 60000 && t < now + 60000)
		return t;
	return now;
}

/* event_msgid: a msgid for a stored event line (events carry none on the
 * wire): the message counter, like msg_tags_build. */
static void
event_msgid(struct server *srv, char *buf, size_t size)
{
	snprintf(buf, size, "%s%llx", srv->msgid_base, (unsigned long long)++srv->msgid_next);
}

/* fold_account: the casefolded account of c, or NULL. */
static const char *
fold_account(const struct server *srv, const struct client *c, char *buf, size_t size)
{
	if (c == NULL || c->account == NULL)
		return NULL;
	server_fold(srv, buf, c->account, size);
	return buf;
}

/* dm_key: the key of the DM history between accounts a and b (folded):
 * "a b" sorted, as Ergo keys direct messages by the account pair. */
bool
history_dm_key(char *key, size_t size, const char *a, const char *b)
{
	int n;

	if (strcmp(a, b) > 0) {
		const char *t = a;
		a = b;
		b = t;
	}
	n = snprintf(key, size, "%s %s", a, b);
	return n > 0 && (size_t)n < size;
}

/* record: one row for the channel ch (kind, line) sent by c. */
static void
record(struct server *srv, struct client *c, struct channel *ch, unsigned kind, const char *line,
    const char *tags, const char *msgid)
{
	char id[64], acct[64], tagbuf[80];
	unsigned flags = 0;

	if (srv->hist == NULL || (ch->modes & CMODE_NOHISTORY))
		return;
	if (HIST_IS_EVENT(kind) && kind != HK_TAGMSG && !srv->cfg->history_events)
		return;
	if (msgid == NULL) {
		event_msgid(srv, id, sizeof(id));
		msgid = id;
		snprintf(tagbuf, sizeof(tagbuf), "msgid=%s", id);
		tags = tagbuf;
	}
	/* who may read follows the channel's modes at the time of the
	 * message: a +s or +p channel's rows are shown only to members who
	 * were there when it was said (docs/HISTORY.md) */
	if (ch->modes & (CMODE_SECRET | CMODE_PRIVATE))
		flags |= HF_SECRET;
	hist_append(srv->hist, ch->key, rec_ms(srv), kind, flags, msgid,
	    fold_account(srv, c, acct, sizeof(acct)), c->nick_key, line, tags);
}

static void
on_message(struct server *srv, const struct event_message *ev)
{
	unsigned kind = ev->verb[0] == 'P' ? HK_PRIVMSG
	    : ev->verb[0] == 'N'	   ? HK_NOTICE
					   : HK_TAGMSG;
	char line[IRC_LINE_MAX + 1], pfx[160], key[HIST_KEY_MAX + 1], a[64], b[64];
	struct client *c = ev->source;
	const char *target;

	if (srv->hist == NULL || c == NULL)
		return;
	if (ev->channel != NULL) {
		/* a STATUSMSG line (@#chan) is not the channel's history:
		 * only some members saw it */
		if (ev->status != 0)
			return;
		target = ev->channel->name;
	} else if (ev->target != NULL) {
		/* direct messages: only between two logged-in accounts
		 * (Ergo: "direct messages ... are stored for registered
		 * users"); anyone else's conversation is not kept */
		if (c->account == NULL || ev->target->account == NULL ||
		    !history_dm_key(key, sizeof(key), fold_account(srv, c, a, sizeof(a)),
			fold_account(srv, ev->target, b, sizeof(b))))
			return;
		target = ev->target->nick;
	} else
		return;
	client_prefix(c, pfx, sizeof(pfx));
	if (kind == HK_TAGMSG)
		snprintf(line, sizeof(line), ":%s TAGMSG %s", pfx, target);
	else
		snprintf(line, sizeof(line), ":%s %s %s :%s", pfx, ev->verb, target, ev->text);
	line[utf8_cut(line, strnlen(line, IRC_LINE_MAX - 2))] = '\0';
	if (ev->channel != NULL)
		record(srv, c, ev->channel, kind, line, ev->tags, ev->msgid);
	else
		hist_append(srv->hist, key, rec_ms(srv), kind, 0, ev->msgid, a, c->nick_key, line,
		    ev->tags);
}

/* record_event: an event line ":pfx <rest>" for ch. */
static void record_event(struct server *srv, struct client *c, struct channel *ch, unsigned kind,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void
record_event(struct server *srv, struct client *c, struct channel *ch, unsigned kind,
    const char *fmt, ...)
{
	char line[IRC_LINE_MAX + 1];
	va_list ap;

	if (srv->hist == NULL || !srv->cfg->history_events || (ch->modes & CMODE_NOHISTORY))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	line[utf8_cut(line, strnlen(line, IRC_LINE_MAX - 2))] = '\0';
	record(srv, c, ch, kind, line, NULL, NULL);
}

static void playback_on_join(struct client *c, struct channel *ch);

static void
on_join(struct server *srv, const struct event_join *ev)
{
	struct membership *m;
	char pfx[160];

	if (srv->hist == NULL)
		return;
	record_event(srv, ev->client, ev->channel, HK_JOIN, ":%s JOIN %s",
	    client_prefix(ev->client, pfx, sizeof(pfx)), ev->channel->name);
	/* the join's own row is the first a +s/+p member may see */
	if ((m = channel_find_member(ev->channel, ev->client)) != NULL)
		m->hist_seq = hist_next_seq(srv->hist) - 1;
	if (!(ev->client->flags & CF_REMOTE))
		playback_on_join(ev->client, ev->channel);
}

static void
on_part(struct server *srv, const struct event_part *ev)
{
	char pfx[160];

	client_prefix(ev->client, pfx, sizeof(pfx));
	if (ev->reason != NULL)
		record_event(srv, ev->client, ev->channel, HK_PART, ":%s PART %s :%s", pfx,
		    ev->channel->name, ev->reason);
	else
		record_event(srv, ev->client, ev->channel, HK_PART, ":%s PART %s", pfx,
		    ev->channel->name);
}

static void
on_kick(struct server *srv, const struct event_kick *ev)
{
	char pfx[160];

	if (ev->source != NULL)
		client_prefix(ev->source, pfx, sizeof(pfx));
	else
		snprintf(pfx, sizeof(pfx), "%s", srv->cfg->name);
	record_event(srv, ev->source != NULL ? ev->source : ev->target, ev->channel, HK_KICK,
	    ":%s KICK %s %s :%s", pfx, ev->channel->name, ev->target->nick,
	    ev->reason != NULL ? ev->reason : "");
}

static void
on_quit(struct server *srv, const struct event_quit *ev)
{
	struct membership *m;
	char pfx[160];

	client_prefix(ev->client, pfx, sizeof(pfx));
	/* one row in each channel the user was in (O(its channels)) */
	LIST_FOREACH(m, &ev->client->channels, by_client)
		record_event(srv, ev->client, m->chan, HK_QUIT, ":%s QUIT :%s", pfx,
		    ev->reason != NULL ? ev->reason : "");
}

static void
on_nick(struct server *srv, const struct event_nick *ev)
{
	struct membership *m;
	char pfx[160];

	snprintf(pfx, sizeof(pfx), "%s!%s@%s", ev->old_nick, ev->client->user, ev->client->host);
	LIST_FOREACH(m, &ev->client->channels, by_client)
		record_event(srv, ev->client, m->chan, HK_NICK, ":%s NICK %s", pfx,
		    ev->client->nick);
}

static void
on_topic(struct server *srv, const struct event_topic *ev)
{
	char pfx[160];

	if (ev->source != NULL)
		client_prefix(ev->source, pfx, sizeof(pfx));
	else
		snprintf(pfx, sizeof(pfx), "%s", srv->cfg->name);
	if (ev->source == NULL)
		return; /* a server's topic (burst) is not a change anyone made */
	record_event(srv, ev->source, ev->channel, HK_TOPIC, ":%s TOPIC %s :%s", pfx,
	    ev->channel->name, ev->topic);
}

static void
on_mode(struct server *srv, const struct event_mode *ev)
{
	char pfx[160];

	if (ev->channel == NULL || ev->source == NULL)
		return;
	record_event(srv, ev->source, ev->channel, HK_MODE, ":%s MODE %s %s",
	    client_prefix(ev->source, pfx, sizeof(pfx)), ev->channel->name, ev->modes);
}

/* ---- replay ---- */

/* iso_time: "YYYY-MM-DDThh:mm:ss.sssZ" for ms (buf >= 32 bytes). */
void
history_iso_time(char *buf, size_t size, int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* send_row: one history line to c: its tags for what c has negotiated
 * (batch, server-time, message-tags: msgid and client tags), then the
 * line as it was sent. */
static void
send_row(struct client *c, const struct hist_row *r, const char *bid)
{
	char buf[IRC_CLIENT_TAGS_MAX + IRC_LINE_MAX + 128], ts[64];
	size_t n = 1, room = sizeof(buf) - IRC_LINE_MAX - 4;
	int w;

	if (r->kind == HK_TAGMSG && !(c->caps & CAP_MESSAGE_TAGS))
		return;
	buf[0] = '@';
	if (bid != NULL)
		n += (size_t)snprintf(buf + n, room - n, "batch=%s", bid);
	if (c->caps & CAP_SERVER_TIME) {
		history_iso_time(ts, sizeof(ts), r->time_ms);
		n += (size_t)snprintf(buf + n, room - n, "%stime=%s", n > 1 ? ";" : "", ts);
	}
	if ((c->caps & CAP_MESSAGE_TAGS) && r->tags[0] != '\0' && n + strlen(r->tags) + 2 < room)
		n += (size_t)snprintf(buf + n, room - n, "%s%s", n > 1 ? ";" : "", r->tags);
	if (n >= room)
		return;
	if (n > 1)
		buf[n++] = ' ';
	else
		n = 0;
	w = snprintf(buf + n, sizeof(buf) - n, "%s\r\n", r->line);
	if (w < 0 || (size_t)w >= sizeof(buf) - n)
		return;
	send_bytes(c, buf, n + (size_t)w);
}

/* playback_on_join: InspIRCd's chanhistory for clients without
 * draft/chathistory ([history] join_playback lines, 0 = off): the newest
 * PRIVMSG/NOTICE lines the member may see, from the cache only (a join
 * never waits for the disk), in a chathistory batch when the client has
 * batch, with server-time when it has that. */
static void
playback_on_join(struct client *c, struct channel *ch)
{
	struct server *srv = c->srv;
	struct hist_query q;
	struct hist_result *res;
	struct membership *m = channel_find_member(ch, c);
	char bid[16];
	size_t i;

	if (srv->cfg->history_join_playback == 0 || (c->caps & CAP_CHATHISTORY) || m == NULL)
		return;
	memset(&q, 0, sizeof(q));
	q.sel = HS_LATEST;
	snprintf(q.key, sizeof(q.key), "%s", ch->key);
	q.limit = srv->cfg->history_join_playback;
	q.secret_from = m->hist_seq;
	/* a fresh channel's cache is all of it, or the lines are on disk
	 * and the join goes on without them */
	if (hist_query_cached(srv->hist, &q, &res) != 1)
		return;
	if (res->n > 0) {
		reply_batch_open(c, bid, sizeof(bid), 'h', "chathistory", ch->name);
		for (i = 0; i < res->n; i++)
			send_row(c, &res->rows[i], bid[0] ? bid : NULL);
		reply_batch_close(c, bid);
	}
	hist_result_free(res);
}

/* ---- CHATHISTORY ---- */

/* safe_param: p as a middle parameter of a reply, or "*" when it cannot
 * be one (empty, a space, a leading ':', too long). */
static const char *
safe_param(const char *p)
{
	if (p == NULL || p[0] == '\0' || p[0] == ':' || strchr(p, ' ') != NULL || strlen(p) > 100)
		return "*";
	return p;
}

/* parse_time: "YYYY-MM-DDThh:mm:ss.sssZ" (chathistory: "MUST be in the
 * format"; the fraction and the Z are accepted as optional, as Ergo's
 * parser does) into Unix ms. */
bool
history_parse_time(const char *s, int64_t *ms)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, frac = 0, n = 0, fd = 0;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return false;
	p = s + n;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fd++)
			if (fd < 3)
				frac = frac * 10 + (*p - '0');
		if (fd == 0)
			return false;
		for (; fd < 3; fd++)
			frac *= 10;
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = (int64_t)timegm(&tm) * 1000 + frac;
	return true;
}

/* parse_ref: "timestamp=..." or "msgid=..." (MSGREFTYPES), or "*" when
 * star is allowed. */
static bool
parse_ref(const char *s, struct hist_ref *r, bool star)
{
	memset(r, 0, sizeof(*r));
	if (star && strcmp(s, "*") == 0)
		return true;
	if (strncmp(s, "timestamp=", 10) == 0) {
		r->kind = HR_TIME;
		return history_parse_time(s + 10, &r->time_ms);
	}
	if (strncmp(s, "msgid=", 6) == 0 && s[6] != '\0' && strlen(s + 6) <= HIST_MSGID_MAX) {
		r->kind = HR_MSGID;
		snprintf(r->msgid, sizeof(r->msgid), "%s", s + 6);
		return true;
	}
	return false;
}

static bool
parse_limit(struct server *srv, const char *s, unsigned *limit)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		return false;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0)
		return false;
	/* above the advertised CHATHISTORY=: the maximum (Ergo clamps too) */
	*limit = v > srv->cfg->history_query_limit ? srv->cfg->history_query_limit : (unsigned)v;
	return true;
}

/* A query waiting for the reader; c's input is paused (pwcheck) meanwhile,
 * so its later commands run after the answer, in order. */
struct hwait {
	struct client_pwwait *w;
	enum hist_sel sel;
	char sub[16];
	char target[128];
};

static void fail(struct client *c, const char *code, const char *sub, const char *target,
    const char *text);

/* answer: the rows of a query as c's reply. */
static void
answer(struct client *c, enum hist_sel sel, const char *sub, const char *target,
    const struct hist_result *res)
{
	char bid[16], ts[64];
	size_t i;

	if (res == NULL) {
		fail(c, "MESSAGE_ERROR", sub, target, "Messages could not be retrieved");
		return;
	}
	if (sel == HS_TARGETS) {
		/* draft/chathistory-targets: "CHATHISTORY TARGETS <target>
		 * <timestamp>", a DM pair named by the other account */
		char me[64];
		fold_account(c->srv, c, me, sizeof(me));
		reply_batch_open(c, bid, sizeof(bid), 'h', "draft/chathistory-targets", NULL);
		for (i = 0; i < res->n; i++) {
			const char *key = res->rows[i].line, *name = key, *sp = strchr(key, ' ');
			struct channel *ch;
			char other[64];
			if (sp != NULL) {
				if (c->account != NULL &&
				    strncmp(key, me, (size_t)(sp - key)) == 0 &&
				    strlen(me) == (size_t)(sp - key))
					snprintf(other, sizeof(other), "%s", sp + 1);
				else
					snprintf(other, sizeof(other), "%.*s", (int)(sp - key),
					    key);
				name = other;
				if (c->srv->store != NULL) {
					const struct store_account *a =
					    store_account_find(c->srv->store, other);
					if (a != NULL)
						name = a->name;
				}
			} else if ((ch = server_find_channel(c->srv, key)) != NULL)
				name = ch->name;
			history_iso_time(ts, sizeof(ts), res->rows[i].time_ms);
			if (bid[0])
				reply_raw(c, "@batch=%s :%s CHATHISTORY TARGETS %s %s", bid,
				    c->srv->cfg->name, name, ts);
			else
				reply_server(c, "CHATHISTORY TARGETS %s %s", name, ts);
		}
		reply_batch_close(c, bid);
		return;
	}
	reply_batch_open(c, bid, sizeof(bid), 'h', "chathistory", target);
	for (i = 0; i < res->n; i++)
		send_row(c, &res->rows[i], bid[0] ? bid : NULL);
	reply_batch_close(c, bid);
}

/* query_done: the reader's answer for a waiting client. */
static void
query_done(void *arg, struct hist_result *res)
{
	struct hwait *hw = arg;
	struct client *c = pwcheck_store_done(hw->w);

	if (c != NULL) {
		answer(c, hw->sel, hw->sub, hw->target, res);
		pwcheck_answer_end(c, CMD_OK);
	}
	hist_result_free(res);
	free(hw);
}

static void
fail(struct client *c, const char *code, const char *sub, const char *target, const char *text)
{
	if (target != NULL)
		reply_server(c, "FAIL CHATHISTORY %s %s %s :%s", code, safe_param(sub),
		    safe_param(target), text);
	else
		reply_server(c, "FAIL CHATHISTORY %s %s :%s", code, safe_param(sub), text);
}

/* resolve_target: the key of name's history for c and the rows c may not
 * see (secret_from), or false: c may not read it (INVALID_TARGET).
 * Channels: c must be a member (Ergo: "you must be joined to the channel
 * to see its history"). Nicknames: direct messages between c's account
 * and the account of the user called name, or the account called name. */
static bool
resolve_target(struct client *c, const char *name, struct hist_query *q)
{
	struct server *srv = c->srv;
	char me[64], other[64];
	const char *peer = NULL;
	struct client *t;

	if (strchr("#&+!", name[0]) != NULL) {
		struct channel *ch = server_find_channel(srv, name);
		struct membership *m = ch != NULL ? channel_find_member(ch, c) : NULL;
		if (m == NULL)
			return false;
		snprintf(q->key, sizeof(q->key), "%s", ch->key);
		q->secret_from = m->hist_seq;
		return true;
	}
	if (c->account == NULL)
		return false;
	if ((t = server_find_nick(srv, name)) != NULL && client_is_registered(t) &&
	    t->account != NULL)
		peer = t->account;
	else if (srv->store != NULL && store_account_find(srv->store, name) != NULL)
		peer = name;
	if (peer == NULL)
		return false;
	server_fold(srv, me, c->account, sizeof(me));
	server_fold(srv, other, peer, sizeof(other));
	return history_dm_key(q->key, sizeof(q->key), me, other);
}

static const struct {
	const char *name;
	enum hist_sel sel;
	uint8_t nrefs; /* references before the limit */
} subcommands[] = {
	{ "AFTER", HS_AFTER, 1 },
	{ "AROUND", HS_AROUND, 1 },
	{ "BEFORE", HS_BEFORE, 1 },
	{ "BETWEEN", HS_BETWEEN, 2 },
	{ "LATEST", HS_LATEST, 1 },
	{ "TARGETS", HS_TARGETS, 2 },
};

/* CHATHISTORY <subcommand> <target> <ref> [<ref>] <limit>; TARGETS
 * <timestamp> <timestamp> <limit> (IRCv3 draft/chathistory). Answered in
 * a "chathistory" batch (TARGETS: "draft/chathistory-targets"), errors as
 * standard replies: UNKNOWN_COMMAND, NEED_MORE_PARAMS, INVALID_PARAMS,
 * INVALID_TARGET, MESSAGE_ERROR. */
enum cmd_result
cmd_chathistory(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	const char *sub = m->params[0], *target = NULL;
	struct hist_result *res;
	struct hist_job *job;
	struct hist_query q;
	struct hwait *hw;
	const char **keys = NULL;
	struct membership *mb;
	char(*kbuf)[HIST_KEY_MAX + 1] = NULL;
	char me[64];
	size_t si, nk = 0;
	int first, r;

	if (srv->hist == NULL) {
		numeric(c, ERR_UNKNOWNCOMMAND, "CHATHISTORY");
		return CMD_OK;
	}
	for (si = 0; si < sizeof(subcommands) / sizeof(subcommands[0]); si++)
		if (strcasecmp(sub, subcommands[si].name) == 0)
			break;
	if (si == sizeof(subcommands) / sizeof(subcommands[0])) {
		fail(c, "UNKNOWN_COMMAND", sub, NULL, "Unknown command");
		return CMD_OK;
	}
	sub = subcommands[si].name;
	memset(&q, 0, sizeof(q));
	q.sel = subcommands[si].sel;
	first = q.sel == HS_TARGETS ? 1 : 2; /* index of the first reference */
	if (m->nparams < first + subcommands[si].nrefs + 1) {
		fail(c, "NEED_MORE_PARAMS", sub, NULL, "Missing parameters");
		return CMD_OK;
	}
	if (q.sel != HS_TARGETS)
		target = m->params[1];
	/* LATEST takes "*"; TARGETS only timestamps (spec: "TARGETS
	 * <timestamp> <timestamp> <limit>") */
	if (!parse_ref(m->params[first], &q.a, q.sel == HS_LATEST) ||
	    (subcommands[si].nrefs == 2 && !parse_ref(m->params[first + 1], &q.b, false)) ||
	    (q.sel == HS_TARGETS && (q.a.kind != HR_TIME || q.b.kind != HR_TIME))) {
		fail(c, "INVALID_PARAMS", sub, NULL, "Invalid message reference");
		return CMD_OK;
	}
	if (!parse_limit(srv, m->params[first + subcommands[si].nrefs], &q.limit)) {
		fail(c, "INVALID_PARAMS", sub, NULL, "Invalid limit");
		return CMD_OK;
	}
	q.events = (c->caps & CAP_EVENT_PLAYBACK) != 0;
	if (q.sel == HS_TARGETS) {
		/* the channels c is in and the DMs of its account */
		if (c->nchannels > 0) {
			keys = calloc(c->nchannels, sizeof(*keys));
			kbuf = calloc(c->nchannels, sizeof(*kbuf));
			if (keys == NULL || kbuf == NULL) {
				free(keys);
				free(kbuf);
				fail(c, "MESSAGE_ERROR", sub, "*", "Out of memory");
				return CMD_OK;
			}
			LIST_FOREACH(mb, &c->channels, by_client)
				if (nk < c->nchannels) {
					snprintf(kbuf[nk], sizeof(kbuf[nk]), "%s", mb->chan->key);
					keys[nk] = kbuf[nk];
					nk++;
				}
		}
		q.keys = keys;
		q.nkeys = nk;
		q.account = fold_account(srv, c, me, sizeof(me));
		if (q.account == NULL)
			q.account = "";
	} else if (!resolve_target(c, target, &q)) {
		fail(c, "INVALID_TARGET", sub, target, "Messages could not be retrieved");
		return CMD_OK;
	}
	if ((hw = calloc(1, sizeof(*hw))) == NULL) {
		free(keys);
		free(kbuf);
		fail(c, "MESSAGE_ERROR", sub, target ? target : "*", "Out of memory");
		return CMD_OK;
	}
	hw->sel = q.sel;
	snprintf(hw->sub, sizeof(hw->sub), "%s", sub);
	snprintf(hw->target, sizeof(hw->target), "%s", target ? target : "*");
	r = hist_query(srv->hist, &q, &res, query_done, hw, &job);
	free(keys);
	free(kbuf);
	if (r == 1) {
		answer(c, q.sel, sub, target, res);
		hist_result_free(res);
		free(hw);
		return CMD_OK;
	}
	if (r < 0 || (hw->w = pwcheck_store_wait(c, PW_HISTORY, NULL)) == NULL) {
		if (r == 0)
			hist_job_cancel(job);
		free(hw);
		fail(c, "MESSAGE_ERROR", sub, target ? target : "*",
		    "Messages could not be retrieved");
		return CMD_OK;
	}
	return CMD_OK;
}

/* ---- HISTSERV FORGET ---- */

struct forget_wait {
	struct client_pwwait *w; /* a database erase: c waits */
	struct client *c; /* memory only: answered at once */
	char name[64];
};

static void
forget_done(void *arg, long long n)
{
	struct forget_wait *fw = arg;
	struct client *c = fw->w != NULL ? pwcheck_store_done(fw->w) : fw->c;

	if (c != NULL) {
		if (n < 0)
			reply_notice(c, "HISTSERV: erasing the history of %s failed (see the log)",
			    fw->name);
		else
			reply_notice(c, "HISTSERV: %lld lines of %s erased", n, fw->name);
		if (fw->w != NULL)
			pwcheck_answer_end(c, CMD_OK);
	}
	free(fw);
}

/* HISTSERV FORGET <account|nick>: erase everything a user sent (operators;
 * Ergo's HISTSERV FORGET, here a command of its own as Ergo also accepts
 * "/HISTSERV"). An account's rows go by account; rows of senders who were
 * not logged in go by the nick they used. */
enum cmd_result
cmd_histserv(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct forget_wait *fw;
	char folded[64];
	const char *acct = NULL;

	if (srv->hist == NULL) {
		reply_notice(c, "HISTSERV: history is off ([history] enabled = no)");
		return CMD_OK;
	}
	if (m->nparams < 2 || strcasecmp(m->params[0], "FORGET") != 0) {
		reply_notice(c, "HISTSERV: usage: HISTSERV FORGET <account or nick>");
		return CMD_OK;
	}
	if (strlen(m->params[1]) >= sizeof(folded) || m->params[1][0] == '\0') {
		reply_notice(c, "HISTSERV: no such name");
		return CMD_OK;
	}
	server_fold(srv, folded, m->params[1], sizeof(folded));
	acct = folded;
	if ((fw = calloc(1, sizeof(*fw))) == NULL)
		return CMD_OK;
	snprintf(fw->name, sizeof(fw->name), "%s", m->params[1]);
	fw->c = c;
	if (hist_persistent(srv->hist) &&
	    (fw->w = pwcheck_store_wait(c, PW_HISTORY, NULL)) == NULL) {
		free(fw);
		reply_notice(c, "HISTSERV: busy, try again");
		return CMD_OK;
	}
	log_info("HISTSERV FORGET %s by %s", m->params[1], c->nick);
	if (hist_forget(srv->hist, acct, folded, forget_done, fw) != 0) {
		if (fw->w != NULL)
			pwcheck_store_unwait(c);
		free(fw);
		reply_notice(c, "HISTSERV: erasing failed, try again");
	}
	return CMD_OK;
}

/* ---- life ---- */

static void
conf_of(const struct config *cfg, struct hist_conf *hc)
{
	hc->cache_bytes = cfg->history_cache_size;
	hc->max_per_target = cfg->history_max_lines;
	hc->max_age = cfg->history_max_age;
}

/* sweep_cb: once a minute: settings of a REHASH, retention by age and
 * count in the cache and the database. */
static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	struct hist_conf hc;

	(void)fd;
	(void)what;
	server_clock(srv);
	conf_of(srv->cfg, &hc);
	hist_set_conf(srv->hist, &hc);
	hist_expire(srv->hist, now_ms(srv));
}

int
history_open(struct server *srv, char *err, size_t errlen)
{
	struct hist_conf hc;
	struct timeval tv = { 60, 0 };

	if (srv->hist != NULL || !srv->cfg->history_enabled)
		return 0;
	conf_of(srv->cfg, &hc);
	srv->hist =
	    hist_new(&hc, srv->cfg->history_persist ? srv->store : NULL, srv->base, err, errlen);
	if (srv->hist == NULL)
		return -1;
	srv->hist_timer = event_new(srv->base, -1, EV_PERSIST, sweep_cb, srv);
	if (srv->hist_timer == NULL || event_add(srv->hist_timer, &tv) != 0) {
		snprintf(err, errlen, "history: cannot add its timer");
		return -1;
	}
	srv->isupport[0] = '\0'; /* CHATHISTORY= and MSGREFTYPES= */
	log_info("history: on, %s, cache of %zu bytes",
	    hist_persistent(srv->hist) ? store_path(srv->store) : "in memory only", hc.cache_bytes);
	return 0;
}

void
history_close(struct server *srv)
{
	if (srv->hist_timer != NULL)
		event_free(srv->hist_timer);
	srv->hist_timer = NULL;
	hist_free(srv->hist);
	srv->hist = NULL;
}

int
history_subscribe(struct server *srv)
{
	if (event_subscribe_message(srv, on_message) != 0 ||
	    event_subscribe_join(srv, on_join) != 0 || event_subscribe_part(srv, on_part) != 0 ||
	    event_subscribe_kick(srv, on_kick) != 0 || event_subscribe_quit(srv, on_quit) != 0 ||
	    event_subscribe_nick(srv, on_nick) != 0 || event_subscribe_topic(srv, on_topic) != 0 ||
	    event_subscribe_mode(srv, on_mode) != 0)
		return -1;
	return 0;
}
