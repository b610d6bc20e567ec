/* gram.c: the exact Gram sampler of a Gaussian layer (see kernel.h).
 *
 * With w_j ~ N(0, sd_w^2 I) and b_j ~ N(0, sd_b^2), neuron j's pre-activation
 * at a point is a . g_j with a = [sd_w h, sd_b] and g_j ~ N(0, I): the
 * pre-activations on m points are jointly N(0, A A^T). Instead of drawing g_j
 * (p numbers per neuron) we draw only its coordinates along an orthonormal
 * basis of the points' a-vectors, built by Gram-Schmidt in the order the
 * points are revealed: r <= min(m, p) numbers per neuron. The coordinates
 * along directions no point has used yet are independent of everything
 * revealed, which is what makes the point-by-point (lazy) use exact.
 *
 * Gram-Schmidt, not a Cholesky factor of A A^T: it works on A itself, so
 * nearly aligned points (deep layers align their inputs) lose no precision
 * to squaring, and rank deficiency is just a point that adds no vector. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kernel.h"
#include "relush/scale.h"

void gram_layer_init(gram_layer *g, size_t p, size_t n)
{
	memset(g, 0, sizeof *g);
	g->p = p;
	g->n = n;
}

void gram_layer_free(gram_layer *g)
{
	free(g->Q);
	free(g->G);
	g->Q = g->G = NULL;
	g->cap = g->rank = g->drawn = g->q_size = g->g_size = 0;
}

void gram_layer_reset(gram_layer *g, uint64_t seed, uint64_t trial, size_t layer)
{
	g->rank = 0;
	g->drawn = 0;
	rng_init(&g->rng, seed, trial, RNG_STREAM_GRAM(layer));
}

/* *buf holding at least n doubles (*size of them now): 0, or -1 when out of
 * memory, *buf then kept as it was. */
static int grow(double **buf, size_t *size, size_t n)
{
	if (n <= *size)
		return 0;
	double *p = realloc(*buf, n * sizeof *p);
	if (!p)
		return -1;
	*buf = p;
	*size = n;
	return 0;
}

/* Room for at least `need` basis vectors (at most p + 1 are ever needed).
 * Buffers are kept across reshapes (gram_layer_shape), sized in doubles. */
static int gram_grow(gram_layer *g, size_t need)
{
	if (need <= g->cap)
		return 0;
	size_t cap = g->cap ? 2 * g->cap : 4;
	if (cap < need)
		cap = need;
	if (cap > g->p + 1)
		cap = g->p + 1 > need ? g->p + 1 : need;
	size_t nq = cap * g->p, ng = cap * (g->n ? g->n : 1);
	if (grow(&g->Q, &g->q_size, nq) || grow(&g->G, &g->g_size, ng))
		return -1;
	g->cap = cap;
	return 0;
}

void gram_layer_shape(gram_layer *g, size_t p, size_t n)
{
	g->p = p;
	g->n = n;
	g->rank = g->drawn = 0;
	size_t a = p ? g->q_size / p : 0, b = g->g_size / (n ? n : 1);
	g->cap = a < b ? a : b;
}

int gram_draw_rows(gram_layer *g, size_t rows)
{
	if (gram_grow(g, rows))
		return -1;
	uint32_t blocks = (uint32_t)(g->n / 2 + g->n % 2);
	for (; g->drawn < rows; g->drawn++) {
		/* Row k starts at block k * ceil(n/2) whatever was drawn before. */
		g->rng.ctr[0] = (uint32_t)g->drawn * blocks;
		rng_normal(&g->rng, g->G + g->drawn * g->n, g->n);
	}
	return 0;
}

/* Four partial sums: independent chains the CPU can overlap (and a fixed
 * order, so every evaluation order of the sampler gets the same bits). */
static double dot(const double *restrict x, const double *restrict y, size_t p)
{
	double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
	size_t i = 0;
	for (; i + 4 <= p; i += 4) {
		s0 += x[i] * y[i];
		s1 += x[i + 1] * y[i + 1];
		s2 += x[i + 2] * y[i + 2];
		s3 += x[i + 3] * y[i + 3];
	}
	for (; i < p; i++)
		s0 += x[i] * y[i];
	return (s0 + s1) + (s2 + s3);
}

/* c[0..r) += Q v; v -= Q^T (that part). */
static void project_out(const gram_layer *g, double *restrict v, double *restrict c)
{
	for (size_t k = 0; k < g->rank; k++) {
		const double *restrict q = g->Q + k * g->p;
		double t = dot(q, v, g->p);
		c[k] += t;
		for (size_t i = 0; i < g->p; i++)
			v[i] -= t * q[i];
	}
}

/* Squared norms between these need no rescaling: far from overflow, and far
 * enough above the subnormals that the GRAM_TOL2 test keeps its precision. */
#define GRAM_NORM2_MIN 0x1p-900
#define GRAM_NORM2_MAX 0x1p900

size_t gram_reveal(gram_layer *g, const double *a, double *c, double *work, int draw)
{
	size_t p = g->p;
	double na2 = dot(a, a, p);
	memset(c, 0, (g->rank + 1) * sizeof *c);
	if (na2 == 0.0 && scale_exponent(a, p) == 0)
		return g->rank;   /* the zero vector (frexp(0) gives exponent 0) */
	memcpy(work, a, p * sizeof *work);
	/* Large or tiny points (|a|^2 would overflow or underflow) are worked on
	 * scaled by a power of two, which is exact; their coordinates are scaled
	 * back at the end. The basis is orthonormal, so it needs no scaling. */
	int ex = 0;
	if (!(na2 >= GRAM_NORM2_MIN && na2 <= GRAM_NORM2_MAX)) {
		ex = scale_exponent(a, p);
		for (size_t i = 0; i < p; i++)
			work[i] = ldexp(a[i], -ex);
		na2 = dot(work, work, p);
	}
	project_out(g, work, c);
	double nv2 = dot(work, work, p);
	/* Twice is enough (Kahan, Parlett): a second pass when the first removed
	 * most of the vector restores orthogonality to working precision. */
	if (g->rank && nv2 < 0.5 * na2) {
		project_out(g, work, c);
		nv2 = dot(work, work, p);
	}
	size_t rank = g->rank;
	if (nv2 > GRAM_TOL2 * na2) {
		if (gram_grow(g, g->rank + 1))
			return (size_t)-1;
		double nv = sqrt(nv2), inv = 1.0 / nv;
		double *q = g->Q + g->rank * p;
		for (size_t i = 0; i < p; i++)
			q[i] = work[i] * inv;
		c[g->rank] = nv;
		g->rank++;
		if (draw && g->drawn < g->rank && gram_draw_rows(g, g->rank))
			return (size_t)-1;
	}
	if (ex)
		for (size_t k = 0; k <= rank; k++)   /* c[rank] is 0 or the new length */
			c[k] = ldexp(c[k], ex);
	return g->rank;
}

void gram_combine(const gram_layer *g, const double *restrict c, size_t r, double *restrict z)
{
	size_t n = g->n;
	memset(z, 0, n * sizeof *z);
	for (size_t k = 0; k < r; k++) {
		double ck = c[k];
		if (ck == 0.0)
			continue;
		const double *restrict row = g->G + k * n;
		for (size_t j = 0; j < n; j++)
			z[j] += ck * row[j];
	}
}
