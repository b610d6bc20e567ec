/* lnet.c: relu(...) and the Net userdata: construction options, fields
 * (depth, input, widths), and the methods that look inside a network. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "rlua.h"
#include "relush/alloc.h"
#include "relush/bounds.h"
#include "relush/inputs.h"

#define RLUA_NET_BOUNDS "relush.NetBounds"   /* the table net:bounds() returns */

/* the names precision accepts (relu, relu.load, mc) */
const char *const rlua_precision_names[] = {"double", "single", NULL};

/* ---- option parsing ---------------------------------------------------- */

/* Widths from the list at idx, checked; kept alive in a userdata pushed on
 * the stack. Errors are reported as a bad option 'widths'. */
static size_t *widths_option(lua_State *L, int idx, size_t *count)
{
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) != LUA_TTABLE)
		rlua_option_error(L, "widths", "must be a list of integers >= 1, got %s", rlua_got(L, idx));
	lua_Integer n = rlua_len(L, idx, "the widths");
	if (n < 1)
		rlua_option_error(L, "widths", "must list at least one width, got an empty list");
	if ((lua_Unsigned)n > NET_MAX_DEPTH)
		rlua_option_error(L, "widths", "lists %lld widths, more than %u", (long long)n, NET_MAX_DEPTH);
	size_t *w = lua_newuserdatauv(L, (size_t)n * sizeof *w, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, idx, i);
		double x = lua_tonumber(L, -1);
		if (lua_type(L, -1) != LUA_TNUMBER || x != floor(x) || x < 1 || x > NET_MAX_WIDTH)
			rlua_option_error(L, "widths", "entry %lld must be an integer from 1 to %u, got %s",
			                  (long long)i, NET_MAX_WIDTH, rlua_describe(L, -1));
		w[i - 1] = (size_t)x;
		lua_pop(L, 1);
	}
	*count = (size_t)n;
	return w;
}

/* The law names relu and mc accept for weights and bias: read by parsing,
 * by its error message and (through the option registry) by completion. */
const char *const rlua_law_names[] = {"he", "glorot", "normal", "uniform", "laplace", NULL};
static const struct { rl_law_kind kind; rl_scale_rule rule; } law_of_name[] = {
	{LAW_NORMAL, SCALE_HE}, {LAW_NORMAL, SCALE_GLOROT}, {LAW_NORMAL, SCALE_HE},
	{LAW_UNIFORM, SCALE_HE}, {LAW_LAPLACE, SCALE_HE},
};
/* bias also takes "zero" */
static const char *const bias_law_names[] = {"zero", "he", "glorot", "normal", "uniform", "laplace", NULL};
/* arch_name(a) for every rl_arch, filled by net_setup: the names the
 * arch option accepts, for its parser and for completion */
const char *rlua_arch_names[ARCH_BATCHNORM + 2];

/* relu's options; mc includes them all (RLUA_OPTIONS_OF). */
const rlua_option rlua_relu_options[] = {
	RLUA_OPTION("depth"), RLUA_OPTION("width"), RLUA_OPTION("widths"), RLUA_OPTION("input"),
	RLUA_OPTION_VALUES("weights", rlua_law_names), RLUA_OPTION_VALUES("bias", bias_law_names),
	RLUA_OPTION_VALUES("arch", rlua_arch_names), RLUA_OPTION("seed"),
	RLUA_OPTION_VALUES("precision", rlua_precision_names),
	{0}
};

static rl_law_kind law_kind_named(lua_State *L, const char *field, const char *name, rl_scale_rule *rule)
{
	*rule = SCALE_HE;
	for (size_t i = 0; rlua_law_names[i]; i++)
		if (strcmp(name, rlua_law_names[i]) == 0) {
			*rule = law_of_name[i].rule;
			return law_of_name[i].kind;
		}
	bool bias = strcmp(field, "bias") == 0;
	if (bias && strcmp(name, "zero") == 0)
		return LAW_ZERO;
	const char *const *names = bias ? bias_law_names : rlua_law_names;
	char list[160] = "";
	for (size_t i = 0; names[i]; i++) {
		strncat(list, names[i], sizeof list - strlen(list) - 1);
		strncat(list, ", ", sizeof list - strlen(list) - 1);
	}
	const char *near = rlua_nearest(name, names);
	char hint[80] = "";
	if (near)
		snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
	rlua_option_error(L, field, "unknown law '%s'%s; use %s%sor a table like {law='uniform', a=0.5}",
	                  name, hint, list, bias ? "a number (normal sd), " : "");
	return LAW_ZERO;
}

/* A law given as a table: {law=name, sd=, a=, scale=}. A field left out
 * is the option's own: an empty table is the option's default def (weights
 * he, bias zero), a scale without a law is a normal law (for bias too, as a
 * number means the sd of normal biases), a law without a scale has the
 * scale its name has. */
static rl_law law_table(lua_State *L, int idx, const char *field, rl_law def)
{
	static const char *const param_of[] = {NULL, "sd", "a", "scale"};
	rl_law law = {LAW_NORMAL, SCALE_HE, 0.0};
	bool law_given = false;
	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		if (lua_type(L, -2) != LUA_TSTRING) {
			int key = lua_absindex(L, -2), value = key + 1;
			const char *key_said = rlua_describe(L, key), *value_said = rlua_describe(L, value);
			/* {"uniform"} for {law = "uniform"}: a list entry, not a name */
			if (lua_type(L, value) == LUA_TSTRING)
				rlua_option_error(L, field, "the law table takes named fields (law, sd, a or scale), "
				                  "got the entry %s at key %s; write {law = %s}", value_said, key_said,
				                  value_said);
			rlua_option_error(L, field, "the law table takes named fields (law, sd, a or scale), got "
			                  "the key %s", key_said);
		}
		const char *k = lua_tostring(L, -2);
		if (strcmp(k, "law") && strcmp(k, "sd") && strcmp(k, "a") && strcmp(k, "scale"))
			rlua_option_error(L, field, "unknown field '%s' in the law table; use law, sd, a or scale", k);
		lua_pop(L, 1);
	}
	if (lua_getfield(L, idx, "law") == LUA_TSTRING) {
		law.kind = law_kind_named(L, field, lua_tostring(L, -1), &law.rule);
		law_given = true;
	} else if (!lua_isnil(L, -1))
		rlua_option_error(L, field, "field 'law' must be a string such as 'uniform'");
	lua_pop(L, 1);
	const char *given = NULL;
	double value = 0.0;
	for (int i = 1; i <= 3; i++) {
		if (lua_getfield(L, idx, param_of[i]) != LUA_TNIL) {
			double v = lua_tonumber(L, -1);
			if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(v) || v <= 0)
				rlua_option_error(L, field, "field '%s' must be a finite number > 0", param_of[i]);
			if (v > LAW_SCALE_MAX)
				rlua_option_error(L, field, "field '%s' = %g is too large: draws would overflow "
				                  "to inf; use at most 1e306", param_of[i], v);
			if (given)
				rlua_option_error(L, field, "give only one of sd, a, scale");
			given = param_of[i];
			value = v;
		}
		lua_pop(L, 1);
	}
	if (!law_given && !given)
		return def;
	/* the zero law has no scale: a scale given with it is a mistake, not
	 * something to drop silently */
	if (given && law.kind == LAW_ZERO)
		rlua_option_error(L, field, "the zero law takes no '%s' (its values are all 0); "
		                  "give a law such as 'normal' with a scale", given);
	if (given && law.kind != LAW_ZERO) {
		law.rule = SCALE_FIXED;
		if (strcmp(given, "sd") == 0)  /* any law may be given by its sd */
			law.param = value / law_sd(law.kind, 1.0);
		else if (strcmp(given, param_of[law.kind]) == 0)
			law.param = value;
		else
			rlua_option_error(L, field, "the %s law takes '%s'%s, not '%s'", law_name(law.kind),
			                  param_of[law.kind],
			                  strcmp(param_of[law.kind], "sd") ? " (or 'sd')" : "", given);
	}
	return law;
}

static rl_law law_option(lua_State *L, int t, const char *field, rl_law def)
{
	rl_law law = def;
	int type = lua_getfield(L, t, field);
	if (type == LUA_TSTRING) {
		law.param = 0.0;
		law.kind = law_kind_named(L, field, lua_tostring(L, -1), &law.rule);
	} else if (type == LUA_TTABLE) {
		law = law_table(L, -1, field, def);
	} else if (type == LUA_TNUMBER && strcmp(field, "bias") == 0) {
		double sd = lua_tonumber(L, -1);
		if (!isfinite(sd) || sd < 0)
			rlua_option_error(L, field, "a number means the sd of normal biases and must be a finite "
			                  "number >= 0, got %s", rlua_describe(L, -1));
		if (sd > LAW_SCALE_MAX)
			rlua_option_error(L, field, "sd %g is too large: draws would overflow to inf; use at "
			                  "most 1e306", sd);
		law = (rl_law){sd > 0 ? LAW_NORMAL : LAW_ZERO, SCALE_FIXED, sd};
	} else if (type != LUA_TNIL) {
		rlua_option_error(L, field, "must be a law name or a law table%s, got %s",
		                  strcmp(field, "bias") == 0 ? " or a number" : "", rlua_got(L, -1));
	}
	lua_pop(L, 1);
	return law;
}

static rl_arch arch_option(lua_State *L, int t)
{
	return (rl_arch)rlua_opt_name_field(L, t, "arch", rlua_arch_names, ARCH_PLAIN);
}

/* precision = "double" | "single"; RELUSH_PRECISION, else double, when absent. */
static rl_precision precision_option(lua_State *L, int t)
{
	rl_precision p = precision_default();
	int type = lua_getfield(L, t, "precision");
	if (type != LUA_TNIL && (type != LUA_TSTRING || precision_parse(lua_tostring(L, -1), &p))) {
		const char *near = type == LUA_TSTRING ? rlua_nearest(lua_tostring(L, -1), rlua_precision_names) : NULL;
		rlua_option_error(L, "precision", "must be \"double\" or \"single\"; got %s%s%s%s",
		                  rlua_describe(L, -1), near ? " (did you mean '" : "", near ? near : "",
		                  near ? "'?)" : "");
	}
	lua_pop(L, 1);
	return p;
}

rl_precision rlua_precision_option(lua_State *L, int t)
{
	return precision_option(L, t);
}

rl_arch rlua_arch_option(lua_State *L, int t)
{
	return arch_option(L, t);
}

static lua_Integer positional_or_field(lua_State *L, int t, const char *field, int pos)
{
	if (lua_getfield(L, t, field) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_geti(L, t, pos);
	}
	int present = !lua_isnil(L, -1);
	lua_pop(L, 1);
	if (!present)
		return 0;
	lua_Integer v;
	if (lua_getfield(L, t, field) != LUA_TNIL) {
		lua_pop(L, 1);
		v = rlua_opt_int_field(L, t, field, 0, 1, strcmp(field, "depth") == 0 ? NET_MAX_DEPTH : NET_MAX_WIDTH);
	} else {
		lua_pop(L, 1);
		lua_geti(L, t, pos);
		double x = lua_tonumber(L, -1);
		if (lua_type(L, -1) != LUA_TNUMBER || x != floor(x) || x < 1 || x > NET_MAX_WIDTH)
			rlua_option_error(L, field, "must be an integer >= 1, got %s", rlua_describe(L, -1));
		v = (lua_Integer)x;
		lua_pop(L, 1);
	}
	return v;
}

/* t: index of the options table, or 0. With depth_width_args, depth and
 * width are the function's arguments 1 and 2. */
void rlua_parse_net_spec(lua_State *L, int t, rl_net_spec *spec, int depth_width_args,
                         const rlua_option *known)
{
	memset(spec, 0, sizeof *spec);
	lua_Integer depth = 0, width = 0;
	if (depth_width_args) {
		depth = rlua_check_int(L, 1, "depth", 1, NET_MAX_DEPTH);
		width = rlua_check_int(L, 2, "width", 1, NET_MAX_WIDTH);
	}
	if (!t) {
		lua_newtable(L);
		t = lua_gettop(L);
	}
	t = lua_absindex(L, t);
	rlua_check_options(L, t, known ? known : rlua_relu_options);

	size_t count = 0, *widths = NULL;
	if (lua_getfield(L, t, "widths") != LUA_TNIL) {
		widths = widths_option(L, -1, &count);
		lua_replace(L, -2);   /* keep the userdata anchored */
	} else {
		lua_pop(L, 1);
		if (!depth_width_args) {
			depth = positional_or_field(L, t, "depth", 1);
			width = positional_or_field(L, t, "width", 2);
			if (!depth || !width)
				rlua_option_error(L, depth ? "width" : "depth", "it is missing; give depth and width, "
				                  "e.g. {depth=8, width=16}, or widths={...}");
		}
		count = (size_t)depth;
		/* this list and the spec's copy of it, before anything else is sized */
		rl_err e;
		if (rl_mem_check(2.0 * (double)count * sizeof *widths, "the list of layer widths", &e))
			rlua_engine_error(L, &e);
		widths = lua_newuserdatauv(L, count * sizeof *widths, 0);
		for (size_t i = 0; i < count; i++)
			widths[i] = (size_t)width;
	}
	int anchor = lua_gettop(L);
	spec->depth = count;
	spec->input = (size_t)rlua_opt_int_field(L, t, "input", (lua_Integer)widths[0], 1, NET_MAX_WIDTH);
	spec->weights = law_option(L, t, "weights", (rl_law){LAW_NORMAL, SCALE_HE, 0.0});
	spec->bias = law_option(L, t, "bias", (rl_law){LAW_ZERO, SCALE_FIXED, 0.0});
	if (spec->weights.kind == LAW_ZERO)
		rlua_option_error(L, "weights", "zero weights make every neuron constant; use a continuous law");
	spec->arch = arch_option(L, t);
	spec->precision = precision_option(L, t);
	if (lua_getfield(L, t, "seed") != LUA_TNIL)
		spec->seed = (uint64_t)rlua_opt_int_field(L, t, "seed", 0, 0, LUA_MAXINTEGER);
	else
		spec->seed = rlua_fresh_seed(L);
	lua_pop(L, 1);
	spec->widths = malloc(count * sizeof *spec->widths);
	if (!spec->widths)
		luaL_error(L, "out of memory");
	memcpy(spec->widths, widths, count * sizeof *widths);
	lua_remove(L, anchor);
}

/* ---- the Net userdata ------------------------------------------------------ */

rl_net *rlua_check_net(lua_State *L, int arg)
{
	return rlua_check_box(L, arg, RLUA_NET, "a Net (from relu)", "the network")->p;
}

static void net_destroy(void *n) { net_free(n); }

rlua_box *rlua_new_net(lua_State *L)
{
	return rlua_box_push(L, RLUA_NET, net_destroy);
}

static void death_destroy(void *r) { death_report_free(r); }

/* relu(depth, width [, opts]) or relu(opts) */
static int relu_l(lua_State *L)
{
	rl_net_spec spec;
	int opts = lua_type(L, 1) == LUA_TTABLE ? 1 : lua_isnoneornil(L, 3) ? 0 : 3;
	if (opts == 3 && lua_type(L, 3) != LUA_TTABLE)
		rlua_arg_error(L, 3, lua_pushfstring(L, "expected a table of options such as {seed = 1}, got %s",
		                                     rlua_got(L, 3)));
	lua_settop(L, opts == 1 ? 1 : 3);
	/* Box first (empty), before the spec's malloc'ed widths exist: nothing
	 * that can raise an error comes between those and net_spec_free. */
	rlua_box *b = rlua_new_net(L);
	int box = lua_gettop(L);
	rlua_parse_net_spec(L, opts, &spec, opts != 1, NULL);
	lua_settop(L, box);
	rl_err e;
	b->p = net_create(&spec, 0, &e);
	size_t depth = spec.depth, width = spec.widths[0];
	net_spec_free(&spec);
	if (!b->p && lua_type(L, 1) == LUA_TNUMBER)   /* relu(depth, width): name the sizes */
		return rlua_arg_error(L, 2, lua_pushfstring(L, "width %I at depth %I is too large: %s",
		                     (lua_Integer)width, (lua_Integer)depth, e.msg));
	if (!b->p)
		return rlua_engine_error(L, &e);
	return 1;
}

/* relu(...) through the relu table's __call: the table itself comes first. */
static int relu_call(lua_State *L)
{
	lua_remove(L, 1);
	return relu_l(L);
}

static int relu_pretty(lua_State *L)
{
	lua_pushliteral(L, "function: relu");
	return 1;
}


static int net_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)rlua_check_net(L, 1)->spec.depth);
	return 1;
}

static void push_widths(lua_State *L, const rl_net_spec *s)
{
	lua_createtable(L, (int)(s->depth < 1u << 30 ? s->depth : 0), 0);
	for (size_t l = 0; l < s->depth; l++) {
		lua_pushinteger(L, (lua_Integer)s->widths[l]);
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
}

/* net.field and net:method. The messages name what the user wrote, not the
 * metamethod Lua reports ('index'): a closed net still hands out its
 * methods, whose own check names them ("calling 'death' on bad self (the
 * network has been closed)"), and refuses its fields by name. */
static int net_index(lua_State *L)
{
	rlua_box *b = rlua_check_self(L, RLUA_NET);
	if (lua_type(L, 2) != LUA_TSTRING)
		return luaL_error(L, "a Net has no item [%s]: its fields and methods have names "
		                  "(net.depth, net:weights(l); see help('net'))", rlua_describe(L, 2));
	const char *k = lua_tostring(L, 2);
	rl_net *n = b->p;
	if (!n) {
		luaL_getmetatable(L, RLUA_NET);
		if (lua_getfield(L, -1, "__methods") == LUA_TTABLE && lua_getfield(L, -1, k) != LUA_TNIL)
			return 1;
		return luaL_error(L, "net.%s: the network has been closed (by <close> or __gc); "
		                  "its fields and weights are gone", k);
	}
	if (strcmp(k, "depth") == 0)
		lua_pushinteger(L, (lua_Integer)n->spec.depth);
	else if (strcmp(k, "input") == 0)
		lua_pushinteger(L, (lua_Integer)n->spec.input);
	else if (strcmp(k, "widths") == 0)
		push_widths(L, &n->spec);
	else if (strcmp(k, "seed") == 0)
		lua_pushinteger(L, (lua_Integer)n->spec.seed);
	else if (strcmp(k, "arch") == 0)
		lua_pushstring(L, arch_name(n->spec.arch));
	else if (strcmp(k, "precision") == 0)
		lua_pushstring(L, precision_name(n->spec.precision));
	else {
		luaL_getmetatable(L, RLUA_NET);
		lua_getfield(L, -1, "__methods");
		lua_getfield(L, -1, k);
	}
	return 1;
}

static void law_text(char *buf, size_t len, const rl_law *law)
{
	if (law->kind == LAW_ZERO)
		snprintf(buf, len, "zero");
	else if (law->rule == SCALE_HE)
		snprintf(buf, len, "%s (variance 2/fan_in)", law->kind == LAW_NORMAL ? "he" : law_name(law->kind));
	else if (law->rule == SCALE_GLOROT)
		snprintf(buf, len, "glorot");
	else
		snprintf(buf, len, "%s (sd %.4g)", law_name(law->kind), law_sd(law->kind, law->param));
}

static int net_tostring(lua_State *L)
{
	rl_net *n = rlua_check_net(L, 1);
	const rl_net_spec *s = &n->spec;
	int uniform = 1;
	for (size_t l = 1; l < s->depth; l++)
		uniform &= s->widths[l] == s->widths[0];
	char shape[96], w[64], b[64];
	if (uniform)
		snprintf(shape, sizeof shape, "%zu layer%s of width %zu", s->depth, rlua_s((double)s->depth),
		         s->widths[0]);
	else if (s->depth <= 8) {
		size_t off = (size_t)snprintf(shape, sizeof shape, "widths {");
		for (size_t l = 0; l < s->depth && off < sizeof shape; l++)
			off += (size_t)snprintf(shape + off, sizeof shape - off, l ? ", %zu" : "%zu", s->widths[l]);
		if (off < sizeof shape)
			snprintf(shape + off, sizeof shape - off, "}");
	} else
		snprintf(shape, sizeof shape, "%zu layers of widths %zu..%zu", s->depth, s->widths[0], s->widths[s->depth - 1]);
	law_text(w, sizeof w, &s->weights);
	law_text(b, sizeof b, &s->bias);
	const char *from = rlua_net_loaded_from(L, 1);
	/* after net:flip or net:train the parameters are no longer the ones
	 * drawn or loaded: say so, rather than name a net it no longer is */
	const char *since = n->changed == (NET_FLIPPED | NET_TRAINED) ? ", then flipped and trained"
	                  : n->changed == NET_FLIPPED ? ", then flipped"
	                  : n->changed == NET_TRAINED ? ", then trained" : "";
	if (from)
		lua_pushfstring(L, "Net: %s, input %I, %s; weights and biases from %s%s",
		                shape, (lua_Integer)s->input, arch_name(s->arch), from, since);
	else
		lua_pushfstring(L, "Net: %s, input %I, %s; weights %s, bias %s; seed %I%s",
		                shape, (lua_Integer)s->input, arch_name(s->arch), w, b, (lua_Integer)s->seed, since);
	return 1;
}

static size_t layer_arg(lua_State *L, int arg, const rl_net *n)
{
	return (size_t)rlua_check_int(L, arg, "layer", 1, (lua_Integer)n->spec.depth);
}

static int net_weights(lua_State *L)
{
	rl_net *n = rlua_check_net(L, 1);
	size_t l = layer_arg(L, 2, n), rows = n->spec.widths[l - 1], cols = net_fan_in(&n->spec, l);
	if ((double)rows * (double)cols > 5e7)
		return luaL_error(L, "net:weights: layer %d has %f weights, too many for a Lua table", (int)l,
		                  (double)rows * (double)cols);
	const double *W = n->W[l - 1];
	lua_createtable(L, (int)rows, 0);
	for (size_t j = 0; j < rows; j++) {
		lua_createtable(L, (int)cols, 0);
		for (size_t i = 0; i < cols; i++) {
			lua_pushnumber(L, W[j * cols + i]);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		lua_rawseti(L, -2, (lua_Integer)j + 1);
	}
	return 1;
}

static int net_bias(lua_State *L)
{
	rl_net *n = rlua_check_net(L, 1);
	size_t l = layer_arg(L, 2, n), rows = n->spec.widths[l - 1];
	lua_createtable(L, (int)rows, 0);
	for (size_t j = 0; j < rows; j++) {
		lua_pushnumber(L, n->b[l - 1][j]);
		lua_rawseti(L, -2, (lua_Integer)j + 1);
	}
	return 1;
}

static int net_forward_l(lua_State *L)
{
	rl_net *n = rlua_check_net(L, 1);
	rl_mat *X = rlua_check_matrix(L, 2);
	rl_err e;
	rlua_box *out = rlua_new_matrix(L);   /* box first, then acquire */
	if (!(out->p = net_forward(n, X, &e)))
		return rlua_engine_error(L, &e);
	return 1;
}

rlua_box *rlua_net_report(lua_State *L, rlua_report_fn make, void (*destroy)(void *r), int *is_default)
{
	const rl_net *net = rlua_check_net(L, 1);
	*is_default = lua_isnoneornil(L, 2);
	const rl_mat *X = rlua_default_inputs(L, 2, net->spec.input);
	rlua_box *box = rlua_box_push(L, NULL, destroy);   /* box first, then acquire */
	rl_err e;
	if (!(box->p = make(net, X, &e)))
		rlua_engine_error(L, &e);
	return box;
}

static void *death_make(const rl_net *net, const rl_mat *X, rl_err *e) { return net_death(net, X, e); }

static int net_death_l(lua_State *L)
{
	int is_default;
	rlua_box *box = rlua_net_report(L, death_make, death_destroy, &is_default);
	const rl_net *n = rlua_check_net(L, 1);
	rlua_push_death_report(L, box->p, &n->spec);
	rlua_box_free(box);
	rlua_name_inputs(L, &n->spec, rlua_check_matrix(L, 2), is_default);
	return 1;
}

static int net_clone_l(lua_State *L)
{
	rl_net *n = rlua_check_net(L, 1);
	rlua_box *b = rlua_new_net(L);
	rl_err e;
	if (!(b->p = net_clone(n, &e)))
		return rlua_engine_error(L, &e);
	rlua_net_copy_origin(L, 1, lua_gettop(L));   /* a loaded net's copy saves under the same names */
	return 1;
}

/* net:bounds(): the bound.layers table of the net's widths, with the upper
 * bounds for orthant and general inputs added. bound.layers is found through
 * the registry, where luaopen_relush leaves the module. L and U are the plain
 * chain's (theory.md §3, §4): for the other architectures the printout says
 * so and gives the architecture's own statement (§7), as the mc and death
 * reports do. */
static const char *arch_statement(const char *arch)
{
	if (!arch || strcmp(arch, "plain") == 0)
		return NULL;
	if (strcmp(arch, "residual") == 0 || strcmp(arch, "dense") == 0)
		return "P(alive) = 1 when X has a point != 0, and F = 1 on the points != 0 (theory.md §7.1, §7.2)";
	if (strcmp(arch, "skip") == 0)
		return "P(alive) >= 1 - 2^-n_1 and E[F] = 1 - 2^-n_1, whatever the depth (theory.md §7.4)";
	if (strcmp(arch, "batchnorm") == 0)
		return "L <= P(alive) <= m L and E[F] = L on m points none of which is the mean of X; U does not apply (theory.md §7.3)";
	return "";
}

static int net_bounds_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	char lower[32], upper[32], general[32];
	lua_getfield(L, 1, "lower");
	rlua_fmt_prob(lower, sizeof lower, lua_tonumber(L, -1), rlua_num_field(L, 1, "death"));
	lua_getfield(L, 1, "upper");
	rlua_fmt_prob(upper, sizeof upper, lua_tonumber(L, -1), NAN);
	lua_getfield(L, 1, "upper_general");
	rlua_fmt_prob(general, sizeof general, lua_tonumber(L, -1), NAN);
	lua_getfield(L, 1, "arch");
	const char *arch = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	const char *own = arch_statement(arch);
	if (own)
		lua_pushfstring(L, "Bounds for the plain chain of these widths (not this %s net): lower L = %s, "
		                "upper U = %s (inputs in the orthant), %s (general inputs)\n"
		                "  the %s net itself: %s\n", arch, lower, upper, general, arch, own);
	else
		lua_pushfstring(L, "Bounds on P(alive): lower L = %s, upper U = %s (inputs in the orthant), "
		                "%s (general inputs)\n", lower, upper, general);
	/* no per-layer table past bound.layers' depth (net_bounds): say so, not "nil" */
	if (lua_getfield(L, 1, "layers") == LUA_TTABLE)
		luaL_tolstring(L, -1, NULL);
	else
		lua_pushliteral(L, "(no per-layer table past 100000 layers)");
	lua_remove(L, -2);
	lua_concat(L, 2);
	return 1;
}

static int net_bounds(lua_State *L)
{
	rl_net *n = rlua_check_net(L, 1);
	const rl_net_spec *s = &n->spec;
	int zero_bias = s->bias.kind == LAW_ZERO;
	lua_settop(L, 1);   /* the report is at index 2 below, whatever was passed */
	lua_createtable(L, 0, 6);
	rlua_set_number(L, "lower", bound_lower(s->widths, s->depth));
	rlua_set_number(L, "log_lower", bound_log_lower(s->widths, s->depth));
	rlua_set_number(L, "death", bound_death(s->widths, s->depth));
	rlua_set_number(L, "upper", bound_upper(s->widths, s->depth, (double)s->input, 1, zero_bias));
	rlua_set_number(L, "upper_general", bound_upper(s->widths, s->depth, (double)s->input, 0, zero_bias));
	lua_pushstring(L, arch_name(s->arch));
	lua_setfield(L, -2, "arch");
	lua_getfield(L, LUA_REGISTRYINDEX, "relush.module");
	lua_getfield(L, -1, "bound");
	lua_getfield(L, -1, "layers");
	if (s->depth <= 100000) {
		push_widths(L, s);
		lua_call(L, 1, 1);
		lua_setfield(L, -4, "layers");
	}
	lua_settop(L, 2);
	luaL_setmetatable(L, RLUA_NET_BOUNDS);
	return 1;
}

static const luaL_Reg net_meta[] = {
	{"__len", net_len},
	{"__index", net_index},
	{"__tostring", net_tostring},
	{NULL, NULL}
};

static const rlua_api net_api[] = {
	{"relu", "construction", "relu(depth, width [, opts]) | relu(opts)",
	 "A fully connected ReLU network at initialisation: depth layers of width neurons "
	 "(input dimension = width unless opts.input is given). Options: widths (a list, "
	 "overrides depth/width), input, weights ('he' default, 'glorot', 'normal', "
	 "'uniform', 'laplace', or {law=, sd=|a=|scale=}), bias (0 default, a number = "
	 "normal sd, or a law); in a law table a field left out is the option's own: {} is the "
	 "default (weights he, bias zero), a scale without a law is normal, a law without a scale "
	 "has its name's scale. arch ('plain', 'residual', 'dense', 'skip', 'batchnorm'), "
	 "seed (an integer; without one each call draws a new net and net.seed tells which), "
	 "precision ('double' default, or RELUSH_PRECISION; 'single': float32 weights, and every "
	 "layer computed in float32; net.precision tells which).",
	 "net = relu(20, 64); net:death()", .fn = relu_call, .options = rlua_relu_options},
	{"net.depth", "net", "net.depth, net.input, net.widths, net.seed, net.arch, net.precision, #net",
	 "The network's shape: its number of layers (also #net), input dimension, a fresh "
	 "list of layer widths, the seed it was drawn with, its architecture and its precision.",
	 "net = relu{widths={3, 1, 4}}; print(net.depth, net.input, net.widths[2])", .fn = NULL},
	{"net:weights", "net", "net:weights(l)",
	 "Layer l's weight matrix as n_l rows of n_{l-1} numbers: row j holds neuron j's "
	 "incoming weights.",
	 "relu(2, 3, {seed=1}):weights(1)", .fn = net_weights, .type = RLUA_NET},
	{"net:bias", "net", "net:bias(l)",
	 "Layer l's n_l biases as a list.",
	 "relu(2, 3, {bias=0.1}):bias(2)", .fn = net_bias, .type = RLUA_NET},
	{"net:forward", "net", "net:forward(X)",
	 "The network function on every point of X: a Matrix with one output row per point "
	 "(for skip nets the concatenation of every layer's output, for dense nets the full "
	 "concatenated representation). Refused, with the layer named, when the values would leave "
	 "the range doubles hold reliably (relush(1), Numbers out of range).",
	 "relu(3, 4):forward(inputs.gaussian(5, 4))", .fn = net_forward_l, .type = RLUA_NET},
	{"net:death", "net", "net:death([X])",
	 "Which points of X die where: a DeathReport with alive, living, points, fraction, "
	 "dead_at (per point, 0 if living, else the layer that killed it), layers (per layer: "
	 "width, reaching, living, dead_neurons, active counts per neuron) and the bounds "
	 "lower and upper. Without X: 64 standard Gaussian points, seed 1.",
	 "relu(20, 4):death(inputs.gaussian(64, 4))", .fn = net_death_l, .type = RLUA_NET},
	{"net:bounds", "net", "net:bounds()",
	 "The paper's bounds for this net's widths: lower (L = prod (1 - 2^-n_l)), log_lower, "
	 "death (1 - L, accurate when tiny), upper (U for inputs in the non-negative orthant, "
	 "with the zero-bias exponent when the biases are 0), upper_general (U without the "
	 "first layer's factor, for any inputs), arch and layers (the bound.layers table; none past "
	 "100000 layers). L and U are the plain chain's: for a residual, dense, skip or batch-norm "
	 "net the printout says so and states that architecture's own result (theory.md §7).",
	 "relu{widths={3, 1, 4, 2, 5}}:bounds()", .fn = net_bounds, .type = RLUA_NET},
	{"net:clone", "net", "net:clone()",
	 "An independent copy of the network (same weights, same seed).",
	 "copy = net:clone()", .fn = net_clone_l, .type = RLUA_NET},
	{0}
};

static const rlua_type net_types[] = {
	RLUA_BOX_TYPE(RLUA_NET, net_meta),
	RLUA_REPORT_TYPE(RLUA_NET_BOUNDS, net_bounds_tostring),   /* net:bounds() */
	{0}
};

static void net_setup(lua_State *L, int module)
{
	for (rl_arch a = ARCH_PLAIN; a <= ARCH_BATCHNORM; a++)
		rlua_arch_names[a] = arch_name(a);
	/* relu: a callable table, so it can also hold relu.load; the REPL
	 * shows it as the function it stands for */
	lua_createtable(L, 0, 1);
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, relu_pretty);
	lua_setfield(L, -2, "__pretty");
	lua_setmetatable(L, -2);
	lua_setfield(L, module, "relu");
}

/* relu's __call, the methods */
const rlua_binding rlua_net_binding = {.types = net_types, .setup = net_setup, .api = net_api};
