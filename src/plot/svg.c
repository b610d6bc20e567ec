/* svg.c: the SVG back end of the plots: a standalone document with axes,
 * ticks, bands, reference lines and a legend. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plot/plot_impl.h"

/* ---- SVG back end ---------------------------------------------------------------- */

static const char *const svg_colours[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
};

static const char *svg_colour(const plot *p, size_t k)
{
	int c = p->series[k].colour;
	return svg_colours[(c >= 0 ? (size_t)c : k) % PLOT_PALETTE];
}

static void xml_text(sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sb_puts(b, "&amp;"); break;
		case '<': sb_puts(b, "&lt;"); break;
		case '>': sb_puts(b, "&gt;"); break;
		case '"': sb_puts(b, "&quot;"); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				sb_puts(b, " ");
			else
				sb_putn(b, s, 1);
		}
	}
}

/* At most max code points of s, with "..." when cut, XML-escaped. */
static void xml_text_cut(sbuf *b, const char *s, size_t max)
{
	if (text_columns(s) <= max) {
		xml_text(b, s);
		return;
	}
	size_t bytes = 0, cols = 0;
	while (s[bytes] && cols + 1 < max) {
		bytes += strnlen(s + bytes, utf8_seq_len((unsigned char)s[bytes]));
		cols++;
	}
	char *cut = strndup(s, bytes);
	if (!cut) {
		b->oom = 1;
		return;
	}
	xml_text(b, cut);
	sb_puts(b, "\xe2\x80\xa6");
	free(cut);
}

void plot_svg_defaults(plot_svg_opts *o)
{
	o->width = 760;
	o->height = 460;
}

typedef struct svg_frame {
	double left, top, w, h;
	const axis *ax, *ay;
} svg_frame;

static double clamp_px(double v) { return v < -1e5 ? -1e5 : v > 1e5 ? 1e5 : v; }
static double svg_x(const svg_frame *f, double v) { return clamp_px(f->left + axis_frac(f->ax, v) * f->w); }
static double svg_y(const svg_frame *f, double v) { return clamp_px(f->top + (1 - axis_frac(f->ay, v)) * f->h); }

static const char *svg_dash(enum plot_style s)
{
	return s == PLOT_DASHED ? " stroke-dasharray=\"7 4\"" : s == PLOT_DOTTED ? " stroke-dasharray=\"2 3\"" : "";
}

/* The band between lo and hi, one closed path per run without NaN. */
static void svg_band(sbuf *b, const svg_frame *f, const plot *p, const plot_series *s, size_t k)
{
	size_t i = 0;
	while (i < p->n) {
		while (i < p->n && (isnan(s->lo[i]) || isnan(s->hi[i])))
			i++;
		size_t start = i;
		while (i < p->n && !isnan(s->lo[i]) && !isnan(s->hi[i]))
			i++;
		if (i - start < 2)
			continue;
		sb_printf(b, "<path class=\"band\" fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\" d=\"",
		          svg_colour(p, k));
		for (size_t j = start; j < i; j++)
			sb_printf(b, "%s%.2f %.2f ", j == start ? "M" : "L", svg_x(f, p->x[j]), svg_y(f, s->hi[j]));
		for (size_t j = i; j-- > start;)
			sb_printf(b, "L%.2f %.2f ", svg_x(f, p->x[j]), svg_y(f, s->lo[j]));
		sb_puts(b, "Z\"/>\n");
	}
}

static void svg_series(sbuf *b, const svg_frame *f, const plot *p, size_t k)
{
	const plot_series *s = &p->series[k];
	const char *col = svg_colour(p, k);
	sb_puts(b, "<g class=\"series\" data-name=\"");
	xml_text(b, s->name);
	sb_puts(b, "\">\n");
	if (s->lo && s->style != PLOT_POINTS)
		svg_band(b, f, p, s, k);
	if (s->lo && s->style == PLOT_POINTS) {
		sb_printf(b, "<g class=\"errorbars\" stroke=\"%s\" stroke-width=\"1.3\">\n", col);
		for (size_t i = 0; i < p->n; i++) {
			if (isnan(s->lo[i]) || isnan(s->hi[i]))
				continue;
			double x = svg_x(f, p->x[i]), y0 = svg_y(f, s->lo[i]), y1 = svg_y(f, s->hi[i]);
			sb_printf(b, "<path d=\"M%.2f %.2fL%.2f %.2fM%.2f %.2fL%.2f %.2fM%.2f %.2fL%.2f %.2f\"/>\n",
			          x, y0, x, y1, x - 3, y0, x + 3, y0, x - 3, y1, x + 3, y1);
		}
		sb_puts(b, "</g>\n");
	}
	if (s->style == PLOT_POINTS) {
		sb_printf(b, "<g class=\"points\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"0.8\">\n", col);
		for (size_t i = 0; i < p->n; i++)
			if (!isnan(s->y[i]))
				sb_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.6\"/>\n",
				          svg_x(f, p->x[i]), svg_y(f, s->y[i]));
		sb_puts(b, "</g>\n");
	} else {
		sb_printf(b, "<path class=\"line\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
		          "stroke-linejoin=\"round\" stroke-linecap=\"round\"%s d=\"", col, svg_dash(s->style));
		bool have = false;
		for (size_t i = 0; i < p->n; i++) {
			if (isnan(s->y[i])) {
				have = false;
				continue;
			}
			sb_printf(b, "%s%.2f %.2f ", have ? "L" : "M", svg_x(f, p->x[i]), svg_y(f, s->y[i]));
			have = true;
		}
		sb_puts(b, "\"/>\n");
		for (size_t i = 0; i < p->n; i++)      /* isolated values stay visible */
			if (!isnan(s->y[i]) && (i == 0 || isnan(s->y[i - 1])) && (i + 1 == p->n || isnan(s->y[i + 1])))
				sb_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"%s\"/>\n",
				          svg_x(f, p->x[i]), svg_y(f, s->y[i]), col);
	}
	sb_puts(b, "</g>\n");
}

static void svg_axes(sbuf *b, const svg_frame *f)
{
	const axis *ax = f->ax, *ay = f->ay;
	sb_puts(b, "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
	for (int i = 0; i < ax->nticks; i++) {
		double x = f->left + (ax->tick[i] - ax->lo) / (ax->hi - ax->lo) * f->w;
		sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", x, f->top, x, f->top + f->h);
	}
	for (int i = 0; i < ay->nticks; i++) {
		double y = f->top + (1 - (ay->tick[i] - ay->lo) / (ay->hi - ay->lo)) * f->h;
		sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", f->left, y, f->left + f->w, y);
	}
	sb_puts(b, "</g>\n");
}

static void svg_ticks(sbuf *b, const svg_frame *f)
{
	const axis *ax = f->ax, *ay = f->ay;
	sb_printf(b, "<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\">\n"
	          "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\"/>\n",
	          f->left, f->top, f->w, f->h);
	double bottom = f->top + f->h;
	for (int i = 0; i < ax->nticks; i++) {
		double x = f->left + (ax->tick[i] - ax->lo) / (ax->hi - ax->lo) * f->w;
		sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", x, bottom, x, bottom + 5);
	}
	for (int i = 0; i < ay->nticks; i++) {
		double y = f->top + (1 - (ay->tick[i] - ay->lo) / (ay->hi - ay->lo)) * f->h;
		sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", f->left - 5, y, f->left, y);
	}
	sb_puts(b, "</g>\n<g class=\"ticklabels\" fill=\"#333333\">\n");
	for (int i = 0; i < ax->nticks; i++) {
		double x = f->left + (ax->tick[i] - ax->lo) / (ax->hi - ax->lo) * f->w;
		sb_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">", x, bottom + 19);
		xml_text(b, ax->label[i]);
		sb_puts(b, "</text>\n");
	}
	for (int i = 0; i < ay->nticks; i++) {
		double y = f->top + (1 - (ay->tick[i] - ay->lo) / (ay->hi - ay->lo)) * f->h;
		sb_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">", f->left - 8, y + 4);
		xml_text(b, ay->label[i]);
		sb_puts(b, "</text>\n");
	}
	sb_puts(b, "</g>\n");
}

static void svg_refs(sbuf *b, const svg_frame *f, const plot *p)
{
	if (p->nrefs == 0)
		return;
	sb_puts(b, "<g class=\"refs\" stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"3 3\">\n");
	for (size_t i = 0; i < p->nrefs; i++) {
		const plot_ref *r = &p->refs[i];
		if (r->vertical) {
			double x = svg_x(f, r->value);
			sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", x, f->top, x, f->top + f->h);
		} else {
			double y = svg_y(f, r->value);
			sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", f->left, y, f->left + f->w, y);
		}
	}
	sb_puts(b, "</g>\n<g class=\"reflabels\" fill=\"#444444\" font-size=\"11\">\n");
	for (size_t i = 0; i < p->nrefs; i++) {
		const plot_ref *r = &p->refs[i];
		if (!r->label)
			continue;
		if (r->vertical)
			sb_printf(b, "<text x=\"%.2f\" y=\"%.2f\">", svg_x(f, r->value) + 4, f->top + 14);
		else
			sb_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">", f->left + f->w - 4,
			          svg_y(f, r->value) - 4);
		xml_text_cut(b, r->label, 40);
		sb_puts(b, "</text>\n");
	}
	sb_puts(b, "</g>\n");
}

#define SVG_LEGEND_CHARS 34

static void svg_legend(sbuf *b, const plot *p, double x, double y, double w)
{
	double h = 10 + 20.0 * p->nseries;
	sb_printf(b, "<g class=\"legend\">\n<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
	          "fill=\"#ffffff\" stroke=\"#cccccc\"/>\n", x, y, w, h);
	for (size_t k = 0; k < p->nseries; k++) {
		const plot_series *s = &p->series[k];
		double cy = y + 15 + 20.0 * k;
		if (s->lo && s->style != PLOT_POINTS)
			sb_printf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"26\" height=\"10\" fill=\"%s\" "
			          "fill-opacity=\"0.18\"/>\n", x + 8, cy - 5, svg_colour(p, k));
		if (s->style == PLOT_POINTS)
			sb_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.6\" fill=\"%s\"/>\n", x + 21, cy, svg_colour(p, k));
		else
			sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
			          "stroke-width=\"2\"%s/>\n", x + 8, cy, x + 34, cy, svg_colour(p, k), svg_dash(s->style));
		sb_printf(b, "<text x=\"%.2f\" y=\"%.2f\" fill=\"#222222\">", x + 42, cy + 4);
		xml_text_cut(b, s->name, SVG_LEGEND_CHARS);
		sb_puts(b, "</text>\n");
	}
	sb_puts(b, "</g>\n");
}

char *plot_svg_string(const plot *p, const plot_svg_opts *o, rl_err *e)
{
	if (plot_check(p, e) < 0)
		return NULL;
	if (o->width < 200 || o->width > 20000 || o->height < 150 || o->height > 20000) {
		rl_fail(e, "an SVG plot needs a width in [200, 20000] and a height in [150, 20000] "
		        "pixels, got %d x %d", o->width, o->height);
		return NULL;
	}
	const double char_w = 7.0;     /* a 12 px sans-serif digit, roughly */
	size_t longest = 0;
	for (size_t k = 0; k < p->nseries; k++) {
		size_t c = text_columns(p->series[k].name);
		if (c > longest)
			longest = c;
	}
	if (longest > SVG_LEGEND_CHARS)
		longest = SVG_LEGEND_CHARS;
	double legend_w = 52 + char_w * longest;
	if (legend_w > o->width / 3.0)
		legend_w = o->width / 3.0;
	double top = 18 + (p->title ? 26 : 0), bottom = 36 + (p->xlabel ? 22 : 0);
	double plot_h = o->height - top - bottom;
	axis ax, ay;
	setup_axes(p, &ax, &ay, 6, (int)fmax(2, fmin(10, plot_h / 45)));
	size_t ylab = 1;
	for (int i = 0; i < ay.nticks; i++)
		if (strlen(ay.label[i]) > ylab)
			ylab = strlen(ay.label[i]);
	double left = 16 + (p->ylabel ? 22 : 0) + char_w * ylab;
	double right = legend_w + 28;
	double plot_w = o->width - left - right;
	if (plot_w < 60) {
		rl_fail(e, "an SVG plot %d pixels wide has no room for its legend; give a larger width",
		        o->width);
		return NULL;
	}
	setup_axes(p, &ax, &ay, (int)fmax(2, fmin(12, plot_w / 80)), (int)fmax(2, fmin(10, plot_h / 45)));
	svg_frame f = { left, top, plot_w, plot_h, &ax, &ay };

	sbuf b = { 0 };
	sb_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	          "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
	          "font-size=\"12\">\n", o->width, o->height, o->width, o->height);
	if (p->title) {
		sb_puts(&b, "<title>");
		xml_text(&b, p->title);
		sb_puts(&b, "</title>\n");
	}
	sb_printf(&b, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", o->width, o->height);
	sb_printf(&b, "<defs><clipPath id=\"plot-area\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
	          "height=\"%.2f\"/></clipPath></defs>\n", left - 6, top - 6, plot_w + 12, plot_h + 12);
	svg_axes(&b, &f);
	svg_refs(&b, &f, p);
	sb_puts(&b, "<g clip-path=\"url(#plot-area)\">\n");
	for (size_t k = 0; k < p->nseries; k++)
		svg_series(&b, &f, p, k);
	sb_puts(&b, "</g>\n");
	svg_ticks(&b, &f);
	if (p->title) {
		/* centred on the plot area when it fits there, else on the picture;
		 * a title wider than the picture is squeezed to fit */
		double est = 8.8 * (double)text_columns(p->title), cx = left + plot_w / 2;
		if (cx - est / 2 < 8 || cx + est / 2 > o->width - 8)
			cx = o->width / 2.0;
		sb_printf(&b, "<text class=\"title\" x=\"%.2f\" y=\"24\" text-anchor=\"middle\" "
		          "font-size=\"15\" font-weight=\"bold\" fill=\"#111111\"", cx);
		if (est > o->width - 16)
			sb_printf(&b, " textLength=\"%d\" lengthAdjust=\"spacingAndGlyphs\"", o->width - 16);
		sb_puts(&b, ">");
		xml_text(&b, p->title);
		sb_puts(&b, "</text>\n");
	}
	if (p->xlabel) {
		sb_printf(&b, "<text class=\"xlabel\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
		          "font-size=\"13\" fill=\"#111111\">", left + plot_w / 2, top + plot_h + 48);
		xml_text(&b, p->xlabel);
		sb_puts(&b, "</text>\n");
	}
	if (p->ylabel) {
		double cx = 18, cy = top + plot_h / 2;
		sb_printf(&b, "<text class=\"ylabel\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
		          "font-size=\"13\" fill=\"#111111\" transform=\"rotate(-90 %.2f %.2f)\">",
		          cx, cy, cx, cy);
		xml_text(&b, p->ylabel);
		sb_puts(&b, "</text>\n");
	}
	svg_legend(&b, p, left + plot_w + 14, top, legend_w);
	sb_puts(&b, "</svg>\n");
	return sb_finish(&b, e);
}

