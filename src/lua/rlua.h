/* rlua.h: shared conventions of the Lua bindings. Each Lua-visible type or
 * module has its own file, described by one rlua_binding: its types, its
 * API table (rlua_api entries: functions, help texts, options) and what
 * else it sets up; luaopen_relush opens every file's part from one list.
 * Errors at the Lua boundary always name the function, the argument and
 * what is accepted. */
#ifndef RELUSH_RLUA_H
#define RELUSH_RLUA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include <lauxlib.h>
#include "relush/err.h"
#include "relush/mat.h"
#include "relush/net.h"
#include "relush/death.h"

/* Userdata and table type names (luaL_newmetatable keys). */
#define RLUA_NET     "relush.Net"
#define RLUA_MATRIX  "relush.Matrix"
#define RLUA_DEATH   "relush.DeathReport"
#define RLUA_MC_RESULT  "relush.McResult"
/* The chunk name of relush's own Lua code (mc.sweep, demo, merge): where
 * Ctrl-C stopped a command is told in the user's code, never in these. */
#define RLUA_OWN_CHUNK_PREFIX "=relush:"
#define RLUA_OWN_CHUNK(what) RLUA_OWN_CHUNK_PREFIX what

/* ---- the API table (api.c) ------------------------------------------------
 * Every Lua-visible function is described by ONE rlua_api entry, as tmux
 * describes a command by one cmd_entry: its name, its C function, its help
 * texts and its options. rlua_api_register reads the entries and does
 * everything else: it puts the function where its name says, fills the
 * help registry that help(), completion and the man-page test read, and
 * records the options (names, accepted values) for completion, "did you
 * mean" and help's "Values:". A function's parser checks its options with
 * rlua_check_options against the same list, and may let rlua_read_options
 * parse the ones that carry a kind and a place in a C struct. */

typedef enum rlua_option_kind {
	RLUA_OPT_CUSTOM = 0,  /* read by the function's own code */
	RLUA_OPT_INT,         /* an integer in [min, max], default def */
	RLUA_OPT_BOOL,        /* a boolean, default def */
	RLUA_OPT_NAME,        /* one of values, stored as its index; default def */
	RLUA_OPT_INCLUDE      /* not an option: every option of the list include */
} rlua_option_kind;

/* One option of a table-taking function. A list ends with {0}. With size
 * != 0, rlua_read_options parses it (by kind) and stores it as an integer
 * of that size at offset in the caller's struct. */
typedef struct rlua_option {
	const char *name;
	rlua_option_kind kind;
	const char *const *values;          /* the accepted names (NULL-terminated), if fixed */
	const struct rlua_option *include;  /* RLUA_OPT_INCLUDE: the options it adds */
	size_t offset, size;
	lua_Integer def, min, max;
} rlua_option;

/* An option its function reads itself; one with a fixed set of names. */
#define RLUA_OPTION(n) {.name = (n)}
#define RLUA_OPTION_VALUES(n, names) {.name = (n), .values = (names)}
/* Every option of another list (mc takes all of relu's). */
#define RLUA_OPTIONS_OF(list) {.kind = RLUA_OPT_INCLUDE, .include = (list)}
/* Options parsed by rlua_read_options into field of a struct type. */
#define RLUA_FIELD_(type, field) .offset = offsetof(type, field), .size = sizeof(((type *)0)->field)
#define RLUA_INT_OPTION(n, type, field, d, lo, hi) \
	{.name = (n), .kind = RLUA_OPT_INT, RLUA_FIELD_(type, field), .def = (d), .min = (lo), .max = (hi)}
#define RLUA_BOOL_OPTION(n, type, field, d) \
	{.name = (n), .kind = RLUA_OPT_BOOL, RLUA_FIELD_(type, field), .def = (d)}
#define RLUA_NAME_OPTION(n, type, field, names, d) \
	{.name = (n), .kind = RLUA_OPT_NAME, .values = (names), RLUA_FIELD_(type, field), .def = (d)}

/* One Lua-visible function (or field: fn NULL). A list ends with {0}. */
typedef struct rlua_api {
	/* how a user writes it: "relu", "bound.lower", "net:death", "X.rows";
	 * a method's prefix is the variable its help uses for the type */
	const char *name;
	const char *topic;      /* "construction", "net", "inputs", "reports", "bounds", "mc", ... */
	const char *signature;  /* "bound.lower(widths) | bound.lower(n, k)" */
	const char *summary;    /* one paragraph */
	const char *example;    /* a line to type at the prompt */
	/* The function. "a.b" goes in table a of the root (made when absent),
	 * "p:m" in the method table of the metatable type, "a" in the root, or,
	 * when the root's a is a callable table (relu, mc), as its __call.
	 * NULL: documented only (a field, or a function written in Lua). */
	lua_CFunction fn;
	const char *type;       /* for "p:m": the metatable ("relush.Net") */
	const rlua_option *options;
} rlua_api;

/* Registers entries: functions into the table at root (the module for
 * the bindings, the global table for the shell's globals), and into the
 * module's registries: _help[name] = {topic=, signature=, summary=,
 * example=, type=}, _names[fn] = name, _types[type] = the methods' prefix,
 * _options[name] = the option names, _options[name][option] = its values. */
void rlua_api_register(lua_State *L, int module, int root, const rlua_api *entries);
/* The same with the global table as root, for the shell's globals (view,
 * plot, demo): the registries are those of package.loaded.relush. */
void rlua_api_register_globals(lua_State *L, const rlua_api *entries);

/* Rejects any key of the options table at t that is none of opts (with
 * "did you mean"); the integer keys 1 and 2 pass (relu{depth, width}). */
void rlua_check_options(lua_State *L, int t, const rlua_option *opts);
/* The same, naming the function fname in the error (a method written in
 * Lua, whose options a C helper checks). */
void rlua_check_options_for(lua_State *L, int t, const rlua_option *opts, const char *fname);
/* Parses every option of opts (includes too) that has a size into dest:
 * an absent one gets its default; a bad one raises "bad option 'name' to
 * 'fn' (...)" saying what is accepted. */
void rlua_read_options(lua_State *L, int t, const rlua_option *opts, void *dest);
/* The index in names (NULL-terminated) of option field of the table at t,
 * def when absent; any other value is an error listing the names, with
 * "did you mean" for a near miss. */
int rlua_opt_name_field(lua_State *L, int t, const char *field, const char *const *names, int def);

/* relu's options, which mc includes. */
extern const rlua_option rlua_relu_options[];
/* mc's options, which mc.sweep and view{...} take too (their entries name
 * this list, so completion and help offer them there as well). */
extern const rlua_option rlua_mc_options[];
/* The law names of weights and bias, the names of arch (NULL-terminated). */
extern const char *const rlua_law_names[];
extern const char *rlua_arch_names[];
extern const char *const rlua_precision_names[];

/* ---- did you mean (suggest.c) -------------------------------------------- */
/* Edit distance with transpositions, case-insensitive (names up to 64). */
int rlua_edit_distance(const char *a, const char *b);
/* Is name a plausible intent for word at that distance (or a completion of it)? */
bool rlua_close_enough(const char *word, const char *name, int distance);
/* The nearest plausible name of the NULL-terminated list, or NULL. */
const char *rlua_nearest(const char *word, const char *const *names);

/* ---- the module's parts ----------------------------------------------------
 * Each binding file describes its part of the module as one rlua_binding;
 * luaopen_relush (lmodule.c) opens the parts from one list, in order. A
 * part's types are made first (the metatables its boxes, reports and
 * methods need) and its side table, then its setup runs (what data does
 * not say: a callable table such as relu or mc, mc.sweep's Lua chunk),
 * then its API entries are registered (rlua_api_register). */
typedef struct rlua_type {
	const char *name;         /* the metatable (luaL_newmetatable's key) */
	const luaL_Reg *meta;     /* a box type's metamethods (rlua_new_box_type) */
	lua_CFunction tostring;   /* set: a report type (rlua_new_report_type) */
} rlua_type;
#define RLUA_BOX_TYPE(n, m) {.name = (n), .meta = (m)}
#define RLUA_REPORT_TYPE(n, f) {.name = (n), .tostring = (f)}

typedef struct rlua_binding {
	const rlua_type *types;                     /* ends with {0}; NULL: none */
	void (*setup)(lua_State *L, int module);    /* module: an absolute index */
	const rlua_api *api;                        /* ends with {0}; NULL: none */
	const char *weak_keys;   /* the registry key of the part's side table (rlua_weak_keys_table); NULL: none */
} rlua_binding;

extern const rlua_binding rlua_matrix_binding, rlua_inputs_binding, rlua_net_binding,
	rlua_remedies_binding,     /* net:flip, net:alignment */
	rlua_train_binding,        /* net:train, net:gradient */
	rlua_report_binding,       /* the DeathReport */
	rlua_bound_binding, rlua_mc_binding,
	rlua_sweep_binding,        /* mc.sweep, r:plot: after mc */
	rlua_limits_binding,       /* limits.memory */
	rlua_numpy_binding,        /* relu.load, net:save (state dicts in .npz files): after net */
	rlua_result_csv_binding;   /* r:csv */
/* inputs.load of a NumPy file (kind 1 .npy, 2 .npz): (path [, member]) -> Matrix. */
int rlua_load_numpy_inputs(lua_State *L, int kind);
/* 1 when path is a .npy file, 2 an .npz one, else 0: by its suffix in any
 * case (.npy, .NPY), else, with sniff, by its first bytes (a NumPy file
 * saved without the suffix). */
int rlua_numpy_kind(const char *path, int sniff);
/* The file the Net at arg was loaded from by relu.load, or NULL. */
const char *rlua_net_loaded_from(lua_State *L, int arg);
/* The Net at to was copied from the one at from: it keeps its file names. */
void rlua_net_copy_origin(lua_State *L, int from, int to);
int luaopen_relush(lua_State *L);

/* ---- argument checking (all raise errors naming the argument) ------------ */
/* An integer-valued number in [min, max]; what names it ("width"). */
lua_Integer rlua_check_int(lua_State *L, int arg, const char *what, lua_Integer min, lua_Integer max);
/* A finite number; what names it. */
double rlua_check_finite(lua_State *L, int arg, const char *what);
/* Same checks for a field of an options table at index t, with a default when
 * the field is nil. The error reads "bad option 'field' to 'fn' (...)". */
lua_Integer rlua_opt_int_field(lua_State *L, int t, const char *field, lua_Integer def,
                               lua_Integer min, lua_Integer max);
double rlua_opt_number_field(lua_State *L, int t, const char *field, double def);
int rlua_opt_bool_field(lua_State *L, int t, const char *field, int def);
/* What the value at idx is, for "got %s" in errors: "nil" (also for no
 * value), else "a table", "a number"..., a relush object by its type ("a
 * relush.Net", "a relush.McResult") and another userdata with its __name
 * ("a userdata (FILE*)"); no metamethod runs. The text lasts until the
 * fourth next call. */
const char *rlua_got(lua_State *L, int idx);
/* A name for a message: name itself, or its first 40 bytes and "..." when
 * it is longer than 60 (pushed); an option name of a megabyte is no message. */
const char *rlua_short_name(lua_State *L, const char *name);
/* Whether fd is a terminal that takes escape codes (cursor moves, line
 * clears, colour): a terminal whose TERM is set and not "dumb" (Emacs'
 * M-x shell, for one, shows them as text). */
int rlua_terminal_escapes(int fd);
/* Whether to colour what goes to fd: such a terminal, and NO_COLOR unset
 * or empty. */
int rlua_colour(int fd);
const char *rlua_describe(lua_State *L, int idx);  /* pushes; no metamethods */
/* A file path: a string with no NUL byte; the error's example is example
 * ("results.jsonl"), none when NULL. */
const char *rlua_check_path_like(lua_State *L, int arg, const char *example);
const char *rlua_check_path(lua_State *L, int arg);   /* no example */
/* A table of options at arg, else an argument error saying so. */
void rlua_check_options_table(lua_State *L, int arg);
/* luaL_argerror naming the function as the user called it: as the call
 * site names it, else (through pcall) as package.loaded holds it
 * (relush.inputs.gaussian, relush.Net.death; lmodule.c), and relu, mc and
 * view, callable tables, by their own names. */
int rlua_arg_error(lua_State *L, int arg, const char *msg);
/* NULL when the string at idx is a usable path; else pushes and returns the
 * message (the path with each NUL shown as \0), for the caller to raise. */
const char *rlua_nul_in_path(lua_State *L, int idx);
/* "s" unless n is 1: "%g layer%s" reads "1 layer", "2 layers". */
static inline const char *rlua_s(double n) { return n == 1 ? "" : "s"; }
/* Raises "bad option 'field' to 'fn' (msg)", fn the running function as
 * the API table names it ("net:train"; else as the call site names it). */
/* fmt is C's printf (not lua_pushfstring: no %I); the compiler checks it */
int rlua_option_error(lua_State *L, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same for the function named fname (NULL: the running function), for
 * a helper that checks the options of a method written in Lua. */
int rlua_option_error_to(lua_State *L, const char *fname, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A list of widths (integers >= 1) at arg, for the bounds: fills *count and
 * returns the array, anchored in a userdata on the stack (freed by GC). An
 * empty list is a net of depth 0, as width n and depth 0 are (doc/theory.md:
 * L_0 is the empty product, 1), so *count may be 0. */
/* Refuses (as bad option 'field' to 'fname') a path that rl_write_atomic
 * could not write, before the work whose result it would hold. */
void rlua_check_writable_option(lua_State *L, const char *fname, const char *field, const char *path);
/* The userdata or table at 1 when its metatable is tname's, else an
 * argument error naming the function ("relush.Net.__index" for a
 * metamethod called by hand) and what it got. For metamethods, whose self
 * Lua does not check. */
void *rlua_check_self(lua_State *L, const char *tname);
size_t *rlua_check_widths(lua_State *L, int arg, const char *what, size_t *count);
/* The length of the list at idx (#t), checked against what it holds: a
 * table's __len that disagrees with its own items counts only when t[n] is
 * there and n <= 2^31, else the items it holds count; so a lying __len
 * (2^40, say) cannot send C into a near-endless loop. For a userdata, a
 * length outside 0..2^31 is an error naming what. */
lua_Integer rlua_len(lua_State *L, int idx, const char *what);
/* ---- handing C objects to Lua ---------------------------------------------
 * One idiom, liolib's (newfile, then fopen): push the box first, empty, then
 * acquire the object into it. The box's __gc frees a non-NULL object with
 * the destructor it holds, so a Lua error anywhere after the box is pushed
 * (no memory, a bad argument) frees the object once and never leaks it.
 * Net, Matrix, Plot and McRun (what a Monte Carlo result stands for) are
 * rlua_boxes with their own metatable; a private box (tname NULL) only
 * frees. */
typedef struct rlua_box {
	void *p;                    /* the object; NULL while empty or once freed */
	void (*destroy)(void *p);   /* frees p */
} rlua_box;
/* Pushes an empty box with the metatable tname (registered by the type's
 * binding's types), or with a private one that only frees when tname is NULL.
 * Its one user value can anchor a Lua value the object refers to. */
rlua_box *rlua_box_push(lua_State *L, const char *tname, void (*destroy)(void *p));
/* The same with a zeroed object of size bytes in it (a struct the caller
 * fills: a buffer, a loader's state); raises when out of memory. */
void *rlua_box_new(lua_State *L, const char *tname, size_t size, void (*destroy)(void *p));
/* ---- metatables: one home for each kind of type ---------------------------- */
/* Registers the metatable tname with the functions meta (NULL: none) and,
 * when methods is not NULL, an __index table of methods, which is also
 * package.loaded[tname] (methods are named in errors as tname.method). */
void rlua_new_metatable(lua_State *L, const char *tname, const luaL_Reg *meta, const luaL_Reg *methods);
/* Pops the value on top of the stack into the methods (__index table) of
 * type tname as `name`; fails naming `who` if tname's binding is not open. */
void rlua_add_method(lua_State *L, const char *tname, const char *name, const char *who);
/* A box type (Net, Matrix, Plot, McRun): the metatable tname with meta and
 * the __gc and __close that free the box's object, checking that the
 * value they are called on is a box of tname. */
void rlua_new_box_type(lua_State *L, const char *tname, const luaL_Reg *meta);
/* A report table's type (DeathReport, FlipReport, ...): the metatable tname
 * whose __tostring is tostring. */
void rlua_new_report_type(lua_State *L, const char *tname, lua_CFunction tostring);
/* registry[key] = a new table with weak keys (side data about Lua values
 * that must not keep them alive: a result's run, a net's layer names). */
void rlua_weak_keys_table(lua_State *L, const char *key);
/* The box at idx when it has the metatable tname, else NULL. */
rlua_box *rlua_box_test(lua_State *L, int idx, const char *tname);
/* The box at arg, of the type tname, holding its object; else an argument
 * error (rlua_arg_error): "expected <expected>, got ...", or, when its
 * object was freed, "<the> has been closed". */
rlua_box *rlua_check_box(lua_State *L, int arg, const char *tname, const char *expected, const char *the);
/* Frees the object now (idempotent): what __gc and __close call. */
void rlua_box_free(rlua_box *b);
/* Pushes a box holding an empty CSV buffer (relush/csv.h), discarded at
 * __gc: the one home of CSV text built from Lua values. */
struct rl_csv *rlua_push_csv(lua_State *L);
/* Adds the value at idx as one cell: an integer with every digit (seeds
 * past 2^53, counts), a float as csv_number, nil empty, else its text. */
void rlua_csv_cell(lua_State *L, struct rl_csv *c, int idx);
/* Pushes the text b holds (a malloc'ed C string) as a Lua string and frees
 * it; when pushing raises, the box still owns the text. Returns 1, the
 * function's one result: return rlua_box_push_string(L, b). */
int rlua_box_push_string(lua_State *L, rlua_box *b);

/* Raises a Lua error with the engine's message, prefixed by the function name. */
int rlua_engine_error(lua_State *L, const rl_err *e);
/* The end of a method that writes a file and returns its receiver
 * (X:save, net:save, r:csv): the engine's error when failed, else the
 * receiver (argument 1) as the one result. */
int rlua_return_receiver(lua_State *L, int failed, const rl_err *e);

/* A fresh seed when the user gave none: from RELUSH_SEED if set (so scripts
 * can be made reproducible), else from the clock; successive calls differ. */
uint64_t rlua_fresh_seed(lua_State *L);
/* RELUSH_SEED is set: fresh seeds repeat from process to process. */
int rlua_seed_from_env(void);

/* ---- Matrix ---------------------------------------------------------------- */
/* Pushes an empty Matrix userdata: the caller puts its rl_mat in box->p. */
rlua_box *rlua_new_matrix(lua_State *L);
rl_mat *rlua_check_matrix(lua_State *L, int arg);
rl_mat *rlua_to_matrix(lua_State *L, int arg);   /* NULL if not a Matrix */
/* What the value at arg is, for a message wanting a Matrix: a closed one
 * (<close>, or __gc called by hand) is named as such, not "a userdata". */
const char *rlua_matrix_got(lua_State *L, int arg);
/* The Matrix at arg; when arg is nil, the default input set of nets with
 * input dimension input (what net:death() and mc use), put at arg. */
rl_mat *rlua_default_inputs(lua_State *L, int arg, size_t input);

/* ---- Net -------------------------------------------------------------------- */
/* Parses relu-style options from the table at t into spec (widths malloc'ed;
 * caller frees with net_spec_free). known lists every option the caller
 * accepts (relu's, or mc's, which include relu's); NULL: relu's. */
void rlua_parse_net_spec(lua_State *L, int t, rl_net_spec *spec, int depth_width_args,
                         const rlua_option *known);
/* Pushes an empty Net userdata: the caller puts its rl_net in box->p. */
rlua_box *rlua_new_net(lua_State *L);
/* The arch option of the table at t (plain when absent), checked. */
rl_arch rlua_arch_option(lua_State *L, int t);
/* opts.precision ("double" | "single"), else RELUSH_PRECISION, else double. */
rl_precision rlua_precision_option(lua_State *L, int t);
rl_net *rlua_check_net(lua_State *L, int arg);
/* A report the engine makes of a net on X (net_death, net_alignment). */
typedef void *(*rlua_report_fn)(const rl_net *net, const rl_mat *X, rl_err *e);
/* net:death(X), net:alignment(X): make's report of the Net at 1 on X at 2
 * (the default input set, put at 2, when nil; *is_default says so), in a
 * box on top of the stack that destroy frees; raises the engine's error. */
rlua_box *rlua_net_report(lua_State *L, rlua_report_fn make, void (*destroy)(void *r), int *is_default);

/* ---- Reports ------------------------------------------------------------- */
/* Pushes a DeathReport table (with lower/upper bounds) built from r. */
void rlua_push_death_report(lua_State *L, const rl_death_report *r, const rl_net_spec *spec);

/* On the report table on top of the stack: inputs = INPUTS_DEFAULT_NAME
 * when the default input set was used, and never_living = the points of X
 * that are 0 when the net's biases are 0 (ties: they can never live). */
void rlua_name_inputs(lua_State *L, const rl_net_spec *s, const rl_mat *X, int is_default);
/* Appends the lines naming the input set and its ties for the report
 * table at index t (fields of rlua_name_inputs) to buf (len bytes). */
void rlua_inputs_lines(lua_State *L, int t, char *buf, size_t len);

/* ---- tables for reports --------------------------------------------------- */
/* Sets t[field] = v for the table on top of the stack. */
void rlua_set_number(lua_State *L, const char *field, double v);
void rlua_set_integer(lua_State *L, const char *field, lua_Integer v);
void rlua_set_bool(lua_State *L, const char *field, int v);
void rlua_set_string(lua_State *L, const char *field, const char *v);
/* The same for a number that may be missing: NaN leaves the field nil. */
void rlua_set_optional(lua_State *L, const char *field, double v);

/* A growable string buffer for pretty tables: rlua_table_* format aligned
 * columns. Used by every report's __tostring. */
typedef struct rlua_table rlua_table;
rlua_table *rlua_table_new(int ncols, const char *const *headers);
/* The same, anchored in a userdata pushed on the stack, so that a Lua error
 * between here and rlua_table_emit (a field read through a metamethod, a
 * memory error) cannot leak it. Push it before luaL_buffinit: a buffer needs
 * the top of the stack. */
rlua_table *rlua_table_push(lua_State *L, int ncols, const char *const *headers);
void rlua_table_row(rlua_table *t, const char *const *cells);
/* Tables wider than columns fold into blocks of columns, each led by the
 * first column; 0 (the default) prints them whole. The shell sets it to
 * the terminal's width while it prints a result. */
void rlua_set_fold_width(int columns);
/* Appends the formatted table to the luaL_Buffer and frees t. */
void rlua_table_emit(rlua_table *t, luaL_Buffer *b);
/* Ends a report's __tostring: pushes the buffer's text without its last
 * newline (the REPL and print add their own). */
void rlua_push_report(lua_State *L, luaL_Buffer *b);
/* Every long per-layer table is cut the same way: more than 30 layers
 * show the first 15 and the last 10 around a "..." row, and a line under
 * the table says which layers are hidden and where all are (each: "the
 * report's .layers"). Called in the loop over the
 * layers l = 1..depth: at the gap it adds the row and the note, moves l to
 * the last layer hidden and returns true (the loop goes on from there). */
bool rlua_table_gap(rlua_table *t, lua_Integer depth, lua_Integer *l, const char *each);
/* The rows of a report's per-layer table: row fills the cells (32 bytes
 * each) of layer l from the layer's table at index layer; one row per
 * table in report.layers (report at index report), cut by rlua_table_gap. */
typedef void (*rlua_row_fn)(lua_State *L, int layer, lua_Integer l, char cells[][32]);
void rlua_layer_rows(lua_State *L, int report, rlua_table *t, int ncols, rlua_row_fn row);
/* A column of numbers: the layer's field and its printf format. */
typedef struct rlua_column {
	const char *field;
	const char *format;
} rlua_column;
/* An rlua_row_fn's work for plain columns: cells[0] the layer l, then one
 * cell per column of the {NULL}-terminated list, "-" where missing. */
void rlua_field_cells(lua_State *L, int layer, lua_Integer l, char cells[][32], const rlua_column *cols);
/* A number cell: "-" when the value is missing (NaN). */
void rlua_cell(char *buf, size_t len, const char *fmt, double v);
/* A report's __tostring from its head lines and its table t (pushed by
 * rlua_table_push, the top of the stack): pushes the text without its last
 * newline and returns 1. */
int rlua_push_table_report(lua_State *L, const char *head, rlua_table *t);
/* A report's numeric field t[k]; NaN when it is missing or not a number
 * (a table edited by the user prints as such instead of as a made-up 0). */
double rlua_num_field(lua_State *L, int t, const char *k);
/* A report's string field t[k] copied into buf, "?" when it is not a
 * string: once popped, a string an __index function made may be collected. */
const char *rlua_str_field(lua_State *L, int t, const char *k, char *buf, size_t len);
/* Number formatting for tables: %.6g-like, but tiny probabilities in
 * exponent form and integers without a decimal point. */
void rlua_fmt_number(char *buf, size_t len, double v);
/* A probability, bound or survival as reports print it: rlua_fmt_number's
 * text, "1 - d" where that reads as 1 for a value below 1 and the value in
 * exponent form where it reads as 0 for one above 0 (relush/probtext.h).
 * gap: 1 - v when known more accurately (bound_death), else NAN. */
void rlua_fmt_prob(char *buf, size_t len, double v, double gap);
/* The same for Lua code (mc.sweep's): format_table(headers, rows), fmt(x)
 * and fmt_prob(x [, gap]), nil as "-". */
int rlua_format_table_l(lua_State *L);
int rlua_fmt_l(lua_State *L);
int rlua_fmt_prob_l(lua_State *L);
/* The significant digits of d in a report's "1 - d" (as %.4e shows tiny v) */
#define RLUA_PROB_DIGITS 5

#endif
