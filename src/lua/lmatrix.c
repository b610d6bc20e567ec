/* lmatrix.c: the Matrix userdata (input sets and forward outputs): one point
 * per row; #X, X.rows, X.cols, X[i] (a row as a list), X:save(path). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "rlua.h"
#include "relush/inputs.h"
#include "relush/npy.h"
#include "relush/npz.h"

rl_mat *rlua_to_matrix(lua_State *L, int arg)
{
	rlua_box *b = rlua_box_test(L, arg, RLUA_MATRIX);
	return b ? b->p : NULL;
}

const char *rlua_matrix_got(lua_State *L, int arg)
{
	if (rlua_box_test(L, arg, RLUA_MATRIX))   /* a Matrix without its data */
		return "an input set that has been closed (its data freed by <close> or __gc)";
	return rlua_got(L, arg);
}

rl_mat *rlua_check_matrix(lua_State *L, int arg)
{
	rl_mat *m = rlua_to_matrix(L, arg);
	if (!m)
		rlua_arg_error(L, arg, lua_pushfstring(L, "expected an input set (a Matrix, e.g. from "
		              "inputs.gaussian), got %s", rlua_matrix_got(L, arg)));
	return m;
}

rl_mat *rlua_default_inputs(lua_State *L, int arg, size_t input)
{
	if (!lua_isnoneornil(L, arg))
		return rlua_check_matrix(L, arg);
	lua_settop(L, arg - 1);
	rlua_box *box = rlua_new_matrix(L);
	rl_err e;
	if (!(box->p = inputs_default(input, &e)))
		rlua_engine_error(L, &e);
	return box->p;
}

static void matrix_destroy(void *m) { mat_free(m); }

rlua_box *rlua_new_matrix(lua_State *L)
{
	return rlua_box_push(L, RLUA_MATRIX, matrix_destroy);
}


static int matrix_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)rlua_check_matrix(L, 1)->rows);
	return 1;
}

static void push_row(lua_State *L, const rl_mat *m, size_t i)
{
	const double *x = mat_row(m, i);
	lua_createtable(L, (int)(m->cols < 1u << 30 ? m->cols : 0), 0);
	for (size_t j = 0; j < m->cols; j++) {
		lua_pushnumber(L, x[j]);
		lua_rawseti(L, -2, (lua_Integer)j + 1);
	}
}

/* X[i], X.field and X:method. The messages name what the user wrote, not
 * the metamethod Lua reports ('index'): a closed Matrix still hands out
 * its methods, whose own check names them, and refuses rows and fields. */
static int matrix_index(lua_State *L)
{
	rlua_box *b = rlua_check_self(L, RLUA_MATRIX);
	rl_mat *m = b->p;
	int key = lua_type(L, 2);
	if (key != LUA_TNUMBER && key != LUA_TSTRING)
		return luaL_error(L, "an input set has no item [%s]: its rows are X[1] .. X[#X], its fields "
		                  "and methods have names (X.rows, X:save(path))", rlua_got(L, 2));
	if (!m) {
		luaL_getmetatable(L, RLUA_MATRIX);
		if (key == LUA_TSTRING && lua_getfield(L, -1, "__methods") == LUA_TTABLE
		    && lua_getfield(L, -1, lua_tostring(L, 2)) != LUA_TNIL)
			return 1;
		return luaL_error(L, "X[%s]: the input set has been closed (its data freed by <close> or __gc)",
		                  rlua_describe(L, 2));
	}
	if (key == LUA_TNUMBER) {
		/* Like a Lua list: X[#X + 1] is nil, so ipairs(X) stops there. */
		lua_Integer i = lua_tointeger(L, 2);
		if (!lua_isinteger(L, 2)) {
			double x = lua_tonumber(L, 2);
			if (x != floor(x))   /* NaN too */
				return luaL_error(L, "X[%s]: a row index is an integer from 1 to #X (%I)",
				                  rlua_describe(L, 2), (lua_Integer)m->rows);
			if (!lua_numbertointeger(x, &i))
				i = 0;   /* beyond any row, as +-inf */
		}
		if (i < 1 || (lua_Unsigned)i > m->rows)
			lua_pushnil(L);
		else
			push_row(L, m, (size_t)i - 1);
		return 1;
	}
	const char *k = lua_tostring(L, 2);
	if (strcmp(k, "rows") == 0)
		lua_pushinteger(L, (lua_Integer)m->rows);
	else if (strcmp(k, "cols") == 0)
		lua_pushinteger(L, (lua_Integer)m->cols);
	else {
		luaL_getmetatable(L, RLUA_MATRIX);
		lua_getfield(L, -1, "__methods");
		lua_getfield(L, -1, k);
	}
	return 1;
}

static int matrix_tostring(lua_State *L)
{
	rl_mat *m = rlua_check_matrix(L, 1);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	lua_pushfstring(L, "Matrix: %I point%s x %I dimension%s\n", (lua_Integer)m->rows, rlua_s((double)m->rows),
	                (lua_Integer)m->cols, rlua_s((double)m->cols));
	luaL_addvalue(&b);
	size_t show = m->rows <= 8 ? m->rows : 5;
	for (size_t i = 0; i < show; i++) {
		const double *x = mat_row(m, i);
		char cell[32];
		luaL_addstring(&b, "  ");
		for (size_t j = 0; j < m->cols && j < 8; j++) {
			snprintf(cell, sizeof cell, "%s%10.4g", j ? " " : "", x[j]);
			luaL_addstring(&b, cell);
		}
		if (m->cols > 8)
			luaL_addstring(&b, "  ...");
		luaL_addchar(&b, '\n');
	}
	if (show < m->rows) {
		lua_pushfstring(L, "  ... %I more rows\n", (lua_Integer)(m->rows - show));
		luaL_addvalue(&b);
	}
	rlua_push_report(L, &b);
	return 1;
}

static int matrix_save(lua_State *L)
{
	rl_mat *m = rlua_check_matrix(L, 1);
	const char *path = rlua_check_path_like(L, 2, "points.csv");
	int kind = rlua_numpy_kind(path, 0);
	if (!lua_isnoneornil(L, 3) && lua_type(L, 3) != LUA_TSTRING)
		rlua_arg_error(L, 3, lua_pushfstring(L, "the array name must be a string such as 'train_x', got %s",
		               rlua_describe(L, 3)));
	const char *member = lua_tostring(L, 3);
	if (member && kind != 2)
		return rlua_arg_error(L, 3, "an array name is for .npz archives only");
	size_t mlen = member ? strlen(member) : 0;
	if (mlen > 4 && strcmp(member + mlen - 4, ".npy") == 0)   /* 'train_x.npy' names train_x, as in inputs.load */
		member = lua_pushlstring(L, member, mlen - 4);
	if (member && !*member)
		return rlua_arg_error(L, 3, "the array name must not be empty");
	rl_err e;
	int r;
	if (kind == 2) {
		/* np.savez(path, X) names an unnamed array arr_0 */
		const char *name = member ? member : "arr_0";
		rl_array a = {2, m->rows, m->cols, m->data};
		r = npz_write(path, 1, &name, &a, &e);
	} else
		r = kind == 1 ? npy_save(path, m->data, m->rows, m->cols, &e) : inputs_save(m, path, &e);
	return rlua_return_receiver(L, r, &e);
}

static const luaL_Reg matrix_meta[] = {
	{"__len", matrix_len},
	{"__index", matrix_index},
	{"__tostring", matrix_tostring},
	{NULL, NULL}
};

static const rlua_api matrix_api[] = {
	{"X:save", "inputs", "X:save(path [, name])",
	 "Writes the input set to a CSV file, one point per line with full precision "
	 "(a path ending in .npy writes NumPy's format: a float64 array, one point per row; "
	 "one ending in .npz an archive holding that array under name, 'arr_0' by default as "
	 "np.savez names it, which inputs.load(path) reads back). "
	 "The file is written to a temporary name and renamed into place, so an "
	 "interrupted save never leaves a truncated file; a symlink is followed, a device or "
	 "pipe written in place, a read-only file refused (see the manual's Files written). "
	 "Returns X.",
	 "inputs.gaussian(10, 2, {seed=1}):save('points.csv')", .fn = matrix_save, .type = RLUA_MATRIX},
	{"X.rows", "inputs", "X.rows, X.cols, #X, X[i]",
	 "A Matrix holds one point per row: X.rows (also #X) is the number of points, "
	 "X.cols their dimension, and X[i] returns point i as a list of numbers.",
	 "X = inputs.gaussian(64, 2); print(#X, X.cols, X[1][1])", .fn = NULL},
	{0}
};

static const rlua_type matrix_types[] = {RLUA_BOX_TYPE(RLUA_MATRIX, matrix_meta), {0}};
const rlua_binding rlua_matrix_binding = {.types = matrix_types, .api = matrix_api};
