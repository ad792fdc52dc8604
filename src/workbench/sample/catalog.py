"""The fictional retailer's catalogue: categories, price levels and product pages."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

BRAND = "Harbor & Pine"

# (display name, url slug, median basket in USD, share of women's / men's interest)
CATEGORIES: tuple[tuple[str, str, float, float, float], ...] = (
    ("Women", "women", 58.0, 0.30, 0.03),
    ("Men", "men", 62.0, 0.04, 0.28),
    ("Kids", "kids", 36.0, 0.12, 0.07),
    ("Shoes", "shoes", 84.0, 0.14, 0.16),
    ("Accessories", "accessories", 32.0, 0.13, 0.08),
    ("Beauty", "beauty", 27.0, 0.14, 0.03),
    ("Home", "home", 64.0, 0.10, 0.12),
    ("Sport & Outdoor", "sport-outdoor", 71.0, 0.03, 0.23),
)
CATEGORY_NAMES = pa.array([c[0] for c in CATEGORIES])
SKUS_PER_CATEGORY = 400

# URL table layout: fixed pages, then one product page per SKU.
HOME, SALE, NEW, CART = 0, 1, 2, 3
CATEGORY_PAGE0 = 4
PRODUCT_PAGE0 = CATEGORY_PAGE0 + len(CATEGORIES)


def url_table() -> pa.Array:
    """Every page path the web events can reference, indexed as laid out above."""
    urls = ["/", "/sale", "/new-arrivals", "/cart"]
    urls += [f"/c/{c[1]}" for c in CATEGORIES]
    for k, c in enumerate(CATEGORIES):
        urls += [f"/p/{c[1]}/hp-{k + 1}{j:04d}" for j in range(SKUS_PER_CATEGORY)]
    return pa.array(urls)


def product_popularity() -> np.ndarray:
    """Cumulative Zipf weights over a category's SKUs: a few bestsellers dominate."""
    w = 1.0 / (np.arange(SKUS_PER_CATEGORY) + 3.0)
    return np.cumsum(w) / w.sum()


def interest_weights(female: bool) -> np.ndarray:
    w = np.array([c[3] if female else c[4] for c in CATEGORIES], dtype=np.float64)
    return w / w.sum()
