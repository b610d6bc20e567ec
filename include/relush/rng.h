/* rng.h: counter-based random numbers (Philox4x32-10). A stream is named by
 * (seed, trial, stream id); its outputs are a pure function of that name and
 * the position in the stream, so any trial can be replayed alone and results
 * do not depend on threads or chunking. Variates are produced in blocks: one
 * Philox block (128 bits) gives exactly two doubles of any law, so the k-th
 * variate of a stream is the same whatever the batch sizes asked for. */
#ifndef RELUSH_RNG_H
#define RELUSH_RNG_H

#include <stddef.h>
#include <stdint.h>

/* Stream ids. Network layer l (1-based) draws its weights from stream
 * RNG_STREAM_WEIGHTS(l) and its biases from RNG_STREAM_BIAS(l). */
#define RNG_STREAM_WEIGHTS(l) ((uint32_t)(2u * (uint32_t)(l)))
#define RNG_STREAM_BIAS(l)    ((uint32_t)(2u * (uint32_t)(l) + 1u))
#define RNG_STREAM_GRAM(l)    ((uint32_t)(0x40000000u + (uint32_t)(l)))
#define RNG_STREAM_INPUTS     0xFFFFFF00u

typedef struct rl_rng {
	uint32_t key[2];     /* from the seed */
	uint32_t ctr[4];     /* ctr[0]: block, ctr[1]: stream, ctr[2..3]: trial */
} rl_rng;

void rng_init(rl_rng *r, uint64_t seed, uint64_t trial, uint32_t stream);

/* One Philox4x32-10 block: out = philox(ctr, key). */
void rng_philox(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Fill out[0..n) and advance the stream by ceil(n/2) blocks. */
void rng_normal(rl_rng *r, double *out, size_t n);        /* N(0, 1) */
void rng_uniform(rl_rng *r, double *out, size_t n);       /* U(0, 1), open */
void rng_laplace(rl_rng *r, double *out, size_t n);       /* density e^-|x| / 2 */
/* float32 N(0, 1) for precision = "single": one block gives four floats,
 * so this fills out[0..n) and advances the stream by ceil(n/4) blocks. The
 * k-th float variate is the same whatever the batch sizes (block k / 4,
 * output k % 4). Its uniforms have 23 random bits, u = (2j + 1) 2^-24, so
 * |z| <= sqrt(48 ln 2) = 5.77: the law is the normal truncated where its
 * tails hold 8e-9 of the mass. */
void rng_normal_float(rl_rng *r, float *out, size_t n);

/* Many short streams of one (seed, trial) at once: for each k < count,
 * the first len[k] normals of stream stream[k] (from block 0) follow each
 * other in out, exactly as rng_init and rng_normal per stream give them.
 * One call per stream costs more than its variates when streams hold a
 * few dozen (a small net's layers); here the vector lanes run across
 * streams. */
void rng_normal_streams(uint64_t seed, uint64_t trial, const uint32_t *stream,
                        const size_t *len, size_t count, double *out);
/* The same for rng_normal_float's float32 variates: the first len[k] of
 * stream stream[k], exactly as rng_init and rng_normal_float per stream
 * give them (precision = "single"). */
void rng_normal_streams_float(uint64_t seed, uint64_t trial, const uint32_t *stream,
                              const size_t *len, size_t count, float *out);

/* Which implementation fills the Gaussians: chosen at first use from the
 * CPU's features; tests force each one to compare them. */
typedef enum { RNG_PATH_AUTO = 0, RNG_PATH_SCALAR, RNG_PATH_AVX2, RNG_PATH_AVX512 } rng_path;
int rng_set_path(rng_path p);   /* -1 if this CPU/build cannot run p */
rng_path rng_get_path(void);
const char *rng_path_name(rng_path p);

#endif
