# Fuzzing the data-file parser (inputs_load) with libFuzzer: builds
# tests/fuzz/fuzz_load.c with clang -fsanitize=fuzzer,address,undefined
# against the engine library of this build, replays the seed corpus
# (tests/fuzz/corpus_load), then fuzzes for RELUSH_FUZZ_LOAD_SECONDS
# (default 30) from it. Any crash, sanitizer report, leak, timeout or
# broken save/load round trip fails, with the input that caused it.
# Skips when clang or its libFuzzer runtime is missing (apt-get install
# clang libclang-rt-dev), and in a sanitizer build (gcc's ASan runtime in
# the engine library cannot be mixed with clang's).
srcdir=${RELUSH_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
lib=src/core/.libs/librelushcore.a
seconds=${RELUSH_FUZZ_LOAD_SECONDS:-30}

skip() { echo "1..0 # SKIP $1"; exit 0; }
command -v clang >/dev/null 2>&1 || skip "clang is not installed"
[ -f "$lib" ] || skip "no engine library at $lib (run through make check)"
if nm "$lib" 2>/dev/null | grep -q '__asan_'; then
	skip "the engine library is built with sanitizers (gcc's runtime)"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/relush-fuzz-load.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
	>"$work/probe.c"
clang -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" >/dev/null 2>&1 \
	|| skip "clang has no libFuzzer runtime (apt-get install libclang-rt-dev)"

count=0 failed=0
ok() {
	count=$((count + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $count - $2"
	else
		failed=$((failed + 1))
		echo "not ok $count - $2"
	fi
}
diag_file() { sed 's/^/# /' "$1" | tail -n "${2:-40}"; }

# The harness and the parser it tests are compiled with the fuzzer's
# instrumentation; the rest of the engine (rng) comes from the library.
harness=tests/fuzz/fuzz_load
mkdir -p tests/fuzz
cflags="-g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I$srcdir/include -I$srcdir/src"
if clang $cflags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	"$srcdir/tests/fuzz/fuzz_load.c" "$srcdir/src/core/inputs.c" "$srcdir/src/core/files.c" "$srcdir/src/core/mat.c" \
	"$srcdir/src/core/alloc.c" "$srcdir/src/core/err.c" \
	"$srcdir/src/core/npy.c" "$srcdir/src/core/npz.c" "$srcdir/src/core/netfile.c" "$lib" \
	$(pkg-config --libs sleef 2>/dev/null || echo -lsleef) $(pkg-config --libs zlib 2>/dev/null || echo -lz) \
	$(pkg-config --libs openblas 2>/dev/null) -lm -o "$harness" >"$work/build.log" 2>&1; then
	ok 0 "the libFuzzer harness for inputs_load builds with clang"
else
	ok 1 "the libFuzzer harness for inputs_load builds with clang"
	diag_file "$work/build.log"
	echo "1..$count"
	exit 1
fi

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
corpus=$srcdir/tests/fuzz/corpus_load
n_seeds=$(ls "$corpus" | wc -l)
# the seeds once each: regressions show at once, with their file name
"./$harness" -runs=0 -rss_limit_mb=1024 "$corpus" >"$work/replay.log" 2>&1
status=$?
ok $status "the $n_seeds seed inputs of tests/fuzz/corpus_load load or fail cleanly"
[ $status -eq 0 ] || diag_file "$work/replay.log"

# then fuzzing, from a scratch copy of the corpus (new inputs go there)
mkdir -p "$work/corpus" "$work/findings"
cp "$corpus"/* "$work/corpus/"
"./$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=4096 \
	-dict="$srcdir/tests/fuzz/load.dict" -artifact_prefix="$work/findings/" \
	-print_final_stats=1 "$work/corpus" >"$work/fuzz.log" 2>&1
status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
ok $status "fuzzing inputs_load for $seconds s: ${runs:-?} inputs, no crash, leak, timeout or bad round trip"
if [ $status -ne 0 ]; then
	diag_file "$work/fuzz.log" 60
	for f in "$work"/findings/*; do
		[ -f "$f" ] || continue
		echo "# finding $(basename "$f") (hex):"
		od -An -tx1 "$f" | head -n 20 | sed 's/^/#  /'
		mkdir -p tests/fuzz/findings && cp "$f" tests/fuzz/findings/
		echo "# kept in tests/fuzz/findings/ of the build tree; replay: ./$harness FILE"
	done
fi
echo "1..$count"
[ $failed -eq 0 ]
