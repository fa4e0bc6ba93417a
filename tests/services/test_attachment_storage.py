"""Issue 16: attachment storage behind one interface, on the local disk and in an
S3-compatible bucket. The S3 one runs against moto's S3-compatible server on loopback (a real
HTTP endpoint spoken to by boto3, as MinIO would be; MinIO's server is not installable from
this project's package registries)."""

from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from feedback import create_app
from feedback.services.attachment_storage import (
    LocalStorage,
    MissingAttachment,
    S3Storage,
    attachment_storage,
    new_key,
)


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_config(s3_endpoint):
    import boto3

    config = {
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_BUCKET": "feedback-attachments",
        "S3_ACCESS_KEY_ID": "test-key",
        "S3_SECRET_ACCESS_KEY": "test-secret",
        "S3_REGION": "us-east-1",
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="feedback-attachments")
    return config


def round_trip(storage) -> None:
    key = new_key("jpg")
    storage.put(key, b"\xff\xd8 a photo", "image/jpeg")
    assert storage.get(key) == b"\xff\xd8 a photo"
    storage.put(key, b"replaced", "image/jpeg")
    assert storage.get(key) == b"replaced"
    storage.delete(key)
    with pytest.raises(MissingAttachment):
        storage.get(key)
    storage.delete(key)  # gone already: no error


def test_local_storage_round_trip_and_keys_that_name_a_path_are_refused(tmp_path):
    storage = LocalStorage(tmp_path / "attachments")
    round_trip(storage)
    for key in ("../secret_key", "a/b.jpg", "x.html", "/etc/passwd", new_key("jpg") + "/.."):
        with pytest.raises(ValueError):
            storage.put(key, b"x", "image/jpeg")
        with pytest.raises(ValueError):
            storage.get(key)
    assert [path.name for path in (tmp_path / "attachments").iterdir()] == []  # no temp left


def test_s3_storage_round_trip(s3_config):
    storage = S3Storage.from_config(s3_config)
    round_trip(storage)
    key = new_key("ogg")
    storage.put(key, b"OggS...", "audio/ogg")
    head = storage.client.head_object(Bucket="feedback-attachments", Key=key)
    assert head["ContentType"] == "audio/ogg"


def test_the_app_picks_its_storage_from_the_environment(s3_config, tmp_path):
    app = create_app({"ATTACHMENT_STORAGE": "s3", **s3_config})
    with app.app_context():
        assert isinstance(attachment_storage(), S3Storage)
    app = create_app({"ATTACHMENT_DIR": str(tmp_path)})
    with app.app_context():
        assert attachment_storage().directory == tmp_path
    app = create_app({"ATTACHMENT_DIR": None})  # the default
    with app.app_context():
        folder = attachment_storage().directory
    assert folder == Path(app.instance_path) / "attachments"
    assert not folder.is_relative_to(Path(app.static_folder))


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({"ATTACHMENT_STORAGE": "ftp"}, "'local' or 's3'"),
        ({"ATTACHMENT_STORAGE": "s3"}, "S3_BUCKET"),
    ],
)
def test_a_storage_half_configured_refuses_to_start(config, says):
    from config import ConfigError

    with pytest.raises(ConfigError, match=says):
        create_app({"S3_BUCKET": None, **config})
