/* main.c - arguments, configuration, server_new/run/free. Nothing else. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include "evircd_config.h"

#include "core/config.h"
#include "core/log.h"
#include "core/password.h"
#include "core/server.h"
#include "net/tls.h"
#include "store/store.h"
#include "daemon.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: evircd [-d] [PORT [PASSWORD]]\n"
	    "       evircd [-d] -c FILE\n"
	    "       evircd -t -c FILE\n"
	    "       evircd --mkpasswd\n"
	    "       evircd -c FILE --backup DEST\n"
	    "       evircd --version | --help\n"
	    "\n"
	    "  (no arguments)  run on the embedded defaults: all addresses, port 6667\n"
	    "  PORT [PASSWORD] quick start on PORT with a connection password\n"
	    "  -c FILE         read the INI configuration FILE (see docs/CONFIG.md)\n"
	    "  -t              check the configuration and exit (0 ok, 1 error)\n"
	    "  -d              debug logging on stderr\n"
	    "  --mkpasswd      read a password and print its hash for the configuration\n"
	    "  --backup DEST   copy the [accounts] database to DEST (safe while running)\n");
}

/* raise_nofile: lift the soft RLIMIT_NOFILE to the hard limit. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("setrlimit NOFILE");
	}
	log_info("open files limit: %llu", (unsigned long long)rl.rlim_cur);
}

/* mkpasswd: read a password (without echo on a terminal) and print its
 * argon2id hash (core/password.c) for the configuration. */
static int
mkpasswd(void)
{
	char pw[256], hash[PASSWORD_HASH_MAX];
	struct termios t, old;
	bool tty = isatty(STDIN_FILENO);

	if (!password_hash_supported()) {
		fprintf(stderr, "evircd: built without libsodium; --mkpasswd is unavailable\n");
		return 1;
	}
	if (tty) {
		fprintf(stderr, "Password: ");
		tcgetattr(STDIN_FILENO, &old);
		t = old;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	if (fgets(pw, sizeof(pw), stdin) == NULL)
		pw[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	if (pw[0] == '\0') {
		fprintf(stderr, "evircd: empty password\n");
		return 1;
	}
	if (password_hash(pw, hash, sizeof(hash)) != 0) {
		explicit_bzero(pw, sizeof(pw));
		fprintf(stderr, "evircd: out of memory hashing the password\n");
		return 1;
	}
	explicit_bzero(pw, sizeof(pw));
	printf("%s\n", hash);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "mkpasswd", no_argument, NULL, 'M' },
		{ "backup", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conffile = NULL, *backup = NULL;
	int ch, debug = 0, test = 0, status;
	struct config *cfg;
	struct server *srv;
	char err[512];

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "c:dth", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conffile = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 't':
			test = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("evircd %s\n", EVIRCD_VERSION);
			return 0;
		case 'M':
			return mkpasswd();
		case 'B':
			backup = optarg;
			break;
		default:
			fprintf(stderr, "evircd: unknown option '%s' (try --help)\n",
			    argv[optind - 1]);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	log_init(debug);
	if (conffile != NULL && argc > 0) {
		fprintf(stderr, "evircd: -c FILE takes no PORT argument\n");
		return 2;
	}
	if (backup != NULL && conffile == NULL) {
		fprintf(stderr, "evircd: --backup needs -c FILE (its [accounts] database)\n");
		return 2;
	}
	if (test && conffile == NULL) {
		fprintf(stderr, "evircd: -t needs -c FILE\n");
		return 2;
	}
	if (argc > 2) {
		fprintf(stderr, "evircd: too many arguments (try --help)\n");
		return 2;
	}
	if (conffile != NULL) {
		cfg = config_load_checked(conffile, tls_check, err, sizeof(err));
		if (cfg == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		if (backup != NULL) {
			if (cfg->accounts_db == NULL) {
				fprintf(stderr, "%s: no [accounts] database to back up\n",
				    conffile);
				status = 1;
			} else if (store_backup(cfg->accounts_db, backup, err, sizeof(err)) != 0) {
				fprintf(stderr, "evircd: %s\n", err);
				status = 1;
			} else {
				printf("%s: backed up to %s\n", cfg->accounts_db, backup);
				status = 0;
			}
			config_free(cfg);
			return status;
		}
		if (cfg->accounts_db != NULL &&
		    store_check(cfg->accounts_db, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: [accounts] database: %s\n", conffile, err);
			config_free(cfg);
			return 1;
		}
		if (test) {
			printf("%s: configuration OK\n", conffile);
			config_free(cfg);
			return 0;
		}
	} else {
		cfg = config_default();
		config_load_motd(cfg, err, sizeof(err));
		if (argc >= 1) {
			char *end;
			long port;
			size_t i;
			errno = 0;
			port = strtol(argv[0], &end, 10);
			if (errno != 0 || *end != '\0' || argv[0][0] == '\0' || port < 1 ||
			    port > 65535) {
				fprintf(stderr, "evircd: bad port '%s' (1-65535)\n", argv[0]);
				config_free(cfg);
				return 2;
			}
			for (i = 0; i < cfg->nlistens; i++)
				cfg->listens[i].port = (uint16_t)port;
		}
		if (argc == 2 && argv[1][0] != '\0') {
			const char *e = password_config_error(argv[1]);
			if (e != NULL) {
				fprintf(stderr, "evircd: PASSWORD: %s\n", e);
				config_free(cfg);
				return 2;
			}
			cfg->password = strdup(argv[1]);
		}
	}
	if (cfg->log_syslog)
		log_syslog(1, cfg->log_facility);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	srv = server_new(cfg, conffile);
	if (srv == NULL)
		fatalx("cannot start the server (see the messages above)");
	if (server_accounts_open(srv, err, sizeof(err)) != 0) {
		log_warnx("[accounts] database: %s; exiting", err);
		server_free(srv);
		return 1;
	}
	if (server_listen(srv) != 0) {
		log_warnx("no listener could be opened; exiting");
		server_free(srv);
		return 1;
	}
	/* from here the loop writes the log: a slow stderr (journald under
	 * pressure, a pipe nobody reads) never blocks it (core/log.h) */
	if (log_attach(srv->base) != 0)
		log_warnx("log queue: out of memory; stderr is written directly");
	log_info("evircd %s ready as %s", EVIRCD_VERSION, srv->cfg->name);
	status = server_run(srv);
	log_info("exiting");
	log_detach();
	server_free(srv);
	log_syslog(0, 0);
	return status;
}
