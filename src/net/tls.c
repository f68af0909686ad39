/* tls.c - TLS listeners on OpenSSL 3 through libevent's bufferevent_openssl:
 * server contexts, accepting bufferevents, client certificate fingerprints,
 * certificate reload on rehash. The only file that includes OpenSSL's TLS
 * headers (net/ws.c uses its SHA-1 and base64). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/client.h"
#include "core/config.h"
#include "net/listener.h"
#include "core/log.h"
#include "core/server.h"
#include "net/tls.h"
#include "net/ws.h"

/* Mozilla "intermediate" (server side TLS guidelines, version 5.7) for
 * TLS 1.2: forward secrecy and AEAD only. TLS 1.3 keeps OpenSSL's default
 * suites, which are all fine. */
#define TLS12_CIPHERS \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"

/* ssl_errstr: the oldest error on OpenSSL's queue as "reason" text, and
 * clear the queue so nothing stale is reported later. */
static const char *
ssl_errstr(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();
	const char *r;

	if (e == 0)
		snprintf(buf, size, "unknown error");
	else if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
		snprintf(buf, size, "no PEM data in the file");
	else if ((r = ERR_reason_error_string(e)) != NULL)
		snprintf(buf, size, "%s", r);
	else
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
	return buf;
}

/* verify_any: accept every client certificate. They are not verified
 * against any CA; their fingerprint is all we use (as Solanum and
 * InspIRCd do for CertFP). */
static int
verify_any(int preverify_ok, X509_STORE_CTX *x509)
{
	return 1;
}

/* no_passphrase: a key protected by a passphrase must fail to load, not
 * prompt on the terminal of a daemon. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	return 0;
}

/* readable: fopen the file to report a missing or unreadable one with
 * errno's words rather than OpenSSL's. */
static int
readable(const char *what, const char *path, char *err, size_t errlen)
{
	FILE *f;

	if (path == NULL || path[0] == '\0') {
		snprintf(err, errlen, "tls = yes needs %s", what);
		return -1;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

/* tls_ctx_new: see tls.h. */
struct ssl_ctx_st *
tls_ctx_new(const struct listen_conf *lc, char *err, size_t errlen)
{
	static const unsigned char sid_ctx[] = "evircd";
	SSL_CTX *ctx;
	char e[256];

	if (readable("certificate", lc->certificate, err, errlen) != 0 ||
	    readable("private_key", lc->private_key, err, errlen) != 0)
		return NULL;
	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		snprintf(err, errlen, "SSL_CTX_new: %s", ssl_errstr(e, sizeof(e)));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* No renegotiation (a client-initiated CPU sink, and gone in 1.3);
	 * a TCP close without close_notify is a plain EOF: IRC lines carry
	 * their own framing, so truncation cannot forge a message. */
	SSL_CTX_set_options(ctx,
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* Idle IRC connections are the common case: give the 2 x 17 KiB
	 * record buffers back while a connection is quiet. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_dh_auto(ctx, 1);
	if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1) {
		snprintf(err, errlen, "cipher list: %s", ssl_errstr(e, sizeof(e)));
		goto fail;
	}
	/* Ask for a client certificate but accept none or any. The session id
	 * context is required for resumption when peer certificates are
	 * requested. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_any);
	SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1);
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	if (SSL_CTX_use_certificate_chain_file(ctx, lc->certificate) != 1) {
		snprintf(err, errlen, "certificate %s: %s", lc->certificate,
		    ssl_errstr(e, sizeof(e)));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, lc->private_key, SSL_FILETYPE_PEM) != 1) {
		unsigned long code = ERR_peek_last_error();
		if (ERR_GET_LIB(code) == ERR_LIB_X509 &&
		    (ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH ||
			ERR_GET_REASON(code) == X509_R_KEY_TYPE_MISMATCH))
			snprintf(err, errlen, "private_key %s does not match certificate %s",
			    lc->private_key, lc->certificate);
		else {
			ssl_errstr(e, sizeof(e));
			snprintf(err, errlen, "private_key %s: %s%s", lc->private_key, e,
			    strstr(e, "decrypt") || strstr(e, "password")
				? " (passphrase-protected keys are not supported)"
				: "");
		}
		ERR_clear_error();
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "private_key %s does not match certificate %s",
		    lc->private_key, lc->certificate);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void
tls_ctx_free(struct ssl_ctx_st *ctx)
{
	SSL_CTX_free(ctx);
}

/* tls_check: see tls.h. */
int
tls_check(const struct listen_conf *lc, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if (lc->websocket && ws_check(lc, err, errlen) != 0)
		return -1; /* built without wslay */
	if (!lc->tls)
		return 0;
	ctx = tls_ctx_new(lc, err, errlen);
	if (ctx == NULL)
		return -1;
	SSL_CTX_free(ctx);
	return 0;
}

/* ssl_bufferevent: a bufferevent for ssl on fd in state (accepting or
 * connecting), owning both; NULL on failure, with ssl freed. */
static struct bufferevent *
ssl_bufferevent(struct event_base *base, int fd, SSL *ssl, enum bufferevent_ssl_state state)
{
	struct bufferevent *bev;

	bev = bufferevent_openssl_socket_new(base, fd, ssl, state, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		/* libevent 2.1 frees the SSL and closes the fd itself when it
		 * fails after allocating the bufferevent, and leaves both
		 * alone when it fails before. We are single-threaded, so a
		 * still-valid fd is still ours and the SSL was not freed. */
		if (fcntl(fd, F_GETFD) != -1)
			SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

/* tls_bufferevent_new: see tls.h. Allow a "dirty" shutdown (TCP FIN
 * without close_notify): many IRC clients just close the socket. */
struct bufferevent *
tls_bufferevent_new(struct event_base *base, int fd, struct ssl_ctx_st *ctx)
{
	SSL *ssl;

	ssl = SSL_new(ctx);
	if (ssl == NULL) {
		ERR_clear_error();
		return NULL;
	}
	return ssl_bufferevent(base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING);
}

/* tls_bufferevent_connect: see tls.h. A context per connection (links are
 * few): TLS 1.2 and newer, SNI = servername, no certificate verification
 * (the link password authenticates the peer; docs/NETWORK.md). */
struct bufferevent *
tls_bufferevent_connect(struct event_base *base, int fd, const char *servername)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;

	if (ctx == NULL) {
		ERR_clear_error();
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	ssl = SSL_new(ctx);
	SSL_CTX_free(ctx); /* the SSL holds its own reference */
	if (ssl == NULL) {
		ERR_clear_error();
		return NULL;
	}
	SSL_set_tlsext_host_name(ssl, servername);
	return ssl_bufferevent(base, fd, ssl, BUFFEREVENT_SSL_CONNECTING);
}

/* ssl_of: the SSL of bev, or of the bufferevent under it (a WebSocket
 * client's filter, net/ws.c); NULL for a plaintext connection. */
static SSL *
ssl_of(struct bufferevent *bev)
{
	SSL *ssl = bufferevent_openssl_get_ssl(bev);
	struct bufferevent *u;

	if (ssl == NULL && (u = bufferevent_get_underlying(bev)) != NULL)
		ssl = bufferevent_openssl_get_ssl(u);
	return ssl;
}

/* tls_handshake_done: see tls.h. */
void
tls_handshake_done(struct client *c)
{
	SSL *ssl = ssl_of(c->bev);
	X509 *cert;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	if (ssl == NULL)
		return;
	c->umodes |= UMODE_SECURE;
	if (SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) != NULL)
		c->flags |= CF_TLS_SNI;
	cert = SSL_get1_peer_certificate(ssl);
	if (cert != NULL) {
		if (X509_digest(cert, EVP_sha256(), md, &n) == 1) {
			for (i = 0; i < n; i++)
				snprintf(hex + 2 * i, 3, "%02x", md[i]);
			hex[2 * n] = '\0';
			free(c->certfp);
			c->certfp = strdup(hex);
		}
		X509_free(cert);
	}
	ERR_clear_error();
	log_debug("TLS %s %s from %s%s%s", SSL_get_version(ssl), SSL_get_cipher_name(ssl), c->host,
	    c->certfp ? ", certfp " : "", c->certfp ? c->certfp : "");
}

/* tls_error: see tls.h. libevent hands back its saved errors newest first;
 * keep the last one it returns, the root cause. */
const char *
tls_error(struct bufferevent *bev, char *buf, size_t size)
{
	unsigned long e, first = 0;
	const char *r;

	buf[0] = '\0';
	if (bufferevent_openssl_get_ssl(bev) == NULL && bufferevent_get_underlying(bev) != NULL)
		bev = bufferevent_get_underlying(bev); /* a WebSocket's filter */
	while ((e = bufferevent_get_openssl_error(bev)) != 0)
		if (ERR_GET_LIB(e) != 0) /* not a bare SSL_ERROR_* code */
			first = e;
	if (first == 0)
		return buf;
	if ((r = ERR_reason_error_string(first)) != NULL)
		snprintf(buf, size, "%s", r);
	else
		ERR_error_string_n(first, buf, size);
	return buf;
}

void
tls_quiet(struct bufferevent *bev)
{
	SSL *ssl = ssl_of(bev);

	if (ssl != NULL)
		SSL_set_quiet_shutdown(ssl, 1);
}

/* tls_close_notify: see tls.h. SSL_shutdown on a non-blocking socket
 * writes the alert or gives up; it never waits. A session that failed
 * (tls_quiet) or never finished its handshake sends nothing. */
void
tls_close_notify(struct bufferevent *bev)
{
	SSL *ssl = ssl_of(bev);

	if (ssl == NULL || !SSL_is_init_finished(ssl) || SSL_get_quiet_shutdown(ssl))
		return;
	(void)SSL_shutdown(ssl);
	ERR_clear_error();
}

/* tls_reload: see tls.h. server_rehash keeps srv->cfg->listens describing
 * the open sockets, so each TLS listener finds its section there. */
int
tls_reload(struct server *srv)
{
	struct listener *l;
	struct listen_conf *lc;
	SSL_CTX *ctx;
	char err[512];
	size_t i, j;
	int failed = 0;

	for (i = 0; i < srv->nlisteners; i++) {
		l = srv->listeners[i];
		if (listener_tls_ctx(l) == NULL)
			continue;
		lc = NULL;
		for (j = 0; lc == NULL && j < srv->cfg->nlistens; j++)
			if (listener_is(l, &srv->cfg->listens[j]))
				lc = &srv->cfg->listens[j];
		if (lc == NULL)
			continue;
		ctx = tls_ctx_new(lc, err, sizeof(err));
		if (ctx == NULL) {
			log_warnx("rehash: TLS listener %s keeps its old certificate: %s",
			    listener_name(l), err);
			failed++;
			continue;
		}
		listener_set_tls_ctx(l, ctx);
		log_info("rehash: TLS listener %s reloaded %s", listener_name(l), lc->certificate);
	}
	return failed;
}

/* tls_port: see tls.h. */
int
tls_port(const struct server *srv)
{
	size_t i;

	for (i = 0; i < srv->nlisteners; i++)
		if (listener_tls_ctx(srv->listeners[i]) != NULL)
			return listener_port(srv->listeners[i]);
	return 0;
}
