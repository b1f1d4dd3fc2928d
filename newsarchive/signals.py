"""newsarchive's own Scrapy signals (objects, as Scrapy's are), shared by the components that send
and receive them without importing each other."""

# The store pipeline opened the crawl's row: crawl_id=..., archive=... (its open Archive: the one
# connection of this process to the file, which other writers of the crawl share), resumed=
# [FrontierEntry, ...] (pending requests of the interrupted crawl it took over), settled=[url, ...],
# read_again=[url, ...] (of those settled, the listings the resumed crawl reads again).
crawl_started = object()
# The store pipeline committed a batch: fingerprints=[...] of the requests whose pages it wrote;
# retry=[...] those of them whose page failed for a passing reason (failures.TRANSIENT_FAILURES),
# which a distributed crawl keeps for its next crawl (newsarchive/distributed.py).
requests_committed = object()
# Commit whatever is pending now (sent by the distributed scheduler when its worker is idle).
flush_requested = object()
# An origin's robots.txt could not be fetched at all (middlewares/robots.py): request=... (the request
# that asked for it), error=... (the exception). Scrapy's robots_parsed is not sent then.
robots_unreadable = object()
