"""The annual report's background job: render one version's PDF.

Registered with core.jobs, so it is a Job row first (pending until a worker
takes it, swept again after a broker outage or a worker's death) and runs
through core.tasks.job_run. It takes the version's id, renders inside the
job's time limit and stores the file atomically (reports.services): running
it twice gives one file, a run killed half-way leaves none."""
from django.utils.translation import gettext as _

from core.jobs import job_function, job_progress

from . import services
from .models import ReportVersion

# WeasyPrint lays out a 2,000-activity report in well under a minute on one
# core; ten minutes is the ceiling for a machine under load.
RENDER_TIME_LIMIT = 600
STEPS = 3


@job_function(services.RENDER_JOB, time_limit=RENDER_TIME_LIMIT, max_attempts=3)
def render_report(*, job, version_id: int) -> dict:
    version = ReportVersion.objects.select_related("report").filter(pk=version_id).first()
    if version is None:
        return {"skipped": "version gone"}

    def progress(step: int, message) -> None:
        job_progress(job, done=step - 1, total=STEPS, message=str(message))

    version = services.version_render(version=version, progress=progress, limit=job.time_limit)
    job_progress(job, done=STEPS, total=STEPS, message=_("Done"))
    return {"version": version.pk, "file": version.file.name, "pages": version.pages, "size": version.size}
