#!/usr/bin/env python3
"""bound_values.py: the values of bound.lower, death, log_lower, upper,
union, sandwich and whole_space against Python's decimal (correctly
rounded logarithms, exact fractions), as a TAP test.

The formulas are doc/theory.md's (§3.1, §4.1, §4.2, §4.4, §4.5, §5.1),
recomputed here independently of relush, on a grid of edge values: widths
1 to 1e15 (past the exponent range of doubles, and of 2^-n), depths 0 to
1e300, random width lists mixing tiny and huge widths, input dimensions to
1e6, point counts to 2^53, and whole_space's binomial sums for widths to
300 (exact) on every dimension around n/2, n - 1, n, n + 1. Each value must
be within 1e-13 relative of the exact one (the README's claim) where that
is a normal double, and within 2^-1070 where it is subnormal.
Usage: bound_values.py RELUSH (or $RELUSH)."""
import math
import os
import random
import subprocess
import sys
from decimal import Decimal, localcontext
from fractions import Fraction

import tap
from bound_search import neg_log_survival

PREC = 40
TINY = Decimal(2) ** -1022          # the smallest normal double
SUB = Decimal(2) ** -1070           # the tolerance below it


def log_survival(n):
    """ln(1 - 2^-n) as a Decimal, for an integer n >= 1."""
    return -neg_log_survival(n, PREC)


def close(got, exact, rel=Decimal("1e-13")):
    with localcontext() as ctx:
        ctx.prec = PREC
        if abs(exact) < TINY:
            return abs(Decimal(got) - exact) <= SUB
        return abs(Decimal(got) - exact) <= rel * abs(exact)


def exp_(x):
    with localcontext() as ctx:
        ctx.prec = PREC
        ctx.Emin, ctx.Emax = -999999999999999999, 999999999999999999
        return x.exp()


def neg_expm1(x):
    """1 - e^x for x <= 0, accurate when x is tiny."""
    with localcontext() as ctx:
        ctx.prec = PREC
        ctx.Emin, ctx.Emax = -999999999999999999, 999999999999999999
        if x > Decimal("-1e-20"):
            return -x - x * x / 2 - x * x * x / 6
        return 1 - x.exp()


def lua_num(v):
    return repr(float(v)) if not isinstance(v, int) or v > 2 ** 62 else str(v)


def main():
    relush = sys.argv[1] if len(sys.argv) > 1 else os.environ["RELUSH"]
    rng = random.Random(20260)
    calls, expect = [], []   # Lua expressions, (kind, exact values)

    with localcontext() as ctx:
        ctx.prec = PREC
        ctx.Emin, ctx.Emax = -999999999999999999, 999999999999999999
        # uniform nets: L, 1 - L and log L
        widths = [1, 2, 3, 5, 10, 31, 32, 53, 54, 64, 100, 1000, 1074, 1075, 1100, 2000,
                  10 ** 6, 10 ** 15]
        depths = [0, 1, 2, 3, 10, 1000, 10 ** 6, 10 ** 12, 2 ** 53, 10 ** 18, 10 ** 100, 10 ** 300]
        for n in widths:
            for k in depths:
                ll = Decimal(k) * log_survival(n)
                for f, exact in (("lower", exp_(ll)), ("death", neg_expm1(ll)), ("log_lower", ll)):
                    calls.append("bound.%s(%s, %s)" % (f, lua_num(n), lua_num(k)))
                    expect.append((f, n, k, exact))
        # width lists: L, 1 - L, log L, U in its four forms, mL, the sandwich
        pool = [1, 2, 3, 4, 8, 31, 53, 54, 64, 100, 1000, 1100, 10 ** 6]
        for _ in range(300):
            w = [rng.choice(pool) for _ in range(rng.choice([1, 2, 3, 7, 40]))]
            d = rng.choice([1, 2, 3, 64, 10 ** 6])
            m = rng.choice([1, 2, 64, 10 ** 9, 2 ** 53])
            lst = "{" + ",".join(map(str, w)) + "}"
            ll = sum(log_survival(n) for n in w)
            calls += ["bound.lower(%s)" % lst, "bound.death(%s)" % lst, "bound.log_lower(%s)" % lst,
                      "bound.union(%s, %d)" % (lst, m)]
            expect += [("lower", w, None, exp_(ll)), ("death", w, None, neg_expm1(ll)),
                       ("log_lower", w, None, ll),
                       ("union", w, m, min(Decimal(1), Decimal(m) * exp_(ll)))]
            for orthant in (True, False):
                for zero in (True, False):
                    lu, prev = Decimal(0), d
                    for i, n in enumerate(w):
                        if i > 0 or orthant:
                            lu += log_survival(n * prev if zero else n * (prev + 1))
                        prev = n
                    calls.append("bound.upper(%s, %d, %s, %s)" % (lst, d, str(orthant).lower(),
                                                                str(zero).lower()))
                    expect.append(("upper", w, (d, orthant, zero), exp_(lu)))
            s = sum(Decimal(2) ** -n for n in w)
            for i, exact in enumerate((exp_(-2 * Decimal(2).ln() * s), exp_(ll), exp_(-s), s)):
                calls.append("select(%d, bound.sandwich(%s))" % (i + 1, lst))
                expect.append(("sandwich[%d]" % (i + 1), w, None, exact))
        # the whole space: p = 2^-n sum_{i<=d} C(n, i) and q = 1 - p, exactly
        for n in [1, 2, 3, 5, 10, 52, 53, 54, 62, 63, 64, 100, 300]:
            for d in sorted({0, 1, 2, n // 2 - 1, n // 2, n // 2 + 1, n - 1, n, n + 1}):
                if d < 0:
                    continue
                s = sum(math.comb(n, i) for i in range(min(d, n) + 1))
                p = Fraction(s, 2 ** n)
                for i, exact in enumerate((p, 1 - p)):
                    calls.append("select(%d, bound.whole_space(%d, %d))" % (i + 1, n, d))
                    expect.append(("whole_space[%d]" % (i + 1), n, d,
                                   Decimal(exact.numerator) / Decimal(exact.denominator)))

    script = "\n".join("do local ok, v = pcall(function() return %s end) "
                       "print(ok and string.format('%%.17g', v) or 'error ' .. tostring(v)) end" % c
                       for c in calls)
    out = subprocess.run([relush, "-"], input=script, capture_output=True, text=True, timeout=600)
    answers = out.stdout.splitlines()
    tests = [(out.returncode == 0 and len(answers) == len(calls),
              "relush answered %d of %d calls (exit %d)%s"
              % (len(answers), len(calls), out.returncode, out.stderr[:200]))]
    bad = {}
    for call, (kind, a, b, exact), got in zip(calls, expect, answers):
        family = kind.split("[")[0]
        ok = not got.startswith("error") and close(float(got), exact)
        bad.setdefault(family, [0, []])
        bad[family][0] += 1
        if not ok:
            bad[family][1].append("%s = %s, exact %s" % (call[:60], got, "%.17g" % exact))
    for family, (count, wrong) in sorted(bad.items()):
        tests.append((not wrong, "bound.%s: %d values within 1e-13 of the exact ones%s"
                      % (family, count, "; " + "; ".join(wrong[:4]) if wrong else "")))
    return tap.report(tests)


if __name__ == "__main__":
    sys.exit(main())
