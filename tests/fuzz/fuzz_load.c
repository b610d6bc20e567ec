/* fuzz_load.c: libFuzzer harness for the data-file parser, inputs_load.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(data_path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fail("cannot write the scratch file", data_path);
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
