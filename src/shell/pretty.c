/* pretty.c: how the REPL shows values. Tables print sorted, on one line
 * when they fit the terminal and folded otherwise, nested to a depth limit,
 * with long lists elided (a count of what was left out) and cycles marked.
 * Objects with __pretty or __tostring (our reports) print through it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <lauxlib.h>
#include "relush/interrupt.h"
#include "lua/rlua.h"
#include "shell/shell.h"

enum {
	MAX_DEPTH = 4,        /* nested tables deeper than this print as {...} */
	MAX_LIST = 24,        /* a sequence longer than this is elided ... */
	LIST_SHOWN = 20,      /* ... to its first LIST_SHOWN items */
	MAX_KEYS = 40,        /* the same for the other keys of a table */
	KEYS_SHOWN = 32,
	MAX_STRING = 160,     /* longer strings inside a table are cut */
};

/* ---- an output buffer owned by a userdata, so an error frees it ---------- */

typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;

static void sbuf_free(void *p)
{
	sbuf *b = p;
	free(b->p);
	free(b);
}

static sbuf *sbuf_push(lua_State *L)
{
	return rlua_box_new(L, NULL, sizeof(sbuf), sbuf_free);
}

static void sbuf_add(lua_State *L, sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL)
			luaL_error(L, "not enough memory to print the value");
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sbuf_adds(lua_State *L, sbuf *b, const char *s) { sbuf_add(L, b, s, strlen(s)); }

static void sbuf_spaces(lua_State *L, sbuf *b, int n)
{
	while (n-- > 0)
		sbuf_add(L, b, " ", 1);
}

/* Column of the end of b: characters since its last newline. */
static int sbuf_column(const sbuf *b)
{
	size_t i = b->len;
	while (i > 0 && b->p[i - 1] != '\n')
		i--;
	return (int)(b->len - i);
}

/* ---- the printer ------------------------------------------------------------- */

typedef struct printer {
	lua_State *L;
	int seen;          /* stack index: set of the tables on the current path */
	int width;
	size_t budget;     /* in flat mode: give up once the buffer is longer */
	bool overflow;     /* a flat rendering ran past its budget */
} printer;

int shell_term_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *cols = getenv("COLUMNS");
	int n = cols ? atoi(cols) : 0;
	return n >= 20 ? n : 80;
}

static void add_number(printer *P, sbuf *out, int idx, bool top)
{
	lua_State *L = P->L;
	char buf[64];
	if (lua_isinteger(L, idx)) {
		snprintf(buf, sizeof buf, LUA_INTEGER_FMT, (LUAI_UACINT)lua_tointeger(L, idx));
	} else {
		double v = lua_tonumber(L, idx);
		if (isnan(v))
			snprintf(buf, sizeof buf, "nan");
		else if (isinf(v))
			snprintf(buf, sizeof buf, v > 0 ? "inf" : "-inf");
		else {
			/* A result of its own in full (as Lua prints it); inside a
			 * table six significant digits keep columns readable. */
			snprintf(buf, sizeof buf, top ? "%.14g" : "%.6g", v);
			if (buf[strspn(buf, "-0123456789")] == '\0')
				strcat(buf, ".0");   /* a float stays visibly a float */
		}
	}
	sbuf_adds(L, out, buf);
}

static void add_quoted(printer *P, sbuf *out, const char *s, size_t len)
{
	lua_State *L = P->L;
	size_t shown = len > MAX_STRING ? MAX_STRING : len;
	sbuf_add(L, out, "\"", 1);
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		switch (c) {
		case '"': sbuf_adds(L, out, "\\\""); break;
		case '\\': sbuf_adds(L, out, "\\\\"); break;
		case '\n': sbuf_adds(L, out, "\\n"); break;
		case '\t': sbuf_adds(L, out, "\\t"); break;
		case '\r': sbuf_adds(L, out, "\\r"); break;
		default:
			if (c < 32 || c == 127) {
				snprintf(esc, sizeof esc, "\\%d", c);
				sbuf_adds(L, out, esc);
			} else {
				sbuf_add(L, out, (const char *)&c, 1);
			}
		}
		if (P->budget && out->len > P->budget) {
			P->overflow = true;
			return;
		}
	}
	sbuf_add(L, out, "\"", 1);
	if (shown < len) {
		char more[48];
		snprintf(more, sizeof more, "...(%zu bytes)", len);
		sbuf_adds(L, out, more);
	}
}

static bool is_identifier(const char *s, size_t len)
{
	static const char *const keywords[] = {
		"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
		"goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
		"true", "until", "while", NULL
	};
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
	}
	for (int i = 0; keywords[i]; i++)
		if (strlen(keywords[i]) == len && memcmp(keywords[i], s, len) == 0)
			return false;
	return true;
}

/* If the value has __pretty or __tostring, pushes its text and returns
 * true; errors in the metamethod propagate (the REPL reports them). */
static bool push_meta_text(lua_State *L, int idx)
{
	if (luaL_getmetafield(L, idx, "__pretty") != LUA_TNIL) {
		lua_pushvalue(L, idx);
		lua_call(L, 1, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "__pretty must return a string, got %s", luaL_typename(L, -1));
		return true;
	}
	if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) {
		lua_pop(L, 1);
		luaL_tolstring(L, idx, NULL);
		return true;
	}
	return false;
}

static void render(printer *P, sbuf *out, int idx, int depth, bool top, bool flat);

/* ---- tables ---------------------------------------------------------------- */

typedef struct key_entry {
	int type;
	double num;
	const char *str;
	size_t len;
	int slot;          /* index in the anchoring key list */
} key_entry;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Compares strings with digit runs as numbers: "key9" < "key10". */
static int natural_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;
	while (i < alen && j < blen) {
		if (is_digit(a[i]) && is_digit(b[j])) {
			while (i < alen && a[i] == '0')
				i++;
			while (j < blen && b[j] == '0')
				j++;
			size_t di = i, dj = j;
			while (di < alen && is_digit(a[di]))
				di++;
			while (dj < blen && is_digit(b[dj]))
				dj++;
			if (di - i != dj - j)
				return di - i < dj - j ? -1 : 1;
			int c = memcmp(a + i, b + j, di - i);
			if (c)
				return c;
			i = di;
			j = dj;
		} else {
			if (a[i] != b[j])
				return (unsigned char)a[i] < (unsigned char)b[j] ? -1 : 1;
			i++;
			j++;
		}
	}
	return (i < alen) - (j < blen);
}

static int key_compare(const void *a, const void *b)
{
	const key_entry *x = a, *y = b;
	/* numbers first, then strings, then the rest by type */
	static const int rank[LUA_NUMTYPES] = {
		[LUA_TNUMBER] = 0, [LUA_TSTRING] = 1, [LUA_TBOOLEAN] = 2, [LUA_TTABLE] = 3,
		[LUA_TFUNCTION] = 4, [LUA_TUSERDATA] = 5, [LUA_TLIGHTUSERDATA] = 5, [LUA_TTHREAD] = 6,
	};
	if (x->type != y->type)
		return rank[x->type] - rank[y->type];
	if (x->type == LUA_TNUMBER)
		return x->num < y->num ? -1 : x->num > y->num;
	if (x->type == LUA_TSTRING) {
		int c = natural_compare(x->str, x->len, y->str, y->len);
		if (c)
			return c;
		size_t n = x->len < y->len ? x->len : y->len;
		c = memcmp(x->str, y->str, n);
		return c ? c : (x->len > y->len) - (x->len < y->len);
	}
	if (x->type == LUA_TBOOLEAN)
		return (int)x->num - (int)y->num;
	return x->slot - y->slot;
}

/* Pushes a list anchoring keys and a userdata array of the smallest
 * non-sequence keys of t, sorted (all of them when there are at most
 * MAX_KEYS; else the first KEYS_SHOWN are all that print, so only the
 * smallest KEPT are kept: one pass over a table of millions of keys, not a
 * sort of them all); returns how many keys there are in all. A long pass
 * stops on Ctrl-C. */
static int sorted_keys(lua_State *L, int t, lua_Integer seq_len, key_entry **entries)
{
	enum { KEPT = MAX_KEYS + 1 };
	lua_newtable(L);
	int list = lua_gettop(L);
	key_entry *e = lua_newuserdatauv(L, sizeof *e * KEPT, 0);
	int kept = 0, nkeys = 0;
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		lua_pop(L, 1);
		if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= seq_len)
			continue;
		if ((++nkeys & 0xffff) == 0 && rl_interrupted())
			luaL_error(L, "interrupted");
		key_entry k = { .type = lua_type(L, -1) };
		if (k.type == LUA_TNUMBER)
			k.num = lua_tonumber(L, -1);
		else if (k.type == LUA_TSTRING)
			k.str = lua_tolstring(L, -1, &k.len);   /* anchored by t, and by list */
		else if (k.type == LUA_TBOOLEAN)
			k.num = lua_toboolean(L, -1);
		k.slot = kept < KEPT ? kept + 1 : e[KEPT - 1].slot;   /* the dropped one's slot */
		if (kept == KEPT && key_compare(&k, &e[KEPT - 1]) >= 0)
			continue;
		int lo = 0, hi = kept < KEPT ? kept : KEPT - 1;     /* where k goes */
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (key_compare(&k, &e[mid]) < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		int last = kept < KEPT ? kept : KEPT - 1;
		memmove(&e[lo + 1], &e[lo], sizeof *e * (size_t)(last - lo));
		e[lo] = k;
		if (kept < KEPT)
			kept++;
		lua_pushvalue(L, -1);
		lua_rawseti(L, list, k.slot);
	}
	*entries = e;
	return nkeys;
}

static void add_key(printer *P, sbuf *out, int list, const key_entry *k)
{
	lua_State *L = P->L;
	if (k->type == LUA_TSTRING && is_identifier(k->str, k->len)) {
		sbuf_add(L, out, k->str, k->len);
	} else {
		sbuf_add(L, out, "[", 1);
		lua_rawgeti(L, list, k->slot);
		render(P, out, lua_gettop(L), MAX_DEPTH, false, true);
		lua_pop(L, 1);
		sbuf_add(L, out, "]", 1);
	}
	sbuf_adds(L, out, " = ");
}

static lua_Integer sequence_length(lua_State *L, int t)
{
	lua_Integer n = 0;
	while (lua_rawgeti(L, t, n + 1) != LUA_TNIL) {
		lua_pop(L, 1);
		n++;
	}
	lua_pop(L, 1);
	return n;
}

/* Renders table t flat ({a, b, k = v}) into out, stopping at the budget. */
static void table_flat(printer *P, sbuf *out, int t, int depth, lua_Integer n,
                       int list, const key_entry *keys, int nkeys)
{
	lua_State *L = P->L;
	lua_Integer shown = n > MAX_LIST ? LIST_SHOWN : n;
	int keys_shown = nkeys > MAX_KEYS ? KEYS_SHOWN : nkeys;
	bool first = true;
	char more[64];
	sbuf_add(L, out, "{", 1);
	for (lua_Integer i = 1; i <= shown && !P->overflow; i++, first = false) {
		if (!first)
			sbuf_adds(L, out, ", ");
		lua_rawgeti(L, t, i);
		render(P, out, lua_gettop(L), depth + 1, false, true);
		lua_pop(L, 1);
	}
	if (shown < n) {
		snprintf(more, sizeof more, "%s... (%lld more)", first ? "" : ", ", (long long)(n - shown));
		sbuf_adds(L, out, more);
		first = false;
	}
	for (int i = 0; i < keys_shown && !P->overflow; i++, first = false) {
		if (!first)
			sbuf_adds(L, out, ", ");
		add_key(P, out, list, &keys[i]);
		lua_rawgeti(L, list, keys[i].slot);
		lua_rawget(L, t);
		render(P, out, lua_gettop(L), depth + 1, false, true);
		lua_pop(L, 1);
	}
	if (keys_shown < nkeys) {
		snprintf(more, sizeof more, "%s... (%d more keys)", first ? "" : ", ", nkeys - keys_shown);
		sbuf_adds(L, out, more);
	}
	sbuf_add(L, out, "}", 1);
	if (P->budget && out->len > P->budget)
		P->overflow = true;
}

/* Tries the flat form of the value at idx within the rest of the line:
 * appends it and returns true if it fits. */
static bool try_flat(printer *P, sbuf *out, int idx, int depth)
{
	size_t saved_budget = P->budget;
	size_t start = out->len;
	int room = P->width - sbuf_column(out);
	if (room < 8)
		room = 8;
	P->budget = start + (size_t)room;
	P->overflow = false;
	render(P, out, idx, depth, false, true);
	bool fits = !P->overflow && out->len <= P->budget;
	P->budget = saved_budget;
	P->overflow = false;
	if (!fits) {
		out->len = start;
		out->p[start] = '\0';
	}
	return fits;
}

/* Folded form: sequence items packed onto lines, one line per other key. */
static void table_block(printer *P, sbuf *out, int t, int depth, lua_Integer n,
                        int list, const key_entry *keys, int nkeys)
{
	lua_State *L = P->L;
	/* nested lines indent two more than the line the '{' is on */
	size_t line_start = out->len - (size_t)sbuf_column(out);
	int indent = 0;
	while (line_start + (size_t)indent < out->len && out->p[line_start + (size_t)indent] == ' ')
		indent++;
	int inner = indent + 2;
	lua_Integer shown = n > MAX_LIST ? LIST_SHOWN : n;
	int keys_shown = nkeys > MAX_KEYS ? KEYS_SHOWN : nkeys;
	char more[64];

	sbuf_add(L, out, "{", 1);
	bool line_open = false;        /* a packed line of items is in progress */
	for (lua_Integer i = 1; i <= shown; i++) {
		lua_rawgeti(L, t, i);
		int v = lua_gettop(L);
		/* render flat on its own to measure it */
		sbuf *tmp = sbuf_push(L);
		size_t saved_budget = P->budget;
		P->budget = (size_t)(P->width - inner > 8 ? P->width - inner : 8);
		P->overflow = false;
		render(P, tmp, v, depth + 1, false, true);
		bool flat_ok = !P->overflow;
		P->budget = saved_budget;
		P->overflow = false;
		if (flat_ok && line_open && sbuf_column(out) + 2 + (int)tmp->len <= P->width) {
			sbuf_adds(L, out, ", ");
			sbuf_add(L, out, tmp->p, tmp->len);
		} else {
			if (line_open)
				sbuf_add(L, out, ",", 1);
			sbuf_add(L, out, "\n", 1);
			sbuf_spaces(L, out, inner);
			if (flat_ok)
				sbuf_add(L, out, tmp->p, tmp->len);
			else
				render(P, out, v, depth + 1, false, false);
			line_open = true;
		}
		lua_pop(L, 2);
	}
	if (shown < n) {
		snprintf(more, sizeof more, "%s\n%*s... (%lld more)", line_open ? "," : "",
		         inner, "", (long long)(n - shown));
		sbuf_adds(L, out, more);
		line_open = true;
	}
	for (int i = 0; i < keys_shown; i++) {
		if (line_open)
			sbuf_add(L, out, ",", 1);
		sbuf_add(L, out, "\n", 1);
		sbuf_spaces(L, out, inner);
		add_key(P, out, list, &keys[i]);
		lua_rawgeti(L, list, keys[i].slot);
		lua_rawget(L, t);
		render(P, out, lua_gettop(L), depth + 1, false, false);
		lua_pop(L, 1);
		line_open = true;
	}
	if (keys_shown < nkeys) {
		snprintf(more, sizeof more, ",\n%*s... (%d more keys)", inner, "", nkeys - keys_shown);
		sbuf_adds(L, out, more);
	}
	sbuf_add(L, out, "\n", 1);
	sbuf_spaces(L, out, indent);
	sbuf_add(L, out, "}", 1);
}

static void render_table(printer *P, sbuf *out, int t, int depth, bool flat)
{
	lua_State *L = P->L;
	lua_pushvalue(L, t);
	if (lua_rawget(L, P->seen) != LUA_TNIL) {
		lua_pop(L, 1);
		sbuf_adds(L, out, "<cycle>");
		return;
	}
	lua_pop(L, 1);
	lua_Integer n = sequence_length(L, t);
	lua_pushnil(L);
	bool empty = lua_next(L, t) == 0;
	if (!empty)
		lua_pop(L, 2);
	if (empty) {
		sbuf_adds(L, out, "{}");
		return;
	}
	if (depth >= MAX_DEPTH) {
		sbuf_adds(L, out, "{...}");
		return;
	}
	if (!flat && try_flat(P, out, t, depth))
		return;
	lua_pushvalue(L, t);
	lua_pushboolean(L, 1);
	lua_rawset(L, P->seen);
	key_entry *keys;
	int top = lua_gettop(L);
	int nkeys = sorted_keys(L, t, n, &keys);
	int list = top + 1;
	if (flat)
		table_flat(P, out, t, depth, n, list, keys, nkeys);
	else
		table_block(P, out, t, depth, n, list, keys, nkeys);
	lua_settop(L, top);
	lua_pushvalue(L, t);
	lua_pushnil(L);
	lua_rawset(L, P->seen);
}

/* ---- any value ------------------------------------------------------------- */

static void render(printer *P, sbuf *out, int idx, int depth, bool top, bool flat)
{
	lua_State *L = P->L;
	size_t len;
	const char *s;
	if (P->overflow)
		return;
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		add_number(P, out, idx, top);
		break;
	case LUA_TSTRING:
		s = lua_tolstring(L, idx, &len);
		if (top)
			sbuf_add(L, out, s, len);
		else
			add_quoted(P, out, s, len);
		break;
	case LUA_TFUNCTION:
		shell_help_name_of(L, idx);
		if (lua_isstring(L, -1)) {
			sbuf_adds(L, out, "function: ");
			sbuf_adds(L, out, lua_tostring(L, -1));
		} else {
			sbuf_adds(L, out, luaL_tolstring(L, idx, NULL));
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		break;
	case LUA_TTABLE:
	case LUA_TUSERDATA:
		if (push_meta_text(L, idx)) {
			s = lua_tolstring(L, -1, &len);
			if (top || memchr(s, '\n', len) == NULL) {
				sbuf_add(L, out, s, len);
			} else {
				/* a multi-line report inside a table: name it only */
				int name_type = luaL_getmetafield(L, idx, "__name");
				if (name_type == LUA_TSTRING) {
					sbuf_adds(L, out, "<");
					sbuf_adds(L, out, lua_tostring(L, -1));
					sbuf_adds(L, out, ">");
				} else {
					sbuf_adds(L, out, "<object>");
				}
				if (name_type != LUA_TNIL)
					lua_pop(L, 1);
			}
			lua_pop(L, 1);
		} else if (lua_type(L, idx) == LUA_TTABLE) {
			render_table(P, out, idx, depth, flat);
		} else {
			sbuf_adds(L, out, luaL_tolstring(L, idx, NULL));
			lua_pop(L, 1);
		}
		break;
	default:
		sbuf_adds(L, out, luaL_tolstring(L, idx, NULL));
		lua_pop(L, 1);
	}
	if (P->budget && out->len > P->budget)
		P->overflow = true;
}

void shell_pretty(lua_State *L, int idx, int width, bool top)
{
	idx = lua_absindex(L, idx);
	luaL_checkstack(L, 2 * MAX_DEPTH + 20, "pretty printer");
	printer P = { .L = L, .width = width > 20 ? width : 20 };
	lua_newtable(L);
	P.seen = lua_gettop(L);
	sbuf *out = sbuf_push(L);
	render(&P, out, idx, 0, top, false);
	lua_pushlstring(L, out->p ? out->p : "", out->len);
	lua_replace(L, P.seen);
	lua_settop(L, P.seen);
}
