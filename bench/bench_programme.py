"""The Programme's pages in the suite (programme.synth_programme): the
Programme page of a version of 10·N activities (100 and 20,000), its
timeline, and the comparison of that version with the next year's draft
(every activity matched by lineage). The generic page benchmarks check the
same number of queries at both sizes and report the latency ratio."""
from bench.registry import Page, register_page
from institutes.synth import SECRETARIAT
from programme.models import Activity, ProgrammeVersion
from programme.synth_programme import synthetic_programme


def _version(year_offset: int) -> ProgrammeVersion:
    programme = synthetic_programme()
    return ProgrammeVersion.objects.get(programme=programme, year=programme.first_year + year_offset)


def _rows() -> int:
    return Activity.objects.filter(version=_version(0)).count()


register_page(Page("programme_version", lambda: f"/en/programme/versions/{_version(0).pk}/", user=SECRETARIAT,
                   rows=_rows, paginated=True, heavy=True))
register_page(Page("programme_timeline", lambda: f"/en/programme/versions/{_version(0).pk}/timeline/", user=SECRETARIAT,
                   rows=_rows, paginated=True))
register_page(Page("programme_compare", lambda: f"/en/programme/versions/compare/?a={_version(0).pk}&b={_version(1).pk}",
                   user=SECRETARIAT, rows=_rows))
