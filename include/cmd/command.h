/* command.h - the const command table and its central gate (registration
 * state, parameter count, operator rights, penalty), RFC 2812 §3. */
#ifndef EVIRCD_COMMAND_H
#define EVIRCD_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/client.h" /* enum cmd_result */
#include "net/close.h"
#include "net/output.h"

struct channel;
struct irc_msg;

typedef enum cmd_result (*cmd_handler)(struct client *c, struct irc_msg *m);

enum cmd_flags {
	CMD_PREREG = 1u << 0, /* allowed before registration */
	CMD_OPER = 1u << 1, /* needs +o, else 481 */
};

/* One command: name (upper case), handler, minimum parameter count (461
 * below it), flags, fakelag penalty in seconds. */
struct command {
	const char *name;
	cmd_handler handler;
	uint8_t min_params;
	uint8_t flags;
	uint8_t penalty;
};

extern const struct command command_table[];
extern const size_t command_count;

/* command_find: bsearch the sorted table for verb (upper case). NULL if none. */
const struct command *command_find(const char *verb);
/* command_dispatch: the gate and the call. */
enum cmd_result command_dispatch(struct client *c, struct irc_msg *m);

/* Handlers, one line per file. */
#define CMD(name) enum cmd_result cmd_##name(struct client *c, struct irc_msg *m)
CMD(pass);
CMD(nick);
CMD(user);
CMD(ping);
CMD(pong);
CMD(quit); /* cmd_register.c */
CMD(cap); /* cmd_cap.c */
CMD(join);
CMD(part);
CMD(topic);
CMD(names);
CMD(list);
CMD(invite);
CMD(kick);
CMD(knock); /* cmd_channel.c */
CMD(privmsg);
CMD(notice);
CMD(tagmsg); /* cmd_message.c */
CMD(away);
CMD(setname); /* cmd_user.c */
CMD(mode); /* cmd_mode.c */
CMD(who);
CMD(whois);
CMD(whowas);
CMD(ison);
CMD(userhost);
CMD(motd);
CMD(lusers);
CMD(version);
CMD(time);
CMD(admin);
CMD(info);
CMD(stats);
CMD(links);
CMD(summon);
CMD(users);
CMD(help); /* cmd_query.c */
CMD(chathistory);
CMD(histserv); /* history.c */
CMD(markread); /* readmark.c */
CMD(redact); /* redact.c */
/* redact_apply: a REDACT of msgid by src that is allowed (cmd_redact
 * checked, or a link's server did): the history row(s) of key ("" = none
 * here) go, the REDACT line (with tags, tlen bytes: its own msgid) goes
 * to the local recipients of ch, or to t, that have the capability, and
 * EVENT_REDACT is published (links); to src as well when to_src (a
 * local source). reason may be NULL. */
void redact_apply(struct client *src, struct channel *ch, struct client *t, const char *key,
    const char *msgid, const char *reason, const char *tags, size_t tlen, bool to_src);
CMD(batch); /* multiline.c */
/* multiline_intercept: a line of c's open draft/multiline batch
 * (c->ml) is taken into it (true: the line is handled) or ends it with a
 * FAIL; false: dispatch it as usual. Called by the gate after the
 * penalty, so every line of a batch is charged fakelag. */
bool multiline_intercept(struct client *c, struct irc_msg *m);
/* message_filter_client_tags: CLIENTTAGDENY applied to raw client-only
 * tags in place; NULL when none is left (cmd_message.c). */
char *message_filter_client_tags(struct server *srv, char *tags);
/* message_channel_refused: c may not send text to ch (+n, +m, bans, +C
 * for a CTCP, +M): the numeric is sent unless notice; true when refused
 * (cmd_message.c, the checks of PRIVMSG). */
bool message_channel_refused(struct client *c, struct channel *ch, const char *text, bool notice);
CMD(oper);
CMD(kill);
CMD(wallops);
CMD(rehash);
CMD(die);
CMD(kline);
CMD(unkline);
CMD(dline);
CMD(undline); /* cmd_oper.c */
CMD(monitor); /* monitor.c */
CMD(metadata); /* metadata.c */
CMD(authenticate);
CMD(register);
CMD(verify); /* account.c */
#undef CMD

/* Helpers shared by the command families. */
/* register_try: complete registration when NICK, USER (and PASS, CAP END)
 * are all in; sends the welcome burst. Returns CMD_CLOSE if closed. */
enum cmd_result register_try(struct client *c);
/* register_verified: the connection password check ended (cmd/pwcheck.c);
 * records it and carries on with register_try. */
enum cmd_result register_verified(struct client *c, bool ok);
/* oper_verified: the OPER password check for the [oper] block named oper
 * ended (cmd/pwcheck.c): +o, or 464 and the failure's penalty. */
enum cmd_result oper_verified(struct client *c, const char *oper, bool ok);
/* send_lusers / send_motd: the LUSERS and MOTD replies (also in the burst). */
void send_lusers(struct client *c);
/* send_isupport: the RPL_ISUPPORT (005) lines: srv->isupport packed at most
 * 13 tokens (Modern IRC "RPL_ISUPPORT") and 512 bytes to a line. */
void send_isupport(struct client *c);
void send_motd(struct client *c);
/* send_names: RPL_NAMREPLY lines and RPL_ENDOFNAMES for ch (or the end only
 * when ch is NULL, with name). */
void send_names(struct client *c, struct channel *ch, const char *name);
/* part_all: leave every channel (JOIN 0), PART broadcast for each. */
void part_all(struct client *c, const char *reason);
/* topic_change: the one way a channel's topic changes (TOPIC from a local
 * client, TOPIC and CHANINFO from a link): store text (len bytes, already
 * cut to TOPICLEN; len 0 clears it) with setter ("nick!user@host" or a
 * server name) and the clock, send ":setter TOPIC #chan :text" to the
 * members, and publish EVENT_TOPIC with by (NULL for a server). */
void topic_change(struct server *srv, struct channel *ch, struct client *by, const char *setter,
    const char *text, size_t len);
/* mode_broadcast: tell ch's members about applied mode changes ml (already
 * applied to ch) from source, or from the server when source is NULL
 * (server-set modes): as many MODE lines as needed, each within 512 bytes
 * with exactly its letters' parameters (mode_lines_pack), and one
 * EVENT_MODE per line. Every channel MODE line goes through here. */
/* wallops_send: ":<from> WALLOPS :<text>" to every local +w user (from is
 * a nick!user@host or a server name). A scan of the local clients: WALLOPS
 * is a rare operator command, never a per-message path. */
void wallops_send(struct server *srv, const char *from, const char *text);
struct mode_lines;
void mode_broadcast(struct server *srv, struct channel *ch, struct client *source,
    const struct mode_lines *ml);

#endif
