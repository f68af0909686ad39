/* server_io.h - the network side of the server: the output flusher and the
 * reaper, listeners, rehash (with the TLS certificates), and freeing every
 * connection. The registry below it is core/server.h; the assembly of a
 * whole server (server_new/server_free) is src/daemon.c. */
#ifndef EVIRCD_SERVER_IO_H
#define EVIRCD_SERVER_IO_H

#include <stddef.h>

struct server;

/* server_io_init: create srv's flusher, reaper and shutdown timer. 0, or -1
 * on out-of-memory. */
int server_io_init(struct server *srv);
/* server_io_free: free every client (no output), close the listeners, free
 * the events of server_io_init. The registry is left to server_core_free. */
void server_io_free(struct server *srv);
/* server_listen: open every configured listener. 0, or -1 if none could be opened. */
int server_listen(struct server *srv);
/* server_rehash: reload srv->config_path (TLS files checked) and install it
 * (server_reconfigure); new TLS handshakes use the new certificates. 0, or
 * -1 with err filled; on error the old configuration stays. */
int server_rehash(struct server *srv, char *err, size_t errlen);

#endif
