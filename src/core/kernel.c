/* kernel.c: the layer kernels for any x86-64 (or other) CPU, and the run-time
 * choice between them and the AVX2 / AVX-512 copies of the same source
 * (kernel_impl.h), made once from the CPU's features (cpu.c). */
#include "config.h"
#include <pthread.h>
#include <stdatomic.h>
#include "cpu.h"
#define KERNEL_NAME(x) x##_base
#include "kernel_impl.h"
#include "kernel_single_impl.h"

static struct {
	pthread_once_t once;
	int has[KERNEL_PATH_AVX512 + 1];
	kernel_path best;
	_Atomic int current;
} kernel_state = { .once = PTHREAD_ONCE_INIT };

static void kernel_setup(void)
{
	const cpu_features *cpu = cpu_get();
	kernel_state.has[KERNEL_PATH_BASE] = 1;
	kernel_state.best = KERNEL_PATH_BASE;
#ifdef HAVE_AVX2
	if (cpu->avx2) {
		kernel_state.has[KERNEL_PATH_AVX2] = 1;
		kernel_state.best = KERNEL_PATH_AVX2;
	}
#endif
#ifdef HAVE_AVX512
	if (cpu->avx512f) {
		kernel_state.has[KERNEL_PATH_AVX512] = 1;
		kernel_state.best = KERNEL_PATH_AVX512;
	}
#endif
	(void)cpu;
	atomic_store(&kernel_state.current, (int)kernel_state.best);
}

kernel_path kernel_get_path(void)
{
	pthread_once(&kernel_state.once, kernel_setup);
	return (kernel_path)atomic_load_explicit(&kernel_state.current, memory_order_relaxed);
}

int kernel_set_path(kernel_path p)
{
	pthread_once(&kernel_state.once, kernel_setup);
	if (p == KERNEL_PATH_AUTO)
		p = kernel_state.best;
	if ((int)p < KERNEL_PATH_BASE || (int)p > KERNEL_PATH_AVX512 || !kernel_state.has[p])
		return -1;
	atomic_store(&kernel_state.current, (int)p);
	return 0;
}

const char *kernel_path_name(kernel_path p)
{
	switch (p) {
	case KERNEL_PATH_AUTO: return "auto";
	case KERNEL_PATH_BASE: return "base";
	case KERNEL_PATH_AVX2: return "avx2";
	case KERNEL_PATH_AVX512: return "avx512";
	}
	return "unknown";
}

kernel_dense_fn *kernel_dense(void)
{
	switch (kernel_get_path()) {
#ifdef HAVE_AVX2
	case KERNEL_PATH_AVX2: return kernel_dense_avx2;
#endif
#ifdef HAVE_AVX512
	case KERNEL_PATH_AVX512: return kernel_dense_avx512;
#endif
	default: return kernel_dense_base;
	}
}

kernel_finish_fn *kernel_finish(void)
{
	switch (kernel_get_path()) {
#ifdef HAVE_AVX2
	case KERNEL_PATH_AVX2: return kernel_finish_avx2;
#endif
#ifdef HAVE_AVX512
	case KERNEL_PATH_AVX512: return kernel_finish_avx512;
#endif
	default: return kernel_finish_base;
	}
}

kernel_dense_single_fn *kernel_dense_single(void)
{
	switch (kernel_get_path()) {
#ifdef HAVE_AVX2
	case KERNEL_PATH_AVX2: return kernel_dense_single_avx2;
#endif
#ifdef HAVE_AVX512
	case KERNEL_PATH_AVX512: return kernel_dense_single_avx512;
#endif
	default: return kernel_dense_single_base;
	}
}

int kernel_single_fused(void)
{
	return kernel_dense_single() != kernel_dense_single_base;
}
