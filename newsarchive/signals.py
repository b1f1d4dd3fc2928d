"""newsarchive's own Scrapy signals (objects, as Scrapy's are), shared by the components that send
and receive them without importing each other."""

# The store pipeline committed a batch: fingerprints=[...] of the requests whose captures it wrote.
requests_committed = object()
# Commit whatever is pending now (sent by the distributed scheduler when its worker is idle).
flush_requested = object()
# The spider's errback handled a failed request: request=...
request_failed = object()
