/* nglib.c - ngIRCd as a link peer of the live tests (nglib.h). */
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "livelib.h"
#include "nglib.h"

static pid_t ng_pid = -1;

int
live_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	ck_assert_int_ge(fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

int
ng_installed(void)
{
	return access("/usr/sbin/ngircd", X_OK) == 0 ||
	    system("command -v ngircd >/dev/null 2>&1") == 0;
}

int
ng_start(int port, const char *server_extra, const char *extra)
{
	const char *bin = access("/usr/sbin/ngircd", X_OK) == 0 ? "/usr/sbin/ngircd" : "ngircd";
	char text[2048];
	const char *conf;
	int i;

	/* ServerUID 0 as root: ngIRCd switches to "nobody"; no chroot, no
	 * PAM/ident/DNS (nothing leaves loopback) */
	snprintf(text, sizeof(text),
	    "[Global]\nName = ng.test\nInfo = ngircd live test\nListen = 127.0.0.1\n"
	    "Ports = %d\nMotdPhrase = hello\nAdminInfo1 = test\nAdminInfo2 = test\n"
	    "AdminEMail = test@ng.test\n"
	    "[Limits]\nConnectRetry = 5\n"
	    "[Options]\nPAM = no\nIdent = no\nDNS = no\nChrootDir =\n"
	    "[Server]\nName = a.test\nMyPassword = toevng\nPeerPassword = frominng\n%s%s",
	    port, server_extra, extra ? extra : "");
	conf = live_file("ngircd.conf", text);
	chmod(conf, 0644);
	ng_pid = fork();
	ck_assert_int_ge(ng_pid, 0);
	if (ng_pid == 0) {
		int null = open("/dev/null", 0);
		dup2(null, 0);
		if (getenv("LIVE_VERBOSE") == NULL) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp(bin, bin, "-n", "-f", conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) { /* until it accepts */
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sin = { .sin_family = AF_INET,
			.sin_port = htons((uint16_t)port) };
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			close(fd);
			return 0;
		}
		close(fd);
		usleep(50000); /* an external program's start: nothing to await but its port */
	}
	return -1;
}

void
ng_stop(void)
{
	int st;

	if (ng_pid > 0) {
		kill(ng_pid, SIGKILL);
		waitpid(ng_pid, &st, 0);
		ng_pid = -1;
	}
}
