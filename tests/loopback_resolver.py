"""A DNS resolver for crawl tests (TWISTED_DNS_RESOLVER): every host name is 127.0.0.1, so a test
crawls its loopback server under any name, an internationalised one included."""

from __future__ import annotations

from twisted.internet import defer
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer


@implementer(IResolverSimple)
class LoopbackResolver:
    def __init__(self, reactor):
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler, reactor):
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 (Twisted's interface)
        return defer.succeed("127.0.0.1")
