/* test_h_labeled.c - the labeled-response capture (net/capture.c): the
 * answer forms of the IRCv3 labeled-response spec (ACK, one labeled line,
 * a labeled-response batch), the echo of a message to oneself, and the
 * sendq bound while a command's output is captured (issue 9: it was
 * buffered without bound and only checked at the end). */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "core/client.h"
#include "core/config.h"
#include "core/event.h"
#include "core/server.h"

#include "harness.h"

/* fc_new_caps: register nick with the given capabilities. */
static struct fc *
fc_new_caps(struct harness *h, const char *nick, const char *caps)
{
	struct fc *f = fc_connect(h, nick);

	fc_send(f, "CAP LS 302");
	fc_send(f, "CAP REQ :%s", caps);
	fc_expect(f, "CAP \\* ACK");
	fc_send(f, "NICK %s", nick);
	fc_send(f, "USER %s 0 * :%s", nick, nick);
	fc_send(f, "CAP END");
	fc_expect(f, " (376|422) ");
	return f;
}

START_TEST(answer_forms)
{
	struct harness *h = h_new();
	struct fc *a = fc_new_caps(h, "alice", "labeled-response batch echo-message message-tags");
	const char *l;
	char bid[32];

	/* no output: ACK */
	fc_send(a, "@label=z1 PONG :x");
	fc_expect_next(a, "^@label=z1 :irc\\.test ACK$");
	/* one line: the label on it */
	fc_send(a, "@label=z2 PING :y");
	fc_expect_next(a, "^@label=z2 :irc\\.test PONG irc\\.test :y$");
	/* several lines: a batch; tagged lines get the batch tag first */
	fc_send(a, "JOIN #c0,#c1");
	fc_clear(a);
	fc_send(a, "@label=z3 PRIVMSG #c0,#c1 :hi");
	l = fc_expect_next(a, "^@label=z3 :irc\\.test BATCH \\+[^ ]+ labeled-response$");
	ck_assert_int_eq(sscanf(strstr(l, "BATCH +") + 7, "%31s", bid), 1);
	l = fc_expect_next(a, "^@batch=[^ ;]+;msgid=[^ ]+ :alice![^ ]+ PRIVMSG #c0 :hi$");
	ck_assert_ptr_nonnull(strstr(l, bid));
	l = fc_expect_next(a, "^@batch=[^ ;]+;msgid=[^ ]+ :alice![^ ]+ PRIVMSG #c1 :hi$");
	fc_expect_next(a, "^:irc\\.test BATCH -");
	/* a message to oneself: the delivery is not part of the response,
	 * only the echo is (capture_suspend) */
	fc_send(a, "@label=z4 PRIVMSG alice :me");
	fc_expect_next(a, "^@msgid=[^ ]+ :alice![^ ]+ PRIVMSG alice :me$");
	fc_expect_next(a, "^@label=z4;msgid=[^ ]+ :alice![^ ]+ PRIVMSG alice :me$");
	h_free(h);
}
END_TEST

static size_t peak;

/* on_message: runs between the deliveries of one labeled command, while
 * its echoes sit in the capture. */
static void
on_message(struct server *srv, const struct event_message *ev)
{
	size_t n = ev->source->capture ? evbuffer_get_length(ev->source->capture) : 0;

	if (n > peak)
		peak = n;
}

/* The captured output of one command counts against the sendq as it
 * grows: past it the client is closed with "SendQ exceeded" like for any
 * output, and the capture never holds much more than the sendq. */
START_TEST(capture_bounded_by_sendq)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a, *b;
	char text[301], targets[600];
	size_t len = 0;
	int i;

	cfg->sendq = 4096;
	cfg->max_targets = 40;
	h = h_new_cfg(cfg);
	ck_assert_int_eq(event_subscribe_message(h->srv, on_message), 0);
	a = fc_new_caps(h, "alice", "labeled-response batch echo-message");
	b = fc_new(h, "bob");
	for (i = 0; i < 30; i++) {
		fc_send(a, "JOIN #c%d", i);
		len += (size_t)snprintf(targets + len, sizeof(targets) - len, "%s#c%d",
		    i ? "," : "", i);
	}
	fc_send(b, "JOIN #c0");
	fc_clear(a);
	fc_clear(b);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	peak = 0;
	/* 30 echoes of ~340 bytes: about 10 KB for a 4 KB sendq */
	fc_send(a, "@label=big PRIVMSG %s :%s", targets, text);
	ck_assert_uint_gt(peak, 0);
	ck_assert_uint_le(peak, 4096 + 512);
	fc_expect(a, "^ERROR :Closing Link: .*SendQ exceeded");
	ck_assert(fc_gone(a));
	fc_expect(b, PFX("alice") "QUIT :.*SendQ exceeded");
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_labeled");
	TCase *tc;

	tc = h_tcase(s, "capture", 10);
	tcase_add_test(tc, answer_forms);
	tcase_add_test(tc, capture_bounded_by_sendq);
	return h_run_suite(s);
}
