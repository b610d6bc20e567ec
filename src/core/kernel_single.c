/* kernel_single.c: the float32 layer kernel of kernel_impl.h for any CPU,
 * compiled without contraction (a product then a sum, as forward.c
 * computes a single-precision net when kernel_single_fused() is 0). */
#define KERNEL_NAME(x) x##_base
#define KERNEL_SINGLE 1
#include "kernel_impl.h"
