"""`python -m api` runs the coalition CLI (used by benchmarks and tests)."""

from api.cli import main

if __name__ == "__main__":
    main()
