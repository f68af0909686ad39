/* pseudo.c - the plumbing NickServ and ChanServ share (see cmd/pseudo.h). */
#include <stdio.h>
#include <string.h>

#include "core/client.h"
#include "net/output.h"
#include "cmd/pseudo.h"

void
pseudo_vnotice(struct client *c, const char *source, const char *fmt, va_list ap)
{
	char text[400];

	vsnprintf(text, sizeof(text), fmt, ap);
	reply_raw(c, ":%s NOTICE %s :%s", source, c->nick, text);
}

char *
pseudo_split(char *buf, size_t size, const char *text, char **args)
{
	char *cmd;

	snprintf(buf, size, "%s", text);
	*args = buf;
	while (**args == ' ')
		(*args)++;
	cmd = strsep(args, " ");
	if (*args == NULL)
		*args = buf + strlen(buf); /* "" */
	return cmd;
}
