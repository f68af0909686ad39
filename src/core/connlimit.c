/* connlimit.c - connection classes, per-IP/per-CIDR limits, connect throttle. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client.h"
#include "core/connlimit.h"
#include "core/log.h"
#include "core/number.h"
#include "core/server.h"

bool
cidr_parse(const char *text, struct cidr *out)
{
	char buf[64], *slash;
	struct in_addr a4;
	struct in6_addr a6;
	long plen = -1;
	bool v4;

	if (strlen(text) >= sizeof(buf))
		return false;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		long long v;
		*slash = '\0';
		if (number_parse(slash + 1, 0, 128, &v) != NUMBER_OK || slash[1] == '+' ||
		    slash[1] == '-')
			return false;
		plen = (long)v;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		v4 = true;
		out->addr[10] = out->addr[11] = 0xff;
		memcpy(&out->addr[12], &a4, 4);
		if (plen > 32)
			return false;
		out->plen = (unsigned)(plen < 0 ? 128 : plen + 96);
	} else if (inet_pton(AF_INET6, buf, &a6) == 1) {
		v4 = false;
		memcpy(out->addr, &a6, 16);
		if (plen > 128)
			return false;
		out->plen = (unsigned)(plen < 0 ? 128 : plen);
	} else
		return false;
	(void)v4;
	/* "0.0.0.0/0" must match every IPv4 address but not IPv6 ones:
	 * prefix 96 over ::ffff:0:0 does exactly that. */
	return true;
}

/* cidr_format: see connlimit.h. */
bool
cidr_format(const struct cidr *net, char *buf, size_t size)
{
	static const unsigned char v4pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];
	unsigned full = net->plen / 8, rem = net->plen % 8, plen = net->plen;
	bool v4 = plen >= 96 && memcmp(net->addr, v4pfx, 12) == 0;
	int n;

	memset(a, 0, sizeof(a));
	memcpy(a, net->addr, full);
	if (rem)
		a[full] = (unsigned char)(net->addr[full] & (0xff << (8 - rem)));
	if (v4) {
		if (inet_ntop(AF_INET, &a[12], text, sizeof(text)) == NULL)
			return false;
		plen -= 96;
	} else if (inet_ntop(AF_INET6, a, text, sizeof(text)) == NULL)
		return false;
	n = snprintf(buf, size, "%s%s", text[0] == ':' ? "0" : "", text);
	if (n > 0 && (size_t)n < size && plen != (v4 ? 32u : 128u))
		n += snprintf(buf + n, size - (size_t)n, "/%u", plen);
	return n > 0 && (size_t)n < size;
}

bool
cidr_contains(const struct cidr *net, const unsigned char addr[16])
{
	unsigned full = net->plen / 8, rem = net->plen % 8;

	if (memcmp(net->addr, addr, full) != 0)
		return false;
	if (rem == 0)
		return true;
	return ((net->addr[full] ^ addr[full]) & (0xff << (8 - rem))) == 0;
}

void
sockaddr_to16(const struct sockaddr *sa, unsigned char out[16])
{
	memset(out, 0, 16);
	if (sa->sa_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(&out[12], &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6)
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
}

const struct conn_class *
connlimit_class_for(const struct server *srv, const unsigned char addr[16])
{
	size_t i, j;

	for (i = 0; i < srv->cfg->nclasses; i++)
		for (j = 0; j < srv->cfg->classes[i].nmatch; j++)
			if (cidr_contains(&srv->cfg->classes[i].match[j], addr))
				return &srv->cfg->classes[i];
	return NULL;
}

static void
make_key(unsigned char key[17], const unsigned char addr[16], unsigned plen)
{
	unsigned full = plen / 8, rem = plen % 8;

	memset(key, 0, 17);
	memcpy(key, addr, full);
	if (rem)
		key[full] = (unsigned char)(addr[full] & (0xff << (8 - rem)));
	key[16] = (unsigned char)plen;
}

static struct ip_entry *
entry_get(struct server *srv, const unsigned char addr[16], unsigned plen, bool create)
{
	unsigned char key[17];
	struct ip_entry *e;

	make_key(key, addr, plen);
	HASH_FIND(hh, srv->ip_table, key, sizeof(key), e);
	if (e == NULL && create) {
		e = calloc(1, sizeof(*e));
		if (e == NULL)
			return NULL;
		memcpy(e->key, key, sizeof(key));
		HASH_ADD(hh, srv->ip_table, key, sizeof(e->key), e);
	}
	return e;
}

static bool
is_v4(const unsigned char a[16])
{
	static const unsigned char pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, pfx, 12) == 0;
}

static unsigned
net_plen(const struct conn_class *cls, const unsigned char addr[16])
{
	return is_v4(addr) ? 96 + cls->cidr_v4 : cls->cidr_v6;
}

const char *
connlimit_admit(struct server *srv, struct client *c)
{
	unsigned char addr[16];
	const struct conn_class *cls;
	struct ip_entry *ip, *net;
	unsigned plen;

	c->sendq = (uint32_t)srv->cfg->sendq;
	c->recvq = (uint32_t)srv->cfg->recvq;
	sockaddr_to16((const struct sockaddr *)&c->addr, addr);
	cls = connlimit_class_for(srv, addr);
	if (cls == NULL)
		return NULL; /* no class: only the global limits apply */
	if (cls->sendq)
		c->sendq = (uint32_t)cls->sendq;
	if (cls->recvq)
		c->recvq = (uint32_t)cls->recvq;
	if (cls->max_per_ip == 0 && cls->max_per_cidr == 0 && cls->throttle_count == 0)
		return NULL;
	/* With cidr_v4 = 32 or cidr_v6 = 128 the network is the address
	 * itself: one entry, counted once (issue 9 item 10: counting it as
	 * both halved max_per_ip). */
	plen = net_plen(cls, addr);
	ip = entry_get(srv, addr, 128, true);
	net = plen == 128 ? ip : entry_get(srv, addr, plen, true);
	if (ip == NULL || net == NULL)
		return "Server out of memory";
	if (cls->throttle_count > 0) {
		if (srv->now - ip->window_start >= (time_t)cls->throttle_period) {
			ip->window_start = srv->now;
			ip->window_count = 0;
		}
		if (++ip->window_count > cls->throttle_count)
			return "Connecting too fast; try again later";
	}
	if (cls->max_per_ip > 0 && ip->conns >= cls->max_per_ip)
		return "Too many connections from your IP";
	if (cls->max_per_cidr > 0 && net->conns >= cls->max_per_cidr)
		return "Too many connections from your network";
	ip->conns++;
	if (net != ip)
		net->conns++;
	c->counted_plen = (uint8_t)plen;
	c->flags |= CF_COUNTED;
	return NULL;
}

void
connlimit_release(struct server *srv, struct client *c)
{
	unsigned char addr[16];
	struct ip_entry *e;

	if (!(c->flags & CF_COUNTED))
		return;
	c->flags &= ~CF_COUNTED;
	sockaddr_to16((const struct sockaddr *)&c->addr, addr);
	if ((e = entry_get(srv, addr, 128, false)) != NULL && e->conns > 0)
		e->conns--;
	if (c->counted_plen != 128 && (e = entry_get(srv, addr, c->counted_plen, false)) != NULL &&
	    e->conns > 0)
		e->conns--;
}

/* connlimit_sweep: run from a periodic timer (not per event); an entry lives
 * while it counts a connection or its throttle window is open. */
void
connlimit_sweep(struct server *srv)
{
	struct ip_entry *e, *tmp;
	time_t period = 0;
	size_t i;

	for (i = 0; i < srv->cfg->nclasses; i++)
		if ((time_t)srv->cfg->classes[i].throttle_period > period)
			period = (time_t)srv->cfg->classes[i].throttle_period;
	HASH_ITER(hh, srv->ip_table, e, tmp) {
		if (e->conns == 0 && srv->now - e->window_start >= period) {
			HASH_DEL(srv->ip_table, e);
			free(e);
		}
	}
}

void
connlimit_free(struct server *srv)
{
	struct ip_entry *e, *tmp;

	HASH_ITER(hh, srv->ip_table, e, tmp) {
		HASH_DEL(srv->ip_table, e);
		free(e);
	}
}
