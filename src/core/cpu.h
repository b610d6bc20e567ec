/* cpu.h: what this CPU can run, read once (internal to src/core). The RNG
 * (rng.c) and the layer kernels (kernel.c) both pick their SIMD path from
 * it. On a CPU that is not x86 every flag is 0 and the portable code runs. */
#ifndef RELUSH_CPU_H
#define RELUSH_CPU_H

#include <pthread.h>
#include <stdatomic.h>

typedef struct cpu_features {
	int fma;        /* AVX and FMA3: SLEEF's purecfma code and every SIMD path need it */
	int avx2;       /* AVX2 (with fma) */
	int avx512f;    /* AVX-512F (with fma) */
	int avx512dq;   /* AVX-512DQ as well (64-bit integer conversions) */
} cpu_features;

/* The features, detected at the first call (thread-safe). */
const cpu_features *cpu_get(void);

/* A SIMD path: the numbering of rng_path and kernel_path, which both pick
 * among the portable code and AVX2 / AVX-512 copies of it. */
enum { CPU_PATH_AUTO = 0, CPU_PATH_PORTABLE, CPU_PATH_AVX2, CPU_PATH_AVX512 };

/* A module's choice: which paths it can run on this CPU and build, its
 * best, and the one in use (never AUTO). The module's setup runs once,
 * before the first get or set, and calls cpu_path_init. */
typedef struct cpu_path_choice {
	pthread_once_t once;
	void (*setup)(void);
	int has[CPU_PATH_AVX512 + 1];
	int best;
	_Atomic int current;
} cpu_path_choice;
#define CPU_PATH_CHOICE(setup) { PTHREAD_ONCE_INIT, (setup), { 0 }, 0, 0 }

/* The portable path, plus AVX2 when avx2 is set and this build has its
 * copy (HAVE_AVX2), AVX-512 likewise; the best of them in use. */
void cpu_path_init(cpu_path_choice *c, int avx2, int avx512);
/* Puts path p (AUTO: the best) in use: 0, or -1 when it cannot run. */
int cpu_path_set(cpu_path_choice *c, int p);
/* The path in use; inline, as the RNG asks at every fill. */
static inline int cpu_path_get(cpu_path_choice *c)
{
	pthread_once(&c->once, c->setup);
	return atomic_load_explicit(&c->current, memory_order_relaxed);
}

#endif
