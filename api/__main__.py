"""`python -m api` runs the coalition CLI (used by benchmarks and tests)."""

from api.cli import main

main()
