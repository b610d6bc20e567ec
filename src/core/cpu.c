/* cpu.c: the one place that asks the CPU what it supports (cpu.h). GCC's
 * __builtin_cpu_* exist only on x86, so other CPUs report no SIMD
 * features and run the portable paths. Also the choice among those paths
 * that the RNG and the layer kernels each make from them. */
#include "config.h"
#include <pthread.h>
#include <stdatomic.h>
#include "cpu.h"
#include "kernel.h"
#include "relush/rng.h"

_Static_assert((int)RNG_PATH_SCALAR == CPU_PATH_PORTABLE && (int)RNG_PATH_AVX2 == CPU_PATH_AVX2 &&
               (int)RNG_PATH_AVX512 == CPU_PATH_AVX512, "rng_path numbers its paths as cpu.h does");
_Static_assert((int)KERNEL_PATH_BASE == CPU_PATH_PORTABLE && (int)KERNEL_PATH_AVX2 == CPU_PATH_AVX2 &&
               (int)KERNEL_PATH_AVX512 == CPU_PATH_AVX512, "kernel_path numbers its paths as cpu.h does");

static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static cpu_features cpu;

static void cpu_detect(void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
	__builtin_cpu_init();
	cpu.fma = __builtin_cpu_supports("avx") && __builtin_cpu_supports("fma");
	cpu.avx2 = cpu.fma && __builtin_cpu_supports("avx2");
	cpu.avx512f = cpu.fma && __builtin_cpu_supports("avx512f");
	cpu.avx512dq = cpu.avx512f && __builtin_cpu_supports("avx512dq");
#endif
}

const cpu_features *cpu_get(void)
{
	pthread_once(&cpu_once, cpu_detect);
	return &cpu;
}

void cpu_path_init(cpu_path_choice *c, int avx2, int avx512)
{
	c->has[CPU_PATH_PORTABLE] = 1;
	c->best = CPU_PATH_PORTABLE;
#ifdef HAVE_AVX2
	if (avx2) {
		c->has[CPU_PATH_AVX2] = 1;
		c->best = CPU_PATH_AVX2;
	}
#endif
#ifdef HAVE_AVX512
	if (avx512) {
		c->has[CPU_PATH_AVX512] = 1;
		c->best = CPU_PATH_AVX512;
	}
#endif
	(void)avx2;
	(void)avx512;
	atomic_store(&c->current, c->best);
}

int cpu_path_set(cpu_path_choice *c, int p)
{
	pthread_once(&c->once, c->setup);
	if (p == CPU_PATH_AUTO)
		p = c->best;
	if (p < CPU_PATH_PORTABLE || p > CPU_PATH_AVX512 || !c->has[p])
		return -1;
	atomic_store(&c->current, p);
	return 0;
}
