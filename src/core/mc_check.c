/* mc_check.c: the invariants every real run's counts satisfy, checked on
 * each record read from a results file and on the sums of a merge. An
 * edited or damaged file that breaks one (a count above its trials, sums
 * that cannot come from any run) is refused naming the file, line and the
 * invariant, instead of printing nonsense such as a 9999000099.99 % rate
 * or wrapping an overflowing sum round to a plausible mean. */
#include <math.h>
#include <stdio.h>
#include "relush/alignment.h"
#include "relush/mc.h"

/* a * b <= limit, without overflow */
static int within(uint64_t x, uint64_t a, uint64_t b)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	return (unsigned __int128)x <= p;
}

#define FAIL(f, ...) do { snprintf(field, flen, "%s", f); snprintf(why, wlen, __VA_ARGS__); return -1; } while (0)

int mc_record_check_counts(const mc_record *r, char *field, size_t flen, char *why, size_t wlen)
{
	const mc_counts *c = &r->result.counts;
	uint64_t T = c->trials, m = r->x_rows;
	size_t depth = r->spec.depth;
	if (T > r->result.requested)
		FAIL("counts.trials", "at most the shard's %llu trials", (unsigned long long)r->result.requested);
	if (c->alive_trials > T)
		FAIL("counts.alive_trials", "at most trials (%llu)", (unsigned long long)T);
	/* every trial either lives or dies at exactly one layer */
	unsigned __int128 ended = c->alive_trials;
	for (size_t l = 0; l < depth; l++)
		ended += c->died_at[l];
	if (ended != T)
		FAIL("counts.died_at", "such that alive_trials + the sum of died_at = trials (%llu)",
		     (unsigned long long)T);
	for (size_t l = 0; l < depth; l++) {
		const mc_layer_counts *x = &c->layers[l];
		if (x->trials_reaching > T || x->trials_living > x->trials_reaching ||
		    x->trials_active_unit > T)
			FAIL("counts.layers", "consistent at layer %zu (trials_living <= trials_reaching <= "
			     "trials, trials_active_unit <= trials)", l + 1);
		if (x->points_living > x->points_reaching || !within(x->points_reaching, x->trials_reaching, m))
			FAIL("counts.layers", "consistent at layer %zu (points_living <= points_reaching <= "
			     "trials_reaching x %llu points)", l + 1, (unsigned long long)m);
		if (!within(x->dead_neurons, x->trials_reaching, r->spec.widths[l]))
			FAIL("counts.layers.dead_neurons", "at most trials_reaching x width at layer %zu", l + 1);
	}
	/* every trial enters layer 1 with all its points */
	if (depth && c->layers[0].trials_reaching != T)
		FAIL("counts.layers.trials_reaching", "trials (%llu) at layer 1: every trial reaches it",
		     (unsigned long long)T);
	if (c->trials_lazy > T || c->trials_reference > T || c->trials_all_active > T)
		FAIL("counts", "consistent (trials_lazy, trials_reference and trials_all_active at most trials)");
	/* the living points: 0 <= living <= m in each trial not run lazily */
	uint64_t counted = T - c->trials_lazy;
	if (!within(c->living_sum, counted, m))
		FAIL("counts.living_sum", "at most trials x points (%llu x %llu)", (unsigned long long)counted,
		     (unsigned long long)m);
	if (c->min_living != UINT64_MAX &&
	    (counted == 0 || c->min_living > m || (unsigned __int128)c->min_living * counted > c->living_sum))
		FAIL("counts.min_living", "at most the points (%llu) and the mean living count",
		     (unsigned long long)m);
	unsigned __int128 sq = ((unsigned __int128)c->living_sq[1] << 64) | c->living_sq[0];
	/* sum l^2 >= sum l (l integer), <= m * sum l, and >= (sum l)^2 / trials */
	if (sq < c->living_sum || sq > (unsigned __int128)c->living_sum * m)
		FAIL("counts.living_sq", "between living_sum and living_sum x points");
	if (counted && (double)sq * (double)counted < (double)c->living_sum * (double)c->living_sum * (1.0 - 1e-12))
		FAIL("counts.living_sq", "at least living_sum^2 / trials (the squares of the same counts)");
	if (c->neuron_active) {
		size_t i = 0;
		for (size_t l = 0; l < depth; l++)
			for (size_t k = 0; k < r->spec.widths[l]; k++, i++)
				if (c->neuron_active[i] > c->layers[l].points_reaching)
					FAIL("counts.neuron_active", "at most points_reaching at layer %zu", l + 1);
	}
	if (c->alignment) {
		const rl_alignment_sum *a = c->alignment;
		for (size_t l = 0; l < depth && l < a->depth; l++) {
			/* each term is round(cosine x 2^24) with |cosine| <= 1 */
			double bound = (double)a->trials[l] * (ALIGN_FIXED_SCALE + 1.0);
			if (a->trials[l] > T || fabs((double)a->sum[l]) > bound || (double)a->sum_sq[l] > bound)
				FAIL("counts.alignment", "consistent at layer %zu (trials at most the run's, |sum| "
				     "and sum_sq at most trials x 2^24)", l + 1);
		}
	}
	return 0;
}

int mc_merge_check_sums(mc_record *const *pieces, size_t n, char *why, size_t wlen)
{
	uint64_t living = 0;
	unsigned __int128 sq = 0;
	size_t depth = n ? pieces[0]->spec.depth : 0;
	for (size_t i = 0; i < n; i++) {
		const mc_counts *c = &pieces[i]->result.counts;
		unsigned __int128 s = ((unsigned __int128)c->living_sq[1] << 64) | c->living_sq[0];
		if (__builtin_add_overflow(living, c->living_sum, &living) ||
		    __builtin_add_overflow(sq, s, &sq)) {
			snprintf(why, wlen, "the merged living_sum or living_sq would overflow (piece %zu)", i + 1);
			return -1;
		}
	}
	if (n && pieces[0]->result.counts.alignment)
		for (size_t l = 0; l < depth; l++) {
			int64_t sum = 0;
			uint64_t sum_sq = 0;
			for (size_t i = 0; i < n; i++) {
				const rl_alignment_sum *a = pieces[i]->result.counts.alignment;
				if (__builtin_add_overflow(sum, a->sum[l], &sum) ||
				    __builtin_add_overflow(sum_sq, a->sum_sq[l], &sum_sq)) {
					snprintf(why, wlen, "the merged alignment sums of layer %zu would overflow", l + 1);
					return -1;
				}
			}
		}
	return 0;
}
