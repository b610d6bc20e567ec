/* lsweep_guard.h: the guard every mc.sweep holds (lsweep_guard.c), Lua C
 * functions the sweep's Lua code (lsweep.c) is given. */
#ifndef RELUSH_LUA_LSWEEP_GUARD_H
#define RELUSH_LUA_LSWEEP_GUARD_H

#include "rlua.h"

/* open_guard(results, view, x_name, x_count, points): the guard */
int lsweep_guard_open(lua_State *L);
/* close_guard(guard, true) at the end; also its __close and __gc */
int lsweep_guard_close(lua_State *L);
/* view_point(guard, x_index, curve, label): a point's place in the view */
int lsweep_view_point(lua_State *L);
/* view_left(guard): the user left the view (q or Esc) */
int lsweep_view_left(lua_State *L);

#endif
