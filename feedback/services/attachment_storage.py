"""Where citizens' photos and voice notes live: behind a small interface, on the local disk
(a folder under instance/, never under static/, so nothing is served without a check) or in
an S3-compatible bucket (AWS, MinIO, Ceph, ...) when several app hosts share them.

The S3 one is tested against moto's S3-compatible server running on loopback
(tests/services/test_attachment_storage.py): MinIO's server is not a package this project's
registries carry."""

import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

_KEY = "feedback.attachment_storage"
# The keys new_key makes; nothing else is ever read or written (no path can be smuggled in).
STORAGE_KEY = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{2,5}")


class MissingAttachment(Exception):
    """No content under that key (deleted, or never stored)."""


class AttachmentStorage(Protocol):
    def put(self, key: str, content: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


def new_key(extension: str) -> str:
    """A fresh, unguessable key for content of this kind (jpg, png, ogg, ...)."""
    key = f"{secrets.token_hex(16)}.{extension}"
    _check(key)
    return key


def _check(key: str) -> None:
    if not STORAGE_KEY.fullmatch(key):
        raise ValueError(f"not an attachment key: {key!r}")


class LocalStorage:
    """Files in one folder, each written whole (to a temporary name, then renamed)."""

    def __init__(self, directory: Path):
        self.directory = directory

    def put(self, key: str, content: bytes, content_type: str) -> None:
        _check(key)
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, self.directory / key)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        _check(key)
        try:
            return (self.directory / key).read_bytes()
        except FileNotFoundError as error:
            raise MissingAttachment(key) from error

    def delete(self, key: str) -> None:
        _check(key)
        (self.directory / key).unlink(missing_ok=True)


class S3Storage:
    """Objects in one bucket of an S3-compatible service, private (no public ACL): the app
    serves them after its own checks."""

    def __init__(self, client: Any, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "S3Storage":
        import boto3  # only deployments that use S3 pay for importing it
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region_name=config.get("S3_REGION") or "us-east-1",
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
            config=Config(connect_timeout=10, read_timeout=30, retries={"max_attempts": 3}),
        )
        return cls(client, config["S3_BUCKET"])

    def put(self, key: str, content: bytes, content_type: str) -> None:
        _check(key)
        self.client.put_object(Bucket=self.bucket, Key=key, Body=content, ContentType=content_type)

    def get(self, key: str) -> bytes:
        _check(key)
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.NoSuchKey as error:
            raise MissingAttachment(key) from error
        body: bytes = found["Body"].read()
        return body

    def delete(self, key: str) -> None:
        _check(key)
        self.client.delete_object(Bucket=self.bucket, Key=key)


def install_storage(app: Flask) -> None:
    """At start-up: ATTACHMENT_STORAGE=local (ATTACHMENT_DIR, default instance/attachments)
    or s3 (S3_BUCKET, S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)."""
    config = app.config
    storage: AttachmentStorage
    if config["ATTACHMENT_STORAGE"] == "s3":
        storage = S3Storage.from_config(config)
    else:
        directory = config.get("ATTACHMENT_DIR") or Path(app.instance_path) / "attachments"
        storage = LocalStorage(Path(directory))
    app.extensions[_KEY] = storage


def attachment_storage() -> AttachmentStorage:
    """The running app's attachment storage."""
    found: AttachmentStorage = current_app.extensions[_KEY]
    return found
