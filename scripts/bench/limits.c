/* limits.c: this machine's limits for the Monte Carlo benchmark, on one
 * core: Gaussian variates per second from the engine's own RNG (rng_normal,
 * 4096 a call, the size of a weight block) and double-precision GEMM FLOP/s
 * of the BLAS alone (single-threaded) and of the engine's fused kernel, for
 * the layer shapes of the benchmark configurations. Built and run by
 * scripts/bench/run; prints "name value" lines. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_BLAS
#include <cblas.h>
void openblas_set_num_threads(int);
#endif
#include "relush/interrupt.h"
#include "relush/rng.h"
#include "core/kernel.h"

static double variates_per_second(double seconds)
{
	static double buf[4096];
	rl_rng r;
	rng_init(&r, 1, 1, 2);
	double t0 = rl_now(), t;
	size_t n = 0;
	do {
		for (int k = 0; k < 64; k++)
			rng_normal(&r, buf, 4096);
		n += 64 * 4096;
		t = rl_now() - t0;
	} while (t < seconds);
	return (double)n / t;
}

/* FLOP/s of Z (n x m) = W (n x p) H (p x m) by the BLAS or the fused kernel. */
static double gemm_flops(size_t n, size_t p, size_t m, int blas, double seconds)
{
	size_t pad = kernel_pad(m);
	double *W = malloc(n * p * sizeof *W), *H = malloc(p * pad * sizeof *H);
	double *Z = malloc(n * pad * sizeof *Z), *b = calloc(n, sizeof *b);
	uint64_t *active = calloc(n, sizeof *active);
	void *scratch = aligned_alloc(64, (n + 1) * KERNEL_SCRATCH);
	memset(scratch, 0, (n + 1) * KERNEL_SCRATCH);
	for (size_t i = 0; i < n * p; i++)
		W[i] = (double)(i % 7) - 3.0;
	for (size_t i = 0; i < p * pad; i++)
		H[i] = (double)(i % 5) * 0.1;
	double t0 = rl_now(), t;
	size_t reps = 0;
	do {
#ifdef HAVE_BLAS
		if (blas)
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)p,
			            1.0, W, (int)p, H, (int)pad, 0.0, Z, (int)pad);
		else
#endif
			kernel_dense()(W, b, n, p, H, pad, m, Z, pad, active, scratch);
		reps++;
		t = rl_now() - t0;
	} while (t < seconds);
	(void)blas;
	free(W);
	free(H);
	free(Z);
	free(b);
	free(active);
	free(scratch);
	return 2.0 * (double)n * (double)p * (double)m * (double)reps / t;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 0.5;
#ifdef HAVE_BLAS
	openblas_set_num_threads(1);
#endif
	printf("rng_path %s\n", rng_path_name(rng_get_path()));
	printf("kernel_path %s\n", kernel_path_name(kernel_get_path()));
	printf("variates_per_s %.4g\n", variates_per_second(seconds));
	static const struct { const char *name; size_t n, p, m; } shapes[] = {
		{"P1", 4, 4, 64}, {"P2", 64, 64, 256}, {"P4a", 128, 784, 1000}, {"P4b", 128, 128, 1000},
	};
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
#ifdef HAVE_BLAS
		printf("blas_flops_%s %.4g\n", shapes[s].name,
		       gemm_flops(shapes[s].n, shapes[s].p, shapes[s].m, 1, seconds));
#endif
		printf("kernel_flops_%s %.4g\n", shapes[s].name,
		       gemm_flops(shapes[s].n, shapes[s].p, shapes[s].m, 0, seconds));
	}
	return 0;
}
