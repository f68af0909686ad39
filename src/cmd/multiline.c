/* multiline.c - client batches of type draft/multiline (IRCv3 multiline,
 * issue 12, docs/HISTORY.md "Multiline messages"): BATCH +id
 * draft/multiline <target>, PRIVMSG or NOTICE lines tagged batch=id (and
 * draft/multiline-concat), BATCH -id; then one delivery: a draft/multiline
 * batch to recipients that negotiated draft/multiline and batch, the
 * component lines to everyone else.
 *
 * Bounds: the batch is one allocation per client (c->ml) sized by
 * [limits] multiline_max_bytes/_lines when opened; a batch past a limit
 * fails at once (FAIL BATCH MULTILINE_MAX_BYTES/_LINES) and shrinks to its
 * header, its remaining lines are dropped until BATCH -id; one never
 * closed is dropped with a FAIL when the client's next line arrives after
 * ML_TIMEOUT (a client that is alive sends at least its PONG). Every line
 * goes through the gate and pays its fakelag (cmd/command.c), as separate
 * messages would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "cmd/command.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/config.h"
#include "core/netserver.h"
#include "core/server.h"
#include "net/capture.h"
#include "net/output.h"
#include "proto/message.h"
#include "proto/cap.h"
#include "proto/reply.h"

#define ML_ID_MAX 48 /* bytes of the client's reference tag */

struct mlline {
	uint32_t off; /* into text */
	uint16_t len;
	bool concat; /* draft/multiline-concat */
};

struct client_mlbatch {
	time_t opened;
	bool failed; /* past a limit or invalid: lines dropped until the end */
	bool notice; /* NOTICE lines (first line decides) */
	bool verb_set;
	unsigned nlines, max_lines, bytes, max_bytes, used;
	char id[ML_ID_MAX + 1];
	char target[210]; /* a channel (CHANNELLEN <= 200) or a nick */
	char ctags[IRC_CLIENT_TAGS_MAX + 1]; /* the BATCH line's client-only tags */
	char label[IRC_LABEL_MAX + 1]; /* the opening BATCH line's label, "" none */
	struct mlline *lines; /* into data */
	char *text; /* into data */
	char data[];
};

/* ml_timeout: seconds a batch may stay open: what its lines take to pass
 * the fakelag (one penalty each after the burst) and a minute more. */
static time_t
ml_timeout(const struct server *srv)
{
	return 60 + (time_t)srv->cfg->multiline_max_lines * srv->cfg->flood_penalty;
}

/* ml_drop: free c's batch. */
static void
ml_drop(struct client *c)
{
	free(c->ml);
	c->ml = NULL;
}

/* ml_fail: the batch fails: FAIL BATCH <code> [params] :text, and it keeps
 * only its header (its lines are dropped until BATCH -id). */
static void ml_fail(struct client *c, const char *code_params, const char *text);
static void
ml_fail(struct client *c, const char *code_params, const char *text)
{
	struct client_mlbatch *b = c->ml, *nb;

	reply_server(c, "FAIL BATCH %s :%s", code_params, text);
	if (b == NULL || b->failed)
		return;
	b->failed = true;
	b->lines = NULL;
	b->text = NULL;
	if ((nb = realloc(b, sizeof(*b))) != NULL)
		c->ml = nb;
}

/* tag_value: the value of key in the raw tags (not modified), its length
 * in *len; NULL when absent. */
static const char *
tag_value(const char *tags, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = tags;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ";");
		if (n >= klen && strncmp(p, key, klen) == 0 &&
		    (p[klen] == '=' || p[klen] == ';' || p[klen] == '\0')) {
			const char *v = p[klen] == '=' ? p + klen + 1 : p + klen;
			*len = n - (size_t)(v - p);
			return v;
		}
		p = p[n] == ';' ? p + n + 1 : NULL;
	}
	return NULL;
}

bool
multiline_intercept(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	struct client_mlbatch *b = c->ml;
	const char *bid, *text;
	size_t blen, tlen, dummy;
	bool concat, notice;
	unsigned add;
	char buf[200];

	if (srv->now - b->opened > ml_timeout(srv)) {
		ml_fail(c, "MULTILINE_INVALID", "Multiline batch timed out");
		ml_drop(c);
		return false;
	}
	if (m->tags == NULL || (bid = tag_value(m->tags, "batch", &blen)) == NULL ||
	    blen != strlen(b->id) || strncmp(bid, b->id, blen) != 0)
		return false;
	if (b->failed)
		return true;
	notice = strcmp(m->verb, "NOTICE") == 0;
	/* "Multiline batches MUST only contain one or more PRIVMSG lines";
	 * NOTICE batches too, as Ergo accepts them, but not mixed */
	if ((!notice && strcmp(m->verb, "PRIVMSG") != 0) || m->nparams < 2 ||
	    (b->verb_set && b->notice != notice)) {
		ml_fail(c, "MULTILINE_INVALID", "Invalid multiline batch");
		return true;
	}
	char fa[210], fb[210];
	server_fold(srv, fa, m->params[0], sizeof(fa));
	server_fold(srv, fb, b->target, sizeof(fb));
	if (strcmp(fa, fb) != 0) {
		char p[2][210];
		snprintf(p[0], sizeof(p[0]), "%s", b->target);
		snprintf(p[1], sizeof(p[1]), "%s", m->params[0][0] == ':' ? "*" : m->params[0]);
		snprintf(buf, sizeof(buf), "MULTILINE_INVALID_TARGET %.60s %.60s", p[0], p[1]);
		ml_fail(c, buf, "Invalid multiline target");
		return true;
	}
	text = m->params[1];
	tlen = strlen(text);
	concat = tag_value(m->tags, "draft/multiline-concat", &dummy) != NULL;
	/* "Clients MUST NOT send blank lines with the draft/multiline-concat
	 * tag" */
	if (concat && tlen == 0) {
		ml_fail(c, "MULTILINE_INVALID", "Invalid multiline batch");
		return true;
	}
	if (b->nlines + 1 > b->max_lines) {
		snprintf(buf, sizeof(buf), "MULTILINE_MAX_LINES %u", b->max_lines);
		ml_fail(c, buf, "Multiline batch max-lines exceeded");
		return true;
	}
	/* "Each line feed used to join line messages contributes one byte
	 * towards the max-bytes limit" */
	add = (unsigned)tlen + (b->nlines > 0 && !concat ? 1u : 0u);
	if (b->bytes + add > b->max_bytes) {
		snprintf(buf, sizeof(buf), "MULTILINE_MAX_BYTES %u", b->max_bytes);
		ml_fail(c, buf, "Multiline batch max-bytes exceeded");
		return true;
	}
	b->verb_set = true;
	b->notice = notice;
	b->lines[b->nlines].off = b->used;
	b->lines[b->nlines].len = (uint16_t)tlen;
	b->lines[b->nlines].concat = concat && b->nlines > 0;
	memcpy(b->text + b->used, text, tlen);
	b->used += (unsigned)tlen;
	b->bytes += add;
	b->nlines++;
	return true;
}

/* A prepared delivery: the batch form and the fallback lines. */
struct mlsend {
	struct outline open; /* ":pfx BATCH +id draft/multiline target" */
	char *inner; /* the batch's lines, "@batch=id... :pfx VERB target :text\r\n" each */
	size_t inner_len;
	char close[80];
	size_t close_len;
	struct outline *fb; /* fallback lines (blank lines left out) */
	unsigned nfb;
};

/* to_client: the message to one recipient, in the form it understands. */
static void
to_client(struct client *r, const struct mlsend *s)
{
	unsigned i;

	if ((r->caps & (CAP_MULTILINE | CAP_BATCH)) == (CAP_MULTILINE | CAP_BATCH) &&
	    !client_is_remote(r)) {
		send_line(r, &s->open);
		send_bytes(r, s->inner, s->inner_len);
		send_bytes(r, s->close, s->close_len);
		return;
	}
	for (i = 0; i < s->nfb; i++)
		send_line(r, &s->fb[i]);
}

/* echo_labeled: the sender's echo with the label of the opening BATCH
 * line on the echo's opening BATCH line (labeled-response: the response
 * to a labeled batch is the echo, "@label=...;msgid=... :n!u@h BATCH +id
 * draft/multiline #c" as Ergo sends it), past the capture, which
 * collects only the other replies. False (nothing sent) when the label
 * cannot be echoed: then the echo goes into the capture as usual. */
static bool
echo_labeled(struct client *c, const struct mlsend *s, const char *label, const char *tags,
    size_t tags_len)
{
	char lt[6 + 2 * IRC_LABEL_MAX + 2 + IRC_CLIENT_TAGS_MAX + 64];
	struct outline open = s->open;
	struct evbuffer *cap;
	size_t n;

	memcpy(lt, "label=", 6);
	n = message_tag_escape(lt + 6, sizeof(lt) - 6, label, strlen(label));
	if (n == (size_t)-1 || 6 + n + 1 + tags_len >= sizeof(lt))
		return false;
	n += 6;
	if (tags_len > 0) {
		lt[n++] = ';';
		memcpy(lt + n, tags, tags_len);
		n += tags_len;
	}
	lt[n] = '\0';
	outline_set_tags(&open, lt, n);
	cap = capture_suspend(c);
	send_line(c, &open);
	send_bytes(c, s->inner, s->inner_len);
	send_bytes(c, s->close, s->close_len);
	capture_resume(c, cap);
	return true;
}

/* deliver: the closed batch b of c to its target. True when the echo
 * went to c carrying b's label (the capture then goes unlabeled). */
static bool
deliver(struct client *c, struct client_mlbatch *b)
{
	struct server *srv = c->srv;
	const char *verb = b->notice ? "NOTICE" : "PRIVMSG";
	char pfx[160], tags[IRC_CLIENT_TAGS_MAX + 64], msgid[40], acct[ACCOUNT_TAG_MAX];
	char obid[24], lid[64], first_text[IRC_LINE_MAX + 1];
	size_t tags_len, acct_len, cap, i;
	struct channel *ch = NULL;
	struct client *t = NULL;
	struct mlsend s;
	const char *tname;
	unsigned nonblank = 0, k;
	bool labeled = false;

	for (i = 0; i < b->nlines; i++)
		if (b->lines[i].len > 0)
			nonblank++;
	/* "Clients MUST NOT send messages consisting entirely of blank lines" */
	if (nonblank == 0) {
		reply_server(c, "FAIL BATCH MULTILINE_INVALID :Invalid multiline batch");
		return false;
	}
	for (i = 0; i < b->nlines && b->lines[i].len == 0; i++)
		;
	snprintf(first_text, sizeof(first_text), "%.*s", (int)b->lines[i].len,
	    b->text + b->lines[i].off);
	if (strchr("#&+!", b->target[0]) != NULL) {
		if ((ch = server_find_channel(srv, b->target)) == NULL) {
			if (!b->notice)
				numeric(c, ERR_NOSUCHNICK, b->target);
			return false;
		}
		if (message_channel_refused(c, ch, first_text, b->notice))
			return false;
		tname = ch->name;
	} else {
		t = server_find_nick(srv, b->target);
		if (t == NULL || !client_is_registered(t)) {
			if (!b->notice)
				numeric(c, ERR_NOSUCHNICK, b->target);
			return false;
		}
		tname = t->nick;
	}
	if (!b->notice)
		c->last_msg = srv->now;
	memset(&s, 0, sizeof(s));
	client_prefix(c, pfx, sizeof(pfx));
	tags_len = msg_tags_build(c, b->ctags[0] ? b->ctags : NULL, tags, sizeof(tags), msgid,
	    sizeof(msgid));
	acct_len = account_tag_build(acct, c->account);
	snprintf(obid, sizeof(obid), "ml%x", ++srv->batch_next);
	/* the batch: msgid and the other tags on the opening BATCH line
	 * (spec example: "@msgid=xxx;account=account :n!u@h BATCH +123
	 * draft/multiline #channel") */
	outline_format(&s.open, ":%s BATCH +%s draft/multiline %s", pfx, obid, tname);
	outline_set_tags(&s.open, tags, tags_len);
	outline_set_account(&s.open, acct, acct_len);
	cap = (size_t)b->nlines * (IRC_LINE_MAX + 64);
	s.fb = calloc(nonblank, sizeof(*s.fb));
	s.inner = malloc(cap);
	if (s.fb == NULL || s.inner == NULL) {
		free(s.fb);
		free(s.inner);
		reply_server(c, "FAIL BATCH MULTILINE_INVALID :Out of memory");
		return false;
	}
	for (i = 0, k = 0; i < b->nlines; i++) {
		const struct mlline *l = &b->lines[i];
		struct outline *o;
		int n = snprintf(s.inner + s.inner_len, cap - s.inner_len,
		    "@batch=%s%s :%s %s %s :%.*s\r\n", obid,
		    l->concat ? ";draft/multiline-concat" : "", pfx, verb, tname, (int)l->len,
		    b->text + l->off);
		if (n > 0 && (size_t)n < cap - s.inner_len)
			s.inner_len += (size_t)n;
		/* "Servers MUST NOT send blank lines to clients that have not
		 * negotiated the multiline capability"; the line composition
		 * the client chose is kept */
		if (l->len == 0)
			continue;
		o = &s.fb[k++];
		outline_format(o, ":%s %s %s :%.*s", pfx, verb, tname, (int)l->len,
		    b->text + l->off);
		/* "Any tags that would have been added to the batch ... MUST
		 * be included on the first message line"; the msgid only
		 * there (message-ids); the account on every line */
		if (k == 1)
			outline_set_tags(o, tags, tags_len);
		outline_set_account(o, acct, acct_len);
	}
	s.nfb = k;
	s.close_len =
	    (size_t)snprintf(s.close, sizeof(s.close), ":%s BATCH -%s\r\n", srv->cfg->name, obid);
	if (ch != NULL) {
		struct membership *m, *tmp;
		HASH_ITER(hh, ch->members, m, tmp)
			if (m->client != c && !client_is_remote(m->client))
				to_client(m->client, &s);
	} else if (client_is_remote(t)) {
		for (k = 0; k < s.nfb; k++)
			send_line(t, &s.fb[k]);
	} else
		to_client(t, &s);
	if ((c->caps & CAP_ECHO_MESSAGE) && t != c) {
		if (b->label[0] != '\0' && capture_is_open(c) &&
		    (c->caps & (CAP_MULTILINE | CAP_BATCH)) == (CAP_MULTILINE | CAP_BATCH))
			labeled = echo_labeled(c, &s, b->label, tags, tags_len);
		if (!labeled)
			to_client(c, &s);
	}
	/* one EVENT_MESSAGE per fallback line: links relay the lines (no
	 * server protocol here carries a client batch: the peers get the
	 * fallback, as ngIRCd would need anyway) and the history keeps them
	 * as lines; the first has the batch's msgid, the later ones
	 * "<msgid>.<n>" (not sent to clients), so REDACT of the msgid erases
	 * all of them (store/history.h hist_redact) */
	for (i = 0, k = 0; i < b->nlines; i++) {
		const struct mlline *l = &b->lines[i];
		char line[IRC_LINE_MAX + 1];
		struct event_message ev;
		if (l->len == 0)
			continue;
		snprintf(line, sizeof(line), "%.*s", (int)l->len, b->text + l->off);
		if (k == 0)
			snprintf(lid, sizeof(lid), "%s", msgid);
		else
			snprintf(lid, sizeof(lid), "%s.%u", msgid, k);
		ev = (struct event_message){ c, verb, ch, 0, t, line, k == 0 ? tags : "", lid };
		event_publish_message(srv, &ev);
		k++;
	}
	if (t != NULL && !b->notice && t->away != NULL)
		numeric(c, RPL_AWAY, t->nick, t->away);
	free(s.fb);
	free(s.inner);
	return labeled;
}

/* BATCH +id draft/multiline <target> ... BATCH -id (client-initiated
 * batches, IRCv3 multiline). Other batch types are not accepted from
 * clients. */
enum cmd_result
cmd_batch(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	const char *ref = m->params[0];
	struct client_mlbatch *b;
	unsigned ml = srv->cfg->multiline_max_lines, mb = srv->cfg->multiline_max_bytes;

	if (ref[0] == '+') {
		if (!(c->caps & CAP_MULTILINE)) {
			reply_server(c,
			    "FAIL BATCH MULTILINE_INVALID :draft/multiline is not negotiated");
			return CMD_OK;
		}
		if (m->nparams < 2 || strcmp(m->params[1], "draft/multiline") != 0) {
			reply_server(c, "FAIL BATCH MULTILINE_INVALID :Unsupported batch type");
			return CMD_OK;
		}
		if (c->ml != NULL) {
			/* a batch inside a batch: both go */
			ml_fail(c, "MULTILINE_INVALID", "Multiline batch already open");
			ml_drop(c);
			return CMD_OK;
		}
		if (m->nparams < 3 || ref[1] == '\0' || strlen(ref + 1) > ML_ID_MAX ||
		    m->params[2][0] == '\0' ||
		    strlen(m->params[2]) >= sizeof(((struct client_mlbatch *)0)->target)) {
			reply_server(c, "FAIL BATCH MULTILINE_INVALID :Invalid multiline batch");
			return CMD_OK;
		}
		b = calloc(1, sizeof(*b) + ml * sizeof(struct mlline) + mb);
		if (b == NULL) {
			reply_server(c, "FAIL BATCH MULTILINE_INVALID :Out of memory");
			return CMD_OK;
		}
		b->opened = srv->now;
		b->max_lines = ml;
		b->max_bytes = mb;
		b->lines = (struct mlline *)(void *)b->data;
		b->text = b->data + ml * sizeof(struct mlline);
		snprintf(b->id, sizeof(b->id), "%s", ref + 1);
		snprintf(b->target, sizeof(b->target), "%s", m->params[2]);
		/* "all client-only tags associated with the message must be
		 * sent attached to the initial BATCH command" */
		if (m->client_tags != NULL) {
			const char *ct = message_filter_client_tags(srv, m->client_tags);
			if (ct != NULL)
				snprintf(b->ctags, sizeof(b->ctags), "%s", ct);
		}
		/* labeled-response with multiline: the label of the opening
		 * BATCH answers the whole message, so no ACK now: the capture
		 * (empty) is dropped and the label kept for the end */
		if (m->label != NULL && capture_is_open(c) && capture_len(c) == 0 &&
		    strlen(m->label) <= IRC_LABEL_MAX) {
			snprintf(b->label, sizeof(b->label), "%s", m->label);
			evbuffer_free(capture_suspend(c));
		}
		c->ml = b;
		return CMD_OK;
	}
	if (ref[0] != '-' || c->ml == NULL || strcmp(ref + 1, c->ml->id) != 0) {
		reply_server(c, "FAIL BATCH MULTILINE_INVALID :No such multiline batch open");
		return CMD_OK;
	}
	b = c->ml;
	c->ml = NULL;
	if (b->label[0] != '\0') {
		/* the replies to the labeled batch: the echo carries the
		 * label, or else the capture (errors, ACK) is labeled; a
		 * capture of the BATCH -id line itself waits meanwhile */
		struct evbuffer *outer = capture_suspend(c);
		bool echoed = false;
		capture_begin(c);
		if (!b->failed && b->nlines == 0)
			reply_server(c, "FAIL BATCH MULTILINE_INVALID :Invalid multiline batch");
		else if (!b->failed)
			echoed = deliver(c, b);
		capture_end(c, echoed ? NULL : b->label);
		capture_resume(c, outer);
	} else if (!b->failed && b->nlines == 0)
		reply_server(c, "FAIL BATCH MULTILINE_INVALID :Invalid multiline batch");
	else if (!b->failed)
		deliver(c, b);
	free(b);
	return CMD_OK;
}
