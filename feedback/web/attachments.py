"""How a stored photo or voice note goes out: as the type we checked it to be, shown in place,
never sniffed into anything else, with HTTP ranges so a voice note can be scrubbed."""

from flask import Response, request

from feedback.models.attachments import Attachment

PUBLIC_MAX_AGE = 300  # a photo taken down stays in caches at most this long


def read_upload(upload, max_bytes: int) -> bytes:
    """An uploaded file's content, at most one byte over `max_bytes` read, so a huge file is
    refused without loading it; the upload is closed either way."""
    try:
        return bytes(upload.read(max_bytes + 1))
    finally:
        upload.close()


def attachment_response(attachment: Attachment, content: bytes, public: bool) -> Response:
    response = Response(content, mimetype=attachment.content_type)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if public:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    response.make_conditional(request, accept_ranges=True, complete_length=len(content))
    return response
