/* npy.c: NumPy .npy arrays in and out (see relush/npy.h). The header is a
 * Python dict literal such as {'descr': '<f4', 'fortran_order': False,
 * 'shape': (3, 4), }; it is parsed by a small scanner that accepts what
 * numpy.lib.format writes and names what it does not accept. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "relush/alloc.h"
#include "relush/files.h"
#include "relush/npy.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAX_RANK 32

void rl_array_free(rl_array *a)
{
	if (a) {
		free(a->data);
		a->data = NULL;
	}
}

unsigned char *rl_read_file(const char *path, size_t *len, rl_err *e)
{
	/* O_NONBLOCK: opening a FIFO (or a tty, a device) must not wait for a
	 * writer; such files are refused below, before anything is read. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rl_fail(e, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	int stat_failed = fstat(fd, &st) != 0;
	if (stat_failed || !S_ISREG(st.st_mode)) {
		rl_fail(e, "'%s' is not a regular file (it is %s); NumPy files are read whole, from disk", path,
		        stat_failed ? "unreadable" : S_ISDIR(st.st_mode) ? "a folder"
		        : S_ISFIFO(st.st_mode) ? "a pipe" : "a device or socket");
		close(fd);
		return NULL;
	}
	int flags = fcntl(fd, F_GETFL);
	FILE *f = flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ? NULL : fdopen(fd, "rb");
	if (!f) {
		rl_fail(e, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	size_t size = (size_t)st.st_size;
	char what[320];
	snprintf(what, sizeof what, "reading '%s'", path);
	unsigned char *buf = rl_calloc(size + 1, 1, what, e);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	size_t got = fread(buf, 1, size, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || got != size) {
		rl_fail(e, "error reading '%s': %s", path, bad ? strerror(errno) : "the file changed size");
		free(buf);
		return NULL;
	}
	*len = size;
	return buf;
}

int npy_sniff(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	unsigned char head[6] = {0};
	int kind = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read(fd, head, sizeof head) == (ssize_t)sizeof head) {
		if (memcmp(head, NPY_MAGIC, 6) == 0)
			kind = 1;
		else if (memcmp(head, "PK\x03\x04", 4) == 0 || memcmp(head, "PK\x05\x06", 4) == 0)
			kind = 2;
	}
	close(fd);
	return kind;
}

/* ---- the header ---------------------------------------------------------- */

typedef struct npy_header {
	char descr[32];
	int have_descr, have_order, have_shape;
	int fortran;
	int rank;
	size_t shape[NPY_MAX_RANK];
} npy_header;

typedef struct scanner {
	const char *p, *end;
	const char *name;
	rl_err *e;
} scanner;

static void skip_blanks(scanner *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int expect(scanner *s, char c)
{
	skip_blanks(s);
	if (s->p >= s->end || *s->p != c)
		return rl_fail(s->e, "%s: the .npy header is malformed (expected '%c')", s->name, c);
	s->p++;
	return 0;
}

/* A quoted Python string (no escapes: numpy never writes them in headers). */
static int quoted(scanner *s, char *out, size_t cap)
{
	skip_blanks(s);
	if (s->p >= s->end || (*s->p != '\'' && *s->p != '"'))
		return rl_fail(s->e, "%s: the .npy header is malformed (expected a quoted string)%s", s->name,
		               s->p < s->end && *s->p == '[' ? "; structured dtypes (records) are not supported" : "");
	char q = *s->p++;
	const char *start = s->p;
	while (s->p < s->end && *s->p != q)
		s->p++;
	if (s->p >= s->end)
		return rl_fail(s->e, "%s: the .npy header is malformed (a string is not closed)", s->name);
	size_t n = (size_t)(s->p - start);
	s->p++;
	if (n >= cap)
		return rl_fail(s->e, "%s: the .npy header holds a string too long to be a dtype or key ('%.20s...')",
		               s->name, start);
	memcpy(out, start, n);
	out[n] = '\0';
	return 0;
}

static int shape_tuple(scanner *s, npy_header *h)
{
	skip_blanks(s);
	if (s->p >= s->end || *s->p != '(')
		return rl_fail(s->e, "%s: the .npy header's shape is not a tuple (expected a tuple of whole numbers, "
		               "as in 'shape': (3, 4))", s->name);
	s->p++;
	h->rank = 0;
	for (;;) {
		skip_blanks(s);
		if (s->p < s->end && *s->p == ')') {
			s->p++;
			return 0;
		}
		if (h->rank == NPY_MAX_RANK)
			return rl_fail(s->e, "%s: the array's shape has more than %d dimensions", s->name, NPY_MAX_RANK);
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			return rl_fail(s->e, "%s: the .npy header's shape is malformed (expected a dimension, a whole "
			               "number >= 0, as in 'shape': (3, 4), got '%.1s')", s->name,
			               s->p < s->end ? s->p : "");
		size_t v = 0;
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
			if (v > (SIZE_MAX - 9) / 10)
				return rl_fail(s->e, "%s: a dimension of the array's shape is too large", s->name);
			v = v * 10 + (size_t)(*s->p++ - '0');
		}
		if (s->p < s->end && *s->p == 'L')   /* Python 2 longs */
			s->p++;
		h->shape[h->rank++] = v;
		skip_blanks(s);
		if (s->p < s->end && *s->p == ',')
			s->p++;
		else if (s->p >= s->end || *s->p != ')')
			return rl_fail(s->e, "%s: the .npy header's shape is malformed (expected ',' or ')' after a "
			               "dimension, as in 'shape': (3, 4))", s->name);
	}
}

static int boolean(scanner *s, int *out)
{
	skip_blanks(s);
	size_t left = (size_t)(s->end - s->p);
	if (left >= 4 && memcmp(s->p, "True", 4) == 0) {
		*out = 1;
		s->p += 4;
		return 0;
	}
	if (left >= 5 && memcmp(s->p, "False", 5) == 0) {
		*out = 0;
		s->p += 5;
		return 0;
	}
	return rl_fail(s->e, "%s: the .npy header's fortran_order is neither True nor False", s->name);
}

static int parse_header(const char *text, size_t len, const char *name, npy_header *h, rl_err *e)
{
	scanner s = {text, text + len, name, e};
	memset(h, 0, sizeof *h);
	if (expect(&s, '{'))
		return -1;
	for (;;) {
		skip_blanks(&s);
		if (s.p < s.end && *s.p == '}')
			break;
		char key[32];
		if (quoted(&s, key, sizeof key) || expect(&s, ':'))
			return -1;
		if (strcmp(key, "descr") == 0) {
			if (quoted(&s, h->descr, sizeof h->descr))
				return -1;
			h->have_descr = 1;
		} else if (strcmp(key, "fortran_order") == 0) {
			if (boolean(&s, &h->fortran))
				return -1;
			h->have_order = 1;
		} else if (strcmp(key, "shape") == 0) {
			if (shape_tuple(&s, h))
				return -1;
			h->have_shape = 1;
		} else {
			return rl_fail(e, "%s: the .npy header has an unknown key '%s' (expected descr, fortran_order, shape)",
			               name, key);
		}
		skip_blanks(&s);
		if (s.p < s.end && *s.p == ',')
			s.p++;
		else if (s.p >= s.end || *s.p != '}')
			return rl_fail(e, "%s: the .npy header is malformed (expected ',' or '}' after '%s')", name, key);
	}
	s.p++;
	/* numpy pads the dict with blanks up to its newline; anything else
	 * after it means the header is not what it seems (np.load refuses too) */
	skip_blanks(&s);
	if (s.p < s.end) {
		int shown = 0;
		while (shown < 20 && s.p + shown < s.end && s.p[shown] >= ' ' && s.p[shown] <= '~')
			shown++;
		return rl_fail(e, "%s: the .npy header has text after its closing '}' ('%.*s'); only blanks and a "
		               "newline may follow the dictionary", name, shown, s.p);
	}
	if (!h->have_descr || !h->have_order || !h->have_shape)
		return rl_fail(e, "%s: the .npy header lacks '%s'", name,
		               !h->have_descr ? "descr" : !h->have_order ? "fortran_order" : "shape");
	return 0;
}

/* ---- dtypes --------------------------------------------------------------- */

typedef enum { KIND_FLOAT, KIND_INT, KIND_UINT, KIND_BOOL } npy_kind;

typedef struct dtype {
	npy_kind kind;
	size_t size;
	int swap;            /* the data's byte order differs from ours */
} dtype;

static int host_is_little(void)
{
	const uint16_t one = 1;
	return *(const unsigned char *)&one == 1;
}

static int parse_descr(const char *d, const char *name, dtype *t, rl_err *e)
{
	static const char accepted[] = "accepted: float16, float32, float64, (u)int8/16/32/64 and bool, either byte order";
	char order = d[0];
	if (order != '<' && order != '>' && order != '|' && order != '=')
		return rl_fail(e, "%s: unsupported dtype '%s' (%s)", name, d, accepted);
	char kind = d[1];
	char *end;
	errno = 0;
	long size = kind ? strtol(d + 2, &end, 10) : 0;
	if (kind == 'O')
		return rl_fail(e, "%s: object arrays (dtype=object) cannot be read; save a numeric array "
		               "(e.g. X.astype(np.float64)) (%s)", name, accepted);
	if (kind == 'c')
		return rl_fail(e, "%s: complex arrays (dtype '%s') are not supported; save the real part "
		               "(X.real) (%s)", name, d, accepted);
	if (!kind || errno || end == d + 2 || *end != '\0')
		return rl_fail(e, "%s: unsupported dtype '%s' (%s)", name, d, accepted);
	t->size = (size_t)size;
	switch (kind) {
	case 'f':
		t->kind = KIND_FLOAT;
		if (size != 2 && size != 4 && size != 8) {
			/* its size may be any number: size * 8 only when it cannot overflow */
			if (size > 0 && size <= 1024)
				return rl_fail(e, "%s: float%ld arrays are not supported (%s)", name, size * 8, accepted);
			return rl_fail(e, "%s: float dtype '%s' is not supported (%s)", name, d, accepted);
		}
		break;
	case 'i':
	case 'u':
		t->kind = kind == 'i' ? KIND_INT : KIND_UINT;
		if (size != 1 && size != 2 && size != 4 && size != 8)
			return rl_fail(e, "%s: unsupported dtype '%s' (%s)", name, d, accepted);
		break;
	case 'b':
		t->kind = KIND_BOOL;
		if (size != 1)
			return rl_fail(e, "%s: unsupported dtype '%s' (%s)", name, d, accepted);
		break;
	default:
		return rl_fail(e, "%s: unsupported dtype '%s' (%s)", name, d, accepted);
	}
	int little = order == '<' || ((order == '=' || order == '|') && host_is_little());
	t->swap = size > 1 && little != host_is_little();
	return 0;
}

/* IEEE half precision (a model saved with .half()): exact in a double. */
static double half_value(uint16_t h)
{
	int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
	double v = exponent == 0 ? ldexp(mantissa, -24)
	         : exponent == 31 ? (mantissa ? NAN : INFINITY)
	         : ldexp(mantissa + 1024, exponent - 25);
	return sign ? -v : v;
}

/* The integer of size bytes (1, 2, 4 or 8) at b, in this machine's order. */
static uint64_t unsigned_value(const unsigned char *b, size_t size)
{
	switch (size) {
	case 1: return b[0];
	case 2: { uint16_t v; memcpy(&v, b, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, b, 4); return v; }
	default: { uint64_t v; memcpy(&v, b, 8); return v; }
	}
}

/* The same bits read as two's complement: with the top bit of size bytes
 * set, the value is u - 2^(8 size), computed without leaving int64_t. */
static int64_t signed_value(uint64_t u, size_t size)
{
	uint64_t top = UINT64_C(1) << (8 * size - 1);
	return u & top ? (int64_t)(u ^ top) - (int64_t)(top - 1) - 1 : (int64_t)u;
}

/* The element at src as a double; *inexact set when it is an integer that
 * no double holds (beyond 2^53 and not a multiple of the spacing there). */
static double element(const unsigned char *src, const dtype *t, int *inexact)
{
	unsigned char b[8];
	for (size_t k = 0; k < t->size; k++)
		b[k] = t->swap ? src[t->size - 1 - k] : src[k];
	switch (t->kind) {
	case KIND_FLOAT:
		if (t->size == 2) {
			uint16_t h;
			memcpy(&h, b, 2);
			return half_value(h);
		} else if (t->size == 4) {
			float f;
			memcpy(&f, b, 4);
			return f;
		} else {
			double d;
			memcpy(&d, b, 8);
			return d;
		}
	case KIND_BOOL:
		return b[0] != 0;
	case KIND_INT: {
		int64_t x = signed_value(unsigned_value(b, t->size), t->size);
		double d = (double)x;
		/* 2^63 (INT64_MAX rounded up) is out of int64_t's range */
		*inexact = d >= 9223372036854775808.0 || (int64_t)d != x;
		return d;
	}
	case KIND_UINT: {
		uint64_t x = unsigned_value(b, t->size);
		double d = (double)x;
		*inexact = d >= 18446744073709551616.0 || (uint64_t)d != x;
		return d;
	}
	}
	return NAN;
}

/* ---- reading -------------------------------------------------------------- */

static int read_preamble(const unsigned char *buf, size_t len, const char *name,
                         size_t *header_at, size_t *header_len, rl_err *e)
{
	if (len < 10 || memcmp(buf, NPY_MAGIC, 6) != 0)
		return rl_fail(e, "%s: not a .npy file (it does not start with NumPy's magic \\x93NUMPY)", name);
	int major = buf[6];
	if (major < 1 || major > 3)
		return rl_fail(e, "%s: .npy format version %d.%d is not supported (versions 1 to 3 are)",
		               name, major, buf[7]);
	if (major == 1) {
		*header_len = (size_t)buf[8] | (size_t)buf[9] << 8;
		*header_at = 10;
	} else {
		if (len < 12)
			return rl_fail(e, "%s: the file is truncated (it ends inside the .npy preamble)", name);
		*header_len = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
		*header_at = 12;
	}
	if (*header_len > len - *header_at)
		return rl_fail(e, "%s: the file is truncated (its header says %zu bytes, %zu are left)",
		               name, *header_len, len - *header_at);
	return 0;
}

int npy_parse(const unsigned char *buf, size_t len, const char *name, rl_array *out, rl_err *e)
{
	memset(out, 0, sizeof *out);
	size_t at = 0, hlen = 0;
	if (read_preamble(buf, len, name, &at, &hlen, e))
		return -1;
	npy_header h;
	dtype t = {KIND_FLOAT, 8, 0};
	if (parse_header((const char *)buf + at, hlen, name, &h, e) || parse_descr(h.descr, name, &t, e))
		return -1;
	if (h.rank != 1 && h.rank != 2)
		return rl_fail(e, "%s: the array has %d dimension%s; accepted are 2-D arrays (one point per row, or a "
		               "weight matrix) and 1-D arrays (one point, or a bias)", name, h.rank, h.rank == 1 ? "" : "s");
	size_t rows = h.rank == 2 ? h.shape[0] : 1, cols = h.shape[h.rank - 1], count, bytes;
	if (rows == 0 || cols == 0)
		return rl_fail(e, "%s: the array is empty (it has %zu x %zu values); at least one is needed",
		               name, rows, cols);
	if (rl_mul_size(rows, cols, &count) || rl_mul_size(count, t.size, &bytes))
		return rl_fail(e, "%s: the array's shape (%zu, %zu) is too large", name, rows, cols);
	size_t data_at = at + hlen, have = len - data_at;
	if (have < bytes)
		return rl_fail(e, "%s: the file is truncated (the array needs %zu bytes of data, the file has %zu)",
		               name, bytes, have);
	if (have > bytes)
		return rl_fail(e, "%s: the file has %zu byte%s after the array's data; is it a .npy file?",
		               name, have - bytes, have - bytes == 1 ? "" : "s");
	double *data = rl_calloc(count, sizeof *data, "the array", e);
	if (!data)
		return -1;
	const unsigned char *src = buf + data_at;
	for (size_t k = 0; k < count; k++) {
		/* Fortran order stores column by column */
		size_t i = h.fortran ? k % rows : k / cols, j = h.fortran ? k / rows : k % cols;
		int inexact = 0;
		double v = element(src + k * t.size, &t, &inexact);
		if (inexact) {
			free(data);
			return rl_fail(e, "%s: element (%zu, %zu) is an integer that a double cannot hold exactly (it "
			               "would become %.17g); integers are read within +-2^53, or where they are exact; "
			               "convert the array in NumPy (X.astype(np.float64)) to accept the rounding",
			               name, i + 1, j + 1, v);
		}
		if (!isfinite(v)) {
			free(data);
			return rl_fail(e, "%s: element (%zu, %zu) is %s; only finite values are accepted",
			               name, i + 1, j + 1, isnan(v) ? "NaN" : "infinite");
		}
		data[i * cols + j] = v;
	}
	out->ndim = h.rank;
	out->rows = rows;
	out->cols = cols;
	out->data = data;
	return 0;
}

int npy_load(const char *path, rl_array *out, rl_err *e)
{
	size_t len;
	unsigned char *buf = rl_read_file(path, &len, e);
	if (!buf)
		return -1;
	int r = npy_parse(buf, len, path, out, e);
	free(buf);
	return r;
}

/* ---- writing -------------------------------------------------------------- */

unsigned char *npy_encode(const double *data, int ndim, size_t rows, size_t cols, size_t *len, rl_err *e)
{
	char header[160];
	int n = ndim == 1
		? snprintf(header, sizeof header, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu,), }", cols)
		: snprintf(header, sizeof header, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, %zu), }",
		           rows, cols);
	/* magic, version, length, header and a newline, padded with blanks to a
	 * multiple of 64 bytes as numpy.lib.format does */
	size_t pre = 10 + (size_t)n + 1, pad = (64 - pre % 64) % 64, hlen = (size_t)n + pad + 1;
	size_t count, bytes, total;
	if (rl_mul_size(rows, cols, &count) || rl_mul_size(count, sizeof(double), &bytes) ||
	    bytes > SIZE_MAX - pre - pad) {
		rl_fail(e, "a %zu x %zu array is too large to write", rows, cols);
		return NULL;
	}
	total = pre + pad + bytes;
	unsigned char *buf = rl_calloc(total, 1, "writing the .npy file", e);
	if (!buf)
		return NULL;
	memcpy(buf, NPY_MAGIC, 6);
	buf[6] = 1;
	buf[7] = 0;
	buf[8] = (unsigned char)(hlen & 0xff);
	buf[9] = (unsigned char)(hlen >> 8);
	memcpy(buf + 10, header, (size_t)n);
	memset(buf + 10 + n, ' ', pad);
	buf[10 + hlen - 1] = '\n';
	unsigned char *dst = buf + 10 + hlen;
	for (size_t k = 0; k < count; k++) {
		unsigned char b[8];
		memcpy(b, &data[k], 8);
		for (int j = 0; j < 8; j++)
			dst[8 * k + (size_t)j] = host_is_little() ? b[j] : b[7 - j];
	}
	*len = total;
	return buf;
}

int npy_save(const char *path, const double *data, size_t rows, size_t cols, rl_err *e)
{
	size_t len;
	unsigned char *buf = npy_encode(data, 2, rows, cols, &len, e);
	if (!buf)
		return -1;
	int r = rl_write_atomic(path, (const char *)buf, len, e);
	free(buf);
	return r;
}
