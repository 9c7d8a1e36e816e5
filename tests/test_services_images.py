"""Action images (campaigns/images.py) called directly: checked by content, re-encoded, stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from actionapp.campaigns.images import (
    ImageRejectedError,
    remove_stored_image,
    store_action_image,
    stored_image_path,
)

LIMITS = {"max_bytes": 200_000, "max_pixels": 1_000_000, "max_width": 100}


def _image(kind: str = "PNG", size=(300, 150), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind, **save)
    return out.getvalue()


def test_an_image_is_stored_as_a_smaller_jpeg_without_its_metadata(tmp_path):
    exif = Image.Exif()
    exif[0x010E] = "Taken at the safe house"  # ImageDescription
    data = _image("JPEG", exif=exif.tobytes()) + b"hidden after the image"
    name = store_action_image(data, tmp_path, **LIMITS)
    path = stored_image_path(tmp_path, name)
    assert name.startswith("uploads/") and path.parent == tmp_path
    stored = path.read_bytes()
    assert b"safe house" not in stored and b"hidden after" not in stored
    with Image.open(path) as image:
        assert (image.format, image.size) == ("JPEG", (100, 50))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "This file is not an image we can read."),
        (_image("BMP"), "Please upload a JPEG, PNG, WebP or GIF image (this is BMP)."),
        (_image(size=(1100, 1000)), "The image has too many pixels."),
        (_image()[:60], "This image is damaged or incomplete."),
        (b"x" * 200_001, "The image is too large: at most 0.2 MB."),
    ],
)
def test_what_is_not_an_accepted_image_is_refused_with_a_reason(tmp_path, data, message, app):
    with pytest.raises(ImageRejectedError) as refused:
        store_action_image(data, tmp_path, **LIMITS)
    assert str(refused.value.args[0]) == message
    assert list(tmp_path.iterdir()) == []


def test_only_uploaded_names_map_to_files_and_removing_one_deletes_it(tmp_path):
    name = store_action_image(_image(), tmp_path, **LIMITS)
    assert stored_image_path(tmp_path, "demo/ana.jpg") is None  # a built-in image
    assert stored_image_path(tmp_path, "uploads/../../etc/passwd") is None
    assert stored_image_path(tmp_path, None) is None
    remove_stored_image(tmp_path, "uploads/../x.jpg")
    assert stored_image_path(tmp_path, name).exists()
    remove_stored_image(tmp_path, name)
    assert not stored_image_path(tmp_path, name).exists()
    remove_stored_image(tmp_path, name)  # a second removal is harmless
