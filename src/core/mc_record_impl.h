/* mc_record_impl.h: what the three files of the results format share
 * (mc_record.c writes and saves, mc_record_read.c reads, mc_merge.c merges);
 * core-internal. */
#ifndef RELUSH_MC_RECORD_IMPL_H
#define RELUSH_MC_RECORD_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include "relush/mc.h"
#include "relush/strbuf.h"
#include "json.h"

#define MC_FORMAT "relush-mc"
#define MC_FORMAT_VERSION 1
#define MC_SOURCE_LEN sizeof(((mc_record *)0)->source)

size_t mcr_neuron_total(const rl_net_spec *s);
/* the names the file uses: "reference" is a method there */
const char *mcr_method_name(const mc_record *r);
const char *mcr_stats_name(mc_stats s);
const char *mcr_scale_name(rl_scale_rule r);
/* a decimal below 2^128 into v (v[1] the high half): 0, or -1 */
int mcr_u128_parse(const char *s, uint64_t v[2]);
/* days since 1970-01-01 of a civil date */
long mcr_days_from_civil(long y, unsigned m, unsigned d);
/* a zeroed record, or NULL with e filled */
mc_record *mcr_record_alloc(rl_err *e);
/* The experiment's settings of src, with empty counts shaped for it. */
mc_record *mcr_record_like(const mc_record *src, int neuron_active, rl_err *e);
/* With the line always, for messages about one line among several. */
const char *mcr_label_line(const mc_record *r, char *buf, size_t len);

/* ---- reading a line (mc_record_read.c) ---- */
typedef struct mcr_reader {
	const char *who;         /* "a.jsonl line 3" */
	rl_err *e;
	int failed;
} mcr_reader;

/* Records the first failure: "<who>: '<path>' must be <what>; ...". -1. */
int mcr_bad(mcr_reader *rd, const char *path, const char *what);
/* obj.key, required, of JSON type type; path names it in messages ("counts.died_at"). */
const jv *mcr_need(mcr_reader *rd, const jv *obj, const char *key, const char *path, char type,
                   const char *what);
uint64_t mcr_read_u64(mcr_reader *rd, const jv *obj, const char *key, const char *path);
double mcr_read_double(mcr_reader *rd, const jv *obj, const char *key, const char *path, int nullable);
int mcr_read_bool(mcr_reader *rd, const jv *obj, const char *key, const char *path);
const char *mcr_read_string(mcr_reader *rd, const jv *obj, const char *key, const char *path);
/* A list of n non-negative integers into out (stride bytes apart). */
void mcr_read_u64_list(mcr_reader *rd, const jv *obj, const char *key, const char *path,
                       uint64_t *out, size_t n, size_t stride);

/* ---- the experiment's settings (mc_fields.c) ---- */
/* The settings in the order the merge checks them. */
enum {
	F_VERSION, F_GENERATOR, F_WIDTHS, F_INPUT, F_WEIGHTS, F_BIAS, F_ARCH, F_PRECISION, F_FMA, F_SEED, F_TRIALS,
	F_METHOD, F_STATS, F_FLIP, F_ALIGNMENT, F_XSHAPE, F_XSUM, F_TUNING, F_COUNT
};
/* A uint64_t count of a results line: its key and where it is (in
 * mc_layer_counts for mcr_layer_fields, in mc_counts for
 * mcr_counter_fields); each list ends with a NULL key. */
typedef struct mcr_count_field {
	const char *key;
	size_t offset;
} mcr_count_field;
extern const mcr_count_field mcr_layer_fields[], mcr_counter_fields[];
/* "config": {...} of a results line */
void mcr_write_config(rl_strbuf *b, const mc_record *r);
void mcr_read_config(mcr_reader *rd, const jv *root, mc_record *r, rl_err *e);
/* Does setting k (F_*) differ between a and b? */
int mcr_field_differs(const mc_record *a, const mc_record *b, int k);
/* Setting k of r as "seed 1"; other (the record it is compared with) picks
 * the layer shown when two long width lists differ. */
void mcr_field_describe(const mc_record *r, const mc_record *other, int k, char *buf, size_t len);
/* How many settings differ, the first (F_*) in *first (-1: none). */
int mcr_count_differences(const mc_record *a, const mc_record *b, int *first);
/* "a has seed 1 but b has seed 2; <tail>" into e. -1. */
int mcr_mismatch_error(const mc_record *a, const mc_record *b, int k, const char *tail, rl_err *e);

#endif
