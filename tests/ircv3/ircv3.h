/*
 * The IRCv3 live suite (ircv3_live) is one program built from several
 * files; each file other than ircv3_live.c (which has main) hands its test
 * case to main here.
 */
#ifndef IRCV3_H
#define IRCV3_H

#include <check.h>

struct cl;
struct srv;

/* v3_client (ircv3_live.c): connect to s and register as nick.  caps NULL:
 * plain NICK/USER, no CAP at all.  Otherwise CAP LS 302, CAP REQ :caps
 * (must be ACKed verbatim; "" requests nothing), NICK/USER, CAP END.  The
 * welcome burst and anything else pending are consumed.  The client
 * belongs to livelib (closed with the test). */
struct cl *v3_client(struct srv *s, const char *nick, const char *caps);

/* ircv3_offered.c: the capabilities the server advertises (checked only
 * when advertised), MONITOR and WHOX; Check test case "offered". */
TCase	*ircv3_offered_tcase(void);

#endif
