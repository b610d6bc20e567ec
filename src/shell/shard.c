/* shard.c: the shell's side of sharded runs: `--shard i/N`, which sets the
 * default shard mc uses (mc.shard), and the `relush merge` subcommand, which
 * merges results files through mc.merge and prints the result as the REPL
 * prints one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "lua/rlua.h"
#include "relush/mc.h"
#include "shell/shell.h"

#define MERGE_USAGE "usage: relush merge [-o out.jsonl] [--sweep] results.jsonl..."

static const char merge_help[] =
	MERGE_USAGE "\n"
	"Merge the shards of a Monte Carlo experiment (JSON Lines files written by\n"
	"r:save or mc{..., out = path}, e.g. from relush --shard i/N runs) into the\n"
	"result of the whole run, identical count for count, and print it.\n"
	"\n"
	"Options:\n"
	"  -o FILE    also save the merged result to FILE (replacing it), as JSON Lines;\n"
	"             a FILE that cannot be written is refused before merging\n"
	"  --sweep    the files hold several experiments (a sweep): merge each one\n"
	"  -h         print this help and exit\n"
	"\n"
	"The pieces must share every setting and X's checksum and cover every\n"
	"trial exactly once; otherwise the error names the files that disagree,\n"
	"the shards that appear twice or the shards that are missing.\n";

int shell_parse_shard(const char *s, unsigned long long *index, unsigned long long *count)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long i = strtoull(s, &end, 10);
	if (errno || *end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	unsigned long long n = strtoull(end + 1, &end, 10);
	if (errno || *end != '\0' || i < 1 || i > n || n > (1ull << 53))
		return -1;
	*index = i;
	*count = n;
	return 0;
}

void shell_set_shard(lua_State *L, unsigned long long index, unsigned long long count)
{
	lua_getglobal(L, "mc");
	if (lua_istable(L, -1)) {
		lua_createtable(L, 2, 0);
		lua_pushinteger(L, (lua_Integer)index);
		lua_rawseti(L, -2, 1);
		lua_pushinteger(L, (lua_Integer)count);
		lua_rawseti(L, -2, 2);
		lua_setfield(L, -2, "shard");
	}
	lua_pop(L, 1);
}

static int merge_usage_error(const char *fmt, const char *what)
{
	fputs("relush merge: ", stderr);
	fprintf(stderr, fmt, what);
	fputs("\n" MERGE_USAGE "\n", stderr);
	return 2;
}

/* The merge itself, in Lua: ... = files, out, sweep. */
static const char merge_chunk[] =
	"local files, out, sweep = ...\n"
	"local r = mc.merge(files, {sweep = sweep})\n"
	"print(r)\n"
	"if out then r:save(out, 'w') end\n";

int shell_merge(int argc, char **argv)
{
	const char *out = NULL;
	bool sweep = false, options_done = false;
	int nfiles = 0;
	/* options anywhere (relush merge a.jsonl b.jsonl -o out.jsonl), files kept in order */
	char **files = calloc((size_t)argc, sizeof *files);
	if (files == NULL) {
		fputs("relush merge: out of memory\n", stderr);
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options_done || a[0] != '-' || a[1] == '\0') {
			files[nfiles++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			options_done = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			free(files);
			fputs(merge_help, stdout);
			return 0;
		} else if (strcmp(a, "--sweep") == 0) {
			sweep = true;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			if (i + 1 >= argc) {
				free(files);
				return merge_usage_error("option '%s' needs a file name", a);
			}
			out = argv[++i];
		} else if (strncmp(a, "-o", 2) == 0) {
			out = a + 2;
		} else {
			free(files);
			return merge_usage_error("unrecognized option '%s'", a);
		}
	}
	if (nfiles == 0) {
		free(files);
		return merge_usage_error("%s", "give the results files to merge");
	}
	rl_err e;
	if (out && mc_records_check_path(out, &e)) {   /* before reading: no merge is lost to a typo */
		free(files);
		fprintf(stderr, "relush merge: -o: %s\n", e.msg);
		return 1;
	}

	lua_State *L = shell_open();
	int status = luaL_loadbuffer(L, merge_chunk, sizeof merge_chunk - 1, RLUA_OWN_CHUNK("merge"));
	if (status == LUA_OK) {
		lua_createtable(L, nfiles, 0);
		for (int k = 0; k < nfiles; k++) {
			lua_pushstring(L, files[k]);
			lua_rawseti(L, -2, k + 1);
		}
		if (out)
			lua_pushstring(L, out);
		else
			lua_pushnil(L);
		lua_pushboolean(L, sweep);
		status = lua_pcall(L, 3, 0, 0);
	}
	if (status != LUA_OK) {
		/* the message says what is wrong; a traceback would only show this chunk */
		const char *msg = lua_tostring(L, -1);
		if (!msg)
			msg = "(error object is not a string)";
		/* the chunk's name without its '=': "relush:merge:2: " from luaL_error */
		static const char where[] = RLUA_OWN_CHUNK("merge:"), prefix[] = "mc.merge: ";
		if (strncmp(msg, where + 1, sizeof where - 2) == 0) {
			const char *p = msg + sizeof where - 2;
			while (*p >= '0' && *p <= '9')
				p++;
			if (p[0] == ':' && p[1] == ' ')
				msg = p + 2;
		}
		if (strncmp(msg, prefix, sizeof prefix - 1) == 0)
			msg += sizeof prefix - 1;
		fflush(stdout);
		fprintf(stderr, "relush merge: %s\n", msg);
	}
	fflush(stdout);
	lua_close(L);
	free(files);
	return status == LUA_OK ? 0 : 1;
}
