"""The comparison with the last committed results flags what got worse by
more than 20%, in the right direction, and the table lands between its
markers."""
import pytest

from bench import report


def run(*figures, vendor="postgresql"):
    return {
        "figures": [
            {"key": key, "value": value, "better": better, "unit": "×", "vendor": vendor}
            for key, value, better in figures
        ],
        "database": {"label": "PostgreSQL 15"},
        "finished": "today",
    }


@pytest.mark.parametrize(
    ("before", "after", "better", "flagged"),
    [
        (6, 8, "lower", True),  # two more queries: +33%
        (6, 7, "lower", False),  # +17%
        (1.2, 1.0, "lower", False),  # a latency ratio that improved
        (0, 1, "lower", True),  # from nothing to something
        (0.5, 0.35, "higher", True),  # throughput ratio -30%
        (0.5, 0.45, "higher", False),  # -10%
        (0.3, 0.6, "higher", False),  # throughput that improved
    ],
)
def test_regressions_are_direction_aware(before, after, better, flagged):
    found = report.compare(run(("k", before, better)), run(("k", after, better)))
    assert found.compared == 1
    assert [item.key for item in found.regressions] == (["k"] if flagged else [])


def test_only_figures_of_the_same_key_and_vendor_are_compared():
    previous = run(("a", 1.0, "lower"), ("gone", 1.0, "lower"), vendor="sqlite")
    current = run(("a", 9.0, "lower"), ("new", 9.0, "lower"))
    assert report.compare(previous, current) == report.Comparison(compared=0, regressions=[])
    assert report.compare(None, current).compared == 0
    assert [r.key for r in report.compare(run(("a", 1.0, "lower")), current).regressions] == ["a"]
    assert "Nothing compared" in report.comparison_text(report.compare(previous, current), "HEAD", previous)


def test_comparison_text_names_each_worse_figure():
    comparison = report.compare(run(("queries/home/count", 5, "lower")), run(("queries/home/count", 7, "lower")))
    text = report.comparison_text(comparison, "HEAD:bench/results.json", run())
    assert "queries/home/count: 5 → 7" in text and "+40% worse" in text


def test_table_replaces_only_its_own_block():
    begin, end = report.markers("full")
    quick_begin, quick_end = report.markers("quick")
    text = f"# Performance\n\nProse.\n\n{begin}\nold table\n{end}\n\n{quick_begin}\nquick table\n{quick_end}\n\nMore prose.\n"

    updated = report.update_document(text, "full", "| new |\n")

    assert "old table" not in updated and "| new |" in updated
    assert "Prose." in updated and "More prose." in updated and "quick table" in updated
    assert report.update_document(updated, "full", "| new |\n") == updated


def test_table_is_appended_when_the_markers_are_missing():
    updated = report.update_document("# Performance\n", "quick", "| t |\n")
    assert updated.startswith("# Performance\n") and updated.count("| t |") == 1
