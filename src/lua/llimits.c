/* llimits.c: the `limits` table, the Lua face of the engine's resource
 * limits. limits.memory reads and sets the memory budget (relush/alloc.h)
 * that every large allocation is checked against: a number of bytes or a
 * string such as "2G"; nil restores the default. The table is an empty
 * proxy so that every read and write goes through its metatable. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "rlua.h"
#include "relush/alloc.h"

#define RLUA_LIMITS "relush.Limits"

/* Below this the shell itself could not run (the Lua heap shares the limit). */
#define MIN_MEMORY ((size_t)1 << 20)


static int limits_index(lua_State *L)
{
	const char *k = lua_tostring(L, 2);
	if (lua_type(L, 2) == LUA_TSTRING && strcmp(k, "memory") == 0)
		lua_pushinteger(L, (lua_Integer)rl_mem_limit());
	else
		lua_pushnil(L);
	return 1;
}

/* The new memory limit from the value at idx: bytes as an integer-valued
 * number or a size string; 0 for nil (the default). */
static size_t memory_value(lua_State *L, int idx)
{
	/* the upper end said too: 9.21e18 is refused, and ">= 1048576" alone
	 * would claim it is accepted */
	static const char accepted[] = "a number of bytes >= 1048576 and below 9.2e18 or a size such as \"512M\" or \"2G\" "
	                               "(suffixes K, M, G, T), or nil for the default";
	size_t bytes = 0;
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		return 0;
	case LUA_TNUMBER: {
		double v = lua_tonumber(L, idx);
		if (!isfinite(v) || v != floor(v) || v < (double)MIN_MEMORY || v >= 9.2e18)
			luaL_error(L, "bad value for 'limits.memory' (must be %s, got %s)", accepted,
			           rlua_describe(L, idx));
		bytes = (size_t)v;
		break;
	}
	case LUA_TSTRING:
		bytes = rl_mem_parse_size(lua_tostring(L, idx));
		if (bytes < MIN_MEMORY)
			luaL_error(L, "bad value for 'limits.memory' (must be %s, got %s)", accepted,
			           rlua_describe(L, idx));
		break;
	default:
		luaL_error(L, "bad value for 'limits.memory' (must be %s, got %s)", accepted,
		           rlua_got(L, idx));
	}
	return bytes;
}

static int limits_newindex(lua_State *L)
{
	const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
	if (!k || strcmp(k, "memory") != 0)
		return luaL_error(L, "unknown limit '%s' (the limits are: memory)",
		                  k ? rlua_short_name(L, k) : rlua_describe(L, 2));
	size_t bytes = memory_value(L, 3);
	rl_mem_set_limit(bytes);
	return 0;
}

static int limits_tostring(lua_State *L)
{
	char h[32];
	size_t bytes = rl_mem_limit();
	rl_mem_human((double)bytes, h, sizeof h);
	char origin[160];
	lua_pushfstring(L, "limits: memory = %s (%I bytes; %s)", h, (lua_Integer)bytes,
	                rl_mem_limit_origin(origin, sizeof origin));
	return 1;
}

static int limits_next(lua_State *L)
{
	if (lua_isnil(L, 2)) {
		lua_pushliteral(L, "memory");
		lua_pushinteger(L, (lua_Integer)rl_mem_limit());
		return 2;
	}
	lua_pushnil(L);
	return 1;
}

static int limits_pairs(lua_State *L)
{
	lua_pushcfunction(L, limits_next);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static const luaL_Reg limits_meta[] = {
	{"__index", limits_index},
	{"__newindex", limits_newindex},
	{"__tostring", limits_tostring},
	{"__pairs", limits_pairs},
	{NULL, NULL}
};

static const rlua_api limits_api[] = {
	{"limits.memory", "limits", "limits.memory | limits.memory = bytes | \"2G\" | nil",
	 "The memory limit in bytes. Before any large allocation (a network, an input set, a Monte "
	 "Carlo workspace, a big Lua table) relush compares the size it needs with this limit and "
	 "refuses at once with a message giving both, instead of swapping or being killed; the Lua "
	 "heap as a whole stays under it too. Set it to a number of bytes (at least 1 MiB) or a "
	 "string with a K, M, G or T suffix (powers of 1024); nil restores the default, which is "
	 "RELUSH_MEM_LIMIT when set, else three quarters of physical memory; print(limits) "
	 "says which.",
	 "limits.memory = \"2G\"; print(limits)", .fn = NULL},
	{0}
};

/* limits: an empty table whose metatable reads and writes the limits */
static void limits_setup(lua_State *L, int module)
{
	lua_newtable(L);
	luaL_newmetatable(L, RLUA_LIMITS);
	luaL_setfuncs(L, limits_meta, 0);
	lua_pushliteral(L, "the limits table");   /* getmetatable(limits) cannot change it */
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_setfield(L, module, "limits");
}

const rlua_binding rlua_limits_binding = {.setup = limits_setup, .api = limits_api};
