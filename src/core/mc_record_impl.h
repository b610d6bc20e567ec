/* mc_record_impl.h: what the three files of the results format share
 * (mc_record.c writes and saves, mc_record_read.c reads, mc_merge.c merges);
 * core-internal. */
#ifndef RELUSH_MC_RECORD_IMPL_H
#define RELUSH_MC_RECORD_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include "relush/mc.h"

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

#endif
