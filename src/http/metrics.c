/* metrics.c - /metrics in the Prometheus text format (version 0.0.4) and
 * the metrics subscriber of the event bus. The counters are kept where
 * the events happen (struct server_stats: one increment each, see
 * core/server.h); this file only reads them when scraped. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "core/client.h"
#include "core/event.h"
#include "core/log.h"
#include "core/server.h"
#include "cmd/command.h"
#include "http/metrics.h"

/* on_registered: the registration time histogram (accept to 001..MOTD). */
static void
on_registered(struct server *srv, const struct event_registered *ev)
{
	if (ev->client->flags & CF_REMOTE)
		return; /* registered on another server */
	stat_hist_observe(&srv->stats.registration, (double)ev->reg_ms / 1000.0);
}

/* metrics_subscribe: see metrics.h. */
int
metrics_subscribe(struct server *srv)
{
	return event_subscribe_registered(srv, on_registered);
}

/* head: the HELP and TYPE lines of one metric family. */
static void
head(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
gauge(struct evbuffer *out, const char *name, const char *help, uint64_t v)
{
	head(out, name, "gauge", help);
	evbuffer_add_printf(out, "%s %" PRIu64 "\n", name, v);
}

static void
counter(struct evbuffer *out, const char *name, const char *help, uint64_t v)
{
	head(out, name, "counter", help);
	evbuffer_add_printf(out, "%s %" PRIu64 "\n", name, v);
}

/* histogram: cumulative buckets, +Inf, _sum and _count. */
static void
histogram(struct evbuffer *out, const char *name, const char *help, const struct stat_hist *h)
{
	uint64_t cum = 0;
	int i;

	head(out, name, "histogram", help);
	for (i = 0; i < STAT_HIST_BUCKETS; i++) {
		cum += h->bucket[i];
		evbuffer_add_printf(out, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name,
		    stat_hist_bounds[i], cum);
	}
	evbuffer_add_printf(out, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, h->count);
	evbuffer_add_printf(out, "%s_sum %.6f\n", name, h->sum);
	evbuffer_add_printf(out, "%s_count %" PRIu64 "\n", name, h->count);
}

/* rss_bytes: resident set size from /proc/self/statm (a procfs read, no
 * disk), 0 when unavailable. */
static uint64_t
rss_bytes(void)
{
	unsigned long size, resident;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (f == NULL)
		return 0;
	n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	if (n != 2 || page <= 0)
		return 0;
	return (uint64_t)resident * (uint64_t)page;
}

/* metrics_write: see metrics.h. */
void
metrics_write(struct server *srv, struct evbuffer *out)
{
	const struct server_stats *st = &srv->stats;
	const struct client *c;
	uint64_t tls = 0;
	size_t i;

	TAILQ_FOREACH(c, &srv->clients, link)
		if ((c->flags & (CF_TLS | CF_SERVER)) == CF_TLS)
			tls++;
	gauge(out, "evircd_clients", "Local client connections, registered or not.", st->clients);
	gauge(out, "evircd_clients_registered", "Local clients that completed registration.",
	    st->users);
	gauge(out, "evircd_clients_unregistered", "Local connections not registered yet.",
	    st->unknown);
	gauge(out, "evircd_clients_tls", "Local client connections over TLS.", tls);
	gauge(out, "evircd_clients_max", "Most registered clients seen at once since start.",
	    st->max_users);
	gauge(out, "evircd_channels", "Channels that exist.", st->channels);
	gauge(out, "evircd_opers", "Clients with user mode +o.", st->opers);
	gauge(out, "evircd_links", "Servers directly linked to this one.", st->links);
	gauge(out, "evircd_servers", "Other servers of the network.", st->servers);
	gauge(out, "evircd_remote_users", "Registered users on other servers.", st->remote_users);
	counter(out, "evircd_connections_total", "Client connections accepted.", st->connections);
	counter(out, "evircd_received_lines_total", "IRC lines received from clients.",
	    st->lines_in);
	counter(out, "evircd_received_bytes_total", "Bytes of IRC lines received from clients.",
	    st->bytes_in);
	counter(out, "evircd_sent_lines_total", "IRC lines queued to clients.", st->lines_out);
	counter(out, "evircd_sent_bytes_total", "Bytes queued to clients, tags included.",
	    st->bytes_out);

	head(out, "evircd_commands_total", "counter", "Commands received, by command name.");
	for (i = 0; i < command_count; i++)
		evbuffer_add_printf(out, "evircd_commands_total{command=\"%s\"} %lu\n",
		    command_table[i].name, srv->cmd_count[i]);
	head(out, "evircd_numerics_sent_total", "counter",
	    "Numeric replies sent, by class (the hundreds of the numeric).");
	for (i = 0; i < 10; i++)
		evbuffer_add_printf(out,
		    "evircd_numerics_sent_total{class=\"%zuxx\"} %" PRIu64 "\n", i,
		    st->numerics[i]);

	counter(out, "evircd_sendq_exceeded_total", "Clients closed for SendQ exceeded.",
	    st->sendq_closes);
	counter(out, "evircd_excess_flood_total", "Clients closed for Excess Flood.",
	    st->flood_closes);
	counter(out, "evircd_fakelag_delays_total",
	    "Times a client's input was paused by fakelag (RFC 1459 section 8.10).",
	    st->fakelag_delays);
	head(out, "evircd_ban_hits_total", "counter",
	    "Connections refused or closed by a server ban, by kind.");
	evbuffer_add_printf(out, "evircd_ban_hits_total{kind=\"kline\"} %" PRIu64 "\n",
	    st->kline_hits);
	evbuffer_add_printf(out, "evircd_ban_hits_total{kind=\"dline\"} %" PRIu64 "\n",
	    st->dline_hits);
	counter(out, "evircd_http_rejected_total",
	    "HTTP connections answered 503 past [http] max_connections.", st->http_rejected);
	counter(out, "evircd_log_lines_dropped_total",
	    "Log lines dropped because the log output (stderr or syslog) was not taking them.",
	    log_dropped_total());

	histogram(out, "evircd_registration_duration_seconds",
	    "Time from accept to the end of registration.", &st->registration);
	histogram(out, "evircd_loop_turn_duration_seconds",
	    "Time spent in the callbacks of one event loop turn that queued output.",
	    &st->loop_turn);

	gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", rss_bytes());
	gauge(out, "process_start_time_seconds", "Start time of the process since the Unix epoch.",
	    (uint64_t)(srv->started - srv->now_offset));
}
