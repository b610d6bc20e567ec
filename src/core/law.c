/* law.c: weight and bias laws and their default scales (see relush/law.h).
 * Defaults keep the variance at 2/fan_in (He) or 2/(fan_in + fan_out)
 * (Glorot) whatever the law, so laws can be compared at equal variance. */
#include <math.h>
#include "relush/law.h"

double law_sd(rl_law_kind kind, double param)
{
	switch (kind) {
	case LAW_NORMAL: return param;
	case LAW_UNIFORM: return param / sqrt(3.0);     /* var of U(-a,a) = a^2/3 */
	case LAW_LAPLACE: return param * sqrt(2.0);     /* var of Laplace(b) = 2 b^2 */
	default: return 0.0;
	}
}

/* The law's parameter that gives standard deviation sd. */
static double param_for_sd(rl_law_kind kind, double sd)
{
	switch (kind) {
	case LAW_NORMAL: return sd;
	case LAW_UNIFORM: return sd * sqrt(3.0);
	case LAW_LAPLACE: return sd / sqrt(2.0);
	default: return 0.0;
	}
}

double law_param(const rl_law *law, size_t fan_in, size_t fan_out)
{
	switch (law->rule) {
	case SCALE_HE:
		return param_for_sd(law->kind, sqrt(2.0 / (double)fan_in));
	case SCALE_GLOROT:
		return param_for_sd(law->kind, sqrt(2.0 / ((double)fan_in + (double)fan_out)));
	default:
		return law->param;
	}
}

void law_draw(rl_law_kind kind, double param, rl_rng *r, double *out, size_t n)
{
	switch (kind) {
	case LAW_NORMAL:
		rng_normal(r, out, n);
		for (size_t i = 0; i < n; i++)
			out[i] *= param;
		break;
	case LAW_UNIFORM:
		rng_uniform(r, out, n);
		for (size_t i = 0; i < n; i++)
			out[i] = param * (2.0 * out[i] - 1.0);
		break;
	case LAW_LAPLACE:
		rng_laplace(r, out, n);
		for (size_t i = 0; i < n; i++)
			out[i] *= param;
		break;
	default:
		for (size_t i = 0; i < n; i++)
			out[i] = 0.0;
		break;
	}
}

void law_draw_single(rl_law_kind kind, double param, rl_rng *r, float *out, size_t n)
{
	if (kind == LAW_NORMAL) {
		rng_normal_float(r, out, n);
		for (size_t i = 0; i < n; i++)
			out[i] = (float)(param * (double)out[i]);
		return;
	}
	/* in chunks of an even size: the stream reads as in one call */
	double chunk[256];
	for (size_t done = 0; done < n; done += 256) {
		size_t m = n - done < 256 ? n - done : 256;
		law_draw(kind, param, r, chunk, m);
		for (size_t i = 0; i < m; i++)
			out[done + i] = (float)chunk[i];
	}
}

const char *law_name(rl_law_kind kind)
{
	static const char *const names[] = {"zero", "normal", "uniform", "laplace"};
	return kind <= LAW_LAPLACE ? names[kind] : "?";
}
