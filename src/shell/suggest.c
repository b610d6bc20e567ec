/* suggest.c: "did you mean" for the shell. A Lua error about a nil global,
 * method or field ("attempt to call a nil value (method 'deth')") gets the
 * nearest existing name appended; help "topic" that matches nothing asks
 * the same way. Names come from the table the field was looked up in, when
 * the line of source shows it as a plain chain (math.sine -> math's names;
 * a local or a global, resolved without calling anything), else from the
 * globals, the erroring function's locals and the help registry (the
 * API's functions, methods and topics); never from running code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "lua/rlua.h"
#include "shell/shell.h"

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;
	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/* Considers name as a candidate for word; keeps the nearest in *best (of
 * equally near ones, the one sharing the longer start: "net" for "nett",
 * then the first in byte order). */
static void consider(const char *word, const char *name, size_t name_len, char *best, int *best_d)
{
	char buf[80];
	if (name_len == 0 || name_len >= sizeof buf)
		return;
	memcpy(buf, name, name_len);
	buf[name_len] = '\0';
	int d = rlua_edit_distance(word, buf);
	size_t pb = common_prefix(word, buf), pbest = common_prefix(word, best);
	/* ties go to the first in byte order: the same typo always gets the
	 * same answer, whatever order a table's keys come in */
	bool nearer = d < *best_d || (d == *best_d && (pb > pbest || (pb == pbest && strcmp(buf, best) < 0)));
	if (d > 0 && nearer && rlua_close_enough(word, buf, d)) {
		*best_d = d;
		memcpy(best, buf, name_len + 1);
	}
}

/* The part of a registry name that kind names: after ':' for a method,
 * after the last '.' for a field, the whole name for a global or topic. */
static void consider_registry(lua_State *L, const char *word, char kind, char *best, int *best_d)
{
	int top = lua_gettop(L);
	if (lua_getfield(L, LUA_REGISTRYINDEX, "relush.shell.module") == LUA_TTABLE
	    && lua_getfield(L, -1, "_help") == LUA_TTABLE) {
		int reg = lua_gettop(L);
		lua_pushnil(L);
		while (lua_next(L, reg) != 0) {
			const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
			if (name != NULL) {
				const char *colon = strchr(name, ':'), *dot = strrchr(name, '.');
				if (kind == 'm' && colon)
					consider(word, colon + 1, strlen(colon + 1), best, best_d);
				else if (kind == 'f' && dot)
					consider(word, dot + 1, strlen(dot + 1), best, best_d);
				else if (kind == 't') {
					consider(word, name, strlen(name), best, best_d);
					const char *last = colon ? colon + 1 : dot ? dot + 1 : NULL;
					if (last)
						consider(word, last, strlen(last), best, best_d);
					if (lua_istable(L, -1) && lua_getfield(L, -1, "topic") == LUA_TSTRING)
						consider(word, lua_tostring(L, -1), lua_rawlen(L, -1), best, best_d);
					lua_pop(L, 1);
				}
			}
			lua_pop(L, 1);
		}
	}
	lua_settop(L, top);
	if (kind == 't' && lua_getfield(L, LUA_REGISTRYINDEX, "relush.shell.module") == LUA_TTABLE
	    && lua_getfield(L, -1, "_guides") == LUA_TTABLE) {
		lua_pushnil(L);
		while (lua_next(L, -2) != 0) {
			if (lua_type(L, -2) == LUA_TSTRING)
				consider(word, lua_tostring(L, -2), lua_rawlen(L, -2), best, best_d);
			lua_pop(L, 1);
		}
	}
	lua_settop(L, top);
}

static void consider_globals(lua_State *L, const char *word, char *best, int *best_d)
{
	lua_pushglobaltable(L);
	lua_pushnil(L);
	while (lua_next(L, -2) != 0) {
		if (lua_type(L, -2) == LUA_TSTRING)
			consider(word, lua_tostring(L, -2), lua_rawlen(L, -2), best, best_d);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* ---- the table a field was looked up in ----------------------------------- */

static const char *chunk_text;

void shell_set_chunk_text(const char *text) { chunk_text = text; }

/* Line n (1-based) of the erroring function's source into buf: from its
 * file, or from the chunk text when the error is in the main chunk of the
 * command that runs (a function from an earlier command has other lines). */
static bool source_line(lua_State *L, lua_Debug *ar, char *buf, size_t cap)
{
	if (!lua_getstack(L, 1, ar) || !lua_getinfo(L, "Sl", ar) || ar->currentline <= 0)
		return false;
	int want = ar->currentline, n = 1;
	if (ar->source[0] == '@') {
		FILE *f = fopen(ar->source + 1, "r");
		if (f == NULL)
			return false;
		bool found = false;
		int c = 0;
		size_t k = 0;
		while (!found && c != EOF) {
			c = getc(f);
			if (c == '\n' || c == EOF) {
				found = n == want;
				n++;
			} else if (n == want && k + 1 < cap) {
				buf[k++] = (char)c;
			}
		}
		fclose(f);
		buf[k] = '\0';
		return found;
	}
	if (chunk_text == NULL || strcmp(ar->what, "main") != 0)
		return false;
	const char *p = chunk_text;
	while (n < want && (p = strchr(p, '\n')) != NULL)
		p++, n++;
	if (p == NULL)
		return false;
	size_t len = strcspn(p, "\n");
	snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), p);
	return true;
}

static bool chain_char(char c)
{
	return c == '_' || c == '.' || c == '[' || c == ']' || (c >= '0' && c <= '9')
	       || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Pushes the value of the plain chain (an identifier, then .name and [n])
 * as the erroring function sees it: a local of it, else a global. */
static void push_chain(lua_State *L, lua_Debug *ar, const char *chain, size_t len)
{
	size_t id = 0;
	while (id < len && chain[id] != '.' && chain[id] != '[')
		id++;
	bool local = false;
	const char *name;
	for (int i = 1; (name = lua_getlocal(L, ar, i)) != NULL; i++) {
		if (strlen(name) == id && strncmp(name, chain, id) == 0) {
			if (local)
				lua_remove(L, -2);    /* a later local of that name shadows */
			local = true;
		} else {
			lua_pop(L, 1);
		}
	}
	if (local) {
		shell_index_chain(L, chain + id, len - id);
	} else {
		lua_pushglobaltable(L);
		shell_index_chain(L, chain, len);
	}
}

/* Considers the string keys of the table at idx and of its __index tables. */
static void consider_keys(lua_State *L, int idx, const char *word, char *best, int *best_d, int depth)
{
	idx = lua_absindex(L, idx);
	if (lua_istable(L, idx)) {
		lua_pushnil(L);
		while (lua_next(L, idx) != 0) {
			if (lua_type(L, -2) == LUA_TSTRING)
				consider(word, lua_tostring(L, -2), lua_rawlen(L, -2), best, best_d);
			lua_pop(L, 1);
		}
	}
	if (depth < 4 && lua_getmetatable(L, idx)) {
		if (lua_getfield(L, -1, "__index") == LUA_TTABLE)
			consider_keys(L, -1, word, best, best_d, depth + 1);
		lua_pop(L, 2);
	}
}

/* "math.sine(1)": the line of source shows the field's table (math); its
 * keys are the candidates. Returns false when the table cannot be found
 * plainly (then the API's names are used); true with *best set or empty
 * when it was found. */
static bool suggest_from_source(lua_State *L, const char *word, char kind, char *best, int *best_d)
{
	lua_Debug ar;
	char line[512];
	if (!source_line(L, &ar, line, sizeof line))
		return false;
	char sep = kind == 'm' ? ':' : '.';
	size_t wlen = strlen(word);
	for (const char *at = strchr(line, sep); at != NULL; at = strchr(at + 1, sep)) {
		if (strncmp(at + 1, word, wlen) != 0 || chain_char(at[1 + wlen]))
			continue;
		const char *b = at;
		while (b > line && chain_char(b[-1]))
			b--;
		if (b == at || b[0] == '.' || b[0] == '[' || (b[0] >= '0' && b[0] <= '9'))
			continue;
		if (b > line && (b[-1] == ':' || b[-1] == ')' || b[-1] == '"' || b[-1] == '\''))
			continue;            /* after a call or a string: not plain */
		int top = lua_gettop(L);
		push_chain(L, &ar, b, (size_t)(at - b));
		/* a table's names can be listed, and an object's methods; an
		 * object's fields may come from an __index function (net.depth):
		 * then the API's names are used */
		bool found = false;
		if (lua_istable(L, -1)) {
			consider_keys(L, -1, word, best, best_d, 0);
			found = true;
		}
		if (kind == 'm' && shell_push_methods(L, -1)) {
			consider_keys(L, -1, word, best, best_d, 0);
			found = true;
		}
		lua_settop(L, top);
		if (found)
			return true;
	}
	return false;
}

const char *shell_suggest(lua_State *L, const char *word, char kind)
{
	static char best[80];
	int best_d = 1000;
	best[0] = '\0';
	if (strlen(word) >= sizeof best)
		return NULL;
	if ((kind == 'f' || kind == 'm') && suggest_from_source(L, word, kind, best, &best_d)) {
		/* the table looked up in is known: its names only */
	} else if (kind == 'g') {
		consider_globals(L, word, best, &best_d);
		lua_Debug ar;            /* and the erroring function's locals ("valeu") */
		const char *name;
		if (lua_getstack(L, 1, &ar))
			for (int i = 1; (name = lua_getlocal(L, &ar, i)) != NULL; i++) {
				if (name[0] != '(')
					consider(word, name, strlen(name), best, &best_d);
				lua_pop(L, 1);
			}
	} else {
		consider_registry(L, word, kind, best, &best_d);
		if (kind == 'f')
			consider_globals(L, word, best, &best_d);
	}
	return best[0] ? best : NULL;
}

void shell_push_suggestion(lua_State *L, const char *msg)
{
	static const struct { const char *tag; char kind; } tags[] = {
		{"(global '", 'g'}, {"(method '", 'm'}, {"(field '", 'f'},
	};
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		const char *at = strstr(msg, tags[i].tag);
		if (at == NULL || strstr(msg, "a nil value") == NULL)
			continue;
		const char *name = at + strlen(tags[i].tag);
		const char *end = strchr(name, '\'');
		if (end == NULL || end - name >= 64)
			break;
		char word[64];
		memcpy(word, name, (size_t)(end - name));
		word[end - name] = '\0';
		const char *near = shell_suggest(L, word, tags[i].kind);
		if (near) {
			lua_pushfstring(L, "; did you mean '%s'?", near);
			return;
		}
		break;
	}
	lua_pushliteral(L, "");
}
