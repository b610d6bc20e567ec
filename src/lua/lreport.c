/* lreport.c: DeathReport, the result of net:death(X): which points die at
 * which layer, per-layer statistics, and the paper's bounds beside them.
 * A report is a plain Lua table (fields are data a script can use) whose
 * metatable prints it as an aligned table. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "rlua.h"
#include "relush/bounds.h"
#include "relush/probtext.h"
#include "relush/death.h"
#include "relush/inputs.h"

static void push_size_list(lua_State *L, const size_t *v, size_t n)
{
	lua_createtable(L, (int)(n < 1u << 30 ? n : 0), 0);
	for (size_t i = 0; i < n; i++) {
		lua_pushinteger(L, (lua_Integer)v[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

void rlua_push_death_report(lua_State *L, const rl_death_report *r, const rl_net_spec *spec)
{
	lua_createtable(L, 0, 12);
	rlua_set_bool(L, "alive", r->living > 0);
	rlua_set_integer(L, "living", (lua_Integer)r->living);
	rlua_set_integer(L, "points", (lua_Integer)r->points);
	rlua_set_number(L, "fraction", (double)r->living / (double)r->points);
	rlua_set_string(L, "arch", arch_name(spec->arch));
	rlua_set_bool(L, "orthant", r->orthant);
	push_size_list(L, r->dead_at, r->points);
	lua_setfield(L, -2, "dead_at");
	lua_createtable(L, (int)r->depth, 0);
	for (size_t l = 0; l < r->depth; l++) {
		const rl_layer_stats *st = &r->layers[l];
		lua_createtable(L, 0, 8);
		rlua_set_integer(L, "width", (lua_Integer)st->width);
		rlua_set_integer(L, "reaching", (lua_Integer)st->reaching);
		rlua_set_integer(L, "living", (lua_Integer)st->living);
		rlua_set_integer(L, "dead_neurons", (lua_Integer)st->dead_neurons);
		rlua_set_bool(L, "has_active_unit", st->has_active_unit);
		rlua_set_number(L, "survival", st->reaching ? (double)st->living / (double)st->reaching : 0.0);
		push_size_list(L, st->active, st->width);
		lua_setfield(L, -2, "active");
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
	lua_setfield(L, -2, "layers");
	rlua_set_number(L, "lower", bound_lower(spec->widths, spec->depth));
	rlua_set_number(L, "lower_death", bound_death(spec->widths, spec->depth));
	rlua_set_number(L, "upper", bound_upper(spec->widths, spec->depth, (double)spec->input,
	                                        r->orthant, spec->bias.kind == LAW_ZERO));
	luaL_setmetatable(L, RLUA_DEATH);
}

/* One layer row of the report (long reports are cut by rlua_layer_rows). */
static void death_row(lua_State *L, int s, lua_Integer l, char c[][32])
{
	double width = rlua_num_field(L, s, "width"), reaching = rlua_num_field(L, s, "reaching");
	double living = rlua_num_field(L, s, "living"), dead = rlua_num_field(L, s, "dead_neurons");
	double active_sum = 0.0;
	lua_getfield(L, s, "active");
	/* over the counts the list holds: width is data a script may change */
	lua_Integer counted = lua_istable(L, -1) ? (lua_Integer)lua_rawlen(L, -1) : 0;
	for (lua_Integer j = 1; j <= counted && (double)j <= width; j++) {
		lua_geti(L, -1, j);
		active_sum += lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	snprintf(c[0], 32, "%lld", (long long)l);
	snprintf(c[1], 32, "%.0f", width);
	snprintf(c[2], 32, "%.0f", reaching);
	snprintf(c[3], 32, "%.0f", living);
	if (reaching > 0)
		prob_text(c[4], 32, "%.4f", living / reaching, NAN, RLUA_PROB_DIGITS);
	else
		snprintf(c[4], 32, "-");
	prob_text(c[5], 32, "%.4f", -expm1(-width * log(2.0)), ldexp(1.0, -(int)fmin(width, 2000)),
	          RLUA_PROB_DIGITS);
	snprintf(c[6], 32, "%.0f", dead);
	if (reaching > 0)
		snprintf(c[7], 32, "%.1f", 100.0 * active_sum / (reaching * width));
	else
		snprintf(c[7], 32, "-");
}

static int report_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "layers");
	lua_Integer depth = rlua_len(L, -1, "the report's layers");
	lua_pop(L, 1);
	lua_getfield(L, 1, "alive");
	int alive = lua_toboolean(L, -1);
	lua_getfield(L, 1, "arch");
	const char *arch = lua_tostring(L, -1);
	double points = rlua_num_field(L, 1, "points"), living = rlua_num_field(L, 1, "living");
	char lower[40], upper[32];
	/* L is below 1 for every net: 1 - L from bound_death says how far */
	rlua_fmt_prob(lower, sizeof lower, rlua_num_field(L, 1, "lower"), rlua_num_field(L, 1, "lower_death"));
	rlua_fmt_prob(upper, sizeof upper, rlua_num_field(L, 1, "upper"), NAN);
	char head[1000], named[500], fraction[32];
	prob_text(fraction, sizeof fraction, "%.4f", points > 0 ? living / points : 0.0, NAN, RLUA_PROB_DIGITS);
	rlua_inputs_lines(L, 1, named, sizeof named);
	snprintf(head, sizeof head,
	         "DeathReport: %s net, %lld layer%s, %.0f point%s\n"
	         "  network %s: %.0f of %.0f point%s living (fraction %s)\n"
	         "  bounds on P(alive): lower %s, upper %s%s\n%s\n",
	         arch ? arch : "?", (long long)depth, rlua_s((double)depth), points, rlua_s(points),
	         alive ? "ALIVE" : "DEAD", living, points, rlua_s(points),
	         fraction, lower, upper,
	         arch && strcmp(arch, "plain") ? " (for the plain chain)" : "", named);
	static const char *const headers[] = {"layer", "width", "reaching", "living", "survival",
	                                      "1-2^-n", "dead neurons", "active %"};
	rlua_table *t = rlua_table_push(L, 8, headers);
	rlua_layer_rows(L, 1, t, 8, death_row);
	return rlua_push_table_report(L, head, t);
}

static const rlua_type report_types[] = {RLUA_REPORT_TYPE(RLUA_DEATH, report_tostring), {0}};
const rlua_binding rlua_report_binding = {.types = report_types};

/* ---- the input set, named in every report ---------------------------------- */

void rlua_name_inputs(lua_State *L, const rl_net_spec *s, const rl_mat *X, int is_default)
{
	if (is_default)
		rlua_set_string(L, "inputs", INPUTS_DEFAULT_NAME);
	/* batchnorm normalises over X, so a zero point is not 0 after layer 1;
	 * a point equal to the mean of X is (centred to 0, no bias) */
	size_t ties = net_never_living(s, X);
	if (ties) {
		rlua_set_integer(L, "never_living", (lua_Integer)ties);
		if (s->arch == ARCH_BATCHNORM)
			rlua_set_string(L, "tie", "mean");
	}
}

void rlua_inputs_lines(lua_State *L, int t, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	if (lua_getfield(L, t, "inputs") == LUA_TSTRING)
		used += (size_t)snprintf(buf, len, "  input set: %s\n", lua_tostring(L, -1));
	lua_pop(L, 1);
	if (used >= len)
		return;
	int at_mean = lua_getfield(L, t, "tie") == LUA_TSTRING && strcmp(lua_tostring(L, -1), "mean") == 0;
	lua_pop(L, 1);
	if (lua_getfield(L, t, "never_living") == LUA_TNUMBER && lua_tonumber(L, -1) > 0) {
		lua_Integer n = lua_tointeger(L, -1);
		snprintf(buf + used, len - used,
		         "  tie: %lld point%s of X %s %s, so every pre-activation there is exactly 0:\n"
		         "  %s can never live (not a death the bounds count; leave %s out to compare "
		         "with %s)\n", (long long)n,
		         n == 1 ? "" : "s", n == 1 ? "is" : "are",
		         at_mean ? "the mean of X, which batch norm centres to 0" : "0 and the biases are 0",
		         n == 1 ? "that point" : "those points", n == 1 ? "it" : "them",
		         at_mean ? "E[F] = L" : "U");
	}
	lua_pop(L, 1);
}
