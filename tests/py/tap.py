"""tap.py: TAP output for the Python tests (their directory is on sys.path
when they run, so they import it as `tap`)."""


def report(tests):
    """Prints the plan and one line per (ok, description); returns 0."""
    print("1..%d" % len(tests))
    for i, (ok, text) in enumerate(tests, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, text))
    return 0
