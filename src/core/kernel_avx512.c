/* kernel_avx512.c: the double layer kernels of kernel_impl.h compiled for
 * AVX-512F + FMA (run only when the CPU has them; chosen in kernel.c). */
#define KERNEL_NAME(x) x##_avx512
#include "kernel_impl.h"
