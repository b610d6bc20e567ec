/* shell.h: what the parts of the relush binary share: the Lua state set-up
 * and protected calls (run.c), the REPL (repl.c), the pretty printer
 * (pretty.c), help() (help.c), completion (complete.c) and the history file
 * (history.c). */
#ifndef RELUSH_SHELL_H
#define RELUSH_SHELL_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <lua.h>

#define SHELL_USAGE "usage: relush [options] [script.lua [args...]]"

/* Exit status of a script stopped by Ctrl-C, as a shell reports SIGINT. */
#define SHELL_EXIT_INTERRUPTED 130

/* ---- run.c ---------------------------------------------------------------- */
/* A new Lua state with the standard libraries, the relush module (also in
 * package.loaded["relush"]), its public fields copied into the globals and
 * the shell's own globals (help). Exits with a message when out of memory. */
lua_State *shell_open(void);

/* How errors are reported: a script shows its traceback in full; the REPL
 * leaves out a traceback that only repeats the message's own position. */
enum shell_error_style { SHELL_ERRORS_BATCH, SHELL_ERRORS_REPL };
void shell_set_error_style(enum shell_error_style style);
/* Whether the session outlives the command being run (the REPL, or a script
 * run with -i): only then is an interrupted mc's partial result, left in
 * mc.partial, still there to look at, and the interrupt message says so. */
void shell_set_session_goes_on(bool goes_on);

/* lua_pcall with a message handler that adds a short traceback, and with
 * Ctrl-C turned into the error "interrupted" (Lua hook + the engine's
 * interrupt flag) for the duration of the call. The flags are cleared when
 * the call returns. */
int shell_pcall(lua_State *L, int nargs, int nresults);
/* Did the last shell_pcall end because of Ctrl-C? */
bool shell_was_interrupted(void);

/* Prints the error message on top of the stack to stderr (prefixed with
 * "relush: " in batch mode, coloured in a colour REPL) and pops it. */
void shell_report(lua_State *L, int status);

/* Load and run a chunk / a script file (path NULL or "-" is stdin; the
 * script's arguments are the nargs values on top of the stack). Errors are
 * reported; the Lua status is returned. */
int shell_run_string(lua_State *L, const char *chunk, const char *chunkname);
int shell_run_script(lua_State *L, const char *path, int nargs);

/* SIGINT while the REPL waits at its prompt: sets this flag only. */
extern volatile sig_atomic_t shell_prompt_sigint;
/* Installs the prompt-time SIGINT handler (REPL) or the default action. */
void shell_sigint_at_prompt(bool repl);

/* ---- shard.c --------------------------------------------------------------- */
/* "i/N" with 1 <= i <= N: 0, or -1 when s is not that. */
int shell_parse_shard(const char *s, unsigned long long *index, unsigned long long *count);
/* mc.shard = {index, count}: the shard mc runs when a call gives none. */
void shell_set_shard(lua_State *L, unsigned long long index, unsigned long long count);
/* `relush merge ...` (argv[0] is "merge"); returns the exit status. */
int shell_merge(int argc, char **argv);

/* ---- colour ---------------------------------------------------------------- */
extern bool shell_colour;     /* rlua_colour(stdout): a terminal, not TERM=dumb, NO_COLOR unset */
#define SHELL_RED     "\033[31m"
#define SHELL_GREEN   "\033[32m"
#define SHELL_YELLOW  "\033[33m"
#define SHELL_BOLD    "\033[1m"
#define SHELL_DIM     "\033[2m"
#define SHELL_RESET   "\033[0m"

/* ---- demo.c ---------------------------------------------------------------- */
/* The globals demo([name]) and paper(name, ...) and their help entries. */
void shell_open_demo(lua_State *L);

/* ---- repl.c ---------------------------------------------------------------- */
/* Runs the interactive loop until end of input; returns the exit status.
 * With a terminal it uses readline, history and completion; otherwise it
 * reads plain lines without prompts (results are still printed). */
int shell_repl(lua_State *L, bool banner);

/* ---- pretty.c -------------------------------------------------------------- */
/* Pushes a readable rendering of the value at idx: tables sorted and
 * nested to a depth limit, long lists elided, cycles marked, lines kept
 * within width columns; __pretty / __tostring honoured. top: the value is
 * a result of its own (strings print raw, numbers in full precision). */
void shell_pretty(lua_State *L, int idx, int width, bool top);
/* Terminal width in columns (80 when unknown). */
int shell_term_width(void);

/* ---- help.c ---------------------------------------------------------------- */
/* Registers the global help() and the shell's own entries in _help. The
 * module table is at index module. */
void shell_open_help(lua_State *L, int module);
/* Pushes the registry name of a value (a module function, a method) or
 * nil when it has none. */
void shell_help_name_of(lua_State *L, int idx);
/* Pushes the method table of the value's type (its metatable's __index
 * table, or __methods) and returns true; else pushes nothing. */
bool shell_push_methods(lua_State *L, int idx);

/* ---- guides.c -------------------------------------------------------------- */
/* Registers the teaching topics (help "arch", "paper", ...) in module._guides. */
void shell_open_guides(lua_State *L, int module);
/* Writes guide name to out (text wrapped by wrap(text, indent, width));
 * false when there is no such guide. */
bool shell_guide(const char *name, FILE *out, int width, void (*wrap)(const char *, int, int));
/* Writes the guides as a list: help "alive", help "dead", ... */
void shell_guide_list(FILE *out);

/* ---- suggest.c ------------------------------------------------------------- */
/* The nearest existing name to word, of a kind: 'g' a global, 'm' a method
 * of the API, 'f' a field (API functions and globals), 't' a help entry or
 * topic. NULL when none is close; the string lives until the next call. */
const char *shell_suggest(lua_State *L, const char *word, char kind);
/* Pushes "; did you mean 'x'?" for an error message about a nil global,
 * method or field when a near name exists, else "". Runs in a message
 * handler: the erroring function is at level 1; its line of source (from
 * its file, or the text given to shell_set_chunk_text) tells which table a
 * field was looked up in. */
void shell_push_suggestion(lua_State *L, const char *msg);
/* The text of the chunk about to run (the REPL's command, -e's chunk),
 * for the suggestions; NULL when it is done. Not copied. */
void shell_set_chunk_text(const char *text);

/* ---- pager.c --------------------------------------------------------------- */
/* A stream for long output: a pipe to $PAGER (less) when stdin and stdout
 * are terminals, else stdout. Close it with shell_pager_close. */
FILE *shell_pager_open(void);
void shell_pager_close(FILE *f);

/* ---- complete.c ------------------------------------------------------------ */
/* Installs the readline completion functions for state L. */
void shell_complete_init(lua_State *L);
/* Replaces the value on top by the one a plain index chain names in it
 * ("a.b[2]", or ".b[2]" continuing one): raw fields, integer indices and
 * __index tables only, nothing called; nil when unknown. */
void shell_index_chain(lua_State *L, const char *expr, size_t len);

/* ---- history.c ------------------------------------------------------------- */
/* Loads the history file (path from RELUSH_HISTORY, XDG_STATE_HOME or
 * ~/.local/state); warns once and goes on when it cannot be used. */
void shell_history_open(void);
/* Adds an entry (folding duplicates) and appends it to the file. */
void shell_history_add(const char *line);
/* Rewrites the file folded and capped; called on exit. */
void shell_history_close(void);

#endif
