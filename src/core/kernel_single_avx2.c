/* kernel_single_avx2.c: the float32 layer kernel of kernel_impl.h compiled
 * for AVX2 + FMA (run only when the CPU has them; chosen in kernel.c). */
#define KERNEL_NAME(x) x##_avx2
#define KERNEL_SINGLE 1
#include "kernel_impl.h"
