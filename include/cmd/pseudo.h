/* pseudo.h - the plumbing NickServ and ChanServ share (cmd/nickserv.h,
 * cmd/chanserv.h): a NOTICE from the service to a client, and the split of
 * a PRIVMSG's text into a subcommand and its arguments. */
#ifndef EVIRCD_CMD_PSEUDO_H
#define EVIRCD_CMD_PSEUDO_H

#include <stdarg.h>
#include <stddef.h>

struct client;

/* pseudo_vnotice: one NOTICE from source (a full nick!user@host) to c, the
 * text formatted from fmt and cut at 400 bytes. */
void pseudo_vnotice(struct client *c, const char *source, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* pseudo_split: copy text into buf (size bytes, cut), skip leading spaces
 * and split off the first word: returns it (maybe ""), *args the rest ("" when
 * none). The caller clears buf when it may hold a password. */
char *pseudo_split(char *buf, size_t size, const char *text, char **args);

#endif
