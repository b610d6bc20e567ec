/* rlua_table.c: the aligned text tables that reports print as (a header
 * row, columns as wide as their widest cell, numbers right-aligned), folded
 * into blocks of columns that fit the terminal, with a note for the rows a
 * long table hides; the per-layer rows that fill them from a report's
 * Lua fields; and the same formatters as Lua functions, for mc.sweep's Lua
 * code (format_table, fmt, fmt_prob). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rlua.h"

struct rlua_table {
	int ncols;
	size_t nrows, cap;
	char **cells;        /* (nrows + 1) * ncols, row 0 the header */
	size_t *widths;
	rlua_box *anchor;    /* the box of rlua_table_push, or NULL */
	char note[200];      /* a line under the table: which rows are hidden */
};

static void table_free(rlua_table *t)
{
	if (t->anchor)
		t->anchor->p = NULL;   /* emitted: the box has nothing left to free */
	for (size_t i = 0; t->cells && i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->widths);
	free(t);
}

static void table_destroy(void *t) { table_free(t); }

rlua_table *rlua_table_push(lua_State *L, int ncols, const char *const *headers)
{
	rlua_box *box = rlua_box_push(L, NULL, table_destroy);
	rlua_table *t = box->p = rlua_table_new(ncols, headers);
	if (!t)
		luaL_error(L, "not enough memory for a table of %d columns", ncols);
	t->anchor = box;
	return t;
}

rlua_table *rlua_table_new(int ncols, const char *const *headers)
{
	rlua_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->widths = calloc((size_t)ncols, sizeof *t->widths);
	if (!t->widths) {
		free(t);
		return NULL;
	}
	rlua_table_row(t, headers);
	return t;
}

void rlua_table_row(rlua_table *t, const char *const *cells)
{
	if (!t)
		return;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof *c);
		if (!c)
			return;
		t->cells = c;
		t->cap = cap;
	}
	for (int j = 0; j < t->ncols; j++) {
		const char *s = cells[j] ? cells[j] : "";
		char *copy = strdup(s);
		t->cells[t->nrows * (size_t)t->ncols + (size_t)j] = copy;
		size_t len = copy ? strlen(copy) : 0;
		if (len > t->widths[j])
			t->widths[j] = len;
	}
	t->nrows++;
}

/* Numbers (and a leading '-') are right-aligned, text left-aligned. */
static int looks_numeric(const char *s)
{
	return (*s >= '0' && *s <= '9') || ((*s == '-' || *s == '.') && s[1] >= '0' && s[1] <= '9')
	       || strcmp(s, "inf") == 0 || strcmp(s, "-inf") == 0 || strcmp(s, "-") == 0;
}

static int fold_width;        /* 0: tables print whole */

void rlua_set_fold_width(int columns) { fold_width = columns > 0 ? columns : 0; }

/* Emits the header, the rule and the rows for the columns listed in cols. */
static void emit_block(const rlua_table *t, luaL_Buffer *b, const int *cols, int n, const bool *right)
{
	for (size_t r = 0; r < t->nrows; r++) {
		size_t line_start = luaL_bufflen(b);
		for (int c = 0; c < n; c++) {
			int j = cols[c];
			const char *s = t->cells[r * (size_t)t->ncols + (size_t)j];
			s = s ? s : "";
			size_t pad = t->widths[j] - strlen(s);
			/* the header sits over its column: right-aligned over numbers */
			bool align_right = r == 0 ? right[j] : looks_numeric(s);
			if (c)
				luaL_addstring(b, "  ");
			for (size_t k = 0; align_right && k < pad; k++)
				luaL_addchar(b, ' ');
			luaL_addstring(b, s);
			for (size_t k = 0; !align_right && c + 1 < n && k < pad; k++)
				luaL_addchar(b, ' ');
		}
		/* empty last cells leave padding: no line ends in spaces */
		while (luaL_bufflen(b) > line_start && luaL_buffaddr(b)[luaL_bufflen(b) - 1] == ' ')
			luaL_buffsub(b, 1);
		luaL_addchar(b, '\n');
		if (r == 0) {
			size_t total = 0;
			for (int c = 0; c < n; c++)
				total += t->widths[cols[c]] + (c ? 2 : 0);
			if (fold_width > 0 && total > (size_t)fold_width)
				total = (size_t)fold_width;
			for (size_t k = 0; k < total; k++)
				luaL_addchar(b, '-');
			luaL_addchar(b, '\n');
		}
	}
}

void rlua_push_report(lua_State *L, luaL_Buffer *b)
{
	luaL_pushresult(b);
	size_t len;
	const char *s = lua_tolstring(L, -1, &len);
	lua_pushlstring(L, s, len && s[len - 1] == '\n' ? len - 1 : len);
}

void rlua_cell(char *buf, size_t len, const char *fmt, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, fmt, v);
}

enum { FULL_ROWS = 30, HEAD_ROWS = 15, TAIL_ROWS = 10, MAX_ROW_CELLS = 16 };

bool rlua_table_gap(rlua_table *t, lua_Integer depth, lua_Integer *l, const char *each)
{
	if (depth <= FULL_ROWS || *l != HEAD_ROWS + 1)
		return false;
	const char *cells[64] = {"..."};
	for (int j = 1; j < t->ncols && j < 64; j++)
		cells[j] = "";
	rlua_table_row(t, cells);
	snprintf(t->note, sizeof t->note, "(layers %lld to %lld of %lld not shown; all are in %s)\n",
	         (long long)(HEAD_ROWS + 1), (long long)(depth - TAIL_ROWS), (long long)depth, each);
	*l = depth - TAIL_ROWS;
	return true;
}

void rlua_field_cells(lua_State *L, int layer, lua_Integer l, char cells[][32], const rlua_column *cols)
{
	snprintf(cells[0], 32, "%lld", (long long)l);
	for (int j = 0; cols[j].field && j + 1 < MAX_ROW_CELLS; j++)
		rlua_cell(cells[j + 1], 32, cols[j].format, rlua_num_field(L, layer, cols[j].field));
}

void rlua_layer_rows(lua_State *L, int report, rlua_table *t, int ncols, rlua_row_fn row)
{
	lua_getfield(L, report, "layers");
	lua_Integer depth = lua_istable(L, -1) ? rlua_len(L, -1, "the report's layers") : 0;
	char cells[MAX_ROW_CELLS][32];
	const char *ptrs[MAX_ROW_CELLS];
	ncols = ncols < MAX_ROW_CELLS ? ncols : MAX_ROW_CELLS;
	for (int j = 0; j < ncols; j++)
		ptrs[j] = cells[j];
	for (lua_Integer l = 1; l <= depth; l++) {
		if (rlua_table_gap(t, depth, &l, "the report's .layers"))
			continue;
		lua_geti(L, -1, l);
		if (lua_istable(L, -1)) {
			row(L, lua_gettop(L), l, cells);
			rlua_table_row(t, ptrs);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

int rlua_push_table_report(lua_State *L, const char *head, rlua_table *t)
{
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	luaL_addstring(&b, head);
	rlua_table_emit(t, &b);
	rlua_push_report(L, &b);
	return 1;
}

double rlua_num_field(lua_State *L, int t, const char *k)
{
	lua_getfield(L, t, k);
	double v = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : NAN;
	lua_pop(L, 1);
	return v;
}

const char *rlua_str_field(lua_State *L, int t, const char *k, char *buf, size_t len)
{
	lua_getfield(L, t, k);
	const char *s = lua_tostring(L, -1);
	snprintf(buf, len, "%s", s ? s : "?");
	lua_pop(L, 1);
	return buf;
}

static void emit_columns(rlua_table *t, luaL_Buffer *b);

void rlua_table_emit(rlua_table *t, luaL_Buffer *b)
{
	if (!t)
		return;
	char note[sizeof t->note];
	memcpy(note, t->note, sizeof note);
	emit_columns(t, b);         /* frees t */
	luaL_addstring(b, note);
}

static void emit_columns(rlua_table *t, luaL_Buffer *b)
{
	int cols[64];
	bool right[64];
	int ncols = t->ncols < 64 ? t->ncols : 64;
	size_t total = 0;
	for (int j = 0; j < ncols; j++) {
		/* a column whose cells are all numbers is right-aligned */
		bool numeric = false, text = false;
		for (size_t r = 1; r < t->nrows; r++) {
			const char *s = t->cells[r * (size_t)t->ncols + (size_t)j];
			if (s && *s && looks_numeric(s))
				numeric = true;
			else if (s && *s)
				text = true;
		}
		right[j] = numeric && !text;
		total += t->widths[j] + (j ? 2 : 0);
	}
	if (fold_width == 0 || total <= (size_t)fold_width || ncols < 3) {
		for (int j = 0; j < ncols; j++)
			cols[j] = j;
		emit_block(t, b, cols, ncols, right);
		table_free(t);
		return;
	}
	/* Too wide: blocks of columns that fit, each led by the first column
	 * (the layer), as wide tables fold. */
	int next = 1;
	while (next < ncols) {
		int n = 0;
		size_t used = t->widths[0];
		cols[n++] = 0;
		while (next < ncols) {
			/* a column with an empty header belongs to the one before it
			 * ("measured" spans the value and its interval) */
			int group_end = next + 1;
			size_t group = 2 + t->widths[next];
			while (group_end < ncols && (!t->cells[group_end] || !*t->cells[group_end])) {
				group += 2 + t->widths[group_end];
				group_end++;
			}
			if (n > 1 && used + group > (size_t)fold_width)
				break;
			used += group;
			while (next < group_end)
				cols[n++] = next++;
		}
		if (cols[1] > 1)
			luaL_addchar(b, '\n');
		emit_block(t, b, cols, n, right);
	}
	table_free(t);
}

/* ---- the report formatters mc.sweep's Lua code is given -------------------- */

/* format_table(headers, rows): the aligned table every report prints. */
int rlua_format_table_l(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TTABLE);
	int ncols = (int)luaL_len(L, 1);
	if (ncols < 1 || ncols > 32)
		return luaL_error(L, "format_table: 1 to 32 columns, got %d", ncols);
	luaL_checkstack(L, 2 * ncols + 8, "format_table");
	const char *headers[32];
	for (int j = 0; j < ncols; j++) {
		lua_geti(L, 1, j + 1);
		headers[j] = luaL_tolstring(L, -1, NULL);
		lua_replace(L, -2);   /* the string stays on the stack while it is used */
	}
	rlua_table *t = rlua_table_push(L, ncols, headers);
	lua_Integer nrows = luaL_len(L, 2);
	for (lua_Integer i = 1; i <= nrows; i++) {
		const char *cells[32];
		lua_geti(L, 2, i);
		int row = lua_gettop(L);
		for (int j = 0; j < ncols; j++) {
			if (lua_geti(L, row, j + 1) == LUA_TNIL) {
				lua_pop(L, 1);
				lua_pushliteral(L, "");
			} else {
				luaL_tolstring(L, -1, NULL);
				lua_replace(L, -2);
			}
			cells[j] = lua_tostring(L, -1);
		}
		rlua_table_row(t, cells);
		lua_settop(L, row - 1);
	}
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	rlua_table_emit(t, &b);
	luaL_pushresult(&b);
	return 1;
}

/* fmt(x): a number as reports print it; fmt_prob(x [, gap]): a
 * probability, bound or survival (rlua_fmt_prob: never "1" below 1 nor "0"
 * above 0; gap is 1 - x when known more accurately). nil (a statistic the
 * run did not take, such as the mean F of stats = "alive") is "-". */
static int push_fmt(lua_State *L, int prob)
{
	if (lua_isnoneornil(L, 1)) {
		lua_pushliteral(L, "-");
		return 1;
	}
	char buf[48];
	if (prob)
		rlua_fmt_prob(buf, sizeof buf, luaL_checknumber(L, 1), luaL_optnumber(L, 2, NAN));
	else
		rlua_fmt_number(buf, sizeof buf, luaL_checknumber(L, 1));
	lua_pushstring(L, buf);
	return 1;
}

int rlua_fmt_l(lua_State *L) { return push_fmt(L, 0); }
int rlua_fmt_prob_l(lua_State *L) { return push_fmt(L, 1); }
