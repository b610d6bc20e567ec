/* rng_avx512.c: the variate kernels of rng_impl.h compiled for AVX-512F/DQ
 * + FMA (run only when the CPU has them; chosen in rng.c). */
#define RNG_NAME(x) x##_avx512
#include "rng_impl.h"
