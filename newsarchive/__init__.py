"""newsarchive: an archival crawler for news sites."""
