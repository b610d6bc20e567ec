/* fuzz_load.c: libFuzzer harness for the data-file parsers: inputs_load
 * (text), and on the same bytes the NumPy readers (npy_parse, the .npz
 * archive reader and relu.load's state-dict reader, net_load_npz).
 * Each input is written to a scratch file and loaded. A load either fails
 * with a message or gives a matrix whose every entry is finite; a loaded
 * matrix must come back identical through inputs_save and inputs_load
 * (%.17g round-trips every double). Anything else aborts, and so does any
 * sanitizer report. Built and run by tests/fuzz/fuzz_load.sh. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "relush/alloc.h"
#include "relush/inputs.h"
#include "relush/netfile.h"
#include "relush/npz.h"

static char data_path[128], copy_path[128];

static void remove_files(void)
{
	unlink(data_path);
	unlink(copy_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(data_path, sizeof data_path, "%s/relush-fuzz-load.%ld", dir, (long)getpid());
	snprintf(copy_path, sizeof copy_path, "%s/relush-fuzz-load.%ld.copy", dir, (long)getpid());
	atexit(remove_files);
	rl_mem_set_limit((size_t)256 << 20);   /* a huge file fails, it does not swap */
	return 0;
}

static void fail(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz_load: %s%s%s\n", what, msg ? ": " : "", msg ? msg : "");
	abort();
}

/* A parsed array is 1-D or 2-D, finite, and survives npy_encode and
 * npy_parse bit for bit. */
static void check_array(const rl_array *a)
{
	rl_err e;
	if ((a->ndim != 1 && a->ndim != 2) || a->rows < 1 || a->cols < 1 || (a->ndim == 1 && a->rows != 1))
		fail("npy_parse returned a bad shape", NULL);
	for (size_t i = 0; i < a->rows * a->cols; i++)
		if (!isfinite(a->data[i]))
			fail("npy_parse returned a value that is not finite", NULL);
	size_t len;
	unsigned char *img = npy_encode(a->data, a->ndim, a->rows, a->cols, &len, &e);
	if (!img)
		fail("npy_encode failed", e.msg);
	rl_array b;
	if (npy_parse(img, len, "copy", &b, &e))
		fail("an encoded array does not parse", e.msg);
	if (b.rows != a->rows || b.cols != a->cols || b.ndim != a->ndim ||
	    memcmp(a->data, b.data, a->rows * a->cols * sizeof(double)) != 0)
		fail("encode then parse changed the array", NULL);
	free(img);
	rl_array_free(&b);
}

static void fuzz_numpy(const uint8_t *data, size_t size)
{
	rl_err e;
	e.msg[0] = '\0';
	rl_array a;
	if (npy_parse(data, size, "fuzz", &a, &e) == 0) {
		check_array(&a);
		rl_array_free(&a);
	} else if (e.msg[0] == '\0')
		fail("npy_parse failed without a message", NULL);
	rl_npz *z = npz_open(data_path, &e);
	for (size_t i = 0; z && i < npz_count(z); i++) {
		e.msg[0] = '\0';
		if (npz_read(z, i, &a, &e) == 0) {
			check_array(&a);
			rl_array_free(&a);
		} else if (e.msg[0] == '\0')
			fail("npz_read failed without a message", NULL);
	}
	npz_close(z);
	rl_net_keys keys;
	rl_net *net = net_load_npz(data_path, NULL, 0, ARCH_PLAIN, &keys, &e);
	if (net) {
		net_keys_free(&keys);
		net_free(net);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(data_path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fail("cannot write the scratch file", data_path);
	fuzz_numpy(data, size);
	rl_err e;
	e.msg[0] = '\0';
	rl_mat *X = inputs_load(data_path, &e);
	if (!X) {
		if (e.msg[0] == '\0')
			fail("inputs_load failed without a message", NULL);
		return 0;
	}
	if (X->rows < 1 || X->cols < 1)
		fail("inputs_load returned an empty matrix", NULL);
	for (size_t i = 0; i < X->rows * X->cols; i++)
		if (!isfinite(X->data[i]))
			fail("inputs_load returned a value that is not finite", NULL);
	if (inputs_save(X, copy_path, &e))
		fail("inputs_save failed", e.msg);
	rl_mat *Y = inputs_load(copy_path, &e);
	if (!Y)
		fail("a saved matrix does not load", e.msg);
	if (Y->rows != X->rows || Y->cols != X->cols ||
	    memcmp(X->data, Y->data, X->rows * X->cols * sizeof(double)) != 0)
		fail("save then load changed the matrix", NULL);
	mat_free(Y);
	mat_free(X);
	return 0;
}
