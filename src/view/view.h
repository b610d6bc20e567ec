/* view.h: the live view's entry point for the shell. view_open_lua defines
 * the global `view` (view(net [, X]), view(mc_options), view.snapshot(net
 * [, X [, options]]), view.inputs(net [, X])), registers their help
 * entries in the relush module's _help, and registers the view as the
 * Monte Carlo engine's observer (observe.c, through src/lua/mc_observer.h),
 * which mc{..., view = true} calls from the engine's progress callback
 * with the engine's own progress structure: no Lua tables in between. */
#ifndef RELUSH_VIEW_H
#define RELUSH_VIEW_H

#include <lua.h>
#include "lua/rlua.h"

/* Call after the relush module is loaded (package.loaded.relush). */
void view_open_lua(lua_State *L);

/* observe.c */
void view_observer_register(lua_State *L);
int view_observer_busy(void);     /* a run is being followed */
void view_observer_close(void);   /* ends it whatever its state */
/* sweep_view.c: the view of mc.sweep{..., view = true} (sweep_observer.h) */
void view_sweep_register(lua_State *L);
/* inputs.c: view.inputs(net [, X [, options]]) */
int view_inputs_lua(lua_State *L);
extern const rlua_option view_inputs_options[];   /* its {width=, ...} */

#endif
