/* peak_rss.c: runs a command and writes its peak resident set size (from
 * getrusage of the waited-for child) and exit status to a file, for the
 * memory-budget tests: peak_rss OUT command [args...]. OUT gets one line,
 * "<peak KiB> <exit status>" (128 + signal when killed). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: peak_rss OUT command [args...]\n", stderr);
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0)
		return perror("fork"), 2;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0)
		return perror("wait4"), 2;
	FILE *f = fopen(argv[1], "w");
	if (!f)
		return perror(argv[1]), 2;
	fprintf(f, "%ld %d\n", ru.ru_maxrss,
	        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return fclose(f) != 0;
}
