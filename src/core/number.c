/* number.c - bounded parsing of decimal numbers from input. */
#include <stdbool.h>

#include "core/number.h"

/* number_parse: see number.h. Digits are accumulated with a saturation
 * check instead of strtoll so that any length is accepted and clamped
 * (a 40-digit duration is "very long", not an error or a wrap). */
enum number_result
number_parse(const char *s, long long min, long long max, long long *out)
{
	bool neg = false, big = false;
	unsigned long long v = 0;
	const unsigned long long lim = 1ULL << 63; /* |LLONG_MIN| */
	long long r;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s < '0' || *s > '9')
		return NUMBER_INVALID;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (lim - (unsigned long long)(*s - '0')) / 10)
			big = true;
		else
			v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (*s != '\0')
		return NUMBER_INVALID;
	if (big || (!neg && v > lim - 1)) {
		*out = neg ? min : max;
		return NUMBER_CLAMPED;
	}
	r = neg ? (v == lim ? (-9223372036854775807LL - 1) : -(long long)v) : (long long)v;
	if (r < min || r > max) {
		*out = r < min ? min : max;
		return NUMBER_CLAMPED;
	}
	*out = r;
	return NUMBER_OK;
}
