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
}

void view_grid_glyph(view_grid *g, int x, int y, const char *glyph, int style)
{
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
