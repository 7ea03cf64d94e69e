"""The programme's background jobs (registered with core.jobs)."""
from . import matching_services  # noqa: F401  registers "programme.matching_run"
