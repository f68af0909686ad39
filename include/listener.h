/* listener.h - one evconnlistener per configured address, with EMFILE
 * back-off. */
#ifndef EVIRCD_LISTENER_H
#define EVIRCD_LISTENER_H

#include <stdint.h>

struct server;
struct listen_conf;

/* listener_open: bind address:port (IPv6 with V6ONLY) and start accepting.
 * NULL with a logged reason on failure. The actual port (for port 0) is
 * logged as "listening on ADDR:PORT". */
struct listener *listener_open(struct server *srv, const struct listen_conf *lc);
/* listener_close: stop accepting and free. */
void listener_close(struct listener *l);
/* listener_port: the bound port. */
uint16_t listener_port(const struct listener *l);

#endif
