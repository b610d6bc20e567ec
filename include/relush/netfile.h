/* netfile.h: networks as PyTorch state dicts saved with NumPy's savez: one
 * "<prefix>.weight" array per layer (out x in, nn.Linear's orientation and
 * relush's), and optionally "<prefix>.bias" (out). */
#ifndef RELUSH_NETFILE_H
#define RELUSH_NETFILE_H

#include <stddef.h>
#include "relush/err.h"
#include "relush/net.h"

/* Which archive members hold each layer: weight[l] and bias[l] (bias[l]
 * NULL when the layer has none in the file), l = 0 .. depth-1. */
typedef struct rl_net_keys {
	size_t depth;
	char **weight;
	char **bias;
} rl_net_keys;

void net_keys_free(rl_net_keys *k);

/* Builds a net from the .npz state dict at path. keys (nkeys names, or NULL)
 * picks the layers in order: each a weight member ("fc1.weight") or its
 * prefix ("fc1"). Without keys every member must be a "*.weight" or
 * "*.bias", and layers are ordered by the numbers in their names (0.weight,
 * 2.weight, layers.3.weight). Widths and the input dimension come from the
 * shapes; every mismatch is an error naming the members. On success the
 * keys used are stored in *used (free with net_keys_free). */
rl_net *net_load_npz(const char *path, const char *const *keys, size_t nkeys, rl_arch arch,
                     rl_net_keys *used, rl_err *e);

/* Writes the net's weights (and biases) to path as an .npz state dict under
 * the names in keys (as loaded), or, when keys is NULL, under nn.Sequential's
 * names for Linear layers separated by ReLUs: 0.weight, 0.bias, 2.weight, ... */
int net_save_npz(const rl_net *net, const rl_net_keys *keys, const char *path, rl_err *e);

#endif
