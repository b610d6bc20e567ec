/* lmodule.c: luaopen_relush, the module entry. The same function is linked
 * into the shell and built as relush.so for a stock lua5.4. */
#include "config.h"
#include "rlua.h"
#include "relush/env.h"

static const rlua_api module_api[] = {
	{"relush.version", "construction", "relush.version",
	 "The version of relush as a string.", "print(relush.version)", .fn = NULL},
	{0}
};

int luaopen_relush(lua_State *L)
{
	rl_err e;
	if (rl_env_check(&e))   /* the shell checked already; a stock lua has not */
		return luaL_error(L, "relush: %s", e.msg);
	lua_newtable(L);
	int module = lua_gettop(L);
	lua_pushstring(L, PACKAGE_VERSION);
	lua_setfield(L, module, "version");
	rlua_api_register(L, module, module, module_api);
	rlua_open_matrix(L, module);
	rlua_open_inputs(L, module);
	rlua_open_net(L, module);
	rlua_open_remedies(L, module);
	rlua_open_train(L, module);
	rlua_open_report(L, module);
	rlua_open_bound(L, module);
	rlua_open_mc(L, module);
	rlua_open_sweep(L, module);
	rlua_open_limits(L, module);
	rlua_open_numpy(L, module);
	rlua_open_result_csv(L, module);
	lua_pushvalue(L, module);   /* for methods that call other parts of the API */
	lua_setfield(L, LUA_REGISTRYINDEX, "relush.module");
	lua_settop(L, module);
	return 1;
}
