/* suggest.c: "did you mean" for the shell. A Lua error about a nil global,
 * method or field ("attempt to call a nil value (method 'deth')") gets the
 * nearest existing name appended; help "topic" that matches nothing asks
 * the same way. Names come from the globals and the help registry (the
 * API's functions, methods and topics), never from running code. */
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
 * equally near ones, the one sharing the longer start: "net" for "nett"). */
static void consider(const char *word, const char *name, size_t name_len, char *best, int *best_d)
{
	char buf[80];
	if (name_len == 0 || name_len >= sizeof buf)
		return;
	memcpy(buf, name, name_len);
	buf[name_len] = '\0';
	int d = rlua_edit_distance(word, buf);
	bool nearer = d < *best_d || (d == *best_d && common_prefix(word, buf) > common_prefix(word, best));
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

const char *shell_suggest(lua_State *L, const char *word, char kind)
{
	static char best[80];
	int best_d = 1000;
	best[0] = '\0';
	if (strlen(word) >= sizeof best)
		return NULL;
	if (kind == 'g') {
		consider_globals(L, word, best, &best_d);
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
