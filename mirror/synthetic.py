"""Deterministic filler announcements for benchmarks (``MirrorServer(synthetic=N)``).

Invariants: the same ``n`` always yields the same documents (ids are md5 hashes of the index,
dates spread over 2019–2025), every one is listed under ``zwgk/zcfb`` in every site state, and
none collides with hand-written content (ids derive from a private prefix).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from mirror.content import WWW, Document, Header

YEARS = tuple(range(2019, 2026))
TOPICS = (
    "调整部分商品进口关税配额管理事项",
    "公布两用物项出口许可证管理目录调整",
    "对原产于相关国家的进口聚苯醚反倾销调查的终裁",
    "发布对外贸易经营者备案登记办法补充规定",
    "实施技术进出口合同登记管理有关事项",
    "对进口牛肉保障措施调查延期",
    "公布自由类技术进口合同登记机构名单",
    "加强加工贸易保税监管有关事项",
    "调整机电产品进口自动许可管理目录",
    "公布重点旅游消费和服务贸易示范区名单",
    "开展边境贸易创新发展试点",
    "对相关进口光纤预制棒反倾销措施期终复审的裁定",
    "实行出口许可证管理的货物目录调整",
    "公布对外劳务合作经营资格核准变更事项",
    "发布平行进口汽车试点工作有关规定",
    "对进口卤化丁基橡胶反倾销调查的初裁",
)
UNITS = ("商务部", "商务部 海关总署", "商务部 国家发展改革委")
SOURCES = ("对外贸易司", "贸易救济调查局", "条约法律司", "服务贸易和商贸服务业司")
STATES = (1, 2, 3, 4, 5)


def synthetic_documents(n: int) -> list[Document]:
    """Return ``n`` generated 公告 in ``zwgk/zcfb`` (newest dates late 2025, oldest 2019)."""
    per_year = n // len(YEARS) + 1
    docs = []
    for i in range(n):
        year = YEARS[i % len(YEARS)]
        seq = i // len(YEARS) + 1
        day = date(year, 1, 2) + timedelta(days=(seq * 360) // (per_year + 1))
        unit = UNITS[i % len(UNITS)]
        topic = TOPICS[i % len(TOPICS)]
        number = f"{unit}公告{year}年第{seq}号"
        signed = f"{day.year}年{day.month}月{day.day}日"
        body = (
            f"为做好相关管理工作，根据有关法律、行政法规的规定，现就{topic}公告如下：\n\n"
            f"一、本公告所涉事项自{signed}起执行，由{unit}负责解释。\n\n"
            "二、此前发布的规定与本公告不一致的，以本公告为准。\n\n特此公告。"
        )
        docs.append(
            Document(
                id=hashlib.md5(f"regwatch-synthetic-{i}".encode()).hexdigest(),
                host=WWW,
                column="zwgk/zcfb",
                column_name="政策发布",
                published=f"{day.isoformat()} {9 + i % 8:02d}:{(i * 7) % 60:02d}",
                title=f"{number} 关于{topic}的公告",
                body=body,
                states=STATES,
                content_source=SOURCES[i % len(SOURCES)],
                header=Header(unit=unit, number=number, date=f"{year}年{day:%m}月{day:%d}日"),
                signature=(unit, signed),
                source_file=f"<synthetic {i}>",
            )
        )
    return docs
