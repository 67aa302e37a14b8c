"""Pure, Scrapy-free text cleaning used by the item pipelines (`newscrawl.pipelines`).

Each module holds one concern: `fold` (length-preserving comparison form and paragraph
fingerprints), `phrases` (known site chrome kept as data), `learned` (chrome learned from
how many distinct articles repeat a paragraph), `dropcap` (restoring the split-off first
letter) and `dedup` (repeated paragraphs within one article); `memo` keeps what they
derive from one article's paragraphs so that the pipelines compute it once. The
pipelines only adapt these to Scrapy: settings, stats and logging.
"""
