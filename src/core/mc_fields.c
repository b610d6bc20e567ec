/* mc_fields.c: the settings that make a Monte Carlo experiment, in one
 * table. A results line's "config" is written and read from it, and the
 * merge compares and describes records with it, so a new setting is one row
 * here (a plain integer, flag or named value needs no code of its own). */
#include "config.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/mc.h"
#include "json.h"
#include "mc_record_impl.h"

typedef enum {
	K_VERSION,   /* relush's version: the top-level "relush", not in "config" */
	K_DEPTH,     /* size_t, read first: it sizes widths; compared with widths */
	K_SIZE,      /* size_t */
	K_U64,       /* uint64_t */
	K_BOOL,      /* int, true or false */
	K_ENUM,      /* an enum, written by name */
	K_WIDTHS,    /* spec.widths, depth entries */
	K_LAW,       /* rl_law: {law, scale, param} */
	K_METHOD,    /* method and reference: one name */
	K_X,         /* {rows, cols, checksum}; compared as the shape */
	K_XSUM,      /* X's checksum, written within K_X; compared on its own */
	K_TUNING     /* mc_tuning: {ns_variate, lazy_l, blas_min} */
} field_kind;

typedef struct mc_field {
	const char *key;            /* its key in "config" (NULL: written elsewhere) */
	field_kind kind;
	size_t offset;              /* of the value in mc_record */
	int rank;                   /* its place in the merge's checks (F_*), -1: none */
	const char *shown;          /* how messages name it ("seed 1", "flip = true") */
	const char *(*name)(int);   /* K_ENUM: a value's name */
	int count;                  /* K_ENUM: how many values there are */
	const char *accepted;       /* K_ENUM: the names, for a reader's message */
} mc_field;

static const char *arch_at(int i) { return arch_name((rl_arch)i); }
static const char *stats_at(int i) { return mcr_stats_name((mc_stats)i); }
static const char *precision_at(int i) { return precision_name((rl_precision)i); }
static const char *fma_at(int i)
{
	return i == MC_FMA_FUSED ? "fused" : i == MC_FMA_UNFUSED ? "unfused" : "none";
}

/* A change to what any (seed, trial, stream) draws (rng.c, law.c, net.c)
 * adds a name here, last. */
static const char *const generators[] = {
	"philox4x32-10 sleef-u10",
	"philox4x32-10 sleef-u35",   /* normal and Laplace variates differ in the last bits */
};
#define NGENERATORS ((int)(sizeof generators / sizeof *generators))

const char *mc_generator_name(int g)
{
	return g >= 0 && g < NGENERATORS ? generators[g] : NULL;
}

int mc_generator_current(void)
{
	return NGENERATORS - 1;
}

static const char *generator_at(int i) { return mc_generator_name(i); }
static const char *method_at(int i)
{
	return i == MC_METHOD_REFERENCE ? "reference" : mc_method_name((mc_method)i);
}

/* K_ENUM and K_BOOL values are read and written as int */
_Static_assert(sizeof(rl_arch) == sizeof(int) && sizeof(mc_stats) == sizeof(int) &&
               sizeof(rl_precision) == sizeof(int),
               "enums are int-sized");

#define AT(member) offsetof(mc_record, member)
/* In the order of the file's "config"; rank is the order the merge checks. */
static const mc_field fields[] = {
	{NULL, K_VERSION, AT(version), F_VERSION, "relush version", NULL, 0, NULL},
	{"generator", K_ENUM, AT(generator), F_GENERATOR, "generator", generator_at, NGENERATORS,
	 "the name of a generator this relush knows (a newer relush may have written the file)"},
	{"depth", K_DEPTH, AT(spec.depth), -1, "depth", NULL, 0, NULL},
	{"input", K_SIZE, AT(spec.input), F_INPUT, "input dimension", NULL, 0, NULL},
	{"widths", K_WIDTHS, AT(spec.widths), F_WIDTHS, "widths", NULL, 0, NULL},
	{"weights", K_LAW, AT(spec.weights), F_WEIGHTS, "weights", NULL, 0, NULL},
	{"bias", K_LAW, AT(spec.bias), F_BIAS, "bias", NULL, 0, NULL},
	{"arch", K_ENUM, AT(spec.arch), F_ARCH, "arch", arch_at, ARCH_BATCHNORM + 1,
	 "one of plain, residual, dense, skip, batchnorm"},
	{"precision", K_ENUM, AT(spec.precision), F_PRECISION, "precision", precision_at,
	 PRECISION_SINGLE + 1, "double or single"},
	{"float32_fma", K_ENUM, AT(float32_fma), F_FMA, "float32 multiply-adds", fma_at, MC_FMA_UNFUSED + 1,
	 "none, fused or unfused"},
	{"seed", K_U64, AT(spec.seed), F_SEED, "seed", NULL, 0, NULL},
	{"trials", K_U64, AT(trials), F_TRIALS, "trials", NULL, 0, NULL},
	{"method", K_METHOD, AT(method), F_METHOD, "method", NULL, 0, NULL},
	{"stats", K_ENUM, AT(stats), F_STATS, "stats", stats_at, 2, "all or alive"},
	{"flip", K_BOOL, AT(flip), F_FLIP, "flip =", NULL, 0, NULL},
	{"alignment", K_BOOL, AT(alignment), F_ALIGNMENT, "alignment =", NULL, 0, NULL},
	{"X", K_X, AT(x_rows), F_XSHAPE, "an X", NULL, 0, NULL},
	{NULL, K_XSUM, AT(x_checksum), F_XSUM, "X checksum", NULL, 0, NULL},
	{"tuning", K_TUNING, AT(tuning), F_TUNING, "tuning", NULL, 0, NULL},
};
#define NFIELDS (sizeof fields / sizeof *fields)

#define VALUE(type, f, r) (*(type *)((char *)(r) + (f)->offset))
#define CVALUE(type, f, r) (*(const type *)((const char *)(r) + (f)->offset))

static const mc_field *by_rank(int k)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].rank == k)
			return &fields[i];
	return NULL;
}

/* The per-layer lists of "counts.layers", and the evaluation counters after
 * them in "counts", in the order written. */
const mcr_count_field mcr_layer_fields[] = {
	{"trials_reaching", offsetof(mc_layer_counts, trials_reaching)},
	{"trials_living", offsetof(mc_layer_counts, trials_living)},
	{"points_reaching", offsetof(mc_layer_counts, points_reaching)},
	{"points_living", offsetof(mc_layer_counts, points_living)},
	{"dead_neurons", offsetof(mc_layer_counts, dead_neurons)},
	{"trials_active_unit", offsetof(mc_layer_counts, trials_active_unit)},
	{NULL, 0}
};
const mcr_count_field mcr_counter_fields[] = {
	{"layers_explicit", offsetof(mc_counts, layers_explicit)},
	{"layers_gram", offsetof(mc_counts, layers_gram)},
	{"trials_lazy", offsetof(mc_counts, trials_lazy)},
	{"trials_reference", offsetof(mc_counts, trials_reference)},
	{"trials_all_active", offsetof(mc_counts, trials_all_active)},
	{NULL, 0}
};

/* ---- writing ---------------------------------------------------------------------- */

static void write_law(rl_strbuf *b, const rl_law *law)
{
	rl_sb_put(b, "{");
	json_field_string(b, "law", law_name(law->kind));
	json_field_string(b, "scale", mcr_scale_name(law->rule));
	json_field_double(b, "param", law->param);
	rl_sb_put(b, "}");
}

void mcr_write_config(rl_strbuf *b, const mc_record *r)
{
	json_open(b, "config", "{");
	for (size_t i = 0; i < NFIELDS; i++) {
		const mc_field *f = &fields[i];
		if (!f->key)
			continue;
		json_key(b, f->key);
		switch (f->kind) {
		case K_DEPTH:
		case K_SIZE: json_u64(b, CVALUE(size_t, f, r)); break;
		case K_U64: json_u64(b, CVALUE(uint64_t, f, r)); break;
		case K_BOOL: json_bool(b, CVALUE(int, f, r)); break;
		case K_ENUM: json_string(b, f->name(CVALUE(int, f, r))); break;
		case K_WIDTHS:
			rl_sb_put(b, "[");
			for (size_t l = 0; l < r->spec.depth; l++)
				rl_sb_printf(b, l ? ",%zu" : "%zu", r->spec.widths[l]);
			rl_sb_put(b, "]");
			break;
		case K_LAW: write_law(b, &CVALUE(rl_law, f, r)); break;
		case K_METHOD: json_string(b, mcr_method_name(r)); break;
		case K_X:
			rl_sb_put(b, "{");
			json_field_u64(b, "rows", r->x_rows);
			json_field_u64(b, "cols", r->x_cols);
			json_key(b, "checksum");
			rl_sb_printf(b, "\"fnv1a64:%016llx\"", (unsigned long long)r->x_checksum);
			json_field_bool(b, "default", r->x_default);
			json_field_u64(b, "never_living", r->never_living);
			rl_sb_put(b, "}");
			break;
		case K_TUNING:
			rl_sb_put(b, "{");
			json_field_double(b, "ns_variate", r->tuning.ns_variate);
			json_field_double(b, "lazy_l", r->tuning.lazy_l);
			json_field_double(b, "blas_min", r->tuning.blas_min);
			rl_sb_put(b, "}");
			break;
		case K_VERSION:
		case K_XSUM:
			break;
		}
	}
	rl_sb_put(b, "}");
}

/* ---- reading ---------------------------------------------------------------------- */

static int name_index(const char *name, const char *(*names)(int), int count)
{
	for (int i = 0; i < count; i++)
		if (strcmp(name, names(i)) == 0)
			return i;
	return -1;
}

static const char *law_at(int i) { return law_name((rl_law_kind)i); }
static const char *scale_at(int i) { return mcr_scale_name((rl_scale_rule)i); }

static void read_law(mcr_reader *rd, const jv *config, const char *key, rl_law *law)
{
	char path[32];
	snprintf(path, sizeof path, "config.%s", key);
	const jv *o = mcr_need(rd, config, key, path, 'o', "an object {law, scale, param}");
	if (!o)
		return;
	int kind = name_index(mcr_read_string(rd, o, "law", path), law_at, LAW_LAPLACE + 1);
	int rule = name_index(mcr_read_string(rd, o, "scale", path), scale_at, SCALE_GLOROT + 1);
	if (kind < 0 || rule < 0) {
		mcr_bad(rd, path, "a law zero, normal, uniform or laplace with a scale fixed, he or glorot");
		return;
	}
	law->kind = (rl_law_kind)kind;
	law->rule = (rl_scale_rule)rule;
	law->param = mcr_read_double(rd, o, "param", path, 0);
}

static int enum_field(mcr_reader *rd, const jv *obj, const char *key, const char *path,
                      const char *(*names)(int), int count, const char *what)
{
	int i = name_index(mcr_read_string(rd, obj, key, path), names, count);
	if (i < 0)
		mcr_bad(rd, path, what);
	return i < 0 ? 0 : i;
}

static void read_widths(mcr_reader *rd, const jv *c, uint64_t depth, mc_record *r, rl_err *e)
{
	rl_net_spec *s = &r->spec;
	s->widths = rl_calloc((size_t)depth, sizeof *s->widths, "the widths of a Monte Carlo record", e);
	if (!s->widths) {
		rd->failed = 1;
		return;
	}
	s->depth = (size_t)depth;
	uint64_t *w = rl_calloc(s->depth, sizeof *w, "the widths of a Monte Carlo record", e);
	if (!w) {
		rd->failed = 1;
		return;
	}
	mcr_read_u64_list(rd, c, "widths", "config.widths", w, s->depth, sizeof *w);
	for (size_t l = 0; l < s->depth && !rd->failed; l++) {
		if (w[l] < 1 || w[l] > NET_MAX_WIDTH)
			mcr_bad(rd, "config.widths", "a list of integers from 1 to 100000000");
		s->widths[l] = (size_t)w[l];
	}
	free(w);
}

static void read_x(mcr_reader *rd, const jv *c, mc_record *r)
{
	const jv *X = mcr_need(rd, c, "X", "config.X", 'o', "an object {rows, cols, checksum}");
	if (!X)
		return;
	r->x_rows = (size_t)mcr_read_u64(rd, X, "rows", "config.X.rows");
	r->x_cols = (size_t)mcr_read_u64(rd, X, "cols", "config.X.cols");
	const char *sum = mcr_read_string(rd, X, "checksum", "config.X.checksum");
	char *end = NULL;
	if (!rd->failed && (strncmp(sum, "fnv1a64:", 8) != 0 || strlen(sum) != 24 ||
	                    (r->x_checksum = strtoull(sum + 8, &end, 16), *end != '\0')))
		mcr_bad(rd, "config.X.checksum", "\"fnv1a64:\" and 16 hex digits");
	/* what the report says about X (files written before relush kept it
	 * have neither: not the default set, no ties named) */
	if (json_get(X, "default"))
		r->x_default = mcr_read_bool(rd, X, "default", "config.X.default");
	if (json_get(X, "never_living")) {
		uint64_t n = mcr_read_u64(rd, X, "never_living", "config.X.never_living");
		if (!rd->failed && n > r->x_rows)
			mcr_bad(rd, "config.X.never_living", "a count of X's points (at most config.X.rows)");
		r->never_living = (size_t)n;
	}
}

static void read_tuning(mcr_reader *rd, const jv *c, mc_record *r)
{
	const jv *t = mcr_need(rd, c, "tuning", "config.tuning", 'o', "an object");
	if (!t)
		return;
	r->tuning.ns_variate = mcr_read_double(rd, t, "ns_variate", "config.tuning.ns_variate", 0);
	r->tuning.lazy_l = mcr_read_double(rd, t, "lazy_l", "config.tuning.lazy_l", 0);
	r->tuning.blas_min = mcr_read_double(rd, t, "blas_min", "config.tuning.blas_min", 0);
}

/* Every row in order; the first failure is the one reported, so reading
 * stops there. */
void mcr_read_config(mcr_reader *rd, const jv *root, mc_record *r, rl_err *e)
{
	const jv *c = mcr_need(rd, root, "config", "config", 'o', "an object");
	uint64_t depth = 0;
	for (size_t i = 0; c && i < NFIELDS && !rd->failed; i++) {
		const mc_field *f = &fields[i];
		if (!f->key)
			continue;
		char path[32];
		snprintf(path, sizeof path, "config.%s", f->key);
		switch (f->kind) {
		case K_DEPTH:
			depth = mcr_read_u64(rd, c, f->key, path);
			if (!rd->failed && (depth < 1 || depth > NET_MAX_DEPTH))
				mcr_bad(rd, path, "an integer from 1 to 100000000");
			break;
		case K_SIZE: VALUE(size_t, f, r) = (size_t)mcr_read_u64(rd, c, f->key, path); break;
		case K_U64:
			/* what mc accepts: a seed that is a Lua integer (a larger one
			 * read as a negative seed), at most 2^53 trials */
			VALUE(uint64_t, f, r) = mcr_read_u64(rd, c, f->key, path);
			if (!rd->failed && f->rank == F_SEED && VALUE(uint64_t, f, r) > (uint64_t)INT64_MAX)
				mcr_bad(rd, path, "an integer from 0 to 9223372036854775807");
			if (!rd->failed && f->rank == F_TRIALS &&
			    (VALUE(uint64_t, f, r) < 1 || VALUE(uint64_t, f, r) > (UINT64_C(1) << 53)))
				mcr_bad(rd, path, "an integer from 1 to 9007199254740992");
			break;
		case K_BOOL: VALUE(int, f, r) = mcr_read_bool(rd, c, f->key, path); break;
		case K_ENUM:
			/* files written before relush had a precision ran in double,
			 * before it named its generator with the first, and before
			 * it recorded float32 multiply-adds say nothing of them */
			if ((f->rank == F_PRECISION || f->rank == F_GENERATOR || f->rank == F_FMA) && !json_get(c, f->key))
				break;
			VALUE(int, f, r) = enum_field(rd, c, f->key, path, f->name, f->count, f->accepted);
			break;
		case K_WIDTHS: read_widths(rd, c, depth, r, e); break;
		case K_LAW: read_law(rd, c, f->key, &VALUE(rl_law, f, r)); break;
		case K_METHOD: {
			int m = enum_field(rd, c, f->key, path, method_at, MC_METHOD_REFERENCE + 1,
			                   "one of auto, explicit, gram, reference");
			r->reference = m == MC_METHOD_REFERENCE;
			r->method = m == MC_METHOD_REFERENCE ? MC_METHOD_EXPLICIT : (mc_method)m;
			break;
		}
		case K_X: read_x(rd, c, r); break;
		case K_TUNING: read_tuning(rd, c, r); break;
		case K_VERSION:
		case K_XSUM:
			break;
		}
	}
	if (!rd->failed && (r->trials < 1 || r->x_rows < 1 || r->x_cols != r->spec.input))
		mcr_bad(rd, "config", "a valid experiment (trials >= 1, X with at least one point of dimension input)");
}

/* ---- comparing and describing --------------------------------------------------- */

static int laws_differ(const rl_law *a, const rl_law *b)
{
	return a->kind != b->kind || a->rule != b->rule || memcmp(&a->param, &b->param, sizeof a->param) != 0;
}

int mcr_field_differs(const mc_record *a, const mc_record *b, int k)
{
	const mc_field *f = by_rank(k);
	/* only two single-precision runs that both say can disagree */
	if (k == F_FMA && (a->float32_fma == MC_FMA_NONE || b->float32_fma == MC_FMA_NONE))
		return 0;
	switch (f ? f->kind : K_DEPTH) {
	case K_VERSION: return strcmp(a->version, b->version) != 0;
	case K_DEPTH: return 0;
	case K_SIZE: return CVALUE(size_t, f, a) != CVALUE(size_t, f, b);
	case K_U64: return CVALUE(uint64_t, f, a) != CVALUE(uint64_t, f, b);
	case K_BOOL:
	case K_ENUM: return CVALUE(int, f, a) != CVALUE(int, f, b);
	case K_WIDTHS:
		return a->spec.depth != b->spec.depth ||
		       memcmp(a->spec.widths, b->spec.widths, a->spec.depth * sizeof *a->spec.widths) != 0;
	case K_LAW: return laws_differ(&CVALUE(rl_law, f, a), &CVALUE(rl_law, f, b));
	case K_METHOD: return a->method != b->method || a->reference != b->reference;
	case K_X: return a->x_rows != b->x_rows || a->x_cols != b->x_cols;
	case K_XSUM: return a->x_checksum != b->x_checksum;
	case K_TUNING:
		return memcmp(&a->tuning.ns_variate, &b->tuning.ns_variate, sizeof(double)) != 0 ||
		       memcmp(&a->tuning.lazy_l, &b->tuning.lazy_l, sizeof(double)) != 0 ||
		       memcmp(&a->tuning.blas_min, &b->tuning.blas_min, sizeof(double)) != 0;
	}
	return 0;
}

static void describe_law(char *buf, size_t len, const char *what, const rl_law *law)
{
	if (law->kind == LAW_ZERO)
		snprintf(buf, len, "%s zero", what);
	else if (law->rule != SCALE_FIXED)
		snprintf(buf, len, "%s %s (%s scale)", what, law_name(law->kind), mcr_scale_name(law->rule));
	else
		snprintf(buf, len, "%s %s (parameter %.17g)", what, law_name(law->kind), law->param);
}

static void describe_widths(const mc_record *r, const mc_record *other, char *buf, size_t len)
{
	const rl_net_spec *s = &r->spec;
	if (s->depth != other->spec.depth && (s->depth > 8 || other->spec.depth > 8)) {
		snprintf(buf, len, "depth %zu", s->depth);
		return;
	}
	size_t l = 0;   /* the first layer where the two differ, if any */
	while (l < s->depth && other->spec.depth == s->depth && s->widths[l] == other->spec.widths[l])
		l++;
	if (s->depth > 8 && l < s->depth) {
		snprintf(buf, len, "width %zu at layer %zu", s->widths[l], l + 1);
		return;
	}
	size_t n = (size_t)snprintf(buf, len, "widths {");
	for (l = 0; l < s->depth && l < 8 && n < len; l++)
		n += (size_t)snprintf(buf + n, len - n, l ? ", %zu" : "%zu", s->widths[l]);
	if (n < len)
		snprintf(buf + n, len - n, s->depth > 8 ? ", ... (depth %zu)}" : "}", s->depth);
}

void mcr_field_describe(const mc_record *r, const mc_record *other, int k, char *buf, size_t len)
{
	const mc_field *f = by_rank(k);
	if (!f) {
		snprintf(buf, len, "?");
		return;
	}
	switch (f->kind) {
	case K_VERSION: snprintf(buf, len, "%s %s", f->shown, r->version); break;
	case K_DEPTH:
	case K_SIZE: snprintf(buf, len, "%s %zu", f->shown, CVALUE(size_t, f, r)); break;
	case K_U64: snprintf(buf, len, "%s %llu", f->shown, (unsigned long long)CVALUE(uint64_t, f, r)); break;
	case K_BOOL: snprintf(buf, len, "%s %s", f->shown, CVALUE(int, f, r) ? "true" : "false"); break;
	case K_ENUM: snprintf(buf, len, "%s %s", f->shown, f->name(CVALUE(int, f, r))); break;
	case K_WIDTHS: describe_widths(r, other, buf, len); break;
	case K_LAW: describe_law(buf, len, f->shown, &CVALUE(rl_law, f, r)); break;
	case K_METHOD: snprintf(buf, len, "%s %s", f->shown, mcr_method_name(r)); break;
	case K_X: snprintf(buf, len, "%s of %zu points in d = %zu", f->shown, r->x_rows, r->x_cols); break;
	case K_XSUM:
		snprintf(buf, len, "%s fnv1a64:%016llx", f->shown, (unsigned long long)r->x_checksum);
		break;
	case K_TUNING:
		snprintf(buf, len, "%s RELUSH_MC_NS_VARIATE=%.17g RELUSH_MC_LAZY_L=%.17g RELUSH_MC_BLAS_MIN=%.17g",
		         f->shown, r->tuning.ns_variate, r->tuning.lazy_l, r->tuning.blas_min);
		break;
	}
}

int mcr_count_differences(const mc_record *a, const mc_record *b, int *first)
{
	int n = 0;
	*first = -1;
	for (int k = 0; k < F_COUNT; k++)
		if (mcr_field_differs(a, b, k)) {
			if (n++ == 0)
				*first = k;
		}
	return n;
}

int mcr_mismatch_error(const mc_record *a, const mc_record *b, int k, const char *tail, rl_err *e)
{
	char la[MC_SOURCE_LEN + 32], lb[MC_SOURCE_LEN + 32], da[160], db[160];
	const mc_field *f = by_rank(k);
	mcr_field_describe(a, b, k, da, sizeof da);
	mcr_field_describe(b, a, k, db, sizeof db);
	if (f && f->kind == K_LAW && strcmp(da, db) == 0) {
		/* the short forms agree (a scaled law's stored parameter, -0 and
		 * 0, ...): show every stored value, down to the bits */
		const rl_law *x = &CVALUE(rl_law, f, a), *y = &CVALUE(rl_law, f, b);
		uint64_t bx, by;
		memcpy(&bx, &x->param, sizeof bx);
		memcpy(&by, &y->param, sizeof by);
		snprintf(da, sizeof da, "%s %s (scale %s, stored parameter %.17g, bits 0x%016llx)",
		         f->shown, law_name(x->kind), mcr_scale_name(x->rule), x->param, (unsigned long long)bx);
		snprintf(db, sizeof db, "%s %s (scale %s, stored parameter %.17g, bits 0x%016llx)",
		         f->shown, law_name(y->kind), mcr_scale_name(y->rule), y->param, (unsigned long long)by);
	}
	const char *why = f && f->kind == K_XSUM ? " (a different input set of the same shape)" :
	                  k == F_PRECISION ? " (given no precision, mc chooses single or double from its "
	                                     "input set and net: run the missing pieces with the precision "
	                                     "of the others, e.g. precision = \"double\")" :
	                  k == F_GENERATOR ? " (another relush drew one of them: run the missing pieces "
	                                     "with the relush that ran the others)" :
	                  k == F_FMA ? " (single-precision runs on machines that fuse float32 multiply-adds and "
	                               "on machines that do not differ in last bits, so in rare deaths; relush -v "
	                               "tells which a machine does: run the missing pieces on machines like the "
	                               "others', or the whole experiment with precision = \"double\")" : "";
	return rl_fail(e, "%s has %s but %s has %s%s; %s", mc_record_label(a, la, sizeof la), da,
	               mc_record_label(b, lb, sizeof lb), db, why, tail);
}
