/* test_log.c - the log outputs never wait (core/log.h): stderr through the
 * bounded queue the loop flushes (a pipe nobody reads: lines past the queue
 * are dropped and counted, then reported as "N log lines dropped" once the
 * pipe drains), and syslog as non-blocking datagrams (a socket nobody
 * reads: datagrams dropped and counted, the count sent first when the
 * socket takes them again). Each test runs in its own process (CK_FORK). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>
#include <event2/event.h>

#include "core/log.h"

/* drain: read what the non-blocking fd holds into buf (NUL-terminated). */
static size_t
drain(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n;
}

START_TEST(stderr_pipe_unread)
{
	struct event_base *base = event_base_new();
	int p[2], i;
	uint64_t dropped;
	static char buf[1 << 20];
	const char *note;

	ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
	(void)fcntl(p[0], 1031 /* F_SETPIPE_SZ */, 4096);
	ck_assert_int_eq(dup2(p[1], 2), 2);
	ck_assert_int_eq(log_attach(base), 0);
	/* 4 000 lines of ~90 bytes: 360 KB, far past pipe + 64 KiB queue;
	 * each call returns (a blocking write would hang the test) */
	for (i = 0; i < 4000; i++)
		log_info("line %d of the test, padded to about ninety bytes in all........", i);
	dropped = log_dropped_total();
	ck_assert_uint_gt(dropped, 0);
	ck_assert_uint_lt(dropped, 4000);
	/* the reader starts: the loop writes the queue, then the count */
	for (i = 0; i < 1000; i++) {
		size_t n = strlen(buf);
		drain(p[0], buf + n, sizeof(buf) - n);
		if (strstr(buf, "log lines dropped\n") != NULL)
			break;
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	}
	note = strstr(buf, "warning: ");
	ck_assert_ptr_nonnull(note);
	ck_assert_uint_eq(strtoull(note + 9, NULL, 10), dropped);
	/* in order: line 0 first; the note follows the last line queued */
	ck_assert_ptr_nonnull(strstr(buf, "info: line 0 of the test"));
	ck_assert_ptr_null(strstr(note, "info: line "));
	log_info("after");
	log_detach();
	drain(p[0], buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "info: after\n"));
	event_base_free(base);
}
END_TEST

START_TEST(syslog_socket_unread)
{
	char dir[] = "/tmp/evircd-log-XXXXXX", path[108], buf[2048], want[64];
	struct sockaddr_un sun;
	int s, i, fd;
	uint64_t dropped;
	ssize_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	fd = open("/dev/null", O_WRONLY);
	dup2(fd, 2); /* the stderr copies of the lines */
	log_syslog_path(1, LOG_LOCAL3, path);
	/* more datagrams than the receive queue holds (max_dgram_qlen) */
	for (i = 0; i < 5000; i++)
		log_info("syslog line %d", i);
	dropped = log_dropped_total();
	ck_assert_uint_gt(dropped, 0);
	n = recv(s, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	/* RFC 3164: <PRI> with PRI = local3 (19) * 8 + info (6) */
	ck_assert_msg(strncmp(buf, "<158>", 5) == 0 && strstr(buf, " evircd[") &&
		strstr(buf, "]: syslog line 0"),
	    "%s", buf);
	while (recv(s, buf, sizeof(buf) - 1, 0) > 0)
		;
	log_info("after");
	n = recv(s, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "]: %" PRIu64 " log lines dropped", dropped);
	ck_assert_msg(strncmp(buf, "<156>", 5) == 0 && strstr(buf, want), "%s", buf);
	n = recv(s, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strstr(buf, "]: after") != NULL, "%s", buf);
	log_syslog(0, 0);
	close(s);
	unlink(path);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, stderr_pipe_unread);
	tcase_add_test(tc, syslog_socket_unread);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
