"""Action images: checked by their content, size-limited, re-encoded and stored."""

from __future__ import annotations

import io
import re
import secrets
import warnings
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

# What Pillow may decode; everything else (SVG, PDF, TIFF tricks, ...) is refused.
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")
UPLOAD_PREFIX = "uploads/"


class ImageRejectedError(ValueError):
    """The upload is not an image we accept; the message says why."""


def store_action_image(
    data: bytes, folder: str | Path, max_bytes: int, max_pixels: int, max_width: int
) -> str:
    """Check an uploaded image by its content, re-encode it as JPEG and store it.

    Returns the value for Action.image ("uploads/<random>.jpg"). Re-encoding drops metadata
    (EXIF with GPS positions, comments) and anything hidden after the image data.
    """
    if not data:
        raise ImageRejectedError(_l("The file is empty."))
    if len(data) > max_bytes:
        raise ImageRejectedError(
            _l("The image is too large: at most %(mb).1f MB.", mb=max_bytes / 1024 / 1024)
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                width, height = probe.size
                probe.verify()
            if kind not in ACCEPTED_FORMATS:
                raise ImageRejectedError(
                    _l("Please upload a JPEG, PNG, WebP or GIF image (this is %(kind)s).",
                       kind=kind or "?")
                )  # fmt: skip
            if width * height > max_pixels:
                raise ImageRejectedError(_l("The image has too many pixels."))
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                picture = ImageOps.exif_transpose(image).convert("RGB")
    except ImageRejectedError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejectedError(_l("This file is not an image we can read.")) from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRejectedError(_l("This image is damaged or incomplete.")) from None
    if picture.width > max_width:
        picture = picture.resize(
            (max_width, max(1, round(picture.height * max_width / picture.width))),
            Image.Resampling.LANCZOS,
        )
    name = f"{secrets.token_hex(16)}.jpg"
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    picture.save(target / name, format="JPEG", quality=85, optimize=True)
    return UPLOAD_PREFIX + name


def stored_image_path(folder: str | Path, image: str | None) -> Path | None:
    """Return the file of an uploaded action image, or None for built-in or missing images."""
    if not image or not image.startswith(UPLOAD_PREFIX):
        return None
    name = image.removeprefix(UPLOAD_PREFIX)
    if not STORED_NAME.match(name):
        return None
    return Path(folder) / name


def remove_stored_image(folder: str | Path, image: str | None) -> None:
    """Delete an uploaded action image's file, if it is one."""
    path = stored_image_path(folder, image)
    if path is not None:
        path.unlink(missing_ok=True)
