"""SizeCheckedCompressionMiddleware: a compressed page that inflates past DOWNLOAD_MAXSIZE is a
`too_large` failure, like one whose bytes on the wire pass it.

Scrapy's HttpCompressionMiddleware stops inflating a body at DOWNLOAD_MAXSIZE (a page of a few
hundred kilobytes can hold gigabytes of gzip), and raises a bare IgnoreRequest, which says nothing
an archivist can group by (`ignored`). This one raises ResponseTooLarge instead: the failure's type
tells the reason (newsarchive/failures.py), never the words of the message.

A body that does not decompress as its Content-Encoding says (garbage labelled gzip, a deflate
body labelled brotli) raised whatever the decoder raised (zlib.error, BadGzipFile, brotli.error),
a `fetch_error` with no status. It is a `bad_content_encoding` failure here. Both failures carry
the response as the site sent it (RefusedResponse.response), still encoded: the page's failure
keeps its status and the spider captures it, so the archive holds what came.

A compressed stream that stops before its end (the server's compressor cut off, a body without a
Content-Length whose connection closed early) decompresses as far as it goes: Scrapy's decoders
give what they could, without a word, and the fragment was stored as the whole page (a new
version of a stored story in place of its text). Each stream decoded is checked for its end here
(gzip's members, deflate's, brotli's; zstd is Scrapy's alone): a cut one is retried like a
download cut short, and the last attempt keeps what decompressed as a page that arrived cut short
(ENCODING_CUT_FLAG: the article's warning, and its frontier row kept for the next crawl).
"""

from __future__ import annotations

import logging
import zlib

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest

from newsarchive.failures import BadContentEncoding, ResponseTooLarge

ENCODING_CUT_FLAG = "encoding_cut"  # a response whose compressed stream ended early (pageresult.py)
# The Content-Encoding a decoded response came with (the body kept is decoded: its header is not sent on).
ORIGINAL_ENCODING = "X-Archive-Orig-Content-Encoding"


class SizeCheckedCompressionMiddleware(HttpCompressionMiddleware):
    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.crawler = crawler
        return middleware

    def _decode(self, body: bytes, encoding: bytes, max_size: int) -> bytes:
        """Scrapy's decoding of one encoding, noting the encodings whose stream was cut."""
        decoded = super()._decode(body, encoding, max_size)
        if not stream_ends(body, encoding, decoded):
            self.cut_encodings.append(encoding.decode("latin-1"))
        return decoded

    def process_response(self, request, response, spider=None):
        self.cut_encodings: list[str] = []  # filled by _decode, within the call below
        decoded = self.decoded(request, response)
        if not self.cut_encodings:
            return decoded
        retry = get_retry_request(request, spider=self.crawler.spider, reason="encoding_cut",
                                  give_up_log_level=logging.WARNING)
        if retry is not None:
            return retry
        return decoded.replace(flags=[*decoded.flags, ENCODING_CUT_FLAG])

    def decoded(self, request, response):
        """The response with its body decoded (Scrapy's middleware); the Content-Encoding it came
        with kept as X-Archive-Orig-Content-Encoding (as pywb names what it rewrote), which Scrapy
        drops: its capture, and the WARC export, said nothing of how the body came."""
        came_as = response.headers.getlist("Content-Encoding")
        try:
            decoded = super().process_response(request, response)
        except IgnoreRequest as error:  # the one IgnoreRequest Scrapy's middleware raises: the size limit
            raise ResponseTooLarge(str(error), response) from error
        except Exception as error:  # noqa: BLE001 (each decoder raises its own kind of error)
            codings = ", ".join(value.decode("latin-1") for value in response.headers.getlist("Content-Encoding"))
            raise BadContentEncoding(f"the body does not decompress as {codings}: {type(error).__name__}: {error}",
                                     response) from error
        if came_as and decoded is not response and decoded.headers.getlist("Content-Encoding") != came_as:
            decoded.headers.setlist(ORIGINAL_ENCODING, came_as)
        return decoded


def stream_ends(body: bytes, encoding: bytes, decoded: bytes | None = None) -> bool:
    """Whether a compressed body holds its stream's end (each of gzip's members, deflate's end,
    brotli's last block); True for an encoding not checked here, and for no body at all (a 304, a
    204, an empty page: what Scrapy's decoders make of it is what came). `decoded`, what Scrapy made
    of it, spares the usual gzip body a second pass: one member, whose trailer gives its length."""
    if not body:
        return True
    if encoding in (b"gzip", b"x-gzip"):
        if decoded is not None and _gzip_trailer_length(body) == len(decoded) % 2**32:
            return True  # a cut stream's last four bytes are compressed data: one chance in 2**32 to match
        return _zlib_stream_ends(body, zlib.MAX_WBITS | 16, members=True)
    if encoding == b"deflate":  # zlib's wrapper, or the raw deflate some servers send
        return _zlib_stream_ends(body, zlib.MAX_WBITS) or _zlib_stream_ends(body, -zlib.MAX_WBITS)
    if encoding == b"br":
        return _brotli_stream_ends(body)
    return True


def _gzip_trailer_length(body: bytes) -> int | None:
    """The uncompressed length (modulo 2**32) a gzip member's last four bytes give; None for a body
    too short to be a member (a header of 10 bytes, a trailer of 8)."""
    return int.from_bytes(body[-4:], "little") if len(body) >= 18 else None


def _zlib_stream_ends(body: bytes, wbits: int, members: bool = False) -> bool:
    """Each stream in body ends (gzip: members one after another; what follows the last, zeros a
    server padded with, is not read, as Scrapy does not read it)."""
    while True:
        stream = zlib.decompressobj(wbits)
        try:
            while body and not stream.eof:  # in steps: the whole body decompressed at once could be big
                stream.decompress(body, 1 << 20)
                body = stream.unconsumed_tail
        except zlib.error:
            return False
        if not stream.eof:
            return False
        body = stream.unused_data
        if not (members and body.startswith(b"\x1f\x8b")):
            return True


def _brotli_stream_ends(body: bytes) -> bool:
    try:
        import brotli
    except ImportError:
        try:
            import brotlicffi as brotli  # the other module Scrapy decodes brotli with
        except ImportError:  # Scrapy then sends no Accept-Encoding br, and decodes none
            return True
    stream = brotli.Decompressor()
    try:
        stream.process(body)
    except brotli.error:
        return False
    return stream.is_finished()
