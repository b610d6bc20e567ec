/* cpu.c: the one place that asks the CPU what it supports (cpu.h). GCC's
 * __builtin_cpu_* exist only on x86, so other CPUs report no SIMD
 * features and run the portable paths. */
#include "config.h"
#include <pthread.h>
#include "cpu.h"

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
