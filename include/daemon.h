/* daemon.h - a whole server, assembled above the layers: the registry
 * (core/server.h), the network side (net/server_io.h), the dispatcher
 * wired to connection input, the features' event subscriptions (MONITOR,
 * WHOWAS) and the signal handlers. Used by main.c, the test harness and
 * the fuzzer; no file in core/ proto/ net/ cmd/ includes it. */
#ifndef EVIRCD_DAEMON_H
#define EVIRCD_DAEMON_H

#include "core/config.h"
#include "core/server.h"
#include "net/server_io.h"

/* server_new: a server for cfg (ownership passes; config_path may be NULL
 * and is copied), ready to listen (server_listen) and run. NULL on failure. */
struct server *server_new(struct config *cfg, const char *config_path);
/* server_accounts_open: open the [accounts] database (store/store.h) when
 * the configuration names one. 0 (also when none is named), or -1 with err
 * filled: the server should not start without the accounts it was told
 * to keep. */
int server_accounts_open(struct server *srv, char *err, size_t errlen);
/* server_run: run the loop until shutdown. Returns the exit status. */
int server_run(struct server *srv);
/* server_free: close everything and free the server; NULL is fine. */
void server_free(struct server *srv);

#endif
