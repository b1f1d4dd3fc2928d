"""newsarchive's own Scrapy signals (objects, as Scrapy's are), shared by the components that send
and receive them without importing each other."""

# The store pipeline opened the crawl's row: crawl_id=..., resumed=[FrontierEntry, ...] (pending
# requests of the interrupted crawl it took over), settled=[url, ...] (what that crawl finished).
crawl_started = object()
# The store pipeline committed a batch: fingerprints=[...] of the requests whose pages it wrote.
requests_committed = object()
# Commit whatever is pending now (sent by the distributed scheduler when its worker is idle).
flush_requested = object()
