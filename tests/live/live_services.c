/*
 * live_services: the real services packages of Debian linked to evircd
 * (docs/NETWORK.md "Services"): Atheme (`atheme-services`, its
 * protocol/ngircd module) and Anope (`anope`, its ngircd module), each
 * started here on loopback with a generated configuration in a temp dir,
 * linked to server a.test of a two-server evircd network (b.test behind
 * it), and driven by clients on both servers: NickServ REGISTER, LOGOUT
 * and IDENTIFY with the account shown on both servers (900/901,
 * account-notify, WHOIS 330, extended-join), ChanServ REGISTER and ops on
 * join, a host set by services (CHGHOST), a services KILL, a forced nick
 * change (Anope's SVSNICK), a services restart that keeps logins (the
 * burst's METADATA), and the netsplit of the services server.
 *
 * As root, both are run as nobody (setpriv from util-linux): Anope sleeps
 * three seconds complaining about root, and neither needs privileges.
 * Each test skips itself when its program is missing; the whole suite
 * exits 77 when neither is installed (Debian: atheme-services, anope).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "limhelp.h"
#include "livelib.h"
#include "nglib.h"

#define ATHEME_BIN   "/usr/bin/atheme-services"
#define ANOPE_BIN    "/usr/sbin/anope"
#define ANOPE_LIBDIR "/usr/lib/anope" /* its modules are in .../modules */
#define SRV_B	     "^:b\\.test "
#define LINK_T	     15000 /* a link (and a services burst) comes up within this */
#define SVC_T	     15000 /* services answer within this (valgrind is slow) */

/* The services process of the running test and its directory. */
static pid_t svc_pid = -1;
static char svc_dir[64];

static int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
svc_teardown(void)
{
	ng_stop();
	if (svc_pid > 0) {
		kill(svc_pid, SIGKILL);
		waitpid(svc_pid, NULL, 0);
		svc_pid = -1;
	}
	if (svc_dir[0] != '\0' && getenv("LIVE_KEEP") == NULL)
		nftw(svc_dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	svc_dir[0] = '\0';
}

/* svc_file: write text to name in the services directory (readable by
 * nobody); returns its path (rotating buffers). */
static const char *
svc_file(const char *name, const char *text)
{
	static char path[4][160];
	static unsigned next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", svc_dir, name);
	f = fopen(p, "w");
	ck_assert_msg(f != NULL, "%s: %s", p, strerror(errno));
	fputs(text, f);
	fclose(f);
	chmod(p, 0644);
	return p;
}

/* svc_log_tail: the end of the services program's output (for failures). */
static const char *
svc_log_tail(void)
{
	static char buf[3000];
	char path[160];
	FILE *f;
	long size;
	size_t n;

	snprintf(path, sizeof(path), "%s/out.log", svc_dir);
	buf[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return buf;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0, SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* svc_spawn: run argv (the services program) with its output in
 * out.log; as root, as nobody (setpriv). */
static void
svc_spawn(char *const argv[])
{
	char out[160];

	snprintf(out, sizeof(out), "%s/out.log", svc_dir);
	svc_pid = fork();
	ck_assert_int_ge(svc_pid, 0);
	if (svc_pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		int log = open(out, O_WRONLY | O_CREAT | O_APPEND, 0666);
		char *args[32];
		int i = 0, j;

		dup2(null, 0);
		if (getenv("LIVE_VERBOSE") == NULL && log >= 0) {
			dup2(log, 1);
			dup2(log, 2);
		}
		if (geteuid() == 0) {
			args[i++] = (char *)"setpriv";
			args[i++] = (char *)"--reuid=nobody";
			args[i++] = (char *)"--regid=nogroup";
			args[i++] = (char *)"--clear-groups";
		}
		for (j = 0; argv[j] != NULL && i < 31; j++)
			args[i++] = argv[j];
		args[i] = NULL;
		execvp(args[0], args);
		_exit(127);
	}
}

/* svc_mkdir: a fresh directory the services program (maybe nobody) may
 * write in. */
static void
svc_mkdir(void)
{
	const char *root = getenv("LIVE_TMPDIR");

	/* inside the suite's temp root (live_run removes it even after a
	 * failed test), which nobody may cross but not list */
	if (root == NULL || *root == '\0' || strlen(root) > 40)
		root = "/tmp"; /* svc_dir's paths stay short */
	else
		chmod(root, 0711);
	snprintf(svc_dir, sizeof(svc_dir), "%s/services-XXXXXX", root);
	ck_assert_msg(mkdtemp(svc_dir) != NULL, "mkdtemp: %s", strerror(errno));
	chmod(svc_dir, 0777);
}

/* net_start: a.test (the services uplink) and b.test linked to it; both
 * name services.test as the services server. */
static void
net_start(struct srv **a, struct srv **b)
{
	char conf[512];

	*a = srv_start("[server]\nname = a.test\n"
		       "[link]\nname = b.test\npassword = abpw\nhub = yes\n"
		       "[link]\nname = services.test\npassword = svcpw\nservices = yes\n");
	snprintf(conf, sizeof(conf),
	    "[server]\nname = b.test\n"
	    "[link]\nname = a.test\naddress = 127.0.0.1\nport = %d\npassword = abpw\nhub = yes\n"
	    "autoconnect = yes\nconnect_retry = 1\n"
	    "[link]\nname = services.test\nservices = yes\n",
	    (*a)->port);
	*b = srv_start(conf);
	ck_assert_msg(srv_log_wait(*b, "link a\\.test: burst complete", LINK_T),
	    "b never linked:\n%s", srv_log_tail(*b));
	ck_assert_msg(srv_log_wait(*a, "link b\\.test: burst complete", LINK_T),
	    "a never linked b:\n%s", srv_log_tail(*a));
}

/* services_up: the services server linked to a and its pseudo-clients
 * are known on b. */
static void
services_up(struct srv *a, struct srv *b)
{
	ck_assert_msg(srv_log_wait(a, "link services\\.test: burst complete", LINK_T),
	    "services did not link:\n%s\n--- services:\n%s", srv_log_tail(a), svc_log_tail());
	ck_assert_msg(srv_log_wait(b, "event=connect nick=ChanServ ", LINK_T),
	    "b does not know ChanServ:\n%s", srv_log_tail(b));
}

/* client: nick on s with the capabilities that show accounts and hosts, known on
 * the other server (other) too. */
static struct cl *
client(struct srv *s, struct srv *other, const char *nick)
{
	struct cl *c = cl_connect(s->port);
	char re[96];

	snprintf(c->name, sizeof(c->name), "%s", nick);
	cl_send(c, "CAP REQ :account-notify extended-join chghost");
	cl_send(c, "CAP END");
	cl_register(c, nick);
	snprintf(re, sizeof(re), "event=connect nick=%s ", nick);
	ck_assert_msg(srv_log_wait(other, re, LINK_T), "%s not known across", nick);
	return c;
}

/* b_knows: what a (on a.test) did before is known on b.test: a message
 * from a to b comes after it on the same link. */
static void
b_knows(struct cl *a, struct cl *b)
{
	char re[200];

	cl_send(a, "PRIVMSG %s :sync", b->name);
	snprintf(re, sizeof(re), "^:%s![^ ]+ PRIVMSG %s :sync$", a->name, b->name);
	cl_expect(b, re, SVC_T);
}

/* ---- Atheme ---- */

static const char atheme_conf[] =
    "loadmodule \"modules/protocol/ngircd\";\n"
    /* evircd has no q/a/h member modes: Atheme must not use them */
    "loadmodule \"modules/protocol/mixin_noowner\";\n"
    "loadmodule \"modules/protocol/mixin_noprotect\";\n"
    "loadmodule \"modules/protocol/mixin_nohalfops\";\n"
    "loadmodule \"modules/backend/opensex\";\n"
    "loadmodule \"modules/crypto/pbkdf2v2\";\n"
    "loadmodule \"modules/nickserv/main\";\n"
    "loadmodule \"modules/nickserv/register\";\n"
    "loadmodule \"modules/nickserv/identify\";\n"
    "loadmodule \"modules/nickserv/logout\";\n"
    "loadmodule \"modules/nickserv/ghost\";\n"
    "loadmodule \"modules/nickserv/info\";\n"
    "loadmodule \"modules/nickserv/vhost\";\n"
    "loadmodule \"modules/chanserv/main\";\n"
    "loadmodule \"modules/chanserv/register\";\n"
    "loadmodule \"modules/chanserv/op\";\n"
    "serverinfo {\n"
    "  name = \"services.test\"; desc = \"Atheme test services\"; numeric = \"00A\";\n"
    "  recontime = 2; netname = \"TestNet\"; hidehostsuffix = \"users.test\";\n"
    "  adminname = \"test\"; adminemail = \"test@test\"; registeremail = \"noreply@test\";\n"
    "  mta = \"/bin/false\"; loglevel = { error; info; admin; network; };\n"
    "  maxlogins = 5; maxusers = 5; mdlimit = 30; emaillimit = 10; emailtime = 300;\n"
    "  auth = none; casemapping = rfc1459;\n"
    "};\n"
    "uplink \"a.test\" { host = \"127.0.0.1\"; password = \"svcpw\"; port = %d; };\n"
    "nickserv { nick = \"NickServ\"; user = \"NickServ\"; host = \"services.test\";\n"
    "  real = \"Nickname Services\"; };\n"
    "chanserv { nick = \"ChanServ\"; user = \"ChanServ\"; host = \"services.test\";\n"
    "  real = \"Channel Services\"; };\n"
    "operclass \"vhoster\" { privs { user:vhost; }; };\n"
    "operator \"alice\" { operclass = \"vhoster\"; };\n"
    "general { join_chans; leave_chans; cflags = { guard; }; flood_msgs = 0;\n"
    "  commit_interval = 5; uplink_sendq_limit = 1048576; language = \"en\"; };\n";

static int
atheme_installed(void)
{
	return access(ATHEME_BIN, X_OK) == 0;
}

/* atheme_start: Atheme linked to a (port) with a generated configuration. */
static void
atheme_start(int port)
{
	char text[sizeof(atheme_conf) + 64], conf[160], out[160], pid[160];

	if (svc_dir[0] == '\0') /* a restart keeps its directory and database */
		svc_mkdir();
	snprintf(text, sizeof(text), atheme_conf, port);
	snprintf(conf, sizeof(conf), "%s", svc_file("atheme.conf", text));
	snprintf(out, sizeof(out), "%s/atheme.log", svc_dir);
	snprintf(pid, sizeof(pid), "%s/atheme.pid", svc_dir);
	/* -n: no fork (its log on stdout); -D: its database here */
	svc_spawn((char *const[]){ (char *)ATHEME_BIN, (char *)"-n", (char *)"-c", conf,
	    (char *)"-D", svc_dir, (char *)"-l", out, (char *)"-p", pid, NULL });
}

/* Atheme on a.test, clients on a.test and b.test: NickServ and ChanServ
 * work from both servers, ChanServ ops a founder, NickServ GHOST kills,
 * and the netsplit of services.test removes its pseudo-clients. */
START_TEST(t_services_atheme)
{
	struct srv *a, *b;
	struct cl *alice, *bob, *dave;

	net_start(&a, &b);
	atheme_start(a->port);
	services_up(a, b);
	alice = client(a, b, "alice");
	bob = client(b, a, "bob");
	cl_join(alice, "#c");
	b_knows(alice, bob);
	cl_join(bob, "#c");
	cl_expect(alice, PFX("bob") "JOIN #c( |$)", LIVE_T);

	/* NickServ REGISTER, from a.test and from b.test */
	cl_send(alice, "PRIVMSG NickServ :REGISTER secretpw alice@example.com");
	/* services log her in (METADATA accountname): 900 and +r here,
	 * account-notify and WHOIS 330 on the other server */
	cl_expect(alice, "^:a\\.test 900 alice alice![^ ]+ alice :", SVC_T);
	cl_expect(alice,
	    "^:NickServ!NickServ@services\\.test NOTICE alice :.*alice.* is now registered to .*alice@example\\.com",
	    SVC_T);
	cl_expect(bob, PFX("alice") "ACCOUNT alice$", SVC_T);
	cl_send(bob, "WHOIS alice");
	cl_expect(bob, SRV_B "330 bob alice alice :is logged in as$", LIVE_T);
	cl_send(bob, "PRIVMSG NickServ :REGISTER bobpw1234 bob@example.com");
	cl_expect(bob,
	    "^:NickServ!NickServ@services\\.test NOTICE bob :.*bob.* is now registered to .*bob@example\\.com",
	    SVC_T);
	cl_expect(alice, PFX("bob") "ACCOUNT bob$", SVC_T);
	/* LOGOUT (services log her out: 901, ACCOUNT *) and IDENTIFY */
	cl_send(alice, "PRIVMSG NickServ :LOGOUT");
	cl_expect(alice,
	    "^:NickServ!NickServ@services\\.test NOTICE alice :You have been logged out", SVC_T);
	cl_expect(alice, "^:a\\.test 901 alice ", SVC_T);
	cl_expect(bob, PFX("alice") "ACCOUNT \\*$", SVC_T);
	cl_send(bob, "WHOIS alice");
	cl_expect_none(bob, " 330 bob alice ", LIVE_T);
	cl_send(alice, "PRIVMSG NickServ :IDENTIFY wrongpw");
	cl_expect(alice, "^:NickServ!NickServ@services\\.test NOTICE alice :Invalid password",
	    SVC_T);
	cl_send(alice, "PRIVMSG NickServ :IDENTIFY secretpw");
	cl_expect(alice,
	    "^:NickServ!NickServ@services\\.test NOTICE alice :You are now identified for", SVC_T);
	cl_expect(bob, PFX("alice") "ACCOUNT alice$", SVC_T);

	/* ChanServ REGISTER: ChanServ joins (guard); ops on join */
	cl_send(alice, "PRIVMSG ChanServ :REGISTER #c");
	cl_expect(alice,
	    "^:ChanServ!ChanServ@services\\.test NOTICE alice :.*#c.* is now registered", SVC_T);
	cl_expect(bob, "^:ChanServ!ChanServ@services\\.test JOIN #c", SVC_T);
	cl_send(alice, "PART #c");
	cl_expect(bob, PFX("alice") "PART #c", LIVE_T);
	cl_send(alice, "JOIN #c");
	cl_expect(alice, PFX("alice") "JOIN #c", LIVE_T);
	/* extended-join on the other server carries her account */
	cl_expect(bob, PFX("alice") "JOIN #c alice :Real alice$", LIVE_T);
	cl_expect(alice, "^:ChanServ!ChanServ@services\\.test MODE #c \\+o alice$", SVC_T);
	cl_expect(bob, "^:ChanServ!ChanServ@services\\.test MODE #c \\+o alice$", SVC_T);
	cl_send(bob, "NAMES #c");
	cl_expect(bob, SRV_B "353 bob = #c :.*@alice", LIVE_T);

	/* a host from services (NickServ VHOST: METADATA cloakhost and
	 * MODE +x): CHGHOST to chghost clients on both servers */
	cl_send(alice, "PRIVMSG NickServ :VHOST alice ON cloak.example");
	cl_expect(alice, PFX("alice") "CHGHOST ~?alice cloak\\.example$", SVC_T);
	cl_expect(bob, PFX("alice") "CHGHOST ~?alice cloak\\.example$", SVC_T);
	cl_send(bob, "WHOIS alice");
	cl_expect(bob, SRV_B "311 bob alice ~?alice cloak\\.example \\* :", LIVE_T);

	/* a services KILL (GHOST): dave on a.test holds bob's nick */
	cl_send(bob, "NICK bob_");
	cl_expect(bob, PFX("bob") "NICK :bob_$", LIVE_T);
	cl_expect(alice, PFX("bob") "NICK :bob_$", LIVE_T); /* a.test knows */
	dave = cl_new(a, "bob");
	cl_join(dave, "#c");
	cl_expect(alice, PFX("bob") "JOIN #c( |$)", LIVE_T);
	cl_send(bob, "PRIVMSG NickServ :GHOST bob");
	cl_expect(dave, "^ERROR :Closing Link: [^ ]+ \\(Killed \\(NickServ ", SVC_T);
	cl_expect(alice, PFX("bob") "QUIT :Killed \\(NickServ ", LIVE_T);
	cl_expect(bob, PFX("bob") "QUIT :Killed \\(NickServ ", LIVE_T);
	cl_send(bob, "NICK bob");
	cl_expect(bob, PFX("bob_") "NICK :bob$", LIVE_T);

	/* services restart (SIGTERM: Atheme saves its database and leaves);
	 * the burst at the relink tells it who is logged in (METADATA
	 * accountname) and it keeps them so: alice can LOGOUT */
	kill(svc_pid, SIGTERM);
	waitpid(svc_pid, NULL, 0);
	svc_pid = -1;
	ck_assert_msg(srv_log_wait(a, "netsplit: services\\.test", LINK_T), "no split");
	atheme_start(a->port);
	cl_expect(bob, "^:ChanServ!ChanServ@services\\.test JOIN #c", SVC_T); /* guard */
	cl_send(alice, "PRIVMSG NickServ :LOGOUT");
	cl_expect(alice,
	    "^:NickServ!NickServ@services\\.test NOTICE alice :You have been logged out", SVC_T);
	cl_expect(bob, PFX("alice") "ACCOUNT \\*$", SVC_T);
	cl_send(alice, "PRIVMSG NickServ :IDENTIFY secretpw"); /* the account was kept */
	cl_expect(bob, PFX("alice") "ACCOUNT alice$", SVC_T);

	/* netsplit of the services server: its pseudo-clients quit on both */
	kill(svc_pid, SIGKILL);
	waitpid(svc_pid, NULL, 0);
	svc_pid = -1;
	cl_expect(alice, "^:ChanServ!ChanServ@services\\.test QUIT :a\\.test services\\.test$",
	    LIVE_T);
	cl_expect(bob, "^:ChanServ!ChanServ@services\\.test QUIT :[ab]\\.test services\\.test$",
	    LIVE_T);
	cl_send(bob, "WHOIS NickServ");
	cl_expect(bob, SRV_B "401 bob NickServ ", LIVE_T);
	cl_send(alice, "PRIVMSG NickServ :HELP");
	cl_expect(alice, "^:a\\.test 401 alice NickServ ", LIVE_T);
}
END_TEST

/* Atheme behind evircd, a user on the real ngIRCd (Debian) linked to the
 * same evircd: NickServ answers her and ngIRCd shows her account (330). */
START_TEST(t_services_atheme_ngircd)
{
	int port = live_free_port();
	char conf[512];
	struct srv *a;
	struct cl *alice, *nina;

	ck_assert_msg(ng_start(port, "", NULL) == 0, "ngircd did not start");
	snprintf(conf, sizeof(conf),
	    "[server]\nname = a.test\n"
	    "[link]\nname = ng.test\naddress = 127.0.0.1\nport = %d\n"
	    "send_password = toevng\naccept_password = frominng\nautoconnect = yes\n"
	    "connect_retry = 1\n"
	    "[link]\nname = services.test\npassword = svcpw\nservices = yes\n",
	    port);
	a = srv_start(conf);
	ck_assert_msg(srv_log_wait(a, "link ng\\.test: burst complete", LINK_T),
	    "no link to ngircd:\n%s", srv_log_tail(a));
	atheme_start(a->port);
	ck_assert_msg(srv_log_wait(a, "link services\\.test: burst complete", LINK_T),
	    "services did not link:\n%s\n--- services:\n%s", srv_log_tail(a), svc_log_tail());
	alice = client(a, a, "alice");
	nina = cl_connect(port);
	nina->strict = 0; /* ngIRCd's lines, not ours */
	snprintf(nina->name, sizeof(nina->name), "nina");
	cl_send(nina, "NICK nina");
	cl_send(nina, "USER nina 0 * :Nina N");
	cl_expect(nina, "^:ng\\.test 376 nina ", 10000);
	ck_assert_msg(srv_log_wait(a, "event=connect nick=nina ", LINK_T), "nina not known");
	cl_send(nina, "PRIVMSG NickServ :REGISTER ninapw123 nina@example.com");
	cl_expect(nina,
	    "^:NickServ!NickServ@services\\.test NOTICE nina :.*nina.* is now registered", SVC_T);
	/* ngIRCd took the account from the METADATA (through evircd) */
	cl_send(nina, "WHOIS nina");
	cl_expect(nina, "^:ng\\.test 330 nina nina nina :", 10000);
	cl_send(alice, "WHOIS nina");
	cl_expect(alice, "^:a\\.test 330 alice nina nina :is logged in as$", LIVE_T);
}
END_TEST

/* ---- Anope ---- */

static const char anope_conf[] =
    "uplink { host = \"127.0.0.1\"; ipv6 = no; ssl = no; port = %d; password = \"svcpw\"; }\n"
    "serverinfo { name = \"services.test\"; description = \"Anope test services\";\n"
    "  pid = \"%s/anope.pid\"; motd = \"%s/services.motd\"; }\n"
    "module { name = \"ngircd\"; }\n"
    "networkinfo { networkname = \"TestNet\"; nicklen = 30; userlen = 10; hostlen = 64;\n"
    "  chanlen = 32; modelistsize = 100; vhost_chars = \"abcdefghijklmnopqrstuvwxyz.-\";\n"
    "  allow_undotted_vhosts = false; disallow_start_or_end = \".-\"; }\n"
    "options { casemap = \"ascii\"; strictpasswords = no; badpasslimit = 5;\n"
    "  badpasstimeout = 1h; updatetimeout = 5m; expiretimeout = 30m; readtimeout = 5s;\n"
    "  warningtimeout = 4h; timeoutcheck = 3s; retrywait = 2s; }\n"
    "opertype { name = \"Services Root\"; commands = \"*\"; privs = \"*\"; }\n"
    "oper { name = \"alice\"; type = \"Services Root\"; require_oper = no; }\n"
    "mail { usemail = no; sendfrom = \"services@test\"; }\n"
    "module { name = \"db_flatfile\"; database = \"anope.db\"; fork = no; }\n"
    "module { name = \"enc_sha256\"; }\n"
    "service { nick = \"NickServ\"; user = \"services\"; host = \"services.test\";\n"
    "  gecos = \"Nickname Registration Service\"; }\n"
    "module { name = \"nickserv\"; client = \"NickServ\"; forceemail = no;\n"
    "  defaults = \"ns_secure memo_signon memo_receive autoop\"; regdelay = 0s;\n"
    "  expire = 21d; modeonid = yes; killquick = 20s; kill = 60s;\n"
    "  enforceruser = \"enforcer\"; enforcerhost = \"services.test\";\n"
    "  releasetimeout = 1m; guestnickprefix = \"Guest\"; passlen = 32; }\n"
    "module { name = \"ns_register\"; registration = \"none\"; }\n"
    "command { service = \"NickServ\"; name = \"REGISTER\"; command = \"nickserv/register\"; }\n"
    "module { name = \"ns_identify\"; }\n"
    "command { service = \"NickServ\"; name = \"IDENTIFY\"; command = \"nickserv/identify\"; }\n"
    "module { name = \"ns_logout\"; }\n"
    "command { service = \"NickServ\"; name = \"LOGOUT\"; command = \"nickserv/logout\"; }\n"
    "service { nick = \"ChanServ\"; user = \"services\"; host = \"services.test\";\n"
    "  gecos = \"Channel Registration Service\"; }\n"
    "module { name = \"chanserv\"; client = \"ChanServ\";\n"
    "  defaults = \"keeptopic peace cs_secure securefounder\"; maxregistered = 20;\n"
    "  expire = 14d; accessmax = 1024; inhabit = 15s; reasonmax = 200; }\n"
    "privilege { name = \"AUTOOP\"; rank = 210; level = 5; flag = \"O\"; xop = \"AOP\"; }\n"
    "privilege { name = \"FOUNDER\"; rank = 360; level = 10000; flag = \"F\"; xop = \"QOP\"; }\n"
    "privilege { name = \"OP\"; rank = 230; level = 5; flag = \"o\"; xop = \"SOP\"; }\n"
    "module { name = \"cs_register\"; }\n"
    "command { service = \"ChanServ\"; name = \"REGISTER\"; command = \"chanserv/register\"; }\n"
    "service { nick = \"OperServ\"; user = \"services\"; host = \"services.test\";\n"
    "  gecos = \"Operator Service\"; }\n"
    "module { name = \"operserv\"; client = \"OperServ\"; opersonly = no;\n"
    "  autokillexpiry = 30d; chankillexpiry = 30d; snlineexpiry = 30d; sqlineexpiry = 30d; }\n"
    "module { name = \"os_svs\"; }\n"
    "command { service = \"OperServ\"; name = \"SVSNICK\"; command = \"operserv/svsnick\";\n"
    "  permission = \"operserv/svsnick\"; }\n"
    "module { name = \"os_kill\"; }\n"
    "command { service = \"OperServ\"; name = \"KILL\"; command = \"operserv/kill\";\n"
    "  permission = \"operserv/kill\"; }\n";

static int
anope_installed(void)
{
	return access(ANOPE_BIN, X_OK) == 0;
}

/* anope_start: Anope linked to a (port) with a generated configuration. */
static void
anope_start(int port)
{
	char text[sizeof(anope_conf) + 256], confdir[96], dbdir[96], logdir[96], moddir[96];

	svc_mkdir();
	snprintf(text, sizeof(text), anope_conf, port, svc_dir, svc_dir);
	svc_file("services.conf", text);
	svc_file("services.motd", "anope test\n");
	snprintf(confdir, sizeof(confdir), "--confdir=%s", svc_dir);
	snprintf(dbdir, sizeof(dbdir), "--dbdir=%s", svc_dir);
	snprintf(logdir, sizeof(logdir), "--logdir=%s", svc_dir);
	snprintf(moddir, sizeof(moddir), "--modulesdir=%s", ANOPE_LIBDIR);
	/* -n: no fork */
	svc_spawn((char *const[]){ (char *)ANOPE_BIN, (char *)"-n", confdir, dbdir, logdir, moddir,
	    NULL });
}

/* Anope on a.test, clients on both servers: NickServ REGISTER (from b.test)
 * and IDENTIFY, ChanServ REGISTER and ops on join, OperServ SVSNICK of a
 * user on b.test (passed on by a.test) and KILL, then the netsplit. */
START_TEST(t_services_anope)
{
	struct srv *a, *b;
	struct cl *alice, *bob, *dave;

	net_start(&a, &b);
	anope_start(a->port);
	services_up(a, b);
	alice = client(a, b, "alice");
	bob = client(b, a, "bob");
	dave = client(b, a, "dave");
	cl_join(alice, "#c");
	b_knows(alice, bob);
	cl_join(bob, "#c");
	cl_join(dave, "#c");
	cl_expect(alice, PFX("dave") "JOIN #c( |$)", LIVE_T);

	cl_send(alice, "PRIVMSG NickServ :REGISTER secretpw alice@example.com");
	cl_expect(alice,
	    "^:NickServ!services@services\\.test NOTICE alice :Nickname .*alice.* registered",
	    SVC_T);
	cl_expect(bob, PFX("alice") "ACCOUNT alice$", SVC_T);
	cl_send(bob, "PRIVMSG NickServ :REGISTER bobpw1234 bob@example.com");
	cl_expect(bob,
	    "^:NickServ!services@services\\.test NOTICE bob :Nickname .*bob.* registered", SVC_T);
	/* the accounts show on both servers (METADATA accountname) */
	cl_expect(alice, PFX("bob") "ACCOUNT bob$", SVC_T);
	cl_send(alice, "WHOIS bob");
	cl_expect(alice, "^:a\\.test 330 alice bob bob :is logged in as$", LIVE_T);
	cl_send(alice, "PRIVMSG NickServ :LOGOUT");
	cl_expect(alice,
	    "^:NickServ!services@services\\.test NOTICE alice :Your nick has been logged out",
	    SVC_T);
	cl_expect(bob, PFX("alice") "ACCOUNT \\*$", SVC_T);
	cl_send(alice, "PRIVMSG NickServ :IDENTIFY secretpw");
	cl_expect(alice, "^:NickServ!services@services\\.test NOTICE alice :Password accepted",
	    SVC_T);
	cl_expect(bob, PFX("alice") "ACCOUNT alice$", SVC_T);

	/* ChanServ REGISTER; ops on join (bob keeps the channel) */
	cl_send(alice, "PRIVMSG ChanServ :REGISTER #c");
	cl_expect(alice,
	    "^:ChanServ!services@services\\.test NOTICE alice :Channel .*#c.* registered", SVC_T);
	cl_send(alice, "PART #c");
	cl_expect(bob, PFX("alice") "PART #c", LIVE_T);
	cl_send(alice, "JOIN #c");
	cl_expect(alice, PFX("alice") "JOIN #c", LIVE_T);
	cl_expect(alice, "^:ChanServ!services@services\\.test MODE #c \\+o alice$", SVC_T);
	cl_expect(bob, "^:ChanServ!services@services\\.test MODE #c \\+o alice$", SVC_T);

	/* a forced nick change (SVSNICK) of a user on b.test, through a.test */
	cl_send(alice, "PRIVMSG OperServ :SVSNICK bob bobby");
	cl_expect(bob, PFX("bob") "NICK :bobby$", SVC_T);
	cl_expect(alice, PFX("bob") "NICK :bobby$", LIVE_T);
	cl_send(alice, "WHOIS bobby");
	cl_expect(alice, "^:a\\.test 312 alice bobby b\\.test ", LIVE_T);

	/* a services KILL of a user on b.test */
	cl_send(alice, "PRIVMSG OperServ :KILL dave go away");
	cl_expect(dave, "^ERROR :Closing Link: [^ ]+ \\(Killed \\(OperServ ", SVC_T);
	cl_expect(alice, PFX("dave") "QUIT :Killed \\(OperServ ", LIVE_T);
	cl_expect(bob, PFX("dave") "QUIT :Killed \\(OperServ ", LIVE_T);

	/* netsplit of the services server */
	kill(svc_pid, SIGKILL);
	waitpid(svc_pid, NULL, 0);
	svc_pid = -1;
	ck_assert_msg(srv_log_wait(a, "netsplit: services\\.test", LINK_T), "no split on a");
	ck_assert_msg(srv_log_wait(b, "netsplit: services\\.test", LINK_T), "no split on b");
	cl_send(bob, "WHOIS NickServ");
	cl_expect(bob, SRV_B "401 bobby NickServ ", LIVE_T);
	cl_send(alice, "WHOIS ChanServ");
	cl_expect(alice, "^:a\\.test 401 alice ChanServ ", LIVE_T);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_services");
	TCase *tc = live_tcase("services", 60);

	if (!atheme_installed() && !anope_installed()) {
		printf("SKIP live_services: neither %s nor %s is installed (Debian: "
		       "atheme-services, anope)\n",
		    ATHEME_BIN, ANOPE_BIN);
		return 77;
	}
	tcase_add_checked_fixture(tc, NULL, svc_teardown);
	if (atheme_installed()) {
		tcase_add_test(tc, t_services_atheme);
		if (ng_installed())
			tcase_add_test(tc, t_services_atheme_ngircd);
		else
			printf("SKIP t_services_atheme_ngircd: ngircd is not installed\n");
	} else
		printf("SKIP t_services_atheme: %s is not installed\n", ATHEME_BIN);
	if (anope_installed())
		tcase_add_test(tc, t_services_anope);
	else
		printf("SKIP t_services_anope: %s is not installed\n", ANOPE_BIN);
	suite_add_tcase(s, tc);
	return live_run(s);
}
