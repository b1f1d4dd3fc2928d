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
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest

from newsarchive.failures import BadContentEncoding, ResponseTooLarge


class SizeCheckedCompressionMiddleware(HttpCompressionMiddleware):
    def process_response(self, request, response, spider=None):
        try:
            return super().process_response(request, response)
        except IgnoreRequest as error:  # the one IgnoreRequest Scrapy's middleware raises: the size limit
            raise ResponseTooLarge(str(error), response) from error
        except Exception as error:  # noqa: BLE001 (each decoder raises its own kind of error)
            codings = ", ".join(value.decode("latin-1") for value in response.headers.getlist("Content-Encoding"))
            raise BadContentEncoding(f"the body does not decompress as {codings}: {type(error).__name__}: {error}",
                                     response) from error
