/* lnumpy.c: NumPy and PyTorch files from Lua: inputs.load of .npy/.npz
 * files, relu.load (a Net from a state dict) and net:save (the state dict
 * back, under the names it was loaded with). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rlua.h"
#include "relush/netfile.h"
#include "relush/npz.h"

/* net -> {weight = {...}, bias = {...}} (bias[l] false when absent), weak
 * keys: the names a loaded net's layers had in its file. */
#define NET_KEYS_KEY "relush.net_keys"

int rlua_numpy_kind(const char *path, int sniff)
{
	size_t n = strlen(path);
	if (n >= 4 && strcasecmp(path + n - 4, ".npy") == 0)
		return 1;
	if (n >= 4 && strcasecmp(path + n - 4, ".npz") == 0)
		return 2;
	return sniff ? npy_sniff(path) : 0;
}

/* What a load holds while Lua code may still raise: an array, an archive,
 * the names of a net's layers. It lives in a box (box first, then
 * acquire), so an error at any point leaks nothing. */
typedef struct numpy_load {
	rl_array a;
	rl_npz *z;
	rl_net_keys keys;
} numpy_load;

static void numpy_load_free(void *p)
{
	numpy_load *b = p;
	rl_array_free(&b->a);
	npz_close(b->z);
	net_keys_free(&b->keys);
	free(b);
}

static numpy_load *push_load(lua_State *L)
{
	return rlua_box_new(L, NULL, sizeof(numpy_load), numpy_load_free);
}

/* The array as a Matrix: 2-D one point per row, 1-D one point. */
static int push_points(lua_State *L, numpy_load *b)
{
	rlua_box *box = rlua_new_matrix(L);
	rl_mat *X = box->p = calloc(1, sizeof *X);
	if (!X)
		return luaL_error(L, "not enough memory for a Matrix");
	X->rows = b->a.rows;
	X->cols = b->a.cols;
	X->data = b->a.data;
	b->a.data = NULL;          /* the Matrix owns it now */
	return 1;
}

int rlua_load_numpy_inputs(lua_State *L, int kind)
{
	const char *path = rlua_check_path_like(L, 1, "points.npz");
	const char *member = luaL_optstring(L, 2, NULL);
	rl_err e;
	numpy_load *b = push_load(L);
	if (kind == 1) {
		if (member)
			return rlua_arg_error(L, 2, "a .npy file holds one array: give a member name only for .npz archives");
		if (npy_load(path, &b->a, &e))
			return rlua_engine_error(L, &e);
		return push_points(L, b);
	}
	if (!(b->z = npz_open(path, &e)))
		return rlua_engine_error(L, &e);
	long i = member ? npz_find(b->z, member) : npz_count(b->z) == 1 ? 0 : -1;
	if (i < 0) {
		char list[400];
		npz_list(b->z, list, sizeof list);
		if (member)
			return rlua_arg_error(L, 2, lua_pushfstring(L, "'%s' holds no array '%s'; it holds %s", path, member, list));
		return rlua_arg_error(L, 2, lua_pushfstring(L, "'%s' holds %I arrays: name one, as in "
		                     "inputs.load('%s', 'name'); it holds %s", path, (lua_Integer)npz_count(b->z), path, list));
	}
	if (npz_read(b->z, (size_t)i, &b->a, &e))
		return rlua_engine_error(L, &e);
	return push_points(L, b);
}

/* ---- relu.load ------------------------------------------------------------ */

const char *rlua_net_loaded_from(lua_State *L, int arg)
{
	arg = lua_absindex(L, arg);
	int top = lua_gettop(L);
	const char *path = NULL;
	if (lua_getfield(L, LUA_REGISTRYINDEX, NET_KEYS_KEY) == LUA_TTABLE) {
		lua_pushvalue(L, arg);
		if (lua_rawget(L, -2) == LUA_TTABLE && lua_getfield(L, -1, "path") == LUA_TSTRING)
			path = lua_tostring(L, -1);   /* the registry keeps it while the net lives */
	}
	lua_settop(L, top);
	return path;
}

void rlua_net_copy_origin(lua_State *L, int from, int to)
{
	from = lua_absindex(L, from);
	to = lua_absindex(L, to);
	if (lua_getfield(L, LUA_REGISTRYINDEX, NET_KEYS_KEY) == LUA_TTABLE) {
		lua_pushvalue(L, to);
		lua_pushvalue(L, from);
		if (lua_rawget(L, -3) == LUA_TTABLE)   /* the names are never changed: share them */
			lua_rawset(L, -3);
		else
			lua_pop(L, 2);
	}
	lua_pop(L, 1);
}

static void remember_keys(lua_State *L, int net, const char *path, const rl_net_keys *k)
{
	lua_getfield(L, LUA_REGISTRYINDEX, NET_KEYS_KEY);
	lua_pushvalue(L, net);
	lua_createtable(L, 0, 3);
	lua_pushstring(L, path);
	lua_setfield(L, -2, "path");
	lua_createtable(L, (int)k->depth, 0);
	lua_createtable(L, (int)k->depth, 0);
	for (size_t l = 0; l < k->depth; l++) {
		lua_pushstring(L, k->weight[l]);
		lua_rawseti(L, -3, (lua_Integer)l + 1);
		if (k->bias[l])
			lua_pushstring(L, k->bias[l]);
		else
			lua_pushboolean(L, 0);
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
	lua_setfield(L, -3, "bias");
	lua_setfield(L, -2, "weight");
	lua_rawset(L, -3);
	lua_pop(L, 1);
}

/* The keys option: a list of strings. The list may be a proxy whose
 * __index makes a new string on every call, so the strings are anchored in
 * a table of our own (left on the stack with the pointer array) before any
 * pointer to them is kept: a collection in a later __index call must not
 * free them. The pointer array is allocated only once the strings exist,
 * so a lying __len cannot make it huge. */
static const char **keys_option(lua_State *L, int t, size_t *n)
{
	if (lua_getfield(L, t, "keys") == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	if (!lua_istable(L, -1))
		rlua_option_error(L, "keys", "must be a list of layer names (e.g. {'fc1', 'fc2'} or "
		                  "{'0.weight', '2.weight'}), got a %s", luaL_typename(L, -1));
	int list = lua_gettop(L);
	lua_Integer count = luaL_len(L, list);
	if (count < 1 || count > NET_MAX_DEPTH)
		rlua_option_error(L, "keys", "must list between 1 and %d layer names, got %lld", (int)NET_MAX_DEPTH,
		                  (long long)count);
	lua_createtable(L, count < 1024 ? (int)count : 1024, 0);
	int anchor = lua_gettop(L);
	for (lua_Integer i = 1; i <= count; i++) {
		if (lua_geti(L, list, i) != LUA_TSTRING)
			rlua_option_error(L, "keys", "entry %lld must be a string (a layer name), got a %s", (long long)i,
			                  luaL_typename(L, -1));
		lua_rawseti(L, anchor, i);
	}
	const char **names = lua_newuserdatauv(L, (size_t)count * sizeof *names, 0);
	for (lua_Integer i = 1; i <= count; i++) {
		lua_rawgeti(L, anchor, i);
		names[i - 1] = lua_tostring(L, -1);   /* anchor keeps it */
		lua_pop(L, 1);
	}
	*n = (size_t)count;
	return names;
}

static const rlua_option load_options[] = {
	RLUA_OPTION("keys"), RLUA_OPTION_VALUES("arch", rlua_arch_names),
	RLUA_OPTION_VALUES("precision", rlua_precision_names), {0}
};

static int relu_load(lua_State *L)
{
	const char *path = rlua_check_path_like(L, 1, "init.npz");
	int t = 0;
	if (!lua_isnoneornil(L, 2)) {
		rlua_check_options_table(L, 2);
		rlua_check_options(L, 2, load_options);
		t = 2;
	}
	lua_settop(L, 2);
	rl_arch arch = t ? rlua_arch_option(L, t) : ARCH_PLAIN;
	rl_precision precision = t ? rlua_precision_option(L, t) : precision_default();
	size_t nkeys = 0;
	const char **keys = t ? keys_option(L, t, &nkeys) : NULL;
	if (npy_sniff(path) == 1)
		return luaL_error(L, "'%s' is a .npy file, one array; relu.load reads a state dict of several "
		                  "arrays saved with np.savez (.npz)", path);
	numpy_load *b = push_load(L);
	rlua_box *net = rlua_new_net(L);
	rl_err e;
	if (!(net->p = net_load_npz(path, keys, nkeys, arch, &b->keys, &e)))
		return rlua_engine_error(L, &e);
	((rl_net *)net->p)->spec.precision = precision;
	net_round_to_precision(net->p);   /* single: the floats it computes with, also in n:weights and n:save */
	remember_keys(L, lua_gettop(L), path, &b->keys);
	return 1;
}

/* ---- net:save ------------------------------------------------------------- */

static int net_save(lua_State *L)
{
	rl_net *net = rlua_check_net(L, 1);
	const char *path = rlua_check_path_like(L, 2, "net.npz");
	if (rlua_numpy_kind(path, 0) != 2)
		return rlua_arg_error(L, 2, lua_pushfstring(L, "the path must end in .npz (a state dict as np.savez "
		                     "writes it), got '%s'", path));
	lua_settop(L, 2);
	rl_net_keys keys = {0}, *use = NULL;
	lua_getfield(L, LUA_REGISTRYINDEX, NET_KEYS_KEY);
	lua_pushvalue(L, 1);
	if (lua_rawget(L, -2) == LUA_TTABLE) {     /* names from the file it was loaded from */
		size_t depth = net->spec.depth;
		keys.depth = depth;
		keys.weight = lua_newuserdatauv(L, 2 * depth * sizeof(char *), 0);
		keys.bias = keys.weight + depth;
		lua_getfield(L, 4, "weight");
		lua_getfield(L, 4, "bias");
		for (size_t l = 0; l < depth; l++) {
			lua_rawgeti(L, -2, (lua_Integer)l + 1);
			lua_rawgeti(L, -2, (lua_Integer)l + 1);
			/* the tables anchored in the registry keep these strings alive */
			keys.weight[l] = (char *)lua_tostring(L, -2);
			keys.bias[l] = lua_type(L, -1) == LUA_TSTRING ? (char *)lua_tostring(L, -1) : NULL;
			lua_pop(L, 2);
			if (!keys.weight[l])
				return luaL_error(L, "net:save: the layer names of this net are damaged");
		}
		use = &keys;
	}
	rl_err e;
	return rlua_return_receiver(L, net_save_npz(net, use, path, &e), &e);
}

static const rlua_api numpy_api[] = {
	{"relu.load", "pytorch", "relu.load(path [, {keys=, arch=, precision=}])",
	 "A Net from a PyTorch state dict saved as .npz (np.savez(path, **{k: v.detach().numpy() "
	 "for k, v in model.state_dict().items()})). Each layer is a '<name>.weight' array, out x in "
	 "as nn.Linear stores it (the orientation of net:weights(l)), with an optional '<name>.bias'. "
	 "Layers are ordered by the numbers in their names, part by part (0 < 2 < 10, fc2 < fc10, "
	 "layers.3 < layers.12); names that differ otherwise (fc2 and out, model.fc.0 and head) do not "
	 "say which layer runs first and are refused, with the layers listed as saved. "
	 "keys={'fc1', 'fc2', 'out'} names them in order instead, each layer once. Every layer is followed by a ReLU, "
	 "the last one too: for a model ending in a Linear head without one, keys can load the hidden "
	 "layers alone. The input dimension and widths come from "
	 "the shapes; arch ('plain' default, 'residual', 'dense', 'skip', 'batchnorm') says how the "
	 "layers connect; precision is as for relu (single: the file's values rounded to float32 as "
	 "they load, so net:weights and net:save show the floats it computes with). Mismatched shapes are errors naming the arrays.",
	 "relu(3, 4, {seed=1}):save('init.npz'); net = relu.load('init.npz'); print(net)",
	 .fn = relu_load, .options = load_options},
	{"net:save", "pytorch", "net:save(path)",
	 "Writes the net's weights and biases to an .npz state dict (float64), under the names they "
	 "were loaded with (for a net from relu{} the names of nn.Sequential(Linear, ReLU, Linear, ...): "
	 "0.weight, 0.bias, 2.weight, ...), so that model.load_state_dict({k: torch.from_numpy(v) for "
	 "k, v in np.load(path).items()}) takes it back. relu.load of the file gives identical weights. "
	 "A net loaded with keys={...} saves only those layers: PyTorch takes them with "
	 "load_state_dict(..., strict=False), its other parameters (a BatchNorm's) unchanged. "
	 "Returns the net.",
	 "net = relu(3, 2, {seed=1}); net:flip(inputs.gaussian(64, 2, {seed=1})); net:save('flipped.npz')",
	 .fn = net_save, .type = RLUA_NET},
	{"pytorch", "pytorch", "help \"pytorch\"",
	 "Your own network and data. In Python: np.savez('init.npz', **{k: v.detach().numpy() for k, v in "
	 "model.state_dict().items()}) and np.save('X.npy', X). In relush: net = relu.load('init.npz'); "
	 "X = inputs.load('X.npy'); net:death(X); net:flip(X); net:save('flipped.npz'). Back in Python: "
	 "model.load_state_dict({k: torch.from_numpy(v).float() for k, v in np.load('flipped.npz').items()}). "
	 "inputs.load also reads one array of an .npz archive: inputs.load('data.npz', 'train_x'). "
	 "A model whose layer names do not say their order (fc1, fc2, out) or that holds other layers "
	 "(a BatchNorm) is read with keys={...}: see help 'relu.load'. Files of torch.save itself (.pt, "
	 ".pth: pickles) are not read: export them with np.savez as above.",
	 "help 'relu.load'", .fn = NULL},
	{0}
};

/* relu.load, net:save; the side table: net -> the names its layers were loaded with */
const rlua_binding rlua_numpy_binding = {.api = numpy_api, .weak_keys = NET_KEYS_KEY};
