/* number.h - the one parser for numbers that come from input (commands,
 * the bans file). atoi/atol/strtol without a range check are undefined or
 * silently wrong on overflow (issue 9 item 14); every caller states the
 * range it can use and gets a clamped value or a refusal. */
#ifndef EVIRCD_NUMBER_H
#define EVIRCD_NUMBER_H

enum number_result {
	NUMBER_OK = 0, /* in range: *out is the value */
	NUMBER_CLAMPED, /* a number outside [min, max] (however many
				 * digits): *out is min or max */
	NUMBER_INVALID, /* not a number: *out untouched */
};

/* number_parse: s must be an optional '+' or '-' followed by one or more
 * decimal digits and nothing else (no spaces, no suffix). min <= max. */
enum number_result number_parse(const char *s, long long min, long long max, long long *out);

#endif
