// SPDX-License-Identifier: GPL-2.0
/*
 * The terminal under the TUI: the signals that end the process restore it
 * first (async-signal-safe: write() of the terminfo bytes that undo curses,
 * tcsetattr()), a quit signal is a flag the loop sees, and while curses is
 * up stderr is a pipe drained onto the status line, so nothing writes to
 * the terminal behind curses; what came is repeated on the real stderr
 * after the TUI.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "tui_int.h"

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t curses_on;
/* What the terminal was before curses, and the bytes that undo curses
 * (leave the alternate screen, show the cursor, plain attributes, keypad
 * off): a dying handler may only write() and tcsetattr(), not endwin(). */
static struct termios saved_tios;
static bool have_tios;
static char reset_seq[256];
static size_t reset_len;
/* While curses is up, stderr is a pipe the loop drains onto the status
 * line: nothing (libbpf, readline, a stray fprintf, a child) may write to
 * the terminal behind curses. stderr_fd is the real one meanwhile. */
static int stderr_fd = -1, stderr_pipe = -1;

static void on_quit_signal(int sig)
{
	quit_signal = sig;
}

static void restore_terminal_async(void)
{
	if (stderr_fd >= 0)
		dup2(stderr_fd, STDERR_FILENO);
	if (!curses_on)
		return;
	curses_on = 0;
	if (reset_len && write(STDOUT_FILENO, reset_seq, reset_len) < 0) {
		/* nothing left to try */
	}
	if (have_tios)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tios);
}

/* A signal that ends the process must not leave the terminal in raw mode:
 * restore it (async-signal-safe), then let the signal do what it would have
 * done (core dump, exit status). SA_RESETHAND put the default back. */
static void on_fatal_signal(int sig)
{
	int saved = errno;

	restore_terminal_async();
	raise(sig);
	errno = saved;
}

static void stderr_release(void);

static void restore_at_exit(void)
{
	if (curses_on)
		endwin();
	curses_on = 0;
	stderr_release();
}

/* ---- stderr while curses is up ---- */

static struct {
	char part[512]; /* a line not finished yet */
	size_t plen;
	char kept[16384]; /* what arrived, for the real stderr at the end */
	size_t klen;
	bool lost;
} E;

static void stderr_capture(void)
{
	int p[2];

	/* non-blocking: a writer never hangs on a full pipe, it loses the text */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return;
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	fflush(stderr);
	stderr_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (stderr_fd < 0 || dup2(p[1], STDERR_FILENO) < 0) {
		if (stderr_fd >= 0)
			close(stderr_fd);
		stderr_fd = -1;
		close(p[0]);
		close(p[1]);
		return;
	}
	close(p[1]);
	stderr_pipe = p[0];
}

static void stderr_line(struct session *s, const char *line)
{
	size_t n = strlen(line);

	if (E.klen + n + 1 < sizeof(E.kept)) {
		memcpy(E.kept + E.klen, line, n);
		E.kept[E.klen + n] = '\n';
		E.klen += n + 1;
	} else {
		E.lost = true;
	}
	if (s && n)
		session__msg(s, true, "stderr: %s", line);
}

/* What was written to stderr since the last call, line by line onto the
 * status line (s NULL: only kept). */
static void stderr_drain(struct session *s)
{
	char buf[4096]; /* bytes read at once, not a page */
	ssize_t n;

	if (stderr_pipe < 0)
		return;
	while ((n = read(stderr_pipe, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || E.plen == sizeof(E.part) - 1) {
				E.part[E.plen] = 0;
				stderr_line(s, E.part);
				E.plen = 0;
				if (buf[i] == '\n')
					continue;
			}
			E.part[E.plen++] = buf[i];
		}
	}
}

/* The real stderr back, and what arrived meanwhile written to it. */
static void stderr_release(void)
{
	if (stderr_fd < 0)
		return;
	fflush(stderr);
	stderr_drain(NULL);
	if (E.plen) {
		E.part[E.plen] = 0;
		stderr_line(NULL, E.part);
		E.plen = 0;
	}
	dup2(stderr_fd, STDERR_FILENO);
	close(stderr_fd);
	stderr_fd = -1;
	close(stderr_pipe);
	stderr_pipe = -1;
	if (E.klen)
		fprintf(stderr, "arena-inspect: written to stderr while the TUI ran:\n%.*s%s",
			(int)E.klen, E.kept, E.lost ? "(more was lost)\n" : "");
	E.klen = 0;
}

/* The terminfo strings that undo what initscr did, gathered once curses is
 * up (tigetstr needs the terminal's entry). */
static void reset_seq_init(void)
{
	static const char *const caps[] = { "rmcup", "cnorm", "sgr0", "rmkx" };

	reset_len = 0;
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		const char *v = tigetstr((char *)caps[i]);
		size_t n;

		if (!v || v == (char *)-1)
			continue;
		n = strlen(v);
		if (reset_len + n >= sizeof(reset_seq))
			break;
		memcpy(reset_seq + reset_len, v, n);
		reset_len += n;
	}
}

void term__install_signals(void)
{
	/* every signal whose default action ends the process (SIGTSTP is left
	 * to curses, which leaves and re-enters the screen around a stop) */
	static const int fatal[] = {
		SIGSEGV, SIGABRT, SIGBUS,  SIGFPE,  SIGILL,    SIGQUIT, SIGTRAP, SIGSYS, SIGXCPU,
		SIGXFSZ, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGIO,	 SIGPWR, SIGSTKFLT,
	};
	struct sigaction sa = {};

	have_tios = tcgetattr(STDIN_FILENO, &saved_tios) == 0;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a signal interrupts the input wait and the loop sees it */
	sa.sa_handler = on_quit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a write to a closed pipe or socket is an error where it happens (the
	 * :log file, a helper's pipe), not a reason to die with the screen up */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < ARRAY_SIZE(fatal); i++)
		sigaction(fatal[i], &sa, NULL);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaction(sig, &sa, NULL);
	atexit(restore_at_exit);
}

void term__started(void)
{
	reset_seq_init();
	curses_on = 1;
	stderr_capture();
}

void term__drain_stderr(struct session *s)
{
	stderr_drain(s);
}

void term__stopped(void)
{
	curses_on = 0;
	stderr_release();
}

int term__quit_signal(void)
{
	return quit_signal;
}

bool term__take_sigint(void)
{
	if (quit_signal != SIGINT)
		return false;
	quit_signal = 0;
	return true;
}

static void base64(const char *in, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v =
			s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);

		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = 0;
}

/* Ms (xterm's and tmux's terminfo: ESC ] 52 ; c ; BASE64 BEL) says the
 * terminal takes a clipboard write; without it nothing is sent. Between two
 * screen updates curses has nothing buffered, so the bytes go straight to
 * the terminal, and they move no cursor. */
int term__clipboard(const char *text)
{
	const char *ms = tigetstr((char *)"Ms");
	size_t n = strlen(text);
	char *b64, *seq;
	int err = 0;

	if (!ms || ms == (char *)-1)
		return -ENOTSUP;
	b64 = malloc(n / 3 * 4 + 8);
	if (!b64)
		return -ENOMEM;
	base64(text, n, b64);
	seq = tiparm(ms, "c", b64);
	if (!seq || write(STDOUT_FILENO, seq, strlen(seq)) < 0)
		err = -EIO;
	free(b64);
	return err;
}
