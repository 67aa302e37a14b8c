"""A copy of the site on loopback: serves a folder of pages under the real URL scheme.

Used by the tests, the offline demo (`newscrawl demo`) and the benchmarks.
"""

from newscrawl.sitecopy.server import SiteCopy, serve_site

__all__ = ["SiteCopy", "serve_site"]
