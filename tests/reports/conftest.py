import shutil
import subprocess

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every report test stores its PDFs in a folder of its own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def pdf_text(tmp_path):
    """The text of a PDF (bytes), as poppler's pdftotext extracts it."""

    def extract(content: bytes) -> str:
        path = tmp_path / "extract.pdf"
        path.write_bytes(content)
        return subprocess.run([shutil.which("pdftotext") or "pdftotext", "-layout", str(path), "-"],
                              capture_output=True, text=True, check=True).stdout

    return extract


@pytest.fixture
def pdf_info(tmp_path):
    def info(content: bytes) -> dict[str, str]:
        path = tmp_path / "info.pdf"
        path.write_bytes(content)
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}

    return info


@pytest.fixture
def pdf_fonts(tmp_path):
    def fonts(content: bytes) -> str:
        path = tmp_path / "fonts.pdf"
        path.write_bytes(content)
        return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout

    return fonts
