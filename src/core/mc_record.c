/* mc_record.c: Monte Carlo results as records (relush/mc.h): the record's
 * lifecycle, one JSON line per result, and results files written atomically
 * and loaded. Integers keep all 64 (living_sq: 128) bits. Reading a line back
 * is mc_record_read.c's, merging mc_merge.c's, the JSON itself json.c's. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "relush/alloc.h"
#include "relush/death.h"
#include "relush/files.h"
#include "relush/mc.h"
#include "json.h"
#include "kernel.h"

#include "mc_record_impl.h"

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

size_t mcr_neuron_total(const rl_net_spec *s)
{
	size_t t = 0;
	for (size_t l = 0; l < s->depth; l++)
		t += s->widths[l];
	return t;
}

const char *mcr_method_name(const mc_record *r)
{
	return r->reference ? "reference" : mc_method_name(r->method);
}

const char *mcr_stats_name(mc_stats s)
{
	return s == MC_STATS_ALIVE ? "alive" : "all";
}

const char *mcr_scale_name(rl_scale_rule r)
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
int mcr_u128_parse(const char *s, uint64_t v[2])
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
long mcr_days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* ---- records ------------------------------------------------------------------- */

mc_record *mcr_record_alloc(rl_err *e)
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
	mc_record *r = mcr_record_alloc(e);
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
	r->x_default = cfg->x_default;
	r->never_living = net_never_living(cfg->spec, cfg->X);
	mc_tuning_get(&r->tuning);
	snprintf(r->version, sizeof r->version, "%s", PACKAGE_VERSION);
	r->generator = mc_generator_current();
	r->float32_fma = cfg->spec->precision != PRECISION_SINGLE ? MC_FMA_NONE
	               : kernel_single_fused() ? MC_FMA_FUSED : MC_FMA_UNFUSED;
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

/* The experiment's settings of src, with empty counts shaped for it. */
mc_record *mcr_record_like(const mc_record *src, int neuron_active, rl_err *e)
{
	mc_record *r = mcr_record_alloc(e);
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
	                   neuron_active ? mcr_neuron_total(&src->spec) : 0, e) ||
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

const char *mc_record_label(const mc_record *r, char *buf, size_t len)
{
	if (r->line == 0 || r->lines == 1)
		snprintf(buf, len, "%s", r->source);
	else
		snprintf(buf, len, "%s line %zu", r->source, r->line);
	return buf;
}

/* With the line always, for messages about one line among several. */
const char *mcr_label_line(const mc_record *r, char *buf, size_t len)
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

static void write_counts(rl_strbuf *b, const mc_record *r)
{
	const mc_counts *c = &r->result.counts;
	size_t depth = r->spec.depth;
	json_open(b, "counts", "{");
	json_field_u64(b, "trials", c->trials);
	json_field_u64(b, "alive_trials", c->alive_trials);
	json_field_bool(b, "interrupted", r->result.interrupted);
	json_field_u64(b, "living_sum", c->living_sum);
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
	json_open(b, "layers", "{");
	for (const mcr_count_field *f = mcr_layer_fields; f->key; f++) {
		json_key(b, f->key);
		json_u64_list(b, (const uint64_t *)((const char *)c->layers + f->offset), depth, sizeof *c->layers);
	}
	rl_sb_put(b, "}");
	for (const mcr_count_field *f = mcr_counter_fields; f->key; f++) {
		json_key(b, f->key);
		json_u64(b, *(const uint64_t *)((const char *)c + f->offset));
	}
	json_field_bool(b, "lazy", r->result.lazy);
	if (c->neuron_active) {
		json_key(b, "neuron_active");
		json_u64_list(b, c->neuron_active, mcr_neuron_total(&r->spec), sizeof *c->neuron_active);
	}
	if (c->alignment) {
		const rl_alignment_sum *a = c->alignment;
		json_open(b, "alignment", "{");
		json_key(b, "trials");
		json_u64_list(b, a->trials, depth, sizeof *a->trials);
		json_open(b, "sum", "[");
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
	json_field_string(&b, "format", MC_FORMAT);
	json_field_u64(&b, "format_version", MC_FORMAT_VERSION);
	json_field_string(&b, "relush", r->version);
	mcr_write_config(&b, r);
	json_open(&b, "shard", "{");
	json_field_u64(&b, "i", r->shard_index);
	json_field_u64(&b, "n", r->shard_count);
	json_field_u64(&b, "first", res->first_trial);
	json_field_u64(&b, "last", res->last_trial);
	json_field_u64(&b, "requested", res->requested);
	rl_sb_put(&b, "}");
	write_counts(&b, r);
	json_open(&b, "derived", "{");
	json_field_double(&b, "lower", res->lower);
	json_field_double(&b, "upper", res->upper);
	json_field_double(&b, "union", res->union_bound);
	if (res->align_predicted) {
		json_field_double(&b, "input_cosine", res->input_cosine);
		json_open(&b, "alignment_predicted", "[");
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
	json_open(&b, "summary", "{");
	json_field_double(&b, "p_alive", S.p_alive);
	json_open(&b, "ci", "[");
	json_double(&b, S.ci_lo);
	rl_sb_put(&b, ",");
	json_double(&b, S.ci_hi);
	rl_sb_put(&b, "]");
	json_field_double(&b, "fraction", S.fraction);
	json_field_double(&b, "fraction_se", S.fraction_se);
	json_field_double(&b, "min_fraction", S.min_fraction);
	rl_sb_put(&b, "}");
	json_open(&b, "timing", "{");
	json_field_double(&b, "seconds", res->seconds);
	json_field_double(&b, "rate", res->seconds > 0 ? (double)res->counts.trials / res->seconds : 0.0);
	json_field_u64(&b, "threads", res->threads);
	json_field_u64(&b, "pieces", r->pieces);
	json_field_string(&b, "kernel", r->kernel);
	json_field_string(&b, "host", r->host);
	time_t t = (time_t)r->finished;
	struct tm tm;
	char when[40] = "1970-01-01T00:00:00Z";
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_field_string(&b, "finished", when);
	rl_sb_put(&b, "}}");
	if (b.oom) {
		free(b.p);
		rl_fail(e, "out of memory writing a Monte Carlo result as JSON");
		return NULL;
	}
	return b.p;
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

/* Results are written only where a results file is or may be: a new file,
 * an empty one, a device or FIFO (written in place, never read), or a file
 * whose first line (blank lines skipped) is a results line. Anything else
 * (a CSV, a plot, notes) is refused before a byte is written: appending to
 * it would damage it and make the results unreadable, replacing it would
 * lose it; a typo in a path must not cost the user a file. */
static int results_target(const char *path, rl_err *e)
{
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;   /* new, a device, or empty; rl_check_writable judges the rest */
	rl_reader rd;
	/* only its first lines are read (each within the line limit): a big
	 * results file is appended to without being held, as always */
	if (rl_reader_open(&rd, path, 0, SIZE_MAX, NULL, e))
		return -1;
	size_t len = 0;
	int got;
	while ((got = rl_reader_next(&rd, &len, e)) == 1 && blank(rd.line, len))
		;
	mc_record *r = NULL;
	rl_err why = {0};
	if (got == 1)
		r = mc_record_from_json(rd.line, len, path, rd.lineno, 0, &why);
	rl_reader_close(&rd);
	if (got < 0) {
		why = *e;
		return rl_fail(e, "cannot tell whether '%s' is a relush results file, so nothing was written "
		               "to it (%s); give another path", path, why.msg);
	}
	if (got == 0 || r) {   /* blank lines only, or a results file */
		mc_record_free(r);
		return 0;
	}
	return rl_fail(e, "'%s' is not a relush results file, so nothing was written to it (%s); results "
	               "go to a new or empty file or are added to a results file (JSON Lines from r:save "
	               "or mc{out=}): give another path", path, why.msg);
}

int mc_records_check_path(const char *path, rl_err *e)
{
	if (!*path)
		return rl_fail(e, "the results file name is empty; give a path such as \"results.jsonl\"");
	return rl_check_writable(path, e) || results_target(path, e) ? -1 : 0;
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
	if (results_target(path, e)) {   /* made or changed since a check before a run */
		free(b.p);
		return -1;
	}
	int rc = append ? rl_append_atomic(path, b.p ? b.p : "", b.len, e)
	                : rl_write_atomic(path, b.p ? b.p : "", b.len, e);
	free(b.p);
	return rc;
}
