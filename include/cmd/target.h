/* target.h - comma-separated target lists of one command: splitting,
 * merging duplicates after casefolding, and the TARGMAX limit (RFC 2812
 * §3.2/§3.3; Modern IRC ISUPPORT "TARGMAX"). */
#ifndef EVIRCD_TARGET_H
#define EVIRCD_TARGET_H

#include <stdbool.h>
#include <stdint.h>

struct client;

/* More distinct items than a 512-byte line can carry ("a,b,..." is 2 bytes
 * an item). */
#define TARGETS_MAX 256

/* The distinct items returned so far for one command. On the stack of the
 * handler (about 3 KiB); the items point into the message being handled. */
struct targets {
	unsigned n; /* distinct items so far */
	uint8_t casemapping; /* enum casemapping */
	const char *item[TARGETS_MAX];
	uint32_t hash[TARGETS_MAX]; /* of the casefolded item */
};

/* targets_init: an empty set comparing under c's server casemapping. */
void targets_init(struct targets *t, const struct client *c);
/* targets_add: record item; false when an earlier item equals it after
 * casefolding (or the set is full), true when it is new. O(n) integer
 * compares, n <= TARGETS_MAX. */
bool targets_add(struct targets *t, const char *item);
/* targets_next: the next non-empty item of the comma list at *cursor
 * (split in place) that is not a duplicate of an earlier one; NULL at the
 * end. limit > 0 is the TARGMAX of the command: once limit items were
 * returned, the next distinct item is answered with ERR_TOOMANYTARGETS
 * (407) to c unless quiet (NOTICE), and NULL ends the loop. 0: no limit. */
char *targets_next(struct targets *t, char **cursor, unsigned limit, struct client *c, bool quiet);
/* list_next: the next item of a comma list split in place, empty items
 * included ("a,,b" gives "a", "", "b"); NULL at the end. For positional
 * lists where item i belongs to item i of another list (JOIN keys, KICK
 * channel/user pairs; RFC 2812 §3.2.1, §3.2.8). */
char *list_next(char **cursor);

#endif
