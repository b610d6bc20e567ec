/* lsweep_guard.c: the guard of an mc.sweep: it follows the sweep with the
 * live view (sweep_observer.h) when view = true, and when the sweep is
 * stopped it says where the finished points wait. */
#include <stdio.h>
#include <string.h>
#include "lsweep_guard.h"
#include "sweep_observer.h"

/* Every sweep holds one, closed when the sweep ends however it ends: with
 * view = true it follows the sweep through the view's observer, which it
 * puts at registry[MC_OBSERVER_KEY] in place of the single-run view (and
 * restores); when the sweep is stopped (Ctrl-C, an error) it says where
 * the finished points wait. Its uservalue is the results list. */
typedef struct sweep_guard {
	rlua_sweep_observer *observer;   /* NULL: no view */
	int saved_ref;
	int open;                        /* the view follows the sweep */
	int closed;
} sweep_guard;

static sweep_guard *check_guard(lua_State *L)
{
	return rlua_check_self(L, "relush.SweepGuard");
}

/* close_guard(guard, true) at the end; also the guard's __close (argument 2
 * the error, nil when the block ended well) and __gc. Idempotent. */
int lsweep_guard_close(lua_State *L)
{
	sweep_guard *g = check_guard(L);
	if (g->closed)
		return 0;
	g->closed = 1;
	int finished = lua_type(L, 2) == LUA_TBOOLEAN && lua_toboolean(L, 2);
	int failed = lua_gettop(L) >= 2 && !lua_isnil(L, 2) && lua_type(L, 2) != LUA_TBOOLEAN;
	if (g->open) {
		g->open = 0;
		lua_rawgeti(L, LUA_REGISTRYINDEX, g->saved_ref);
		lua_setfield(L, LUA_REGISTRYINDEX, MC_OBSERVER_KEY);
		luaL_unref(L, LUA_REGISTRYINDEX, g->saved_ref);
		/* the terminal is restored before anything is printed */
		g->observer->end(g->observer->ctx, finished);
	}
	if (failed && lua_getiuservalue(L, 1, 1) == LUA_TTABLE) {
		lua_Integer kept = (lua_Integer)lua_rawlen(L, -1);
		if (kept > 0) {
			fprintf(stderr, "mc.sweep: stopped; its %lld finished point%s %s in mc.partial_sweep\n",
			        (long long)kept, kept == 1 ? "" : "s", kept == 1 ? "is" : "are");
			fflush(stderr);
		}
	}
	return 0;
}

/* open_guard(results, view, x_name, x_count, points): the guard; with view
 * it follows the sweep when a sweep view is registered (not in a stock Lua
 * with require "relush") and can follow it. */
int lsweep_guard_open(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	int view = lua_toboolean(L, 2);
	const char *x_name = luaL_checkstring(L, 3);
	lua_Integer x_count = luaL_checkinteger(L, 4), points = luaL_checkinteger(L, 5);
	sweep_guard *g = lua_newuserdatauv(L, sizeof *g, 1);
	memset(g, 0, sizeof *g);
	g->saved_ref = LUA_NOREF;
	if (luaL_newmetatable(L, "relush.SweepGuard")) {
		lua_pushcfunction(L, lsweep_guard_close);
		lua_setfield(L, -2, "__close");
		lua_pushcfunction(L, lsweep_guard_close);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	lua_pushvalue(L, 1);
	lua_setiuservalue(L, -2, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, SWEEP_OBSERVER_KEY);
	rlua_sweep_observer *o = lua_touserdata(L, -1);
	lua_pop(L, 1);
	if (!view || !o || x_count < 1 || points < 1)
		return 1;
	lua_getfield(L, LUA_REGISTRYINDEX, MC_OBSERVER_KEY);
	g->saved_ref = luaL_ref(L, LUA_REGISTRYINDEX);   /* before anything is open */
	if (o->begin(o->ctx, x_name, (size_t)x_count, (size_t)points)) {
		luaL_unref(L, LUA_REGISTRYINDEX, g->saved_ref);
		return 1;
	}
	g->observer = o;
	g->open = 1;
	lua_pushlightuserdata(L, o->mc);
	lua_setfield(L, LUA_REGISTRYINDEX, MC_OBSERVER_KEY);
	return 1;
}

/* view_point(guard, x_index, curve, label): 1-based indices from Lua */
int lsweep_view_point(lua_State *L)
{
	sweep_guard *g = check_guard(L);
	lua_Integer x_index = luaL_checkinteger(L, 2), curve = luaL_checkinteger(L, 3);
	const char *label = luaL_checkstring(L, 4);
	if (g->open && !g->closed && x_index >= 1 && curve >= 1)
		g->observer->point(g->observer->ctx, (size_t)x_index - 1, (size_t)curve - 1, label);
	return 0;
}

int lsweep_view_left(lua_State *L)
{
	sweep_guard *g = check_guard(L);
	lua_pushboolean(L, g->open && !g->closed && g->observer->left(g->observer->ctx));
	return 1;
}
