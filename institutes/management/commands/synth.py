from django.core.management.base import BaseCommand, CommandError

from bench import synth


class Command(BaseCommand):
    help = (
        "Create synthetic data for benchmarks, deterministic from the seed: at scale N the "
        "largest list of each kind has about 10·N rows. Refuses if synthetic data is already "
        "there unless --flush is given. `synth --flush` alone deletes it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, help="N: about 10·N rows in the largest list (e.g. 10 → 100, 2000 → 20,000).")
        parser.add_argument("--seed", type=int, default=1, help="Same seed and scale, same data (default 1).")
        parser.add_argument("--flush", action="store_true", help="Delete the synthetic data first (real and demo data stay).")

    def handle(self, *args, scale: int | None = None, seed: int = 1, flush: bool = False, **options):
        if scale is None and not flush:
            raise CommandError("Give --scale N, or --flush to delete the synthetic data.")
        if scale is not None and scale < 0:
            raise CommandError("--scale must be zero or more.")
        if flush:
            deleted = synth.flush()
            self.stdout.write(f"Deleted synthetic data: {self._counts(deleted)}.")
        if scale is None:
            return
        try:
            created = synth.generate(scale=scale, seed=seed)
        except synth.SynthError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Synthetic data at scale {scale}, seed {seed}: {self._counts(created)}."))

    @staticmethod
    def _counts(counts: dict[str, int]) -> str:
        return ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing"
