/* notice.c - server notices to local operators: see link/notice.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <uthash.h>

#include "core/client.h"
#include "core/event.h"
#include "core/log.h"
#include "core/server.h"
#include "net/output.h"
#include "link/notice.h"

/* One local operator (by client pointer). */
struct oper_ref {
	UT_hash_handle hh;
	struct client *c;
};

static void
on_oper(struct server *srv, const struct event_oper *ev)
{
	struct oper_ref *r;

	HASH_FIND_PTR(srv->oper_refs, &ev->client, r);
	if (r != NULL || (r = calloc(1, sizeof(*r))) == NULL)
		return;
	r->c = ev->client;
	HASH_ADD_PTR(srv->oper_refs, c, r);
}

static void
on_quit(struct server *srv, const struct event_quit *ev)
{
	struct oper_ref *r;

	if (srv->oper_refs == NULL)
		return;
	HASH_FIND_PTR(srv->oper_refs, &ev->client, r);
	if (r != NULL) {
		HASH_DEL(srv->oper_refs, r);
		free(r);
	}
}

/* notice_init: see notice.h. */
int
notice_init(struct server *srv)
{
	if (event_subscribe_oper(srv, on_oper) != 0 || event_subscribe_quit(srv, on_quit) != 0)
		return -1;
	return 0;
}

/* notice_free: see notice.h. */
void
notice_free(struct server *srv)
{
	struct oper_ref *r, *tmp;

	HASH_ITER(hh, srv->oper_refs, r, tmp) {
		HASH_DEL(srv->oper_refs, r);
		free(r);
	}
}

/* notice_opers: see notice.h. An operator that dropped +o since is
 * forgotten here. */
void
notice_opers(struct server *srv, const char *fmt, ...)
{
	struct oper_ref *r, *tmp;
	char text[400];
	va_list ap;

	if (srv->oper_refs == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	HASH_ITER(hh, srv->oper_refs, r, tmp) {
		if (!client_is_oper(r->c)) {
			HASH_DEL(srv->oper_refs, r);
			free(r);
			continue;
		}
		if (r->c->state == CLIENT_OPEN)
			reply_notice(r->c, "*** Notice -- %s", text);
	}
}
