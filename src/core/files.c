/* files.c: the one writer and the one reader (see relush/files.h). Every
 * save in relush comes here so that the rules (atomic replacement, links
 * followed, devices and pipes never replaced, read-only files respected,
 * the old file kept on failure) hold everywhere and are tested once. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "relush/alloc.h"
#include "relush/files.h"
#include "relush/interrupt.h"

/* 0 or an errno. A write blocked on a slow pipe that a signal interrupts
 * goes on, unless the user asked to stop. */
static int write_all(int fd, const char *data, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0) {
			if (errno == EINTR && !rl_interrupted())
				continue;
			return errno;
		}
		if (w == 0)
			return EIO;
		done += (size_t)w;
	}
	return 0;
}

static char *folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* The file a write to path lands in: path itself, or the end of its chain
 * of symlinks (also when that end does not exist yet). NULL when out of
 * memory or the chain loops (errno set). */
static char *resolve(const char *path)
{
	char *cur = strdup(path);
	for (int hops = 0; cur && hops < 40; hops++) {
		struct stat st;
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		char *real = realpath(cur, NULL);
		if (real) {
			free(cur);
			return real;
		}
		/* a dangling link: follow it by hand to the file it will create */
		char buf[PATH_MAX];
		ssize_t n = readlink(cur, buf, sizeof buf - 1);
		if (n < 0) {
			free(cur);
			return NULL;
		}
		buf[n] = '\0';
		char *next;
		if (buf[0] == '/') {
			next = strdup(buf);
		} else {
			char *dir = folder_of(cur);
			next = dir ? malloc(strlen(dir) + (size_t)n + 2) : NULL;
			if (next)
				sprintf(next, "%s/%s", dir, buf);
			free(dir);
		}
		free(cur);
		cur = next;
	}
	free(cur);
	errno = ELOOP;
	return NULL;
}

/* Refuses what is never written (folders, block devices, sockets). */
static int refuse_kind(const char *path, const struct stat *st, rl_err *e)
{
	if (S_ISDIR(st->st_mode))
		return rl_fail(e, "cannot write '%s': it is a folder; give a file name inside it", path);
	if (S_ISBLK(st->st_mode))
		return rl_fail(e, "cannot write '%s': it is a block device (relush writes regular files, "
		               "character devices and pipes)", path);
	if (S_ISSOCK(st->st_mode))
		return rl_fail(e, "cannot write '%s': it is a socket (relush writes regular files, "
		               "character devices and pipes)", path);
	return 0;
}

/* Opens a device or FIFO for writing without blocking: a FIFO nobody
 * reads is an error at once, not a hang. -1 with the message. */
static int open_in_place(const char *path, int append, rl_err *e)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (append ? O_APPEND : 0));
	if (fd < 0) {
		if (errno == ENXIO)
			return rl_fail(e, "cannot write '%s': it is a pipe that nobody is reading", path);
		return rl_fail(e, "cannot write '%s': %s", path, strerror(errno));
	}
	int flags = fcntl(fd, F_GETFL);   /* a reader is there: ordinary blocking writes */
	if (flags >= 0)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

static int write_in_place(const char *path, const char *data, size_t len, int append, rl_err *e)
{
	int fd = open_in_place(path, append, e);
	if (fd < 0)
		return -1;
	/* a reader that goes away makes the write fail with EPIPE (said in the
	 * message) instead of SIGPIPE ending the session: the signal is
	 * blocked for the write and a pending one taken back */
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	int masked = pthread_sigmask(SIG_BLOCK, &pipe_set, &old) == 0;
	int bad = write_all(fd, data, len);
	if (masked) {
		sigset_t pending;
		struct timespec zero = {0, 0};
		if (bad == EPIPE && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) &&
		    !sigismember(&old, SIGPIPE))
			(void)sigtimedwait(&pipe_set, NULL, &zero);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (close(fd) != 0 && !bad && errno != EINTR)
		bad = errno;
	if (bad == EPIPE)
		return rl_fail(e, "cannot write '%s': the pipe's reader has gone away", path);
	return bad ? rl_fail(e, "cannot write '%s': %s", path, strerror(bad)) : 0;
}

static int read_only(const char *shown, const struct stat *st, rl_err *e)
{
	return rl_fail(e, "cannot write '%s': it is read-only (mode %04o); change its permissions "
	               "(chmod u+w) to replace it", shown, (unsigned)(st->st_mode & 07777));
}

/* A new file beside target, created with O_EXCL under a name nobody can
 * predict, so that a planted file or link there is never written through.
 * The name is left in tmp (at least strlen(target) + 40 bytes). */
static int create_temp(const char *target, char *tmp, size_t cap)
{
	static _Atomic unsigned counter;
	for (int attempt = 0; attempt < 100; attempt++) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long r = (unsigned long)ts.tv_nsec * 2654435761u ^ (unsigned long)getpid() << 16 ^
		                  (unsigned long)counter++ * 40503u;
		snprintf(tmp, cap, "%s.tmp.%08lx", target, r & 0xffffffffUL);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* create_temp, or -1 with the sentence saying where it failed: the write
 * and the check before a long run (rl_check_writable) fail alike. */
static int temp_or_fail(const char *path, const char *target, char *tmp, size_t cap, rl_err *e)
{
	int fd = create_temp(target, tmp, cap);
	if (fd < 0) {
		int bad = errno;
		char *dir = folder_of(target);
		rl_fail(e, "cannot write '%s': cannot create a temporary file in '%s' (%s)", path,
		        dir ? dir : ".", strerror(bad));
		free(dir);
	}
	return fd;
}

/* Copies the old file into fd; *last gets its last byte (0 if empty). */
static int copy_old(const char *target, int fd, char *last)
{
	*last = 0;
	int in = open(target, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return errno;
	char buf[1 << 16];
	int bad = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR && !rl_interrupted())
			continue;
		if (n < 0) {
			bad = errno;
			break;
		}
		if (n == 0)
			break;
		*last = buf[n - 1];
		if ((bad = write_all(fd, buf, (size_t)n)))
			break;
	}
	close(in);
	return bad;
}

static int write_file(const char *path, const char *data, size_t len, int append, rl_err *e)
{
	if (!*path)
		return rl_fail(e, "cannot write a file with an empty name; give a path such as \"out.txt\"");
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* through the name given: /dev/stdout's link leads to "pipe:[n]" */
		int rc = refuse_kind(path, &st, e);
		return rc ? rc : write_in_place(path, data, len, append, e);
	}
	char *target = resolve(path);
	if (!target)
		return rl_fail(e, "cannot write '%s': %s", path, strerror(errno));
	int exists = stat(target, &st) == 0;
	if (exists && access(target, W_OK) != 0 && errno == EACCES) {
		free(target);
		return read_only(path, &st, e);
	}
	size_t cap = strlen(target) + 48;
	char *tmp = malloc(cap);
	if (!tmp) {
		free(target);
		return rl_fail(e, "out of memory writing '%s'", path);
	}
	int fd = temp_or_fail(path, target, tmp, cap, e);
	int bad = 0;
	if (fd < 0) {
		free(tmp);
		free(target);
		return -1;
	}
	if (exists) {   /* the new file keeps the old one's owner (when we may) and mode */
		if (geteuid() == 0)
			(void)fchown(fd, st.st_uid, st.st_gid);
		(void)fchmod(fd, st.st_mode & 07777);
	}
	char last = '\n';
	if (append && exists)
		bad = copy_old(target, fd, &last);
	if (!bad && last != '\n' && last != 0)
		bad = write_all(fd, "\n", 1);
	if (!bad)
		bad = write_all(fd, data, len);
	if (!bad && fsync(fd) != 0)
		bad = errno;
	if (close(fd) != 0 && !bad)
		bad = errno;
	if (!bad && rename(tmp, target) != 0)
		bad = errno;
	if (bad) {
		unlink(tmp);
	} else {   /* the rename itself reaches the disk with the folder */
		char *dir = folder_of(target);
		int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	free(tmp);
	free(target);
	if (bad == EINTR)
		return rl_fail(e, "cannot write '%s': interrupted (the old file is unchanged)", path);
	return bad ? rl_fail(e, "cannot write '%s': %s (the old file, if any, is unchanged)", path,
	                     strerror(bad))
	           : 0;
}

int rl_write_atomic(const char *path, const char *data, size_t len, rl_err *e)
{
	return write_file(path, data, len, 0, e);
}

int rl_write_text(const char *path, char *text, rl_err *e)
{
	if (!text)
		return -1;
	int r = rl_write_atomic(path, text, strlen(text), e);
	free(text);
	return r;
}

int rl_append_atomic(const char *path, const char *data, size_t len, rl_err *e)
{
	return write_file(path, data, len, 1, e);
}

int rl_check_writable(const char *path, rl_err *e)
{
	if (!*path)
		return rl_fail(e, "the file name is empty; give a path such as \"out.txt\"");
	struct stat st;
	int rc = 0;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		/* a FIFO is not opened here: closing a trial write end would
		 * give its reader an end of file before the real write */
		return refuse_kind(path, &st, e);
	char *target = resolve(path);
	if (!target)
		return rl_fail(e, "cannot write '%s': %s", path, strerror(errno));
	if (stat(target, &st) == 0) {
		if (access(target, W_OK) != 0 && errno == EACCES)
			rc = read_only(path, &st, e);
	}
	char *dir = rc ? NULL : folder_of(target);
	if (!rc && !dir)
		rc = rl_fail(e, "out of memory");
	else if (!rc && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		rc = rl_fail(e, "cannot write '%s': the folder '%s' does not exist", path, dir);
	else if (!rc && access(dir, W_OK | X_OK) != 0)
		rc = rl_fail(e, "cannot write '%s': the folder '%s' is not writable", path, dir);
	if (!rc) {
		/* the write makes its temporary file there: making (and removing)
		 * one now is the only test that holds for root too, whom access()
		 * lets through to /proc or a read-only file system */
		size_t cap = strlen(target) + 48;
		char *tmp = malloc(cap);
		int fd = !tmp ? -1 : temp_or_fail(path, target, tmp, cap, e);
		if (!tmp)
			rc = rl_fail(e, "out of memory");
		else if (fd < 0)
			rc = -1;
		else {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
	}
	free(dir);
	free(target);
	return rc;
}

/* ---- reading ---------------------------------------------------------------------- */


int rl_reader_open(rl_reader *r, const char *path, size_t max_line, size_t max_total,
                   int *missing, rl_err *e)
{
	memset(r, 0, sizeof *r);
	if (missing)
		*missing = 0;
	r->path = path;
	r->max_line = max_line ? max_line : rl_mem_limit() / 4;
	r->max_total = max_total ? max_total : rl_mem_limit();
	r->f = fopen(path, "r");
	if (!r->f) {
		if (errno == ENOENT && missing)
			*missing = 1;
		return rl_fail(e, "cannot read '%s': %s", path,
		               errno == ENOENT ? "no such file" : strerror(errno));
	}
	struct stat st;
	if (fstat(fileno(r->f), &st) == 0) {
		char h[32];
		if (S_ISDIR(st.st_mode)) {
			rl_reader_close(r);
			return rl_fail(e, "cannot read '%s': it is a folder", path);
		}
		if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > r->max_total) {   /* before any work */
			rl_mem_human((double)r->max_total, h, sizeof h);
			rl_reader_close(r);
			return rl_fail(e, "cannot read '%s': it is larger than the limit of %s for this file "
			               "(the limit follows the memory limit: set RELUSH_MEM_LIMIT or "
			               "limits.memory to change it)", path, h);
		}
	}
	return 0;
}

int rl_reader_next(rl_reader *r, size_t *len, rl_err *e)
{
	size_t n = 0;
	int c = EOF;
	char h[32];
	for (;;) {
		c = getc_unlocked(r->f);
		if (c == EOF || c == '\n')
			break;
		if (c == '\0')
			return rl_fail(e, "%s:%zu: the line holds a NUL byte; is this a text file?", r->path,
			               r->lineno + 1);
		if (n + 1 >= r->cap) {
			if (n >= r->max_line) {
				rl_mem_human((double)r->max_line, h, sizeof h);
				return rl_fail(e, "%s:%zu: the line is longer than the limit of %s (a quarter of "
				               "the memory limit: set RELUSH_MEM_LIMIT or limits.memory to change "
				               "it); is this the right file?", r->path, r->lineno + 1, h);
			}
			size_t cap = r->cap ? r->cap * 2 : 4096;
			if (cap > r->max_line + 2)
				cap = r->max_line + 2;
			char *bigger = realloc(r->line, cap);
			if (!bigger)
				return rl_fail(e, "%s:%zu: out of memory reading the line", r->path, r->lineno + 1);
			r->line = bigger;
			r->cap = cap;
		}
		r->line[n++] = (char)c;
		if (++r->total > r->max_total) {
			rl_mem_human((double)r->max_total, h, sizeof h);
			return rl_fail(e, "cannot read '%s': it is larger than the limit of %s for this file "
			               "(the limit follows the memory limit: set RELUSH_MEM_LIMIT or "
			               "limits.memory to change it)", r->path, h);
		}
	}
	if (c == EOF && ferror(r->f))
		return rl_fail(e, "error reading '%s': %s", r->path, strerror(errno));
	if (c == EOF && n == 0)
		return 0;
	r->total++;
	r->lineno++;
	if (!r->line && !(r->line = malloc(r->cap = 16)))
		return rl_fail(e, "out of memory reading '%s'", r->path);
	r->line[n] = '\0';
	*len = n;
	return 1;
}

void rl_reader_close(rl_reader *r)
{
	if (r->f)
		fclose(r->f);
	free(r->line);
	r->f = NULL;
	r->line = NULL;
}
