# The engine: plain C11 + SLEEF (+ BLAS). No Lua, readline or curses here.
noinst_LTLIBRARIES += src/core/librelushcore.la
# errors, the memory budget, the environment, interrupts, the CPU's features
src_core_librelushcore_la_SOURCES = src/core/err.c src/core/alloc.c src/core/env.c \
	src/core/interrupt.c src/core/cpu.h src/core/cpu.c
# random numbers (the SIMD Gaussian draws are below) and the weight laws
src_core_librelushcore_la_SOURCES += src/core/rng.c src/core/rng_simd.h src/core/rng_impl.h \
	src/core/law.c
# matrices and input sets, files written safely, CSV tables
src_core_librelushcore_la_SOURCES += src/core/mat.c src/core/inputs.c src/core/files.c src/core/csv.c
# nets: drawn, run forward (death), rescaled, flipped, aligned, trained; the bounds
src_core_librelushcore_la_SOURCES += src/core/net.c src/core/forward.c src/core/scale.c \
	src/core/flip.c src/core/alignment.c src/core/train.c src/core/bounds.c src/core/bound_search.c
# the Monte Carlo engine (doc/architecture.md, file by file), its Gram
# sampler and its layer kernels (kernel_impl.h: the portable copies here,
# the SIMD ones below)
src_core_librelushcore_la_SOURCES += src/core/mc.c src/core/mc_impl.h src/core/mc_counts.c \
	src/core/mc_eval.c src/core/mc_draw.c src/core/mc_eval_single.c src/core/gram.c \
	src/core/kernel.h src/core/kernel.c src/core/kernel_impl.h src/core/kernel_single.c \
	src/core/mc_small.h src/core/mc_small.c
# its results: records written as JSON lines and read back, their fields,
# merged, checked
src_core_librelushcore_la_SOURCES += src/core/strbuf.c src/core/probtext.c src/core/json.h src/core/json.c \
	src/core/mc_record.c src/core/mc_record_impl.h src/core/mc_record_read.c \
	src/core/mc_fields.c src/core/mc_merge.c src/core/mc_check.c
# NumPy and state-dict files (zlib inflates .npz members)
src_core_librelushcore_la_SOURCES += src/core/npy.c src/core/npz.c src/core/netfile.c
src_core_librelushcore_la_CFLAGS = $(AM_CFLAGS) $(SLEEF_CFLAGS) $(BLAS_CFLAGS) $(ZLIB_CFLAGS)
src_core_librelushcore_la_LIBADD = $(SLEEF_LIBS) $(BLAS_LIBS) $(ZLIB_LIBS) -lm

# SIMD code, compiled with its ISA's flags and chosen at run time (cpu.c):
# the Gaussian draws (rng_impl.h, with SLEEF) and the Monte Carlo layer
# kernels (kernel_impl.h, in double and in float32; mc_small_impl.h, the
# small-layer step, on AVX-512). The AVX-512 kernels
# are a library of their own: they run on AVX-512F alone, the draws need
# AVX-512DQ too.
if HAVE_AVX2
noinst_LTLIBRARIES += src/core/libsimd_avx2.la
src_core_libsimd_avx2_la_SOURCES = src/core/rng_avx2.c \
	src/core/kernel_avx2.c src/core/kernel_single_avx2.c
src_core_libsimd_avx2_la_CFLAGS = $(AM_CFLAGS) $(SLEEF_CFLAGS) -mavx2 -mfma
src_core_librelushcore_la_LIBADD += src/core/libsimd_avx2.la
endif
if HAVE_AVX512
noinst_LTLIBRARIES += src/core/libsimd_avx512.la src/core/libmckernel_avx512.la
src_core_libsimd_avx512_la_SOURCES = src/core/rng_avx512.c
src_core_libsimd_avx512_la_CFLAGS = $(AM_CFLAGS) $(SLEEF_CFLAGS) -mavx512f -mavx512dq -mfma
src_core_libmckernel_avx512_la_SOURCES = src/core/kernel_avx512.c src/core/kernel_single_avx512.c \
	src/core/mc_small_avx512.c src/core/mc_small_impl.h
src_core_libmckernel_avx512_la_CFLAGS = $(AM_CFLAGS) -mavx512f -mfma
src_core_librelushcore_la_LIBADD += src/core/libsimd_avx512.la src/core/libmckernel_avx512.la
endif
