/* rng_bench.c: variates per second of each RNG path (relush/rng.h) and law,
 * filling a 4096-double buffer over and over for about a second per case
 * (a weight matrix row block is about that size). Not part of make check.
 *
 * Build and run from a configured build tree (here /tmp/build-$USER):
 *   make src/core/librelushcore.la
 *   ./libtool --mode=link gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L \
 *       -I/work/main/include -o rng_bench /work/main/scripts/bench/rng_bench.c \
 *       src/core/librelushcore.la
 *   ./rng_bench [seconds per case] [batch size]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "relush/rng.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	size_t batch = argc > 2 ? (size_t)atol(argv[2]) : 4096;
	static const struct {
		const char *name;
		void (*fill)(rl_rng *, double *, size_t);
	} laws[] = { { "normal", rng_normal }, { "uniform", rng_uniform }, { "laplace", rng_laplace } };
	double *buf = malloc(batch * sizeof *buf), sink = 0;
	if (!buf || batch == 0 || seconds <= 0) {
		fprintf(stderr, "usage: rng_bench [seconds > 0] [batch >= 1]\n");
		return 2;
	}
	printf("%-8s %-8s %14s\n", "path", "law", "variates/s");
	for (rng_path p = RNG_PATH_SCALAR; p <= RNG_PATH_AVX512; p++) {
		if (rng_set_path(p) != 0) {
			printf("%-8s (not available on this CPU/build)\n", rng_path_name(p));
			continue;
		}
		for (size_t l = 0; l < sizeof laws / sizeof laws[0]; l++) {
			rl_rng r;
			rng_init(&r, 1, 0, 0);
			size_t count = 0;
			double start = now(), elapsed;
			do {
				for (int k = 0; k < 64; k++) {
					laws[l].fill(&r, buf, batch);
					sink += buf[batch - 1];
				}
				count += 64 * batch;
			} while ((elapsed = now() - start) < seconds);
			printf("%-8s %-8s %14.3e\n", rng_path_name(p), laws[l].name, (double)count / elapsed);
		}
	}
	free(buf);
	return sink == 0.12345;   /* keeps the fills from being optimised away */
}
