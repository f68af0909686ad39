/* kline.h - server bans: K-lines (user@host masks, checked at registration)
 * and D-lines (IP/CIDR, checked at accept), kept in [security] bans_file so
 * they survive a restart. Operator commands KLINE/UNKLINE/DLINE/UNDLINE. */
#ifndef EVIRCD_KLINE_H
#define EVIRCD_KLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/connlimit.h"

struct server;
struct client;

/* K-line (user@host, at registration) or D-line (address/CIDR, at accept);
 * the letter is the one in STATS, the bans file and EVENT_BAN. */
enum kline_kind { KLINE_K = 'K', KLINE_D = 'D' };

/* The longest temporary K/D-line, in minutes: 52 weeks, as Solanum's
 * valid_temp_time (s_newconf.c) clamps it. Longer durations are clamped. */
#define KLINE_MAX_MINUTES (52LL * 7 * 24 * 60)

/* One ban; strings owned. expires = 0 means permanent. */
struct kline {
	struct kline *next;
	char kind; /* enum kline_kind */
	char *mask; /* K: user@host glob; D: address or CIDR */
	char *reason;
	char *setter;
	time_t set_at, expires;
	struct cidr net; /* D: the network; K: the host part when host_ip */
	bool host_ip; /* K: the host part is an address or CIDR,
					 * matched on address bytes, not as text */
};

/* kline_add: add (or replace) a ban (it becomes srv->klines, the head of
 * the list) and save the file. 0, or -1 with err filled when the mask is
 * malformed; 0 with err filled when the file could not be written.
 * duration in seconds, 0 = permanent. Disconnecting the clients it covers
 * is the caller's (cmd_oper.c). */
int kline_add(struct server *srv, char kind, const char *mask, time_t duration, const char *reason,
    const char *setter, char *err, size_t errlen);
/* kline_matches: does the single ban k cover c? */
bool kline_matches(const struct server *srv, const struct kline *k, const struct client *c);
/* kline_remove: remove a ban by mask (case-insensitive, addresses compared
 * in canonical form, see cidr_format); saves the file. true when one was
 * removed. */
bool kline_remove(struct server *srv, char kind, const char *mask);
/* kline_find_dline: the D-line covering c's address, or NULL. */
const struct kline *kline_find_dline(struct server *srv, const struct client *c);
/* kline_find_kline: the K-line matching c's user@host, or NULL. */
const struct kline *kline_find_kline(struct server *srv, const struct client *c);
/* kline_load: read srv->cfg->bans_file (a missing file is an empty list).
 * 0, or -1 with a logged reason. Replaces the in-memory list. */
int kline_load(struct server *srv);
/* kline_save: write the list atomically (temp file + rename). 0 or -1. */
int kline_save(struct server *srv);
/* kline_free_all: free the in-memory list. */
void kline_free_all(struct server *srv);

#endif
