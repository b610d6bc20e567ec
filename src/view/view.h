/* view.h: the live view's entry point for the shell. view_open_lua defines
 * the global `view` (view(net [, X]), view(mc_options), view.snapshot(net
 * [, X [, options]])), registers their help entries in the relush module's
 * _help, and stores the Monte Carlo progress hook at
 * registry["relush.view_hook"], which mc{..., view = true} calls.
 *
 * The hook's protocol (what src/lua/lmc.c passes): hook(p) with p a table
 * of done, total, elapsed, rate, eta, final, alive_trials, lower, and
 * layers[l] = {width, trials_reaching, trials_living, reaching, living,
 * dead_neurons, active = {per neuron: reaching points where it was
 * active}}; optional: points, input, upper (drawn when present). It returns
 * false to stop the run (the user left with q or Ctrl-C), true to go on.
 * hook(nil) closes a view left open by a run that ended without a final
 * call (an error elsewhere). */
#ifndef RELUSH_VIEW_H
#define RELUSH_VIEW_H

#include <lua.h>

#define VIEW_HOOK_REGISTRY_KEY "relush.view_hook"

/* Call after the relush module is loaded (package.loaded.relush). */
void view_open_lua(lua_State *L);

#endif
