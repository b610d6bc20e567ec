/* pager.c: long output (help()) through a pager when the shell is
 * interactive, as git and man do: $PAGER, else less with LESS=FRX (quit
 * when it fits on one screen, keep colours, leave the text on the screen);
 * plain standard output otherwise (pipes, scripts, TERM=dumb, no pager
 * installed). A PAGER that names no program counts as unset. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "shell/shell.h"

static struct sigaction old_pipe, old_int;

/* Is prog an executable in $PATH? */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	if (path == NULL)
		return false;
	char file[4096];
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(file, sizeof file, "%.*s/%s", (int)(n ? n : 1), n ? path : ".", prog);
		if (access(file, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* Can $PAGER's command (its first word) be run? A PAGER naming nothing
 * would swallow the text ("sh: 1: lss: not found" and no help at all). */
static bool runnable(const char *pager)
{
	pager += strspn(pager, " \t");
	size_t n = strcspn(pager, " \t");
	char prog[1024];
	if (n == 0 || n >= sizeof prog)
		return n > 0;            /* too long to check: let the shell try */
	memcpy(prog, pager, n);
	prog[n] = '\0';
	return strchr(prog, '/') ? access(prog, X_OK) == 0 : in_path(prog);
}

FILE *shell_pager_open(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return stdout;
	const char *pager = getenv("PAGER");
	if (pager != NULL && !runnable(pager))
		pager = NULL;            /* as unset: less, or plain output */
	if (pager == NULL || pager[strspn(pager, " \t")] == '\0') {
		/* less on a terminal that cannot move the cursor stops with
		 * "WARNING: terminal is not fully functional": print plainly */
		const char *term = getenv("TERM");
		if (term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0)
			return stdout;
		if (!in_path("less"))
			return stdout;
		pager = "less";
		setenv("LESS", "FRX", 0);
	}
	fflush(stdout);
	/* the user may quit the pager before the end: writes then fail, quietly */
	struct sigaction ignore;
	memset(&ignore, 0, sizeof ignore);
	ignore.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ignore, &old_pipe);
	FILE *f = popen(pager, "w");
	if (f == NULL) {
		sigaction(SIGPIPE, &old_pipe, NULL);
		return stdout;
	}
	/* Ctrl-C belongs to the pager while it runs (less uses it to stop a
	 * search): the shell ignores it, as git does, instead of reporting
	 * the help command "interrupted" after q. Set after popen, so that
	 * the pager does not inherit SIG_IGN. */
	sigaction(SIGINT, &ignore, &old_int);
	return f;
}

void shell_pager_close(FILE *f)
{
	if (f == stdout) {
		fflush(stdout);
		return;
	}
	pclose(f);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
}
