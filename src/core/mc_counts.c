/* mc_counts.c: the Monte Carlo engine's exact integer counts (relush/mc.h):
 * initialising, adding and merging them, the statistics derived from them,
 * and the small helpers around them (Wilson interval, shard ranges, thread
 * count, method names). Integer counts make shards merge exactly. */
#ifdef __linux__
#define _GNU_SOURCE   /* sched_getaffinity: the cores a batch scheduler gave us */
#endif
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include "relush/alloc.h"
#include "mc_impl.h"

/* ---- small exact helpers --------------------------------------------------- */

void mci_u128_add(uint64_t acc[2], uint64_t lo, uint64_t hi)
{
	uint64_t s = acc[0] + lo;
	acc[1] += hi + (s < lo);
	acc[0] = s;
}

/* x * x as a 128-bit number. */
void mci_u64_square(uint64_t x, uint64_t *lo, uint64_t *hi)
{
	uint64_t a = x & 0xFFFFFFFFu, b = x >> 32;
	uint64_t aa = a * a, ab = a * b, bb = b * b;
	uint64_t mid = ab << 1;                        /* 2ab mod 2^64 */
	uint64_t mid_hi = (ab >> 63) + 0;              /* carry of 2ab beyond 64 bits */
	uint64_t l = aa + (mid << 32);
	uint64_t carry = l < aa;
	*lo = l;
	*hi = bb + (mid >> 32) + (mid_hi << 32) + carry;
}

void mc_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
	if (n == 0) {
		*lo = 0.0;
		*hi = 1.0;
		return;
	}
	double nn = (double)n, p = (double)k / nn, z2 = z * z;
	double denom = 1.0 + z2 / nn;
	double centre = (p + z2 / (2.0 * nn)) / denom;
	double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
	*lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
	*hi = k == n ? 1.0 : fmin(1.0, centre + half);
}

void mc_shard_range(uint64_t trials, uint64_t i, uint64_t n, uint64_t *first, uint64_t *count)
{
	if (n == 0 || i == 0 || i > n) {
		*first = 1;
		*count = trials;
		return;
	}
	/* Shard i gets q or q + 1 trials; no product can overflow. */
	uint64_t q = trials / n, r = trials % n, k = i - 1;
	*first = 1 + k * q + (k < r ? k : r);
	*count = q + (k < r ? 1 : 0);
}

unsigned mc_default_threads(void)
{
#ifdef __linux__
	/* Slurm, taskset and containers restrict the affinity mask: one
	 * thread per core we may run on, not per core of the machine. */
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) >= 1)
		return (unsigned)CPU_COUNT(&set);
#endif
	long c = sysconf(_SC_NPROCESSORS_ONLN);
	return c >= 1 ? (unsigned)c : 1u;
}

const char *mc_method_name(mc_method m)
{
	switch (m) {
	case MC_METHOD_AUTO: return "auto";
	case MC_METHOD_EXPLICIT: return "explicit";
	case MC_METHOD_GRAM: return "gram";
	}
	return "?";
}

/* ---- counts --------------------------------------------------------------- */

int mc_counts_init(mc_counts *c, size_t depth, size_t points, mc_stats stats,
                   size_t neuron_total, rl_err *e)
{
	memset(c, 0, sizeof *c);
	c->depth = depth;
	c->points = points;
	c->stats = stats;
	c->min_living = UINT64_MAX;
	c->died_at = rl_calloc(depth, sizeof *c->died_at, "the Monte Carlo counts", e);
	c->layers = c->died_at ? rl_calloc(depth, sizeof *c->layers, "the Monte Carlo counts", e) : NULL;
	if (c->layers && neuron_total)
		c->neuron_active = rl_calloc(neuron_total, sizeof *c->neuron_active,
		                             "the per-neuron activity counts", e);
	if (!c->layers || (neuron_total && !c->neuron_active)) {
		mc_counts_free(c);
		return -1;
	}
	return 0;
}

int mc_counts_want_alignment(mc_counts *c, rl_err *e)
{
	c->alignment = calloc(1, sizeof *c->alignment);
	if (!c->alignment)
		return rl_fail(e, "out of memory for the alignment sums");
	if (alignment_sum_init(c->alignment, c->depth, e)) {
		free(c->alignment);
		c->alignment = NULL;
		return -1;
	}
	return 0;
}

/* Leaves c empty, as mc_counts_init starts: freeing twice is safe. */
void mc_counts_free(mc_counts *c)
{
	if (c->alignment)
		alignment_sum_free(c->alignment);
	free(c->alignment);
	free(c->died_at);
	free(c->layers);
	free(c->neuron_active);
	*c = (mc_counts){0};
}

/* Zeroes the sums, keeping the arrays. */
void mci_counts_clear(mc_counts *c, size_t neuron_total)
{
	c->trials = c->alive_trials = c->living_sum = 0;
	c->living_sq[0] = c->living_sq[1] = 0;
	c->min_living = UINT64_MAX;
	c->layers_explicit = c->layers_gram = c->trials_lazy = c->trials_reference = 0;
	c->trials_all_active = 0;
	memset(c->died_at, 0, c->depth * sizeof *c->died_at);
	memset(c->layers, 0, c->depth * sizeof *c->layers);
	if (c->neuron_active)
		memset(c->neuron_active, 0, neuron_total * sizeof *c->neuron_active);
	if (c->alignment) {
		rl_alignment_sum *a = c->alignment;
		memset(a->trials, 0, a->depth * sizeof *a->trials);
		memset(a->sum, 0, a->depth * sizeof *a->sum);
		memset(a->sum_sq, 0, a->depth * sizeof *a->sum_sq);
	}
}

void mc_counts_add(mc_counts *dst, const mc_counts *src, size_t neuron_total)
{
	dst->trials += src->trials;
	dst->alive_trials += src->alive_trials;
	dst->living_sum += src->living_sum;
	mci_u128_add(dst->living_sq, src->living_sq[0], src->living_sq[1]);
	if (src->min_living < dst->min_living)
		dst->min_living = src->min_living;
	dst->layers_explicit += src->layers_explicit;
	dst->layers_gram += src->layers_gram;
	dst->trials_lazy += src->trials_lazy;
	dst->trials_reference += src->trials_reference;
	dst->trials_all_active += src->trials_all_active;
	for (size_t l = 0; l < dst->depth; l++) {
		dst->died_at[l] += src->died_at[l];
		mc_layer_counts *d = &dst->layers[l];
		const mc_layer_counts *s = &src->layers[l];
		d->trials_reaching += s->trials_reaching;
		d->trials_living += s->trials_living;
		d->points_reaching += s->points_reaching;
		d->points_living += s->points_living;
		d->dead_neurons += s->dead_neurons;
		d->trials_active_unit += s->trials_active_unit;
	}
	if (dst->neuron_active && src->neuron_active)
		for (size_t j = 0; j < neuron_total; j++)
			dst->neuron_active[j] += src->neuron_active[j];
	if (dst->alignment && src->alignment)
		alignment_sum_merge(dst->alignment, src->alignment);
}

void mci_counts_copy(mc_counts *dst, const mc_counts *src, size_t neuron_total)
{
	mci_counts_clear(dst, neuron_total);
	mc_counts_add(dst, src, neuron_total);
}

/* ---- derived statistics ---------------------------------------------------- */

void mc_summarize(const mc_result *r, mc_summary *s)
{
	const mc_counts *c = &r->counts;
	double T = (double)c->trials, m = (double)c->points;
	s->p_alive = c->trials ? (double)c->alive_trials / T : NAN;
	mc_wilson(c->alive_trials, c->trials, 1.959963984540054, &s->ci_lo, &s->ci_hi);
	if (c->trials == 0) {
		s->ci_lo = s->ci_hi = NAN;
	}
	s->fraction = s->fraction_se = s->min_fraction = NAN;
	if (c->stats != MC_STATS_ALL || c->trials == 0)
		return;
	s->fraction = (double)c->living_sum / (T * m);
	s->min_fraction = (double)c->min_living / m;
	if (c->trials > 1) {
		/* Sample variance of the living counts from exact integer sums. */
		long double s1 = (long double)c->living_sum;
		long double s2 = ldexpl((long double)c->living_sq[1], 64) + (long double)c->living_sq[0];
		long double var = (s2 - s1 * s1 / (long double)T) / (long double)(T - 1.0);
		if (var < 0)
			var = 0;
		s->fraction_se = (double)(sqrtl(var / (long double)T) / (long double)m);
	}
}

double mc_layer_survival(const mc_counts *c, size_t l)
{
	const mc_layer_counts *x = &c->layers[l - 1];
	if (c->stats != MC_STATS_ALL || x->points_reaching == 0)
		return NAN;
	return (double)x->points_living / (double)x->points_reaching;
}

double mc_layer_net_survival(const mc_counts *c, size_t l)
{
	const mc_layer_counts *x = &c->layers[l - 1];
	return x->trials_reaching ? (double)x->trials_living / (double)x->trials_reaching : NAN;
}

double mc_layer_dead_rate(const mc_counts *c, size_t l, size_t width)
{
	const mc_layer_counts *x = &c->layers[l - 1];
	if (c->stats != MC_STATS_ALL || x->trials_reaching == 0)
		return NAN;
	return (double)x->dead_neurons / ((double)x->trials_reaching * (double)width);
}

