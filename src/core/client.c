/* client.c - one client: creation, names, timers, invites, and the final free.
 * The teardown (client_close) and the deferred free live in net/close.c. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "evircd_config.h"
#if HAVE_GSASL
#include <gsasl.h>
#endif

#include "core/channel.h"
#include "core/client.h"
#include "core/throttle.h"
#include "core/connlimit.h"
#include "core/log.h"
#include "core/meta.h"
#include "core/password.h"
#include "core/server.h"

/* client_new: see client.h. The host is the textual address; an IPv6
 * address that starts with ':' gets a leading '0' so it can never be taken
 * for a trailing parameter (as Solanum and InspIRCd do). */
struct client *
client_new(struct server *srv, struct bufferevent *bev, const struct sockaddr *sa, int salen)
{
	return client_new_extra(srv, bev, sa, salen, 0);
}

/* client_new_extra: see client.h. */
struct client *
client_new_extra(struct server *srv, struct bufferevent *bev, const struct sockaddr *sa, int salen,
    size_t extra)
{
	struct client *c;
	char addr[INET6_ADDRSTRLEN] = "unknown";

	_Static_assert(sizeof(struct client) % sizeof(void *) == 0, "client_extra alignment");
	c = calloc(1, sizeof(*c) + extra);
	if (c == NULL) {
		log_warn("calloc client");
		return NULL;
	}
	c->srv = srv;
	c->bev = bev;
	if ((size_t)salen <= sizeof(c->addr))
		memcpy(&c->addr, sa, (size_t)salen);
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr,
		    sizeof(addr));
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6))
			inet_ntop(AF_INET, &a6->s6_addr[12], addr, sizeof(addr));
		else
			inet_ntop(AF_INET6, a6, addr, sizeof(addr));
	}
	snprintf(c->host, sizeof(c->host), "%s%s", addr[0] == ':' ? "0" : "", addr);
	strcpy(c->nick, "*");
	c->signon = c->last_active = c->last_msg = srv->now;
	c->signon_ms = (uint16_t)srv->now_ms;
	LIST_INIT(&c->channels);
	TAILQ_INIT(&c->invites);
	return c;
}

/* client_prefix: as snprintf(buf, size, "%s!%s@%s", ...) (cut to size - 1
 * bytes), without stdio: it runs for every message a client sends. */
char *
client_prefix(const struct client *c, char *buf, size_t size)
{
	const char *part[5] = { c->nick, "!", c->user[0] ? c->user : "*", "@", c->host };
	size_t n = 0, l;
	int i;

	if (size == 0)
		return buf;
	for (i = 0; i < 5 && n < size - 1; i++) {
		l = strlen(part[i]);
		if (l > size - 1 - n)
			l = size - 1 - n;
		memcpy(buf + n, part[i], l);
		n += l;
	}
	buf[n] = '\0';
	return buf;
}

void
client_set_nick(struct client *c, const char *nick)
{
	struct server *srv = c->srv;

	if (c->flags & CF_NICK_HASHED)
		HASH_DELETE(hh, srv->nicks, c);
	snprintf(c->nick, sizeof(c->nick), "%s", nick);
	server_fold(srv, c->nick_key, c->nick, sizeof(c->nick_key));
	HASH_ADD_KEYPTR(hh, srv->nicks, c->nick_key, strlen(c->nick_key), c);
	c->flags |= CF_NICK_HASHED;
}

/* client_timer_now: see client.h. */
int64_t
client_timer_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* client_timer_stop: see client.h. */
void
client_timer_stop(struct client *c)
{
	if (c->timer_due == 0)
		return;
	TAILQ_REMOVE(&c->srv->timerq[c->timer_kind].q, c, tlink);
	c->timer_due = 0;
}

/* client_timer_set: see client.h. O(1): an append to the kind's queue;
 * the queue's event is armed when the queue was empty (otherwise it is
 * pending for the head, which is due first). */
void
client_timer_set(struct client *c, enum client_timer kind)
{
	struct client_timerq *tq = &c->srv->timerq[kind];
	struct timeval tv;
	bool was_empty;

	client_timer_stop(c);
	c->timer_kind = (uint8_t)kind;
	c->timer_due = client_timer_now() + tq->dur_us;
	if (c->timer_due == 0)
		c->timer_due = 1;
	was_empty = TAILQ_EMPTY(&tq->q);
	TAILQ_INSERT_TAIL(&tq->q, c, tlink);
	if (was_empty && tq->ev != NULL) {
		tv.tv_sec = (time_t)(tq->dur_us / 1000000);
		tv.tv_usec = (suseconds_t)(tq->dur_us % 1000000);
		evtimer_add(tq->ev, &tv);
	}
}

/* client_list_stop: see client.h. */
void
client_list_stop(struct client *c)
{
	struct server *srv = c->srv;

	if (c->flags & CF_PUMPQ) {
		TAILQ_REMOVE(&srv->pumpq, c, pumplink);
		c->flags &= ~CF_PUMPQ;
	}
	c->on_drain = NULL;
	if (c->listing == NULL)
		return;
	channel_cursor_stop(&c->listing->cur);
	free(c->listing);
	c->listing = NULL;
}

void
client_pwwait_free(struct client_pwwait *w)
{
	if (w == NULL)
		return;
	if (w->store_wait) {
		w->orphaned = true; /* the store callback frees it */
		w->client = NULL;
		return;
	}
	if (w->job != NULL)
		password_job_cancel(w->job);
	throttle_hash_release(w->share);
	if (w->capture != NULL)
		evbuffer_free(w->capture);
	free(w->oper);
	free(w->label);
	free(w);
}

void
client_sasl_free(struct client_sasl *s)
{
	if (s == NULL)
		return;
#if HAVE_GSASL
	if (s->gs != NULL)
		gsasl_finish(s->gs);
#endif
	explicit_bzero(s->buf, s->len);
	free(s);
}

void
client_forget_pass(struct client *c)
{
	if (c->pass == NULL)
		return;
	explicit_bzero(c->pass, strlen(c->pass));
	free(c->pass);
	c->pass = NULL;
}

void
client_free(struct client *c)
{
	client_pwwait_free(c->pw);
	c->pw = NULL;
	client_forget_pass(c);
	client_list_stop(c);
	client_timer_stop(c);
	if (c->capture != NULL)
		evbuffer_free(c->capture);
	if (c->bev != NULL) /* NULL for a remote user (core/netserver.h) */
		bufferevent_free(c->bev);
	free(c->certfp);
	if (c->alink.le_prev != NULL)
		LIST_REMOVE(c, alink);
	if (c->enforce != NULL) {
		TAILQ_REMOVE(&c->srv->enforceq, c->enforce, link);
		free(c->enforce);
	}
	free(c->account);
	client_sasl_free(c->sasl);
	free(c->mon);
	meta_free(&c->meta);
	meta_free(&c->meta_subs);
	free(c->realname);
	free(c->away);
	free(c->ml);
	channel_invites_client_gone(c);
	free(c);
}

/* client_mask_addr_match: see client.h. The host part must look like an
 * address (a hex digit or ':' first, no wildcard) before it is parsed, so
 * the common "*!*@*.example.org" ban costs one strpbrk. */
bool
client_mask_addr_match(const struct client *c, const char *mask, bool userhost)
{
	const char *at = strrchr(mask, '@'), *h;
	char left[160], me[160];
	unsigned char addr[16];
	struct cidr net;

	if (at == NULL)
		return false;
	h = at + 1;
	if (!(isxdigit((unsigned char)*h) || *h == ':') || strpbrk(h, "*?") != NULL ||
	    !cidr_parse(h, &net))
		return false;
	sockaddr_to16((const struct sockaddr *)&c->addr, addr);
	if (!cidr_contains(&net, addr))
		return false;
	snprintf(left, sizeof(left), "%.*s", (int)(at - mask), mask);
	if (userhost)
		snprintf(me, sizeof(me), "%s", c->user);
	else
		snprintf(me, sizeof(me), "%s!%s", c->nick, c->user);
	return casemap_match(c->srv->cfg->casemapping, left, me);
}

bool
client_matches_mask(const struct client *c, const char *mask)
{
	char pfx[160];

	return casemap_match(c->srv->cfg->casemapping, mask, client_prefix(c, pfx, sizeof(pfx))) ||
	    client_mask_addr_match(c, mask, false);
}
