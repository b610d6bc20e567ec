/* files.c: whole-file writes that a crash or a kill cannot truncate (see
 * relush/files.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "relush/files.h"

static int write_all(int fd, const char *data, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		done += (size_t)w;
	}
	return 0;
}

static int write_in_place(const char *path, const char *data, size_t len, rl_err *e)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return rl_fail(e, "cannot write '%s': %s", path, strerror(errno));
	int bad = write_all(fd, data, len);
	if (close(fd) != 0 && !bad)
		bad = errno;
	return bad ? rl_fail(e, "cannot write '%s': %s", path, strerror(bad)) : 0;
}

int rl_write_atomic(const char *path, const char *data, size_t len, rl_err *e)
{
	static unsigned counter;
	struct stat st;
	int exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode))
		return write_in_place(path, data, len, e);
	char *real = exists ? realpath(path, NULL) : NULL;
	const char *target = real ? real : path;
	size_t tlen = strlen(target);
	char *tmp = malloc(tlen + 48);
	if (!tmp) {
		free(real);
		return rl_fail(e, "out of memory writing '%s'", path);
	}
	int fd = -1;
	for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
		snprintf(tmp, tlen + 48, "%s.tmp.%ld.%u", target, (long)getpid(), counter++);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	int bad = fd < 0 ? errno : 0;
	if (!bad) {
		bad = write_all(fd, data, len);
		if (exists)                   /* the new file keeps the old one's mode */
			(void)fchmod(fd, st.st_mode & 07777);
		if (!bad && fsync(fd) != 0)
			bad = errno;
		if (close(fd) != 0 && !bad)
			bad = errno;
		if (!bad && rename(tmp, target) != 0)
			bad = errno;
		if (bad)
			unlink(tmp);
	}
	free(tmp);
	free(real);
	return bad ? rl_fail(e, "cannot write '%s': %s", path, strerror(bad)) : 0;
}
