/* cpu.h: what this CPU can run, read once (internal to src/core). The RNG
 * (rng.c) and the layer kernels (kernel.c) both pick their SIMD path from
 * it. On a CPU that is not x86 every flag is 0 and the portable code runs. */
#ifndef RELUSH_CPU_H
#define RELUSH_CPU_H

typedef struct cpu_features {
	int fma;        /* AVX and FMA3: SLEEF's purecfma code and every SIMD path need it */
	int avx2;       /* AVX2 (with fma) */
	int avx512f;    /* AVX-512F (with fma) */
	int avx512dq;   /* AVX-512DQ as well (64-bit integer conversions) */
} cpu_features;

/* The features, detected at the first call (thread-safe). */
const cpu_features *cpu_get(void);

#endif
