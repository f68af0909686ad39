/* test_command.c - the const command table: sorted by strcmp (bsearch needs
 * it), unique, every entry usable, command_find exact. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "cmd/command.h"
#include "proto/message.h"
#include "core/server.h"

START_TEST(sorted_unique)
{
	size_t i;

	ck_assert_uint_gt(command_count, 0);
	for (i = 1; i < command_count; i++)
		ck_assert_msg(strcmp(command_table[i - 1].name, command_table[i].name) < 0,
		    "table not strictly sorted at %zu: '%s' then '%s'", i,
		    command_table[i - 1].name, command_table[i].name);
}
END_TEST

START_TEST(entries_sane)
{
	const struct server *srv = NULL;
	size_t i;
	const char *p;

	/* the per-command counters in struct server must cover the table */
	ck_assert_uint_le(command_count, sizeof(srv->cmd_count) / sizeof(srv->cmd_count[0]));
	for (i = 0; i < command_count; i++) {
		const struct command *c = &command_table[i];
		ck_assert_ptr_nonnull(c->handler);
		ck_assert_uint_gt(strlen(c->name), 0);
		for (p = c->name; *p; p++)
			ck_assert_msg(*p >= 'A' && *p <= 'Z', "'%s' is not upper case", c->name);
		ck_assert_uint_le(c->min_params, IRC_MAX_PARAMS);
	}
}
END_TEST

START_TEST(find_each)
{
	size_t i;

	for (i = 0; i < command_count; i++)
		ck_assert_ptr_eq(command_find(command_table[i].name), &command_table[i]);
}
END_TEST

/* RFC 2812 §3 commands a client-server implementation must know. */
START_TEST(find_rfc_commands)
{
	static const char *const must[] = {
		"PASS",
		"NICK",
		"USER",
		"OPER",
		"MODE",
		"QUIT",
		"JOIN",
		"PART",
		"TOPIC",
		"NAMES",
		"LIST",
		"INVITE",
		"KICK",
		"PRIVMSG",
		"NOTICE",
		"MOTD",
		"LUSERS",
		"VERSION",
		"STATS",
		"LINKS",
		"TIME",
		"ADMIN",
		"INFO",
		"WHO",
		"WHOIS",
		"WHOWAS",
		"KILL",
		"PING",
		"PONG",
		"AWAY",
		"ISON",
		"USERHOST",
	};
	size_t i;

	for (i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		ck_assert_msg(command_find(must[i]) != NULL, "%s missing from the table", must[i]);
}
END_TEST

/* Issue 9 item 9: every command that can produce a reply costs fakelag;
 * only QUIT (it closes the connection) is free. */
START_TEST(every_reply_costs)
{
	size_t i;

	for (i = 0; i < command_count; i++) {
		const struct command *c = &command_table[i];
		if (strcmp(c->name, "QUIT") == 0)
			continue;
		ck_assert_msg(c->penalty >= 1, "%s costs no fakelag", c->name);
	}
}
END_TEST

START_TEST(find_unknown)
{
	ck_assert_ptr_null(command_find("FOO"));
	ck_assert_ptr_null(command_find(""));
	ck_assert_ptr_null(command_find("privmsg")); /* the parser upper-cases */
	ck_assert_ptr_null(command_find("PRIVMSGX"));
	ck_assert_ptr_null(command_find("PRIV"));
	ck_assert_ptr_null(command_find("AAAA"));
	ck_assert_ptr_null(command_find("ZZZZ"));
	ck_assert_ptr_null(command_find("001"));
}
END_TEST

/* Gate flags that the RFC makes observable: registration commands work
 * before registration (RFC 2812 §3.1), operator ones need +o (481). */
START_TEST(flags)
{
	static const char *const prereg[] = { "PASS", "NICK", "USER", "QUIT", "PING", "PONG",
		"CAP" };
	static const char *const reg[] = { "JOIN", "PRIVMSG", "MODE", "WHOIS", "OPER" };
	static const char *const oper[] = { "KILL", "DIE", "REHASH", "WALLOPS" };
	size_t i;

	for (i = 0; i < sizeof(prereg) / sizeof(prereg[0]); i++)
		ck_assert_msg(command_find(prereg[i])->flags & CMD_PREREG, "%s", prereg[i]);
	for (i = 0; i < sizeof(reg) / sizeof(reg[0]); i++)
		ck_assert_msg(!(command_find(reg[i])->flags & CMD_PREREG), "%s", reg[i]);
	for (i = 0; i < sizeof(oper) / sizeof(oper[0]); i++)
		ck_assert_msg(command_find(oper[i])->flags & CMD_OPER, "%s", oper[i]);
	ck_assert(!(command_find("OPER")->flags & CMD_OPER));
}
END_TEST

static Suite *
command_suite(void)
{
	Suite *s = suite_create("command");
	TCase *tc = tcase_create("table");

	tcase_set_timeout(tc, 5);
	tcase_add_test(tc, sorted_unique);
	tcase_add_test(tc, entries_sane);
	tcase_add_test(tc, find_each);
	tcase_add_test(tc, find_rfc_commands);
	tcase_add_test(tc, find_unknown);
	tcase_add_test(tc, every_reply_costs);
	tcase_add_test(tc, flags);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(command_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
