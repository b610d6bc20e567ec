/* bound_search.c: the inverse questions width_for and depth_for, decided
 * exactly (doc/theory.md §5.3).
 *
 * Both searches reduce to one question: is L = (1 - 2^-n)^k >= p, for an
 * integer width n, an integer depth k (any integer-valued double) and a double
 * p? Rounding L to a double and comparing gives wrong answers at near-ties
 * (L = p (1 + 1e-17) rounds to p), so the question is answered on a bracket:
 * L is raised to the k-th power twice in W-bit binary floating point, once
 * rounding every product down and once up, which brackets the true value
 * rigorously. The base 1 - 2^-n is exact in W > n bits, and each rounding
 * costs at most one unit in the W-th bit (relative 2^(1-W)), which the power
 * multiplies by at most k; W = n + log2 k + GUARD bits therefore leaves a
 * bracket of relative width about 2^-GUARD around L. If p falls inside it the
 * guard is doubled; when W >= n k nothing is rounded at all and the answer
 * is exact, ties included. The guard only decides how soon an answer comes:
 * an answer is given only when p lies outside a rigorous bracket. A double
 * estimate (log space) only chooses where the searches start: every answer
 * is confirmed by the bracket at its boundary. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "relush/bounds.h"

#define GUARD_BITS 96
#define MAX_GUARD_BITS 24576 /* beyond: a coincidence of thousands of bits */
#define LIMB_BITS 32
#define MAX_LIMBS ((1100 + 1100 + MAX_GUARD_BITS) / LIMB_BITS + 2)
/* Below 2^-UNDERFLOW_EXP a value is less than every positive double. */
#define UNDERFLOW_EXP 1100

/* value = mant / 2^W * 2^exp with the top bit of mant set (limbs little
 * endian), so value lies in [2^(exp-1), 2^exp). */
typedef struct wide {
	uint32_t mant[MAX_LIMBS];
	int64_t exp;
} wide;

typedef struct powctx {
	int limbs;
	uint32_t product[2 * MAX_LIMBS];
} powctx;

static void wide_one(wide *w, int limbs)
{
	memset(w->mant, 0, sizeof w->mant);
	w->mant[limbs - 1] = 1u << (LIMB_BITS - 1);
	w->exp = 1;
}

/* 1 - 2^-n for 1 <= n <= W: 2^W - 2^(W-n) over 2^W, exponent 0. */
static void wide_base(wide *w, int limbs, int n)
{
	memset(w->mant, 0, sizeof w->mant);
	for (int i = 0; i < limbs; i++)
		w->mant[i] = UINT32_MAX;
	int low = limbs * LIMB_BITS - n; /* clear bits below W - n */
	for (int b = 0; b < low; b++)
		w->mant[b / LIMB_BITS] &= ~(1u << (b % LIMB_BITS));
	w->exp = 0;
}

/* r = the product in c->product (2W bits, in [2^(2W-2), 2^(2W))) times
 * 2^exp, rounded down (up = 0) or up (up = 1) to W bits. */
static void wide_round(powctx *c, wide *r, int64_t exp, int up)
{
	int n = c->limbs;
	const uint32_t *p = c->product;
	int shift = n * LIMB_BITS; /* bits dropped */
	if (!(p[2 * n - 1] >> (LIMB_BITS - 1))) {
		shift--;
		exp--;
	}
	int dropped = 0;
	for (int i = 0; i < shift / LIMB_BITS && !dropped; i++)
		dropped = p[i] != 0;
	int word = shift / LIMB_BITS, bit = shift % LIMB_BITS;
	if (bit && (p[word] & ((1u << bit) - 1)))
		dropped = 1;
	for (int i = 0; i < n; i++) {
		uint64_t lo = p[word + i], hi = word + i + 1 < 2 * n ? p[word + i + 1] : 0;
		r->mant[i] = bit ? (uint32_t)((lo >> bit) | (hi << (LIMB_BITS - bit))) : (uint32_t)lo;
	}
	r->exp = exp;
	if (up && dropped) {
		int i = 0;
		while (i < n && ++r->mant[i] == 0)
			i++;
		if (i == n) { /* carried out: the value is 2^exp exactly */
			r->mant[n - 1] = 1u << (LIMB_BITS - 1);
			r->exp++;
		}
	}
}

/* r = a * b, rounded as wide_round; r may alias a or b. */
static void wide_mul(powctx *c, wide *r, const wide *a, const wide *b, int up)
{
	int n = c->limbs;
	uint32_t *p = c->product;
	memset(p, 0, sizeof(uint32_t) * 2 * (size_t)n);
	for (int i = 0; i < n; i++) {
		uint64_t carry = 0;
		for (int j = 0; j < n; j++) {
			uint64_t t = (uint64_t)a->mant[i] * b->mant[j] + p[i + j] + carry;
			p[i + j] = (uint32_t)t;
			carry = t >> 32;
		}
		p[i + n] = (uint32_t)carry;
	}
	wide_round(c, r, a->exp + b->exp, up);
}

/* r = a * a, rounded as wide_round: each cross product once, doubled, plus
 * the squares on the diagonal (about half the work of wide_mul). */
static void wide_sqr(powctx *c, wide *r, const wide *a, int up)
{
	int n = c->limbs;
	uint32_t *p = c->product;
	memset(p, 0, sizeof(uint32_t) * 2 * (size_t)n);
	for (int i = 0; i < n; i++) {
		uint64_t carry = 0;
		for (int j = i + 1; j < n; j++) {
			uint64_t t = (uint64_t)a->mant[i] * a->mant[j] + p[i + j] + carry;
			p[i + j] = (uint32_t)t;
			carry = t >> 32;
		}
		p[i + n] = (uint32_t)carry;
	}
	uint32_t top = 0; /* double the cross sum */
	for (int i = 0; i < 2 * n; i++) {
		uint32_t next = p[i] >> 31;
		p[i] = (p[i] << 1) | top;
		top = next;
	}
	uint64_t carry = 0;
	for (int i = 0; i < n; i++) {
		uint64_t sq = (uint64_t)a->mant[i] * a->mant[i];
		uint64_t t = (uint64_t)p[2 * i] + (uint32_t)sq + carry;
		p[2 * i] = (uint32_t)t;
		t = (uint64_t)p[2 * i + 1] + (sq >> 32) + (t >> 32);
		p[2 * i + 1] = (uint32_t)t;
		carry = t >> 32;
	}
	wide_round(c, r, 2 * a->exp, up);
}

/* Sign of w - p for a positive double p (w has at least 2 limbs). */
static int wide_cmp_double(const wide *w, int limbs, double p)
{
	int e;
	double f = frexp(p, &e); /* p = f 2^e, f in [1/2, 1) */
	if (w->exp != e)
		return w->exp > e ? 1 : -1;
	/* p's 53-bit mantissa aligned to the top of the W bits: two limbs. */
	uint64_t top = (uint64_t)ldexp(f, 53) << 11;
	for (int i = limbs - 1; i >= 0; i--) {
		uint32_t q = i == limbs - 1 ? (uint32_t)(top >> 32) : i == limbs - 2 ? (uint32_t)top : 0;
		if (w->mant[i] != q)
			return w->mant[i] > q ? 1 : -1;
	}
	return 0;
}

static int wide_below(const wide *w) { return w->exp < -UNDERFLOW_EXP; }

/* Raises both ends of the bracket to the power m 2^q. Returns 1 when the
 * upper end fell below every double (so L < p), else 0. */
static int bracket_power(powctx *c, int n, uint64_t m, int q, wide *lo, wide *hi)
{
	wide base_lo, base_hi;
	wide_one(lo, c->limbs);
	wide_one(hi, c->limbs);
	wide_base(&base_lo, c->limbs, n);
	base_hi = base_lo;
	while (m) {
		if (m & 1) {
			wide_mul(c, lo, lo, &base_lo, 0);
			wide_mul(c, hi, hi, &base_hi, 1);
			if (wide_below(hi))
				return 1;
		}
		m >>= 1;
		if (m) {
			wide_sqr(c, &base_lo, &base_lo, 0);
			wide_sqr(c, &base_hi, &base_hi, 1);
			if (wide_below(&base_hi)) /* a later factor is this small */
				return 1;
		}
	}
	for (int i = 0; i < q; i++) {
		wide_sqr(c, lo, lo, 0);
		wide_sqr(c, hi, hi, 1);
		if (wide_below(hi))
			return 1;
	}
	return 0;
}

/* A depth m 2^q (m < 2^64). */
typedef struct depth_t {
	uint64_t m;
	int q;
} depth_t;

static depth_t depth_of_double(double k)
{
	depth_t d = {0, 0};
	if (k < 18446744073709551616.0) { /* 2^64 */
		d.m = (uint64_t)k;
	} else {
		int ek;
		double f = frexp(k, &ek);
		d.m = (uint64_t)ldexp(f, 53);
		d.q = ek - 53;
	}
	return d;
}

/* *reaches = ((1 - 2^-n)^k >= p), exactly: n an integer in [1, SEARCH_MAX_WIDTH],
 * k = m 2^q <= DBL_MAX, p in (0, 1). */
static int lower_reaches(double n, depth_t k, double p, int *reaches, rl_err *e)
{
	if (k.m == 0) {
		*reaches = 1;
		return 0;
	}
	int kbits = k.q;
	for (uint64_t t = k.m; t; t >>= 1)
		kbits++;
	/* (1 - 2^-n)^j = (2^n - 1)^j / 2^(n j) has n j significant bits, so with
	 * W >= n k bits no product is ever rounded and the bracket is the value. */
	double exact_bits = n * ldexp((double)k.m, k.q);
	powctx c;
	wide lo, hi;
	for (int guard = GUARD_BITS;; guard *= 2) {
		double bits = fmin(n + kbits + guard, fmax(exact_bits, n));
		c.limbs = (int)fmax(2.0, ceil(bits / LIMB_BITS));
		if (bracket_power(&c, (int)n, k.m, k.q, &lo, &hi)) {
			*reaches = 0;
			return 0;
		}
		if (wide_cmp_double(&lo, c.limbs, p) >= 0) {
			*reaches = 1;
			return 0;
		}
		if (wide_cmp_double(&hi, c.limbs, p) < 0) {
			*reaches = 0;
			return 0;
		}
		/* lo < p <= hi: something was rounded (else lo == hi), so W < n k
		 * and a larger guard brings W closer to exactness. */
		if (guard >= MAX_GUARD_BITS)
			return rl_fail(e, "cannot decide whether (1 - 2^-%.17g)^%.17g >= %.17g: the two "
			               "agree to more than %d bits", n, ldexp((double)k.m, k.q), p,
			               MAX_GUARD_BITS);
	}
}

/* ---- the searches ------------------------------------------------------------
 * Depths are searched on an ordered index t: the integer t itself below 2^63,
 * and above it the bit pattern of a positive double (ordered like the doubles
 * themselves), so one bisection serves exact integers and huge depths. */
#define TWO_63 9223372036854775808.0
#define INT_REGIME_END ((uint64_t)1 << 63)

static depth_t depth_at(uint64_t t, int doubles)
{
	if (!doubles)
		return (depth_t){t, 0};
	double k;
	memcpy(&k, &t, sizeof k);
	return depth_of_double(k);
}

static uint64_t index_of_double(double k, int doubles)
{
	if (!doubles)
		return (uint64_t)k;
	uint64_t t;
	memcpy(&t, &k, sizeof t);
	return t;
}

/* Greatest t in [lo, hi) reaching p, given that lo reaches and hi does not. */
static int bisect_depth(double n, double p, int doubles, uint64_t lo, uint64_t hi,
                        uint64_t *out, rl_err *e)
{
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		int r;
		if (lower_reaches(n, depth_at(mid, doubles), p, &r, e))
			return -1;
		if (r)
			lo = mid;
		else
			hi = mid;
	}
	*out = lo;
	return 0;
}

/* Narrows [lo, hi] around the estimate (relative accuracy far better than
 * 2^-44) when the narrowed ends keep the invariant; only speed depends on it. */
static int narrow(double n, double p, int doubles, double estimate, uint64_t *lo, uint64_t *hi,
                  rl_err *e)
{
	double below = floor(estimate * (1.0 - 0x1p-44)) - 2.0;
	double above = ceil(estimate * (1.0 + 0x1p-44)) + 2.0;
	if (!(below >= 0.0) || (!doubles && !(above < TWO_63)) || !(above <= DBL_MAX))
		return 0;
	uint64_t a = index_of_double(below, doubles), b = index_of_double(above, doubles);
	if (a <= *lo || b >= *hi || a >= b)
		return 0;
	int ra, rb;
	if (lower_reaches(n, depth_at(a, doubles), p, &ra, e) ||
	    lower_reaches(n, depth_at(b, doubles), p, &rb, e))
		return -1;
	if (ra)
		*lo = a;
	if (!rb)
		*hi = b;
	return 0;
}

/* Past this width even the largest double keeps L above every p < 1:
 * (1 - 2^-n)^k >= 1 - k 2^-n > 1 - 2^(1024 - n) >= 1 - 2^-54 (Bernoulli). */
#define SEARCH_MAX_WIDTH 1078.0

/* Which side of `edge` K lies on: from the estimate when trusted and far
 * from the edge, else decided. A trusted guess is confirmed afterwards. */
static int depth_beyond(double n, double p, double estimate, double edge, int trust,
                        int *beyond, rl_err *e)
{
	if (trust && estimate < edge * 0.5) {
		*beyond = 0;
		return 0;
	}
	if (trust && edge < DBL_MAX && estimate > edge * 2.0) {
		*beyond = 1;
		return 0;
	}
	return lower_reaches(n, depth_of_double(edge), p, beyond, e);
}

/* One search; with trust, the regime comes from the estimate and *confirmed
 * says whether the answer then passed its check at the boundary (without
 * trust every step is decided, so it always does). */
static int depth_search(double n, double p, double estimate, int trust, bound_depth *out,
                        int *confirmed, rl_err *e)
{
	int beyond, doubles, r;
	memset(out, 0, sizeof *out);
	*confirmed = 1;
	if (depth_beyond(n, p, estimate, DBL_MAX, trust, &beyond, e))
		return -1;
	if (beyond) {
		out->value = HUGE_VAL;
		return 0;
	}
	if (depth_beyond(n, p, estimate, TWO_63, trust, &doubles, e))
		return -1;
	uint64_t lo = doubles ? index_of_double(TWO_63, 1) : 0;
	uint64_t hi = doubles ? index_of_double(DBL_MAX, 1) : INT_REGIME_END;
	if (narrow(n, p, doubles, estimate, &lo, &hi, e))
		return -1;
	uint64_t t;
	if (bisect_depth(n, p, doubles, lo, hi, &t, e))
		return -1;
	if (trust) { /* the bisection assumed both ends of its range */
		int above;
		if (lower_reaches(n, depth_at(t, doubles), p, &r, e) ||
		    lower_reaches(n, depth_at(t + 1, doubles), p, &above, e))
			return -1;
		*confirmed = r && !above;
	}
	out->exact = !doubles;
	out->k = doubles ? 0 : t;
	if (doubles)
		memcpy(&out->value, &t, sizeof out->value);
	else
		out->value = (double)t;
	return 0;
}

int bound_depth_for(double n, double p, bound_depth *out, rl_err *e)
{
	if (bound_check_count(n, 1.0, "width", e) || bound_check_prob(p, "probability", e))
		return -1;
	memset(out, 0, sizeof *out);
	if (n >= SEARCH_MAX_WIDTH) {
		out->value = HUGE_VAL;
		return 0;
	}
	/* The estimate log p / log(1 - 2^-n), within a few ulps; 2^-n itself
	 * may underflow for large n, where log(1 - 2^-n) = -2^-n to 2^-54. */
	double estimate = n < 54.0 ? log(p) / log1p(-ldexp(1.0, -(int)n)) : ldexp(-log(p), (int)n);
	int confirmed;
	if (depth_search(n, p, estimate, 1, out, &confirmed, e))
		return -1;
	if (!confirmed && depth_search(n, p, estimate, 0, out, &confirmed, e))
		return -1;
	return 0;
}

/* The least n in (lo, hi] reaching p, given that lo does not (or is 0) and
 * hi does. */
static int bisect_width(depth_t depth, double p, double lo, double hi, double *out, rl_err *e)
{
	while (hi - lo > 1.0) {
		double mid = floor((lo + hi) / 2.0);
		int r;
		if (lower_reaches(mid, depth, p, &r, e))
			return -1;
		if (r)
			hi = mid;
		else
			lo = mid;
	}
	*out = hi;
	return 0;
}

int bound_width_for(double k, double p, double *n_out, rl_err *e)
{
	if (bound_check_count(k, 0.0, "depth", e) || bound_check_prob(p, "probability", e))
		return -1;
	if (k == 0.0) {
		*n_out = 1.0;
		return 0;
	}
	/* L(n, k) >= p  <=>  2^-n <= 1 - p^(1/k) = t: the estimate ceil(-log2 t). */
	double x = -log(p) / k;
	double t = x > 1e-10 ? -expm1(-x) : x;
	double guess = t > 0.0 ? ceil(-log2(t)) : SEARCH_MAX_WIDTH;
	double lo = fmax(0.0, fmin(guess - 2.0, SEARCH_MAX_WIDTH - 1.0));
	double hi = fmin(SEARCH_MAX_WIDTH, lo + 4.0);
	depth_t depth = depth_of_double(k);
	int r;
	/* Width 1078 always reaches p (see SEARCH_MAX_WIDTH) and 0 never does;
	 * the guessed ends in between are decided before the bisection. */
	int lo_known = lo == 0.0;
	if (hi < SEARCH_MAX_WIDTH) {
		if (lower_reaches(hi, depth, p, &r, e))
			return -1;
		if (!r) {
			lo = hi;
			hi = SEARCH_MAX_WIDTH;
			lo_known = 1;
		}
	}
	if (!lo_known) {
		if (lower_reaches(lo, depth, p, &r, e))
			return -1;
		if (r) {
			hi = lo;
			lo = 0.0;
		}
	}
	return bisect_width(depth, p, lo, hi, n_out, e);
}
