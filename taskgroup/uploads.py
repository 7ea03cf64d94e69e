"""What a file is, by its content: the task group's documents and the
attachments of information-support requests are PDF, Office (OOXML, ODF
and the old binary formats) or images. The name a user gives a file says
nothing: an executable renamed `report.pdf` is refused, a PDF named
`scan.exe` is taken as a PDF and saved as `scan.pdf`.

No dependency: the signatures are few and fixed. A ZIP is accepted only as
an OOXML or ODF document, checked by its members, never extracted.
"""
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

FORBIDDEN_TYPE = _(
    "This kind of file cannot be uploaded. Upload a PDF, an Office document (Word, Excel, PowerPoint, "
    "OpenDocument) or an image (PNG, JPEG, GIF)."
)
TOO_LARGE = _("The file is larger than %(limit)s. Upload a smaller file.")
EMPTY_FILE = _("The file is empty.")

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "TASKGROUP_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str


PDF = Kind("application/pdf", "pdf")
PNG = Kind("image/png", "png")
JPEG = Kind("image/jpeg", "jpg")
GIF = Kind("image/gif", "gif")
OLE = {  # the old binary Office formats share one container; the name's extension picks among them
    "doc": Kind("application/msword", "doc"),
    "xls": Kind("application/vnd.ms-excel", "xls"),
    "ppt": Kind("application/vnd.ms-powerpoint", "ppt"),
}
OOXML = {
    "word/": Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}


def sniff(data: bytes, name: str = "") -> Kind | None:
    """The kind of file `data` is, or None when it is not one we accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return OLE.get(extension, OLE["doc"])
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def _zip_kind(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mimetype in ODF:
                    return Kind(mimetype, ODF[mimetype])
                return None
            if "[Content_Types].xml" in names:
                for prefix, kind in OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return None
    return None


def sanitise_filename(name: str, extension: str) -> str:
    """A name safe to show and to send back: no path, no control or
    separator characters, at most 100 characters, ending in the extension of
    what the content is."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = "".join(ch for ch in stem if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    stem = re.sub(r'[<>:"|?*;,]+', "_", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" .") or "document"
    return f"{stem[:100]}.{extension}"


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    filename: str
    content_type: str
    size: int


def check_upload(upload, *, field: str = "file") -> CheckedFile:
    """Read an uploaded file and check its size and kind by content; raises
    ValidationError bound to `field` with the reason."""
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({field: TOO_LARGE % {"limit": filesizeformat(limit)}})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({field: TOO_LARGE % {"limit": filesizeformat(limit)}})
    if not data:
        raise ValidationError({field: EMPTY_FILE})
    kind = sniff(data, getattr(upload, "name", "") or "")
    if kind is None:
        raise ValidationError({field: FORBIDDEN_TYPE})
    return CheckedFile(
        data=data,
        filename=sanitise_filename(getattr(upload, "name", "") or "", kind.extension),
        content_type=kind.content_type,
        size=len(data),
    )
