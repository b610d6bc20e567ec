/* rlua.c: helpers shared by every binding: argument and option checking
 * with messages that name what was wrong, engine errors, fresh seeds, the
 * boxes that own C objects handed to Lua, and the number format of report
 * cells; the aligned text tables that reports print as are rlua_table.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "rlua.h"
#include "relush/csv.h"
#include "relush/files.h"
#include "relush/probtext.h"

/* The name a value's metatable gives its type (its __name, read raw, so no
 * metamethod runs), or NULL: a string of printable characters only. */
static const char *type_name(lua_State *L, int idx)
{
	static char names[4][48];   /* a few per message: each call takes the next */
	static unsigned next;
	const char *found = NULL;
	if (!lua_checkstack(L, 2) || !lua_getmetatable(L, idx))
		return NULL;
	lua_pushliteral(L, "__name");
	if (lua_rawget(L, -2) == LUA_TSTRING) {
		size_t len;
		const char *name = lua_tolstring(L, -1, &len);
		int printable = len > 0 && len < sizeof names[0];
		for (size_t i = 0; printable && i < len; i++)
			printable = name[i] > ' ' && name[i] < 127;
		if (printable) {
			char *buf = names[next++ % 4];
			memcpy(buf, name, len + 1);
			found = buf;
		}
	}
	lua_pop(L, 2);
	return found;
}

const char *rlua_got(lua_State *L, int idx)
{
	static char said[4][80];
	static unsigned next;
	const char *name;
	switch (lua_type(L, idx)) {
	case LUA_TNONE:
	case LUA_TNIL: return "nil";
	case LUA_TBOOLEAN: return "a boolean";
	case LUA_TNUMBER: return "a number";
	case LUA_TSTRING: return "a string";
	case LUA_TFUNCTION: return "a function";
	case LUA_TTHREAD: return "a thread";
	case LUA_TTABLE:
		/* a report (relush.DeathReport) is named; any other table is
		 * "a table", also when its own __name says otherwise */
		name = type_name(L, idx);
		if (!name || strncmp(name, "relush.", 7) != 0)
			return "a table";
		break;
	default:
		/* a relush.Net where a Matrix was wanted, a FILE*, ... */
		name = type_name(L, idx);
		if (!name)
			return "a userdata";
		if (strncmp(name, "relush.", 7) != 0) {
			char *buf = said[next++ % 4];
			snprintf(buf, sizeof said[0], "a userdata (%s)", name);
			return buf;
		}
	}
	char *buf = said[next++ % 4];
	snprintf(buf, sizeof said[0], "a %s", name);
	return buf;
}

static void describe(lua_State *L, int idx, char *buf, size_t len)
{
	if (lua_type(L, idx) == LUA_TNUMBER && isnan(lua_tonumber(L, idx)))
		snprintf(buf, len, "nan");   /* not "-nan" */
	else if (lua_type(L, idx) == LUA_TNUMBER)
		snprintf(buf, len, "%.17g", lua_tonumber(L, idx));
	else if (lua_type(L, idx) == LUA_TSTRING)   /* a long one cut, and said to be */
		snprintf(buf, len, lua_rawlen(L, idx) > 40 ? "'%.40s...'" : "'%s'", lua_tostring(L, idx));
	else
		snprintf(buf, len, "%s", rlua_got(L, idx));
}

/* A file path argument: a string without NUL bytes. The C file functions
 * stop at the first NUL, so "a\0b.csv" would silently name the file "a". */
const char *rlua_nul_in_path(lua_State *L, int idx)
{
	size_t len;
	const char *path = lua_tolstring(L, idx, &len);
	if (!path || !memchr(path, '\0', len))
		return NULL;
	luaL_Buffer b;   /* the whole path, each NUL shown as \0 */
	luaL_buffinit(L, &b);
	luaL_addstring(&b, "the path holds a NUL byte, which no file name can hold; got '");
	for (size_t i = 0; i < len && i < 200; i++)
		if (path[i])
			luaL_addchar(&b, path[i]);
		else
			luaL_addstring(&b, "\\0");
	luaL_addstring(&b, len > 200 ? "...'" : "'");
	luaL_pushresult(&b);
	return lua_tostring(L, -1);
}

const char *rlua_check_path_like(lua_State *L, int arg, const char *example)
{
	/* a number is not taken for a name ({svg = 5} wrote a file "5") */
	if (lua_type(L, arg) != LUA_TSTRING)
		rlua_arg_error(L, arg, lua_pushfstring(L, "expected a file path (a string%s%s%s), got %s",
		                                       example ? " such as '" : "", example ? example : "",
		                                       example ? "'" : "", rlua_describe(L, arg)));
	const char *path = lua_tostring(L, arg);
	const char *nul = rlua_nul_in_path(L, arg);
	if (nul)
		rlua_arg_error(L, arg, nul);
	return path;
}

const char *rlua_check_path(lua_State *L, int arg)
{
	return rlua_check_path_like(L, arg, NULL);
}

/* The value at idx described for an error message (a number, a quoted
 * string, else its type), pushed; never calls a metamethod, so a hostile
 * __tostring or __name cannot raise in place of the message or run code. */
const char *rlua_describe(lua_State *L, int idx)
{
	char buf[64];
	describe(L, idx, buf, sizeof buf);
	return lua_pushstring(L, buf);
}

/* Checks the value at idx is an integer-valued finite number in range;
 * on failure fills msg and returns 0. */
static int integer_in_range(lua_State *L, int idx, const char *what, lua_Integer min,
                            lua_Integer max, lua_Integer *out, char *msg, size_t len)
{
	char got[64];
	int beyond = 0;
	describe(L, idx, got, sizeof got);
	if (lua_isinteger(L, idx)) {
		*out = lua_tointeger(L, idx);
	} else if (lua_type(L, idx) == LUA_TNUMBER) {
		double x = lua_tonumber(L, idx);
		if (!isfinite(x) || x != floor(x)) {
			snprintf(msg, len, "%s must be an integer, got %s", what, got);
			return 0;
		}
		/* integral but beyond any Lua integer: outside [-2^63, 2^63), which
		 * converts exactly (9.21e18, below 2^63, is an integer like any) */
		beyond = !(x >= -9223372036854775808.0 && x < 9223372036854775808.0);
		*out = beyond ? 0 : (lua_Integer)x;
	} else {
		snprintf(msg, len, "%s must be an integer, got %s", what, got);
		return 0;
	}
	if (beyond || *out < min || *out > max) {
		/* ">= min" alone would claim that 2^63 is accepted */
		if (max == LUA_MAXINTEGER && !beyond)
			snprintf(msg, len, "%s must be an integer >= %lld, got %s", what, (long long)min, got);
		else
			snprintf(msg, len, "%s must be an integer from %lld to %lld, got %s", what,
			         (long long)min, (long long)max, got);
		return 0;
	}
	return 1;
}

lua_Integer rlua_check_int(lua_State *L, int arg, const char *what, lua_Integer min, lua_Integer max)
{
	lua_Integer v;
	char msg[200];
	if (!integer_in_range(L, arg, what, min, max, &v, msg, sizeof msg))
		rlua_arg_error(L, arg, msg);
	return v;
}

double rlua_check_finite(lua_State *L, int arg, const char *what)
{
	char got[64];
	describe(L, arg, got, sizeof got);
	if (lua_type(L, arg) != LUA_TNUMBER || !isfinite(lua_tonumber(L, arg)))
		rlua_arg_error(L, arg, lua_pushfstring(L, "%s must be a finite number, got %s", what, got));
	return lua_tonumber(L, arg);
}

/* The running function's name in the API table ("net:train", "relu"),
 * or NULL; the string stays on the stack (kept by _names). */
static const char *running_api_name(lua_State *L)
{
	lua_Debug ar;
	if (!lua_getstack(L, 0, &ar))
		return NULL;
	lua_getinfo(L, "f", &ar);
	if (lua_getfield(L, LUA_REGISTRYINDEX, "relush.module") == LUA_TTABLE
	    && lua_getfield(L, -1, "_names") == LUA_TTABLE) {
		lua_pushvalue(L, -3);
		if (lua_rawget(L, -2) == LUA_TSTRING)
			return lua_tostring(L, -1);
	}
	return NULL;
}

/* Pushes the running function's name as lauxlib finds it in package.loaded
 * (api.c's name_table): "p:m" of type T as "T.m" (relush.Net.death), "a.b"
 * of the module as "relush.a.b", of the shell's globals as "a.b", and "a"
 * itself (relu, mc, view: callable tables, whose __call no table holds).
 * NULL when the function is not an API entry. */
static const char *running_full_name(lua_State *L)
{
	const char *api_name = running_api_name(L);
	if (!api_name)
		return NULL;
	const char *colon = strchr(api_name, ':'), *dot = strchr(api_name, '.');
	if (colon) {
		lua_getfield(L, -3, "_help");   /* the module, below _names */
		const char *type = lua_getfield(L, -1, api_name) == LUA_TTABLE
		                   && lua_getfield(L, -1, "type") == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		return type ? lua_pushfstring(L, "%s.%s", type, colon + 1) : NULL;
	}
	if (dot) {
		lua_pushlstring(L, api_name, (size_t)(dot - api_name));
		int in_module = lua_rawget(L, -4) == LUA_TTABLE;
		return lua_pushfstring(L, "%s%s", in_module ? "relush." : "", api_name);
	}
	return api_name;
}

void rlua_check_writable_option(lua_State *L, const char *fname, const char *field, const char *path)
{
	rl_err e;
	if (rl_check_writable(path, &e))
		rlua_option_error_to(L, fname, field, "%s", e.msg);
}

/* Pushes "relush.Net.__len" when the running function is a metamethod of
 * a relush type (called by hand: getmetatable(net).__len(5)), else NULL.
 * Only on the error path: it walks the registry's relush.* metatables. */
static const char *running_metamethod_name(lua_State *L)
{
	lua_Debug ar;
	if (!lua_getstack(L, 0, &ar))
		return NULL;
	lua_getinfo(L, "f", &ar);
	int fn = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, LUA_REGISTRYINDEX)) {
		if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TTABLE
		    && strncmp(lua_tostring(L, -2), "relush.", 7) == 0) {
			lua_pushnil(L);
			while (lua_next(L, -2)) {
				if (lua_type(L, -2) == LUA_TSTRING && lua_rawequal(L, -1, fn)
				    && strncmp(lua_tostring(L, -2), "__", 2) == 0)
					return lua_pushfstring(L, "%s.%s", lua_tostring(L, -4), lua_tostring(L, -2));
				lua_pop(L, 1);
			}
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);   /* the function */
	return NULL;
}

int rlua_arg_error(lua_State *L, int arg, const char *msg)
{
	lua_Debug ar;
	if (lua_getstack(L, 0, &ar) && (lua_getinfo(L, "n", &ar), !ar.name || strcmp(ar.name, "?") == 0
	                                || strncmp(ar.name, "__", 2) == 0)) {
		/* called through pcall, or as t[k](...): the call site gives no
		 * name (or '?'), so the name is the one lauxlib would find; a
		 * metamethod called by hand ('__len') is named with its type */
		const char *name = running_full_name(L);
		if (!name)
			name = running_metamethod_name(L);
		if (name)
			return luaL_error(L, "bad argument #%d to '%s' (%s)", arg, name, msg);
	}
	return luaL_argerror(L, arg, msg);
}

void *rlua_check_self(lua_State *L, const char *tname)
{
	int top = lua_gettop(L);
	int same = lua_getmetatable(L, 1) && luaL_getmetatable(L, tname) == LUA_TTABLE && lua_rawequal(L, -1, -2);
	lua_settop(L, top);
	if (!same)
		rlua_arg_error(L, 1, lua_pushfstring(L, "expected a %s, got %s", tname, rlua_got(L, 1)));
	return lua_touserdata(L, 1);
}

void rlua_check_options_table(lua_State *L, int arg)
{
	if (lua_type(L, arg) != LUA_TTABLE)
		rlua_arg_error(L, arg, lua_pushfstring(L, "expected a table of options, got %s", rlua_got(L, arg)));
}

int rlua_terminal_escapes(int fd)
{
	const char *term = getenv("TERM");
	return isatty(fd) && term != NULL && term[0] != '\0' && strcmp(term, "dumb") != 0;
}

int rlua_colour(int fd)
{
	const char *no_colour = getenv("NO_COLOR");
	return rlua_terminal_escapes(fd) && (no_colour == NULL || no_colour[0] == '\0');
}

const char *rlua_short_name(lua_State *L, const char *name)
{
	if (strlen(name) <= 60)
		return name;
	lua_pushlstring(L, name, 40);
	lua_pushliteral(L, "...");
	lua_concat(L, 2);
	return lua_tostring(L, -1);
}

/* room for an engine error's whole sentence (rl_err) and words around it */
#define OPTION_MSG_MAX (sizeof ((rl_err *)0)->msg + 100)

int rlua_option_error_to(lua_State *L, const char *fname, const char *field, const char *fmt, ...)
{
	char msg[OPTION_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	field = rlua_short_name(L, field);   /* a name of a megabyte is no message */
	if (fname) {
		/* named for a Lua function of relush's own (Sweep:plot) that
		 * called this check: the position is its caller's, the user's */
		luaL_where(L, 2);
		lua_pushfstring(L, "bad option '%s' to '%s' (%s)", field, fname, msg);
		lua_concat(L, 2);
		return lua_error(L);
	}
	lua_Debug ar;
	if (lua_getstack(L, 0, &ar)) {
		/* the function as the API table names it ("net:train",
		 * "inputs.gaussian"), else as the call site does ("train") */
		lua_getinfo(L, "n", &ar);
		const char *api_name = running_api_name(L);
		if (api_name || ar.name)
			return luaL_error(L, "bad option '%s' to '%s' (%s)", field, api_name ? api_name : ar.name, msg);
	}
	/* called through pcall or a table field Lua cannot name: no "to '?'" */
	return luaL_error(L, "bad option '%s' (%s)", field, msg);
}

int rlua_option_error(lua_State *L, const char *field, const char *fmt, ...)
{
	char msg[OPTION_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return rlua_option_error_to(L, NULL, field, "%s", msg);
}

lua_Integer rlua_opt_int_field(lua_State *L, int t, const char *field, lua_Integer def,
                               lua_Integer min, lua_Integer max)
{
	lua_Integer v = def;
	char msg[200];
	if (lua_getfield(L, t, field) != LUA_TNIL &&
	    !integer_in_range(L, -1, field, min, max, &v, msg, sizeof msg))
		rlua_option_error(L, field, "%s", msg);
	lua_pop(L, 1);
	return v;
}

double rlua_opt_number_field(lua_State *L, int t, const char *field, double def)
{
	double v = def;
	int type = lua_getfield(L, t, field);
	if (type != LUA_TNIL) {
		if (type != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1))) {
			char got[64];
			describe(L, -1, got, sizeof got);
			rlua_option_error(L, field, "must be a finite number, got %s", got);
		}
		v = lua_tonumber(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

int rlua_opt_bool_field(lua_State *L, int t, const char *field, int def)
{
	int v = def, type = lua_getfield(L, t, field);
	if (type != LUA_TNIL) {
		if (type != LUA_TBOOLEAN)
			rlua_option_error(L, field, "must be true or false, got %s", rlua_got(L, -1));
		v = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

lua_Integer rlua_len(lua_State *L, int idx, const char *what)
{
	idx = lua_absindex(L, idx);
	if (!luaL_getmetafield(L, idx, "__len"))
		return lua_istable(L, idx) ? (lua_Integer)lua_rawlen(L, idx) : luaL_len(L, idx);
	lua_pop(L, 1);
	lua_Integer n = luaL_len(L, idx);
	if (!lua_istable(L, idx)) {
		if (n < 0 || n > ((lua_Integer)1 << 31))
			luaL_error(L, "the length of %s is %I, which is not the length of a list (its __len "
			           "metamethod must give a count between 0 and 2^31)", what, n);
		return n;
	}
	lua_Integer raw = (lua_Integer)lua_rawlen(L, idx);
	if (n == raw)
		return n;
	/* a __len that disagrees with the table's own items must be backed by
	 * t[n]; else the items held are what counts */
	int held = n > 0 && n <= ((lua_Integer)1 << 31);
	if (held) {
		held = lua_geti(L, idx, n) != LUA_TNIL;
		lua_pop(L, 1);
	}
	return held ? n : raw;
}

/* Widths live in a userdata so they are freed by the GC if an error
 * escapes before the caller takes them over. */
size_t *rlua_check_widths(lua_State *L, int arg, const char *what, size_t *count)
{
	arg = lua_absindex(L, arg);
	if (lua_type(L, arg) != LUA_TTABLE)
		rlua_arg_error(L, arg, lua_pushfstring(L, "%s must be a list of widths (integers >= 1), got a %s",
		                                      what, rlua_got(L, arg)));
	lua_Integer n = rlua_len(L, arg, what);   /* 0: depth 0, the empty product */
	if ((lua_Unsigned)n > NET_MAX_DEPTH)
		rlua_arg_error(L, arg, lua_pushfstring(L, "%s lists %I widths, more than the limit %d", what, n, (int)NET_MAX_DEPTH));
	size_t *w = lua_newuserdatauv(L, (n ? (size_t)n : 1) * sizeof *w, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		char name[64], msg[200];
		lua_Integer v;
		snprintf(name, sizeof name, "%s[%lld]", what, (long long)i);
		lua_geti(L, arg, i);
		if (!integer_in_range(L, -1, name, 1, NET_MAX_WIDTH, &v, msg, sizeof msg))
			rlua_arg_error(L, arg, msg);
		lua_pop(L, 1);
		w[i - 1] = (size_t)v;
	}
	*count = (size_t)n;
	return w;
}

#define RLUA_BOX "relush.Box"

void rlua_box_free(rlua_box *b)
{
	if (b && b->p) {
		void *p = b->p;
		b->p = NULL;   /* before destroy: a box is never freed twice */
		b->destroy(p);
	}
}

/* A box's __gc and __close: frees the object of the box of tname at 1. */
static int box_gc_of(lua_State *L, const char *tname)
{
	/* checked: a metatable's __gc can be called from Lua on anything */
	rlua_box_free(rlua_check_self(L, tname));
	return 0;
}

static int box_gc(lua_State *L) { return box_gc_of(L, RLUA_BOX); }

/* A typed box's __gc and __close: the type name is the closure's upvalue. */
static int typed_box_gc(lua_State *L)
{
	return box_gc_of(L, lua_tostring(L, lua_upvalueindex(1)));
}

/* A report's __tostring, checking its self first: called by hand on
 * another value (getmetatable(r).__tostring(5)) it names itself and what
 * it got, as methods do, instead of lauxlib's "table expected". Upvalues:
 * the type name and the real __tostring. */
static int checked_tostring(lua_State *L)
{
	/* a table given this __tostring by a metatable of its own (a copy of
	 * the report's, made by the user) is printed as before */
	int given = luaL_getmetafield(L, 1, "__tostring") != LUA_TNIL;
	lua_Debug ar;
	if (given && lua_getstack(L, 0, &ar)) {
		lua_getinfo(L, "f", &ar);
		given = lua_rawequal(L, -1, -2);
		lua_pop(L, 2);
	} else if (given)
		lua_pop(L, 1);
	if (!given)
		rlua_check_self(L, lua_tostring(L, lua_upvalueindex(1)));
	lua_pushvalue(L, lua_upvalueindex(2));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

void rlua_new_metatable(lua_State *L, const char *tname, const luaL_Reg *meta, const luaL_Reg *methods)
{
	luaL_newmetatable(L, tname);
	if (meta)
		luaL_setfuncs(L, meta, 0);
	if (lua_getfield(L, -1, "__tostring") == LUA_TFUNCTION) {
		lua_pushstring(L, tname);
		lua_insert(L, -2);
		lua_pushcclosure(L, checked_tostring, 2);
		lua_setfield(L, -2, "__tostring");
	} else
		lua_pop(L, 1);
	if (methods) {
		lua_newtable(L);
		luaL_setfuncs(L, methods, 0);
		/* also package.loaded[tname], unless taken: an argument error of
		 * a method called without a name of its own (pcall(list.csv, 5))
		 * is then named 'tname.method' by lauxlib, not '?' */
		luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
		if (lua_getfield(L, -1, tname) == LUA_TNIL) {
			lua_pushvalue(L, -3);
			lua_setfield(L, -3, tname);
		}
		lua_pop(L, 2);
		lua_setfield(L, -2, "__index");
	}
	lua_pop(L, 1);
}

void rlua_add_method(lua_State *L, const char *tname, const char *name, const char *who)
{
	luaL_getmetatable(L, tname);
	if (lua_getfield(L, -1, "__index") != LUA_TTABLE)
		luaL_error(L, "%s: open %s's binding first", who, tname);
	lua_rotate(L, -3, -1);   /* value, mt, index -> mt, index, value */
	lua_setfield(L, -2, name);
	lua_pop(L, 2);
}

void rlua_new_box_type(lua_State *L, const char *tname, const luaL_Reg *meta)
{
	luaL_newmetatable(L, tname);
	if (meta)
		luaL_setfuncs(L, meta, 0);
	lua_pushstring(L, tname);
	lua_pushcclosure(L, typed_box_gc, 1);
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, "__gc");
	lua_setfield(L, -2, "__close");
	lua_pop(L, 1);
}

void rlua_new_report_type(lua_State *L, const char *tname, lua_CFunction tostring)
{
	const luaL_Reg meta[] = {{"__tostring", tostring}, {NULL, NULL}};
	rlua_new_metatable(L, tname, meta, NULL);
}

void rlua_weak_keys_table(lua_State *L, const char *key)
{
	lua_newtable(L);
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_setfield(L, LUA_REGISTRYINDEX, key);
}

rlua_box *rlua_box_push(lua_State *L, const char *tname, void (*destroy)(void *p))
{
	/* empty before anything that can raise: an error leaves nothing to free */
	rlua_box *b = lua_newuserdatauv(L, sizeof *b, 1);
	b->p = NULL;
	b->destroy = destroy;
	if (tname)
		luaL_setmetatable(L, tname);
	else {
		/* made on first use and registered only when whole: a memory error
		 * half way must not leave a metatable without __gc for later boxes */
		if (luaL_getmetatable(L, RLUA_BOX) == LUA_TNIL) {
			lua_pop(L, 1);
			static const luaL_Reg box_meta[] = {{"__gc", box_gc}, {NULL, NULL}};
			lua_createtable(L, 0, 2);
			luaL_setfuncs(L, box_meta, 0);
			lua_pushliteral(L, RLUA_BOX);
			lua_setfield(L, -2, "__name");
			lua_pushvalue(L, -1);
			lua_setfield(L, LUA_REGISTRYINDEX, RLUA_BOX);
		}
		lua_setmetatable(L, -2);
	}
	return b;
}

void *rlua_box_new(lua_State *L, const char *tname, size_t size, void (*destroy)(void *p))
{
	rlua_box *b = rlua_box_push(L, tname, destroy);
	if (!(b->p = calloc(1, size)))
		luaL_error(L, "not enough memory");
	return b->p;
}

rlua_box *rlua_box_test(lua_State *L, int idx, const char *tname)
{
	return luaL_testudata(L, idx, tname);
}

rlua_box *rlua_check_box(lua_State *L, int arg, const char *tname, const char *expected, const char *the)
{
	rlua_box *b = luaL_testudata(L, arg, tname);
	if (!b)
		rlua_arg_error(L, arg, lua_pushfstring(L, "expected %s, got %s", expected, rlua_got(L, arg)));
	if (!b->p)
		rlua_arg_error(L, arg, lua_pushfstring(L, "%s has been closed (by <close> or __gc)", the));
	return b;
}

static void csv_free(void *c)
{
	csv_discard(c);
	free(c);
}

rl_csv *rlua_push_csv(lua_State *L)
{
	return rlua_box_new(L, NULL, sizeof(rl_csv), csv_free);
}

void rlua_csv_cell(lua_State *L, rl_csv *c, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			/* every digit: a seed past 2^53 has no double */
			char buf[32];
			snprintf(buf, sizeof buf, "%lld", (long long)lua_tointeger(L, idx));
			csv_text(c, buf, "");
		} else {
			csv_number(c, lua_tonumber(L, idx));
		}
		break;
	case LUA_TNIL:
		csv_number(c, NAN);
		break;
	default:
		csv_text(c, luaL_tolstring(L, idx, NULL), "");
		lua_pop(L, 1);
	}
}

int rlua_box_push_string(lua_State *L, rlua_box *b)
{
	lua_pushstring(L, b->p);   /* may raise: the box still owns the text */
	rlua_box_free(b);
	return 1;
}

/* Named as the API writes the function ("relu.load", "net:train"): the
 * name the call site gives ("load") is ambiguous, and through pcall there
 * is none. */
int rlua_engine_error(lua_State *L, const rl_err *e)
{
	lua_Debug ar;
	const char *api = running_api_name(L);
	if (api)
		return luaL_error(L, "%s: %s", api, e->msg);
	if (lua_getstack(L, 0, &ar) && (lua_getinfo(L, "n", &ar), ar.name))
		return luaL_error(L, "%s: %s", ar.name, e->msg);
	return luaL_error(L, "%s", e->msg);
}

int rlua_return_receiver(lua_State *L, int failed, const rl_err *e)
{
	if (failed)
		return rlua_engine_error(L, e);
	lua_settop(L, 1);
	return 1;
}

int rlua_seed_from_env(void)
{
	const char *env = getenv("RELUSH_SEED");
	return env && *env;
}

uint64_t rlua_fresh_seed(lua_State *L)
{
	static uint64_t state;
	if (!state) {
		const char *env = getenv("RELUSH_SEED");
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		state = env && *env ? strtoull(env, NULL, 0) ^ 0x9E3779B97F4A7C15ull
		                    : ((uint64_t)ts.tv_sec * 1000000007ull) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	}
	(void)L;
	/* splitmix64: distinct, well-mixed seeds from a counter */
	uint64_t z = (state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (z ^ (z >> 31)) & 0x7FFFFFFFFFFFFFFFull;   /* fits a Lua integer */
}

void rlua_set_number(lua_State *L, const char *field, double v) { lua_pushnumber(L, v); lua_setfield(L, -2, field); }
void rlua_set_integer(lua_State *L, const char *field, lua_Integer v) { lua_pushinteger(L, v); lua_setfield(L, -2, field); }
void rlua_set_bool(lua_State *L, const char *field, int v) { lua_pushboolean(L, v); lua_setfield(L, -2, field); }
void rlua_set_string(lua_State *L, const char *field, const char *v) { lua_pushstring(L, v); lua_setfield(L, -2, field); }

void rlua_set_optional(lua_State *L, const char *field, double v)
{
	if (!isnan(v))
		rlua_set_number(L, field, v);
}

void rlua_fmt_number(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "nan");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "inf" : "-inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) < 1e-4 || fabs(v) >= 1e9)
		snprintf(buf, len, "%.4e", v);
	else
		snprintf(buf, len, "%.6g", v);
}

void rlua_fmt_prob(char *buf, size_t len, double v, double gap)
{
	rlua_fmt_number(buf, len, v);
	prob_text_fix(buf, len, v, gap, RLUA_PROB_DIGITS);
}
