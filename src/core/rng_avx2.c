/* rng_avx2.c: the variate kernels of rng_impl.h compiled for AVX2 + FMA
 * (run only when the CPU has them; chosen in rng.c). */
#define RNG_NAME(x) x##_avx2
#include "rng_impl.h"
