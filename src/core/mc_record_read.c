/* mc_record_read.c: a results line back into a record (relush/mc.h): the
 * JSON DOM (json.c) checked field by field, every failure naming the field's
 * path and what it must be. The counts' own consistency is mc_check.c's. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/mc.h"
#include "json.h"
#include "mc_record_impl.h"

/* ---- from the DOM to a record ------------------------------------------------------- */

int mcr_bad(mcr_reader *rd, const char *path, const char *what)
{
	if (!rd->failed)
		rl_fail(rd->e, "%s: '%s' must be %s; the file is damaged, edited or not a relush results file",
		        rd->who, path, what);
	rd->failed = 1;
	return -1;
}

const jv *mcr_need(mcr_reader *rd, const jv *obj, const char *key, const char *path, char type,
                      const char *what)
{
	const jv *v = json_get(obj, key);
	if (!v || v->type != type) {
		mcr_bad(rd, path, what);
		return NULL;
	}
	return v;
}

uint64_t mcr_read_u64(mcr_reader *rd, const jv *obj, const char *key, const char *path)
{
	uint64_t x = 0;
	if (json_to_u64(json_get(obj, key), &x))
		mcr_bad(rd, path, "a non-negative integer");
	return x;
}

double mcr_read_double(mcr_reader *rd, const jv *obj, const char *key, const char *path, int nullable)
{
	const jv *v = json_get(obj, key);
	if (v && v->type == 'z' && nullable)
		return NAN;
	if (!v || v->type != 'd') {
		mcr_bad(rd, path, nullable ? "a number or null" : "a number");
		return NAN;
	}
	return strtod(v->text, NULL);
}

int mcr_read_bool(mcr_reader *rd, const jv *obj, const char *key, const char *path)
{
	const jv *v = mcr_need(rd, obj, key, path, 'b', "true or false");
	return v ? v->boolean : 0;
}

const char *mcr_read_string(mcr_reader *rd, const jv *obj, const char *key, const char *path)
{
	const jv *v = mcr_need(rd, obj, key, path, 's', "a string");
	return v ? v->text : "";
}

void mcr_read_u64_list(mcr_reader *rd, const jv *obj, const char *key, const char *path,
                          uint64_t *out, size_t n, size_t stride)
{
	const jv *v = json_get(obj, key);
	char what[64];
	snprintf(what, sizeof what, "a list of %zu non-negative integers", n);
	if (!v || v->type != 'a' || v->n != n) {
		mcr_bad(rd, path, what);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (json_to_u64(&v->items[i], (uint64_t *)((char *)out + i * stride))) {
			mcr_bad(rd, path, what);
			return;
		}
}

static void read_counts(mcr_reader *rd, const jv *root, mc_record *r, rl_err *e)
{
	mc_counts *c = &r->result.counts;
	size_t depth = r->spec.depth;
	const jv *o = mcr_need(rd, root, "counts", "counts", 'o', "an object");
	if (!o)
		return;
	const jv *na = json_get(o, "neuron_active");
	size_t nt = mcr_neuron_total(&r->spec);
	if (mc_counts_init(c, depth, r->x_rows, r->stats, na ? nt : 0, e) ||
	    (r->alignment && mc_counts_want_alignment(c, e))) {
		rd->failed = 1;
		return;
	}
	c->trials = mcr_read_u64(rd, o, "trials", "counts.trials");
	c->alive_trials = mcr_read_u64(rd, o, "alive_trials", "counts.alive_trials");
	r->result.interrupted = mcr_read_bool(rd, o, "interrupted", "counts.interrupted");
	c->living_sum = mcr_read_u64(rd, o, "living_sum", "counts.living_sum");
	const jv *sq = json_get(o, "living_sq");
	if (!sq || sq->type != 'd' || mcr_u128_parse(sq->text, c->living_sq))
		mcr_bad(rd, "counts.living_sq", "a non-negative integer below 2^128");
	const jv *ml = json_get(o, "min_living");
	if (ml && ml->type == 'z')
		c->min_living = UINT64_MAX;
	else
		c->min_living = mcr_read_u64(rd, o, "min_living", "counts.min_living");
	mcr_read_u64_list(rd, o, "died_at", "counts.died_at", c->died_at, depth, sizeof *c->died_at);
	const jv *L = mcr_need(rd, o, "layers", "counts.layers", 'o', "an object of per-layer lists");
	if (L) {
		for (const mcr_count_field *f = mcr_layer_fields; f->key; f++) {
			char path[64];
			snprintf(path, sizeof path, "counts.layers.%s", f->key);
			mcr_read_u64_list(rd, L, f->key, path, (uint64_t *)((char *)c->layers + f->offset), depth,
			                  sizeof *c->layers);
		}
	}
	for (const mcr_count_field *f = mcr_counter_fields; f->key; f++) {
		char path[64];
		snprintf(path, sizeof path, "counts.%s", f->key);
		*(uint64_t *)((char *)c + f->offset) = mcr_read_u64(rd, o, f->key, path);
	}
	r->result.lazy = mcr_read_bool(rd, o, "lazy", "counts.lazy");
	if (na)
		mcr_read_u64_list(rd, o, "neuron_active", "counts.neuron_active", c->neuron_active, nt,
		              sizeof *c->neuron_active);
	if (r->alignment) {
		rl_alignment_sum *a = c->alignment;
		const jv *A = mcr_need(rd, o, "alignment", "counts.alignment", 'o', "an object (alignment = true)");
		if (!A)
			return;
		mcr_read_u64_list(rd, A, "trials", "counts.alignment.trials", a->trials, depth, sizeof *a->trials);
		mcr_read_u64_list(rd, A, "sum_sq", "counts.alignment.sum_sq", a->sum_sq, depth, sizeof *a->sum_sq);
		const jv *S = json_get(A, "sum");
		if (!S || S->type != 'a' || S->n != depth) {
			mcr_bad(rd, "counts.alignment.sum", "a list of one integer per layer");
			return;
		}
		for (size_t l = 0; l < depth; l++) {
			const jv *x = &S->items[l];
			char *end = NULL;
			errno = 0;
			a->sum[l] = x->type == 'd' ? (int64_t)strtoll(x->text, &end, 10) : 0;
			if (x->type != 'd' || *end != '\0' || errno == ERANGE) {
				mcr_bad(rd, "counts.alignment.sum", "a list of one integer per layer");
				return;
			}
		}
	}
}

static void read_shard(mcr_reader *rd, const jv *root, mc_record *r)
{
	const jv *o = mcr_need(rd, root, "shard", "shard", 'o', "an object {i, n, first, last, requested}");
	if (!o)
		return;
	r->shard_index = mcr_read_u64(rd, o, "i", "shard.i");
	r->shard_count = mcr_read_u64(rd, o, "n", "shard.n");
	r->result.first_trial = mcr_read_u64(rd, o, "first", "shard.first");
	r->result.last_trial = mcr_read_u64(rd, o, "last", "shard.last");
	r->result.requested = mcr_read_u64(rd, o, "requested", "shard.requested");
	if (rd->failed)
		return;
	if (r->shard_count < 1 || r->shard_index < 1 || r->shard_index > r->shard_count ||
	    r->shard_count > r->trials) {
		mcr_bad(rd, "shard", "{i, n} with 1 <= i <= n <= trials");
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

static void read_rest(mcr_reader *rd, const jv *root, mc_record *r, rl_err *e)
{
	mc_result *res = &r->result;
	const jv *d = mcr_need(rd, root, "derived", "derived", 'o', "an object");
	if (d) {
		res->lower = mcr_read_double(rd, d, "lower", "derived.lower", 1);
		res->upper = mcr_read_double(rd, d, "upper", "derived.upper", 1);
		res->union_bound = mcr_read_double(rd, d, "union", "derived.union", 1);
		const jv *ap = json_get(d, "alignment_predicted");
		if (ap && !rd->failed) {
			res->input_cosine = mcr_read_double(rd, d, "input_cosine", "derived.input_cosine", 1);
			if (ap->type != 'a' || ap->n != r->spec.depth) {
				mcr_bad(rd, "derived.alignment_predicted", "a list of one number (or null) per layer");
			} else if ((res->align_predicted = rl_calloc(r->spec.depth, sizeof(double),
			                                             "a Monte Carlo record", e)) == NULL) {
				rd->failed = 1;
			} else {
				for (size_t l = 0; l < r->spec.depth; l++) {
					const jv *x = &ap->items[l];
					if (x->type != 'd' && x->type != 'z')
						mcr_bad(rd, "derived.alignment_predicted", "a list of one number (or null) per layer");
					res->align_predicted[l] = x->type == 'd' ? strtod(x->text, NULL) : NAN;
				}
			}
		}
	}
	const jv *t = mcr_need(rd, root, "timing", "timing", 'o', "an object");
	if (!t)
		return;
	res->seconds = mcr_read_double(rd, t, "seconds", "timing.seconds", 1);
	if (isnan(res->seconds))
		res->seconds = 0;
	res->threads = (unsigned)mcr_read_u64(rd, t, "threads", "timing.threads");
	r->pieces = mcr_read_u64(rd, t, "pieces", "timing.pieces");
	if (!rd->failed && r->pieces < 1)
		mcr_bad(rd, "timing.pieces", "an integer >= 1");
	const jv *k = json_get(t, "kernel"), *h = json_get(t, "host"), *f = json_get(t, "finished");
	snprintf(r->kernel, sizeof r->kernel, "%s", k && k->type == 's' ? k->text : "unknown");
	snprintf(r->host, sizeof r->host, "%s", h && h->type == 's' ? h->text : "unknown");
	int Y, M, D, hh, mm, ss;
	if (f && f->type == 's' && sscanf(f->text, "%d-%d-%dT%d:%d:%dZ", &Y, &M, &D, &hh, &mm, &ss) == 6 &&
	    M >= 1 && M <= 12 && D >= 1 && D <= 31)
		r->finished = (double)mcr_days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400.0 + hh * 3600.0 +
		              mm * 60.0 + ss;
}

mc_record *mc_record_from_json(const char *text, size_t len, const char *source,
                               size_t line, size_t lines, rl_err *e)
{
	mc_record *r = mcr_record_alloc(e);
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
	mcr_reader rd = {who, e, 0};
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
		snprintf(r->version, sizeof r->version, "%s", mcr_read_string(&rd, &root, "relush", "relush"));
	if (!rd.failed)
		mcr_read_config(&rd, &root, r, e);
	if (!rd.failed)
		read_shard(&rd, &root, r);
	if (!rd.failed)
		read_counts(&rd, &root, r, e);
	if (!rd.failed)
		read_rest(&rd, &root, r, e);
	char field[64], why[200];
	if (!rd.failed && mc_record_check_counts(r, field, sizeof field, why, sizeof why))
		mcr_bad(&rd, field, why);
	jv_free(&root);
	if (rd.failed) {
		mc_record_free(r);
		return NULL;
	}
	return r;
}

