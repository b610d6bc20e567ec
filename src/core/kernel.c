/* kernel.c: the double layer kernels for any x86-64 (or other) CPU, and
 * the run-time choice between the portable copies (this file and
 * kernel_single.c) and the AVX2 / AVX-512 copies of the same source
 * (kernel_impl.h), made once from the CPU's features (cpu.c). */
#include "config.h"
#include "cpu.h"
#define KERNEL_NAME(x) x##_base
#include "kernel_impl.h"

static void kernel_setup(void);
static cpu_path_choice kernel_paths = CPU_PATH_CHOICE(kernel_setup);

static void kernel_setup(void)
{
	const cpu_features *cpu = cpu_get();
	cpu_path_init(&kernel_paths, cpu->avx2, cpu->avx512f);
}

kernel_path kernel_get_path(void)
{
	return (kernel_path)cpu_path_get(&kernel_paths);
}

int kernel_set_path(kernel_path p)
{
	return cpu_path_set(&kernel_paths, (int)p);
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

/* One path's kernels. */
typedef struct {
	kernel_dense_fn *dense;
	kernel_finish_fn *finish;
	kernel_dense_single_fn *dense_single;
	kernel_preact_single_fn *preact_single;
} kernel_set;

static const kernel_set *kernel_current(void)
{
	static const kernel_set base = {kernel_dense_base, kernel_finish_base,
	                                kernel_dense_single_base, kernel_preact_single_base};
#ifdef HAVE_AVX2
	static const kernel_set avx2 = {kernel_dense_avx2, kernel_finish_avx2,
	                                kernel_dense_single_avx2, kernel_preact_single_avx2};
#endif
#ifdef HAVE_AVX512
	static const kernel_set avx512 = {kernel_dense_avx512, kernel_finish_avx512,
	                                  kernel_dense_single_avx512, kernel_preact_single_avx512};
#endif
	switch (kernel_get_path()) {
#ifdef HAVE_AVX2
	case KERNEL_PATH_AVX2: return &avx2;
#endif
#ifdef HAVE_AVX512
	case KERNEL_PATH_AVX512: return &avx512;
#endif
	default: return &base;
	}
}

kernel_dense_fn *kernel_dense(void)
{
	return kernel_current()->dense;
}

kernel_finish_fn *kernel_finish(void)
{
	return kernel_current()->finish;
}

kernel_dense_single_fn *kernel_dense_single(void)
{
	return kernel_current()->dense_single;
}

kernel_preact_single_fn *kernel_preact_single(void)
{
	return kernel_current()->preact_single;
}

int kernel_single_fused(void)
{
	return kernel_current()->dense_single != kernel_dense_single_base;
}
