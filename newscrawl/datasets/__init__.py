"""Datasets for analysts: read, merge, validate, summarise and export run files.

Run files are the JSON Lines files the crawler writes (one article record per line,
see `newscrawl/schema/article.schema.json`). Every step here streams: memory does not
grow with the number of records. The command line is `newscrawl.cli`.
"""
