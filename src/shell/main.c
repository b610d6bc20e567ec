/* main.c: the relush command line: options, the `arg` table (as lua.c
 * builds it), -e chunks, the script, and the REPL. */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include "relush/env.h"
#include "relush/mc.h"
#include "lua/rlua.h"
#include "shell/shell.h"
#include "plot/plot.h"
#include "view/ttyguard.h"
#include "view/view.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

static const char usage_text[] =
	SHELL_USAGE "\n"
	"Explore neuron death in deep ReLU networks at initialisation (Lua 5.4).\n"
	"\n"
	"Options:\n"
	"  -e chunk   run the Lua code in chunk (may be repeated; run in order)\n"
	"  -i         enter the interactive shell after the script and chunks\n"
	"  --shard i/N\n"
	"             run shard i of N: every mc{} without a shard option counts\n"
	"             only that slice of its trials (mc.shard = {i, N})\n"
	"  -h         print this help and exit\n"
	"  -v         print the version and the engine's code paths, and exit\n"
	"  -          read the script from standard input\n"
	"  --         stop handling options\n"
	"\n"
	"With no script and no -e, relush starts the interactive shell when\n"
	"standard input is a terminal, and otherwise runs standard input as a\n"
	"script. The script's arguments are in the table arg and in `...`.\n"
	"\n"
	"relush merge [-o out.jsonl] [--sweep] a.jsonl b.jsonl ... merges the\n"
	"shards' results files into the whole run (relush merge -h).\n"
	"Type help() in the shell for the API; see relush(1).\n";

struct options {
	int script;         /* index in argv of the script (or "-"), 0 if none */
	bool interactive;   /* -i */
	bool has_chunks;    /* at least one -e */
	bool help, version;
	unsigned long long shard_index, shard_count;   /* --shard i/N; 0/0 without */
};

static int usage_error(const char *fmt, const char *what)
{
	fputs("relush: ", stderr);
	fprintf(stderr, fmt, what);
	fputs("\n" SHELL_USAGE "\n", stderr);
	return 2;
}

/* Reads the options up to the script name. Returns 0, or the exit status
 * of a usage error. -e chunks are only checked here and run later in
 * order, like lua.c. */
static int collect_options(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-') {
			o->script = i;
			return 0;
		}
		if (strcmp(a, "-") == 0) {
			o->script = i;
			return 0;
		}
		if (strcmp(a, "--") == 0) {
			o->script = i + 1 < argc ? i + 1 : 0;
			return 0;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			o->help = true;
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0) {
			o->version = true;
		} else if (strcmp(a, "-i") == 0) {
			o->interactive = true;
		} else if (strcmp(a, "--shard") == 0 || strncmp(a, "--shard=", 8) == 0) {
			const char *v = a[7] == '=' ? a + 8 : i + 1 < argc ? argv[++i] : NULL;
			if (v == NULL)
				return usage_error("option '%s' needs i/N (run shard i of N), e.g. --shard 3/8", "--shard");
			if (shell_parse_shard(v, &o->shard_index, &o->shard_count))
				return usage_error("option '--shard' needs i/N with integers 1 <= i <= N, got '%s'", v);
		} else if (strncmp(a, "-e", 2) == 0) {
			o->has_chunks = true;
			if (a[2] == '\0') {
				if (i + 1 >= argc || argv[i + 1] == NULL)
					return usage_error("option '%s' needs a Lua chunk as its argument", "-e");
				i++;
			}
		} else {
			return usage_error("unrecognized option '%s'", a);
		}
	}
	return 0;
}

/* arg[0] is the script, arg[1..] its arguments, arg[-k] the interpreter
 * and the options before it. With no script, arg[0] is the program. */
static void create_arg_table(lua_State *L, int argc, char **argv, int script)
{
	int narg = argc - (script + 1);
	lua_createtable(L, narg > 0 ? narg : 0, script + 1);
	for (int i = 0; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i - script);
	}
	lua_setglobal(L, "arg");
}

static int run_chunks(lua_State *L, char **argv, int last)
{
	for (int i = 1; i < last; i++) {
		if (strncmp(argv[i], "-e", 2) != 0)
			continue;
		const char *chunk = argv[i][2] ? argv[i] + 2 : argv[++i];
		if (shell_run_string(L, chunk, "=(command line)") != LUA_OK)
			return shell_was_interrupted() ? SHELL_EXIT_INTERRUPTED : 1;
	}
	return 0;
}

static int run_script(lua_State *L, int argc, char **argv, int script)
{
	int nargs = argc - script - 1;
	luaL_checkstack(L, nargs + 3, "too many arguments to the script");
	for (int i = script + 1; i < argc; i++)
		lua_pushstring(L, argv[i]);
	if (shell_run_script(L, argv[script], nargs) != LUA_OK)
		return shell_was_interrupted() ? SHELL_EXIT_INTERRUPTED : 1;
	return 0;
}

int main(int argc, char **argv)
{
	/* over a file size limit (ulimit -f) a write fails with EFBIG and the
	 * save says so, keeping the old file, instead of the signal killing
	 * the session and the result with it */
	signal(SIGXFSZ, SIG_IGN);
	rl_err env_error;
	if (rl_env_check(&env_error) != 0) {
		fprintf(stderr, "relush: %s\n", env_error.msg);
		return 2;
	}
	if (argc > 1 && strcmp(argv[1], "merge") == 0)   /* a script named merge: relush ./merge */
		return shell_merge(argc - 1, argv + 1);
	struct options o;
	int status = collect_options(argc, argv, &o);
	if (status != 0)
		return status;
	if (o.help) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (o.version) {
		printf("relush %s (%s)\nengine: %s\n", PACKAGE_VERSION, LUA_RELEASE, mc_engine_paths());
		return 0;
	}
	shell_colour = rlua_colour(STDOUT_FILENO);

	tty_guard_init();
	lua_State *L = shell_open();
	plot_open_lua(L);
	view_open_lua(L);
	shell_open_demo(L);
	if (o.shard_count)
		shell_set_shard(L, o.shard_index, o.shard_count);
	create_arg_table(L, argc, argv, o.script);
	bool stdin_tty = isatty(STDIN_FILENO);
	shell_set_session_goes_on(o.interactive || (!o.script && !o.has_chunks && stdin_tty));
	int last_option = o.script ? o.script : argc;
	status = run_chunks(L, argv, last_option);
	if (status == 0 && o.script)
		status = run_script(L, argc, argv, o.script);
	if (o.interactive) {
		/* -i: the REPL even after an error or Ctrl-C in the script, with
		 * its globals intact, to look at what it left */
		status = shell_repl(L, stdin_tty && !o.script && !o.has_chunks);
	} else if (status == 0) {
		if (!o.script && !o.has_chunks) {
			if (stdin_tty)
				status = shell_repl(L, true);
			else if (shell_run_script(L, NULL, 0) != LUA_OK)
				status = shell_was_interrupted() ? SHELL_EXIT_INTERRUPTED : 1;
		}
	}
	fflush(stdout);
	lua_close(L);
	return status;
}
