/* command.c - the sorted const command table and the central gate. */
#include <stdlib.h>
#include <string.h>

#include "core/client.h"
#include "cmd/command.h"
#include "proto/message.h"
#include "proto/reply.h"
#include "core/server.h"

#define P CMD_PREREG
#define O CMD_OPER
/* Sorted by name (a unit test checks it). Penalties are fakelag seconds
 * (RFC 1459 §8.10 charges 2 for every message; we charge 1 and 2 for
 * LIST and KNOCK). Every command that can produce a reply costs at least 1,
 * CAP, PING, PONG and MONITOR too, or a client could make the server answer
 * at full speed for free (issue 9 item 9: 600 such lines gave 260 KB in
 * 0.2 s). Only QUIT is free: it closes the connection. A well-behaved
 * registration (CAP LS, CAP REQ, NICK, USER, CAP END, a PING) costs 6 and
 * fits in the default burst of 10, so it is not slowed (Solanum likewise
 * counts every parsed line against its flood allowance, ircd/packet.c,
 * unregistered clients included). */
const struct command command_table[] = {
	{ "ADMIN", cmd_admin, 0, 0, 1 },
	{ "AUTHENTICATE", cmd_authenticate, 1, P, 1 },
	{ "AWAY", cmd_away, 0, 0, 1 },
	{ "BATCH", cmd_batch, 1, 0, 1 },
	{ "CAP", cmd_cap, 1, P, 1 },
	{ "CHATHISTORY", cmd_chathistory, 1, 0, 1 },
	{ "DIE", cmd_die, 0, O, 1 },
	{ "DLINE", cmd_dline, 1, O, 1 },
	{ "HELP", cmd_help, 0, 0, 1 },
	{ "HELPOP", cmd_help, 0, 0, 1 },
	{ "HISTSERV", cmd_histserv, 0, O, 1 },
	{ "INFO", cmd_info, 0, 0, 1 },
	{ "INVITE", cmd_invite, 0, 0, 1 },
	{ "ISON", cmd_ison, 1, 0, 1 },
	{ "JOIN", cmd_join, 1, 0, 1 },
	{ "KICK", cmd_kick, 2, 0, 1 },
	{ "KILL", cmd_kill, 2, O, 1 },
	{ "KLINE", cmd_kline, 1, O, 1 },
	{ "KNOCK", cmd_knock, 1, 0, 2 },
	{ "LINKS", cmd_links, 0, 0, 1 },
	{ "LIST", cmd_list, 0, 0, 2 },
	{ "LUSERS", cmd_lusers, 0, 0, 1 },
	{ "MARKREAD", cmd_markread, 0, 0, 1 },
	{ "METADATA", cmd_metadata, 2, P, 1 },
	{ "MODE", cmd_mode, 1, 0, 1 },
	{ "MONITOR", cmd_monitor, 1, 0, 1 },
	{ "MOTD", cmd_motd, 0, 0, 1 },
	{ "NAMES", cmd_names, 0, 0, 1 },
	{ "NICK", cmd_nick, 0, P, 1 },
	{ "NOTICE", cmd_notice, 0, 0, 1 },
	{ "OPER", cmd_oper, 1, 0, 1 }, /* 2 unless the block names an account */
	{ "PART", cmd_part, 1, 0, 1 },
	{ "PASS", cmd_pass, 1, P, 1 },
	{ "PING", cmd_ping, 0, P, 1 },
	{ "PONG", cmd_pong, 0, P, 1 },
	{ "PRIVMSG", cmd_privmsg, 0, 0, 1 },
	{ "QUIT", cmd_quit, 0, P, 0 },
	{ "REDACT", cmd_redact, 2, 0, 1 },
	{ "REGISTER", cmd_register, 3, P, 2 },
	{ "REHASH", cmd_rehash, 0, O, 1 },
	{ "SETNAME", cmd_setname, 1, 0, 1 },
	{ "STATS", cmd_stats, 0, 0, 1 },
	{ "SUMMON", cmd_summon, 0, 0, 1 },
	{ "TAGMSG", cmd_tagmsg, 1, 0, 1 },
	{ "TIME", cmd_time, 0, 0, 1 },
	{ "TOPIC", cmd_topic, 1, 0, 1 },
	{ "UNDLINE", cmd_undline, 1, O, 1 },
	{ "UNKLINE", cmd_unkline, 1, O, 1 },
	{ "USER", cmd_user, 4, P, 1 },
	{ "USERHOST", cmd_userhost, 1, 0, 1 },
	{ "USERS", cmd_users, 0, 0, 1 },
	{ "VERIFY", cmd_verify, 2, P, 1 },
	{ "VERSION", cmd_version, 0, 0, 1 },
	{ "WALLOPS", cmd_wallops, 1, O, 1 },
	{ "WHO", cmd_who, 0, 0, 1 },
	{ "WHOIS", cmd_whois, 1, 0, 1 },
	{ "WHOWAS", cmd_whowas, 1, 0, 1 },
};
#undef P
#undef O
const size_t command_count = sizeof(command_table) / sizeof(command_table[0]);
_Static_assert(sizeof(command_table) / sizeof(command_table[0]) <=
	sizeof(((struct server *)0)->cmd_count) / sizeof(unsigned long),
    "server.cmd_count must hold a counter per command");

static int
cmp_command(const void *key, const void *elem)
{
	return strcmp(key, ((const struct command *)elem)->name);
}

const struct command *
command_find(const char *verb)
{
	return bsearch(verb, command_table, command_count, sizeof(command_table[0]), cmp_command);
}

/* command_dispatch: every generic check happens here, once, before the
 * handler (Modern IRC: 421, 451, 461, 481). */
enum cmd_result
command_dispatch(struct client *c, struct irc_msg *m)
{
	const struct command *cmd = command_find(m->verb);
	struct server *srv = c->srv;

	if (cmd == NULL) {
		/* unknown commands cost fakelag too, or they would be a free
		 * way to make the server answer at full speed */
		c->fakelag += (time_t)srv->cfg->flood_penalty;
		if (strlen(m->verb) > 32)
			m->verb[32] = '\0';
		numeric(c, ERR_UNKNOWNCOMMAND, m->verb);
		return CMD_OK;
	}
	/* the penalty is charged before any reply, 451 included: 300 x
	 * "LIST" from an unregistered client cost 300 s of fakelag, not 0 */
	c->fakelag += cmd->penalty * (time_t)srv->cfg->flood_penalty;
	if (!client_is_registered(c) && !(cmd->flags & CMD_PREREG)) {
		numeric(c, ERR_NOTREGISTERED);
		return CMD_OK;
	}
	srv->cmd_count[cmd - command_table]++;
	/* a line of an open draft/multiline batch (cmd/multiline.c) */
	if (c->ml != NULL && multiline_intercept(c, m))
		return CMD_OK;
	if (m->nparams < cmd->min_params) {
		numeric(c, ERR_NEEDMOREPARAMS, cmd->name);
		return CMD_OK;
	}
	if ((cmd->flags & CMD_OPER) && !client_is_oper(c)) {
		numeric(c, ERR_NOPRIVILEGES);
		return CMD_OK;
	}
	return cmd->handler(c, m);
}
