/* metadata.c - the METADATA command: IRCv3 draft/metadata-3, the revision
 * of ircv3-specifications PR 613 ("Update metadata spec", the one the
 * irctest metadata_3 cases and today's clients speak; docs/METADATA.md).
 *
 * What the revision says and we do:
 * - capability "draft/metadata-3=before-connect,max-subs=N,max-keys=N,
 *   max-value-bytes=N" (proto/cap.c), limits from [metadata];
 * - every value, answer and notification is a numeric: 761 RPL_KEYVALUE
 *   "<Target> <Key> <Visibility> :<Value>" or 766 RPL_KEYNOTSET; the
 *   METADATA server message of metadata-2 is gone. Visibility is always
 *   "*": every key is visible to whoever may see the target;
 * - SET of an unset key answers 766 (idempotent, no ERR_KEYNOTSET);
 *   CLEAR answers one 766 per key in a "metadata" batch;
 * - GET, LIST, SYNC and CLEAR answer in a "metadata" batch whose parameter
 *   is the target (PR 566); so does the registration burst, with the
 *   client's own pairs (set before-connect);
 * - FAIL METADATA codes: INVALID_TARGET <Target>, INVALID_KEY <Key>,
 *   KEY_NO_PERMISSION <Target> <Key> ("*" for CLEAR), INVALID_VALUE <Key>,
 *   LIMIT_REACHED <Subcommand> <Target or Key> (SET: max-keys; SUB:
 *   max-subs, the first key not processed), INVALID_PARAMS <Subcommand>.
 *   Rate limiting is the command's fakelag penalty (the dispatcher's), so
 *   ERR_METADATARATELIMIT is never needed.
 *
 * Who may do what (Ergo's rules, irc/metadata.go): a user's pairs are set
 * by the user or an operator and read by anyone; a channel's are set by
 * its operators (or an operator of the server) and read by its members
 * (or an operator). Users behind a link carry no metadata here: pairs
 * stay on the server where they were set (docs/METADATA.md).
 *
 * Delivery: a change goes to the clients with the capability that are
 * subscribed to the key and share a channel with the user (the channel's
 * members for a channel key), never to its author: one walk over the
 * target's channels' members, the cost of a QUIT, never all clients. A JOIN
 * syncs the channel and its members' pairs to the joiner when the channel
 * has at most [metadata] sync_members members, else 774 asks for SYNC. */
#include <stdio.h>
#include <string.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/casemap.h"
#include "core/event.h"
#include "core/meta.h"
#include "core/netserver.h"
#include "core/server.h"
#include "proto/cap.h"
#include "proto/message.h"
#include "proto/numeric.h"
#include "net/output.h"
#include "cmd/command.h"
#include "cmd/metadata.h"

/* a metadata target: one of the two is set */
struct md_target {
	struct client *user;
	struct channel *chan;
	const char *name; /* as shown in replies */
};

/* safe_param: s when it can stand as a middle parameter of a reply,
 * else "*". */
static const char *
safe_param(const char *s)
{
	if (s[0] == '\0' || s[0] == ':' || strchr(s, ' ') != NULL || strlen(s) > 100)
		return "*";
	return s;
}

/* keyvalue: 761 (value) or 766 (value NULL) to c, inside batch bid when
 * it is not "". */
static void
keyvalue(struct client *c, const char *bid, const char *target, const char *key, const char *value)
{
	if (bid[0] == '\0') {
		if (value != NULL)
			numeric(c, RPL_KEYVALUE, target, key, "*", value);
		else
			numeric(c, RPL_KEYNOTSET, target, key);
		return;
	}
	if (value != NULL)
		reply_raw(c, "@batch=%s :%s 761 %s %s %s * :%s", bid, c->srv->cfg->name, c->nick,
		    target, key, value);
	else
		reply_raw(c, "@batch=%s :%s 766 %s %s %s :key not set", bid, c->srv->cfg->name,
		    c->nick, target, key);
}

/* wants: does r hear about key (capability, subscription)? */
static bool
wants(const struct client *r, const char *key)
{
	return (r->caps & CAP_METADATA) && !client_is_remote(r) && r->meta_subs != NULL &&
	    meta_get(r->meta_subs, key) != NULL;
}

/* notify: tell the subscribers of key about a change of t's pair (value
 * NULL: removed), all but by. Channel: its members. User: the user itself
 * and everyone sharing a channel with it, once each (send_common's serial
 * de-duplication). */
static void
notify(struct client *by, const struct md_target *t, const char *key, const char *value)
{
	struct membership *mine, *m, *tmp;
	struct server *srv;
	uint32_t serial;

	if (t->chan != NULL) {
		HASH_ITER(hh, t->chan->members, m, tmp)
			if (m->client != by && wants(m->client, key))
				keyvalue(m->client, "", t->name, key, value);
		return;
	}
	srv = t->user->srv;
	if (++srv->serial == 0)
		srv->serial = 1;
	serial = srv->serial;
	if (by != NULL)
		by->serial = serial;
	if (t->user != by && wants(t->user, key))
		keyvalue(t->user, "", t->name, key, value);
	t->user->serial = serial;
	LIST_FOREACH(mine, &t->user->channels, by_client) {
		HASH_ITER(hh, mine->chan->members, m, tmp) {
			if (m->client->serial == serial)
				continue;
			m->client->serial = serial;
			if (wants(m->client, key))
				keyvalue(m->client, "", t->name, key, value);
		}
	}
}

/* find_target: resolve name ("*" = c itself); false (FAIL sent) when it
 * names nothing. */
static bool
find_target(struct client *c, const char *name, struct md_target *t)
{
	memset(t, 0, sizeof(*t));
	if (strcmp(name, "*") == 0) {
		t->user = c;
		t->name = c->nick;
		return true;
	}
	if (strchr("#&+!", name[0]) != NULL)
		t->chan = server_find_channel(c->srv, name);
	else {
		t->user = server_find_nick(c->srv, name);
		if (t->user != NULL && !client_is_registered(t->user))
			t->user = NULL;
	}
	if (t->chan == NULL && t->user == NULL) {
		reply_server(c, "FAIL METADATA INVALID_TARGET %s :invalid metadata target",
		    safe_param(name));
		return false;
	}
	t->name = t->chan != NULL ? t->chan->name : t->user->nick;
	return true;
}

/* may_see: c may read t's pairs. */
static bool
may_see(const struct client *c, const struct md_target *t)
{
	return t->user != NULL || client_is_oper(c) || channel_find_member(t->chan, c) != NULL;
}

/* may_edit: c may change t's pairs. A user behind a link holds none here. */
static bool
may_edit(const struct client *c, const struct md_target *t)
{
	struct membership *m;

	if (t->user != NULL)
		return !client_is_remote(t->user) && (t->user == c || client_is_oper(c));
	if (client_is_oper(c))
		return true;
	m = channel_find_member(t->chan, c);
	return m != NULL && (m->modes & (MEMB_OP | MEMB_CREATOR));
}

static struct meta_entry **
list_of(const struct md_target *t)
{
	return t->chan != NULL ? &t->chan->meta : &t->user->meta;
}

/* bad_key: FAIL METADATA INVALID_KEY, echoing the key only when it can
 * stand as a middle parameter. */
static void
bad_key(struct client *c, const char *key)
{
	reply_server(c, "FAIL METADATA INVALID_KEY %s :invalid key", safe_param(key));
}

static void
no_permission(struct client *c, const struct md_target *t, const char *key)
{
	reply_server(c, "FAIL METADATA KEY_NO_PERMISSION %s %s :permission denied", t->name, key);
}

/* md_get: METADATA <target> GET <key>... */
static void
md_get(struct client *c, const struct md_target *t, struct irc_msg *m)
{
	char bid[16], key[META_KEY_MAX + 1];
	const struct meta_entry *e;
	int i;

	if (m->nparams < 3) {
		numeric(c, ERR_NEEDMOREPARAMS, "METADATA");
		return;
	}
	reply_batch_open(c, bid, sizeof(bid), 'm', "metadata", t->name);
	for (i = 2; i < m->nparams; i++) {
		if (!meta_key_fold(m->params[i], key)) {
			bad_key(c, m->params[i]);
			continue;
		}
		if (!may_see(c, t)) {
			no_permission(c, t, key);
			continue;
		}
		e = meta_get(*list_of(t), key);
		keyvalue(c, bid, t->name, key, e != NULL ? e->value : NULL);
	}
	reply_batch_close(c, bid);
}

/* md_list: METADATA <target> LIST */
static void
md_list(struct client *c, const struct md_target *t)
{
	const struct meta_entry *e;
	char bid[16];

	if (!may_see(c, t)) {
		no_permission(c, t, "*");
		return;
	}
	reply_batch_open(c, bid, sizeof(bid), 'm', "metadata", t->name);
	for (e = *list_of(t); e != NULL; e = e->next)
		keyvalue(c, bid, t->name, e->key, e->value);
	reply_batch_close(c, bid);
}

/* md_set: METADATA <target> SET <key> [:<value>] (no or an empty value
 * removes the key). */
static void
md_set(struct client *c, const struct md_target *t, struct irc_msg *m)
{
	const struct config *cfg = c->srv->cfg;
	char key[META_KEY_MAX + 1];
	const char *value = m->nparams > 3 && m->params[3][0] != '\0' ? m->params[3] : NULL;
	size_t len;
	int r;

	if (m->nparams < 3) {
		numeric(c, ERR_NEEDMOREPARAMS, "METADATA");
		return;
	}
	if (!meta_key_fold(m->params[2], key)) {
		bad_key(c, m->params[2]);
		return;
	}
	if (!may_edit(c, t)) {
		no_permission(c, t, key);
		return;
	}
	if (value == NULL) {
		/* PR 613: SET is idempotent, 766 whether or not it was set */
		bool was = meta_del(list_of(t), key);

		numeric(c, RPL_KEYNOTSET, t->name, key);
		if (was)
			notify(c, t, key, NULL);
		return;
	}
	/* a key and its value together fit one 761 line with a 63-byte server
	 * name, a 30-byte nick and a 50-byte channel name (Ergo's bound: 350,
	 * irc/metadata.go maxCombinedMetadataLenBytes) */
	len = strlen(value);
	if (len > cfg->metadata_max_value_bytes || len + strlen(key) > META_PAIR_MAX ||
	    !message_utf8_valid(value, len)) {
		reply_server(c, "FAIL METADATA INVALID_VALUE %s :value is too long or not UTF-8",
		    key);
		return;
	}
	r = meta_set(list_of(t), key, value, len, cfg->metadata_max_keys);
	if (r != 0) {
		reply_server(c, "FAIL METADATA LIMIT_REACHED SET %s :metadata limit reached",
		    t->name);
		return;
	}
	numeric(c, RPL_KEYVALUE, t->name, key, "*", value);
	notify(c, t, key, value);
}

/* md_clear: METADATA <target> CLEAR: one 766 per removed key. */
static void
md_clear(struct client *c, const struct md_target *t)
{
	struct meta_entry **list = list_of(t), *e;
	char bid[16];

	if (!may_edit(c, t)) {
		no_permission(c, t, "*");
		return;
	}
	reply_batch_open(c, bid, sizeof(bid), 'm', "metadata", t->name);
	while ((e = *list) != NULL) {
		char key[META_KEY_MAX + 1];

		memcpy(key, e->key, sizeof(key));
		meta_del(list, key);
		keyvalue(c, bid, t->name, key, NULL);
		notify(c, t, key, NULL);
	}
	reply_batch_close(c, bid);
}

/* keyline: append key to the 770/771/772 line being built in buf (flushed
 * through num when it would pass 400 bytes). */
static void
keyline(struct client *c, int num, char *buf, size_t *n, const char *key)
{
	size_t kl = strlen(key);

	if (*n > 0 && *n + 1 + kl > 400) {
		buf[*n] = '\0';
		reply_numeric(c, num, ":%s", buf);
		*n = 0;
	}
	if (*n > 0)
		buf[(*n)++] = ' ';
	memcpy(buf + *n, key, kl);
	*n += kl;
}

static void
keyline_end(struct client *c, int num, char *buf, size_t n)
{
	if (n > 0) {
		buf[n] = '\0';
		reply_numeric(c, num, ":%s", buf);
	}
}

/* md_sub: METADATA * SUB <key>...: keys in order; past max-subs, one
 * LIMIT_REACHED naming the first key not processed, and stop. Afterwards
 * a registered client is told to SYNC each channel it is in (774): the
 * current values of the new keys are a SYNC away, and sending them all
 * here could be every member of every channel. */
static void
md_sub(struct client *c, struct irc_msg *m)
{
	char buf[512], key[META_KEY_MAX + 1];
	struct membership *mb;
	unsigned count = meta_count(c->meta_subs);
	bool added = false;
	size_t n = 0;
	int i;

	if (m->nparams < 3) {
		numeric(c, ERR_NEEDMOREPARAMS, "METADATA");
		return;
	}
	for (i = 2; i < m->nparams; i++) {
		if (!meta_key_fold(m->params[i], key)) {
			bad_key(c, m->params[i]);
			continue;
		}
		if (meta_get(c->meta_subs, key) == NULL) {
			if (count >= c->srv->cfg->metadata_max_subs ||
			    meta_set(&c->meta_subs, key, "", 0, c->srv->cfg->metadata_max_subs) !=
				0) {
				reply_server(c,
				    "FAIL METADATA LIMIT_REACHED SUB %s :too many subscriptions",
				    key);
				break;
			}
			count++;
			added = true;
		}
		keyline(c, RPL_METADATASUBOK, buf, &n, key);
	}
	keyline_end(c, RPL_METADATASUBOK, buf, n);
	if (added && client_is_registered(c))
		LIST_FOREACH(mb, &c->channels, by_client)
			numeric(c, ERR_METADATASYNCLATER, mb->chan->name, 0u);
}

/* md_unsub: METADATA * UNSUB <key>... */
static void
md_unsub(struct client *c, struct irc_msg *m)
{
	char buf[512], key[META_KEY_MAX + 1];
	size_t n = 0;
	int i;

	if (m->nparams < 3) {
		numeric(c, ERR_NEEDMOREPARAMS, "METADATA");
		return;
	}
	for (i = 2; i < m->nparams; i++) {
		if (!meta_key_fold(m->params[i], key)) {
			bad_key(c, m->params[i]);
			continue;
		}
		meta_del(&c->meta_subs, key);
		keyline(c, RPL_METADATAUNSUBOK, buf, &n, key);
	}
	keyline_end(c, RPL_METADATAUNSUBOK, buf, n);
}

/* md_subs: METADATA * SUBS (nothing when there are none). */
static void
md_subs(struct client *c)
{
	const struct meta_entry *e;
	char buf[512];
	size_t n = 0;

	for (e = c->meta_subs; e != NULL; e = e->next)
		keyline(c, RPL_METADATASUBS, buf, &n, e->key);
	keyline_end(c, RPL_METADATASUBS, buf, n);
}

/* sync_pairs: the pairs of list that c subscribes to, as 761 lines. */
static void
sync_pairs(struct client *c, const char *bid, const char *target, const struct meta_entry *list)
{
	for (; list != NULL; list = list->next)
		if (meta_get(c->meta_subs, list->key) != NULL)
			keyvalue(c, bid, target, list->key, list->value);
}

/* sync_channel: ch's subscribed pairs and its members' (but c's own), in
 * one metadata batch. O(members). */
static void
sync_channel(struct client *c, struct channel *ch)
{
	struct membership *m, *tmp;
	char bid[16];

	reply_batch_open(c, bid, sizeof(bid), 'm', "metadata", ch->name);
	sync_pairs(c, bid, ch->name, ch->meta);
	HASH_ITER(hh, ch->members, m, tmp)
		if (m->client != c && m->client->meta != NULL)
			sync_pairs(c, bid, m->client->nick, m->client->meta);
	reply_batch_close(c, bid);
}

/* md_sync: METADATA <target> SYNC */
static void
md_sync(struct client *c, const struct md_target *t)
{
	char bid[16];

	if (!may_see(c, t)) {
		no_permission(c, t, "*");
		return;
	}
	if (t->chan != NULL) {
		sync_channel(c, t->chan);
		return;
	}
	reply_batch_open(c, bid, sizeof(bid), 'm', "metadata", t->name);
	sync_pairs(c, bid, t->name, t->user->meta);
	reply_batch_close(c, bid);
}

enum cmd_result
cmd_metadata(struct client *c, struct irc_msg *m)
{
	char sub[16];
	struct md_target t;
	size_t i;

	if (!c->srv->cfg->metadata_enabled) {
		numeric(c, ERR_UNKNOWNCOMMAND, "METADATA");
		return CMD_OK;
	}
	for (i = 0; i + 1 < sizeof(sub) && m->params[1][i] != '\0'; i++)
		sub[i] = (char)(m->params[1][i] >= 'a' && m->params[1][i] <= 'z'
			? m->params[1][i] - 'a' + 'A'
			: m->params[1][i]);
	sub[i] = '\0';
	/* before-connect: during registration, a client that asked for the
	 * capability may work on its own pairs and subscriptions (the target
	 * "*"); its pairs are sent back in the burst */
	if (!client_is_registered(c) &&
	    (!(c->caps & CAP_METADATA) || strcmp(m->params[0], "*") != 0 ||
		strcmp(sub, "SYNC") == 0)) {
		numeric(c, ERR_NOTREGISTERED);
		return CMD_OK;
	}
	if (strcmp(sub, "SUB") == 0)
		md_sub(c, m);
	else if (strcmp(sub, "UNSUB") == 0)
		md_unsub(c, m);
	else if (strcmp(sub, "SUBS") == 0)
		md_subs(c);
	else if (strcmp(sub, "GET") != 0 && strcmp(sub, "LIST") != 0 && strcmp(sub, "SET") != 0 &&
	    strcmp(sub, "CLEAR") != 0 && strcmp(sub, "SYNC") != 0)
		reply_server(c, "FAIL METADATA INVALID_PARAMS %s :invalid subcommand",
		    safe_param(m->params[1]));
	else if (!find_target(c, m->params[0], &t))
		return CMD_OK;
	else if (strcmp(sub, "GET") == 0)
		md_get(c, &t, m);
	else if (strcmp(sub, "LIST") == 0)
		md_list(c, &t);
	else if (strcmp(sub, "SET") == 0)
		md_set(c, &t, m);
	else if (strcmp(sub, "CLEAR") == 0)
		md_clear(c, &t);
	else
		md_sync(c, &t);
	return CMD_OK;
}

/* on_registered: the client's own pairs (set before-connect) in a
 * metadata batch, empty when there are none (PR 566/613: "during the
 * registration burst"). */
static void
on_registered(struct server *srv, const struct event_registered *ev)
{
	struct client *c = ev->client;
	const struct meta_entry *e;
	char bid[16];

	(void)srv;
	if (!(c->caps & CAP_METADATA) || client_is_remote(c))
		return;
	reply_batch_open(c, bid, sizeof(bid), 'm', "metadata", c->nick);
	for (e = c->meta; e != NULL; e = e->next)
		keyvalue(c, bid, c->nick, e->key, e->value);
	reply_batch_close(c, bid);
}

/* on_join: the joiner learns the channel's and its members' pairs (or
 * 774 past sync_members), and the members learn the joiner's. Nothing at
 * all is done unless someone subscribed or the joiner has pairs. */
static void
on_join(struct server *srv, const struct event_join *ev)
{
	struct client *j = ev->client;
	struct channel *ch = ev->channel;
	struct membership *m, *tmp;
	const struct meta_entry *e;

	if (!client_is_remote(j) && (j->caps & CAP_METADATA) && j->meta_subs != NULL) {
		if (ch->nmembers > srv->cfg->metadata_sync_members)
			numeric(j, ERR_METADATASYNCLATER, ch->name, 1u);
		else
			sync_channel(j, ch);
	}
	if (j->meta == NULL)
		return;
	HASH_ITER(hh, ch->members, m, tmp) {
		if (m->client == j || m->client->meta_subs == NULL)
			continue;
		for (e = j->meta; e != NULL; e = e->next)
			if (wants(m->client, e->key))
				keyvalue(m->client, "", j->nick, e->key, e->value);
	}
}

int
metadata_subscribe(struct server *srv)
{
	if (event_subscribe_registered(srv, on_registered) != 0 ||
	    event_subscribe_join(srv, on_join) != 0)
		return -1;
	return 0;
}
