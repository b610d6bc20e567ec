/* kernel_avx2.c: the double layer kernels of kernel_impl.h compiled for
 * AVX2 + FMA (run only when the CPU has them; chosen in kernel.c). */
#define KERNEL_NAME(x) x##_avx2
#include "kernel_impl.h"
