/* cap.c - the capability table (the CAP command is cmd/cmd_cap.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cap.h"
#include "core/client.h"
#include "core/password.h"
#include "core/server.h"

const struct cap_def cap_table[] = {
	{ "account-notify", CAP_ACCOUNT_NOTIFY },
	{ "account-tag", CAP_ACCOUNT_TAG },
	{ "away-notify", CAP_AWAY_NOTIFY },
	{ "batch", CAP_BATCH },
	{ "cap-notify", CAP_CAP_NOTIFY },
	{ "chghost", CAP_CHGHOST },
	{ "draft/account-registration", CAP_ACCOUNT_REGISTRATION },
	{ "draft/chathistory", CAP_CHATHISTORY },
	{ "draft/event-playback", CAP_EVENT_PLAYBACK },
	{ "draft/message-redaction", CAP_MESSAGE_REDACTION },
	{ "draft/metadata-3", CAP_METADATA },
	{ "draft/multiline", CAP_MULTILINE },
	{ "draft/no-implicit-names", CAP_NO_IMPLICIT_NAMES },
	{ "draft/read-marker", CAP_READ_MARKER },
	{ "echo-message", CAP_ECHO_MESSAGE },
	{ "extended-join", CAP_EXTENDED_JOIN },
	{ "extended-monitor", CAP_EXTENDED_MONITOR },
	{ "invite-notify", CAP_INVITE_NOTIFY },
	{ "labeled-response", CAP_LABELED_RESPONSE },
	{ "message-tags", CAP_MESSAGE_TAGS },
	{ "multi-prefix", CAP_MULTI_PREFIX },
	{ "sasl", CAP_SASL },
	{ "server-time", CAP_SERVER_TIME },
	{ "setname", CAP_SETNAME },
	{ "standard-replies", CAP_STANDARD_REPLIES },
	{ "sts", CAP_STS },
	{ "userhost-in-names", CAP_USERHOST_IN_NAMES },
};
const unsigned cap_count = sizeof(cap_table) / sizeof(cap_table[0]);

const struct cap_def *
cap_find(const char *name)
{
	unsigned i;

	for (i = 0; i < cap_count; i++)
		if (strcmp(cap_table[i].name, name) == 0)
			return &cap_table[i];
	return NULL;
}

/* cap_value: see cap.h. */
const char *
cap_value(struct client *c, const struct cap_def *cd, char *buf, size_t size)
{
	if (cd->bit == CAP_STS) {
		int port = c->srv->sts_port;
		/* IRCv3 sts (ircv3.net/specs/extensions/sts), offered only
		 * when configured ([security] sts, "this capability MUST be
		 * made available as an optional configuration setting") and a
		 * TLS listener exists. Each connection gets the policy part it
		 * acts on, as InspIRCd's ircv3_sts does: plaintext the upgrade
		 * part (port=), TLS the persistence part (duration=), which
		 * clients store and refresh. "If no hostname has been provided
		 * for the connection, an STS persistence policy SHOULD NOT be
		 * advertised": without SNI there is no name for the client to
		 * remember the policy under, so none is offered. */
		if (port <= 0 || !c->srv->cfg->sts)
			return NULL;
		if (c->flags & CF_TLS) {
			if (!(c->flags & CF_TLS_SNI))
				return NULL;
			snprintf(buf, size, "duration=%u", c->srv->cfg->sts_duration);
		} else
			snprintf(buf, size, "port=%d", port);
		return buf;
	}
	/* accounts exist only with an [accounts] database (store/store.h).
	 * sasl's value lists the mechanisms (sasl-3.2, CAP LS 302), the
	 * same list as RPL_SASLMECHS (core/password.h password_sasl_mechs:
	 * SCRAM-SHA-256 only in a build with libgsasl). REGISTER
	 * works before connection registration and names any account
	 * (draft/account-registration "before-connect", "custom-account-name") */
	/* draft/chathistory and draft/event-playback: while history is kept
	 * ([history] enabled, cmd/history.c) */
	if (cd->bit == CAP_CHATHISTORY || cd->bit == CAP_EVENT_PLAYBACK)
		return c->srv->hist != NULL ? "" : NULL;
	/* draft/message-redaction: REDACT checks the message in the history
	 * (who sent it, when), so it is offered with history;
	 * draft/read-marker keeps markers per account in the database */
	if (cd->bit == CAP_MESSAGE_REDACTION)
		return c->srv->hist != NULL ? "" : NULL;
	if (cd->bit == CAP_READ_MARKER)
		return c->srv->store != NULL ? "" : NULL;
	/* draft/multiline: "max-bytes" REQUIRED, "max-lines" RECOMMENDED
	 * ([limits] multiline_max_bytes/_lines, docs/CONFIG.md) */
	if (cd->bit == CAP_MULTILINE) {
		snprintf(buf, size, "max-bytes=%u,max-lines=%u", c->srv->cfg->multiline_max_bytes,
		    c->srv->cfg->multiline_max_lines);
		return buf;
	}
	/* draft/metadata-3 (ircv3-specifications PR 613): the limits, and
	 * before-connect: METADATA * SET/SUB work during registration */
	if (cd->bit == CAP_METADATA) {
		const struct config *cfg = c->srv->cfg;

		if (!cfg->metadata_enabled)
			return NULL;
		snprintf(buf, size, "before-connect,max-subs=%u,max-keys=%u,max-value-bytes=%u",
		    cfg->metadata_max_subs, cfg->metadata_max_keys, cfg->metadata_max_value_bytes);
		return buf;
	}
	if (cd->bit == CAP_SASL)
		return c->srv->store != NULL ? password_sasl_mechs() : NULL;
	if (cd->bit == CAP_ACCOUNT_REGISTRATION)
		return c->srv->store != NULL ? "before-connect,custom-account-name" : NULL;
	return "";
}
