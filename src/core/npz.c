/* npz.c: .npz archives in and out (see relush/npz.h). Reading trusts only
 * the central directory for sizes, method and CRC (NumPy's local headers
 * carry ZIP64 placeholders); every offset is checked against the file
 * before it is used, and inflated sizes against the memory budget. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "relush/alloc.h"
#include "relush/files.h"
#include "relush/npz.h"

#define SIG_LOCAL   0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END     0x06054b50u
#define SIG_END64   0x06064b50u
#define SIG_LOC64   0x07064b50u

typedef struct npz_member {
	char *name;                 /* without ".npy" */
	int method;                 /* 0 stored, 8 deflated */
	uint32_t crc;
	uint64_t csize, usize, local;
} npz_member;

struct rl_npz {
	char *path;
	unsigned char *file;
	size_t size;
	size_t count;
	npz_member *members;
};

static uint32_t rd16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const unsigned char *p) { return rd16(p) | rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

void npz_close(rl_npz *z)
{
	if (!z)
		return;
	for (size_t i = 0; z->members && i < z->count; i++)
		free(z->members[i].name);
	free(z->members);
	free(z->file);
	free(z->path);
	free(z);
}

size_t npz_count(const rl_npz *z) { return z->count; }
const char *npz_name(const rl_npz *z, size_t i) { return z->members[i].name; }

long npz_find(const rl_npz *z, const char *name)
{
	size_t n = strlen(name);
	if (n > 4 && strcmp(name + n - 4, ".npy") == 0)
		n -= 4;
	for (size_t i = 0; i < z->count; i++)
		if (strlen(z->members[i].name) == n && memcmp(z->members[i].name, name, n) == 0)
			return (long)i;
	return -1;
}

void npz_list(const rl_npz *z, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < z->count && at + 1 < len; i++) {
		int w = snprintf(buf + at, len - at, "%s'%s'", i ? ", " : "", z->members[i].name);
		if (w < 0 || (size_t)w >= len - at) {
			if (len > 4)
				strcpy(buf + len - 4, "...");
			return;
		}
		at += (size_t)w;
	}
}

/* The end of central directory record, searched backwards over the
 * longest possible comment; the ZIP64 one when the classic one says so. */
static int find_directory(const rl_npz *z, uint64_t *count, uint64_t *offset, uint64_t *size, rl_err *e)
{
	const unsigned char *f = z->file;
	size_t n = z->size;
	if (n < 22)
		return rl_fail(e, "'%s' is not an .npz file (too short to be a ZIP archive)", z->path);
	size_t lowest = n - 22 > 65535 ? n - 22 - 65535 : 0;
	for (size_t at = n - 22 + 1; at-- > lowest;) {
		if (rd32(f + at) != SIG_END || at + 22 + rd16(f + at + 20) != n)
			continue;
		*count = rd16(f + at + 10);
		*size = rd32(f + at + 12);
		*offset = rd32(f + at + 16);
		if ((*count == 0xffff || *offset == 0xffffffffu || *size == 0xffffffffu) && at >= 20 &&
		    rd32(f + at - 20) == SIG_LOC64) {
			uint64_t e64 = rd64(f + at - 20 + 8);
			if (e64 > n || n - e64 < 56 || rd32(f + e64) != SIG_END64)
				return rl_fail(e, "'%s': its ZIP64 directory record is damaged", z->path);
			*count = rd64(f + e64 + 32);
			*size = rd64(f + e64 + 40);
			*offset = rd64(f + e64 + 48);
		}
		if (*offset > n || *size > n - *offset)
			return rl_fail(e, "'%s': the ZIP directory lies outside the file (truncated?)", z->path);
		return 0;
	}
	return rl_fail(e, "'%s' is not an .npz file (no ZIP directory found; truncated, or not a ZIP archive)",
	               z->path);
}

/* ZIP64 extra field: the 64-bit values replace those that read 0xffffffff. */
static int zip64_extra(const unsigned char *x, size_t len, npz_member *m, uint32_t raw_u, uint32_t raw_c,
                       uint32_t raw_off)
{
	while (len >= 4) {
		uint32_t id = rd16(x), sz = rd16(x + 2);
		if (sz > len - 4)
			return -1;
		if (id == 1) {
			const unsigned char *p = x + 4, *end = x + 4 + sz;
			if (raw_u == 0xffffffffu) { if (end - p < 8) return -1; m->usize = rd64(p); p += 8; }
			if (raw_c == 0xffffffffu) { if (end - p < 8) return -1; m->csize = rd64(p); p += 8; }
			if (raw_off == 0xffffffffu) { if (end - p < 8) return -1; m->local = rd64(p); }
			return 0;
		}
		x += 4 + sz;
		len -= 4 + sz;
	}
	return 0;
}

/* torch.save writes a ZIP archive too (a pickle, "<name>/data.pkl", and
 * the tensors' raw storages): its members are no arrays relush can read,
 * and naming them one by one would only mislead. */
static int pytorch_archive(const rl_npz *z, rl_err *e)
{
	for (size_t i = 0; i < z->count; i++) {
		const char *name = z->members[i].name, *slash = strrchr(name, '/');
		if (strcmp(slash ? slash + 1 : name, "data.pkl") == 0)
			return rl_fail(e, "'%s' is a PyTorch file (torch.save), which relush does not read: save the "
			               "arrays with NumPy instead, np.savez(path, **{k: v.detach().numpy() for k, v in "
			               "model.state_dict().items()}) for a state dict, np.save(path, X.numpy()) for "
			               "points (help \"pytorch\")", z->path);
	}
	return 0;
}

static int read_directory(rl_npz *z, rl_err *e)
{
	uint64_t count = 0, offset = 0, size = 0;
	if (find_directory(z, &count, &offset, &size, e))
		return -1;
	if (count > size / 46)
		return rl_fail(e, "'%s': the ZIP directory claims %llu members but has room for %llu",
		               z->path, (unsigned long long)count, (unsigned long long)(size / 46));
	z->members = rl_calloc((size_t)count ? (size_t)count : 1, sizeof *z->members, "the archive's directory", e);
	if (!z->members)
		return -1;
	const unsigned char *p = z->file + offset, *end = p + size;
	for (uint64_t i = 0; i < count; i++) {
		if (end - p < 46 || rd32(p) != SIG_CENTRAL)
			return rl_fail(e, "'%s': ZIP directory entry %llu is damaged", z->path, (unsigned long long)i + 1);
		npz_member *m = &z->members[z->count];
		uint32_t flags = rd16(p + 8), nlen = rd16(p + 28), xlen = rd16(p + 30), clen = rd16(p + 32);
		if ((size_t)(end - p - 46) < (size_t)nlen + xlen + clen)
			return rl_fail(e, "'%s': ZIP directory entry %llu is damaged", z->path, (unsigned long long)i + 1);
		m->method = (int)rd16(p + 10);
		m->crc = rd32(p + 16);
		m->csize = rd32(p + 20);
		m->usize = rd32(p + 24);
		m->local = rd32(p + 42);
		if (zip64_extra(p + 46 + nlen, xlen, m, (uint32_t)m->usize, (uint32_t)m->csize, (uint32_t)m->local))
			return rl_fail(e, "'%s': the ZIP64 sizes of entry %llu are damaged", z->path, (unsigned long long)i + 1);
		m->name = malloc((size_t)nlen + 1);
		if (!m->name)
			return rl_fail(e, "out of memory reading '%s'", z->path);
		memcpy(m->name, p + 46, nlen);
		m->name[nlen] = '\0';
		z->count++;
		if (strlen(m->name) != nlen)
			return rl_fail(e, "'%s': a member's name holds a NUL byte", z->path);
		if (nlen > 4 && strcmp(m->name + nlen - 4, ".npy") == 0)
			m->name[nlen - 4] = '\0';
		if (flags & 1)
			return rl_fail(e, "'%s': member '%s' is encrypted; only plain archives can be read", z->path, m->name);
		p += 46 + nlen + xlen + clen;
	}
	return pytorch_archive(z, e);
}

rl_npz *npz_open(const char *path, rl_err *e)
{
	rl_npz *z = calloc(1, sizeof *z);
	if (!z || !(z->path = strdup(path))) {
		free(z);
		rl_fail(e, "out of memory opening '%s'", path);
		return NULL;
	}
	z->file = rl_read_file(path, &z->size, e);
	if (!z->file || read_directory(z, e)) {
		npz_close(z);
		return NULL;
	}
	return z;
}

static int inflate_member(const unsigned char *src, size_t csize, unsigned char *dst, size_t usize,
                          const char *name, rl_err *e)
{
	z_stream s;
	memset(&s, 0, sizeof s);
	if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
		return rl_fail(e, "%s: zlib cannot start inflating (out of memory?)", name);
	int r = Z_OK;
	size_t in_left = csize, out_left = usize;
	s.next_in = (unsigned char *)src;
	s.next_out = dst;
	/* zlib counts in uInt: feed and drain in pieces */
	while (r == Z_OK) {
		if (s.avail_in == 0 && in_left) {
			s.avail_in = in_left > 1u << 30 ? 1u << 30 : (uInt)in_left;
			in_left -= s.avail_in;
		}
		if (s.avail_out == 0 && out_left) {
			s.avail_out = out_left > 1u << 30 ? 1u << 30 : (uInt)out_left;
			out_left -= s.avail_out;
		}
		r = inflate(&s, Z_NO_FLUSH);
		if (r == Z_BUF_ERROR && (s.avail_in || in_left) && (s.avail_out || out_left))
			r = Z_OK;
		else if (r == Z_BUF_ERROR)
			break;
	}
	int done = r == Z_STREAM_END, full = s.avail_out == 0 && out_left == 0;
	inflateEnd(&s);
	if (r == Z_DATA_ERROR)
		return rl_fail(e, "%s: the compressed data is corrupt", name);
	if (r == Z_MEM_ERROR)
		return rl_fail(e, "%s: out of memory inflating", name);
	if (!done || !full)
		return rl_fail(e, "%s: the compressed data is %s than the archive says (truncated or damaged)",
		               name, done ? "shorter" : "longer or cut off");
	return 0;
}

int npz_read(const rl_npz *z, size_t i, rl_array *out, rl_err *e)
{
	const npz_member *m = &z->members[i];
	char name[512];
	snprintf(name, sizeof name, "%s:%s", z->path, m->name);
	memset(out, 0, sizeof *out);
	if (m->local > z->size || z->size - m->local < 30 || rd32(z->file + m->local) != SIG_LOCAL)
		return rl_fail(e, "%s: the member's local header is missing (truncated archive?)", name);
	uint64_t start = m->local + 30 + rd16(z->file + m->local + 26) + rd16(z->file + m->local + 28);
	if (start > z->size || m->csize > z->size - start)
		return rl_fail(e, "%s: the member's data runs past the end of the file (truncated archive?)", name);
	const unsigned char *src = z->file + start;
	if (m->method != 0 && m->method != 8)
		return rl_fail(e, "%s: compression method %d is not supported (stored and deflated are)", name, m->method);
	if (m->method == 0 && m->csize != m->usize)
		return rl_fail(e, "%s: a stored member's sizes disagree (%llu and %llu bytes)", name,
		               (unsigned long long)m->csize, (unsigned long long)m->usize);
	if (m->usize > SIZE_MAX - 1)
		return rl_fail(e, "%s: the member is too large", name);
	unsigned char *plain = NULL;
	const unsigned char *data = src;
	if (m->method == 8) {
		plain = rl_calloc((size_t)m->usize + 1, 1, "inflating the member", e);
		if (!plain)
			return -1;
		if (inflate_member(src, (size_t)m->csize, plain, (size_t)m->usize, name, e)) {
			free(plain);
			return -1;
		}
		data = plain;
	}
	uLong crc = crc32(0L, Z_NULL, 0);
	for (uint64_t done = 0; done < m->usize;) {
		uInt piece = m->usize - done > 1u << 30 ? 1u << 30 : (uInt)(m->usize - done);
		crc = crc32(crc, data + done, piece);
		done += piece;
	}
	int r = crc != m->crc
		? rl_fail(e, "%s: the CRC check fails (the archive is damaged)", name)
		: npy_parse(data, (size_t)m->usize, name, out, e);
	free(plain);
	return r;
}

/* ---- writing -------------------------------------------------------------- */

static void wr16(unsigned char *p, uint32_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void wr32(unsigned char *p, uint32_t v) { wr16(p, v & 0xffff); wr16(p + 2, v >> 16); }

/* General purpose flags: bit 11 says the name is UTF-8. Without it zip
 * readers (Python's zipfile, so np.load) decode a name as code page 437,
 * and a key such as "schicht_ä.0.weight" comes back garbled. */
static uint32_t name_flags(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p >= 0x80)
			return 1u << 11;
	return 0;
}

/* 1980-01-01 00:00, the earliest DOS date: the archive's bytes depend only
 * on its arrays. */
#define DOS_DATE 0x21

/* The fields a member's local header and its central directory entry both
 * hold, in the same order from "version needed" on: f is the first of them
 * (4 bytes into a local header, 6 into a central entry). Stored (method 0)
 * at time 00:00, so those two fields stay zero. */
static void put_member_fields(unsigned char *f, const char *name, uint32_t sum, size_t len)
{
	wr16(f, 20);
	wr16(f + 2, name_flags(name));
	wr16(f + 8, DOS_DATE);
	wr32(f + 10, sum);
	wr32(f + 14, (uint32_t)len);
	wr32(f + 18, (uint32_t)len);
	wr16(f + 22, (uint32_t)(strlen(name) + 4));
}

/* The member's file name, name + ".npy", at p; returns its length. */
static size_t put_member_name(unsigned char *p, const char *name)
{
	size_t nlen = strlen(name);
	memcpy(p, name, nlen);
	memcpy(p + nlen, ".npy", 4);
	return nlen + 4;
}

int npz_write(const char *path, size_t n, const char *const *names, const rl_array *arrays, rl_err *e)
{
	unsigned char **images = rl_calloc(n ? n : 1, sizeof *images, "writing the archive", e);
	size_t *lens = rl_calloc(n ? n : 1, sizeof *lens, "writing the archive", e);
	unsigned char *zip = NULL;
	int r = -1;
	if (!images || !lens)
		goto out;
	double total = 22;
	for (size_t i = 0; i < n; i++) {
		const rl_array *a = &arrays[i];
		if (!(images[i] = npy_encode(a->data, a->ndim, a->rows, a->cols, &lens[i], e)))
			goto out;
		size_t nlen = strlen(names[i]) + 4;
		if (nlen > 0xffff || lens[i] > 0xfffffffeu) {
			rl_fail(e, "cannot write '%s': member '%s' is too large for a plain ZIP archive", path, names[i]);
			goto out;
		}
		total += 30.0 + 46.0 + 2.0 * (double)nlen + (double)lens[i];
	}
	if (n > 0xffff || total > 4.0e9) {
		rl_fail(e, "cannot write '%s': the archive would be too large (%zu members)", path, n);
		goto out;
	}
	if (!(zip = rl_calloc((size_t)total, 1, "writing the archive", e)))
		goto out;
	size_t at = 0, dir;
	uint32_t *offsets = rl_calloc(n ? n : 1, sizeof *offsets, "writing the archive", e);
	uint32_t *sums = rl_calloc(n ? n : 1, sizeof *sums, "writing the archive", e);
	if (!offsets || !sums) {
		free(offsets);
		free(sums);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		sums[i] = (uint32_t)crc32(crc32(0L, Z_NULL, 0), images[i], (uInt)lens[i]);
		offsets[i] = (uint32_t)at;
		unsigned char *h = zip + at;
		wr32(h, SIG_LOCAL);
		put_member_fields(h + 4, names[i], sums[i], lens[i]);
		size_t name_len = put_member_name(h + 30, names[i]);
		memcpy(h + 30 + name_len, images[i], lens[i]);
		at += 30 + name_len + lens[i];
	}
	dir = at;
	for (size_t i = 0; i < n; i++) {
		unsigned char *h = zip + at;
		wr32(h, SIG_CENTRAL);
		wr16(h + 4, 20);                 /* made by version 2.0 */
		put_member_fields(h + 6, names[i], sums[i], lens[i]);
		wr32(h + 38, 0100644u << 16);    /* a regular file, rw-r--r--, as zip tools expect */
		wr32(h + 42, offsets[i]);
		at += 46 + put_member_name(h + 46, names[i]);
	}
	unsigned char *end = zip + at;
	wr32(end, SIG_END);
	wr16(end + 8, (uint32_t)n);
	wr16(end + 10, (uint32_t)n);
	wr32(end + 12, (uint32_t)(at - dir));
	wr32(end + 16, (uint32_t)dir);
	at += 22;
	free(offsets);
	free(sums);
	r = rl_write_atomic(path, (const char *)zip, at, e);
out:
	for (size_t i = 0; images && i < n; i++)
		free(images[i]);
	free(images);
	free(lens);
	free(zip);
	return r;
}
