#!/usr/bin/env python3
"""bound_search.py: bound.depth_for and bound.width_for against exact and
high-precision arithmetic (doc/theory.md §5.3), as a TAP test.

The built shell answers thousands of questions in one run; each answer is
checked at its boundary with Python's fractions (exact, when (2^n - 1)^k has
at most EXACT_BITS bits) or decimal logarithms (correctly rounded, with the
error bound below), never with the double the shell itself might round to.
Cases: known answers (depth 2048 for n = 64, p = 1 - 2^-53, ...), exact
ties, near-ties built on purpose (the doubles next to (1 - 2^-n)^k), random
widths, depths and probabilities, and the extremes p = 5e-324,
p = 1 - 2^-53, n up to 1e6, k up to 2^63 and beyond.
Usage: bound_search.py RELUSH (or $RELUSH)."""
import math
import os
import random
import subprocess
import sys
from decimal import Decimal, getcontext, localcontext
from fractions import Fraction

import tap

EXACT_BITS = 20000
MAX_DOUBLE = sys.float_info.max


def neg_log_survival(n, prec):
    """-ln(1 - 2^-n) to prec digits (relative error below 10^-(prec-2))."""
    with localcontext() as ctx:
        ctx.prec = prec + 10
        x = Decimal(2) ** -n
        if n < 10:
            return -(Decimal(1) - x).ln()
        total, term, j = Decimal(0), x, 1
        while True:
            add = term / j
            total += add
            if add < total * Decimal(10) ** -(prec + 8):
                return total
            term *= x
            j += 1


def reaches(n, k, p):
    """(1 - 2^-n)^k >= p exactly, for integers n >= 1, k >= 0, float p."""
    if k == 0:
        return True
    if n * k <= EXACT_BITS:
        return Fraction((2 ** n - 1) ** k, 2 ** (n * k)) >= Fraction(p)
    for prec in (60, 120, 240, 480, 960):
        with localcontext() as ctx:
            ctx.prec = prec + 20
            a = neg_log_survival(n, prec)
            b = -Decimal(p).ln()   # Decimal(p) is p exactly
            lhs = Decimal(k) * a   # k a <= b  <=>  L >= p
            err = (lhs + b) * Decimal(10) ** -(prec - 3)
            if lhs + err < b:
                return True
            if lhs - err > b:
                return False
    raise RuntimeError("undecidable near-tie n=%r k=%r p=%r" % (n, k, p))


def lower_near(n, k):
    """(1 - 2^-n)^k rounded to a double (for building near-ties)."""
    if n * k <= 4000:
        return float(Fraction((2 ** n - 1) ** k, 2 ** (n * k)))
    with localcontext() as ctx:
        ctx.prec = 60
        return float((-Decimal(k) * neg_log_survival(n, 50)).exp())


def near_probs(value):
    out = []
    for v in (value, math.nextafter(value, 0.0), math.nextafter(value, 1.0)):
        if 0.0 < v < 1.0:
            out.append(v)
    return out


def build_cases(rng):
    depth, width = [], []   # (n, p) and (k, p)
    known_depth = {(64, 1 - 2.0 ** -53): 2048, (60, 1 - 2.0 ** -53): 128,
                   (64, 0.999999999): 18446743561}
    known_width = {(3.0, 1 - 2.0 ** -53): 55}
    depth += list(known_depth)
    width += list(known_width)
    depth += [(53, 0.5), (80, 1 - 1e-12), (20, 5e-324), (1, 5e-324), (1, 0.5)]
    depth += [(n, 1 - 1e-6 * f) for n in range(71, 101) for f in (0.3, 1.0)]
    extremes = [5e-324, 2.2250738585072014e-308, 1e-300, 1 - 2.0 ** -53, 1 - 2.0 ** -52, 0.5]
    for p in extremes:
        for n in (1, 2, 3, 10, 30, 53, 54, 62, 63, 64, 65, 100, 500, 1000, 1076, 1077, 1078,
                  1079, 2000, 10 ** 6):
            depth.append((n, p))
        for k in (1.0, 2.0, 1074.0, 1075.0, 2.0 ** 53, 2.0 ** 63, 2.0 ** 63 + 2.0 ** 11,
                  1e300, MAX_DOUBLE):
            width.append((k, p))
    # exact ties: (1 - 2^-n)^k is a double when n k <= 53
    for n in range(1, 54):
        for k in range(1, 53 // n + 1):
            p = lower_near(n, k)
            depth.append((n, p))
            width.append((float(k), p))
    # near-ties built on purpose: the doubles around (1 - 2^-n)^k
    for _ in range(700):
        n = rng.choice([rng.randint(1, 12), rng.randint(13, 64), rng.randint(65, 200)])
        k = max(1, int(2 ** (rng.random() * min(62, n + 6))))
        value = lower_near(n, k)
        for p in near_probs(value):
            depth.append((n, p))
            width.append((float(k), p))
    # near-ties at the edges of depth_for's answers: 2^63 (integer to float)
    # and the largest double (float to inf)
    for n in range(58, 70):
        for k in (2 ** 63 - 1, 2 ** 63, 2 ** 63 + 2048):
            for p in near_probs(lower_near(n, k)):
                depth.append((n, p))
    for n in range(990, 1078, 4):
        for p in near_probs(lower_near(n, int(MAX_DOUBLE))):
            depth.append((n, p))
    # random questions
    for _ in range(1500):
        kind = rng.random()
        p = (rng.random() if kind < 0.4 else
             1 - 2.0 ** -rng.uniform(1, 53) if kind < 0.7 else
             2.0 ** -rng.uniform(1, 1074))
        if not 0.0 < p < 1.0:
            continue
        depth.append((rng.randint(1, 1100) if rng.random() < 0.1 else rng.randint(1, 70), p))
        width.append((float(int(2 ** rng.uniform(0, 63))), p))
    return depth, width, known_depth, known_width


def log_factor(e, prec=50):
    """ln(1 - 2^-e) in Decimal."""
    return -neg_log_survival(e, prec)


def build_value_cases(rng):
    """bound.upper(n, k, d) and bound.lower(widths) near underflow: (lua call,
    exact log of the value). |log| close to 708 is where exp of a rounded log
    loses the most (upper(3, 2886076, 1) is such a value)."""
    cases = [("bound.upper(3, 2886076, 1)", log_factor(6) + 2886075 * log_factor(12))]
    for _ in range(300):
        n, d = rng.randint(1, 6), rng.randint(1, 8)
        first, rest = n * (d + 1), n * (n + 1)
        target = rng.uniform(600, 707)
        k = 1 + int(target / float(neg_log_survival(rest, 30)))
        log_value = log_factor(first) + (k - 1) * log_factor(rest)
        if log_value > Decimal(-708):
            cases.append(("bound.upper(%d, %d, %d)" % (n, k, d), log_value))
    for _ in range(100):
        widths = [rng.randint(1, 12) for _ in range(rng.randint(900, 1500))]
        log_value = sum(log_factor(w) for w in widths)
        if Decimal(-708) < log_value:
            cases.append(("bound.lower{%s}" % ",".join(map(str, widths)), log_value))
    return cases


def lua_number(x):
    return "math.huge" if x == math.inf else float(x).hex()


def run_shell(relush, depth, width, values):
    lines = ["local function out(ok, v)",
             "  if not ok then print('ERR ' .. tostring(v):gsub('\\n', ' '))",
             "  elseif math.type(v) == 'integer' then print('I ' .. v)",
             "  else print(('F %a'):format(v)) end end"]
    for n, p in depth:
        lines.append("out(pcall(bound.depth_for, %d, %s))" % (n, lua_number(p)))
    for k, p in width:
        lines.append("out(pcall(bound.width_for, %s, %s))" % (lua_number(k), lua_number(p)))
    for call, _ in values:
        lines.append("out(pcall(function() return %s end))" % call)
    proc = subprocess.run([relush, "-"], input="\n".join(lines) + "\n", capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError("relush failed: " + proc.stderr)
    return proc.stdout.splitlines()


def parse(line):
    kind, _, value = line.partition(" ")
    if kind == "I":
        return int(value)
    if kind == "F":
        return float.fromhex(value) if value not in ("inf", "-inf") else float(value)
    return "error: " + value


def check_depth(n, p, got):
    """None when right, else what is wrong."""
    if isinstance(got, str):
        return got
    if isinstance(got, int):
        if got >= 2 ** 63:
            return "integer answer %d is not below 2^63" % got
        if not reaches(n, got, p):
            return "L(%d) < p" % got
        if reaches(n, got + 1, p):
            return "L(%d) >= p too" % (got + 1)
        return None
    if got == math.inf:
        return None if reaches(n, int(MAX_DOUBLE), p) else "inf but the largest double fails"
    if got < 2.0 ** 63 or got != math.floor(got):
        return "float answer %r below 2^63 or not an integer" % got
    if not reaches(n, int(got), p):
        return "L(%r) < p" % got
    if reaches(n, int(math.nextafter(got, math.inf)), p):
        return "the next double also reaches p"
    return None


def check_width(k, p, got):
    if isinstance(got, str):
        return got
    if not isinstance(got, int) or got < 1:
        return "not an integer >= 1: %r" % got
    if not reaches(got, int(k), p):
        return "L(n=%d) < p" % got
    if got > 1 and reaches(got - 1, int(k), p):
        return "n - 1 = %d reaches p too" % (got - 1)
    return None


def main():
    relush = sys.argv[1] if len(sys.argv) > 1 else os.environ["RELUSH"]
    getcontext().prec = 60
    depth, width, known_depth, known_width = build_cases(random.Random(13))
    values = build_value_cases(random.Random(5))
    answers = [parse(line) for line in run_shell(relush, depth, width, values)]
    if len(answers) != len(depth) + len(width) + len(values):
        print("1..1\nnot ok 1 - the shell answered %d of %d questions"
              % (len(answers), len(depth) + len(width)))
        return 1
    bad_depth, bad_width, near, regimes = [], [], 0, set()
    for (n, p), got in zip(depth, answers):
        why = check_depth(n, p, got)
        if why:
            bad_depth.append("depth_for(%d, %r) = %r: %s" % (n, p, got, why))
        regimes.add("int" if isinstance(got, int) else "inf" if got == math.inf else "float")
    for (k, p), got in zip(width, answers[len(depth):]):
        why = check_width(k, p, got)
        if why:
            bad_width.append("width_for(%r, %r) = %r: %s" % (k, p, got, why))
    tests = []
    tests.append((not bad_depth, "depth_for is exact at the boundary on %d questions%s"
                  % (len(depth), "; " + "; ".join(bad_depth[:5]) if bad_depth else "")))
    tests.append((not bad_width, "width_for is exact at the boundary on %d questions%s"
                  % (len(width), "; " + "; ".join(bad_width[:5]) if bad_width else "")))
    tests.append((regimes == {"int", "float", "inf"},
                  "depth_for answered in all three forms (integer, float, inf): %s"
                  % sorted(regimes)))
    for (n, p), want in known_depth.items():
        got = answers[depth.index((n, p))]
        tests.append((got == want, "depth_for(%d, %r) = %r (want %d)" % (n, p, got, want)))
    for (k, p), want in known_width.items():
        got = answers[len(depth) + width.index((k, p))]
        tests.append((got == want, "width_for(%r, %r) = %r (want %d)" % (k, p, got, want)))
    worst, where = 0.0, ""
    for (call, log_value), got in zip(values, answers[len(depth) + len(width):]):
        with localcontext() as ctx:
            ctx.prec = 50
            exact = log_value.exp()
            rel = float(abs(Decimal(got) - exact) / exact) if not isinstance(got, str) else 1.0
        if rel > worst:
            worst, where = rel, call[:40]
    tests.append((worst < 1e-13, "%d values near underflow within 1e-13 relative "
                  "(worst %.3g at %s)" % (len(values), worst, where)))
    return tap.report(tests)


if __name__ == "__main__":
    sys.exit(main())
