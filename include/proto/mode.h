/* mode.h - parsing of MODE change strings into a list of changes (pure,
 * unit-tested). RFC 2811 §4, Modern IRC "MODE message" and ISUPPORT
 * CHANMODES type A (list), B (always a parameter), C (parameter when set),
 * D (never a parameter). */
#ifndef EVIRCD_MODE_H
#define EVIRCD_MODE_H

#include <stdbool.h>

/* One requested change. arg points into the caller's parameters or is NULL. */
struct mode_change {
	char		 dir;		/* '+' or '-' */
	char		 mode;		/* the letter */
	const char	*arg;		/* parameter, or NULL */
	bool		 missing_arg;	/* the letter needs a parameter that was not given */
};

/* How a channel mode letter takes parameters. */
enum mode_kind {
	MODE_UNKNOWN = 0,
	MODE_LIST,	/* A: b e I - parameter when given, else a list query */
	MODE_ALWAYS,	/* B: k o v - parameter on set; on unset too (k: if present) */
	MODE_SET,	/* C: l - parameter on set only */
	MODE_NEVER,	/* D: i m n p s t */
};

/* mode_channel_kind: the kind of a channel mode letter. */
enum mode_kind mode_channel_kind(char letter);
/* mode_parse: walk modestr ("+o-v", default direction '+') with the
 * parameters args[0..nargs), filling at most max changes into out. Unknown
 * letters are returned with kind MODE_UNKNOWN so the caller can send 472.
 * At most max_param changes that take a parameter are kept (MODES);
 * returns the number of entries written. */
int mode_parse(const char *modestr, char *const *args, int nargs, struct mode_change *out,
    int max, int max_param);

#endif
