/* casemap.h - IRC casemapping, wildcard matching and name validation. */
#ifndef EVIRCD_CASEMAP_H
#define EVIRCD_CASEMAP_H

#include <stdbool.h>
#include <stddef.h>

/* The casemappings advertised by ISUPPORT CASEMAPPING (Modern IRC, "CASEMAPPING"). */
enum casemapping {
	CASEMAP_RFC1459 = 0, /* A-Z[\]^ -> a-z{|}~ (RFC 1459 §2.2, Modern IRC) */
	CASEMAP_ASCII, /* A-Z -> a-z only */
};

/* casemap_name: the ISUPPORT token value ("rfc1459", "ascii"). */
const char *casemap_name(enum casemapping cm);
/* casemap_from_name: parse a name; returns -1 if unknown. */
int casemap_from_name(const char *name);
/* casemap_lower: lower-case one byte under cm. */
unsigned char casemap_lower(enum casemapping cm, unsigned char ch);
/* casemap_fold: write the casefolded src into dst (size dstsize bytes, NUL
 * terminated, truncated if needed). Returns the length written. */
size_t casemap_fold(enum casemapping cm, char *dst, const char *src, size_t dstsize);
/* casemap_cmp: compare two strings case-insensitively under cm (0 = equal). */
int casemap_cmp(enum casemapping cm, const char *a, const char *b);
/* casemap_match: glob match of str against mask ('*' any run, '?' one
 * character, "\*" and "\?" a literal '*' and '?'; any other '\' is an
 * ordinary character: RFC 2812 §2.5), case-insensitive under cm.
 * Iterative, O(len(mask) * len(str)) worst case, no recursion. */
bool casemap_match(enum casemapping cm, const char *mask, const char *str);

/* nick_valid: RFC 2812 §2.3.1 nickname: ( letter / special ) *( letter /
 * digit / special / "-" ), at most nicklen bytes. */
bool nick_valid(const char *nick, size_t nicklen);
/* channel_name_valid: RFC 2812 §2.3.1 / RFC 2811 §2.1: a prefix from
 * "#&+!", then no NUL, BELL, CR, LF, space, comma or colon; at most channellen
 * bytes including the prefix. "!" names must be "!" + 5 [A-Z0-9] + name
 * (or "!!" + name when creating, see join_one in cmd_channel.c). */
bool channel_name_valid(const char *name, size_t channellen);
/* user_valid: a username from USER: no NUL CR LF space or '@'. */
bool user_valid(const char *user);

#endif
