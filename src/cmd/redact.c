/* redact.c - REDACT (IRCv3 draft/message-redaction, issue 12,
 * docs/HISTORY.md "Redaction"). The message is looked up in the history's
 * tail cache (store/history.h hist_lookup: who sent it, when, to which
 * target); an authorised REDACT erases it from the cache and the
 * database, so CHATHISTORY no longer returns it, and is relayed to the
 * target's recipients that negotiated the capability. */
#include <stdio.h>
#include <string.h>

#include "cmd/command.h"
#include "cmd/history.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/config.h"
#include "core/log.h"
#include "core/netserver.h"
#include "core/server.h"
#include "net/output.h"
#include "proto/cap.h"
#include "proto/reply.h"
#include "store/history.h"

/* param_ok: p can be echoed as one middle parameter. */
static bool
param_ok(const char *p)
{
	return p[0] != '\0' && p[0] != ':' && strchr(p, ' ') == NULL && strlen(p) <= 100;
}

/* fail: "FAIL REDACT <code> <target> <msgid> [<window>] :text"; the target
 * and msgid as sent, or "*" when they cannot be one middle parameter. */
static void
fail(struct client *c, const char *code, const char *target, const char *msgid, const char *text)
{
	if (!param_ok(target))
		target = "*";
	if (msgid == NULL)
		reply_server(c, "FAIL REDACT %s %s :%s", code, target, text);
	else
		reply_server(c, "FAIL REDACT %s %s %s :%s", code, target,
		    param_ok(msgid) ? msgid : "*", text);
}

/* is_sender: c sent the row: the same account, or, for a row sent
 * without one, the same nick by someone still without one. */
static bool
is_sender(struct client *c, const struct hist_found *f)
{
	char acct[64];

	if (f->account != NULL) {
		if (c->account == NULL)
			return false;
		server_fold(c->srv, acct, c->account, sizeof(acct));
		return strcmp(acct, f->account) == 0;
	}
	return c->account == NULL && strcmp(f->nick, c->nick_key) == 0;
}

/* redact_apply: see cmd/command.h. */
void
redact_apply(struct client *src, struct channel *ch, struct client *t, const char *key,
    const char *msgid, const char *reason, const char *tags, size_t tlen, bool to_src)
{
	struct server *srv = src->srv;
	struct outline line, *ol = &line;
	char pfx[160], acct[ACCOUNT_TAG_MAX];

	if (srv->hist != NULL && key[0] != '\0' &&
	    hist_redact(srv->hist, key, msgid, srv->cfg->multiline_max_lines) != 0)
		log_warnx("REDACT %s: the database delete could not be queued", msgid);
	/* the REDACT itself, "with an appropriate prefix, to the target
	 * recipients that have negotiated the draft/message-redaction
	 * capability, in the same way as PRIVMSG messages": msgid and time
	 * like a message (spec example: "@msgid=124 :nick!u@h REDACT ...") */
	client_prefix(src, pfx, sizeof(pfx));
	if (reason != NULL)
		outline_format(ol, ":%s REDACT %s %s :%s", pfx, ch != NULL ? ch->name : t->nick,
		    msgid, reason);
	else
		outline_format(ol, ":%s REDACT %s %s", pfx, ch != NULL ? ch->name : t->nick, msgid);
	outline_set_tags(ol, tags, tlen);
	outline_set_account(ol, acct, account_tag_build(acct, src->account));
	ol->need_cap = CAP_MESSAGE_REDACTION;
	if (ch != NULL)
		send_channel(ch, NULL, ol, 0); /* local members (links: the event) */
	else if (!client_is_remote(t) && t != src)
		send_line(t, ol);
	/* the source hears of its own REDACT (not through the channel when
	 * it is an operator outside it) */
	if (to_src && (ch == NULL || channel_find_member(ch, src) == NULL))
		send_line(src, ol);
	{
		struct event_redact ev = { src, ch, t, msgid, reason, tags };
		event_publish_redact(srv, &ev);
	}
}

/* REDACT <target> <msgid> [:reason] (draft/message-redaction). Who may:
 * an IRC operator; for a channel message an operator of the channel
 * (the spec's "channel moderators or server admins", Ergo: chanops and
 * opers with history rights); and the sender, within [history]
 * redact_window seconds ("a cut-off time after which message edits are no
 * longer allowed"). Only PRIVMSG, NOTICE and TAGMSG can be redacted. A
 * message the cache no longer holds is UNKNOWN_MSGID ("does not exist or
 * is too old"). Clients without the capability are not told (the spec's
 * fallback is optional; a notice per redaction would be noise). Other
 * servers hear of it through EVENT_REDACT (link/: evircd tag links,
 * which keep msgids across servers; docs/NETWORK.md). */
enum cmd_result
cmd_redact(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	const char *target = m->params[0], *msgid = m->params[1];
	const char *reason = m->nparams > 2 ? m->params[2] : NULL;
	char key[HIST_KEY_MAX + 1] = "", tags[128], newid[40];
	struct channel *ch = NULL;
	struct client *t = NULL;
	struct membership *mb = NULL;
	struct hist_found f;
	bool allowed;
	size_t tlen;

	if (srv->hist == NULL) {
		numeric(c, ERR_UNKNOWNCOMMAND, "REDACT");
		return CMD_OK;
	}
	if (strchr("#&+!", target[0]) != NULL) {
		ch = server_find_channel(srv, target);
		mb = ch != NULL ? channel_find_member(ch, c) : NULL;
		if (ch == NULL || (mb == NULL && !client_is_oper(c))) {
			fail(c, "INVALID_TARGET", target, NULL,
			    "You cannot delete messages from that target");
			return CMD_OK;
		}
		snprintf(key, sizeof(key), "%s", ch->key);
	} else {
		t = server_find_nick(srv, target);
		if (t == NULL || !client_is_registered(t)) {
			fail(c, "INVALID_TARGET", target, NULL,
			    "You cannot delete messages from that target");
			return CMD_OK;
		}
		/* direct messages are kept between two accounts only */
		if (c->account != NULL && t->account != NULL) {
			char a[64], b[64];
			server_fold(srv, a, c->account, sizeof(a));
			server_fold(srv, b, t->account, sizeof(b));
			if (!history_dm_key(key, sizeof(key), a, b))
				key[0] = '\0';
		}
	}
	if (strlen(msgid) > HIST_MSGID_MAX || hist_lookup(srv->hist, msgid, &f) != 1 ||
	    strcmp(f.key, key) != 0 || f.kind > HK_TAGMSG) {
		fail(c, "UNKNOWN_MSGID", target, msgid,
		    "This message does not exist or is too old");
		return CMD_OK;
	}
	allowed = client_is_oper(c) || (mb != NULL && (mb->modes & MEMB_OP));
	if (!allowed && is_sender(c, &f)) {
		int64_t now = (int64_t)srv->now * 1000 + srv->now_ms;
		unsigned w = srv->cfg->history_redact_window;
		if (w > 0 && now - f.time_ms > (int64_t)w * 1000) {
			reply_server(c,
			    "FAIL REDACT REDACT_WINDOW_EXPIRED %s %s %u :You can no longer edit "
			    "this message",
			    target, msgid, w);
			return CMD_OK;
		}
		allowed = true;
	}
	if (!allowed) {
		fail(c, "REDACT_FORBIDDEN", target, msgid,
		    "You are not authorised to delete this message");
		return CMD_OK;
	}
	tlen = msg_tags_build(c, NULL, tags, sizeof(tags), newid, sizeof(newid));
	redact_apply(c, ch, t, key, msgid, reason, tags, tlen, true);
	return CMD_OK;
}
