/* run.c: the shell's Lua state and how code runs in it: set-up (standard
 * libraries, the relush module, globals), protected calls with a short
 * traceback, Ctrl-C turned into the error "interrupted" (lua.c's
 * laction/lstop pattern plus the engine's interrupt flag), error reports. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lualib.h>
#include <lauxlib.h>
#include "relush/alloc.h"
#include "relush/interrupt.h"
#include "lua/rlua.h"
#include "shell/shell.h"

bool shell_colour;
volatile sig_atomic_t shell_prompt_sigint;

static enum shell_error_style error_style = SHELL_ERRORS_BATCH;
static lua_State *running_state;              /* the state a Ctrl-C stops */
static volatile sig_atomic_t sigint_count;    /* Ctrl-C presses during a call */
static bool last_call_interrupted;

void shell_set_error_style(enum shell_error_style style) { error_style = style; }
static bool session_goes_on;
void shell_set_session_goes_on(bool goes_on) { session_goes_on = goes_on; }
bool shell_was_interrupted(void) { return last_call_interrupted; }

/* ---- set-up --------------------------------------------------------------- */

static int fault_injection(lua_State *L);
static void watch_coroutines(lua_State *L);
static void watch_execute(lua_State *L);

static int open_all(lua_State *L)
{
	luaL_openlibs(L);
	luaL_requiref(L, "relush", luaopen_relush, 0);  /* also package.loaded.relush */
	int module = lua_gettop(L);
	/* The public API as globals: every field not starting with "_". */
	lua_pushnil(L);
	while (lua_next(L, module) != 0) {
		if (lua_type(L, -2) == LUA_TSTRING && lua_tostring(L, -2)[0] != '_') {
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_setglobal(L, lua_tostring(L, -2));
		} else {
			lua_pop(L, 1);
		}
	}
	/* mc.shard exists from the start (false: every trial), so that it is
	 * seen, completed and documented before --shard sets it */
	if (lua_getfield(L, module, "mc") == LUA_TTABLE && lua_getfield(L, -1, "shard") == LUA_TNIL) {
		lua_pushboolean(L, 0);
		lua_setfield(L, -3, "shard");
	}
	lua_settop(L, module);
	/* relush itself, as `local relush = require "relush"` would give it */
	lua_pushvalue(L, module);
	lua_setglobal(L, "relush");
	shell_open_help(L, module);
	watch_coroutines(L);
	watch_execute(L);
	lua_pop(L, 1);
	const char *faults = getenv("RELUSH_FAULT_INJECTION");
	if (faults != NULL && faults[0] != '\0') {
		lua_pushcfunction(L, fault_injection);
		lua_setfield(L, LUA_REGISTRYINDEX, "relush.fault_injection");
	}
	return 0;
}

/* ---- the Lua heap's budget ------------------------------------------------
 * The Lua heap stays under the engine's memory limit (limits.memory), so a
 * script building a huge table gets "not enough memory" (a Lua error the
 * session survives) instead of the OOM killer. Small blocks may go a little
 * over (HEAP_SLACK), so that the shell can still compile and run the
 * command that raises the limit or frees memory. */
enum { HEAP_BIG_BLOCK = 64 * 1024, HEAP_SLACK = 16 * 1024 * 1024 };

static struct heap_budget {
	lua_Alloc inner;
	void *inner_ud;
	size_t used;            /* bytes in use by the Lua heap */
	bool refused;           /* an allocation was refused since the last report */
	uint64_t fault_rate;    /* testing: fail 1 in fault_rate growths (0: never) */
	uint64_t fault_state;
	uint64_t fault_at;      /* testing: growths from the fault_at-th on fail (0: none) */
	uint64_t faults;        /* testing: growths failed since the last fault_injection call */
} heap;

/* Testing only: with RELUSH_FAULT_INJECTION set, registry function
 * "relush.fault_injection"(n [, seed]) makes 1 in n Lua allocations fail
 * (n = 0 or false: none), and ("at", k) makes the k-th allocation from
 * now and every one after it fail (Lua retries a failed allocation after
 * a full collection, so a single failure would not be seen), so that tests can drive every "not enough memory" path
 * of the bindings and check that nothing leaks. Each call returns how many
 * allocations failed since the one before. */
static bool fault_now(struct heap_budget *b)
{
	if (b->fault_at > 0) {
		if (b->fault_at == 1)
			return true;
		b->fault_at--;
		return false;
	}
	if (b->fault_rate == 0)
		return false;
	uint64_t z = (b->fault_state += 0x9E3779B97F4A7C15ull);   /* splitmix64 */
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (z ^ (z >> 31)) % b->fault_rate == 0;
}

static int fault_injection(lua_State *L)
{
	lua_Integer faults = (lua_Integer)heap.faults;
	heap.faults = 0;
	heap.fault_at = 0;
	if (lua_type(L, 1) == LUA_TSTRING && strcmp(lua_tostring(L, 1), "at") == 0) {
		lua_Integer k = luaL_checkinteger(L, 2);
		heap.fault_rate = 0;
		heap.fault_at = k > 0 ? (uint64_t)k : 0;
	} else {
		lua_Integer rate = lua_toboolean(L, 1) ? luaL_checkinteger(L, 1) : 0;
		heap.fault_state = (uint64_t)luaL_optinteger(L, 2, (lua_Integer)heap.fault_state);
		heap.fault_rate = rate > 0 ? (uint64_t)rate : 0;
	}
	lua_pushinteger(L, faults);   /* a light value: pushing it allocates nothing */
	return 1;
}

static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct heap_budget *b = ud;
	size_t old = ptr != NULL ? osize : 0;   /* osize is a type tag when ptr is NULL */
	if (nsize > old && fault_now(b)) {
		b->faults++;
		return NULL;
	}
	if (nsize > old) {
		size_t grow = nsize - old, limit = rl_mem_limit();
		size_t allowed = grow >= HEAP_BIG_BLOCK ? limit : limit + HEAP_SLACK;
		if (b->used + grow > allowed || b->used + grow < b->used) {
			b->refused = true;
			return NULL;
		}
	}
	void *p = b->inner(b->inner_ud, ptr, osize, nsize);
	if (p != NULL || nsize == 0)
		b->used = b->used - old + nsize;
	return p;
}

lua_State *shell_open(void)
{
	lua_State *L = luaL_newstate();
	if (L == NULL) {
		fputs("relush: cannot create the Lua state: not enough memory\n", stderr);
		exit(EXIT_FAILURE);
	}
	heap.inner = lua_getallocf(L, &heap.inner_ud);
	heap.used = (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
	lua_setallocf(L, budget_alloc, &heap);
	lua_gc(L, LUA_GCGEN, 0, 0);
	lua_pushcfunction(L, open_all);
	if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
		fprintf(stderr, "relush: cannot load the relush module: %s\n",
		        lua_tostring(L, -1) ? lua_tostring(L, -1) : "(no message)");
		lua_close(L);
		exit(EXIT_FAILURE);
	}
	return L;
}

/* ---- Ctrl-C ----------------------------------------------------------------- */

/* Where the last interrupt stopped the code ("loop.lua:3"), and what it
 * left behind ("; mc stopped after ..."): static, because the report is
 * written without allocating (the heap may be at its limit). */
static char interrupt_where[160];
static char interrupt_partial[200];

/* The hook runs at the next Lua event: raise "interrupted". One Ctrl-C
 * stops the whole command, not only the C call in progress: a kernel that
 * polled the engine's flag and returned a partial result (mc does) clears
 * that flag, but sigint_count stays set, so the code after it stops too.
 * The hook stays armed on Lua instructions only (not on C calls, so the
 * message handler runs in peace): a pcall in the user's code that catches
 * "interrupted" is stopped again at its next instruction. */
static void stop_hook(lua_State *L, lua_Debug *ar)
{
	if (sigint_count == 0) {
		lua_sethook(L, NULL, 0, 0);
		return;
	}
	lua_sethook(L, stop_hook, LUA_MASKCOUNT, 1);
	/* where the code was stopped: the current line of the hooked function,
	 * or of its caller when it is a C function (mc returning), or the
	 * user's code that called relush's own (mc.sweep's loop, the demo's
	 * key prompt), whose lines mean nothing to the user */
	lua_Debug at;
	for (int level = 0; lua_getstack(L, level, &at); level++)
		if (lua_getinfo(L, "Sl", &at) && at.currentline > 0
		    && strncmp(at.source, RLUA_OWN_CHUNK_PREFIX, strlen(RLUA_OWN_CHUNK_PREFIX)) != 0) {
			/* the first place stopped is the one to report: an error
			 * leaving a coroutine gets the resumer's position prepended */
			if (interrupt_where[0] == '\0')
				snprintf(interrupt_where, sizeof interrupt_where, "%s:%d",
				         at.short_src, at.currentline);
			lua_pushfstring(L, "%s:%d: interrupted", at.short_src, at.currentline);
			lua_error(L);
		}
	(void)ar;
	lua_pushliteral(L, "interrupted");
	lua_error(L);
}

/* Hooks belong to one thread (one coroutine), and the signal handler can
 * only reach the main one, while the code running may be a coroutine's.
 * So every coroutine gets, when it is created, a hook every WATCH_COUNT
 * instructions that raises "interrupted" once Ctrl-C was pressed. (Not on
 * the main thread: a count hook makes every Lua instruction take the VM's
 * slow path, about 40 % for a tight loop; the main thread gets its hook
 * from the signal handler instead.) */
enum { WATCH_COUNT = 1000 };

static void watch_hook(lua_State *L, lua_Debug *ar)
{
	if (sigint_count > 0)
		stop_hook(L, ar);
}

static void watch_thread(lua_State *co)
{
	lua_sethook(co, watch_hook, LUA_MASKCOUNT, WATCH_COUNT);
}

/* coroutine.create and coroutine.wrap as Lua's own (upvalue 1), the new
 * coroutine watched. */
static int watched_create(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);   /* the error names create/wrap */
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	if (lua_isthread(L, -1))
		watch_thread(lua_tothread(L, -1));
	return 1;
}

static int watched_wrap(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);   /* the error names create/wrap */
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	/* Lua's wrap returns a C closure whose upvalue is the coroutine */
	if (lua_tocfunction(L, -1) != NULL && lua_getupvalue(L, -1, 1) != NULL) {
		if (lua_isthread(L, -1))
			watch_thread(lua_tothread(L, -1));
		lua_pop(L, 1);
	}
	return 1;
}

static void watch_coroutines(lua_State *L)
{
	if (lua_getglobal(L, "coroutine") != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	static const struct { const char *name; lua_CFunction f; } wrapped[] = {
		{"create", watched_create}, {"wrap", watched_wrap},
	};
	for (size_t i = 0; i < sizeof wrapped / sizeof wrapped[0]; i++)
		if (lua_getfield(L, -1, wrapped[i].name) == LUA_TFUNCTION) {
			lua_pushcclosure(L, wrapped[i].f, 1);
			lua_setfield(L, -2, wrapped[i].name);
		} else {
			lua_pop(L, 1);
		}
	lua_pop(L, 1);
}

/* While code runs: stop C kernels through the engine's flag and Lua code
 * through a hook (lua_sethook is safe in a signal handler). A second press
 * before the first took effect restores the default action, so a third
 * ends a process stuck in code that never polls. */
static void on_sigint_running(int sig)
{
	(void)sig;
	rl_interrupt_request();
	if (++sigint_count >= 2)
		signal(SIGINT, SIG_DFL);
	if (running_state != NULL)
		lua_sethook(running_state, stop_hook,
		            LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

/* os.execute as Lua's own (upvalue 1), but a command that Ctrl-C killed
 * stops the Lua code too: system() ignores SIGINT in the shell while it
 * waits, so only the command saw it, and a loop of os.execute calls went
 * on to the next (bash stops its loops the same way). */
static int interruptible_execute(lua_State *L)
{
	int n = lua_gettop(L);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	int results = lua_gettop(L);
	if (results >= 3 && lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "signal") == 0
	    && lua_tointeger(L, 3) == SIGINT && running_state != NULL)
		on_sigint_running(SIGINT);   /* as if the shell had seen the Ctrl-C */
	return results;
}

static void watch_execute(lua_State *L)
{
	int top = lua_gettop(L);
	if (lua_getglobal(L, "os") == LUA_TTABLE && lua_getfield(L, -1, "execute") == LUA_TFUNCTION) {
		lua_pushcclosure(L, interruptible_execute, 1);
		lua_setfield(L, -2, "execute");
	}
	lua_settop(L, top);
}

static void on_sigint_prompt(int sig)
{
	(void)sig;
	shell_prompt_sigint = 1;
}

static void set_sigint(void (*handler)(int), struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;          /* no SA_RESTART: a blocked read/select sees EINTR */
	sigaction(SIGINT, &sa, old);
}

void shell_sigint_at_prompt(bool repl)
{
	set_sigint(repl ? on_sigint_prompt : SIG_DFL, NULL);
}

/* ---- protected calls ---------------------------------------------------------- */

/* Is a traceback line a frame that says nothing the message does not? */
static bool trivial_frame(const char *line, size_t len)
{
	static const char main_chunk[] = "in main chunk";
	size_t mlen = sizeof main_chunk - 1;
	if (len >= 4 && memcmp(line, "[C]:", 4) == 0)
		return true;
	if (len >= 4 && memcmp(line, "(...", 4) == 0)   /* (...tail calls...) */
		return true;
	return len >= mlen && memcmp(line + len - mlen, main_chunk, mlen) == 0;
}

/* Pushes "\nstack traceback:..." with luaL_traceback's frames, less the C
 * frame of the shell's own pcall ("[C]: in ?"): the first HEAD and last TAIL
 * of them when there are more. Pushes "" in the REPL when every frame is
 * trivial (the message already says where). */
static void push_short_traceback(lua_State *L)
{
	enum { HEAD = 6, TAIL = 5 };
	const char *frames[64 + HEAD + TAIL];
	size_t lens[64 + HEAD + TAIL];
	int n = 0, skipped = 0;
	bool all_trivial = true;

	luaL_traceback(L, L, NULL, 1);
	const char *p = lua_tostring(L, -1);
	const char *nl = strchr(p, '\n');          /* skip "stack traceback:" */
	p = nl ? nl + 1 : p + strlen(p);
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *line = p;
		size_t l = len;
		if (l > 0 && line[0] == '\t') { line++; l--; }
		p += len + (end ? 1 : 0);
		if (l == 9 && memcmp(line, "[C]: in ?", 9) == 0)
			continue;
		if (l >= 3 && memcmp(line, "...", 3) == 0) {   /* luaL_traceback's own elision */
			const char *num = strstr(line, "skipping ");
			skipped += num ? atoi(num + 9) : 0;
			continue;
		}
		if (!trivial_frame(line, l))
			all_trivial = false;
		if (n < (int)(sizeof frames / sizeof frames[0])) {
			frames[n] = line;
			lens[n] = l;
			n++;
		} else {
			skipped++;
		}
	}
	if (n == 0 || (error_style == SHELL_ERRORS_REPL && all_trivial)) {
		lua_pop(L, 1);
		lua_pushliteral(L, "");
		return;
	}
	/* The raw traceback stays below the buffer: frames point into it. */
	luaL_Buffer tb;
	luaL_buffinit(L, &tb);
	luaL_addstring(&tb, "\nstack traceback:");
	int shown_head = n > HEAD + TAIL ? HEAD : n;
	for (int i = 0; i < shown_head; i++) {
		luaL_addstring(&tb, "\n\t");
		luaL_addlstring(&tb, frames[i], lens[i]);
	}
	if (n > HEAD + TAIL) {
		lua_pushfstring(L, "\n\t...\t(skipping %d levels)", n - HEAD - TAIL + skipped);
		luaL_addvalue(&tb);
		for (int i = n - TAIL; i < n; i++) {
			luaL_addstring(&tb, "\n\t");
			luaL_addlstring(&tb, frames[i], lens[i]);
		}
	}
	luaL_pushresult(&tb);
	lua_remove(L, -2);        /* the raw traceback */
}

static int message_handler(lua_State *L)
{
	if (sigint_count > 0 || rl_interrupted()) {
		/* the hook's error reads "chunk:line: interrupted" */
		const char *msg = lua_tostring(L, 1);
		const char *tail = msg ? strstr(msg, ": interrupted") : NULL;
		if (tail != NULL && tail > msg && interrupt_where[0] == '\0')
			snprintf(interrupt_where, sizeof interrupt_where, "%.*s", (int)(tail - msg), msg);
		lua_pushliteral(L, "interrupted");
		return 1;
	}
	const char *msg = lua_tostring(L, 1);
	if (msg == NULL) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	lua_pushstring(L, msg);
	shell_push_suggestion(L, msg);
	push_short_traceback(L);
	lua_concat(L, 3);
	return 1;
}

/* The value of mc.partial as a light userdata (NULL when there is none):
 * an interrupted mc leaves its partial result there; comparing before and
 * after a call tells whether this call left one. With describe (upvalue),
 * fills interrupt_partial from it. Runs protected: looking up a field may
 * allocate a string, which may fail. */
static int look_at_partial(lua_State *L)
{
	bool describe = lua_toboolean(L, 1);
	const void *p = NULL;
	if (lua_getfield(L, LUA_REGISTRYINDEX, "relush.shell.module") == LUA_TTABLE
	    && lua_getfield(L, -1, "mc") == LUA_TTABLE
	    && lua_getfield(L, -1, "partial") == LUA_TTABLE) {
		p = lua_topointer(L, -1);
		if (describe && lua_getfield(L, -1, "trials") == LUA_TNUMBER
		    && lua_getfield(L, -2, "requested") == LUA_TNUMBER)
			snprintf(interrupt_partial, sizeof interrupt_partial,
			         "mc stopped after %.0f of %.0f trials; %s", lua_tonumber(L, -2), lua_tonumber(L, -1),
			         session_goes_on ? "its partial result is in mc.partial"
			                         : "the script ends here, so that partial result is lost "
			                           "(only a run given out= has saved it, to its file)");
	}
	lua_pushlightuserdata(L, (void *)p);
	return 1;
}

static const void *partial_result(lua_State *L, bool describe)
{
	const void *p = NULL;
	lua_pushcfunction(L, look_at_partial);   /* light: pushing it allocates nothing */
	lua_pushboolean(L, describe);
	if (lua_pcall(L, 1, 1, 0) == LUA_OK)
		p = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return p;
}

/* After an interrupt: describe the partial result mc left, if it is new. */
static void note_partial_result(lua_State *L, const void *before)
{
	interrupt_partial[0] = '\0';
	if (partial_result(L, false) != before)
		partial_result(L, true);
}

int shell_pcall(lua_State *L, int nargs, int nresults)
{
	int base = lua_gettop(L) - nargs;
	struct sigaction old;
	const void *partial_before = partial_result(L, false);
	interrupt_where[0] = '\0';
	lua_pushcfunction(L, message_handler);
	lua_insert(L, base);
	running_state = L;
	sigint_count = 0;
	rl_interrupt_clear();
	set_sigint(on_sigint_running, &old);
	int status = lua_pcall(L, nargs, nresults, base);
	sigaction(SIGINT, &old, NULL);
	lua_sethook(L, NULL, 0, 0);
	last_call_interrupted = status != LUA_OK && (sigint_count > 0 || rl_interrupted());
	if (last_call_interrupted)
		note_partial_result(L, partial_before);
	sigint_count = 0;
	rl_interrupt_clear();
	running_state = NULL;
	lua_remove(L, base);
	return status;
}

void shell_report(lua_State *L, int status)
{
	if (status == LUA_OK)
		return;
	const char *msg = last_call_interrupted ? "interrupted" : lua_tostring(L, -1);
	if (msg == NULL)
		msg = "(error object is not a string)";
	/* no Lua allocation here: the heap may be at its limit */
	char why[400] = "";
	/* say where the code stopped, except at the prompt's own "stdin:1",
	 * which says nothing the user does not see */
	bool where = last_call_interrupted && interrupt_where[0]
	             && (error_style == SHELL_ERRORS_BATCH || strncmp(interrupt_where, "stdin:", 6) != 0);
	if (last_call_interrupted)
		snprintf(why, sizeof why, "%s%s%s%s", where ? " at " : "", where ? interrupt_where : "",
		         interrupt_partial[0] ? ": " : "", interrupt_partial);
	if (status == LUA_ERRMEM && heap.refused)
		snprintf(why, sizeof why, ": the Lua heap reached the memory limit of %zu bytes "
		         "(set limits.memory or RELUSH_MEM_LIMIT to change it)", rl_mem_limit());
	heap.refused = false;
	fflush(stdout);
	bool colour = error_style == SHELL_ERRORS_REPL && shell_colour && isatty(STDERR_FILENO);
	fprintf(stderr, "%s%s%s%s%s\n", error_style == SHELL_ERRORS_BATCH ? "relush: " : "",
	        colour ? SHELL_RED : "", msg, why, colour ? SHELL_RESET : "");
	fflush(stderr);
	lua_pop(L, 1);
}

/* ---- chunks and scripts ------------------------------------------------------- */

int shell_run_string(lua_State *L, const char *chunk, const char *chunkname)
{
	int status = luaL_loadbuffer(L, chunk, strlen(chunk), chunkname);
	last_call_interrupted = false;
	if (status == LUA_OK) {
		shell_set_chunk_text(chunk);    /* for "did you mean" */
		status = shell_pcall(L, 0, 0);
		shell_set_chunk_text(NULL);
	}
	shell_report(L, status);
	return status;
}

int shell_run_script(lua_State *L, const char *path, int nargs)
{
	if (path != NULL && strcmp(path, "-") == 0)
		path = NULL;                       /* luaL_loadfile reads stdin */
	int status = luaL_loadfile(L, path);
	last_call_interrupted = false;
	if (status == LUA_OK) {
		lua_insert(L, -(nargs + 1));
		status = shell_pcall(L, nargs, 0);
	} else {
		lua_insert(L, -(nargs + 1));
		lua_pop(L, nargs);
	}
	shell_report(L, status);
	return status;
}
