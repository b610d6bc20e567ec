/* rng_bench.c: variates per second of each RNG path (relush/rng.h): the
 * three laws in double, float32 normals (precision = "single"), and many
 * short streams at once (rng_normal_streams and rng_normal_streams_float,
 * streams of 16 variates: a small net's 4 x 4 layers), filling a buffer of
 * `batch` variates (default 4096, about a weight block) over and over for
 * about `seconds` per case. Timed in thread CPU time, so that other jobs
 * on a shared machine slow it less. Not part of make check; the bench's
 * limits tool (limits.c) compares the engine with the Box-Muller limit.
 *
 * Build and run from a configured build tree (here build/):
 *   make -C build src/core/librelushcore.la
 *   build/libtool --mode=link gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L \
 *       -Iinclude -o build/rng_bench scripts/bench/rng_bench.c \
 *       build/src/core/librelushcore.la -lsleef -lm
 *   build/rng_bench [seconds per case] [batch size]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "relush/rng.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { STREAM_LEN = 16, MAX_STREAMS = 1 << 16 };
static uint32_t stream_ids[MAX_STREAMS];
static size_t stream_lens[MAX_STREAMS];

/* Each case fills buf (doubles or floats) with n variates. */
static void normal(rl_rng *r, void *buf, size_t n) { rng_normal(r, buf, n); }
static void uniform(rl_rng *r, void *buf, size_t n) { rng_uniform(r, buf, n); }
static void laplace(rl_rng *r, void *buf, size_t n) { rng_laplace(r, buf, n); }
static void normal32(rl_rng *r, void *buf, size_t n) { rng_normal_float(r, buf, n); }
static void streams(rl_rng *r, void *buf, size_t n)
{
	rng_normal_streams(r->ctr[2]++, 0, stream_ids, stream_lens, n / STREAM_LEN, buf);
}
static void streams32(rl_rng *r, void *buf, size_t n)
{
	rng_normal_streams_float(r->ctr[2]++, 0, stream_ids, stream_lens, n / STREAM_LEN, buf);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	size_t batch = argc > 2 ? (size_t)atol(argv[2]) : 4096;
	static const struct {
		const char *name;
		void (*fill)(rl_rng *, void *, size_t);
		int streams;   /* fills whole streams of STREAM_LEN */
	} cases[] = {
		{ "normal", normal, 0 }, { "uniform", uniform, 0 }, { "laplace", laplace, 0 },
		{ "normal32", normal32, 0 }, { "streams", streams, 1 }, { "streams32", streams32, 1 },
	};
	double *buf = malloc(batch * sizeof *buf), sink = 0;
	if (!buf || batch == 0 || batch / STREAM_LEN > MAX_STREAMS || seconds <= 0) {
		fprintf(stderr, "usage: rng_bench [seconds > 0] [batch: 1 to %d]\n",
		        STREAM_LEN * MAX_STREAMS);
		return 2;
	}
	for (size_t k = 0; k < MAX_STREAMS; k++) {
		stream_ids[k] = RNG_STREAM_WEIGHTS(k + 1);
		stream_lens[k] = STREAM_LEN;
	}
	printf("%-8s %-9s %14s\n", "path", "case", "variates/s");
	for (rng_path p = RNG_PATH_SCALAR; p <= RNG_PATH_AVX512; p++) {
		if (rng_set_path(p) != 0) {
			printf("%-8s (not available on this CPU/build)\n", rng_path_name(p));
			continue;
		}
		for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
			size_t n = cases[c].streams ? batch / STREAM_LEN * STREAM_LEN : batch;
			if (n == 0)
				continue;
			rl_rng r;
			rng_init(&r, 1, 0, 0);
			size_t count = 0;
			double start = now(), elapsed;
			do {
				for (int k = 0; k < 64; k++) {
					cases[c].fill(&r, buf, n);
					sink += buf[0];
				}
				count += 64 * n;
			} while ((elapsed = now() - start) < seconds);
			printf("%-8s %-9s %14.3e\n", rng_path_name(p), cases[c].name, (double)count / elapsed);
		}
	}
	free(buf);
	return sink == 0.12345;   /* keeps the fills from being optimised away */
}
