/* kline.c - K-lines and D-lines, persisted one per line:
 *   KIND <TAB> expires <TAB> set_at <TAB> setter <TAB> mask <TAB> reason */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/client.h"
#include "core/kline.h"
#include "core/log.h"
#include "core/number.h"
#include "core/server.h"

static void
kline_free(struct kline *k)
{
	free(k->mask);
	free(k->reason);
	free(k->setter);
	free(k);
}

void
kline_free_all(struct server *srv)
{
	struct kline *k, *next;

	for (k = srv->klines; k != NULL; k = next) {
		next = k->next;
		kline_free(k);
	}
	srv->klines = NULL;
}

static bool
expired(const struct server *srv, const struct kline *k)
{
	return k->expires != 0 && k->expires <= srv->now;
}

/* clean_dup: a copy of s with no TAB, CR, LF, cut to max bytes on a UTF-8
 * boundary (issue 9 item 12): a multi-byte character that the cut would
 * split is left out whole, the rule of proto/reply.c utf8_cut (core does
 * not include proto). */
static char *
clean_dup(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1), i, need;
	char *d, *p;

	if (n > max) {
		n = max;
		/* back over continuation bytes (10xxxxxx) to the lead byte */
		for (i = n; i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80; i--)
			;
		if (i > 0 && (unsigned char)s[i - 1] >= 0xC0) {
			unsigned char lead = (unsigned char)s[i - 1];
			need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
			if (n - (i - 1) < need)
				n = i - 1; /* the sequence was cut short */
		}
	}
	d = strndup(s, n);
	if (d == NULL)
		fatal("strndup");
	for (p = d; *p; p++)
		if (*p == '\t' || *p == '\r' || *p == '\n')
			*p = ' ';
	return d;
}

/* canon_mask: check mask and write its canonical form into out (size
 * bytes). An address, in a D-line or as the host part of a K-line, is
 * parsed and rewritten by cidr_format, so "::1", "0::1", "0:0::1",
 * "::FFFF:127.0.0.1" and "127.0.0.1" are each one spelling of one ban,
 * and it is matched on address bytes (issue 9: textual compares missed
 * "0::1" against "::1"). Solanum matches K-line hosts that are addresses
 * or CIDRs by address too (match_ips / comp_with_mask). false when
 * malformed. */
static bool
canon_mask(char kind, const char *mask, char *out, size_t size, struct cidr *net, bool *host_ip)
{
	const char *at;
	char text[64];

	*host_ip = false;
	if (kind == KLINE_D) {
		if (!cidr_parse(mask, net) || !cidr_format(net, text, sizeof(text)))
			return false;
		snprintf(out, size, "%s", text);
		return true;
	}
	at = strchr(mask, '@');
	if (at == NULL || at == mask || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    strchr(mask, ' ') != NULL || strlen(mask) >= 200 || strlen(mask) >= size)
		return false;
	if (cidr_parse(at + 1, net) && cidr_format(net, text, sizeof(text))) {
		*host_ip = true;
		snprintf(out, size, "%.*s@%s", (int)(at - mask), mask, text);
	} else
		snprintf(out, size, "%s", mask);
	return true;
}

/* kline_matches: see kline.h. */
bool
kline_matches(const struct server *srv, const struct kline *k, const struct client *c)
{
	char uh[160], user[USERLEN + 2];
	unsigned char addr[16];
	size_t ulen;

	if (k->kind == KLINE_D || k->host_ip) {
		sockaddr_to16((const struct sockaddr *)&c->addr, addr);
		if (!cidr_contains(&k->net, addr))
			return false;
		if (k->kind == KLINE_D)
			return true;
		ulen = (size_t)(strchr(k->mask, '@') - k->mask);
		snprintf(uh, sizeof(uh), "%.*s", (int)ulen, k->mask);
		snprintf(user, sizeof(user), "%s", c->user);
		return casemap_match(CASEMAP_ASCII, uh, user) ||
		    (user[0] == '~' && casemap_match(CASEMAP_ASCII, uh, user + 1));
	}
	snprintf(uh, sizeof(uh), "%s@%s", c->user, c->host);
	if (casemap_match(CASEMAP_ASCII, k->mask, uh))
		return true;
	/* a mask written without the '~' of unidented users still matches */
	snprintf(uh, sizeof(uh), "%s@%s", c->user[0] == '~' ? c->user + 1 : c->user, c->host);
	return casemap_match(CASEMAP_ASCII, k->mask, uh);
}

static const struct kline *
find(struct server *srv, char kind, const struct client *c)
{
	const struct kline *k;

	for (k = srv->klines; k != NULL; k = k->next)
		if (k->kind == kind && !expired(srv, k) && kline_matches(srv, k, c))
			return k;
	return NULL;
}

const struct kline *
kline_find_dline(struct server *srv, const struct client *c)
{
	return find(srv, KLINE_D, c);
}

const struct kline *
kline_find_kline(struct server *srv, const struct client *c)
{
	return find(srv, KLINE_K, c);
}

static void
insert(struct server *srv, char kind, const char *mask, time_t set_at, time_t expires,
    const char *setter, const char *reason, const struct cidr *net, bool host_ip)
{
	struct kline *k = calloc(1, sizeof(*k));

	if (k == NULL)
		fatal("calloc");
	k->kind = kind;
	k->mask = clean_dup(mask, 200);
	k->reason = clean_dup(reason, 300);
	k->setter = clean_dup(setter, 160);
	k->set_at = set_at;
	k->expires = expires;
	if (net != NULL)
		k->net = *net;
	k->host_ip = host_ip;
	k->next = srv->klines;
	srv->klines = k;
}

int
kline_add(struct server *srv, char kind, const char *mask, time_t duration, const char *reason,
    const char *setter, char *err, size_t errlen)
{
	struct cidr net;
	char canon[256];
	bool host_ip;

	memset(&net, 0, sizeof(net));
	if (!canon_mask(kind, mask, canon, sizeof(canon), &net, &host_ip)) {
		snprintf(err, errlen, "%s is not a valid %s mask", mask,
		    kind == KLINE_D ? "IP/CIDR" : "user@host");
		return -1;
	}
	kline_remove(srv, kind, canon);
	insert(srv, kind, canon, srv->now, duration > 0 ? srv->now + duration : 0, setter, reason,
	    &net, host_ip);
	if (kline_save(srv) != 0)
		snprintf(err, errlen, "saved in memory only: cannot write %s",
		    srv->cfg->bans_file ? srv->cfg->bans_file : "(no bans_file)");
	return 0;
}

bool
kline_remove(struct server *srv, char kind, const char *mask)
{
	struct kline **pp, *k;
	struct cidr net;
	char canon[256];
	bool host_ip;

	if (canon_mask(kind, mask, canon, sizeof(canon), &net, &host_ip))
		mask = canon;
	for (pp = &srv->klines; (k = *pp) != NULL; pp = &k->next) {
		if (k->kind != kind || strcasecmp(k->mask, mask) != 0)
			continue;
		*pp = k->next;
		kline_free(k);
		kline_save(srv);
		return true;
	}
	return false;
}

int
kline_save(struct server *srv)
{
	const char *path = srv->cfg->bans_file;
	char tmp[4096];
	struct kline *k;
	FILE *f;

	if (path == NULL)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		log_warn("cannot write %s", tmp);
		return -1;
	}
	for (k = srv->klines; k != NULL; k = k->next)
		if (!expired(srv, k))
			fprintf(f, "%c\t%lld\t%lld\t%s\t%s\t%s\n", k->kind, (long long)k->expires,
			    (long long)k->set_at, k->setter, k->mask, k->reason);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		log_warn("cannot write %s", tmp);
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		log_warn("cannot rename %s to %s", tmp, path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
kline_load(struct server *srv)
{
	const char *path = srv->cfg->bans_file;
	char line[1024], *fields[6], *p;
	FILE *f;
	int lineno = 0, n, loaded = 0;

	kline_free_all(srv);
	if (path == NULL)
		return 0;
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		log_warn("cannot read %s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct cidr net;
		long long expires, set_at;
		char canon[256];
		bool host_ip;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		for (n = 0, p = line; n < 6 && p != NULL; n++)
			fields[n] = strsep(&p, "\t");
		memset(&net, 0, sizeof(net));
		if (n != 6 || (fields[0][0] != KLINE_K && fields[0][0] != KLINE_D) ||
		    !canon_mask(fields[0][0], fields[4], canon, sizeof(canon), &net, &host_ip) ||
		    number_parse(fields[1], 0, LLONG_MAX, &expires) == NUMBER_INVALID ||
		    number_parse(fields[2], 0, LLONG_MAX, &set_at) == NUMBER_INVALID) {
			log_warnx("%s:%d: malformed ban line skipped", path, lineno);
			continue;
		}
		insert(srv, fields[0][0], canon, (time_t)set_at, (time_t)expires, fields[3],
		    fields[5], &net, host_ip);
		loaded++;
	}
	fclose(f);
	log_info("loaded %d bans from %s", loaded, path);
	return 0;
}
