"""Convert exported office files to PDF with LibreOffice, for previews and checks.

Chemins' documents do not need LibreOffice; this helper serves the PNG previews of
``docs/examples`` and the tests that prove LibreOffice opens what we write. Each call
uses its own LibreOffice profile, so concurrent runs never share (and lock) one.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

CONVERSION_TIMEOUT_SECONDS = 300


class PdfConversionError(RuntimeError):
    """LibreOffice is missing or did not produce a PDF; the message is in French."""


def convert_to_pdf(paths: Sequence[Path], outdir: Path) -> list[Path]:
    """Convert files (DOCX, ODT, XLSX…) to PDF in ``outdir`` with one LibreOffice run.

    Returns the PDFs in the order of ``paths``. File stems must be distinct, since each
    PDF is named after its source's stem.
    """
    stems = [path.stem for path in paths]
    if len(set(stems)) != len(stems):
        raise ValueError("two files to convert share a name: their PDFs would collide")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise PdfConversionError(
            "LibreOffice est introuvable : installez libreoffice-writer-nogui et "
            "libreoffice-calc-nogui"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chemins-lo-") as profile:
        try:
            completed = subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(outdir),
                    *(str(path) for path in paths),
                ],
                capture_output=True,
                timeout=CONVERSION_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise PdfConversionError(
                f"LibreOffice n'a pas fini la conversion en {CONVERSION_TIMEOUT_SECONDS} s"
            ) from error
    pdfs = [outdir / f"{stem}.pdf" for stem in stems]
    missing = [pdf.name for pdf in pdfs if not pdf.exists()]
    if missing:
        detail = completed.stderr.decode("utf-8", "replace").strip()
        raise PdfConversionError(
            f"LibreOffice n'a pas produit {', '.join(missing)}" + (f" : {detail}" if detail else "")
        )
    return pdfs
