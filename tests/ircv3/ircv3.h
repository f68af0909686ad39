/*
 * The IRCv3 live suite (ircv3_live) is one program built from several
 * files; each file other than ircv3_live.c (which has main) hands its test
 * case to main here.
 */
#ifndef IRCV3_H
#define IRCV3_H

#include <check.h>

/* ircv3_offered.c: the capabilities the server advertises (checked only
 * when advertised), MONITOR and WHOX; Check test case "offered". */
TCase	*ircv3_offered_tcase(void);

#endif
