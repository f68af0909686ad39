/* cmd_message.c - PRIVMSG, NOTICE, TAGMSG (RFC 2812 §3.3, Modern IRC,
 * IRCv3 message-tags and echo-message). AWAY is cmd_user.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "cmd/command.h"
#include "net/capture.h"
#include "cmd/monitor.h"
#include "cmd/chanserv.h"
#include "cmd/nickserv.h"
#include "cmd/target.h"
#include "proto/reply.h"
#include "core/server.h"

/* tag_denied: CLIENTTAGDENY (message-tags spec): a comma list of tag names
 * (without '+'); "*" denies all but the names listed with '-'. */
static bool
tag_denied(const char *deny, const char *name, size_t nlen)
{
	const char *p = deny;
	bool all = false, listed = false, excepted = false;

	while (*p != '\0') {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 1 && *p == '*')
			all = true;
		else if (*p == '-' && len - 1 == nlen && strncmp(p + 1, name, nlen) == 0)
			excepted = true;
		else if (len == nlen && strncmp(p, name, nlen) == 0)
			listed = true;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return all ? !excepted : listed;
}

/* message_filter_client_tags: drop denied client-only tags in place
 * (cmd/command.h). */
char *
message_filter_client_tags(struct server *srv, char *tags)
{
	char *r = tags, *w = tags;

	if (tags == NULL || srv->cfg->client_tag_deny == NULL)
		return tags;
	while (*r != '\0') {
		char *e = strchr(r, ';');
		size_t len = e ? (size_t)(e - r) : strlen(r);
		size_t klen = strcspn(r, "=;");
		if (!tag_denied(srv->cfg->client_tag_deny, r + 1, klen - 1)) {
			if (w != tags)
				*w++ = ';';
			memmove(w, r, len);
			w += len;
		}
		if (e == NULL)
			break;
		r = e + 1;
	}
	*w = '\0';
	return w == tags ? NULL : tags;
}

struct msgctx {
	const char *verb;
	bool notice; /* no error or automatic replies */
	bool tagmsg; /* TAGMSG: no text, message-tags clients only */
	const char *text;
	const char *pfx;
	const char *tags; /* msgid, bot, client tags */
	size_t tags_len;
	const char *msgid;
	const char *acct; /* account-tag of the sender ("account=..."), or NULL */
	size_t acct_len;
};

/* delivered: EVENT_MESSAGE for one target (ch with STATUSMSG need, or t). */
static void
delivered(struct client *c, const struct msgctx *x, struct channel *ch, unsigned need,
    struct client *t)
{
	struct event_message ev = { c, x->verb, ch, need, t, x->text, x->tags, x->msgid };

	event_publish_message(c->srv, &ev);
}

static void
format_msg(struct outline *ol, const struct msgctx *x, const char *target)
{
	if (x->tagmsg)
		outline_format(ol, ":%s TAGMSG %s", x->pfx, target);
	else
		outline_format(ol, ":%s %s %s :%s", x->pfx, x->verb, target, x->text);
	outline_set_tags(ol, x->tags, x->tags_len);
	outline_set_account(ol, x->acct, x->acct_len);
	if (x->tagmsg)
		ol->need_cap = CAP_MESSAGE_TAGS;
}

/* ctcp_refused: a CTCP other than ACTION ("\1NAME[ args][\1]"), which a
 * +C channel refuses. InspIRCd m_noctcp (OnUserPreMessage: IsCTCP and not
 * ACTION, for PRIVMSG and NOTICE, operators of the channel included,
 * 404 "Can't send CTCP to channel") and Solanum's +C do the same; NOTICE
 * gets no error (RFC 2812 §3.3.2). An empty "\1\1" counts as a CTCP. */
static bool
ctcp_refused(const struct channel *ch, const struct msgctx *x)
{
	const char *t = x->text;

	if (!(ch->modes & CMODE_NOCTCP) || x->tagmsg || t[0] != '\1')
		return false;
	return !(
	    strncasecmp(t + 1, "ACTION", 6) == 0 && (t[7] == ' ' || t[7] == '\1' || t[7] == '\0'));
}

/* regmoderated: +M refuses c's message: c is not logged in and neither
 * voiced nor an operator of ch (InspIRCd services_account regmoderated
 * answers 477; ngIRCd's +M lets the same people speak). */
static bool
regmoderated(const struct channel *ch, const struct client *c)
{
	const struct membership *m;

	if (!(ch->modes & CMODE_REGMODERATED) || c->account != NULL)
		return false;
	m = channel_find_member(ch, c);
	return m == NULL || !(m->modes & (MEMB_OP | MEMB_VOICE));
}

/* message_channel_refused: see cmd/command.h. */
bool
message_channel_refused(struct client *c, struct channel *ch, const char *text, bool notice)
{
	struct msgctx x;

	memset(&x, 0, sizeof(x));
	x.text = text;
	if (!channel_can_send(ch, c) || ctcp_refused(ch, &x)) {
		if (!notice)
			numeric(c, ERR_CANNOTSENDTOCHAN, ch->name);
		return true;
	}
	if (regmoderated(ch, c)) {
		if (!notice)
			numeric(c, ERR_NEEDREGGEDNICK, ch->name,
			    "You need to be identified to a registered account to "
			    "message this channel");
		return true;
	}
	return false;
}

/* deliver: one target. NOTICE never produces an error or automatic reply
 * (RFC 2812 §3.3.2; ngIRCd and Solanum send no errors for NOTICE). */
static void
deliver(struct client *c, const struct msgctx *x, char *target)
{
	struct server *srv = c->srv;
	unsigned need = 0;
	char *name = target;
	struct outline ol;
	struct client *t;

	/* STATUSMSG=@+: "@#chan" reaches ops, "+#chan" ops and voiced. */
	while ((*name == '@' || *name == '+') && strchr("#&+!", name[1]) != NULL) {
		need |= *name == '@' ? MEMB_OP : (MEMB_OP | MEMB_VOICE);
		name++;
	}
	if (strchr("#&+!", name[0]) != NULL) {
		struct channel *ch = server_find_channel(srv, name);
		if (ch == NULL) {
			if (!x->notice)
				numeric(c, ERR_NOSUCHNICK, target);
			return;
		}
		if (!channel_can_send(ch, c) || ctcp_refused(ch, x)) {
			if (!x->notice)
				numeric(c, ERR_CANNOTSENDTOCHAN, ch->name);
			return;
		}
		if (regmoderated(ch, c)) {
			if (!x->notice)
				numeric(c, ERR_NEEDREGGEDNICK, ch->name,
				    "You need to be identified to a registered account to "
				    "message this channel");
			return;
		}
		if (need) {
			char st[260];
			snprintf(st, sizeof(st), "%.*s%s", (int)(name - target), target, ch->name);
			format_msg(&ol, x, st);
		} else
			format_msg(&ol, x, ch->name);
		send_channel(ch, c, &ol, need);
		if (c->caps & CAP_ECHO_MESSAGE)
			send_line(c, &ol);
		delivered(c, x, ch, need, NULL);
		return;
	}
	if (nickserv_is(srv, target)) {
		/* the built-in NickServ (cmd/nickserv.c); a NOTICE gets no
		 * answer (RFC 2812 §3.3.2) */
		if (!x->notice && !x->tagmsg)
			nickserv_message(c, x->text);
		return;
	}
	if (chanserv_is(srv, target)) {
		if (!x->notice && !x->tagmsg)
			chanserv_message(c, x->text); /* cmd/chanserv.c */
		return;
	}
	t = server_find_nick(srv, target);
	if (t == NULL || !client_is_registered(t)) {
		if (!x->notice)
			numeric(c, ERR_NOSUCHNICK, target);
		return;
	}
	format_msg(&ol, x, t->nick);
	if (t == c) {
		/* a message to oneself: the delivery is not the response to
		 * a labeled command, only the echo is (labeled-response) */
		struct evbuffer *cap = capture_suspend(c);
		send_line(t, &ol);
		capture_resume(c, cap);
	} else
		send_line(t, &ol);
	if (c->caps & CAP_ECHO_MESSAGE)
		send_line(c, &ol);
	delivered(c, x, NULL, 0, t);
	if (!x->notice && !x->tagmsg && t->away != NULL)
		numeric(c, RPL_AWAY, t->nick, t->away);
}

static enum cmd_result
message(struct client *c, struct irc_msg *m, const char *verb, bool notice, bool tagmsg)
{
	struct server *srv = c->srv;
	char *targets, *t, pfx[160], tags[IRC_CLIENT_TAGS_MAX + 64], msgid[40];
	char acct[ACCOUNT_TAG_MAX];
	struct msgctx x;
	struct targets seen;

	if (m->nparams < 1 || m->params[0][0] == '\0') {
		if (!notice)
			numeric(c, ERR_NORECIPIENT, verb);
		return CMD_OK;
	}
	if (!tagmsg && (m->nparams < 2 || m->params[1][0] == '\0')) {
		if (!notice)
			numeric(c, ERR_NOTEXTTOSEND);
		return CMD_OK;
	}
	if (!notice && !tagmsg)
		c->last_msg = srv->now;
	memset(&x, 0, sizeof(x));
	x.verb = verb;
	x.notice = notice || tagmsg;
	x.tagmsg = tagmsg;
	x.text = tagmsg ? "" : m->params[1];
	x.pfx = client_prefix(c, pfx, sizeof(pfx));
	x.tags = tags;
	x.msgid = msgid;
	x.acct = acct;
	x.acct_len = account_tag_build(acct, c->account);
	x.tags_len = msg_tags_build(c, message_filter_client_tags(srv, m->client_tags), tags,
	    sizeof(tags), msgid, sizeof(msgid));
	targets = m->params[0];
	targets_init(&seen, c);
	/* TARGMAX PRIVMSG/NOTICE/TAGMSG: max_targets distinct targets (407
	 * past it, never for NOTICE); a target named twice gets one copy */
	while ((t = targets_next(&seen, &targets, srv->cfg->max_targets, c, notice)) != NULL) {
		deliver(c, &x, t);
		if (c->state != CLIENT_OPEN)
			break;
	}
	return CMD_OK;
}

enum cmd_result
cmd_privmsg(struct client *c, struct irc_msg *m)
{
	return message(c, m, "PRIVMSG", false, false);
}

enum cmd_result
cmd_notice(struct client *c, struct irc_msg *m)
{
	return message(c, m, "NOTICE", true, false);
}

/* TAGMSG (message-tags): tags only, relayed to message-tags clients. */
enum cmd_result
cmd_tagmsg(struct client *c, struct irc_msg *m)
{
	return message(c, m, "TAGMSG", false, true);
}
