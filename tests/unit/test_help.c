/* test_help.c - the HELP/HELPOP text (docs/help.txt, loaded by
 * config_load_help): every command of the command table has a topic, the
 * file's format is checked and its bounds hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "cmd/command.h"
#include "core/config.h"

static struct config *
load(const char *path, int want)
{
	struct config *cfg = config_default();
	char err[512] = "";

	cfg->help_file = strdup(path);
	ck_assert_int_eq(config_load_help(cfg, err, sizeof(err)) == 0 ? 0 : -1, want);
	if (want < 0)
		ck_assert_msg(err[0] != '\0', "no error text");
	return cfg;
}

/* the shipped file: one non-empty topic per command (and the index) */
START_TEST(every_command_has_help)
{
	struct config *cfg = load(EVIRCD_HELP_TXT, 0);
	size_t i;

	for (i = 0; i < command_count; i++) {
		const struct help_topic *t = config_help_find(cfg, command_table[i].name);
		ck_assert_msg(t != NULL && t->nlines > 0, "no HELP topic for %s",
		    command_table[i].name);
	}
	ck_assert_ptr_nonnull(config_help_find(cfg, "INDEX"));
	ck_assert_ptr_nonnull(config_help_find(cfg, "join")); /* case-insensitive */
	ck_assert_ptr_null(config_help_find(cfg, "NOSUCHTOPIC"));
	config_free(cfg);
}
END_TEST

static char *
write_tmp(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/evircd-help-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* malformed files are configuration errors; a missing configured file too */
START_TEST(format_errors)
{
	const char *bad[] = {
		"text before a topic\n[A]\nx\n", "[]\nx\n", "[TWO WORDS]\nx\n", "[A\nx\n",
		"[A]\nx\n[a]\ny\n", /* the same topic twice */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *p = write_tmp(bad[i]);
		config_free(load(p, -1));
		unlink(p);
	}
	config_free(load("/nonexistent/help.txt", -1));
}
END_TEST

/* lines are cut at HELP_LINE_MAX, comments skipped, trailing blank lines
 * dropped, topics past HELP_TOPICS_MAX left out */
START_TEST(bounds)
{
	size_t n = 64 * 1024, i, o = 0;
	char *text = malloc(n), *p;
	struct config *cfg;
	const struct help_topic *t;

	ck_assert_ptr_nonnull(text);
	o += (size_t)snprintf(text + o, n - o, "# comment\n[LONG]\n");
	memset(text + o, 'x', 1000);
	o += 1000;
	o += (size_t)snprintf(text + o, n - o, "\nsecond\n\n\n");
	for (i = 0; i < HELP_TOPICS_MAX + 10; i++)
		o += (size_t)snprintf(text + o, n - o, "[T%zu]\nline\n", i);
	p = write_tmp(text);
	cfg = load(p, 0);
	unlink(p);
	t = config_help_find(cfg, "long");
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->nlines, 2);
	ck_assert_uint_eq(strlen(t->lines[0]), HELP_LINE_MAX);
	ck_assert_str_eq(t->lines[1], "second");
	ck_assert_uint_eq(cfg->nhelp, HELP_TOPICS_MAX);
	config_free(cfg);
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("help");
	TCase *tc = tcase_create("help");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, every_command_has_help);
	tcase_add_test(tc, format_errors);
	tcase_add_test(tc, bounds);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
