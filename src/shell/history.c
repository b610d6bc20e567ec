/* history.c: the REPL's history file. The path is $RELUSH_HISTORY, else
 * $XDG_STATE_HOME/relush/history, else ~/.local/state/relush/history.
 * Every command is appended as it is entered (nothing is lost on a crash,
 * concurrent sessions all keep theirs); on exit the file is rewritten with
 * duplicates folded (the latest kept) and capped at HISTORY_MAX entries,
 * through a temporary file renamed into place (never a truncated file).
 * Entries are stored with readline's "#<time>" lines, which keep a
 * multi-line command one entry (its empty lines marked, as readline would
 * drop them). A path that cannot be used warns once and the session goes on; a device
 * such as /dev/null silently means "no history". */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <readline/readline.h>
#include <readline/history.h>
#include "relush/files.h"
#include "shell/shell.h"

enum { HISTORY_MAX = 1000 };

static char *history_path;          /* NULL: no history file */
static bool history_warned;

static void warn_once(const char *what, int err)
{
	if (history_warned)
		return;
	history_warned = true;
	fprintf(stderr, "relush: cannot %s the history file %s: %s; "
	        "this session's history will not be saved (set RELUSH_HISTORY to change the path)\n",
	        what, history_path, strerror(err));
	free(history_path);
	history_path = NULL;
}

/* mkdir -p for the folder part of path; returns 0 or an errno. */
static int make_parent_dirs(const char *path)
{
	char *dir = strdup(path);
	if (dir == NULL)
		return ENOMEM;
	int err = 0;
	for (char *p = dir + 1; *p && !err; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			err = errno;
		*p = '/';
	}
	free(dir);
	return err;
}

static char *default_path(void)
{
	const char *env = getenv("RELUSH_HISTORY");
	if (env != NULL)
		return env[0] ? strdup(env) : NULL;      /* empty: no history */
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *path = NULL;
	if (state != NULL && state[0] == '/') {
		size_t n = strlen(state) + sizeof "/relush/history";
		path = malloc(n);
		if (path)
			snprintf(path, n, "%s/relush/history", state);
	} else if (home != NULL && home[0]) {
		size_t n = strlen(home) + sizeof "/.local/state/relush/history";
		path = malloc(n);
		if (path)
			snprintf(path, n, "%s/.local/state/relush/history", home);
	}
	return path;
}

/* Removes every entry equal to line (an older duplicate). */
static void remove_duplicates_of(const char *line)
{
	for (int i = history_length - 1; i >= 0; i--) {
		HIST_ENTRY *h = history_get(history_base + i);
		if (h != NULL && strcmp(h->line, line) == 0) {
			HIST_ENTRY *gone = remove_history(i);
			if (gone)
				free_history_entry(gone);
		}
	}
}

/* Folds the whole list: keeps the latest of equal entries. */
static void fold_duplicates(void)
{
	for (int i = history_length - 1; i > 0; i--) {
		HIST_ENTRY *h = history_get(history_base + i);
		if (h == NULL)
			continue;
		for (int j = i - 1; j >= 0; j--) {
			HIST_ENTRY *o = history_get(history_base + j);
			if (o != NULL && strcmp(o->line, h->line) == 0) {
				HIST_ENTRY *gone = remove_history(j);
				if (gone)
					free_history_entry(gone);
				i--;
			}
		}
	}
}

/* Readline drops empty lines when it reads a file, so a command whose
 * blank line was inside a long string ("s = [[a", "", "b]]") would come
 * back from the next session as another value. In the file an empty line
 * of a multi-line entry is written as BLANK_MARK (a comment, harmless if
 * run as it is) and read back as empty. */
static const char BLANK_MARK[] = "--[[relush: blank line]]";

/* A malloc'ed copy of entry with its empty lines marked (encode) or its
 * marks made empty again; NULL when out of memory. */
static char *recode(const char *entry, bool encode)
{
	size_t mark = sizeof BLANK_MARK - 1, lines = 1;
	for (const char *p = entry; *p; p++)
		lines += *p == '\n';
	char *out = malloc(strlen(entry) + lines * mark + 1);
	if (out == NULL)
		return NULL;
	char *o = out;
	for (const char *p = entry;;) {
		size_t n = strcspn(p, "\n");
		if (encode && n == 0) {
			memcpy(o, BLANK_MARK, mark);
			o += mark;
		} else if (!(!encode && n == mark && memcmp(p, BLANK_MARK, mark) == 0)) {
			memcpy(o, p, n);
			o += n;
		}
		if (p[n] == '\0')
			break;
		*o++ = '\n';
		p += n + 1;
	}
	*o = '\0';
	return out;
}

/* Recodes every multi-line entry of the list in place. */
static void recode_all(bool encode)
{
	for (int i = 0; i < history_length; i++) {
		HIST_ENTRY *h = history_get(history_base + i);
		if (h == NULL || strchr(h->line, '\n') == NULL)
			continue;
		if (!encode && strstr(h->line, BLANK_MARK) == NULL)
			continue;
		char *line = recode(h->line, encode);
		if (line == NULL)
			continue;
		HIST_ENTRY *old = replace_history_entry(i, line, h->data);
		if (old)
			free_history_entry(old);
		free(line);
	}
}

/* Joining lines into entries is right only for a file written with time
 * stamps: readline would join every line of an older file into one entry
 * (a file without them is rewritten with them on exit). */
static int read_entries(const char *path)
{
	FILE *f = fopen(path, "r");
	int c0 = f ? getc(f) : EOF, c1 = f ? getc(f) : EOF;
	if (f)
		fclose(f);
	history_multiline_entries = c0 == '#' && c1 >= '0' && c1 <= '9';
	int err = read_history(path);
	if (err == 0)
		recode_all(false);
	return err;
}

void shell_history_open(void)
{
	using_history();
	stifle_history(HISTORY_MAX);
	/* Each entry is written after a "#<time>" line, so that a command typed
	 * over several lines reads back as one entry in the next session
	 * (readline joins the lines between two time stamps). Files written
	 * without time stamps still read one entry per line. */
	history_comment_char = '#';
	history_write_timestamps = 1;
	history_path = default_path();
	if (history_path == NULL)
		return;
	struct stat st;
	if (stat(history_path, &st) == 0) {
		if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {   /* /dev/null: no history */
			free(history_path);
			history_path = NULL;
			return;
		}
		if (!S_ISREG(st.st_mode)) {
			warn_once("use", EISDIR);
			return;
		}
		int err = read_entries(history_path);
		if (err != 0)
			warn_once("read", err);
		fold_duplicates();
		return;
	}
	if (errno != ENOENT) {
		warn_once("use", errno);
		return;
	}
	int err = make_parent_dirs(history_path);
	if (err != 0)
		warn_once("create", err);
}

void shell_history_add(const char *line)
{
	if (line == NULL || line[strspn(line, " \t\n")] == '\0')
		return;
	remove_duplicates_of(line);
	add_history(line);
	if (history_path == NULL)
		return;
	FILE *f = fopen(history_path, "a");
	if (f == NULL) {
		warn_once("write", errno);
		return;
	}
	/* as append_history would write it (a time stamp line, the entry),
	 * with its empty lines marked */
	char *entry = strchr(line, '\n') ? recode(line, true) : NULL;
	errno = 0;
	int ok = fprintf(f, "#%ld\n%s\n", (long)time(NULL), entry ? entry : line) > 0;
	free(entry);
	if (fclose(f) != 0 || !ok)
		warn_once("write", errno ? errno : EIO);
}

/* Writes the list through the core's atomic writer (relush/files.h): a
 * crash or a full disk while writing leaves the old file whole, a
 * symlinked history file (dotfiles) stays a link, a read-only one is left
 * alone. Returns 0, or -1 with the message in e. */
static int write_atomically(const char *path, rl_err *e)
{
	/* the text readline's write_history would write: an entry's time
	 * stamp line ("#<time>") before it when time stamps are on, and the
	 * blank lines of multi-line entries marked (readline would drop them) */
	recode_all(true);          /* the list is not used after this */
	HIST_ENTRY **list = history_list();
	size_t len = 0;
	for (size_t i = 0; list && list[i]; i++) {
		const char *stamp = list[i]->timestamp;
		if (history_write_timestamps && stamp && stamp[0])
			len += strlen(stamp) + 1;
		len += strlen(list[i]->line) + 1;
	}
	char *text = malloc(len + 1), *p = text;
	if (text == NULL)
		return rl_fail(e, "out of memory");
	for (size_t i = 0; list && list[i]; i++) {
		const char *stamp = list[i]->timestamp;
		if (history_write_timestamps && stamp && stamp[0])
			p += sprintf(p, "%s\n", stamp);
		p += sprintf(p, "%s\n", list[i]->line);
	}
	int rc = rl_write_atomic(path, text, len, e);
	free(text);
	return rc;
}

void shell_history_close(void)
{
	if (history_path == NULL)
		return;
	/* Merge what other sessions appended meanwhile, then fold and cap. */
	clear_history();
	if (read_entries(history_path) == 0) {
		fold_duplicates();
		rl_err e;
		if (write_atomically(history_path, &e) != 0 && !history_warned)
			fprintf(stderr, "relush: %s; this session's history was not saved\n", e.msg);
	}
	free(history_path);
	history_path = NULL;
}
