"""Reading an answer's body, at most :data:`MAX_ANSWER_BYTES`, whatever the endpoint sends.

The SDKs read a whole body into memory before gcready sees it, so an endpoint that is not the
storage service (or a hostile one) could send gigabytes before the deadline stops the call. Where an
SDK lets gcready read the body itself (minio's urllib3 pool, the ``requests`` sessions under
google-cloud-storage and azure-storage-blob), it is read here, and refused past the limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gcready.probes.answers import InvalidAnswer

# No settings answer gcready reads is near this large (a lifecycle document with 1,000 rules is ~300 KiB).
MAX_ANSWER_BYTES = 4 * 1024 * 1024
CHUNK = 64 * 1024


def too_large(limit: int = MAX_ANSWER_BYTES) -> InvalidAnswer:
    """The refusal of an answer larger than ``limit`` bytes."""
    return InvalidAnswer(
        f"answer too large: more than {limit // (1024 * 1024)} MiB (settings answers are a few KiB); not read"
    )


def read_capped(chunks: Iterable[bytes], content_length: str | None, limit: int = MAX_ANSWER_BYTES) -> bytes:
    """An answer's body from its chunks, refused (:class:`InvalidAnswer`) once it passes ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused before a byte is read (callers pass None for
    a HEAD answer, whose length is the GET's). The caller closes the connection on a refusal (draining
    it would read what was refused).
    """
    declared = (content_length or "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


def cap_requests_body(response: Any, *args: Any, **kwargs: Any) -> Any:
    """A ``requests`` response hook that reads the body itself, at most :data:`MAX_ANSWER_BYTES`.

    ``requests`` runs response hooks before it reads the body of a non-streamed request, so this is
    where the body can still be refused. A streamed request (a download) is left to its caller.
    """
    if kwargs.get("stream"):
        return response
    try:
        head = getattr(response.request, "method", None) == "HEAD"
        length = None if head else response.headers.get("content-length")
        body = read_capped(response.iter_content(CHUNK), length)
    except BaseException:
        response.close()
        raise
    # What requests itself stores once it has read a body; ``response.content`` then returns it.
    response._content = body
    return response
