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
static const rlua_binding module_binding = {.api = module_api};

/* The module's parts, opened in this order: numpy adds relu.load to net's
 * relu, sweep r:plot to mc's results. */
static const rlua_binding *const parts[] = {
	&module_binding,
	&rlua_matrix_binding,
	&rlua_inputs_binding,
	&rlua_net_binding,
	&rlua_remedies_binding,
	&rlua_train_binding,
	&rlua_report_binding,
	&rlua_bound_binding,
	&rlua_mc_binding,
	&rlua_sweep_binding,
	&rlua_limits_binding,
	&rlua_numpy_binding,
	&rlua_result_csv_binding,
};

static void open_part(lua_State *L, int module, const rlua_binding *b)
{
	for (const rlua_type *t = b->types; t && t->name; t++) {
		if (t->tostring)
			rlua_new_report_type(L, t->name, t->tostring);
		else
			rlua_new_box_type(L, t->name, t->meta);
	}
	if (b->weak_keys)
		rlua_weak_keys_table(L, b->weak_keys);
	if (b->setup)
		b->setup(L, module);
	if (b->api)
		rlua_api_register(L, module, module, b->api);
}

/* Each table of the module (inputs, bound, mc, ...) also as
 * package.loaded["relush.<name>"], as submodules are: lauxlib names a
 * function an argument error comes from by searching package.loaded two
 * levels deep, so a call without a name of its own (through pcall, or a
 * local alias) is reported as 'relush.inputs.gaussian', not '?'. */
static void name_submodules(lua_State *L, int module)
{
	lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	int loaded = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, module)) {
		if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TTABLE) {
			lua_pushfstring(L, "relush.%s", lua_tostring(L, -2));
			if (lua_getfield(L, loaded, lua_tostring(L, -1)) == LUA_TNIL) {
				lua_pop(L, 1);
				lua_pushvalue(L, -2);
				lua_setfield(L, loaded, lua_tostring(L, -2));
			} else {
				lua_pop(L, 1);
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

int luaopen_relush(lua_State *L)
{
	rl_err e;
	if (rl_env_check(&e))   /* the shell checked already; a stock lua has not */
		return luaL_error(L, "relush: %s", e.msg);
	lua_newtable(L);
	int module = lua_gettop(L);
	lua_pushstring(L, PACKAGE_VERSION);
	lua_setfield(L, module, "version");
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		open_part(L, module, parts[i]);
	lua_pushvalue(L, module);   /* for methods that call other parts of the API */
	lua_setfield(L, LUA_REGISTRYINDEX, "relush.module");
	name_submodules(L, module);
	lua_settop(L, module);
	return 1;
}
