/* help.c: the help registry. Every binding file registers its entries here;
 * help(), completion hints and the man-page test all read module._help, so
 * the three cannot drift apart. module._options[fn] lists a table-taking
 * function's option names, and module._options[fn][option] the values an
 * option accepts, from the same C lists its parser checks against. */
#include "rlua.h"

void rlua_help_register(lua_State *L, int module, const rlua_help *entries)
{
	module = lua_absindex(L, module);
	if (lua_getfield(L, module, "_help") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, module, "_help");
	}
	for (const rlua_help *h = entries; h->name; h++) {
		lua_createtable(L, 0, 4);
		rlua_set_string(L, "topic", h->topic);
		rlua_set_string(L, "signature", h->signature);
		rlua_set_string(L, "summary", h->summary);
		rlua_set_string(L, "example", h->example ? h->example : "");
		lua_setfield(L, -2, h->name);
	}
	lua_pop(L, 1);
}

/* Pushes a Lua list of the NULL-terminated strings. */
static void push_string_list(lua_State *L, const char *const *strings)
{
	lua_newtable(L);
	for (lua_Integer i = 0; strings[i]; i++) {
		lua_pushstring(L, strings[i]);
		lua_rawseti(L, -2, i + 1);
	}
}

void rlua_register_options(lua_State *L, int module, const char *fn, const char *const *names)
{
	module = lua_absindex(L, module);
	if (lua_getfield(L, module, "_options") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, module, "_options");
	}
	push_string_list(L, names);
	lua_setfield(L, -2, fn);
	lua_pop(L, 1);
}

void rlua_register_option_values(lua_State *L, int module, const char *fn, const char *option,
                                 const char *const *values)
{
	module = lua_absindex(L, module);
	if (lua_getfield(L, module, "_options") != LUA_TTABLE || lua_getfield(L, -1, fn) != LUA_TTABLE)
		luaL_error(L, "internal error: the values of %s{%s=} are registered before its options", fn, option);
	push_string_list(L, values);
	lua_setfield(L, -2, option);
	lua_pop(L, 2);
}
