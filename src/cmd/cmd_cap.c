/* cmd_cap.c - the CAP command (IRCv3 capability negotiation, CAP 302:
 * https://ircv3.net/specs/extensions/capability-negotiation). The table
 * of capabilities is proto/cap.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/cap.h"
#include "core/client.h"
#include "core/number.h"
#include "cmd/account.h"
#include "cmd/command.h"
#include "proto/message.h"
#include "core/server.h"

/* send_cap_list: LS (all) or LIST (enabled) in lines of at most ~400
 * bytes; with CAP 302 all but the last carry "*" (multiline). */
static void
send_cap_list(struct client *c, const char *sub, bool enabled_only, bool v302)
{
	const char *target = c->nick;
	char line[512], vbuf[96];
	size_t len = 0;
	unsigned i;

	line[0] = '\0';
	for (i = 0; i < cap_count; i++) {
		const struct cap_def *cd = &cap_table[i];
		const char *v;
		char item[128];
		if (enabled_only && !(c->caps & cd->bit))
			continue;
		v = cap_value(c, cd, vbuf, sizeof(vbuf));
		if (v == NULL)
			continue;
		if (v302 && v[0] != '\0' && !enabled_only)
			snprintf(item, sizeof(item), "%s=%s", cd->name, v);
		else
			snprintf(item, sizeof(item), "%s", cd->name);
		if (len + strlen(item) + 1 > 380) {
			if (v302)
				reply_server(c, "CAP %s %s * :%s", target, sub, line);
			else
				reply_server(c, "CAP %s %s :%s", target, sub, line);
			len = 0;
			line[0] = '\0';
		}
		len +=
		    (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", len ? " " : "", item);
	}
	reply_server(c, "CAP %s %s :%s", target, sub, line);
}

/* cap_req: atomic - every token must be known and changeable, else the
 * whole request is NAKed and nothing changes. */
static void
cap_req(struct client *c, const char *req)
{
	char buf[512], vbuf[96], *tok, *rest;
	uint32_t add = 0, del = 0;
	const struct cap_def *cd;
	bool ok = true;

	snprintf(buf, sizeof(buf), "%s", req);
	for (rest = buf; (tok = strsep(&rest, " ")) != NULL;) {
		bool remove = false;
		if (*tok == '\0')
			continue;
		if (*tok == '-') {
			remove = true;
			tok++;
		}
		cd = cap_find(tok);
		/* a capability not offered to c (sasl without accounts) */
		if (cd != NULL && !remove && cap_value(c, cd, vbuf, sizeof(vbuf)) == NULL)
			cd = NULL;
		/* sts is never requested; cap-notify cannot be turned off by a
		 * CAP 302 client (capability-negotiation, "cap-notify") */
		if (cd == NULL || cd->bit == CAP_STS ||
		    (remove && cd->bit == CAP_CAP_NOTIFY && c->cap_version >= 3)) {
			ok = false;
			break;
		}
		if (remove)
			del |= cd->bit;
		else
			add |= cd->bit;
	}
	if (!ok) {
		reply_server(c, "CAP %s NAK :%s", c->nick, req);
		return;
	}
	c->caps = (c->caps | add) & ~del;
	reply_server(c, "CAP %s ACK :%s", c->nick, req);
}

/* CAP LS/LIST/REQ/END. LS or REQ before registration holds it until END. */
enum cmd_result
cmd_cap(struct client *c, struct irc_msg *m)
{
	const char *sub = m->params[0];

	if (!strcasecmp(sub, "LS")) {
		long long ver = 0;
		bool v302 = m->nparams > 1 &&
		    number_parse(m->params[1], 0, INT_MAX, &ver) != NUMBER_INVALID && ver >= 302;
		if (!client_is_registered(c))
			c->flags |= CF_CAP_NEG;
		if (v302) {
			c->cap_version = 3;
			c->caps |= CAP_CAP_NOTIFY; /* implied by 302 */
		}
		/* values and multi-line only for a "CAP LS 302" request, even
		 * after an earlier one (CAP LS version downgrade) */
		send_cap_list(c, "LS", false, v302);
	} else if (!strcasecmp(sub, "LIST")) {
		send_cap_list(c, "LIST", true, c->cap_version >= 3);
	} else if (!strcasecmp(sub, "REQ")) {
		if (!client_is_registered(c))
			c->flags |= CF_CAP_NEG;
		if (m->nparams < 2) {
			numeric(c, ERR_NEEDMOREPARAMS, "CAP");
			return CMD_OK;
		}
		cap_req(c, m->params[1]);
	} else if (!strcasecmp(sub, "END")) {
		if (client_is_registered(c))
			return CMD_OK;
		c->flags &= ~CF_CAP_NEG;
		/* sasl-3.1: CAP END during an exchange aborts it (906) */
		account_sasl_abort(c, true);
		return register_try(c);
	} else {
		numeric(c, ERR_INVALIDCAPCMD, sub);
	}
	return CMD_OK;
}
