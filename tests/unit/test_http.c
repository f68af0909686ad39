/* test_http.c - the pure parts of the [http] feature: the access rule
 * (http_access_check: bearer token, loopback-only without one), HTML
 * escaping and the clients-per-minute ring of the status page, and the
 * [http] configuration section (defaults, ranges, errors with lines). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>
#include <event2/buffer.h>

#include "core/config.h"
#include "http/http.h"
#include "http/status.h"

static struct sockaddr_in
v4(const char *a)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, a, &s.sin_addr), 1);
	return s;
}

static struct sockaddr_in6
v6(const char *a)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, a, &s.sin6_addr), 1);
	return s;
}

#define SA(x) ((const struct sockaddr *)(const void *)&(x))

START_TEST(access_without_token)
{
	struct sockaddr_in lo = v4("127.0.0.1"), lo2 = v4("127.9.8.7"), pub = v4("192.0.2.1");
	struct sockaddr_in6 lo6 = v6("::1"), mapped = v6("::ffff:127.0.0.1"),
			    pub6 = v6("2001:db8::1"), mappedpub = v6("::ffff:192.0.2.1");

	ck_assert_int_eq(http_access_check(SA(lo), NULL, NULL), HTTP_ALLOW);
	ck_assert_int_eq(http_access_check(SA(lo2), NULL, NULL), HTTP_ALLOW);
	ck_assert_int_eq(http_access_check(SA(lo6), NULL, NULL), HTTP_ALLOW);
	ck_assert_int_eq(http_access_check(SA(mapped), NULL, NULL), HTTP_ALLOW);
	ck_assert_int_eq(http_access_check(SA(pub), NULL, NULL), HTTP_FORBIDDEN);
	ck_assert_int_eq(http_access_check(SA(pub6), NULL, NULL), HTTP_FORBIDDEN);
	ck_assert_int_eq(http_access_check(SA(mappedpub), NULL, NULL), HTTP_FORBIDDEN);
	ck_assert_int_eq(http_access_check(NULL, NULL, NULL), HTTP_FORBIDDEN);
	/* a header does not open the door when no token is configured */
	ck_assert_int_eq(http_access_check(SA(pub), "Bearer anything-at-all-here", NULL),
	    HTTP_FORBIDDEN);
}
END_TEST

START_TEST(access_with_token)
{
	const char *tok = "s3cret-token-0123456789";
	struct sockaddr_in lo = v4("127.0.0.1"), pub = v4("192.0.2.1");

	ck_assert_int_eq(http_access_check(SA(pub), "Bearer s3cret-token-0123456789", tok),
	    HTTP_ALLOW);
	ck_assert_int_eq(http_access_check(SA(pub), "bearer  s3cret-token-0123456789", tok),
	    HTTP_ALLOW);
	/* loopback is no exception once a token is configured */
	ck_assert_int_eq(http_access_check(SA(lo), NULL, tok), HTTP_UNAUTHORIZED);
	ck_assert_int_eq(http_access_check(SA(pub), NULL, tok), HTTP_UNAUTHORIZED);
	ck_assert_int_eq(http_access_check(SA(pub), "Bearer s3cret-token-012345678", tok),
	    HTTP_UNAUTHORIZED);
	ck_assert_int_eq(http_access_check(SA(pub), "Bearer s3cret-token-01234567890", tok),
	    HTTP_UNAUTHORIZED);
	ck_assert_int_eq(http_access_check(SA(pub), "Bearer ", tok), HTTP_UNAUTHORIZED);
	ck_assert_int_eq(http_access_check(SA(pub), "Basic czNjcmV0", tok), HTTP_UNAUTHORIZED);
	ck_assert_int_eq(http_access_check(SA(pub), "s3cret-token-0123456789", tok),
	    HTTP_UNAUTHORIZED);
}
END_TEST

static char *
drain(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	return s;
}

START_TEST(html_escape)
{
	struct evbuffer *b = evbuffer_new();
	char *s;

	status_html_escape(b, "#a<script>alert('x')</script>&\"b\"");
	s = drain(b);
	ck_assert_str_eq(s, "#a&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;b&quot;");
	free(s);
	status_html_escape(b, "plain");
	status_html_escape(b, "");
	s = drain(b);
	ck_assert_str_eq(s, "plain");
	free(s);
	evbuffer_free(b);
}
END_TEST

START_TEST(ring)
{
	struct status_ring r;
	unsigned i;

	memset(&r, 0, sizeof(r));
	status_ring_add(&r, 100, 7);
	ck_assert_uint_eq(r.count, 1);
	for (i = 1; i <= STATUS_SAMPLES + 5; i++)
		status_ring_add(&r, 100 + 60 * (time_t)i, i);
	ck_assert_uint_eq(r.count, STATUS_SAMPLES); /* bounded: the last hour */
	/* oldest kept is sample 6 (1..65 added after the first: 65 - 60 + 1) */
	ck_assert_uint_eq(r.clients[(r.next + STATUS_SAMPLES - r.count) % STATUS_SAMPLES], 6);
	ck_assert_uint_eq(r.clients[(r.next + STATUS_SAMPLES - 1) % STATUS_SAMPLES],
	    STATUS_SAMPLES + 5);
}
END_TEST

static char path[256];

static const char *
write_conf(const char *text)
{
	int fd;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "/tmp/evircd-unit-http-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

START_TEST(config_http)
{
	char err[512];
	struct config *cfg = config_default();

	ck_assert(!cfg->http.enabled); /* off by default */
	config_free(cfg);

	cfg = config_load(write_conf("[http]\n"), err, sizeof(err));
	unlink(path);
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert(cfg->http.enabled);
	ck_assert_str_eq(cfg->http.address, "127.0.0.1"); /* loopback when on */
	ck_assert_uint_eq(cfg->http.port, HTTP_DEFAULT_PORT);
	ck_assert_ptr_null(cfg->http.token);
	ck_assert_uint_eq(cfg->http.max_connections, 16);
	ck_assert_uint_eq(cfg->http.timeout, 10);
	config_free(cfg);

	cfg =
	    config_load(write_conf("[http]\naddress = ::1\nport = 9100\n"
				   "token = abcdefghijklmnop\nmax_connections = 4\ntimeout = 3\n"),
		err, sizeof(err));
	unlink(path);
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg->http.address, "::1");
	ck_assert_uint_eq(cfg->http.port, 9100);
	ck_assert_str_eq(cfg->http.token, "abcdefghijklmnop");
	ck_assert_uint_eq(cfg->http.max_connections, 4);
	ck_assert_uint_eq(cfg->http.timeout, 3);
	config_free(cfg);

	ck_assert_ptr_null(
	    config_load(write_conf("[server]\n[http]\naddress = localhost\n"), err, sizeof(err)));
	unlink(path);
	ck_assert_msg(strstr(err, ":3: address: 'localhost' is not an IPv4 or IPv6") != NULL, "%s",
	    err);
	ck_assert_ptr_null(config_load(write_conf("[http]\ntoken = short\n"), err, sizeof(err)));
	unlink(path);
	ck_assert_msg(strstr(err, ":2: token:") != NULL, "%s", err);
	ck_assert_ptr_null(
	    config_load(write_conf("[http]\ntoken = has space in the token\n"), err, sizeof(err)));
	unlink(path);
	ck_assert_msg(strstr(err, ":2: token:") != NULL, "%s", err);
	ck_assert_ptr_null(config_load(write_conf("[http]\nport = 70000\n"), err, sizeof(err)));
	unlink(path);
	ck_assert_msg(strstr(err, "out of range") != NULL, "%s", err);
	ck_assert_ptr_null(
	    config_load(write_conf("[http]\nmax_connections = 0\n"), err, sizeof(err)));
	unlink(path);
	ck_assert_ptr_null(config_load(write_conf("[http]\ncolour = blue\n"), err, sizeof(err)));
	unlink(path);
	ck_assert_msg(strstr(err, "unknown key 'colour' in [http]") != NULL, "%s", err);
	ck_assert(config_addr_is_loopback("127.1.2.3"));
	ck_assert(config_addr_is_loopback("::1"));
	ck_assert(!config_addr_is_loopback("0.0.0.0"));
	ck_assert(!config_addr_is_loopback("::"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("http");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, access_without_token);
	tcase_add_test(tc, access_with_token);
	tcase_add_test(tc, html_escape);
	tcase_add_test(tc, ring);
	tcase_add_test(tc, config_http);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
