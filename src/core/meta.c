/* meta.c - IRCv3 metadata key/value lists (core/meta.h). */
#include <stdlib.h>
#include <string.h>

#include "core/meta.h"

bool
meta_key_fold(const char *key, char *out)
{
	size_t i;

	if (key[0] == '\0' || key[0] == ':')
		return false;
	for (i = 0; key[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)key[i];

		if (i >= META_KEY_MAX)
			return false;
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
			     ch == '.' || ch == ':' || ch == '-' || ch == '/'))
			return false;
		out[i] = (char)ch;
	}
	out[i] = '\0';
	return true;
}

const struct meta_entry *
meta_get(const struct meta_entry *list, const char *key)
{
	for (; list != NULL; list = list->next)
		if (strcmp(list->key, key) == 0)
			return list;
	return NULL;
}

unsigned
meta_count(const struct meta_entry *list)
{
	unsigned n = 0;

	for (; list != NULL; list = list->next)
		n++;
	return n;
}

int
meta_set(struct meta_entry **list, const char *key, const char *value, size_t len, unsigned max)
{
	struct meta_entry **pp, *e, *ne;
	unsigned n = 0;

	for (pp = list; (e = *pp) != NULL; pp = &e->next, n++)
		if (strcmp(e->key, key) == 0)
			break;
	if (e == NULL && n >= max)
		return -1;
	ne = malloc(sizeof(*ne) + len + 1);
	if (ne == NULL)
		return -2;
	memcpy(ne->key, key, strlen(key) + 1);
	memcpy(ne->value, value, len);
	ne->value[len] = '\0';
	ne->vlen = len;
	if (e != NULL) {
		/* replace in place: the order of LIST stays the order of SETs */
		ne->next = e->next;
		free(e);
	} else
		ne->next = NULL;
	*pp = ne;
	return 0;
}

bool
meta_del(struct meta_entry **list, const char *key)
{
	struct meta_entry **pp, *e;

	for (pp = list; (e = *pp) != NULL; pp = &e->next)
		if (strcmp(e->key, key) == 0) {
			*pp = e->next;
			free(e);
			return true;
		}
	return false;
}

void
meta_free(struct meta_entry **list)
{
	struct meta_entry *e, *next;

	for (e = *list; e != NULL; e = next) {
		next = e->next;
		free(e);
	}
	*list = NULL;
}
