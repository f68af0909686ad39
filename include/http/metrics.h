/* metrics.h - the Prometheus text exposition (format 0.0.4) of the server's
 * counters: what struct server_stats and the command counters hold, plus the
 * registration-time histogram, fed by an EVENT_REGISTERED subscriber. Names
 * follow the Prometheus conventions: evircd_ prefix, _total for counters,
 * base units (seconds, bytes). The list with meanings: docs/METRICS.md. */
#ifndef EVIRCD_METRICS_H
#define EVIRCD_METRICS_H

struct server;
struct evbuffer;

/* metrics_subscribe: subscribe the metrics feature to the event bus (one
 * O(1) subscriber per event it hears). 0, or -1 when the bus is full. */
int metrics_subscribe(struct server *srv);
/* metrics_write: append the whole exposition to out. O(commands +
 * clients) per call (TLS clients are counted by a scan); nothing on the
 * IRC paths. */
void metrics_write(struct server *srv, struct evbuffer *out);

#endif
