/* lremedies.c: the paper's remedies on a Net: net:flip(X), the sign-flipping
 * scheme applied in place (a FlipReport), and net:alignment([X]), the mean
 * pairwise cosine of the living points' representations next to the
 * infinite-width arc-cosine prediction (an AlignmentReport). Both reports
 * are plain tables whose metatables print them as aligned tables. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "rlua.h"
#include "relush/alignment.h"
#include "relush/flip.h"
#include "relush/inputs.h"
#include "relush/probtext.h"

#define RLUA_FLIP       "relush.FlipReport"
#define RLUA_ALIGNMENT  "relush.AlignmentReport"

/* ---- net:flip ------------------------------------------------------------------ */

static void push_flip_report(lua_State *L, const rl_flip_report *r, const rl_net_spec *s)
{
	const rl_death_report *d = r->death;
	size_t flipped = 0, ties = 0;
	lua_createtable(L, 0, 16);
	rlua_set_string(L, "arch", arch_name(s->arch));
	rlua_set_integer(L, "points", (lua_Integer)r->points);
	rlua_set_integer(L, "depth", (lua_Integer)r->depth);
	rlua_set_bool(L, "alive", d->living > 0);
	rlua_set_integer(L, "living", (lua_Integer)d->living);
	rlua_set_number(L, "fraction", (double)d->living / (double)r->points);
	rlua_set_integer(L, "living_before", (lua_Integer)r->living_before);
	rlua_set_number(L, "fraction_before", (double)r->living_before / (double)r->points);
	rlua_set_number(L, "floor", flip_floor(r->depth));
	lua_createtable(L, (int)r->depth, 0);
	for (size_t l = 0; l < r->depth; l++) {
		const rl_flip_layer *fl = &r->layers[l];
		const rl_layer_stats *st = &d->layers[l];
		flipped += fl->flipped;
		ties += fl->ties;
		lua_createtable(L, 0, 9);
		rlua_set_integer(L, "width", (lua_Integer)fl->width);
		rlua_set_integer(L, "flipped", (lua_Integer)fl->flipped);
		rlua_set_integer(L, "ties", (lua_Integer)fl->ties);
		rlua_set_integer(L, "reaching", (lua_Integer)st->reaching);
		rlua_set_integer(L, "living", (lua_Integer)st->living);
		rlua_set_optional(L, "survival", st->reaching ? (double)st->living / (double)st->reaching : NAN);
		rlua_set_integer(L, "living_before", (lua_Integer)fl->living_before);
		rlua_set_number(L, "fraction", (double)st->living / (double)r->points);
		rlua_set_number(L, "floor", flip_floor(l + 1));
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
	lua_setfield(L, -2, "layers");
	rlua_set_integer(L, "flipped", (lua_Integer)flipped);
	rlua_set_integer(L, "ties", (lua_Integer)ties);
	luaL_setmetatable(L, RLUA_FLIP);
}

static const rlua_column flip_columns[] = {
	{"width", "%.0f"}, {"flipped", "%.0f"}, {"ties", "%.0f"}, {"reaching", "%.0f"},
	{"living", "%.0f"}, {"survival", "%.4f"}, {"living_before", "%.0f"}, {"fraction", "%.4f"},
	{"floor", "%.3g"}, {NULL, NULL}
};

static void flip_row(lua_State *L, int t, lua_Integer l, char c[][32])
{
	rlua_field_cells(L, t, l, c, flip_columns);
	/* kept and fraction are probabilities: never "1.0000" below 1 */
	prob_text_fix(c[6], 32, rlua_num_field(L, t, "survival"), NAN, RLUA_PROB_DIGITS);
	prob_text_fix(c[8], 32, rlua_num_field(L, t, "fraction"), NAN, RLUA_PROB_DIGITS);
}

static int flip_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	double points = rlua_num_field(L, 1, "points"), living = rlua_num_field(L, 1, "living");
	double before = rlua_num_field(L, 1, "living_before"), depth = rlua_num_field(L, 1, "depth");
	double ties = rlua_num_field(L, 1, "ties");
	char floor[32], head[640], arch[32], claim[200];
	rlua_fmt_number(floor, sizeof floor, rlua_num_field(L, 1, "floor"));
	/* 2^-k holds only when no pre-activation is exactly 0 (theory.md 8.2):
	 * a tie is inactive under either sign, and with zero biases the zero
	 * point ties at every neuron of every net. Claim it only then. */
	if (ties > 0)
		snprintf(claim, sizeof claim, "2^-%.0f = %s is guaranteed only without ties: %.0f "
		         "pre-activation%s exactly 0", depth, floor, ties, ties == 1 ? " was" : "s were");
	else
		snprintf(claim, sizeof claim, "guaranteed >= 2^-%.0f = %s", depth, floor);
	char after_f[32], before_f[32];
	prob_text(after_f, sizeof after_f, "%.4f", living / points, NAN, RLUA_PROB_DIGITS);
	prob_text(before_f, sizeof before_f, "%.4f", before / points, NAN, RLUA_PROB_DIGITS);
	snprintf(head, sizeof head,
	         "FlipReport: %s net, %.0f layer%s, %.0f point%s; %.0f neurons flipped, %.0f ties\n"
	         "  after flipping:  %.0f of %.0f points living (fraction %s; %s)\n"
	         "  before flipping: %.0f of %.0f points living (fraction %s)\n\n",
	         rlua_str_field(L, 1, "arch", arch, sizeof arch), depth, rlua_s(depth), points, rlua_s(points),
	         rlua_num_field(L, 1, "flipped"), ties, living, points, after_f, claim,
	         before, points, before_f);
	static const char *const headers[] = {"layer", "width", "flipped", "ties", "reaching",
	                                      "living", "kept", "unflipped", "fraction", "floor 2^-l"};
	rlua_table *t = rlua_table_push(L, 10, headers);
	rlua_layer_rows(L, 1, t, 10, flip_row);
	return rlua_push_table_report(L, head, t);
}

static void free_flip(void *r) { flip_report_free(r); }

static int net_flip_l(lua_State *L)
{
	rl_net *net = rlua_check_net(L, 1);
	if (lua_isnoneornil(L, 2))
		return rlua_arg_error(L, 2, "the input set X (a Matrix) is required: the flip is "
		                     "chosen on the points it must keep alive, e.g. net:flip(inputs.gaussian(64, net.input))");
	rl_mat *X = rlua_check_matrix(L, 2);
	rl_err e;
	rlua_box *box = rlua_box_push(L, NULL, free_flip);   /* box first, then acquire */
	rl_flip_report *r = box->p = net_flip(net, X, 1, &e);
	if (!r)
		return rlua_engine_error(L, &e);
	push_flip_report(L, r, &net->spec);
	rlua_box_free(box);
	return 1;
}

/* ---- net:alignment --------------------------------------------------------------- */

static void push_alignment_report(lua_State *L, const rl_alignment_report *r, const rl_net_spec *s)
{
	lua_createtable(L, 0, 10);
	rlua_set_string(L, "arch", arch_name(s->arch));
	rlua_set_integer(L, "points", (lua_Integer)r->points);
	rlua_set_integer(L, "depth", (lua_Integer)r->depth);
	rlua_set_integer(L, "input_points", (lua_Integer)r->input_points);
	rlua_set_optional(L, "input_cosine", r->input_cosine);
	rlua_set_bool(L, "predicts", r->predicts);
	lua_createtable(L, (int)r->depth, 0);
	for (size_t l = 0; l < r->depth; l++) {
		lua_createtable(L, 0, 4);
		rlua_set_integer(L, "living", (lua_Integer)r->living[l]);
		rlua_set_optional(L, "cosine", r->cosine[l]);
		rlua_set_optional(L, "predicted", r->predicted[l]);
		rlua_set_optional(L, "gap", r->cosine[l] - r->predicted[l]);
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
	lua_setfield(L, -2, "layers");
	luaL_setmetatable(L, RLUA_ALIGNMENT);
}

static const rlua_column alignment_columns[] = {
	{"living", "%.0f"}, {"cosine", "%.4f"}, {"predicted", "%.4f"}, {"gap", "%+.4f"}, {NULL, NULL}
};

static void alignment_row(lua_State *L, int t, lua_Integer l, char c[][32])
{
	rlua_field_cells(L, t, l, c, alignment_columns);
}

static int alignment_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "predicts");
	int predicts = lua_toboolean(L, -1);
	lua_pop(L, 1);
	double c0 = rlua_num_field(L, 1, "input_cosine");
	char head[1000], arch[32], named[500];
	rlua_inputs_lines(L, 1, named, sizeof named);
	snprintf(head, sizeof head,
	         "AlignmentReport: %s net, %.0f layer%s, %.0f point%s\n"
	         "  cosine: mean over pairs of living points of cos(h_l(x), h_l(y))\n"
	         "  predicted: %s\n%s\n",
	         rlua_str_field(L, 1, "arch", arch, sizeof arch), rlua_num_field(L, 1, "depth"), rlua_s(rlua_num_field(L, 1, "depth")),
	         rlua_num_field(L, 1, "points"), rlua_s(rlua_num_field(L, 1, "points")),
	         predicts ? "the infinite-width arc-cosine map, averaged over the input pairs"
	                  : "none (the arc-cosine map holds for plain and skip nets with zero biases)", named);
	static const char *const headers[] = {"layer", "living", "cosine", "predicted", "gap"};
	rlua_table *t = rlua_table_push(L, 5, headers);
	char input_points[32], input_cosine[32];
	rlua_cell(input_points, 32, "%.0f", rlua_num_field(L, 1, "input_points"));
	rlua_cell(input_cosine, 32, "%.4f", c0);
	const char *input_row[] = {"input", input_points, input_cosine, predicts ? input_cosine : "-", ""};
	rlua_table_row(t, input_row);
	rlua_layer_rows(L, 1, t, 5, alignment_row);
	return rlua_push_table_report(L, head, t);
}

static void free_alignment(void *r) { alignment_report_free(r); }

static void *alignment_make(const rl_net *net, const rl_mat *X, rl_err *e)
{
	return net_alignment(net, X, e);
}

static int net_alignment_l(lua_State *L)
{
	int is_default;
	rlua_box *box = rlua_net_report(L, alignment_make, free_alignment, &is_default);
	push_alignment_report(L, box->p, &rlua_check_net(L, 1)->spec);
	rlua_box_free(box);
	if (is_default)
		rlua_set_string(L, "inputs", INPUTS_DEFAULT_NAME);
	return 1;
}

/* ---- registration ------------------------------------------------------------------ */

static const rlua_api remedies_api[] = {
	{"net:flip", "net", "net:flip(X)",
	 "Applies the paper's sign-flipping scheme in place, layer by layer from the input: "
	 "every neuron active on fewer of the living points of X than it is inactive on has its "
	 "weights and bias negated, so each layer keeps at least half of the living points and "
	 "at least a fraction 2^-k of X lives after k layers, for every draw without ties (no "
	 "pre-activation exactly 0: with zero biases the zero point ties everywhere and is dead "
	 "in every net, so a set of zero points keeps none; the report then says so). Returns a "
	 "FlipReport: living, fraction, living_before and fraction_before (the unflipped net), "
	 "floor (2^-k), flipped, ties, and layers (per layer: width, flipped, ties, reaching, "
	 "living, survival, living_before, fraction, floor). A pre-activation of exactly 0 is "
	 "inactive under either sign and counted in ties; a layer keeps at least "
	 "ceil((reaching - ties) / 2) points. Works for every arch (batchnorm on the normalised "
	 "pre-activations). Use net:clone() first to keep the original.",
	 "net = relu(20, 2); X = inputs.gaussian(64, 2); print(net:flip(X))",
	 .fn = net_flip_l, .type = RLUA_NET},
	{"net:alignment", "net", "net:alignment([X])",
	 "How the representations of X line up with depth, the mechanism that drives P(alive) to the lower bound: per layer the mean "
	 "pairwise cosine of the living points' representations h_l next to its infinite-width "
	 "prediction, the arc-cosine map c -> (sqrt(1 - c^2) + (pi - acos c) c) / pi iterated l "
	 "times on the cosine of each pair of non-zero points of X and averaged over the pairs "
	 "(f is convex, so the map of the mean cosine would be too low). The prediction is given "
	 "for plain and skip nets with zero biases. Returns an AlignmentReport: input_cosine, "
	 "input_points, predicts, and layers (per layer: living, cosine, predicted, gap; nil "
	 "where undefined). Without X: 64 standard Gaussian points, seed 1.",
	 "relu(16, 256):alignment(inputs.gaussian(32, 256))", .fn = net_alignment_l, .type = RLUA_NET},
	{0}
};

static const rlua_type remedies_types[] = {
	RLUA_REPORT_TYPE(RLUA_FLIP, flip_tostring),
	RLUA_REPORT_TYPE(RLUA_ALIGNMENT, alignment_tostring),
	{0}
};
const rlua_binding rlua_remedies_binding = {.types = remedies_types, .api = remedies_api};
