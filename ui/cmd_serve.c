// SPDX-License-Identifier: GPL-2.0
/*
 * arena-inspect serve ARENA [--listen ADDR:PORT]: a GDB remote stub over
 * the arena (remote.h). On stdin/stdout by default, for `target remote |
 * arena-inspect serve ...` and for ssh; nothing but the protocol is ever
 * written to stdout. With --listen, on TCP, one client at a time, until
 * killed: the protocol has no authentication, so the address is loopback
 * unless one is given, and any other draws a warning.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "cli.h"
#include "error.h"
#include "remote.h"

/* "ADDR:PORT", "[V6]:PORT", ":PORT" or "PORT" */
static int split_listen(const char *arg, char *host, size_t hsize, char *port, size_t psize)
{
	const char *colon = strrchr(arg, ':');
	size_t hl;

	if (!colon) {
		snprintf(host, hsize, "%s", "");
		snprintf(port, psize, "%s", arg);
	} else {
		hl = colon - arg;
		if (hl >= 2 && arg[0] == '[' && arg[hl - 1] == ']') {
			arg++;
			hl -= 2;
		}
		if (hl >= hsize)
			return -1;
		memcpy(host, arg, hl);
		host[hl] = '\0';
		snprintf(port, psize, "%s", colon + 1);
	}
	if (!*port || strspn(port, "0123456789") != strlen(port) || atol(port) > 65535)
		return -1;
	return 0;
}

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

static int listen_on(const char *arg, int *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char host[256], port[16], name[INET6_ADDRSTRLEN] = "?";
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, one = 1, rc;

	if (split_listen(arg, host, sizeof(host), port, sizeof(port)))
		return cli_error("serve: --listen '%s' is not ADDR:PORT", arg);
	rc = getaddrinfo(*host ? host : "127.0.0.1", port, &hints, &res);
	if (rc)
		return cli_error("serve: --listen %s: %s", arg, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		rc = errno;
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return cli_error("serve: --listen %s: %s", arg, strerror(rc));
	}
	if (!is_loopback(res->ai_addr))
		fprintf(stderr,
			"arena-inspect: warning: serving on %s, which is not a loopback "
			"address: the GDB protocol has no authentication, anyone who can "
			"reach it can read the arena\n",
			arg);
	freeaddrinfo(res);
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, name, sizeof(name));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, name, sizeof(name));
	/* the port as bound (PORT 0 picks one): a test or script reads it here */
	fprintf(stderr, "arena-inspect: serving on %s:%u (one client at a time)\n", name,
		ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					      : ((struct sockaddr_in6 *)&ss)->sin6_port));
	*out = fd;
	return 0;
}

static int do_serve(int argc, char **argv, const struct cli_opts *o)
{
	struct remote_stub *st = NULL;
	struct btfx *bx = NULL;
	struct source *src;
	char host[128] = "";
	int used, rc = 1, lfd = -1;

	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	if (used < argc) {
		source__close(src);
		return cli_error("serve: unexpected argument '%s'", argv[used]);
	}
	if (cli_open_btf(src, o, &bx))
		goto out;
	gethostname(host, sizeof(host) - 1);
	if (remote_stub__new(src, bx, host, &st)) {
		cli_lib_error("serve");
		goto out;
	}
	/* a client that goes away is the end of its session, not a signal */
	signal(SIGPIPE, SIG_IGN);
	if (!o->listen) {
		/* notes (no BTF, ...) now, on stderr, before the protocol starts */
		cli_flush_notes();
		if (isatty(STDIN_FILENO))
			fprintf(stderr, "arena-inspect: note: serving the GDB remote protocol on "
					"stdin/stdout (for gdb's `target remote | arena-inspect "
					"serve ...` or ssh); ^D ends it\n");
		rc = remote_stub__serve(st, STDIN_FILENO, STDOUT_FILENO) ? cli_lib_error("serve")
									 : 0;
		goto out;
	}
	if (listen_on(o->listen, &lfd))
		goto out;
	cli_flush_notes();
	for (;;) {
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			rc = cli_error("serve: accept: %s", strerror(errno));
			break;
		}
		/* a session that fails ends that client, not the server */
		if (remote_stub__serve(st, c, c))
			fprintf(stderr, "arena-inspect: serve: %s\n", ai_errmsg());
		close(c);
	}
out:
	if (lfd >= 0)
		close(lfd);
	remote_stub__free(st);
	btfx__free(bx);
	source__close(src);
	return rc;
}

const struct cli_cmd cmd_serve = {
	.name = "serve",
	.run = do_serve,
	.args = "ARENA",
	.opts = CLI_OPTS_TYPES | CLI_O(LISTEN),
	.help = "GDB remote stub over the arena, on stdin/stdout (or TCP with --listen)",
};
