/* netfile.c: nets from and to .npz state dicts (see relush/netfile.h).
 * Layers are found from the members' names, their sizes from the arrays'
 * shapes; the net is then built empty (zero laws) and filled. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/netfile.h"
#include "relush/npz.h"

void net_keys_free(rl_net_keys *k)
{
	if (!k)
		return;
	for (size_t l = 0; l < k->depth; l++) {
		if (k->weight)
			free(k->weight[l]);
		if (k->bias)
			free(k->bias[l]);
	}
	free(k->weight);
	free(k->bias);
	memset(k, 0, sizeof *k);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Layer order from the names. A weight's prefix ("model.fc.2" of
 * "model.fc.2.weight") is split at its dots; two prefixes are ordered at
 * the first part where they differ, and only when both parts are a number
 * after the same text ("2" and "10", "fc1" and "fc2", "layer3" and
 * "layer12"). Parts that differ otherwise ("fc2" and "out", "model" and
 * "head") say nothing about which layer runs first: such names are refused
 * rather than guessed. The sort below is a total order (text, then number)
 * in which any two unorderable names have an unorderable neighbouring pair
 * between them, so checking neighbours finds every ambiguity. */
typedef struct name_part {
	const char *text;
	size_t len, stem;        /* stem: the text before the trailing digits */
	int has_number;
	uint64_t number;
} name_part;

typedef struct layer_order {
	size_t member;
	const char *name;
	size_t prefix;           /* length of the name without "weight" */
} layer_order;

/* The part of name[0..len) starting at *at; advances *at past its dot. */
static int next_part(const char *name, size_t len, size_t *at, name_part *p)
{
	if (*at >= len)
		return 0;
	const char *s = name + *at, *dot = memchr(s, '.', len - *at);
	p->text = s;
	p->len = dot ? (size_t)(dot - s) : len - *at;
	*at += p->len + (dot ? 1 : 0);
	p->stem = p->len;
	while (p->stem > 0 && s[p->stem - 1] >= '0' && s[p->stem - 1] <= '9')
		p->stem--;
	p->has_number = p->stem < p->len;
	p->number = 0;
	for (size_t i = p->stem; i < p->len; i++)
		p->number = p->number > UINT64_MAX / 10 - 9 ? UINT64_MAX : p->number * 10 + (uint64_t)(s[i] - '0');
	return 1;
}

static int compare_text(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

/* <0, 0 or >0 as a sorts before, with or after b; *orderable says whether
 * the names themselves say which layer comes first. */
static int relate(const layer_order *a, const layer_order *b, int *orderable)
{
	size_t ia = 0, ib = 0;
	name_part pa, pb;
	*orderable = 0;
	for (;;) {
		int more_a = next_part(a->name, a->prefix, &ia, &pa), more_b = next_part(b->name, b->prefix, &ib, &pb);
		if (!more_a || !more_b)
			return more_a - more_b;           /* one is a prefix of the other (or the same) */
		if (pa.len == pb.len && memcmp(pa.text, pb.text, pa.len) == 0)
			continue;
		int c = compare_text(pa.text, pa.stem, pb.text, pb.stem);
		if (c == 0 && pa.has_number && pb.has_number && pa.number != pb.number) {
			*orderable = 1;
			return pa.number < pb.number ? -1 : 1;
		}
		if (c == 0)
			c = pa.has_number - pb.has_number;
		if (c == 0)
			c = pa.number < pb.number ? -1 : pa.number > pb.number;
		return c ? c : compare_text(pa.text, pa.len, pb.text, pb.len);
	}
}

static int compare_order(const void *pa, const void *pb)
{
	int orderable;
	return relate(pa, pb, &orderable);
}

static char *dup_or_fail(const char *s, rl_err *e)
{
	char *d = strdup(s);
	if (!d)
		rl_fail(e, "out of memory");
	return d;
}

/* The bias member that goes with a weight member, if the archive has one. */
static int add_layer(const rl_npz *z, rl_net_keys *k, size_t l, size_t weight_member, rl_err *e)
{
	const char *w = npz_name(z, weight_member);
	if (!(k->weight[l] = dup_or_fail(w, e)))
		return -1;
	if (!has_suffix(w, "weight"))
		return 0;
	size_t n = strlen(w) - 6;
	char *b = malloc(n + 5);
	if (!b)
		return rl_fail(e, "out of memory");
	memcpy(b, w, n);
	memcpy(b + n, "bias", 5);
	if (npz_find(z, b) >= 0)
		k->bias[l] = b;
	else
		free(b);
	return 0;
}

static int alloc_keys(rl_net_keys *k, size_t depth, rl_err *e)
{
	k->weight = rl_calloc(depth, sizeof *k->weight, "the layer names", e);
	k->bias = rl_calloc(depth, sizeof *k->bias, "the layer names", e);
	k->depth = depth;
	return k->weight && k->bias ? 0 : -1;
}

/* Keys from the archive itself: every *.weight, ordered by its numbers. */
static int keys_from_names(const rl_npz *z, const char *path, rl_net_keys *k, rl_err *e)
{
	size_t n = npz_count(z), depth = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = npz_name(z, i);
		if (has_suffix(name, ".weight") || strcmp(name, "weight") == 0) {
			depth++;
		} else if (has_suffix(name, ".bias") || strcmp(name, "bias") == 0) {
			size_t len = strlen(name) - 4;
			char w[512];
			if (len + 7 > sizeof w || (memcpy(w, name, len), memcpy(w + len, "weight", 7), npz_find(z, w) < 0))
				return rl_fail(e, "'%s' holds the bias '%s' but no weight '%.*sweight' for it", path, name,
				               (int)len, name);
		} else {
			return rl_fail(e, "'%s' holds '%s', which is neither a '.weight' nor a '.bias' of a linear layer; "
			               "give keys={...} to name the layers to read", path, name);
		}
	}
	if (depth == 0)
		return rl_fail(e, "'%s' holds no '.weight' arrays (a state dict of nn.Linear layers has "
		               "'0.weight', '0.bias', ...)", path);
	layer_order *order = rl_calloc(depth, sizeof *order, "ordering the layers", e);
	if (!order)
		return -1;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = npz_name(z, i);
		if (has_suffix(name, ".weight") || strcmp(name, "weight") == 0) {
			size_t len = strlen(name) - 6;
			order[at++] = (layer_order){i, name, len ? len - 1 : 0};
		}
	}
	qsort(order, depth, sizeof *order, compare_order);
	int r = alloc_keys(k, depth, e);
	for (size_t l = 0; r == 0 && l < depth; l++) {
		int orderable = 1;
		if (l > 0)
			relate(&order[l - 1], &order[l], &orderable);
		if (!orderable) {
			/* the layers as saved (state_dict order), to copy into keys */
			char saved[400];
			size_t used = 0;
			saved[0] = '\0';
			for (size_t i = 0; i < n && used + 1 < sizeof saved; i++) {
				const char *name = npz_name(z, i);
				if (!has_suffix(name, ".weight"))
					continue;
				int w = snprintf(saved + used, sizeof saved - used, "%s'%.*s'", used ? ", " : "",
				                 (int)(strlen(name) - 7), name);
				if (w < 0 || (size_t)w >= sizeof saved - used) {
					strcpy(saved + sizeof saved - 6, ", ...");
					break;
				}
				used += (size_t)w;
			}
			r = rl_fail(e, "'%s': the layers '%s' and '%s' cannot be ordered by the numbers in their names; "
			            "give keys={...} to list the layers in the order the network runs them (saved in "
			            "this order: %s)", path, order[l - 1].name, order[l].name, saved);
		} else
			r = add_layer(z, k, l, order[l].member, e);
	}
	free(order);
	return r;
}

/* Keys the user gave: a weight member or its prefix, in layer order. */
static int keys_from_list(const rl_npz *z, const char *path, const char *const *keys, size_t nkeys,
                          rl_net_keys *k, rl_err *e)
{
	if (nkeys == 0)
		return rl_fail(e, "keys must list at least one layer");
	if (alloc_keys(k, nkeys, e))
		return -1;
	for (size_t l = 0; l < nkeys; l++) {
		long i = npz_find(z, keys[l]);
		if (i < 0) {
			char w[512];
			snprintf(w, sizeof w, "%s.weight", keys[l]);
			i = npz_find(z, w);
		}
		if (i < 0) {
			char list[256];
			npz_list(z, list, sizeof list);
			return rl_fail(e, "keys[%zu] = '%s': '%s' holds neither '%s' nor '%s.weight' (it holds %s)",
			               l + 1, keys[l], path, keys[l], keys[l], list);
		}
		/* each array once: the net's layers are its own copies, and
		 * net:save writes each under its name, so a layer listed twice
		 * would be saved as two members of one name */
		for (size_t m = 0; m < l; m++)
			if (strcmp(k->weight[m], npz_name(z, (size_t)i)) == 0)
				return rl_fail(e, "keys[%zu] = '%s' names '%s' again (keys[%zu] did): each layer may be listed "
				               "once", l + 1, keys[l], k->weight[m], m + 1);
		if (add_layer(z, k, l, (size_t)i, e))
			return -1;
	}
	return 0;
}

static int read_layers(const rl_npz *z, const rl_net_keys *k, rl_array *W, rl_array *b, rl_err *e)
{
	for (size_t l = 0; l < k->depth; l++) {
		if (npz_read(z, (size_t)npz_find(z, k->weight[l]), &W[l], e))
			return -1;
		if (W[l].ndim != 2)
			return rl_fail(e, "'%s' is 1-D (%zu values); a layer's weight must be 2-D, out x in, as "
			               "nn.Linear's is (a 1-D weight is a normalisation layer's scale: relush reads only "
			               "the Linear layers, named with keys={...})", k->weight[l], W[l].cols);
		if (!k->bias[l])
			continue;
		if (npz_read(z, (size_t)npz_find(z, k->bias[l]), &b[l], e))
			return -1;
		if (b[l].ndim != 1 || b[l].cols != W[l].rows)
			return rl_fail(e, "'%s' is %s %zu x %zu array, but '%s' has %zu rows: a bias needs one value "
			               "per output, a 1-D array of %zu", k->bias[l], b[l].ndim == 1 ? "a 1-D" : "a 2-D",
			               b[l].rows, b[l].cols, k->weight[l], W[l].rows, W[l].rows);
	}
	return 0;
}

static int check_shapes(const rl_net_spec *s, const rl_net_keys *k, const rl_array *W, rl_err *e)
{
	for (size_t l = 1; l <= s->depth; l++) {
		size_t fan = net_fan_in(s, l);
		if (W[l - 1].cols == fan)
			continue;
		if (s->arch == ARCH_DENSE)
			return rl_fail(e, "'%s' is %zu x %zu, but layer %zu of a dense net takes %zu inputs "
			               "(the input dimension plus the widths of the layers before it)",
			               k->weight[l - 1], W[l - 1].rows, W[l - 1].cols, l, fan);
		return rl_fail(e, "'%s' is %zu x %zu, but layer %zu takes %zu inputs: the %zu outputs of '%s' "
		               "(weights are out x in, as nn.Linear stores them)", k->weight[l - 1],
		               W[l - 1].rows, W[l - 1].cols, l, fan, fan, k->weight[l - 2]);
	}
	return 0;
}

static rl_net *build(const rl_net_keys *k, rl_arch arch, const rl_array *W, const rl_array *b, rl_err *e)
{
	rl_net_spec spec = {0};
	spec.depth = k->depth;
	spec.input = W[0].cols;
	spec.arch = arch;
	spec.weights.kind = LAW_ZERO;
	spec.bias.kind = LAW_ZERO;
	spec.widths = rl_calloc(k->depth, sizeof *spec.widths, "the layer widths", e);
	if (!spec.widths)
		return NULL;
	for (size_t l = 0; l < k->depth; l++)
		spec.widths[l] = W[l].rows;
	rl_net *net = NULL;
	if (check_shapes(&spec, k, W, e) == 0 && (net = net_create(&spec, 0, e)) != NULL)
		for (size_t l = 0; l < k->depth; l++) {
			memcpy(net->W[l], W[l].data, W[l].rows * W[l].cols * sizeof(double));
			if (b[l].data)
				memcpy(net->b[l], b[l].data, b[l].cols * sizeof(double));
		}
	net_spec_free(&spec);
	return net;
}

rl_net *net_load_npz(const char *path, const char *const *keys, size_t nkeys, rl_arch arch,
                     rl_net_keys *used, rl_err *e)
{
	memset(used, 0, sizeof *used);
	rl_npz *z = npz_open(path, e);
	if (!z)
		return NULL;
	rl_net_keys k = {0};
	rl_array *W = NULL, *b = NULL;
	rl_net *net = NULL;
	int r = keys ? keys_from_list(z, path, keys, nkeys, &k, e) : keys_from_names(z, path, &k, e);
	if (r == 0 && (!(W = rl_calloc(k.depth, sizeof *W, "the layers", e)) ||
	               !(b = rl_calloc(k.depth, sizeof *b, "the layers", e))))
		r = -1;
	if (r == 0 && read_layers(z, &k, W, b, e) == 0)
		net = build(&k, arch, W, b, e);
	for (size_t l = 0; l < k.depth; l++) {
		if (W)
			rl_array_free(&W[l]);
		if (b)
			rl_array_free(&b[l]);
	}
	free(W);
	free(b);
	npz_close(z);
	if (net)
		*used = k;
	else
		net_keys_free(&k);
	return net;
}

int net_save_npz(const rl_net *net, const rl_net_keys *keys, const char *path, rl_err *e)
{
	const rl_net_spec *s = &net->spec;
	if (keys && keys->depth != s->depth)
		return rl_fail(e, "the net has %zu layers but its names list %zu", s->depth, keys->depth);
	size_t cap = 2 * s->depth, n = 0;
	rl_array *arrays = rl_calloc(cap, sizeof *arrays, "writing the net", e);
	char **names = rl_calloc(cap, sizeof *names, "writing the net", e);
	int r = arrays && names ? 0 : -1;
	for (size_t l = 0; r == 0 && l < s->depth; l++) {
		char fallback[48];
		snprintf(fallback, sizeof fallback, "%zu.weight", 2 * l);
		names[n] = dup_or_fail(keys ? keys->weight[l] : fallback, e);
		arrays[n] = (rl_array){2, s->widths[l], net_fan_in(s, l + 1), net->W[l]};
		if (!names[n++]) {
			r = -1;
			break;
		}
		if (keys && !keys->bias[l])
			continue;
		snprintf(fallback, sizeof fallback, "%zu.bias", 2 * l);
		names[n] = dup_or_fail(keys ? keys->bias[l] : fallback, e);
		arrays[n] = (rl_array){1, 1, s->widths[l], net->b[l]};
		if (!names[n++])
			r = -1;
	}
	if (r == 0)
		r = npz_write(path, n, (const char *const *)names, arrays, e);
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	free(arrays);
	return r;
}
