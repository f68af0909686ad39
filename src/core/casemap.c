/* casemap.c - casemapping, glob matching and name validation. */
#include <string.h>

#include "core/casemap.h"

const char *
casemap_name(enum casemapping cm)
{
	return cm == CASEMAP_ASCII ? "ascii" : "rfc1459";
}

int
casemap_from_name(const char *name)
{
	if (strcmp(name, "rfc1459") == 0)
		return CASEMAP_RFC1459;
	if (strcmp(name, "ascii") == 0)
		return CASEMAP_ASCII;
	return -1;
}

/* casemap_lower: RFC 1459 §2.2 / Modern IRC "rfc1459": "{|}~" are the
 * lower case of "[\]^" (RFC 2812 §2.2 words it loosely as "{}|^" and
 * "[]\~"; the table of every server follows RFC 1459). */
unsigned char
casemap_lower(enum casemapping cm, unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch + ('a' - 'A');
	if (cm == CASEMAP_RFC1459 && ch >= '[' && ch <= '^')
		return ch + ('{' - '['); /* [ \ ] ^  ->  { | } ~ */
	return ch;
}

size_t
casemap_fold(enum casemapping cm, char *dst, const char *src, size_t dstsize)
{
	size_t i;

	if (dstsize == 0)
		return 0;
	for (i = 0; src[i] != '\0' && i + 1 < dstsize; i++)
		dst[i] = (char)casemap_lower(cm, (unsigned char)src[i]);
	dst[i] = '\0';
	return i;
}

int
casemap_cmp(enum casemapping cm, const char *a, const char *b)
{
	unsigned char ca, cb;

	do {
		ca = casemap_lower(cm, (unsigned char)*a++);
		cb = casemap_lower(cm, (unsigned char)*b++);
	} while (ca == cb && ca != '\0');
	return (int)ca - (int)cb;
}

/* casemap_match: iterative glob with single backtrack point for '*', which
 * is linear-ish and never recursive (hostile masks cannot blow the stack).
 *
 * Why: RFC 2812 §2.5 lets '\' escape the two wildcards only ("mask = *(
 * nowild / noesc wildone / noesc wildmany )"); every other '\' is an
 * ordinary character, as it must be since nicknames may contain it (RFC
 * 2812 §2.3.1 "special"): the ban "a\b!*@*" matches the user "a\b" (issue
 * 9 item 13; before, '\' escaped any character and that ban matched
 * nobody). Solanum's match() and InspIRCd's Match have no escape at all;
 * we keep "\*" and "\?" as a literal star and question mark since the
 * grammar allows it and ident names may contain them. */
bool
casemap_match(enum casemapping cm, const char *mask, const char *str)
{
	const char *m = mask, *s = str, *star_m = NULL, *star_s = NULL;
	bool esc;

	while (*s != '\0') {
		if (*m == '*') {
			while (*m == '*')
				m++;
			if (*m == '\0')
				return true;
			star_m = m;
			star_s = s;
			continue;
		}
		esc = *m == '\\' && (m[1] == '*' || m[1] == '?');
		if ((*m == '?' && !esc) || (esc && m[1] == *s) ||
		    (!esc && *m != '\0' &&
			casemap_lower(cm, (unsigned char)*m) ==
			    casemap_lower(cm, (unsigned char)*s))) {
			m += esc ? 2 : 1;
			s++;
			continue;
		}
		if (star_m == NULL)
			return false;
		m = star_m;
		s = ++star_s;
	}
	while (*m == '*')
		m++;
	return *m == '\0';
}

/* special = "[" "]" "\" "`" "_" "^" "{" "|" "}" (RFC 2812 §2.3.1). */
static bool
is_special(unsigned char ch)
{
	return (ch >= '[' && ch <= '`') || (ch >= '{' && ch <= '}');
}

static bool
is_letter(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

bool
nick_valid(const char *nick, size_t nicklen)
{
	size_t i;
	unsigned char ch;

	if (nick[0] == '\0' ||
	    !(is_letter((unsigned char)nick[0]) || is_special((unsigned char)nick[0])))
		return false;
	for (i = 1; (ch = (unsigned char)nick[i]) != '\0'; i++) {
		if (!(is_letter(ch) || is_special(ch) || (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
	}
	return i <= nicklen;
}

bool
channel_name_valid(const char *name, size_t channellen)
{
	size_t i, len = strlen(name);

	if (len < 2 || len > channellen || strchr("#&+!", name[0]) == NULL)
		return false;
	for (i = 1; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch == 0 || ch == 7 || ch == '\r' || ch == '\n' || ch == ' ' || ch == ',' ||
		    ch == ':')
			return false;
	}
	if (name[0] == '!') {
		/* RFC 2811 §3.2: "!" + channel id (5 of [A-Z0-9]) + short name,
		 * or "!!" + short name to create one. */
		if (name[1] == '!')
			return len >= 3;
		if (len < 7)
			return false;
		for (i = 1; i <= 5; i++)
			if (!((name[i] >= 'A' && name[i] <= 'Z') ||
				(name[i] >= '0' && name[i] <= '9')))
				return false;
	}
	return true;
}

bool
user_valid(const char *user)
{
	if (*user == '\0')
		return false;
	for (; *user != '\0'; user++)
		if (*user == ' ' || *user == '@' || *user == '\r' || *user == '\n')
			return false;
	return true;
}
