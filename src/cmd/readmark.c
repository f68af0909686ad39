/* readmark.c - MARKREAD (IRCv3 draft/read-marker): see cmd/readmark.h.
 * The markers live in the account database (store/readmark.c): an
 * account, not a connection, has read something, so without an [accounts]
 * database there are no markers and the capability is not offered. */
#include <stdio.h>
#include <string.h>

#include "cmd/command.h"
#include "cmd/history.h"
#include "cmd/readmark.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/event.h"
#include "core/server.h"
#include "net/output.h"
#include "proto/cap.h"
#include "store/readmark.h"
#include "store/store.h"

/* stamp: the wire form of a marker: "timestamp=..." or "*" (none). */
static const char *
stamp(char *buf, size_t size, int64_t ms)
{
	if (ms <= 0)
		return "*";
	memcpy(buf, "timestamp=", 10);
	history_iso_time(buf + 10, size - 10, ms);
	return buf;
}

/* target_ok: a channel name or a nick as a MARKREAD target: one middle
 * parameter, no list, within the stored bound. */
static bool
target_ok(const char *t)
{
	size_t n = strlen(t);

	return n > 0 && n <= READMARK_TARGET_MAX && t[0] != ':' && strpbrk(t, " ,*?!@") == NULL;
}

/* sync: MARKREAD target ts to every connection of the account of c that
 * negotiated draft/read-marker (spec: "the server SHOULD send a MARKREAD
 * command for that target to all the clients of the user"), O(sessions). */
static void
sync_sessions(struct client *c, const char *target, const char *ts)
{
	struct store_sessions *ss = store_account_sessions(c->srv->store, c->account);
	struct client *s;

	if (ss == NULL)
		return;
	LIST_FOREACH(s, ss, alink)
		if (s != c && (s->caps & CAP_READ_MARKER) && s->state == CLIENT_OPEN)
			reply_server(s, "MARKREAD %s %s", target, ts);
}

/* MARKREAD <target> [timestamp=YYYY-MM-DDThh:mm:ss.sssZ] (draft/read-marker):
 * without a timestamp the stored marker ("*" when none); with one, the
 * marker moves forward to it (clamped to now, as the spec's
 * implementation notes suggest) and the stored value is the answer either
 * way ("If the provided timestamp is older than the server's stored
 * value, the server MUST reply ... with the server's stored value"). The
 * command answers whether or not the capability is negotiated; the cap
 * adds the updates from other connections and the marker after JOIN.
 * Errors are standard replies (FAIL MARKREAD NEED_MORE_PARAMS,
 * INVALID_PARAMS, INTERNAL_ERROR; ACCOUNT_REQUIRED without a login, as
 * Ergo answers). */
enum cmd_result
cmd_markread(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	char acct[STORE_NAME_MAX + 2], target[READMARK_TARGET_MAX + 2], ts[48];
	const char *name;
	int64_t ms, now = (int64_t)srv->now * 1000 + srv->now_ms;
	int r;

	if (srv->store == NULL) {
		numeric(c, ERR_UNKNOWNCOMMAND, "MARKREAD");
		return CMD_OK;
	}
	if (m->nparams < 1 || m->params[0][0] == '\0') {
		reply_fail(c, "MARKREAD", "NEED_MORE_PARAMS", "Missing parameters");
		return CMD_OK;
	}
	name = m->params[0];
	if (!target_ok(name)) {
		reply_server(c, "FAIL MARKREAD INVALID_PARAMS * :Invalid target");
		return CMD_OK;
	}
	if (c->account == NULL) {
		reply_server(c,
		    "FAIL MARKREAD ACCOUNT_REQUIRED %s :You must be logged in to use read markers",
		    name);
		return CMD_OK;
	}
	server_fold(srv, acct, c->account, sizeof(acct));
	server_fold(srv, target, name, sizeof(target));
	if (m->nparams < 2) {
		reply_server(c, "MARKREAD %s %s", name,
		    stamp(ts, sizeof(ts), readmark_get(srv->store, acct, target)));
		return CMD_OK;
	}
	/* set: "The timestamp MUST NOT be a literal *" */
	if (strncmp(m->params[1], "timestamp=", 10) != 0 ||
	    !history_parse_time(m->params[1] + 10, &ms) || ms <= 0) {
		reply_server(c, "FAIL MARKREAD INVALID_PARAMS %s :Invalid timestamp", name);
		return CMD_OK;
	}
	if (ms > now)
		ms = now;
	r = readmark_set(srv->store, acct, target, ms);
	if (r < 0) {
		reply_server(c,
		    "FAIL MARKREAD INTERNAL_ERROR %s :The read timestamp could not be set", name);
		return CMD_OK;
	}
	stamp(ts, sizeof(ts), readmark_get(srv->store, acct, target));
	reply_server(c, "MARKREAD %s %s", name, ts);
	if (r == 1)
		sync_sessions(c, name, ts);
	return CMD_OK;
}

/* on_join: "after the server sends a server JOIN command to the client
 * for a corresponding channel, the server MUST send a MARKREAD command for
 * that channel ... before the RPL_ENDOFNAMES" (EVENT_JOIN comes after the
 * JOIN line and before the topic and NAMES, cmd_channel.c). */
static void
on_join(struct server *srv, const struct event_join *ev)
{
	struct client *c = ev->client;
	char acct[STORE_NAME_MAX + 2], ts[48];

	if (srv->store == NULL || !(c->caps & CAP_READ_MARKER) || (c->flags & CF_REMOTE))
		return;
	if (c->account == NULL) {
		reply_server(c, "MARKREAD %s *", ev->channel->name);
		return;
	}
	server_fold(srv, acct, c->account, sizeof(acct));
	reply_server(c, "MARKREAD %s %s", ev->channel->name,
	    stamp(ts, sizeof(ts), readmark_get(srv->store, acct, ev->channel->key)));
}

int
readmark_subscribe(struct server *srv)
{
	return event_subscribe_join(srv, on_join);
}
