/* status.c - the status page at / : HTML and CSS only (no script, no
 * external resource), every name escaped. It shows counts and channel
 * names of public channels, never a client's address or a message. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <uthash.h>
#include <event2/buffer.h>

#include "core/channel.h"
#include "core/netserver.h"
#include "core/server.h"
#include "http/status.h"

/* status_ring_add: see status.h. */
void
status_ring_add(struct status_ring *r, time_t when, unsigned clients)
{
	r->when[r->next] = when;
	r->clients[r->next] = clients;
	r->next = (r->next + 1) % STATUS_SAMPLES;
	if (r->count < STATUS_SAMPLES)
		r->count++;
}

/* status_html_escape: see status.h. */
void
status_html_escape(struct evbuffer *out, const char *s)
{
	const char *p, *rep;

	for (p = s; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		evbuffer_add(out, s, (size_t)(p - s));
		evbuffer_add(out, rep, strlen(rep));
		s = p + 1;
	}
	evbuffer_add(out, s, (size_t)(p - s));
}

static void
duration(char *buf, size_t size, time_t secs)
{
	long d = (long)(secs / 86400), h = (long)(secs % 86400 / 3600),
	     m = (long)(secs % 3600 / 60), s = (long)(secs % 60);

	if (d > 0)
		snprintf(buf, size, "%ldd %ldh %ldm", d, h, m);
	else if (h > 0)
		snprintf(buf, size, "%ldh %ldm", h, m);
	else
		snprintf(buf, size, "%ldm %lds", m, s);
}

/* chart: the ring plus the current count as an SVG polyline over the last
 * hour (x: minutes ago, right = now; y: clients, scaled to the maximum). */
static void
chart(struct evbuffer *out, const struct status_ring *r, time_t now, unsigned current)
{
	const int w = 600, hgt = 120, pad = 4;
	unsigned maxv = current, i, k;
	double x, y;

	for (i = 0; i < r->count; i++) {
		k = (r->next + STATUS_SAMPLES - r->count + i) % STATUS_SAMPLES;
		if (r->clients[k] > maxv)
			maxv = r->clients[k];
	}
	if (maxv == 0)
		maxv = 1;
	evbuffer_add_printf(out,
	    "<svg id=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-label=\"clients over the last hour, now %u\">\n"
	    "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" class=\"bg\"/>\n"
	    "<text x=\"%d\" y=\"14\" class=\"axis\">%u</text>"
	    "<text x=\"%d\" y=\"%d\" class=\"axis\">0</text>"
	    "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"end\">now</text>"
	    "<text x=\"%d\" y=\"%d\" class=\"axis\">-60 min</text>\n"
	    "<polyline class=\"line\" points=\"",
	    w, hgt, w, hgt, current, w, hgt, pad, maxv, pad, hgt - pad, w - pad, hgt - pad,
	    pad + 20, hgt - pad);
	for (i = 0; i <= r->count; i++) {
		time_t when;
		unsigned v;
		if (i < r->count) {
			k = (r->next + STATUS_SAMPLES - r->count + i) % STATUS_SAMPLES;
			when = r->when[k];
			v = r->clients[k];
		} else {
			when = now;
			v = current;
		}
		if (now - when > 3600)
			continue;
		x = (double)w - (double)(now - when) * (double)w / 3600.0;
		y = (double)(hgt - pad) - (double)v * (double)(hgt - 2 * pad - 14) / (double)maxv;
		evbuffer_add_printf(out, "%.1f,%.1f ", x, y);
	}
	evbuffer_add_printf(out, "\"/>\n</svg>\n");
}

/* top_channels: the STATUS_TOP_CHANNELS channels with the most members
 * (one pass, insertion into a small sorted array). */
static size_t
top_channels(struct server *srv, struct channel **top)
{
	struct channel *ch, *tmp;
	size_t n = 0, j;

	HASH_ITER(hh, srv->channels, ch, tmp) {
		if (n == STATUS_TOP_CHANNELS && ch->nmembers <= top[n - 1]->nmembers)
			continue;
		j = n < STATUS_TOP_CHANNELS ? n++ : n - 1;
		while (j > 0 && top[j - 1]->nmembers < ch->nmembers) {
			top[j] = top[j - 1];
			j--;
		}
		top[j] = ch;
	}
	return n;
}

/* links: the directly linked servers (as LINKS shows them to anyone). */
static void
links(struct server *srv, struct evbuffer *out)
{
	struct netserver *ns, *tmp;
	bool any = false;

	HASH_ITER(hh, srv->servers, ns, tmp) {
		if (ns->hops != 1)
			continue;
		if (!any)
			evbuffer_add_printf(out,
			    "<table id=\"links\">\n<tr><th>Server</th>"
			    "<th>Users</th></tr>\n");
		any = true;
		evbuffer_add_printf(out, "<tr><td>");
		status_html_escape(out, ns->name);
		evbuffer_add_printf(out, "</td><td class=\"n\">%u</td></tr>\n", ns->users);
	}
	if (any)
		evbuffer_add_printf(out, "</table>\n");
	else
		evbuffer_add_printf(out, "<p id=\"nolinks\">No server links.</p>\n");
}

static const char style[] =
    "body{font:15px/1.4 system-ui,sans-serif;margin:2em auto;max-width:44em;color:#222;"
    "background:#fafafa;padding:0 1em}"
    "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.1em;margin-top:1.6em}"
    ".sub{color:#666;margin-top:0}"
    "table{border-collapse:collapse;min-width:20em}"
    "td,th{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".bg{fill:#fff;stroke:#ccc}.line{fill:none;stroke:#2a6fdb;stroke-width:2}"
    ".axis{font-size:11px;fill:#888}.hidden{color:#888;font-style:italic}"
    "footer{margin-top:2em;color:#888;font-size:.85em}";

static void
row(struct evbuffer *out, const char *id, const char *label, uint64_t v)
{
	evbuffer_add_printf(out, "<tr><th>%s</th><td class=\"n\" id=\"%s\">%" PRIu64 "</td></tr>\n",
	    label, id, v);
}

/* status_write: see status.h. */
void
status_write(struct server *srv, const struct status_ring *r, struct evbuffer *out)
{
	const struct server_stats *st = &srv->stats;
	struct channel *top[STATUS_TOP_CHANNELS];
	char up[64], started[64];
	struct tm tm;
	time_t start = srv->started - srv->now_offset;
	size_t n, i;

	duration(up, sizeof(up), srv->now - srv->started);
	gmtime_r(&start, &tm);
	strftime(started, sizeof(started), "%Y-%m-%d %H:%M:%S UTC", &tm);
	evbuffer_add_printf(out,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\"><title>");
	status_html_escape(out, srv->cfg->name);
	evbuffer_add_printf(out, " status</title><style>%s</style></head>\n<body>\n<h1>", style);
	status_html_escape(out, srv->cfg->name);
	evbuffer_add_printf(out, "</h1>\n<p class=\"sub\">");
	status_html_escape(out, srv->cfg->network);
	evbuffer_add_printf(out, " &middot; ");
	status_html_escape(out, srv->cfg->description);
	evbuffer_add_printf(out,
	    "</p>\n<table>\n<tr><th>Uptime</th><td class=\"n\" id=\"uptime\" "
	    "data-seconds=\"%lld\">%s</td></tr>\n<tr><th>Started</th><td "
	    "class=\"n\">%s</td></tr>\n",
	    (long long)(srv->now - srv->started), up, started);
	row(out, "clients", "Clients", st->clients);
	row(out, "users", "Registered", st->users);
	row(out, "unregistered", "Unregistered", st->unknown);
	row(out, "channels", "Channels", st->channels);
	row(out, "opers", "Operators", st->opers);
	row(out, "links", "Links", st->links);
	row(out, "remote", "Users elsewhere", st->remote_users);
	evbuffer_add_printf(out, "</table>\n<h2>Clients over the last hour</h2>\n");
	chart(out, r, srv->now, st->clients);

	evbuffer_add_printf(out, "<h2>Busiest channels</h2>\n");
	n = top_channels(srv, top);
	if (n == 0)
		evbuffer_add_printf(out, "<p id=\"nochannels\">No channels.</p>\n");
	else {
		evbuffer_add_printf(out,
		    "<table id=\"top\">\n<tr><th>Channel</th><th>Users</th></tr>\n");
		for (i = 0; i < n; i++) {
			evbuffer_add_printf(out, "<tr><td>");
			/* RFC 2811 §4.2.6: +p and +s channels are not shown
			 * to outsiders (LIST, WHOIS); here nobody is inside */
			if (top[i]->modes & (CMODE_SECRET | CMODE_PRIVATE))
				evbuffer_add_printf(out, "<span class=\"hidden\">(hidden)</span>");
			else
				status_html_escape(out, top[i]->name);
			evbuffer_add_printf(out, "</td><td class=\"n\">%u</td></tr>\n",
			    top[i]->nmembers);
		}
		evbuffer_add_printf(out, "</table>\n");
	}
	evbuffer_add_printf(out, "<h2>Links</h2>\n");
	links(srv, out);
	evbuffer_add_printf(out,
	    "<footer>evircd &middot; <a href=\"/metrics\">metrics</a></footer>\n</body></html>\n");
}
