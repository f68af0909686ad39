/* event.c - subscription to the typed event bus (core/event.h). */
#include "core/event.h"
#include "core/log.h"
#include "core/server.h"

/* event_bus_of: see event.h. */
struct event_bus *
event_bus_of(struct server *srv)
{
	return &srv->bus;
}

/* subscribe: the free slot of kind, or NULL (logged) when the array is full. */
static union event_handler *
subscribe(struct server *srv, enum event_kind kind, const char *name)
{
	struct event_bus *bus = &srv->bus;

	if (bus->count[kind] >= EVENT_MAX_SUBSCRIBERS) {
		log_warnx("event %s: more than %d subscribers", name, EVENT_MAX_SUBSCRIBERS);
		return NULL;
	}
	return &bus->subs[kind][bus->count[kind]++];
}

#define EVENT_X(UP, low) \
	int event_subscribe_##low(struct server *srv, event_##low##_fn fn) \
	{ \
		union event_handler *h = subscribe(srv, EVENT_##UP, #low); \
		if (h == NULL) \
			return -1; \
		h->low = fn; \
		return 0; \
	}
EVENT_LIST(EVENT_X)
#undef EVENT_X
