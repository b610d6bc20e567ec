/* lmc_result.c: the result of mc() as a Lua table (relush.McResult), its
 * printed report, lists of results (relush.McResults) and r:save. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "relush/bounds.h"
#include "relush/flip.h"
#include "relush/inputs.h"
#include "relush/interrupt.h"
#include "relush/probtext.h"
#include "lmc_impl.h"

/* ---- the result table ------------------------------------------------------------- */

static void push_pair(lua_State *L, double a, double b)
{
	lua_createtable(L, 2, 0);
	lua_pushnumber(L, a);
	lua_rawseti(L, -2, 1);
	lua_pushnumber(L, b);
	lua_rawseti(L, -2, 2);
}

static const char *evaluation_name(const mc_counts *c)
{
	if (c->trials_reference)
		return "reference";
	if (c->trials_lazy)
		return "lazy";
	if (c->layers_gram && c->layers_explicit)
		return "mixed";
	if (c->layers_gram)
		return "gram";
	return "explicit";
}

static const char *record_method(const mc_record *rec)
{
	return rec->reference ? "reference" : mc_method_name(rec->method);
}

/* Pushes the result table of rec and remembers run (at run_idx) for it. */
void lmc_push_result(lua_State *L, const mc_record *rec, int run_idx)
{
	const mc_result *r = &rec->result;
	const mc_counts *c = &r->counts;
	const rl_net_spec *s = &rec->spec;
	run_idx = lua_absindex(L, run_idx);
	mc_summary S;
	mc_summarize(r, &S);
	lua_createtable(L, 0, 40);
	int t = lua_gettop(L);
	rlua_set_integer(L, "trials", (lua_Integer)c->trials);
	rlua_set_integer(L, "alive_trials", (lua_Integer)c->alive_trials);
	rlua_set_optional(L, "p_alive", S.p_alive);
	/* For batch norm the two differ: a strictly dead net can keep an active
	 * unit in every layer, because normalising over X revives dead points. */
	rlua_set_integer(L, "all_active_trials", (lua_Integer)c->trials_all_active);
	rlua_set_number(L, "p_all_active", c->trials ? (double)c->trials_all_active / (double)c->trials : 0.0);
	if (!isnan(S.ci_lo)) {
		push_pair(L, S.ci_lo, S.ci_hi);
		lua_setfield(L, t, "ci");
	}
	rlua_set_optional(L, "fraction", S.fraction);
	rlua_set_optional(L, "fraction_se", S.fraction_se);
	rlua_set_optional(L, "min_fraction", S.min_fraction);
	rlua_set_number(L, "lower", r->lower);
	rlua_set_number(L, "upper", r->upper);
	rlua_set_number(L, "union", r->union_bound);
	rlua_set_number(L, "seconds", r->seconds);
	rlua_set_number(L, "rate", r->seconds > 0 ? (double)c->trials / r->seconds : 0.0);
	rlua_set_integer(L, "seed", (lua_Integer)s->seed);
	rlua_set_bool(L, "interrupted", r->interrupted);
	rlua_set_string(L, "method", record_method(rec));
	rlua_set_string(L, "evaluation", evaluation_name(c));
	rlua_set_string(L, "stats", rec->stats == MC_STATS_ALIVE ? "alive" : "all");
	rlua_set_bool(L, "flip", rec->flip);
	rlua_set_integer(L, "threads", (lua_Integer)r->threads);
	rlua_set_integer(L, "points", (lua_Integer)c->points);
	rlua_set_integer(L, "input", (lua_Integer)s->input);
	rlua_set_integer(L, "depth", (lua_Integer)s->depth);
	rlua_set_string(L, "arch", arch_name(s->arch));
	rlua_set_string(L, "precision", precision_name(s->precision));
	rlua_set_integer(L, "first_trial", (lua_Integer)r->first_trial);
	rlua_set_integer(L, "last_trial", (lua_Integer)r->last_trial);
	rlua_set_integer(L, "requested", (lua_Integer)r->requested);
	rlua_set_integer(L, "pieces", (lua_Integer)rec->pieces);
	char sum[32];
	snprintf(sum, sizeof sum, "fnv1a64:%016llx", (unsigned long long)rec->x_checksum);
	rlua_set_string(L, "checksum", sum);
	rlua_set_string(L, "version", rec->version);
	rlua_set_string(L, "generator", mc_generator_name(rec->generator));
	if (rec->float32_fma != MC_FMA_NONE)
		rlua_set_string(L, "float32_fma", rec->float32_fma == MC_FMA_FUSED ? "fused" : "unfused");
	if (rec->line > 0) {
		char where[300];
		rlua_set_string(L, "source", mc_record_label(rec, where, sizeof where));
	}
	if (c->alignment)
		rlua_set_optional(L, "input_cosine", r->input_cosine);
	/* what rlua_name_inputs says of a fresh report, kept by the record so
	 * that a result read back or merged prints as it did */
	if (rec->x_default)
		rlua_set_string(L, "inputs", INPUTS_DEFAULT_NAME);
	if (rec->never_living) {
		rlua_set_integer(L, "never_living", (lua_Integer)rec->never_living);
		if (s->arch == ARCH_BATCHNORM)
			rlua_set_string(L, "tie", "mean");
	}
	if (rec->shard_count > 1) {
		lua_createtable(L, 2, 0);
		lua_pushinteger(L, (lua_Integer)rec->shard_index);
		lua_rawseti(L, -2, 1);
		lua_pushinteger(L, (lua_Integer)rec->shard_count);
		lua_rawseti(L, -2, 2);
		lua_setfield(L, t, "shard");
	}
	lua_createtable(L, (int)(s->depth < 1u << 24 ? s->depth : 0), 0);
	for (size_t l = 0; l < s->depth; l++) {
		lua_pushinteger(L, (lua_Integer)s->widths[l]);
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
	lua_setfield(L, t, "widths");
	lua_createtable(L, (int)(s->depth < 1u << 24 ? s->depth : 0), 0);
	for (size_t l = 0; l < s->depth; l++) {
		lua_pushinteger(L, (lua_Integer)c->died_at[l]);
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
	lua_setfield(L, t, "died_at");
	lua_createtable(L, (int)(s->depth < 1u << 24 ? s->depth : 0), 0);
	for (size_t l = 1; l <= s->depth; l++) {
		const mc_layer_counts *x = &c->layers[l - 1];
		size_t n = s->widths[l - 1];
		lua_createtable(L, 0, 10);
		rlua_set_integer(L, "width", (lua_Integer)n);
		rlua_set_optional(L, "survival", mc_layer_survival(c, l));
		rlua_set_number(L, "bound", -expm1(-(double)n * log(2.0)));
		rlua_set_optional(L, "net_survival", mc_layer_net_survival(c, l));
		rlua_set_optional(L, "dead_rate", mc_layer_dead_rate(c, l, n));
		rlua_set_integer(L, "trials_reaching", (lua_Integer)x->trials_reaching);
		rlua_set_integer(L, "trials_living", (lua_Integer)x->trials_living);
		rlua_set_integer(L, "died", (lua_Integer)c->died_at[l - 1]);
		rlua_set_integer(L, "trials_active_unit", (lua_Integer)x->trials_active_unit);
		if (c->alignment) {
			rlua_set_optional(L, "alignment", alignment_sum_mean(c->alignment, l));
			rlua_set_optional(L, "alignment_se", alignment_sum_se(c->alignment, l));
			rlua_set_integer(L, "alignment_trials", (lua_Integer)c->alignment->trials[l - 1]);
			if (r->align_predicted)
				rlua_set_optional(L, "alignment_predicted", r->align_predicted[l - 1]);
		}
		if (c->stats == MC_STATS_ALL) {
			rlua_set_integer(L, "reaching", (lua_Integer)x->points_reaching);
			rlua_set_integer(L, "living", (lua_Integer)x->points_living);
			rlua_set_integer(L, "dead_neurons", (lua_Integer)x->dead_neurons);
		}
		lua_rawseti(L, -2, (lua_Integer)l);
	}
	lua_setfield(L, t, "layers");
	luaL_setmetatable(L, RLUA_MC_RESULT);
	/* remember the run for replay, save and merge, out of the user's sight */
	lua_getfield(L, LUA_REGISTRYINDEX, MC_RUNS_KEY);
	lua_pushvalue(L, t);
	lua_pushvalue(L, run_idx);
	lua_rawset(L, -3);
	lua_pop(L, 1);
}

/* Pushes the result table of the record at *slot, which it takes over
 * (*slot is then NULL; until then whoever owns the slot frees it on an
 * error); flip_X (may be NULL) is cloned for replay. */
void lmc_push_record(lua_State *L, mc_record **slot, const rl_mat *flip_X)
{
	run_box *b = lmc_push_run_box(L);
	mc_record *rec = b->rec = *slot;
	*slot = NULL;
	if (flip_X && rec->flip) {
		rl_err e;
		if (!(b->flip_X = mat_clone(flip_X, &e)))
			rlua_engine_error(L, &e);
	}
	lmc_push_result(L, rec, -1);
	lua_remove(L, -2);
}

/* ---- printing ------------------------------------------------------------------------- */

/* rlua_str_field into four buffers in turn, so one printf can use up to
 * four fields. */
static const char *strf(lua_State *L, int t, const char *k)
{
	static char ring[4][64];
	static unsigned next;
	return rlua_str_field(L, t, k, ring[next++ % 4], sizeof ring[0]);
}

static void fmt(char *buf, size_t len, double v, const char *f)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, f, v);
}

/* gap: 1 - v when known more accurately than 1 - v (relush/probtext.h) */
static void fmt_prob_gap(char *buf, size_t len, double v, double gap)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (v != 0 && (fabs(v) < 1e-3 || fabs(1 - v) < 1e-6))
		snprintf(buf, len, "%.4g", v);
	else
		snprintf(buf, len, "%.4f", v);
	prob_text_fix(buf, len, v, gap, RLUA_PROB_DIGITS);
}

static void fmt_prob(char *buf, size_t len, double v) { fmt_prob_gap(buf, len, v, NAN); }

/* Pushes the (empty) per-layer table, anchored on the stack so an error
 * while filling it cannot leak it; push it before any luaL_Buffer. */
static rlua_table *layer_table_push(lua_State *L)
{
	static const char *const headers[] = {"layer", "width", "survival", "1-2^-n", "net survival",
	                                      "dead neurons", "nets died here", "cosine", "predicted"};
	int top = lua_gettop(L);
	lua_getfield(L, 1, "layers");
	int layers = lua_gettop(L);
	lua_geti(L, layers, 1);
	int align = lua_istable(L, -1) && lua_getfield(L, -1, "alignment_trials") != LUA_TNIL;
	lua_settop(L, top);
	return rlua_table_push(L, align ? 9 : 7, headers);
}

static void layer_table(lua_State *L, luaL_Buffer *b, rlua_table *tab, int stats_all)
{
	lua_getfield(L, 1, "layers");
	int layers = lua_gettop(L);
	lua_Integer depth = rlua_len(L, layers, "the result's layers");
	double trials = rlua_num_field(L, 1, "trials");
	for (lua_Integer l = 1; l <= depth; l++) {
		if (rlua_table_gap(tab, depth, &l, "r.layers"))
			continue;
		lua_geti(L, layers, l);
		int x = lua_gettop(L);
		char c[9][40];
		snprintf(c[0], 40, "%lld", (long long)l);
		snprintf(c[1], 40, "%.0f", rlua_num_field(L, x, "width"));
		fmt_prob(c[2], 40, stats_all ? rlua_num_field(L, x, "survival") : NAN);
		double width = rlua_num_field(L, x, "width");
		fmt_prob_gap(c[3], 40, rlua_num_field(L, x, "bound"), width >= 1 && width <= 2000 ? ldexp(1.0, -(int)width) : NAN);
		fmt_prob(c[4], 40, rlua_num_field(L, x, "net_survival"));
		double dr = rlua_num_field(L, x, "dead_rate");
		if (isnan(dr))
			snprintf(c[5], 40, "-");
		else
			snprintf(c[5], 40, "%.1f%%", 100.0 * dr);
		double died = rlua_num_field(L, x, "died");
		if (trials > 0)
			snprintf(c[6], 40, "%.0f (%.2f%%)", died, 100.0 * died / trials);
		else
			snprintf(c[6], 40, "-");
		fmt(c[7], 40, rlua_num_field(L, x, "alignment"), "%.4f");
		fmt(c[8], 40, rlua_num_field(L, x, "alignment_predicted"), "%.4f");
		const char *row[] = {c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]};
		rlua_table_row(tab, row);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	rlua_table_emit(tab, b);
}

/* The "bounds" cells of the P(alive) and mean F rows. L, U and mL are the
 * plain chain's (theory.md §3, §4); other architectures get their own
 * statements (theory.md §7), or the plain chain's marked as such:
 * batch norm keeps P(x living) = L, hence L <= P <= mL and E[F] = L, but not U
 * (centring defeats its argument); skip nets' points live exactly when layer
 * 1 is active on them; residual and dense nets carry every non-zero point. */
/* A count or seed as its integer, every digit (a seed past 2^53 has no
 * double); "-" when absent. */
static void int_cell(lua_State *L, int t, const char *k, char *buf, size_t len)
{
	lua_getfield(L, t, k);
	if (lua_isinteger(L, -1))
		snprintf(buf, len, "%lld", (long long)lua_tointeger(L, -1));
	else if (lua_type(L, -1) == LUA_TNUMBER)
		snprintf(buf, len, "%.0f", lua_tonumber(L, -1));
	else
		snprintf(buf, len, "-");
	lua_pop(L, 1);
}

static void arch_bound_cells(const char *arch, double lower, double lower_gap, double upper,
                             double uni, lua_Integer first_width, char *p_cell, char *f_cell,
                             size_t size)
{
	char l[24], u[24], m[24];
	fmt_prob_gap(l, sizeof l, lower, lower_gap);
	fmt_prob(u, sizeof u, upper);
	fmt_prob(m, sizeof m, uni);
	if (strcmp(arch, "skip") == 0) {
		char s[24];
		fmt_prob_gap(s, sizeof s, -expm1(-(double)first_width * log(2.0)),
		             first_width >= 1 && first_width <= 2000 ? ldexp(1.0, -(int)first_width) : NAN);
		snprintf(p_cell, size, "P >= 1-2^-n1 %s (skip; plain L %s)", s, l);
		snprintf(f_cell, size, "E[F] = 1-2^-n1 %s (skip)", s);
	} else if (strcmp(arch, "residual") == 0 || strcmp(arch, "dense") == 0) {
		snprintf(p_cell, size, "P = 1 if X has a point != 0 (%s)", arch);
		snprintf(f_cell, size, "F = 1 on points != 0 (%s)", arch);
	} else if (strcmp(arch, "batchnorm") == 0) {
		snprintf(p_cell, size, "L %s <= P <= mL %s (no U: batch norm)", l, m);
		snprintf(f_cell, size, "E[F] = L %s", l);
	} else {
		snprintf(p_cell, size, "L %s <= P <= U %s, mL %s", l, u, m);
		snprintf(f_cell, size, "E[F] = L %s", l);
	}
}

int lmc_result_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	/* The tables' boxes go below the buffer, which needs the stack top. */
	static const char *const headers[] = {"", "measured", "", "bounds"};
	rlua_table *t = rlua_table_push(L, 4, headers);
	rlua_table *layers_tab = layer_table_push(L);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	double trials = rlua_num_field(L, 1, "trials"), requested = rlua_num_field(L, 1, "requested");
	double points = rlua_num_field(L, 1, "points"), depth = rlua_num_field(L, 1, "depth");
	int stats_all = strcmp(strf(L, 1, "stats"), "all") == 0;
	lua_getfield(L, 1, "interrupted");
	int interrupted = lua_toboolean(L, -1);
	lua_pop(L, 1);
	char shape[80];
	lua_getfield(L, 1, "widths");
	lua_Integer k = rlua_len(L, -1, "the result's widths");
	int uniform = 1;
	lua_geti(L, -1, 1);
	lua_Integer w0 = lua_tointeger(L, -1);
	lua_pop(L, 1);
	/* 1 - L from the widths (bound_death): L of a wide net is 1 as a double */
	size_t *widths = k > 0 ? lua_newuserdatauv(L, (size_t)k * sizeof *widths, 0) : NULL;
	int widths_ok = widths != NULL;
	for (lua_Integer l = 1; l <= k; l++) {
		lua_geti(L, -1 - (widths != NULL), l);
		lua_Integer w = lua_tointeger(L, -1);
		uniform &= w == w0;
		widths_ok &= w >= 1;
		if (widths)
			widths[l - 1] = (size_t)(w > 0 ? w : 1);
		lua_pop(L, 1);
	}
	double lower_gap = widths_ok ? bound_death(widths, (size_t)k) : NAN;
	lua_pop(L, widths ? 2 : 1);
	if (uniform)
		snprintf(shape, sizeof shape, "%.0f layer%s of width %lld", depth, rlua_s(depth),
		         (long long)w0);
	else
		snprintf(shape, sizeof shape, "%.0f layers of widths %lld...", depth, (long long)w0);
	char line[600], shard[64] = "", counted[160];
	if (lua_getfield(L, 1, "shard") == LUA_TTABLE) {
		lua_geti(L, -1, 1);
		lua_geti(L, -2, 2);
		snprintf(shard, sizeof shard, ", shard %lld/%lld", (long long)lua_tointeger(L, -2),
		         (long long)lua_tointeger(L, -1));
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
	double pieces = rlua_num_field(L, 1, "pieces");
	/* An interrupted run counted the trials its threads finished: not
	 * the whole range, and not always its first ones. */
	if (interrupted)
		snprintf(counted, sizeof counted, "%.0f trials (those finished before the interrupt, "
		         "among trials %.0f..%.0f%s)", trials, rlua_num_field(L, 1, "first_trial"),
		         rlua_num_field(L, 1, "last_trial"), shard);
	else
		snprintf(counted, sizeof counted, "%.0f trial%s (trials %.0f..%.0f%s)", trials, rlua_s(trials),
		         rlua_num_field(L, 1, "first_trial"), rlua_num_field(L, 1, "last_trial"), shard);
	int single = strcmp(strf(L, 1, "precision"), "single") == 0;
	char seed[32];
	int_cell(L, 1, "seed", seed, sizeof seed);
	snprintf(line, sizeof line,
	         "Monte Carlo: %s net, %s, on %.0f point%s in d = %.0f\n"
	         "  %s, seed %s, method %s (%s%s), %.0f thread%s, "
	         "%.3g s, %.4g trials/s\n",
	         strf(L, 1, "arch"), shape, points, points == 1 ? "" : "s", rlua_num_field(L, 1, "input"),
	         counted, seed,
	         strf(L, 1, "method"), strf(L, 1, "evaluation"), single ? ", single precision" : "",
	         rlua_num_field(L, 1, "threads"),
	         rlua_num_field(L, 1, "threads") == 1 ? "" : "s", rlua_num_field(L, 1, "seconds"), rlua_num_field(L, 1, "rate"));
	luaL_addstring(&b, line);
	if (pieces > 1) {
		snprintf(line, sizeof line, "  merged from %.0f shard runs (seconds: their sum; rate: trials "
		         "per second of that work)\n", pieces);
		luaL_addstring(&b, line);
	}
	char named[500];
	rlua_inputs_lines(L, 1, named, sizeof named);
	luaL_addstring(&b, named);
	if (interrupted) {
		snprintf(line, sizeof line, "  PARTIAL RESULT: %.0f of %.0f trials counted, the run was interrupted\n",
		         trials, requested);
		luaL_addstring(&b, line);
	}
	luaL_addstring(&b, "\n");

	char v[4][120];
	double lo = NAN, hi = NAN;
	if (lua_getfield(L, 1, "ci") == LUA_TTABLE) {
		lua_geti(L, -1, 1);
		lo = lua_tonumber(L, -1);
		lua_geti(L, -2, 2);
		hi = lua_tonumber(L, -1);
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
	double lower = rlua_num_field(L, 1, "lower"), upper = rlua_num_field(L, 1, "upper"), uni = rlua_num_field(L, 1, "union");
	char a[24], bnd[24];
	fmt_prob(v[0], 120, rlua_num_field(L, 1, "p_alive"));
	fmt_prob(a, 24, lo);
	fmt_prob(bnd, 24, hi);
	snprintf(v[1], 120, "95%% CI [%s, %s]", a, bnd);
	char f_bounds[120], min_bounds[80] = "";
	arch_bound_cells(strf(L, 1, "arch"), lower, lower_gap, upper, uni, w0, v[2], f_bounds, 120);
	/* Flipped nets are chosen by X, not drawn from the law: L, U, mL and
	 * E[F] = L describe the nets before the flip (P = 1 > U happens); what
	 * holds after it is the floor F >= 2^-k without ties (theory.md §8.2). */
	lua_getfield(L, 1, "flip");
	int flipped = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (flipped) {
		char fl[24], l[24], u[24];
		fmt_prob(fl, sizeof fl, bound_flip_fraction(depth));
		fmt_prob_gap(l, sizeof l, lower, lower_gap);
		fmt_prob(u, sizeof u, upper);
		snprintf(v[2], 120, "flipped: L %s, U %s hold before the flip only", l, u);
		snprintf(f_bounds, 120, "flipped (E[F] = L before the flip)");
		/* m0 points that can never live (ties) lower the floor to
		 * 2^-k (m - m0) / m: the guarantee holds for the others */
		double m0 = rlua_num_field(L, 1, "never_living"), m = rlua_num_field(L, 1, "points");
		if (m0 > 0 && m0 <= m) {
			fmt_prob(fl, sizeof fl, bound_flip_fraction(depth) * (m - m0) / m);
			snprintf(min_bounds, sizeof min_bounds, "F >= 2^-k (m - m0)/m %s, m0 = %.0f ties", fl, m0);
		} else {
			snprintf(min_bounds, sizeof min_bounds, "F >= 2^-k %s on every draw (no ties)", fl);
		}
	}
	{
		const char *row[] = {"P(alive)", v[0], v[1], v[2]};
		rlua_table_row(t, row);
	}
	snprintf(v[0], 120, "%.0f", rlua_num_field(L, 1, "alive_trials"));
	snprintf(v[1], 120, "of %.0f trial%s", trials, rlua_s(trials));
	{
		const char *row[] = {"alive trials", v[0], v[1], ""};
		rlua_table_row(t, row);
	}
	if (stats_all) {
		fmt_prob(v[0], 120, rlua_num_field(L, 1, "fraction"));
		fmt(a, 24, rlua_num_field(L, 1, "fraction_se"), "%.2g");
		snprintf(v[1], 120, "se %s", a);
		const char *row[] = {"mean F", v[0], v[1], f_bounds};
		rlua_table_row(t, row);
		fmt_prob(v[0], 120, rlua_num_field(L, 1, "min_fraction"));
		const char *row2[] = {"min F", v[0], "", min_bounds};
		rlua_table_row(t, row2);
	} else {
		const char *row[] = {"mean F", "-", "(stats = \"alive\")", ""};
		rlua_table_row(t, row);
	}
	if (strcmp(strf(L, 1, "arch"), "batchnorm") == 0) {
		fmt_prob(v[0], 120, rlua_num_field(L, 1, "p_all_active"));
		snprintf(v[1], 120, "%.0f trials", rlua_num_field(L, 1, "all_active_trials"));
		const char *row[] = {"every layer active", v[0], v[1], "(batch norm)"};
		rlua_table_row(t, row);
	}
	rlua_table_emit(t, &b);
	luaL_addstring(&b, "\n");
	layer_table(L, &b, layers_tab, stats_all);
	rlua_push_report(L, &b);
	return 1;
}

/* The configuration fields a results list can hold different values of
 * besides the standing columns (a merged sweep of single and double
 * precision runs): shown as columns, named by the header, when the rows
 * differ in them; otherwise two rows would look alike but the counts. */
static const char *const varying_fields[][2] = {
	{"precision", "precision"}, {"generator", "generator"}, {"method", "method"},
	{"stats", "stats"}, {"flip", "flip"}, {"input", "input"}, {"points", "points"},
	{"checksum", "X"}, {"first_trial", "first trial"},
};
#define NVARYING (sizeof varying_fields / sizeof varying_fields[0])

/* Field k of result i as text, on the stack top (nil as "-"). */
static const char *push_field_text(lua_State *L, int list, lua_Integer i, const char *k)
{
	lua_geti(L, list, i);
	if (lua_type(L, -1) == LUA_TTABLE)
		lua_getfield(L, -1, k);
	else
		lua_pushnil(L);
	lua_remove(L, -2);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushliteral(L, "-");
	} else {
		luaL_tolstring(L, -1, NULL);
		lua_remove(L, -2);
	}
	return lua_tostring(L, -1);
}

/* A list of results (mc.load, mc.merge{..., sweep = true}): one line each. */
int lmc_results_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	enum { NFIXED = 11 };
	const char *headers[NFIXED + NVARYING] = {"#", "arch", "depth", "widths", "seed", "trials", "alive",
	                                          "P(alive)", "95% CI", "mean F", "pieces"};
	lua_Integer n = rlua_len(L, 1, "the list of results");
	size_t shown[NVARYING], nshown = 0;
	for (size_t f = 0; f < NVARYING; f++) {
		int differ = 0;
		const char *first = push_field_text(L, 1, 1, varying_fields[f][0]);
		for (lua_Integer i = 2; i <= n && !differ; i++) {
			differ = strcmp(first, push_field_text(L, 1, i, varying_fields[f][0])) != 0;
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		if (differ) {
			headers[NFIXED + nshown] = varying_fields[f][1];
			shown[nshown++] = f;
		}
	}
	int ncols = NFIXED + (int)nshown;
	rlua_table *t = rlua_table_push(L, ncols, headers);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, 1, i);
		int r = lua_gettop(L);
		char c[NFIXED + NVARYING][48], a[20], b[20];
		snprintf(c[0], 48, "%lld", (long long)i);
		snprintf(c[1], 48, "%s", strf(L, r, "arch"));
		int_cell(L, r, "depth", c[2], 48);
		c[3][0] = '\0';
		if (lua_getfield(L, r, "widths") == LUA_TTABLE) {
			lua_Integer k = rlua_len(L, -1, "a result's widths"), shown_w = 0;
			int uniform = 1;
			lua_geti(L, -1, 1);
			lua_Integer w0 = lua_tointeger(L, -1);
			lua_pop(L, 1);
			size_t used = 0;
			for (lua_Integer l = 1; l <= k; l++) {
				lua_geti(L, -1, l);
				lua_Integer w = lua_tointeger(L, -1);
				lua_pop(L, 1);
				uniform &= w == w0;
				if (shown_w < 4 && used < 40)
					used += (size_t)snprintf(c[3] + used, 48 - used, l > 1 ? ",%lld" : "%lld", (long long)w);
				shown_w++;
			}
			if (uniform)
				snprintf(c[3], 48, "%lld", (long long)w0);
			else if (k > 4)
				snprintf(c[3] + used, 48 - used, ",...");
		}
		lua_pop(L, 1);
		int_cell(L, r, "seed", c[4], 48);
		int_cell(L, r, "trials", c[5], 48);
		int_cell(L, r, "alive_trials", c[6], 48);
		fmt_prob(c[7], 48, rlua_num_field(L, r, "p_alive"));
		double lo = NAN, hi = NAN;
		if (lua_getfield(L, r, "ci") == LUA_TTABLE) {
			lua_geti(L, -1, 1);
			lua_geti(L, -2, 2);
			lo = lua_tonumber(L, -2);
			hi = lua_tonumber(L, -1);
			lua_pop(L, 2);
		}
		lua_pop(L, 1);
		fmt_prob(a, sizeof a, lo);
		fmt_prob(b, sizeof b, hi);
		snprintf(c[8], 48, "[%s, %s]", a, b);
		fmt_prob(c[9], 48, rlua_num_field(L, r, "fraction"));
		int_cell(L, r, "pieces", c[10], 48);
		for (size_t v = 0; v < nshown; v++) {
			snprintf(c[NFIXED + v], 48, "%s", push_field_text(L, 1, i, varying_fields[shown[v]][0]));
			lua_pop(L, 1);
		}
		const char *row[NFIXED + NVARYING];
		for (int j = 0; j < ncols; j++)
			row[j] = c[j];
		rlua_table_row(t, row);
		lua_settop(L, r - 1);
	}
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	lua_pushfstring(L, "%I Monte Carlo result%s\n", n, n == 1 ? "" : "s");
	luaL_addvalue(&b);
	rlua_table_emit(t, &b);
	rlua_push_report(L, &b);
	return 1;
}

/* An interrupted piece left out for its complete rerun: the merge says so
 * (on stderr, and in the result's field superseded). */
void lmc_merge_note(lua_State *L, const mc_record *rec)
{
	if (!rec->note[0])
		return;
	fprintf(stderr, "mc.merge: note: %s\n", rec->note);
	lua_pushstring(L, rec->note);
	lua_setfield(L, -2, "superseded");
}

/* Pushes a McResults list of the records recs[0..n), taking each over
 * (recs[i] is NULL once taken); flip_X are candidate input sets for
 * replaying flipped nets, matched by checksum. */
void lmc_push_results(lua_State *L, mc_record **recs, size_t n, const rl_mat *const *flip_X, size_t nflip)
{
	lua_createtable(L, n < (1u << 24) ? (int)n : 0, 0);
	int list = lua_gettop(L);
	for (size_t i = 0; i < n; i++) {
		const rl_mat *X = NULL;
		for (size_t k = 0; k < nflip && recs[i]->flip && !X; k++)
			if (mc_checksum(flip_X[k]) == recs[i]->x_checksum)
				X = flip_X[k];
		const mc_record *rec = recs[i];
		lmc_push_record(L, &recs[i], X);
		lmc_merge_note(L, rec);
		lua_rawseti(L, list, (lua_Integer)i + 1);
	}
	luaL_setmetatable(L, RLUA_MC_RESULTS);
}

int lmc_is_results_list(lua_State *L, int idx)
{
	if (!lua_getmetatable(L, idx))
		return 0;
	luaL_getmetatable(L, RLUA_MC_RESULTS);
	int yes = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	return yes;
}

/* ---- r:save(path [, mode]) ------------------------------------------------------------ */

int lmc_save_l(lua_State *L)
{
	if (!lua_istable(L, 1))
		rlua_arg_error(L, 1, lua_pushfstring(L, "expected a Monte Carlo result or a list of them "
		               "(from mc{...}, mc.merge or mc.load), got %s", rlua_got(L, 1)));
	const char *path = rlua_check_path_like(L, 2, "results.jsonl");
	const char *mode = lua_isnoneornil(L, 3) ? "a" : lua_tostring(L, 3);
	if (lua_type(L, 3) == LUA_TNUMBER || !mode || (strcmp(mode, "a") && strcmp(mode, "w")))
		rlua_arg_error(L, 3, lua_pushfstring(L, "the mode must be 'a' (add to the file's results, the "
		               "default) or 'w' (replace them), got %s", rlua_describe(L, 3)));
	int replace = strcmp(mode, "w") == 0;
	lua_settop(L, 3);
	size_t n = 1;
	run_box *one = lmc_to_run(L, 1);
	if (!one) {
		if (!lmc_is_results_list(L, 1))
			return rlua_arg_error(L, 1, lua_pushfstring(L, "expected a Monte Carlo result or a list of "
			                     "them (from mc{...}, mc.merge or mc.load), got %s", rlua_got(L, 1)));
		n = (size_t)rlua_len(L, 1, "the list of results");
	}
	mc_record **recs = lua_newuserdatauv(L, (n ? n : 1) * sizeof *recs, 0);
	if (one) {
		recs[0] = one->rec;
	} else {
		for (size_t i = 0; i < n; i++) {
			lua_geti(L, 1, (lua_Integer)i + 1);
			run_box *b = lmc_to_run(L, -1);
			if (!b)
				return rlua_arg_error(L, 1, lua_pushfstring(L, "item %I of the list is not a Monte Carlo "
				                     "result (got %s)", (lua_Integer)i + 1, rlua_got(L, -1)));
			recs[i] = b->rec;
			lua_pop(L, 1);
		}
	}
	rl_err e;
	if (mc_records_check_path(path, &e) || mc_records_save(path, recs, n, !replace, &e))
		return rlua_engine_error(L, &e);
	lua_settop(L, 1);
	return 1;
}

