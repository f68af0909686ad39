/* status.h - the status page served at / : uptime, clients over the last
 * hour (an inline SVG chart from a ring of one sample a minute), the busiest
 * channels (+s and +p names hidden), links. HTML + CSS only, no script and
 * no external resource; every name is HTML-escaped. */
#ifndef EVIRCD_STATUS_H
#define EVIRCD_STATUS_H

#include <stddef.h>
#include <time.h>

struct server;
struct evbuffer;

#define STATUS_SAMPLES	    60 /* one per minute: the last hour */
#define STATUS_SAMPLE_SECS  60
#define STATUS_TOP_CHANNELS 10

/* The clients-per-minute ring: samples[(next - count + i) % N], oldest first. */
struct status_ring {
	time_t when[STATUS_SAMPLES];
	unsigned clients[STATUS_SAMPLES];
	unsigned next, count;
};

/* status_ring_add: record clients at time when (overwrites the oldest). */
void status_ring_add(struct status_ring *r, time_t when, unsigned clients);
/* status_write: append the page for srv to out, ring r for the chart. */
void status_write(struct server *srv, const struct status_ring *r, struct evbuffer *out);
/* status_html_escape: append s to out with & < > " ' escaped. */
void status_html_escape(struct evbuffer *out, const char *s);

#endif
