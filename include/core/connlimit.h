/* connlimit.h - connection classes (InspIRCd-style connect blocks matched by
 * address), per-IP and per-CIDR connection limits, and a connect throttle
 * per address. Checked once per accepted connection, O(1) hash lookups. */
#ifndef EVIRCD_CONNLIMIT_H
#define EVIRCD_CONNLIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <uthash.h>

struct server;
struct client;

/* One network in CIDR form; addresses are kept as 16-byte IPv6 (IPv4 as
 * ::ffff:a.b.c.d, its prefix length + 96). */
struct cidr {
	unsigned char addr[16];
	unsigned plen; /* 0..128 */
};

/* One [class] section. Owned by struct config (strings and arrays). */
struct conn_class {
	char *name; /* owned */
	struct cidr *match; /* owned array; first class that matches wins */
	size_t nmatch;
	unsigned max_per_ip; /* 0 = unlimited */
	unsigned max_per_cidr; /* 0 = unlimited */
	unsigned cidr_v4; /* prefix for per-CIDR counting, IPv4 (bits) */
	unsigned cidr_v6; /* prefix for per-CIDR counting, IPv6 (bits) */
	unsigned throttle_count; /* connects allowed per throttle_period; 0 = off */
	unsigned throttle_period; /* s */
	size_t sendq, recvq; /* bytes; 0 = the [limits] value */
};

/* Counters per address (plen 128) or per network (smaller plen). */
struct ip_entry {
	unsigned char key[17]; /* 16 address bytes + prefix length */
	unsigned conns; /* connected now */
	unsigned window_count; /* connects in the current throttle window */
	time_t window_start;
	UT_hash_handle hh;
};

/* cidr_parse: "a.b.c.d[/n]" or "x::y[/n]" into out. false if malformed. */
bool cidr_parse(const char *text, struct cidr *out);
/* cidr_format: the canonical text of net into buf (size bytes): inet_ntop
 * of the network address (host bits cleared; an IPv4-mapped one as
 * a.b.c.d), "/n" unless a single address, and a leading '0' when it would
 * start with ':' (so it can be a middle parameter, like client hosts). So
 * "::1", "0::1", "0:0::1" and "::0001" all give "0::1", "::ffff:1.2.3.4"
 * gives "1.2.3.4", "2001:DB8::/32" gives "2001:db8::/32". false if it
 * does not fit. */
bool cidr_format(const struct cidr *net, char *buf, size_t size);
/* cidr_contains: does net contain the 16-byte address addr? */
bool cidr_contains(const struct cidr *net, const unsigned char addr[16]);
/* sockaddr_to16: the 16-byte form of an AF_INET/AF_INET6 address. */
void sockaddr_to16(const struct sockaddr *sa, unsigned char out[16]);
/* connlimit_class_for: the first class matching addr, or NULL when none. */
const struct conn_class *connlimit_class_for(const struct server *srv,
    const unsigned char addr[16]);
/* connlimit_admit: apply c's class: the throttle, per-IP and per-CIDR limits.
 * Returns NULL when admitted (and counts c), else the reason to close it
 * with. Also sets c->sendq/c->recvq from the class. */
const char *connlimit_admit(struct server *srv, struct client *c);
/* connlimit_release: undo the counting of connlimit_admit (idempotent). */
void connlimit_release(struct server *srv, struct client *c);
/* connlimit_sweep: drop idle counters whose throttle window has passed. */
void connlimit_sweep(struct server *srv);
/* connlimit_free: free every counter. */
void connlimit_free(struct server *srv);

#endif
