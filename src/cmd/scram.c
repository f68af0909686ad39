/* scram.c - SASL SCRAM-SHA-256 on GNU SASL (libgsasl). See cmd/scram.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "evircd_config.h"
#if HAVE_GSASL
#include <gsasl.h>
#endif

#include "core/casemap.h"
#include "core/client.h"
#include "core/log.h"
#include "core/password.h"
#include "core/server.h"
#include "store/store.h"
#include "cmd/scram.h"

struct scram {
#if HAVE_GSASL
	Gsasl *gs;
#endif
	unsigned char key[32]; /* the fake salts' HMAC key, random per run */
};

#if HAVE_GSASL
/* fake_salt: base64 of the first PASSWORD_SCRAM_SALT bytes of
 * HMAC-SHA-256(key, casefolded name) into out: the same salt for the same
 * unknown name, as a real account's stays the same. */
static void
fake_salt(struct server *srv, const char *name, char *out, size_t outsize)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;
	char folded[STORE_NAME_MAX + 2];

	casemap_fold(srv->cfg->casemapping, folded, name, sizeof(folded));
	if (HMAC(EVP_sha256(), srv->scram->key, sizeof(srv->scram->key),
		(const unsigned char *)folded, strlen(folded), mac, &maclen) == NULL)
		memset(mac, 0, sizeof(mac));
	EVP_EncodeBlock((unsigned char *)out, mac, PASSWORD_SCRAM_SALT);
	(void)outsize; /* 4 * ceil(16 / 3) + 1 = 25 bytes */
}

/* owner: the account a SCRAM user name names: the account of that name or
 * the one that grouped that nick (NickServ GROUP), as for PLAIN. */
static const struct store_account *
owner(struct server *srv, const char *name)
{
	if (name == NULL || srv->store == NULL)
		return NULL;
	return store_account_by_nick(srv->store, name);
}

/* secrets: the stored secrets of the account named by the session's authid
 * (set by libgsasl from the client-first message); -1 when it has none. */
static int
secrets(struct client *c, Gsasl_session *sctx, struct password_scram *ps)
{
	const struct store_account *a = owner(c->srv, gsasl_property_fast(sctx, GSASL_AUTHID));

	return a != NULL ? password_scram_parse(a->scram, ps) : -1;
}

/* scram_cb: libgsasl asks for what it needs of the account. No
 * GSASL_PASSWORD is ever given: with it libgsasl would run PBKDF2 here, on
 * the loop thread. */
static int
scram_cb(Gsasl *ctx, Gsasl_session *sctx, Gsasl_property prop)
{
	struct client *c = gsasl_session_hook_get(sctx);
	struct password_scram ps;
	char buf[32];
	bool have;

	(void)ctx;
	if (c == NULL)
		return GSASL_NO_CALLBACK;
	have = secrets(c, sctx, &ps) == 0;
	switch (prop) {
	case GSASL_SCRAM_ITER:
		snprintf(buf, sizeof(buf), "%u", have ? ps.iter : PASSWORD_SCRAM_ITER);
		return gsasl_property_set(sctx, prop, buf);
	case GSASL_SCRAM_SALT:
		if (have)
			return gsasl_property_set(sctx, prop, ps.salt);
		fake_salt(c->srv, gsasl_property_fast(sctx, GSASL_AUTHID), buf, sizeof(buf));
		return gsasl_property_set(sctx, prop, buf);
	case GSASL_SCRAM_STOREDKEY:
		return have ? gsasl_property_set(sctx, prop, ps.stored_key) : GSASL_NO_CALLBACK;
	case GSASL_SCRAM_SERVERKEY:
		return have ? gsasl_property_set(sctx, prop, ps.server_key) : GSASL_NO_CALLBACK;
	default:
		return GSASL_NO_CALLBACK;
	}
}
#endif

bool
scram_available(struct server *srv)
{
#if HAVE_GSASL
	struct scram *sc;
	int rc;

	if (srv->scram != NULL)
		return true;
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return false;
	if ((rc = gsasl_init(&sc->gs)) == GSASL_OK &&
	    (rc = gsasl_nonce((char *)sc->key, sizeof(sc->key))) != GSASL_OK)
		gsasl_done(sc->gs);
	if (rc != GSASL_OK) {
		/* rc is the failing call's, not init's GSASL_OK */
		log_warnx("GNU SASL: %s; SCRAM-SHA-256 is unavailable", gsasl_strerror(rc));
		free(sc);
		return false;
	}
	gsasl_callback_set(sc->gs, scram_cb);
	srv->scram = sc;
	return true;
#else
	(void)srv;
	return false;
#endif
}

int
scram_start(struct client *c, struct client_sasl *s)
{
#if HAVE_GSASL
	Gsasl_session *sctx;

	if (!scram_available(c->srv) ||
	    gsasl_server_start(c->srv->scram->gs, "SCRAM-SHA-256", &sctx) != GSASL_OK)
		return -1;
	gsasl_session_hook_set(sctx, c);
	s->gs = sctx;
	s->step = 0;
	return 0;
#else
	(void)c;
	(void)s;
	return -1;
#endif
}

enum scram_result
scram_step(struct client *c, const unsigned char *in, size_t len, char *out, size_t outsize,
    size_t *outlen)
{
#if HAVE_GSASL
	struct client_sasl *s = c->sasl;
	char *o = NULL;
	size_t olen = 0;
	const char *authz, *authc;
	const struct store_account *a;
	int rc;

	*outlen = 0;
	if (s == NULL || s->gs == NULL)
		return SCRAM_FAILED;
	rc = gsasl_step(s->gs, (const char *)in, len, &o, &olen);
	if ((rc != GSASL_OK && rc != GSASL_NEEDS_MORE) || olen >= outsize) {
		gsasl_free(o);
		return SCRAM_FAILED;
	}
	memcpy(out, o != NULL ? o : "", olen);
	out[olen] = '\0';
	*outlen = olen;
	gsasl_free(o);
	s->step++;
	if (rc == GSASL_NEEDS_MORE)
		return SCRAM_CHALLENGE;
	/* acting as someone else is refused, as for PLAIN */
	authc = gsasl_property_fast(s->gs, GSASL_AUTHID);
	authz = gsasl_property_fast(s->gs, GSASL_AUTHZID);
	if (authc == NULL ||
	    (authz != NULL && authz[0] != '\0' &&
		casemap_cmp(c->srv->cfg->casemapping, authz, authc) != 0))
		return SCRAM_FAILED;
	/* a suspended account (NickServ SUSPEND) fails here, before the
	 * server-final would confirm the password (sasl_success refuses it
	 * too) */
	a = owner(c->srv, authc);
	return a != NULL && a->suspended == 0 ? SCRAM_VERIFIED : SCRAM_FAILED;
#else
	(void)c;
	(void)in;
	(void)len;
	(void)out;
	(void)outsize;
	*outlen = 0;
	return SCRAM_FAILED;
#endif
}

const char *
scram_account(struct client *c)
{
#if HAVE_GSASL
	const struct store_account *a;

	if (c->sasl == NULL || c->sasl->gs == NULL ||
	    (a = owner(c->srv, gsasl_property_fast(c->sasl->gs, GSASL_AUTHID))) == NULL)
		return NULL;
	return a->name;
#else
	(void)c;
	return NULL;
#endif
}

void
scram_free(struct server *srv)
{
	if (srv->scram == NULL)
		return;
#if HAVE_GSASL
	gsasl_done(srv->scram->gs);
#endif
	explicit_bzero(srv->scram->key, sizeof(srv->scram->key));
	free(srv->scram);
	srv->scram = NULL;
}
