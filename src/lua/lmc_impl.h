/* lmc_impl.h: what the files of mc() share (lua-internal): lmc.c (the run,
 * replay and registration), lmc_progress.c (progress callbacks and the bar),
 * lmc_result.c (the result table, its printing and saving) and
 * lmc_merge.c (mc.merge and mc.load). */
#ifndef RELUSH_LMC_IMPL_H
#define RELUSH_LMC_IMPL_H

#include "rlua.h"
#include "mc_observer.h"
#include "relush/mc.h"

#define RLUA_MC_RESULTS "relush.McResults"  /* a list of results: mc.load, mc.merge{..., sweep = true} */
#define RLUA_MC_RUN     "relush.McRun"
#define MC_RUNS_KEY     "relush.mc_runs"    /* registry: result table -> McRun (weak keys) */
#define MC_TABLE_KEY    "rlua.mc_table"     /* registry: the mc table, for its shard default */

/* What a result table stands for: its record (settings, counts, timing),
 * kept out of the user's sight for replay, save and merge. */
typedef struct run_box {
	rl_net_spec spec;        /* mc{}'s parsed options, until the record has them */
	mc_record *rec;
	rl_mat *flip_X;          /* with flip = true: X, to flip the replayed net on */
} run_box;

typedef struct progress_ctx {
	lua_State *L;
	int user_fn;             /* stack index of the progress function, or 0 */
	rlua_mc_observer *view;  /* the live view following the run, or NULL */
	int bar;                 /* draw the stderr bar */
	int bar_drawn;
	int failed;              /* a callback raised an error: its message is at err_idx */
	int interrupted;         /* Ctrl-C reached a callback: the user's is not called again */
	int err_ref;
	const rl_net_spec *spec;
	size_t points;
	double lower, upper;
} progress_ctx;

run_box *lmc_push_run_box(lua_State *L);
run_box *lmc_to_run(lua_State *L, int idx);
int lmc_on_progress(const mc_progress *p, void *arg);
void lmc_push_result(lua_State *L, const mc_record *rec, int run_idx);
void lmc_push_record(lua_State *L, mc_record **slot, const rl_mat *flip_X);
int lmc_result_tostring(lua_State *L);
int lmc_results_tostring(lua_State *L);
void lmc_merge_note(lua_State *L, const mc_record *rec);
void lmc_push_results(lua_State *L, mc_record **recs, size_t n, const rl_mat *const *flip_X, size_t nflip);
int lmc_is_results_list(lua_State *L, int idx);
int lmc_save_l(lua_State *L);
/* list:csv(path): one row per result of a list (lresult_csv.c) */
int lmc_results_csv_l(lua_State *L);
int lmc_merge_l(lua_State *L);
extern const rlua_option lmc_merge_options[];   /* mc.merge(pieces, {sweep=}) */
int lmc_load_l(lua_State *L);

#endif
