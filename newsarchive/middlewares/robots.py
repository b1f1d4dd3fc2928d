"""ArchiveRobotsTxtMiddleware: Scrapy's robots.txt middleware, with a typed refusal.

A URL robots.txt forbids raises RobotsForbidden, so the spider's errback records it as a
`robots_forbidden` failure by type, not by the words of Scrapy's message.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest

from newsarchive.failures import RobotsForbidden


class ArchiveRobotsTxtMiddleware(RobotsTxtMiddleware):
    def process_request_2(self, rp, request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as error:
            raise RobotsForbidden(f"forbidden by robots.txt: {request.url}") from error
