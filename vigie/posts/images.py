"""Images people attach to posts: checked from their bytes, then re-encoded clean.

A file is accepted when Pillow reads it as JPEG, PNG or WebP (whatever its
name says), within the size and pixel limits; decompression bombs are
refused before decoding.  What is stored is a fresh JPEG drawn from the
pixels only, turned upright first: no EXIF (GPS above all), no ICC profile,
no comment survives.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from vigie.lib.errors import InvalidInput

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Pillow refuses to decode past twice this many pixels (a decompression bomb).
Image.MAX_IMAGE_PIXELS = settings.POST_IMAGE_MAX_PIXELS
LONGEST_SIDE = 2560


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    width: int
    height: int


def _refuse(message: object) -> InvalidInput:
    return InvalidInput({"images": [message]}, code="invalid_image")  # type: ignore[list-item]


def clean_image(upload: UploadedFile) -> CleanImage:
    if upload.size is None or upload.size > settings.POST_IMAGE_MAX_BYTES:
        raise _refuse(
            _("An image may weigh at most %(size)d MB.")
            % {"size": settings.POST_IMAGE_MAX_BYTES // 1_000_000}
        )
    data = upload.read(settings.POST_IMAGE_MAX_BYTES + 1)
    if len(data) > settings.POST_IMAGE_MAX_BYTES:
        raise _refuse(_("This image is too large."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if image_format not in ACCEPTED_FORMATS:
                    raise _refuse(_("Send a photo in JPEG, PNG or WebP."))
                if width * height > settings.POST_IMAGE_MAX_PIXELS:
                    raise _refuse(_("This image has too many pixels."))
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = _upright(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("This file is not an image we can read.")) from None
    except (OSError, SyntaxError, ValueError):
        raise _refuse(_("This image is damaged.")) from None
    return _reencode(upright)


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except TypeError:
        # Pillow writes the EXIF back after turning the image and fails so on some
        # corrupt EXIF (TiffImagePlugin pads a tag with bytes where it wants text; the
        # property test found one): its orientation cannot be trusted, the photo is damaged.
        raise ValueError("unreadable EXIF") from None


def _reencode(image: Image.Image) -> CleanImage:
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    # A new image from the pixels alone: nothing of the original's metadata comes along.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    output = io.BytesIO()
    clean.save(output, format="JPEG", quality=85, optimize=True)
    return CleanImage(content=output.getvalue(), width=clean.width, height=clean.height)
