/* mode.c - MODE string parsing (pure). */
#include <string.h>

#include "proto/mode.h"

enum mode_kind
mode_channel_kind(char letter)
{
	switch (letter) {
	case 'b': case 'e': case 'I':
		return MODE_LIST;
	case 'k': case 'o': case 'v':
		return MODE_ALWAYS;
	case 'l':
		return MODE_SET;
	case 'i': case 'm': case 'n': case 'p': case 's': case 't':
		return MODE_NEVER;
	default:
		return MODE_UNKNOWN;
	}
}

int
mode_parse(const char *modestr, char *const *args, int nargs, struct mode_change *out,
    int max, int max_param)
{
	char dir = '+';
	int n = 0, ai = 0, nparam = 0;
	const char *p;

	for (p = modestr; *p != '\0' && n < max; p++) {
		struct mode_change *mc;
		enum mode_kind kind;
		bool wants;

		if (*p == '+' || *p == '-') {
			dir = *p;
			continue;
		}
		kind = mode_channel_kind(*p);
		switch (kind) {
		case MODE_LIST:
			wants = ai < nargs;		/* none left: list query */
			break;
		case MODE_ALWAYS:
			/* -k takes its (ignored) parameter when one is given */
			wants = (*p == 'k' && dir == '-') ? ai < nargs : true;
			break;
		case MODE_SET:
			wants = dir == '+';
			break;
		default:
			wants = false;
			break;
		}
		if (wants && ai < nargs && nparam >= max_param) {
			ai++;	/* over MODES: skip the change and its parameter */
			continue;
		}
		mc = &out[n++];
		mc->dir = dir;
		mc->mode = *p;
		mc->arg = NULL;
		mc->missing_arg = false;
		if (wants) {
			if (ai < nargs) {
				mc->arg = args[ai++];
				nparam++;
			} else
				mc->missing_arg = true;
		}
	}
	return n;
}
