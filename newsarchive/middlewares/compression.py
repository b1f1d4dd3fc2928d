"""SizeCheckedCompressionMiddleware: a compressed page that inflates past DOWNLOAD_MAXSIZE is a
`too_large` failure, like one whose bytes on the wire pass it.

Scrapy's HttpCompressionMiddleware stops inflating a body at DOWNLOAD_MAXSIZE (a page of a few
hundred kilobytes can hold gigabytes of gzip), and raises a bare IgnoreRequest, which says nothing
an archivist can group by (`ignored`). This one raises ResponseTooLarge instead: the failure's type
tells the reason (newsarchive/failures.py), never the words of the message.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest

from newsarchive.failures import ResponseTooLarge


class SizeCheckedCompressionMiddleware(HttpCompressionMiddleware):
    def process_response(self, request, response, spider=None):
        try:
            return super().process_response(request, response)
        except IgnoreRequest as error:  # the one IgnoreRequest Scrapy's middleware raises: the size limit
            raise ResponseTooLarge(str(error)) from error
