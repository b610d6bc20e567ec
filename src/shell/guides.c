/* guides.c: help's teaching topics, help "arch", "residual", "batchnorm",
 * "alive", "dead", "flip" and "paper": what a word of the theory means in
 * relush, each point with the one-liner that shows it and the section of
 * doc/theory.md that explains it. They are registered in module._guides
 * (name -> {title=, text=, items={{claim=, example=, section=}, ...}}) so
 * that the test that runs every help example runs these too. */
#include <string.h>
#include <lauxlib.h>
#include "shell/shell.h"

/* doc/theory.md's sections, in one place so that a renumbering of the
 * theory is one edit here. */
#define SEC_DEFINITIONS "doc/theory.md §1.4"
#define SEC_LOWER       "doc/theory.md §3"
#define SEC_UPPER       "doc/theory.md §4"
#define SEC_DEPTH_WIDTH "doc/theory.md §5"
#define SEC_CONVERGENCE "doc/theory.md §6"
#define SEC_SAMPLERS    "doc/theory.md §9"
#define SEC_FLIP        "doc/theory.md §8"
#define SEC_ARCH        "doc/theory.md §7"

enum { MAX_ITEMS = 12 };   /* claims per guide */

typedef struct guide_item {
	const char *claim, *example, *section;
	/* the claim as a Lua expression over the example's globals, true when
	 * the printed numbers bear it out (statistical ones within 4 standard
	 * errors); tests/lua/guides.lua runs each example and then this */
	const char *check;
} guide_item;

typedef struct guide {
	const char *name, *title, *text;
	guide_item items[MAX_ITEMS];
} guide;

static const guide guides[] = {
	{ "alive", "a living point, a living network",
	  "A data point x is living when every layer has at least one active neuron at x "
	  "(h_l(x) != 0 for all l); the network is alive on X when at least one point of X is "
	  "living, so gradient training can move it. For one point the probability is exactly "
	  "L = prod_l (1 - 2^-n_l): each layer kills a living point with probability 2^-n_l, "
	  "whatever the weight law, as long as it is symmetric and continuous. net:death(X).alive "
	  "says whether a net is alive, mc{...}.p_alive estimates P(alive).",
	  { { "one point: P(alive) = L exactly (mc without X uses 64 points, so give it one)",
	      "r = mc{depth=10, width=2, X=inputs.point(2), trials=20000, seed=1}; print(r.p_alive, bound.lower(2, 10))",
	      SEC_DEFINITIONS,
	      "math.abs(r.p_alive - bound.lower(2, 10)) <= 4 * math.sqrt(bound.lower(2, 10) * (1 - bound.lower(2, 10)) / r.trials)" },
	    { "is this net alive on X, and which points live",
	      "net = relu(8, 3, {seed=1}); d = net:death(inputs.gaussian(64, 3, {seed=1})); print(d.alive, d.living)",
	      SEC_DEFINITIONS, NULL } } },
	{ "dead", "dead neurons, dead points, dead networks",
	  "A neuron is dead on X when it is inactive at every point of X. A point dies at the "
	  "first layer whose neurons are all inactive at it: from there on the output no longer "
	  "depends on it (with random biases a later layer may output a constant, but no gradient "
	  "reaches the layers before). A network is dead on X when every point is: all partial "
	  "derivatives of the output with respect to the early layers are 0, and training cannot "
	  "start. net:death(X).dead_at tells where each point died; bound.death gives 1 - L "
	  "accurately even when it is tiny.",
	  { { "where each point died (0: living)",
	      "d = relu(16, 2, {seed=3}):death(inputs.gaussian(8, 2, {seed=1})); print(table.concat(d.dead_at, ' '))",
	      SEC_DEFINITIONS, NULL },
	    { "the probability that a point dies, accurate when tiny (1 - L loses digits)",
	      "print(bound.death(64, 1e6), 1 - bound.lower(64, 1e6))", SEC_LOWER,
	      "math.abs(bound.death(64, 1e6) / (1e6 * 2^-64) - 1) < 1e-9" } } },
	{ "arch", "architectures that reduce neuron death",
	  "relu{arch=...} and mc{arch=...} build five architectures: plain (the chain "
	  "h_l = ReLU(W_l h_{l-1} + b_l)), residual (h_l = h_{l-1} + ReLU(...): a non-zero point "
	  "never dies, P(alive) = 1), dense (each block sees the input and every earlier output: "
	  "never dies either), skip (every h_l feeds the output: a point lives unless the chain "
	  "dies at layer 1, mean F = 1 - 2^-n_1) and batchnorm (each neuron normalised over X: "
	  "every layer keeps an active unit, yet each point still dies strictly with the plain "
	  "probability, mean F = L). help \"residual\" and help \"batchnorm\" say more.",
	  { { "P(alive) and mean F for each architecture, width 4, depth 32",
	      "for _, a in ipairs{'plain', 'residual', 'dense', 'skip', 'batchnorm'} do local r = mc{depth=32, width=4, arch=a, X=inputs.gaussian(64, 4, {seed=1}), trials=1000, seed=1}; print(a, r.p_alive, r.fraction) end",
	      SEC_ARCH, NULL } } },
	{ "residual", "residual connections",
	  "arch = \"residual\": h_l = h_{l-1} + ReLU(W_l h_{l-1} + b_l). The identity path carries "
	  "every non-zero point forward, so no point dies and P(alive) = 1 at any depth; single "
	  "neurons inside the branches can still be dead. Every width must equal the input "
	  "dimension.",
	  { { "a residual net stays alive where the plain one dies",
	      "for _, a in ipairs{'plain', 'residual'} do print(a, mc{depth=64, width=4, arch=a, X=inputs.gaussian(64, 4, {seed=1}), trials=1000, seed=1}.p_alive) end",
	      SEC_ARCH, NULL } } },
	{ "batchnorm", "batch normalisation before the ReLU",
	  "arch = \"batchnorm\": each neuron's pre-activations are centred and scaled over X (at "
	  "least 2 points) before the ReLU. A neuron is then positive on some point unless all its "
	  "values are equal, so every layer keeps an active unit (p_all_active = 1). A point whose "
	  "representation was all-zero is revived by the centring, but under the strict definition "
	  "(dead once a layer is all-zero at it) each point still dies with the plain probability: "
	  "mean F = L, while P(alive) is higher than for the plain net.",
	  { { "every layer active in every net; mean F still equals L",
	      "r = mc{depth=32, width=4, arch='batchnorm', X=inputs.gaussian(64, 4, {seed=1}), trials=1000, seed=1}; print(r.p_all_active, r.fraction, r.lower)",
	      SEC_ARCH, "r.p_all_active == 1 and math.abs(r.fraction - r.lower) <= 4 * r.fraction_se" } } },
	{ "flip", "the sign-flipping scheme",
	  "net:flip(X) goes through the layers from the input: a neuron active on fewer of the "
	  "living points than it is inactive on has its weights and bias negated, which swaps the "
	  "two sets. Each layer then keeps at least half of the points reaching it, so at least a "
	  "fraction 2^-k of X stays alive in a k-layer net, for every draw, not only on average. "
	  "The law of each weight stays symmetric. mc{flip=true} measures flipped nets.",
	  { { "flip a net in place: the report lists per layer the neurons flipped and the floor 2^-l",
	      "net = relu(10, 2, {seed=1}); print(net:flip(inputs.gaussian(64, 2, {seed=1})))", SEC_FLIP, NULL },
	    { "the smallest living fraction over many flipped nets stays above 2^-k",
	      "r = mc{depth=10, width=2, X=inputs.gaussian(64, 2, {seed=1}), flip=true, trials=1000, seed=1}; print(r.min_fraction, 2^-10)",
	      SEC_FLIP, "r.min_fraction >= 2^-10" } } },
	{ "paper", "the claims of Rister & Rubin (arXiv:2007.06192) and how to see each",
	  "Each claim of the paper with a one-liner that shows it in relush and the section of "
	  "doc/theory.md that derives it. scripts/paper/ reproduces them at full size (make "
	  "paper).",
	  { { "P(alive) >= L = prod_l (1 - 2^-n_l) on any input set with a point that is not a tie, and <= U",
	      "r = mc{depth=8, width=3, X=inputs.gaussian(64, 2, {seed=1}), trials=20000, seed=1}; print(r.lower, r.p_alive, r.upper)",
	      SEC_LOWER, "r.lower <= r.ci[2] and r.ci[1] <= r.upper" },
	    { "L is exact for a single point",
	      "r = mc{depth=10, width=2, X=inputs.point(2), trials=20000, seed=1}; print(r.p_alive, r.lower)", SEC_LOWER,
	      "math.abs(r.p_alive - r.lower) <= 4 * math.sqrt(r.lower * (1 - r.lower) / r.trials)" },
	    { "the mean living fraction is L on any X without ties (L (m - m0) / m with m0)",
	      "r = mc{depth=10, width=2, X=inputs.gaussian(64, 2, {seed=1}), trials=20000, seed=1}; print(r.fraction, r.lower)", SEC_LOWER,
	      "math.abs(r.fraction - r.lower) <= 4 * r.fraction_se" },
	    { "P(alive) -> L as the input set shrinks to a point (L = 0.1001 here)",
	      "X = inputs.gaussian(32, 3, {seed=1}); for _, e in ipairs{1, 0.1, 0} do r = mc{depth=8, width=2, X=inputs.shrink(X, e), trials=4000, seed=1}; print(e, r.p_alive) end",
	      SEC_CONVERGENCE, "math.abs(r.p_alive - r.lower) <= 4 * math.sqrt(r.lower * (1 - r.lower) / r.trials)" },
	    { "U is exact for one layer on the largest input set (the non-negative orthant)",
	      "r = mc{depth=1, width=2, bias=1, X=inputs.orthant(2, 1e6), trials=20000, seed=1}; print(r.p_alive, bound.upper({2}, 2, true))",
	      SEC_UPPER, "math.abs(r.p_alive - bound.upper({2}, 2, true)) <= 4 * math.sqrt(r.p_alive * (1 - r.p_alive) / r.trials)" },
	    { "fixed width: P(alive) -> 0 as depth grows (the limit of Lu et al.)",
	      "w = {}; for l = 1, 1000 do w[l] = 2 end; print(bound.upper(w, 2))", SEC_UPPER,
	      "bound.upper(w, 2) < 1e-6" },
	    { "depth can grow without limit if width grows, only like log2 k",
	      "for _, k in ipairs{10, 1000, 1e6} do print(k, bound.width_for(k, 0.9)) end", SEC_DEPTH_WIDTH, NULL },
	    { "as depth grows, P(alive) / L stops growing: past some depth each layer multiplies P(alive) by its single-point factor 1 - 2^-n (P approaches L itself only for wide layers)",
	      "X = inputs.gaussian(64, 2, {seed=1}); for _, k in ipairs{2, 8, 32} do local r = mc{depth=k, width=4, X=X, trials=4000, seed=1}; print(k, r.p_alive / r.lower) end",
	      SEC_CONVERGENCE, NULL },
	    { "(the mechanism) deep nets line the representations of all points up",
	      "print(relu(8, 64, {seed=1}):alignment(inputs.gaussian(16, 64, {seed=1})))", SEC_CONVERGENCE, NULL },
	    { "sign flipping keeps at least a fraction 2^-k of the points",
	      "r = mc{depth=10, width=2, X=inputs.gaussian(64, 2, {seed=1}), flip=true, trials=1000, seed=1}; print(r.min_fraction >= 2^-10)",
	      SEC_FLIP, "r.min_fraction >= 2^-10" },
	    { "residual, dense, skip and batch-norm nets reduce death",
	      "for _, a in ipairs{'plain', 'residual', 'dense', 'skip', 'batchnorm'} do print(a, mc{depth=32, width=4, arch=a, X=inputs.gaussian(64, 4, {seed=1}), trials=1000, seed=1}.fraction) end",
	      SEC_ARCH, NULL } } },
};

enum { N_GUIDES = sizeof guides / sizeof guides[0] };

static const guide *find_guide(const char *name)
{
	for (size_t i = 0; i < N_GUIDES; i++)
		if (strcmp(guides[i].name, name) == 0)
			return &guides[i];
	return NULL;
}

void shell_open_guides(lua_State *L, int module)
{
	module = lua_absindex(L, module);
	lua_createtable(L, 0, N_GUIDES);
	for (size_t i = 0; i < N_GUIDES; i++) {
		const guide *g = &guides[i];
		lua_createtable(L, 0, 3);
		lua_pushstring(L, g->title);
		lua_setfield(L, -2, "title");
		lua_pushstring(L, g->text);
		lua_setfield(L, -2, "text");
		lua_newtable(L);
		for (int k = 0; k < MAX_ITEMS && g->items[k].claim; k++) {
			lua_createtable(L, 0, 3);
			lua_pushstring(L, g->items[k].claim);
			lua_setfield(L, -2, "claim");
			lua_pushstring(L, g->items[k].example);
			lua_setfield(L, -2, "example");
			lua_pushstring(L, g->items[k].section);
			lua_setfield(L, -2, "section");
			lua_pushstring(L, g->items[k].check);      /* nil when none */
			lua_setfield(L, -2, "check");
			lua_rawseti(L, -2, k + 1);
		}
		lua_setfield(L, -2, "items");
		lua_setfield(L, -2, g->name);
	}
	lua_setfield(L, module, "_guides");
}

void shell_guide_list(FILE *out)
{
	for (size_t i = 0; i < N_GUIDES; i++)
		fprintf(out, "%shelp \"%s\"", i ? ", " : "", guides[i].name);
}

bool shell_guide(const char *name, FILE *out, int width, void (*wrap)(const char *, int, int))
{
	const guide *g = find_guide(name);
	if (g == NULL)
		return false;
	if (shell_colour)
		fprintf(out, SHELL_BOLD "%s" SHELL_RESET ": %s    " SHELL_DIM "[guide]" SHELL_RESET "\n", g->name, g->title);
	else
		fprintf(out, "%s: %s    [guide]\n", g->name, g->title);
	wrap(g->text, 2, width);
	bool numbered = strcmp(g->name, "paper") == 0;
	for (int k = 0; k < MAX_ITEMS && g->items[k].claim; k++) {
		const guide_item *it = &g->items[k];
		char line[400];
		if (numbered)
			snprintf(line, sizeof line, "%d. %s", k + 1, it->claim);
		else
			snprintf(line, sizeof line, "%s", it->claim);
		fputs("\n", out);
		wrap(line, 2, width);
		fprintf(out, "    > %s\n    (%s)\n", it->example, it->section);
	}
	return true;
}
