/* mc_record.c: Monte Carlo results as records (relush/mc.h): one JSON line
 * per result, files written atomically, and the exact merge of the shards of
 * an experiment. The JSON is written and read by hand: the format is small
 * and fixed, and its integers must keep all 64 (living_sq: 128) bits, which
 * a reader going through doubles would round. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "relush/alloc.h"
#include "relush/files.h"
#include "relush/mc.h"
#include "json.h"
#include "kernel.h"

#define MC_FORMAT "relush-mc"
#define MC_FORMAT_VERSION 1
#define MC_SOURCE_LEN sizeof(((mc_record *)0)->source)

/* ---- small helpers ----------------------------------------------------------- */

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xFFu;
		h *= 0x100000001B3ull;
	}
	return h;
}

uint64_t mc_checksum(const rl_mat *X)
{
	uint64_t h = 0xCBF29CE484222325ull;
	h = fnv_u64(h, (uint64_t)X->rows);
	h = fnv_u64(h, (uint64_t)X->cols);
	for (size_t i = 0; i < X->rows; i++) {
		const double *row = mat_row(X, i);
		for (size_t j = 0; j < X->cols; j++) {
			uint64_t bits;
			memcpy(&bits, &row[j], sizeof bits);
			h = fnv_u64(h, bits);
		}
	}
	return h;
}

static size_t neuron_total(const rl_net_spec *s)
{
	size_t t = 0;
	for (size_t l = 0; l < s->depth; l++)
		t += s->widths[l];
	return t;
}

static const char *method_name(const mc_record *r)
{
	return r->reference ? "reference" : mc_method_name(r->method);
}

static const char *stats_name(mc_stats s)
{
	return s == MC_STATS_ALIVE ? "alive" : "all";
}

static const char *scale_name(rl_scale_rule r)
{
	return r == SCALE_HE ? "he" : r == SCALE_GLOROT ? "glorot" : "fixed";
}

/* 128-bit numbers as four 32-bit limbs, most significant first. */
static void u128_limbs(const uint64_t v[2], uint32_t limb[4])
{
	limb[0] = (uint32_t)(v[1] >> 32);
	limb[1] = (uint32_t)v[1];
	limb[2] = (uint32_t)(v[0] >> 32);
	limb[3] = (uint32_t)v[0];
}

static void u128_decimal(const uint64_t v[2], char *out)
{
	uint32_t limb[4];
	char digits[48];
	int n = 0;
	u128_limbs(v, limb);
	do {
		uint64_t rem = 0;
		for (int i = 0; i < 4; i++) {
			uint64_t cur = (rem << 32) | limb[i];
			limb[i] = (uint32_t)(cur / 10);
			rem = cur % 10;
		}
		digits[n++] = (char)('0' + rem);
	} while (limb[0] | limb[1] | limb[2] | limb[3]);
	for (int i = 0; i < n; i++)
		out[i] = digits[n - 1 - i];
	out[n] = '\0';
}

/* Decimal digits to 128 bits; -1 on overflow or a non-digit. */
static int u128_parse(const char *s, uint64_t v[2])
{
	uint32_t limb[4] = {0, 0, 0, 0};
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		uint64_t carry = (uint64_t)(*s - '0');
		for (int i = 3; i >= 0; i--) {
			uint64_t cur = (uint64_t)limb[i] * 10 + carry;
			limb[i] = (uint32_t)cur;
			carry = cur >> 32;
		}
		if (carry)
			return -1;
	}
	v[1] = (uint64_t)limb[0] << 32 | limb[1];
	v[0] = (uint64_t)limb[2] << 32 | limb[3];
	return 0;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm), so
 * the ISO time reads back without the non-standard timegm. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* ---- records ------------------------------------------------------------------- */

static mc_record *record_alloc(rl_err *e)
{
	mc_record *r = calloc(1, sizeof *r);
	if (!r)
		rl_fail(e, "out of memory for a Monte Carlo record");
	return r;
}

void mc_record_free(mc_record *r)
{
	if (!r)
		return;
	net_spec_free(&r->spec);
	mc_counts_free(&r->result.counts);
	free(r->result.align_predicted);
	free(r);
}

mc_record *mc_record_new(const mc_config *cfg, mc_result *res, rl_err *e)
{
	mc_record *r = record_alloc(e);
	if (!r || net_spec_copy(&r->spec, cfg->spec, e)) {
		free(r);
		mc_result_free(res);
		return NULL;
	}
	r->result = *res;
	free(res);
	r->trials = cfg->trials;
	r->method = cfg->method;
	r->reference = cfg->reference;
	r->stats = cfg->stats;
	r->flip = cfg->flip;
	r->alignment = cfg->alignment;
	r->x_rows = cfg->X->rows;
	r->x_cols = cfg->X->cols;
	r->x_checksum = mc_checksum(cfg->X);
	mc_tuning_get(&r->tuning);
	snprintf(r->version, sizeof r->version, "%s", PACKAGE_VERSION);
	r->shard_index = cfg->shard_count ? cfg->shard_index : 1;
	r->shard_count = cfg->shard_count ? cfg->shard_count : 1;
	r->pieces = 1;
	snprintf(r->kernel, sizeof r->kernel, "%s", kernel_path_name(kernel_get_path()));
	if (gethostname(r->host, sizeof r->host - 1) != 0)
		snprintf(r->host, sizeof r->host, "unknown");
	r->host[sizeof r->host - 1] = '\0';
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	r->finished = (double)now.tv_sec;
	snprintf(r->source, sizeof r->source, "this run");
	return r;
}

static int counts_clone(mc_counts *dst, const mc_counts *src, size_t nt, rl_err *e)
{
	if (mc_counts_init(dst, src->depth, src->points, src->stats, src->neuron_active ? nt : 0, e))
		return -1;
	if (src->alignment && mc_counts_want_alignment(dst, e)) {
		mc_counts_free(dst);
		return -1;
	}
	mc_counts_add(dst, src, nt);
	return 0;
}

/* The experiment's settings of src, with empty counts shaped for it. */
static mc_record *record_like(const mc_record *src, int neuron_active, rl_err *e)
{
	mc_record *r = record_alloc(e);
	if (!r)
		return NULL;
	rl_net_spec spec = r->spec;
	mc_counts counts = r->result.counts;
	*r = *src;
	r->spec = spec;
	r->result.counts = counts;
	r->result.align_predicted = NULL;
	if (net_spec_copy(&r->spec, &src->spec, e)) {
		free(r);
		return NULL;
	}
	const mc_counts *c = &src->result.counts;
	if (mc_counts_init(&r->result.counts, c->depth, c->points, c->stats,
	                   neuron_active ? neuron_total(&src->spec) : 0, e) ||
	    (c->alignment && mc_counts_want_alignment(&r->result.counts, e))) {
		mc_record_free(r);
		return NULL;
	}
	if (src->result.align_predicted) {
		r->result.align_predicted = rl_calloc(src->spec.depth, sizeof(double), "a Monte Carlo record", e);
		if (!r->result.align_predicted) {
			mc_record_free(r);
			return NULL;
		}
		memcpy(r->result.align_predicted, src->result.align_predicted, src->spec.depth * sizeof(double));
	}
	return r;
}

mc_record *mc_record_clone(const mc_record *src, rl_err *e)
{
	mc_record *r = record_like(src, src->result.counts.neuron_active != NULL, e);
	if (!r)
		return NULL;
	mc_counts_free(&r->result.counts);
	if (counts_clone(&r->result.counts, &src->result.counts, neuron_total(&src->spec), e)) {
		memset(&r->result.counts, 0, sizeof r->result.counts);
		mc_record_free(r);
		return NULL;
	}
	return r;
}

const char *mc_record_label(const mc_record *r, char *buf, size_t len)
{
	if (r->line == 0 || r->lines == 1)
		snprintf(buf, len, "%s", r->source);
	else
		snprintf(buf, len, "%s line %zu", r->source, r->line);
	return buf;
}

/* With the line always, for messages about one line among several. */
static const char *label_line(const mc_record *r, char *buf, size_t len)
{
	if (r->line == 0)
		snprintf(buf, len, "%s", r->source);
	else
		snprintf(buf, len, "%s line %zu", r->source, r->line);
	return buf;
}

int mc_record_complete(const mc_record *r)
{
	const mc_result *res = &r->result;
	return !res->interrupted && res->counts.trials == res->requested &&
	       res->last_trial >= res->first_trial && res->last_trial - res->first_trial + 1 == res->requested;
}

/* ---- writing JSON ---------------------------------------------------------------- */

static void sb_law(rl_strbuf *b, const rl_law *law)
{
	rl_sb_put(b, "{");
	json_key(b, "law");
	json_string(b, law_name(law->kind));
	json_key(b, "scale");
	json_string(b, scale_name(law->rule));
	json_key(b, "param");
	json_double(b, law->param);
	rl_sb_put(b, "}");
}

static void write_config(rl_strbuf *b, const mc_record *r)
{
	const rl_net_spec *s = &r->spec;
	json_key(b, "config");
	rl_sb_put(b, "{");
	json_key(b, "depth");
	json_u64(b, s->depth);
	json_key(b, "input");
	json_u64(b, s->input);
	json_key(b, "widths");
	rl_sb_put(b, "[");
	for (size_t l = 0; l < s->depth; l++)
		rl_sb_printf(b, l ? ",%zu" : "%zu", s->widths[l]);
	rl_sb_put(b, "]");
	json_key(b, "weights");
	sb_law(b, &s->weights);
	json_key(b, "bias");
	sb_law(b, &s->bias);
	json_key(b, "arch");
	json_string(b, arch_name(s->arch));
	json_key(b, "seed");
	json_u64(b, s->seed);
	json_key(b, "trials");
	json_u64(b, r->trials);
	json_key(b, "method");
	json_string(b, method_name(r));
	json_key(b, "stats");
	json_string(b, stats_name(r->stats));
	json_key(b, "flip");
	json_bool(b, r->flip);
	json_key(b, "alignment");
	json_bool(b, r->alignment);
	json_key(b, "X");
	rl_sb_put(b, "{");
	json_key(b, "rows");
	json_u64(b, r->x_rows);
	json_key(b, "cols");
	json_u64(b, r->x_cols);
	json_key(b, "checksum");
	rl_sb_printf(b, "\"fnv1a64:%016llx\"", (unsigned long long)r->x_checksum);
	rl_sb_put(b, "}");
	json_key(b, "tuning");
	rl_sb_put(b, "{");
	json_key(b, "ns_variate");
	json_double(b, r->tuning.ns_variate);
	json_key(b, "lazy_l");
	json_double(b, r->tuning.lazy_l);
	json_key(b, "blas_min");
	json_double(b, r->tuning.blas_min);
	rl_sb_put(b, "}}");
}

static void write_counts(rl_strbuf *b, const mc_record *r)
{
	const mc_counts *c = &r->result.counts;
	size_t depth = r->spec.depth;
	json_key(b, "counts");
	rl_sb_put(b, "{");
	json_key(b, "trials");
	json_u64(b, c->trials);
	json_key(b, "alive_trials");
	json_u64(b, c->alive_trials);
	json_key(b, "interrupted");
	json_bool(b, r->result.interrupted);
	json_key(b, "living_sum");
	json_u64(b, c->living_sum);
	char sq[48];
	u128_decimal(c->living_sq, sq);
	json_key(b, "living_sq");
	rl_sb_put(b, sq);
	json_key(b, "min_living");
	if (c->min_living == UINT64_MAX)
		rl_sb_put(b, "null");
	else
		json_u64(b, c->min_living);
	json_key(b, "died_at");
	json_u64_list(b, c->died_at, depth, sizeof *c->died_at);
	json_key(b, "layers");
	rl_sb_put(b, "{");
	json_key(b, "trials_reaching");
	json_u64_list(b, &c->layers[0].trials_reaching, depth, sizeof *c->layers);
	json_key(b, "trials_living");
	json_u64_list(b, &c->layers[0].trials_living, depth, sizeof *c->layers);
	json_key(b, "points_reaching");
	json_u64_list(b, &c->layers[0].points_reaching, depth, sizeof *c->layers);
	json_key(b, "points_living");
	json_u64_list(b, &c->layers[0].points_living, depth, sizeof *c->layers);
	json_key(b, "dead_neurons");
	json_u64_list(b, &c->layers[0].dead_neurons, depth, sizeof *c->layers);
	json_key(b, "trials_active_unit");
	json_u64_list(b, &c->layers[0].trials_active_unit, depth, sizeof *c->layers);
	rl_sb_put(b, "}");
	json_key(b, "layers_explicit");
	json_u64(b, c->layers_explicit);
	json_key(b, "layers_gram");
	json_u64(b, c->layers_gram);
	json_key(b, "trials_lazy");
	json_u64(b, c->trials_lazy);
	json_key(b, "trials_reference");
	json_u64(b, c->trials_reference);
	json_key(b, "trials_all_active");
	json_u64(b, c->trials_all_active);
	json_key(b, "lazy");
	json_bool(b, r->result.lazy);
	if (c->neuron_active) {
		json_key(b, "neuron_active");
		json_u64_list(b, c->neuron_active, neuron_total(&r->spec), sizeof *c->neuron_active);
	}
	if (c->alignment) {
		const rl_alignment_sum *a = c->alignment;
		json_key(b, "alignment");
		rl_sb_put(b, "{");
		json_key(b, "trials");
		json_u64_list(b, a->trials, depth, sizeof *a->trials);
		json_key(b, "sum");
		rl_sb_put(b, "[");
		for (size_t l = 0; l < depth; l++)
			rl_sb_printf(b, l ? ",%lld" : "%lld", (long long)a->sum[l]);
		rl_sb_put(b, "]");
		json_key(b, "sum_sq");
		json_u64_list(b, a->sum_sq, depth, sizeof *a->sum_sq);
		rl_sb_put(b, "}");
	}
	rl_sb_put(b, "}");
}

char *mc_record_to_json(const mc_record *r, rl_err *e)
{
	const mc_result *res = &r->result;
	rl_strbuf b = {0};
	rl_sb_put(&b, "{");
	json_key(&b, "format");
	json_string(&b, MC_FORMAT);
	json_key(&b, "format_version");
	json_u64(&b, MC_FORMAT_VERSION);
	json_key(&b, "relush");
	json_string(&b, r->version);
	write_config(&b, r);
	json_key(&b, "shard");
	rl_sb_put(&b, "{");
	json_key(&b, "i");
	json_u64(&b, r->shard_index);
	json_key(&b, "n");
	json_u64(&b, r->shard_count);
	json_key(&b, "first");
	json_u64(&b, res->first_trial);
	json_key(&b, "last");
	json_u64(&b, res->last_trial);
	json_key(&b, "requested");
	json_u64(&b, res->requested);
	rl_sb_put(&b, "}");
	write_counts(&b, r);
	json_key(&b, "derived");
	rl_sb_put(&b, "{");
	json_key(&b, "lower");
	json_double(&b, res->lower);
	json_key(&b, "upper");
	json_double(&b, res->upper);
	json_key(&b, "union");
	json_double(&b, res->union_bound);
	if (res->align_predicted) {
		json_key(&b, "input_cosine");
		json_double(&b, res->input_cosine);
		json_key(&b, "alignment_predicted");
		rl_sb_put(&b, "[");
		for (size_t l = 0; l < r->spec.depth; l++) {
			if (l)
				rl_sb_put(&b, ",");
			json_double(&b, res->align_predicted[l]);
		}
		rl_sb_put(&b, "]");
	}
	rl_sb_put(&b, "}");
	/* For readers of the file (jq, pandas): derived from the counts, never read back. */
	mc_summary S;
	mc_summarize(res, &S);
	json_key(&b, "summary");
	rl_sb_put(&b, "{");
	json_key(&b, "p_alive");
	json_double(&b, S.p_alive);
	json_key(&b, "ci");
	rl_sb_put(&b, "[");
	json_double(&b, S.ci_lo);
	rl_sb_put(&b, ",");
	json_double(&b, S.ci_hi);
	rl_sb_put(&b, "]");
	json_key(&b, "fraction");
	json_double(&b, S.fraction);
	json_key(&b, "fraction_se");
	json_double(&b, S.fraction_se);
	json_key(&b, "min_fraction");
	json_double(&b, S.min_fraction);
	rl_sb_put(&b, "}");
	json_key(&b, "timing");
	rl_sb_put(&b, "{");
	json_key(&b, "seconds");
	json_double(&b, res->seconds);
	json_key(&b, "rate");
	json_double(&b, res->seconds > 0 ? (double)res->counts.trials / res->seconds : 0.0);
	json_key(&b, "threads");
	json_u64(&b, res->threads);
	json_key(&b, "pieces");
	json_u64(&b, r->pieces);
	json_key(&b, "kernel");
	json_string(&b, r->kernel);
	json_key(&b, "host");
	json_string(&b, r->host);
	time_t t = (time_t)r->finished;
	struct tm tm;
	char when[40] = "1970-01-01T00:00:00Z";
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_key(&b, "finished");
	json_string(&b, when);
	rl_sb_put(&b, "}}");
	if (b.oom) {
		free(b.p);
		rl_fail(e, "out of memory writing a Monte Carlo result as JSON");
		return NULL;
	}
	return b.p;
}

/* ---- from the DOM to a record ------------------------------------------------------- */

typedef struct reader {
	const char *who;         /* "a.jsonl line 3" */
	rl_err *e;
	int failed;
} reader;

static int bad(reader *rd, const char *path, const char *what)
{
	if (!rd->failed)
		rl_fail(rd->e, "%s: '%s' must be %s; the file is damaged, edited or not a relush results file",
		        rd->who, path, what);
	rd->failed = 1;
	return -1;
}

/* obj.key, required; path names it in messages ("counts.died_at"). */
static const jv *need(reader *rd, const jv *obj, const char *key, const char *path, char type,
                      const char *what)
{
	const jv *v = json_get(obj, key);
	if (!v || v->type != type) {
		bad(rd, path, what);
		return NULL;
	}
	return v;
}

static uint64_t read_u64(reader *rd, const jv *obj, const char *key, const char *path)
{
	uint64_t x = 0;
	if (json_to_u64(json_get(obj, key), &x))
		bad(rd, path, "a non-negative integer");
	return x;
}

static double read_double(reader *rd, const jv *obj, const char *key, const char *path, int nullable)
{
	const jv *v = json_get(obj, key);
	if (v && v->type == 'z' && nullable)
		return NAN;
	if (!v || v->type != 'd') {
		bad(rd, path, nullable ? "a number or null" : "a number");
		return NAN;
	}
	return strtod(v->text, NULL);
}

static int read_bool(reader *rd, const jv *obj, const char *key, const char *path)
{
	const jv *v = need(rd, obj, key, path, 'b', "true or false");
	return v ? v->boolean : 0;
}

static const char *read_string(reader *rd, const jv *obj, const char *key, const char *path)
{
	const jv *v = need(rd, obj, key, path, 's', "a string");
	return v ? v->text : "";
}

/* A list of n non-negative integers into out (stride bytes apart). */
static void read_u64_list(reader *rd, const jv *obj, const char *key, const char *path,
                          uint64_t *out, size_t n, size_t stride)
{
	const jv *v = json_get(obj, key);
	char what[64];
	snprintf(what, sizeof what, "a list of %zu non-negative integers", n);
	if (!v || v->type != 'a' || v->n != n) {
		bad(rd, path, what);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (json_to_u64(&v->items[i], (uint64_t *)((char *)out + i * stride))) {
			bad(rd, path, what);
			return;
		}
}

static int name_index(const char *name, const char *(*names)(int), int count)
{
	for (int i = 0; i < count; i++)
		if (strcmp(name, names(i)) == 0)
			return i;
	return -1;
}

static const char *law_at(int i) { return law_name((rl_law_kind)i); }
static const char *scale_at(int i) { return scale_name((rl_scale_rule)i); }
static const char *arch_at(int i) { return arch_name((rl_arch)i); }
static const char *method_at(int i) { return i == 3 ? "reference" : mc_method_name((mc_method)i); }
static const char *stats_at(int i) { return stats_name((mc_stats)i); }

static void read_law(reader *rd, const jv *config, const char *key, rl_law *law)
{
	char path[32];
	snprintf(path, sizeof path, "config.%s", key);
	const jv *o = need(rd, config, key, path, 'o', "an object {law, scale, param}");
	if (!o)
		return;
	int kind = name_index(read_string(rd, o, "law", path), law_at, LAW_LAPLACE + 1);
	int rule = name_index(read_string(rd, o, "scale", path), scale_at, SCALE_GLOROT + 1);
	if (kind < 0 || rule < 0) {
		bad(rd, path, "a law zero, normal, uniform or laplace with a scale fixed, he or glorot");
		return;
	}
	law->kind = (rl_law_kind)kind;
	law->rule = (rl_scale_rule)rule;
	law->param = read_double(rd, o, "param", path, 0);
}

static int enum_field(reader *rd, const jv *obj, const char *key, const char *path,
                      const char *(*names)(int), int count, const char *what)
{
	int i = name_index(read_string(rd, obj, key, path), names, count);
	if (i < 0)
		bad(rd, path, what);
	return i < 0 ? 0 : i;
}

static void read_config(reader *rd, const jv *root, mc_record *r, rl_err *e)
{
	const jv *c = need(rd, root, "config", "config", 'o', "an object");
	if (!c)
		return;
	rl_net_spec *s = &r->spec;
	uint64_t depth = read_u64(rd, c, "depth", "config.depth");
	if (!rd->failed && (depth < 1 || depth > NET_MAX_DEPTH)) {
		bad(rd, "config.depth", "an integer from 1 to 100000000");
		return;
	}
	s->input = (size_t)read_u64(rd, c, "input", "config.input");
	if (rd->failed)
		return;
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
	read_u64_list(rd, c, "widths", "config.widths", w, s->depth, sizeof *w);
	for (size_t l = 0; l < s->depth && !rd->failed; l++) {
		if (w[l] < 1 || w[l] > NET_MAX_WIDTH)
			bad(rd, "config.widths", "a list of integers from 1 to 100000000");
		s->widths[l] = (size_t)w[l];
	}
	free(w);
	read_law(rd, c, "weights", &s->weights);
	read_law(rd, c, "bias", &s->bias);
	s->arch = (rl_arch)enum_field(rd, c, "arch", "config.arch", arch_at, ARCH_BATCHNORM + 1,
	                              "one of plain, residual, dense, skip, batchnorm");
	s->seed = read_u64(rd, c, "seed", "config.seed");
	r->trials = read_u64(rd, c, "trials", "config.trials");
	int m = enum_field(rd, c, "method", "config.method", method_at, 4,
	                   "one of auto, explicit, gram, reference");
	r->reference = m == 3;
	r->method = m == 3 ? MC_METHOD_EXPLICIT : (mc_method)m;
	r->stats = (mc_stats)enum_field(rd, c, "stats", "config.stats", stats_at, 2, "all or alive");
	r->flip = read_bool(rd, c, "flip", "config.flip");
	r->alignment = read_bool(rd, c, "alignment", "config.alignment");
	const jv *X = need(rd, c, "X", "config.X", 'o', "an object {rows, cols, checksum}");
	if (X) {
		r->x_rows = (size_t)read_u64(rd, X, "rows", "config.X.rows");
		r->x_cols = (size_t)read_u64(rd, X, "cols", "config.X.cols");
		const char *sum = read_string(rd, X, "checksum", "config.X.checksum");
		char *end = NULL;
		if (!rd->failed && (strncmp(sum, "fnv1a64:", 8) != 0 || strlen(sum) != 24 ||
		                    (r->x_checksum = strtoull(sum + 8, &end, 16), *end != '\0')))
			bad(rd, "config.X.checksum", "\"fnv1a64:\" and 16 hex digits");
	}
	const jv *t = need(rd, c, "tuning", "config.tuning", 'o', "an object");
	if (t) {
		r->tuning.ns_variate = read_double(rd, t, "ns_variate", "config.tuning.ns_variate", 0);
		r->tuning.lazy_l = read_double(rd, t, "lazy_l", "config.tuning.lazy_l", 0);
		r->tuning.blas_min = read_double(rd, t, "blas_min", "config.tuning.blas_min", 0);
	}
	if (!rd->failed && (r->trials < 1 || r->x_rows < 1 || r->x_cols != s->input))
		bad(rd, "config", "a valid experiment (trials >= 1, X with at least one point of dimension input)");
}

static void read_counts(reader *rd, const jv *root, mc_record *r, rl_err *e)
{
	mc_counts *c = &r->result.counts;
	size_t depth = r->spec.depth;
	const jv *o = need(rd, root, "counts", "counts", 'o', "an object");
	if (!o)
		return;
	const jv *na = json_get(o, "neuron_active");
	size_t nt = neuron_total(&r->spec);
	if (mc_counts_init(c, depth, r->x_rows, r->stats, na ? nt : 0, e) ||
	    (r->alignment && mc_counts_want_alignment(c, e))) {
		rd->failed = 1;
		return;
	}
	c->trials = read_u64(rd, o, "trials", "counts.trials");
	c->alive_trials = read_u64(rd, o, "alive_trials", "counts.alive_trials");
	r->result.interrupted = read_bool(rd, o, "interrupted", "counts.interrupted");
	c->living_sum = read_u64(rd, o, "living_sum", "counts.living_sum");
	const jv *sq = json_get(o, "living_sq");
	if (!sq || sq->type != 'd' || u128_parse(sq->text, c->living_sq))
		bad(rd, "counts.living_sq", "a non-negative integer below 2^128");
	const jv *ml = json_get(o, "min_living");
	if (ml && ml->type == 'z')
		c->min_living = UINT64_MAX;
	else
		c->min_living = read_u64(rd, o, "min_living", "counts.min_living");
	read_u64_list(rd, o, "died_at", "counts.died_at", c->died_at, depth, sizeof *c->died_at);
	const jv *L = need(rd, o, "layers", "counts.layers", 'o', "an object of per-layer lists");
	if (L) {
		read_u64_list(rd, L, "trials_reaching", "counts.layers.trials_reaching",
		              &c->layers[0].trials_reaching, depth, sizeof *c->layers);
		read_u64_list(rd, L, "trials_living", "counts.layers.trials_living",
		              &c->layers[0].trials_living, depth, sizeof *c->layers);
		read_u64_list(rd, L, "points_reaching", "counts.layers.points_reaching",
		              &c->layers[0].points_reaching, depth, sizeof *c->layers);
		read_u64_list(rd, L, "points_living", "counts.layers.points_living",
		              &c->layers[0].points_living, depth, sizeof *c->layers);
		read_u64_list(rd, L, "dead_neurons", "counts.layers.dead_neurons",
		              &c->layers[0].dead_neurons, depth, sizeof *c->layers);
		read_u64_list(rd, L, "trials_active_unit", "counts.layers.trials_active_unit",
		              &c->layers[0].trials_active_unit, depth, sizeof *c->layers);
	}
	c->layers_explicit = read_u64(rd, o, "layers_explicit", "counts.layers_explicit");
	c->layers_gram = read_u64(rd, o, "layers_gram", "counts.layers_gram");
	c->trials_lazy = read_u64(rd, o, "trials_lazy", "counts.trials_lazy");
	c->trials_reference = read_u64(rd, o, "trials_reference", "counts.trials_reference");
	c->trials_all_active = read_u64(rd, o, "trials_all_active", "counts.trials_all_active");
	r->result.lazy = read_bool(rd, o, "lazy", "counts.lazy");
	if (na)
		read_u64_list(rd, o, "neuron_active", "counts.neuron_active", c->neuron_active, nt,
		              sizeof *c->neuron_active);
	if (r->alignment) {
		rl_alignment_sum *a = c->alignment;
		const jv *A = need(rd, o, "alignment", "counts.alignment", 'o', "an object (alignment = true)");
		if (!A)
			return;
		read_u64_list(rd, A, "trials", "counts.alignment.trials", a->trials, depth, sizeof *a->trials);
		read_u64_list(rd, A, "sum_sq", "counts.alignment.sum_sq", a->sum_sq, depth, sizeof *a->sum_sq);
		const jv *S = json_get(A, "sum");
		if (!S || S->type != 'a' || S->n != depth) {
			bad(rd, "counts.alignment.sum", "a list of one integer per layer");
			return;
		}
		for (size_t l = 0; l < depth; l++) {
			const jv *x = &S->items[l];
			char *end = NULL;
			errno = 0;
			a->sum[l] = x->type == 'd' ? (int64_t)strtoll(x->text, &end, 10) : 0;
			if (x->type != 'd' || *end != '\0' || errno == ERANGE) {
				bad(rd, "counts.alignment.sum", "a list of one integer per layer");
				return;
			}
		}
	}
}

static void read_shard(reader *rd, const jv *root, mc_record *r)
{
	const jv *o = need(rd, root, "shard", "shard", 'o', "an object {i, n, first, last, requested}");
	if (!o)
		return;
	r->shard_index = read_u64(rd, o, "i", "shard.i");
	r->shard_count = read_u64(rd, o, "n", "shard.n");
	r->result.first_trial = read_u64(rd, o, "first", "shard.first");
	r->result.last_trial = read_u64(rd, o, "last", "shard.last");
	r->result.requested = read_u64(rd, o, "requested", "shard.requested");
	if (rd->failed)
		return;
	if (r->shard_count < 1 || r->shard_index < 1 || r->shard_index > r->shard_count ||
	    r->shard_count > r->trials) {
		bad(rd, "shard", "{i, n} with 1 <= i <= n <= trials");
		return;
	}
	/* The range must be the shard's: a check that the line is intact. */
	uint64_t first, count;
	mc_shard_range(r->trials, r->shard_index, r->shard_count, &first, &count);
	if (r->result.first_trial != first || r->result.requested != count ||
	    r->result.last_trial != first + count - 1) {
		if (!rd->failed)
			rl_fail(rd->e, "%s: shard %llu/%llu of %llu trials is trials %llu..%llu, but the line says "
			        "%llu..%llu (%llu requested); the file is damaged or edited", rd->who,
			        (unsigned long long)r->shard_index, (unsigned long long)r->shard_count,
			        (unsigned long long)r->trials, (unsigned long long)first,
			        (unsigned long long)(first + count - 1), (unsigned long long)r->result.first_trial,
			        (unsigned long long)r->result.last_trial, (unsigned long long)r->result.requested);
		rd->failed = 1;
	}
}

static void read_rest(reader *rd, const jv *root, mc_record *r, rl_err *e)
{
	mc_result *res = &r->result;
	const jv *d = need(rd, root, "derived", "derived", 'o', "an object");
	if (d) {
		res->lower = read_double(rd, d, "lower", "derived.lower", 1);
		res->upper = read_double(rd, d, "upper", "derived.upper", 1);
		res->union_bound = read_double(rd, d, "union", "derived.union", 1);
		const jv *ap = json_get(d, "alignment_predicted");
		if (ap && !rd->failed) {
			res->input_cosine = read_double(rd, d, "input_cosine", "derived.input_cosine", 1);
			if (ap->type != 'a' || ap->n != r->spec.depth) {
				bad(rd, "derived.alignment_predicted", "a list of one number (or null) per layer");
			} else if ((res->align_predicted = rl_calloc(r->spec.depth, sizeof(double),
			                                             "a Monte Carlo record", e)) == NULL) {
				rd->failed = 1;
			} else {
				for (size_t l = 0; l < r->spec.depth; l++) {
					const jv *x = &ap->items[l];
					if (x->type != 'd' && x->type != 'z')
						bad(rd, "derived.alignment_predicted", "a list of one number (or null) per layer");
					res->align_predicted[l] = x->type == 'd' ? strtod(x->text, NULL) : NAN;
				}
			}
		}
	}
	const jv *t = need(rd, root, "timing", "timing", 'o', "an object");
	if (!t)
		return;
	res->seconds = read_double(rd, t, "seconds", "timing.seconds", 1);
	if (isnan(res->seconds))
		res->seconds = 0;
	res->threads = (unsigned)read_u64(rd, t, "threads", "timing.threads");
	r->pieces = read_u64(rd, t, "pieces", "timing.pieces");
	if (!rd->failed && r->pieces < 1)
		bad(rd, "timing.pieces", "an integer >= 1");
	const jv *k = json_get(t, "kernel"), *h = json_get(t, "host"), *f = json_get(t, "finished");
	snprintf(r->kernel, sizeof r->kernel, "%s", k && k->type == 's' ? k->text : "unknown");
	snprintf(r->host, sizeof r->host, "%s", h && h->type == 's' ? h->text : "unknown");
	int Y, M, D, hh, mm, ss;
	if (f && f->type == 's' && sscanf(f->text, "%d-%d-%dT%d:%d:%dZ", &Y, &M, &D, &hh, &mm, &ss) == 6 &&
	    M >= 1 && M <= 12 && D >= 1 && D <= 31)
		r->finished = (double)days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400.0 + hh * 3600.0 +
		              mm * 60.0 + ss;
}

mc_record *mc_record_from_json(const char *text, size_t len, const char *source,
                               size_t line, size_t lines, rl_err *e)
{
	mc_record *r = record_alloc(e);
	if (!r)
		return NULL;
	snprintf(r->source, sizeof r->source, "%s", source);
	r->line = line;
	r->lines = lines;
	char who[MC_SOURCE_LEN + 32];
	mc_record_label(r, who, sizeof who);
	/* the tree may take half the memory limit; the record built from it
	 * is far smaller */
	jv root;
	const char *expected;
	size_t column;
	int rc = json_parse(text, len, (double)rl_mem_limit() / 2, &root, &expected, &column);
	if (rc) {
		if (strcmp(expected, "memory") == 0)
			rl_fail(e, "out of memory reading %s", who);
		else if (strcmp(expected, "budget") == 0)
			rl_fail(e, "reading %s would need more than half the memory limit (%zu bytes of JSON "
			        "holding that many values is not a relush result; set RELUSH_MEM_LIMIT or "
			        "limits.memory to change the limit)", who, len);
		else
			rl_fail(e, "%s is not valid JSON (column %zu: expected %s)", who, column, expected);
		jv_free(&root);
		free(r);
		return NULL;
	}
	reader rd = {who, e, 0};
	const jv *format = json_get(&root, "format");
	uint64_t fv = 0;
	if (root.type != 'o' || !format || format->type != 's' || strcmp(format->text, MC_FORMAT) != 0) {
		rl_fail(e, "%s is not a relush Monte Carlo result (it has no \"format\": \"" MC_FORMAT "\"); "
		        "results files are written by r:save(path) and mc{..., out = path}", who);
		rd.failed = 1;
	} else if (json_to_u64(json_get(&root, "format_version"), &fv) || fv < 1 || fv > MC_FORMAT_VERSION) {
		rl_fail(e, "%s has format_version %s, but this relush (%s) reads version %d: "
		        "use the relush that wrote it, or a newer one", who,
		        json_get(&root, "format_version") && json_get(&root, "format_version")->type == 'd'
		            ? json_get(&root, "format_version")->text : "(none)",
		        PACKAGE_VERSION, MC_FORMAT_VERSION);
		rd.failed = 1;
	}
	if (!rd.failed)
		snprintf(r->version, sizeof r->version, "%s", read_string(&rd, &root, "relush", "relush"));
	if (!rd.failed)
		read_config(&rd, &root, r, e);
	if (!rd.failed)
		read_shard(&rd, &root, r);
	if (!rd.failed)
		read_counts(&rd, &root, r, e);
	if (!rd.failed)
		read_rest(&rd, &root, r, e);
	char field[64], why[200];
	if (!rd.failed && mc_record_check_counts(r, field, sizeof field, why, sizeof why))
		bad(&rd, field, why);
	jv_free(&root);
	if (rd.failed) {
		mc_record_free(r);
		return NULL;
	}
	return r;
}

/* ---- files ---------------------------------------------------------------------------- */

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

void mc_records_free(mc_record **recs, size_t count)
{
	if (!recs)
		return;
	for (size_t i = 0; i < count; i++)
		mc_record_free(recs[i]);
	free(recs);
}

int mc_records_load(const char *path, mc_record ***out, size_t *count, rl_err *e)
{
	*out = NULL;
	*count = 0;
	rl_reader rd;
	/* the text read is bounded by the memory limit, a line by a quarter of it */
	if (rl_reader_open(&rd, path, 0, 0, NULL, e))
		return -1;
	mc_record **recs = NULL;
	size_t n = 0, cap = 0, len;
	double held = 0;   /* the records so far, in bytes, against the budget */
	int got;
	while ((got = rl_reader_next(&rd, &len, e)) == 1) {
		if (blank(rd.line, len))
			continue;
		if (n > 0) {
			const mc_record *r = recs[n - 1];
			held += sizeof *r + sizeof r + (double)r->spec.depth * (sizeof(mc_layer_counts) + 64.0);
			char what[MC_SOURCE_LEN + 64];
			snprintf(what, sizeof what, "reading the %zu results of '%s'", n + 1, path);
			if (rl_mem_check(held + (double)len * 2, what, e)) {
				got = -1;
				break;
			}
		}
		if (n == cap) {
			size_t more = cap ? 2 * cap : 16;
			mc_record **bigger = realloc(recs, more * sizeof *recs);
			if (!bigger) {
				got = rl_fail(e, "out of memory reading '%s'", path);
				break;
			}
			recs = bigger;
			cap = more;
		}
		/* a message about a one-line file names the file alone */
		int c = rd.lineno == 1 ? getc(rd.f) : 0;
		int only = c == EOF;
		if (c != EOF && rd.lineno == 1)
			ungetc(c, rd.f);
		if (!(recs[n] = mc_record_from_json(rd.line, len, path, rd.lineno, only, e))) {
			got = -1;
			break;
		}
		n++;
	}
	rl_reader_close(&rd);
	if (got < 0) {
		mc_records_free(recs, n);
		return -1;
	}
	if (n == 0) {
		free(recs);
		return rl_fail(e, "'%s' holds no results (it is empty); results files are written by "
		               "r:save(path) and mc{..., out = path}", path);
	}
	for (size_t i = 0; i < n; i++)   /* labels name the line only among several */
		recs[i]->lines = n;
	*out = recs;
	*count = n;
	return 0;
}

int mc_records_check_path(const char *path, rl_err *e)
{
	if (!*path)
		return rl_fail(e, "the results file name is empty; give a path such as \"results.jsonl\"");
	return rl_check_writable(path, e);
}

int mc_records_save(const char *path, mc_record *const *recs, size_t count, int append, rl_err *e)
{
	rl_strbuf b = {0};
	for (size_t i = 0; i < count; i++) {
		char *line = mc_record_to_json(recs[i], e);
		if (!line) {
			free(b.p);
			return -1;
		}
		rl_sb_put(&b, line);
		rl_sb_put(&b, "\n");
		free(line);
	}
	if (b.oom) {
		free(b.p);
		return rl_fail(e, "out of memory writing '%s'", path);
	}
	int rc = append ? rl_append_atomic(path, b.p ? b.p : "", b.len, e)
	                : rl_write_atomic(path, b.p ? b.p : "", b.len, e);
	free(b.p);
	return rc;
}

/* ---- merging -------------------------------------------------------------------------- */

/* The settings that make an experiment, in the order messages check them. */
enum {
	F_VERSION, F_WIDTHS, F_INPUT, F_WEIGHTS, F_BIAS, F_ARCH, F_SEED, F_TRIALS, F_METHOD, F_STATS,
	F_FLIP, F_ALIGNMENT, F_XSHAPE, F_XSUM, F_TUNING, F_COUNT
};

static int laws_differ(const rl_law *a, const rl_law *b)
{
	return a->kind != b->kind || a->rule != b->rule || memcmp(&a->param, &b->param, sizeof a->param) != 0;
}

static int field_differs(const mc_record *a, const mc_record *b, int k)
{
	switch (k) {
	case F_VERSION: return strcmp(a->version, b->version) != 0;
	case F_WIDTHS:
		return a->spec.depth != b->spec.depth ||
		       memcmp(a->spec.widths, b->spec.widths, a->spec.depth * sizeof *a->spec.widths) != 0;
	case F_INPUT: return a->spec.input != b->spec.input;
	case F_WEIGHTS: return laws_differ(&a->spec.weights, &b->spec.weights);
	case F_BIAS: return laws_differ(&a->spec.bias, &b->spec.bias);
	case F_ARCH: return a->spec.arch != b->spec.arch;
	case F_SEED: return a->spec.seed != b->spec.seed;
	case F_TRIALS: return a->trials != b->trials;
	case F_METHOD: return a->method != b->method || a->reference != b->reference;
	case F_STATS: return a->stats != b->stats;
	case F_FLIP: return a->flip != b->flip;
	case F_ALIGNMENT: return a->alignment != b->alignment;
	case F_XSHAPE: return a->x_rows != b->x_rows || a->x_cols != b->x_cols;
	case F_XSUM: return a->x_checksum != b->x_checksum;
	case F_TUNING:
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
		snprintf(buf, len, "%s %s (%s scale)", what, law_name(law->kind), scale_name(law->rule));
	else
		snprintf(buf, len, "%s %s (parameter %.17g)", what, law_name(law->kind), law->param);
}

/* Field k of r as "seed 1"; other (the record it is compared with) picks
 * the layer shown when two long width lists differ. */
static void describe(const mc_record *r, const mc_record *other, int k, char *buf, size_t len)
{
	const rl_net_spec *s = &r->spec;
	switch (k) {
	case F_VERSION: snprintf(buf, len, "relush version %s", r->version); break;
	case F_WIDTHS:
		if (s->depth != other->spec.depth && (s->depth > 8 || other->spec.depth > 8)) {
			snprintf(buf, len, "depth %zu", s->depth);
		} else {
			size_t l = 0;   /* the first layer where the two differ, if any */
			while (l < s->depth && other->spec.depth == s->depth && s->widths[l] == other->spec.widths[l])
				l++;
			if (s->depth > 8 && l < s->depth) {
				snprintf(buf, len, "width %zu at layer %zu", s->widths[l], l + 1);
				break;
			}
			size_t n = (size_t)snprintf(buf, len, "widths {");
			for (l = 0; l < s->depth && l < 8 && n < len; l++)
				n += (size_t)snprintf(buf + n, len - n, l ? ", %zu" : "%zu", s->widths[l]);
			if (n < len)
				snprintf(buf + n, len - n, s->depth > 8 ? ", ... (depth %zu)}" : "}", s->depth);
		}
		break;
	case F_INPUT: snprintf(buf, len, "input dimension %zu", s->input); break;
	case F_WEIGHTS: describe_law(buf, len, "weights", &s->weights); break;
	case F_BIAS: describe_law(buf, len, "bias", &s->bias); break;
	case F_ARCH: snprintf(buf, len, "arch %s", arch_name(s->arch)); break;
	case F_SEED: snprintf(buf, len, "seed %llu", (unsigned long long)s->seed); break;
	case F_TRIALS: snprintf(buf, len, "trials %llu", (unsigned long long)r->trials); break;
	case F_METHOD: snprintf(buf, len, "method %s", method_name(r)); break;
	case F_STATS: snprintf(buf, len, "stats %s", stats_name(r->stats)); break;
	case F_FLIP: snprintf(buf, len, "flip = %s", r->flip ? "true" : "false"); break;
	case F_ALIGNMENT: snprintf(buf, len, "alignment = %s", r->alignment ? "true" : "false"); break;
	case F_XSHAPE: snprintf(buf, len, "an X of %zu points in d = %zu", r->x_rows, r->x_cols); break;
	case F_XSUM:
		snprintf(buf, len, "X checksum fnv1a64:%016llx", (unsigned long long)r->x_checksum);
		break;
	case F_TUNING:
		snprintf(buf, len, "tuning RELUSH_MC_NS_VARIATE=%.17g RELUSH_MC_LAZY_L=%.17g RELUSH_MC_BLAS_MIN=%.17g",
		         r->tuning.ns_variate, r->tuning.lazy_l, r->tuning.blas_min);
		break;
	}
}

static int count_differences(const mc_record *a, const mc_record *b, int *first)
{
	int n = 0;
	*first = -1;
	for (int k = 0; k < F_COUNT; k++)
		if (field_differs(a, b, k)) {
			if (n++ == 0)
				*first = k;
		}
	return n;
}

static int mismatch_error(const mc_record *a, const mc_record *b, int k, const char *tail, rl_err *e)
{
	char la[MC_SOURCE_LEN + 32], lb[MC_SOURCE_LEN + 32], da[160], db[160];
	describe(a, b, k, da, sizeof da);
	describe(b, a, k, db, sizeof db);
	if ((k == F_WEIGHTS || k == F_BIAS) && strcmp(da, db) == 0) {
		/* the short forms agree (a scaled law's stored parameter, -0 and
		 * 0, ...): show every stored value, down to the bits */
		const rl_law *x = k == F_WEIGHTS ? &a->spec.weights : &a->spec.bias;
		const rl_law *y = k == F_WEIGHTS ? &b->spec.weights : &b->spec.bias;
		uint64_t bx, by;
		memcpy(&bx, &x->param, sizeof bx);
		memcpy(&by, &y->param, sizeof by);
		snprintf(da, sizeof da, "%s %s (scale %s, stored parameter %.17g, bits 0x%016llx)",
		         k == F_WEIGHTS ? "weights" : "bias", law_name(x->kind), scale_name(x->rule), x->param,
		         (unsigned long long)bx);
		snprintf(db, sizeof db, "%s %s (scale %s, stored parameter %.17g, bits 0x%016llx)",
		         k == F_WEIGHTS ? "weights" : "bias", law_name(y->kind), scale_name(y->rule), y->param,
		         (unsigned long long)by);
	}
	const char *why = k == F_XSUM ? " (a different input set of the same shape)" : "";
	return rl_fail(e, "%s has %s but %s has %s%s; %s", mc_record_label(a, la, sizeof la), da,
	               mc_record_label(b, lb, sizeof lb), db, why, tail);
}

typedef struct piece {
	const mc_record *r;
	size_t order;            /* position among the pieces */
} piece;

static int by_range(const void *x, const void *y)
{
	const piece *a = x, *b = y;
	const mc_result *ra = &a->r->result, *rb = &b->r->result;
	if (ra->first_trial != rb->first_trial)
		return ra->first_trial < rb->first_trial ? -1 : 1;
	if (ra->last_trial != rb->last_trial)
		return ra->last_trial < rb->last_trial ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static void shard_text(const mc_record *r, char *buf, size_t len)
{
	if (r->shard_count == 1)
		snprintf(buf, len, "the whole run, trials %llu..%llu", (unsigned long long)r->result.first_trial,
		         (unsigned long long)r->result.last_trial);
	else
		snprintf(buf, len, "shard %llu/%llu, trials %llu..%llu", (unsigned long long)r->shard_index,
		         (unsigned long long)r->shard_count, (unsigned long long)r->result.first_trial,
		         (unsigned long long)r->result.last_trial);
}

/* "2, 5, 7" (the first 16 at most) into buf. */
static void list_numbers(const uint64_t *v, size_t n, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && i < 16 && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, i ? ", %llu" : "%llu", (unsigned long long)v[i]);
}

/* Overlaps and gaps of the pieces' trial ranges (sorted). Sets *missing
 * when trials are missing (and nothing else is wrong). */
static int check_coverage(piece *pc, size_t n, uint64_t trials, int *missing, rl_err *e)
{
	char la[MC_SOURCE_LEN + 32], lb[MC_SOURCE_LEN + 32], sa[96], sb[96];
	qsort(pc, n, sizeof *pc, by_range);
	for (size_t i = 1; i < n; i++) {
		const mc_record *a = pc[i - 1].r, *b = pc[i].r;
		if (b->result.first_trial > a->result.last_trial)
			continue;
		if (pc[i - 1].order > pc[i].order) {
			const mc_record *t = a;
			a = b;
			b = t;
		}
		label_line(a, la, sizeof la);
		label_line(b, lb, sizeof lb);
		if (a->result.first_trial == b->result.first_trial && a->result.last_trial == b->result.last_trial) {
			if (a->shard_count == 1)
				return rl_fail(e, "the whole run (trials 1..%llu) appears twice (%s and %s); "
				               "each trial may be counted once", (unsigned long long)trials, la, lb);
			if (a->shard_count == b->shard_count && strcmp(la, lb) == 0)
				return rl_fail(e, "shard %llu/%llu appears twice (%s, given twice); each shard may be "
				               "merged once", (unsigned long long)a->shard_index,
				               (unsigned long long)a->shard_count, la);
			if (a->shard_count == b->shard_count)
				return rl_fail(e, "shard %llu/%llu appears twice (%s and %s); each shard may be "
				               "merged once", (unsigned long long)a->shard_index,
				               (unsigned long long)a->shard_count, la, lb);
		}
		shard_text(a, sa, sizeof sa);
		shard_text(b, sb, sizeof sb);
		return rl_fail(e, "%s (%s) and %s (%s) overlap; each trial may be counted once",
		               mc_record_label(a, la, sizeof la), sa, mc_record_label(b, lb, sizeof lb), sb);
	}
	/* gaps */
	uint64_t next = 1;
	int gaps = 0;
	for (size_t i = 0; i < n; i++) {
		gaps |= pc[i].r->result.first_trial != next;
		next = pc[i].r->result.last_trial + 1;
	}
	gaps |= next != trials + 1;
	if (!gaps)
		return 0;
	*missing = 1;
	uint64_t N = pc[0].r->shard_count;
	int same_n = 1;
	for (size_t i = 1; i < n; i++)
		same_n &= pc[i].r->shard_count == N;
	char list[200];
	if (same_n && N > 1) {
		/* the pieces are sorted by trial range, hence by shard index: the
		 * absent ones are the gaps (listed up to 16, counted without a
		 * list N long: N comes from the file) */
		uint64_t absent[17], count = 0, s = 1;
		size_t shown = 0;
		for (size_t j = 0; j <= n; j++) {
			uint64_t upto = j < n ? pc[j].r->shard_index : N + 1;
			if (upto > s) {
				for (uint64_t a = s; a < upto && shown < 17; a++)
					absent[shown++] = a;
				count += upto - s;
			}
			if (j < n && pc[j].r->shard_index >= s)
				s = pc[j].r->shard_index + 1;
		}
		list_numbers(absent, shown, list, sizeof list);
		if (count > 16) {
			size_t used = strlen(list);
			snprintf(list + used, sizeof list - used, ", ... (%llu in all)", (unsigned long long)count);
		}
		return rl_fail(e, "%s %s of %llu %s missing; merge every shard of the experiment",
		               count == 1 ? "shard" : "shards", list, (unsigned long long)N,
		               count == 1 ? "is" : "are");
	}
	/* shards of different counts: name the trial ranges */
	size_t used = 0, count = 0;
	list[0] = '\0';
	next = 1;
	for (size_t i = 0; i <= n; i++) {
		uint64_t first = i < n ? pc[i].r->result.first_trial : trials + 1;
		if (first > next) {
			if (count < 6 && used < sizeof list)
				used += (size_t)snprintf(list + used, sizeof list - used, count ? ", %llu..%llu" : "%llu..%llu",
				                         (unsigned long long)next, (unsigned long long)(first - 1));
			count++;
		}
		if (i < n)
			next = pc[i].r->result.last_trial + 1;
	}
	return rl_fail(e, "trials %s%s of 1..%llu are missing; merge every shard of the experiment",
	               list, count > 6 ? ", ..." : "", (unsigned long long)trials);
}

static mc_record *merge_kept(mc_record *const *pieces, size_t n, int *missing, rl_err *e);

/* An interrupted piece whose shard was run again to completion is left
 * out (the complete line supersedes it) and the merged record's note says
 * so; an interrupted piece without such a twin still stops the merge. */
static mc_record *merge_group(mc_record *const *pieces, size_t n, int *missing, rl_err *e)
{
	mc_record **kept = malloc((n ? n : 1) * sizeof *kept);
	if (!kept) {
		rl_fail(e, "out of memory merging results");
		return NULL;
	}
	size_t k = 0, dropped = 0;
	const mc_record *first_old = NULL, *first_new = NULL;
	for (size_t i = 0; i < n; i++) {
		const mc_record *twin = NULL;
		int d;
		for (size_t j = 0; j < n && !mc_record_complete(pieces[i]) && !twin; j++)
			if (j != i && mc_record_complete(pieces[j]) &&
			    pieces[j]->shard_index == pieces[i]->shard_index &&
			    pieces[j]->shard_count == pieces[i]->shard_count &&
			    count_differences(pieces[i], pieces[j], &d) == 0)
				twin = pieces[j];
		if (!twin) {
			kept[k++] = pieces[i];
		} else if (dropped++ == 0) {
			first_old = pieces[i];
			first_new = twin;
		}
	}
	mc_record *out = merge_kept(kept, k, missing, e);
	free(kept);
	if (out && dropped) {
		char la[MC_SOURCE_LEN + 32], lb[MC_SOURCE_LEN + 32], sa[96];
		shard_text(first_old, sa, sizeof sa);
		snprintf(out->note, sizeof out->note, "%s (%s, interrupted after %llu of its %llu trials) "
		         "was left out: %s is a complete run of the same shard%s",
		         label_line(first_old, la, sizeof la), sa,
		         (unsigned long long)first_old->result.counts.trials,
		         (unsigned long long)first_old->result.requested, label_line(first_new, lb, sizeof lb),
		         dropped > 1 ? " (and so were other interrupted pieces with complete reruns)" : "");
	}
	return out;
}

static mc_record *merge_kept(mc_record *const *pieces, size_t n, int *missing, rl_err *e)
{
	char la[MC_SOURCE_LEN + 32], sa[96];
	*missing = 0;
	if (n == 0) {
		rl_fail(e, "nothing to merge: give at least one result or results file");
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!mc_record_complete(pieces[i])) {
			const mc_record *r = pieces[i];
			shard_text(r, sa, sizeof sa);
			rl_fail(e, "%s (%s) was interrupted: %llu of its %llu trials were counted; run it "
			        "again to completion before merging", mc_record_label(r, la, sizeof la), sa,
			        (unsigned long long)r->result.counts.trials, (unsigned long long)r->result.requested);
			return NULL;
		}
	for (size_t i = 1; i < n; i++) {
		int k;
		if (count_differences(pieces[0], pieces[i], &k)) {
			mismatch_error(pieces[0], pieces[i], k,
			               "the pieces of one experiment must agree on every setting", e);
			return NULL;
		}
	}
	piece *pc = malloc(n * sizeof *pc);
	if (!pc) {
		rl_fail(e, "out of memory merging results");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		pc[i].r = pieces[i];
		pc[i].order = i;
	}
	int rc = check_coverage(pc, n, pieces[0]->trials, missing, e);
	free(pc);
	if (rc)
		return NULL;

	char why[160];
	if (mc_merge_check_sums(pieces, n, why, sizeof why)) {
		rl_fail(e, "cannot merge: %s; the pieces are damaged or edited", why);
		return NULL;
	}
	int all_neurons = 1;
	for (size_t i = 0; i < n; i++)
		all_neurons &= pieces[i]->result.counts.neuron_active != NULL;
	mc_record *out = record_like(pieces[0], all_neurons, e);
	if (!out)
		return NULL;
	mc_result *res = &out->result;
	size_t nt = neuron_total(&out->spec);
	res->first_trial = 1;
	res->last_trial = out->trials;
	res->requested = out->trials;
	res->seconds = 0;
	res->threads = 0;
	res->interrupted = 0;
	res->lazy = 0;
	out->shard_index = out->shard_count = 1;
	out->pieces = 0;
	out->finished = 0;
	for (size_t i = 0; i < n; i++) {
		const mc_record *p = pieces[i];
		mc_counts_add(&res->counts, &p->result.counts, nt);
		res->seconds += p->result.seconds;
		if (p->result.threads > res->threads)
			res->threads = p->result.threads;
		res->lazy |= p->result.lazy;
		out->pieces += p->pieces;
		if (p->finished > out->finished)
			out->finished = p->finished;
		if (strcmp(p->kernel, out->kernel) != 0)
			snprintf(out->kernel, sizeof out->kernel, "mixed");
		if (strcmp(p->host, out->host) != 0)
			snprintf(out->host, sizeof out->host, "(several)");
	}
	snprintf(out->source, sizeof out->source, "the merged result");
	out->line = out->lines = 0;
	out->note[0] = '\0';
	return out;
}

mc_record *mc_merge(mc_record *const *pieces, size_t count, rl_err *e)
{
	int missing;
	return merge_group(pieces, count, &missing, e);
}

/* Do the pieces of groups g and h together cover the trials exactly once? */
static int complement(mc_record *const *pieces, size_t count, const size_t *group, size_t g, size_t h)
{
	piece *pc = malloc(count * sizeof *pc);
	size_t n = 0;
	uint64_t trials = 0;
	if (!pc)
		return 0;
	for (size_t i = 0; i < count; i++)
		if (group[i] == g || group[i] == h) {
			pc[n].r = pieces[i];
			pc[n].order = i;
			n++;
			if (group[i] == g)
				trials = pieces[i]->trials;
		}
	rl_err scratch;
	int missing = 0, ok = check_coverage(pc, n, trials, &missing, &scratch) == 0;
	free(pc);
	return ok;
}

/* Prefixes e's message with the experiment it is about (a sweep has many). */
static void name_experiment(const mc_record *r, rl_err *e)
{
	char label[MC_SOURCE_LEN + 32], widths[96], msg[sizeof e->msg];
	snprintf(msg, sizeof msg, "%s", e->msg);
	const rl_net_spec *s = &r->spec;
	size_t l = 1;
	while (l < s->depth && s->widths[l] == s->widths[0])
		l++;
	if (l == s->depth)
		snprintf(widths, sizeof widths, "depth %zu, width %zu", s->depth, s->widths[0]);
	else
		describe(r, r, F_WIDTHS, widths, sizeof widths);
	rl_fail(e, "the experiment of %s (%s net, %s, seed %llu, %llu trials): %s", label_line(r, label, sizeof label),
	        arch_name(r->spec.arch), widths, (unsigned long long)r->spec.seed, (unsigned long long)r->trials, msg);
}

int mc_merge_sweep(mc_record *const *pieces, size_t count, mc_record ***out, size_t *nout, rl_err *e)
{
	*out = NULL;
	*nout = 0;
	if (count == 0)
		return rl_fail(e, "nothing to merge: give at least one result or results file");
	size_t *group = malloc(count * sizeof *group), *first = malloc(count * sizeof *first);
	mc_record **members = malloc(count * sizeof *members);
	mc_record **merged = calloc(count, sizeof *merged);
	size_t groups = 0;
	int rc = 0;
	if (!group || !first || !members || !merged) {
		rc = rl_fail(e, "out of memory merging results");
		goto done;
	}
	for (size_t i = 0; i < count; i++) {
		size_t g = 0;
		int k;
		while (g < groups && count_differences(pieces[first[g]], pieces[i], &k))
			g++;
		if (g == groups)
			first[groups++] = i;
		group[i] = g;
	}
	for (size_t g = 0; g < groups && rc == 0; g++) {
		size_t m = 0;
		for (size_t i = 0; i < count; i++)
			if (group[i] == g)
				members[m++] = pieces[i];
		int missing;
		merged[g] = merge_group(members, m, &missing, e);
		if (merged[g])
			continue;
		rc = -1;
		int explained = 0;
		/* An incomplete experiment next to another one that differs in one
		 * setting and holds exactly the missing trials: most likely one
		 * experiment whose pieces disagree. Say so. */
		for (size_t h = 0; h < groups && missing; h++) {
			int k;
			if (h == g || count_differences(pieces[first[g]], pieces[first[h]], &k) != 1 ||
			    !complement(pieces, count, group, g, h))
				continue;
			const mc_record *a = pieces[first[g]], *b = pieces[first[h]];
			if (first[h] < first[g]) {
				a = pieces[first[h]];
				b = pieces[first[g]];
			}
			mismatch_error(a, b, k, "the pieces of one experiment must agree on every setting", e);
			explained = 1;
			break;
		}
		if (!explained && groups > 1)
			name_experiment(pieces[first[g]], e);
	}
done:
	if (rc) {
		for (size_t g = 0; g < count && merged; g++)
			mc_record_free(merged[g]);
		free(merged);
	} else {
		*out = merged;
		*nout = groups;
	}
	free(group);
	free(first);
	free(members);
	return rc;
}
