/* grid.c: the abstract screen and its text back end (view.snapshot and the
 * batch-mode print). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "view/grid.h"

int view_grid_init(view_grid *g, int width, int height)
{
	g->width = width > 0 ? width : 0;
	g->height = height > 0 ? height : 0;
	g->cells = calloc((size_t)g->width * (size_t)g->height + 1, sizeof *g->cells);
	if (!g->cells)
		return -1;
	view_grid_clear(g);
	return 0;
}

void view_grid_free(view_grid *g)
{
	free(g->cells);
	g->cells = NULL;
	g->width = g->height = 0;
}

void view_grid_clear(view_grid *g)
{
	size_t n = (size_t)g->width * (size_t)g->height;
	for (size_t i = 0; i < n; i++) {
		g->cells[i].glyph[0] = ' ';
		g->cells[i].glyph[1] = '\0';
		g->cells[i].style = VS_TEXT;
	}
	g->cut_rows = 0;
}

void view_grid_glyph(view_grid *g, int x, int y, const char *glyph, int style)
{
	if (x >= g->width && y >= 0 && y < 32)
		g->cut_rows |= 1ul << y;
	if (x < 0 || y < 0 || x >= g->width || y >= g->height)
		return;
	view_cell *c = &g->cells[(size_t)y * (size_t)g->width + (size_t)x];
	size_t n = strlen(glyph);
	if (n == 0 || n >= sizeof c->glyph)
		glyph = "?", n = 1;
	memcpy(c->glyph, glyph, n + 1);
	c->style = (unsigned char)style;
}

int view_grid_text(view_grid *g, int x, int y, const char *s, int style)
{
	char one[2] = {0, 0};
	for (; *s; s++, x++) {
		one[0] = (*s >= 32 && *s < 127) ? *s : '?';
		view_grid_glyph(g, x, y, one, style);
	}
	return x;
}

int view_grid_printf(view_grid *g, int x, int y, int style, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return view_grid_text(g, x, y, buf, style);
}

void view_grid_fill(view_grid *g, int x, int y, int w, const char *glyph, int style)
{
	for (int i = 0; i < w; i++)
		view_grid_glyph(g, x + i, y, glyph, style);
}

#define FIT_MAX_FIELDS 16

static int fields_width(const view_field *f, const int *form, int n)
{
	int w = 0;
	for (int i = 0; i < n; i++)
		if (form[i] >= 0)
			w += (int)strlen(f[i].form[form[i]]);
	return w;
}

/* The fields in the order they give way: least important first, and
 * among equals the later one first (the start of a line reads on). */
static void yield_order(const view_field *f, int n, int *order)
{
	for (int i = 0; i < n; i++)
		order[i] = n - 1 - i;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && f[order[j]].keep < f[order[j - 1]].keep; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
}

int view_grid_fit(view_grid *g, int x, int y, int width, const view_field *fields, int n)
{
	return view_grid_fit_at(g, x, y, width, fields, n, NULL);
}

int view_grid_fit_at(view_grid *g, int x, int y, int width, const view_field *fields, int n,
                     int *at)
{
	int form[FIT_MAX_FIELDS], order[FIT_MAX_FIELDS];
	if (n > FIT_MAX_FIELDS)
		n = FIT_MAX_FIELDS;
	for (int i = 0; i < n; i++)
		form[i] = fields[i].form[0] ? 0 : -1;
	yield_order(fields, n, order);
	/* abbreviate first: every field keeps its information as long as it can */
	for (int k = 0; k < n && fields_width(fields, form, n) > width; k++) {
		int i = order[k];
		while (form[i] >= 0 && form[i] + 1 < VIEW_FIELD_FORMS && fields[i].form[form[i] + 1]
		       && fields_width(fields, form, n) > width)
			form[i]++;
	}
	for (int k = 0; k < n && fields_width(fields, form, n) > width; k++)
		if (fields[order[k]].keep < VIEW_FIELD_ALWAYS)
			form[order[k]] = -1;
	int end = x + width;
	for (int i = 0; at && i < n; i++)
		at[i] = -1;
	for (int i = 0; i < n; i++) {
		if (form[i] < 0)
			continue;
		if (at)
			at[i] = x;
		const char *t = fields[i].form[form[i]];
		int len = (int)strlen(t);
		if (x + len > end) {       /* only fields that are never dropped get here */
			if (y >= 0 && y < 32)
				g->cut_rows |= 1ul << y;
			char cut[256];
			snprintf(cut, sizeof cut, "%.*s", end - x > 0 ? end - x : 0, t);
			return view_grid_text(g, x, y, cut, fields[i].style);
		}
		x = view_grid_text(g, x, y, t, fields[i].style);
	}
	return x;
}

char *view_grid_to_text(const view_grid *g)
{
	size_t cap = (size_t)g->width * (size_t)g->height * 4 + (size_t)g->height + 1, len = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t keep = 0;   /* length up to the last non-blank line */
	for (int y = 0; y < g->height; y++) {
		const view_cell *row = &g->cells[(size_t)y * (size_t)g->width];
		int last = g->width - 1;
		while (last >= 0 && strcmp(row[last].glyph, " ") == 0)
			last--;
		for (int x = 0; x <= last; x++) {
			size_t n = strlen(row[x].glyph);
			memcpy(out + len, row[x].glyph, n);
			len += n;
		}
		out[len++] = '\n';
		if (last >= 0)
			keep = len;
	}
	out[keep] = '\0';
	return out;
}
