"""Downloader middlewares of newscrawl, one concern per module."""
