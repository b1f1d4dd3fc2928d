"""The Scrapy spiders (SPIDER_MODULES = ["spiders"]): thin, they route responses to parsers."""
