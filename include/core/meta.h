/* meta.h - IRCv3 metadata storage: the key/value pairs of a user or a
 * channel, and a client's key subscriptions (the METADATA command is
 * cmd/metadata.c; docs/METADATA.md). A short list per owner, bounded by
 * [metadata] max_keys / max_subs, so every operation is O(that bound). */
#ifndef EVIRCD_META_H
#define EVIRCD_META_H

#include <stdbool.h>
#include <stddef.h>

/* Longest key accepted, bytes (the draft sets none; Ergo and InspIRCd's
 * module also stop at 64 or so: a key and its value fit one line). */
#define META_KEY_MAX  64
/* Longest key + value, bytes: a pair fits one RPL_KEYVALUE line (Ergo's
 * maxCombinedMetadataLenBytes). */
#define META_PAIR_MAX 350

/* One pair. Owned by its list; key is lower case (keys are
 * case-insensitive, draft "Keys and Values"). */
struct meta_entry {
	struct meta_entry *next;
	size_t vlen;
	char key[META_KEY_MAX + 1];
	char value[]; /* NUL-terminated, vlen bytes */
};

/* meta_key_fold: check key (draft/metadata-3 "Keys and Values": A-Z a-z
 * 0-9 _ . : - and, as Ergo allows, '/'; not starting with ':'; 1 to
 * META_KEY_MAX bytes) and write it in lower case into out (META_KEY_MAX + 1
 * bytes). False when it is not a valid key. */
bool meta_key_fold(const char *key, char *out);
/* meta_get: the entry for key (folded) in list, or NULL. */
const struct meta_entry *meta_get(const struct meta_entry *list, const char *key);
/* meta_count: entries in list. */
unsigned meta_count(const struct meta_entry *list);
/* meta_set: set key (folded) to value (len bytes) in *list, appended when
 * new. Returns 0 when set, -1 when the key is new and the list already
 * holds max entries (nothing changed), -2 on out-of-memory. */
int meta_set(struct meta_entry **list, const char *key, const char *value, size_t len,
    unsigned max);
/* meta_del: remove key (folded) from *list. True when it was there. */
bool meta_del(struct meta_entry **list, const char *key);
/* meta_free: free every entry of *list; *list becomes NULL. */
void meta_free(struct meta_entry **list);

#endif
