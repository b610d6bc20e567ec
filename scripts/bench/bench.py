#!/usr/bin/python3
"""bench.py: the Monte Carlo benchmark table (run it through scripts/bench/run).

For each configuration P1-P4 it runs, each in its own process so that peak
memory can be read from the kernel (wait4's ru_maxrss):
  - the peers a user would pick, on one core: the NumPy reference
    (numpy_ref.py, float64) and, when /usr/bin/python3 has torch, the
    PyTorch CPU reference (torch_ref.py, torch.bmm, float32 and float64);
    each first sweeps its batch (trials per chunk) on short runs and is then
    timed with the fastest batch;
  - relush mc{stats="alive"} and mc{} (all statistics) on 1 thread and on
    every core, as a user writes them (in the precision mc chooses, which
    each row's note names), mc{} with method explicit and gram on 1 thread
    (slow combinations on fewer trials: only rates are compared), and mc{}
    with precision = "double" on 1 thread;
  relush rates are the best of two runs of at least ~1 s (more trials than
  the configuration's when it runs faster than that);
and prints trials/s, the relush/NumPy and relush/PyTorch ratios from this
run, peak RSS and how close the run comes to this machine's limits measured
by limits.c (Gaussian variates/s against the SIMD Box-Muller limit; GEMM
FLOP/s against single-threaded dgemm and sgemm). It ends with the same
results as README.md's performance section prints them (machine, versions,
date, load, the two Markdown tables and the limits reached), ready to
replace that section's last run.

The references run on one core. The all-cores ratios compare relush on
every core with a peer that scales perfectly (its one-core rate times the
number of cores, e.g. one process per core), the most a peer could reach.

usage: bench.py BUILD_DIR LIMITS_BINARY [--quick]
"""
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name, m, d, width, depth, trials, (explicit-all trials, gram-all trials)
CONFIGS = [
    ("P1", 64, 2, 4, 32, 20000, 20000, 2000),
    ("P2", 256, 64, 64, 20, 2000, 2000, 40),
    ("P3", 1, 256, 256, 50, 2000, 200, 2000),
    ("P4", 1000, 784, 128, 10, 200, 200, 10),
]


def run(cmd, env=None):
    """Runs cmd; returns (stdout, peak RSS in MiB)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env)
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), out, err))
    return out, usage.ru_maxrss / 1024.0


def relush_once(build, cfg, trials, stats, threads, method, precision=None):
    _, m, d, width, depth = cfg[:5]
    # OpenBLAS starts its thread pool when the library loads, and each of
    # its threads spins (sched_yield) for ~0.1 s before sleeping: on 2 cores
    # that spin took a core from mc's workers at the start of short runs
    # (seen with perf). relush never runs the BLAS threaded (mc sets one
    # BLAS thread before using it), so the pool is left out as for the peers.
    out, rss = run([os.path.join(build, "src", "relush"), os.path.join(HERE, "mc_bench.lua"),
                    str(m), str(d), str(width), str(depth), str(trials), stats, str(threads), method]
                   + ([precision] if precision else []),
                   env=ONE_THREAD)
    f = out.split()
    return {"trials": int(f[0]), "seconds": float(f[1]), "rate": float(f[2]), "p": float(f[3]),
            "how": f[4], "precision": f[5], "rss": rss}


def relush(build, cfg, trials, stats, threads, method, min_seconds, precision=None):
    """The configuration's trials; runs that end within min_seconds are
    repeated with more trials (so that thread start-up and a busy machine's
    hiccups do not decide the rate), and the best of two runs is kept."""
    r = relush_once(build, cfg, trials, stats, threads, method, precision)
    if r["seconds"] < min_seconds:
        more = int(trials * min(100.0, min_seconds / max(r["seconds"], 1e-6)))
        r = relush_once(build, cfg, max(trials, more), stats, threads, method, precision)
    again = relush_once(build, cfg, r["trials"], stats, threads, method, precision)
    return again if again["rate"] > r["rate"] else r


BATCHES = (16, 64, 256, 1024, 4096)
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def reference(cfg, seconds, batch, peer):
    """One run of a reference: peer is "numpy", "float32" or "float64"."""
    _, m, d, width, depth, trials = cfg[:6]
    trials = max(trials, 10 ** 7)           # the time limit ends the run
    args = [str(m), str(d), str(width), str(depth), str(trials), str(seconds)]
    if peer == "numpy":
        cmd = [os.path.join(HERE, "numpy_ref.py")] + args + ["1", str(batch)]
    else:
        cmd = [os.path.join(HERE, "torch_ref.py")] + args + ["1", str(batch), peer]
    out, rss = run(["/usr/bin/python3"] + cmd, env=ONE_THREAD)
    f = out.split()
    return {"trials": int(f[0]), "rate": float(f[2]), "p": float(f[3]), "rss": rss, "batch": batch}


def tuned_reference(cfg, seconds, peer, quick):
    """The fastest batch of a short sweep, then a run of `seconds` with it.
    Batches whose activations would pass ~256 MB are left out."""
    _, m, d, width = cfg[:4]
    per_trial = 8 * max(m * max(width, d), d * width, width * width)
    batches = [b for b in BATCHES if b * per_trial <= 256e6] or [1]
    sweep = [reference(cfg, 0.25 if quick else 0.6, b, peer) for b in batches]
    best = max(sweep, key=lambda r: r["rate"])
    timed = reference(cfg, seconds, best["batch"], peer)
    # The better of two runs with that batch, as for relush.
    return timed if timed["rate"] >= best["rate"] else best


def have_torch():
    return subprocess.call(["/usr/bin/python3", "-c", "import torch"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0


def limits(binary):
    out, _ = run([binary, "0.5"])
    return dict(line.split() for line in out.splitlines())


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def fmt_rate(x):
    return "%.3g" % x if x < 1000 else "%.0f" % x


def flops_per_trial(cfg):
    """FLOPs of one trial's matrix products when every layer runs."""
    _, m, d, width, depth = cfg[:5]
    return 2.0 * m * (d * width + (depth - 1) * width * width)


def print_table(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for k, r in enumerate(rows):
        print("  ".join(c.rjust(widths[i]) if i else c.ljust(widths[i]) for i, c in enumerate(r)))
        if k == 0:
            print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    print()


def ratio(a, b):
    return "%.1f" % (a / b) if b and b > 0 else "-"


def command_output(cmd):
    """First line of a command's output, or "?" when it cannot run."""
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60).stdout
        return out.decode().strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def python_version(module):
    return command_output(["/usr/bin/python3", "-c", "import %s; print(%s.__version__)" % (module, module)])


def versions(build, torch):
    """The software the tables depend on, as README.md names it."""
    try:
        with open("/etc/debian_version") as f:
            debian = "Debian " + f.read().strip()
    except OSError:
        debian = platform.platform()
    relush = command_output([os.path.join(build, "src", "relush"), "-v"]).split(" (")[0]
    parts = [relush, debian, "GCC " + command_output(["gcc", "-dumpfullversion"]),
             "OpenBLAS " + command_output(["pkg-config", "--modversion", "openblas"]),
             "SLEEF " + command_output(["pkg-config", "--modversion", "sleef"]),
             "NumPy " + python_version("numpy")]
    if torch:
        parts.append("PyTorch " + python_version("torch"))
    return ", ".join(parts)


def markdown(rows):
    """rows[0] is the header; numbers are right-aligned."""
    lines = ["| " + " | ".join(rows[0]) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(rows[0]) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def print_readme(build, torch, cores, load_start, ref_md, relush_md, limit_lines):
    """The run as README.md's performance section shows it."""
    print()
    print("---- for README.md (performance section), from this run ----")
    print()
    print("The last run, %s, on %s, %d cores: %s. Load average %.1f at the start and %.1f "
          "at the end (rates mean little when it exceeds the number of cores). Trials per second:"
          % (time.strftime("%d %B %Y").lstrip("0"), cpu_name(), cores, versions(build, torch),
             load_start, os.getloadavg()[0]))
    print()
    print(markdown(ref_md))
    print()
    print(markdown(relush_md))
    print()
    print(" ".join(limit_lines))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build, limits_bin = sys.argv[1], sys.argv[2]
    quick = "--quick" in sys.argv
    cores = os.cpu_count() or 1
    torch = have_torch()
    load_start = os.getloadavg()[0]
    lim = limits(limits_bin)
    print("machine: %s, %d cores; rng %s, kernels %s; load average %.1f" %
          (cpu_name(), cores, lim["rng_path"], lim["kernel_path"], os.getloadavg()[0]))
    bm_d, bm_f = float(lim["boxmuller_double_per_s"]), float(lim["boxmuller_float_per_s"])
    print("limits (1 core): engine RNG %.3g Gaussian variates/s = %.0f%% of the %s Box-Muller limit "
          "(%.3g/s double, %.3g/s single)" % (float(lim["variates_per_s"]),
                                              100.0 * float(lim["variates_per_s"]) / bm_d,
                                              lim["boxmuller_isa"], bm_d, bm_f))
    print("limits (1 core): engine float32 RNG (precision = \"single\") %.3g Gaussian variates/s = "
          "%.0f%% of the single Box-Muller limit" % (float(lim["variates_float_per_s"]),
                                                     100.0 * float(lim["variates_float_per_s"]) / bm_f))
    # Philox alone then the transform, one after the other: the most a
    # Box-Muller generator on Philox4x32-10 reaches (2 doubles or 4 floats a block).
    philox = float(lim["philox_blocks_per_s"])
    ceil_d = 1.0 / (1.0 + bm_d / (2.0 * philox))
    ceil_f = 1.0 / (1.0 + bm_f / (4.0 * philox))
    print("limits (1 core): Philox4x32-10 alone %.3g blocks/s; Box-Muller on it, one after the other, "
          "reaches at most %.0f%% (double) and %.0f%% (single) of the Box-Muller limit"
          % (philox, 100.0 * ceil_d, 100.0 * ceil_f))
    print("GEMM GFLOP/s dgemm / sgemm / fused kernel double / single:", end="")
    for shape in ("P1", "P2", "P4a", "P4b"):
        dg = float(lim.get("blas_flops_" + shape, "nan")) / 1e9
        sg = float(lim.get("sgemm_flops_" + shape, "nan")) / 1e9
        kern = float(lim["kernel_flops_" + shape]) / 1e9
        kern_s = float(lim["kernel_single_flops_" + shape]) / 1e9
        print(" %s %.3g / %.3g / %.3g / %.3g" % (shape, dg, sg, kern, kern_s),
              end=";" if shape != "P4b" else "\n")
    if not torch:
        print("PyTorch: not installed for /usr/bin/python3, its columns are skipped "
              "(apt-get install python3-torch)")
    print()
    peers = ["numpy"] + (["float32", "float64"] if torch else [])
    refs_head = ("config", "numpy/s (batch)") + (("torch f32/s (batch)", "torch f64/s (batch)")
                                                 if torch else ())
    ref_rows = [refs_head]
    alive_head = ("stats=alive", "1T/s", "x numpy", "x torch32") + \
        ("%dT/s" % cores, "x numpy", "x torch32", "scaling")
    all_head = ("all stats", "1T/s", "x numpy", "x torch32", "x torch64") + \
        ("%dT/s" % cores, "x numpy", "x torch32", "scaling", "explicit/s", "gram/s", "RSS relush") + \
        ("double 1T/s", "x numpy", "x torch32")
    alive_rows, all_rows, notes = [alive_head], [all_head], []
    ref_md = [("config", "NumPy f64 (batch)") + (("PyTorch f32 (batch)", "PyTorch f64 (batch)")
                                                  if torch else ())]
    relush_md = [("config", "relush alive, 1 thread", "× NumPy") + (("× PyTorch f32",) if torch else ()) +
                 ("alive, %d threads" % cores, "scaling", "all statistics, 1 thread", "× NumPy") +
                 (("× PyTorch f32", "× PyTorch f64") if torch else ()) +
                 ("all, %d threads" % cores, "scaling", "double, all, 1 thread", "× NumPy") +
                 (("× PyTorch f32",) if torch else ())]
    limit_md = []
    for cfg in CONFIGS:
        name, trials, ex_trials, gr_trials = cfg[0], cfg[5], cfg[6], cfg[7]
        if quick:
            trials, ex_trials, gr_trials = (max(1, x // 4) for x in (trials, ex_trials, gr_trials))
        ref = {p: tuned_reference(cfg, 1.5 if quick else 5.0, p, quick) for p in peers}
        ref_rows.append((name,) + tuple("%s (%d)" % (fmt_rate(ref[p]["rate"]), ref[p]["batch"])
                                        for p in peers))
        sec = 0.3 if quick else 1.0
        a1 = relush(build, cfg, trials, "alive", 1, "auto", sec)
        an = relush(build, cfg, trials, "alive", cores, "auto", sec)
        full = relush(build, cfg, trials, "all", 1, "auto", sec)
        fulln = relush(build, cfg, trials, "all", cores, "auto", sec)
        ex = relush(build, cfg, ex_trials, "all", 1, "explicit", sec / 2)
        gr = relush(build, cfg, gr_trials, "all", 1, "gram", sec / 2)
        double = relush(build, cfg, trials, "all", 1, "auto", sec, "double")
        npr = ref["numpy"]["rate"]
        t32 = ref["float32"]["rate"] if torch else 0.0
        t64 = ref["float64"]["rate"] if torch else 0.0
        alive_rows.append((name, fmt_rate(a1["rate"]), ratio(a1["rate"], npr), ratio(a1["rate"], t32),
                           fmt_rate(an["rate"]), ratio(an["rate"], cores * npr),
                           ratio(an["rate"], cores * t32), "%.2f" % (an["rate"] / a1["rate"])))
        all_rows.append((name, fmt_rate(full["rate"]), ratio(full["rate"], npr), ratio(full["rate"], t32),
                         ratio(full["rate"], t64), fmt_rate(fulln["rate"]),
                         ratio(fulln["rate"], cores * npr), ratio(fulln["rate"], cores * t32),
                         "%.2f" % (fulln["rate"] / full["rate"]), fmt_rate(ex["rate"]),
                         fmt_rate(gr["rate"]), "%.0f MiB" % max(a1["rss"], full["rss"]),
                         fmt_rate(double["rate"]), ratio(double["rate"], npr),
                         ratio(double["rate"], t32)))
        ref_md.append((name,) + tuple("%s (%d)" % (fmt_rate(ref[p]["rate"]), ref[p]["batch"])
                                      for p in peers))
        relush_md.append((name, fmt_rate(a1["rate"]), ratio(a1["rate"], npr)) +
                         ((ratio(a1["rate"], t32),) if torch else ()) +
                         (fmt_rate(an["rate"]), "%.2f" % (an["rate"] / a1["rate"]),
                          fmt_rate(full["rate"]), ratio(full["rate"], npr)) +
                         ((ratio(full["rate"], t32), ratio(full["rate"], t64)) if torch else ()) +
                         (fmt_rate(fulln["rate"]), "%.2f" % (fulln["rate"] / full["rate"]),
                          fmt_rate(double["rate"]), ratio(double["rate"], npr)) +
                         ((ratio(double["rate"], t32),) if torch else ()))
        slower = min(ex["rate"], gr["rate"])
        notes.append("%s: P(alive) numpy %.4f, relush %.4f; stats=alive ran %s in %s; all statistics "
                     "ran %s in %s (mc's own choice of precision); "
                     "auto %s the slower of explicit/gram; RSS numpy %.0f MiB"
                     % (name, ref["numpy"]["p"], a1["p"], a1["how"], a1["precision"], full["how"],
                        full["precision"],
                        "is not slower than" if full["rate"] >= 0.9 * slower else "IS SLOWER THAN",
                        ref["numpy"]["rss"]))
        if name == "P3":
            variates = cfg[4] * cfg[3]
            notes.append("P3: lazy draws ~%d variates a trial: %.3g variates/s, %.0f%% of the engine "
                         "RNG's rate, %.0f%% of the double Box-Muller limit"
                         % (variates, variates * a1["rate"],
                            100.0 * variates * a1["rate"] / float(lim["variates_per_s"]),
                            100.0 * variates * a1["rate"] / bm_d))
        if name in ("P2", "P4"):
            flops = flops_per_trial(cfg)
            shape = "P2" if name == "P2" else "P4b"
            rate = flops * full["rate"]
            kernel = "kernel_single_flops_" if full["precision"] == "single" else "kernel_flops_"
            notes.append("%s: all statistics multiply <= %.3g GFLOP a trial: %.3g GFLOP/s on 1 thread "
                         "in %s, %.0f%% of that fused kernel's, %.0f%% of dgemm's and %.0f%% of sgemm's rate"
                         % (name, flops / 1e9, rate / 1e9, full["precision"],
                            100.0 * rate / float(lim[kernel + shape]),
                            100.0 * rate / float(lim.get("blas_flops_" + shape, "nan")),
                            100.0 * rate / float(lim.get("sgemm_flops_" + shape, "nan"))))
            limit_md.append("%s with all statistics (in %s) multiplied at %.3g GFLOP/s, %.0f %% of dgemm's "
                            "rate and %.0f %% of sgemm's;"
                            % (name, full["precision"], rate / 1e9,
                               100.0 * rate / float(lim.get("blas_flops_" + shape, "nan")),
                               100.0 * rate / float(lim.get("sgemm_flops_" + shape, "nan"))))
    variates = float(lim["variates_per_s"])
    limit_lines = ["Limits in that run: the engine's RNG gave %.2g Gaussian variates/s, %.0f %% of the %s "
                   "Box–Muller limit (%.2g/s in double, %.2g/s in single precision) and %.0f %% of it "
                   "in single (%.2g/s); Philox4x32-10 alone ran %.2g blocks/s, so Box–Muller on it, "
                   "the two one after the other, reaches at most %.0f %% (double) and %.0f %% (single);"
                   % (variates, 100.0 * variates / bm_d, lim["boxmuller_isa"].upper().replace("AVX512", "AVX-512"),
                      bm_d, bm_f, 100.0 * float(lim["variates_float_per_s"]) / bm_f,
                      float(lim["variates_float_per_s"]), philox, 100.0 * ceil_d, 100.0 * ceil_f)]
    limit_lines += limit_md
    limit_lines[-1] = limit_lines[-1].rstrip(";") + "."
    print("References, one core, trials/s (batch = trials per chunk, the fastest of a sweep):")
    print_table(ref_rows)
    print("relush, stats=\"alive\" (x = relush / reference; %dT ratios against %d x the one-core "
          "reference):" % (cores, cores))
    print_table(alive_rows)
    print("relush, all statistics (mc{} in the precision it chooses, then precision = \"double\"):")
    print_table(all_rows)
    for n in notes:
        print(n)
    print("load average at the end: %.1f (rates and ratios mean little when it exceeds the "
          "number of cores: other jobs shared them)" % os.getloadavg()[0])
    print_readme(build, torch, cores, load_start, ref_md, relush_md, limit_lines)


if __name__ == "__main__":
    main()
