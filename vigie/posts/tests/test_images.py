from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from vigie.posts.models import PostImage
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


def photo_with_gps(*, size: tuple[int, int] = (64, 48), fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0131] = "Secret software"  # Software
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # GPS
    output = io.BytesIO()
    image.save(output, format=fmt, exif=exif)
    return output.getvalue()


def a_post(client: Client) -> int:
    response = client.post(
        f"/api/v1/communities/{neighbourhood_a().pk}/posts",
        {"kind": "information", "title": "Chat perdu", "body": "Roux, très doux."},
        content_type="application/json",
    )
    post_id: int = response.json()["id"]
    return post_id


def upload(client: Client, post_id: int, *files: SimpleUploadedFile) -> object:
    return client.post(f"/api/v1/posts/{post_id}/images", {"images": list(files)})


def test_it_strips_every_exif_field_and_gps_first(client: Client, personas: Personas) -> None:
    original = photo_with_gps()
    assert b"Secret software" in original
    log_in_as(client, personas.alice)
    post_id = a_post(client)

    response = upload(client, post_id, SimpleUploadedFile("IMG_0001.jpg", original, "image/jpeg"))

    assert response.status_code == 201  # type: ignore[attr-defined]
    stored = PostImage.objects.get()
    content = stored.file.read()
    with Image.open(io.BytesIO(content)) as reopened:
        assert dict(reopened.getexif()) == {}
        assert reopened.format == "JPEG"
        assert reopened.info.get("exif") is None
    assert b"Secret software" not in content
    assert b"Camera maker" not in content
    assert stored.file.name is not None
    assert "IMG_0001" not in stored.file.name
    assert stored.file.name.endswith(".jpg")


def test_it_takes_photos_from_the_page_and_strips_them_too(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)
    photos = [
        SimpleUploadedFile(f"IMG_000{number}.jpg", photo_with_gps(), "image/jpeg")
        for number in (1, 2)
    ]

    response = client.post(
        f"/quartiers/{neighbourhood_a().pk}/publier/",
        {
            "kind": "information",
            "title": "Chat perdu",
            "body": "Roux, très doux.",
            "images": photos,
        },
    )

    assert response.status_code == 302
    stored = list(PostImage.objects.all())
    assert len(stored) == 2
    for image in stored:
        content = image.file.read()
        assert b"Secret software" not in content
        with Image.open(io.BytesIO(content)) as reopened:
            assert dict(reopened.getexif()) == {}


def test_it_reads_the_type_from_the_bytes_not_the_name(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.alice)
    post_id = a_post(client)
    png_named_jpg = SimpleUploadedFile("photo.jpg", photo_with_gps(fmt="PNG"), "image/jpeg")
    text_named_jpg = SimpleUploadedFile("photo.jpg", b"<?php system($_GET['x']); ?>", "image/jpeg")
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")

    accepted = upload(client, post_id, png_named_jpg)
    refused = upload(client, post_id, text_named_jpg)
    wrong_kind = upload(client, post_id, SimpleUploadedFile("a.png", gif.getvalue(), "image/png"))

    assert accepted.status_code == 201  # type: ignore[attr-defined]
    assert refused.status_code == wrong_kind.status_code == 422  # type: ignore[attr-defined]
    assert PostImage.objects.count() == 1


def test_it_refuses_a_decompression_bomb_and_an_oversized_file(
    client: Client, personas: Personas, settings: object
) -> None:
    log_in_as(client, personas.alice)
    post_id = a_post(client)
    # 20,000 x 20,000 pixels of one colour: a few hundred kilobytes, 400 megapixels decoded.
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, format="PNG", optimize=True)
    big = b"\xff\xd8\xff" + b"0" * (8_000_001)

    bombed = upload(client, post_id, SimpleUploadedFile("bomb.png", bomb.getvalue(), "image/png"))
    oversized = upload(client, post_id, SimpleUploadedFile("big.jpg", big, "image/jpeg"))

    assert bombed.status_code == oversized.status_code == 422  # type: ignore[attr-defined]
    assert not PostImage.objects.exists()


def test_it_serves_images_only_to_those_who_may_see_the_post(
    client: Client, personas: Personas
) -> None:
    alice = log_in_as(Client(), personas.alice)
    post_id = a_post(alice)
    upload(alice, post_id, SimpleUploadedFile("a.jpg", photo_with_gps(), "image/jpeg"))
    image = PostImage.objects.get()
    api_url = f"/api/v1/posts/{post_id}/images/{image.pk}"
    page_url = f"/publications/{post_id}/images/{image.pk}"

    assert alice.get(api_url).status_code == 200
    assert log_in_as(Client(), personas.dave).get(page_url).status_code == 200
    assert log_in_as(Client(), personas.mallory).get(api_url).status_code == 404
    assert log_in_as(Client(), personas.mallory).get(page_url).status_code == 404
    assert log_in_as(Client(), personas.bob).get(page_url).status_code == 404
    assert Client().get(api_url).status_code == 401
