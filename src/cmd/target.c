/* target.c - comma-separated target lists (see cmd/target.h). */
#include <string.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/server.h"
#include "cmd/target.h"
#include "proto/numeric.h"
#include "proto/reply.h"
#include "net/output.h"

void
targets_init(struct targets *t, const struct client *c)
{
	t->n = 0;
	t->casemapping = (uint8_t)c->srv->cfg->casemapping;
}

/* fold_hash: FNV-1a of the casefolded bytes. */
static uint32_t
fold_hash(enum casemapping cm, const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= casemap_lower(cm, (unsigned char)*s);
		h *= 16777619u;
	}
	return h;
}

bool
targets_add(struct targets *t, const char *item)
{
	uint32_t h = fold_hash(t->casemapping, item);
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (t->hash[i] == h && casemap_cmp(t->casemapping, t->item[i], item) == 0)
			return false;
	if (t->n == TARGETS_MAX)
		return false;
	t->item[t->n] = item;
	t->hash[t->n++] = h;
	return true;
}

char *
list_next(char **cursor)
{
	char *s = *cursor, *comma;

	if (s == NULL)
		return NULL;
	comma = strchr(s, ',');
	if (comma != NULL) {
		*comma = '\0';
		*cursor = comma + 1;
	} else
		*cursor = NULL;
	return s;
}

/* targets_next: a duplicate target is answered once (RFC 2812 §3.3.1 gives
 * 407 for duplicate recipients; we merge them silently like Solanum's
 * PRIVMSG, which skips a target already in its list), so "PRIVMSG
 * #c,#c,#c" delivers one copy and "NAMES #a,#a" answers once. Past the
 * advertised TARGMAX the first extra target gets ERR_TOOMANYTARGETS and
 * the rest of the list is ignored (RFC 2812 §5 ERR_TOOMANYTARGETS "too many
 * recipients"; Modern IRC ISUPPORT TARGMAX). */
char *
targets_next(struct targets *t, char **cursor, unsigned limit, struct client *c, bool quiet)
{
	char *s;

	while ((s = list_next(cursor)) != NULL) {
		if (*s == '\0')
			continue; /* "a,,b": an empty target names nothing */
		if (limit > 0 && t->n >= limit) {
			uint32_t h = fold_hash(t->casemapping, s);
			unsigned i;
			bool dup = false;
			for (i = 0; i < t->n && !dup; i++)
				dup = t->hash[i] == h &&
				    casemap_cmp(t->casemapping, t->item[i], s) == 0;
			if (dup)
				continue;
			if (!quiet)
				numeric(c, ERR_TOOMANYTARGETS, s);
			*cursor = NULL;
			return NULL;
		}
		if (targets_add(t, s))
			return s;
	}
	return NULL;
}
