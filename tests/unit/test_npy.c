/* test_npy.c: the NumPy file code of the engine, against itself (files
 * written by NumPy are tested in tests/lua/numpy.lua): .npy images round
 * trip bit for bit, every truncation of a valid .npy or .npz fails with a
 * message and never crashes, a state dict saved by net_save_npz loads back
 * identical with its names, layers are ordered by the numbers in their
 * names, and CSV tables quote and format as documented. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "relush/alloc.h"
#include "relush/csv.h"
#include "relush/netfile.h"
#include "relush/npy.h"
#include "relush/npz.h"
#include "relush/files.h"
#include "tap.h"

static char dir[] = "/tmp/relush-npy-XXXXXX";

static char *in_dir(const char *name)
{
	static char buf[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static unsigned char *slurp(const char *path, size_t *len)
{
	rl_err e;
	return rl_read_file(path, len, &e);
}

static void round_trips(void)
{
	/* values that print badly: negative zero, subnormals, extremes */
	double v[6] = {-0.0, 5e-324, 1.7976931348623157e308, -1.0 / 3.0, 1e-300, 42.0};
	for (int ndim = 1; ndim <= 2; ndim++) {
		size_t rows = ndim == 1 ? 1 : 2, cols = ndim == 1 ? 6 : 3, len;
		rl_err e;
		unsigned char *img = npy_encode(v, ndim, rows, cols, &len, &e);
		rl_array a;
		int ok = img && npy_parse(img, len, "image", &a, &e) == 0;
		ok = ok && a.ndim == ndim && a.rows == rows && a.cols == cols && memcmp(a.data, v, sizeof v) == 0;
		tap_ok(ok, "a %d-D array encodes and parses back bit for bit (-0, subnormals, extremes)", ndim);
		tap_ok(img && (len - 6 * 8) % 64 == 0,
		       "... its header is padded to a multiple of 64 bytes, as NumPy pads it");
		if (ok)
			rl_array_free(&a);
		/* every shorter prefix is truncated: a message, never a crash */
		int all_fail = img != NULL;
		for (size_t cut = 0; img && cut < len; cut++) {
			e.msg[0] = '\0';
			if (npy_parse(img, cut, "cut", &a, &e) == 0 || e.msg[0] == '\0') {
				all_fail = 0;
				tap_diag("a prefix of %zu bytes of %zu parsed (or failed silently)", cut, len);
				break;
			}
		}
		tap_ok(all_fail, "every one of the %zu truncations of the %d-D image fails with a message", len, ndim);
		free(img);
	}
}

/* Opens the archive at path and reads each member: 1 when every step
 * either works or fails with a message; *opened counts the members. */
static int archive_reads_cleanly(const char *path, int *opened)
{
	rl_err e;
	rl_array a;
	e.msg[0] = '\0';
	rl_npz *z = npz_open(path, &e);
	int clean = z || e.msg[0] != '\0';
	for (size_t i = 0; z && i < npz_count(z); i++) {
		(*opened)++;
		e.msg[0] = '\0';
		if (npz_read(z, i, &a, &e) == 0)
			rl_array_free(&a);
		else if (e.msg[0] == '\0')
			clean = 0;
	}
	npz_close(z);
	return clean;
}

static void archives(void)
{
	double w[6] = {1, -2, 3.5, 4, 5, 6}, b[2] = {0.25, -0.5};
	rl_array arrays[2] = {{2, 2, 3, w}, {1, 1, 2, b}};
	const char *names[2] = {"layer.weight", "layer.bias"};
	rl_err e;
	const char *path = in_dir("two.npz");
	int ok = npz_write(path, 2, names, arrays, &e) == 0;
	tap_ok(ok, "npz_write writes an archive of two arrays%s%s", ok ? "" : ": ", ok ? "" : e.msg);
	rl_npz *z = npz_open(path, &e);
	ok = z && npz_count(z) == 2 && npz_find(z, "layer.bias") == 1 && npz_find(z, "layer.weight.npy") == 0 &&
	     npz_find(z, "nope") == -1;
	tap_ok(ok, "npz_open lists the members, found with or without .npy");
	rl_array a;
	ok = z && npz_read(z, 0, &a, &e) == 0 && a.rows == 2 && a.cols == 3 && memcmp(a.data, w, sizeof w) == 0;
	if (ok)
		rl_array_free(&a);
	tap_ok(ok, "a member reads back bit for bit");
	npz_close(z);
	size_t len;
	unsigned char *file = slurp(path, &len);
	const char *cut_path = in_dir("cut.npz");
	int all_clean = file != NULL, opened = 0;
	for (size_t cut = 0; file && cut < len; cut++) {
		if (rl_write_atomic(cut_path, (const char *)file, cut, &e)) {
			all_clean = 0;
			break;
		}
		if (!archive_reads_cleanly(cut_path, &opened))
			all_clean = 0;
	}
	tap_ok(all_clean, "every one of the %zu truncations of an archive fails with a message", len);
	/* every byte damaged in turn: the directory, the headers, the data */
	all_clean = file != NULL;
	for (size_t at = 0; file && at < len; at++) {
		file[at] ^= 0xff;
		if (rl_write_atomic(cut_path, (const char *)file, len, &e)) {
			all_clean = 0;
			break;
		}
		file[at] ^= 0xff;
		if (!archive_reads_cleanly(cut_path, &opened))
			all_clean = 0;
	}
	tap_ok(all_clean, "each of the %zu bytes of an archive damaged in turn: it opens or fails with a message, "
	       "and so does each member (%d members read or refused)", len, opened);
	free(file);
}

static void state_dicts(void)
{
	rl_net_spec spec = {0};
	size_t widths[3] = {4, 3, 2};
	spec.depth = 3;
	spec.input = 5;
	spec.widths = widths;
	spec.weights = (rl_law){LAW_NORMAL, SCALE_HE, 0};
	spec.bias = (rl_law){LAW_NORMAL, SCALE_FIXED, 0.1};
	spec.seed = 11;
	rl_err e;
	rl_net *net = net_create(&spec, 0, &e);
	const char *path = in_dir("net.npz");
	int ok = net && net_save_npz(net, NULL, path, &e) == 0;
	tap_ok(ok, "net_save_npz writes a relu{} net under nn.Sequential's names");
	rl_net_keys keys;
	rl_net *back = ok ? net_load_npz(path, NULL, 0, ARCH_PLAIN, &keys, &e) : NULL;
	ok = back && back->spec.depth == 3 && back->spec.input == 5;
	for (size_t l = 0; ok && l < 3; l++)
		ok = back->spec.widths[l] == widths[l] &&
		     memcmp(back->W[l], net->W[l], widths[l] * net_fan_in(&spec, l + 1) * sizeof(double)) == 0 &&
		     memcmp(back->b[l], net->b[l], widths[l] * sizeof(double)) == 0;
	tap_ok(ok, "net_load_npz gives it back with bitwise identical weights and biases");
	ok = back && strcmp(keys.weight[0], "0.weight") == 0 && strcmp(keys.bias[1], "2.bias") == 0 &&
	     strcmp(keys.weight[2], "4.weight") == 0;
	tap_ok(ok, "... under the names 0.weight, 2.bias, 4.weight (Linear layers between ReLUs)");
	/* names ordered by their numbers, not as text: 10 after 9 */
	if (back) {
		free(keys.weight[0]);
		keys.weight[0] = strdup("block.0.weight");
		free(keys.bias[0]);
		keys.bias[0] = strdup("block.0.bias");
		free(keys.weight[2]);
		keys.weight[2] = strdup("block.10.weight");
		free(keys.weight[1]);
		keys.weight[1] = strdup("block.9.weight");
		free(keys.bias[1]);
		keys.bias[1] = NULL;
		free(keys.bias[2]);
		keys.bias[2] = strdup("block.10.bias");
		ok = net_save_npz(back, &keys, in_dir("renamed.npz"), &e) == 0;
		rl_net_keys k2;
		rl_net *again = ok ? net_load_npz(in_dir("renamed.npz"), NULL, 0, ARCH_PLAIN, &k2, &e) : NULL;
		ok = again && strcmp(k2.weight[0], "block.0.weight") == 0 && strcmp(k2.weight[1], "block.9.weight") == 0 && strcmp(k2.weight[2], "block.10.weight") == 0 &&
		     k2.bias[1] == NULL && again->b[1][0] == 0.0 && again->b[2][1] == back->b[2][1];
		tap_ok(ok, "layers are ordered by the numbers in their names (block.0, block.9, block.10); a layer "
		       "saved without its bias loads with zero biases");
		if (again) {
			net_keys_free(&k2);
			net_free(again);
		}
		net_keys_free(&keys);
	}
	net_free(back);
	net_free(net);
}

/* Layer order from names, for every kind of name a state dict holds: each
 * case lists the weights as saved and the order they must load in, or
 * NULL when the names cannot say (the load must fail, never guess). All
 * layers are 2 x 2, so a wrong order would load without a shape error. */
static void layer_order(void)
{
	static const char *const cases[][2][6] = {
		{{"0", "2", "10"}, {"0", "2", "10"}},
		{{"10", "2", "0"}, {"0", "2", "10"}},
		{{"fc1", "fc10", "fc2"}, {"fc1", "fc2", "fc10"}},
		{{"layer11.0", "layer2.1", "layer2.0"}, {"layer2.0", "layer2.1", "layer11.0"}},
		{{"net.blocks.3.lin", "net.blocks.12.lin", "net.blocks.0.lin"},
		 {"net.blocks.0.lin", "net.blocks.3.lin", "net.blocks.12.lin"}},
		{{"weight_only"}, {"weight_only"}},
		{{"fc1", "fc2", "out"}, {NULL}},
		{{"model.fc.0", "model.fc.2", "head"}, {NULL}},
		{{"blocks.0.0", "blocks.1.0", "inp"}, {NULL}},
		{{"0", "block.9", "block.10"}, {NULL}},
		{{"enc1", "enc2", "dec1"}, {NULL}},
		{{"fc", "fc.0"}, {NULL}},
		{{"a", "b"}, {NULL}},
		{{"fc01", "fc1"}, {NULL}},
	};
	double two[4] = {1, 2, 3, 4};
	int all = 1;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const char *const *saved = cases[c][0], *const *want = cases[c][1];
		char names[6][64];
		const char *np[6];
		rl_array arrays[6];
		size_t n = 0;
		for (; n < 6 && saved[n]; n++) {
			if (strcmp(saved[n], "weight_only") == 0)
				snprintf(names[n], sizeof names[n], "weight");
			else
				snprintf(names[n], sizeof names[n], "%s.weight", saved[n]);
			np[n] = names[n];
			arrays[n] = (rl_array){2, 2, 2, two};
		}
		rl_err e;
		rl_net_keys k;
		rl_net *net = npz_write(in_dir("order.npz"), n, np, arrays, &e) == 0
			? net_load_npz(in_dir("order.npz"), NULL, 0, ARCH_PLAIN, &k, &e) : NULL;
		int ok;
		if (!want[0]) {
			ok = !net && strstr(e.msg, "cannot be ordered") && strstr(e.msg, "keys=");
		} else {
			ok = net && k.depth == n;
			for (size_t l = 0; ok && l < n; l++) {
				char w[64];
				snprintf(w, sizeof w, strcmp(want[l], "weight_only") == 0 ? "weight" : "%s.weight", want[l]);
				ok = strcmp(k.weight[l], w) == 0;
			}
		}
		if (!ok) {
			tap_diag("case %zu (%s, %s, ...): %s", c, saved[0], saved[1] ? saved[1] : "", net ? "loaded" : e.msg);
			all = 0;
		}
		if (net) {
			net_keys_free(&k);
			net_free(net);
		}
	}
	tap_ok(all, "layers are ordered by numbers after the same text (0 < 2 < 10, fc2 < fc10, blocks.3 < blocks.12); "
	       "names that differ otherwise (fc2 and out, model.fc.0 and head) are refused, never guessed");
	unlink(in_dir("order.npz"));
}

static void csv_tables(void)
{
	rl_csv t;
	memset(&t, 0, sizeof t);
	rl_err e;
	csv_text(&t, "layer", "");
	csv_text(&t, "a,b", "");
	csv_text(&t, "say \"hi\"", "");
	csv_end_row(&t);
	csv_number(&t, 1);
	csv_number(&t, 0.1);
	csv_number(&t, NAN);
	csv_end_row(&t);
	csv_number(&t, 2);
	csv_number(&t, 1.0 / 3.0);
	csv_text(&t, "x\ny", "");
	csv_end_row(&t);
	int ok = csv_write(&t, in_dir("t.csv"), &e) == 0;
	size_t len;
	unsigned char *got = ok ? slurp(in_dir("t.csv"), &len) : NULL;
	const char *want = "layer,\"a,b\",\"say \"\"hi\"\"\"\n1,0.1,\n2,0.3333333333333333,\"x\ny\"\n";
	ok = got && strcmp((const char *)got, want) == 0;
	if (!ok && got)
		tap_diag("got: %s", (const char *)got);
	tap_ok(ok, "CSV: quoted names and text, shortest round-trip numbers, NaN as an empty cell");
	free(got);
	/* the table's text is counted against the memory budget */
	rl_mem_set_limit(4096);
	memset(&t, 0, sizeof t);
	for (int i = 0; i < 10000; i++)
		csv_number(&t, i + 0.5);
	ok = csv_write(&t, in_dir("big.csv"), &e) != 0 && strstr(e.msg, "memory") != NULL;
	rl_mem_set_limit(0);
	tap_ok(ok, "CSV: a table over the memory budget is refused, not written");
	if (!ok)
		tap_diag("%s", e.msg);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP cannot make a temporary folder\n");
		return 0;
	}
	round_trips();
	archives();
	state_dicts();
	layer_order();
	csv_tables();
	const char *names[] = {"two.npz", "cut.npz", "net.npz", "renamed.npz", "t.csv", NULL};
	for (int i = 0; names[i]; i++)
		unlink(in_dir(names[i]));
	rmdir(dir);
	return tap_done();
}
