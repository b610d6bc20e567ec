"""refcli.py: the command line the benchmark's references share
(numpy_ref.py, torch_ref.py):

  m d width depth trials [max_seconds] [seed] [batch] [extra...]

and their one output line: trials seconds rate p_alive."""
import sys


def parse(doc):
    """(m, d, width, depth, trials, max_seconds, seed, batch, extra args);
    exits with doc when the first five are missing."""
    a = sys.argv[1:]
    if len(a) < 5:
        sys.exit(doc)
    m, d, width, depth, trials = (int(x) for x in a[:5])
    max_seconds = float(a[5]) if len(a) > 5 else 1e9
    seed = int(a[6]) if len(a) > 6 else 1
    batch = int(a[7]) if len(a) > 7 else 0
    return m, d, width, depth, trials, max_seconds, seed, batch, a[8:]


def report(done, seconds, p):
    print(done, "%.6f" % seconds, "%.6g" % (done / seconds), "%.6f" % p)
