/* hist_bench.c - figures of the message history (store/history.c) for
 * docs/PERFORMANCE.md, measured on the code the server runs:
 *
 *   cache  CHATHISTORY LATEST <n> answered from the tail cache: the loop
 *          thread's time for hist_query plus writing the n lines with
 *          their tags into an output buffer (what cmd/history.c answer()
 *          does), per query
 *   disk   the same query with a cache too small to hold the target: the
 *          loop thread's time to hand it to the reader (hist_query), and
 *          the wall time until the answer is back on the loop
 *   size   the database file per million channel messages (typical line:
 *          prefix, PRIVMSG, a 60-byte text, msgid), after a checkpoint
 *
 *   build/tests/bench/hist-bench [--rows N] [--queries Q] [--limit L] [--dir DIR]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <sqlite3.h>

#include "store/history.h"
#include "store/store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* fill: rows channel messages over ntargets channels; the loop runs every
 * 500 rows so that the writes go in batches as in the server. */
static void
fill(struct hist *h, struct store *st, struct event_base *base, long rows, int ntargets, int64_t t0)
{
	char line[256], msgid[32], tags[48], key[16];
	long i;

	for (i = 0; i < rows; i++) {
		snprintf(key, sizeof(key), "#chan%d", (int)(i % ntargets));
		snprintf(msgid, sizeof(msgid), "6b14fd4ba5d-%lx", i);
		snprintf(tags, sizeof(tags), "msgid=%s", msgid);
		snprintf(line, sizeof(line),
		    ":user%ld!~user@192.0.2.%ld PRIVMSG %s :message number %ld of the benchmark, "
		    "sixty bytes",
		    i % 1000, i % 250, key, i);
		hist_append(h, key, t0 + i, 0, 0, msgid, NULL, "user", line, tags);
		if (i % 500 == 499)
			event_base_loop(base, EVLOOP_NONBLOCK);
		/* the writer keeps up with any real server; this loop is
		 * faster, so it waits now and then rather than have rows
		 * refused (HIST_WRITE_MAX) */
		if (st != NULL && i % 20000 == 19999) {
			event_base_loop(base, EVLOOP_NONBLOCK);
			store_sync(st);
		}
	}
}

/* format: the answer's lines into out, as cmd/history.c send_row does. */
static void
format(struct evbuffer *out, const struct hist_result *res)
{
	char buf[1024], ts[64];
	size_t i;

	for (i = 0; i < res->n; i++) {
		const struct hist_row *r = &res->rows[i];
		time_t s = (time_t)(r->time_ms / 1000);
		struct tm tm;
		int n;
		gmtime_r(&s, &tm);
		snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (int)(r->time_ms % 1000));
		n = snprintf(buf, sizeof(buf), "@batch=h1;time=%s;%s %s\r\n", ts, r->tags, r->line);
		evbuffer_add(out, buf, (size_t)n);
	}
}

struct wait {
	bool done;
	size_t n;
};

static void
on_done(void *arg, struct hist_result *res)
{
	struct wait *w = arg;

	w->done = true;
	w->n = res != NULL ? res->n : 0;
	hist_result_free(res);
}

int
main(int argc, char **argv)
{
	long rows = 1000000, queries = 2000;
	unsigned limit = 100;
	const char *dir = "/tmp";
	struct hist_conf conf = { 64u << 20, 0, 0 };
	struct event_base *base = event_base_new();
	struct evbuffer *out = evbuffer_new();
	struct hist_query q;
	struct hist_result *res;
	struct hist_job *job;
	struct hist *h;
	struct store *st;
	char path[256], err[512];
	double *lat, t, sum;
	struct stat sb;
	long i;
	int o;

	while ((o = getopt_long(argc, argv, "",
		    (struct option[]){ { "rows", 1, NULL, 'r' }, { "queries", 1, NULL, 'q' },
			{ "limit", 1, NULL, 'l' }, { "dir", 1, NULL, 'd' }, { 0 } },
		    NULL)) != -1) {
		if (o == 'r')
			rows = atol(optarg);
		else if (o == 'q')
			queries = atol(optarg);
		else if (o == 'l')
			limit = (unsigned)atoi(optarg);
		else if (o == 'd')
			dir = optarg;
		else
			return 2;
	}
	lat = calloc((size_t)queries, sizeof(*lat));

	/* cache: 10 000 lines of one channel in memory */
	h = hist_new(&conf, NULL, base, err, sizeof(err));
	fill(h, NULL, base, 10000, 1, 1700000000000);
	memset(&q, 0, sizeof(q));
	q.sel = HS_LATEST;
	snprintf(q.key, sizeof(q.key), "#chan0");
	q.limit = limit;
	for (i = 0; i < queries; i++) {
		t = now_s();
		if (hist_query(h, &q, &res, on_done, NULL, &job) != 1 || res->n != limit)
			return fprintf(stderr, "cache query failed\n"), 1;
		format(out, res);
		hist_result_free(res);
		lat[i] = now_s() - t;
		evbuffer_drain(out, evbuffer_get_length(out));
	}
	qsort(lat, (size_t)queries, sizeof(*lat), cmp_d);
	printf("cache: LATEST %u of 10000 lines, %ld queries: p50 %.1f us, p99 %.1f us (loop "
	       "time: query + %u formatted lines)\n",
	    limit, queries, lat[queries / 2] * 1e6, lat[queries * 99 / 100] * 1e6, limit);
	hist_free(h);

	/* disk and size: rows messages over 100 channels into a database */
	snprintf(path, sizeof(path), "%s/hist-bench-%d.db", dir, (int)getpid());
	if ((st = store_open(path, base, CASEMAP_RFC1459, err, sizeof(err))) == NULL)
		return fprintf(stderr, "%s\n", err), 1;
	conf.cache_bytes = 4096; /* every query misses */
	h = hist_new(&conf, st, base, err, sizeof(err));
	if (h == NULL)
		return fprintf(stderr, "%s\n", err), 1;
	t = now_s();
	fill(h, st, base, rows, 100, 1700000000000);
	event_base_loop(base, EVLOOP_NONBLOCK);
	store_sync(st);
	{
		struct hist_stats hs;
		hist_get_stats(h, &hs);
		if (hs.unwritten > 0)
			return fprintf(stderr, "%llu rows not written\n",
				   (unsigned long long)hs.unwritten),
			       1;
	}
	printf("fill: %ld rows in %.1f s (%.0f rows/s through the writer)\n", rows, now_s() - t,
	    rows / (now_s() - t));
	{
		double loop[200];
		int n = queries < 200 ? (int)queries : 200, k;
		for (k = 0; k < n; k++) {
			struct wait w = { false, 0 };
			double t1, t2;
			q.limit = limit;
			snprintf(q.key, sizeof(q.key), "#chan%d", k % 100);
			t1 = now_s();
			if (hist_query(h, &q, &res, on_done, &w, &job) != 0)
				return fprintf(stderr, "disk query not queued\n"), 1;
			t2 = now_s();
			loop[k] = t2 - t1;
			while (!w.done)
				event_base_loop(base, EVLOOP_ONCE);
			lat[k] = now_s() - t1;
			if (w.n != limit)
				return fprintf(stderr, "disk query: %zu lines\n", w.n), 1;
		}
		qsort(loop, (size_t)n, sizeof(*loop), cmp_d);
		qsort(lat, (size_t)n, sizeof(*lat), cmp_d);
		for (k = 0, sum = 0; k < n; k++)
			sum += loop[k];
		printf("disk: LATEST %u (cache 4 KiB), %d queries: loop time p50 %.1f us p99 %.1f "
		       "us; answer back on the loop after p50 %.2f ms p99 %.2f ms\n",
		    limit, n, loop[n / 2] * 1e6, loop[n * 99 / 100] * 1e6, lat[n / 2] * 1e3,
		    lat[n * 99 / 100] * 1e3);
	}
	hist_free(h);
	store_close(st);
	{
		sqlite3 *db;
		if (sqlite3_open(path, &db) == SQLITE_OK) {
			sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
			sqlite3_close(db);
		}
	}
	if (stat(path, &sb) == 0)
		printf("size: %ld rows -> %.1f MB file, %.1f MB per million messages (%.0f "
		       "bytes/row)\n",
		    rows, sb.st_size / 1e6, sb.st_size / 1e6 * 1e6 / rows,
		    (double)sb.st_size / rows);
	unlink(path);
	snprintf(err, sizeof(err), "%s-wal", path);
	unlink(err);
	snprintf(err, sizeof(err), "%s-shm", path);
	unlink(err);
	evbuffer_free(out);
	event_base_free(base);
	free(lat);
	return 0;
}
