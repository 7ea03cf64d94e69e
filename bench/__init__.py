"""The benchmark suite: `python -m bench [--quick]` (or `make bench`,
`make bench-quick`). It measures ratios and scaling laws on synthetic data in
a database of its own; docs/performance.md explains what, how, and how to add
a benchmark."""
