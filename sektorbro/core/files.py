"""Uploaded files: what a file is by its content (never by its name), the allowed types, a safe file name, and the
one check an upload goes through (size, extension, content). Shared by the apps that store files (governance's
attachments, followup's communication package)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.utils.translation import gettext as _

from sektorbro.core.errors import DomainError


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


_OOXML = {
    "word/": FileKind(
        "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)
    ),
    "xl/": FileKind("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
    "ppt/": FileKind(
        "PowerPoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",)
    ),
}
_ODF = {
    "application/vnd.oasis.opendocument.text": FileKind(
        "OpenDocument", "application/vnd.oasis.opendocument.text", ("odt",)
    ),
    "application/vnd.oasis.opendocument.spreadsheet": FileKind(
        "OpenDocument", "application/vnd.oasis.opendocument.spreadsheet", ("ods",)
    ),
    "application/vnd.oasis.opendocument.presentation": FileKind(
        "OpenDocument", "application/vnd.oasis.opendocument.presentation", ("odp",)
    ),
}
PDF = FileKind("PDF", "application/pdf", ("pdf",))
PNG = FileKind("PNG", "image/png", ("png",))
JPEG = FileKind("JPEG", "image/jpeg", ("jpg", "jpeg"))
GIF = FileKind("GIF", "image/gif", ("gif",))
OLE = FileKind("Office 97-2003", "application/octet-stream", ("doc", "xls", "ppt"))
TEXT = FileKind("Text", "text/plain; charset=utf-8", ("txt", "csv", "md"))
OLE_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
ALLOWED_EXTENSIONS = sorted(
    {
        ext
        for kind in [*_OOXML.values(), *_ODF.values(), PDF, PNG, JPEG, GIF, OLE, TEXT]
        for ext in kind.extensions
    }
)


def sniff(content: bytes) -> FileKind | None:
    """What the file is by its content (never by its name): PDF, Office, OpenDocument, image or plain text."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
                if "mimetype" in names:
                    return _ODF.get(archive.read("mimetype").decode("ascii", "replace").strip())
                if "[Content_Types].xml" in names:
                    for prefix, kind in _OOXML.items():
                        if any(n.startswith(prefix) for n in names):
                            return kind
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            return None
        return None
    if b"\x00" in content:
        return None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return TEXT


def safe_file_name(name: str) -> str:
    """The base name of an uploaded file (no folders, no NUL), at most 255 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip().replace("\x00", "")
    return base[:255]


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


def check_upload(*, name: str, content: bytes, max_bytes: int) -> CheckedFile:
    """Refuse an empty or too large file, a type that is not allowed, or content that is not what the name says
    (``DomainError`` on the field ``file``). Returns the safe name and the content type to serve it with."""
    file_name = safe_file_name(name)
    if not file_name:
        raise DomainError(_("The file has no name."), field="file")
    if not content:
        raise DomainError(_("The file %(name)s is empty.") % {"name": file_name}, field="file")
    if len(content) > max_bytes:
        raise DomainError(
            _("The file %(name)s is %(size)s MB; an attachment may be at most %(limit)s MB.")
            % {
                "name": file_name,
                "size": f"{len(content) / 1024 / 1024:.1f}",
                "limit": f"{max_bytes / 1024 / 1024:g}",
            },
            field="file",
        )
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise DomainError(
            _("Files of type .%(ext)s cannot be attached. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(ALLOWED_EXTENSIONS)},
            field="file",
        )
    kind = sniff(content)
    if kind is None or extension not in kind.extensions:
        raise DomainError(
            _("The content of %(name)s is not a .%(ext)s file (it is %(found)s).")
            % {
                "name": file_name,
                "ext": extension,
                "found": kind.label if kind else _("of an unknown or unsupported type"),
            },
            field="file",
        )
    content_type = OLE_TYPES[extension] if kind is OLE else kind.content_type
    return CheckedFile(file_name, content_type, len(content))
