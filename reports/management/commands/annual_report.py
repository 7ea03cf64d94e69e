"""`python manage.py annual_report --year 2022 --lang ru --output report.pdf`:
the same document the report's page generates, rendered here and now (no
job, no version kept)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.models import ReportLanguage
from reports.rendering import RenderTimeout, report_pdf
from reports.tasks import RENDER_TIME_LIMIT


class Command(BaseCommand):
    help = "Render the annual report of a year as a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--lang", choices=ReportLanguage.values, default=ReportLanguage.RU)
        parser.add_argument("--output", required=True, help="The PDF file to write ('-' for standard output).")
        parser.add_argument("--time-limit", type=int, default=RENDER_TIME_LIMIT, help="Seconds (default %(default)s).")

    def handle(self, *args, year: int, lang: str, output: str, time_limit: int, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("Give a year from 2000 to 2100.")
        try:
            rendered = report_pdf(year=year, language=lang, limit=time_limit)
        except RenderTimeout as error:
            raise CommandError(str(error)) from error
        if output == "-":
            self.stdout.buffer.write(rendered.content) if hasattr(self.stdout, "buffer") else None
            return
        path = Path(output)
        temporary = path.with_name(f".{path.name}.partial")
        temporary.write_bytes(rendered.content)
        temporary.replace(path)
        self.stderr.write(f"{path}: {rendered.pages} pages, {len(rendered.content):,} bytes")
