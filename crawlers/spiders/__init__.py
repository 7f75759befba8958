"""The spiders, one per source; ``SOURCES`` maps each source name to its spider class."""

from __future__ import annotations

from crawlers.base import RegwatchSpider
from crawlers.spiders.gov_mofcom_aqygzj import GovMofcomAqygzjSpider
from crawlers.spiders.gov_mofcom_gg import GovMofcomGgSpider
from crawlers.spiders.gov_mofcom_rcxwfb import GovMofcomRcxwfbSpider
from crawlers.spiders.gov_mofcom_xwfyrth import GovMofcomXwfyrthSpider
from crawlers.spiders.gov_mofcom_zcfb import GovMofcomZcfbSpider

SOURCES: dict[str, type[RegwatchSpider]] = {
    cls.name: cls
    for cls in (
        GovMofcomZcfbSpider,
        GovMofcomRcxwfbSpider,
        GovMofcomXwfyrthSpider,
        GovMofcomGgSpider,
        GovMofcomAqygzjSpider,
    )
}

__all__ = ["SOURCES"]
