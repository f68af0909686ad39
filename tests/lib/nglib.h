/*
 * nglib: the real ngIRCd from Debian as a peer of the live link tests
 * (tests/live/live_link.c, live_netquery.c): a free loopback port, ngIRCd
 * started on it as ng.test with a [Server] block for a.test, stopped by
 * its pid. Passwords: ngIRCd expects "toevng" from a.test and sends
 * "frominng" (evircd's send_password / accept_password).
 */
#ifndef NGLIB_H
#define NGLIB_H

/* A loopback TCP port nobody listens on just now. */
int live_free_port(void);
/* ngircd (or /usr/sbin/ngircd) is installed: 1, else 0 (tests skip). */
int ng_installed(void);
/* Start ngIRCd as ng.test on 127.0.0.1:port; server_extra goes into its
 * [Server] block for a.test (Host and Port: it connects; none: it only
 * accepts), extra is appended (more sections, e.g. [Operator]). Waits
 * until it accepts connections. 0, or -1 when it did not start. */
int ng_start(int port, const char *server_extra, const char *extra);
/* Kill the ngIRCd started by ng_start (SIGKILL, waited for); no-op if none. */
void ng_stop(void);

#endif
