"""``python -m benchmarks``: run the whole benchmark and print a Markdown report."""

from benchmarks.bench import main

if __name__ == "__main__":
    raise SystemExit(main())
