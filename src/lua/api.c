/* api.c: the API table's reader. Each Lua-visible function is one
 * rlua_api entry (rlua.h); rlua_api_register puts its C function in place
 * and fills the registries that help(), completion, "did you mean" and the
 * man-page test read, so none of them keeps a list of its own:
 *   module._help[name]    = {topic=, signature=, summary=, example=, type=}
 *   module._names[fn]     = name (which entry a function is: no guessing)
 *   module._types[mt]     = the variable methods of the metatable mt are
 *                           written with ("relush.Net" -> "net")
 *   module._options[name] = the option names, and [name][option] = the
 *                           values an option accepts.
 * The options' parsers read the same rlua_option lists: rlua_check_options
 * (unknown names) and rlua_read_options (kinds stored into a C struct). */
#include <stdio.h>
#include <string.h>
#include "rlua.h"

enum { MAX_OPTIONS = 64 };

/* Pushes module[field], a table made on first use. */
static void push_registry(lua_State *L, int module, const char *field)
{
	if (lua_getfield(L, module, field) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, module, field);
	}
}

/* Fills names (room for MAX_OPTIONS and the NULL) with the option names
 * of opts, includes flattened, in order; returns the count. */
static size_t option_names(const rlua_option *opts, const char **names, size_t n)
{
	for (const rlua_option *o = opts; o && (o->name || o->kind == RLUA_OPT_INCLUDE); o++) {
		if (o->kind == RLUA_OPT_INCLUDE)
			n = option_names(o->include, names, n);
		else if (n < MAX_OPTIONS)
			names[n++] = o->name;
	}
	names[n] = NULL;
	return n;
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

/* list[option] = its values, for each option of opts with fixed values. */
static void set_option_values(lua_State *L, int list, const rlua_option *opts)
{
	for (const rlua_option *o = opts; o->name || o->kind == RLUA_OPT_INCLUDE; o++) {
		if (o->kind == RLUA_OPT_INCLUDE) {
			set_option_values(L, list, o->include);
		} else if (o->values) {
			push_string_list(L, o->values);
			lua_setfield(L, list, o->name);
		}
	}
}

/* Pushes the method table of the metatable type: its __index when a
 * table, else its __methods (types whose __index is a function look
 * there), made as __index when the type has neither. */
static void push_method_table(lua_State *L, const char *type, const char *entry)
{
	if (luaL_getmetatable(L, type) != LUA_TTABLE)
		luaL_error(L, "internal error: %s's type %s is registered before its metatable", entry, type);
	int mt = lua_gettop(L);
	int index = lua_getfield(L, mt, "__index");
	if (index == LUA_TTABLE) {
		lua_remove(L, mt);
		return;
	}
	lua_pop(L, 1);
	if (lua_getfield(L, mt, "__methods") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, mt, index == LUA_TNIL ? "__index" : "__methods");
	}
	lua_remove(L, mt);
}

/* package.loaded[key] = the table at t, unless key is
 * taken. An argument error raised in a function called without a name of
 * its own (through pcall, or an alias) names it as lauxlib finds it there:
 * a method as 'relush.Net.death' (its type's name), a function of a global
 * table of the shell as 'view.inputs' (lauxlib drops the "_G." of a
 * global's name), never as '?'. */
static void name_table(lua_State *L, int t, const char *key)
{
	t = lua_absindex(L, t);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	if (lua_getfield(L, -1, key) == LUA_TNIL) {
		lua_pushvalue(L, t);
		lua_setfield(L, -3, key);
	}
	lua_pop(L, 2);
}

/* Puts e->fn where e->name says, in the table at root. */
static void place_function(lua_State *L, int root, const rlua_api *e)
{
	const char *colon = strchr(e->name, ':'), *dot = strchr(e->name, '.');
	if (colon) {
		if (!e->type)
			luaL_error(L, "internal error: the method %s names no type", e->name);
		push_method_table(L, e->type, e->name);
		name_table(L, -1, e->type);
		lua_pushcfunction(L, e->fn);
		lua_setfield(L, -2, colon + 1);
	} else if (dot) {
		lua_pushlstring(L, e->name, (size_t)(dot - e->name));
		if (lua_rawget(L, root) != LUA_TTABLE) {
			lua_pop(L, 1);
			lua_newtable(L);
			lua_pushlstring(L, e->name, (size_t)(dot - e->name));
			lua_pushvalue(L, -2);
			lua_rawset(L, root);
		}
		lua_pushglobaltable(L);
		if (lua_rawequal(L, -1, root)) {
			lua_pushfstring(L, "_G.%s", lua_pushlstring(L, e->name, (size_t)(dot - e->name)));
			name_table(L, -4, lua_tostring(L, -1));
			lua_pop(L, 2);
		}
		lua_pop(L, 1);
		lua_pushcfunction(L, e->fn);
		lua_setfield(L, -2, dot + 1);
	} else if (lua_getfield(L, root, e->name) == LUA_TTABLE) {
		/* a callable table (relu, mc, view): the function is its __call */
		if (!lua_getmetatable(L, -1)) {
			lua_newtable(L);
			lua_pushvalue(L, -1);
			lua_setmetatable(L, -3);
		}
		lua_pushcfunction(L, e->fn);
		lua_setfield(L, -2, "__call");
		lua_pop(L, 1);
	} else {
		lua_pushcfunction(L, e->fn);
		lua_setfield(L, root, e->name);
	}
	lua_pop(L, 1);
}

void rlua_api_register(lua_State *L, int module, int root, const rlua_api *entries)
{
	module = lua_absindex(L, module);
	root = lua_absindex(L, root);
	luaL_checkstack(L, 12, "rlua_api_register");
	push_registry(L, module, "_help");
	push_registry(L, module, "_names");
	push_registry(L, module, "_types");
	push_registry(L, module, "_options");
	int help = lua_gettop(L) - 3, names = help + 1, types = help + 2, options = help + 3;
	for (const rlua_api *e = entries; e->name; e++) {
		lua_createtable(L, 0, 5);
		rlua_set_string(L, "topic", e->topic);
		rlua_set_string(L, "signature", e->signature);
		rlua_set_string(L, "summary", e->summary);
		rlua_set_string(L, "example", e->example ? e->example : "");
		if (e->type)
			rlua_set_string(L, "type", e->type);
		lua_setfield(L, help, e->name);
		const char *colon = strchr(e->name, ':');
		if (colon && e->type) {
			lua_pushlstring(L, e->name, (size_t)(colon - e->name));
			lua_setfield(L, types, e->type);
		}
		if (e->fn) {
			place_function(L, root, e);
			lua_pushcfunction(L, e->fn);
			if (lua_rawget(L, names) == LUA_TNIL) {   /* a function under two names keeps its first */
				lua_pushcfunction(L, e->fn);
				lua_pushstring(L, e->name);
				lua_rawset(L, names);
			}
			lua_pop(L, 1);
		}
		if (e->options) {
			const char *list[MAX_OPTIONS + 1];
			option_names(e->options, list, 0);
			push_string_list(L, list);
			set_option_values(L, lua_gettop(L), e->options);
			lua_setfield(L, options, e->name);
		}
	}
	lua_pop(L, 4);
}

void rlua_api_register_globals(lua_State *L, const rlua_api *entries)
{
	int top = lua_gettop(L);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	if (lua_getfield(L, -1, "relush") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);   /* no module: the functions still go in place */
	}
	lua_pushglobaltable(L);
	rlua_api_register(L, -2, -1, entries);
	lua_settop(L, top);
}

/* ---- the options' parsers ---------------------------------------------------- */

void rlua_check_options(lua_State *L, int t, const rlua_option *opts)
{
	rlua_check_options_for(L, t, opts, NULL);
}

void rlua_check_options_for(lua_State *L, int t, const rlua_option *opts, const char *fname)
{
	const char *known[MAX_OPTIONS + 1];
	option_names(opts, known, 0);
	t = lua_absindex(L, t);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		int found = 0;
		if (lua_type(L, -2) == LUA_TSTRING) {
			const char *k = lua_tostring(L, -2);
			for (size_t i = 0; known[i] && !found; i++)
				found = strcmp(known[i], k) == 0;
		} else if (lua_isinteger(L, -2)) {
			lua_Integer i = lua_tointeger(L, -2);
			found = i == 1 || i == 2;  /* relu{depth, width} positional form */
		}
		if (!found) {
			char list[512];
			size_t off = 0;
			list[0] = '\0';
			for (size_t i = 0; known[i] && off < sizeof list; i++)
				off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", known[i]);
			/* a key that is not a string is described without its metamethods */
			const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : rlua_describe(L, -2);
			const char *near = rlua_nearest(key, known);
			if (near)
				rlua_option_error_to(L, fname, key, "unknown option; did you mean '%s'? The options are %s", near, list);
			rlua_option_error_to(L, fname, key, "unknown option; the options are %s", list);
		}
		lua_pop(L, 1);
	}
}

int rlua_opt_name_field(lua_State *L, int t, const char *field, const char *const *names, int def)
{
	int v = def;
	int type = lua_getfield(L, t, field);
	if (type != LUA_TNIL) {
		const char *s = type == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		for (v = 0; s && names[v]; v++)
			if (strcmp(s, names[v]) == 0)
				break;
		if (!s || !names[v]) {
			char list[160] = "";
			for (int i = 0; names[i]; i++) {
				strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
				strncat(list, names[i], sizeof list - strlen(list) - 1);
			}
			const char *near = s ? rlua_nearest(s, names) : NULL;
			rlua_option_error(L, field, "must be one of %s; got %s%s%s%s", list, rlua_describe(L, -1),
			                  near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
		}
	}
	lua_pop(L, 1);
	return v;
}

/* Stores v as an integer of size bytes at p (the field the option names). */
static void store(void *p, size_t size, lua_Integer v)
{
	if (size == sizeof(int64_t)) {
		int64_t x = (int64_t)v;
		memcpy(p, &x, size);
	} else if (size == sizeof(int32_t)) {
		int32_t x = (int32_t)v;
		memcpy(p, &x, size);
	} else if (size == sizeof(int16_t)) {
		int16_t x = (int16_t)v;
		memcpy(p, &x, size);
	} else {
		int8_t x = (int8_t)v;
		memcpy(p, &x, 1);
	}
}

void rlua_read_options(lua_State *L, int t, const rlua_option *opts, void *dest)
{
	t = lua_absindex(L, t);
	for (const rlua_option *o = opts; o->name || o->kind == RLUA_OPT_INCLUDE; o++) {
		lua_Integer v;
		if (o->kind == RLUA_OPT_INCLUDE) {
			rlua_read_options(L, t, o->include, dest);
			continue;
		}
		if (o->size == 0)
			continue;
		switch (o->kind) {
		case RLUA_OPT_INT:  v = rlua_opt_int_field(L, t, o->name, o->def, o->min, o->max); break;
		case RLUA_OPT_BOOL: v = rlua_opt_bool_field(L, t, o->name, (int)o->def); break;
		case RLUA_OPT_NAME: v = rlua_opt_name_field(L, t, o->name, o->values, (int)o->def); break;
		default:
			luaL_error(L, "internal error: option '%s' has a place but no kind", o->name);
			return;
		}
		store((char *)dest + o->offset, o->size, v);
	}
}
