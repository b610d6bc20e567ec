/* ttyguard.c: restores the terminal when relush dies on a signal (see
 * ttyguard.h). Everything the handler does is async-signal-safe: write(2),
 * tcsetattr(3), sigaction(2), raise(3), getpgrp(2) and tcgetpgrp(3) (an
 * ioctl); the escape sequences are copied into static buffers beforehand,
 * and a slot is switched off while it is rewritten. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "view/ttyguard.h"

enum { ESCAPE_MAX = 256, ALT_STACK_SIZE = 64 * 1024 };

static struct termios saved_state;
static volatile sig_atomic_t have_saved_state;
static char escape[TTY_GUARD_SLOTS][ESCAPE_MAX];
static volatile sig_atomic_t escape_len[TTY_GUARD_SLOTS];

/* Crashes, and the signals that end a process by default. SIGINT is left to
 * the shell (it interrupts, it does not kill); SIGKILL cannot be caught. */
static const int guarded[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGHUP, SIGQUIT};
#define NGUARDED (sizeof guarded / sizeof guarded[0])
static struct sigaction previous[NGUARDED];

static void say(const char *s) { (void)!write(STDERR_FILENO, s, strlen(s)); }

static const char *crash_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	case SIGABRT: return "SIGABRT";
	default: return NULL;
	}
}

static void on_fatal(int sig, siginfo_t *info, void *context)
{
	(void)context;
	int saved_errno = errno;
	/* Only the foreground process owns the terminal's modes: a relush
	 * killed in the background must not undo the editor in front. */
	if (tcgetpgrp(STDIN_FILENO) == getpgrp()) {
		for (int s = 0; s < TTY_GUARD_SLOTS; s++)
			if (escape_len[s] > 0)
				(void)!write(STDOUT_FILENO, escape[s], (size_t)escape_len[s]);
		if (have_saved_state)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved_state);
	}
	const char *name = crash_name(sig);
	if (name) {
		say("relush: fatal signal ");
		say(name);
		say(" (a bug: please report it); the terminal was restored\n");
	}
	size_t i = 0;
	while (i < NGUARDED && guarded[i] != sig)
		i++;
	if (i < NGUARDED)
		sigaction(sig, &previous[i], NULL);
	else
		signal(sig, SIG_DFL);
	/* A fault raised by the CPU happens again when the handler returns, now
	 * with the previous action (a sanitizer then reports it as it should);
	 * a signal sent by someone (kill, abort) is sent again. It is blocked
	 * here and delivered as soon as the handler returns. */
	int hardware = (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL) && info && info->si_code > 0;
	if (!hardware)
		raise(sig);
	errno = saved_errno;
}

void tty_guard_init(void)
{
	static int done;
	if (done || !isatty(STDIN_FILENO))
		return;
	done = 1;
	if (tcgetattr(STDIN_FILENO, &saved_state) == 0)
		have_saved_state = 1;
	/* a stack overflow still gets its handler; keep one already there (a
	 * sanitizer's) */
	stack_t old;
	if (sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE)) {
		stack_t ss;
		ss.ss_sp = malloc(ALT_STACK_SIZE);
		ss.ss_size = ALT_STACK_SIZE;
		ss.ss_flags = 0;
		if (ss.ss_sp && sigaltstack(&ss, NULL) != 0)
			free(ss.ss_sp);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	/* tcsetattr from a background process would stop it with SIGTTOU
	 * unless that signal is blocked */
	sigaddset(&sa.sa_mask, SIGTTOU);
	for (size_t i = 0; i < NGUARDED; i++) {
		if (sigaction(guarded[i], NULL, &previous[i]) != 0)
			continue;
		/* an ignored signal (nohup) stays ignored */
		if (!(previous[i].sa_flags & SA_SIGINFO) && previous[i].sa_handler == SIG_IGN)
			continue;
		sigaction(guarded[i], &sa, NULL);
	}
}

void tty_guard_set_escape(enum tty_guard_slot slot, const char *seq)
{
	if ((int)slot < 0 || slot >= TTY_GUARD_SLOTS)
		return;
	escape_len[slot] = 0;
	size_t n = seq ? strlen(seq) : 0;
	if (n == 0 || n >= ESCAPE_MAX)
		return;
	memcpy(escape[slot], seq, n);
	escape_len[slot] = (sig_atomic_t)n;
}
