/* test_shard.c: sharded runs that merge exactly (relush/mc.h records). For
 * several configurations (explicit, Gram/lazy with stats = "alive", flip,
 * dense nets with alignment, auto) and N = 1, 3 and 8 shards, every shard is
 * written as JSON, read back and merged, and the merged counts must equal
 * the single run's bit for bit; then the JSON round trip, the atomic files,
 * and the errors for mismatched, duplicate, overlapping, missing and
 * interrupted pieces. */
#include "config.h"
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "relush/inputs.h"
#include "relush/mc.h"

static size_t widths_buf[64];

static rl_net_spec spec_of(size_t k, size_t n, size_t d, rl_law_kind bias, rl_arch arch, uint64_t seed)
{
	for (size_t l = 0; l < k; l++)
		widths_buf[l] = n;
	rl_net_spec s = {
		.depth = k, .input = d, .widths = widths_buf,
		.weights = {LAW_NORMAL, SCALE_HE, 0.0},
		.bias = {bias, SCALE_FIXED, bias == LAW_ZERO ? 0.0 : 0.5},
		.arch = arch, .seed = seed,
	};
	return s;
}

static size_t neuron_total(const rl_net_spec *s)
{
	size_t t = 0;
	for (size_t l = 0; l < s->depth; l++)
		t += s->widths[l];
	return t;
}

/* Every count of a and b, compared field by field. */
static int counts_identical(const mc_counts *a, const mc_counts *b, size_t nt, char *why, size_t len)
{
#define SAME(f) if (a->f != b->f) { snprintf(why, len, #f " %llu != %llu", \
	(unsigned long long)a->f, (unsigned long long)b->f); return 0; }
	SAME(depth) SAME(points) SAME(stats) SAME(trials) SAME(alive_trials) SAME(living_sum)
	SAME(living_sq[0]) SAME(living_sq[1]) SAME(min_living) SAME(layers_explicit) SAME(layers_gram)
	SAME(trials_lazy) SAME(trials_reference)
#undef SAME
	for (size_t l = 0; l < a->depth; l++) {
		const mc_layer_counts *x = &a->layers[l], *y = &b->layers[l];
		if (a->died_at[l] != b->died_at[l] || x->trials_reaching != y->trials_reaching ||
		    x->trials_living != y->trials_living || x->points_reaching != y->points_reaching ||
		    x->points_living != y->points_living || x->dead_neurons != y->dead_neurons) {
			snprintf(why, len, "layer %zu differs", l + 1);
			return 0;
		}
	}
	if (!a->neuron_active != !b->neuron_active ||
	    (a->neuron_active && memcmp(a->neuron_active, b->neuron_active, nt * sizeof(uint64_t)))) {
		snprintf(why, len, "neuron_active differs");
		return 0;
	}
	if (!a->alignment != !b->alignment) {
		snprintf(why, len, "alignment sums present in one only");
		return 0;
	}
	if (a->alignment)
		for (size_t l = 0; l < a->depth; l++)
			if (a->alignment->trials[l] != b->alignment->trials[l] ||
			    a->alignment->sum[l] != b->alignment->sum[l] ||
			    a->alignment->sum_sq[l] != b->alignment->sum_sq[l]) {
				snprintf(why, len, "alignment sums differ at layer %zu", l + 1);
				return 0;
			}
	return 1;
}

/* The text of a JSON section ("counts", "derived"): from its key to the next. */
static char *section(const char *json, const char *key, const char *next)
{
	char k1[64], k2[64];
	snprintf(k1, sizeof k1, "\"%s\":", key);
	snprintf(k2, sizeof k2, ",\"%s\":", next);
	const char *a = strstr(json, k1), *b = a ? strstr(a, k2) : NULL;
	return a && b ? strndup(a, (size_t)(b - a)) : strdup("(missing)");
}

static mc_record *run_record(const mc_config *cfg, rl_err *e)
{
	mc_result *r = mc_run(cfg, e);
	return r ? mc_record_new(cfg, r, e) : NULL;
}

/* JSON out and back in, as a file would carry it. */
static mc_record *through_json(const mc_record *r, const char *source, size_t line, size_t lines)
{
	rl_err e;
	char *json = mc_record_to_json(r, &e);
	mc_record *back = json ? mc_record_from_json(json, strlen(json), source, line, lines, &e) : NULL;
	if (!back)
		tap_diag("JSON round trip failed: %s", e.msg);
	free(json);
	return back;
}

typedef struct config_case {
	const char *name;
	rl_net_spec spec;
	rl_mat *X;
	uint64_t trials;
	mc_method method;
	mc_stats stats;
	int flip, alignment, neuron_activity;
} config_case;

/* ---- merged shards equal the single run ---------------------------------------------- */

static void test_exact(const config_case *cc)
{
	rl_err e;
	mc_config c = {.spec = &cc->spec, .X = cc->X, .trials = cc->trials, .threads = 2,
	               .method = cc->method, .stats = cc->stats, .flip = cc->flip,
	               .alignment = cc->alignment, .neuron_activity = cc->neuron_activity};
	mc_record *whole = run_record(&c, &e);
	if (!tap_ok(whole != NULL, "%s: the single run", cc->name))
		return;
	char *whole_json = mc_record_to_json(whole, &e);
	char *whole_counts = section(whole_json, "counts", "derived");
	char *whole_derived = section(whole_json, "derived", "summary");
	size_t nt = neuron_total(&cc->spec);
	const uint64_t Ns[] = {1, 3, 8};
	for (size_t k = 0; k < 3; k++) {
		uint64_t N = Ns[k];
		mc_record *pieces[8];
		int ok = 1;
		for (uint64_t i = 1; i <= N; i++) {
			mc_config s = c;
			s.shard_index = i;
			s.shard_count = N;
			s.threads = (unsigned)(1 + i % 2);   /* thread counts never matter */
			mc_record *r = run_record(&s, &e);
			char src[32];
			snprintf(src, sizeof src, "shard%llu.jsonl", (unsigned long long)i);
			/* merged in reverse order: the order of the pieces never matters */
			pieces[N - i] = r ? through_json(r, src, 1, 1) : NULL;
			ok &= pieces[N - i] != NULL;
			mc_record_free(r);
		}
		mc_record *merged = ok ? mc_merge(pieces, N, &e) : NULL;
		if (ok && !merged)
			tap_diag("merge failed: %s", e.msg);
		char why[96] = "the merge failed";
		int same = merged && counts_identical(&merged->result.counts, &whole->result.counts, nt, why, sizeof why);
		tap_ok(same, "%s: %llu shard%s merged: every count identical to the single run%s%s", cc->name,
		       (unsigned long long)N, N == 1 ? "" : "s", same ? "" : ": ", same ? "" : why);
		if (merged) {
			char *json = mc_record_to_json(merged, &e);
			char *counts = section(json, "counts", "derived"), *derived = section(json, "derived", "summary");
			tap_ok(strcmp(counts, whole_counts) == 0 && strcmp(derived, whole_derived) == 0,
			       "%s, N = %llu: the merged JSON's counts and derived values are the single run's, "
			       "character for character", cc->name, (unsigned long long)N);
			tap_ok(merged->result.first_trial == 1 && merged->result.last_trial == cc->trials &&
			       merged->result.requested == cc->trials && merged->pieces == N &&
			       merged->shard_index == 1 && merged->shard_count == 1 && !merged->result.interrupted,
			       "%s, N = %llu: the merged result covers trials 1..%llu, from %llu pieces", cc->name,
			       (unsigned long long)N, (unsigned long long)cc->trials, (unsigned long long)N);
			free(counts);
			free(derived);
			free(json);
		}
		mc_record_free(merged);
		for (uint64_t i = 0; i < N; i++)
			mc_record_free(pieces[i]);
	}
	free(whole_counts);
	free(whole_derived);
	free(whole_json);
	mc_record_free(whole);
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static void test_json(const config_case *cc)
{
	rl_err e;
	mc_config c = {.spec = &cc->spec, .X = cc->X, .trials = 50, .threads = 1, .method = cc->method,
	               .stats = cc->stats, .flip = cc->flip, .alignment = cc->alignment,
	               .neuron_activity = cc->neuron_activity, .shard_index = 2, .shard_count = 3};
	mc_record *r = run_record(&c, &e);
	if (!tap_ok(r != NULL, "json: a shard of %s", cc->name))
		return;
	char *a = mc_record_to_json(r, &e);
	mc_record *back = mc_record_from_json(a, strlen(a), "x.jsonl", 4, 7, &e);
	char *b = back ? mc_record_to_json(back, &e) : NULL;
	tap_ok(a && b && strcmp(a, b) == 0, "json: %s written, read and written again is the same line",
	       cc->name);
	char label[64];
	tap_ok(back && strcmp(mc_record_label(back, label, sizeof label), "x.jsonl line 4") == 0,
	       "json: a record read from line 4 of a file is named \"x.jsonl line 4\"");
	tap_ok(a && !strchr(a, '\n') && a[0] == '{' && strstr(a, "\"format\":\"relush-mc\"") &&
	       strstr(a, "\"checksum\":\"fnv1a64:") && strstr(a, "\"relush\":\"" PACKAGE_VERSION "\"") &&
	       strstr(a, "\"shard\":{\"i\":2,\"n\":3,"),
	       "json: one line with the format, the version, X's checksum and the shard");
	free(a);
	free(b);
	mc_record_free(back);
	mc_record_free(r);
}

static void test_json_edges(const config_case *cc)
{
	rl_err e;
	mc_config c = {.spec = &cc->spec, .X = cc->X, .trials = 20, .threads = 1};
	mc_record *r = run_record(&c, &e);
	if (!r)
		return;
	/* sums beyond 64 bits and a run without trials round-trip exactly; the
	 * counts stay consistent (the reader checks a real run's invariants):
	 * 20 trials of 2^40 points, living_sum 2^43, sum of squares ~2^82 lies
	 * between living_sum^2 / trials and living_sum x points */
	r->x_rows = (size_t)1 << 40;
	r->result.counts.living_sum = (uint64_t)1 << 43;
	r->result.counts.living_sq[0] = 0xFEDCBA9876543210ull;
	r->result.counts.living_sq[1] = 0x4ABCDull;
	r->result.counts.min_living = UINT64_MAX;
	r->result.lower = 0.1 + 0.2;   /* a double that needs 17 digits */
	mc_record *back = through_json(r, "edge", 0, 0);
	tap_ok(back && back->result.counts.living_sq[0] == 0xFEDCBA9876543210ull &&
	       back->result.counts.living_sq[1] == 0x4ABCDull &&
	       back->result.counts.min_living == UINT64_MAX && back->result.lower == 0.1 + 0.2,
	       "json: 128-bit sums, an empty minimum and doubles (%%.17g) read back exactly");
	char *json = mc_record_to_json(r, &e);
	tap_ok(json && strstr(json, "\"living_sq\":5647027894322880981512720"),
	       "json: the 128-bit sum of squares is one decimal integer");
	mc_record_free(back);

	size_t len = strlen(json);
	struct { const char *text; size_t len; const char *want; const char *what; } bad[] = {
		{json, len / 2, "is not valid JSON", "a truncated line"},
		{"{\"format\":\"other\"}", 18, "is not a relush Monte Carlo result", "another format"},
		{"[1, 2]", 6, "is not a relush Monte Carlo result", "not an object"},
		{"{\"format\":\"relush-mc\",\"format_version\":9}", 41, "format_version 9", "a newer format"},
		{"{\"format\":\"relush-mc\",\"format_version\":1,\"relush\":\"0.1\"}", 56, "'config'", "no config"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mc_record *x = mc_record_from_json(bad[i].text, bad[i].len, "bad.jsonl", 2, 2, &e);
		tap_ok(!x && strstr(e.msg, bad[i].want) && strstr(e.msg, "bad.jsonl line 2"),
		       "json: %s is refused: %s", bad[i].what, e.msg);
		mc_record_free(x);
	}
	/* a tampered range */
	char *edited = strdup(json);
	char *first = strstr(edited, "\"first\":1,");
	if (first)
		first[8] = '2';
	mc_record *x = mc_record_from_json(edited, strlen(edited), "edited.jsonl", 1, 1, &e);
	tap_ok(!x && strstr(e.msg, "damaged or edited"), "json: a range that is not the shard's is refused: %s",
	       e.msg);
	mc_record_free(x);
	free(edited);
	free(json);
	mc_record_free(r);
}

/* ---- files ----------------------------------------------------------------------------------- */

static int leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *ent;
	while (d && (ent = readdir(d)))
		n += strstr(ent->d_name, ".tmp.") != NULL;
	if (d)
		closedir(d);
	return n;
}

static void test_files(const config_case *cc)
{
	rl_err e;
	char dir[] = "/tmp/relush-shard-XXXXXX";
	if (!mkdtemp(dir)) {
		tap_ok(0, "files: a temporary folder");
		return;
	}
	char path[128], missing[160];
	snprintf(path, sizeof path, "%s/r.jsonl", dir);
	snprintf(missing, sizeof missing, "%s/no/such/folder/r.jsonl", dir);
	mc_record *recs[3];
	for (uint64_t i = 1; i <= 3; i++) {
		mc_config c = {.spec = &cc->spec, .X = cc->X, .trials = 300, .threads = 1, .shard_index = i,
		               .shard_count = 3};
		recs[i - 1] = run_record(&c, &e);
	}
	tap_ok(mc_records_save(path, recs, 1, 0, &e) == 0 && mc_records_save(path, recs + 1, 2, 1, &e) == 0,
	       "files: one line written, two appended");
	mc_record **loaded = NULL;
	size_t n = 0;
	int rc = mc_records_load(path, &loaded, &n, &e);
	tap_ok(rc == 0 && n == 3 && loaded[0]->shard_index == 1 && loaded[2]->shard_index == 3 &&
	       loaded[1]->line == 2 && loaded[1]->lines == 3,
	       "files: the three lines read back in order, each knowing its line");
	tap_ok(leftovers(dir) == 0, "files: no temporary file is left behind");
	mc_record *merged = rc == 0 ? mc_merge(loaded, n, &e) : NULL;
	tap_ok(merged && merged->result.counts.trials == 300, "files: the file's shards merge");
	mc_records_free(loaded, n);
	loaded = NULL;
	tap_ok(mc_records_save(path, &merged, 1, 0, &e) == 0 && mc_records_load(path, &loaded, &n, &e) == 0 &&
	       n == 1, "files: mode \"w\" replaces the lines");
	struct stat st;
	tap_ok(stat(path, &st) == 0 && (st.st_mode & 0600) == 0600, "files: the file is readable and writable");
	mc_records_free(loaded, n);
	loaded = NULL;
	tap_ok(mc_records_save(missing, recs, 1, 1, &e) != 0 && strstr(e.msg, "cannot write"),
	       "files: a missing folder is an error: %s", e.msg);
	tap_ok(mc_records_check_path(missing, &e) != 0 && strstr(e.msg, "does not exist"),
	       "files: checked before a run: %s", e.msg);
	tap_ok(mc_records_check_path(dir, &e) != 0 && strstr(e.msg, "is a folder"),
	       "files: a folder is not a results file: %s", e.msg);
	tap_ok(mc_records_load(missing, &loaded, &n, &e) != 0 && strstr(e.msg, "no such file"),
	       "files: reading a missing file: %s", e.msg);
	FILE *f = fopen(path, "w");
	if (f)
		fclose(f);
	tap_ok(mc_records_load(path, &loaded, &n, &e) != 0 && strstr(e.msg, "holds no results"),
	       "files: an empty file: %s", e.msg);
	mc_record_free(merged);
	for (int i = 0; i < 3; i++)
		mc_record_free(recs[i]);
	unlink(path);
	rmdir(dir);
}

/* ---- errors ---------------------------------------------------------------------------------------- */

/* Shard i of N of a small experiment, named name (as if from its own file). */
static mc_record *piece(const config_case *cc, uint64_t seed, const rl_mat *X, uint64_t i, uint64_t N,
                        const char *name)
{
	rl_err e;
	rl_net_spec s = cc->spec;
	s.seed = seed;
	mc_config c = {.spec = &s, .X = X, .trials = 1000, .threads = 1, .shard_index = i, .shard_count = N,
	               .method = MC_METHOD_EXPLICIT};
	mc_record *r = run_record(&c, &e);
	if (r) {
		snprintf(r->source, sizeof r->source, "%s", name);
		r->line = r->lines = 1;
	}
	return r;
}

static void expect_error(mc_record **p, size_t n, const char *want1, const char *want2, const char *what)
{
	rl_err e;
	mc_record *m = mc_merge(p, n, &e);
	tap_ok(!m && strstr(e.msg, want1) && (!want2 || strstr(e.msg, want2)), "merge refuses %s: %s", what,
	       m ? "(merged!)" : e.msg);
	mc_record_free(m);
}

static void free_all(mc_record **p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mc_record_free(p[i]);
}

static void test_errors(const config_case *cc)
{
	rl_err e;
	rl_mat *X2 = mat_clone(cc->X, &e);
	mat_row(X2, 0)[0] += 1e-9;   /* the same shape, another input set */

	mc_record *p[8];
	p[0] = piece(cc, 1, cc->X, 1, 2, "a.jsonl");
	p[1] = piece(cc, 2, cc->X, 2, 2, "b.jsonl");
	expect_error(p, 2, "a.jsonl has seed 1 but b.jsonl has seed 2", "agree on every setting",
	             "pieces of different seeds");
	free_all(p, 2);

	p[0] = piece(cc, 1, cc->X, 1, 2, "a.jsonl");
	p[1] = piece(cc, 1, X2, 2, 2, "b.jsonl");
	expect_error(p, 2, "X checksum fnv1a64:", "a different input set", "pieces on different input sets");
	free_all(p, 2);

	for (uint64_t i = 1; i <= 3; i++)
		p[i - 1] = piece(cc, 1, cc->X, i, 3, i == 2 ? "b.jsonl" : "a.jsonl");
	p[3] = piece(cc, 1, cc->X, 2, 3, "c.jsonl");
	p[3]->line = 2;
	p[3]->lines = 2;
	expect_error(p, 4, "shard 2/3 appears twice (b.jsonl line 1 and c.jsonl line 2)", NULL, "a duplicate shard");
	free_all(p, 4);

	size_t n = 0;
	for (uint64_t i = 1; i <= 8; i++)
		if (i != 2 && i != 5)
			p[n++] = piece(cc, 1, cc->X, i, 8, "s.jsonl");
	expect_error(p, n, "shards 2, 5 of 8 are missing", NULL, "missing shards");
	free_all(p, n);

	p[0] = piece(cc, 1, cc->X, 1, 3, "a.jsonl");
	p[1] = piece(cc, 1, cc->X, 3, 3, "c.jsonl");
	expect_error(p, 2, "shard 2 of 3 is missing", NULL, "one missing shard");
	free_all(p, 2);

	p[0] = piece(cc, 1, cc->X, 1, 2, "a.jsonl");
	p[1] = piece(cc, 1, cc->X, 1, 3, "b.jsonl");
	p[2] = piece(cc, 1, cc->X, 3, 3, "c.jsonl");
	expect_error(p, 3, "a.jsonl (shard 1/2, trials 1..500) and b.jsonl (shard 1/3, trials 1..334) overlap",
	             NULL, "overlapping shards of different counts");
	free_all(p, 3);

	p[0] = piece(cc, 1, cc->X, 1, 2, "a.jsonl");
	p[1] = piece(cc, 1, cc->X, 4, 4, "d.jsonl");
	expect_error(p, 2, "trials 501..750 of 1..1000 are missing", NULL, "a gap between shards of different counts");
	/* shards of different counts that tile the trials do merge */
	mc_record_free(p[1]);
	p[1] = piece(cc, 1, cc->X, 3, 4, "c.jsonl");
	p[2] = piece(cc, 1, cc->X, 4, 4, "d.jsonl");
	mc_record *whole_piece = piece(cc, 1, cc->X, 1, 1, "w.jsonl");
	mc_record *m = mc_merge(p, 3, &e);
	char why[96] = "";
	tap_ok(m && whole_piece && counts_identical(&m->result.counts, &whole_piece->result.counts,
	                                            neuron_total(&cc->spec), why, sizeof why),
	       "shards 1/2, 3/4 and 4/4 tile the trials and merge into the whole run %s", why);
	mc_record_free(m);
	free_all(p, 3);

	p[0] = whole_piece;
	p[1] = piece(cc, 1, cc->X, 1, 1, "v.jsonl");
	expect_error(p, 2, "the whole run (trials 1..1000) appears twice (w.jsonl line 1 and v.jsonl line 1)", NULL,
	             "a whole run given twice");
	free_all(p, 2);

	p[0] = piece(cc, 1, cc->X, 1, 2, "a.jsonl");
	p[1] = piece(cc, 1, cc->X, 2, 2, "b.jsonl");
	p[1]->result.counts.trials = 123;   /* as an interrupted run leaves it */
	p[1]->result.interrupted = 1;
	expect_error(p, 2, "b.jsonl (shard 2/2, trials 501..1000) was interrupted: 123 of its 500 trials", NULL,
	             "an interrupted shard");
	free_all(p, 2);
	expect_error(p, 0, "nothing to merge", NULL, "an empty list");

	/* ---- sweeps: pieces of several experiments */
	mc_record *w1 = piece(cc, 1, cc->X, 1, 1, "w1"), *w2 = piece(cc, 2, cc->X, 1, 1, "w2");
	const uint64_t order[][2] = {{2, 2}, {1, 1}, {1, 3}, {2, 1}, {1, 2}, {2, 3}};   /* {seed, shard} */
	for (size_t i = 0; i < 6; i++)
		p[i] = piece(cc, order[i][0], cc->X, order[i][1], 3, "sweep.jsonl");
	mc_record **out = NULL;
	size_t nout = 0;
	int rc = mc_merge_sweep(p, 6, &out, &nout, &e);
	tap_ok(rc == 0 && nout == 2 && out[0]->spec.seed == 2 && out[1]->spec.seed == 1 &&
	       counts_identical(&out[0]->result.counts, &w2->result.counts, neuron_total(&cc->spec), why, sizeof why) &&
	       counts_identical(&out[1]->result.counts, &w1->result.counts, neuron_total(&cc->spec), why, sizeof why),
	       "sweep: two experiments' shards, mixed, merge into two results in order of appearance %s",
	       rc ? e.msg : why);
	mc_records_free(out, nout);
	mc_record_free(p[5]);
	p[5] = piece(cc, 3, cc->X, 3, 3, "late.jsonl");   /* seed 2's shard 3 ran with seed 3 */
	rc = mc_merge_sweep(p, 6, &out, &nout, &e);
	tap_ok(rc != 0 && strstr(e.msg, "has seed 2 but late.jsonl has seed 3"),
	       "sweep: a shard run with another seed is named as the mismatch: %s", e.msg);
	free_all(p, 6);
	mc_record_free(w1);
	mc_record_free(w2);
	mat_free(X2);
}

int main(void)
{
	rl_err e;
	rl_mat *X16 = inputs_gaussian(16, 3, 1.0, 11, &e);
	rl_mat *X8 = inputs_gaussian(8, 4, 1.0, 12, &e);
	rl_mat *X12 = inputs_gaussian(12, 2, 1.0, 13, &e);
	rl_mat *X6 = inputs_gaussian(6, 5, 1.0, 14, &e);
	rl_mat *P = inputs_point(48, &e);
	config_case cases[5];
	size_t w0[] = {8, 3}, w1[] = {10, 4}, w2[] = {6, 2}, w3[] = {5, 4}, w4[] = {6, 48};
	config_case proto[] = {
		{"explicit, all stats", {0}, X16, 2400, MC_METHOD_EXPLICIT, MC_STATS_ALL, 0, 0, 1},
		{"gram, stats alive (lazy)", {0}, X8, 3000, MC_METHOD_GRAM, MC_STATS_ALIVE, 0, 0, 0},
		{"flip = true (reference)", {0}, X12, 600, MC_METHOD_AUTO, MC_STATS_ALL, 1, 0, 0},
		{"dense arch with alignment", {0}, X6, 160, MC_METHOD_AUTO, MC_STATS_ALL, 0, 1, 0},
		{"auto on one point (gram)", {0}, P, 400, MC_METHOD_AUTO, MC_STATS_ALL, 0, 0, 0},
	};
	size_t *w[] = {w0, w1, w2, w3, w4};
	rl_law_kind bias[] = {LAW_NORMAL, LAW_ZERO, LAW_ZERO, LAW_ZERO, LAW_ZERO};
	rl_arch arch[] = {ARCH_PLAIN, ARCH_PLAIN, ARCH_PLAIN, ARCH_DENSE, ARCH_PLAIN};
	for (size_t i = 0; i < 5; i++) {
		cases[i] = proto[i];
		rl_net_spec s = spec_of(w[i][0], w[i][1], cases[i].X->cols, bias[i], arch[i], 100 + i);
		s.widths = malloc(s.depth * sizeof *s.widths);
		memcpy(s.widths, widths_buf, s.depth * sizeof *s.widths);
		cases[i].spec = s;
	}
	for (size_t i = 0; i < 5; i++)
		test_exact(&cases[i]);
	for (size_t i = 0; i < 5; i++)
		test_json(&cases[i]);
	test_json_edges(&cases[0]);
	test_files(&cases[0]);
	test_errors(&cases[0]);
	for (size_t i = 0; i < 5; i++)
		free(cases[i].spec.widths);
	mat_free(X16);
	mat_free(X8);
	mat_free(X12);
	mat_free(X6);
	mat_free(P);
	return tap_done();
}
