/* complete.c: Tab completion for the REPL. What is completed depends on
 * where the cursor is: file names inside a string; option names (from
 * module._options, the API table's option lists) at a key position inside
 * the options table of a function: relu{...}, mc{...}, also as a later
 * argument (inputs.gaussian(64, 2, {...}), net:train(X, y, {...})); after
 * "expr:" the methods of expr's type (its metatable's __index table);
 * after "expr." the fields of a table; else Lua keywords and globals.
 * Inside a string that is an option's value (relu{arch="res) the values
 * the option accepts (module._options[fn][option]); other strings complete
 * file names, absolute, relative or from ~/ (expanded to $HOME).
 * Functions complete with "(" appended. Expressions are resolved by name
 * lookups only (raw fields, integer indices and __index tables), never by
 * calling a function or a metamethod.
 * Tab right after "f(" shows f's signature from the help registry. */
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include <lauxlib.h>
#include "shell/shell.h"

static lua_State *completion_state;

static const char *const lua_keywords[] = {
	"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
	"goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
	"true", "until", "while", NULL
};

/* Characters that end a word for completion: '.', ':', '[' and ']' are kept
 * inside so "inputs.ga", "net:de" and "r.layers[1].su" arrive whole. */
static char word_breaks[] = " \t\n\"'\\`@$><=;|&{(,+-*/%^#~)}";

/* ---- candidates ----------------------------------------------------------- */

typedef struct candidates {
	char **items;
	size_t n, cap;
} candidates;

static candidates found;
/* While find_completions runs: the stack index of a set of the candidates
 * so far (a table with millions of keys must not cost a scan per key). */
static int seen_index;

static void add_candidate(const char *prefix, const char *name, size_t name_len, const char *suffix)
{
	/* the candidate as a Lua string first: raising "not enough memory"
	 * here leaks nothing (find_completions runs protected) */
	lua_State *L = completion_state;
	lua_pushstring(L, prefix);
	lua_pushlstring(L, name, name_len);
	lua_pushstring(L, suffix);
	lua_concat(L, 3);
	lua_pushvalue(L, -1);
	if (lua_rawget(L, seen_index) != LUA_TNIL) {
		lua_pop(L, 2);
		return;
	}
	lua_pop(L, 1);
	lua_pushvalue(L, -1);
	lua_pushboolean(L, 1);
	lua_rawset(L, seen_index);
	if (found.n == found.cap) {
		size_t cap = found.cap ? 2 * found.cap : 64;
		char **items = realloc(found.items, cap * sizeof *items);
		if (items == NULL) {
			lua_pop(L, 1);
			return;
		}
		found.items = items;
		found.cap = cap;
	}
	size_t n;
	const char *text = lua_tolstring(L, -1, &n);
	char *s = malloc(n + 1);
	if (s != NULL) {
		memcpy(s, text, n + 1);
		found.items[found.n++] = s;
	}
	lua_pop(L, 1);
}

static void clear_candidates(void)
{
	for (size_t i = 0; i < found.n; i++)
		free(found.items[i]);
	found.n = 0;
}

static char *next_candidate(const char *text, int state)
{
	static size_t next;
	(void)text;
	if (state == 0)
		next = 0;
	if (next < found.n) {
		char *s = found.items[next];
		found.items[next++] = NULL;
		return s;
	}
	clear_candidates();
	return NULL;
}

static bool is_ident_char(char c)
{
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_identifier(const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_ident_char(s[i]))
			return false;
	return true;
}

/* Adds the string keys of table t that start with partial; with
 * methods_only, only those holding functions. Follows __index tables. */
static void add_table_keys(lua_State *L, int t, const char *prefix, const char *partial,
                           bool methods_only, int depth)
{
	size_t plen = strlen(partial);
	t = lua_absindex(L, t);
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		size_t klen;
		const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &klen) : NULL;
		bool fn = lua_isfunction(L, -1) || (lua_istable(L, -1) && luaL_getmetafield(L, -1, "__call") != LUA_TNIL
		                                     && (lua_pop(L, 1), true));
		if (k && is_identifier(k, klen) && strncmp(k, partial, plen) == 0
		    && (!methods_only || fn) && !(plen == 0 && k[0] == '_'))
			add_candidate(prefix, k, klen, fn ? "(" : "");
		lua_pop(L, 1);
	}
	if (depth < 4 && lua_getmetatable(L, t)) {
		if (lua_getfield(L, -1, "__index") == LUA_TTABLE)
			add_table_keys(L, -1, prefix, partial, methods_only, depth + 1);
		lua_pop(L, 2);
	}
}

/* Looks key (on top) up in the value below it: a raw get in a table, then
 * the metatable's __index while it is a table, never a function or any
 * other metamethod. Replaces both with the value found (nil: unknown). */
static void index_plainly(lua_State *L)
{
	int found_type = LUA_TNIL;
	for (int hops = 0; hops < 5; hops++) {
		if (lua_istable(L, -2)) {
			lua_pushvalue(L, -1);
			found_type = lua_rawget(L, -3);
			if (found_type != LUA_TNIL)
				break;
			lua_pop(L, 1);
		}
		if (!lua_getmetatable(L, -2))
			break;
		if (lua_getfield(L, -1, "__index") != LUA_TTABLE) {
			lua_pop(L, 2);
			break;
		}
		lua_remove(L, -2);          /* the metatable */
		lua_replace(L, -3);         /* __index replaces the object */
	}
	if (found_type == LUA_TNIL) {
		lua_pop(L, 2);
		lua_pushnil(L);
		return;
	}
	lua_replace(L, -3);
	lua_pop(L, 1);
}

/* Pushes the value named by expr, a plain index chain ("a", "a.b",
 * "r.layers[1]", "a.b:c" without the last part), by index_plainly alone:
 * nothing is called, so completion never runs code. nil when unknown. */
static void push_path(lua_State *L, const char *expr, size_t len)
{
	lua_pushglobaltable(L);
	shell_index_chain(L, expr, len);
}

void shell_index_chain(lua_State *L, const char *expr, size_t len)
{
	size_t i = 0;
	while (i < len && !lua_isnil(L, -1)) {
		if (expr[i] == '[') {                  /* [integer] */
			size_t j = i + 1;
			lua_Integer k = 0;
			while (j < len && expr[j] >= '0' && expr[j] <= '9' && k < (lua_Integer)1 << 48)
				k = 10 * k + (expr[j++] - '0');
			if (j == i + 1 || j >= len || expr[j] != ']')
				break;
			lua_pushinteger(L, k);
			index_plainly(L);
			i = j + 1;
			continue;
		}
		if (i > 0 || expr[0] == '.' || expr[0] == ':') {
			if (expr[i] != '.' && expr[i] != ':')
				break;
			i++;
		}
		size_t j = i;
		while (j < len && is_ident_char(expr[j]))
			j++;
		if (!is_identifier(expr + i, j - i))
			break;
		lua_pushlstring(L, expr + i, j - i);
		index_plainly(L);
		i = j;
	}
	if (i < len) {                             /* not a plain chain */
		lua_pop(L, 1);
		lua_pushnil(L);
	}
}

/* ---- contexts ---------------------------------------------------------------- */

/* The index of the innermost bracket ('{', '(' or '[') still open before
 * end (strings skipped), or -1 when there is none or a comment starts. */
static int open_bracket_before(const char *line, int end)
{
	int stack[128];
	int depth = 0;
	for (int i = 0; i < end; i++) {
		char c = line[i];
		if (c == '"' || c == '\'') {
			for (i++; i < end && line[i] != c; i++)
				if (line[i] == '\\')
					i++;
		} else if (c == '-' && i + 1 < end && line[i + 1] == '-') {
			return -1;
		} else if (c == '{' || c == '(' || c == '[') {
			if (depth < 128)
				stack[depth] = i;
			depth++;
		} else if (c == '}' || c == ')' || c == ']') {
			if (depth > 0)
				depth--;
		}
	}
	if (depth == 0 || depth > 128)
		return -1;
	return stack[depth - 1];
}

/* The index of the innermost '{' still open before end, or -1 when the
 * innermost open bracket is not '{'. */
static int open_brace_before(const char *line, int end)
{
	int at = open_bracket_before(line, end);
	return at >= 0 && line[at] == '{' ? at : -1;
}

/* Pushes the function (or callable table) expr names, found without
 * calling anything: a plain index chain, or "obj:method" through the
 * method table of obj's type. Returns false (nothing pushed) otherwise. */
static bool push_function_value(lua_State *L, const char *expr, size_t len)
{
	const char *colon = memchr(expr, ':', len);
	if (colon) {
		push_path(L, expr, (size_t)(colon - expr));
		if (lua_isnil(L, -1) || !shell_push_methods(L, -1)) {
			lua_pop(L, 1);
			return false;
		}
		lua_pushlstring(L, colon + 1, len - (size_t)(colon + 1 - expr));
		lua_rawget(L, -2);
		lua_replace(L, -3);
		lua_pop(L, 1);
	} else {
		push_path(L, expr, len);
	}
	if (lua_isfunction(L, -1) || lua_istable(L, -1))
		return true;
	lua_pop(L, 1);
	return false;
}

/* The first index of the name (relu, inputs.gaussian, net:train) whose
 * last character is line[e]; -1 when no name ends there. */
static int name_start(const char *line, int e)
{
	int b = e;
	while (b >= 0 && (is_ident_char(line[b]) || line[b] == '.' || line[b] == ':'))
		b--;
	return b < e ? b + 1 : -1;
}

/* The API name of the function whose option table opens at brace: the
 * table is its only argument (relu{, mc({) or a later one
 * (inputs.gaussian(64, 2, {, net:train(X, y, {); the function is found
 * without calling anything and named by the API table ("inputs.gaussian",
 * "net:train"), else by its last part as written. Pushes the name, or
 * returns false and pushes nothing. */
static bool push_function_before(lua_State *L, const char *line, int brace)
{
	int e = brace - 1;
	while (e >= 0 && line[e] == ' ')
		e--;
	if (e >= 0 && line[e] == ',') {
		e = open_bracket_before(line, brace);
		if (e < 0 || line[e] != '(')
			return false;
		e--;
	} else if (e >= 0 && line[e] == '(') {
		e--;
	}
	while (e >= 0 && line[e] == ' ')
		e--;
	int b = name_start(line, e);
	if (b < 0)
		return false;
	if (push_function_value(L, line + b, (size_t)(e - b + 1))) {
		shell_help_name_of(L, -1);
		lua_remove(L, -2);
		if (lua_type(L, -1) == LUA_TSTRING)
			return true;
		lua_pop(L, 1);
	}
	int last = e;
	while (last >= b && line[last] != '.' && line[last] != ':')
		last--;
	lua_pushlstring(L, line + last + 1, (size_t)(e - last));
	return true;
}

/* Pushes module._options[fn] for the function name on top (replacing it);
 * returns false (nothing pushed) when the function has no option list. */
static bool push_option_list(lua_State *L)
{
	int name = lua_gettop(L);
	lua_getfield(L, LUA_REGISTRYINDEX, "relush.shell.module");
	if (lua_istable(L, -1) && lua_getfield(L, -1, "_options") == LUA_TTABLE) {
		lua_pushvalue(L, name);
		if (lua_gettable(L, -2) == LUA_TTABLE) {
			lua_replace(L, name);
			lua_settop(L, name);
			return true;
		}
	}
	lua_settop(L, name - 1);
	return false;
}

/* Adds the strings of the list at idx that start with text, with suffix. */
static void add_list(lua_State *L, int idx, const char *text, const char *suffix)
{
	size_t plen = strlen(text);
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, idx, i);
		size_t len;
		const char *s = lua_tolstring(L, -1, &len);
		if (s && strncmp(s, text, plen) == 0)
			add_candidate("", s, len, suffix);
		lua_pop(L, 1);
	}
}

/* Inside a function's options table at a key position: its option names. */
static bool complete_options(lua_State *L, const char *text, int start)
{
	const char *line = rl_line_buffer;
	int k = start - 1;
	while (k >= 0 && (line[k] == ' ' || line[k] == '\t'))
		k--;
	if (k < 0 || (line[k] != '{' && line[k] != ','))
		return false;
	int brace = open_brace_before(line, start);
	if (brace < 0 || !push_function_before(L, line, brace) || !push_option_list(L))
		return false;
	add_list(L, lua_gettop(L), text, "=");
	return true;             /* the caller resets the stack */
}

/* The identifier that ends just before position end (spaces skipped);
 * its start in *begin, or -1 when there is none. */
static int identifier_before(const char *line, int end, int *begin)
{
	int e = end - 1;
	while (e >= 0 && line[e] == ' ')
		e--;
	int b = e;
	while (b >= 0 && is_ident_char(line[b]))
		b--;
	*begin = b + 1;
	return e >= *begin ? e - *begin + 1 : -1;
}

/* Inside a string that is the value of an option: relu{arch="res,
 * mc{method=", mc{stats=", and the law of weights={law=" or bias={law=":
 * adds the option's accepted values from module._options[fn][option]. */
static bool complete_option_value(lua_State *L, const char *text, int start)
{
	const char *line = rl_line_buffer;
	int q = start - 1;                      /* the opening quote */
	if (q < 0 || (line[q] != '"' && line[q] != '\''))
		return false;
	int e = q - 1;
	while (e >= 0 && line[e] == ' ')
		e--;
	if (e < 0 || line[e] != '=')
		return false;
	int key_at, key_len = identifier_before(line, e, &key_at);
	if (key_len <= 0)
		return false;
	int brace = open_brace_before(line, key_at);
	if (brace < 0)
		return false;
	/* a nested table: {law=...} as the value of weights= or bias= */
	int outer_at = -1, outer_len = 0;
	int before = brace - 1;
	while (before >= 0 && line[before] == ' ')
		before--;
	if (before >= 0 && line[before] == '=') {
		outer_len = identifier_before(line, before, &outer_at);
		if (outer_len <= 0)
			return false;
		brace = open_brace_before(line, outer_at);
		if (brace < 0)
			return false;
	}
	if (!push_function_before(L, line, brace) || !push_option_list(L))
		return false;
	int list = lua_gettop(L);
	if (outer_len > 0 && key_len == 3 && strncmp(line + key_at, "law", 3) == 0)
		lua_pushlstring(L, line + outer_at, (size_t)outer_len);
	else if (outer_len > 0)
		return false;
	else
		lua_pushlstring(L, line + key_at, (size_t)key_len);
	if (lua_rawget(L, list) != LUA_TTABLE)
		return false;
	add_list(L, lua_gettop(L), text, "");
	return true;             /* the caller resets the stack */
}

/* "f(" then Tab: print f's signature under the line. */
static bool show_signature(lua_State *L, int start)
{
	const char *line = rl_line_buffer;
	int e = start - 1;
	while (e >= 0 && line[e] == ' ')
		e--;
	if (e < 0 || line[e] != '(')
		return false;
	e--;
	int b = name_start(line, e);
	if (b < 0)
		return false;
	push_path(L, line + b, (size_t)(e - b + 1));
	bool shown = false;
	if (lua_isfunction(L, -1) || lua_istable(L, -1)) {   /* tables: callable ones (mc) */
		shell_help_name_of(L, -1);
		lua_getfield(L, LUA_REGISTRYINDEX, "relush.shell.module");
		if (lua_isstring(L, -2) && lua_istable(L, -1)
		    && lua_getfield(L, -1, "_help") == LUA_TTABLE
		    && (lua_pushvalue(L, -3), lua_gettable(L, -2)) == LUA_TTABLE
		    && lua_getfield(L, -1, "signature") == LUA_TSTRING) {
			rl_crlf();
			printf("%s\n", lua_tostring(L, -1));
			fflush(stdout);
			rl_on_new_line();
			shown = true;
		}
	}
	return shown;            /* the caller resets the stack */
}

static void complete_expression(lua_State *L, const char *text)
{
	size_t len = strlen(text);
	size_t cut = len;
	while (cut > 0 && text[cut - 1] != '.' && text[cut - 1] != ':')
		cut--;
	const char *partial = text + cut;
	if (cut == 0) {
		for (int i = 0; lua_keywords[i]; i++)
			if (strncmp(lua_keywords[i], partial, len) == 0)
				add_candidate("", lua_keywords[i], strlen(lua_keywords[i]), "");
		lua_pushglobaltable(L);
		add_table_keys(L, -1, "", partial, false, 0);
		lua_pop(L, 1);
		return;
	}
	if (cut == 1)       /* "(s).", "f():": nothing plain before the '.' */
		return;
	char sep = text[cut - 1];
	char *prefix = malloc(cut + 1);
	if (prefix == NULL)
		return;
	memcpy(prefix, text, cut);
	prefix[cut] = '\0';
	push_path(L, text, cut - 1);
	if (lua_istable(L, -1))        /* own fields (and __index tables) */
		add_table_keys(L, -1, prefix, partial, sep == ':', 0);
	if (sep == ':' && shell_push_methods(L, -1)) {   /* the type's methods */
		add_table_keys(L, -1, prefix, partial, true, 0);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	free(prefix);
}

static int in_string_quote(int start)
{
	char quote = 0;
	for (int i = 0; i < start; i++) {
		char c = rl_line_buffer[i];
		if (quote) {
			if (c == '\\')
				i++;
			else if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		}
	}
	return quote;
}

/* What completion found, computed under lua_pcall (looking names up may
 * allocate, and an allocation may fail): candidates in found, or file
 * names wanted, or nothing (a signature was shown). */
enum completion_kind { COMPLETE_CANDIDATES, COMPLETE_FILES, COMPLETE_NOTHING };

typedef struct completion_request {
	const char *text;
	int start;
	enum completion_kind kind;
} completion_request;

static int find_completions(lua_State *L)
{
	completion_request *rq = lua_touserdata(L, 1);
	lua_newtable(L);
	seen_index = lua_gettop(L);
	int top = lua_gettop(L);
	rq->kind = COMPLETE_CANDIDATES;
	if (rl_completion_quote_character || in_string_quote(rq->start)) {
		if (!complete_option_value(L, rq->text, rq->start))
			rq->kind = COMPLETE_FILES;
		return 0;
	}
	if (complete_options(L, rq->text, rq->start))
		return 0;
	lua_settop(L, top);
	if (rq->text[0] == '\0' && show_signature(L, rq->start)) {
		rq->kind = COMPLETE_NOTHING;
		return 0;
	}
	lua_settop(L, top);
	complete_expression(L, rq->text);
	return 0;
}

static char **attempt_completion(const char *text, int start, int end)
{
	lua_State *L = completion_state;
	(void)end;
	rl_completion_append_character = '\0';
	rl_attempted_completion_over = 1;
	clear_candidates();
	completion_request rq = { text, start, COMPLETE_NOTHING };
	int top = lua_gettop(L);
	lua_pushcfunction(L, find_completions);
	lua_pushlightuserdata(L, &rq);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK)
		rq.kind = COMPLETE_NOTHING;          /* out of memory: no completion */
	lua_settop(L, top);
	if (rq.kind == COMPLETE_FILES) {
		rl_filename_completion_desired = 1;
		if (text[0] == '~' && strchr(text, '/') == NULL)   /* "~us": user names, as bash */
			return rl_completion_matches(text, rl_username_completion_function);
		return rl_completion_matches(text, rl_filename_completion_function);
	}
	if (rq.kind == COMPLETE_NOTHING || found.n == 0)
		return NULL;
	return rl_completion_matches(text, next_candidate);
}

/* Lists matches by their last part only ("gaussian(" for "inputs.gaussian("). */
static void display_matches(char **matches, int num, int max_length)
{
	if (rl_filename_completion_desired) {
		rl_display_match_list(matches, num, max_length);
		rl_forced_update_display();
		return;
	}
	char **shown = calloc((size_t)num + 2, sizeof *shown);
	if (shown == NULL) {
		rl_display_match_list(matches, num, max_length);
		return;
	}
	int longest = 0;
	for (int i = 0; i <= num; i++) {
		const char *m = matches[i];
		const char *p = m + strlen(m);
		while (p > m && p[-1] != '.' && p[-1] != ':')
			p--;
		shown[i] = (char *)p;
		int n = (int)strlen(p);
		if (i > 0 && n > longest)
			longest = n;
	}
	rl_display_match_list(shown, num, longest);
	free(shown);
	rl_forced_update_display();
}

/* Inside a string only the quote and white space end the word: a file
 * name keeps its '/' and '~' ("/tmp/fr", "~/data"). */
static char *word_breaks_here(void)
{
	static char in_string[] = " \t\n\"'";
	return in_string_quote(rl_point) ? in_string : word_breaks;
}

void shell_complete_init(lua_State *L)
{
	completion_state = L;
	rl_attempted_completion_function = attempt_completion;
	rl_completer_word_break_characters = word_breaks;
	rl_completion_word_break_hook = word_breaks_here;
	/* "~/da" completes to "$HOME/data...": Lua's io.open and the API's
	 * loaders take file names literally and would not expand "~" */
	rl_variable_bind("expand-tilde", "on");
	rl_completer_quote_characters = "\"'";
	rl_completion_display_matches_hook = display_matches;
}
