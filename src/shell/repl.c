/* repl.c: the interactive loop. Reads a command (readline in a terminal,
 * plain lines otherwise), compiles it as lua.c does (first as an
 * expression, "return <line>"; a syntax error at <eof> asks for more on a
 * ">> " prompt), runs it with Ctrl-C turned into "interrupted", and
 * pretty-prints the results. Readline runs through its callback interface
 * so that Ctrl-C at the prompt clears the line instead of killing us. */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>
#include <readline/readline.h>
#include <readline/history.h>
#include <lauxlib.h>
#include "relush/interrupt.h"
#include "lua/rlua.h"
#include "shell/shell.h"
#include "view/ttyguard.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define PROMPT_MAIN "> "
#define PROMPT_MORE ">> "
#define RL_COLOUR(code) "\001" code "\002"     /* invisible to readline's width count */

typedef struct repl {
	lua_State *L;
	bool tty;            /* readline on a terminal */
	bool timing;         /* :time */
} repl;

enum read_status { READ_LINE, READ_EOF, READ_INTERRUPTED };

/* ---- reading a line ---------------------------------------------------------- */

static char *line_result;
static bool line_done;
static volatile sig_atomic_t got_sigwinch;

static void on_sigwinch(int sig)
{
	(void)sig;
	got_sigwinch = 1;
}

static void on_line(char *line)
{
	line_result = line;
	line_done = true;
	rl_callback_handler_remove();
}

static enum read_status read_tty(const char *prompt, char **line)
{
	sigset_t block, wait_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	shell_prompt_sigint = 0;
	line_done = false;
	line_result = NULL;
	/* readline's modes while it waits, undone by a fatal signal */
	const char *paste = rl_variable_value("enable-bracketed-paste");
	tty_guard_set_escape(TTY_GUARD_PROMPT, paste && strcmp(paste, "on") == 0 ? "\033[?2004l" : NULL);
	rl_callback_handler_install(prompt, on_line);
	enum read_status status = READ_LINE;
	while (!line_done) {
		/* Signals are blocked except inside pselect: none is missed. */
		fd_set fds;
		FD_ZERO(&fds);
		FD_SET(STDIN_FILENO, &fds);
		int rc = pselect(STDIN_FILENO + 1, &fds, NULL, NULL, NULL, &wait_mask);
		if (got_sigwinch) {
			got_sigwinch = 0;
			rl_resize_terminal();
		}
		if (shell_prompt_sigint) {
			/* Ctrl-C at the prompt: drop the line, start afresh. */
			shell_prompt_sigint = 0;
			rl_point = rl_end;
			rl_redisplay();
			fputs("^C", rl_outstream ? rl_outstream : stdout);
			fflush(rl_outstream ? rl_outstream : stdout);
			rl_free_line_state();
			rl_callback_sigcleanup();
			rl_replace_line("", 0);
			rl_callback_handler_remove();   /* may return the cursor to column 0 */
			fputs("\n", stdout);
			fflush(stdout);
			status = READ_INTERRUPTED;
			break;
		}
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			rl_callback_handler_remove();
			status = READ_EOF;
			break;
		}
		if (rc > 0)
			rl_callback_read_char();
	}
	sigprocmask(SIG_SETMASK, &wait_mask, NULL);
	tty_guard_set_escape(TTY_GUARD_PROMPT, NULL);
	if (status == READ_LINE && line_result == NULL) {
		fputs("\n", stdout);       /* Ctrl-D: leave the prompt line tidy */
		status = READ_EOF;
	}
	*line = line_result;
	return status;
}

static enum read_status read_plain(char **line)
{
	char *buf = NULL;
	size_t cap = 0;
	for (;;) {
		errno = 0;
		ssize_t n = getline(&buf, &cap, stdin);
		if (n >= 0) {
			if (n > 0 && buf[n - 1] == '\n')
				buf[n - 1] = '\0';
			*line = buf;
			return READ_LINE;
		}
		if (errno == EINTR && shell_prompt_sigint) {
			shell_prompt_sigint = 0;
			clearerr(stdin);
			free(buf);
			return READ_INTERRUPTED;
		}
		free(buf);
		*line = NULL;
		return READ_EOF;
	}
}

static enum read_status read_line(repl *r, bool continuation, char **line)
{
	if (!r->tty)
		return read_plain(line);
	const char *prompt;
	if (shell_colour)
		prompt = continuation ? RL_COLOUR(SHELL_GREEN) PROMPT_MORE RL_COLOUR(SHELL_RESET)
		                      : RL_COLOUR(SHELL_BOLD SHELL_GREEN) PROMPT_MAIN RL_COLOUR(SHELL_RESET);
	else
		prompt = continuation ? PROMPT_MORE : PROMPT_MAIN;
	return read_tty(prompt, line);
}

/* ---- compiling a command ------------------------------------------------------ */

static bool is_blank(const char *s) { return s[strspn(s, " \t\r\n")] == '\0'; }

static bool ends_with_semicolon(const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n > 0 && s[n - 1] == ';';
}

/* Position of the last ';' outside strings, comments and brackets, or -1. */
static long last_top_level_semicolon(const char *s)
{
	long last = -1;
	int depth = 0;
	for (long i = 0; s[i]; i++) {
		char c = s[i];
		if (c == '"' || c == '\'') {
			for (i++; s[i] && s[i] != c; i++)
				if (s[i] == '\\' && s[i + 1])
					i++;
			if (!s[i])
				return last;
		} else if (c == '[' && (s[i + 1] == '[' || s[i + 1] == '=')) {
			long j = i + 1;
			int level = 0;
			while (s[j] == '=')
				level++, j++;
			if (s[j] != '[') {
				depth++;
				continue;
			}
			/* a long string: skip to its closing bracket */
			for (j++; s[j]; j++) {
				if (s[j] == ']') {
					long k = j + 1;
					int l = 0;
					while (s[k] == '=')
						l++, k++;
					if (l == level && s[k] == ']') {
						j = k;
						break;
					}
				}
			}
			if (!s[j])
				return last;
			i = j;
		} else if (c == '-' && s[i + 1] == '-') {
			const char *nl = strchr(s + i, '\n');
			if (nl == NULL)
				return last;
			i = nl - s;
		} else if (c == '(' || c == '{' || c == '[') {
			depth++;
		} else if (c == ')' || c == '}' || c == ']') {
			depth--;
		} else if (c == ';' && depth == 0) {
			last = i;
		}
	}
	return last;
}

static bool compiles(lua_State *L, const char *code, size_t len)
{
	bool ok = luaL_loadbuffer(L, code, len, "=stdin") == LUA_OK;
	lua_pop(L, 1);
	return ok;
}

/* Loads the command so that expressions give their values: "return cmd";
 * then "stmts; return expr" for the last ';'-separated part; then the
 * command as it is. Returns the load status with the function (or the
 * error) on the stack. (A trailing ';' runs it the same way; the caller
 * then prints nothing.) */
static int load_command(lua_State *L, const char *cmd)
{
	size_t len = strlen(cmd);
	lua_pushfstring(L, "return %s", cmd);
	size_t rlen;
	const char *ret = lua_tolstring(L, -1, &rlen);
	if (luaL_loadbuffer(L, ret, rlen, "=stdin") == LUA_OK) {
		lua_remove(L, -2);
		return LUA_OK;
	}
	lua_pop(L, 2);
	/* the body without its trailing ';'s: "stmts; expr" -> "stmts; return expr" */
	size_t body_len = len;
	while (body_len > 0 && strchr(" \t\r\n;", cmd[body_len - 1]) != NULL)
		body_len--;
	lua_pushlstring(L, cmd, body_len);
	const char *body = lua_tostring(L, -1);
	long semi = last_top_level_semicolon(body);
	if (semi >= 0 && !is_blank(body + semi + 1)) {
		const char *tail = body + semi + 1;
		lua_pushfstring(L, "return %s", tail);
		bool tail_is_expression = compiles(L, lua_tostring(L, -1), lua_rawlen(L, -1));
		lua_pop(L, 1);
		if (tail_is_expression) {
			lua_pushlstring(L, body, (size_t)semi + 1);
			lua_pushfstring(L, "%s return %s", lua_tostring(L, -1), tail);
			lua_remove(L, -2);
			size_t clen;
			const char *code = lua_tolstring(L, -1, &clen);
			if (luaL_loadbuffer(L, code, clen, "=stdin") == LUA_OK) {
				lua_replace(L, -3);       /* over the body */
				lua_pop(L, 1);
				return LUA_OK;
			}
			lua_pop(L, 2);
		}
	}
	lua_pop(L, 1);
	return luaL_loadbuffer(L, cmd, len, "=stdin");
}

/* A syntax error at the end of the text: the command goes on. */
static bool incomplete(lua_State *L, int status)
{
	if (status != LUA_ERRSYNTAX)
		return false;
	size_t len;
	const char *msg = lua_tolstring(L, -1, &len);
	static const char eof_mark[] = "<eof>";
	size_t m = sizeof eof_mark - 1;
	return msg != NULL && len >= m && strcmp(msg + len - m, eof_mark) == 0;
}

/* ---- printing results ---------------------------------------------------------- */

/* The columns text takes on the terminal: one per UTF-8 code point (every
 * glyph relush prints, braille and box drawing included, is one column
 * wide), none for the bytes of an escape sequence (colour codes). */
static size_t display_width(const char *s, size_t len)
{
	size_t cols = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x1b) {           /* ESC [ parameters final byte */
			if (i + 1 < len && s[i + 1] == '[') {
				i += 2;
				while (i < len && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e))
					i++;
			}
			continue;
		}
		if ((c & 0xc0) != 0x80)    /* not a continuation byte */
			cols++;
	}
	return cols;
}

/* A line of a drawing, which re-wrapping would garble: colour codes, or
 * box-drawing, block or braille glyphs (U+2500 to U+28FF, lead bytes 0xE2
 * 0x94..0xA3), as in a plot. (Table rows are folded to the width by their
 * report, so measured in columns they fit and pass unchanged too.) */
static bool preformatted(const char *s, const char *end)
{
	for (const char *p = s; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == 0x1b)
			return true;
		if (c == 0xe2 && p + 1 < end && (unsigned char)p[1] >= 0x94 && (unsigned char)p[1] <= 0xa3)
			return true;
	}
	return false;
}

/* Pushes text with every line wider than width (in columns, see
 * display_width) wrapped at spaces, the continuation indented 2 more than
 * the line: a report's prose and key-value lines. Drawings (plots) pass
 * unchanged; table rows are already folded to the width. */
static void push_wrapped(lua_State *L, const char *s, size_t len, int width)
{
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	const char *end = s + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *line_end = nl ? nl : end;
		if (preformatted(s, line_end) || display_width(s, (size_t)(line_end - s)) <= (size_t)width) {
			luaL_addlstring(&b, s, (size_t)(nl ? nl + 1 - s : end - s));
			s = nl ? nl + 1 : end;
			continue;
		}
		size_t indent = strspn(s, " ");
		luaL_addlstring(&b, s, indent);
		size_t col = indent, spaces = 0;
		/* the word before, when it is not first on its line: a short word
		 * after a number (its unit: "0.0031 s,", "12 %") takes the number
		 * along to the next line rather than start that line alone */
		const char *prev = NULL;
		size_t prev_len = 0, prev_at = 0;
		/* words go out with the spaces before them, which a break drops */
		for (const char *p = s + indent; p < line_end;) {
			if (*p == ' ') {
				spaces++;
				p++;
				continue;
			}
			const char *w = p;
			while (w < line_end && *w != ' ')
				w++;
			size_t wl = (size_t)(w - p), wcols = display_width(p, wl);
			if (col > indent + 2 && col + spaces + wcols > (size_t)width) {
				bool unit = prev != NULL && wl <= 3 && (p[0] == '%' || (p[0] >= 'a' && p[0] <= 'z'))
				            && prev[prev_len - 1] >= '0' && prev[prev_len - 1] <= '9';
				if (unit)          /* take back the number and the spaces before it */
					luaL_buffsub(&b, luaL_bufflen(&b) - prev_at);
				luaL_addchar(&b, '\n');
				for (size_t k = 0; k < indent + 2; k++)
					luaL_addchar(&b, ' ');
				col = indent + 2;
				if (unit) {
					luaL_addlstring(&b, prev, prev_len);
					col += display_width(prev, prev_len);
				} else {
					spaces = 0;
				}
			}
			for (size_t k = 0; k < spaces; k++)
				luaL_addchar(&b, ' ');
			col += spaces;
			prev = col > indent + 2 ? p : NULL;
			prev_len = wl;
			prev_at = luaL_bufflen(&b) - spaces;
			spaces = 0;
			luaL_addlstring(&b, p, wl);
			col += wcols;
			p = w;
		}
		for (size_t k = 0; k < spaces; k++)      /* a line's own trailing spaces stay */
			luaL_addchar(&b, ' ');
		if (nl)
			luaL_addchar(&b, '\n');
		s = nl ? nl + 1 : end;
	}
	luaL_pushresult(&b);
}

/* Runs under shell_pcall: the values to print are the arguments. A report
 * (a relush object printing over several lines) gets its first line, the
 * header, in bold on a colour terminal. */
static int print_results(lua_State *L)
{
	int n = lua_gettop(L);
	int width = shell_term_width();
	for (int i = 1; i <= n; i++) {
		int type = luaL_getmetafield(L, i, "__name");
		bool report = type == LUA_TSTRING && strncmp(lua_tostring(L, -1), "relush.", 7) == 0;
		if (type != LUA_TNIL)
			lua_pop(L, 1);
		rlua_set_fold_width(report ? width : 0);
		shell_pretty(L, i, width, true);
		rlua_set_fold_width(0);
		size_t len;
		const char *s = lua_tolstring(L, -1, &len);
		const char *nl = memchr(s, '\n', len);
		if (report && nl != NULL) {
			push_wrapped(L, s, len, width);
			lua_remove(L, -2);
			s = lua_tolstring(L, -1, &len);
			nl = memchr(s, '\n', len);
		}
		if (report && shell_colour && nl != NULL) {
			fputs(SHELL_BOLD, stdout);
			fwrite(s, 1, (size_t)(nl - s), stdout);
			fputs(SHELL_RESET, stdout);
			fwrite(nl, 1, len - (size_t)(nl - s), stdout);
		} else {
			fwrite(s, 1, len, stdout);
		}
		fputs(i < n ? "\t" : "\n", stdout);
		lua_pop(L, 1);
	}
	fflush(stdout);
	return 0;
}

/* ---- one command ------------------------------------------------------------------ */

static void run_command(repl *r, const char *cmd)
{
	lua_State *L = r->L;
	double start = rl_now();
	int status = load_command(L, cmd);
	if (status == LUA_OK) {
		int base = lua_gettop(L) - 1;
		shell_set_chunk_text(cmd);      /* for "did you mean" */
		status = shell_pcall(L, 0, LUA_MULTRET);
		shell_set_chunk_text(NULL);
		int nresults = lua_gettop(L) - base;
		if (status == LUA_OK && nresults > 0 && !ends_with_semicolon(cmd)) {
			lua_pushvalue(L, base + 1);       /* the first result becomes _ */
			lua_insert(L, base + 1);
			lua_pushcfunction(L, print_results);
			lua_insert(L, base + 2);
			status = shell_pcall(L, nresults, 0);
			if (status == LUA_OK) {
				lua_pushvalue(L, base + 1);
				lua_setglobal(L, "_");
			}
		}
	}
	if (status != LUA_OK)
		shell_report(L, status);
	lua_settop(L, 0);
	if (r->timing) {
		double t = rl_now() - start;
		printf("%s(%.3f s)%s\n", shell_colour ? SHELL_DIM : "", t, shell_colour ? SHELL_RESET : "");
	}
	fflush(stdout);
}

/* "?name" and "name?" (IPython, Julia): help for what name is, or for
 * the word when it names nothing (help "arch"); "?" alone: help(). '?' is never Lua, so the
 * shortcut cannot shadow a command. Returns false when the line is not one. */
static bool help_shortcut(repl *r, const char *line)
{
	const char *p = line + strspn(line, " \t");
	size_t n = strlen(p);
	while (n > 0 && strchr(" \t\r\n", p[n - 1]))
		n--;
	if (n == 1 && p[0] == '?') {          /* "?" alone, as in IPython: the overview */
		run_command(r, "help()");
		return true;
	}
	if (n < 2 || (p[0] != '?' && p[n - 1] != '?') || (p[0] == '?' && p[n - 1] == '?'))
		return false;
	const char *word = p[0] == '?' ? p + 1 : p;
	size_t len = n - 1;
	while (len > 0 && (*word == ' ' || *word == '\t'))
		word++, len--;
	while (len > 0 && (word[len - 1] == ' ' || word[len - 1] == '\t'))
		len--;
	for (size_t i = 0; i < len; i++)
		if (!(word[i] == '_' || word[i] == '.' || word[i] == ':' || (word[i] >= '0' && word[i] <= '9')
		      || (word[i] >= 'a' && word[i] <= 'z') || (word[i] >= 'A' && word[i] <= 'Z')))
			return false;
	/* "net:death" names a method: help "net:death"; else the value when
	 * it is one help explains (a function, table or object), or the word
	 * itself ("arch" a guide, "net.depth" an entry) */
	char *cmd = malloc(2 * len + 256);
	if (cmd == NULL)
		return false;
	if (memchr(word, ':', len) != NULL)
		sprintf(cmd, "help(\"%.*s\")", (int)len, word);
	else
		sprintf(cmd, "do local ok, v = pcall(load(\"return %.*s\") or error) local t = type(v) "
		        "help((ok and (t == 'function' or t == 'table' or t == 'userdata')) and v or \"%.*s\") end",
		        (int)len, word, (int)len, word);
	run_command(r, cmd);
	free(cmd);
	return true;
}

/* ":time", ":help", ":quit": returns false when the line is not one. */
static bool shell_command(repl *r, const char *line, bool *quit)
{
	const char *p = line + strspn(line, " \t");
	if (p[0] != ':' || !(p[1] >= 'a' && p[1] <= 'z'))
		return false;
	size_t n = strcspn(p, " \t\r\n");
	if (!is_blank(p + n))
		return false;
	if (n == 5 && strncmp(p, ":time", 5) == 0) {
		r->timing = !r->timing;
		printf("timing %s\n", r->timing ? "on" : "off");
	} else if ((n == 5 && strncmp(p, ":quit", 5) == 0) || (n == 2 && strncmp(p, ":q", 2) == 0)) {
		*quit = true;
	} else if (n == 5 && strncmp(p, ":help", 5) == 0) {
		run_command(r, "help()");
	} else {
		fflush(stdout);
		fprintf(stderr, "unknown command '%.*s' (the shell knows :time, :help and :quit)\n", (int)n, p);
	}
	fflush(stdout);
	return true;
}

/* ---- the loop ------------------------------------------------------------------------ */

int shell_repl(lua_State *L, bool banner)
{
	repl r = { .L = L, .tty = isatty(STDIN_FILENO) != 0 };
	shell_set_error_style(SHELL_ERRORS_REPL);
	shell_sigint_at_prompt(true);
	if (r.tty) {
		rl_readline_name = "relush";
		rl_catch_signals = 0;
		rl_catch_sigwinch = 0;
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_sigwinch;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;   /* a resize must not break the user's reads */
		sigaction(SIGWINCH, &sa, NULL);
		shell_complete_init(L);
		shell_history_open();
	}
	if (banner && r.tty)
		printf("relush %s (%s). help() lists the API; Tab completes; Ctrl-D leaves.\n",
		       PACKAGE_VERSION, LUA_RELEASE);
	fflush(stdout);

	bool quit = false;
	while (!quit) {
		char *line;
		enum read_status st = read_line(&r, false, &line);
		if (st == READ_EOF)
			break;
		if (st == READ_INTERRUPTED)
			continue;
		if (shell_command(&r, line, &quit) || help_shortcut(&r, line)) {
			if (r.tty)
				shell_history_add(line);
			free(line);
			continue;
		}
		/* gather lines while the chunk is incomplete */
		char *chunk = line;
		bool abandoned = false;
		for (;;) {
			int status = load_command(L, chunk);
			bool more = incomplete(L, status);
			lua_pop(L, 1);
			if (!more)
				break;
			char *next;
			st = read_line(&r, true, &next);
			if (st != READ_LINE) {
				abandoned = true;
				if (st == READ_EOF) {
					/* end of input inside a command: say what was wrong */
					run_command(&r, chunk);
					quit = true;
				}
				break;
			}
			size_t n = strlen(chunk) + strlen(next) + 2;
			char *joined = malloc(n);
			if (joined == NULL) {
				free(next);
				abandoned = true;
				break;
			}
			snprintf(joined, n, "%s\n%s", chunk, next);
			free(chunk);
			free(next);
			chunk = joined;
		}
		if (!abandoned && !is_blank(chunk)) {
			if (r.tty)
				shell_history_add(chunk);
			run_command(&r, chunk);
		}
		free(chunk);
	}
	if (r.tty)
		shell_history_close();
	shell_sigint_at_prompt(false);
	return 0;
}
