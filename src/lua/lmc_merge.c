/* lmc_merge.c: mc.merge(pieces [, opts]) and mc.load(path): results files
 * and results gathered into pieces, merged by the core (mc_merge.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "relush/bounds.h"
#include "relush/flip.h"
#include "relush/inputs.h"
#include "relush/interrupt.h"
#include "lmc_impl.h"

/* ---- mc.merge(pieces [, opts]) and mc.load(path) ----------------------------------------- */

/* The pieces of a merge: records loaded from files (owned) and relabelled
 * shallow copies of results' records (whose arrays stay the results'). */
typedef struct pieces_box {
	mc_record **list;        /* what is merged, in order */
	unsigned char *owned;    /* list[i] came from a file: mc_record_free; else free */
	size_t n, cap;
	const rl_mat **flip_X;   /* the results' input sets, for replaying flipped nets */
	size_t nflip;
	int self;                /* its stack index while being filled */
} pieces_box;

static void pieces_free(void *pieces)
{
	pieces_box *p = pieces;
	for (size_t i = 0; i < p->n; i++) {
		if (p->owned[i])
			mc_record_free(p->list[i]);
		else
			free(p->list[i]);
	}
	free(p->list);
	free(p->owned);
	free(p->flip_X);
	free(p);
}

/* Room for extra more pieces; -1 when out of memory. */
static int pieces_reserve(pieces_box *p, size_t extra)
{
	if (p->n + extra <= p->cap)
		return 0;
	size_t cap = p->cap ? p->cap : 16;
	while (cap < p->n + extra)
		cap *= 2;
	mc_record **list = realloc(p->list, cap * sizeof *list);
	if (!list)
		return -1;
	p->list = list;
	unsigned char *own = realloc(p->owned, cap);
	if (!own)
		return -1;
	p->owned = own;
	const rl_mat **fx = realloc(p->flip_X, cap * sizeof *fx);
	if (!fx)
		return -1;
	p->flip_X = fx;
	p->cap = cap;
	return 0;
}

/* Adds rec (owned: from a file; else a shallow copy); frees it and raises
 * when out of memory. */
static void pieces_add(lua_State *L, pieces_box *p, mc_record *rec, int owned)
{
	if (pieces_reserve(p, 1)) {
		if (owned)
			mc_record_free(rec);
		else
			free(rec);
		luaL_error(L, "mc.merge: out of memory collecting the pieces");
	}
	p->list[p->n] = rec;
	p->owned[p->n] = (unsigned char)owned;
	p->n++;
}

/* Every record of the file named by the string at idx, taken over by p. */
static void pieces_file(lua_State *L, pieces_box *p, int idx)
{
	const char *path = lua_tostring(L, idx);
	const char *nul = rlua_nul_in_path(L, idx);   /* the C file functions would stop at it */
	if (nul)
		luaL_error(L, "mc.merge: %s", nul);
	mc_record **recs;
	size_t n;
	rl_err e;
	if (mc_records_load(path, &recs, &n, &e))
		luaL_error(L, "mc.merge: %s", e.msg);
	if (pieces_reserve(p, n)) {
		mc_records_free(recs, n);
		luaL_error(L, "out of memory reading '%s'", path);
	}
	for (size_t i = 0; i < n; i++)
		pieces_add(L, p, recs[i], 1);   /* cannot fail: the room is there */
	free(recs);
}

/* A result table at idx: a shallow copy of its record named by label,
 * unless it came from a file (its file and line name it better). */
static void pieces_result(lua_State *L, pieces_box *p, int idx, const char *label)
{
	idx = lua_absindex(L, idx);
	run_box *b = lmc_to_run(L, idx);
	mc_record *copy = malloc(sizeof *copy);
	if (!copy)
		luaL_error(L, "mc.merge: out of memory collecting the pieces");
	*copy = *b->rec;
	if (copy->line == 0)
		snprintf(copy->source, sizeof copy->source, "%s", label);
	pieces_add(L, p, copy, 0);
	if (b->flip_X)
		p->flip_X[p->nflip++] = b->flip_X;
	/* the copy shares the result's arrays: the pieces box anchors its run
	 * box, which may come from an __index and be dropped by the next one */
	lua_getiuservalue(L, p->self, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, MC_RUNS_KEY);
	lua_pushvalue(L, idx);
	lua_rawget(L, -2);
	lua_rawseti(L, -3, (lua_Integer)p->n);
	lua_pop(L, 2);
}

static void pieces_collect(lua_State *L, pieces_box *p, int arg)
{
	if (lua_type(L, arg) == LUA_TSTRING) {
		pieces_file(L, p, arg);
		return;
	}
	if (lua_istable(L, arg) && lmc_to_run(L, arg)) {
		pieces_result(L, p, arg, "the result");
		return;
	}
	if (!lua_istable(L, arg))
		rlua_arg_error(L, arg, lua_pushfstring(L, "expected a list of results files and results "
		              "(e.g. {\"a.jsonl\", \"b.jsonl\"}), got %s", rlua_got(L, arg)));
	lua_Integer n = rlua_len(L, arg, "the list to merge");
	if (n == 0)
		rlua_arg_error(L, arg, "nothing to merge: the list is empty; give results files (\"a.jsonl\") "
		              "or results");
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, arg, i);
		int v = lua_gettop(L);
		char label[48];
		snprintf(label, sizeof label, "result %lld", (long long)i);
		if (lua_type(L, v) == LUA_TSTRING) {
			pieces_file(L, p, v);
		} else if (lua_istable(L, v) && lmc_to_run(L, v)) {
			pieces_result(L, p, v, label);
		} else if (lua_istable(L, v) && lmc_is_results_list(L, v)) {
			lua_Integer m = rlua_len(L, v, "a list of results");
			for (lua_Integer j = 1; j <= m; j++) {
				lua_geti(L, v, j);
				snprintf(label, sizeof label, "result %lld[%lld]", (long long)i, (long long)j);
				if (lmc_to_run(L, -1))
					pieces_result(L, p, lua_gettop(L), label);
				lua_pop(L, 1);
			}
		} else {
			rlua_arg_error(L, arg, lua_pushfstring(L, "item %I must be a results file name, a Monte "
			              "Carlo result or a list of them (mc.load), got %s", i, rlua_got(L, v)));
		}
		lua_settop(L, v - 1);
	}
}

static pieces_box *push_pieces(lua_State *L)
{
	pieces_box *p = rlua_box_new(L, NULL, sizeof *p, pieces_free);
	p->self = lua_gettop(L);
	lua_newtable(L);                /* user value: the run boxes of the pieces */
	lua_setiuservalue(L, p->self, 1);
	return p;
}

const rlua_option lmc_merge_options[] = {RLUA_OPTION("sweep"), {0}};

int lmc_merge_l(lua_State *L)
{
	int sweep = 0;
	if (!lua_isnoneornil(L, 2)) {
		rlua_check_options_table(L, 2);
		rlua_check_options(L, 2, lmc_merge_options);
		sweep = rlua_opt_bool_field(L, 2, "sweep", 0);
	}
	if (lua_isnoneornil(L, 1))
		return rlua_arg_error(L, 1, "expected the pieces to merge: results files and results, "
		                     "e.g. mc.merge{\"a.jsonl\", \"b.jsonl\"}");
	lua_settop(L, 2);
	pieces_box *p = push_pieces(L);                        /* index 3 */
	pieces_collect(L, p, 1);
	rl_err e;
	pieces_box *merged = push_pieces(L);                   /* index 4: owns the merged records */
	if (!sweep) {
		mc_record *rec = mc_merge(p->list, p->n, &e);
		if (!rec)
			return luaL_error(L, "mc.merge: %s", e.msg);
		pieces_add(L, merged, rec, 1);
		const rl_mat *X = NULL;
		for (size_t k = 0; k < p->nflip && !X; k++)
			if (mc_checksum(p->flip_X[k]) == rec->x_checksum)
				X = p->flip_X[k];
		lmc_push_record(L, &merged->list[0], X);
		lmc_merge_note(L, rec);
		return 1;
	}
	mc_record **out;
	size_t n;
	if (mc_merge_sweep(p->list, p->n, &out, &n, &e))
		return luaL_error(L, "mc.merge: %s", e.msg);
	if (pieces_reserve(merged, n)) {
		mc_records_free(out, n);
		return luaL_error(L, "mc.merge: out of memory");
	}
	for (size_t i = 0; i < n; i++)
		pieces_add(L, merged, out[i], 1);
	free(out);
	lmc_push_results(L, merged->list, merged->n, p->flip_X, p->nflip);
	return 1;
}

int lmc_load_l(lua_State *L)
{
	const char *path = rlua_check_path_like(L, 1, "results.jsonl");
	pieces_box *p = push_pieces(L);   /* first: frees what is not yet a result on error */
	mc_record **recs;
	size_t n;
	rl_err e;
	if (mc_records_load(path, &recs, &n, &e))
		return luaL_error(L, "mc.load: %s", e.msg);
	if (pieces_reserve(p, n)) {
		mc_records_free(recs, n);
		return luaL_error(L, "mc.load: out of memory reading '%s'", path);
	}
	for (size_t i = 0; i < n; i++)
		pieces_add(L, p, recs[i], 1);
	free(recs);
	lmc_push_results(L, p->list, p->n, NULL, 0);   /* each result takes its record over */
	return 1;
}

