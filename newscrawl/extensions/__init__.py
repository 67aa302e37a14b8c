"""Crawl-wide components that listen to signals (run report, ...)."""
