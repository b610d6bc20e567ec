/* mc_merge.c: the exact merge of the shards of an experiment (relush/mc.h):
 * the records must agree on every setting, their trial ranges must cover the
 * run once, and their integer counts add. */
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

/* ---- merging -------------------------------------------------------------------------- */

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
		mcr_label_line(a, la, sizeof la);
		mcr_label_line(b, lb, sizeof lb);
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
			    mcr_count_differences(pieces[i], pieces[j], &d) == 0)
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
		         mcr_label_line(first_old, la, sizeof la), sa,
		         (unsigned long long)first_old->result.counts.trials,
		         (unsigned long long)first_old->result.requested, mcr_label_line(first_new, lb, sizeof lb),
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
		if (mcr_count_differences(pieces[0], pieces[i], &k)) {
			mcr_mismatch_error(pieces[0], pieces[i], k,
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
	mc_record *out = mcr_record_like(pieces[0], all_neurons, e);
	if (!out)
		return NULL;
	mc_result *res = &out->result;
	size_t nt = mcr_neuron_total(&out->spec);
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
		mcr_field_describe(r, r, F_WIDTHS, widths, sizeof widths);
	rl_fail(e, "the experiment of %s (%s net, %s, seed %llu, %llu trials): %s", mcr_label_line(r, label, sizeof label),
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
		while (g < groups && mcr_count_differences(pieces[first[g]], pieces[i], &k))
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
			if (h == g || mcr_count_differences(pieces[first[g]], pieces[first[h]], &k) != 1 ||
			    !complement(pieces, count, group, g, h))
				continue;
			const mc_record *a = pieces[first[g]], *b = pieces[first[h]];
			if (first[h] < first[g]) {
				a = pieces[first[h]];
				b = pieces[first[g]];
			}
			mcr_mismatch_error(a, b, k, "the pieces of one experiment must agree on every setting", e);
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
