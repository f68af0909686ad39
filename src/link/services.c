/* services.c - what the services server may do (link/services.h,
 * docs/NETWORK.md "Services").
 *
 * Atheme (modules/protocol/ngircd) and Anope (modules/protocol/ngircd)
 * speak ngIRCd's dialect: pseudo-clients introduced with NICK, NJOIN or
 * JOIN into channels, MODE and TOPIC from them, KILL, METADATA accountname
 * / cloakhost / user to log users in and out and change hosts, and (Anope)
 * SVSNICK <nick> <new> to rename a user. The routing (which link a line
 * came from, where it goes on) is link.c's; the changes to local users are
 * made here. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/config.h"
#include "core/event.h"
#include "core/log.h"
#include "core/netserver.h"
#include "core/server.h"
#include "proto/mode.h"
#include "proto/reply.h"
#include "net/output.h"
#include "link/services.h"

/* services_server: see services.h. O(number of [link] sections). */
bool
services_server(struct server *srv, const struct netserver *ns)
{
	const struct link_conf *lc;

	if (ns == NULL || ns == srv->me)
		return false;
	lc = config_services_link(srv->cfg);
	return lc != NULL && strcasecmp(lc->name, ns->name) == 0;
}

/* services_source: see services.h. */
bool
services_source(struct server *srv, struct client *user, const struct netserver *server)
{
	if (user != NULL)
		return client_is_remote(user) && services_server(srv, remote_of(user)->server);
	return services_server(srv, server);
}

/* services_force_nick: see services.h. */
bool
services_force_nick(struct client *c, const char *nick)
{
	struct server *srv = c->srv;
	struct client *other = server_find_nick(srv, nick);
	char old[NICKLEN_MAX + 1], pfx[160];
	struct outline ol;

	if (!nick_valid(nick, NICKLEN_MAX) || (other != NULL && other != c)) {
		log_warnx("services: cannot rename %s to %s (%s)", c->nick, nick,
		    other != NULL ? "nick in use" : "invalid nick");
		return false;
	}
	if (strcmp(nick, c->nick) == 0)
		return true;
	log_info("services renamed %s to %s", c->nick, nick);
	outline_format(&ol, ":%s NICK :%s", client_prefix(c, pfx, sizeof(pfx)), nick);
	send_common(c, true, &ol);
	snprintf(old, sizeof(old), "%s", c->nick);
	client_set_nick(c, nick);
	{
		struct event_nick ev = { c, old };
		event_publish_nick(srv, &ev); /* WHOWAS, MONITOR, the links */
	}
	return true;
}

/* services_user_mode: see services.h. */
void
services_user_mode(struct client *c, const char *modes, const char *setter)
{
	struct server *srv = c->srv;
	char dir = '+', lastdir = 0, out[64];
	size_t olen = 0;
	const char *p;

	for (p = modes; *p != '\0'; p++) {
		const struct usermode_def *d;
		uint32_t before = c->umodes;

		if (*p == '+' || *p == '-') {
			dir = *p;
			continue;
		}
		if (*p == 'R' || *p == 'x')
			continue; /* account and host: METADATA carries them */
		d = mode_user_find(*p);
		if (d == NULL || !(d->bit & (UMODE_INVISIBLE | UMODE_WALLOPS | UMODE_BOT))) {
			log_debug("services: user mode %c%c on %s refused", dir, *p, c->nick);
			continue;
		}
		if (dir == '+')
			c->umodes |= d->bit;
		else
			c->umodes &= ~d->bit;
		if (before == c->umodes)
			continue;
		if (d->bit == UMODE_INVISIBLE)
			srv->stats.invisible += dir == '+' ? 1 : -1;
		if (olen + 3 < sizeof(out)) {
			if (dir != lastdir)
				out[olen++] = dir;
			lastdir = dir;
			out[olen++] = *p;
		}
	}
	out[olen] = '\0';
	if (olen > 0) {
		struct event_mode ev = { NULL, NULL, c, out };
		reply_raw(c, ":%s MODE %s :%s", setter, c->nick, out);
		event_publish_mode(srv, &ev);
	}
}

/* services_global: see services.h. */
void
services_global(struct server *srv, const char *prefix, const char *verb, const char *mask,
    const char *text)
{
	struct client *c;
	struct outline ol;

	if (!casemap_match(CASEMAP_ASCII, mask, srv->me->name))
		return;
	TAILQ_FOREACH(c, &srv->clients, link) {
		if (!client_is_registered(c) || (c->flags & CF_SERVER) || c->state != CLIENT_OPEN)
			continue;
		/* formatted per user: the target is the user's nick, as
		 * Solanum and ngIRCd show a $mask message */
		outline_format(&ol, ":%s %s %s :%s", prefix, verb, c->nick, text);
		send_line(c, &ol);
	}
}
