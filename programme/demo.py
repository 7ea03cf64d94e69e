"""The Programme's part of `manage.py demo`: matching of the 2022 surveys
into the draft Programme 2022-2026 (`programme.demo_matching`), then the
Programme's year (`programme.demo_programme`: published 2022 version, the
2023 update, outcomes, a consultation)."""
from importlib import import_module


def load_demo() -> str:
    said = []
    for name in ("programme.demo_matching", "programme.demo_programme"):
        try:
            module = import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        said.append(module.load_demo())
    return "; ".join(said) or "nothing"
