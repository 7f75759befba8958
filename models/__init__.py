"""Machine-learning models (relevance and topic classifiers for news) — not built yet.

Heavy dependencies (``torch``, ``transformers``, the ``ml`` extra) are imported only inside this
package's modules, never at CLI start-up or in the crawl loop. ``models`` may import ``parsers``;
it never imports ``crawlers`` or ``db`` (the import contracts in pyproject.toml enforce it).
"""
