/* help.c: the global help() and the name lookups behind it. Every text
 * comes from the API table (rlua_api entries, src/lua/api.c) through the
 * module's registries: _help (name -> {topic=, signature=, summary=,
 * example=}), the same table that feeds completion and the man-page test;
 * _names (function -> its entry, so a method is named "net:death" without
 * guessing) and _types (a metatable's __name -> its methods' variable). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "lua/rlua.h"
#include "shell/shell.h"

#define MODULE_KEY "relush.shell.module"

static const char *const topic_order[] = {
	"construction", "net", "inputs", "matrix", "reports", "bounds", "mc",
	"view", "plot", "shell", NULL
};

/* ---- registry access ------------------------------------------------------ */

static void push_module(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, MODULE_KEY);
}

/* Pushes module._help (an empty table when the module has none). */
static void push_registry(lua_State *L)
{
	push_module(L);
	if (lua_istable(L, -1)) {
		if (lua_getfield(L, -1, "_help") == LUA_TTABLE) {
			lua_remove(L, -2);
			return;
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	lua_newtable(L);
}

static const char *entry_field(lua_State *L, int entry, const char *field)
{
	lua_getfield(L, entry, field);
	const char *s = lua_tostring(L, -1);
	lua_pop(L, 1);              /* the entry table keeps the string alive */
	return s ? s : "";
}

/* Pushes the string keys of the table at t (a registry's names, a
 * table's fields), sorted, as a list; with methods_only only those of
 * functions whose names do not start with '_' (a type's methods, not its
 * metamethods). */
static void push_sorted_keys(lua_State *L, int t, bool methods_only)
{
	t = lua_absindex(L, t);
	int n = 0;
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		bool take = lua_type(L, -2) == LUA_TSTRING
		            && (!methods_only || (lua_isfunction(L, -1) && lua_tostring(L, -2)[0] != '_'));
		lua_pop(L, 1);
		if (take) {
			lua_pushvalue(L, -1);
			lua_rawseti(L, -3, ++n);
		}
	}
	lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getfield(L, -1, "table");
	lua_getfield(L, -1, "sort");
	lua_pushvalue(L, -4);
	lua_call(L, 1, 0);
	lua_pop(L, 2);
}

/* Where a registry name's last part starts: after its last '.' or ':'. */
static const char *last_part(const char *name)
{
	const char *p = name + strlen(name);
	while (p > name && p[-1] != '.' && p[-1] != ':')
		p--;
	return p;
}

/* ---- types and their methods ------------------------------------------------ */

/* Pushes the method table of the metatable at mt: its __index when that is
 * a table, else its __methods (types whose __index is a function keep
 * their methods there), else returns false and pushes nothing. */
static bool push_metatable_methods(lua_State *L, int mt)
{
	mt = lua_absindex(L, mt);
	if (lua_getfield(L, mt, "__index") == LUA_TTABLE)
		return true;
	lua_pop(L, 1);
	if (lua_getfield(L, mt, "__methods") == LUA_TTABLE)
		return true;
	lua_pop(L, 1);
	return false;
}

bool shell_push_methods(lua_State *L, int idx)
{
	if (!lua_getmetatable(L, idx))
		return false;
	if (push_metatable_methods(L, -1)) {
		lua_remove(L, -2);
		return true;
	}
	lua_pop(L, 1);
	return false;
}

/* Pushes module[registry][the value at key] (the API table's registries:
 * _names maps a function to its entry, _types a metatable name to the
 * variable its methods are written with), or nil. */
static void push_from_module(lua_State *L, const char *registry, int key)
{
	key = lua_absindex(L, key);
	int top = lua_gettop(L);
	push_module(L);
	if (lua_istable(L, -1) && lua_getfield(L, -1, registry) == LUA_TTABLE) {
		lua_pushvalue(L, key);
		lua_rawget(L, -2);
	} else {
		lua_pushnil(L);
	}
	lua_replace(L, top + 1);
	lua_settop(L, top + 1);
}

/* Searches table t (and, when deep, the tables in it) for the value at
 * target; pushes "k" or "k.k2" and returns true when found. */
static bool push_name_in(lua_State *L, int t, int target, bool deep, bool skip_private)
{
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		if (lua_type(L, -2) == LUA_TSTRING
		    && !(skip_private && lua_tostring(L, -2)[0] == '_')
		    && lua_rawequal(L, -1, target)) {
			lua_pop(L, 1);
			return true;
		}
		lua_pop(L, 1);
	}
	if (!deep)
		return false;
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1)
		    && !(skip_private && lua_tostring(L, -2)[0] == '_')
		    && strcmp(lua_tostring(L, -2), "_G") != 0
		    && !lua_rawequal(L, -1, t)) {
			if (push_name_in(L, lua_gettop(L), target, false, false)) {
				lua_pushfstring(L, "%s.%s", lua_tostring(L, -3), lua_tostring(L, -1));
				lua_replace(L, -4);
				lua_pop(L, 2);
				return true;
			}
		}
		lua_pop(L, 1);
	}
	return false;
}

void shell_help_name_of(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	int top = lua_gettop(L);
	luaL_checkstack(L, 12, "help");
	push_module(L);
	int module = lua_gettop(L);
	bool found = false;
	if (lua_istable(L, module))
		found = push_name_in(L, module, idx, true, true);
	if (!found && lua_isfunction(L, idx)) {
		push_from_module(L, "_names", idx);   /* a method: its entry says which */
		found = !lua_isnil(L, -1);
		if (!found)
			lua_pop(L, 1);
	}
	if (!found) {
		lua_pushglobaltable(L);
		found = push_name_in(L, lua_gettop(L), idx, true, false);
		if (found)
			lua_remove(L, -2);
		else
			lua_pop(L, 1);
	}
	if (!found)
		lua_pushnil(L);
	lua_replace(L, top + 1);
	lua_settop(L, top + 1);
}

/* ---- output -------------------------------------------------------------------- */

/* Where help writes: stdout, or the pager while help() pages. */
static FILE *help_out;

static void out(const char *s) { fputs(s, help_out); }

static void out_styled(const char *style, const char *s)
{
	if (shell_colour)
		out(style);
	out(s);
	if (shell_colour)
		out(SHELL_RESET);
}

/* Writes text wrapped at width, each line indented by indent spaces. */
static void out_wrapped(const char *text, int indent, int width)
{
	int room = width - indent > 30 ? width - indent : 30;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *line_end = p, *q = p;
		while (*q && *q != '\n') {
			const char *w = q;
			while (*w && *w != ' ' && *w != '\n')
				w++;
			if (w - p > room && line_end > p)
				break;
			line_end = w;
			q = w;
			while (*q == ' ')
				q++;
		}
		fprintf(help_out, "%*s%.*s\n", indent, "", (int)(line_end - p), p);
		p = line_end;
		if (*p == '\n')
			p++;
	}
}

/* Whether the word ending at s[n] (a '.') is an abbreviation whose period
 * does not end a sentence: single letters joined by periods ("e.g.",
 * "i.e."; not a file name such as "theory.md.") or one of the usual short
 * ones. */
static bool abbreviation(const char *s, int n)
{
	static const char *const words[] = {"etc", "vs", "cf", "al", "approx", "resp", "Fig", "Eq", "no"};
	int start = n;
	while (start > 0 && s[start - 1] != ' ' && s[start - 1] != '(')
		start--;
	bool letters = n - start >= 3;       /* "e.g": letter, period, letter, ... */
	for (int i = start; i < n && letters; i++)
		letters = (i - start) % 2 == 0 ? isalpha((unsigned char)s[i]) != 0 : s[i] == '.';
	if (letters && (n - start) % 2 == 1)
		return true;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if ((int)strlen(words[i]) == n - start && strncmp(s + start, words[i], (size_t)(n - start)) == 0)
			return true;
	return false;
}

/* The length of a summary's first sentence: up to the first period that
 * is followed by a space or the end, outside parentheses and not after an
 * abbreviation ("(e.g. \"--quick\")" does not end one). */
static int first_sentence_len(const char *summary)
{
	int n = 0, depth = 0;
	for (; summary[n] && summary[n] != '\n'; n++) {
		char c = summary[n];
		if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (c == '.' && depth == 0 && (summary[n + 1] == ' ' || summary[n + 1] == '\0')
		         && !abbreviation(summary, n))
			return n + 1;
	}
	return n;
}

/* The first sentence of a summary from column col, wrapped at width with
 * continuation lines indented to col: never cut, whatever the width. */
static void out_first_sentence(const char *summary, int col, int width)
{
	int n = first_sentence_len(summary);
	int indent = col, at = col;
	for (int i = 0; i < n;) {
		while (i < n && summary[i] == ' ')
			i++;
		int w = i;
		while (w < n && summary[w] != ' ')
			w++;
		if (w == i)
			break;
		if (at > indent && at + 1 + (w - i) > width) {
			fprintf(help_out, "\n%*s", indent, "");
			at = indent;
		} else if (at > indent) {
			out(" ");
			at++;
		}
		fprintf(help_out, "%.*s", w - i, summary + i);
		at += w - i;
		i = w;
	}
}

/* One line per entry: signature, then the summary's first sentence. */
static void out_entry_line(lua_State *L, int entry, int width)
{
	const char *sig = entry_field(L, entry, "signature");
	/* the descriptions' column, when it leaves them room; in a narrow
	 * terminal (40 columns) they go under their signatures */
	int sig_col = width - 34 >= 36 ? 34 : 6;
	out("  ");
	out_styled(SHELL_BOLD, sig);
	int used = 2 + (int)strlen(sig);
	if (used < sig_col) {
		fprintf(help_out, "%*s", sig_col - used, "");
		used = sig_col;
	} else {
		out("\n");
		fprintf(help_out, "%*s", sig_col, "");
		used = sig_col;
	}
	out_first_sentence(entry_field(L, entry, "summary"), used, width - 1);
	out("\n");
}

/* Appends a, b and c to text (of size cap, used bytes so far), cut when full. */
static void append(char *text, size_t cap, size_t *used, const char *a, const char *b, const char *c)
{
	int n = snprintf(text + *used, cap - *used, "%s%s%s", a, b ? b : "?", c);
	if (n > 0)
		*used = *used + (size_t)n < cap ? *used + (size_t)n : cap - 1;
}

/* "Values:" of a table-taking function's options, from the option
 * registry (module._options[fn][option]), the lists its parser checks. */
static void out_option_values(lua_State *L, const char *name, int width)
{
	int top = lua_gettop(L);
	push_module(L);
	if (!lua_istable(L, -1) || lua_getfield(L, -1, "_options") != LUA_TTABLE
	    || lua_getfield(L, -1, name) != LUA_TTABLE) {
		lua_settop(L, top);
		return;
	}
	int opts = lua_gettop(L);
	char text[2048] = "Values: ";
	size_t used = strlen(text);
	bool any = false;
	for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, opts); i++) {
		lua_rawgeti(L, opts, i);                    /* the option's name */
		if (lua_type(L, -1) == LUA_TSTRING) {
			lua_pushvalue(L, -1);
			if (lua_rawget(L, opts) == LUA_TTABLE) {
				int values = lua_gettop(L);
				append(text, sizeof text, &used, any ? "; " : "", lua_tostring(L, values - 1), " = ");
				for (lua_Integer k = 1; k <= (lua_Integer)lua_rawlen(L, values); k++) {
					lua_rawgeti(L, values, k);
					append(text, sizeof text, &used, k > 1 ? " | \"" : "\"", lua_tostring(L, -1), "\"");
					lua_pop(L, 1);
				}
				any = true;
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	append(text, sizeof text, &used, ".", "", "");
	if (any)
		out_wrapped(text, 2, width);
	lua_settop(L, top);
}

static void out_entry(lua_State *L, const char *name, int entry, int width)
{
	const char *sig = entry_field(L, entry, "signature");
	const char *topic = entry_field(L, entry, "topic");
	const char *example = entry_field(L, entry, "example");
	out_styled(SHELL_BOLD, *sig ? sig : name);
	if (*topic) {
		out("    ");
		out_styled(SHELL_DIM, "[");
		out_styled(SHELL_DIM, topic);
		out_styled(SHELL_DIM, "]");
	}
	out("\n");
	out_wrapped(entry_field(L, entry, "summary"), 2, width);
	out_option_values(L, name, width);
	if (*example) {
		out("  Example:  ");
		out_styled(SHELL_GREEN, example);
		out("\n");
	}
}

/* ---- the listings ------------------------------------------------------------- */

static int topic_rank(const char *topic)
{
	for (int i = 0; topic_order[i]; i++)
		if (strcmp(topic, topic_order[i]) == 0)
			return i;
	return 100;
}

/* Lists the entries of one topic (or all, topic NULL) by topic. */
static void list_topics(lua_State *L, int reg, const char *only_topic, int width)
{
	push_sorted_keys(L, reg, false);
	int names = lua_gettop(L);
	lua_Integer n = (lua_Integer)lua_rawlen(L, names);
	/* topics in their preferred order, the others alphabetically after */
	lua_newtable(L);
	int topics = lua_gettop(L);
	int ntopics = 0;
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, names, i);
		lua_gettable(L, reg);
		const char *topic = lua_istable(L, -1) ? entry_field(L, lua_gettop(L), "topic") : "";
		lua_pushstring(L, *topic ? topic : "other");
		lua_pushvalue(L, -1);
		if (lua_rawget(L, topics) == LUA_TNIL) {
			lua_pop(L, 1);
			lua_pushvalue(L, -1);
			lua_pushboolean(L, 1);
			lua_rawset(L, topics);
			lua_rawseti(L, topics, ++ntopics);
		} else {
			lua_pop(L, 2);
		}
		lua_pop(L, 1);
	}
	/* sort topics: by rank, then name (insertion sort, a handful of them) */
	for (int i = 2; i <= ntopics; i++) {
		for (int j = i; j > 1; j--) {
			lua_rawgeti(L, topics, j - 1);
			lua_rawgeti(L, topics, j);
			const char *a = lua_tostring(L, -2), *b = lua_tostring(L, -1);
			int ra = topic_rank(a), rb = topic_rank(b);
			bool swap = ra > rb || (ra == rb && strcmp(a, b) > 0);
			if (swap) {
				lua_rawseti(L, topics, j - 1);
				lua_rawseti(L, topics, j);
			} else {
				lua_pop(L, 2);
				break;
			}
		}
	}
	for (int t = 1; t <= ntopics; t++) {
		lua_rawgeti(L, topics, t);
		const char *topic = lua_tostring(L, -1);
		if (only_topic == NULL || strcmp(only_topic, topic) == 0) {
			out_styled(SHELL_YELLOW, topic);
			out("\n");
			for (lua_Integer i = 1; i <= n; i++) {
				lua_rawgeti(L, names, i);
				lua_gettable(L, reg);
				if (lua_istable(L, -1)) {
					const char *et = entry_field(L, lua_gettop(L), "topic");
					if (strcmp(*et ? et : "other", topic) == 0)
						out_entry_line(L, lua_gettop(L), width);
				}
				lua_pop(L, 1);
			}
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

static bool topic_exists(lua_State *L, int reg, const char *topic)
{
	bool found = false;
	lua_pushnil(L);
	while (!found && lua_next(L, reg) != 0) {
		if (lua_istable(L, -1) && strcmp(entry_field(L, lua_gettop(L), "topic"), topic) == 0)
			found = true;
		lua_pop(L, 1);
	}
	if (found)
		lua_pop(L, 1);
	return found;
}

static void help_overview(lua_State *L, int reg, int width)
{
	/* prose wraps at the width as the entries do (40 columns included) */
	out_wrapped("relush: explore neuron death in deep ReLU networks. help(x) explains one entry, "
	            "e.g. help(relu), help \"death\", help(net); help \"topic\" lists one topic.", 0, width);
	out("\n");
	list_topics(L, reg, NULL, width);
	out("\n");
	char *guides = NULL;
	size_t len = 0;
	FILE *list = open_memstream(&guides, &len);
	if (list != NULL) {
		fputs("Guides to the theory: ", list);
		shell_guide_list(list);
		fputs(".", list);
	}
	if (list != NULL && fclose(list) == 0 && guides != NULL) {
		out_wrapped(guides, 0, width);
	} else {
		out("Guides to the theory: ");
		shell_guide_list(help_out);
		out(".\n");
	}
	free(guides);
	out("\n");
	out_wrapped("In the shell: Tab completes names, methods and options; :time toggles timing; "
	            "Ctrl-C stops the command; Ctrl-D leaves. See relush(1).", 0, width);
}

/* help(): the overview through the pager. */
static void page_overview(lua_State *L, int reg, int width)
{
	help_out = shell_pager_open();
	help_overview(L, reg, width);
	shell_pager_close(help_out);
	help_out = stdout;
}

static bool string_matches(const char *name, const char *query, bool whole_last_part)
{
	if (whole_last_part)
		return strcmp(last_part(name), query) == 0;
	size_t qn = strlen(query);
	for (const char *p = name; *p; p++)
		if (strncasecmp(p, query, qn) == 0)
			return true;
	return false;
}

static void help_string(lua_State *L, int reg, const char *query, int width)
{
	if (query[strspn(query, " \t\r\n")] == '\0') {   /* help "": as help() */
		page_overview(L, reg, width);
		return;
	}
	/* A word can be both a guide and an entry (help "paper": the paper's
	 * claims, and the paper() function that runs its scripts): both. */
	bool guide = shell_guide(query, help_out, width, out_wrapped);
	if (lua_getfield(L, reg, query) == LUA_TTABLE) {
		if (guide)
			fputc('\n', help_out);
		out_entry(L, query, lua_gettop(L), width);
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	if (guide)
		return;
	if (topic_exists(L, reg, query)) {
		list_topics(L, reg, query, width);
		return;
	}
	push_sorted_keys(L, reg, false);
	int names = lua_gettop(L);
	lua_Integer n = (lua_Integer)lua_rawlen(L, names);
	for (int pass = 0; pass < 2; pass++) {
		int count = 0;
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, names, i);
			count += string_matches(lua_tostring(L, -1), query, pass == 0);
			lua_pop(L, 1);
		}
		if (count == 0)
			continue;
		bool full = pass == 0 || count == 1;
		if (!full)
			fprintf(help_out, "%d entries match \"%s\":\n", count, query);
		bool first = true;
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, names, i);
			const char *name = lua_tostring(L, -1);
			if (string_matches(name, query, pass == 0)) {
				lua_gettable(L, reg);
				if (full) {
					if (!first)
						out("\n");
					out_entry(L, name, lua_gettop(L), width);
				} else {
					out_entry_line(L, lua_gettop(L), width);
				}
				first = false;
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	const char *near = shell_suggest(L, query, 't');
	/* the query echoed on one line, a long one cut */
	int shown = (int)strcspn(query, "\r\n");
	const char *cut = shown > 60 || query[shown] ? "..." : "";
	shown = shown > 60 ? 60 : shown;
	if (near)
		fprintf(help_out, "No help entry matches \"%.*s%s\"; did you mean \"%s\"? help() lists every "
		        "entry by topic.\n", shown, query, cut, near);
	else
		fprintf(help_out, "No help entry matches \"%.*s%s\". help() lists every entry by topic.\n",
		        shown, query, cut);
}

/* help(obj): the methods of its type, and for a table its fields. */
static void help_object(lua_State *L, int reg, int obj, int width)
{
	const char *type_name = NULL;
	if (luaL_getmetafield(L, obj, "__name") != LUA_TNIL)
		type_name = lua_tostring(L, -1);
	else
		lua_pushnil(L);
	int name_slot = lua_gettop(L);
	bool said = false;
	if (shell_push_methods(L, obj)) {
		int methods = lua_gettop(L);
		lua_pushstring(L, type_name ? type_name : "");
		push_from_module(L, "_types", -1);
		lua_remove(L, -2);
		const char *prefix = lua_tostring(L, -1);
		fprintf(help_out, "%s%s methods", type_name ? type_name : "object", type_name ? "" : "");
		if (prefix)
			fprintf(help_out, " (help \"%s:name\" for one):\n", prefix);
		else
			out(":\n");
		push_sorted_keys(L, methods, true);
		int sorted = lua_gettop(L);
		int n = (int)lua_rawlen(L, sorted);
		for (int i = 1; i <= n; i++) {
			lua_rawgeti(L, sorted, i);
			const char *m = lua_tostring(L, -1);
			if (prefix && (lua_pushfstring(L, "%s:%s", prefix, m), lua_gettable(L, reg)) == LUA_TTABLE) {
				out_entry_line(L, lua_gettop(L), width);
			} else {
				if (!prefix)
					lua_pushnil(L);
				fprintf(help_out, "  %s:%s    (no help entry)\n", prefix ? prefix : "obj", m);
			}
			lua_pop(L, 2);
		}
		lua_settop(L, name_slot);
		said = n > 0;
	}
	if (lua_istable(L, obj)) {
		push_sorted_keys(L, obj, false);
		int fields = (int)lua_rawlen(L, -1);
		if (fields > 0) {
			fprintf(help_out, "%s fields:", type_name ? type_name : "table");
			int col = (int)strlen(type_name ? type_name : "table") + 8;
			for (int i = 1; i <= fields; i++) {
				lua_rawgeti(L, -1, i);
				size_t len;
				const char *f = lua_tolstring(L, -1, &len);
				if (col + (int)len + 1 > width) {
					out("\n ");
					col = 1;
				}
				fprintf(help_out, " %s", f);
				col += (int)len + 1;
				lua_pop(L, 1);
			}
			out("\n");
			said = true;
		}
		lua_pop(L, 1);
	}
	if (!said)
		fprintf(help_out, "No help for this %s. help() lists the API.\n", type_name ? type_name : luaL_typename(L, obj));
	lua_settop(L, name_slot - 1);
}

/* help(t) for a table of the API named name: its entry (callable tables:
 * mc, view) in full, then the entries under it ("view.snapshot") one a
 * line; or the topic of that name (plot); or the entries under it
 * (inputs, bound). False when the registry knows nothing of it. */
static bool help_api_table(lua_State *L, int reg, const char *name, int width)
{
	int top = lua_gettop(L);
	bool own = lua_getfield(L, reg, name) == LUA_TTABLE;
	if (own)
		out_entry(L, name, lua_gettop(L), width);
	lua_settop(L, top);
	lua_pushfstring(L, "%s.", name);
	if (!own && topic_exists(L, reg, name)) {
		/* plot: its functions in full (plot.lines), then the whole topic */
		const char *prefix = lua_tostring(L, -1);
		push_sorted_keys(L, reg, false);
		int names = lua_gettop(L);
		for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, names); i++) {
			lua_rawgeti(L, names, i);
			const char *entry = lua_tostring(L, -1);
			if (strncmp(entry, prefix, strlen(prefix)) == 0 && lua_gettable(L, reg) == LUA_TTABLE) {
				out_entry(L, entry, lua_gettop(L), width);
				out("\n");
			}
			lua_pop(L, 1);
		}
		list_topics(L, reg, name, width);
		lua_settop(L, top);
		return true;
	}
	const char *prefix = lua_tostring(L, -1);
	size_t plen = strlen(prefix);
	push_sorted_keys(L, reg, false);
	int names = lua_gettop(L);
	int under = 0;
	for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, names); i++) {
		lua_rawgeti(L, names, i);
		if (strncmp(lua_tostring(L, -1), prefix, plen) == 0) {
			if (under++ == 0 && own)
				out("\nAlso:\n");
			else if (under == 1)
				fprintf(help_out, "%s:\n", name);
			lua_gettable(L, reg);
			out_entry_line(L, lua_gettop(L), width);
		}
		lua_pop(L, 1);
	}
	lua_settop(L, top);
	return own || under > 0;
}

static int help(lua_State *L)
{
	int width = shell_term_width();
	bool given = lua_gettop(L) > 0;
	lua_settop(L, 1);
	push_registry(L);
	int reg = 2;
	fflush(stdout);
	help_out = stdout;
	switch (lua_type(L, 1)) {
	case LUA_TNIL:
		if (given) {
			out_wrapped("help(nil): the value given is nil, perhaps a misspelled or unset name. "
			            "help() lists the API; help \"word\" searches it.", 0, width);
			break;
		}
		page_overview(L, reg, width);
		break;
	case LUA_TSTRING:
		help_string(L, reg, lua_tostring(L, 1), width);
		break;
	case LUA_TFUNCTION:
		shell_help_name_of(L, 1);
		if (lua_isnil(L, -1)) {
			out("No help for this function: it is not part of the relush API.\n");
		} else if (lua_pushvalue(L, -1), lua_gettable(L, reg) == LUA_TTABLE) {
			out_entry(L, lua_tostring(L, -2), lua_gettop(L), width);
		} else if (lua_iscfunction(L, 1)) {
			fprintf(help_out, "'%s' is a standard Lua function: see the Lua 5.4 reference manual.\n",
			       lua_tostring(L, -2));
		} else {
			fprintf(help_out, "No help for '%s': it is not part of the relush API.\n", lua_tostring(L, -2));
		}
		break;
	case LUA_TTABLE:
	case LUA_TUSERDATA:
		/* the module itself (help(relush), ?relush): the whole API */
		lua_getfield(L, LUA_REGISTRYINDEX, MODULE_KEY);
		if (lua_rawequal(L, 1, -1)) {
			lua_pop(L, 1);
			page_overview(L, reg, width);
			break;
		}
		lua_pop(L, 1);
		/* a table of the API (mc, view, plot, inputs, bound): its own
		 * entry in full when it has one, with the entries under it */
		shell_help_name_of(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING && lua_istable(L, 1)) {
			const char *name = lua_tostring(L, -1);
			if (help_api_table(L, reg, name, width))
				break;
		}
		lua_settop(L, 2);
		help_object(L, reg, 1, width);
		break;
	default:
		fprintf(help_out, "No help for a %s value. help() lists the API; help(relu) explains a function.\n",
		       luaL_typename(L, 1));
	}
	fflush(stdout);
	return 0;
}

static const rlua_api shell_api[] = {
	{ "help", "shell", "help([topic | function | object])",
	  "Explains the API. help() lists every entry by topic; help(f) shows the signature, "
	  "an explanation and an example for an API function; help \"word\" finds entries by "
	  "name, method or topic (help \"death\"); help(obj) lists the methods of a net, "
	  "matrix or report. Guides explain the theory with one-liners to try: help \"alive\", "
	  "\"dead\", \"arch\", \"residual\", \"batchnorm\", \"flip\" and \"paper\" (each claim of "
	  "the paper). ?relu and relu? are shortcuts for help(relu); a name that matches nothing "
	  "gets \"did you mean\". help() goes through $PAGER (less) at a terminal.",
	  "help(relu)", .fn = help },
	{ "mc.shard", "mc", "mc.shard = {i, N} | false",
	  "The shard mc runs when a call gives none: relush --shard i/N sets it to {i, N}; false "
	  "(the default) runs every trial. A call's own shard option wins.",
	  "mc.shard = {1, 2}; print(mc{depth=4, width=3, trials=100, seed=1}.trials); mc.shard = false",
	  .fn = NULL },
	{0}
};

void shell_open_help(lua_State *L, int module)
{
	module = lua_absindex(L, module);
	lua_pushvalue(L, module);
	lua_setfield(L, LUA_REGISTRYINDEX, MODULE_KEY);
	lua_pushglobaltable(L);
	rlua_api_register(L, module, -1, shell_api);   /* the global help */
	lua_pop(L, 1);
	shell_open_guides(L, module);
}
