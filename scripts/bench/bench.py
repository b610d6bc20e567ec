#!/usr/bin/python3
"""bench.py: the Monte Carlo benchmark table (run it through scripts/bench/run).

For each configuration P1-P4 of issue 5 it runs, each in its own process so
that peak memory can be read from the kernel (wait4's ru_maxrss):
  - the NumPy reference (numpy_ref.py, P(alive) only, single-threaded BLAS);
  - relush mc{stats="alive"} on 1 thread and on every core;
  - relush mc{} (all statistics) with method auto, explicit and gram on 1
    thread (slow combinations on fewer trials: only rates are compared);
  relush rates are the best of two runs of at least ~1 s (more trials than
  the configuration's when it runs faster than that);
and prints trials/s, the ratios, peak RSS and this machine's limits measured
by limits.c (Gaussian variates/s of the engine's RNG, GEMM FLOP/s of the BLAS
and of the engine's fused kernel).

usage: bench.py BUILD_DIR LIMITS_BINARY [--quick]
"""
import os
import platform
import subprocess
import sys

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


def relush_once(build, cfg, trials, stats, threads, method):
    _, m, d, width, depth = cfg[:5]
    out, rss = run([os.path.join(build, "src", "relush"), os.path.join(HERE, "mc_bench.lua"),
                    str(m), str(d), str(width), str(depth), str(trials), stats, str(threads), method])
    f = out.split()
    return {"trials": int(f[0]), "seconds": float(f[1]), "rate": float(f[2]), "p": float(f[3]),
            "how": f[4], "rss": rss}


def relush(build, cfg, trials, stats, threads, method, min_seconds):
    """The configuration's trials; runs that end within min_seconds are
    repeated with more trials (so that thread start-up and a busy machine's
    hiccups do not decide the rate), and the best of two runs is kept."""
    r = relush_once(build, cfg, trials, stats, threads, method)
    if r["seconds"] < min_seconds:
        more = int(trials * min(100.0, min_seconds / max(r["seconds"], 1e-6)))
        r = relush_once(build, cfg, max(trials, more), stats, threads, method)
    again = relush_once(build, cfg, r["trials"], stats, threads, method)
    return again if again["rate"] > r["rate"] else r


def numpy(cfg, seconds):
    _, m, d, width, depth, trials = cfg[:6]
    out, rss = run(["/usr/bin/python3", os.path.join(HERE, "numpy_ref.py"), str(m), str(d),
                    str(width), str(depth), str(trials), str(seconds)],
                   env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    f = out.split()
    return {"trials": int(f[0]), "rate": float(f[2]), "p": float(f[3]), "rss": rss}


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


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build, limits_bin = sys.argv[1], sys.argv[2]
    quick = "--quick" in sys.argv
    cores = os.cpu_count() or 1
    lim = limits(limits_bin)
    print("machine: %s, %d cores; rng %s, kernels %s" % (cpu_name(), cores, lim["rng_path"],
                                                         lim["kernel_path"]))
    print("limits (1 core): %.3g Gaussian variates/s (engine RNG); GEMM GFLOP/s BLAS / fused kernel:"
          % float(lim["variates_per_s"]), end="")
    for shape in ("P1", "P2", "P4a", "P4b"):
        blas = float(lim.get("blas_flops_" + shape, "nan")) / 1e9
        kern = float(lim["kernel_flops_" + shape]) / 1e9
        print(" %s %.3g / %.3g" % (shape, blas, kern), end=";" if shape != "P4b" else "\n")
    print()
    head = ("config", "numpy/s", "alive 1T/s", "x numpy", "alive %dT/s" % cores, "scaling",
            "all 1T/s", "explicit/s", "gram/s", "RSS numpy", "RSS relush", "P numpy", "P relush")
    rows = [head]
    notes = []
    for cfg in CONFIGS:
        name, trials, ex_trials, gr_trials = cfg[0], cfg[5], cfg[6], cfg[7]
        if quick:
            trials, ex_trials, gr_trials = (max(1, x // 4) for x in (trials, ex_trials, gr_trials))
        ref = numpy(cfg, 3.0 if quick else 10.0)
        sec = 0.3 if quick else 1.0
        a1 = relush(build, cfg, trials, "alive", 1, "auto", sec)
        an = relush(build, cfg, trials, "alive", cores, "auto", sec)
        full = relush(build, cfg, trials, "all", 1, "auto", sec)
        ex = relush(build, cfg, ex_trials, "all", 1, "explicit", sec / 2)
        gr = relush(build, cfg, gr_trials, "all", 1, "gram", sec / 2)
        rows.append((name, fmt_rate(ref["rate"]), fmt_rate(a1["rate"]), "%.0f" % (a1["rate"] / ref["rate"]),
                     fmt_rate(an["rate"]), "%.2f" % (an["rate"] / a1["rate"]), fmt_rate(full["rate"]),
                     fmt_rate(ex["rate"]), fmt_rate(gr["rate"]), "%.0f MiB" % ref["rss"],
                     "%.0f MiB" % max(a1["rss"], full["rss"]), "%.4f" % ref["p"], "%.4f" % a1["p"]))
        slower = min(ex["rate"], gr["rate"])
        notes.append("%s: stats=alive ran %s; all statistics ran %s; auto %s the slower of explicit/gram"
                     % (name, a1["how"], full["how"],
                        "is not slower than" if full["rate"] >= 0.9 * slower else "IS SLOWER THAN"))
        if name == "P3":
            variates = cfg[4] * cfg[3]
            notes.append("P3: lazy draws ~%d variates a trial: %.3g variates/s, %.0f%% of the RNG limit"
                         % (variates, variates * a1["rate"],
                            100.0 * variates * a1["rate"] / float(lim["variates_per_s"])))
        if name == "P4":
            flops = 2.0 * cfg[1] * (cfg[2] * cfg[3] + (cfg[4] - 1) * cfg[3] * cfg[3])
            notes.append("P4: all statistics multiply %.3g GFLOP a trial: %.3g GFLOP/s, %.0f%% of the "
                         "fused kernel's and %.0f%% of the BLAS's GEMM rate"
                         % (flops / 1e9, flops * full["rate"] / 1e9,
                            100.0 * flops * full["rate"] / float(lim["kernel_flops_P4b"]),
                            100.0 * flops * full["rate"] / float(lim.get("blas_flops_P4b", "nan"))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for k, r in enumerate(rows):
        print("  ".join(c.rjust(widths[i]) if i else c.ljust(widths[i]) for i, c in enumerate(r)))
        if k == 0:
            print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    print()
    for n in notes:
        print(n)


if __name__ == "__main__":
    main()
