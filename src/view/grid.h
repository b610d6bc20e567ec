/* grid.h: the abstract screen the renderer draws into. A cell holds one
 * glyph (one column wide: ASCII or a UTF-8 block/box character) and a
 * semantic style; each back end (the text buffer here, ncurses in term.c)
 * decides what a style looks like. */
#ifndef RELUSH_VIEW_GRID_H
#define RELUSH_VIEW_GRID_H

#include <stddef.h>

/* Heat levels 1..VIEW_HEAT_LEVELS colour an active fraction in (0, 1]. */
#define VIEW_HEAT_LEVELS 16

enum view_style {
	VS_TEXT = 0,
	VS_DIM,          /* secondary text, empty bar cells, axes */
	VS_TITLE,        /* the top line */
	VS_HEADER,       /* column headings */
	VS_STATUS,       /* the key line at the bottom */
	VS_WARN,         /* paused, interrupted, too small */
	VS_DEAD,         /* a dead neuron (never active on a reaching point) */
	VS_UNREACHED,    /* no point reaches the layer */
	VS_BAR,          /* living points */
	VS_CURVE,        /* running P(alive) */
	VS_BAND,         /* its 95 % interval */
	VS_LOWER,        /* reference line L */
	VS_UPPER,        /* reference line U */
	VS_HEAT0,        /* + level (1..VIEW_HEAT_LEVELS): an active fraction */
	VS_COUNT = VS_HEAT0 + VIEW_HEAT_LEVELS + 1
};

typedef struct view_cell {
	char glyph[5];   /* NUL-terminated UTF-8, one column */
	unsigned char style;
} view_cell;

typedef struct view_grid {
	int width, height;
	view_cell *cells;
	/* bit y (y < 32): text on row y was cut, at the grid's right edge or
	 * by view_grid_fit; the tests hold the header rows to none */
	unsigned long cut_rows;
} view_grid;

/* 0, or -1 when out of memory. The grid starts blank. */
int view_grid_init(view_grid *g, int width, int height);
void view_grid_free(view_grid *g);
void view_grid_clear(view_grid *g);

/* Writers clip at the grid's edges and return the column after the text. */
void view_grid_glyph(view_grid *g, int x, int y, const char *glyph, int style);
/* ASCII text (one byte per column) */
int view_grid_text(view_grid *g, int x, int y, const char *s, int style);
int view_grid_printf(view_grid *g, int x, int y, int style, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void view_grid_fill(view_grid *g, int x, int y, int w, const char *glyph, int style);

/* A field of a line that must never be cut inside a number or a word: its
 * forms, longest first (up to VIEW_FIELD_FORMS, the rest NULL; form[0] is
 * the full text, and NULL there leaves the field out), its style, and how
 * much it matters (higher: kept longer; VIEW_FIELD_ALWAYS: never dropped). */
#define VIEW_FIELD_FORMS 4
#define VIEW_FIELD_ALWAYS 1000
typedef struct view_field {
	const char *form[VIEW_FIELD_FORMS];
	int style;
	int keep;
} view_field;

/* Writes the fields at (x, y) in order, in at most width columns: the
 * least important fields are first abbreviated (their shorter forms), then,
 * if that is not enough, dropped, so what is shown is whole. Only when
 * even the fields that are never dropped do not fit is the line cut (and
 * its row marked in cut_rows). Returns the column after the text; at, when
 * not NULL, gets each field's column (-1: left out), for glyphs drawn over
 * a field's placeholder characters. */
int view_grid_fit(view_grid *g, int x, int y, int width, const view_field *fields, int n);
int view_grid_fit_at(view_grid *g, int x, int y, int width, const view_field *fields, int n,
                     int *at);

/* The text back end: the grid as lines (trailing blanks and blank trailing
 * lines removed), each ending in '\n'. Returns a malloc'ed string or NULL. */
char *view_grid_to_text(const view_grid *g);

#endif
