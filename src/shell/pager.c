/* pager.c: long output (help()) through a pager when the shell is
 * interactive, as git and man do: $PAGER, else less with LESS=FRX (quit
 * when it fits on one screen, keep colours, leave the text on the screen);
 * plain standard output otherwise (pipes, scripts, no pager installed). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "shell/shell.h"

static struct sigaction old_pipe;

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

FILE *shell_pager_open(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return stdout;
	const char *pager = getenv("PAGER");
	if (pager == NULL || pager[strspn(pager, " \t")] == '\0') {
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
	return f;
}

void shell_pager_close(FILE *f)
{
	if (f == stdout) {
		fflush(stdout);
		return;
	}
	pclose(f);
	sigaction(SIGPIPE, &old_pipe, NULL);
}
